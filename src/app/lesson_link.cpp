// The lesson link: the page's address fragment ("#preset=cnn-tiny&epochs=3&autostart=1", read and
// written by dl::lesson_parse / dl::lesson_write) sets the network, the training settings, the tab a
// phone shows and whether training starts once the digits are in. What it could not use goes to a
// popup; a link pasted into the open tab applies once no run is in progress.
#include "app.h"
#include "core/train/lesson.h"
#include "platform/platform.h"

namespace app {

static_assert(kPaneCount == dl::kLessonPanes, "the lesson link's pane names are the narrow layout's tabs");

void apply_lesson(AppState& s) {
  const std::string hash = platform::link_hash();
  const dl::Lesson l = dl::lesson_parse(hash);
  s.runs.opened_with_link = !hash.empty();
  s.model.preset = int(l.preset - dl::presets().data());
  apply_preset_recipe(s);
  s.model.spec = l.model;
  s.train.cfg = l.config;
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

void on_link_changed(AppState& s) { s.hash_pending = true; }

void lesson_link_update(AppState& s) {
  // The page does not reload for a new fragment: its settings replace the current ones once no
  // training runs.
  if (s.hash_pending && !run_in_progress(s)) {
    s.hash_pending = false;
    apply_lesson(s);
    s.model.summary_dirty = true;
  }
}

}  // namespace app
