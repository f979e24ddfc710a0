// Layers: hand-computed values, and every backward pass against central differences.
#include <algorithm>
#include <cmath>

#include "core/kernels/gemm.h"
#include "core/kernels/pool.h"
#include "core/nn/layers.h"
#include "core/nn/model.h"
#include "helpers.h"

using namespace dl;
using dltest::check_grad;
using dltest::randv;

TEST_CASE("dense forward: hand values") {
  // weights 1, bias 0.5 → each output = sum of inputs + 0.5
  float x[2 * 3] = {1, 2, 3, 0, -1, 0.5f};
  std::vector<float> w(3 * 2, 1.0f), b(2, 0.5f), y(4);
  dense_forward(y.data(), x, w.data(), b.data(), 2, 3, 2);
  CHECK(y[0] == doctest::Approx(6.5));
  CHECK(y[1] == doctest::Approx(6.5));
  CHECK(y[2] == doctest::Approx(0.0));
  // a non-uniform kernel: w (C=2, OC=2) = [[1,2],[3,4]]
  float x2[2] = {1, 1}, w2[4] = {1, 2, 3, 4}, y2[2];
  dense_forward(y2, x2, w2, nullptr, 1, 2, 2);
  CHECK(y2[0] == doctest::Approx(4));
  CHECK(y2[1] == doctest::Approx(6));
}

TEST_CASE("activations: hand values") {
  float x[4] = {-2, -0.5f, 0.5f, 3}, y[4];
  act_forward(y, x, 4, int(Act::ReLU), 0);
  CHECK(y[0] == 0); CHECK(y[1] == 0); CHECK(y[2] == 0.5f); CHECK(y[3] == 3);
  act_forward(y, x, 4, int(Act::LeakyReLU), 0.3f);
  CHECK(y[0] == doctest::Approx(-0.6)); CHECK(y[1] == doctest::Approx(-0.15)); CHECK(y[3] == 3);
  act_forward(y, x, 4, int(Act::Sigmoid), 0);
  CHECK(y[2] == doctest::Approx(1 / (1 + std::exp(-0.5))));
}

TEST_CASE("activations in place give the same values as out of place, forward and backward") {
  // Layers apply their activation and its gradient in place, which takes a separate loop (layers.cpp).
  // 10,007 values: several 4,096-value chunks and a tail.
  const size_t n = 10007;
  const auto x = randv(n, 21, -3, 3), dy = randv(n, 22);
  for (Act a : {Act::Linear, Act::ReLU, Act::LeakyReLU, Act::Sigmoid}) {
    std::vector<float> y(n), yi = x;
    act_forward(y.data(), x.data(), n, int(a), 0.3f);
    act_forward(yi.data(), yi.data(), n, int(a), 0.3f);
    CHECK_MESSAGE(y == yi, "forward, act " << int(a));
    std::vector<float> dx(n), di = dy;
    act_backward(dx.data(), dy.data(), y.data(), n, int(a), 0.3f);
    act_backward(di.data(), di.data(), y.data(), n, int(a), 0.3f);
    CHECK_MESSAGE(dx == di, "backward, act " << int(a));
    if (a != Act::Linear) CHECK(y != x);  // it did something
  }
}

TEST_CASE("softmax + cross-entropy: hand values and stability") {
  float z[3] = {1, 2, 3}, p[3];
  softmax_forward(p, z, 1, 3);
  double s = std::exp(1.0) + std::exp(2.0) + std::exp(3.0);
  CHECK(p[2] == doctest::Approx(std::exp(3.0) / s));
  int y = 2;
  float d[3];
  float loss = softmax_xent_backward(d, p, &y, nullptr, 1, 3);
  CHECK(loss == doctest::Approx(-std::log(std::exp(3.0) / s)));
  CHECK(d[0] == doctest::Approx(p[0]));
  CHECK(d[2] == doctest::Approx(p[2] - 1));
  // Huge logits must not overflow.
  float big[3] = {1000, 1001, 999}, pb[3];
  softmax_forward(pb, big, 1, 3);
  for (float v : pb) CHECK(std::isfinite(v));
  CHECK(pb[1] == doctest::Approx(std::exp(1.0) / (1 + std::exp(1.0) + std::exp(-1.0))));
  // Class weights scale the loss and the gradient of that sample.
  float w[3] = {1, 1, 2}, dw[3];
  CHECK(softmax_xent_backward(dw, p, &y, w, 1, 3) == doctest::Approx(2 * loss));
  CHECK(dw[0] == doctest::Approx(2 * d[0]));
}

