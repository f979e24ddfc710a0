// Augmentation: exact shifts, quarter turns and flips against index formulas; zoom, rotation and
// composition order against the centre of mass of a blob; seeded draws; the trainer's use of it.
#include <cmath>
#include <vector>

#include "core/data/augment.h"
#include "core/train/presets.h"
#include "core/train/trainer.h"
#include "helpers.h"

using namespace dl;

namespace {

struct Moments {
  double mass = 0, x = 0, y = 0;  // total, centre of mass (column, row)
};
Moments moments(const std::vector<float>& img, int H, int W) {
  Moments m;
  for (int r = 0; r < H; ++r)
    for (int c = 0; c < W; ++c) {
      double v = img[size_t(r) * W + c];
      m.mass += v; m.x += v * c; m.y += v * r;
    }
  if (m.mass > 0) { m.x /= m.mass; m.y /= m.mass; }
  return m;
}

// A smooth Gaussian blob of standard deviation s centred at (x, y) in an H x W image.
std::vector<float> blob(int H, int W, double x, double y, double s) {
  std::vector<float> img(size_t(H) * W);
  for (int r = 0; r < H; ++r)
    for (int c = 0; c < W; ++c)
      img[size_t(r) * W + c] = float(std::exp(-((c - x) * (c - x) + (r - y) * (r - y)) / (2 * s * s)));
  return img;
}

// Columns / rows with any pixel above 0.6: the ink's bounding box extents.
void ink_box(const std::vector<float>& img, int H, int W, int* width, int* height) {
  int c0 = W, c1 = -1, r0 = H, r1 = -1;
  for (int r = 0; r < H; ++r)
    for (int c = 0; c < W; ++c)
      if (img[size_t(r) * W + c] > 0.6f) {
        c0 = std::min(c0, c); c1 = std::max(c1, c); r0 = std::min(r0, r); r1 = std::max(r1, r);
      }
  *width = c1 - c0 + 1;
  *height = r1 - r0 + 1;
}

std::vector<float> apply(const AugmentParams& p, const std::vector<float>& src, int H, int W) {
  std::vector<float> dst(src.size(), -1.0f);
  augment_apply(p, src.data(), dst.data(), H, W);
  return dst;
}

}  // namespace

TEST_CASE("augment: the identity leaves images unchanged, float and uint8") {
  const int H = 6, W = 9;  // not square, so swapped axes would show
  std::vector<float> img = dltest::randv(size_t(H) * W, 1, 0, 1);
  CHECK(apply(AugmentParams{}, img, H, W) == img);

  std::vector<uint8_t> u(img.size()), v(img.size(), 7);
  for (size_t i = 0; i < u.size(); ++i) u[i] = uint8_t(i * 37 % 256);
  augment_apply(AugmentParams{}, u.data(), v.data(), H, W);
  CHECK(v == u);

  AugmentConfig none;
  CHECK_FALSE(none.enabled());
  std::vector<float> batch = dltest::randv(3 * size_t(H) * W, 2, 0, 1), keep = batch, scratch(size_t(H) * W);
  Rng rng(5), untouched(5);
  augment_batch(none, batch.data(), 3, H, W, rng, scratch.data());
  CHECK(batch == keep);
  CHECK(rng.next_u32() == untouched.next_u32());  // nothing drawn: other users of the rng are unaffected
}

TEST_CASE("augment: whole-pixel shifts move every pixel exactly, zeros come in from the edges") {
  const int H = 7, W = 10;
  std::vector<float> img = dltest::randv(size_t(H) * W, 3, 0.1f, 1);
  AugmentParams p;
  p.shift_x = 3;   // right
  p.shift_y = -2;  // up
  std::vector<float> out = apply(p, img, H, W);
  for (int r = 0; r < H; ++r)
    for (int c = 0; c < W; ++c) {
      int sr = r + 2, sc = c - 3;
      float want = sr < H && sc >= 0 ? img[size_t(sr) * W + sc] : 0.0f;
      REQUIRE(out[size_t(r) * W + c] == want);
    }
  // Half a pixel: each output is the mean of two horizontal neighbours.
  p = AugmentParams{};
  p.shift_x = 0.5f;
  out = apply(p, img, H, W);
  CHECK(out[2 * W + 4] == doctest::Approx(0.5 * (img[2 * W + 3] + img[2 * W + 4])));
  CHECK(out[2 * W + 0] == doctest::Approx(0.5 * img[2 * W + 0]));  // the missing neighbour counts as 0
}

