// The status bar: how the app runs here (threads, SIMD, cross-origin isolation) and its frame rate.
#include "app.h"

namespace app {

void status_bar(AppState& s) {
  const ImGuiWindowFlags f = ImGuiWindowFlags_NoDecoration | ImGuiWindowFlags_NoMove | ImGuiWindowFlags_NoSavedSettings |
                             ImGuiWindowFlags_NoFocusOnAppearing | ImGuiWindowFlags_NoBringToFrontOnFocus;
  ImGui::PushStyleVar(ImGuiStyleVar_WindowPadding, ImVec2(ImGui::GetFontSize() * 0.6f, 3));
  ImGui::PushStyleColor(ImGuiCol_WindowBg, ImVec4(0.90f, 0.92f, 0.95f, 1));
  ImGui::Begin("##status", nullptr, f);
  const ImVec4 on(0.10f, 0.50f, 0.22f, 1), off(0.70f, 0.35f, 0.05f, 1);
  const bool brief = s.ui.narrow;  // a phone: the short forms, so the line fits
  if (s.env.threads && brief)
    ImGui::TextColored(on, "Threads: on (%d cores)", s.env.cores);
  else if (s.env.threads)
    ImGui::TextColored(on, "Threads: on (trainer + %d kernel worker%s, %d cores)", s.bridge->workers(),
                       s.bridge->workers() == 1 ? "" : "s", s.env.cores);
  else
    ImGui::TextColored(off, brief ? "Threads: off" : "Threads: off (single-thread fallback: trains between frames)");
  ImGui::SameLine();
  ImGui::TextDisabled("·");
  ImGui::SameLine();
  ImGui::TextColored(s.env.simd ? on : off, "SIMD: %s", s.env.simd ? "on" : "off");
  ImGui::SameLine();
  ImGui::TextDisabled("·");
  ImGui::SameLine();
  if (s.env.desktop)
    ImGui::TextColored(on, "Desktop build");
  else
    ImGui::TextColored(s.env.isolated ? on : off, "%s: %s", brief ? "Isolated" : "Cross-origin isolated",
                       s.env.isolated ? "yes" : "no");
  ImGui::SameLine();
  if (s.ui.frame_interval == kIdleFrameInterval)  // left alone: main.cpp slows drawing until the next input
    ImGui::TextDisabled(brief ? "·  idle" : "·  idle: drawing slowly until you touch the page");
  else if (s.ui.saving_cpu)  // the moving average of fps would take half a minute to come down to it
    ImGui::TextDisabled(brief ? "·  %.0f fps" : "·  %.0f fps: saving CPU for training", s.ui.paced_fps());
  else
    ImGui::TextDisabled("·  %.0f fps", s.ui.fps);
  note_rect(s, "status");
  ImGui::End();
  ImGui::PopStyleColor();
  ImGui::PopStyleVar();
}

}  // namespace app
