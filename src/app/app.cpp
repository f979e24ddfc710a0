// AppState and the actions several windows share: presets and settings, starting training, the
// dataset arriving from the page, model files, and keeping the draw pad's prediction fresh.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>

#include "app.h"
#include "core/train/lesson.h"
#include "core/kernels/pool.h"
#include "core/nn/model_file.h"
#include "platform/platform.h"

namespace app {

void app_init(AppState& s, int argc, char** argv) {
  const platform::Environment e = platform::init(argc, argv);
  s.env.threads = e.threads;
  s.env.simd = e.simd;
  s.env.isolated = e.isolated;
  s.env.desktop = e.desktop;
  s.env.cores = std::max(1, e.cores);
  // The trainer thread plus kernel workers: one compute thread per core, at most 7 in all.
  s.env.workers = s.env.threads ? std::clamp(s.env.cores - 1, 1, 6) : 0;
  apply_lesson(s);
}

const char* const kPaneNames[kPaneCount] = {"Data", "Model", "Train", "Draw", "Results"};

// What a window has to say that someone on another tab would miss: an error in plain words, or a new
// evaluation; "" = nothing. A tab is marked while this differs from what its window last showed.
std::string pane_news(const AppState& s, int pane) {
  switch (pane) {
    case kPaneData: return s.data.phase == DataPhase::Failed ? s.data.error : s.data.user_error;
    case kPaneModel: return s.model.error;
    case kPaneTrain: return s.snap.phase == dl::TrainPhase::Diverged ? s.snap.message : std::string();
    case kPaneResults:
      return s.snap.has_eval ? std::to_string(s.snap.run) + ":" + std::to_string(s.snap.eval_version) : std::string();
    default: return std::string();
  }
}

// The tab's label: its name, with " !" for an unseen error or " •" for unseen results.
std::string pane_label(const AppState& s, int pane) {
  const std::string news = pane_news(s, pane);
  std::string label = kPaneNames[pane];
  if (!news.empty() && news != s.ui.pane_seen[pane]) label += pane == kPaneResults ? " •" : " !";
  return label;
}

const char* const kDataFileNames[kDataFiles] = {"train-images-idx3-ubyte", "train-labels-idx1-ubyte",
                                                "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"};

AppState& app_state() {
  static AppState* s = new AppState();  // never destroyed: the page owns the process
  return *s;
}

void check_trainer(AppState& s) {
  std::string what;
  if (!s.trainer_fault.empty() || !s.bridge->failed(&what)) return;
  s.trainer_fault = what;
  Snapshot& sn = s.snap;
  sn.phase = dl::TrainPhase::Stopped;
  sn.paused = sn.starting = sn.evaluating = false;
  sn.warned = false;
  sn.message = "Training stopped: its thread failed (" + what + "). This is a bug in Digit Lab, not something you did. "
               "The curves and results so far stay, and so does the network as it was at its last update (the pad "
               "reads with it); Start trains again.";
}

Bridge& trainer(AppState& s) {
  if (s.trainer_fault.empty()) return *s.bridge;
  // The old trainer and kernel pool are left as they are: their threads may be gone, or waiting for
  // good, and may hold their locks.
  dl::kernel_pool_replace();
  s.bridge = new Bridge();
  s.bridge->init(s.env.threads, s.env.workers);
  DataState& d = s.data;
  if (d.user_train) s.bridge->replace_data(d.user_train, d.user_test);
  else if (d.phase == DataPhase::Ready) s.bridge->set_data(&d.train, &d.test);
  if (s.snap.has_model && s.draw.model.built()) s.bridge->use_model(s.draw.model);
  s.draw.version = ~0ull;  // the new trainer counts its published weights from the start
  s.trainer_fault.clear();
  return *s.bridge;
}

const dl::Preset& current_preset(const AppState& s) {
  const auto& all = dl::presets();
  return all[size_t(std::clamp(s.model.preset, 0, int(all.size()) - 1))];
}

void apply_preset_recipe(AppState& s) {
  s.train.cfg = current_preset(s).recipe;
  s.model.spec = current_preset(s).model;  // the builder starts from the preset's layers
  s.model.selected = -1;
  s.model.refused.clear();
  s.model.summary_dirty = true;
}

int current_recipe(const AppState& s) {
  const dl::Preset& p = current_preset(s);
  // Every setting as a lesson link writes it, the seed aside.
  const auto text = [&](dl::TrainConfig c) {
    c.seed = 0;
    return dl::lesson_write(p, p.model, c, -1, false);
  };
  const std::string now = text(train_config(s));
  if (now == text(p.recipe)) return 0;
  if (p.has_improved && now == text(p.improved)) return 1;
  return -1;
}

void apply_recipe(AppState& s, bool improved) {
  const dl::Preset& p = current_preset(s);
  if (improved && !p.has_improved) return;
  const uint64_t seed = s.train.cfg.seed;
  s.train.cfg = improved ? p.improved : p.recipe;
  s.train.cfg.seed = seed;
}

dl::TrainConfig train_config(const AppState& s) {
  dl::TrainConfig c = s.train.cfg;
  if (c.opt.kind != dl::OptKind::SGD) c.opt.momentum = 0;  // the field shows for SGD only
  return c;
}

double training_memory(const dl::Model& plan, const dl::TrainConfig& cfg) {
  if (!plan.built()) return 0;
  // The trainer's run, and the app's copies of the weights: the one published to the UI, the draw
  // pad's, and one on its way to a file or the browser's storage.
  const dl::Size run = dl::training_bytes(plan, cfg);
  if (run.bad()) return HUGE_VAL;
  return double(run.count()) + 3.0 * sizeof(float) * double(plan.trainable_params());
}

// Whether the page can take `need` more bytes now: "" if so, else the words that say why not, to
// follow "… needs about 1.2 GB of memory". In wasm a failed allocation aborts the whole page (a Dense
// 65536 → Dense 1024 network did, at the 2 GB limit, taking the data and any trained model with it),
// so what input asks for is checked here first: networks to train, model files, the user's data.
std::string memory_shortfall(double need) {
  const double headroom = 64e6;  // the UI, fragmentation
  const double in_use = platform::memory_in_use();
  const double left = std::max(0.0, platform::memory_limit() - in_use - headroom);
  if (!(need <= left)) return ", and the page has " + dl::bytes_text(left);
  // It fits under the page's limit; whether the browser grants that much is another matter (a phone
  // may not). Ask once for all of it and give it straight back: malloc returns null here (with
  // memory growth) where a std::vector would abort the page.
  static void* volatile probe;  // volatile: the compiler may not fold a malloc-and-free away
  probe = std::malloc(size_t(need));
  const bool granted = probe != nullptr;
  std::free(probe);
  probe = nullptr;
  if (granted) return {};
  return ", and the browser would not give the page that much (the device may be short of memory: close other tabs)";
}

// A network too large for the page's memory is refused before the trainer thread allocates it.
// Empty: it fits.
static std::string memory_refusal(const dl::Model& plan, const dl::TrainConfig& cfg) {
  const double need = training_memory(plan, cfg);
  const std::string shortfall = memory_shortfall(need);
  if (shortfall.empty()) return {};
  const bool page = shortfall.rfind(", and the page has", 0) == 0;
  return "Training did not start: at batch " + std::to_string(cfg.batch) + " this network needs about " +
         dl::bytes_text(need) + " of memory" +
         (page ? " (each parameter held as weight, gradient, optimizer moments and copies, and a batch's activations)" : "") +
         shortfall + ". Use fewer units or filters, or a smaller batch.";
}

// A Start of the Model window's network with the Training window's settings (epochs: that many
// instead; extra: images added to the training images): false, with s.model.refused saying why, if the
// settings or the memory refuse it.
static bool start_run(AppState& s, bool paused, bool keep, std::shared_ptr<const dl::Dataset> extra, int epochs) {
  if (s.model.summary_dirty) model_spec_changed(s);
  if (!s.model.build_error.empty()) {  // an impossible model never reaches the trainer
    s.model.refused = "Training did not start: the network cannot be trained here. " + s.model.build_error;
    return false;
  }
  dl::TrainConfig cfg = train_config(s);
  if (epochs > 0) cfg.epochs = epochs;
  if (const dl::Status st = dl::train_config_check(cfg); !st.ok()) {
    s.model.refused = "Training did not start: " + st.error + ".";
    return false;
  }
  s.model.refused = memory_refusal(s.model.plan, cfg);
  if (!s.model.refused.empty()) return false;
  s.train.live_lr = s.train.cfg.opt.lr;
  runs_new(s);
  s.model_fashion = s.data.fashion;
  trainer(s).start(s.model.spec, cfg, paused, keep, std::move(extra));
  return true;
}

void start_training(AppState& s, bool paused) {
  start_run(s, paused, s.train.keep_weights && can_keep_weights(s), nullptr, 0);
}

bool start_fine_tuning(AppState& s, std::shared_ptr<const dl::Dataset> extra, int epochs) {
  if (s.model.summary_dirty) model_spec_changed(s);
  if (!can_keep_weights(s)) {
    s.model.refused = "Fine-tuning did not start: the Model window's network is not the one trained (load it, or "
                      "train it first).";
    return false;
  }
  return start_run(s, false, true, std::move(extra), epochs);
}

bool can_keep_weights(const AppState& s) {
  return s.snap.has_model && dl::same_weight_layout(s.model.plan, s.draw.model);
}

void note_rect(AppState& s, const char* name, ImVec2 min, ImVec2 max) {
  s.ui.rects[name] = ImVec4(min.x, min.y, max.x - min.x, max.y - min.y);
}
void note_window(AppState& s, const char* name) {
  const ImVec2 p = ImGui::GetWindowPos(), size = ImGui::GetWindowSize();
  note_rect(s, name, p, ImVec2(p.x + size.x, p.y + size.y));
}
void note_rect(AppState& s, const char* name) {
  note_rect(s, name, ImGui::GetItemRectMin(), ImGui::GetItemRectMax());
  if (ImGui::IsItemFocused()) s.ui.focused = name;  // the keyboard's current widget (status().focused)
}

void begin_tile(AppState& s, Pane pane, const char* title, ImGuiWindowFlags flags) {
  static const char* const keys[kPaneCount] = {"window.data", "window.model", "window.training", "window.draw",
                                               "window.evaluation"};
  if (s.ui.focus_pane == pane) {
    ImGui::SetNextWindowFocus();
    s.ui.focus_pane = -1;
  }
  ImGui::Begin(title, nullptr, flags);
  note_window(s, keys[pane]);
  if (ImGui::IsWindowFocused(ImGuiFocusedFlags_RootAndChildWindows)) s.ui.key_pane = pane;
}

bool same_line_if_fits(float width) {
  const float right = ImGui::GetWindowPos().x + ImGui::GetWindowContentRegionMax().x;
  if (ImGui::GetItemRectMax().x + ImGui::GetStyle().ItemSpacing.x + width > right) return false;
  ImGui::SameLine();
  return true;
}

float button_width(const char* label) {
  return ImGui::CalcTextSize(label, nullptr, true).x + 2 * ImGui::GetStyle().FramePadding.x;
}

float checkbox_width(const char* label) {
  return ImGui::GetFrameHeight() + ImGui::GetStyle().ItemInnerSpacing.x + ImGui::CalcTextSize(label, nullptr, true).x;
}

// Text wrapped at width_em, or narrower on a page narrower than that (a phone): all of it on screen.
static float wrap_width(float width_em) {
  const float fs = ImGui::GetFontSize();
  return std::max(fs * 8, std::min(fs * width_em, ImGui::GetIO().DisplaySize.x - fs * 2.5f));
}

void hint(const char* text, float width_em) {
  if (ImGui::IsItemHovered(ImGuiHoveredFlags_AllowWhenDisabled)) {
    ImGui::BeginTooltip();
    ImGui::PushTextWrapPos(wrap_width(width_em));
    ImGui::TextUnformatted(text);
    ImGui::PopTextWrapPos();
    ImGui::EndTooltip();
  }
}

void help_marker(const char* text) {
  if (!same_line_if_fits(ImGui::CalcTextSize("(?)").x)) {  // no room: the text on the item before
    hint(text, 30);
    return;
  }
  ImGui::TextDisabled("(?)");
  note_rect(app_state(), "help.marker");
  // The text on hover, and in a popup that stays when the marker is clicked or tapped (a finger
  // hovers only while it presses); a click anywhere else closes it.
  ImGui::PushID(text);
  if (ImGui::IsItemClicked()) ImGui::OpenPopup("help");
  if (ImGui::BeginPopup("help")) {
    ImGui::PushTextWrapPos(wrap_width(30));
    ImGui::TextUnformatted(text);
    ImGui::PopTextWrapPos();
    note_window(app_state(), "help.popup");
    ImGui::EndPopup();
  } else {
    hint(text, 30);
  }
  ImGui::PopID();
}

// ------------------------------------------------------------------------------------------- data

void data_failed(AppState& s, const std::string& message) {
  s.data.phase = DataPhase::Failed;
  s.data.error = message;
}

static void data_ready(AppState& s) {
  DataState& d = s.data;
  dl::Dataset train, test;
  dl::Status st = dl::dataset_from_idx(d.files[0], d.files[1], "train", &train);
  if (st.ok()) st = dl::dataset_from_idx(d.files[2], d.files[3], "test", &test);
  for (auto& f : d.files) std::vector<uint8_t>().swap(f);
  if (!st.ok()) {
    data_failed(s, "The digit files arrived but are damaged or are not MNIST files (" + st.error +
                       "). Ask whoever set up this page to run scripts/setup.sh again.");
    return;
  }
  if (train.rows != 28 || train.cols != 28 || test.rows != 28 || test.cols != 28) {
    data_failed(s, "These images are not 28 × 28 pixels, so the networks here cannot read them.");
    return;
  }
  d.train = std::move(train);
  d.test = std::move(test);
  data_make_views(s);

  d.phase = DataPhase::Ready;
  d.ready_ms = platform::now_ms();
  trainer(s).set_data(&d.train, &d.test);
  lesson_data_apply(s);  // the page's lesson link may ask for some of the images only
}

void data_file_arrived(AppState& s, int which, std::vector<uint8_t> bytes) {
  if (which < 0 || which >= kDataFiles || s.data.phase == DataPhase::Ready) return;
  s.data.files[which] = std::move(bytes);
  s.data.got[which] = true;
  if (std::all_of(std::begin(s.data.got), std::end(s.data.got), [](bool g) { return g; })) data_ready(s);
}

// The bytes the platform holds for data file `which` (0..3) or a model file (4), copied into memory the
// app allocates. The length comes as a double (a file past 2 GiB included) checked against `cap`, and
// the memory is asked for in a way that fails without aborting the page. "" on success, else the
// words that follow the file's name: " is 300 MB, more than the 256 MB such a file may hold."
static std::string take_pending(int which, double length, uint64_t cap, std::vector<uint8_t>* out) {
  if (!(length >= 0)) return " could not be read.";
  if (length > double(cap))
    return " is " + dl::bytes_text(length) + ", more than the " + dl::bytes_text(double(cap)) + " such a file may hold.";
  const std::string shortfall = memory_shortfall(length);
  if (!shortfall.empty()) return " needs " + dl::bytes_text(length) + " of memory to read" + shortfall + ".";
  out->resize(size_t(length));
  platform::copy_pending(which, out->data());
  return "";
}

void on_data_progress(AppState& s, double loaded, double total, int file) {
  if (s.data.phase == DataPhase::Ready || s.data.phase == DataPhase::Failed) return;
  s.data.phase = DataPhase::Loading;
  s.data.loaded = loaded;
  s.data.total = total;
  if (file >= 0 && file < kDataFiles) s.data.current = std::string("fetching ") + kDataFileNames[file] + ".gz";
}

void on_data_file(AppState& s, int which, double length) {
  if (which < 0 || which >= kDataFiles) return;
  std::vector<uint8_t> bytes;
  const std::string why = take_pending(which, length, dl::kMaxDataFileBytes, &bytes);
  if (!why.empty()) {
    data_failed(s, std::string("The digit file ") + kDataFileNames[which] + why);
    return;
  }
  data_file_arrived(s, which, std::move(bytes));
}

void on_data_error(AppState& s) { data_failed(s, platform::data_error()); }

// ------------------------------------------------------------------------------------ model files

void model_file_arrived(AppState& s, const std::string& name, const uint8_t* bytes, size_t size) {
  // A file dropped on the page (or a saved model arriving) while a run is going, paused or not, would
  // end that run: refuse it, as the Load buttons are disabled then.
  if (run_in_progress(s)) {
    s.model.notice.clear();
    s.model.error = "\"" + name + "\" was not loaded: a training run is in progress. Stop it first (or let it "
                    "finish), then load the model file. The training and your current model have not changed.";
    return;
  }
  s.model.notice.clear();
  const char* unchanged = " Your current model has not changed.";
  // The app holds a loaded model's weights four times (loaded, trained on, published, the pad's) and
  // evaluates it in batches of at most 64 MB of activations.
  const double need = 4.0 * double(size) + double(dl::kEvalBytes);
  if (const std::string shortfall = memory_shortfall(need); !shortfall.empty()) {
    s.model.error = "\"" + name + "\" was not loaded: its weights need about " + dl::bytes_text(need) + " of memory" +
                    shortfall + "." + unchanged;
    return;
  }
  dl::Model m;
  dl::Status st = dl::model_load(bytes, size, &m);
  if (!st.ok()) {
    s.model.error = "\"" + name + "\" could not be used as a model: " + st.error + "." + unchanged;
    return;
  }
  st = dl::model_fits_data(m, data_shape(s));
  if (!st.ok()) {
    s.model.error = "\"" + name + "\" does not fit this data: " + st.error + "." + unchanged;
    return;
  }
  s.model.error.clear();
  s.model_fashion = s.data.fashion;  // a file does not say what it learned from: taken as the data in use
  s.model.notice = "Loaded \"" + name + "\" (" + m.spec().name + ", " + dl::with_commas((long long)m.trainable_params()) +
                   " parameters).";
  // The Model window shows the loaded network (the picker names its preset; "custom" keeps the
  // current one, marked edited). Start would train this architecture afresh.
  const auto& all = dl::presets();
  for (int i = 0; i < int(all.size()); ++i)
    if (all[size_t(i)].name == m.spec().name) s.model.preset = i;
  s.model.spec = m.spec();
  s.model.summary_dirty = true;
  trainer(s).use_model(m);
}

void on_model_file(AppState& s, double length) {
  const std::string name = platform::model_file_name();
  std::vector<uint8_t> bytes;
  const std::string why = take_pending(4, length, dl::kMaxModelFileBytes, &bytes);
  if (!why.empty()) {
    s.model.notice.clear();
    s.model.error = "\"" + name + "\"" + why + " Your current model has not changed.";
    return;
  }
  model_file_arrived(s, name, bytes.data(), bytes.size());
}

// The page's error overlay, after the app's frames stopped on an error: saves the trained model (the
// draw pad's copy) as a file, if there is one.
bool rescue_model(AppState& s) {
  const dl::Model& m = s.draw.model;
  if (!m.built() || m.params.size() != m.trainable_params()) return false;
  platform::download("digitlab-" + m.spec().name + ".dlmodel", dl::model_save(m));
  return true;
}

}  // namespace app