namespace {
// Scalar objective Σ r·y for a random r, so every output gets its own weight.
double dotr(const std::vector<float>& y, const std::vector<float>& r) {
  double s = 0;
  for (size_t i = 0; i < y.size(); ++i) s += double(y[i]) * r[i];
  return s;
}
}  // namespace

TEST_CASE("dense backward matches central differences") {
  const int B = 3, C = 5, OC = 4;
  auto x = randv(B * C, 1), w = randv(C * OC, 2), b = randv(OC, 3), r = randv(B * OC, 4);
  std::vector<float> y(B * OC), dx(B * C), dw(C * OC, 0), db(OC, 0);
  auto f = [&] { dense_forward(y.data(), x.data(), w.data(), b.data(), B, C, OC); return dotr(y, r); };
  dense_backward(dx.data(), dw.data(), db.data(), r.data(), x.data(), w.data(), B, C, OC);
  check_grad("dense dx", x, dx, f);
  check_grad("dense dw", w, dw, f);
  check_grad("dense db", b, db, f);
}

TEST_CASE("activation backward matches central differences") {
  for (Act a : {Act::ReLU, Act::LeakyReLU, Act::Sigmoid, Act::Linear}) {
    auto x = randv(20, 5), r = randv(20, 6);
    for (float& v : x) if (std::abs(v) < 0.05f) v += 0.1f;  // away from the kink
    std::vector<float> y(20), dx(20);
    auto f = [&] { act_forward(y.data(), x.data(), 20, int(a), 0.3f); return dotr(y, r); };
    f();
    act_backward(dx.data(), r.data(), y.data(), 20, int(a), 0.3f);
    check_grad(act_name(a), x, dx, f, 1e-2f);
  }
}

TEST_CASE("softmax cross-entropy backward matches central differences") {
  const int B = 4, K = 5;
  auto z = randv(B * K, 7, -2, 2);
  int y[B] = {0, 3, 4, 1};
  float w[K] = {1, 0.5f, 2, 1, 1.5f};
  std::vector<float> p(B * K), dz(B * K);
  auto f = [&] { softmax_forward(p.data(), z.data(), B, K); std::vector<float> t(B * K); return (double)softmax_xent_backward(t.data(), p.data(), y, w, B, K); };
  f();
  softmax_xent_backward(dz.data(), p.data(), y, w, B, K);
  check_grad("softmax xent dz", z, dz, f, 1e-2f);
}

TEST_CASE("conv2d: hand values") {
  // 3x3 input, one channel, 2x2 kernel of ones, no bias: each output = sum of its window.
  float x[9] = {1, 2, 3, 4, 5, 6, 7, 8, 9}, w[4] = {1, 1, 1, 1}, y[4];
  conv2d_forward(y, x, w, nullptr, 1, 3, 3, 1, 1, 2, 1, 0, 2, 2);
  CHECK(y[0] == 12); CHECK(y[1] == 16); CHECK(y[2] == 24); CHECK(y[3] == 28);
  // 'same' padding with a 3x3 kernel: the corner sees only 4 inputs.
  float w3[9] = {1, 1, 1, 1, 1, 1, 1, 1, 1}, y3[9];
  conv2d_forward(y3, x, w3, nullptr, 1, 3, 3, 1, 1, 3, 1, 1, 3, 3);
  CHECK(y3[0] == 1 + 2 + 4 + 5);
  CHECK(y3[4] == 45);
}

