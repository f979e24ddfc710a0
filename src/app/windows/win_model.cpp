// The Model window and the model builder.
// [SECTION] summary: Model::build on every edit, the impossible layer named
// [SECTION] the Model tile: preset picker, Keras-style summary, model files
// [SECTION] the builder: a large window to add, remove, reorder and edit layers
// What this does not do: train (the bridge does) or check shapes itself (Model::build does, and its
// message is what the person reads).
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>

#include "app.h"
#include "platform/platform.h"
#include "core/nn/model_file.h"

namespace app {

static const ImVec4 kRed(0.75f, 0.10f, 0.10f, 1);

// ============================================================================ [SECTION] summary

void model_spec_changed(AppState& s) {
  ModelState& ms = s.model;
  ms.rows.assign(ms.spec.layers.size(), dl::SummaryRow{});
  ms.trainable = ms.non_trainable = 0;
  ms.error_layer = -1;
  ms.summary_dirty = false;
  dl::Model m;  // shapes and counts only: a large network costs no memory until it trains
  dl::Status st = m.build(ms.spec, false);
  // A network that builds must also fit the data: its last layer one unit per class (the row in red).
  if (st.ok()) {
    if (const dl::Status fit = dl::model_fits_data(m, data_shape(s)); !fit.ok()) {
      const dl::Layer& last = m.layers().back();
      st = dl::Status::fail("layer " + std::to_string(m.layers().size()) + " (" + dl::layer_kind_name(last.spec.kind) +
                            "): " + fit.error);
    }
  }
  ms.build_error = st.error;
  if (st.ok()) {
    ms.rows = m.summary();
    ms.trainable = m.trainable_params();
    ms.non_trainable = m.non_trainable_params();
    ms.refused.clear();
    ms.plan = std::move(m);
    return;
  }
  ms.plan = dl::Model();
  // "layer N (Type): ..." names the impossible layer. The layers before it still have shapes: build
  // them with a stand-in output (Flatten, Dense 2) so their rows can show shape and params.
  if (st.error.rfind("layer ", 0) == 0) ms.error_layer = std::atoi(st.error.c_str() + 6) - 1;
  const int ok_rows = ms.error_layer >= 0 ? ms.error_layer : int(ms.spec.layers.size());
  if (ok_rows > 0) {
    dl::ModelSpec prefix = ms.spec;
    prefix.layers.resize(size_t(ok_rows));
    prefix.layers.push_back(dl::flatten());
    prefix.layers.push_back(dl::dense(2));
    if (m.build(prefix, false).ok()) {
      std::vector<dl::SummaryRow> rows = m.summary();
      for (int i = 0; i < ok_rows; ++i) ms.rows[size_t(i)] = rows[size_t(i)];
    }
  }
}

static void spec_edited(AppState& s) {
  s.model.spec.name = "custom";
  model_spec_changed(s);
}

static std::string input_shape_text(const dl::ModelSpec& m) { return m.input.str(); }

// ============================================================================ [SECTION] the Model tile

static void preset_combo(AppState& s, const char* id, float width, const char* rect) {
  const auto& all = dl::presets();
  const bool custom = s.model.spec.name == "custom";
  std::string cur = custom ? current_preset(s).name + " (edited)" : current_preset(s).name;
  ImGui::SetNextItemWidth(width);
  if (ImGui::BeginCombo(id, cur.c_str())) {
    for (int i = 0; i < int(all.size()); ++i) {
      // Picking a preset (even the current one, after edits) loads its layers and its recipe.
      if (ImGui::Selectable(all[size_t(i)].name.c_str(), i == s.model.preset && !custom)) {
        s.model.preset = i;
        apply_preset_recipe(s);
      }
      note_rect(s, (std::string(rect) + "." + all[size_t(i)].name).c_str());
      if (ImGui::IsItemHovered()) ImGui::SetTooltip("%s", all[size_t(i)].description.c_str());
    }
    ImGui::EndCombo();
  }
  note_rect(s, rect);
  if (ImGui::IsItemHovered() && !ImGui::IsPopupOpen(id))
    ImGui::SetTooltip("Load a ready-made network and its training recipe; edit it from there");
}

static void error_text(const std::string& msg) {
  ImGui::PushStyleColor(ImGuiCol_Text, kRed);
  ImGui::TextWrapped("%s", msg.c_str());
  ImGui::PopStyleColor();
}

// Total / trainable / non-trainable, on one line or two; with_memory adds what training would hold
// (the Model tile has it in the tooltip of the total).
static void totals_line(AppState& s, bool one_line, bool with_memory) {
  // Worked out only when shown: in the builder every frame, in the tile when the total is hovered.
  auto memory = [&] { return dl::bytes_text(training_memory(s.model.plan, train_config(s))); };
  auto memory_tip = [&] {
    if (ImGui::IsItemHovered())
      ImGui::SetTooltip("Training it at batch %d holds about %s of memory: every parameter as weight, gradient, the "
                        "optimizer's moments and copies, and the activations of a batch. A browser tab can have 2 GB "
                        "at most.", s.train.cfg.batch, memory().c_str());
  };
  ImGui::Text("Total params: %s", dl::with_commas((long long)(s.model.trainable + s.model.non_trainable)).c_str());
  memory_tip();
  if (one_line) {
    ImGui::SameLine();
    ImGui::TextDisabled("·");
    ImGui::SameLine();
  }
  ImGui::Text("Trainable: %s", dl::with_commas((long long)s.model.trainable).c_str());
  ImGui::SameLine();
  ImGui::TextDisabled("·");
  ImGui::SameLine();
  ImGui::Text("Non-trainable: %s", dl::with_commas((long long)s.model.non_trainable).c_str());
  if (with_memory) {  // on the same line if it fits there (the builder at 1024 × 768: the next)
    const std::string mem = "about " + memory() + " to train";
    const float dot = ImGui::CalcTextSize("·").x + ImGui::GetStyle().ItemSpacing.x;
    if (one_line && same_line_if_fits(dot + ImGui::CalcTextSize(mem.c_str()).x)) {
      ImGui::TextDisabled("·");
      ImGui::SameLine();
    }
    ImGui::TextUnformatted(mem.c_str());
    note_rect(s, "builder.memory");
    memory_tip();
  }
}

static void builder_window(AppState& s);
static void model_summary(AppState& s);

void window_model(AppState& s) {
  begin_tile(s, kPaneModel, "Model: the network###Model");
  if (s.model.summary_dirty) model_spec_changed(s);
  const bool locked = run_in_progress(s);
  const float fs = ImGui::GetFontSize();

  ImGui::BeginDisabled(locked);
  {
    Locked l(s, "model");
    preset_combo(s, "##network", fs * 10, "model.preset");
  }
  same_line_if_fits(button_width("Edit layers…"));
  {
    Locked l(s, "model");
    if (ImGui::Button("Edit layers…")) s.model.builder_open = true;
  }
  note_rect(s, "model.edit");
  if (ImGui::IsItemHovered()) ImGui::SetTooltip("Add, remove, reorder and change the layers of this network");
  ImGui::EndDisabled();
  if (!s.model.build_error.empty()) {  // (the parameter count is in the totals below)
    ImGui::SameLine();
    ImGui::TextColored(kRed, "impossible");
  }

  // Model files.
  ImGui::BeginDisabled(!s.draw.model.built() || locked);
  if (ImGui::Button("Download trained model")) {
    std::vector<uint8_t> bytes = dl::model_save(s.draw.model);
    platform::download("digitlab-" + s.draw.model.spec().name + ".dlmodel", bytes);
  }
  note_rect(s, "model.download");
  ImGui::EndDisabled();
  same_line_if_fits(button_width("Load model file…"));
  ImGui::BeginDisabled(locked);
  if (ImGui::Button("Load model file…")) platform::pick_model_file();
  note_rect(s, "model.load");
  ImGui::EndDisabled();
  if (!s.model.error.empty()) error_text(s.model.error);
  else if (!s.model.notice.empty()) ImGui::TextWrapped("%s", s.model.notice.c_str());

  if (!ImGui::BeginTabBar("model_tabs")) {
    ImGui::End();
    if (s.model.builder_open) builder_window(s);
    return;
  }
  const bool layers_tab = ImGui::BeginTabItem("Layers");
  note_rect(s, "model.tab.layers");
  if (layers_tab) {
    model_summary(s);
    ImGui::EndTabItem();
  }
  const bool learned_tab = ImGui::BeginTabItem("What it learned");
  note_rect(s, "model.tab.learned");
  if (ImGui::IsItemHovered()) ImGui::SetTooltip("The first layer's weights as pictures, and your drawn digit through them");
  if (learned_tab) {
    learned_view(s);
    ImGui::EndTabItem();
  }
  ImGui::EndTabBar();
  ImGui::End();
  if (s.model.builder_open) builder_window(s);
  learned_window(s);
}

// "(None, 24, 24, 8)" → "(24, 24, 8)".
static std::string shape_without_batch(const std::string& shape) {
  const std::string batch = "(None, ";
  return shape.compare(0, batch.size(), batch) == 0 ? "(" + shape.substr(batch.size()) : shape;
}

// Keras-style summary; the impossible layer in red with the reason under the table.
static void model_summary(AppState& s) {
  // The picker above may have changed the network in this very frame: rows and spec must agree.
  if (s.model.summary_dirty) model_spec_changed(s);
  const float fs = ImGui::GetFontSize();
  const ImGuiTableFlags tf = ImGuiTableFlags_RowBg | ImGuiTableFlags_BordersOuterH | ImGuiTableFlags_BordersInnerH |
                             ImGuiTableFlags_ScrollY | ImGuiTableFlags_SizingStretchProp;
  const std::string& err = s.model.build_error;
  const float footer = ImGui::GetTextLineHeightWithSpacing() * (err.empty() ? 2.3f : 4.3f);
  // Keras' columns, "conv2d_1 (Conv2D)" and "(None, 24, 24, 8)", where they fit. In a narrower window
  // (a CNN's "max_pooling2d (MaxPooling2D)" at 1600 × 900) the names alone, which Keras derives from
  // the types, the type in a tooltip; narrower still (a 1280 × 720 projector) also the shapes without
  // the batch dimension, "(24, 24, 8)". The columns share the width in proportion to their widest text.
  const size_t n = std::min(s.model.spec.layers.size(), s.model.rows.size());
  auto text_w = [](const std::string& t) { return ImGui::CalcTextSize(t.c_str()).x; };
  float w_full = text_w("Layer (type)"), w_name = text_w("Layer"), w_shape = text_w("Output shape");
  float w_short = text_w("Shape"), w_params = text_w("Params");
  for (size_t i = 0; i < n; ++i) {
    const dl::SummaryRow& r = s.model.rows[i];
    w_full = std::max(w_full, text_w(r.layer + " (" + r.type + ")"));
    w_name = std::max(w_name, text_w(r.layer.empty() ? std::string("00. ") + dl::layer_kind_name(s.model.spec.layers[i].kind) : r.layer));
    w_shape = std::max(w_shape, text_w(r.shape));
    w_short = std::max(w_short, text_w(shape_without_batch(r.shape)));
    w_params = std::max(w_params, text_w(dl::with_commas((long long)r.params)));
  }
  const ImGuiStyle& st = ImGui::GetStyle();
  const float avail = ImGui::GetContentRegionAvail().x - st.ScrollbarSize - 6 * st.CellPadding.x;
  const bool with_type = w_full + w_shape + w_params <= avail;
  const float w_layer = with_type ? w_full : w_name;
  const bool with_batch = w_layer + w_shape + w_params <= avail;
  if (ImGui::BeginTable("summary", 3, tf, ImVec2(0, std::max(fs * 4, ImGui::GetContentRegionAvail().y - footer)))) {
    ImGui::TableSetupScrollFreeze(0, 1);
    ImGui::TableSetupColumn(with_type ? "Layer (type)" : "Layer", ImGuiTableColumnFlags_WidthStretch, w_layer);
    ImGui::TableSetupColumn(with_batch ? "Output shape" : "Shape", ImGuiTableColumnFlags_WidthStretch,
                            with_batch ? w_shape : w_short);
    ImGui::TableSetupColumn("Params", ImGuiTableColumnFlags_WidthStretch, w_params);
    ImGui::TableHeadersRow();
    for (size_t i = 0; i < n; ++i) {
      const dl::SummaryRow& r = s.model.rows[i];
      ImGui::TableNextRow();
      const bool bad = int(i) == s.model.error_layer;
      if (bad) ImGui::TableSetBgColor(ImGuiTableBgTarget_RowBg0, IM_COL32(250, 215, 215, 255));
      ImGui::TableNextColumn();
      if (r.layer.empty()) {
        ImGui::TextColored(bad ? kRed : ImVec4(0.5f, 0.5f, 0.5f, 1), "%zu. %s", i + 1,
                           dl::layer_kind_name(s.model.spec.layers[i].kind));
        ImGui::TableNextColumn();
        ImGui::TextColored(bad ? kRed : ImVec4(0.5f, 0.5f, 0.5f, 1), bad ? "impossible" : "–");
        ImGui::TableNextColumn();
        continue;
      }
      if (with_type) {
        ImGui::Text("%s (%s)", r.layer.c_str(), r.type.c_str());
      } else {
        ImGui::TextUnformatted(r.layer.c_str());
        if (ImGui::IsItemHovered()) ImGui::SetTooltip("%s (%s)", r.layer.c_str(), r.type.c_str());
      }
      ImGui::TableNextColumn();
      ImGui::TextUnformatted(with_batch ? r.shape.c_str() : shape_without_batch(r.shape).c_str());
      if (!with_batch && ImGui::IsItemHovered()) ImGui::SetTooltip("%s: None is the batch size", r.shape.c_str());
      ImGui::TableNextColumn();
      ImGui::TextUnformatted(dl::with_commas((long long)r.params).c_str());
    }
    ImGui::EndTable();
  }
  note_rect(s, "model.summary");
  if (!err.empty()) {
    error_text("This network cannot be trained: " + err + ".");
    note_rect(s, "model.error");
  } else {
    totals_line(s, false, false);
    note_rect(s, "model.totals");
  }
}

// ============================================================================ [SECTION] the builder

static const char* kActNames[] = {"linear", "relu", "sigmoid", "softmax"};
static const dl::Act kActs[] = {dl::Act::Linear, dl::Act::ReLU, dl::Act::Sigmoid, dl::Act::Softmax};

static bool act_combo(const char* id, dl::Act* a, float w) {
  int cur = 0;
  for (int i = 0; i < 4; ++i)
    if (kActs[i] == *a) cur = i;
  ImGui::SetNextItemWidth(w);
  if (!ImGui::Combo(id, &cur, kActNames, 4)) return false;
  *a = kActs[cur];
  return true;
}

// An integer field with − and + buttons; `name` is the layout() key of the whole widget.
static bool int_field(AppState& s, const char* label, int* v, int step, int lo, int hi, float w, const std::string& name) {
  ImGui::SetNextItemWidth(w);
  bool changed = ImGui::InputInt(label, v, step, step * 8);
  note_rect(s, name.c_str());
  if (changed) *v = std::clamp(*v, lo, hi);
  return changed;
}

static bool float_field(AppState& s, const char* label, float* v, const char* fmt, float w, const std::string& name,
                        float lo, float hi) {
  ImGui::SetNextItemWidth(w);
  bool changed = ImGui::InputFloat(label, v, 0, 0, fmt);
  note_rect(s, name.c_str());
  if (changed) *v = finite_clamp(*v, lo, hi);
  return changed;
}

// The settings of one layer, inline. Returns true when something changed.
static bool layer_settings(AppState& s, dl::LayerSpec& L, int i) {
  const float fs = ImGui::GetFontSize(), wi = fs * 5.4f, wc = fs * 5.6f, wf = fs * 3.4f;
  const std::string key = "builder.row" + std::to_string(i + 1) + ".";
  bool ch = false;
  auto label = [](const char* t) {
    ImGui::SameLine(0, 4);
    ImGui::TextDisabled("%s", t);
    ImGui::SameLine();
  };
  switch (L.kind) {
    case dl::LayerKind::Dense:
      ch |= int_field(s, "##units", &L.units, 1, 0, 65536, wi, key + "units");
      label("units");
      ch |= act_combo("##act", &L.act, wc);
      label("L2");
      ch |= float_field(s, "##l2", &L.l2, "%g", wf, key + "l2", 0, 1);
      break;
    case dl::LayerKind::Conv2D: {
      ch |= int_field(s, "##filters", &L.units, 1, 0, 4096, wi, key + "filters");
      label("filters");
      ch |= int_field(s, "##kernel", &L.kernel, 1, 0, 64, wi, key + "kernel");
      label("kernel");
      int stride = L.stride - 1;
      ImGui::SetNextItemWidth(fs * 3.2f);
      if (ImGui::Combo("##stride", &stride, "1\0" "2\0" "3\0")) L.stride = stride + 1, ch = true;
      label("stride");
      int pad = L.same ? 1 : 0;
      ImGui::SetNextItemWidth(fs * 4.6f);
      if (ImGui::Combo("##pad", &pad, "valid\0same\0")) L.same = pad == 1, ch = true;
      ImGui::SameLine();
      ch |= act_combo("##act", &L.act, wc);
      label("L2");
      ch |= float_field(s, "##l2", &L.l2, "%g", wf, key + "l2", 0, 1);
      break;
    }
    case dl::LayerKind::MaxPool2D:
      ch |= int_field(s, "##pool", &L.kernel, 1, 1, 28, wi, key + "pool");
      label("pool size (stride the same)");
      if (ch) L.stride = 0;
      break;
    case dl::LayerKind::Dropout:
      ImGui::SetNextItemWidth(wi * 1.4f);
      ch |= ImGui::SliderFloat("##rate", &L.rate, 0.0f, 0.9f, "rate %.2f");
      note_rect(s, (key + "rate").c_str());
      if (ImGui::IsItemHovered()) ImGui::SetTooltip("Fraction of values set to 0 while training (none at evaluation)");
      break;
    case dl::LayerKind::BatchNorm:
      ImGui::TextDisabled("γ, β trainable; moving mean and variance are not");
      break;
    case dl::LayerKind::Flatten:
      ImGui::TextDisabled("image → vector");
      break;
    case dl::LayerKind::Activation: {
      int cur = L.act == dl::Act::LeakyReLU ? 0 : L.act == dl::Act::ReLU ? 1 : 2;
      ImGui::SetNextItemWidth(wc * 1.3f);
      if (ImGui::Combo("##fn", &cur, "LeakyReLU\0ReLU\0sigmoid\0")) {
        L.act = cur == 0 ? dl::Act::LeakyReLU : cur == 1 ? dl::Act::ReLU : dl::Act::Sigmoid;
        ch = true;
      }
      if (L.act == dl::Act::LeakyReLU) {
        label("alpha");
        ch |= float_field(s, "##alpha", &L.alpha, "%g", wf, key + "alpha", 0, 1);
      }
      break;
    }
  }
  return ch;
}

static const char* kAddNames[] = {"Dense", "Conv2D", "MaxPool2D", "Flatten", "Dropout", "BatchNorm", "LeakyReLU", "ReLU"};
static dl::LayerSpec new_layer(int which) {
  switch (which) {
    case 0: return dl::dense(64, dl::Act::ReLU);
    case 1: return dl::conv2d(16, 3, dl::Act::ReLU);
    case 2: return dl::maxpool2d(2);
    case 3: return dl::flatten();
    case 4: return dl::dropout(0.25f);
    case 5: return dl::batchnorm();
    case 6: return dl::activation(dl::Act::LeakyReLU, 0.3f);
    default: return dl::activation(dl::Act::ReLU);
  }
}

// "+" menu: insert a new layer at position `at`.
static bool add_menu(AppState& s, int at) {
  bool ch = false;
  const std::string key = "builder.add" + std::to_string(at);
  if (ImGui::SmallButton("+")) ImGui::OpenPopup("add");
  note_rect(s, key.c_str());
  if (ImGui::IsItemHovered()) ImGui::SetTooltip("Insert a layer here");
  if (ImGui::BeginPopup("add")) {
    ImGui::TextDisabled("Insert after %s", at == 0 ? "the input" : ("layer " + std::to_string(at)).c_str());
    const bool full = s.model.spec.layers.size() >= size_t(dl::kMaxLayers);
    if (full) ImGui::Text("A network here has at most %d layers: remove one first.", dl::kMaxLayers);
    for (int k = 0; k < 8 && !full; ++k) {
      if (ImGui::Selectable(kAddNames[k])) {
        s.model.spec.layers.insert(s.model.spec.layers.begin() + at, new_layer(k));
        ch = true;
      }
      note_rect(s, (key + "." + kAddNames[k]).c_str());
    }
    ImGui::EndPopup();
  }
  return ch;
}

// The builder's first row: the input, with "+" to insert a first layer. Whether a layer was added.
static bool builder_input_row(AppState& s) {
  const dl::ModelSpec& spec = s.model.spec;
  bool changed = false;
  ImGui::TableNextRow();
  ImGui::TableNextColumn();
  ImGui::TableNextColumn();
  ImGui::TextDisabled("input");
  ImGui::TableNextColumn();
  ImGui::TextDisabled("%s", spec.input.flat ? "the 784 pixels as one vector" : "the 28 × 28 image, 1 channel");
  ImGui::TableNextColumn();
  ImGui::TextUnformatted(input_shape_text(spec).c_str());
  ImGui::TableNextColumn();
  ImGui::TextUnformatted("0");
  ImGui::TableNextColumn();
  ImGui::PushID(-1);
  changed |= add_menu(s, 0);
  ImGui::PopID();
  return changed;
}

// Layer i's row of the builder (of n): its type, settings, output shape and parameters, and the
// buttons that move, insert and remove. What a button asked for goes to move_from/move_to/remove;
// returns whether the layer's settings changed or a layer was inserted.
static bool builder_row(AppState& s, int i, int n, int* move_from, int* move_to, int* remove) {
  ModelState& ms = s.model;
  dl::ModelSpec& spec = ms.spec;
  bool changed = false;
  ImGui::PushID(i);
  dl::LayerSpec& L = spec.layers[size_t(i)];
  const dl::SummaryRow& r = ms.rows[size_t(i)];
  const bool bad = i == ms.error_layer;
  ImGui::TableNextRow(0, ImGui::GetFrameHeight());
  if (bad) ImGui::TableSetBgColor(ImGuiTableBgTarget_RowBg0, IM_COL32(250, 215, 215, 255));
  ImGui::TableNextColumn();
  ImGui::AlignTextToFramePadding();
  ImGui::TextDisabled("%d", i + 1);
  ImGui::TableNextColumn();
  ImGui::AlignTextToFramePadding();
  const char* type = L.kind == dl::LayerKind::Activation
                         ? (L.act == dl::Act::LeakyReLU ? "LeakyReLU" : L.act == dl::Act::ReLU ? "ReLU" : "Activation")
                         : dl::layer_kind_name(L.kind);
  if (!r.layer.empty()) ImGui::TextUnformatted(type);
  else ImGui::TextColored(bad ? kRed : ImVec4(0.45f, 0.45f, 0.45f, 1), "%s", type);
  if (!r.layer.empty() && ImGui::IsItemHovered()) ImGui::SetTooltip("Keras name: %s", r.layer.c_str());
  ImGui::TableNextColumn();
  if (layer_settings(s, L, i)) changed = true;
  ImGui::TableNextColumn();
  ImGui::AlignTextToFramePadding();
  if (!r.layer.empty()) ImGui::TextUnformatted(r.shape.c_str());
  else ImGui::TextColored(bad ? kRed : ImVec4(0.45f, 0.45f, 0.45f, 1), bad ? "impossible" : "–");
  ImGui::TableNextColumn();
  ImGui::AlignTextToFramePadding();
  if (!r.layer.empty()) ImGui::TextUnformatted(dl::with_commas((long long)r.params).c_str());
  ImGui::TableNextColumn();
  ImGui::BeginDisabled(i == 0);
  if (ImGui::SmallButton("↑")) *move_from = i, *move_to = i - 1;
  note_rect(s, ("builder.row" + std::to_string(i + 1) + ".up").c_str());
  ImGui::EndDisabled();
  if (ImGui::IsItemHovered(ImGuiHoveredFlags_AllowWhenDisabled)) ImGui::SetTooltip("Move up");
  ImGui::SameLine(0, 3);
  ImGui::BeginDisabled(i == n - 1);
  if (ImGui::SmallButton("↓")) *move_from = i, *move_to = i + 1;
  note_rect(s, ("builder.row" + std::to_string(i + 1) + ".down").c_str());
  ImGui::EndDisabled();
  if (ImGui::IsItemHovered(ImGuiHoveredFlags_AllowWhenDisabled)) ImGui::SetTooltip("Move down");
  ImGui::SameLine(0, 3);
  changed |= add_menu(s, i + 1);
  ImGui::SameLine(0, 3);
  ImGui::PushStyleColor(ImGuiCol_Text, kRed);
  if (ImGui::SmallButton("×")) *remove = i;
  ImGui::PopStyleColor();
  note_rect(s, ("builder.row" + std::to_string(i + 1) + ".remove").c_str());
  if (ImGui::IsItemHovered()) ImGui::SetTooltip("Remove this layer");
  if (bad) {  // the reason, right under the impossible layer
    ImGui::TableNextRow();
    ImGui::TableSetBgColor(ImGuiTableBgTarget_RowBg0, IM_COL32(250, 232, 232, 255));
    ImGui::TableNextColumn();
    ImGui::TableNextColumn();
    ImGui::TextColored(kRed, "↑ impossible:");
    ImGui::TableNextColumn();
    const size_t colon = ms.build_error.find(": ");
    error_text(colon == std::string::npos ? ms.build_error : ms.build_error.substr(colon + 2));
    note_rect(s, "builder.error");
  }
  ImGui::PopID();
  return changed;
}

static void builder_window(AppState& s) {
  const ImVec2 d = ImGui::GetIO().DisplaySize;
  const float fs = ImGui::GetFontSize();
  const ImVec2 size(std::min(d.x - 16, std::max(fs * 64, d.x * 0.9f)), std::min(d.y - 16, d.y * 0.86f));
  ImGui::SetNextWindowPos(ImVec2((d.x - size.x) * 0.5f, (d.y - size.y) * 0.5f), ImGuiCond_Appearing);
  ImGui::SetNextWindowSize(size, ImGuiCond_Appearing);
  // A modal window: it stays in front of the tiles until Done.
  if (!ImGui::IsPopupOpen("###Builder")) ImGui::OpenPopup("###Builder");
  if (!ImGui::BeginPopupModal("Model builder: edit the layers###Builder", &s.model.builder_open)) return;
  note_window(s, "builder.window");
  ModelState& ms = s.model;
  dl::ModelSpec& spec = ms.spec;
  const bool locked = run_in_progress(s);
  if (locked) ImGui::TextColored(ImVec4(0.70f, 0.35f, 0.05f, 1), "Training is running: stop it to change the network.");
  ImGui::BeginDisabled(locked);

  // On a phone the window is narrower than the table: the top line breaks, the table scrolls sideways.
  const bool narrow = ImGui::GetContentRegionAvail().x < fs * 50;
  ImGui::TextUnformatted("Start from");
  ImGui::SameLine();
  preset_combo(s, "##from", fs * 12, "builder.preset");
  if (!narrow) ImGui::SameLine(0, fs * 1.5f);
  ImGui::TextUnformatted("Input");
  ImGui::SameLine();
  int in = spec.input.flat ? 1 : 0;
  ImGui::SetNextItemWidth(fs * 11);
  if (ImGui::Combo("##input", &in, "image 28 × 28 × 1\0vector of 784\0")) {
    spec.input = in ? dl::Shape{1, 1, 784, true} : dl::Shape{28, 28, 1, false};
    spec_edited(s);
  }
  if (ImGui::IsItemHovered()) ImGui::SetTooltip("Convolutions need the image; a Dense-only network can take the 784 pixels as a vector");
  if (!narrow) ImGui::SameLine(0, fs * 1.5f);
  if (ms.build_error.empty()) totals_line(s, !narrow, true);
  else ImGui::TextColored(kRed, "impossible network: see the red row");

  // The layers: name (type), settings, output shape, params, move / insert / remove.
  bool changed = false;
  int move_from = -1, move_to = -1, remove = -1;
  const ImGuiTableFlags tf = ImGuiTableFlags_RowBg | ImGuiTableFlags_BordersInnerH | ImGuiTableFlags_BordersOuterH |
                             ImGuiTableFlags_ScrollY | ImGuiTableFlags_SizingFixedFit | (narrow ? ImGuiTableFlags_ScrollX : 0);
  const float footer = ImGui::GetFrameHeightWithSpacing() * 2.6f + (ms.build_error.empty() ? 0 : fs * 2.6f) +
                       (narrow ? fs * 2.8f : 0);  // the note under the table takes three lines on a phone
  if (ImGui::BeginTable("layers", 6, tf, ImVec2(0, std::max(fs * 8, ImGui::GetContentRegionAvail().y - footer)))) {
    ImGui::TableSetupScrollFreeze(0, 1);
    ImGui::TableSetupColumn("#", ImGuiTableColumnFlags_WidthFixed, fs * 1.6f);
    ImGui::TableSetupColumn("Layer", ImGuiTableColumnFlags_WidthFixed, fs * 8);
    if (narrow) ImGui::TableSetupColumn("Settings", ImGuiTableColumnFlags_WidthFixed, fs * 24);
    else ImGui::TableSetupColumn("Settings", ImGuiTableColumnFlags_WidthStretch);
    ImGui::TableSetupColumn("Output shape", ImGuiTableColumnFlags_WidthFixed, fs * 8.5f);
    ImGui::TableSetupColumn("Param #", ImGuiTableColumnFlags_WidthFixed, fs * 5.5f);
    ImGui::TableSetupColumn("", ImGuiTableColumnFlags_WidthFixed, fs * 5.6f);
    ImGui::TableHeadersRow();
    changed |= builder_input_row(s);
    const int n = int(spec.layers.size());
    for (int i = 0; i < n; ++i) changed |= builder_row(s, i, n, &move_from, &move_to, &remove);
    ImGui::EndTable();
  }
  if (move_from >= 0) std::swap(spec.layers[size_t(move_from)], spec.layers[size_t(move_to)]), changed = true;
  if (remove >= 0) spec.layers.erase(spec.layers.begin() + remove), changed = true;
  if (changed) spec_edited(s);

  if (!ms.build_error.empty() && ms.error_layer < 0) error_text("Impossible network: " + ms.build_error + ".");
  if (!ms.build_error.empty()) ImGui::TextColored(kRed, "Training stays off until this is fixed.");
  ImGui::EndDisabled();
  ImGui::PushTextWrapPos(0);
  ImGui::TextDisabled("Shapes and parameter counts follow every change. The last layer must be Dense with one "
                      "unit per digit (10) and softmax.");
  ImGui::PopTextWrapPos();
  if (ImGui::Button("Done", ImVec2(fs * 6, 0))) {
    ms.builder_open = false;
    ImGui::CloseCurrentPopup();
  }
  note_rect(s, "builder.done");
  ImGui::EndPopup();
}

}  // namespace app
