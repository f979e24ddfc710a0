// The draw pad's preprocessing (src/core/draw/preprocess.h): hand-checkable shapes, and the
// acceptance test — MNIST's 10,000 test digits upscaled to a 280×280 pad and brought back lose at
// most 0.5 accuracy points with a model trained here. That one reads the raw IDX files from
// <build>/mnist-raw (DIGITLAB_MNIST_RAW, compiled in; CMake fills it from assets/mnist/*.gz), in every
// build the unit tests run in, wasm included; without them it fails and says how to get them.
#include <doctest/doctest.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "core/data/dataset.h"
#include "core/draw/preprocess.h"
#include "core/nn/model.h"
#include "core/train/presets.h"
#include "core/train/trainer.h"

using namespace dl;

namespace {

constexpr int N = 28;

struct Moments {
  double mass = 0, cy = 0, cx = 0;  // centre of mass in pixel-index coordinates
};

Moments moments(const std::vector<float>& img) {
  Moments m;
  for (int i = 0; i < N; ++i)
    for (int j = 0; j < N; ++j) {
      double v = img[i * N + j];
      m.mass += v;
      m.cy += v * i;
      m.cx += v * j;
    }
  if (m.mass > 0) m.cy /= m.mass, m.cx /= m.mass;
  return m;
}

// Length of [a, b) ∩ [k, k+1).
double overlap(double a, double b, int k) { return std::max(0.0, std::min(b, k + 1.0) - std::max(a, double(k))); }

// A pad of (H, W) with the rectangle rows [r0, r0+h) × cols [c0, c0+w) set to 1.
std::vector<float> rect_pad(int H, int W, int r0, int c0, int h, int w) {
  std::vector<float> pad(size_t(H) * W, 0.0f);
  for (int y = r0; y < r0 + h; ++y)
    for (int x = c0; x < c0 + w; ++x) pad[size_t(y) * W + x] = 1.0f;
  return pad;
}

// What a filled h×w rectangle must become: scaled to 20 on its long side, its centre (its centre
// of mass) at index (14, 14), i.e. at 14.5 in continuous coordinates, values = exact coverage.
void check_rectangle(int H, int W, int r0, int c0, int h, int w) {
  CAPTURE(H); CAPTURE(W); CAPTURE(h); CAPTURE(w);
  std::vector<float> pad = rect_pad(H, W, r0, c0, h, w), out(N * N, -1.0f);
  REQUIRE(draw_to_mnist(pad.data(), H, W, out.data()));
  const double s = 20.0 / std::max(h, w), oh = h * s, ow = w * s;
  for (int i = 0; i < N; ++i)
    for (int j = 0; j < N; ++j) {
      double want = overlap(14.5 - oh / 2, 14.5 + oh / 2, i) * overlap(14.5 - ow / 2, 14.5 + ow / 2, j);
      CHECK(out[i * N + j] == doctest::Approx(want).epsilon(1e-5));
    }
  Moments m = moments(out);
  CHECK(std::fabs(m.cy - 14) < 1e-3);
  CHECK(std::fabs(m.cx - 14) < 1e-3);
  CHECK(m.mass == doctest::Approx(double(h) * w * s * s).epsilon(1e-5));  // ink scales by s²
  // Extent along each axis, measured from the output: mass of the axis profile / its peak.
  double rmax = 0, cmax = 0, rsum = 0, csum = 0;
  for (int k = 0; k < N; ++k) {
    double r = 0, c = 0;
    for (int t = 0; t < N; ++t) r += out[k * N + t], c += out[t * N + k];
    rmax = std::max(rmax, r), cmax = std::max(cmax, c), rsum += r, csum += c;
  }
  CHECK(rsum / rmax == doctest::Approx(oh).epsilon(1e-4));  // height
  CHECK(csum / cmax == doctest::Approx(ow).epsilon(1e-4));  // width
  CHECK(std::max(oh, ow) == doctest::Approx(20));
}

std::vector<uint8_t> read_bytes(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  if (!f) return {};
  return std::vector<uint8_t>((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
}

// Accuracy of the model on float images (n, 784) in [0,1].
double accuracy(Model& model, const std::vector<float>& x, const std::vector<uint8_t>& labels) {
  const int n = int(labels.size()), B = 500, K = model.classes();
  int correct = 0;
  for (int i0 = 0; i0 < n; i0 += B) {
    int b = std::min(B, n - i0);
    const float* p = model.forward(x.data() + size_t(i0) * N * N, b, false);
    for (int k = 0; k < b; ++k) correct += int(std::max_element(p + k * K, p + (k + 1) * K) - (p + k * K)) == labels[i0 + k];
  }
  return double(correct) / n;
}

}  // namespace

TEST_CASE("draw: an empty pad gives no image") {
  std::vector<float> pad(280 * 280, 0.0f), out(N * N, 0.7f);
  CHECK_FALSE(draw_to_mnist(pad.data(), 280, 280, out.data()));
  for (float v : out) REQUIRE(v == 0.0f);
  // Faint specks below the ink threshold are not ink either.
  pad[1000] = kInkThreshold * 0.5f;
  pad[50000] = kInkThreshold;
  std::fill(out.begin(), out.end(), 0.7f);
  CHECK_FALSE(draw_to_mnist(pad.data(), 280, 280, out.data()));
  for (float v : out) REQUIRE(v == 0.0f);
}

TEST_CASE("draw: a filled rectangle is scaled to 20 on its long side, aspect kept, mass centred") {
  check_rectangle(280, 280, 50, 100, 100, 50);  // tall: 20 × 10, edges on half pixels
  check_rectangle(280, 280, 10, 30, 23, 37);    // wide: 12.43 × 20, edges at arbitrary fractions
  check_rectangle(200, 300, 150, 7, 41, 290);   // non-square pad, thin and wide
  check_rectangle(280, 280, 0, 0, 280, 280);    // the whole pad: 20 × 20
}

TEST_CASE("draw: a dot in a corner ends up centred") {
  for (int size : {1, 5}) {
    CAPTURE(size);
    std::vector<float> pad = rect_pad(280, 280, 0, 280 - size, size, size), out(N * N);
    REQUIRE(draw_to_mnist(pad.data(), 280, 280, out.data()));
    Moments m = moments(out);
    CHECK(std::fabs(m.cy - 14) < 1e-3);
    CHECK(std::fabs(m.cx - 14) < 1e-3);
    CHECK(m.mass == doctest::Approx(400).epsilon(1e-5));  // a 20×20 square
    CHECK(out[14 * N + 14] == doctest::Approx(1));
    CHECK(out[0] == 0.0f);
    CHECK(out[N * N - 1] == 0.0f);
  }
}

TEST_CASE("draw: an asymmetric, anti-aliased shape is centred; ink pushed past the border is clipped") {
  // A disc with exact-ish coverage (4×4 supersampling) plus a thin tail to the right: the centre of
  // mass sits far left in the bounding box, so the scaled tail runs past column 27.
  const int H = 280, W = 280;
  std::vector<float> pad(H * W, 0.0f);
  double total = 0;
  for (int y = 0; y < H; ++y)
    for (int x = 0; x < W; ++x) {
      int hits = 0;
      for (int sy = 0; sy < 4; ++sy)
        for (int sx = 0; sx < 4; ++sx) {
          double py = y + (sy + 0.5) / 4, px = x + (sx + 0.5) / 4;
          hits += (py - 140) * (py - 140) + (px - 70) * (px - 70) < 30 * 30;
        }
      float v = hits / 16.0f;
      if (y >= 139 && y < 141 && x >= 70 && x < 270) v = 1.0f;
      pad[y * W + x] = v;
      total += v;
    }
  std::vector<float> out(N * N);
  REQUIRE(draw_to_mnist(pad.data(), H, W, out.data()));
  for (float v : out) REQUIRE((v >= 0.0f && v <= 1.0f));
  Moments m = moments(out);
  const double s = 20.0 / 230;  // bounding box: x 40..269, y 110..169
  CHECK(m.mass < total * s * s - 0.05);  // some of the tail was clipped
  CHECK(m.mass > total * s * s - 1.0);
  CHECK(out[14 * N + 27] > 0.05f);       // the tail reaches the border
  CHECK(std::fabs(m.cy - 14) < 0.5);
  CHECK(std::fabs(m.cx - 14) < 0.5);
}

TEST_CASE("draw: output stays in [0, 1] for out-of-range input") {
  std::vector<float> pad = rect_pad(100, 100, 20, 30, 60, 20);
  pad[25 * 100 + 35] = 7.0f;
  pad[26 * 100 + 35] = -3.0f;
  pad[27 * 100 + 35] = std::nanf("");
  std::vector<float> out(N * N);
  REQUIRE(draw_to_mnist(pad.data(), 100, 100, out.data()));
  for (float v : out) REQUIRE((v >= 0.0f && v <= 1.0f));
}

TEST_CASE("draw: mnist_to_pad upscales bilinearly") {
  // One lit pixel, ×10: a separable tent whose samples sum to 10 per axis (100 in all), peaking at
  // (1 − 0.05)² on the four pad pixels nearest the source pixel's centre.
  std::vector<float> img(N * N, 0.0f), pad(280 * 280);
  img[10 * N + 10] = 1.0f;
  mnist_to_pad(img.data(), 280, 280, pad.data());
  double sum = 0;
  for (float v : pad) sum += v;
  CHECK(sum == doctest::Approx(100).epsilon(1e-4));
  CHECK(pad[104 * 280 + 104] == doctest::Approx(0.9025));
  CHECK(pad[105 * 280 + 105] == doctest::Approx(0.9025));
  CHECK(pad[100 * 280 + 104] == doctest::Approx(0.95 * 0.55));
  CHECK(pad[94 * 280 + 104] == 0.0f);
  // A constant image stays constant at any size.
  std::fill(img.begin(), img.end(), 0.25f);
  std::vector<float> odd(97 * 131);
  mnist_to_pad(img.data(), 97, 131, odd.data());
  for (float v : odd) REQUIRE(v == doctest::Approx(0.25f));
}

TEST_CASE("draw: MNIST test digits survive pad round trip (acceptance, trains mlp for 1 epoch)") {
  const std::string dir = DIGITLAB_MNIST_RAW;
  auto load = [&](const std::string& prefix, Dataset* d) {
    std::string base = dir + "/" + prefix;
    std::vector<uint8_t> images = read_bytes(base + "-images-idx3-ubyte");
    std::vector<uint8_t> labels = read_bytes(base + "-labels-idx1-ubyte");
    INFO("reading " << base << "-{images-idx3,labels-idx1}-ubyte");
    REQUIRE_MESSAGE(!images.empty(), "raw MNIST missing; run scripts/setup.sh, then re-run cmake and build unit_tests");
    REQUIRE_MESSAGE(!labels.empty(), "raw MNIST missing; run scripts/setup.sh, then re-run cmake and build unit_tests");
    Status s = dataset_from_idx(images, labels, prefix, d);
    REQUIRE_MESSAGE(s.ok(), s.error);
  };
  Dataset train, test;
  load("train", &train);
  load("t10k", &test);
  REQUIRE(train.n == 60000);
  REQUIRE(test.n == 10000);

  const Preset* p = preset_find("mlp");
  REQUIRE(p);
  Model model;
  REQUIRE(model.build(p->model).ok());
  TrainConfig cfg = p->recipe;
  cfg.epochs = 1;
  cfg.val_split = 0;
  Trainer trainer;
  Status s = trainer.begin(&model, &train, nullptr, cfg);
  REQUIRE_MESSAGE(s.ok(), s.error);
  while (trainer.step()) {}
  REQUIRE(trainer.phase() == TrainPhase::Finished);

  const int n = test.n, H = 280, W = 280;
  std::vector<float> orig(size_t(n) * N * N), round(size_t(n) * N * N), pad(size_t(H) * W);
  for (size_t k = 0; k < orig.size(); ++k) orig[k] = test.images[k] / 255.0f;
  int empty = 0;
  double seconds = 0, abs_diff = 0;
  for (int i = 0; i < n; ++i) {
    mnist_to_pad(orig.data() + size_t(i) * N * N, H, W, pad.data());
    auto t0 = std::chrono::steady_clock::now();
    empty += !draw_to_mnist(pad.data(), H, W, round.data() + size_t(i) * N * N);
    seconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  }
  for (size_t k = 0; k < orig.size(); ++k) abs_diff += std::fabs(orig[k] - round[k]);
  CHECK(empty == 0);

  const double acc_orig = accuracy(model, orig, test.labels), acc_round = accuracy(model, round, test.labels);
  MESSAGE("mlp, 1 epoch: test accuracy " << 100 * acc_orig << "% on the originals, " << 100 * acc_round
          << "% after 28x28 -> 280x280 pad -> draw_to_mnist (difference " << 100 * (acc_orig - acc_round)
          << " points); mean |pixel difference| " << abs_diff / orig.size() << "; draw_to_mnist "
          << 1e3 * seconds / n << " ms per 280x280 pad");
  CHECK(acc_orig > 0.95);  // the model is real
  CHECK(100 * (acc_orig - acc_round) <= 0.5);
}

TEST_CASE("draw: the steps shown in the app — box, box scaled to 20 x 20, centre of mass — and the pad without them") {
  // An L in the top-left corner of a 280 x 280 pad: 60 tall, 30 wide, its mass low and left.
  const int N = 280;
  std::vector<float> pad(size_t(N) * N, 0.0f);
  for (int y = 10; y < 70; ++y)
    for (int x = 20; x < 50; ++x)
      if (x < 28 || y >= 62) pad[size_t(y) * N + x] = 1.0f;
  float out[784], plain[784], again[784];
  DrawSteps st;
  REQUIRE(draw_to_mnist_steps(pad.data(), N, N, out, &st));
  REQUIRE(draw_to_mnist(pad.data(), N, N, again));
  CHECK(std::equal(out, out + 784, again));  // the steps change nothing in the result
  CHECK(st.y0 == 10);
  CHECK(st.x0 == 20);
  CHECK(st.h == 60);
  CHECK(st.w == 30);
  CHECK(st.cy == doctest::Approx(14).epsilon(0.01));
  CHECK(st.cx == doctest::Approx(14).epsilon(0.01));
  // Boxed: the box centred by its middle, 20 tall and 10 wide (rows 4..24, columns 9..19); its mass
  // is lower and further left than the middle (14, 14).
  float ink = 0;
  for (int i = 0; i < 28; ++i)
    for (int j = 0; j < 28; ++j)
      if (i < 4 || i >= 24 || j < 9 || j >= 19) ink += st.boxed[i * 28 + j];
  CHECK(ink == doctest::Approx(0).epsilon(1e-6));
  CHECK(st.boxed_cy > 15);
  CHECK(st.boxed_cx < 13);
  // Without the steps: the whole pad at 1/10, so the L stays small, in the corner. Its continuous
  // centre of mass on the pad is y (40·480 + 66·176) / 656 = 46.98, x (24·480 + 39·176) / 656 = 28.02;
  // at 1/10, less half a pixel for index coordinates: (4.20, 2.30), within the pixels' rounding.
  REQUIRE(pad_to_28(pad.data(), N, N, plain));
  float cy, cx;
  center_of_mass(plain, &cy, &cx);
  CHECK(std::fabs(cy - 4.198f) < 0.1f);
  CHECK(std::fabs(cx - 2.302f) < 0.1f);
  float total = 0;
  for (float v : plain) total += v;
  CHECK(total == doctest::Approx((8 * 60 + 22 * 8) / 100.0f).epsilon(1e-4));  // the ink's area, at 1/100
  std::fill(pad.begin(), pad.end(), 0.0f);
  CHECK_FALSE(pad_to_28(pad.data(), N, N, plain));
}

namespace {
double mass(const float* img) {
  double m = 0;
  for (int k = 0; k < 784; ++k) m += img[k];
  return m;
}
// A 7 as one path, its box (0..u) × (0..1.5u) moved to (x, y).
std::vector<PadStroke> seven(float x, float y, float u) {
  return {{{x, y}, {x + u, y}, {x + 0.4f * u, y + 1.5f * u}}};
}
}  // namespace

TEST_CASE("draw: the brush covers what lies within its radius of the segment") {
  const int H = 40, W = 60;
  std::vector<float> r(size_t(H) * W, 0.0f);
  brush_segment(r.data(), H, W, 4, 10, 20, 50, 20);
  CHECK(r[size_t(20) * W + 30] == 1.0f);        // on the segment
  CHECK(r[size_t(23) * W + 30] == 1.0f);        // centre 23.5: 3.5 away, r + 0.5 − 3.5 = 1
  CHECK(r[size_t(24) * W + 30] == doctest::Approx(0.0f));  // centre 24.5: 4.5 away
  CHECK(r[size_t(21) * W + 30] == 1.0f);
  CHECK(r[size_t(16) * W + 30] == 1.0f);        // centre 16.5: 3.5 away
  CHECK(r[size_t(15) * W + 30] == doctest::Approx(0.0f));  // 4.5 away
  CHECK(r[size_t(20) * W + 4] == 0.0f);         // beyond the end's cap (centre 5.5 from (10, 20))
  CHECK(r[size_t(20) * W + 7] == doctest::Approx(1.0f));   // 2.5 from the end, inside the cap
  CHECK(r[size_t(0) * W + 0] == 0.0f);
}

TEST_CASE("draw: strokes drawn again at MNIST's width are the same at every size; the pad's ink is not") {
  float big[784], small[784];
  DrawSteps st;
  REQUIRE(strokes_to_mnist(seven(60, 40, 150), kMnistStrokeWidth, 0, big, &st));
  REQUIRE(strokes_to_mnist(seven(200, 10, 30), kMnistStrokeWidth, 0, small, nullptr));
  float worst = 0;
  for (int k = 0; k < 784; ++k) worst = std::max(worst, std::fabs(big[k] - small[k]));
  CHECK(worst < 1e-4f);
  float cy, cx;
  center_of_mass(big, &cy, &cx);
  CHECK(cy == doctest::Approx(14).epsilon(0.005));
  CHECK(cx == doctest::Approx(14).epsilon(0.005));
  CHECK(st.x0 == 60);  // the paths' box on the pad: 60..210 × 40..265
  CHECK(st.y0 == 40);
  CHECK(st.w == 150);
  CHECK(st.h == 225);

  // The same two 7s drawn on a 280 × 280 pad with the app's brush (radius 11) and scaled as ink: the
  // small one's strokes end five times thicker (22 pad units at 20 / 45 against 20 / 225).
  auto raster = [](const std::vector<PadStroke>& paths, float* out) {
    std::vector<float> pad(size_t(280) * 280, 0.0f);
    for (const PadStroke& p : paths)
      for (size_t i = 1; i < p.size(); ++i) brush_segment(pad.data(), 280, 280, 11, p[i - 1].x, p[i - 1].y, p[i].x, p[i].y);
    return draw_to_mnist(pad.data(), 280, 280, out);
  };
  float big_ink[784], small_ink[784];
  REQUIRE(raster(seven(60, 40, 150), big_ink));
  REQUIRE(raster(seven(200, 10, 30), small_ink));
  MESSAGE("ink mass: strokes " << mass(big) << ", pad ink scaled: big " << mass(big_ink) << ", small " << mass(small_ink));
  CHECK(mass(small_ink) > 2.5 * mass(big_ink));
}

TEST_CASE("draw: a straight stroke drawn again is 20 long and MNIST's width across") {
  // A stadium: 20 − w long between the caps' centres, w wide: area (20 − w)·w + π w² / 4.
  const float w = kMnistStrokeWidth;
  float out[784];
  REQUIRE(strokes_to_mnist({{{50, 140}, {250, 140}}}, w, 0, out, nullptr));
  CHECK(mass(out) == doctest::Approx((20 - w) * w + 3.14159265 * w * w / 4).epsilon(0.02));
  int first = 28, last = -1;
  for (int j = 0; j < 28; ++j) {
    double col = 0;
    for (int i = 0; i < 28; ++i) col += out[i * 28 + j];
    if (col > 0.05) first = std::min(first, j), last = std::max(last, j);
    if (j == 14) CHECK(col == doctest::Approx(w).epsilon(0.02));  // across the middle: the width
  }
  CHECK(last - first + 1 >= 20);
  CHECK(last - first + 1 <= 21);
  // A tap (paths shorter than min_span, or a single point), no point, or only points that are not
  // finite: no image, so the caller reads the pad's ink.
  CHECK_FALSE(strokes_to_mnist({{{30, 30}}}, w, 0, out, nullptr));
  CHECK_FALSE(strokes_to_mnist({{{30, 30}, {33, 34}}}, w, 6, out, nullptr));
  CHECK(strokes_to_mnist({{{30, 30}, {33, 34}}}, w, 4, out, nullptr));
  CHECK_FALSE(strokes_to_mnist({}, w, 0, out, nullptr));
  CHECK_FALSE(strokes_to_mnist({{}}, w, 0, out, nullptr));
  const float nan = std::nanf(""), inf = INFINITY;
  CHECK_FALSE(strokes_to_mnist({{{nan, 3}, {inf, 4}}}, w, 0, out, nullptr));
  CHECK(mass(out) == 0);
  // Points that are not finite are skipped: the line with one in its middle is the line.
  float clean[784];
  REQUIRE(strokes_to_mnist({{{50, 140}, {150, 140}, {250, 140}}}, w, 0, clean, nullptr));
  REQUIRE(strokes_to_mnist({{{50, 140}, {150, 140}, {nan, inf}, {250, 140}}}, w, 0, out, nullptr));
  CHECK(std::equal(out, out + 784, clean));
}

TEST_CASE("draw: the pad's paths: clipped to the pad, a new path where a stroke begins or comes back, capped") {
  PadPaths p(100, 11);
  p.press(10, 10);  // a dot, then dragged: one path
  p.drag(10, 10, 20, 10);
  p.drag(20, 10, 20, 30);
  REQUIRE(p.strokes.size() == 1);
  CHECK(p.strokes[0].size() == 3);
  CHECK(p.strokes[0][2].x == 20.0f);
  CHECK(p.strokes[0][2].y == 30.0f);
  // Off the right edge and back: the part on the pad ends at x = 100, a new path starts where it comes
  // back; the part outside is not kept.
  p.drag(20, 30, 140, 30);
  p.drag(140, 30, 140, 60);
  p.drag(140, 60, 60, 60);
  REQUIRE(p.strokes.size() == 2);
  CHECK(p.strokes[0].back().x == 100.0f);
  CHECK(p.strokes[0].back().y == 30.0f);
  CHECK(p.strokes[1].size() == 2);
  CHECK(p.strokes[1][0].x == 100.0f);
  CHECK(p.strokes[1][1].x == 60.0f);
  // Along the edge itself: kept, and joined to where the brush was.
  p.drag(60, 60, 0, 60);
  p.drag(0, 60, 0, 90);
  CHECK(p.strokes.size() == 2);
  CHECK(p.strokes[1].back().y == 90.0f);
  // A new press always starts a new path, even where the last one ended.
  p.press(0, 90);
  CHECK(p.strokes.size() == 3);
  CHECK(p.points == 9);
  // Wholly outside: nothing; a NaN: nothing.
  p.drag(-5, -5, -1, -20);
  p.drag(std::nanf(""), 1, 2, 3);
  CHECK(p.points == 9);
  // The cap: 11 points, so a new path (room for 2) and one more point fit, and the next does not.
  p.press(50, 50);
  p.drag(50, 50, 51, 52);
  CHECK(p.points == 11);
  CHECK_FALSE(p.full);
  p.drag(51, 52, 53, 55);
  CHECK(p.full);
  CHECK(p.points == 11);
  p.clear();
  CHECK(p.strokes.empty());
  CHECK(p.points == 0);
  CHECK_FALSE(p.full);
}
