// The app's side of the page interop: functions the page's JavaScript calls (dataset bytes and
// progress, model files, status(), layout()), the JavaScript the app calls (environment, URL hash,
// downloads, file picker, fatal errors, frame timing), and the status bar that says how it runs.
// Bytes cross as: JS keeps them in Module.dlPending, calls an export with the length, and the app
// asks JS to copy them into memory it allocated — no JS-side heap views that growth could stale.
#include <emscripten.h>
#include <emscripten/heap.h>
#include <malloc.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <iterator>

#include "app.h"
#include "core/kernels/pool.h"
#include "core/nn/model_file.h"
#include "core/nn/spec_text.h"
#include "core/train/lesson.h"

// ------------------------------------------------------------------------------- JavaScript side
// clang-format off
EM_JS(int, js_isolated, (), { return (typeof crossOriginIsolated !== "undefined" && crossOriginIsolated) ? 1 : 0; });
EM_JS(int, js_cores, (), { return (navigator.hardwareConcurrency || 1) | 0; });
EM_JS(char*, js_string, (int what), {
  var s = "";
  if (what == 0) s = location.hash || "";
  else if (what == 1) s = (Module.dlPending && Module.dlPending.error) || "";
  else if (what == 2) s = (Module.dlPending && Module.dlPending.model && Module.dlPending.model.name) || "model";
  else if (what == 3) s = location.href.split("#")[0];
  var n = lengthBytesUTF8(s) + 1, p = _malloc(n);
  stringToUTF8(s, p, n);
  return p;
});
EM_JS(void, js_copy_pending, (int which, void* dst), {
  var P = Module.dlPending;
  var src = which < 4 ? P.data[which] : P.model.bytes;
  new Uint8Array(wasmMemory.buffer, dst, src.byteLength).set(src);
  if (which < 4) P.data[which] = null; else P.model = null;
});
EM_JS(void, js_download, (const char* name, const void* ptr, int len), {
  var bytes = new Uint8Array(wasmMemory.buffer, ptr, len).slice();  // a copy: Blob cannot take shared memory
  var url = URL.createObjectURL(new Blob([bytes], {type: "application/octet-stream"}));
  var a = document.createElement("a");
  a.href = url; a.download = UTF8ToString(name);
  document.body.appendChild(a); a.click(); a.remove();
  setTimeout(function() { URL.revokeObjectURL(url); }, 10000);
});
// The lesson link goes to the address bar (replaceState: no hashchange, no reload) and, where the
// browser allows it, to the clipboard.
EM_JS(void, js_share, (const char* url), {
  var u = UTF8ToString(url);
  try { history.replaceState(null, "", u); } catch (e) {}
  try { if (navigator.clipboard && navigator.clipboard.writeText) navigator.clipboard.writeText(u).catch(function() {}); } catch (e) {}
});
EM_JS(void, js_pick_model_file, (), { if (window.digitlabGlue) window.digitlabGlue.pickModelFile(); });
EM_JS(void, js_fatal, (const char* msg), { if (window.digitlabGlue) window.digitlabGlue.fatal(UTF8ToString(msg)); });
EM_JS(void, js_app_ready, (double data_cap, double model_cap), {
  if (window.digitlabGlue) window.digitlabGlue.appReady(data_cap, model_cap);
});
EM_JS(void, js_frame, (), { if (window.digitlabGlue) window.digitlabGlue.frame(); });
// dl::FaultGuard: calls fn(arg) and catches a trap (a RuntimeError: out-of-bounds memory, unreachable,
// division by zero; or an abort) in it, restoring the thread's stack pointer, which a trap leaves where
// it was. Emscripten's own control flow ("unwind") goes on through.
EM_JS(int, js_guarded, (void* fn, void* arg, char* what, int what_size), {
  var sp = stackSave();
  try {
    wasmTable.get(fn)(arg);
    return 1;
  } catch (e) {
    stackRestore(sp);
    if (e === "unwind") throw e;
    var t = e && e.message ? (e.name && e.name != "Error" ? e.name + ": " : "") + e.message : String(e);
    stringToUTF8(t, what, what_size);
    return 0;
  }
});
// clang-format on

