// Where things go on the page: the text size (following the page and the View menu, rasterised for
// the device's pixels), the style, the menu bar, and the five windows — tiled side by side, or one at
// a time behind a row of tabs on a small page — with the status bar at the bottom.
#include <SDL.h>

#include <algorithm>
#include <array>
#include <cmath>

#include "app.h"
#include "embedded.h"
#include "imgui_impl_opengl3.h"

namespace app {

// Font atlas rasterised at font_px × devicePixelRatio and drawn at 1/dpr: sharp text on HiDPI.
static void rebuild_fonts(AppState& s) {
  ImGuiIO& io = ImGui::GetIO();
  const float dpr = s.ui.dpr;
  io.Fonts->Clear();
  ImFontConfig cfg;
  cfg.OversampleH = 2;
  cfg.OversampleV = 1;
  cfg.PixelSnapH = false;
#ifdef DIGITLAB_HAVE_FONT
  // The ranges the font was cut down to (app.cmake's APP_FONT_RANGES): Latin-1, Greek, dashes, quotes,
  // •, …, ›, arrows, −, ≈ to ≥, squares and circles.
  static_assert(sizeof(ImWchar) == sizeof(kFontRanges[0]), "ImWchar is 16 bits");
  cfg.FontDataOwnedByAtlas = false;
  io.Fonts->AddFontFromMemoryTTF((void*)kFontData, int(kFontSize), s.ui.font_px * dpr, &cfg,
                                 reinterpret_cast<const ImWchar*>(kFontRanges));
#else
  cfg.SizePixels = 13.0f * dpr;
  io.Fonts->AddFontDefault(&cfg);
#endif
  io.FontGlobalScale = 1.0f / dpr;
  ImGui_ImplOpenGL3_DestroyFontsTexture();
  ImGui_ImplOpenGL3_CreateFontsTexture();
  ImGuiStyle style = s.ui.base_style;
  style.ScaleAllSizes(s.ui.font_px / 15.0f);
  ImGui::GetStyle() = style;
  s.ui.fonts_dirty = false;
}

// Text size follows the page (readable from the back of a classroom; a window resized or a phone turned
// gets it again), plus the View menu's steps.
constexpr float kMinFontPx = 12, kMaxFontPx = 32;
static float font_for_page(const AppState& s, int w, int h) {
  const float page = std::round(std::clamp(std::min(w / 88.0f, h / 48.0f), 14.0f, 24.0f));
  return std::clamp(page + 2.0f * s.ui.font_steps, kMinFontPx, kMaxFontPx);
}

// The page's size in pixels (the SDL window's) picks the text size; a change rebuilds the fonts.
void layout_fonts(AppState& s, int win_w, int win_h) {
  if (win_w > 0 && win_h > 0) {
    const float px = font_for_page(s, win_w, win_h);
    s.ui.fonts_dirty |= px != s.ui.font_px;
    s.ui.font_px = px;
  }
  if (s.ui.fonts_dirty) rebuild_fonts(s);
}

void setup_style(AppState& s) {
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
  // A light slider knob: the value is written over it, and a dark knob hides half of "0.001".
  c[ImGuiCol_SliderGrab] = ImVec4(0.26f, 0.59f, 0.98f, 0.35f);
  c[ImGuiCol_SliderGrabActive] = ImVec4(0.26f, 0.59f, 0.98f, 0.60f);
  s.ui.base_style = st;
}

// Whether the five windows fit side by side on a page w × h font heights large; else one window at a
// time (a phone, upright or turned; an 800 × 600 or 1024 × 600 screen). Narrow tiles wrap their rows
// (two lines for the status line, the file buttons, the callbacks' fields), so a narrower page needs
// more height. tests/e2e/sizes.test.mjs checks it over 18 page sizes × 3 text sizes (nothing may run
// past its window): 1024 × 768 at 14 px (73 × 55) and a laptop's 1366 × 625 at 14 px (98 × 45) tile;
// with 64 × 44 alone, 1024 × 768 at 16 px and 1152 × 864 at 18 px (64 × 48 each) would tile, and the
// Model window's totals ran out of it.
static bool tiles_fit(float w, float h) { return w >= 64 && h >= 44 && (h >= 49 || w >= 85); }

// Ctrl+← / Ctrl+→: the keyboard to the previous or next window (ImGui's own Ctrl+Tab is the
// browser's: it changes tabs). On a narrow page the tab changes too. Not while typing in a field.
static void window_keys(AppState& s) {
  const ImGuiIO& io = ImGui::GetIO();
  const int from = s.ui.key_pane;
  s.ui.key_pane = -1;  // set again by the window that has the keyboard (begin_tile)
  if (!io.KeyCtrl || io.WantTextInput) return;
  const int dir = ImGui::IsKeyPressed(ImGui::GetKeyIndex(ImGuiKey_RightArrow)) ? 1
                  : ImGui::IsKeyPressed(ImGui::GetKeyIndex(ImGuiKey_LeftArrow)) ? -1 : 0;
  if (dir == 0) return;
  // From the window that has the keyboard (on a narrow page, the one shown); with none, to Training.
  const int at = from >= 0 ? from : s.ui.narrow ? s.ui.pane : -1;
  int next = at < 0 ? kPaneTrain : (at + dir + kPaneCount) % kPaneCount;
  while (s.ui.hidden[next]) next = (next + dir + kPaneCount) % kPaneCount;  // the Training window always shows
  s.ui.focus_pane = next;
  if (s.ui.narrow) s.ui.pane = next;
}

// The row of tabs that picks the window on a narrow page; returns its height.
static float pane_tabs(AppState& s, float top, float width) {
  const ImGuiWindowFlags f = ImGuiWindowFlags_NoDecoration | ImGuiWindowFlags_NoMove | ImGuiWindowFlags_NoSavedSettings |
                             ImGuiWindowFlags_AlwaysAutoResize;
  ImGui::SetNextWindowPos(ImVec2(0, top), ImGuiCond_Always);
  ImGui::SetNextWindowSize(ImVec2(width, 0), ImGuiCond_Always);
  ImGui::Begin("##panes", nullptr, f);
  const ImGuiStyle& st = ImGui::GetStyle();
  const int shown = int(std::count(std::begin(s.ui.hidden), std::end(s.ui.hidden), false));
  const float bw = std::floor((ImGui::GetContentRegionAvail().x - st.ItemSpacing.x * (shown - 1)) / shown);
  for (int i = 0, n = 0; i < kPaneCount; ++i) {
    if (s.ui.hidden[i]) continue;
    if (n++) ImGui::SameLine();
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
static void (*const kPaneWindows[kPaneCount])(AppState&) = {window_data, window_model, window_training, window_draw,
                                                     window_evaluation};

// Tiles the five windows over the page, in Pane order: | Data / Model | Training / Draw | Evaluation |.
// A hidden window's place goes to the other one of its column, or a column with none shown to the others.
static std::array<ImVec4, kPaneCount> layout_tiles(ImVec2 d, float top, float bottom, const bool* hidden) {
  const float gap = 4, H = d.y - top - bottom;
  const bool col1 = !hidden[kPaneData] || !hidden[kPaneModel], col3 = !hidden[kPaneResults];
  const float share = (col1 ? 0.27f : 0) + 0.40f + (col3 ? 0.33f : 0);
  const float w1 = col1 ? std::floor(d.x * 0.27f / share) : 0, w3 = col3 ? std::floor(d.x * 0.33f / share) : 0;
  const float w2 = d.x - w1 - w3;
  const float x1 = 0, x2 = w1, x3 = w1 + w2;
  const float h_data = hidden[kPaneModel] ? H : hidden[kPaneData] ? 0 : std::floor(H * 0.62f);
  const float h_train = hidden[kPaneDraw] ? H : std::floor(H * 0.61f);
  std::array<ImVec4, kPaneCount> t;
  t[kPaneData] = ImVec4(x1, top, w1 - gap, h_data - gap);
  t[kPaneModel] = ImVec4(x1, top + h_data, w1 - gap, H - h_data);
  t[kPaneTrain] = ImVec4(x2, top, w2 - gap, h_train - gap);
  t[kPaneDraw] = ImVec4(x2, top + h_train, w2 - gap, H - h_train);
  t[kPaneResults] = ImVec4(x3, top, w3, H);
  return t;
}

static void place(const ImVec4& r) {
  ImGui::SetNextWindowPos(ImVec2(r.x, r.y), ImGuiCond_Always);
  ImGui::SetNextWindowSize(ImVec2(r.z, r.w), ImGuiCond_Always);
}

bool begin_floating(AppState& s, const char* title, const char* note, ImVec2 pos, ImVec2 pivot, ImVec2 size,
                    bool* focus, bool* open) {
  ImGui::SetNextWindowPos(pos, ImGuiCond_Appearing, pivot);
  ImGui::SetNextWindowSize(size, ImGuiCond_Appearing);
  if (*focus) ImGui::SetNextWindowFocus();
  *focus = false;
  const bool shown = ImGui::Begin(title, open, ImGuiWindowFlags_NoCollapse);
  if (shown) {
    const ImVec2 wp = ImGui::GetWindowPos(), ws = ImGui::GetWindowSize();
    note_rect(s, note, wp, ImVec2(wp.x + ws.x, wp.y + ws.y));
  }
  return shown;
}

static void menu_bar(AppState& s, float* height) {
  if (ImGui::BeginMainMenuBar()) {
    ImGui::TextColored(ImVec4(0.16f, 0.29f, 0.52f, 1), "Digit Lab");
    if (!s.ui.narrow) ImGui::TextDisabled("train a neural network to read handwritten digits");
    lessons_menu(s);
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
      if (ImGui::MenuItem("How the pad reads a drawing")) open_steps(s.draw);
      note_rect(s, "menu.steps");
      hint("The steps from your drawing to the 28 × 28 image the network reads, and why it answers what it "
           "does (also a click on the Draw window's small input image).");
      if (ImGui::MenuItem("How robust is it?")) open_robust(s);
      note_rect(s, "menu.robust");
      hint("The model's test accuracy as the test images are turned, moved, resized and made noisy.");
      if (ImGui::MenuItem("My digits")) s.mine.open = s.mine.focus = true;
      note_rect(s, "menu.mine");
      hint("Digits drawn on the pad and kept with their label: how the network does on your handwriting.");
      ImGui::Separator();
      ImGui::TextDisabled("Keys: arrows move, Space presses,\nCtrl+← / Ctrl+→ change window");
      ImGui::EndMenu();
    }
    *height = ImGui::GetWindowSize().y;
    ImGui::EndMainMenuBar();
  }
}

void layout_windows(AppState& s) {
  float top = 0, bottom = ImGui::GetFrameHeight() + 6;
  const ImVec2 d = ImGui::GetIO().DisplaySize;
  s.ui.narrow = !tiles_fit(d.x / ImGui::GetFontSize(), d.y / ImGui::GetFontSize());
  s.ui.stage = "menu bar";
  menu_bar(s, &top);
  window_keys(s);
  s.learned.shown = s.learned.layers_shown = s.cell.shown = false;  // set again by the windows that show them
  for (int i = 0; i < kPaneCount; ++i)      // what the windows on screen show now counts as seen
    if (!s.ui.narrow || s.ui.pane == i) s.ui.pane_seen[i] = pane_news(s, i);
  if (s.ui.narrow) {
    const float tabs = pane_tabs(s, top, d.x);
    place(ImVec4(0, top + tabs, d.x, d.y - top - tabs - bottom));
    s.ui.stage = kPaneNames[s.ui.pane];
    kPaneWindows[s.ui.pane](s);
  } else {
    const auto tiles = layout_tiles(d, top + 2, bottom, s.ui.hidden);
    for (int i = 0; i < kPaneCount; ++i) {
      if (s.ui.hidden[i]) continue;
      place(tiles[size_t(i)]);
      s.ui.stage = kPaneNames[i];
      kPaneWindows[i](s);
    }
  }
  // The floating views that need no window's place: also with their window hidden or on another tab.
  s.ui.stage = "floating views";
  steps_window(s);
  robust_window(s);
  mine_window(s);
  link_notice_popup(s);
  lesson_window(s);
  s.ui.stage = "status bar";
  ImGui::SetNextWindowPos(ImVec2(0, d.y - bottom), ImGuiCond_Always);
  ImGui::SetNextWindowSize(ImVec2(d.x, bottom), ImGuiCond_Always);
  status_bar(s);
}

}  // namespace app
