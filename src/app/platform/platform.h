// What the app needs from the platform it runs on, in one interface: clocks, the frame loop, the
// page's address, files in and out, and the browser storage that keeps saved models and runs. The
// browser page implements it in platform_web.cpp, the one file of src/app that speaks to Emscripten
// and to the page's JavaScript (web/app.js); everything else in src/app includes ImGui, SDL2, core and
// this header.
//
// The platform also calls the app: a data file arrived, a saved run was read, the link changed. Those
// calls are the on_* functions at the end, defined in the app files whose state they change.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace app {

struct AppState;

namespace platform {

// ------------------------------------------------------------------------------- the environment
struct Environment {
  bool threads = false;   // this build runs the trainer on its own thread (the browser's pthreads build)
  bool simd = false;      // ... and its kernels use 128-bit SIMD
  bool isolated = false;  // the page is cross-origin isolated (SharedArrayBuffer, a fine clock)
  int cores = 1;          // logical cores the platform reports
  bool desktop = false;   // the desktop build (platform_desktop.cpp), not a browser page
};
// Installs the platform's fault guard (dl::set_fault_guard), takes the program's arguments (the
// desktop's paths and options; the page has none) and reads the environment.
Environment init(int argc, char** argv);
double now_ms();                     // a monotonic clock, milliseconds (performance.now())
double wall_ms();                    // the time of day, milliseconds since 1970 (Date.now())
std::string time_text(double wall);  // that time as the reader's clock shows it: "10:42", "3 Dec 2026, 10:42"
float pixel_ratio();                 // device pixels per CSS pixel
double memory_limit();               // the most bytes the app's memory may grow to
double memory_size();                // the bytes it has grown to (wasm memory never shrinks)
double memory_in_use();              // the bytes malloc holds now

// ------------------------------------------------------------------------------ the frame loop
// Calls frame() once per animation frame, for as long as the page is open; does not return.
void run_frames(void (*frame)());
// frame() every `frames` animation frames; with tick_ms > 0, instead every tick_ms on a timer,
// without asking for animation frames, so that the browser's compositor need not wake.
void set_frame_timing(int frames, double tick_ms);
// At the end of every frame: the first one tells the page the app has started (and the largest
// files it takes), each one lets the page count frames.
void frame_done();
// Something stops the app from starting (no WebGL 2, no shaders): the page says it instead of a canvas.
void fatal(const std::string& message);

// -------------------------------------------------------------------------------- the address
std::string link_hash();              // the address's fragment, "#preset=mlp&…" ("" = none)
std::string page_address();           // the address without its fragment
void show_link(const std::string& url);  // in the address bar and, where allowed, the clipboard

// ----------------------------------------------------------------------------------- files
void download(const std::string& name, const std::vector<uint8_t>& bytes);
// A grey image (h rows of w, 0 black … 255 white) saved as a PNG file.
void download_png(const std::string& name, int w, int h, const std::vector<uint8_t>& gray);
void pick_model_file();  // the file picker; a chosen file comes back as on_model_file
void pick_data_files(bool mine = false);  // ... as on_user_data (mine: for My digits' import)

// Bytes the platform holds for the app until it copies them: data file `which` (0..3) or the model
// file (4), `length` bytes as the on_data_file / on_model_file call said. Once copied, the platform
// lets go of them.
void copy_pending(int which, void* dst);
std::string data_error();        // why the dataset could not be fetched (on_data_error)
std::string model_file_name();   // the model file's name (on_model_file)
// The user's own data files (on_user_data): how many, each one's name, size (bytes, or how far it was
// read before it stopped past the cap when it has no bytes) and whether it was a .gz the platform
// inflated; the platform's own error reading them ("" = none).
int user_file_count();
std::string user_file_name(int i);
double user_file_size(int i);
bool user_file_gz(int i);
std::string user_files_error();
void user_file_copy(int i, void* dst);  // user_file_size(i) bytes
void user_files_done();                 // the platform lets go of them all
// Fashion-MNIST's four files, fetched when the app first asks: the bytes so far as
// on_fashion_progress, then the files (gunzipped, named as MNIST's) as on_user_data with
// user_files_fashion() true, or the reason they could not be fetched as user_files_error().
void fetch_fashion();
bool user_files_fashion();
bool user_files_mine();  // the files were picked with pick_data_files(true)

// ------------------------------------------------------------------------- storage: one model
struct StoreState {
  std::string saved;    // the saved model, as the menu names it ("" = none)
  std::string message;  // what the last save or load did
  std::string error;    // ... or why it failed
  bool busy = false;    // a save or load is under way
};
void store_save(const std::string& name, const std::vector<uint8_t>& bytes);  // on_store_done when written
void store_load();  // the saved model comes back as on_model_file, then on_store_done
StoreState store_state();

// ---------------------------------------------------------------------- storage: the kept digits
// The class's own digits (app/win_mine.cpp's bytes), one record kept across reloads. kept_save
// replaces it (on_kept_done after; kept_error() says if it failed); kept_load reads it back as
// on_kept_loaded(length), length 0 when there is none, and kept_take copies its bytes.
void kept_save(const std::vector<uint8_t>& bytes);
void kept_load();
void kept_take(void* dst);
std::string kept_error();

// ------------------------------------------------------------------------------ storage: runs
struct RunsPage {
  std::string list;  // one line per saved run, newest first: id \t updated (wall ms) \t bytes \t meta
  std::string error;
  double usage = 0, quota = 0;  // the storage estimate for this site, bytes (0 = unknown)
  bool listed = false;          // listed at least once (or said it cannot)
};
void runs_save(const std::string& id, const std::string& meta, const std::vector<uint8_t>& bytes);
void runs_open(const std::string& id);  // its bytes come back as on_run_opened
void runs_delete(const std::string& id);
void runs_clear();  // every run and the saved model
RunsPage runs_page();
void runs_take(void* dst);  // the opened run's bytes, the length on_run_opened said

}  // namespace platform

// --------------------------------------------------- what the platform calls (defined in the app)
void on_data_progress(AppState& s, double loaded, double total, int file);  // app.cpp
void on_data_file(AppState& s, int which, double length);
void on_data_error(AppState& s);
void on_model_file(AppState& s, double length);
void on_user_data_reading(AppState& s);          // win_data.cpp
void on_user_data(AppState& s);
void on_fashion_progress(AppState& s, double loaded, double total);
void on_store_done(AppState& s);                 // store.cpp
void on_kept_loaded(AppState& s, double length); // win_mine.cpp
void on_kept_done(AppState& s);
void on_runs_changed(AppState& s);               // runs.cpp
void on_run_opened(AppState& s, double length);
bool unsaved(const AppState& s);                 // leaving now would lose training (runs.cpp)
void on_link_changed(AppState& s);               // lesson_link.cpp
void on_input(AppState& s);                      // main.cpp: back to full frame rate
void on_clear_pad(AppState& s);                  // win_draw.cpp
bool rescue_model(AppState& s);                  // the page's error overlay saves the model (app.cpp)
// For the tests of the page's fault handling: a trap in the next frame (0), on the trainer side (1),
// in a kernel worker (2), or an update that overflows in the current epoch's last step (3).
void test_fault(AppState& s, int where);         // main.cpp

}  // namespace app
