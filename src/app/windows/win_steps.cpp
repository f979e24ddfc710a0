// "From your drawing to 28 × 28", opened by a click on the Draw window's input image: MNIST's
// preprocessing step by step (the ink's box, scaled to 20 × 20 — the strokes drawn again at MNIST's
// width, or the pad's ink scaled — moved so that its centre of mass is the image's centre), the pad
// shrunk without those steps, switches that read the drawing those ways,
// and "Why this answer": occlusion maps (dl::Occlusion) for the class read and the runner-up,
// computed a few milliseconds a frame on a copy of the pad's weights.
#include <algorithm>
#include <cfloat>
#include <cmath>
#include <cstdio>

#include "app.h"
#include "platform/platform.h"

namespace app {

static constexpr double kWhyBudgetMs = 3;

// One picture of the row, `side` square, with a caption under it in small type; returns the
// caption's height.
static float picture(const Texture& t, ImVec2 p, float side, const char* caption, ImageMode mode = ImageMode::Ink) {
  ImDrawList* dl = ImGui::GetWindowDrawList();
  draw_image(dl, t, p, ImVec2(p.x + side, p.y + side), mode);
  dl->AddRect(p, ImVec2(p.x + side, p.y + side), IM_COL32(170, 175, 185, 255));
  const float fs = ImGui::GetFontSize() * 0.8f;
  dl->AddText(ImGui::GetFont(), fs, ImVec2(p.x, p.y + side + 2), IM_COL32(90, 95, 105, 255), caption, nullptr, side);
  return ImGui::GetFont()->CalcTextSizeA(fs, FLT_MAX, side, caption).y;
}

// A cross at (cy, cx) of a 28 × 28 image drawn at p with `side`.
static void cross(ImVec2 p, float side, float cy, float cx, ImU32 col) {
  const float u = side / 28, x = p.x + (cx + 0.5f) * u, y = p.y + (cy + 0.5f) * u, r = u * 2.2f;
  ImDrawList* dl = ImGui::GetWindowDrawList();
  dl->AddLine(ImVec2(x - r, y), ImVec2(x + r, y), col, 2);
  dl->AddLine(ImVec2(x, y - r), ImVec2(x, y + r), col, 2);
}

static void steps_row(AppState& s) {
  DrawState& d = s.draw;
  const float fs = ImGui::GetFontSize(), gap = fs * 0.6f;
  const float side = std::floor(std::min(fs * 6.5f, (ImGui::GetContentRegionAvail().x - 3 * gap) / 4));
  const ImVec2 p = ImGui::GetCursorScreenPos();
  ImDrawList* dl = ImGui::GetWindowDrawList();
  const ImU32 red = IM_COL32(220, 60, 40, 255), green = IM_COL32(30, 150, 70, 255);
  // 1. The drawing and its ink's bounding box.
  float caption = picture(d.pad_tex, p, side, "1. your drawing, the box around its ink");
  if (d.has_ink) {
    const float u = side / kPadN;
    dl->AddRect(ImVec2(p.x + d.steps.x0 * u, p.y + d.steps.y0 * u),
                ImVec2(p.x + (d.steps.x0 + d.steps.w) * u, p.y + (d.steps.y0 + d.steps.h) * u), red, 0, 0, 2);
  }
  // 2. The box scaled to fit 20 × 20, in the middle of 28 × 28, its centre of mass marked.
  const ImVec2 p2(p.x + side + gap, p.y);
  caption = std::max(caption, picture(d.boxed_tex, p2, side,
          d.from_paths ? "2. your strokes drawn again in 20 × 20, as thin as MNIST's (+: centre of mass)"
                       : "2. the box scaled to 20 × 20 (+: its centre of mass)"));
  if (d.has_ink) {
    const float u = side / 28;
    dl->AddRect(ImVec2(p2.x + 4 * u, p2.y + 4 * u), ImVec2(p2.x + 24 * u, p2.y + 24 * u), IM_COL32(150, 155, 165, 255));
    cross(p2, side, d.steps.boxed_cy, d.steps.boxed_cx, red);
  }
  // 3. Moved so that the centre of mass is the image's centre: MNIST's input.
  const ImVec2 p3(p2.x + side + gap, p.y);
  caption = std::max(caption, picture(d.mnist_tex, p3, side, "3. moved: its centre of mass to the centre"));
  if (d.has_ink) cross(p3, side, d.steps.cy, d.steps.cx, green);
  // 4. Without the steps: the whole pad shrunk.
  const ImVec2 p4(p3.x + side + gap, p.y);
  caption = std::max(caption, picture(d.plain_tex, p4, side, "4. without the steps: the whole pad shrunk"));
  if (d.plain) dl->AddRect(ImVec2(p4.x - 2, p4.y - 2), ImVec2(p4.x + side + 2, p4.y + side + 2), IM_COL32(230, 120, 30, 255), 0, 0, 2);
  else dl->AddRect(ImVec2(p3.x - 2, p3.y - 2), ImVec2(p3.x + side + 2, p3.y + side + 2), IM_COL32(230, 120, 30, 255), 0, 0, 2);
  ImGui::Dummy(ImVec2(4 * side + 3 * gap, side + caption + fs * 0.4f));
  note_rect(s, "steps.pictures", p, ImVec2(p.x + 4 * side + 3 * gap, p.y + side));
  if (ImGui::Checkbox("Read my drawing without the steps (picture 4)", &d.plain)) d.dirty = true;
  note_rect(s, "steps.plain");
  ImGui::BeginDisabled(d.plain);
  if (ImGui::Checkbox("Draw my strokes again as thin as MNIST's (picture 2)", &d.redraw)) d.dirty = true;
  ImGui::EndDisabled();
  note_rect(s, "steps.redraw");
  hint("Scaling the drawing to 20 × 20 scales the brush too: a small digit's strokes end far thicker than "
       "MNIST's, a big one's thinner. With this on, the network reads the path of each stroke drawn again 2.6 "
       "pixels wide, MNIST's mean stroke width (the brush's size then changes only how the pad looks).");
  if (d.redraw && d.paths.full)
    ImGui::TextDisabled("This drawing's strokes are too long to keep: it is read from the pad's ink. Clear to start again.");
  ImGui::TextDisabled("The network reads the picture in the orange frame.");
}

// The occlusion maps, made again when the drawing or the weights change, a batch of squares a frame.
static void why_update(DrawState& d) {
  if (d.why_stale) {
    d.why_stale = false;
    d.why.reset();
    d.why_ready = false;
    if (!d.has_ink || !d.model.built() || d.model.classes() < 2) return;
    d.why_model = d.model;
    d.why = std::make_unique<dl::Occlusion>(d.why_model, d.img28, 4, 2, 4);
    const std::vector<float>& p = d.why->probabilities();
    std::vector<int> order(p.size());
    for (size_t k = 0; k < order.size(); ++k) order[k] = int(k);
    std::stable_sort(order.begin(), order.end(), [&](int a, int b) { return p[size_t(a)] > p[size_t(b)]; });
    d.why_class[0] = order[0];
    d.why_class[1] = order[1];
  }
  if (!d.why || d.why_ready) return;
  // A few squares at a time for at most kWhyBudgetMs a frame (cnn-5x5 reads one in about 1 ms in wasm).
  const double t0 = platform::now_ms();
  do d.why->step();
  while (!d.why->done() && platform::now_ms() - t0 < kWhyBudgetMs);
  if (!d.why->done()) return;
  d.why_scale = 1e-6f;
  for (int i = 0; i < 2; ++i) {
    d.why_map[i] = d.why->map(d.why_class[i]);
    for (float v : d.why_map[i]) d.why_scale = std::max(d.why_scale, std::fabs(v));
  }
  for (int i = 0; i < 2; ++i) {  // 0.5 is zero; red for, blue against, on one scale for both
    uint8_t px[784];
    for (int k = 0; k < 784; ++k) px[k] = uint8_t(std::lround(255 * std::clamp(0.5f + 0.5f * d.why_map[i][size_t(k)] / d.why_scale, 0.0f, 1.0f)));
    texture_r8(&d.why_tex[i], 28, 28, px, false);
  }
  d.why_ready = true;
}

static void why_row(AppState& s) {
  DrawState& d = s.draw;
  ImGui::Spacing();
  ImGui::TextUnformatted("Why this answer");
  if (!d.has_ink || !d.model.built()) {
    ImGui::TextDisabled(d.has_ink ? "Train a network or load a model file first." : "Draw a digit first.");
    return;
  }
  if (!d.why_ready) {
    ImGui::ProgressBar(d.why ? d.why->progress() : 0.0f, ImVec2(-1, 0), "covering each part in turn…");
    return;
  }
  ImGui::TextWrapped("Each part of the input covered in turn: red where covering it lowers the answer's "
                     "probability (that ink spoke for it), blue where it raises it.");
  const float fs = ImGui::GetFontSize(), gap = fs * 0.6f;
  const float side = std::floor(std::min(fs * 8.0f, (ImGui::GetContentRegionAvail().x - gap) / 2));
  const ImVec2 p = ImGui::GetCursorScreenPos();
  const std::vector<float>& prob = d.why->probabilities();
  char cap[2][64];
  std::snprintf(cap[0], sizeof cap[0], "for %d, the answer (%.0f%%)", d.why_class[0], 100.0 * prob[size_t(d.why_class[0])]);
  std::snprintf(cap[1], sizeof cap[1], "for %d, the runner-up (%.0f%%)", d.why_class[1], 100.0 * prob[size_t(d.why_class[1])]);
  picture(d.why_tex[0], p, side, cap[0], ImageMode::Diverge);
  picture(d.why_tex[1], ImVec2(p.x + side + gap, p.y), side, cap[1], ImageMode::Diverge);
  ImGui::Dummy(ImVec2(2 * side + gap, side + fs * 1.4f));  // one line of caption each
  note_rect(s, "steps.why", p, ImVec2(p.x + 2 * side + gap, p.y + side));
}

void open_steps(DrawState& d) {
  d.steps_open = d.steps_focus = true;
  d.dirty = true;  // draw_update makes the pictures only while the window is open
}

void steps_window(AppState& s) {
  DrawState& d = s.draw;
  d.steps_shown = false;
  if (!d.steps_open) {
    d.why.reset();
    d.why_stale = true;
    return;
  }
  why_update(d);
  const ImVec2 ds = ImGui::GetIO().DisplaySize;
  const float fs = ImGui::GetFontSize();
  const ImVec2 size(std::min(fs * 30, ds.x * 0.95f), std::min(fs * 36, ds.y * 0.9f));
  if (begin_floating(s, "From your drawing to 28 × 28###steps", "steps", ImVec2(ds.x * 0.5f, ds.y * 0.45f),
                     ImVec2(0.5f, 0.5f), size, &d.steps_focus, &d.steps_open)) {
    d.steps_shown = true;
    ImGui::TextWrapped("MNIST's digits were made this way, so a network trained on them reads a drawing best "
                       "after the same steps.");
    steps_row(s);
    why_row(s);
  }
  ImGui::End();
}

}  // namespace app