TEST_CASE("conv2d backward matches central differences (valid/same, stride 1/2)") {
  struct Case { int H, W, C, OC, KS, S; bool same; };
  for (Case c : {Case{5, 5, 2, 3, 3, 1, false}, Case{6, 6, 2, 2, 3, 2, true}, Case{5, 4, 1, 2, 2, 2, false},
                 Case{4, 4, 3, 2, 3, 1, true}}) {
    const int B = 2;
    int OH = c.same ? (c.H + c.S - 1) / c.S : (c.H - c.KS) / c.S + 1;
    int OW = c.same ? (c.W + c.S - 1) / c.S : (c.W - c.KS) / c.S + 1;
    int P = c.same ? ((OH - 1) * c.S + c.KS - c.H) / 2 : 0;
    auto x = randv(B * c.H * c.W * c.C, 11), w = randv(c.KS * c.KS * c.C * c.OC, 12), b = randv(c.OC, 13);
    auto r = randv(B * OH * OW * c.OC, 14);
    std::vector<float> y(r.size()), dx(x.size()), dw(w.size(), 0), db(b.size(), 0);
    auto f = [&] {
      conv2d_forward(y.data(), x.data(), w.data(), b.data(), B, c.H, c.W, c.C, c.OC, c.KS, c.S, P, OH, OW);
      return dotr(y, r);
    };
    conv2d_backward(dx.data(), dw.data(), db.data(), r.data(), x.data(), w.data(), B, c.H, c.W, c.C, c.OC, c.KS, c.S, P,
                    OH, OW);
    check_grad("conv dx", x, dx, f);
    check_grad("conv dw", w, dw, f);
    check_grad("conv db", b, db, f);
  }
}

TEST_CASE("conv2d in slabs on workers: the bits of one GEMM over the whole batch's patches") {
  // 28x28, 14x14 and 7x7 outputs ('same' 3x3): the slabs of samples and the weight gradient's
  // 256-position panels cut the batch in different places (49 positions an image: panels straddle
  // images). 64 → 64 channels at 14x14 over 40 images: 31 panels of 36,864 products, 28 at a time
  // in the scratch, so two windows. 128 → 1024 channels: one panel's product (1.2 M floats) passes
  // the scratch, so each panel goes into dw by gemm() in turn. One image of 28x28 (the draw pad's),
  // and two of 14x14 with 64 channels (a slab each) on 4 threads, are fewer slabs than threads: their
  // forward pass goes by runs of positions, which cross from one image into the next in the second.
  // The reference builds the batch's patches here and runs one gemm() over them on the calling thread
  // alone.
  struct Case { int HW, B, C, OC; };
  for (Case c : {Case{28, 6, 2, 3}, Case{14, 40, 2, 3}, Case{7, 300, 2, 3}, Case{14, 40, 64, 64}, Case{4, 20, 128, 1024},
                 Case{28, 1, 32, 32}, Case{14, 2, 64, 64}}) {
    const int C = c.C, OC = c.OC, KS = 3, row = KS * KS * C, n = c.HW * c.HW;
    auto x = randv(size_t(c.B) * n * C, 21), w = randv(size_t(row) * OC, 22), b = randv(OC, 23);
    auto r = randv(size_t(c.B) * n * OC, 24);
    std::vector<float> patches(size_t(c.B) * n * row, 0.0f);
    for (int s = 0; s < c.B; ++s)
      for (int oy = 0; oy < c.HW; ++oy)
        for (int ox = 0; ox < c.HW; ++ox)
          for (int ky = 0; ky < KS; ++ky)
            for (int kx = 0; kx < KS; ++kx)
              for (int ch = 0; ch < C; ++ch) {
                const int iy = oy + ky - 1, ix = ox + kx - 1;
                if (iy < 0 || iy >= c.HW || ix < 0 || ix >= c.HW) continue;
                patches[((size_t(s) * n + size_t(oy) * c.HW + ox) * KS * KS + ky * KS + kx) * C + ch] =
                    x[((size_t(s) * c.HW + iy) * c.HW + ix) * C + ch];
              }
    std::vector<float> y_ref(r.size()), dw_ref(w.size(), 0.5f);
    gemm(false, false, c.B * n, OC, row, patches.data(), row, w.data(), OC, y_ref.data(), OC, false);
    for (size_t i = 0; i < y_ref.size(); ++i) y_ref[i] += b[i % OC];
    gemm(true, false, row, OC, c.B * n, patches.data(), row, r.data(), OC, dw_ref.data(), OC, true);
    struct Out { std::vector<float> y, dx, dw, db; };
    std::vector<Out> outs;
    for (int workers : {0, 1, 3}) {
      kernel_pool().set_workers(workers);
      Out o{std::vector<float>(r.size()), std::vector<float>(x.size()), std::vector<float>(w.size(), 0.5f),
            std::vector<float>(size_t(OC), 0.25f)};
      conv2d_forward(o.y.data(), x.data(), w.data(), b.data(), c.B, c.HW, c.HW, C, OC, KS, 1, 1, c.HW, c.HW);
      conv2d_backward(o.dx.data(), o.dw.data(), o.db.data(), r.data(), x.data(), w.data(), c.B, c.HW, c.HW, C, OC, KS,
                      1, 1, c.HW, c.HW);
      outs.push_back(o);
    }
    kernel_pool().set_workers(0);
    CAPTURE(c.HW);
    CAPTURE(c.OC);
    CHECK(outs[0].y == y_ref);
    CHECK(outs[0].dw == dw_ref);  // accumulated onto 0.5: backward adds to the gradients
    for (size_t i = 1; i < outs.size(); ++i) {
      CHECK_MESSAGE(outs[i].y == outs[0].y, "run " << i);
      CHECK_MESSAGE(outs[i].dx == outs[0].dx, "run " << i);
      CHECK_MESSAGE(outs[i].dw == outs[0].dw, "run " << i);
      CHECK_MESSAGE(outs[i].db == outs[0].db, "run " << i);
    }
  }
}

