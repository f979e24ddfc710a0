#include "preprocess.h"

#include <algorithm>
#include <cmath>
#include <vector>

#include "../common.h"

namespace dl {
namespace {

constexpr int S = kMnistSide;
constexpr double kTarget = kMnistSide / 2;  // 14: the centre of mass in pixel-index coordinates

float coverage(float v) { return v > 0 ? (v < 1 ? v : 1.0f) : 0.0f; }  // NaN → 0

// ∫_0^u floor(t) dt: with it, Σ_j j·|[a,b) ∩ [j,j+1)| = G(b) − G(a) for any a ≤ b.
double floor_integral(double u) {
  double k = std::floor(u);
  return k * (k - 1) / 2 + k * (u - k);
}

// One axis of the resampling: source pixel p (0..n-1, relative to the box) covers the output
// interval [o + p·s, o + (p+1)·s). Given the ink profile along the axis, the centre of mass of the
// (unclipped) output along that axis in pixel-index coordinates. Nondecreasing in o.
double axis_com(const std::vector<double>& profile, double s, double o) {
  double moment = 0, mass = 0;
  for (size_t p = 0; p < profile.size(); ++p) {
    if (profile[p] == 0) continue;
    double a = o + double(p) * s;
    moment += profile[p] * (floor_integral(a + s) - floor_integral(a));
    mass += profile[p];
  }
  return moment / (mass * s);
}

// The offset o that puts the output's centre of mass at kTarget. Since j ≤ u < j+1 inside pixel
// j, the index centre of mass lies within 1 below the continuous one (o + s·c, c = the profile's
// continuous centre), so the answer is in [14 − s·c, 15 − s·c]; bisection finds it.
double axis_offset(const std::vector<double>& profile, double s) {
  double mass = 0, moment = 0;
  for (size_t p = 0; p < profile.size(); ++p) {
    mass += profile[p];
    moment += profile[p] * (double(p) + 0.5);
  }
  const double c = moment / mass;
  double lo = kTarget - s * c, hi = kTarget + 1 - s * c;
  for (int it = 0; it < 30; ++it) {  // to 1e-9 px
    double mid = 0.5 * (lo + hi);
    if (axis_com(profile, s, mid) < kTarget) lo = mid;
    else hi = mid;
  }
  return 0.5 * (lo + hi);
}

}  // namespace

namespace {
// The ink's bounding box [y0, y0+bh) × [x0, x0+bw); false when there is none. A count per row first
// (vectorizes), and only rows with ink are searched from both ends.
bool ink_box(const float* pad, int H, int W, int* y0, int* x0, int* bh, int* bw) {
  int top = H, bottom = -1, left = W, right = -1;
  for (int y = 0; y < H; ++y) {
    const float* row = pad + size_t(y) * W;
    int inked = 0;
    for (int x = 0; x < W; ++x) inked += row[x] > kInkThreshold;
    if (inked == 0) continue;
    int first = 0, last = W - 1;
    while (!(row[first] > kInkThreshold)) ++first;
    while (!(row[last] > kInkThreshold)) --last;
    top = std::min(top, y);
    bottom = y;
    left = std::min(left, first);
    right = std::max(right, last);
  }
  if (bottom < 0) return false;
  *y0 = top, *x0 = left, *bh = bottom - top + 1, *bw = right - left + 1;
  return true;
}

// Separable box filter: each pad row of the box is spread over the 28 output columns (weights =
// overlap lengths in output pixels), then that line of 28 over the output rows it overlaps. Pad pixel
// (y, x) of the box covers [oy + y·s, oy + (y+1)·s) × [ox + x·s, ox + (x+1)·s) of the output plane;
// an output pixel's value is the ink mass that falls inside it (its area is 1). The column taps are
// the same for every row: at most bw + 28 of them, computed once. Ink past the border is clipped.
void resample(const float* pad, int W, int y0, int x0, int bh, int bw, const std::vector<double>& rows, double s,
              double oy, double ox, float* out) {
  std::fill(out, out + S * S, 0.0f);
  struct Tap {
    int x, j;
    float w;
  };
  std::vector<Tap> taps;
  taps.reserve(size_t(bw) + S);
  for (int x = 0; x < bw; ++x) {
    const double ax = ox + x * s, bx = ax + s;
    const int j_lo = std::max(0, int(std::floor(ax))), j_hi = std::min(S - 1, int(std::ceil(bx)) - 1);
    for (int j = j_lo; j <= j_hi; ++j)
      taps.push_back({x, j, float(std::min(bx, double(j + 1)) - std::max(ax, double(j)))});
  }
  float line[S];
  for (int y = 0; y < bh; ++y) {
    if (rows[y] == 0) continue;
    const double ay = oy + y * s, by = ay + s;
    const int i_lo = std::max(0, int(std::floor(ay))), i_hi = std::min(S - 1, int(std::ceil(by)) - 1);
    if (i_lo > i_hi) continue;  // the whole row falls outside: clipped
    std::fill(line, line + S, 0.0f);
    const float* row = pad + size_t(y0 + y) * W + x0;
    for (const Tap& t : taps) line[t.j] += coverage(row[t.x]) * t.w;
    for (int i = i_lo; i <= i_hi; ++i) {
      const float w = float(std::min(by, double(i + 1)) - std::max(ay, double(i)));
      float* o = out + i * S;
      for (int j = 0; j < S; ++j) o[j] += w * line[j];
    }
  }
  for (int k = 0; k < S * S; ++k) out[k] = std::min(std::max(out[k], 0.0f), 1.0f);  // rounding only
}
}  // namespace

bool draw_to_mnist_steps(const float* pad, int H, int W, float* out, DrawSteps* steps) {
  DL_ASSERT(pad && out && H > 0 && W > 0);
  std::fill(out, out + S * S, 0.0f);
  int y0, x0, bh, bw;
  if (!ink_box(pad, H, W, &y0, &x0, &bh, &bw)) return false;
  const double s = double(kMnistBox) / std::max(bh, bw);  // output pixels per pad pixel

  // Ink profiles along each axis, then the sub-pixel offsets that centre the mass.
  std::vector<double> rows(bh, 0.0), cols(bw, 0.0);
  for (int y = 0; y < bh; ++y) {
    const float* row = pad + size_t(y0 + y) * W + x0;
    double r = 0;
    for (int x = 0; x < bw; ++x) {
      const float v = coverage(row[x]);
      r += v;
      cols[x] += v;
    }
    rows[y] = r;
  }
  resample(pad, W, y0, x0, bh, bw, rows, s, axis_offset(rows, s), axis_offset(cols, s), out);
  if (steps) {
    steps->y0 = y0, steps->x0 = x0, steps->h = bh, steps->w = bw;
    resample(pad, W, y0, x0, bh, bw, rows, s, (S - bh * s) / 2, (S - bw * s) / 2, steps->boxed);
    center_of_mass(steps->boxed, &steps->boxed_cy, &steps->boxed_cx);
    center_of_mass(out, &steps->cy, &steps->cx);
  }
  return true;
}

bool draw_to_mnist(const float* pad, int H, int W, float* out) { return draw_to_mnist_steps(pad, H, W, out, nullptr); }

void brush_segment(float* raster, int H, int W, float r, float x0, float y0, float x1, float y1) {
  DL_ASSERT(raster && H > 0 && W > 0 && r >= 0);
  const int xa = std::max(0, int(std::floor(std::min(x0, x1) - r - 1))), xb = std::min(W - 1, int(std::ceil(std::max(x0, x1) + r + 1)));
  const int ya = std::max(0, int(std::floor(std::min(y0, y1) - r - 1))), yb = std::min(H - 1, int(std::ceil(std::max(y0, y1) + r + 1)));
  const float dx = x1 - x0, dy = y1 - y0, len2 = dx * dx + dy * dy;
  for (int y = ya; y <= yb; ++y)
    for (int x = xa; x <= xb; ++x) {
      const float px = x + 0.5f - x0, py = y + 0.5f - y0;
      const float t = len2 > 0 ? std::clamp((px * dx + py * dy) / len2, 0.0f, 1.0f) : 0.0f;
      const float ex = px - t * dx, ey = py - t * dy;
      const float cov = std::clamp(r + 0.5f - std::sqrt(ex * ex + ey * ey), 0.0f, 1.0f);
      float& v = raster[size_t(y) * W + x];
      v = std::max(v, cov);
    }
}

bool strokes_to_mnist(const std::vector<PadStroke>& strokes, float width, float min_span, float* out, DrawSteps* steps) {
  DL_ASSERT(out && width > 0 && width < kMnistBox && min_span >= 0);
  std::fill(out, out + S * S, 0.0f);
  auto finite = [](const PadPoint& p) { return std::isfinite(p.x) && std::isfinite(p.y); };
  float x_lo = 0, x_hi = -1, y_lo = 0, y_hi = -1;
  for (const PadStroke& st : strokes)
    for (const PadPoint& p : st) {
      if (!finite(p)) continue;
      if (x_hi < x_lo) x_lo = x_hi = p.x, y_lo = y_hi = p.y;
      x_lo = std::min(x_lo, p.x), x_hi = std::max(x_hi, p.x);
      y_lo = std::min(y_lo, p.y), y_hi = std::max(y_hi, p.y);
    }
  if (x_hi < x_lo) return false;
  // Output pixels per pad unit: the paths' long side plus the brush's width makes 20.
  const double span = std::max(double(x_hi) - x_lo, double(y_hi) - y_lo);
  if (span < min_span || span <= 0) return false;
  constexpr int kSamples = 4;  // raster pixels per output pixel, each way
  const double s = (kMnistBox - width) / span;
  const double k = s * kSamples, r = 0.5 * width * kSamples;
  // At most (20 − width) · 4 + 2r + 5 = 85 raster pixels a side, whatever the points.
  const int rw = int(std::ceil((double(x_hi) - x_lo) * k + 2 * r)) + 4, rh = int(std::ceil((double(y_hi) - y_lo) * k + 2 * r)) + 4;
  std::vector<float> raster(size_t(rw) * rh, 0.0f);
  auto at = [&](const PadPoint& p, float* x, float* y) {
    *x = float((p.x - x_lo) * k + r + 2);
    *y = float((p.y - y_lo) * k + r + 2);
  };
  for (const PadStroke& st : strokes) {
    const PadPoint* last = nullptr;  // the previous finite point of this path
    for (const PadPoint& p : st) {
      if (!finite(p)) continue;
      float ax, ay, bx, by;
      at(last ? *last : p, &ax, &ay);
      at(p, &bx, &by);
      brush_segment(raster.data(), rh, rw, float(r), ax, ay, bx, by);  // the first point: a dot
      last = &p;
    }
  }
  if (!draw_to_mnist_steps(raster.data(), rh, rw, out, steps)) return false;
  if (steps) {  // the paths' box on the pad
    steps->y0 = int(std::floor(y_lo)), steps->x0 = int(std::floor(x_lo));
    steps->h = int(std::ceil(y_hi)) - steps->y0, steps->w = int(std::ceil(x_hi)) - steps->x0;
  }
  return true;
}

void PadPaths::press(float x, float y) {
  open_ = false;
  add(x, y, x, y, false);
}

void PadPaths::drag(float x0, float y0, float x1, float y1) { add(x0, y0, x1, y1, true); }

void PadPaths::clear() {
  strokes.clear();
  points = 0;
  full = open_ = false;
}

void PadPaths::add(float x0, float y0, float x1, float y1, bool joined) {
  if (!std::isfinite(x0) || !std::isfinite(y0) || !std::isfinite(x1) || !std::isfinite(y1)) return void(open_ = false);
  // Liang–Barsky: the part of the segment with 0 ≤ x, y ≤ side.
  float t0 = 0, t1 = 1;
  const float dx = x1 - x0, dy = y1 - y0;
  const float p[4] = {-dx, dx, -dy, dy}, q[4] = {x0, side - x0, y0, side - y0};
  for (int i = 0; i < 4; ++i) {
    if (p[i] == 0) {
      if (q[i] < 0) return void(open_ = false);  // parallel to this edge and outside it
    } else {
      const float t = q[i] / p[i];
      if (p[i] < 0) t0 = std::max(t0, t);
      else t1 = std::min(t1, t);
    }
  }
  if (t0 > t1) return void(open_ = false);
  const PadPoint a = t0 == 0 ? PadPoint{x0, y0} : PadPoint{x0 + t0 * dx, y0 + t0 * dy};
  const PadPoint b = t1 == 1 ? PadPoint{x1, y1} : PadPoint{x0 + t1 * dx, y0 + t1 * dy};
  const bool starts = !(joined && open_ && t0 == 0);
  if (full || points + (starts ? 2 : 1) > max_points) {
    full = true;
    return;
  }
  if (starts) strokes.push_back({a}), ++points;
  const PadPoint& end = strokes.back().back();
  if (b.x != end.x || b.y != end.y) strokes.back().push_back(b), ++points;
  open_ = t1 == 1;
}

bool pad_to_28(const float* pad, int H, int W, float* out) {
  DL_ASSERT(pad && out && H > 0 && W > 0);
  std::fill(out, out + S * S, 0.0f);
  int y0, x0, bh, bw;
  if (!ink_box(pad, H, W, &y0, &x0, &bh, &bw)) return false;
  // The whole pad is the box: 28 / its long side output pixels per pad pixel, no offset.
  std::vector<double> rows(size_t(H), 0.0);
  for (int y = 0; y < H; ++y)
    for (int x = 0; x < W; ++x) rows[size_t(y)] += coverage(pad[size_t(y) * W + x]);
  resample(pad, W, 0, 0, H, W, rows, double(S) / std::max(H, W), 0, 0, out);
  return true;
}

void center_of_mass(const float* img28, float* cy, float* cx) {
  double m = 0, my = 0, mx = 0;
  for (int i = 0; i < S; ++i)
    for (int j = 0; j < S; ++j) {
      const double v = img28[i * S + j];
      m += v, my += v * i, mx += v * j;
    }
  *cy = m > 0 ? float(my / m) : float(kTarget);
  *cx = m > 0 ? float(mx / m) : float(kTarget);
}

void mnist_to_pad(const float* img28, int H, int W, float* pad) {
  DL_ASSERT(img28 && pad && H > 0 && W > 0);
  // Source coordinate of a pad pixel's centre; weights between the two nearest source pixels.
  auto tap = [](int p, int n, int* k0, int* k1, float* t) {
    double u = (p + 0.5) * S / n - 0.5;
    u = std::min(std::max(u, 0.0), double(S - 1));
    *k0 = int(std::floor(u));
    *k1 = std::min(*k0 + 1, S - 1);
    *t = float(u - *k0);
  };
  for (int y = 0; y < H; ++y) {
    int r0, r1;
    float ty;
    tap(y, H, &r0, &r1, &ty);
    for (int x = 0; x < W; ++x) {
      int c0, c1;
      float tx;
      tap(x, W, &c0, &c1, &tx);
      float top = img28[r0 * S + c0] + tx * (img28[r0 * S + c1] - img28[r0 * S + c0]);
      float bot = img28[r1 * S + c0] + tx * (img28[r1 * S + c1] - img28[r1 * S + c0]);
      pad[size_t(y) * W + x] = coverage(top + ty * (bot - top));
    }
  }
}

}  // namespace dl
