// The Evaluation window: test accuracy, the confusion-matrix heatmap (rows true, columns
// predicted, counts in the cells; a click on a cell opens its test images), and the
// classification report.
#include <algorithm>
#include <cmath>
#include <cstdio>

#include "app.h"

namespace app {

// Log scale: the few mistakes stay visible next to the thousand correct answers on the diagonal.
static float heat_value(int64_t count, int64_t max) {
  return max > 0 ? float(std::log1p(double(count)) / std::log1p(double(max))) : 0.0f;
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
  const float lab = fs * 1.6f, head = fs * 2.6f;
  const ImVec2 a(p.x + lab + fs * 1.2f, p.y + head), b(a.x + side, a.y + side);
  const float cell = side / K;
  ImDrawList* dl = ImGui::GetWindowDrawList();
  const ImU32 text = ImGui::GetColorU32(ImGuiCol_Text), dim = IM_COL32(100, 105, 115, 255);
  const char* ptitle = "predicted digit";
  dl->AddText(ImVec2(a.x + (side - ImGui::CalcTextSize(ptitle).x) * 0.5f, p.y), dim, ptitle);
  // "true digit" written vertically, one letter per line, would be hard to read: use a short label.
  dl->AddText(ImVec2(p.x, a.y - fs * 1.3f), dim, "true");
  draw_image(dl, s.confusion_tex, a, b, ImageMode::Heat);
  char t[24];
  for (int k = 0; k < K; ++k) {
    std::snprintf(t, sizeof t, "%d", k);
    const ImVec2 ts = ImGui::CalcTextSize(t);
    dl->AddText(ImVec2(a.x + (k + 0.5f) * cell - ts.x * 0.5f, a.y - fs * 1.2f), text, t);
    dl->AddText(ImVec2(a.x - ts.x - fs * 0.5f, a.y + (k + 0.5f) * cell - ts.y * 0.5f), text, t);
  }
  // Counts in the cells when they fit.
  const bool small = cell < fs * 1.9f;
  for (int i = 0; i < K; ++i)
    for (int j = 0; j < K; ++j) {
      const int64_t v = c.at(i, j);
      if (v == 0) continue;
      std::snprintf(t, sizeof t, "%lld", (long long)v);
      ImVec2 ts = ImGui::CalcTextSize(t);
      float scale = small ? std::min(1.0f, cell * 0.92f / std::max(1.0f, ts.x)) : std::min(1.0f, cell * 0.92f / ts.x);
      const float h = heat_value(v, mx);
      const ImU32 col = h > 0.62f ? IM_COL32(20, 20, 30, 255) : IM_COL32(255, 255, 255, 255);
      dl->AddText(ImGui::GetFont(), fs * scale, ImVec2(a.x + (j + 0.5f) * cell - ts.x * scale * 0.5f,
                                                      a.y + (i + 0.5f) * cell - ts.y * scale * 0.5f), col, t);
    }
  dl->AddRect(a, b, IM_COL32(120, 125, 135, 255));
  if (s.cell.truth >= 0 && s.cell.truth < K && s.cell.predicted < K) {  // the cell whose images are open
    const ImVec2 c0(a.x + s.cell.predicted * cell, a.y + s.cell.truth * cell);
    dl->AddRect(c0, ImVec2(c0.x + cell, c0.y + cell), IM_COL32(230, 60, 40, 255), 0, 0, std::max(2.0f, fs * 0.15f));
  }
  ImGui::Dummy(ImVec2(b.x - p.x, b.y - p.y + fs * 0.3f));
  note_rect(s, "evaluation.confusion", a, b);
  // Hover: what the cell means, in words.
  const ImVec2 m = ImGui::GetIO().MousePos;
  if (ImGui::IsWindowHovered() && m.x >= a.x && m.x < b.x && m.y >= a.y && m.y < b.y) {
    const int i = int((m.y - a.y) / cell), j = int((m.x - a.x) / cell);
    if (i >= 0 && i < K && j >= 0 && j < K) {
      const long long v = (long long)c.at(i, j);
      const char* more = v > 0 ? "\nclick to see them" : "";
      if (i == j) ImGui::SetTooltip("%lld images of a %d were read correctly%s", v, i, more);
      else ImGui::SetTooltip("%lld images of a %d were read as a %d%s", v, i, j, more);
      if (v > 0 && ImGui::IsMouseClicked(0)) {
        s.cell.truth = i;
        s.cell.predicted = j;
        s.cell.run = s.cell.version = ~0ull;  // pick the images again
        s.cell.focus = true;
      }
    }
  }
}

static void report(AppState& s) {
  const dl::Report& r = s.snap.report;
  const ImGuiTableFlags tf = ImGuiTableFlags_RowBg | ImGuiTableFlags_BordersInnerH | ImGuiTableFlags_BordersOuterH |
                             ImGuiTableFlags_SizingStretchSame | ImGuiTableFlags_ScrollY;
  if (!ImGui::BeginTable("report", 5, tf, ImVec2(0, ImGui::GetContentRegionAvail().y))) return;
  ImGui::TableSetupScrollFreeze(0, 1);
  // scikit-learn's headers, or shorter ones where they would not fit (a 1024 × 768 projector).
  const float pad = 2 * ImGui::GetStyle().CellPadding.x, label = ImGui::CalcTextSize("weighted avg").x + pad;
  auto col = [&](const char* h) { return std::max(ImGui::CalcTextSize(h).x, ImGui::CalcTextSize("0.0000").x) + pad; };
  const bool full = label + col("precision") + col("recall") + col("f1-score") + col("support") <= ImGui::GetContentRegionAvail().x;
  ImGui::TableSetupColumn("", ImGuiTableColumnFlags_WidthFixed, label - pad);  // its longest name
  ImGui::TableSetupColumn(full ? "precision" : "prec.", ImGuiTableColumnFlags_WidthStretch, 1.0f);
  ImGui::TableSetupColumn("recall", ImGuiTableColumnFlags_WidthStretch, 1.0f);
  ImGui::TableSetupColumn(full ? "f1-score" : "f1", ImGuiTableColumnFlags_WidthStretch, 1.0f);
  ImGui::TableSetupColumn("support", ImGuiTableColumnFlags_WidthStretch, 1.0f);
  ImGui::TableHeadersRow();
  auto row = [](const char* name, const dl::ClassScores& c, bool only_f1 = false) {
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
  };
  char name[32];
  for (size_t k = 0; k < r.classes.size(); ++k) {
    std::snprintf(name, sizeof name, "digit %zu", k);
    row(name, r.classes[k]);
  }
  dl::ClassScores acc;
  acc.f1 = r.accuracy;
  acc.support = r.macro.support;
  row("accuracy", acc, true);
  row("macro avg", r.macro);
  row("weighted avg", r.weighted);
  ImGui::EndTable();
}

void window_evaluation(AppState& s) {
  char title[96];  // the test set's size: 10,000 for MNIST, other for the user's own data
  std::snprintf(title, sizeof title, "Evaluation on the %s test digits###Evaluation",
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
  } else {
    ImGui::TextWrapped("After training, the network reads the %s test digits it has never seen. "
                       "Here you will see how many it gets right, and which digits it mixes up.",
                       dl::with_commas(data_test(s).n > 0 ? data_test(s).n : 10000).c_str());
  }
  if (sn.evaluating) {
    ImGui::ProgressBar(sn.eval_progress, ImVec2(-1, 0), "reading the test digits…");
  } else {
    ImGui::BeginDisabled(!sn.has_model || sn.phase == dl::TrainPhase::Running);
    if (ImGui::Button("Evaluate now")) trainer(s).evaluate();
    note_rect(s, "evaluation.evaluate");
    ImGui::EndDisabled();
  }
  if (sn.has_eval) {
    const ImVec2 avail = ImGui::GetContentRegionAvail();
    const float fs = ImGui::GetFontSize();
    // The matrix above the report, or beside it in a window much wider than tall (a phone turned).
    const bool beside = avail.x > avail.y * 1.6f;
    const float side = beside ? std::max(fs * 8, std::min(avail.y - fs * 3.2f, avail.x * 0.45f))
                              : std::max(fs * 8, std::min(avail.x - fs * 4, avail.y * 0.50f));
    ImGui::BeginGroup();
    heatmap(s, std::floor(side));
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
static void cell_heading(const CellView& v) {
  const bool right = v.truth == v.predicted;
  const int n = int(v.items.size());
  const std::string total = dl::with_commas(v.total);
  char head[96], order[128];
  if (right) std::snprintf(head, sizeof head, "%s test image%s of a %d %s read correctly", total.c_str(),
                           v.total == 1 ? "" : "s", v.truth, v.total == 1 ? "was" : "were");
  else std::snprintf(head, sizeof head, "%s test image%s of a %d %s read as a %d", total.c_str(),
                     v.total == 1 ? "" : "s", v.truth, v.total == 1 ? "was" : "were", v.predicted);
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
static void cell_tooltip(const CellView& v, const Snapshot& sn, const dl::Dataset& d, int k, int acols, int arows) {
  const int i = v.items[size_t(k)];
  ImGui::BeginTooltip();
  char what[32];
  if (v.truth == v.predicted) std::snprintf(what, sizeof what, "read correctly");
  else std::snprintf(what, sizeof what, "read as a %d", v.predicted);
  ImGui::Text("test image %s of %s: a %d, %s (%.1f%% sure)", dl::with_commas(i + 1).c_str(),
              dl::with_commas(d.n).c_str(), v.truth, what, 100.0 * sn.test_prob[size_t(i)]);
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
  if (hovered >= 0) cell_tooltip(v, sn, d, hovered, acols, arows);
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

  // Left of the Evaluation window, so that the matrix stays in view for the next click.
  const ImVec2 ds = ImGui::GetIO().DisplaySize;
  const float fs = ImGui::GetFontSize(), w = std::min(fs * 44, right_x - fs);
  if (w >= fs * 20) ImGui::SetNextWindowPos(ImVec2(right_x - fs * 0.5f, top + fs * 2), ImGuiCond_Appearing, ImVec2(1, 0));
  else ImGui::SetNextWindowPos(ImVec2(ds.x * 0.5f, ds.y * 0.5f), ImGuiCond_Appearing, ImVec2(0.5f, 0.5f));  // narrow page
  ImGui::SetNextWindowSize(ImVec2(w >= fs * 20 ? w : ds.x * 0.9f, ds.y * 0.75f), ImGuiCond_Appearing);
  if (v.focus) ImGui::SetNextWindowFocus();  // in front again when another cell is clicked while open
  v.focus = false;
  char title[96];
  if (v.truth == v.predicted) std::snprintf(title, sizeof title, "Test images of a %d read correctly###cell", v.truth);
  else std::snprintf(title, sizeof title, "Test images of a %d read as a %d###cell", v.truth, v.predicted);
  bool open = true;
  if (ImGui::Begin(title, &open, ImGuiWindowFlags_NoCollapse)) {
    v.shown = true;
    const ImVec2 wp = ImGui::GetWindowPos(), ws = ImGui::GetWindowSize();
    note_rect(s, "evaluation.cell", wp, ImVec2(wp.x + ws.x, wp.y + ws.y));
    {  // where ImGui puts the title bar's close button (for tests that press it)
      const ImGuiStyle& st = ImGui::GetStyle();
      const float f = ImGui::GetFontSize(), x1 = wp.x + ws.x - st.FramePadding.x;
      note_rect(s, "evaluation.cell.close", ImVec2(x1 - f, wp.y + st.FramePadding.y), ImVec2(x1, wp.y + st.FramePadding.y + f));
    }
    cell_heading(v);
    ImGui::Spacing();
    cell_grid(s, d);
  }
  ImGui::End();
  if (!open) v.truth = -1;
}

}  // namespace app