TEST_CASE("augment: quarter and half turns are exact index permutations") {
  const int N = 8;
  std::vector<float> img = dltest::randv(size_t(N) * N, 4, 0, 1);
  AugmentParams p;
  p.angle_deg = 90;  // counter-clockwise on screen, like numpy's rot90: out[r][c] = in[c][N-1-r]
  std::vector<float> out = apply(p, img, N, N);
  for (int r = 0; r < N; ++r)
    for (int c = 0; c < N; ++c) REQUIRE(out[size_t(r) * N + c] == img[size_t(c) * N + (N - 1 - r)]);
  p.angle_deg = -90;  // clockwise: out[r][c] = in[N-1-c][r]
  out = apply(p, img, N, N);
  for (int r = 0; r < N; ++r)
    for (int c = 0; c < N; ++c) REQUIRE(out[size_t(r) * N + c] == img[size_t(N - 1 - c) * N + r]);
  p.angle_deg = 180;  // = both flips
  AugmentParams flips;
  flips.hflip = flips.vflip = true;
  CHECK(apply(p, img, N, N) == apply(flips, img, N, N));
  p.angle_deg = 450;  // angles wrap
  AugmentParams q;
  q.angle_deg = 90;
  CHECK(apply(p, img, N, N) == apply(q, img, N, N));
}

TEST_CASE("augment: flips mirror exactly") {
  const int H = 5, W = 7;
  std::vector<float> img = dltest::randv(size_t(H) * W, 5, 0, 1);
  AugmentParams p;
  p.hflip = true;
  std::vector<float> out = apply(p, img, H, W);
  for (int r = 0; r < H; ++r)
    for (int c = 0; c < W; ++c) REQUIRE(out[size_t(r) * W + c] == img[size_t(r) * W + (W - 1 - c)]);
  p = AugmentParams{};
  p.vflip = true;
  out = apply(p, img, H, W);
  for (int r = 0; r < H; ++r)
    for (int c = 0; c < W; ++c) REQUIRE(out[size_t(r) * W + c] == img[size_t(H - 1 - r) * W + c]);
}

TEST_CASE("augment: zoom enlarges or shrinks the ink about the centre") {
  const int N = 28;
  std::vector<float> img(size_t(N) * N, 0.0f);
  for (int r = 10; r < 18; ++r)
    for (int c = 11; c < 17; ++c) img[size_t(r) * N + c] = 1;  // 6 wide, 8 high, centred at (13.5, 13.5)
  int w0, h0, w, h;
  ink_box(img, N, N, &w0, &h0);
  REQUIRE((w0 == 6 && h0 == 8));
  // Bilinearly, the box is above 0.6 for |x - 13.5| < 2.9 and |y - 13.5| < 3.9 (its edges are 1 px
  // ramps centred at ±3 and ±4). Zoom z about the centre scales those half-widths by z; the ink box
  // counts the pixel centres inside them.
  AugmentParams p;
  p.zoom_x = p.zoom_y = 1.5f;
  std::vector<float> big = apply(p, img, N, N);
  ink_box(big, N, N, &w, &h);
  CHECK(w > w0);
  CHECK(h > h0);
  CHECK(w == 8);   // |c - 13.5| < 1.5 · 2.9: columns 10..17
  CHECK(h == 12);  // |r - 13.5| < 1.5 · 3.9: rows 8..19
  Moments m = moments(big, N, N);
  CHECK(m.x == doctest::Approx(13.5));
  CHECK(m.y == doctest::Approx(13.5));
  CHECK(m.mass == doctest::Approx(48 * 1.5 * 1.5).epsilon(0.02));  // area grows with the square
  p.zoom_x = p.zoom_y = 0.5f;
  ink_box(apply(p, img, N, N), N, N, &w, &h);
  CHECK(w == 2);  // |c - 13.5| < 0.5 · 2.9: columns 13, 14
  CHECK(h == 4);  // |r - 13.5| < 0.5 · 3.9: rows 12..15
  p.zoom_x = 2;  // independent axes
  p.zoom_y = 1;
  ink_box(apply(p, img, N, N), N, N, &w, &h);
  CHECK(w == 12);  // |c - 13.5| < 2 · 2.9: columns 8..19
  CHECK(h == 8);
}

TEST_CASE("augment: small rotations keep a blob's mass and turn its centre about the image centre") {
  const int N = 28;
  const double cx = 13.5, cy = 13.5, pi = 3.14159265358979323846;
  for (double deg : {-10.0, 3.0, 7.0, 10.0}) {
    CAPTURE(deg);
    AugmentParams p;
    p.angle_deg = float(deg);
    Moments m0 = moments(blob(N, N, cx, cy, 2.5), N, N);
    Moments m = moments(apply(p, blob(N, N, cx, cy, 2.5), N, N), N, N);
    CHECK(m.mass == doctest::Approx(m0.mass).epsilon(0.01));
    CHECK(m.x == doctest::Approx(cx).epsilon(1e-4));
    // Off centre by 6 px to the right: counter-clockwise on screen (y down) moves it up.
    m = moments(apply(p, blob(N, N, cx + 6, cy, 1.5), N, N), N, N);
    double a = deg * pi / 180;
    CHECK(m.x == doctest::Approx(cx + 6 * std::cos(a)).epsilon(0.005));
    CHECK(m.y == doctest::Approx(cy - 6 * std::sin(a)).epsilon(0.005));
  }
}

