// The Model window: preset picker, a Keras-style summary, and model files (download / load).
#include <cstdio>

#include "app.h"
#include "core/nn/model_file.h"

namespace app {

static constexpr ImGuiWindowFlags kTile = ImGuiWindowFlags_NoMove | ImGuiWindowFlags_NoResize | ImGuiWindowFlags_NoCollapse;

static void refresh_summary(AppState& s) {
  dl::Model m;
  s.model.rows.clear();
  s.model.trainable = s.model.non_trainable = 0;
  if (m.build(current_preset(s).model).ok()) {
    s.model.rows = m.summary();
    s.model.trainable = m.trainable_params();
    s.model.non_trainable = m.non_trainable_params();
  }
  s.model.summary_dirty = false;
}

void window_model(AppState& s) {
  ImGui::Begin("Model: the network###Model", nullptr, kTile);
  note_rect(s, "window.model", ImGui::GetWindowPos(),
            ImVec2(ImGui::GetWindowPos().x + ImGui::GetWindowSize().x, ImGui::GetWindowPos().y + ImGui::GetWindowSize().y));
  if (s.model.summary_dirty) refresh_summary(s);
  const auto& all = dl::presets();
  const bool busy = s.snap.phase == dl::TrainPhase::Running || s.snap.starting;

  ImGui::BeginDisabled(busy);
  ImGui::SetNextItemWidth(ImGui::GetFontSize() * 9);
  if (ImGui::BeginCombo("Network", current_preset(s).name.c_str())) {
    for (int i = 0; i < int(all.size()); ++i) {
      if (ImGui::Selectable(all[size_t(i)].name.c_str(), i == s.model.preset) && i != s.model.preset) {
        s.model.preset = i;
        apply_preset_recipe(s);
      }
      if (ImGui::IsItemHovered()) ImGui::SetTooltip("%s", all[size_t(i)].description.c_str());
    }
    ImGui::EndCombo();
  }
  note_rect(s, "model.preset");
  ImGui::EndDisabled();
  ImGui::SameLine();
  ImGui::TextDisabled("%s params", dl::with_commas((long long)s.model.trainable).c_str());
  ImGui::TextWrapped("%s", current_preset(s).description.c_str());

  // Model files.
  ImGui::BeginDisabled(!s.draw.model.built() || busy);
  if (ImGui::Button("Download trained model")) {
    std::vector<uint8_t> bytes = dl::model_save(s.draw.model);
    web_download("digitlab-" + s.draw.model.spec().name + ".dlmodel", bytes);
  }
  note_rect(s, "model.download");
  ImGui::EndDisabled();
  ImGui::SameLine();
  ImGui::BeginDisabled(busy);
  if (ImGui::Button("Load model file…")) web_pick_model_file();
  note_rect(s, "model.load");
  ImGui::EndDisabled();
  if (!s.model.error.empty()) {
    ImGui::PushStyleColor(ImGuiCol_Text, ImVec4(0.75f, 0.1f, 0.1f, 1));
    ImGui::TextWrapped("%s", s.model.error.c_str());
    ImGui::PopStyleColor();
  } else if (!s.model.notice.empty()) {
    ImGui::TextWrapped("%s", s.model.notice.c_str());
  }

  // Keras-style summary.
  const ImGuiTableFlags tf = ImGuiTableFlags_RowBg | ImGuiTableFlags_BordersOuterH | ImGuiTableFlags_BordersInnerH |
                             ImGuiTableFlags_ScrollY | ImGuiTableFlags_SizingStretchProp;
  const float footer = ImGui::GetTextLineHeightWithSpacing() * 3.2f;
  if (ImGui::BeginTable("summary", 3, tf, ImVec2(0, std::max(ImGui::GetFontSize() * 4, ImGui::GetContentRegionAvail().y - footer)))) {
    ImGui::TableSetupScrollFreeze(0, 1);
    ImGui::TableSetupColumn("Layer (type)", ImGuiTableColumnFlags_WidthStretch, 1.4f);
    ImGui::TableSetupColumn("Output shape", ImGuiTableColumnFlags_WidthStretch, 1.2f);
    ImGui::TableSetupColumn("Params", ImGuiTableColumnFlags_WidthStretch, 0.8f);
    ImGui::TableHeadersRow();
    for (const dl::SummaryRow& r : s.model.rows) {
      ImGui::TableNextRow();
      ImGui::TableNextColumn();
      ImGui::Text("%s (%s)", r.layer.c_str(), r.type.c_str());
      ImGui::TableNextColumn();
      ImGui::TextUnformatted(r.shape.c_str());
      ImGui::TableNextColumn();
      ImGui::TextUnformatted(dl::with_commas((long long)r.params).c_str());
    }
    ImGui::EndTable();
  }
  note_rect(s, "model.summary");
  ImGui::Text("Total params: %s", dl::with_commas((long long)(s.model.trainable + s.model.non_trainable)).c_str());
  ImGui::Text("Trainable: %s   Non-trainable: %s", dl::with_commas((long long)s.model.trainable).c_str(),
              dl::with_commas((long long)s.model.non_trainable).c_str());
  ImGui::End();
}

}  // namespace app
