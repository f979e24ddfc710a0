// The app's entry point and frame loop, shaped as ImGui's SDL2 + OpenGL 3 example: SDL init → GL
// attributes → ImGui context → backends → one frame per call from the platform's loop (the browser's
// animation frames; a frame never blocks). A frame: events (input.cpp) → frame pacing → the trainer's
// state → ImGui's frame with the windows (layout.cpp) → the pad's prediction → draw. No cleanup: the
// page or the process ends.
#include <SDL.h>

#include <GLES3/gl3.h>

#include <algorithm>
#include <cmath>
#include <iterator>

#include "app.h"
#include "core/kernels/pool.h"
#include "imgui_impl_opengl3.h"
#include "imgui_impl_sdl.h"
#include "platform/platform.h"

namespace app {
namespace {

SDL_Window* g_window = nullptr;
bool g_trap_next_frame = false;  // digitlab_test_fault(0): the tests of the page's handling of a trap

double now_ms() { return platform::now_ms(); }

// Frame pacing (docs/design.md, "Frame pacing"). Full rate while someone uses the page. While the
// trainer thread works and nobody has touched the page for a second, kTrainingFps frames a second
// (skip_frame), and the frames come on a kPacedTickMs timer rather than on animation frames, so that
// the browser's compositor sleeps in between too: the curves and progress still move, the cores go to
// training, and an input is drawn within a tick. The rate is low whatever the cost
// measure_frame sees, because with software WebGL most of a frame's CPU is spent outside the UI
// thread (the browser draws and composites the page); lower still when that cost alone would exceed
// kTrainingUiShare of a core. With nothing running and nobody there for 2 s (a laptop left open in
// class), every kIdleFrameInterval-th animation frame. The page's input listeners call
// digitlab_wake() on every press, move, release and key, so nobody waits for the slow tick. (The
// single-thread build trains inside frames: always full rate then.)
void set_frame_timing(AppState& s, int interval, double tick_ms) {
  if (interval == s.ui.frame_interval && tick_ms == s.ui.frame_tick_ms) return;
  s.ui.frame_interval = interval;
  s.ui.frame_tick_ms = tick_ms;
  platform::set_frame_timing(interval, tick_ms);
}

void pace_frames(AppState& s, double t_frame) {
  const double quiet_ms = t_frame - s.ui.last_input_ms;
  const bool training = s.snap.phase == dl::TrainPhase::Running && !s.snap.paused;
  const bool scanning = (s.outliers.open && !s.outliers.ready) || (s.draw.steps_open && s.draw.why && !s.draw.why_ready);
  const bool working = training || s.snap.starting || s.snap.evaluating || s.snap.predictions.running || scanning ||
                       s.data.phase == DataPhase::Loading ||
                       s.autostart_pending || s.hash_pending;
  s.ui.saving_cpu = training && s.bridge->threaded() && quiet_ms > 1000;
  s.ui.frame_period_ms =
    s.ui.saving_cpu ? std::clamp(s.ui.frame_cost_ms / kTrainingUiShare, 1000 / kTrainingFps, 1000 / kTrainingMinFps) : 0;
  set_frame_timing(s, !working && quiet_ms > 2000 ? kIdleFrameInterval : 1, s.ui.saving_cpu ? kPacedTickMs : 0);
}

// While saving CPU for training, a tick sooner than frame_period_ms after the last frame drawn draws
// nothing, so the browser does not composite the page again either.
bool skip_frame(const Ui& ui, double t) { return ui.saving_cpu && t - ui.last_frame_ms < ui.frame_period_ms; }

// The cost of a frame that began at t_frame and ended at t_end into Ui::frame_cost_ms and
// Ui::ui_share, without `training_ms` (the single-thread build's slice of training inside it).
void measure_frame(Ui& ui, double t_frame, double t_end, double training_ms) {
  const double cost = t_end - t_frame - training_ms;
  ui.frame_cost_ms = ui.frame_cost_ms > 0 ? 0.7 * ui.frame_cost_ms + 0.3 * cost : cost;
  ui.share_busy_ms += cost;
  if (ui.share_since_ms == 0) ui.share_since_ms = t_frame;
  if (t_end - ui.share_since_ms >= 1000) {
    ui.ui_share = ui.share_busy_ms / (t_end - ui.share_since_ms);
    ui.share_busy_ms = 0;
    ui.share_since_ms = t_end;
  }
}

void frame() {
  AppState& s = app_state();
  const double t_frame = now_ms();
  if (skip_frame(s.ui, t_frame)) return;
  s.ui.stage = "input";
  if (g_trap_next_frame) __builtin_trap();
  s.ui.fps = s.ui.fps * 0.95 + 0.05 * (1000.0 / std::max(1.0, t_frame - s.ui.last_frame_ms));
  s.ui.last_frame_ms = t_frame;
  const float dpr = platform::pixel_ratio();
  if (dpr != s.ui.dpr) {
    s.ui.dpr = dpr;
    s.env.dpr = dpr;
    s.ui.fonts_dirty = true;
  }
  input_events(s, t_frame);
  pace_frames(s, t_frame);
  int win_w = 0, win_h = 0;
  SDL_GetWindowSize(g_window, &win_w, &win_h);
  s.ui.stage = "text size";
  layout_fonts(s, win_w, win_h);

  // Single-thread build: train in a short slice, then draw.
  s.ui.stage = "trainer";
  const double t_pump = now_ms();
  if (s.trainer_fault.empty() && !s.bridge->threaded()) s.bridge->pump(10.0);
  const double t_build = now_ms();
  check_trainer(s);
  if (s.trainer_fault.empty()) s.bridge->snapshot(&s.snap);
  s.ui.stage = "runs";
  runs_update(s);
  s.ui.stage = "Kaggle predictions";
  kaggle_update(s);
  s.ui.stage = "my digits";
  mine_update(s);
  s.ui.stage = "lesson link";
  lesson_link_update(s);
  // A link's autostart waits for its data: MNIST, and Fashion-MNIST if it asks for it.
  if (s.autostart_pending && s.data.phase == DataPhase::Ready && !s.data.fashion_fetching && !runs_waiting(s)) {
    s.autostart_pending = false;
    start_training(s, false);
  }

  s.ui.stage = "ImGui's new frame";
  ImGui_ImplOpenGL3_NewFrame();
  ImGui_ImplSDL2_NewFrame();
  input_after_backend(s);
  ImGui::NewFrame();
  touch_scroll(s);
  s.ui.rects.clear();
  s.ui.focused.clear();
  layout_windows(s);
  s.ui.stage = "draw pad";
  s.draw.input.clear();  // taken by the pad if it was on screen and pressed, else dropped
  draw_update(s);        // the ink drawn this frame, read now
  s.ui.hovering = ImGui::IsAnyItemHovered();

  s.ui.stage = "render";
  ImGui::Render();
  s.ui.build_ms[s.ui.frames % std::size(s.ui.build_ms)] = float(now_ms() - t_build);
  const ImGuiIO& io = ImGui::GetIO();
  glViewport(0, 0, int(io.DisplaySize.x * io.DisplayFramebufferScale.x),
             int(io.DisplaySize.y * io.DisplayFramebufferScale.y));
  glClearColor(0.86f, 0.88f, 0.91f, 1.0f);
  glClear(GL_COLOR_BUFFER_BIT);
  ImGui_ImplOpenGL3_RenderDrawData(ImGui::GetDrawData());
  // While paced, the drawing's cost counted in the frame's (measure_frame): glFinish waits for the GPU
  // process, so the figure includes its waiting for the cores as well; the 500–1000 ms clamp bounds it.
  if (s.ui.saving_cpu) glFinish();
  SDL_GL_SwapWindow(g_window);
  measure_frame(s.ui, t_frame, now_ms(), t_build - t_pump);
  ++s.ui.frames;
  s.ui.stage = "";
  platform::frame_done();
}

}  // namespace

void test_fault(AppState& s, int where) {
  if (where == 0) g_trap_next_frame = true;
  else trainer(s).test_fault(where);
}

// Input on a quiet page: back to full rate from the next tick or animation frame.
void on_input(AppState& s) {
  s.ui.last_input_ms = now_ms();
  s.ui.saving_cpu = false;
  set_frame_timing(s, 1, 0);
}

}  // namespace app

