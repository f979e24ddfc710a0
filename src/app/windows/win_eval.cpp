// The Evaluation window: test accuracy, the confusion-matrix heatmap (rows true, columns
// predicted, counts in the cells; a click on a cell opens its test images), and the
// classification report; or, against the previous run, both as differences.
#include <algorithm>
#include <cmath>
#include <cstdio>

#include "app.h"

namespace app {

// Log scale: the few mistakes stay visible next to the thousand correct answers on the diagonal.
static float heat_value(int64_t count, int64_t max) {
  return max > 0 ? float(std::log1p(double(count)) / std::log1p(double(max))) : 0.0f;
}

// Whether the Evaluation window can show differences from the previous run: both were tested.
static bool can_diff(const Snapshot& sn) {
  return sn.has_eval && sn.previous.has_confusion() && sn.previous.confusion.k == sn.confusion.k;
}
static bool diff_shown(const AppState& s) { return s.ui.eval_diff && can_diff(s.snap); }

std::string report_row_name(const AppState& s, int k) {
  return s.data.fashion ? class_name(s, k) : "digit " + class_name(s, k);
}
const char* predicted_axis_title(const AppState& s) { return s.data.fashion ? "predicted class" : "predicted digit"; }

// Class k in a sentence: "a 7", or Fashion-MNIST's "Ankle boot".
static std::string a_class(const AppState& s, int k) { return s.data.fashion ? class_name(s, k) : "a " + class_name(s, k); }

// The frame of a K × K matrix whose top-left corner of the whole drawing is p: the axis titles and
// the digits along both axes. Returns the matrix's top-left corner.
static ImVec2 matrix_frame(const AppState& s, ImDrawList* dl, ImVec2 p, float side, int K) {
  const float fs = ImGui::GetFontSize();
  const float lab = fs * 1.6f, head = fs * 2.6f;
  const ImVec2 a(p.x + lab + fs * 1.2f, p.y + head);
  const float cell = side / K;
  const ImU32 text = ImGui::GetColorU32(ImGuiCol_Text), dim = IM_COL32(100, 105, 115, 255);
  const char* ptitle = predicted_axis_title(s);
  dl->AddText(ImVec2(a.x + (side - ImGui::CalcTextSize(ptitle).x) * 0.5f, p.y), dim, ptitle);
  // "true digit" written vertically, one letter per line, would be hard to read: use a short label.
  dl->AddText(ImVec2(p.x, a.y - fs * 1.3f), dim, "true");
  char t[24];
  for (int k = 0; k < K; ++k) {
    std::snprintf(t, sizeof t, "%d", k);
    const ImVec2 ts = ImGui::CalcTextSize(t);
    dl->AddText(ImVec2(a.x + (k + 0.5f) * cell - ts.x * 0.5f, a.y - fs * 1.2f), text, t);
    dl->AddText(ImVec2(a.x - ts.x - fs * 0.5f, a.y + (k + 0.5f) * cell - ts.y * 0.5f), text, t);
  }
  return a;
}

// The cell (i, j) of the K × K matrix drawn from a to b that the pointer is over, if any.
static bool hovered_cell(ImVec2 a, ImVec2 b, int K, int* i, int* j) {
  const ImVec2 m = ImGui::GetIO().MousePos;
  if (!ImGui::IsWindowHovered() || m.x < a.x || m.x >= b.x || m.y < a.y || m.y >= b.y) return false;
  *i = std::clamp(int((m.y - a.y) / (b.y - a.y) * K), 0, K - 1);
  *j = std::clamp(int((m.x - a.x) / (b.x - a.x) * K), 0, K - 1);
  return true;
}

// A count centred in cell (i, j), scaled down to fit.
static void cell_text(ImDrawList* dl, ImVec2 a, float cell, int i, int j, const char* t, ImU32 col) {
  const float fs = ImGui::GetFontSize();
  const ImVec2 ts = ImGui::CalcTextSize(t);
  const float scale = std::min(1.0f, cell * 0.92f / std::max(1.0f, ts.x));
  dl->AddText(ImGui::GetFont(), fs * scale,
              ImVec2(a.x + (j + 0.5f) * cell - ts.x * scale * 0.5f, a.y + (i + 0.5f) * cell - ts.y * scale * 0.5f), col, t);
}

// This run's matrix minus the previous run's: a cell that changed for the better (more images read
// right on the diagonal, fewer mistakes off it) in green, for the worse in red, deeper for larger
// changes (log scale), with the signed count; unchanged cells are blank.
static void diff_heatmap(AppState& s, float side) {
  const dl::Confusion &c = s.snap.confusion, &q = s.snap.previous.confusion;
  const int K = c.k;
  int64_t mx = 0;
  for (size_t i = 0; i < c.m.size(); ++i) mx = std::max<int64_t>(mx, std::llabs(c.m[i] - q.m[i]));
  const float fs = ImGui::GetFontSize();
  const ImVec2 p = ImGui::GetCursorScreenPos();
  ImDrawList* dl = ImGui::GetWindowDrawList();
  const ImVec2 a = matrix_frame(s, dl, p, side, K), b(a.x + side, a.y + side);
  const float cell = side / K;
  dl->AddRectFilled(a, b, IM_COL32(250, 250, 252, 255));
  char t[24];
  for (int i = 0; i < K; ++i)
    for (int j = 0; j < K; ++j) {
      const long long d = (long long)(c.at(i, j) - q.at(i, j));
      if (d == 0) continue;
      const bool better = (i == j) == (d > 0);
      const float h = 0.3f + 0.7f * heat_value(std::llabs(d), mx);
      const ImVec2 c0(a.x + j * cell, a.y + i * cell);
      const ImU32 fill = better ? IM_COL32(30, 150, 70, int(255 * h)) : IM_COL32(210, 50, 40, int(255 * h));
      dl->AddRectFilled(c0, ImVec2(c0.x + cell, c0.y + cell), fill);
      std::snprintf(t, sizeof t, "%+lld", d);
      cell_text(dl, a, cell, i, j, t, h > 0.55f ? IM_COL32(255, 255, 255, 255) : IM_COL32(20, 20, 30, 255));
    }
  dl->AddRect(a, b, IM_COL32(120, 125, 135, 255));
  ImGui::Dummy(ImVec2(b.x - p.x, b.y - p.y + fs * 0.3f));
  note_rect(s, "evaluation.confusion", a, b);
  int i, j;
  if (hovered_cell(a, b, K, &i, &j)) {
    const long long now = (long long)c.at(i, j), before = (long long)q.at(i, j);
    if (i == j) ImGui::SetTooltip("images of %s read correctly: %lld now, %lld in the previous run", a_class(s, i).c_str(), now, before);
    else ImGui::SetTooltip("images of %s read as %s: %lld now, %lld in the previous run", a_class(s, i).c_str(),
                           a_class(s, j).c_str(), now, before);
  }
}

static void heatmap(AppState& s, float side) {
  const dl::Confusion& c = s.snap.confusion;
  const int K = c.k;
  int64_t mx = 0;
  for (int64_t v : c.m) mx = std::max(mx, v);
  if (s.confusion_version != s.snap.eval_version) {
    std::vector<uint8_t> px(size_t(K) * K);
    for (int i = 0; i < K * K; ++i) px[size_t(i)] = uint8_t(std::lround(255 * heat_value(c.m[size_t(i)], mx)));
    texture_r8(&s.confusion_tex, K, K, px.data(), false);
    s.confusion_version = s.snap.eval_version;
  }
  const float fs = ImGui::GetFontSize();
  const ImVec2 p = ImGui::GetCursorScreenPos();
  ImDrawList* dl = ImGui::GetWindowDrawList();
  const ImVec2 a = matrix_frame(s, dl, p, side, K), b(a.x + side, a.y + side);
  const float cell = side / K;
  draw_image(dl, s.confusion_tex, a, b, ImageMode::Heat);
  char t[24];
  // Counts in the cells, scaled down where they do not fit.
  for (int i = 0; i < K; ++i)
    for (int j = 0; j < K; ++j) {
      const int64_t v = c.at(i, j);
      if (v == 0) continue;
      std::snprintf(t, sizeof t, "%lld", (long long)v);
      cell_text(dl, a, cell, i, j, t, heat_value(v, mx) > 0.62f ? IM_COL32(20, 20, 30, 255) : IM_COL32(255, 255, 255, 255));
    }
  dl->AddRect(a, b, IM_COL32(120, 125, 135, 255));
  if (s.cell.truth >= 0 && s.cell.truth < K && s.cell.predicted < K) {  // the cell whose images are open
    const ImVec2 c0(a.x + s.cell.predicted * cell, a.y + s.cell.truth * cell);
    dl->AddRect(c0, ImVec2(c0.x + cell, c0.y + cell), IM_COL32(230, 60, 40, 255), 0, 0, std::max(2.0f, fs * 0.15f));
  }
  ImGui::Dummy(ImVec2(b.x - p.x, b.y - p.y + fs * 0.3f));
  note_rect(s, "evaluation.confusion", a, b);
  // Hover: what the cell means, in words.
  int i, j;
  if (hovered_cell(a, b, K, &i, &j)) {
    const long long v = (long long)c.at(i, j);
    const char* more = v > 0 ? "\nclick to see them" : "";
    if (i == j) ImGui::SetTooltip("%lld images of %s were read correctly%s", v, a_class(s, i).c_str(), more);
    else ImGui::SetTooltip("%lld images of %s were read as %s%s", v, a_class(s, i).c_str(), a_class(s, j).c_str(), more);
    if (v > 0 && ImGui::IsMouseClicked(0)) {
      s.cell.truth = i;
      s.cell.predicted = j;
      s.cell.run = s.cell.version = ~0ull;  // pick the images again
      s.cell.focus = true;
    }
  }
}

// scikit-learn's classification report; against the previous run, with a column of the change in
// each row's f1-score.
static void report(AppState& s) {
  const dl::Report& r = s.snap.report;
  const bool diff = diff_shown(s);
  const dl::Report before = diff ? dl::report_from_confusion(s.snap.previous.confusion) : dl::Report();
  const ImGuiTableFlags tf = ImGuiTableFlags_RowBg | ImGuiTableFlags_BordersInnerH | ImGuiTableFlags_BordersOuterH |
                             ImGuiTableFlags_SizingStretchSame | ImGuiTableFlags_ScrollY;
  if (!ImGui::BeginTable("report", diff ? 6 : 5, tf, ImVec2(0, ImGui::GetContentRegionAvail().y))) return;
  ImGui::TableSetupScrollFreeze(0, 1);
  // scikit-learn's headers, or shorter ones where they would not fit (a 1024 × 768 projector).
  const float pad = 2 * ImGui::GetStyle().CellPadding.x, label = ImGui::CalcTextSize("weighted avg").x + pad;
  auto col = [&](const char* h) { return std::max(ImGui::CalcTextSize(h).x, ImGui::CalcTextSize("0.0000").x) + pad; };
  const bool full = label + col("precision") + col("recall") + col("f1-score") + col("support") +
                    (diff ? col("f1 change") : 0) <= ImGui::GetContentRegionAvail().x;
  ImGui::TableSetupColumn("", ImGuiTableColumnFlags_WidthFixed, label - pad);  // its longest name
  ImGui::TableSetupColumn(full ? "precision" : "prec.", ImGuiTableColumnFlags_WidthStretch, 1.0f);
  ImGui::TableSetupColumn("recall", ImGuiTableColumnFlags_WidthStretch, 1.0f);
  ImGui::TableSetupColumn(full ? "f1-score" : "f1", ImGuiTableColumnFlags_WidthStretch, 1.0f);
  ImGui::TableSetupColumn("support", ImGuiTableColumnFlags_WidthStretch, 1.0f);
  if (diff) ImGui::TableSetupColumn(full ? "f1 change" : "Δ f1", ImGuiTableColumnFlags_WidthStretch, 1.0f);
  ImGui::TableHeadersRow();
  auto row = [diff](const char* name, const dl::ClassScores& c, const dl::ClassScores& was, bool only_f1 = false) {
    ImGui::TableNextRow();
    ImGui::TableNextColumn();
    ImGui::TextUnformatted(name);
    ImGui::TableNextColumn();
    if (!only_f1) ImGui::Text("%.4f", c.precision);
    ImGui::TableNextColumn();
    if (!only_f1) ImGui::Text("%.4f", c.recall);
    ImGui::TableNextColumn();
    ImGui::Text("%.4f", c.f1);
    ImGui::TableNextColumn();
    ImGui::Text("%s", dl::with_commas((long long)c.support).c_str());
    if (!diff) return;
    ImGui::TableNextColumn();
    const double d = c.f1 - was.f1;
    const bool zero = std::fabs(d) < 5e-5;
    ImGui::PushStyleColor(ImGuiCol_Text, zero ? ImVec4(0.45f, 0.47f, 0.50f, 1)
                                        : d > 0 ? ImVec4(0.1f, 0.5f, 0.2f, 1) : ImVec4(0.75f, 0.15f, 0.1f, 1));
    ImGui::Text(zero ? "0" : "%+.4f", d);
    ImGui::PopStyleColor();
  };
  const dl::ClassScores none;
  for (size_t k = 0; k < r.classes.size(); ++k) {
    const std::string name = report_row_name(s, int(k));
    row(name.c_str(), r.classes[k], k < before.classes.size() ? before.classes[k] : none);
  }
  dl::ClassScores acc, acc_before;
  acc.f1 = r.accuracy;
  acc.support = r.macro.support;
  acc_before.f1 = before.accuracy;
  row("accuracy", acc, acc_before, true);
  row("macro avg", r.macro, before.macro);
  row("weighted avg", r.weighted, before.weighted);
  ImGui::EndTable();
}

// The switch between this run's results and their difference from the previous run's.
static void diff_switch(AppState& s) {
  const Snapshot& sn = s.snap;
  if (!can_diff(sn)) return;
  ImGui::SameLine();
  ImGui::Checkbox("Difference from the previous run", &s.ui.eval_diff);
  note_rect(s, "evaluation.diff");
  if (ImGui::IsItemHovered()) {
    const PreviousRun& p = sn.previous;
    ImGui::SetTooltip("The previous run: %s, %.2f%% on the test set.\nThe matrix shows this run's counts minus its "
                      "counts: green where this run is better\n(more read right on the diagonal, fewer mistakes off "
                      "it), red where it is worse.",
                      p.model_name.c_str(), 100 * p.test_accuracy);
  }
}

void window_evaluation(AppState& s) {
  char title[96];  // the test set's size: 10,000 for MNIST, other for the user's own data
  std::snprintf(title, sizeof title, s.data.fashion ? "Evaluation on the %s test images###Evaluation"
                                                     : "Evaluation on the %s test digits###Evaluation",
                dl::with_commas(data_test(s).n > 0 ? data_test(s).n : 10000).c_str());
  begin_tile(s, kPaneResults, title);
  const Snapshot& sn = s.snap;
  if (sn.has_eval) {
    ImGui::PushFont(ImGui::GetFont());
    ImGui::SetWindowFontScale(1.35f);
    ImGui::Text("Test accuracy %.2f%%", 100.0 * sn.test_accuracy);
    ImGui::SetWindowFontScale(1.0f);
    ImGui::PopFont();
    note_rect(s, "evaluation.accuracy");
    ImGui::SameLine();
    ImGui::TextDisabled("loss %.4f", sn.test_loss);
    if (diff_shown(s)) {
      ImGui::SameLine();
      const double d = 100 * (sn.test_accuracy - sn.previous.test_accuracy);
      ImGui::TextColored(d >= 0 ? ImVec4(0.1f, 0.5f, 0.2f, 1) : ImVec4(0.75f, 0.15f, 0.1f, 1), "%+.2f points", d);
      note_rect(s, "evaluation.accuracy_change");
    }
  } else {
    const char* what = s.data.fashion ? "images" : "digits";
    ImGui::TextWrapped("After training, the network reads the %s test %s it has never seen. "
                       "Here you will see how many it gets right, and which %s it mixes up.",
                       dl::with_commas(data_test(s).n > 0 ? data_test(s).n : 10000).c_str(), what,
                       s.data.fashion ? "classes" : "digits");
  }
  if (sn.evaluating) {
    ImGui::ProgressBar(sn.eval_progress, ImVec2(-1, 0), s.data.fashion ? "reading the test images…" : "reading the test digits…");
  } else {
    ImGui::BeginDisabled(!sn.has_model || sn.phase == dl::TrainPhase::Running);
    if (ImGui::Button("Evaluate now")) trainer(s).evaluate();
    note_rect(s, "evaluation.evaluate");
    ImGui::EndDisabled();
    diff_switch(s);
    if (sn.has_model) {
      same_line_if_fits(button_width("How robust is it?"));
      if (ImGui::Button("How robust is it?")) open_robust(s);
      note_rect(s, "evaluation.robust");
      hint("The test accuracy as the test images are turned, moved, resized and made noisy.");
    }
  }
  if (sn.has_eval) {
    const ImVec2 avail = ImGui::GetContentRegionAvail();
    const float fs = ImGui::GetFontSize();
    // The matrix above the report, or beside it in a window much wider than tall (a phone turned).
    const bool beside = avail.x > avail.y * 1.6f;
    const float side = beside ? std::max(fs * 8, std::min(avail.y - fs * 3.2f, avail.x * 0.45f))
                              : std::max(fs * 8, std::min(avail.x - fs * 4, avail.y * 0.50f));
    ImGui::BeginGroup();
    if (diff_shown(s)) diff_heatmap(s, std::floor(side));
    else heatmap(s, std::floor(side));
    ImGui::EndGroup();
    if (beside) ImGui::SameLine();
    report(s);
  }
  const float left = ImGui::GetWindowPos().x, top = ImGui::GetWindowPos().y;
  ImGui::End();
  cell_window(s, left, top);
}

static constexpr int kCellMax = 120, kCellCols = 12;

// Picks the cell's images from the last evaluation and lays them out as one texture.
static void pick_cell_images(CellView& v, const Snapshot& sn, const dl::Dataset& d) {
  v.items = dl::cell_examples(d.labels.data(), sn.test_pred.data(), sn.test_prob.data(), d.n, v.truth, v.predicted,
                              kCellMax, &v.total);
  v.run = sn.run;
  v.version = sn.eval_version;
  if (v.items.empty()) return;
  const int n = int(v.items.size()), cols = std::min(n, kCellCols);
  std::vector<const uint8_t*> imgs;
  for (int i : v.items) imgs.push_back(d.image(i));
  texture_image_grid(&v.tex, imgs, d.rows, d.cols, cols, (n + cols - 1) / cols, true);
}

// What the window shows, in a sentence: "48 test images of a 7 were read as a 9, the ones the network
// was surest about first. …"
static void cell_heading(const AppState& s, const CellView& v) {
  const bool right = v.truth == v.predicted;
  const int n = int(v.items.size());
  const std::string total = dl::with_commas(v.total);
  char head[128], order[128];
  if (right) std::snprintf(head, sizeof head, "%s test image%s of %s %s read correctly", total.c_str(),
                           v.total == 1 ? "" : "s", a_class(s, v.truth).c_str(), v.total == 1 ? "was" : "were");
  else std::snprintf(head, sizeof head, "%s test image%s of %s %s read as %s", total.c_str(), v.total == 1 ? "" : "s",
                     a_class(s, v.truth).c_str(), v.total == 1 ? "was" : "were", a_class(s, v.predicted).c_str());
  const char* most = right ? "least sure" : "surest";
  if (n == 1) std::snprintf(order, sizeof order, ".");
  else if (n < v.total) std::snprintf(order, sizeof order, "; here are the %d the network was %s about, %s first.", n, most, most);
  else std::snprintf(order, sizeof order, ", the ones the network was %s about first.", most);
  ImGui::PushTextWrapPos(0);
  ImGui::Text("%s%s Under %s, how sure the network was of its %sanswer.%s", head, order, n == 1 ? "it" : "each",
              right ? "" : "wrong ", right ? "" : n == 1 ? " Would you have read it right?" : " Would you have read them right?");
  ImGui::PopTextWrapPos();
}

// One image of the cell larger, with its index and how sure the network was, under the mouse.
static void cell_tooltip(const AppState& s, const CellView& v, const dl::Dataset& d, int k, int acols, int arows) {
  const Snapshot& sn = s.snap;
  const int i = v.items[size_t(k)];
  ImGui::BeginTooltip();
  const std::string what = v.truth == v.predicted ? "read correctly" : "read as " + a_class(s, v.predicted);
  ImGui::Text("test image %s of %s: %s, %s (%.1f%% sure)", dl::with_commas(i + 1).c_str(), dl::with_commas(d.n).c_str(),
              a_class(s, v.truth).c_str(), what.c_str(), 100.0 * sn.test_prob[size_t(i)]);
  const float side = ImGui::GetFontSize() * 9;
  const ImVec2 p = ImGui::GetCursorScreenPos();
  ImVec2 uv0, uv1;
  grid_uv(acols, arows, k, &uv0, &uv1);
  draw_image(ImGui::GetWindowDrawList(), v.tex, p, ImVec2(p.x + side, p.y + side), ImageMode::Ink, uv0, uv1);
  ImGui::Dummy(ImVec2(side, side));
  ImGui::EndTooltip();
}

// The cell's images as many across as fit, each with how sure the network was under it.
static void cell_grid(AppState& s, const dl::Dataset& d) {
  const CellView& v = s.cell;
  const Snapshot& sn = s.snap;
  const int n = int(v.items.size());
  const float fs = ImGui::GetFontSize();
  // The texture holds the images kCellCols across (acols × arows); on screen, as many across as fit.
  const float gap = std::round(fs * 0.5f);
  const int acols = std::min(n, kCellCols), arows = (n + acols - 1) / acols;
  const float avail = ImGui::GetContentRegionAvail().x;
  const float tile = std::floor(std::clamp((avail - gap * (kCellCols - 1)) / kCellCols, fs * 2.5f, fs * 6));
  const int cols = std::clamp(int((avail + gap) / (tile + gap)), 1, acols), rows = (n + cols - 1) / cols;
  const float row_h = tile + fs * 1.3f + gap;
  ImDrawList* dl = ImGui::GetWindowDrawList();
  const ImVec2 p0 = ImGui::GetCursorScreenPos();
  const ImU32 text = ImGui::GetColorU32(ImGuiCol_Text);
  int hovered = -1;
  char pct[16];
  for (int k = 0; k < n; ++k) {
    const ImVec2 a(p0.x + (k % cols) * (tile + gap), p0.y + (k / cols) * row_h), b(a.x + tile, a.y + tile);
    ImVec2 uv0, uv1;
    grid_uv(acols, arows, k, &uv0, &uv1);
    draw_image(dl, v.tex, a, b, ImageMode::Ink, uv0, uv1);
    dl->AddRect(a, b, IM_COL32(170, 175, 185, 255));
    std::snprintf(pct, sizeof pct, "%.0f%%", 100.0 * sn.test_prob[size_t(v.items[size_t(k)])]);
    const float tw = ImGui::CalcTextSize(pct).x;
    dl->AddText(ImVec2(a.x + (tile - tw) * 0.5f, b.y + fs * 0.1f), text, pct);
    if (ImGui::IsWindowHovered() && ImGui::IsMouseHoveringRect(a, b)) hovered = k;
  }
  ImGui::Dummy(ImVec2(cols * (tile + gap) - gap, rows * row_h));
  note_rect(s, "evaluation.cell.grid", p0, ImVec2(p0.x + cols * (tile + gap) - gap, p0.y + rows * row_h));
  if (hovered >= 0) cell_tooltip(s, v, d, hovered, acols, arows);
}

void cell_window(AppState& s, float right_x, float top) {
  CellView& v = s.cell;
  if (v.truth < 0) return;
  const Snapshot& sn = s.snap;
  const dl::Dataset& d = data_test(s);
  // Only while the numbers it explains are on screen: a new run, or other data, closes it.
  if (!sn.has_eval || int(sn.test_pred.size()) != d.n || int(d.labels.size()) != d.n || v.truth >= sn.confusion.k ||
      v.predicted >= sn.confusion.k) {
    v.truth = -1;
    return;
  }
  if (v.run != sn.run || v.version != sn.eval_version) pick_cell_images(v, sn, d);

  // Left of the Evaluation window, so that the matrix stays in view for the next click; in front again
  // when another cell is clicked while it is open.
  const ImVec2 ds = ImGui::GetIO().DisplaySize;
  const float fs = ImGui::GetFontSize(), w = std::min(fs * 44, right_x - fs);
  const bool wide = w >= fs * 20;  // else a narrow page: centred
  char title[96];
  if (v.truth == v.predicted)
    std::snprintf(title, sizeof title, "Test images of %s read correctly###cell", a_class(s, v.truth).c_str());
  else
    std::snprintf(title, sizeof title, "Test images of %s read as %s###cell", a_class(s, v.truth).c_str(),
                  a_class(s, v.predicted).c_str());
  bool open = true;
  if (begin_floating(s, title, "evaluation.cell", wide ? ImVec2(right_x - fs * 0.5f, top + fs * 2) : ImVec2(ds.x * 0.5f, ds.y * 0.5f),
                     wide ? ImVec2(1, 0) : ImVec2(0.5f, 0.5f), ImVec2(wide ? w : ds.x * 0.9f, ds.y * 0.75f), &v.focus,
                     &open)) {
    v.shown = true;
    const ImVec2 wp = ImGui::GetWindowPos(), ws = ImGui::GetWindowSize();
    {  // where ImGui puts the title bar's close button (for tests that press it)
      const ImGuiStyle& st = ImGui::GetStyle();
      const float f = ImGui::GetFontSize(), x1 = wp.x + ws.x - st.FramePadding.x;
      note_rect(s, "evaluation.cell.close", ImVec2(x1 - f, wp.y + st.FramePadding.y), ImVec2(x1, wp.y + st.FramePadding.y + f));
    }
    cell_heading(s, v);
    ImGui::Spacing();
    cell_grid(s, d);
  }
  ImGui::End();
  if (!open) v.truth = -1;
}

}  // namespace app
