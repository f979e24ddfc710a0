// Looking inside a network (core/nn/inspect.h): first-layer kernels as images, and the first
// convolution's output maps for one image, checked against values computed here from the weights.
#include <algorithm>
#include <cmath>

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
