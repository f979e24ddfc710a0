// A printable sheet of labelled digits (My digits' "PNG sheet"): the images grouped by label, 0 to 9,
// each group's label drawn at the left of its first row, as dark ink on white paper.
#pragma once
#include <cstdint>
#include <vector>

#include "dataset.h"

namespace dl {

struct GrayImage {
  int w = 0, h = 0;
  std::vector<uint8_t> pixels;  // h rows of w, top row first; 0 black … 255 white
  uint8_t at(int x, int y) const { return pixels[size_t(y) * size_t(w) + size_t(x)]; }
};

// The sheet's geometry: each image drawn `scale` times larger (nearest pixel), `cols` to a row, on a
// grid of pitch() pixels; a group's rows start below the previous group's, past a grey rule. Every
// label has at least one row, empty when none of its images is kept, so a printed sheet has room to
// draw the missing ones.
struct SheetLayout {
  int scale = 2, cols = 15, gap = 8, margin = 24;
  int cell(int side) const { return side * scale; }
  int pitch(int side) const { return cell(side) + gap; }
  int left() const { return margin + 40; }  // past the label column
};

// Images of d (labels 0..9; a cell is as large as the longer side) on a sheet; where image i goes (its
// top left corner) in *at[i], if asked. An empty image (w = h = 0) if the sheet would pass
// kMaxSheetPixels (sizes computed in 64 bits).
constexpr uint64_t kMaxSheetPixels = uint64_t(1) << 26;  // 64 M; My digits' 2,000 at most take 9 M

GrayImage digit_sheet(const Dataset& d, const SheetLayout& L, std::vector<std::pair<int, int>>* at = nullptr);

}  // namespace dl
