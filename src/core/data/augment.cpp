#include "augment.h"

#include <algorithm>
#include <cmath>
#include <cstring>

namespace dl {
namespace {

// sin and cos of an angle in degrees from + - * / only (fmod and floor are exact), so the result is
// the same bit for bit on every platform: reduce to the nearest multiple of 90° (exact), then Taylor
// series on [-45°, 45°] (truncation error below 2e-15).
void sin_cos_deg(double deg, double* s, double* c) {
  deg = std::fmod(deg, 360.0);
  double q = std::floor(deg / 90.0 + 0.5);
  double r = (deg - 90.0 * q) * (3.14159265358979323846 / 180.0), r2 = r * r;
  double sn = r * (1 + r2 * (-1 / 6.0 + r2 * (1 / 120.0 + r2 * (-1 / 5040.0 + r2 * (1 / 362880.0 + r2 * (
                  -1 / 39916800.0 + r2 * (1 / 6227020800.0 - r2 / 1307674368000.0)))))));
  double cs = 1 + r2 * (-0.5 + r2 * (1 / 24.0 + r2 * (-1 / 720.0 + r2 * (1 / 40320.0 + r2 * (
                  -1 / 3628800.0 + r2 * (1 / 479001600.0 - r2 / 87178291200.0))))));
  switch (((int(q) % 4) + 4) % 4) {
    case 0: *s = sn; *c = cs; break;
    case 1: *s = cs; *c = -sn; break;
    case 2: *s = -sn; *c = -cs; break;
    default: *s = -cs; *c = sn; break;
  }
}

inline float to_float(float v) { return v; }
inline float to_float(uint8_t v) { return float(v); }
inline void store(float v, float* d) { *d = v; }
inline void store(float v, uint8_t* d) { *d = uint8_t(std::min(255, int(v + 0.5f))); }  // v >= 0

template <class T>
void apply_impl(const AugmentParams& p, const T* src, T* dst, int H, int W) {
  DL_ASSERT(H > 0 && W > 0 && p.zoom_x > 0 && p.zoom_y > 0);
  DL_ASSERT(src + size_t(H) * W <= dst || dst + size_t(H) * W <= src);
  // Inverse map, output (c, r) → source (x, y), as one affine function of (c, r):
  //   flips: c' = fc·c + oc, r' = fr·r + or_;  d = (c', r') - centre - shift;
  //   source = centre + (R(-angle)·d) / zoom, with R(θ) a counter-clockwise turn on screen (y down).
  double sn, cs;
  sin_cos_deg(p.angle_deg, &sn, &cs);
  const double cx = (W - 1) * 0.5, cy = (H - 1) * 0.5;
  const double fc = p.hflip ? -1 : 1, oc = p.hflip ? W - 1 : 0;
  const double fr = p.vflip ? -1 : 1, or_ = p.vflip ? H - 1 : 0;
  const double dx0 = oc - cx - p.shift_x, dy0 = or_ - cy - p.shift_y;
  const double zx = p.zoom_x, zy = p.zoom_y;
  const float ax_c = float(cs * fc / zx), ay_c = float(sn * fc / zy);
  const double ax_r = -sn * fr / zx, ay_r = cs * fr / zy;
  const double ax_0 = cx + (cs * dx0 - sn * dy0) / zx, ay_0 = cy + (sn * dx0 + cs * dy0) / zy;
  const float fW = float(W), fH = float(H);
  for (int r = 0; r < H; ++r) {
    const float rx = float(ax_0 + ax_r * r), ry = float(ay_0 + ay_r * r);
    T* out = dst + size_t(r) * W;
    for (int c = 0; c < W; ++c) {
      const float x = rx + ax_c * float(c), y = ry + ay_c * float(c);
      float v = 0;
      if (x > -1 && x < fW && y > -1 && y < fH) {  // also false for NaN
        const int x0 = int(x) - (x < 0), y0 = int(y) - (y < 0);  // floor, as x, y > -1
        const float wx = x - float(x0), wy = y - float(y0);
        float p00, p01, p10, p11;
        if (x0 >= 0 && y0 >= 0 && x0 < W - 1 && y0 < H - 1) {
          const T* s = src + size_t(y0) * W + x0;
          p00 = to_float(s[0]); p01 = to_float(s[1]); p10 = to_float(s[W]); p11 = to_float(s[W + 1]);
        } else {  // at the border: taps outside the source are 0
          auto at = [&](int yy, int xx) {
            return yy >= 0 && yy < H && xx >= 0 && xx < W ? to_float(src[size_t(yy) * W + xx]) : 0.0f;
          };
          p00 = at(y0, x0); p01 = at(y0, x0 + 1); p10 = at(y0 + 1, x0); p11 = at(y0 + 1, x0 + 1);
        }
        v = (1 - wy) * ((1 - wx) * p00 + wx * p01) + wy * ((1 - wx) * p10 + wx * p11);
      }
      store(v, out + c);
    }
  }
}

}  // namespace

bool AugmentConfig::enabled() const {
  return rotation_deg > 0 || zoom > 0 || width_shift > 0 || height_shift > 0 || hflip || vflip;
}

AugmentParams augment_draw(const AugmentConfig& c, int H, int W, Rng& rng) {
  // Keras' order: rotation, height shift, width shift, zoom (rows, then columns), flips.
  AugmentParams p;
  if (c.rotation_deg > 0) p.angle_deg = rng.uniform(-c.rotation_deg, c.rotation_deg);
  if (c.height_shift > 0) p.shift_y = rng.uniform(-c.height_shift, c.height_shift) * float(H);
  if (c.width_shift > 0) p.shift_x = rng.uniform(-c.width_shift, c.width_shift) * float(W);
  if (c.zoom > 0) {
    p.zoom_y = 1.0f / rng.uniform(1 - c.zoom, 1 + c.zoom);
    p.zoom_x = 1.0f / rng.uniform(1 - c.zoom, 1 + c.zoom);
  }
  if (c.hflip) p.hflip = rng.uniform() < 0.5f;
  if (c.vflip) p.vflip = rng.uniform() < 0.5f;
  return p;
}

void augment_apply(const AugmentParams& p, const float* src, float* dst, int H, int W) {
  apply_impl(p, src, dst, H, W);
}

void augment_apply(const AugmentParams& p, const uint8_t* src, uint8_t* dst, int H, int W) {
  apply_impl(p, src, dst, H, W);
}

void augment_batch(const AugmentConfig& c, float* x, int B, int H, int W, Rng& rng, float* scratch) {
  if (!c.enabled()) return;
  const size_t P = size_t(H) * W;
  for (int b = 0; b < B; ++b) {
    float* img = x + size_t(b) * P;
    AugmentParams p = augment_draw(c, H, W, rng);
    std::memcpy(scratch, img, P * sizeof(float));
    augment_apply(p, scratch, img, H, W);
  }
}

}  // namespace dl