namespace app {

// The bytes the page holds for data file `which` (0..3) or a model file (4), copied into memory the
// app allocates. The length is a JS number (a file past 2 GiB included) checked against `cap`, and the
// memory is asked for in a way that fails without aborting the page. "" on success, else the words
// that follow the file's name: " is 300 MB, more than the 256 MB such a file may hold."
std::string take_pending(int which, double length, uint64_t cap, std::vector<uint8_t>* out) {
  if (!(length >= 0)) return " could not be read.";
  if (length > double(cap))
    return " is " + dl::bytes_text(length) + ", more than the " + dl::bytes_text(double(cap)) + " such a file may hold.";
  const std::string shortfall = memory_shortfall(length);
  if (!shortfall.empty()) return " needs " + dl::bytes_text(length) + " of memory to read" + shortfall + ".";
  out->resize(size_t(length));
  js_copy_pending(which, out->data());
  return "";
}

static std::string take_js_string(int what) { return taken_string(js_string(what)); }

static_assert(kPaneCount == dl::kLessonPanes, "the lesson link's pane names are the narrow layout's tabs");

// The lesson link the page's address holds (or one pasted into the tab): the network, the settings,
// the window a phone shows and whether to start once the digits are in. What it could not use goes
// to a popup.
static void apply_lesson(AppState& s) {
  const std::string hash = take_js_string(0);
  const dl::Lesson l = dl::lesson_parse(hash);
  s.runs.opened_with_link = !hash.empty();
  s.model.preset = int(l.preset - dl::presets().data());
  apply_preset_recipe(s);
  s.model.spec = l.model;
  s.train = settings_from(l.config, s.train);
  if (l.tab >= 0) s.train.tab = l.tab;
  if (l.pane >= 0) s.ui.pane = l.pane;
  s.autostart_pending = l.autostart;
  s.ui.link_notices = l.notices;
  s.ui.link_popup = !l.notices.empty();
}

std::string lesson_hash(const AppState& s, bool autostart) {
  // On a phone the link also opens the tab its author is on (the training controls are the default).
  const int pane = s.ui.narrow && s.ui.pane != kPaneTrain ? s.ui.pane : -1;
  return dl::lesson_write(current_preset(s), s.model.spec, train_config(s), pane, autostart);
}

void link_notice_popup(AppState& s) {
  if (s.ui.link_popup) {
    ImGui::OpenPopup("About this lesson link");
    s.ui.link_popup = false;
  }
  const ImVec2 ds = ImGui::GetIO().DisplaySize;
  ImGui::SetNextWindowSize(ImVec2(std::min(ds.x * 0.92f, ImGui::GetFontSize() * 42), 0), ImGuiCond_Appearing);
  ImGui::SetNextWindowPos(ImVec2(ds.x * 0.5f, ds.y * 0.4f), ImGuiCond_Appearing, ImVec2(0.5f, 0.5f));
  if (ImGui::BeginPopupModal("About this lesson link", nullptr, ImGuiWindowFlags_NoResize)) {
    note_window(s, "link.window");
    ImGui::TextWrapped("The link that opened this page asked for something Digit Lab could not use. Everything "
                       "else in it is set; what is listed here was left as it was:");
    ImGui::Spacing();
    ImGui::PushStyleColor(ImGuiCol_Text, ImVec4(0.62f, 0.20f, 0.0f, 1));
    for (const std::string& n : s.ui.link_notices) {
      ImGui::Bullet();
      ImGui::TextWrapped("%s", n.c_str());
    }
    ImGui::PopStyleColor();
    note_rect(s, "link.notices");
    ImGui::Spacing();
    ImGui::TextWrapped("Whoever made the link may have mistyped it: ask them for it again, or change the settings here.");
    if (ImGui::Button("OK", ImVec2(ImGui::GetFontSize() * 6, 0))) ImGui::CloseCurrentPopup();
    note_rect(s, "link.ok");
    ImGui::EndPopup();
  }
}

// The Share menu's downloads: the run's epochs as a CSV file (the columns of Keras' CSVLogger, for a
// spreadsheet or pandas), and the test-set report as text (sklearn's classification_report and the
// confusion matrix, as the CLI prints them).
static void download_items(AppState& s) {
  const Snapshot& sn = s.snap;
  const std::string name = sn.model_name.empty() ? "model" : sn.model_name;
  if (ImGui::MenuItem("Download the epochs (CSV)", nullptr, false, !sn.history.empty())) {
    const std::string csv = dl::history_csv(sn.history);
    web_download("digitlab-" + name + "-epochs.csv", std::vector<uint8_t>(csv.begin(), csv.end()));
  }
  note_rect(s, "menu.share.csv");
  hint(sn.history.empty() ? "Each finished epoch of a run: train for an epoch first."
                            : "Each finished epoch of this run: loss, accuracy, learning rate and the validation "
                              "figures, in the columns Keras' CSVLogger writes (epochs counted from 0).");
  if (ImGui::MenuItem("Download the test report (text)", nullptr, false, sn.has_eval)) {
    char head[160];
    const int64_t n = sn.confusion.total();
    std::snprintf(head, sizeof head, "Digit Lab: %s on %lld test images\ntest: loss %.4f - accuracy %.4f (%lld / %lld)\n\n",
                  name.c_str(), (long long)n, sn.test_loss, sn.test_accuracy,
                  (long long)std::llround(sn.test_accuracy * double(n)), (long long)n);
    const std::string text = head + dl::report_text(sn.report) + "\n" + dl::confusion_text(sn.confusion);
    web_download("digitlab-" + name + "-report.txt", std::vector<uint8_t>(text.begin(), text.end()));
  }
  note_rect(s, "menu.share.report");
  hint(sn.has_eval ? "The per-digit precision, recall and F1 (as sklearn's classification_report) and the "
                       "confusion matrix, as plain text."
                     : "Train or load a model and evaluate it on the test set first.");
}

void share_menu(AppState& s) {
  const bool open = ImGui::BeginMenu("Share");
  note_rect(s, "menu.share");
  if (open) {
    for (int autostart = 0; autostart < 2; ++autostart) {
      if (ImGui::MenuItem(autostart ? "Copy a link that also starts training" : "Copy a link to this lesson")) {
        s.ui.share_url = take_js_string(3) + "#" + lesson_hash(s, autostart != 0);
        js_share(s.ui.share_url.c_str());
        s.ui.share_popup = true;
      }
      note_rect(s, autostart ? "menu.share.autostart" : "menu.share.link");
      if (ImGui::IsItemHovered())
        ImGui::SetTooltip("A link with this network and every training setting: whoever opens it gets the same "
                          "lesson%s", autostart ? ", and training starts as soon as the digits are loaded" : "");
    }
    ImGui::Separator();
    download_items(s);
    ImGui::EndMenu();
  }
  if (s.ui.share_popup) {
    ImGui::OpenPopup("Lesson link");
    s.ui.share_popup = false;
  }
  const ImVec2 ds = ImGui::GetIO().DisplaySize;
  ImGui::SetNextWindowSize(ImVec2(std::min(ds.x * 0.9f, ImGui::GetFontSize() * 40), 0), ImGuiCond_Appearing);
  if (ImGui::BeginPopupModal("Lesson link", nullptr, ImGuiWindowFlags_NoResize)) {
    ImGui::TextWrapped("This link opens Digit Lab with this network and these training settings. It is in the "
                       "address bar now, and copied to the clipboard where the browser allows it:");
    ImGui::BeginChild("##link", ImVec2(-1, ImGui::GetTextLineHeightWithSpacing() * 6), true);
    ImGui::PushStyleColor(ImGuiCol_Text, ImVec4(0.16f, 0.29f, 0.52f, 1));
    ImGui::TextWrapped("%s", s.ui.share_url.c_str());
    ImGui::PopStyleColor();
    ImGui::EndChild();
    if (ImGui::Button("OK", ImVec2(ImGui::GetFontSize() * 6, 0))) ImGui::CloseCurrentPopup();
    note_rect(s, "share.ok");
    ImGui::EndPopup();
  }
}

static bool wasm_guard(void (*fn)(void*), void* arg, char* what, int what_size) {
  return js_guarded(reinterpret_cast<void*>(fn), arg, what, what_size) != 0;
}

void web_init(AppState& s) {
  dl::set_fault_guard(&wasm_guard);
#ifdef __EMSCRIPTEN_PTHREADS__
  s.env.threads = true;
#endif
#ifdef __wasm_simd128__
  s.env.simd = true;
#endif
  s.env.isolated = js_isolated() != 0;
  s.env.cores = std::max(1, js_cores());
  // The trainer thread plus kernel workers: one compute thread per core, at most 7 in all.
  s.env.workers = s.env.threads ? std::clamp(s.env.cores - 1, 1, 6) : 0;
  apply_lesson(s);
}

void web_frame(AppState& s) {
  // A new lesson link pasted into the same tab (the page does not reload for a hash change): its
  // settings replace the current ones once no training runs.
  if (s.hash_pending && !run_in_progress(s)) {
    s.hash_pending = false;
    apply_lesson(s);
    s.model.summary_dirty = true;
  }
  static bool ready = false;
  if (!ready) {
    ready = true;
    js_app_ready(double(dl::kMaxDataFileBytes), double(dl::kMaxModelFileBytes));
  }
  js_frame();
}

void web_download(const std::string& name, const std::vector<uint8_t>& bytes) {
  js_download(name.c_str(), bytes.data(), int(bytes.size()));
}
void web_pick_model_file() { js_pick_model_file(); }
void web_fatal(const char* message) { js_fatal(message); }

// ---------------------------------------------------------------------------------- JSON output

namespace {
struct Json {
  std::string out;
  bool first = true;
  void sep() {
    if (!first) out += ',';
    first = false;
  }
  void key(const char* k) {
    sep();
    out += '"';
    out += k;
    out += "\":";
    first = true;
  }
  void str(const std::string& v) {
    sep();
    out += '"';
    for (char c : v) {
      if (c == '"' || c == '\\') out += '\\', out += c;
      else if (c == '\n') out += "\\n";
      else if (uint8_t(c) < 0x20) out += ' ';
      else out += c;
    }
    out += '"';
  }
  void num(double v) {
    sep();
    if (!std::isfinite(v)) {
      out += "null";
      return;
    }
    char b[32];
    // Whole numbers exactly (parameter counts pass a million: "%.6g" gave 118566000 for 118565898).
    if (v == std::trunc(v) && std::fabs(v) < 9e15) std::snprintf(b, sizeof b, "%.0f", v);
    else std::snprintf(b, sizeof b, "%.6g", v);
    out += b;
  }
  void boolean(bool v) {
    sep();
    out += v ? "true" : "false";
  }
  void null() {
    sep();
    out += "null";
  }
  void open(char c) {
    sep();
    out += c;
    first = true;
  }
  void close(char c) {
    out += c;
    first = false;
  }
  // A JSON array of r's elements, each written by write(element).
  template <class R, class F>
  void array(const R& r, F&& write) {
    open('[');
    for (const auto& x : r) write(x);
    close(']');
  }
  template <class T>
  void kv(const char* k, T v) {
    key(k);
    if constexpr (std::is_same_v<T, bool>) boolean(v);
    else if constexpr (std::is_arithmetic_v<T>) num(double(v));
    else str(v);
  }
};
}  // namespace

// The model builder and the training options (issue 4): the network being built, the settings a
// Start would use, the callbacks' events, the class weights and the strip of images being fed.
static void status_json_builder(const AppState& s, Json& j) {
  const ModelState& m = s.model;
  j.key("model");
  j.open('{');
  j.kv("name", m.spec.name);
  j.kv("layers_text", dl::spec_to_text(m.spec));
  j.kv("total_params", double(m.trainable + m.non_trainable));
  j.kv("trainable_params", double(m.trainable));
  j.kv("non_trainable_params", double(m.non_trainable));
  j.kv("train_bytes", training_memory(m.plan, train_config(s)));  // at the settings a Start would use
  j.kv("error", m.build_error);
  j.kv("error_layer", m.error_layer);
  j.kv("builder_open", m.builder_open);
  j.key("layers");
  j.open('[');
  for (const dl::SummaryRow& r : m.rows) {
    j.open('{');
    j.kv("name", r.layer);
    j.kv("type", r.type);
    j.kv("shape", r.shape);
    j.kv("params", double(r.params));
    j.close('}');
  }
  j.close(']');
  j.close('}');
  j.kv("can_start", m.build_error.empty() && s.data.phase == DataPhase::Ready);
  j.kv("refused", m.refused);
  const dl::TrainConfig c = train_config(s);
  j.key("settings");
  j.open('{');
  const char* opts[] = {"sgd", "adam", "rmsprop"};
  j.kv("optimizer", std::string(opts[int(c.opt.kind) % 3]));
  j.kv("lr", c.opt.lr);
  j.kv("momentum", c.opt.momentum);
  j.kv("batch", c.batch);
  j.kv("val_split", c.val_split);
  j.kv("seed", s.train.seed);
  j.kv("class_weights", std::string(c.balanced_class_weights ? "balanced" : "none"));
  j.kv("keep_weights", s.train.keep_weights);
  j.kv("can_keep_weights", can_keep_weights(s));
  j.key("early_stopping");
  j.open('{');
  j.kv("enabled", c.early.enabled);
  j.kv("monitor", std::string(dl::monitor_name(c.early.monitor)));
  j.kv("patience", c.early.patience);
  j.kv("min_delta", c.early.min_delta);
  j.kv("restore_best", c.early.restore_best);
  j.close('}');
  j.key("reduce_lr");
  j.open('{');
  j.kv("enabled", c.reduce_lr.enabled);
  j.kv("monitor", std::string(dl::monitor_name(c.reduce_lr.monitor)));
  j.kv("factor", c.reduce_lr.factor);
  j.kv("patience", c.reduce_lr.patience);
  j.kv("min_lr", c.reduce_lr.min_lr);
  j.close('}');
  j.key("augment");
  j.open('{');
  j.kv("rotation", c.augment.rotation_deg);
  j.kv("zoom", c.augment.zoom);
  j.kv("width_shift", c.augment.width_shift);
  j.kv("height_shift", c.augment.height_shift);
  j.kv("hflip", c.augment.hflip);
  j.kv("vflip", c.augment.vflip);
  j.close('}');
  j.close('}');
  j.key("events");
  j.open('[');
  for (const dl::EpochRecord& e : s.snap.history)
    for (const std::string& ev : e.events) {
      j.open('{');
      j.kv("epoch", e.epoch);
      j.kv("text", ev);
      j.close('}');
    }
  j.close(']');
  // Class weights: this run's (on its training split), and balanced ones over all training images.
  auto weights = [&](const char* k, const std::vector<double>& w) {
    j.key(k);
    j.open('[');
    for (double v : w) {
      char b[40];
      std::snprintf(b, sizeof b, "%.17g", v);
      j.sep();
      j.out += b;
    }
    j.close(']');
  };
  weights("class_weights", s.snap.class_weights);
  weights("class_weights_all", balanced_weights_all(s));
  j.key("strip");
  j.open('{');
  j.kv("n", s.snap.strip_n);
  j.kv("version", double(s.snap.strip_version));
  j.key("labels");
  j.array(s.snap.strip_labels, [&](int l) { j.num(l); });
  j.close('}');
}

std::string status_json(const AppState& s) {
  const Snapshot& sn = s.snap;
  Json j;
  j.open('{');
  const char* phase = sn.starting ? "starting" : sn.paused ? "paused" : dl::phase_name(sn.phase);
  j.kv("phase", std::string(phase));
  j.kv("message", sn.message);
  j.kv("preset", sn.model_name.empty() ? current_preset(s).name : sn.model_name);
  j.kv("epoch", sn.phase == dl::TrainPhase::Idle ? 0 : std::min(sn.epoch + 1, std::max(1, sn.epochs)));
  j.kv("epochs_done", int(sn.history.size()));
  j.kv("epochs", sn.epochs ? sn.epochs : s.train.epochs);
  j.kv("batch", sn.batch);
  j.kv("batches_per_epoch", sn.batches_per_epoch);
  j.kv("steps", double(sn.steps));
  j.kv("samples_per_sec", sn.samples_per_sec);
  j.key("metrics");
  j.open('{');
  j.kv("loss", sn.epoch_loss);
  j.kv("accuracy", sn.epoch_accuracy);
  j.kv("lr", sn.lr);
  if (!sn.batches.empty()) {
    j.kv("batch_loss", sn.batches.back().loss);
    j.kv("batch_accuracy", sn.batches.back().accuracy);
  }
  j.close('}');
  j.key("history");
  j.open('[');
  for (const dl::EpochRecord& e : sn.history) {
    j.open('{');
    j.kv("epoch", e.epoch);
    j.kv("loss", e.loss);
    j.kv("accuracy", e.accuracy);
    if (e.has_val) {
      j.kv("val_loss", e.val_loss);
      j.kv("val_accuracy", e.val_accuracy);
    }
    j.kv("lr", e.lr);
    j.kv("seconds", e.seconds);
    j.kv("samples_per_sec", e.samples_per_sec);
    j.close('}');
  }
  j.close(']');
  // What the history's val_* and the curves' orange points were measured on.
  j.kv("validation", std::string(sn.val_n == 0 ? "none" : sn.val_is_test ? "test set" : "held out"));
  j.kv("evaluating", sn.evaluating);
  j.key("test_accuracy");
  if (sn.has_eval) j.num(sn.test_accuracy); else j.null();
  j.key("test_loss");
  if (sn.has_eval) j.num(sn.test_loss); else j.null();
  j.key("confusion");  // rows: true digit, columns: predicted digit
  if (sn.has_eval) {
    j.open('[');
    for (int i = 0; i < sn.confusion.k; ++i) {
      j.open('[');
      for (int k = 0; k < sn.confusion.k; ++k) j.num(double(sn.confusion.at(i, k)));
      j.close(']');
    }
    j.close(']');
  } else {
    j.null();
  }
  j.key("cell_view");  // the test images of a clicked confusion-matrix cell, when their window shows
  if (s.cell.shown) {
    const CellView& v = s.cell;
    j.open('{');
    j.kv("truth", v.truth);
    j.kv("predicted", v.predicted);
    j.kv("total", v.total);
    j.key("items");
    j.array(v.items, [&](int i) { j.num(i); });
    j.key("probabilities");
    j.array(v.items, [&](int i) { j.num(s.snap.test_prob[size_t(i)]); });
    j.close('}');
  } else {
    j.null();
  }
  j.kv("lesson_link", s.ui.share_url);
  j.key("link_notices");  // what the lesson link could not use (dl::Lesson::notices)
  j.array(s.ui.link_notices, [&](const std::string& n) { j.str(n); });
  j.key("previous_run");  // the run kept for comparison (drawn in grey when `shown`), or null
  if (!s.snap.previous.empty()) {
    const PreviousRun& p = s.snap.previous;
    j.open('{');
    j.kv("model", p.model_name);
    j.kv("epochs", int(p.history.size()));
    j.kv("batches", int(p.batches.size()));
    j.kv("test_accuracy", p.test_accuracy);
    j.kv("shown", s.ui.show_previous);
    j.close('}');
  } else {
    j.null();
  }
  j.key("learned");  // the Model window's "What it learned" tab, when it is showing
  if (s.learned.shown && s.learned.has_kernels && s.draw.model.built()) {
    const LearnedView& v = s.learned;
    const bool maps = v.mode == 1 && v.has_maps && s.draw.pred >= 0;
    j.open('{');
    j.kv("layer", s.draw.model.layers()[v.kernels.layer].name);
    j.kv("mode", std::string(v.mode == 1 ? "maps" : "weights"));
    j.kv("tiles", maps ? v.maps.n : v.kernels.n);
    j.kv("total", v.kernels.total);
    j.kv("tile_h", maps ? v.maps.h : v.kernels.h);
    j.kv("maps_shown", maps);
    // The larger view's "Layer by layer": each layer pictured, as [name, tiles, tile_h, tile_w, units].
    j.key("layers");
    j.open('[');
    if (v.layers_shown)
      for (size_t i = 0; i < v.layers.size(); ++i)
        if (v.layers[i].n > 0) {
          const dl::Tiles& t = v.layers[i];
          j.open('[');
          j.str(s.draw.model.layers()[i].name);
          j.num(t.n), j.num(t.h), j.num(t.w), j.num(t.units);
          j.close(']');
        }
    j.close(']');
    j.close('}');
  } else {
    j.null();
  }
  j.key("prediction");
  if (s.draw.pred >= 0) {
    j.open('{');
    j.kv("digit", s.draw.pred);
    j.key("probabilities");
    j.array(s.draw.probs, [&](float p) { j.num(p); });
    j.kv("latency_ms", s.draw.latency_ms);
    j.kv("latency_text", latency_text(s.draw.latency_ms));
    j.close('}');
  } else {
    j.null();
  }
  j.key("data");
  j.open('{');
  const char* dp[] = {"waiting", "loading", "ready", "failed"};
  j.kv("phase", std::string(dp[int(s.data.phase)]));
  j.kv("loaded_bytes", s.data.loaded);
  j.kv("total_bytes", s.data.total);
  j.kv("train", data_train(s).n);
  j.kv("test", data_test(s).n);
  j.kv("source", s.data.source);
  j.kv("user_error", s.data.user_error);
  j.kv("user_note", s.data.user_note);
  j.kv("error", s.data.error);
  j.kv("ready_ms", s.data.ready_ms);
  j.close('}');
  j.kv("threads", s.env.threads);
  j.kv("workers", s.bridge->workers());
  j.kv("cores", s.env.cores);
  j.kv("simd", s.env.simd);
  j.kv("isolated", s.env.isolated);
  j.kv("build", std::string(s.env.threads ? "threads" : "single-thread"));
  j.kv("frames", double(s.ui.frames));
  j.kv("fps", s.ui.fps);
  j.kv("frame_interval", double(s.ui.frame_interval));
  {  // the median of the last frames' build times (Ui::build_ms)
    const size_t n = size_t(std::min<uint64_t>(s.ui.frames, std::size(s.ui.build_ms)));
    std::vector<float> b(s.ui.build_ms, s.ui.build_ms + n);
    std::sort(b.begin(), b.end());
    j.kv("ui_ms", n ? double(b[n / 2]) : 0.0);
  }
  // "wide": the five windows side by side; "narrow": one at a time, `pane` names it.
  j.kv("layout", std::string(s.ui.narrow ? "narrow" : "wide"));
  j.kv("font_px", double(s.ui.font_px));  // follows the page's size (main.cpp: font_for_page)
  j.kv("focused", s.ui.focused);          // the widget the keyboard is on (its layout() name), "" if none
  j.kv("key_window", std::string(s.ui.key_pane >= 0 ? kPaneNames[s.ui.key_pane] : ""));  // the window that has it
  j.kv("pane", std::string(s.ui.narrow ? kPaneNames[s.ui.pane] : ""));
  j.kv("hovering", s.ui.hovering);
  j.key("tabs");  // the tabs' labels as drawn ("Results •": new results not yet looked at)
  j.open('[');
  if (s.ui.narrow)
    for (int i = 0; i < kPaneCount; ++i) j.str(pane_label(s, i));
  j.close(']');
  j.kv("trainer_fault", s.trainer_fault);  // a fault on the trainer side, until a new trainer is made
  j.kv("model_error", s.model.error);
  j.kv("model_notice", s.model.notice);
  j.kv("heap_in_use", double(unsigned(mallinfo().uordblks)));  // bytes malloc holds (bench/soak.mjs)
  j.kv("heap_size", double(emscripten_get_heap_size()));       // the wasm memory, which never shrinks
  j.key("runs");  // runs kept in this browser (runs.cpp)
  j.open('{');
  j.kv("saved", double(s.runs.list.size()));
  j.kv("current", s.runs.current_id);
  j.kv("saved_epochs", s.runs.saved_epochs);
  j.kv("save_ms", 1000 * s.runs.save_seconds);  // serializing the last autosave, on the trainer side
  j.kv("restored", double(s.snap.restored));
  j.kv("notice", s.runs.notice);
  j.kv("error", s.runs.error);
  j.kv("usage", s.runs.usage);
  j.key("list");
  j.open('[');
  for (const SavedRun& r : s.runs.list) {
    j.open('{');
    j.kv("id", r.id);
    j.kv("model", r.model_name);
    j.kv("epochs_done", r.epochs_done);
    j.kv("epochs", r.epochs);
    j.kv("unfinished", r.unfinished());
    j.kv("test_accuracy", r.test_accuracy);
    j.kv("bytes", r.bytes);
    j.close('}');
  }
  j.close(']');
  j.close('}');
  status_json_builder(s, j);
  j.close('}');
  return j.out;
}

std::string layout_json(const AppState& s) {
  Json j;
  j.open('{');
  for (const auto& [name, r] : s.ui.rects) {
    j.key(name.c_str());
    j.open('{');
    j.kv("x", r.x);
    j.kv("y", r.y);
    j.kv("w", r.z);
    j.kv("h", r.w);
    j.close('}');
  }
  j.close('}');
  return j.out;
}

// -------------------------------------------------------------------------------- status bar

void status_bar(AppState& s) {
  const ImGuiWindowFlags f = ImGuiWindowFlags_NoDecoration | ImGuiWindowFlags_NoMove | ImGuiWindowFlags_NoSavedSettings |
                             ImGuiWindowFlags_NoFocusOnAppearing | ImGuiWindowFlags_NoBringToFrontOnFocus;
  ImGui::PushStyleVar(ImGuiStyleVar_WindowPadding, ImVec2(ImGui::GetFontSize() * 0.6f, 3));
  ImGui::PushStyleColor(ImGuiCol_WindowBg, ImVec4(0.90f, 0.92f, 0.95f, 1));
  ImGui::Begin("##status", nullptr, f);
  const ImVec4 on(0.10f, 0.50f, 0.22f, 1), off(0.70f, 0.35f, 0.05f, 1);
  const bool brief = s.ui.narrow;  // a phone: the short forms, so the line fits
  if (s.env.threads && brief)
    ImGui::TextColored(on, "Threads: on (%d cores)", s.env.cores);
  else if (s.env.threads)
    ImGui::TextColored(on, "Threads: on (trainer + %d kernel worker%s, %d cores)", s.bridge->workers(),
                       s.bridge->workers() == 1 ? "" : "s", s.env.cores);
  else
    ImGui::TextColored(off, brief ? "Threads: off" : "Threads: off (single-thread fallback: trains between frames)");
  ImGui::SameLine();
  ImGui::TextDisabled("·");
  ImGui::SameLine();
  ImGui::TextColored(s.env.simd ? on : off, "SIMD: %s", s.env.simd ? "on" : "off");
  ImGui::SameLine();
  ImGui::TextDisabled("·");
  ImGui::SameLine();
  ImGui::TextColored(s.env.isolated ? on : off, "%s: %s", brief ? "Isolated" : "Cross-origin isolated",
                     s.env.isolated ? "yes" : "no");
  ImGui::SameLine();
  if (s.ui.frame_interval == kIdleFrameInterval)  // left alone: main.cpp slows drawing until the next input
    ImGui::TextDisabled(brief ? "·  idle" : "·  idle: drawing slowly until you touch the page");
  else
    ImGui::TextDisabled("·  %.0f fps", s.ui.fps);
  note_rect(s, "status");
  ImGui::End();
  ImGui::PopStyleColor();
  ImGui::PopStyleVar();
}

}  // namespace app

