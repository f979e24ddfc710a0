// Looking inside a network (core/nn/inspect.h): first-layer kernels as images, and the first
// convolution's output maps for one image, checked against values computed here from the weights.
#include <algorithm>
#include <cmath>
#include <vector>

#include "core/nn/inspect.h"
#include "helpers.h"

using namespace dl;

namespace {
float f(int p, int u) { return std::sin(0.37f * p + 1.3f * u) * float(u + 1); }  // distinct per pixel and unit
}  // namespace

TEST_CASE("first_layer_kernels: a Dense unit's 784 weights become its 28x28 image, scaled by its own max") {
  ModelSpec s;
  s.input = {28, 28, 1, false};
  s.layers = {flatten(), dropout(0.2f), dense(5, Act::ReLU), dense(10, Act::Softmax)};
  Model m;
  REQUIRE(m.build(s).ok());
  const Layer& d = m.layers()[2];
  for (int p = 0; p < 784; ++p)
    for (int u = 0; u < 5; ++u) m.params[d.w_off + size_t(p) * 5 + u] = f(p, u);  // Keras layout (in, units)
  Tiles t;
  std::string why;
  REQUIRE(first_layer_kernels(m, 3, &t, &why));
  CHECK(t.n == 3);
  CHECK(t.total == 5);
  CHECK(t.h == 28);
  CHECK(t.w == 28);
  CHECK(t.layer == 2);
  REQUIRE(t.v.size() == 3u * 784);
  for (int u = 0; u < 3; ++u) {
    float mx = 0;
    for (int p = 0; p < 784; ++p) mx = std::max(mx, std::fabs(f(p, u)));
    for (int y : {0, 5, 27})
      for (int x : {0, 13, 27}) CHECK(t.v[size_t(u) * 784 + y * 28 + x] == doctest::Approx(f(y * 28 + x, u) / mx));
    CHECK(*std::max_element(t.v.begin() + u * 784, t.v.begin() + (u + 1) * 784) <= 1.0f);
  }
  CHECK(t.scale == doctest::Approx(3.0).epsilon(1e-3));  // unit 2's largest |w| is about 3
}

TEST_CASE("first_layer_kernels and first_conv_maps on a convolution") {
  ModelSpec s;
  s.input = {28, 28, 1, false};
  s.layers = {conv2d(4, 3, Act::ReLU), maxpool2d(2), flatten(), dense(10, Act::Softmax)};
  Model m;
  REQUIRE(m.build(s).ok());
  m.init(3);
  const Layer& c = m.layers()[0];
  const int K = 3, F = 4;
  Tiles t;
  REQUIRE(first_layer_kernels(m, 16, &t, nullptr));
  CHECK(t.n == F);
  CHECK(t.h == K);
  CHECK(t.w == K);
  for (int fi = 0; fi < F; ++fi) {
    float mx = 0;
    for (int p = 0; p < K * K; ++p) mx = std::max(mx, std::fabs(m.params[c.w_off + size_t(p) * F + fi]));
    for (int p = 0; p < K * K; ++p) CHECK(t.v[size_t(fi) * 9 + p] == doctest::Approx(m.params[c.w_off + size_t(p) * F + fi] / mx));
  }

  // One image through the network: each map is ReLU(b + Σ w·x) at every position, over a common max.
  std::vector<float> x(784);
  for (int i = 0; i < 784; ++i) x[i] = float((i * 37) % 101) / 100.0f;
  m.forward(x.data(), 1, false);
  REQUIRE(first_conv_maps(m, 16, &t));
  CHECK(t.n == F);
  CHECK(t.h == 26);
  CHECK(t.w == 26);
  std::vector<float> direct(size_t(F) * 26 * 26);
  float mx = 0;
  for (int fi = 0; fi < F; ++fi)
    for (int oy = 0; oy < 26; ++oy)
      for (int ox = 0; ox < 26; ++ox) {
        double a = m.params[c.b_off + fi];
        for (int ky = 0; ky < K; ++ky)
          for (int kx = 0; kx < K; ++kx) a += m.params[c.w_off + size_t(ky * K + kx) * F + fi] * x[(oy + ky) * 28 + ox + kx];
        const float v = float(std::max(0.0, a));
        direct[(size_t(fi) * 26 + oy) * 26 + ox] = v;
        mx = std::max(mx, v);
      }
  REQUIRE(mx > 0);
  for (size_t i = 0; i < direct.size(); ++i) CHECK(t.v[i] == doctest::Approx(direct[i] / mx).epsilon(1e-4));
  CHECK(t.scale == doctest::Approx(mx).epsilon(1e-4));

  // After a batch of two the maps are not one image's: refused.
  std::vector<float> x2(2 * 784, 0.5f);
  m.forward(x2.data(), 2, false);
  CHECK_FALSE(first_conv_maps(m, 16, &t));
}

