// A desktop as the app's platform (platform.h): the same windows in an SDL2 window with an OpenGL ES 3
// context (Mesa's, on Linux), for developing and testing the UI natively — under a debugger, ASan and
// UBSan — and for a classroom without a web server. File dialogs are replaced by paths given on the
// command line; what the page keeps in IndexedDB goes to a folder.
//
//   digitlab-desktop [--data DIR] [--model FILE] [--link '#preset=mlp&epochs=1&autostart=1']
//                    [--store DIR] [--out DIR] [--script smoke]
//
// --data: the four MNIST files (.gz or raw), default the repository's assets/mnist. --store: the saved
// model and runs (default $XDG_DATA_HOME/digitlab). --out: where downloads go (default the current
// folder). --script: a scripted session instead of a person (desktop_script.h), ending the program with
// its result.
//
// The page answers the app's requests later (IndexedDB, fetches); so does this platform: files are read
// and written at once, but the app hears of them at the end of a frame, as it would from the page.
#include <SDL.h>
#include <malloc.h>
#include <algorithm>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <functional>
#include <thread>

#include "app.h"
#include "cli/files.h"
#include "core/nn/model_file.h"
#include "platform/desktop_script.h"
#include "platform/platform.h"

namespace fs = std::filesystem;

namespace app::platform {
namespace {

struct Options {
  std::string data_dir = DIGITLAB_SOURCE_DIR "/assets/mnist";
  std::string model_file, link, store_dir, out_dir = ".", script;
};

struct Desktop {
  Options opt;
  std::vector<uint8_t> pending[5];  // data files 0..3, the model file 4
  std::string pending_model_name, data_error;
  std::string user_error;  // why the data asked for cannot be had (fetch_fashion)
  std::vector<uint8_t> kept;  // the kept digits read by kept_load, until kept_take
  std::string kept_error;
  std::vector<std::function<void(AppState&)>> later;  // the platform's answers, at the end of a frame
  bool quit = false, started = false;
  int interval = 1;
  double tick_ms = 0;
  StoreState store;
  std::vector<uint8_t> opened_run;
  std::string runs_error;
};
Desktop& desk() {
  static Desktop d;
  return d;
}

const auto t0 = std::chrono::steady_clock::now();

[[noreturn]] void usage(const std::string& why) {
  std::fprintf(stderr,
               "digitlab-desktop: %s\nusage: digitlab-desktop [--data DIR] [--model FILE] [--link '#preset=mlp&…'] "
               "[--store DIR] [--out DIR] [--script smoke]\n",
               why.c_str());
  std::exit(2);
}

Options parse(int argc, char** argv) {
  Options o;
  const char* xdg = std::getenv("XDG_DATA_HOME");
  const char* home = std::getenv("HOME");
  o.store_dir = xdg && *xdg ? std::string(xdg) + "/digitlab" : std::string(home ? home : ".") + "/.local/share/digitlab";
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (i + 1 >= argc) usage(a == "--help" || a == "-h" ? "the desktop build of Digit Lab" : a + " needs a value");
    const std::string v = argv[++i];
    if (a == "--data") o.data_dir = v;
    else if (a == "--model") o.model_file = v;
    else if (a == "--link") o.link = v.empty() || v[0] == '#' ? v : "#" + v;
    else if (a == "--store") o.store_dir = v;
    else if (a == "--out") o.out_dir = v;
    else if (a == "--script") o.script = v;
    else usage("unknown option " + a);
  }
  if (!o.script.empty() && !script_known(o.script)) usage("unknown script " + o.script);
  return o;
}

std::string runs_dir() { return desk().opt.store_dir + "/runs"; }

bool write_whole(const std::string& path, const std::vector<uint8_t>& bytes, std::string* error) {
  std::error_code ec;
  fs::create_directories(fs::path(path).parent_path(), ec);
  const dl::Status st = dl::write_file(path, bytes);
  if (!st.ok()) *error = st.error;
  return st.ok();
}

std::vector<uint8_t> text_bytes(const std::string& s) { return std::vector<uint8_t>(s.begin(), s.end()); }

// The saved model as the menu names it, from <store>/saved.name ("name \t wall ms"); "" = none.
std::string saved_text(const std::string& store_dir) {
  std::vector<uint8_t> bytes;
  if (!dl::read_file(store_dir + "/saved.name", &bytes, 4096).ok()) return {};
  const std::string line(bytes.begin(), bytes.end());
  const size_t tab = line.find('\t');
  if (tab == std::string::npos) return {};
  return line.substr(0, tab) + " · " + time_text(std::atof(line.c_str() + tab + 1));
}

// The dataset and a model file named on the command line, handed over as the page hands over a fetch.
void deliver_files(AppState& s) {
  Desktop& d = desk();
  static const char* const names[4] = {"train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte",
                                       "t10k-labels-idx1-ubyte"};
  for (int i = 0; i < 4; ++i) {
    std::string path = d.opt.data_dir + "/" + names[i] + ".gz";
    if (!fs::exists(path)) path = d.opt.data_dir + "/" + names[i];
    bool too_large = false;
    dl::Status st = dl::read_file(path, &d.pending[i], dl::kMaxDataFileBytes, &too_large);
    if (st.ok()) st = dl::gunzip_if_needed(path, &d.pending[i], dl::kMaxDataFileBytes);
    if (!st.ok()) {
      d.data_error = "The digit files could not be read (" + st.error + "). Pass their folder with --data DIR.";
      on_data_error(s);
      return;
    }
    on_data_progress(s, double(i + 1), 4.0, i);
    on_data_file(s, i, double(d.pending[i].size()));
  }
  if (!d.opt.model_file.empty()) {
    d.pending_model_name = fs::path(d.opt.model_file).filename().string();
    bool too_large = false;
    const dl::Status st = dl::read_file(d.opt.model_file, &d.pending[4], dl::kMaxModelFileBytes, &too_large);
    on_model_file(s, st.ok() ? double(d.pending[4].size()) : too_large ? double(dl::kMaxModelFileBytes) + 1 : -1.0);
  }
}

}  // namespace

