// The app's entry point and frame loop: SDL init → GL attributes → ImGui context → backends →
// the per-frame callback (browser animation frames; it never blocks) → (no cleanup on the web).
// The window layout (a tiled dashboard that fills the page and follows resizes) and the HiDPI
// font handling live here too.
#include <SDL.h>
#include <emscripten.h>
#include <emscripten/html5.h>

#include <GLES3/gl3.h>

#include <algorithm>
#include <array>
#include <cfloat>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <vector>

#include "app.h"
#include "core/kernels/pool.h"
#include "embedded.h"
#include "imgui_impl_opengl3.h"
#include "imgui_impl_sdl.h"
#include "imgui_internal.h"  // touch scrolling: the hovered window, its scroll limits, SetScrollX/Y

namespace app {
namespace {

SDL_Window* g_window = nullptr;
std::vector<SDL_Event> g_held;  // events for the next frame (frame(): quick key releases, a press after a jump)
bool g_left_down = false;      // the left button (or a finger) as of the events taken so far
bool g_touch = false;          // ... and it is a finger (SDL's touch-to-mouse events)
bool g_lift = false;           // a finger was lifted: once ImGui has seen the release, it hovers nothing
bool g_lifted = false;         // ... ImGui saw the release last frame
bool g_pointer_gone = false;   // no hover until the pointer comes back (a finger, once lifted)
ImGuiStyle g_base_style;
bool g_trap_next_frame = false;  // digitlab_test_fault(0): the tests of the page's handling of a trap

double now_ms() { return emscripten_get_now(); }

// Font atlas rasterised at font_px × devicePixelRatio and drawn at 1/dpr: sharp text on HiDPI.
void rebuild_fonts(AppState& s) {
  ImGuiIO& io = ImGui::GetIO();
  const float dpr = s.ui.dpr;
  io.Fonts->Clear();
  ImFontConfig cfg;
  cfg.OversampleH = 2;
  cfg.OversampleV = 1;
  cfg.PixelSnapH = false;
  static const ImWchar ranges[] = {0x0020, 0x00FF, 0x0391, 0x03C9, 0x2013, 0x2030, 0x2190, 0x2193,
                                   0x2212, 0x2212, 0x2248, 0x2265, 0x25A0, 0x25CF, 0};
#ifdef DIGITLAB_HAVE_FONT
  cfg.FontDataOwnedByAtlas = false;
  io.Fonts->AddFontFromMemoryTTF((void*)kFontData, int(kFontSize), s.ui.font_px * dpr, &cfg, ranges);
#else
  cfg.SizePixels = 13.0f * dpr;
  io.Fonts->AddFontDefault(&cfg);
#endif
  io.FontGlobalScale = 1.0f / dpr;
  ImGui_ImplOpenGL3_DestroyFontsTexture();
  ImGui_ImplOpenGL3_CreateFontsTexture();
  ImGuiStyle style = g_base_style;
  style.ScaleAllSizes(s.ui.font_px / 15.0f);
  ImGui::GetStyle() = style;
  s.ui.fonts_dirty = false;
}

// Text size follows the page (readable from the back of a classroom; a window resized or a phone turned
// gets it again), plus the View menu's steps.
constexpr float kMinFontPx = 12, kMaxFontPx = 32;
float font_for_page(const AppState& s, int w, int h) {
  const float page = std::round(std::clamp(std::min(w / 88.0f, h / 48.0f), 14.0f, 24.0f));
  return std::clamp(page + 2.0f * s.ui.font_steps, kMinFontPx, kMaxFontPx);
}

void setup_style() {
  ImGui::StyleColorsLight();
  ImGuiStyle& st = ImGui::GetStyle();
  st.WindowRounding = 6;
  st.FrameRounding = 4;
  st.GrabRounding = 4;
  st.ChildRounding = 4;
  st.WindowBorderSize = 1;
  st.FrameBorderSize = 1;
  st.WindowPadding = ImVec2(10, 8);
  st.ItemSpacing = ImVec2(8, 6);
  st.CellPadding = ImVec2(6, 2);
  ImVec4* c = st.Colors;
  c[ImGuiCol_WindowBg] = ImVec4(0.985f, 0.985f, 0.98f, 1);
  c[ImGuiCol_TitleBg] = ImVec4(0.20f, 0.33f, 0.55f, 1);
  c[ImGuiCol_TitleBgActive] = ImVec4(0.16f, 0.29f, 0.52f, 1);
  c[ImGuiCol_TitleBgCollapsed] = c[ImGuiCol_TitleBg];
  c[ImGuiCol_Text] = ImVec4(0.08f, 0.09f, 0.12f, 1);
  c[ImGuiCol_MenuBarBg] = ImVec4(0.90f, 0.92f, 0.95f, 1);
  c[ImGuiCol_PlotHistogram] = ImVec4(0.22f, 0.48f, 0.80f, 1);
  // A light slider knob: the value is written over it (the learning rate's "0.001" was half hidden).
  c[ImGuiCol_SliderGrab] = ImVec4(0.26f, 0.59f, 0.98f, 0.35f);
  c[ImGuiCol_SliderGrabActive] = ImVec4(0.26f, 0.59f, 0.98f, 0.60f);
  g_base_style = st;
}

// Whether the five windows fit side by side on a page w × h font heights large; else one window at a
// time (a phone, upright or turned; an 800 × 600 or 1024 × 600 screen). Narrow tiles wrap their rows
// (two lines for the status line, the file buttons, the callbacks' fields), so a narrower page needs
// more height. tests/e2e/sizes.test.mjs checks it over 18 page sizes × 3 text sizes (nothing may run
// past its window): 1024 × 768 at 14 px (73 × 55) and a laptop's 1366 × 625 at 14 px (98 × 45) tile;
// with 64 × 44 alone, 1024 × 768 at 16 px and 1152 × 864 at 18 px (64 × 48 each) would tile, and the
// Model window's totals ran out of it.
bool tiles_fit(float w, float h) { return w >= 64 && h >= 44 && (h >= 49 || w >= 85); }

// Ctrl+← / Ctrl+→: the keyboard to the previous or next window (ImGui's own Ctrl+Tab is the
// browser's: it changes tabs). On a narrow page the tab changes too. Not while typing in a field.
void window_keys(AppState& s) {
  const ImGuiIO& io = ImGui::GetIO();
  const int from = s.ui.key_pane;
  s.ui.key_pane = -1;  // set again by the window that has the keyboard (begin_tile)
  if (!io.KeyCtrl || io.WantTextInput) return;
  const int dir = ImGui::IsKeyPressed(ImGui::GetKeyIndex(ImGuiKey_RightArrow)) ? 1
                  : ImGui::IsKeyPressed(ImGui::GetKeyIndex(ImGuiKey_LeftArrow)) ? -1 : 0;
  if (dir == 0) return;
  // From the window that has the keyboard (on a narrow page, the one shown); with none, to Training.
  const int at = from >= 0 ? from : s.ui.narrow ? s.ui.pane : -1;
  const int next = at < 0 ? kPaneTrain : (at + dir + kPaneCount) % kPaneCount;
  s.ui.focus_pane = next;
  if (s.ui.narrow) s.ui.pane = next;
}

// The row of tabs that picks the window on a narrow page; returns its height.
float pane_tabs(AppState& s, float top, float width) {
  const ImGuiWindowFlags f = ImGuiWindowFlags_NoDecoration | ImGuiWindowFlags_NoMove | ImGuiWindowFlags_NoSavedSettings |
                             ImGuiWindowFlags_AlwaysAutoResize;
  ImGui::SetNextWindowPos(ImVec2(0, top), ImGuiCond_Always);
  ImGui::SetNextWindowSize(ImVec2(width, 0), ImGuiCond_Always);
  ImGui::Begin("##panes", nullptr, f);
  const ImGuiStyle& st = ImGui::GetStyle();
  const float bw = std::floor((ImGui::GetContentRegionAvail().x - st.ItemSpacing.x * (kPaneCount - 1)) / kPaneCount);
  for (int i = 0; i < kPaneCount; ++i) {
    if (i) ImGui::SameLine();
    const bool on = s.ui.pane == i;
    if (on) ImGui::PushStyleColor(ImGuiCol_Button, st.Colors[ImGuiCol_ButtonActive]);
    if (on) ImGui::PushStyleColor(ImGuiCol_Text, ImVec4(1, 1, 1, 1));
    const std::string label = pane_label(s, i) + "###pane" + std::to_string(i);
    if (ImGui::Button(label.c_str(), ImVec2(bw, ImGui::GetFrameHeight() * 1.3f))) s.ui.pane = i;
    if (on) ImGui::PopStyleColor(2);
    note_rect(s, (std::string("pane.") + kPaneNames[i]).c_str());
  }
  const float h = ImGui::GetWindowSize().y;
  ImGui::End();
  return h;
}

// The five windows, in Pane order: the narrow layout's tabs and the wide layout's tiles.
void (*const kPaneWindows[kPaneCount])(AppState&) = {window_data, window_model, window_training, window_draw,
                                                     window_evaluation};

// Tiles the five windows over the page, in Pane order: | Data / Model | Training / Draw | Evaluation |
std::array<ImVec4, kPaneCount> layout_tiles(ImVec2 d, float top, float bottom) {
  const float gap = 4, H = d.y - top - bottom;
  const float w1 = std::floor(d.x * 0.27f), w2 = std::floor(d.x * 0.40f), w3 = d.x - w1 - w2;
  const float x1 = 0, x2 = w1, x3 = w1 + w2;
  const float h_data = std::floor(H * 0.62f), h_train = std::floor(H * 0.61f);
  std::array<ImVec4, kPaneCount> t;
  t[kPaneData] = ImVec4(x1, top, w1 - gap, h_data - gap);
  t[kPaneModel] = ImVec4(x1, top + h_data, w1 - gap, H - h_data);
  t[kPaneTrain] = ImVec4(x2, top, w2 - gap, h_train - gap);
  t[kPaneDraw] = ImVec4(x2, top + h_train, w2 - gap, H - h_train);
  t[kPaneResults] = ImVec4(x3, top, w3, H);
  return t;
}

void place(const ImVec4& r) {
  ImGui::SetNextWindowPos(ImVec2(r.x, r.y), ImGuiCond_Always);
  ImGui::SetNextWindowSize(ImVec2(r.z, r.w), ImGuiCond_Always);
}

void menu_bar(AppState& s, float* height) {
  if (ImGui::BeginMainMenuBar()) {
    ImGui::TextColored(ImVec4(0.16f, 0.29f, 0.52f, 1), "Digit Lab");
    if (!s.ui.narrow) ImGui::TextDisabled("train a neural network to read handwritten digits");
    store_menu(s);
    runs_menu(s);
    share_menu(s);
    const bool view = ImGui::BeginMenu("View");
    note_rect(s, "menu.view");
    if (view) {
      if (ImGui::MenuItem("Larger text", nullptr, false, s.ui.font_px + 2 <= kMaxFontPx)) ++s.ui.font_steps;
      note_rect(s, "menu.larger");
      if (ImGui::MenuItem("Smaller text", nullptr, false, s.ui.font_px - 2 >= kMinFontPx)) --s.ui.font_steps;
      note_rect(s, "menu.smaller");
      ImGui::Separator();
      ImGui::MenuItem("Compare with the previous run", nullptr, &s.ui.show_previous);
      note_rect(s, "menu.previous");
      hint("Draws the previous run's curves in grey under the current ones: change one setting (dropout, the "
           "learning rate, augmentation), train again and see what it does.");
      ImGui::Separator();
      ImGui::TextDisabled("Keys: arrows move, Space presses,\nCtrl+← / Ctrl+→ change window");
      ImGui::EndMenu();
    }
    *height = ImGui::GetWindowSize().y;
    ImGui::EndMainMenuBar();
  }
}

// Frame pacing. Full rate while someone uses the page. While the trainer thread works and nobody
// touches the page, every second animation frame: the curves still move smoothly and the cores go
// to training. With nothing running and nobody there for 2 s (a laptop left open in class), every
// 30th (2 fps): with software WebGL a frame of the whole UI costs tens of milliseconds of CPU. The
// page's input listeners call digitlab_wake() on the first touch, so nobody waits for the slow tick.
// (The single-thread build trains inside frames: always full rate then.)
void set_frame_interval(AppState& s, int interval) {
  if (interval == s.ui.frame_interval) return;
  s.ui.frame_interval = interval;
  emscripten_set_main_loop_timing(EM_TIMING_RAF, interval);
}

void pace_frames(AppState& s, double t_frame) {
  const double quiet_ms = t_frame - s.ui.last_input_ms;
  const bool training = s.snap.phase == dl::TrainPhase::Running && !s.snap.paused;
  const bool working = training || s.snap.starting || s.snap.evaluating || s.data.phase == DataPhase::Loading ||
                       s.autostart_pending || s.hash_pending;
  int want = 1;
  if (training && s.bridge->threaded() && quiet_ms > 1000) want = kTrainingFrameInterval;
  else if (!working && quiet_ms > 2000) want = kIdleFrameInterval;
  set_frame_interval(s, want);
}

// A finger dragged on a window where no widget took the press scrolls it, as a web page would (ImGui
// 1.86 scrolls only with a wheel or the scrollbars, which are thin under a finger): the innermost
// window under the press that can scroll that way, each axis on its own. A press on a widget (a
// slider, the pad, a button) is the widget's. Called after NewFrame, before the windows are built,
// with ActiveId still the previous frame's.
static void touch_scroll(bool finger_down) {
  static ImGuiWindow* target = nullptr;
  static ImVec2 last;
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

void frame() {
  if (g_trap_next_frame) __builtin_trap();
  AppState& s = app_state();
  const double t_frame = now_ms();
  static double last_frame = t_frame;
  s.ui.fps = s.ui.fps * 0.95 + 0.05 * (1000.0 / std::max(1.0, t_frame - last_frame));
  last_frame = t_frame;

  const float dpr = float(emscripten_get_device_pixel_ratio());
  if (dpr != s.ui.dpr) {
    s.ui.dpr = dpr;
    s.env.dpr = dpr;
    s.ui.fonts_dirty = true;
  }

  // ImGui 1.86 reads the keys' state once a frame: a key pressed and released between two frames
  // (a quick tap while training slows the frames) would never be seen. Such a release waits a frame.
  // A press right after the pointer jumped (a finger's tap: SDL sends the move and the press together)
  // waits a frame too, with everything after it: ImGui's tabs take a press only where the pointer
  // already was the frame before (AllowItemOverlap), so on a phone every other tap on a tab was lost.
  std::vector<SDL_Event> events;
  events.swap(g_held);
  std::vector<SDL_Event> later;
  bool moved = false;
  for (const SDL_Event& ev : events) moved |= ev.type == SDL_MOUSEMOTION;
  std::vector<SDL_Scancode> pressed;
  for (SDL_Event ev; SDL_PollEvent(&ev);) {
    if (ev.type == SDL_KEYDOWN) pressed.push_back(ev.key.keysym.scancode);
    if (ev.type == SDL_KEYUP && std::find(pressed.begin(), pressed.end(), ev.key.keysym.scancode) != pressed.end()) {
      g_held.push_back(ev);
      continue;
    }
    if (ev.type == SDL_MOUSEBUTTONDOWN && moved && later.empty()) later.push_back(ev);
    else if (!later.empty()) later.push_back(ev);
    else events.push_back(ev);
    moved |= ev.type == SDL_MOUSEMOTION;
  }
  g_held.insert(g_held.end(), later.begin(), later.end());
  bool left_pressed = false;  // a press taken this frame, however short
  if (g_lifted) g_pointer_gone = true, g_lifted = false;
  for (SDL_Event& ev : events) {
    if ((ev.type == SDL_MOUSEBUTTONDOWN || ev.type == SDL_MOUSEBUTTONUP) && ev.button.button == SDL_BUTTON_LEFT) {
      g_left_down = ev.type == SDL_MOUSEBUTTONDOWN;
      left_pressed |= g_left_down;
      g_touch = ev.button.which == SDL_TOUCH_MOUSEID;
      g_lift = !g_left_down && g_touch;
      g_lifted = false;
    }
    if (ev.type == SDL_MOUSEMOTION || ev.type == SDL_MOUSEBUTTONDOWN) g_pointer_gone = false;
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
  pace_frames(s, t_frame);
  int win_w = 0, win_h = 0;
  SDL_GetWindowSize(g_window, &win_w, &win_h);
  if (win_w > 0 && win_h > 0) {
    const float px = font_for_page(s, win_w, win_h);
    s.ui.fonts_dirty |= px != s.ui.font_px;
    s.ui.font_px = px;
  }
  if (s.ui.fonts_dirty) rebuild_fonts(s);

  // Single-thread build: train in a short slice, then draw.
  if (s.trainer_fault.empty() && !s.bridge->threaded()) s.bridge->pump(10.0);
  const double t_build = now_ms();
  check_trainer(s);
  if (s.trainer_fault.empty()) s.bridge->snapshot(&s.snap);
  draw_update(s);
  runs_update(s);
  if (s.autostart_pending && s.data.phase == DataPhase::Ready && !runs_waiting(s)) {
    s.autostart_pending = false;
    start_training(s, false);
  }

  ImGui_ImplOpenGL3_NewFrame();
  ImGui_ImplSDL2_NewFrame();
  // The button as the events taken say, not SDL's state now (which already holds a held-back press).
  ImGui::GetIO().MouseDown[0] = left_pressed || g_left_down;
  if (g_lift && !ImGui::GetIO().MouseDown[0]) g_lifted = true, g_lift = false;  // the release is seen now
  // A lifted finger points at nothing: the button or tab it tapped does not stay hovered, with its
  // hint over the page, until the next tap (a mouse stays where it is, and so does its hover).
  if (g_pointer_gone) ImGui::GetIO().MousePos = ImVec2(-FLT_MAX, -FLT_MAX);
  ImGui::NewFrame();
  touch_scroll(g_touch && g_left_down);
  s.ui.rects.clear();
  s.ui.focused.clear();

  float top = 0, bottom = ImGui::GetFrameHeight() + 6;
  const ImVec2 d = ImGui::GetIO().DisplaySize;
  s.ui.narrow = !tiles_fit(d.x / ImGui::GetFontSize(), d.y / ImGui::GetFontSize());
  menu_bar(s, &top);
  window_keys(s);
  s.learned.shown = s.learned.layers_shown = s.cell.shown = false;  // set again by the windows that show them
  for (int i = 0; i < kPaneCount; ++i)      // what the windows on screen show now counts as seen
    if (!s.ui.narrow || s.ui.pane == i) s.ui.pane_seen[i] = pane_news(s, i);
  if (s.ui.narrow) {
    const float tabs = pane_tabs(s, top, d.x);
    place(ImVec4(0, top + tabs, d.x, d.y - top - tabs - bottom));
    kPaneWindows[s.ui.pane](s);
  } else {
    const auto tiles = layout_tiles(d, top + 2, bottom);
    for (int i = 0; i < kPaneCount; ++i) {
      place(tiles[size_t(i)]);
      kPaneWindows[i](s);
    }
  }
  link_notice_popup(s);
  s.draw.input.clear();  // taken by the pad if it was on screen and pressed, else dropped
  ImGui::SetNextWindowPos(ImVec2(0, d.y - bottom), ImGuiCond_Always);
  ImGui::SetNextWindowSize(ImVec2(d.x, bottom), ImGuiCond_Always);
  status_bar(s);
  s.ui.hovering = ImGui::IsAnyItemHovered();

  ImGui::Render();
  s.ui.build_ms[s.ui.frames % std::size(s.ui.build_ms)] = float(now_ms() - t_build);
  const ImGuiIO& io = ImGui::GetIO();
  glViewport(0, 0, int(io.DisplaySize.x * io.DisplayFramebufferScale.x),
             int(io.DisplaySize.y * io.DisplayFramebufferScale.y));
  glClearColor(0.86f, 0.88f, 0.91f, 1.0f);
  glClear(GL_COLOR_BUFFER_BIT);
  ImGui_ImplOpenGL3_RenderDrawData(ImGui::GetDrawData());
  SDL_GL_SwapWindow(g_window);
  ++s.ui.frames;
  web_frame(s);
}

}  // namespace

void test_trap_next_frame() { g_trap_next_frame = true; }

}  // namespace app

int main(int, char**) {
  using namespace app;
  AppState& s = app_state();
  web_init(s);
  // The UI thread never waits on kernel workers: its small draw-pad predictions run inline.
  dl::ThreadPool::run_inline_on_this_thread(true);

  SDL_SetHint(SDL_HINT_EMSCRIPTEN_KEYBOARD_ELEMENT, "#canvas");
  if (SDL_Init(SDL_INIT_VIDEO | SDL_INIT_TIMER | SDL_INIT_EVENTS) != 0) {
    web_fatal("The app could not start its window system (SDL). Try reloading the page.");
    return 1;
  }
  SDL_GL_SetAttribute(SDL_GL_CONTEXT_PROFILE_MASK, SDL_GL_CONTEXT_PROFILE_ES);
  SDL_GL_SetAttribute(SDL_GL_CONTEXT_MAJOR_VERSION, 3);
  SDL_GL_SetAttribute(SDL_GL_CONTEXT_MINOR_VERSION, 0);
  SDL_GL_SetAttribute(SDL_GL_DOUBLEBUFFER, 1);
  SDL_GL_SetAttribute(SDL_GL_DEPTH_SIZE, 0);
  SDL_GL_SetAttribute(SDL_GL_STENCIL_SIZE, 0);
  // The canvas is sized by the page's CSS (it fills the window); SDL follows it and scales the
  // drawing buffer by devicePixelRatio.
  g_window = SDL_CreateWindow("Digit Lab", SDL_WINDOWPOS_UNDEFINED, SDL_WINDOWPOS_UNDEFINED, 1280, 800,
                              SDL_WINDOW_OPENGL | SDL_WINDOW_RESIZABLE | SDL_WINDOW_ALLOW_HIGHDPI);
  SDL_GLContext gl = g_window ? SDL_GL_CreateContext(g_window) : nullptr;
  if (!gl) {
    web_fatal("This browser could not start WebGL 2, which Digit Lab needs to draw. Try an up-to-date Chrome, "
              "Edge or Firefox, and check that hardware acceleration is turned on.");
    return 1;
  }
  SDL_GL_SetSwapInterval(1);

  IMGUI_CHECKVERSION();
  ImGui::CreateContext();
  ImGuiIO& io = ImGui::GetIO();
  io.IniFilename = nullptr;  // no imgui.ini on the web
  io.ConfigWindowsMoveFromTitleBarOnly = true;
  io.ConfigFlags |= ImGuiConfigFlags_NavEnableKeyboard;  // arrows move between widgets, Space presses (window_keys: Ctrl+←/→)
  setup_style();
  ImGui_ImplSDL2_InitForOpenGL(g_window, gl);
  ImGui_ImplOpenGL3_Init("#version 300 es");
  std::string err;
  if (!gfx_init(&err)) {
    web_fatal(("The app's drawing shaders did not compile: " + err).c_str());
    return 1;
  }
  s.ui.dpr = float(emscripten_get_device_pixel_ratio());
  s.env.dpr = s.ui.dpr;

  s.bridge->init(s.env.threads, s.env.workers);
  emscripten_set_main_loop(frame, 0, 1);
  return 0;
}

extern "C" {
// Called by the page's input listeners (web/app.js): back to full rate from the next animation frame.
EMSCRIPTEN_KEEPALIVE void digitlab_wake() {
  app::AppState& s = app::app_state();
  s.ui.last_input_ms = app::now_ms();
  app::set_frame_interval(s, 1);
}
}
