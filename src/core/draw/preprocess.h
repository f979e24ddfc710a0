// The draw pad's raster → an MNIST-style 28×28 image, the way MNIST itself was made:
// ink bounding box → scaled to fit 20×20 keeping the aspect ratio (anti-aliased by area
// averaging) → placed in 28×28 so that the centre of mass of the ink sits at the centre.
// Also the way back (28×28 → pad size), for showing a digit on the pad and for tests.
// What this does not do: thresholding, stroke thickening, deskewing, or any allocation per pixel.
#pragma once

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

// The whole pad shrunk to 28 × 28 by area averaging, with none of the steps above: what a network
// would read without MNIST's preprocessing. False (out all zeros) when the pad holds no ink.
bool pad_to_28(const float* pad, int H, int W, float* out);

// The centre of mass of a 28 × 28 image in pixel-index coordinates; (14, 14) when it is empty.
void center_of_mass(const float* img28, float* cy, float* cx);

// img28: (28, 28) in [0, 1] → pad: (H, W), bilinear with pixel centres aligned (as OpenCV's
// INTER_LINEAR and Pillow's BILINEAR upscaling), edges clamped.
void mnist_to_pad(const float* img28, int H, int W, float* pad);

}  // namespace dl
