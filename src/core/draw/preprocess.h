// The draw pad's raster → an MNIST-style 28×28 image, the way MNIST itself was made:
// ink bounding box → scaled to fit 20×20 keeping the aspect ratio (anti-aliased by area
// averaging) → placed in 28×28 so that the centre of mass of the ink sits at the centre.
// Also the way back (28×28 → pad size), for showing a digit on the pad and for tests.
// Or, from the strokes' paths rather than the pad's ink: the paths drawn again at MNIST's stroke
// width into the 20×20 box, then the same centring (strokes_to_mnist).
// What this does not do: thresholding, deskewing, or any allocation per pixel of the pad.
#pragma once

#include <cstddef>
#include <vector>

namespace dl {

constexpr int kMnistSide = 28;       // output side
constexpr int kMnistBox = 20;        // the long side of the ink's bounding box after scaling
constexpr float kInkThreshold = 0.05f;  // coverage above this counts as ink for the bounding box

// pad: (H, W) row-major ink coverage in [0, 1] (0 = background). out: (28, 28) in [0, 1].
// Returns false, and leaves out all zeros, when the pad holds no ink (nothing above kInkThreshold).
// The bounding box of the ink (pixels above kInkThreshold) is scaled by 20 / its long side with
// exact box-filter (area) resampling; everything inside the box, faint pixels included, is kept.
// The result is translated by a sub-pixel offset so that its centre of mass, in pixel-index
// coordinates (pixel (r, c) at (r, c)), is (14, 14) — as in MNIST (the test set averages
// (13.99, 14.01)). Ink pushed past the border is clipped. Deterministic; allocates only three
// small vectors (row and column profiles, column taps).
bool draw_to_mnist(const float* pad, int H, int W, float* out);

// What draw_to_mnist did, to show it step by step: the ink's bounding box on the pad, the box scaled
// to fit 20 × 20 and placed by its geometric centre in 28 × 28 (before the centre-of-mass shift), and
// the centre of mass of that image and of the final one (pixel-index coordinates; (14, 14) at the end).
struct DrawSteps {
  int y0 = 0, x0 = 0, h = 0, w = 0;  // the bounding box, pad pixels
  float boxed[kMnistSide * kMnistSide] = {};
  float boxed_cy = 0, boxed_cx = 0, cy = 0, cx = 0;
};
// draw_to_mnist, and its steps into *steps (unchanged when the pad holds no ink).
bool draw_to_mnist_steps(const float* pad, int H, int W, float* out, DrawSteps* steps);

// A point of a stroke's path, in pad units (x right, y down).
struct PadPoint {
  float x, y;
};
using PadStroke = std::vector<PadPoint>;  // one press to its release; a single point is a dot

// The paths of the strokes drawn on a side × side pad, as the brush goes: each segment clipped to the
// pad, a new path where a stroke begins or comes back onto the pad. At most max_points points are kept;
// past that `full` is set and the paths stop growing (the caller reads the pad's ink instead).
struct PadPaths {
  float side = 0;
  std::size_t max_points = 0;
  std::vector<PadStroke> strokes;
  std::size_t points = 0;
  bool full = false;

  PadPaths(float side, std::size_t max_points) : side(side), max_points(max_points) {}
  void press(float x, float y);                          // a stroke begins: a dot until it moves
  void drag(float x0, float y0, float x1, float y1);     // the brush moved from (x0, y0), the last point
  void clear();

 private:
  bool open_ = false;  // the last path ends where the brush is (it was not clipped there)
  void add(float x0, float y0, float x1, float y1, bool joined);
};

// MNIST's stroke width in its 28 × 28 pixels: twice the ink's area over its outline's length (pixels
// ≥ 128 of the training set; the outline as pixel edges times π/4 for its slant), 2.6 —
// `node bench/stroke_width.mjs` measures it.
constexpr float kMnistStrokeWidth = 2.6f;

// Anti-aliased round brush of radius r along the segment (x0, y0) → (x1, y1) into raster (H, W) of
// coverage in [0, 1]: a pixel's coverage is r + 0.5 − its centre's distance to the segment, clamped;
// ink only grows. Only the segment's neighbourhood is visited.
void brush_segment(float* raster, int H, int W, float r, float x0, float y0, float x1, float y1);

// The strokes drawn again with a brush `width` output pixels wide (kMnistStrokeWidth: MNIST's, whatever
// the drawing's size, where scaling the pad's ink scales its brush too), their paths' box scaled so
// that the ink's long side is 20, then moved like draw_to_mnist so that the centre of mass is (14, 14).
// Rendered at 4 × 4 samples a pixel and box-filtered by draw_to_mnist. Points that are not finite are
// skipped. False (out all zeros, *steps unchanged) when the paths' long side is under min_span (no
// point, or a tap: a line that short has no direction worth drawing 20 long). *steps as
// draw_to_mnist_steps's, its box the paths' (pad units, the middle lines of the strokes).
bool strokes_to_mnist(const std::vector<PadStroke>& strokes, float width, float min_span, float* out, DrawSteps* steps);

// The whole pad shrunk to 28 × 28 by area averaging, with none of the steps above: what a network
// would read without MNIST's preprocessing. False (out all zeros) when the pad holds no ink.
bool pad_to_28(const float* pad, int H, int W, float* out);

// The centre of mass of a 28 × 28 image in pixel-index coordinates; (14, 14) when it is empty.
void center_of_mass(const float* img28, float* cy, float* cx);

// img28: (28, 28) in [0, 1] → pad: (H, W), bilinear with pixel centres aligned (as OpenCV's
// INTER_LINEAR and Pillow's BILINEAR upscaling), edges clamped.
void mnist_to_pad(const float* img28, int H, int W, float* pad);

}  // namespace dl