TEST_CASE("first_layer_kernels refuses a first weighted layer that does not see the pixels") {
  ModelSpec s;
  s.input = {28, 28, 1, false};
  s.layers = {maxpool2d(2), flatten(), dense(10, Act::Softmax)};
  Model m;
  REQUIRE(m.build(s).ok());
  Tiles t;
  std::string why;
  CHECK_FALSE(first_layer_kernels(m, 8, &t, &why));
  CHECK(why.find("pixels") != std::string::npos);
  // A network without convolutions has no maps.
  ModelSpec d;
  d.input = {28, 28, 1, false};
  d.layers = {flatten(), dense(10, Act::Softmax)};
  Model md;
  REQUIRE(md.build(d).ok());
  std::vector<float> x(784, 0.1f);
  md.forward(x.data(), 1, false);
  CHECK_FALSE(first_conv_maps(md, 8, &t));
}

// n, total, h, w, units of a Tiles, to compare in one CHECK.
static std::vector<int> tiles_shape(const Tiles& t) { return {t.n, t.total, t.h, t.w, t.units}; }

TEST_CASE("layer_output: every layer's output for one image, maps per channel or the units in rows") {
  ModelSpec s;
  s.input = {28, 28, 1, false};
  s.layers = {conv2d(4, 3, Act::ReLU), maxpool2d(2), flatten(), dense(7, Act::Linear), dense(10, Act::Softmax)};
  Model m;
  REQUIRE(m.build(s).ok());
  m.init(5);
  std::vector<float> x(784);
  for (int i = 0; i < 784; ++i) x[i] = float((i * 53) % 97) / 96.0f;
  const float* probs = m.forward(x.data(), 1, false);
  const std::vector<Layer>& L = m.layers();
  Tiles t;

  // The pooled maps, 13 x 13 x 4, channels last in the layer: tile c holds channel c; only 3 asked for.
  REQUIRE(layer_output(m, 1, 3, &t));
  CHECK(t.layer == 1);
  CHECK(tiles_shape(t) == std::vector<int>{3, 4, 13, 13, 0});
  float mx = 0;
  for (int p = 0; p < 169; ++p)
    for (int c = 0; c < 3; ++c) mx = std::max(mx, std::fabs(L[1].y[size_t(p) * 4 + c]));
  REQUIRE(mx > 0);
  CHECK(t.scale == mx);
  for (int c = 0; c < 3; ++c)
    for (int p : {0, 14, 100, 168}) CHECK(t.v[size_t(c) * 169 + p] == doctest::Approx(L[1].y[size_t(p) * 4 + c] / mx));
  CHECK(*std::min_element(t.v.begin(), t.v.end()) >= 0.0f);  // after ReLU and pooling: nothing negative

  // A Dense layer of 7 (no activation, so signed values): one tile 3 across, 3 rows, the last two cells padding.
  REQUIRE(layer_output(m, 3, 64, &t));
  CHECK(tiles_shape(t) == std::vector<int>{1, 1, 3, 3, 7});
  REQUIRE(t.v.size() == 9);
  mx = 0;
  for (int u = 0; u < 7; ++u) mx = std::max(mx, std::fabs(L[3].y[u]));
  for (int u = 0; u < 7; ++u) CHECK(t.v[u] == doctest::Approx(L[3].y[u] / mx));
  CHECK(t.v[7] == 0.0f);
  CHECK(t.v[8] == 0.0f);
  float ext = 0;  // the largest |value| becomes ±1
  for (int u = 0; u < 7; ++u) ext = std::max(ext, std::fabs(t.v[u]));
  CHECK(ext == doctest::Approx(1.0f));

  // The output layer: the probabilities, scaled by the largest one; 10 units make a 4-across tile of 3 rows.
  REQUIRE(layer_output(m, 4, 64, &t));
  CHECK(t.units == 10);
  CHECK(t.w == 4);
  CHECK(t.h == 3);
  const int best = int(std::max_element(probs, probs + 10) - probs);
  CHECK(t.v[size_t(best)] == 1.0f);
  CHECK(t.scale == probs[best]);

  // In rows of 4: two rows (4 units and 3, then a cell of padding); in rows of 20: one row of 7.
  REQUIRE(layer_output(m, 3, 64, &t, 4));
  CHECK(t.w == 4);
  CHECK(t.h == 2);
  REQUIRE(layer_output(m, 3, 64, &t, 20));
  CHECK(t.w == 7);
  CHECK(t.h == 1);
  for (int u = 0; u < 7; ++u) CHECK(t.v[u] == doctest::Approx(L[3].y[u] / mx));

  // No such layer, or not one image: refused.
  CHECK_FALSE(layer_output(m, 5, 64, &t));
  CHECK_FALSE(layer_output(m, -1, 64, &t));
  std::vector<float> x2(2 * 784, 0.5f);
  m.forward(x2.data(), 2, false);
  CHECK_FALSE(layer_output(m, 1, 64, &t));
}