TEST_CASE("augment: the composition order is zoom, rotate (both about the centre), then shift") {
  const int N = 28;
  const double cx = 13.5, cy = 13.5;
  AugmentParams p;
  p.zoom_x = p.zoom_y = 1.5f;
  p.angle_deg = 90;
  p.shift_x = 2;
  p.shift_y = 1;
  // A blob 4 px right of centre: zoom → 6 px right; quarter turn → 6 px up; shift → (+2, +1).
  Moments m = moments(apply(p, blob(N, N, cx + 4, cy, 1.2), N, N), N, N);
  CHECK(m.x == doctest::Approx(cx + 2).epsilon(0.002));
  CHECK(m.y == doctest::Approx(cy - 6 + 1).epsilon(0.002));
}

TEST_CASE("augment: uint8 images are sampled like float ones, then rounded") {
  const int N = 28;
  std::vector<uint8_t> u(size_t(N) * N), out(u.size());
  std::vector<float> f(u.size());
  Rng r(9);
  for (size_t i = 0; i < u.size(); ++i) { u[i] = uint8_t(r.below(256)); f[i] = float(u[i]); }
  AugmentParams p;
  p.angle_deg = 13;
  p.zoom_x = 1.1f;
  p.zoom_y = 0.95f;
  p.shift_x = -1.3f;
  p.shift_y = 2.2f;
  augment_apply(p, u.data(), out.data(), N, N);
  std::vector<float> fo = apply(p, f, N, N);
  int nonzero = 0;
  for (size_t i = 0; i < u.size(); ++i) {
    REQUIRE(int(out[i]) == int(std::lround(fo[i])));
    nonzero += out[i] > 0;
  }
  CHECK(nonzero > 500);
}

TEST_CASE("augment: draws stay in their ranges and follow the seed") {
  AugmentConfig c;
  c.rotation_deg = 10;
  c.zoom = 0.1f;
  c.width_shift = 0.1f;
  c.height_shift = 0.2f;
  c.hflip = true;
  REQUIRE(c.enabled());
  Rng rng(11);
  double amin = 1e9, amax = -1e9, zmin = 1e9, zmax = -1e9, sum_angle = 0;
  int flips = 0, n = 4000;
  for (int i = 0; i < n; ++i) {
    AugmentParams p = augment_draw(c, 28, 20, rng);
    amin = std::min(amin, double(p.angle_deg)); amax = std::max(amax, double(p.angle_deg));
    zmin = std::min({zmin, double(p.zoom_x), double(p.zoom_y)});
    zmax = std::max({zmax, double(p.zoom_x), double(p.zoom_y)});
    REQUIRE(std::abs(p.shift_x) <= 0.1 * 20 + 1e-5);
    REQUIRE(std::abs(p.shift_y) <= 0.2 * 28 + 1e-5);
    REQUIRE_FALSE(p.vflip);
    sum_angle += p.angle_deg;
    flips += p.hflip;
  }
  CHECK(amin >= -10);
  CHECK(amin < -9.9);
  CHECK(amax <= 10);
  CHECK(amax > 9.9);
  CHECK(std::abs(sum_angle / n) < 0.5);
  CHECK(zmin >= 1 / 1.1 - 1e-6);  // magnification 1/s, s uniform in [0.9, 1.1] as Keras draws it
  CHECK(zmax <= 1 / 0.9 + 1e-6);
  CHECK(zmin < 0.915);
  CHECK(zmax > 1.105);
  CHECK(flips > n * 0.45);
  CHECK(flips < n * 0.55);

  const int H = 28, W = 28, B = 4;
  std::vector<float> base(size_t(B) * H * W), scratch(size_t(H) * W);
  for (int b = 0; b < B; ++b) {
    std::vector<float> one = blob(H, W, 10 + 2 * b, 15, 3);
    std::copy(one.begin(), one.end(), base.begin() + size_t(b) * H * W);
  }
  auto run = [&](uint64_t seed) {
    std::vector<float> x = base;
    Rng r(seed);
    augment_batch(c, x.data(), B, H, W, r, scratch.data());
    return x;
  };
  std::vector<float> a = run(42);
  CHECK(a == run(42));
  CHECK(a != run(43));
  CHECK(a != base);
}