// ------------------------------------------------------------------------------ exports for JS
extern "C" {

EMSCRIPTEN_KEEPALIVE void digitlab_data_progress(double loaded, double total, int file) {
  app::AppState& s = app::app_state();
  if (s.data.phase == app::DataPhase::Ready || s.data.phase == app::DataPhase::Failed) return;
  s.data.phase = app::DataPhase::Loading;
  s.data.loaded = loaded;
  s.data.total = total;
  if (file >= 0 && file < app::kDataFiles) s.data.current = std::string("fetching ") + app::kDataFileNames[file] + ".gz";
}

// JS holds the bytes of file `which` in Module.dlPending.data[which] (the page stops a download or an
// inflation at kMaxDataFileBytes; a length past it here is a page that does not).
EMSCRIPTEN_KEEPALIVE void digitlab_data_file(int which, double length) {
  if (which < 0 || which >= app::kDataFiles) return;
  app::AppState& s = app::app_state();
  std::vector<uint8_t> bytes;
  const std::string why = app::take_pending(which, length, dl::kMaxDataFileBytes, &bytes);
  if (!why.empty()) {
    app::data_failed(s, std::string("The digit file ") + app::kDataFileNames[which] + why);
    return;
  }
  app::data_file_arrived(s, which, std::move(bytes));
}

EMSCRIPTEN_KEEPALIVE void digitlab_data_error() {
  app::data_failed(app::app_state(), app::take_js_string(1));
}

// JS holds a model file in Module.dlPending.model = {bytes, name}.
EMSCRIPTEN_KEEPALIVE void digitlab_model_file(double length) {
  app::AppState& s = app::app_state();
  const std::string name = app::take_js_string(2);
  std::vector<uint8_t> bytes;
  const std::string why = app::take_pending(4, length, dl::kMaxModelFileBytes, &bytes);
  if (!why.empty()) {
    s.model.notice.clear();
    s.model.error = "\"" + name + "\"" + why + " Your current model has not changed.";
    return;
  }
  app::model_file_arrived(s, name, bytes.data(), bytes.size());
}

EMSCRIPTEN_KEEPALIVE const char* digitlab_status() {
  static std::string out;
  app::AppState& s = app::app_state();
  // A preset picked or a model loaded since the last frame: report the summary of the network the
  // status names, not the previous one (the Model window would redo it at the next frame).
  if (s.model.summary_dirty) app::model_spec_changed(s);
  out = app::status_json(s);
  return out.c_str();
}

EMSCRIPTEN_KEEPALIVE const char* digitlab_layout() {
  static std::string out;
  out = app::layout_json(app::app_state());
  return out.c_str();
}

EMSCRIPTEN_KEEPALIVE void digitlab_hash_changed() { app::app_state().hash_pending = true; }

// For the tests of the page's fault handling: a trap in the page's next frame (where 0), on the trainer
// side (1), in a kernel worker (2), or an update that overflows in the current epoch's last step (3).
// Nothing in the page calls it.
EMSCRIPTEN_KEEPALIVE void digitlab_test_fault(int where) {
  if (where == 0) app::test_trap_next_frame();
  else app::trainer(app::app_state()).test_fault(where);
}

// The page's error overlay, after the app's frames stopped on an error: saves the trained model (the
// draw pad's copy) as a file, if there is one. Returns whether it did.
EMSCRIPTEN_KEEPALIVE int digitlab_rescue_model() {
  const dl::Model& m = app::app_state().draw.model;
  if (!m.built() || m.params.size() != m.trainable_params()) return 0;
  app::web_download("digitlab-" + m.spec().name + ".dlmodel", dl::model_save(m));
  return 1;
}

EMSCRIPTEN_KEEPALIVE void digitlab_clear_pad() {
  app::AppState& s = app::app_state();
  std::fill(s.draw.pad.begin(), s.draw.pad.end(), 0.0f);
  s.draw.dirty = true;
}

}  // extern "C"