TEST_CASE("occlusion: the drop in a class's probability where its evidence is blanked, zero elsewhere") {
  // A linear read-out: class 0 looks at the top-left 6 x 6 pixels only, class 1 at the bottom-right
  // 6 x 6; the image has ink in both corners.
  ModelSpec s;
  s.input = {28, 28, 1, false};
  s.layers = {flatten(), dense(10, Act::Softmax)};
  Model m;
  REQUIRE(m.build(s).ok());
  std::fill(m.params.begin(), m.params.end(), 0.0f);
  const Layer& d = m.layers()[1];
  for (int y = 0; y < 6; ++y)
    for (int x = 0; x < 6; ++x) {
      m.params[d.w_off + size_t(y * 28 + x) * 10 + 0] = 0.3f;
      m.params[d.w_off + size_t((22 + y) * 28 + 22 + x) * 10 + 1] = 0.2f;
    }
  float img[784] = {};
  for (int y = 0; y < 6; ++y)
    for (int x = 0; x < 6; ++x) img[y * 28 + x] = img[(22 + y) * 28 + 22 + x] = 1.0f;
  Occlusion o(m, img, 4, 2, 7);
  int steps = 0;
  while (!o.done()) o.step(), ++steps;
  CHECK(steps == 25);  // 13 x 13 = 169 squares (corners 0, 2, ..., 24), 7 a step
  const std::vector<float> m0 = o.map(0), m1 = o.map(1);
  // Directly: for pixel (1, 1), the squares with corners (0, 0) alone cover it.
  float blank[784];
  std::copy(img, img + 784, blank);
  for (int y = 0; y < 4; ++y) std::fill(blank + y * 28, blank + y * 28 + 4, 0.0f);
  const float p00 = m.forward(img, 1, false)[0];
  const float q00 = m.forward(blank, 1, false)[0];
  CHECK(m0[1 * 28 + 1] == doctest::Approx(p00 - q00).epsilon(1e-5));
  CHECK(m0[1 * 28 + 1] > 0.05f);                     // class 0's evidence
  CHECK(m1[25 * 28 + 25] > 0.02f);                   // class 1's
  CHECK(std::fabs(m0[14 * 28 + 14]) < 1e-6f);        // no ink, no weight: nothing changes there
  CHECK(m1[1 * 28 + 1] < 0);                          // blanking class 0's corner makes class 1 likelier
  CHECK(o.probabilities().size() == 10);
  CHECK(o.probabilities()[0] == doctest::Approx(p00));
}
