// The Model window's "What it learned" tab: the first layer's weights as pictures (what each unit
// or filter looks for, red raising it and blue lowering it, through the shader's diverging map) and,
// for a convolution, the digit on the draw pad seen through each filter. The numbers come from
// core/nn/inspect.h on the draw pad's copy of the weights, refreshed when training publishes new ones.
#include <algorithm>
#include <cmath>
#include <cstdio>

#include "app.h"

namespace app {

static constexpr int kAtlasCols = 16;  // tiles per row in the texture (a 28-texel tile: 448 wide)
static constexpr int kMaxDenseTiles = 100, kMaxConvTiles = 64;  // in the texture
static constexpr int kSmallDenseTiles = 32;                     // shown in the Model window itself
static constexpr int kOneRowUnits = 64;  // layer by layer: a Dense layer of up to this many units in one row

static bool has_negative(const dl::Tiles& t) {
  return std::any_of(t.v.begin(), t.v.end(), [](float x) { return x < 0; });
}

// Packs the tiles into one R8 texture, kAtlasCols to a row. Signed values: 0.5 is zero.
static void upload_tiles(const dl::Tiles& t, bool signed_vals, Texture* tex) {
  const int cols = std::min(t.n, kAtlasCols), rows = (t.n + cols - 1) / cols;
  const int W = cols * t.w, H = rows * t.h;
  std::vector<uint8_t> px(size_t(W) * H, signed_vals ? 128 : 0);
  for (int i = 0; i < t.n; ++i) {
    const int tx = (i % cols) * t.w, ty = (i / cols) * t.h;
    for (int y = 0; y < t.h; ++y)
      for (int x = 0; x < t.w; ++x) {
        const float v = std::clamp(t.v[(size_t(i) * t.h + y) * t.w + x], -1.0f, 1.0f);
        px[size_t(ty + y) * W + tx + x] =
          uint8_t(std::lround(signed_vals ? 127.5f + 127.5f * v : 255.0f * std::max(0.0f, v)));
      }
  }
  texture_r8(tex, W, H, px.data(), false);
}

// Texture coordinates of tile i in the atlas.
static void tile_uv(const dl::Tiles& t, int i, ImVec2* uv0, ImVec2* uv1) {
  const int cols = std::min(t.n, kAtlasCols), rows = (t.n + cols - 1) / cols;
  grid_uv(cols, rows, i, uv0, uv1);
}

// The tiles as a grid as large as fits in `avail`; returns the tile under the mouse, or -1.
static int tile_grid(const dl::Tiles& t, int show, const Texture& tex, ImageMode mode, ImVec2 avail) {
  const float gap = std::max(2.0f, std::round(ImGui::GetFontSize() * 0.2f));
  int cols = 1;
  float best = 0;  // screen pixels per texel
  for (int c = 1; c <= show; ++c) {
    const int r = (show + c - 1) / c;
    const float sz = std::min((avail.x - gap * (c - 1)) / (c * t.w), (avail.y - gap * (r - 1)) / (r * t.h));
    if (sz > best) { best = sz; cols = c; }
  }
  // Whole screen pixels per texel when that loses little; else fractional (uneven by a pixel at most).
  const float scale = best >= 2 && std::floor(best) >= 0.85f * best ? std::floor(best) : std::max(best, 0.5f);
  const int rows = (show + cols - 1) / cols;
  const float tw = t.w * scale, th = t.h * scale;
  ImDrawList* dl = ImGui::GetWindowDrawList();
  const ImVec2 p0 = ImGui::GetCursorScreenPos();
  const bool hover_ok = ImGui::IsWindowHovered();
  int hovered = -1;
  for (int i = 0; i < show; ++i) {
    const ImVec2 a(p0.x + (i % cols) * (tw + gap), p0.y + (i / cols) * (th + gap)), b(a.x + tw, a.y + th);
    ImVec2 uv0, uv1;
    tile_uv(t, i, &uv0, &uv1);
    draw_image(dl, tex, a, b, mode, uv0, uv1);
    if (hover_ok && ImGui::IsMouseHoveringRect(a, b)) {
      hovered = i;
      dl->AddRect(ImVec2(a.x - 1, a.y - 1), ImVec2(b.x + 1, b.y + 1), IM_COL32(30, 30, 30, 255));
    }
  }
  ImGui::Dummy(ImVec2(cols * (tw + gap) - gap, rows * (th + gap) - gap));
  return hovered;
}

static void tile_tooltip(const dl::Tiles& t, const Texture& tex, ImageMode mode, int i, const char* what) {
  ImGui::BeginTooltip();
  ImGui::Text("%s %d of %d", what, i + 1, t.total);
  const float side = ImGui::GetFontSize() * 9;
  const ImVec2 p = ImGui::GetCursorScreenPos();
  ImVec2 uv0, uv1;
  tile_uv(t, i, &uv0, &uv1);
  draw_image(ImGui::GetWindowDrawList(), tex, p, ImVec2(p.x + side, p.y + side * t.h / t.w), mode, uv0, uv1);
  ImGui::Dummy(ImVec2(side, side * t.h / t.w));
  ImGui::EndTooltip();
}

// A layer's kind and settings in a few words, for the layer-by-layer view.
static std::string layer_words(const dl::Layer& l) {
  static const char* const acts[] = {"", "ReLU", "softmax", "sigmoid", "LeakyReLU"};
  const dl::LayerSpec& sp = l.spec;
  const char* act = acts[int(sp.act)];
  char b[96];
  switch (sp.kind) {
    case dl::LayerKind::Conv2D:
      std::snprintf(b, sizeof b, "%d filters of %d × %d%s%s", sp.units, sp.kernel, sp.kernel, *act ? ", " : "", act);
      break;
    case dl::LayerKind::Dense: std::snprintf(b, sizeof b, "%s", *act ? act : "linear"); break;
    case dl::LayerKind::MaxPool2D: std::snprintf(b, sizeof b, "the largest of each %d × %d patch", sp.kernel, sp.kernel); break;
    case dl::LayerKind::BatchNorm: std::snprintf(b, sizeof b, "normalized with the training set's statistics"); break;
    case dl::LayerKind::Activation: std::snprintf(b, sizeof b, "%s", *act ? act : "linear"); break;
    default: b[0] = 0;
  }
  return b;
}

// The larger view's own pad, beside what the network reads: the view may cover the Draw window's.
static void big_pad(AppState& s, const char* empty) {
  DrawState& d = s.draw;
  const float fs = ImGui::GetFontSize();
  draw_pad(s, "pad##big", std::floor(fs * 7), "learned.big.pad");
  ImGui::SameLine();
  ImGui::BeginGroup();
  if (ImGui::Button("Clear##big", ImVec2(fs * 5, 0))) clear_pad(d);
  note_rect(s, "learned.big.clear");
  ImGui::PushTextWrapPos(0);
  if (d.pred >= 0) ImGui::Text("It reads %d (%.0f%% sure).", d.pred, 100.0 * d.probs[d.pred]);
  else ImGui::TextWrapped("%s", empty);
  ImGui::TextDisabled("This pad and the Draw window's hold the same digit: draw on either.");
  ImGui::PopTextWrapPos();
  ImGui::EndGroup();
}

// Each layer's output for the pad's digit, as textures: after each of the pad's forward passes, and for
// a new network even before its first (its layers then hold no image yet, and layer_output refuses them).
static void refresh_layer_tiles(LearnedView& v, const DrawState& d) {
  const std::vector<dl::Layer>& L = d.model.layers();
  if (v.layers_forwards == d.forwards && v.layers.size() == L.size()) return;
  v.layers_forwards = d.forwards;
  v.layers.assign(L.size(), dl::Tiles{});
  v.layer_signed.assign(L.size(), 0);
  if (v.layer_tex.size() < L.size()) v.layer_tex.resize(L.size());
  for (size_t i = 0; i < L.size(); ++i) {
    const dl::LayerKind k = L[i].spec.kind;
    if (k == dl::LayerKind::Flatten || k == dl::LayerKind::Dropout) continue;  // the numbers of the layer before
    // Up to 64 units in one row (the ten outputs side by side, under their digits); more in a square.
    const int n = L[i].out.size(), cols = L[i].out.flat && n <= kOneRowUnits ? n : 0;
    if (!dl::layer_output(d.model, int(i), kMaxConvTiles, &v.layers[i], cols)) {
      v.layers[i] = dl::Tiles{};
      continue;
    }
    v.layer_signed[i] = has_negative(v.layers[i]);
    upload_tiles(v.layers[i], v.layer_signed[i] != 0, &v.layer_tex[i]);
  }
}

// A layer's name, shape and kind in one line; for the layers that compute nothing, what they pass on.
static void layer_heading(const dl::Layer& l) {
  const std::string shape = !l.out.flat ? std::to_string(l.out.h) + " × " + std::to_string(l.out.w) + " × " +
                                              std::to_string(l.out.c)
                            : std::to_string(l.out.c) + (l.spec.kind == dl::LayerKind::Dense ? " units" : " numbers");
  const std::string words = layer_words(l);
  ImGui::Text("%s · %s%s%s", l.name.c_str(), shape.c_str(), words.empty() ? "" : " · ", words.c_str());
  ImGui::PushTextWrapPos(0);  // the explanations wrap in a narrow view (a phone)
  if (l.spec.kind == dl::LayerKind::Flatten) {
    if (l.in.c == 1) ImGui::TextDisabled("The %d × %d image above as one row of %d numbers, for the Dense layers.", l.in.h, l.in.w, l.out.size());
    else ImGui::TextDisabled("The %d maps above as one row of %d numbers, for the Dense layers.", l.in.c, l.out.size());
  } else if (l.spec.kind == dl::LayerKind::Dropout) {
    ImGui::TextDisabled("Off when reading a digit: it passes everything on (it drops units only in training).");
  }
  ImGui::PopTextWrapPos();
}

// Layer i's output as a grid `w` wide: maps for an image-shaped output, a row or square of units for a
// flat one (the output layer's cells labelled with their digits); the value or map under the mouse.
static void layer_grid(AppState& s, size_t i, float w) {
  LearnedView& v = s.learned;
  const std::vector<dl::Layer>& L = s.draw.model.layers();
  const dl::Layer& l = L[i];
  const dl::Tiles& t = v.layers[i];
  const float fs = ImGui::GetFontSize();
  const ImageMode mode = v.layer_signed[i] ? ImageMode::Diverge : ImageMode::Heat;
  const ImVec2 at = ImGui::GetCursorScreenPos();
  const float h = fs * (!l.out.flat ? 6 : t.h == 1 ? 2.5f : 7);
  const int hovered = tile_grid(t, t.n, v.layer_tex[i], mode, ImVec2(w, h));
  const ImVec2 r0 = at, r1 = ImGui::GetItemRectMax();
  if (t.units > 0 && t.units % t.w != 0) {  // a square's unused end of the last row: background, not dark units
    const ImVec2 e0(r0.x + (r1.x - r0.x) * float(t.units % t.w) / t.w, r0.y + (r1.y - r0.y) * float(t.h - 1) / t.h);
    ImGui::GetWindowDrawList()->AddRectFilled(e0, r1, ImGui::GetColorU32(ImGuiCol_WindowBg));
  }
  note_rect(s, ("learned.big.layer." + std::to_string(i)).c_str(), r0, r1);
  if (i + 1 == L.size() && t.h == 1) {  // the output layer: each cell's digit under it
    ImDrawList* dl = ImGui::GetWindowDrawList();
    const float cw = (r1.x - r0.x) / t.w;
    for (int u = 0; u < t.w; ++u) {
      const std::string label = std::to_string(u);
      const float tw = ImGui::CalcTextSize(label.c_str()).x;
      dl->AddText(ImVec2(r0.x + cw * (u + 0.5f) - tw * 0.5f, r1.y + 1), ImGui::GetColorU32(ImGuiCol_Text), label.c_str());
    }
    ImGui::Dummy(ImVec2(r1.x - r0.x, fs));
  }
  if (t.n < t.total) {
    ImGui::SameLine();
    ImGui::TextDisabled("(the first %d of %d)", t.n, t.total);
  }
  if (hovered < 0) return;
  if (l.out.flat) {  // the unit under the mouse
    const ImVec2 m = ImGui::GetIO().MousePos;
    const int cx = std::clamp(int((m.x - r0.x) / (r1.x - r0.x) * t.w), 0, t.w - 1);
    const int cy = std::clamp(int((m.y - r0.y) / (r1.y - r0.y) * t.h), 0, t.h - 1);
    const int u = cy * t.w + cx;
    if (u < t.units) ImGui::SetTooltip("unit %d: %.4g", u, double(t.v[size_t(u)] * t.scale));
  } else {
    tile_tooltip(t, v.layer_tex[i], mode, hovered, "map of channel");
  }
}

// The drawn digit through every layer, top to bottom as the network computes it (the larger view).
static void layers_body(AppState& s) {
  LearnedView& v = s.learned;
  const DrawState& d = s.draw;
  big_pad(s, "Draw a digit on the pad: below you will see what each layer makes of it, from the pixels to the "
             "ten probabilities.");
  if (d.pred < 0) return;
  refresh_layer_tiles(v, d);
  v.layers_shown = true;
  const std::vector<dl::Layer>& L = d.model.layers();
  const float fs = ImGui::GetFontSize();
  ImGui::PushTextWrapPos(0);
  ImGui::TextDisabled("Your digit as each layer passes it on, from the pixels down to the ten probabilities. "
                      "Bright: a strong output; red and blue: positive and negative. Each layer is scaled to its "
                      "own largest value.");
  ImGui::PopTextWrapPos();
  ImGui::BeginChild("##layers", ImVec2(0, 0), false);
  note_window(s, "learned.big.layers");
  ImGui::Text("input · 28 × 28 pixels");
  const ImVec2 p = ImGui::GetCursorScreenPos();
  draw_image(ImGui::GetWindowDrawList(), d.img_tex, p, ImVec2(p.x + fs * 4, p.y + fs * 4), ImageMode::Ink);
  ImGui::Dummy(ImVec2(fs * 4, fs * 4));
  const float w = ImGui::GetContentRegionAvail().x;
  for (size_t i = 0; i < L.size(); ++i) {
    ImGui::Spacing();
    layer_heading(L[i]);
    const dl::LayerKind k = L[i].spec.kind;
    if (k == dl::LayerKind::Flatten || k == dl::LayerKind::Dropout || v.layers[i].n == 0) continue;
    layer_grid(s, i, w);
  }
  ImGui::Spacing();
  ImGui::Text("The network reads %d (%.0f%% sure).", d.pred, 100.0 * d.probs[d.pred]);
  ImGui::EndChild();
}

static float radio_width(const char* label) {
  return ImGui::GetFrameHeight() + ImGui::GetStyle().ItemInnerSpacing.x + ImGui::CalcTextSize(label).x;
}

// The first layer's weights as tiles, again for each new copy of the weights.
static void refresh_kernels(LearnedView& v, const DrawState& d) {
  if (v.kernels_version == d.version) return;
  v.kernels_version = d.version;
  v.why.clear();
  const dl::Layer* first = nullptr;
  for (const dl::Layer& l : d.model.layers())
    if (l.spec.kind == dl::LayerKind::Dense || l.spec.kind == dl::LayerKind::Conv2D) { first = &l; break; }
  const int max_tiles = first && first->spec.kind == dl::LayerKind::Conv2D ? kMaxConvTiles : kMaxDenseTiles;
  v.has_kernels = dl::first_layer_kernels(d.model, max_tiles, &v.kernels, &v.why);
  if (v.has_kernels) upload_tiles(v.kernels, true, &v.kernels_tex);
  v.maps_forwards = ~0ull;
}

// The drawn digit through the first convolution, again after each of the pad's forward passes.
static void refresh_maps(LearnedView& v, const DrawState& d) {
  if (v.maps_forwards == d.forwards) return;
  v.maps_forwards = d.forwards;
  v.has_maps = dl::first_conv_maps(d.model, kMaxConvTiles, &v.maps);
  if (v.has_maps) {
    v.maps_signed = has_negative(v.maps);
    upload_tiles(v.maps, v.maps_signed, &v.maps_tex);
  }
}

// The choice of picture (filters, the digit through them, the digit layer by layer in the larger view)
// and the small view's "Larger view" button. Returns true when it drew the layer-by-layer view.
static bool learned_choice(AppState& s, bool big, bool conv) {
  LearnedView& v = s.learned;
  const bool layers = big && v.layers_view;
  if (conv) {
    if (ImGui::RadioButton(big ? "Its filters##big" : "Its filters", v.mode == 0 && !layers)) v.mode = 0, v.layers_view = false;
    if (!big) note_rect(s, "model.learned.filters");
    same_line_if_fits(radio_width("Your digit through them"));
    if (ImGui::RadioButton(big ? "Your digit through them##big" : "Your digit through them", v.mode == 1 && !layers))
      v.mode = 1, v.layers_view = false;
    if (!big) note_rect(s, "model.learned.maps");
  } else {
    v.mode = 0;
    if (big && ImGui::RadioButton("What its units look for##big", !layers)) v.layers_view = false;
  }
  if (big) {  // the whole network, in the larger view only
    same_line_if_fits(radio_width("Your digit, layer by layer"));  // else on a line of its own (a phone)
    if (ImGui::RadioButton("Your digit, layer by layer##big", layers)) v.layers_view = true;
    note_rect(s, "learned.big.layers_radio");
    if (v.layers_view) {
      layers_body(s);
      return true;
    }
    return false;
  }
  if (conv) same_line_if_fits(button_width("Larger view"));  // on the radio buttons' line when it fits
  if (ImGui::SmallButton("Larger view")) v.big = v.focus_big = true;
  note_rect(s, "model.learned.larger");
  hint("A large window of these pictures, which also shows your drawn digit through every layer of the network.");
  return false;
}

// What the tiles show, in a sentence: in full in the larger view, one short line and the sentence on
// hover in the small one. Returns false when there is nothing to show yet (no digit drawn).
static bool learned_caption(const AppState& s, bool big, const dl::Layer& L, const dl::Tiles& t, int show) {
  const LearnedView& v = s.learned;
  const bool conv = L.spec.kind == dl::LayerKind::Conv2D;
  char caption[256];
  if (v.mode == 0 && conv) {
    std::snprintf(caption, sizeof caption, "%s: %d filters of %d × %d weights, each slid over the image. Red adds "
                  "where there is ink, blue subtracts.", L.name.c_str(), t.total, t.h, t.w);
  } else if (v.mode == 0) {
    char which[64];
    if (show < t.total) std::snprintf(which, sizeof which, "the first %d of its", show);
    else std::snprintf(which, sizeof which, "its");
    std::snprintf(caption, sizeof caption, "%s: what %s %d units look for in the 28 × 28 image. Red pixels raise "
                  "a unit, blue pixels lower it.", L.name.c_str(), which, t.total);
  } else if (s.draw.pred < 0 || !v.has_maps) {
    if (!big) ImGui::TextWrapped("Draw a digit on the pad: here each filter will show where it fires on your digit.");
    return false;
  } else {
    std::snprintf(caption, sizeof caption, "%s on your digit: one map per filter, %s where the filter fires.",
                  L.name.c_str(), v.maps_signed ? "red" : "bright");
  }
  if (big) {
    ImGui::PushTextWrapPos(0);
    ImGui::TextDisabled("%s", caption);
    ImGui::PopTextWrapPos();
  } else {
    if (v.mode == 1) ImGui::TextDisabled("%s on your digit", L.name.c_str());
    else if (conv) ImGui::TextDisabled("%s: %d filters, %d × %d", L.name.c_str(), t.total, t.h, t.w);
    else ImGui::TextDisabled("%s: %d of %d units, 28 × 28", L.name.c_str(), show, t.total);
    help_marker(caption);
  }
  return true;
}

// The tab's content, in the Model window (big = false) or in its own large window (big = true).
static void learned_body(AppState& s, bool big) {
  LearnedView& v = s.learned;
  const DrawState& d = s.draw;
  v.shown = true;
  if (!d.model.built()) {
    ImGui::TextWrapped("Train a network (or load a model file) to see what its first layer has learned: the "
                       "pattern of pixels each of its units or filters responds to.");
    return;
  }
  refresh_kernels(v, d);
  if (!v.has_kernels) {
    ImGui::TextWrapped("Nothing to picture here: %s.", v.why.c_str());
    return;
  }
  const dl::Layer& L = d.model.layers()[v.kernels.layer];
  const bool conv = L.spec.kind == dl::LayerKind::Conv2D;
  if (learned_choice(s, big, conv)) return;
  if (conv && d.pred >= 0) refresh_maps(v, d);
  if (big && v.mode == 1) big_pad(s, "Draw a digit on the pad: below, each filter will show where it fires on it.");
  const dl::Tiles& t = v.mode == 1 ? v.maps : v.kernels;
  const int show = v.mode == 0 && !conv && !big ? std::min(t.n, kSmallDenseTiles) : t.n;
  if (!learned_caption(s, big, L, t, show)) return;
  if (ImGui::GetContentRegionAvail().y < ImGui::GetFontSize() * 1.5f) {
    ImGui::TextDisabled("(no room: press Larger view)");
    return;
  }
  const ImageMode mode = v.mode == 1 && !v.maps_signed ? ImageMode::Heat : ImageMode::Diverge;
  const Texture& tex = v.mode == 1 ? v.maps_tex : v.kernels_tex;
  const ImVec2 at = ImGui::GetCursorScreenPos();
  const int hovered = tile_grid(t, show, tex, mode, ImGui::GetContentRegionAvail());
  note_rect(s, big ? "learned.big.grid" : "model.learned", at, ImGui::GetItemRectMax());
  if (hovered >= 0) tile_tooltip(t, tex, mode, hovered, v.mode == 1 ? "map of filter" : conv ? "filter" : "unit");
}

void learned_view(AppState& s) { learned_body(s, false); }

void learned_window(AppState& s) {
  LearnedView& v = s.learned;
  if (!v.big) return;
  const ImVec2 ds = ImGui::GetIO().DisplaySize;
  // 80% of the page, centred; on a phone (the narrow layout) its whole width, under the tabs.
  const ImVec2 size = s.ui.narrow ? ImVec2(ds.x, ds.y * 0.85f) : ImVec2(ds.x * 0.8f, ds.y * 0.8f);
  ImGui::SetNextWindowPos(ImVec2(ds.x * 0.5f, s.ui.narrow ? ds.y * 0.54f : ds.y * 0.5f), ImGuiCond_Appearing, ImVec2(0.5f, 0.5f));
  ImGui::SetNextWindowSize(size, ImGuiCond_Appearing);
  if (v.focus_big) ImGui::SetNextWindowFocus();  // in front again when its button is pressed while open
  v.focus_big = false;
  if (ImGui::Begin("What the network learned###learned_big", &v.big, ImGuiWindowFlags_NoCollapse)) {
    note_window(s, "learned.big");
    learned_body(s, true);
  }
  ImGui::End();
}

}  // namespace app
