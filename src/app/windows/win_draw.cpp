// The Draw window: a pad for mouse, pen and touch; Clear; the prediction with ten probability
// bars, updated while drawing; and the 28×28 image the network actually sees. Also the pad's input
// (draw_input) and its consumer (draw_update), which keeps the prediction fresh.
#include <algorithm>
#include <cmath>
#include <cstdio>

#include <SDL.h>

#include "app.h"
#include "imgui_internal.h"  // ImGuiItemFlags_NoNav
#include "core/draw/preprocess.h"
#include "platform/platform.h"

namespace app {

void draw_input(AppState& s, const SDL_Event& ev) {
  switch (ev.type) {
    case SDL_MOUSEBUTTONDOWN:
    case SDL_MOUSEBUTTONUP:
      if (ev.button.button == SDL_BUTTON_LEFT)
        s.draw.input.push_back({ev.type == SDL_MOUSEBUTTONDOWN ? PadEvent::Down : PadEvent::Up, float(ev.button.x),
                                float(ev.button.y)});
      break;
    case SDL_MOUSEMOTION:  // touch arrives as mouse events too (SDL's touch-to-mouse emulation)
      if (ev.motion.state & SDL_BUTTON_LMASK)
        s.draw.input.push_back({PadEvent::Move, float(ev.motion.x), float(ev.motion.y)});
      break;
  }
}

// A stroke must not scroll the window it is drawn in.
static constexpr ImGuiWindowFlags kDrawTile = kTile | ImGuiWindowFlags_NoScrollWithMouse | ImGuiWindowFlags_NoScrollbar;

// The brush along the segment (x0,y0)→(x1,y1), in pad units; a press (`starts`) also begins a path.
static void stroke_segment(DrawState& d, float x0, float y0, float x1, float y1, bool starts) {
  dl::brush_segment(d.pad.data(), kPadN, kPadN, d.brush, x0, y0, x1, y1);
  if (starts) d.paths.press(x1, y1);
  else d.paths.drag(x0, y0, x1, y1);
  d.dirty = true;
}

void clear_pad(DrawState& d) {
  std::fill(d.pad.begin(), d.pad.end(), 0.0f);
  d.paths.clear();
  d.dirty = true;
}

void on_clear_pad(AppState& s) { clear_pad(s.draw); }

void draw_pad(AppState& s, const char* id, float side, const char* note) {
  DrawState& d = s.draw;
  const float fs = ImGui::GetFontSize();
  const ImVec2 p0 = ImGui::GetCursorScreenPos();
  const ImGuiID me = ImGui::GetID(id);  // the button's own id
  ImGui::InvisibleButton(id, ImVec2(side, side));
  note_rect(s, note);
  ImDrawList* dl = ImGui::GetWindowDrawList();
  draw_image(dl, d.pad_tex, p0, ImVec2(p0.x + side, p0.y + side), ImageMode::Ink);
  dl->AddRect(p0, ImVec2(p0.x + side, p0.y + side), IM_COL32(120, 130, 150, 255), 4, 0, 2);
  if (!d.has_ink) {
    const char* say = ImGui::CalcTextSize("draw one digit here").x < side - fs * 1.2f ? "draw one digit here" : "draw here";
    dl->AddText(ImVec2(p0.x + fs * 0.6f, p0.y + fs * 0.4f), IM_COL32(150, 155, 165, 255), say);
  }
  // ImGui says whether the pad owns the pointer (pressed on it, nothing in front of it), including
  // the frame it lets go; the path comes from every queued event of the frame, in order. Of the two
  // pads, only the one drawn on last may end a stroke.
  if (ImGui::IsItemActive() || ImGui::IsItemDeactivated()) {
    if (d.stroke_pad != me) d.stroke = false;
    d.stroke_pad = me;
    for (const PadEvent& e : d.input) {
      const float x = (e.x - p0.x) / side * kPadN, y = (e.y - p0.y) / side * kPadN;
      if (e.kind == PadEvent::Down) stroke_segment(d, x, y, x, y, true);
      else if (d.stroke) stroke_segment(d, d.last_x, d.last_y, x, y, false);
      d.stroke = e.kind != PadEvent::Up && (d.stroke || e.kind == PadEvent::Down);
      d.last_x = x;
      d.last_y = y;
    }
  } else if (d.stroke_pad == me) {
    d.stroke = false;
  }
}

// The digit it reads, large, with how sure it is and how long the reading took, left of `words_right`
// (window-local x); or why there is nothing to read.
static void draw_reading(AppState& s, float words_right) {
  const DrawState& d = s.draw;
  if (!d.model.built()) {
    ImGui::TextWrapped("Train a network (or load a model file) and it will read what you draw here.");
  } else if (d.pred >= 0) {
    ImGui::SetWindowFontScale(2.2f);
    ImGui::Text("%d", d.pred);
    ImGui::SetWindowFontScale(1.0f);
    note_rect(s, "draw.prediction");
    ImGui::SameLine();
    ImGui::BeginGroup();
    if (s.model_fashion) ImGui::TextWrapped("looks most like: %s", dl::kFashionClasses[d.pred]);
    else ImGui::TextWrapped("it reads a %d", d.pred);
    ImGui::PushStyleColor(ImGuiCol_Text, ImGui::GetStyle().Colors[ImGuiCol_TextDisabled]);
    char sure[24];
    std::snprintf(sure, sizeof sure, "%.0f%% sure", 100.0 * d.probs[d.pred]);
    const std::string both = std::string(sure) + " · " + latency_text(d.latency_ms);
    if (ImGui::GetCursorPosX() + ImGui::CalcTextSize(both.c_str()).x <= words_right) ImGui::TextUnformatted(both.c_str());
    else ImGui::Text("%s\n%s", sure, latency_text(d.latency_ms).c_str());  // a narrow window: the time below
    ImGui::PopStyleColor();
    ImGui::EndGroup();
  } else {
    ImGui::PushStyleColor(ImGuiCol_Text, ImGui::GetStyle().Colors[ImGuiCol_TextDisabled]);
    ImGui::TextWrapped("(empty pad: no prediction)");
    ImGui::PopStyleColor();
  }
  if (d.model.built() && s.model_fashion) {
    ImGui::PushStyleColor(ImGuiCol_Text, ImVec4(0.62f, 0.20f, 0.0f, 1));
    ImGui::TextWrapped("This network learned clothes (Fashion-MNIST), not digits.");
    ImGui::PopStyleColor();
    note_rect(s, "draw.not_digits");
  }
}

// The ten probabilities as bars from `b0`, the class read in green; a Fashion-MNIST model's classes by
// name (in a smaller font).
static void probability_bars(const AppState& s, ImVec2 b0, float bar_w, float row_h) {
  const DrawState& d = s.draw;
  ImDrawList* dl = ImGui::GetWindowDrawList();
  const float fs = ImGui::GetFontSize(), small = fs * 0.8f;
  const float label_w = s.model_fashion ? ImGui::CalcTextSize("T-shirt/top").x * 0.8f + fs * 0.3f : fs * 1.0f;
  for (int k = 0; k < 10; ++k) {
    const float y = b0.y + k * row_h;
    char t[32];
    if (s.model_fashion) {
      dl->AddText(ImGui::GetFont(), small, ImVec2(b0.x, y + (row_h - small) * 0.5f), ImGui::GetColorU32(ImGuiCol_Text),
                  dl::kFashionClasses[k]);
    } else {
      std::snprintf(t, sizeof t, "%d", k);
      dl->AddText(ImVec2(b0.x, y + (row_h - fs) * 0.5f), ImGui::GetColorU32(ImGuiCol_Text), t);
    }
    const float x0 = b0.x + label_w, x1 = b0.x + bar_w - fs * 3.2f;
    dl->AddRectFilled(ImVec2(x0, y + row_h * 0.18f), ImVec2(x1, y + row_h * 0.82f), IM_COL32(232, 235, 240, 255), 2);
    const float p = d.pred >= 0 ? d.probs[k] : 0.0f;
    const ImU32 col = k == d.pred ? IM_COL32(30, 150, 80, 255) : IM_COL32(90, 130, 200, 255);
    if (p > 0) dl->AddRectFilled(ImVec2(x0, y + row_h * 0.18f), ImVec2(x0 + (x1 - x0) * p, y + row_h * 0.82f), col, 2);
    std::snprintf(t, sizeof t, "%.0f%%", 100.0 * p);
    dl->AddText(ImVec2(x1 + fs * 0.3f, y + (row_h - fs) * 0.5f), IM_COL32(90, 95, 105, 255), t);
  }
}

void window_draw(AppState& s) {
  DrawState& d = s.draw;
  begin_tile(s, kPaneDraw, "Draw a digit###Draw", kDrawTile);
  const float fs = ImGui::GetFontSize();
  const ImVec2 avail = ImGui::GetContentRegionAvail();
  // Side by side (pad | prediction and bars), or, in a window taller than wide (a phone held
  // upright), the pad across the width with the prediction and bars under it.
  const bool tall = avail.y > avail.x * 1.3f;
  const float side = tall ? std::floor(std::max(fs * 6, std::min(avail.x, avail.y - fs * 18)))
                          : std::floor(std::max(fs * 6, std::min(avail.y - ImGui::GetFrameHeightWithSpacing(), avail.x * 0.5f)));

  ImGui::BeginGroup();
  const ImVec2 p0 = ImGui::GetCursorScreenPos();
  draw_pad(s, "pad", side, "draw.pad");
  ImDrawList* dl = ImGui::GetWindowDrawList();
  if (ImGui::Button("Clear", ImVec2(fs * 5, 0))) clear_pad(d);
  note_rect(s, "draw.clear");
  ImGui::SameLine();
  ImGui::BeginDisabled(!d.has_ink);
  if (ImGui::Button("Keep…")) ImGui::OpenPopup("keep");
  ImGui::EndDisabled();
  note_rect(s, "draw.keep");
  hint("Keep this drawing, with its label, in your own set of digits (View › My digits): test the network on "
       "your class's handwriting.");
  keep_popup(s);
  ImGui::SameLine();
  const float keep_w = button_width("Keep…") + ImGui::GetStyle().ItemSpacing.x;
  ImGui::SetNextItemWidth(std::max(fs * 4, side - fs * 5 - keep_w - ImGui::GetStyle().ItemSpacing.x - fs * 3.5f));
  ImGui::SliderFloat("brush", &d.brush, 5.0f, 20.0f, "%.0f");
  ImGui::EndGroup();

  if (!tall) ImGui::SameLine();
  ImGui::BeginGroup();
  // The words stay left of the 28 × 28 image at the top right, wrapping where the window is narrow.
  // Beside the pad (not tall), the image and the ten bars share its height: a low window (1280 × 630)
  // gets a smaller image rather than bars cut off at the bottom.
  const float room = ImGui::GetWindowPos().y + ImGui::GetWindowContentRegionMax().y - p0.y - fs * 11.2f;
  const float img = std::floor(std::min({fs * 4.0f, ImGui::GetContentRegionAvail().x * 0.3f, tall ? fs * 4.0f : std::max(fs * 2.0f, room)}));
  const float words_right = ImGui::GetCursorPosX() + ImGui::GetContentRegionAvail().x - img - fs * 0.5f;  // window-local x
  ImGui::PushTextWrapPos(words_right);
  draw_reading(s, words_right);
  ImGui::PopTextWrapPos();
  note_rect(s, "draw.words");
  // The 28×28 image the network sees, at the top right; the ten bars fill the rest.
  const ImVec2 g0 = ImGui::GetCursorScreenPos();
  const float right = g0.x + ImGui::GetContentRegionAvail().x;
  const ImVec2 i0(right - img, tall ? g0.y : p0.y);
  draw_image(dl, d.img_tex, i0, ImVec2(i0.x + img, i0.y + img), ImageMode::Ink);
  dl->AddRect(i0, ImVec2(i0.x + img, i0.y + img), d.plain ? IM_COL32(230, 120, 30, 255) : IM_COL32(170, 175, 185, 255));
  note_rect(s, "draw.image28", i0, ImVec2(i0.x + img, i0.y + img));
  {  // a click on it opens the steps from the drawing to it
    // Not a stop for the arrow keys (they go from the pad to Clear): View › "How the pad reads a
    // drawing" opens the same window from the keyboard.
    const ImVec2 back = ImGui::GetCursorScreenPos();
    ImGui::SetCursorScreenPos(i0);
    ImGui::PushItemFlag(ImGuiItemFlags_NoNav, true);
    const bool pressed = ImGui::InvisibleButton("image28", ImVec2(img, img));
    ImGui::PopItemFlag();
    if (pressed) open_steps(d);
    if (ImGui::IsItemHovered())
      ImGui::SetTooltip("What the network reads. Click: how your drawing becomes these 28 × 28 pixels, and why "
                        "the network answers what it does.");
    ImGui::SetCursorScreenPos(back);
  }
  const char* cap = d.plain ? "no steps (click)" : "28 × 28 input";
  const float cap_w = ImGui::CalcTextSize(cap).x * 0.75f;  // centred under the image, or flush right if wider
  dl->AddText(ImGui::GetFont(), fs * 0.75f, ImVec2(std::min(i0.x + (img - cap_w) * 0.5f, right - cap_w), i0.y + img + 2),
              IM_COL32(120, 125, 135, 255), cap);
  const float top = std::max(g0.y, i0.y + img + fs * 1.1f);
  ImGui::SetCursorScreenPos(ImVec2(g0.x, top));
  const float bar_w = ImGui::GetContentRegionAvail().x;
  const float row_h = tall ? std::clamp(ImGui::GetContentRegionAvail().y / 10.0f - 1, fs * 1.0f, fs * 2.0f)
                           : std::max(fs * 1.0f, (p0.y + side + ImGui::GetFrameHeightWithSpacing() - top) / 10.0f - 1);
  const ImVec2 b0 = ImGui::GetCursorScreenPos();
  probability_bars(s, b0, bar_w, row_h);
  ImGui::Dummy(ImVec2(bar_w, row_h * 10));
  note_rect(s, "draw.probabilities");
  ImGui::EndGroup();
  ImGui::End();
}

// The pad's consumer, once a frame after the windows: the newest published weights, the ink drawn
// this frame as the 28 × 28 image the network reads, and its prediction when either changed.
void draw_update(AppState& s) {
  DrawState& d = s.draw;
  if (s.trainer_fault.empty() && s.bridge->fetch_model(&d.version, &d.model)) d.need_predict = d.why_stale = true;
  if (d.dirty) {
    std::vector<uint8_t> px(d.pad.size());
    for (size_t i = 0; i < px.size(); ++i) px[i] = uint8_t(std::lround(255.0f * std::clamp(d.pad[i], 0.0f, 1.0f)));
    texture_r8(&d.pad_tex, kPadN, kPadN, px.data(), true);
    // The network reads MNIST's preprocessing of the strokes drawn again at MNIST's width — or of the
    // pad's ink, with the switch, for paths too long to keep, or for a tap (paths shorter than the
    // brush is wide) — or with the other switch the whole pad shrunk. The steps window shows both, and
    // the steps' pictures: made only while it is open (opening it marks the pad dirty). Picture 1's box
    // is the ink's, which is what the eye sees.
    float mnist[784], thin[784];
    const bool shown = d.steps_open || d.plain;
    d.has_ink = dl::draw_to_mnist_steps(d.pad.data(), kPadN, kPadN, mnist, shown ? &d.steps : nullptr);
    dl::DrawSteps thin_steps;
    d.from_paths = d.has_ink && d.redraw && !d.paths.full &&
                   dl::strokes_to_mnist(d.paths.strokes, dl::kMnistStrokeWidth, 2 * d.brush, thin, shown ? &thin_steps : nullptr);
    if (d.from_paths) {
      std::copy(thin, thin + 784, mnist);
      if (shown) {  // the paths' pictures, under the ink's box
        thin_steps.y0 = d.steps.y0, thin_steps.x0 = d.steps.x0, thin_steps.h = d.steps.h, thin_steps.w = d.steps.w;
        d.steps = thin_steps;
      }
    }
    if (shown) dl::pad_to_28(d.pad.data(), kPadN, kPadN, d.plain28);
    std::copy(d.plain ? d.plain28 : mnist, (d.plain ? d.plain28 : mnist) + 784, d.img28);
    auto to_texture = [](Texture* t, const float* v) {
      uint8_t img[784];
      for (int i = 0; i < 784; ++i) img[i] = uint8_t(std::lround(255.0f * std::clamp(v[i], 0.0f, 1.0f)));
      texture_r8(t, 28, 28, img, false);
    };
    to_texture(&d.img_tex, d.img28);
    if (shown) {
      to_texture(&d.boxed_tex, d.steps.boxed);
      to_texture(&d.mnist_tex, mnist);
      to_texture(&d.plain_tex, d.plain28);
    }
    d.dirty = false;
    d.need_predict = d.why_stale = true;
  }
  if (d.need_predict) {
    d.need_predict = false;
    if (!d.has_ink || !d.model.built()) {
      d.pred = -1;
      std::fill(std::begin(d.probs), std::end(d.probs), 0.0f);
      return;
    }
    const double t0 = platform::now_ms();
    const float* p = d.model.forward(d.img28, 1, false);
    d.latency_ms = platform::now_ms() - t0;
    ++d.forwards;
    const int K = std::min(10, d.model.classes());
    std::copy(p, p + K, d.probs);
    d.pred = int(std::max_element(d.probs, d.probs + K) - d.probs);
  }
}

// The smallest step of platform::now_ms() (performance.now()): microseconds in a cross-origin
// isolated page; otherwise browsers coarsen it (Chrome to 0.1 ms, Firefox to 1 ms). Measured once, by
// watching the clock tick three times (about 3 ms of waiting at worst).
static double clock_step_ms() {
  static const double step = [] {
    double best = 1e9, last = platform::now_ms();
    for (int ticks = 0, i = 0; ticks < 3 && i < 50000000; ++i) {
      const double now = platform::now_ms();
      if (now > last) best = std::min(best, now - last), last = now, ++ticks;
    }
    return best;
  }();
  return step;
}

std::string latency_text(double ms) {
  const double step = clock_step_ms();
  char buf[32];
  if (step <= 0.05) {
    std::snprintf(buf, sizeof buf, "%.2f ms", ms);
  } else {  // no more digits than the clock has; a pass shorter than one tick reads 0
    const int digits = step < 1.0 ? 1 : 0;
    if (ms < step) std::snprintf(buf, sizeof buf, "under %.*f ms", digits, step);
    else std::snprintf(buf, sizeof buf, "%.*f ms", digits, ms);
  }
  return buf;
}

}  // namespace app