Environment init(int argc, char** argv) {
  desk().opt = parse(argc, argv);
  desk().store.saved = saved_text(desk().opt.store_dir);
  Environment e;
  e.threads = true;
  e.simd = true;      // SSE2 at least on x86-64; the kernels pick AVX2 where the CPU has it
  e.isolated = true;  // nothing to isolate from: a process has its threads and a fine clock
  e.desktop = true;
  e.cores = int(std::max(1u, std::thread::hardware_concurrency()));
  return e;
}

double now_ms() { return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count(); }
double wall_ms() {
  return double(std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch()).count());
}
std::string time_text(double wall) {
  const std::time_t t = std::time_t(wall / 1000), now = std::time(nullptr);
  std::tm tm{}, today{};
  localtime_r(&t, &tm);
  localtime_r(&now, &today);
  char b[64];
  const bool same_day = tm.tm_year == today.tm_year && tm.tm_yday == today.tm_yday;
  std::strftime(b, sizeof b, same_day ? "%H:%M" : "%d %b %Y, %H:%M", &tm);
  return b;
}
float pixel_ratio() { return 1.0f; }
double memory_limit() { return double(sysconf(_SC_PHYS_PAGES)) * double(sysconf(_SC_PAGESIZE)); }
double memory_size() {
  const struct mallinfo2 m = mallinfo2();
  return double(m.arena) + double(m.hblkhd);
}
double memory_in_use() {
  const struct mallinfo2 m = mallinfo2();
  return double(m.uordblks) + double(m.hblkhd);
}

void run_frames(void (*frame)()) {
  SDL_AddEventWatch(
      [](void*, SDL_Event* ev) {
        if (ev->type == SDL_QUIT) desk().quit = true;
        return 0;
      },
      nullptr);
  // About 60 frames a second (no vsync under Xvfb), `interval` times slower or every tick_ms
  // while the page would be.
  while (!desk().quit) {
    const double start = now_ms();
    frame();
    const double wait = std::max(1000.0 / 60 * desk().interval, desk().tick_ms) - (now_ms() - start);
    if (wait > 0) SDL_Delay(Uint32(wait));
  }
}

