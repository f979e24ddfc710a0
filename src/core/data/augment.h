// On-the-fly augmentation of training images, seeded by our own Rng (as Keras' ImageDataGenerator with
// rotation_range, zoom_range, width/height_shift_range, horizontal/vertical_flip).
// One affine transform per image — zoom and rotation about the centre, then a shift, then flips —
// sampled bilinearly (Keras' interpolation order 1).
// Differences from Keras, on purpose:
//   - Outside the source image the fill is constant 0 (Keras' default fill_mode is 'nearest').
//     MNIST's borders are black, so both agree except where ink touches the border; there 'nearest'
//     smears it into streaks that are not part of any digit.
//   - Sine and cosine are computed with plain arithmetic (no libm), so the same seed gives
//     bit-identical images natively and in wasm; exactly 90° is exactly a quarter turn.
// Same as Keras: rotation uniform in ±rotation_deg; shifts uniform in ±fraction·size (not rounded to
// whole pixels); two independent zoom factors s_y, s_x uniform in [1-zoom, 1+zoom] that scale the
// *sampling* grid, i.e. the digit appears magnified by 1/s; each flip with probability 1/2.
// Flips mirror a digit into something that is not a digit (and 6 into 9): available, rarely useful.
// What this does not do: allocate (callers hand over buffers), shear, brightness, or anything to labels.
#pragma once
#include <cstdint>

#include "../common.h"

namespace dl {

// Ranges: train/settings.h (train_config_check refuses a config outside them).
struct AugmentConfig {
  float rotation_deg = 0;  // ± degrees, 0..180
  float zoom = 0;          // ± fraction, 0..0.9: sampling scale uniform in [1-zoom, 1+zoom]
  float width_shift = 0;   // ± fraction of the width, 0..1
  float height_shift = 0;  // ± fraction of the height, 0..1
  bool hflip = false;      // mirror left-right with probability 1/2 (harmful for digits)
  bool vflip = false;      // mirror top-bottom with probability 1/2 (harmful for digits: 6 ↔ 9)
  bool enabled() const;
};

// One image's transform, explicit. Output pixel (r, c) shows the source at the point that this
// transform carries onto it: source → zoom about the centre → rotate about the centre → shift →
// flips. Pixel i sits at coordinate i; the centre is ((W-1)/2, (H-1)/2), as in Keras.
struct AugmentParams {
  float angle_deg = 0;             // counter-clockwise as seen on screen (row 0 at the top)
  float zoom_x = 1, zoom_y = 1;    // magnification: above 1 the digit gets bigger
  float shift_x = 0, shift_y = 0;  // pixels: +x moves the content right, +y moves it down
  bool hflip = false, vflip = false;
};

// Draws one image's transform from the config (only the ranges that are non-zero use the rng).
AugmentParams augment_draw(const AugmentConfig& c, int H, int W, Rng& rng);

// dst (H, W) = src (H, W) transformed by p; bilinear, 0 outside the source. src and dst must not
// overlap. uint8 results are rounded to the nearest value.
void augment_apply(const AugmentParams& p, const float* src, float* dst, int H, int W);
void augment_apply(const AugmentParams& p, const uint8_t* src, uint8_t* dst, int H, int W);

// Augments the B images of x (B, H, W) in place, one drawn transform each; scratch holds H*W floats.
// Does nothing (and draws nothing) when the config is not enabled.
void augment_batch(const AugmentConfig& c, float* x, int B, int H, int W, Rng& rng, float* scratch);

}  // namespace dl
