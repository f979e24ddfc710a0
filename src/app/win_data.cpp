// The Data window: load progress, set sizes, per-digit counts (table with bars), sample digits,
// and the mean image of each digit.
#include <algorithm>
#include <cmath>
#include <cstdio>

#include "app.h"

namespace app {

static constexpr ImGuiWindowFlags kTile = ImGuiWindowFlags_NoMove | ImGuiWindowFlags_NoResize | ImGuiWindowFlags_NoCollapse;

void window_data(AppState& s) {
  DataState& d = s.data;
  ImGui::Begin("Data: MNIST handwritten digits###Data", nullptr, kTile);
  note_rect(s, "window.data", ImGui::GetWindowPos(),
            ImVec2(ImGui::GetWindowPos().x + ImGui::GetWindowSize().x, ImGui::GetWindowPos().y + ImGui::GetWindowSize().y));
  if (d.phase == DataPhase::Failed) {
    ImGui::PushStyleColor(ImGuiCol_Text, ImVec4(0.75f, 0.1f, 0.1f, 1));
    ImGui::TextWrapped("%s", d.error.c_str());
    ImGui::PopStyleColor();
    ImGui::End();
    return;
  }
  if (d.phase != DataPhase::Ready) {
    ImGui::TextWrapped("Loading 70,000 images of handwritten digits…");
    char overlay[96];
    const float frac = d.total > 0 ? float(d.loaded / d.total) : 0.0f;
    std::snprintf(overlay, sizeof overlay, "%.1f of %.1f MB", d.loaded / 1e6, d.total / 1e6);
    ImGui::ProgressBar(frac, ImVec2(-1, 0), d.total > 0 ? overlay : "waiting for the server…");
    note_rect(s, "data.progress");
    if (!d.current.empty()) ImGui::TextDisabled("%s", d.current.c_str());
    ImGui::End();
    return;
  }

  const int val = int(d.train.n * s.train.val_split);
  ImGui::ProgressBar(1.0f, ImVec2(-1, 0), "all 70,000 digits loaded");
  note_rect(s, "data.progress");
  if (val > 0)
    ImGui::Text("Training %s · Validation %s · Test %s", dl::with_commas(d.train.n - val).c_str(),
                dl::with_commas(val).c_str(), dl::with_commas(d.test.n).c_str());
  else
    ImGui::Text("Training %s · Test %s (also validation)", dl::with_commas(d.train.n).c_str(),
                dl::with_commas(d.test.n).c_str());
  help_marker("The network learns from the training images. The validation images (held back from the training "
              "set) show after each epoch how well it does on digits it has not learned from. The test images are "
              "used only at the end, for the final score.");

  // Per-digit counts: a table whose last column is a bar chart.
  const int maxc = std::max(1, *std::max_element(d.train_counts.begin(), d.train_counts.end()));
  if (ImGui::BeginTable("counts", 4, ImGuiTableFlags_RowBg | ImGuiTableFlags_BordersInnerH | ImGuiTableFlags_SizingStretchProp)) {
    ImGui::TableSetupColumn("Digit", ImGuiTableColumnFlags_WidthFixed);
    ImGui::TableSetupColumn("Train", ImGuiTableColumnFlags_WidthFixed);
    ImGui::TableSetupColumn("Test", ImGuiTableColumnFlags_WidthFixed);
    ImGui::TableSetupColumn("Training images per digit", ImGuiTableColumnFlags_WidthStretch);
    ImGui::TableHeadersRow();
    for (int k = 0; k < 10; ++k) {
      ImGui::TableNextRow();
      ImGui::TableNextColumn();
      ImGui::Text("  %d", k);
      ImGui::TableNextColumn();
      ImGui::Text("%s", dl::with_commas(d.train_counts[size_t(k)]).c_str());
      ImGui::TableNextColumn();
      ImGui::Text("%s", dl::with_commas(d.test_counts[size_t(k)]).c_str());
      ImGui::TableNextColumn();
      const ImVec2 p = ImGui::GetCursorScreenPos();
      const float w = ImGui::GetContentRegionAvail().x, h = ImGui::GetTextLineHeight();
      ImGui::GetWindowDrawList()->AddRectFilled(ImVec2(p.x, p.y + h * 0.15f),
                                                ImVec2(p.x + w * float(d.train_counts[size_t(k)]) / maxc, p.y + h * 0.85f),
                                                ImGui::GetColorU32(ImGuiCol_PlotHistogram), 2);
      ImGui::Dummy(ImVec2(w, h));
    }
    ImGui::EndTable();
  }
  note_rect(s, "data.counts");

  // Sample digits with their labels.
  ImGui::Spacing();
  ImGui::TextUnformatted("The first training images and their labels");
  const float W = ImGui::GetContentRegionAvail().x;
  const float cell = std::floor(W / d.sample_cols);
  const int rows = std::min(d.sample_rows, 2);
  const ImVec2 p0 = ImGui::GetCursorScreenPos();
  ImDrawList* dl = ImGui::GetWindowDrawList();
  draw_image(dl, d.samples, p0, ImVec2(p0.x + cell * d.sample_cols, p0.y + cell * rows), ImageMode::Ink, ImVec2(0, 0),
             ImVec2(1, float(rows) / d.sample_rows));
  for (int i = 0; i < d.sample_cols * rows && i < int(d.sample_labels.size()); ++i) {
    const ImVec2 c(p0.x + (i % d.sample_cols) * cell, p0.y + (i / d.sample_cols) * cell);
    char t[4];
    std::snprintf(t, sizeof t, "%d", d.sample_labels[size_t(i)]);
    const float ls = ImGui::GetFontSize() * 0.7f;
    dl->AddRectFilled(c, ImVec2(c.x + ls * 0.75f, c.y + ls), IM_COL32(40, 90, 170, 200));
    dl->AddText(ImGui::GetFont(), ls, ImVec2(c.x + 1, c.y), IM_COL32_WHITE, t);
    dl->AddRect(c, ImVec2(c.x + cell, c.y + cell), IM_COL32(215, 218, 224, 255));
  }
  ImGui::Dummy(ImVec2(cell * d.sample_cols, cell * rows));
  note_rect(s, "data.samples");

  ImGui::TextUnformatted("The average image of each digit");
  const float mc = std::floor(W / 10);
  const ImVec2 m0 = ImGui::GetCursorScreenPos();
  draw_image(dl, d.means, m0, ImVec2(m0.x + mc * 10, m0.y + mc), ImageMode::Heat);
  for (int k = 0; k < 10; ++k) {
    char t[4];
    std::snprintf(t, sizeof t, "%d", k);
    dl->AddText(ImVec2(m0.x + k * mc + 2, m0.y), IM_COL32_WHITE, t);
  }
  ImGui::Dummy(ImVec2(mc * 10, mc));
  note_rect(s, "data.means");
  ImGui::End();
}

}  // namespace app
