// The Evaluation window: test accuracy, the confusion-matrix heatmap (rows true, columns
// predicted, counts in the cells), and the classification report.
#include <algorithm>
#include <cmath>
#include <cstdio>

#include "app.h"

namespace app {

static constexpr ImGuiWindowFlags kTile = ImGuiWindowFlags_NoMove | ImGuiWindowFlags_NoResize | ImGuiWindowFlags_NoCollapse;

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
  ImGui::Dummy(ImVec2(b.x - p.x, b.y - p.y + fs * 0.3f));
  note_rect(s, "evaluation.confusion", a, b);
  // Hover: what the cell means, in words.
  const ImVec2 m = ImGui::GetIO().MousePos;
  if (ImGui::IsWindowHovered() && m.x >= a.x && m.x < b.x && m.y >= a.y && m.y < b.y) {
    const int i = int((m.y - a.y) / cell), j = int((m.x - a.x) / cell);
    if (i >= 0 && i < K && j >= 0 && j < K) {
      const long long v = (long long)c.at(i, j);
      if (i == j) ImGui::SetTooltip("%lld images of a %d were read correctly", v, i);
      else ImGui::SetTooltip("%lld images of a %d were read as a %d", v, i, j);
    }
  }
}

static void report(AppState& s) {
  const dl::Report& r = s.snap.report;
  const ImGuiTableFlags tf = ImGuiTableFlags_RowBg | ImGuiTableFlags_BordersInnerH | ImGuiTableFlags_BordersOuterH |
                             ImGuiTableFlags_SizingStretchSame | ImGuiTableFlags_ScrollY;
  if (!ImGui::BeginTable("report", 5, tf, ImVec2(0, ImGui::GetContentRegionAvail().y))) return;
  ImGui::TableSetupScrollFreeze(0, 1);
  ImGui::TableSetupColumn("", ImGuiTableColumnFlags_WidthStretch, 1.45f);
  ImGui::TableSetupColumn("precision", ImGuiTableColumnFlags_WidthStretch, 1.0f);
  ImGui::TableSetupColumn("recall", ImGuiTableColumnFlags_WidthStretch, 1.0f);
  ImGui::TableSetupColumn("f1-score", ImGuiTableColumnFlags_WidthStretch, 1.0f);
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
  char name[16];
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
  ImGui::Begin(title, nullptr, kTile);
  note_rect(s, "window.evaluation", ImGui::GetWindowPos(),
            ImVec2(ImGui::GetWindowPos().x + ImGui::GetWindowSize().x, ImGui::GetWindowPos().y + ImGui::GetWindowSize().y));
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
    if (ImGui::Button("Evaluate now")) s.bridge.evaluate();
    note_rect(s, "evaluation.evaluate");
    ImGui::EndDisabled();
  }
  if (sn.has_eval) {
    const ImVec2 avail = ImGui::GetContentRegionAvail();
    const float fs = ImGui::GetFontSize();
    const float side = std::max(fs * 8, std::min(avail.x - fs * 4, avail.y * 0.50f));
    heatmap(s, std::floor(side));
    report(s);
  }
  ImGui::End();
}

}  // namespace app
