// The Data window's "Unusual images" window: for each digit, the training images farthest from that
// digit's average image (unusual handwriting, now and then a wrong label), and the pairs of digits
// whose images most often lie nearer the other digit's average than their own (dl::OutlierScan,
// a few milliseconds a frame). A click on an image says its label and how the current
// model (the draw pad's copy of the weights) reads it.
#include <algorithm>
#include <cmath>
#include <cstdio>

#include "app.h"
#include "platform/platform.h"

namespace app {

static constexpr int kAtypical = 12, kAtypicalCols = 6, kPairs = 3, kPairExamples = 8;
// The scan takes at most kScanBudgetMs of a frame, kScanStep images at a time.
static constexpr int kScanStep = 300;
static constexpr double kScanBudgetMs = 4;

// The scan of the training images in use: begun afresh when they change, a step each frame until done.
static void scan_step(AppState& s) {
  OutliersView& v = s.outliers;
  const dl::Dataset& d = data_train(s);
  if (v.generation != s.data.generation) {  // data_make_views counts every change of the data in use
    v.generation = s.data.generation;
    v.ready = false;
    v.picked = -1;
    v.tex_digit = -1;
    v.scan = std::make_unique<dl::OutlierScan>(d, kAtypical, kPairs, kPairExamples);
  }
  if (v.ready) return;
  const double t0 = platform::now_ms();
  do v.scan->step(kScanStep);
  while (!v.scan->done() && platform::now_ms() - t0 < kScanBudgetMs);
  if (!v.scan->done()) return;
  v.result = v.scan->result();
  v.scan.reset();
  v.ready = true;
  static const uint8_t blank[28 * 28] = {};  // the tile of a pair with fewer examples
  std::vector<const uint8_t*> imgs;
  for (const dl::ClassOutliers::Pair& p : v.result.pairs)
    for (int j = 0; j < kPairExamples; ++j) imgs.push_back(j < int(p.examples.size()) ? d.image(p.examples[size_t(j)]) : blank);
  texture_image_grid(&v.pairs_tex, imgs, 28, 28, kPairExamples, kPairs, true);
}

// Images as a grid of tiles (tex, cols × rows), `items` the training image of each; hovering one
// says which it is, a click picks it. key names the grid's rectangle for the tests.
static void image_grid(AppState& s, const char* key, const Texture& tex, const std::vector<int>& items, int cols,
                       int rows, int row0, int nrows, float cell, const std::vector<double>* distance = nullptr) {
  OutliersView& v = s.outliers;
  const dl::Dataset& d = data_train(s);
  const ImVec2 p0 = ImGui::GetCursorScreenPos();
  ImDrawList* dl = ImGui::GetWindowDrawList();
  const float ncols = float(std::min<size_t>(cols, items.size()));
  draw_image(dl, tex, p0, ImVec2(p0.x + cell * cols, p0.y + cell * nrows), ImageMode::Ink,
             ImVec2(0, float(row0) / rows), ImVec2(1, float(row0 + nrows) / rows));
  for (size_t i = 0; i < items.size(); ++i) {
    const ImVec2 c(p0.x + (i % cols) * cell, p0.y + (i / cols) * cell);
    const bool picked = items[i] == v.picked;
    dl->AddRect(c, ImVec2(c.x + cell, c.y + cell), picked ? IM_COL32(230, 60, 40, 255) : IM_COL32(215, 218, 224, 255), 0, 0,
                picked ? 2.0f : 1.0f);
  }
  ImGui::Dummy(ImVec2(cell * std::max(1.0f, ncols), cell * nrows));
  note_rect(s, key);
  const ImVec2 m = ImGui::GetIO().MousePos;
  if (!ImGui::IsItemHovered()) return;
  const int i = int((m.y - p0.y) / cell) * cols + int((m.x - p0.x) / cell);
  if (i < 0 || i >= int(items.size()) || int((m.x - p0.x) / cell) >= cols) return;
  const int idx = items[size_t(i)];
  if (distance)
    ImGui::SetTooltip("training image %s, labelled %d\n%.1f grey levels from the average %d (root mean square)\n"
                      "click: how the model reads it",
                      dl::with_commas(idx).c_str(), d.labels[size_t(idx)], (*distance)[size_t(i)], d.labels[size_t(idx)]);
  else
    ImGui::SetTooltip("training image %s, labelled %d\nclick: how the model reads it", dl::with_commas(idx).c_str(),
                      d.labels[size_t(idx)]);
  if (ImGui::IsMouseClicked(0)) v.picked = idx;
}

// The picked image's label, and the current model's reading of it (made again when the weights change).
static void picked_line(AppState& s) {
  OutliersView& v = s.outliers;
  const dl::Dataset& d = data_train(s);
  if (v.picked < 0 || v.picked >= d.n) {
    ImGui::TextDisabled("Click an image: its label, and how the current model reads it.");
    return;
  }
  // Its own copy of the pad's weights: a forward pass on the pad's model would leave this image in its
  // layers, where the Model window's maps of the drawn digit read them.
  dl::Model& m = v.model;
  if (v.read_version != s.draw.version || v.read_index != v.picked) {
    if (v.read_version != s.draw.version) m = s.draw.model;
    v.read_version = s.draw.version;
    v.read_index = v.picked;
    v.read_pred = -1;
    if (m.built() && dl::model_fits_data(m, d).ok()) {
      float x[28 * 28];
      const uint8_t* img = d.image(v.picked);
      for (int p = 0; p < 784; ++p) x[p] = float(img[p]) * (1.0f / 255.0f);
      const float* prob = m.forward(x, 1, false);
      const int K = std::min(10, m.classes());
      v.read_pred = int(std::max_element(prob, prob + K) - prob);
      v.read_prob = prob[v.read_pred];
    }
  }
  const int label = d.labels[size_t(v.picked)];
  std::string t = "Training image " + dl::with_commas(v.picked) + ": labelled " + class_name(s, label) + ". ";
  if (v.read_pred < 0) {
    t += "Train a network or load a model file to see how it reads it.";
  } else {
    char b[160];
    std::snprintf(b, sizeof b, "The current model (%s) reads %s (%.0f%%)%s", m.spec().name.c_str(),
                  class_name(s, v.read_pred).c_str(), 100.0 * v.read_prob, v.read_pred == label ? "." : ": not its label.");
    t += b;
  }
  ImGui::TextWrapped("%s", t.c_str());
  note_rect(s, "outliers.picked");
}

static void window_body(AppState& s) {
  OutliersView& v = s.outliers;
  const dl::Dataset& d = data_train(s);
  const float fs = ImGui::GetFontSize();
  const char* kind = class_noun(s);
  if (!v.ready) {
    ImGui::TextWrapped("Comparing each of the %s training images with the average image of every %s…",
                       dl::with_commas(d.n).c_str(), kind);
    ImGui::ProgressBar(v.scan ? v.scan->progress() : 0.0f, ImVec2(-1, 0));
    return;
  }
  ImGui::TextWrapped("The training images farthest from their %s's average image: %s, and now and then a wrong label.",
                     kind, s.data.fashion ? "unusual pictures" : "unusual handwriting");
  // The digits as a row of buttons, the chosen one pressed (ten radio buttons would not fit).
  const float bw = std::floor(std::min(fs * 1.8f, (ImGui::GetContentRegionAvail().x - 9 * ImGui::GetStyle().ItemSpacing.x) / 10));
  for (int k = 0; k < 10; ++k) {
    char b[8], key[24];
    std::snprintf(b, sizeof b, "%d", k);
    std::snprintf(key, sizeof key, "outliers.digit.%d", k);
    if (k) ImGui::SameLine();
    const bool chosen = v.digit == k;
    if (chosen) ImGui::PushStyleColor(ImGuiCol_Button, ImGui::GetStyleColorVec4(ImGuiCol_ButtonActive));
    if (ImGui::Button(b, ImVec2(bw, 0))) v.digit = k;
    if (chosen) ImGui::PopStyleColor();
    if (s.data.fashion && ImGui::IsItemHovered()) ImGui::SetTooltip("%s", class_name(s, k).c_str());
    note_rect(s, key);
  }
  const std::vector<int>& items = v.result.atypical[size_t(v.digit)];
  if (v.tex_digit != v.digit) {
    std::vector<const uint8_t*> imgs;
    for (int i : items) imgs.push_back(d.image(i));
    texture_image_grid(&v.atypical_tex, imgs, 28, 28, kAtypicalCols, kAtypical / kAtypicalCols, true);
    v.tex_digit = v.digit;
  }
  const float cell = std::floor(std::min(fs * 3.4f, ImGui::GetContentRegionAvail().x / kAtypicalCols));
  const int rows = kAtypical / kAtypicalCols;
  image_grid(s, "outliers.atypical", v.atypical_tex, items, kAtypicalCols, rows, 0, rows, cell,
             &v.result.distance[size_t(v.digit)]);
  ImGui::Spacing();
  ImGui::TextWrapped("The %ss most mixed up: images nearer the other %s's average than their own.", kind, kind);
  const float pcell = std::floor(std::min(fs * 2.4f, ImGui::GetContentRegionAvail().x / kPairExamples));
  int row = 0;
  for (const dl::ClassOutliers::Pair& p : v.result.pairs) {
    ImGui::Text("%s and %s: %s images", class_name(s, p.a).c_str(), class_name(s, p.b).c_str(), dl::with_commas(p.count).c_str());
    char key[32];
    std::snprintf(key, sizeof key, "outliers.pair.%d", row);
    image_grid(s, key, v.pairs_tex, p.examples, kPairExamples, kPairs, row, 1, pcell);
    ++row;
  }
  ImGui::Spacing();
  picked_line(s);
}

void outliers_window(AppState& s, float left_x, float top) {
  OutliersView& v = s.outliers;
  v.shown = false;
  if (!v.open) return;
  if (s.data.phase != DataPhase::Ready || data_train(s).n == 0) return;
  scan_step(s);
  // Right of the Data window; centred on a narrow page.
  const ImVec2 ds = ImGui::GetIO().DisplaySize;
  const float fs = ImGui::GetFontSize(), w = fs * 24;
  const bool beside = left_x + w < ds.x;  // else centred
  const ImVec2 size(std::min(w, ds.x * 0.95f), std::min(fs * 36, ds.y * 0.9f));
  if (begin_floating(s, "Unusual images###outliers", "outliers", beside ? ImVec2(left_x + fs * 0.5f, top + fs * 2) : ImVec2(ds.x * 0.5f, ds.y * 0.5f),
                     beside ? ImVec2(0, 0) : ImVec2(0.5f, 0.5f), size, &v.focus, &v.open)) {
    v.shown = true;
    window_body(s);
  }
  ImGui::End();
}

}  // namespace app