void set_frame_timing(int frames, double tick_ms) {
  desk().interval = std::max(1, frames);
  desk().tick_ms = tick_ms;
}

void frame_done() {
  Desktop& d = desk();
  AppState& s = app_state();
  if (!d.started) {
    d.started = true;
    deliver_files(s);
  }
  std::vector<std::function<void(AppState&)>> now;
  now.swap(d.later);
  for (auto& f : now) f(s);
  if (!d.opt.script.empty()) {
    int code = 0;
    if (script_frame(s, d.opt.script, &code)) std::exit(code);
  }
}

void fatal(const std::string& message) {
  std::fprintf(stderr, "digitlab-desktop: %s\n", message.c_str());
  std::exit(1);
}

std::string link_hash() { return desk().opt.link; }
std::string page_address() { return "https://digitlab.example/"; }
void show_link(const std::string& url) { std::printf("lesson link: %s\n", url.c_str()); }

void download(const std::string& name, const std::vector<uint8_t>& bytes) {
  const std::string path = desk().opt.out_dir + "/" + name;
  std::string error;
  if (write_whole(path, bytes, &error)) std::printf("saved %s\n", path.c_str());
  else std::fprintf(stderr, "digitlab-desktop: %s was not saved: %s\n", path.c_str(), error.c_str());
}
void download_png(const std::string& name, int w, int h, const std::vector<uint8_t>& gray) {
  download(name, png_encode(w, h, 1, gray));
}
void pick_model_file() { std::fprintf(stderr, "digitlab-desktop: to load a model file, start with --model FILE\n"); }
void pick_data_files(bool) { std::fprintf(stderr, "digitlab-desktop: to use other digit files, start with --data DIR\n"); }

void copy_pending(int which, void* dst) {
  std::vector<uint8_t>& p = desk().pending[which];
  std::copy(p.begin(), p.end(), static_cast<uint8_t*>(dst));
  std::vector<uint8_t>().swap(p);
}
std::string data_error() { return desk().data_error; }
std::string model_file_name() { return desk().pending_model_name; }
int user_file_count() { return 0; }
std::string user_file_name(int) { return {}; }
double user_file_size(int) { return 0; }
bool user_file_gz(int) { return false; }
std::string user_files_error() { return desk().user_error; }
void user_file_copy(int, void*) {}
void user_files_done() { desk().user_error.clear(); }
// The desktop build reads one dataset, the one --data names.
void fetch_fashion() {
  desk().user_error = "This desktop build reads the data --data names: start it with --data " DIGITLAB_SOURCE_DIR
                      "/assets/fashion-mnist for Fashion-MNIST";
  desk().later.push_back([](AppState& s) { on_user_data(s); });
}
bool user_files_fashion() { return true; }
bool user_files_mine() { return false; }

// ------------------------------------------------------------------------- the saved model
void store_save(const std::string& name, const std::vector<uint8_t>& bytes) {
  Desktop& d = desk();
  std::string error;
  if (write_whole(d.opt.store_dir + "/saved.dlmodel", bytes, &error) &&
      write_whole(d.opt.store_dir + "/saved.name", text_bytes(name + "\t" + std::to_string(wall_ms())), &error)) {
    d.store.saved = saved_text(d.opt.store_dir);
    d.store.message = "Saved " + name + " in " + d.opt.store_dir + ".";
    d.store.error.clear();
  } else {
    d.store.error = "The model was not saved: " + error + ".";
  }
  d.later.push_back(on_store_done);
}
void store_load() {
  Desktop& d = desk();
  d.pending_model_name = "saved model";
  bool too_large = false;
  const dl::Status st = dl::read_file(d.opt.store_dir + "/saved.dlmodel", &d.pending[4], dl::kMaxModelFileBytes, &too_large);
  d.later.push_back([ok = st.ok(), n = double(d.pending[4].size())](AppState& s) {
    if (ok) on_model_file(s, n);
    desk().store.message = ok ? "Loaded the saved model." : "";
    desk().store.error = ok ? "" : "The saved model could not be read.";
    on_store_done(s);
  });
}
StoreState store_state() { return desk().store; }