TEST_CASE("maxpool: hand values and backward") {
  float x[16] = {1, 2, 5, 6, 3, 4, 7, 8, 9, 10, 13, 14, 11, 12, 15, 16}, y[4];
  int32_t am[4];
  maxpool_forward(y, am, x, 1, 4, 4, 1, 2, 2, 2, 2);
  CHECK(y[0] == 4); CHECK(y[1] == 8); CHECK(y[2] == 12); CHECK(y[3] == 16);
  // Ties, with 5 channels (a SIMD width and a tail): the first maximum in the window wins, as in
  // Keras and PyTorch. Channel c's window (offsets 0..3) is {c, 5 - c, 5, 5} + 10, channel 4's
  // {5, 1, 5, 5} + 10: the maximum 15 is first at offset 1 for channel 0, 0 for channel 4, else 2.
  {
    const int C = 5;
    std::vector<float> t(4 * C);
    for (int c = 0; c < C; ++c) {
      const float v[4] = {c == 4 ? 5.0f : float(c), float(5 - c), 5, 5};
      for (int k = 0; k < 4; ++k) t[size_t(k) * C + c] = v[k] + 10;
    }
    float ty[C];
    int32_t ta[C];
    maxpool_forward(ty, ta, t.data(), 1, 2, 2, C, 2, 2, 1, 1);
    for (int c = 0; c < C; ++c) {
      CHECK(ty[c] == 15);
      CHECK(ta[c] == (c == 0 ? 1 : c == 4 ? 0 : 2) * C + c);
    }
  }
  // Gradient check with distinct values (no ties, so no kinks within eps).
  const int B = 2, H = 4, W = 4, C = 3;
  std::vector<float> xs(B * H * W * C);
  dl::Rng rng(3);
  for (size_t i = 0; i < xs.size(); ++i) xs[i] = float(i) * 0.1f;
  rng.shuffle(xs.data(), xs.size());
  auto r = randv(B * 2 * 2 * C, 15);
  std::vector<float> ys(r.size()), dx(xs.size());
  std::vector<int32_t> arg(r.size());
  auto f = [&] { maxpool_forward(ys.data(), arg.data(), xs.data(), B, H, W, C, 2, 2, 2, 2); return dotr(ys, r); };
  f();
  maxpool_backward(dx.data(), r.data(), arg.data(), B, H, W, C, 2, 2);
  check_grad("maxpool dx", xs, dx, f, 1e-2f);
}

TEST_CASE("dropout: inverted scaling, rate 0 passes through, backward uses the mask") {
  const size_t n = 20000;
  std::vector<float> x(n, 1.0f), y(n), mask(n), dx(n);
  Rng rng(9);
  dropout_forward(y.data(), mask.data(), x.data(), n, 0.25f, &rng);
  size_t zeros = std::count(y.begin(), y.end(), 0.0f);
  CHECK(double(zeros) / n == doctest::Approx(0.25).epsilon(0.1));
  for (float v : y) CHECK((v == 0.0f || v == doctest::Approx(1 / 0.75)));
  double mean = 0;
  for (float v : y) mean += v / n;
  CHECK(mean == doctest::Approx(1.0).epsilon(0.03));  // expectation preserved
  std::vector<float> g(n, 2.0f);
  dropout_backward(dx.data(), g.data(), mask.data(), n);
  for (size_t i = 0; i < n; ++i) CHECK(dx[i] == 2.0f * mask[i]);
}

