// The pointer and keys, from SDL's events to ImGui and the draw pad, with what ImGui 1.86 would
// otherwise miss on a slow frame or under a finger: it reads the keys and buttons once a frame, so a
// key pressed and released between two frames, or a tap whose press comes with the pointer's jump to
// it, would be lost. The pad takes every event of the frame (draw_input), not ImGui's one position.
#include <SDL.h>

#include <algorithm>
#include <cfloat>
#include <vector>

#include "app.h"
#include "imgui_impl_sdl.h"
#include "imgui_internal.h"  // touch scrolling: the hovered window, its scroll limits, SetScrollX/Y

namespace app {

// A quick key release waits a frame, so ImGui sees the key down in one frame and up in the next. A
// press right after the pointer jumped (a finger's tap: SDL sends the move and the press together)
// waits a frame too, with everything after it: ImGui's tabs take a press only where the pointer
// already was the frame before (AllowItemOverlap), so on a phone every other tap on a tab was lost.
static std::vector<SDL_Event> take_events(InputState& in) {
  std::vector<SDL_Event> events;
  events.swap(in.held);
  std::vector<SDL_Event> later;
  bool moved = false;
  for (const SDL_Event& ev : events) moved |= ev.type == SDL_MOUSEMOTION;
  std::vector<SDL_Scancode> pressed;
  for (SDL_Event ev; SDL_PollEvent(&ev);) {
    if (ev.type == SDL_KEYDOWN) pressed.push_back(ev.key.keysym.scancode);
    if (ev.type == SDL_KEYUP && std::find(pressed.begin(), pressed.end(), ev.key.keysym.scancode) != pressed.end()) {
      in.held.push_back(ev);
      continue;
    }
    if (ev.type == SDL_MOUSEBUTTONDOWN && moved && later.empty()) later.push_back(ev);
    else if (!later.empty()) later.push_back(ev);
    else events.push_back(ev);
    moved |= ev.type == SDL_MOUSEMOTION;
  }
  in.held.insert(in.held.end(), later.begin(), later.end());
  return events;
}

void input_events(AppState& s, double t_frame) {
  InputState& in = s.input;
  const std::vector<SDL_Event> events = take_events(in);
  in.left_pressed = false;
  if (in.lifted) in.pointer_gone = true, in.lifted = false;
  for (const SDL_Event& ev : events) {
    if ((ev.type == SDL_MOUSEBUTTONDOWN || ev.type == SDL_MOUSEBUTTONUP) && ev.button.button == SDL_BUTTON_LEFT) {
      in.left_down = ev.type == SDL_MOUSEBUTTONDOWN;
      in.left_pressed |= in.left_down;
      in.touch = ev.button.which == SDL_TOUCH_MOUSEID;
      in.lift = !in.left_down && in.touch;
      in.lifted = false;
    }
    if (ev.type == SDL_MOUSEMOTION || ev.type == SDL_MOUSEBUTTONDOWN) in.pointer_gone = false;
    ImGui_ImplSDL2_ProcessEvent(&ev);
    if (ev.type == SDL_KEYDOWN || ev.type == SDL_KEYUP) {  // the modifiers at this key, not at the end of the queue
      ImGuiIO& io = ImGui::GetIO();
      const Uint16 m = ev.key.keysym.mod;
      io.KeyCtrl = (m & KMOD_CTRL) != 0;
      io.KeyShift = (m & KMOD_SHIFT) != 0;
      io.KeyAlt = (m & KMOD_ALT) != 0;
      io.KeySuper = (m & KMOD_GUI) != 0;
    }
    draw_input(s, ev);
    if (ev.type != SDL_WINDOWEVENT) s.ui.last_input_ms = t_frame;
  }
  if (in.left_down) s.ui.last_input_ms = t_frame;  // a button held still: someone is at the page
}

void input_after_backend(AppState& s) {
  InputState& in = s.input;
  ImGuiIO& io = ImGui::GetIO();
  // The button as the events taken say, not SDL's state now (which already holds a held-back press).
  io.MouseDown[0] = in.left_pressed || in.left_down;
  if (in.lift && !io.MouseDown[0]) in.lifted = true, in.lift = false;  // the release is seen now
  // A lifted finger points at nothing: the button or tab it tapped does not stay hovered, with its
  // hint over the page, until the next tap (a mouse stays where it is, and so does its hover).
  if (in.pointer_gone) io.MousePos = ImVec2(-FLT_MAX, -FLT_MAX);
}

// A finger dragged on a window where no widget took the press scrolls it, as a web page would (ImGui
// 1.86 scrolls only with a wheel or the scrollbars, which are thin under a finger): the innermost
// window under the press that can scroll that way, each axis on its own. A press on a widget (a
// slider, the pad, a button) is the widget's. Called after NewFrame, before the windows are built,
// with ActiveId still the previous frame's.
void touch_scroll(AppState& s) {
  InputState& in = s.input;
  const bool finger_down = in.touch && in.left_down;
  ImGuiWindow*& target = in.scroll_target;
  ImVec2& last = in.scroll_last;
  ImGuiContext& g = *GImGui;
  const ImGuiIO& io = g.IO;
  if (!finger_down || !ImGui::IsMousePosValid()) {
    target = nullptr;
    return;
  }
  if (io.MouseClicked[0]) {
    target = g.HoveredWindow;
    last = io.MousePos;
    return;
  }
  if (!target) return;
  bool widget = g.ActiveId != 0;
  for (ImGuiWindow* w = target; w && widget; w = w->ParentWindow) widget = g.ActiveId != w->MoveId;
  if (widget) {
    target = nullptr;
    return;
  }
  const ImVec2 d(io.MousePos.x - last.x, io.MousePos.y - last.y);
  last = io.MousePos;
  for (int axis = 0; axis < 2; ++axis) {  // x, then y
    ImGuiWindow* w = target;
    while (w && w->ScrollMax[axis] <= 0) w = w->ParentWindow;
    if (w && d[axis] != 0) {
      const float to = std::clamp(w->Scroll[axis] - d[axis], 0.0f, w->ScrollMax[axis]);
      if (axis == 0) ImGui::SetScrollX(w, to);
      else ImGui::SetScrollY(w, to);
    }
  }
}

}  // namespace app
