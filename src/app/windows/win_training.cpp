// The Training window: settings in tabs (basics, class weights, callbacks, augmentation), Start /
// Pause / Resume / Stop / Step, epoch progress with samples/s and ETA, the strip of images being fed,
// the callbacks' events, and live curves of loss, accuracy and learning rate with the events marked.
// [SECTION] settings tabs
// [SECTION] buttons, progress, strip, events, curves
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>

#include "app.h"

namespace app {

static const ImU32 kBlue = IM_COL32(40, 100, 200, 255), kBlueLight = IM_COL32(40, 100, 200, 130),
                   kOrange = IM_COL32(230, 120, 20, 255), kGreen = IM_COL32(30, 150, 80, 255),
                   kGrey = IM_COL32(140, 140, 140, 170);  // neutral: no other line or text in the plots is

// Sliders keep a value typed into them (Ctrl+click) in their range.
constexpr ImGuiSliderFlags kClamp = ImGuiSliderFlags_AlwaysClamp;

// The curves' least height, in font heights (each of them, where they stand one under the other).
constexpr float kCurvesMin = 6;

static std::string clock_text(double seconds) {
  if (!std::isfinite(seconds) || seconds < 0) return "–";
  char b[32];
  const int t = int(seconds + 0.5);
  if (t >= 3600) std::snprintf(b, sizeof b, "%d:%02d:%02d", t / 3600, t / 60 % 60, t % 60);
  else std::snprintf(b, sizeof b, "%d:%02d", t / 60, t % 60);
  return b;
}

// ============================================================================ [SECTION] settings tabs

const std::vector<double>& balanced_weights_all(const AppState& s) { return s.data.balanced_all; }

// With no held-out split the test set is the validation data; callbacks watching it let the test set
// help decide when to stop or slow down. Allowed (notebooks do it), but said where it is set.
static void test_steers_note(AppState& s, bool in_basics) {
  const dl::TrainConfig& t = s.train.cfg;
  if (t.val_split > 0 || !(t.early.enabled || t.reduce_lr.enabled)) return;
  ImGui::PushStyleColor(ImGuiCol_Text, ImVec4(0.80f, 0.30f, 0.0f, 1));
  if (in_basics)
    ImGui::TextWrapped("Validation 0%% with callbacks on: they watch the test set (see Callbacks).");
  else
    ImGui::TextWrapped("Validation is 0%%, so the callbacks watch the test set (as a notebook with "
                       "validation_data=(x_test, y_test)). The test accuracy at the end is then a little "
                       "optimistic: the test set helped decide when to stop. Hold out 10-20%% in Basics to keep it unseen.");
  ImGui::PopStyleColor();
  note_rect(s, in_basics ? "training.test_steers_basics" : "training.test_steers");
}

// The Basics tab's first three cells: optimizer, learning rate, batch size, each `w` wide.
static void optimizer_cells(AppState& s, float w) {
  dl::TrainConfig& t = s.train.cfg;
  ImGui::TableNextColumn();
  ImGui::SetNextItemWidth(w);
  const char* opts[] = {"SGD", "Adam", "RMSprop"};
  int opt = int(t.opt.kind);
  {
    Locked l(s, "opt");
    if (ImGui::Combo("Optimizer", &opt, opts, 3)) t.opt.kind = dl::OptKind(opt);
  }
  note_rect(s, "training.optimizer");
  hint("Adam and RMSprop adapt the step for every weight; SGD takes plain steps (with momentum, it keeps "
       "some of the previous step)");
  ImGui::TableNextColumn();
  ImGui::SetNextItemWidth(w);
  {
    Locked l(s, "lr");
    if (ImGui::SliderFloat("Learning rate", &t.opt.lr, 1e-5f, 1.0f, "%.5g", ImGuiSliderFlags_Logarithmic | kClamp))
      t.opt.lr = finite_clamp(t.opt.lr, 1e-5f, 1.0f);
  }
  note_rect(s, "training.lr");
  ImGui::TableNextColumn();
  ImGui::SetNextItemWidth(w);
  static const int batches[] = {8, 16, 32, 50, 64, 128, 256, 512};
  char cur[16];
  std::snprintf(cur, sizeof cur, "%d", t.batch);
  {
    Locked l(s, "batch");
    if (ImGui::BeginCombo("Batch size", cur)) {
      for (int b : batches) {
        std::snprintf(cur, sizeof cur, "%d", b);
        if (ImGui::Selectable(cur, b == t.batch)) t.batch = b;
      }
      ImGui::EndCombo();
    }
  }
}

// The preset's two recipes: its notebook's, and the improved one where it was measured (dl::Preset).
static void recipe_row(AppState& s) {
  const dl::Preset& p = current_preset(s);
  const int now = current_recipe(s);
  ImGui::BeginDisabled(!s.ui.locked.empty());  // a teacher's link fixes settings: the recipe with them
  ImGui::AlignTextToFramePadding();
  ImGui::TextUnformatted("Recipe:");
  ImGui::SameLine();
  if (ImGui::RadioButton("notebook", now == 0)) apply_recipe(s, false);
  note_rect(s, "training.recipe.notebook");
  hint("How the notebook this network comes from trained it.");
  ImGui::SameLine();
  ImGui::BeginDisabled(!p.has_improved);
  if (ImGui::RadioButton("improved", now == 1)) apply_recipe(s, true);
  ImGui::EndDisabled();
  note_rect(s, "training.recipe.improved");
  if (p.has_improved)
    hint(("The same network trained better: " + p.improved_text + ". docs/results.md has its test accuracy over seeds.").c_str());
  else
    hint(("No improved recipe for " + p.name + " yet: one is offered once it is measured to beat the notebook's.").c_str());
  if (now < 0) {
    ImGui::SameLine();
    ImGui::TextDisabled("(changed)");
  }
  ImGui::EndDisabled();
}

static void tab_basics(AppState& s) {
  dl::TrainConfig& t = s.train.cfg;
  // Three settings a row where a field (at least 4 em wide) and the longest label fit, else two or
  // one; the fields take up to 5 em of what the label leaves.
  const ImGuiStyle& st = ImGui::GetStyle();
  const float fs = ImGui::GetFontSize(), avail = ImGui::GetContentRegionAvail().x;
  const float label = ImGui::CalcTextSize("Learning rate").x + st.ItemInnerSpacing.x + 2 * st.CellPadding.x;
  const int cols = std::clamp(int(avail / (fs * 4.0f + label)), 1, 3);
  if (ImGui::BeginTable("settings", cols, ImGuiTableFlags_SizingStretchSame)) {
    const float w = std::min(fs * 5.0f, avail / float(cols) - label);
    optimizer_cells(s, w);
    ImGui::TableNextColumn();
    ImGui::SetNextItemWidth(w);
    {
      Locked l(s, "epochs");
      ImGui::SliderInt("Epochs", &t.epochs, 1, 100, "%d", kClamp);
    }
    note_rect(s, "training.epochs");
    ImGui::TableNextColumn();
    ImGui::SetNextItemWidth(w);
    float pct = t.val_split * 100.0f;
    {
      Locked l(s, "val");
      if (ImGui::SliderFloat("Validation", &pct, 0.0f, 50.0f, "%.0f%%", kClamp))
        t.val_split = std::round(finite_clamp(pct, 0, 50)) / 100.0f;
    }
    hint("Share of the training images held out to check the network after each epoch. At 0% the test set "
         "plays that role (as the mlp notebook does).");
    ImGui::TableNextColumn();
    ImGui::SetNextItemWidth(w);
    int seed = int(t.seed);  // at most 2^31 - 1, as links allow
    {
      Locked l(s, "seed");
      if (ImGui::InputInt("Seed", &seed)) t.seed = uint64_t(std::max(0, seed));
    }
    ImGui::TableNextColumn();
    ImGui::SetNextItemWidth(w);
    {
      Locked l(s, "label_smoothing");
      if (ImGui::SliderFloat("Smoothing", &t.label_smoothing, 0.0f, 1.0f, "%.2f", kClamp))
        t.label_smoothing = finite_clamp(t.label_smoothing, 0, 1);
    }
    note_rect(s, "training.label_smoothing");
    hint("Label smoothing s: the loss aims at 1 - s + s/10 for the right class and s/10 for each other one, "
         "instead of 1 and 0, so the network is not pushed towards certainty (Keras' label_smoothing; 0.1 is "
         "usual, 0 is off). The loss chart's training and validation losses include it; the Evaluation window's "
         "test loss does not.");
    if (t.opt.kind == dl::OptKind::SGD) {
      ImGui::TableNextColumn();
      ImGui::SetNextItemWidth(w);
      {
        Locked l(s, "momentum");
        if (ImGui::SliderFloat("Momentum", &t.opt.momentum, 0.0f, 0.99f, "%.2f", kClamp))
          t.opt.momentum = finite_clamp(t.opt.momentum, 0, 0.99f);
      }
      note_rect(s, "training.momentum");
    }
    ImGui::EndTable();
  }
  recipe_row(s);
  test_steers_note(s, true);
}

static void tab_weights(AppState& s) {
  dl::TrainConfig& t = s.train.cfg;
  int mode = t.balanced_class_weights ? 1 : 0;
  ImGui::TextUnformatted("Class weights");
  ImGui::SameLine();
  {
    Locked l(s, "class_weights");
    if (ImGui::RadioButton("none (every digit counts 1)", &mode, 0)) t.balanced_class_weights = false;
    ImGui::SameLine();
    if (ImGui::RadioButton("balanced", &mode, 1)) t.balanced_class_weights = true;
  }
  note_rect(s, "training.balanced");
  hint("Balanced weights make rare digits count more in the loss: digit k gets n / (10 · count of k). "
       "MNIST is nearly balanced, so they stay close to 1.");
  // The weights: this run's (computed on its training split) or, before a run, on all training images.
  const bool run = !s.snap.class_weights.empty();
  const std::vector<double>& w = run ? s.snap.class_weights : balanced_weights_all(s);
  if (w.empty()) {
    ImGui::TextDisabled("(the table appears once the digits are loaded)");
    return;
  }
  const ImGuiTableFlags tf = ImGuiTableFlags_Borders | ImGuiTableFlags_SizingStretchSame;
  if (!t.balanced_class_weights && !run) ImGui::PushStyleVar(ImGuiStyleVar_Alpha, 0.55f);
  if (ImGui::BeginTable("weights", int(w.size()) + 1, tf)) {
    ImGui::TableSetupColumn(class_noun(s), ImGuiTableColumnFlags_WidthFixed, ImGui::GetFontSize() * 3.6f);
    for (size_t k = 0; k < w.size(); ++k) ImGui::TableSetupColumn(std::to_string(k).c_str());
    ImGui::TableHeadersRow();
    ImGui::TableNextColumn();
    ImGui::TextUnformatted("weight");
    for (size_t k = 0; k < w.size(); ++k) {
      ImGui::TableNextColumn();
      ImGui::Text("%.3f", w[k]);
      if (ImGui::IsItemHovered()) ImGui::SetTooltip("%s %s: %.16g", class_noun(s), class_name(s, int(k)).c_str(), w[k]);
    }
    ImGui::EndTable();
  }
  note_rect(s, "training.weights");
  if (!t.balanced_class_weights && !run) ImGui::PopStyleVar();
  if (run)
    ImGui::TextDisabled("This run's weights, from its %s training images.", dl::with_commas(s.snap.train_n).c_str());
  else
    ImGui::TextDisabled("%s over all %s training images (a run uses its own split).",
                        t.balanced_class_weights ? "Weights" : "Balanced weights would be", dl::with_commas(data_train(s).n).c_str());
  if (ImGui::IsItemHovered()) ImGui::SetTooltip("Hover a weight to see all its digits");
}

static bool monitor_combo(const char* id, dl::Monitor* m) {
  int cur = *m == dl::Monitor::ValLoss ? 0 : 1;
  if (!ImGui::Combo(id, &cur, "val_loss\0val_accuracy\0")) return false;
  *m = cur == 0 ? dl::Monitor::ValLoss : dl::Monitor::ValAccuracy;
  return true;
}

// A label and the `width`-wide field after it, beside the last item if both fit, else at the start of
// the next line (a 1024 × 768 page).
static void field_label(const char* label, float width) {
  same_line_if_fits(ImGui::CalcTextSize(label).x + ImGui::GetStyle().ItemSpacing.x + width);
  ImGui::TextUnformatted(label);
  ImGui::SameLine();
  ImGui::SetNextItemWidth(width);
}

// What both callbacks share: a checkbox, then (greyed out while it is off) what it watches and its
// patience on the same line where they fit, else on indented lines, which also take the caller's own
// settings; the caller ends the block with callback_end(). `watch` is padded so both "patience"
// fields line up.
// `key` and `patience_key` name them for a lesson link's lock=.
static void callback_begin(AppState& s, const char* name, const char* rect, const char* help, const char* watch,
                           const char* id, const char* key, const char* patience_key, bool* enabled,
                           dl::Monitor* monitor, int* patience) {
  const float fs = ImGui::GetFontSize();
  {
    Locked l(s, key);
    ImGui::Checkbox(name, enabled);
  }
  note_rect(s, rect);
  hint(help);
  ImGui::BeginDisabled(!*enabled);
  ImGui::PushID(id);
  ImGui::Indent(fs * 1.6f);  // where the settings that do not fit beside the checkbox go
  field_label(watch, fs * 7.5f);
  {
    Locked l(s, key);
    monitor_combo("##mon", monitor);
  }
  field_label("patience", fs * 5.5f);
  {
    Locked l(s, patience_key);
    if (ImGui::InputInt("##pat", patience)) *patience = std::clamp(*patience, 0, 10000);
  }
  note_rect(s, (std::string(rect) + ".patience").c_str());
}

static void callback_end() {
  ImGui::Unindent(ImGui::GetFontSize() * 1.6f);
  ImGui::PopID();
  ImGui::EndDisabled();
}

// The learning-rate schedule: Keras' CosineDecay over the whole run. It sets the rate at every step, so
// it and the reduction on a plateau turn each other off, unless a teacher's link locks the other one.
static void cosine_decay(AppState& s) {
  dl::TrainConfig& t = s.train.cfg;
  {
    Locked l(s, "lr_schedule");
    if (ImGui::Checkbox("Cosine decay", &t.cosine.enabled) && t.cosine.enabled) {
      if (t.reduce_lr.enabled && locked(s, "reduce_lr")) t.cosine.enabled = false;  // the link keeps the reduction
      else t.reduce_lr.enabled = false;
    }
  }
  note_rect(s, "training.cosine");
  hint("Lowers the learning rate at every step along half a cosine, from the rate in Basics at the first step to "
       "`final` times it at the last (Keras CosineDecay over the run's steps). It needs no validation data. It "
       "sets the rate itself, so it turns Reduce LR on plateau off.");
  ImGui::BeginDisabled(!t.cosine.enabled);
  ImGui::PushID("cos");
  const float fs = ImGui::GetFontSize();
  ImGui::Indent(fs * 1.6f);
  field_label("final", fs * 4.5f);
  {
    Locked l(s, "cosine_alpha");
    if (ImGui::InputFloat("##alpha", &t.cosine.alpha, 0, 0, "%g")) t.cosine.alpha = finite_clamp(t.cosine.alpha, 0, 1);
  }
  note_rect(s, "training.cosine_alpha");
  hint("The last step's rate as a fraction of the first's (Keras' alpha): 0 ends at 0");
  ImGui::SameLine();
  ImGui::TextDisabled("× the learning rate");
  ImGui::Unindent(fs * 1.6f);
  ImGui::PopID();
  ImGui::EndDisabled();
}

static void tab_callbacks(AppState& s) {
  dl::TrainConfig& t = s.train.cfg;
  const float wf = ImGui::GetFontSize() * 4.5f;
  callback_begin(s, "Early stopping", "training.early",
                 "Stops training when the monitored value has not improved for `patience` epochs (Keras EarlyStopping).",
                 "   watch", "es", "early_stopping", "patience", &t.early.enabled, &t.early.monitor, &t.early.patience);
  ImGui::TextUnformatted("min_delta");
  ImGui::SameLine();
  ImGui::SetNextItemWidth(wf);
  {
    Locked l(s, "min_delta");
    if (ImGui::InputFloat("##delta", &t.early.min_delta, 0, 0, "%g")) t.early.min_delta = finite_clamp(t.early.min_delta, 0, 10);
  }
  note_rect(s, "training.min_delta");
  hint("The smallest change that counts as an improvement");
  same_line_if_fits(checkbox_width("restore best weights"));
  {
    Locked l(s, "restore_best");
    ImGui::Checkbox("restore best weights", &t.early.restore_best);
  }
  note_rect(s, "training.restore_best");
  hint("At the end, go back to the weights of the best epoch");
  callback_end();

  callback_begin(s, "Reduce LR on plateau", "training.reduce_lr",
                 "Multiplies the learning rate by `factor` when the monitored value has not improved for `patience` "
                 "epochs (Keras ReduceLROnPlateau).",
                 "watch", "rl", "reduce_lr", "lr_patience", &t.reduce_lr.enabled, &t.reduce_lr.monitor, &t.reduce_lr.patience);
  ImGui::TextUnformatted("factor");
  ImGui::SameLine();
  ImGui::SetNextItemWidth(wf);
  {
    Locked l(s, "lr_factor");
    if (ImGui::InputFloat("##fac", &t.reduce_lr.factor, 0, 0, "%g"))
      t.reduce_lr.factor = finite_clamp(t.reduce_lr.factor, 0.01f, 0.99f);
  }
  note_rect(s, "training.lr_factor");
  field_label("min_lr", wf);
  {
    Locked l(s, "min_lr");
    if (ImGui::InputFloat("##min", &t.reduce_lr.min_lr, 0, 0, "%g")) t.reduce_lr.min_lr = finite_clamp(t.reduce_lr.min_lr, 0, 10);
  }
  callback_end();
  if (t.reduce_lr.enabled && t.cosine.enabled) {  // Reduce LR was just ticked
    if (locked(s, "lr_schedule")) t.reduce_lr.enabled = false;  // the link keeps the decay
    else t.cosine.enabled = false;
  }
  cosine_decay(s);
  test_steers_note(s, false);
}

static void tab_augment(AppState& s) {
  dl::AugmentConfig& a = s.train.cfg.augment;
  struct Slider {
    const char* label;
    const char* key;  // for a lesson link's lock=
    float* value;
    float max;
    const char* format;
    const char* help;
  };
  const Slider sliders[] = {
      {"Rotation", "rotation", &a.rotation_deg, 45, "± %.0f°", "Each training image is turned by a random angle up to this many degrees"},
      {"Zoom", "zoom", &a.zoom, 0.5f, "± %.2f", "Each image is scaled by a random factor in [1 − zoom, 1 + zoom]"},
      {"Width shift", "width_shift", &a.width_shift, 0.3f, "± %.2f", "Moves each image sideways by up to this fraction of its width"},
      {"Height shift", "height_shift", &a.height_shift, 0.3f, "± %.2f", "Moves each image up or down by up to this fraction of its height"},
  };
  if (ImGui::BeginTable("aug", 2, ImGuiTableFlags_SizingStretchSame)) {
    for (const Slider& sl : sliders) {
      ImGui::TableNextColumn();
      ImGui::SetNextItemWidth(ImGui::GetFontSize() * 7.5f);
      {
        Locked l(s, sl.key);
        if (ImGui::SliderFloat(sl.label, sl.value, 0, sl.max, sl.format, kClamp)) *sl.value = finite_clamp(*sl.value, 0, sl.max);
      }
      if (sl.value == &a.rotation_deg) note_rect(s, "training.rotation");
      hint(sl.help);
    }
    ImGui::EndTable();
  }
  const ImVec4 warn(0.80f, 0.30f, 0.0f, 1);
  bool flipped = false;
  {
    Locked l(s, "hflip");
    flipped = ImGui::Checkbox("Horizontal flip", &a.hflip);
  }
  note_rect(s, "training.hflip");
  ImGui::SameLine();
  {
    Locked l(s, "vflip");
    flipped |= ImGui::Checkbox("Vertical flip", &a.vflip);
  }
  note_rect(s, "training.vflip");
  if (a.hflip || a.vflip) {
    ImGui::PushStyleColor(ImGuiCol_Text, warn);
    ImGui::TextWrapped("Warning: flips harm digits. A mirrored 2 or 7 is no digit at all, and an upside-down 6 "
                       "looks like a 9, so the network learns wrong answers.");
    ImGui::PopStyleColor();
    note_rect(s, "training.flip_warning");
    if (flipped) ImGui::SetScrollHereY(1.0f);  // in view, where the fields scroll (a low window)
  } else {
    ImGui::SameLine();
    ImGui::TextDisabled("(flips are harmful for digits)");
  }
}

static void settings(AppState& s, bool locked) {
  const dl::TrainConfig& t = s.train.cfg;
  int on = int(t.early.enabled) + int(t.reduce_lr.enabled) + int(t.cosine.enabled);
  char cb[48], au[48], cw[48];
  std::snprintf(cw, sizeof cw, "Class weights%s###weights", t.balanced_class_weights ? " (balanced)" : "");
  if (on > 0) std::snprintf(cb, sizeof cb, "Callbacks (%d on)###callbacks", on);
  else std::snprintf(cb, sizeof cb, "Callbacks###callbacks");
  std::snprintf(au, sizeof au, "Augmentation%s###augment", t.augment.enabled() ? " (on)" : "");
  const char* labels[] = {"Basics###basics", cw, cb, au};
  const char* keys[] = {"training.tab.basics", "training.tab.weights", "training.tab.callbacks", "training.tab.augmentation"};
  if (!ImGui::BeginTabBar("settings_tabs")) return;
  for (int i = 0; i < 4; ++i) {
    const ImGuiTabItemFlags f = s.train.tab == i ? ImGuiTabItemFlags_SetSelected : 0;
    const bool open = ImGui::BeginTabItem(labels[i], nullptr, f);
    note_rect(s, keys[i]);
    if (!open) continue;
    // The tab's fields at their own height, or where the window is low (the Callbacks tab at
    // 1280 × 720) at what leaves the curves their least height (curves()), scrolling: the curves stay
    // in view.
    const float fs = ImGui::GetFontSize();
    const float room = ImGui::GetWindowContentRegionMax().y - ImGui::GetCursorPosY() - s.ui.train_below_h - kCurvesMin * fs -
                       2 * ImGui::GetStyle().ItemSpacing.y;
    const float natural = s.ui.train_tab_h[i] > 0 ? s.ui.train_tab_h[i] : fs * 4;
    // Unscrolled, the arrow keys go through it as through the rest of the window (NavFlattened is
    // for children that do not scroll); scrolling, Space on it takes the keys inside.
    ImGui::BeginChild("fields", ImVec2(0, std::floor(std::max(fs * 3, std::min(natural, room)))), false,
                      natural > room ? 0
                                     : ImGuiWindowFlags_NoScrollbar | ImGuiWindowFlags_NoScrollWithMouse | ImGuiWindowFlags_NavFlattened);
    ImGui::BeginDisabled(locked);
    switch (i) {
      case 0: tab_basics(s); break;
      case 1: tab_weights(s); break;
      case 2: tab_callbacks(s); break;
      default: tab_augment(s); break;
    }
    ImGui::EndDisabled();
    s.ui.train_tab_h[i] = ImGui::GetCursorPosY() - ImGui::GetStyle().ItemSpacing.y;  // its content, for the next frame
    ImGui::EndChild();
    note_rect(s, "training.fields");
    ImGui::EndTabItem();
  }
  s.train.tab = -1;
  ImGui::EndTabBar();
  if (locked && ImGui::IsItemHovered()) ImGui::SetTooltip("Settings are fixed while it trains (the learning rate is not)");
}

// ============================================================================ [SECTION] buttons, progress, strip, events, curves

static void buttons(AppState& s) {
  const Snapshot& sn = s.snap;
  const bool running = sn.phase == dl::TrainPhase::Running;
  const bool impossible = !s.model.build_error.empty();
  const bool ready = s.data.phase == DataPhase::Ready && !sn.starting && !impossible;
  const ImVec2 big(ImGui::GetFontSize() * 5.2f, ImGui::GetFrameHeight() * 1.25f);
  ImGui::PushStyleColor(ImGuiCol_Button, ImVec4(0.18f, 0.55f, 0.30f, 1));
  ImGui::PushStyleColor(ImGuiCol_ButtonHovered, ImVec4(0.22f, 0.63f, 0.36f, 1));
  ImGui::PushStyleColor(ImGuiCol_Text, ImVec4(1, 1, 1, 1));
  ImGui::BeginDisabled(running || !ready);
  if (ImGui::Button("Start", big)) start_training(s, false);
  note_rect(s, "training.start");
  ImGui::EndDisabled();
  if (impossible && ImGui::IsItemHovered(ImGuiHoveredFlags_AllowWhenDisabled))
    ImGui::SetTooltip("The network is impossible: fix it in the Model window first");
  ImGui::PopStyleColor(3);
  ImGui::SameLine();
  ImGui::BeginDisabled(!running);
  if (!sn.paused) {
    if (ImGui::Button("Pause", big)) trainer(s).pause();
  } else if (ImGui::Button("Resume", big)) {
    trainer(s).resume();
  }
  note_rect(s, "training.pause");
  ImGui::SameLine();
  if (ImGui::Button("Stop", big)) trainer(s).stop();
  note_rect(s, "training.stop");
  ImGui::EndDisabled();
  ImGui::SameLine();
  ImGui::BeginDisabled(!ready || (running && !sn.paused));
  if (ImGui::Button("Step", big)) {
    if (!running) start_training(s, true);
    trainer(s).step_once();
  }
  if (ImGui::IsItemHovered()) ImGui::SetTooltip("Train on one batch of %d images, then pause", s.train.cfg.batch);
  note_rect(s, "training.step");
  ImGui::EndDisabled();
  if (!running && can_keep_weights(s)) {
    const char* label = "Keep weights";
    same_line_if_fits(checkbox_width(label));  // beside Step
    ImGui::Checkbox(label, &s.train.keep_weights);
    note_rect(s, "training.keep");
    hint("On: Start goes on from the weights the network has now (trained or loaded), as calling fit() again in "
         "Keras: after a run here the optimizer (Adam's running averages) and the shuffling go on too; after loading a "
         "file the optimizer starts afresh. Off: new random weights from the seed.");
  }
  if (running && s.train.cfg.cosine.enabled) {
    ImGui::SameLine();
    ImGui::AlignTextToFramePadding();
    ImGui::TextDisabled("lr %.5g (cosine decay)", s.snap.lr);
    if (ImGui::IsItemHovered()) ImGui::SetTooltip("The cosine decay sets the learning rate at every step");
  } else if (running) {
    ImGui::SameLine();
    ImGui::SetNextItemWidth(std::max(ImGui::GetFontSize() * 5, ImGui::GetContentRegionAvail().x - ImGui::GetFontSize() * 2.5f));
    if (ImGui::SliderFloat("##livelr", &s.train.live_lr, 1e-5f, 1.0f, "lr %.5g", ImGuiSliderFlags_Logarithmic | kClamp)) {
      s.train.live_lr = finite_clamp(s.train.live_lr, 1e-5f, 1.0f);
      trainer(s).set_lr(s.train.live_lr);
    }
    if (ImGui::IsItemHovered()) ImGui::SetTooltip("Change the learning rate while it trains");
  }
}
// While it trains, one line on the frame rate: when nobody touches the page, frames come only a few
// times a second (main.cpp: pace_frames) so that the cores train instead of drawing. The line is there
// at full rate too, so that the window does not jump when the pacing changes.
static void pacing_line(AppState& s) {
  ImGui::PushTextWrapPos(0);
  if (s.ui.saving_cpu) {
    const double fps = s.ui.paced_fps();
    ImGui::TextDisabled("Saving CPU for training: the page draws %.0f time%s a second while nobody touches it. "
                        "Touch it for full speed.", fps, std::lround(fps) == 1 ? "" : "s");
  } else {
    ImGui::TextDisabled("Left untouched, the page draws less often so that training gets the CPU.");
  }
  ImGui::PopTextWrapPos();
  note_rect(s, "training.pacing");
}


static void progress(AppState& s) {
  const Snapshot& sn = s.snap;
  char overlay[128];
  if (sn.phase == dl::TrainPhase::Idle && !sn.starting) {
    const bool impossible = !s.model.build_error.empty(), refused = !s.model.refused.empty();
    ImGui::ProgressBar(0, ImVec2(-1, 0), impossible ? "the network cannot be trained yet"
                                         : refused ? "too large to train here"
                                         : s.data.phase == DataPhase::Ready ? "ready: press Start" : "waiting for the data");
    note_rect(s, "training.progress");
    if (impossible || refused) {
      ImGui::PushStyleColor(ImGuiCol_Text, ImVec4(0.75f, 0.1f, 0.1f, 1));
      ImGui::TextWrapped("%s", !s.model.refused.empty() ? s.model.refused.c_str()
                               : ("Start is off: the network cannot be built. " + s.model.build_error +
                                  ". Fix it with Edit layers… in the Model window.").c_str());
      ImGui::PopStyleColor();
      note_rect(s, "training.refused");
      return;
    }
    if (!sn.message.empty()) {
      ImGui::PushStyleColor(ImGuiCol_Text, ImVec4(0.75f, 0.1f, 0.1f, 1));
      ImGui::TextWrapped("%s", sn.message.c_str());
      ImGui::PopStyleColor();
    }
    runs_notice(s);
    return;
  }
  const int bpe = std::max(1, sn.batches_per_epoch);
  const bool running = sn.phase == dl::TrainPhase::Running;
  // Once it has ended (perhaps stopped early), the last epoch trained; while running, the current one.
  const int shown_epoch = running ? std::min(sn.epoch + 1, std::max(1, sn.epochs))
                                  : std::max(1, int(sn.history.size()) + (sn.batch > 0 ? 1 : 0));
  // An ended run shows where it ended: the whole last epoch, or the batch it stopped at within one.
  const int shown_batch = running || sn.batch > 0 ? sn.batch : bpe;
  const float frac = float(shown_batch) / bpe;
  std::snprintf(overlay, sizeof overlay, "epoch %d of %d  ·  batch %s of %s", shown_epoch, sn.epochs,
                dl::with_commas(shown_batch).c_str(), dl::with_commas(bpe).c_str());
  ImGui::ProgressBar(frac, ImVec2(-1, 0), overlay);
  note_rect(s, "training.progress");
  const double total = double(sn.epochs) * bpe;
  const double left = std::max(0.0, total - double(sn.steps)) * sn.batch_size;
  const double eta = sn.samples_per_sec > 0 ? left / sn.samples_per_sec : NAN;
  const char* state = sn.starting ? "starting" : sn.paused ? "paused" : dl::phase_name(sn.phase);
  double loss = sn.epoch_loss, acc = sn.epoch_accuracy;
  if ((!running || sn.batch == 0) && !sn.history.empty()) loss = sn.history.back().loss, acc = sn.history.back().accuracy;
  // One line, or two where the window is too narrow for the longest it can get while running (with
  // its ETA) or after (so it does not jump between one and two as the numbers change).
  const char* longest = running ? "training  ·  88,888 samples/s  ·  ETA 8:88:88  ·  loss 8.8888  ·  accuracy 88.88%"
                                : "finished  ·  88,888 samples/s  ·  loss 8.8888  ·  accuracy 88.88%";
  const bool one_line = ImGui::CalcTextSize(longest).x <= ImGui::GetContentRegionAvail().x;
  const std::string rate = dl::with_commas((long long)std::llround(sn.samples_per_sec)) + " samples/s";
  std::string first = std::string(state) + "  ·  " + rate;
  if (running) first += "  ·  ETA " + clock_text(eta);
  char scores[64];
  std::snprintf(scores, sizeof scores, "loss %.4f  ·  accuracy %.2f%%", loss, 100.0 * acc);
  ImGui::BeginGroup();
  if (one_line) ImGui::Text("%s  ·  %s", first.c_str(), scores);
  else ImGui::Text("%s\n%s", first.c_str(), scores);
  ImGui::EndGroup();
  note_rect(s, "training.status");
  if (running && s.bridge->threaded()) pacing_line(s);
  // An early stop is in the event log below; other endings (finished, diverged, errors) are said here.
  bool in_log = false;
  for (const dl::EpochRecord& e : sn.history)
    for (const std::string& ev : e.events) in_log |= ev == sn.message;
  if (!sn.message.empty() && sn.phase != dl::TrainPhase::Running && !in_log) {
    const bool bad = sn.phase == dl::TrainPhase::Diverged || sn.warned;  // or it learned nothing
    if (bad) ImGui::PushStyleColor(ImGuiCol_Text, ImVec4(0.75f, 0.1f, 0.1f, 1));
    ImGui::TextWrapped("%s", sn.message.c_str());
    if (bad) ImGui::PopStyleColor();
  }
  runs_notice(s);
}

// The images the trainer is feeding right now (augmented, if augmentation is on), with their labels.
static void strip(AppState& s) {
  const Snapshot& sn = s.snap;
  if (sn.strip_n <= 0 || sn.strip.empty()) return;
  const int n = sn.strip_n, hw = sn.strip_hw;
  const uint64_t key = sn.run * 1000003ull + sn.strip_version;
  if (s.strip_version != key) {
    std::vector<const uint8_t*> imgs(static_cast<size_t>(n));
    for (int i = 0; i < n; ++i) imgs[size_t(i)] = sn.strip.data() + size_t(i) * hw * hw;
    texture_image_grid(&s.strip_tex, imgs, hw, hw, n, 1, true);
    s.strip_version = key;
  }
  const float fs = ImGui::GetFontSize(), side = std::round(fs * 1.9f), gap = 3;
  const dl::AugmentConfig& a = s.train.cfg.augment;
  ImGui::AlignTextToFramePadding();
  ImGui::TextUnformatted(a.enabled() ? "Fed now\n(augmented)" : "Fed now");
  if (ImGui::IsItemHovered()) ImGui::SetTooltip("The first images of the batch the network is training on, as it sees them");
  ImGui::SameLine();
  const ImVec2 p = ImGui::GetCursorScreenPos();
  const int fit = std::max(1, std::min(n, int((ImGui::GetContentRegionAvail().x + gap) / (side + gap))));
  ImGui::Dummy(ImVec2(fit * (side + gap), side));
  note_rect(s, "training.strip");
  ImDrawList* dl = ImGui::GetWindowDrawList();
  for (int i = 0; i < fit; ++i) {
    const ImVec2 a0(p.x + i * (side + gap), p.y), a1(a0.x + side, a0.y + side);
    ImVec2 uv0, uv1;
    grid_uv(n, 1, i, &uv0, &uv1);
    draw_image(dl, s.strip_tex, a0, a1, ImageMode::Ink, uv0, uv1);
    char lab[8];
    std::snprintf(lab, sizeof lab, "%d", sn.strip_labels[size_t(i)]);
    dl->AddRectFilled(a0, ImVec2(a0.x + fs * 0.55f, a0.y + fs * 0.8f), IM_COL32(40, 100, 200, 220));
    dl->AddText(nullptr, fs * 0.75f, ImVec2(a0.x + 1, a0.y), IM_COL32(255, 255, 255, 255), lab);
  }
}

enum class EventKind { LrReduced, EarlyStop, BestRestored, NotLearning, Other };
static EventKind event_kind(const std::string& e) {
  if (e.rfind("learning rate reduced", 0) == 0) return EventKind::LrReduced;
  if (e.rfind("early stop", 0) == 0) return EventKind::EarlyStop;
  if (e.rfind("best weights restored", 0) == 0) return EventKind::BestRestored;
  if (e.rfind("not learning", 0) == 0) return EventKind::NotLearning;
  return EventKind::Other;
}
static const ImU32 kEventColor[] = {IM_COL32(30, 150, 80, 255), IM_COL32(200, 40, 40, 255), IM_COL32(130, 60, 190, 255),
                                    IM_COL32(215, 120, 0, 255), IM_COL32(110, 110, 110, 255)};

// Markers for the plots: LR reduced and early stop at the epoch they happened; best restored at the
// epoch whose weights were kept.
static std::vector<PlotMarker> event_markers(const Snapshot& sn) {
  std::vector<PlotMarker> m;
  for (const dl::EpochRecord& e : sn.history)
    for (const std::string& ev : e.events) {
      const EventKind k = event_kind(ev);
      float x = float(e.epoch);
      const char* label = k == EventKind::LrReduced ? "LR↓" : k == EventKind::EarlyStop ? "stop" : k == EventKind::BestRestored ? "best"
                          : k == EventKind::NotLearning ? "stuck" : "event";
      if (k == EventKind::BestRestored) {
        const size_t p = ev.find("(epoch ");
        if (p != std::string::npos) x = float(std::atoi(ev.c_str() + p + 7));
      }
      m.push_back({x, kEventColor[int(k)], label, "epoch " + std::to_string(e.epoch) + ": " + ev});
    }
  return m;
}

// The callbacks' events, newest last.
static void event_log(AppState& s) {
  int n = 0;
  for (const dl::EpochRecord& e : s.snap.history) n += int(e.events.size());
  if (n == 0) return;
  const float fs = ImGui::GetFontSize();
  const float h = std::min(2, n) * ImGui::GetTextLineHeightWithSpacing() + 2;
  ImGui::BeginChild("events", ImVec2(0, h), false);
  for (const dl::EpochRecord& e : s.snap.history)
    for (const std::string& ev : e.events) {
      const EventKind k = event_kind(ev);
      const ImU32 c = kEventColor[int(k)];
      const ImVec2 p = ImGui::GetCursorScreenPos();
      ImGui::GetWindowDrawList()->AddRectFilled(ImVec2(p.x, p.y + fs * 0.25f), ImVec2(p.x + fs * 0.5f, p.y + fs * 0.85f), c);
      ImGui::Dummy(ImVec2(fs * 0.6f, fs * 0.5f));
      ImGui::SameLine();
      ImGui::Text("epoch %d:", e.epoch);
      ImGui::SameLine();
      ImGui::TextColored(ImGui::ColorConvertU32ToFloat4(c), "%s", ev.c_str());
      // A long event (not learning: ...) runs past a narrow window: the whole of it on hover.
      if (ImGui::IsItemHovered() && ImGui::GetItemRectMax().x > ImGui::GetWindowPos().x + ImGui::GetWindowWidth())
        ImGui::SetTooltip("epoch %d: %s", e.epoch, ev.c_str());
    }
  if (!ImGui::IsWindowHovered()) ImGui::SetScrollHereY(1.0f);  // newest in view, unless someone scrolls
  ImGui::EndChild();
  note_rect(s, "training.events");
}

// Brings a run's curves up to its records, taking only the ones not yet taken: per-batch loss, accuracy
// (%) and learning rate, smoothed with an exponential moving average (about 1/20 of an epoch), x in
// epochs; per-epoch training and validation points. A new run, or records that went back, start over.
static void extend(RunCurves& c, uint64_t run, const std::vector<dl::BatchRecord>& batches, int batches_per_epoch,
                   const std::vector<dl::EpochRecord>& history, bool grey, bool val_is_test = false) {
  if (c.run != run || c.batches > batches.size() || c.epochs > history.size() ||
      c.batches_per_epoch != batches_per_epoch) {
    const ImU32 light = grey ? kGrey : kBlueLight, dark = grey ? kGrey : kBlue, val = grey ? kGrey : kOrange;
    const char* train = grey ? nullptr : "train";
    const float thick = grey ? 1.5f : 2;
    c = RunCurves{};
    c.run = run;
    c.batches_per_epoch = batches_per_epoch;
    c.loss = c.acc = Series{{}, {}, light, nullptr, 1.5f};
    c.lr = Series{{}, {}, kGreen, "lr", 2};
    c.train_loss = c.train_acc = Series{{}, {}, dark, train, thick, true};
    c.val_loss = c.val_acc = Series{{}, {}, val, nullptr, thick, true};
  }
  // With no held-out split the orange points are the test set's (a notebook's validation_data).
  c.val_loss.label = c.val_acc.label = grey ? nullptr : val_is_test ? "test set" : "validation";
  const int bpe = std::max(1, batches_per_epoch);
  const float a = 1.0f / std::clamp(bpe / 20.0f, 1.0f, 100.0f);
  for (size_t i = c.batches; i < batches.size(); ++i) {
    const dl::BatchRecord& r = batches[i];
    c.ema_loss = i == 0 ? r.loss : c.ema_loss + a * (r.loss - c.ema_loss);
    c.ema_acc = i == 0 ? r.accuracy : c.ema_acc + a * (r.accuracy - c.ema_acc);
    const float x = float(i + 1) / bpe;
    c.loss.x.push_back(x), c.loss.y.push_back(c.ema_loss);
    c.acc.x.push_back(x), c.acc.y.push_back(100 * c.ema_acc);
    c.lr.x.push_back(x), c.lr.y.push_back(r.lr);
    c.acc_lo = std::min(c.acc_lo, 100 * c.ema_acc);
  }
  c.batches = batches.size();
  for (size_t i = c.epochs; i < history.size(); ++i) {
    const dl::EpochRecord& e = history[i];
    c.train_loss.x.push_back(float(e.epoch)), c.train_loss.y.push_back(float(e.loss));
    c.train_acc.x.push_back(float(e.epoch)), c.train_acc.y.push_back(float(100 * e.accuracy));
    if (e.has_val) {
      c.val_loss.x.push_back(float(e.epoch)), c.val_loss.y.push_back(float(e.val_loss));
      c.val_acc.x.push_back(float(e.epoch)), c.val_acc.y.push_back(float(100 * e.val_accuracy));
    }
  }
  c.epochs = history.size();
}

// The line under the curves that says what the grey ones are (View › Compare with the previous run).
static bool previous_shown(const AppState& s) { return s.ui.show_previous && !s.snap.previous.empty(); }

static void previous_caption(AppState& s) {
  if (!previous_shown(s)) return;
  const PreviousRun& p = s.snap.previous;
  std::string t = "Grey: the previous run (" + p.model_name + ", " + std::to_string(p.history.size()) +
                  (p.history.size() == 1 ? " epoch" : " epochs");
  if (p.test_accuracy >= 0) {
    char acc[32];
    std::snprintf(acc, sizeof acc, ", %.2f%% on the test set", 100 * p.test_accuracy);
    t += acc;
  }
  t += ")";
  ImGui::PushStyleColor(ImGuiCol_Text, ImVec4(0.45f, 0.47f, 0.50f, 1));
  ImGui::TextWrapped("%s", t.c_str());
  ImGui::PopStyleColor();
  note_rect(s, "training.previous");
}

static void curves(AppState& s) {
  const Snapshot& sn = s.snap;
  RunCurves &c = s.curves, &pc = s.previous_curves;
  // Before a first run, the legend follows the Validation setting.
  const bool val_is_test = sn.phase == dl::TrainPhase::Idle ? s.train.cfg.val_split <= 0 : sn.val_is_test;
  extend(c, sn.run, sn.batches, sn.batches_per_epoch, sn.history, false, val_is_test);
  extend(pc, sn.previous.run, sn.previous.batches, sn.previous.batches_per_epoch, sn.previous.history, true);
  static const Series kNone{{}, {}, 0, nullptr};
  const bool prev = previous_shown(s);
  const Series &loss_p = prev ? pc.loss : kNone, &acc_p = prev ? pc.acc : kNone;
  const Series &loss_pv = prev ? pc.val_loss : kNone, &acc_pv = prev ? pc.val_acc : kNone;
  const float xmax = std::max(float(std::max(1, sn.epochs ? sn.epochs : s.train.cfg.epochs)),
                              loss_p.x.empty() ? 0.0f : std::ceil(loss_p.x.back()));
  const ImVec2 avail = ImGui::GetContentRegionAvail();
  const float gap = ImGui::GetStyle().ItemSpacing.x;
  // Side by side; one under the other in a window taller than wide (a phone held upright).
  const bool stack = avail.y > avail.x * 1.2f;
  const float h = stack ? std::max(ImGui::GetFontSize() * kCurvesMin, (avail.y - 2 * ImGui::GetStyle().ItemSpacing.y) / 3 - 1)
                        : std::max(ImGui::GetFontSize() * kCurvesMin, avail.y - 2);
  const float w = stack ? avail.x : (avail.x - 2 * gap) / 3;
  const std::vector<PlotMarker> marks = event_markers(sn);
  // A smoothed run's training and validation losses are the smoothed ones (Keras' compiled loss): their
  // floor is above 0, and on the test set they differ from the Evaluation window's plain loss.
  const float smoothing = sn.phase == dl::TrainPhase::Idle ? s.train.cfg.label_smoothing : sn.label_smoothing;
  char loss_title[48] = "Loss";
  if (smoothing > 0) {
    std::snprintf(loss_title, sizeof loss_title, "Loss (labels smoothed by %g)", double(smoothing));
    // The title starts after the y axis' numbers (about 3 em): the short form where the long one would not fit.
    if (ImGui::CalcTextSize(loss_title).x > w - 3.5f * ImGui::GetFontSize())
      std::snprintf(loss_title, sizeof loss_title, "Loss (smoothed)");
  }
  plot_lines("loss", ImVec2(w, h), loss_title, {&loss_p, &loss_pv, &c.loss, &c.train_loss, &c.val_loss}, 0, xmax, 0, NAN, "epoch", "%.2f", &marks);
  note_rect(s, "training.loss");
  if (!stack) ImGui::SameLine();
  // From the lowest accuracy drawn (current or previous run), in steps of 10; 0 with nothing drawn.
  const float lo = c.acc.y.empty() && acc_p.y.empty()
                       ? 0
                       : std::clamp(std::floor(std::min(c.acc_lo, prev ? pc.acc_lo : 100.0f) / 10) * 10, 0.0f, 90.0f);
  plot_lines("acc", ImVec2(w, h), "Accuracy %", {&acc_p, &acc_pv, &c.acc, &c.train_acc, &c.val_acc}, 0, xmax, lo, 100, "epoch", "%.0f", &marks);
  note_rect(s, "training.accuracy");
  if (!stack) ImGui::SameLine();
  plot_lines("lr", ImVec2(w, h), "Learning rate", {&c.lr}, 0, xmax, 0, NAN, "epoch", "%.2g", &marks);
  note_rect(s, "training.lr");
}

void window_training(AppState& s) {
  begin_tile(s, kPaneTrain, "Training###Training");
  const bool locked = run_in_progress(s);
  settings(s, locked);
  const float below = ImGui::GetCursorPosY();
  buttons(s);
  progress(s);
  strip(s);
  event_log(s);
  previous_caption(s);
  s.ui.train_below_h = ImGui::GetCursorPosY() - below;
  curves(s);
  ImGui::End();
}

}  // namespace app