TEST_CASE("batchnorm: train/eval values, moving statistics, backward") {
  const int N = 6, C = 3;
  auto x = randv(N * C, 21, -2, 2), g = randv(C, 22, 0.5f, 1.5f), b = randv(C, 23), r = randv(N * C, 24);
  std::vector<float> y(N * C), xhat(N * C), istd(C), mm(C, 0.0f), mv(C, 1.0f);
  batchnorm_forward_train(y.data(), xhat.data(), istd.data(), mm.data(), mv.data(), x.data(), g.data(), b.data(), N, C,
                          0.99f, 1e-3f);
  for (int c = 0; c < C; ++c) {
    double m = 0, v = 0;
    for (int i = 0; i < N; ++i) m += x[i * C + c] / N;
    for (int i = 0; i < N; ++i) v += (x[i * C + c] - m) * (x[i * C + c] - m) / N;
    CHECK(y[c] == doctest::Approx(g[c] * (x[c] - m) / std::sqrt(v + 1e-3) + b[c]).epsilon(1e-4));
    CHECK(mm[c] == doctest::Approx(0.01 * m).epsilon(1e-4));
    CHECK(mv[c] == doctest::Approx(0.99 + 0.01 * v).epsilon(1e-5));  // Keras: the biased batch variance
  }
  std::vector<float> ye(N * C);
  batchnorm_forward_eval(ye.data(), x.data(), g.data(), b.data(), mm.data(), mv.data(), N, C, 1e-3f);
  CHECK(ye[0] == doctest::Approx(g[0] * (x[0] - mm[0]) / std::sqrt(mv[0] + 1e-3) + b[0]));
  std::vector<float> dx(N * C), dg(C, 0), db(C, 0);
  batchnorm_backward(dx.data(), dg.data(), db.data(), r.data(), xhat.data(), istd.data(), g.data(), N, C);
  auto f = [&] {
    std::vector<float> m2(C, 0), v2(C, 1), xh(N * C), is(C);
    batchnorm_forward_train(y.data(), xh.data(), is.data(), m2.data(), v2.data(), x.data(), g.data(), b.data(), N, C,
                            0.99f, 1e-3f);
    return dotr(y, r);
  };
  check_grad("batchnorm dx", x, dx, f, 1e-2f);
  check_grad("batchnorm dgamma", g, dg, f);
  check_grad("batchnorm dbeta", b, db, f);
}

TEST_CASE("whole-model gradient (chained layers, L2, class weights) matches central differences") {
  // Smooth activations only: kinks (ReLU, LeakyReLU, max pooling) are checked layer by layer above,
  // where the inputs can be kept away from them; here the point is the chaining through the arena.
  ModelSpec spec;
  spec.input = Shape{6, 6, 1, false};
  spec.layers = {conv2d(3, 3, Act::Linear, true), activation(Act::Sigmoid), conv2d(4, 3, Act::Sigmoid, false, 1, 0.05f),
                 flatten(), dense(8, Act::Sigmoid), batchnorm(), dense(5, Act::Softmax, 0.02f)};
  Model m;
  REQUIRE(m.build(spec).ok());
  m.init(5);
  const int B = 4;
  auto x = randv(B * 36, 31, 0, 1);
  int y[B] = {0, 4, 2, 1};
  float w[5] = {1, 2, 0.5f, 1, 1.5f};
  auto f = [&] {
    m.forward(x.data(), B, true);
    std::vector<float> keep = m.grads;
    double loss = m.backward(y, w) + m.l2_loss();
    m.grads = keep;
    return loss;
  };
  m.forward(x.data(), B, true);
  m.backward(y, w);
  std::vector<float> g = m.grads;
  check_grad("model params", m.params, g, f, 1e-2f, 3e-2);
}

