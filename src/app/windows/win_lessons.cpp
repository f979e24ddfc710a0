// The Lessons menu: ready-made lesson links (dl::ready_lessons) — overfitting, learning rates too high
// and too low, class imbalance with and without class weights, augmentation on small data, a tiny CNN
// against a big MLP — each set up as if the page had opened with its link, with a few sentences on
// what to look for, shown when it is chosen and again from the menu.
#include "app.h"

namespace app {

void lesson_window(AppState& s) {
  if (s.ui.lesson_popup) {
    ImGui::OpenPopup("Lesson");
    s.ui.lesson_popup = false;
  }
  const ImVec2 ds = ImGui::GetIO().DisplaySize;
  ImGui::SetNextWindowSize(ImVec2(std::min(ds.x * 0.92f, ImGui::GetFontSize() * 34), 0), ImGuiCond_Appearing);
  ImGui::SetNextWindowPos(ImVec2(ds.x * 0.5f, ds.y * 0.4f), ImGuiCond_Appearing, ImVec2(0.5f, 0.5f));
  if (!ImGui::BeginPopupModal("Lesson", nullptr, ImGuiWindowFlags_NoResize)) return;
  note_window(s, "lesson.window");
  if (s.ui.lesson >= 0 && s.ui.lesson < int(dl::ready_lessons().size())) {
    const dl::ReadyLesson& r = dl::ready_lessons()[size_t(s.ui.lesson)];
    ImGui::TextColored(ImVec4(0.16f, 0.29f, 0.52f, 1), "%s", r.title);
    ImGui::Spacing();
    ImGui::TextWrapped("%s", r.about);
    note_rect(s, "lesson.about");
    ImGui::Spacing();
    ImGui::TextDisabled("The settings are in place: press Start in the Training window.");
  }
  if (ImGui::Button("OK", ImVec2(ImGui::GetFontSize() * 6, 0))) ImGui::CloseCurrentPopup();
  note_rect(s, "lesson.ok");
  ImGui::EndPopup();
}

void lessons_menu(AppState& s) {
  const bool open = ImGui::BeginMenu("Lessons");
  note_rect(s, "menu.lessons");
  if (open) {
    const bool fixed = link_fixes_lesson(s), busy = fixed || run_in_progress(s);
    if (fixed) ImGui::TextDisabled("This page's lesson link keeps its own settings.");
    else if (busy) ImGui::TextDisabled("Stop the training first, then choose a lesson.");
    const std::vector<dl::ReadyLesson>& lessons = dl::ready_lessons();
    for (size_t i = 0; i < lessons.size(); ++i) {
      if (ImGui::MenuItem(lessons[i].title, nullptr, s.ui.lesson == int(i), !busy)) {
        apply_lesson_link(s, lessons[i].link);
        s.ui.lesson = int(i);
        s.ui.lesson_popup = true;
        s.model.summary_dirty = true;
      }
      note_rect(s, ("menu.lesson." + std::to_string(i)).c_str());
    }
    ImGui::Separator();
    if (ImGui::MenuItem("About the current lesson", nullptr, false, s.ui.lesson >= 0)) s.ui.lesson_popup = true;
    note_rect(s, "menu.lesson.about");
    ImGui::EndMenu();
  }
}

}  // namespace app
