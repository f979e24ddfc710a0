#include "sheet.h"

#include <algorithm>

namespace dl {

namespace {

// Digits 0–9 in a 3 × 5 pixel font, a row per 3 bits (the high bit on the left).
constexpr uint8_t kGlyphs[10][5] = {
    {7, 5, 5, 5, 7}, {2, 6, 2, 2, 7}, {7, 1, 7, 4, 7}, {7, 1, 7, 1, 7}, {5, 5, 7, 1, 1},
    {7, 4, 7, 1, 7}, {7, 4, 7, 5, 7}, {7, 1, 2, 2, 2}, {7, 5, 7, 5, 7}, {7, 5, 7, 1, 7},
};

void fill(GrayImage* g, int x0, int y0, int w, int h, uint8_t v) {
  for (int y = std::max(0, y0); y < std::min(g->h, y0 + h); ++y)
    std::fill_n(g->pixels.begin() + ptrdiff_t(size_t(y) * size_t(g->w) + size_t(std::max(0, x0))),
                std::max(0, std::min(g->w, x0 + w) - std::max(0, x0)), v);
}

void glyph(GrayImage* g, int digit, int x0, int y0, int px) {
  for (int r = 0; r < 5; ++r)
    for (int c = 0; c < 3; ++c)
      if (kGlyphs[digit][r] >> (2 - c) & 1) fill(g, x0 + c * px, y0 + r * px, px, px, 60);
}

}  // namespace

GrayImage digit_sheet(const Dataset& d, const SheetLayout& layout, std::vector<std::pair<int, int>>* at) {
  SheetLayout L = layout;
  L.scale = std::max(L.scale, 1);
  L.cols = std::max(L.cols, 1);
  const int side = std::max({d.rows, d.cols, 1}), cols = L.cols, pitch = L.pitch(side);
  std::vector<std::vector<int>> of(kNumClasses);
  for (int i = 0; i < d.n; ++i) of[d.labels[size_t(i)] % kNumClasses].push_back(i);
  int rows = 0;
  for (const auto& g : of) rows += std::max<int>(1, (int(g.size()) + cols - 1) / cols);
  const int64_t w = int64_t(L.left()) + int64_t(cols) * pitch - L.gap + L.margin;
  const int64_t h = 2 * int64_t(L.margin) + int64_t(rows) * pitch - L.gap + int64_t(kNumClasses - 1) * L.gap;
  if (w <= 0 || h <= 0 || uint64_t(w) * uint64_t(h) > kMaxSheetPixels) return {};
  GrayImage g;
  g.w = int(w);
  g.h = int(h);
  g.pixels.assign(size_t(g.w) * size_t(g.h), 255);
  if (at) at->assign(size_t(d.n), {0, 0});
  int y = L.margin;
  for (int k = 0; k < kNumClasses; ++k) {
    if (k > 0) fill(&g, L.margin, y - L.gap, g.w - 2 * L.margin, 1, 200);  // the rule above, between the groups
    const int px = std::max(1, L.cell(side) / 8);
    glyph(&g, k, L.margin, y + (L.cell(side) - 5 * px) / 2, px);
    const auto& idx = of[size_t(k)];
    for (size_t j = 0; j < idx.size(); ++j) {
      const int x0 = L.left() + int(j % size_t(cols)) * pitch, y0 = y + int(j / size_t(cols)) * pitch;
      const uint8_t* img = d.image(idx[j]);
      for (int r = 0; r < d.rows * L.scale; ++r)
        for (int c = 0; c < d.cols * L.scale; ++c)
          g.pixels[size_t(y0 + r) * size_t(g.w) + size_t(x0 + c)] =
            uint8_t(255 - img[(r / L.scale) * d.cols + c / L.scale]);
      if (at) (*at)[size_t(idx[j])] = {x0, y0};
    }
    y += std::max<int>(1, (int(idx.size()) + cols - 1) / cols) * pitch + L.gap;
  }
  return g;
}

}  // namespace dl