TEST_CASE("dropout: the model's gradient through a drawn mask matches central differences") {
  // The same seed draws the same mask on every forward pass, so the loss is a smooth function of the
  // weights and the inputs that central differences can check.
  ModelSpec spec;
  spec.input = Shape{1, 1, 6, true};
  spec.layers = {dense(10, Act::Sigmoid), dropout(0.4f), dense(8, Act::Sigmoid), dropout(0.25f), dense(4, Act::Softmax)};
  Model m;
  REQUIRE(m.build(spec).ok());
  m.init(9);
  const int B = 5;
  auto x = randv(B * 6, 33, -1, 1);
  int y[B] = {0, 3, 2, 1, 3};
  auto f = [&] {
    Rng rng(77);
    m.forward(x.data(), B, true, &rng);
    std::vector<float> keep = m.grads;
    double loss = m.backward(y);
    m.grads = keep;
    return loss;
  };
  Rng rng(77);
  m.forward(x.data(), B, true, &rng);
  // The mask drops units and scales the kept ones by 1/(1 − rate), as Keras' inverted dropout.
  const Layer& drop = m.layers()[1];
  int zeros = 0, scaled = 0;
  for (float v : drop.saved) {
    zeros += v == 0;
    scaled += v == doctest::Approx(1 / 0.6f);
  }
  CHECK(zeros > 0);
  CHECK(zeros + scaled == int(drop.saved.size()));
  m.backward(y);
  std::vector<float> g = m.grads;
  check_grad("model params through dropout", m.params, g, f, 1e-2f, 3e-2);
  // Without the same mask the loss differs: the check above depends on the mask being used.
  const double same = f();
  Rng other(78);
  m.forward(x.data(), B, true, &other);
  const double differs = m.backward(y);
  CHECK(differs != doctest::Approx(same).epsilon(1e-6));
}

TEST_CASE("model build: shapes, Keras parameter counts and clear errors") {
  Model m;
  ModelSpec s;
  s.input = Shape{28, 28, 1, false};
  s.layers = {conv2d(8, 3, Act::ReLU), maxpool2d(2), flatten(), dense(10, Act::Softmax)};
  REQUIRE(m.build(s).ok());
  CHECK(m.layers()[0].out.str() == "(None, 26, 26, 8)");
  CHECK(m.layers()[1].out.str() == "(None, 13, 13, 8)");
  CHECK(m.layers()[2].out.str() == "(None, 1352)");
  CHECK(m.trainable_params() == 80 + 13530);
  // A kernel larger than its input is explained, and the old model stays.
  ModelSpec bad = s;
  bad.layers = {conv2d(8, 30, Act::ReLU), flatten(), dense(10, Act::Softmax)};
  Status st = m.build(bad);
  CHECK_FALSE(st.ok());
  CHECK(st.error.find("does not fit") != std::string::npos);
  CHECK(m.trainable_params() == 80 + 13530);
  bad.layers = {dense(10, Act::Softmax)};
  CHECK(m.build(bad).error.find("Flatten") != std::string::npos);
  bad.layers = {flatten(), dense(10, Act::ReLU)};
  CHECK_FALSE(m.build(bad).ok());
}

TEST_CASE("same_weight_layout: weights fit where every layer's arrays line up") {
  ModelSpec s;
  s.input = Shape{28, 28, 1, false};
  s.layers = {conv2d(8, 3, Act::ReLU), maxpool2d(2), flatten(), dense(10, Act::Softmax)};
  Model a, b, plan;
  REQUIRE(a.build(s).ok());
  REQUIRE(plan.build(s, false).ok());
  CHECK(same_weight_layout(a, plan));
  ModelSpec t = s;  // other activations and names: the weights still fit
  t.name = "custom";
  t.layers[0].act = Act::LeakyReLU;
  REQUIRE(b.build(t).ok());
  CHECK(same_weight_layout(a, b));
  t = s;  // 16 filters: they do not
  t.layers[0].units = 16;
  REQUIRE(b.build(t).ok());
  CHECK_FALSE(same_weight_layout(a, b));
  t = s;  // 'same' padding: the same kernel, but the dense layer behind it sees more inputs
  t.layers[0].same = true;
  REQUIRE(b.build(t).ok());
  CHECK_FALSE(same_weight_layout(a, b));
  t = s;  // a dropout layer more: the layers no longer pair up
  t.layers.insert(t.layers.begin() + 3, dropout(0.5f));
  REQUIRE(b.build(t).ok());
  CHECK_FALSE(same_weight_layout(a, b));
  CHECK_FALSE(same_weight_layout(a, Model()));  // nothing built
}