TEST_CASE("augment: settings outside their ranges are refused") {
  auto check = [](void (*set)(AugmentConfig&), const char* words) {
    TrainConfig t;
    CHECK(train_config_check(t).ok());
    set(t.augment);
    const Status s = train_config_check(t);
    CHECK_MESSAGE(s.error.find(words) != std::string::npos, s.error);
  };
  check([](AugmentConfig& c) { c.rotation_deg = -1; }, "the rotation range (degrees) must be 0..180, not -1");
  check([](AugmentConfig& c) { c.rotation_deg = NAN; }, "the rotation range (degrees) must be 0..180, not nan");
  check([](AugmentConfig& c) { c.zoom = 1; }, "the zoom range must be 0..0.9, not 1");
  check([](AugmentConfig& c) { c.width_shift = 1.5f; }, "the width shift (a fraction of the width) must be 0..1, not 1.5");
  check([](AugmentConfig& c) { c.height_shift = -0.1f; }, "the height shift (a fraction of the height) must be 0..1, not -0.1");
}

TEST_CASE("augment: cnn-vgg's recipe has the notebook's augmentation, the others none") {
  for (const Preset& p : presets()) {
    CAPTURE(p.name);
    if (p.name == "cnn-vgg") {
      CHECK(p.recipe.augment.rotation_deg == 10);
      CHECK(p.recipe.augment.zoom == 0.1f);
      CHECK(p.recipe.augment.width_shift == 0.1f);
      CHECK(p.recipe.augment.height_shift == 0.1f);
      CHECK_FALSE(p.recipe.augment.hflip);
      CHECK_FALSE(p.recipe.augment.vflip);
    } else {
      CHECK_FALSE(p.recipe.augment.enabled());
    }
  }
}

namespace {
// 8x8 images: class k is a bright 2x2 square at one of 10 well-separated spots (plus noise).
Dataset spots(int n, uint64_t seed) {
  static const int at[10][2] = {{1, 1}, {1, 5}, {5, 1}, {5, 5}, {1, 3}, {3, 1}, {3, 5}, {5, 3}, {3, 3}, {0, 6}};
  Dataset d;
  d.n = n; d.rows = d.cols = 8;
  Rng r(seed);
  for (int i = 0; i < n; ++i) {
    int k = int(r.below(10));
    for (int y = 0; y < 8; ++y)
      for (int x = 0; x < 8; ++x) {
        bool on = y >= at[k][0] && y < at[k][0] + 2 && x >= at[k][1] && x < at[k][1] + 2;
        d.images.push_back(uint8_t(on ? 255 : r.uniform(0, 30)));
      }
    d.labels.push_back(uint8_t(k));
  }
  return d;
}
}  // namespace

TEST_CASE("augment: the trainer learns with augmented batches and validates on untouched data") {
  Dataset train = spots(600, 21), val = spots(200, 22);
  const std::vector<uint8_t> val_bytes = val.images;
  ModelSpec s;
  s.name = "spots";
  s.input = Shape{8, 8, 1, false};
  s.layers = {flatten(), dense(32, Act::ReLU), dense(10, Act::Softmax)};
  Model m;
  REQUIRE(m.build(s).ok());
  TrainConfig c;
  c.epochs = 12;
  c.batch = 20;
  c.opt.lr = 0.01f;
  c.augment.rotation_deg = 8;
  c.augment.zoom = 0.05f;
  c.augment.width_shift = c.augment.height_shift = 0.04f;  // up to a third of a pixel
  Trainer t;
  REQUIRE(t.begin(&m, &train, &val, c).ok());
  CHECK(t.last_batch_size() == 0);
  int off_grid = 0;
  while (t.step()) {
    REQUIRE(t.last_batch_size() == 20);
    // Unaugmented pixels are k/255 exactly; bilinear resampling lands between those values.
    for (int i = 0; i < 20 * 64; ++i) {
      float v = t.last_batch()[i] * 255.0f;
      off_grid += std::abs(v - std::round(v)) > 1e-3f;
    }
    for (int b = 0; b < 20; ++b) REQUIRE((t.last_labels()[b] >= 0 && t.last_labels()[b] < 10));
  }
  CHECK(off_grid > 1000);
  REQUIRE(t.phase() == TrainPhase::Finished);
  CHECK(t.history().back().val_accuracy > 0.95);
  // Validation metrics came from the plain images: evaluating again gives the same numbers exactly.
  EvalResult e = evaluate(m, val);
  CHECK(e.loss == t.history().back().val_loss);
  CHECK(e.accuracy == t.history().back().val_accuracy);
  CHECK(val.images == val_bytes);

  // Without augmentation the trainer feeds the plain pixels.
  c.augment = AugmentConfig{};
  c.epochs = 1;
  Trainer plain;
  REQUIRE(plain.begin(&m, &train, &val, c).ok());
  plain.step();
  for (int i = 0; i < 20 * 64; ++i) {
    float v = plain.last_batch()[i] * 255.0f;
    REQUIRE(std::abs(v - std::round(v)) < 1e-3f);
  }
}