// ---------------------------------------------------------------------------- the kept digits
// <store>/kept-digits.bin
void kept_save(const std::vector<uint8_t>& bytes) {
  Desktop& d = desk();
  std::string error;
  d.kept_error = write_whole(d.opt.store_dir + "/kept-digits.bin", bytes, &error) ? "" : "Your digits were not saved: " + error + ".";
  d.later.push_back(on_kept_done);
}
void kept_load() {
  Desktop& d = desk();
  if (!dl::read_file(d.opt.store_dir + "/kept-digits.bin", &d.kept, uint64_t(64) << 20).ok()) d.kept.clear();
  d.later.push_back([n = double(d.kept.size())](AppState& s) { on_kept_loaded(s, n); });
}
void kept_take(void* dst) {
  std::vector<uint8_t>& b = desk().kept;
  std::copy(b.begin(), b.end(), static_cast<uint8_t*>(dst));
  std::vector<uint8_t>().swap(b);
}
std::string kept_error() { return desk().kept_error; }

// ------------------------------------------------------------------------------------ runs
// <store>/runs/<id>.run holds a run's bytes, <id>.meta its line (run_meta.h) and the time it was saved.
void runs_save(const std::string& id, const std::string& meta, const std::vector<uint8_t>& bytes) {
  Desktop& d = desk();
  std::string error;
  const bool ok = write_whole(runs_dir() + "/" + id + ".run", bytes, &error) &&
                  write_whole(runs_dir() + "/" + id + ".meta", text_bytes(std::to_string(wall_ms()) + "\t" + meta), &error);
  d.runs_error = ok ? "" : "The run is no longer being saved: " + error + ".";
  d.later.push_back(on_runs_changed);
}
void runs_open(const std::string& id) {
  Desktop& d = desk();
  const bool ok = dl::read_file(runs_dir() + "/" + id + ".run", &d.opened_run, uint64_t(1) << 32).ok();
  if (!ok) d.runs_error = "That run is no longer saved here.";
  d.later.push_back([n = ok ? double(d.opened_run.size()) : 0.0](AppState& s) { on_run_opened(s, n); });
}
void runs_delete(const std::string& id) {
  std::error_code ec;
  fs::remove(runs_dir() + "/" + id + ".run", ec);
  fs::remove(runs_dir() + "/" + id + ".meta", ec);
  desk().later.push_back(on_runs_changed);
}
void runs_clear() {
  std::error_code ec;
  fs::remove_all(runs_dir(), ec);
  fs::remove(desk().opt.store_dir + "/saved.dlmodel", ec);
  fs::remove(desk().opt.store_dir + "/saved.name", ec);
  desk().store.saved.clear();
  desk().later.push_back(on_runs_changed);
}
RunsPage runs_page() {
  struct Entry {
    double updated;
    std::string line;
  };
  std::vector<Entry> runs;
  std::error_code ec;
  for (const auto& f : fs::directory_iterator(runs_dir(), ec)) {
    if (f.path().extension() != ".meta") continue;
    std::vector<uint8_t> m;
    if (!dl::read_file(f.path().string(), &m, 1 << 20).ok()) continue;
    const std::string text(m.begin(), m.end());
    const size_t tab = text.find('\t');
    if (tab == std::string::npos) continue;
    const std::string id = f.path().stem().string();
    const double updated = std::atof(text.substr(0, tab).c_str());
    const auto size = fs::file_size(runs_dir() + "/" + id + ".run", ec);
    if (ec) continue;
    runs.push_back({updated, id + "\t" + std::to_string((long long)updated) + "\t" + std::to_string(size) + "\t" +
                                 text.substr(tab + 1)});
  }
  std::sort(runs.begin(), runs.end(), [](const Entry& a, const Entry& b) { return a.updated > b.updated; });
  RunsPage r;
  for (const Entry& e : runs) r.list += (r.list.empty() ? "" : "\n") + e.line;
  r.error = desk().runs_error;
  r.listed = true;
  return r;
}
void runs_take(void* dst) {
  std::vector<uint8_t>& b = desk().opened_run;
  std::copy(b.begin(), b.end(), static_cast<uint8_t*>(dst));
  std::vector<uint8_t>().swap(b);
}

}  // namespace app::platform