int main(int argc, char** argv) {
  using namespace app;
  AppState& s = app_state();
  app_init(s, argc, argv);
  // The UI thread's kernels (the draw pad's prediction) use the workers when the trainer does not:
  // it waits only for tasks a worker took, never for a worker to wake.

  SDL_SetHint(SDL_HINT_EMSCRIPTEN_KEYBOARD_ELEMENT, "#canvas");
  if (SDL_Init(SDL_INIT_VIDEO | SDL_INIT_TIMER | SDL_INIT_EVENTS) != 0) {
    platform::fatal("The app could not start its window system (SDL). Try reloading the page.");
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
    platform::fatal("This browser could not start WebGL 2, which Digit Lab needs to draw. Try an up-to-date Chrome, "
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
  setup_style(s);
  ImGui_ImplSDL2_InitForOpenGL(g_window, gl);
  ImGui_ImplOpenGL3_Init("#version 300 es");
  std::string err;
  if (!gfx_init(&err)) {
    platform::fatal("The app's drawing shaders did not compile: " + err);
    return 1;
  }
  s.ui.dpr = platform::pixel_ratio();
  s.env.dpr = s.ui.dpr;

  s.bridge->init(s.env.threads, s.env.workers);
  platform::run_frames(frame);
  return 0;
}
