// Optimizer steps against hand values and split over workers; model file round trip and rejection; determinism.
#include <cmath>
#include <cstring>
#include <string>
#include <utility>

#include "core/kernels/pool.h"
#include "core/nn/model_file.h"
#include "core/nn/optimizer.h"
#include "core/train/presets.h"
#include "core/train/trainer.h"
#include "helpers.h"

using namespace dl;

namespace {
// 64 images of seeded noise labelled 0..9 in turn: enough to take training steps.
Dataset noise_digits(uint64_t seed) {
  Dataset d;
  d.n = 64; d.rows = d.cols = 28;
  Rng r(seed);
  for (int i = 0; i < 64 * 784; ++i) d.images.push_back(uint8_t(r.below(256)));
  for (int i = 0; i < 64; ++i) d.labels.push_back(uint8_t(i % 10));
  return d;
}
}  // namespace

TEST_CASE("optimizer steps against hand values") {
  float p[2] = {1.0f, -2.0f}, g[2] = {0.5f, -1.0f};
  Optimizer o;
  SUBCASE("sgd") {
    o.init({OptKind::SGD, 0.1f}, 2);
    o.step(p, g, 2);
    CHECK(p[0] == doctest::Approx(0.95));
    CHECK(p[1] == doctest::Approx(-1.9));
  }
  SUBCASE("sgd with momentum: v = 0.9 v - lr g") {
    OptimizerConfig c{OptKind::SGD, 0.1f};
    c.momentum = 0.9f;
    o.init(c, 2);
    o.step(p, g, 2);  // v = -0.05 → p = 0.95
    o.step(p, g, 2);  // v = 0.9*-0.05 - 0.05 = -0.095 → p = 0.855
    CHECK(p[0] == doctest::Approx(0.855));
  }
  SUBCASE("adam: first step moves each weight by lr (|m/√v| = 1)") {
    o.init({OptKind::Adam, 0.01f}, 2);
    o.step(p, g, 2);
    // m = 0.1 g, v = 0.001 g², lr_t = 0.01·√0.001/0.1 → step = lr_t·0.1g/(√0.001|g| + 1e-7) ≈ 0.01
    CHECK(p[0] == doctest::Approx(1.0 - 0.01).epsilon(1e-5));
    CHECK(p[1] == doctest::Approx(-2.0 + 0.01).epsilon(1e-5));
    o.step(p, g, 2);  // same gradient again: still ≈ lr per step
    CHECK(p[0] == doctest::Approx(1.0 - 0.02).epsilon(1e-5));
  }
  SUBCASE("rmsprop: v = 0.1 g², step = lr g / √(v + eps)") {
    o.init({OptKind::RMSprop, 0.01f}, 2);
    o.step(p, g, 2);
    CHECK(p[0] == doctest::Approx(1.0 - 0.01 * 0.5 / std::sqrt(0.1 * 0.25 + 1e-7)).epsilon(1e-5));
  }
}

TEST_CASE("optimizers split over kernel workers: same bits with any number, and the textbook update") {
  // 300,001 parameters: enough for the update to be split (and an odd tail past every SIMD width).
  const size_t n = 300001;
  const auto p0 = dltest::randv(n, 11), g = dltest::randv(n, 12, -0.1f, 0.1f);
  OptimizerConfig sgd{OptKind::SGD, 0.05f}, mom{OptKind::SGD, 0.05f}, adam{OptKind::Adam, 0.01f},
      rms{OptKind::RMSprop, 0.01f};
  mom.momentum = 0.9f;
  for (const OptimizerConfig& c : {sgd, mom, adam, rms}) {
    std::vector<std::vector<float>> out;
    for (int workers : {0, 1, 3}) {
      kernel_pool().set_workers(workers);
      Optimizer o;
      o.init(c, n);
      std::vector<float> p = p0;
      for (int s = 0; s < 3; ++s) o.step(p.data(), g.data(), n);
      out.push_back(p);
    }
    kernel_pool().set_workers(0);
    CHECK_MESSAGE(out[0] == out[1], std::string(opt_name(c.kind)) << " momentum " << c.momentum);
    CHECK_MESSAGE(out[0] == out[2], std::string(opt_name(c.kind)) << " momentum " << c.momentum);
    // The header's formulas in double precision, element by element, three steps of the same gradient.
    double worst = 0;
    for (size_t i = 0; i < n; i += 997) {
      double p = p0[i], m = 0, v = 0;
      const double gi = g[i];
      for (int t = 1; t <= 3; ++t) {
        switch (c.kind) {
          case OptKind::SGD: m = c.momentum * m - c.lr * gi; p += m; break;
          case OptKind::Adam:
            m = c.beta1 * m + (1 - c.beta1) * gi;
            v = c.beta2 * v + (1 - c.beta2) * gi * gi;
            p -= c.lr * std::sqrt(1 - std::pow(c.beta2, t)) / (1 - std::pow(c.beta1, t)) * m / (std::sqrt(v) + c.eps);
            break;
          case OptKind::RMSprop:
            v = c.rho * v + (1 - c.rho) * gi * gi;
            p -= c.lr * gi / std::sqrt(v + c.eps);
            break;
        }
      }
      worst = std::max(worst, std::abs(p - out[0][i]));
    }
    CHECK_MESSAGE(worst < 2e-6, std::string(opt_name(c.kind)) << " worst " << worst);
  }
}

TEST_CASE("model file: round trip, and every bad file is rejected with the model untouched") {
  Model m;
  REQUIRE(m.build(preset_find("mlp-deep")->model).ok());
  m.init(3);
  m.state[5] = 0.25f;
  std::vector<uint8_t> bytes = model_save(m);
  Model back;
  REQUIRE(model_load(bytes.data(), bytes.size(), &back).ok());
  CHECK(back.params == m.params);
  CHECK(back.state == m.state);
  CHECK(back.spec().name == "mlp-deep");
  CHECK(back.summary_text() == m.summary_text());

  Model keep;
  REQUIRE(keep.build(preset_find("mlp")->model).ok());
  keep.init(1);
  std::vector<float> before = keep.params;
  auto reject = [&](std::vector<uint8_t> b, const char* part) {
    Status s = model_load(b.data(), b.size(), &keep);
    CHECK_FALSE(s.ok());
    CHECK_MESSAGE(s.error.find(part) != std::string::npos, s.error);
    CHECK(keep.params == before);
  };
  reject({}, "not a Digit Lab model file");
  reject(std::vector<uint8_t>(bytes.begin(), bytes.begin() + 100), "damaged or truncated");
  auto flipped = bytes;
  flipped[bytes.size() / 2] ^= 0x40;
  reject(flipped, "checksum");
  auto v2 = bytes;
  v2[8] = 2;
  reject(v2, "version 2");
  std::string text = "P5 28 28 255 this is an image, not a model";
  reject(std::vector<uint8_t>(text.begin(), text.end()), "not a Digit Lab model file");
}

TEST_CASE("determinism: same seed → identical initial weights and identical weights after N steps") {
  const Dataset d = noise_digits(4);
  auto run = [&](uint64_t seed, int steps, std::vector<float>* init) {
    Model m;
    REQUIRE(m.build(preset_find("mlp")->model).ok());
    TrainConfig c;
    c.batch = 16;
    c.seed = seed;
    Trainer t;
    REQUIRE(t.begin(&m, &d, nullptr, c).ok());
    *init = m.params;
    for (int i = 0; i < steps; ++i) t.step();
    return m.params;
  };
  std::vector<float> i1, i2, i3;
  auto a = run(7, 6, &i1), b = run(7, 6, &i2), c = run(8, 6, &i3);
  CHECK(i1 == i2);
  CHECK(a == b);
  CHECK(i1 != i3);
  CHECK(a != c);
  // Glorot-uniform limits for Dense(784 → 512): √(6/1296)
  float limit = std::sqrt(6.0f / (784 + 512)), mx = 0;
  for (size_t k = 0; k < 784 * 512; ++k) mx = std::max(mx, std::abs(i1[k]));
  CHECK(mx <= limit);
  CHECK(mx > 0.99f * limit);
  // Bit-identical everywhere: the FNV-1a hash of the weights' bytes equals the one an independent
  // Python implementation computes (tests/fixtures/glorot_ref.py). The wasm build runs this too.
  uint32_t h = 2166136261u;
  for (float v : i1) {
    uint8_t b4[4];
    std::memcpy(b4, &v, 4);
    for (uint8_t byte : b4) h = (h ^ byte) * 16777619u;
  }
  CHECK(i1.size() == 407050);
  CHECK(i1[0] == -0.02038368210196495f);
  CHECK(h == 750039472u);
}

TEST_CASE("determinism: a CNN trains to the same bits with any number of kernel workers") {
  // The GEMMs, im2col, col2im, pooling and activations of every layer split their work over the
  // workers; that may not change a single bit (the browser trains with 1 worker, the CLI with as many
  // as the machine has). cnn-tiny: valid padding, ReLU; cnn-vgg: same padding, LeakyReLU, dropout.
  const Dataset d = noise_digits(5);
  std::vector<float> init;
  auto run = [&](const char* preset, int batch, int workers) {
    kernel_pool().set_workers(workers);
    Model m;
    REQUIRE(m.build(preset_find(preset)->model).ok());
    TrainConfig c;
    c.batch = batch;
    c.seed = 3;
    Trainer t;
    REQUIRE(t.begin(&m, &d, nullptr, c).ok());
    init = m.params;
    for (int i = 0; i < 4; ++i) t.step();
    kernel_pool().set_workers(0);
    return m.params;
  };
  // cnn-vgg at batch 8: 876,618 parameters, and its layers are still large enough to split.
  // (No structured bindings: C++17 does not let doctest's assertion lambdas capture them; clang refuses.)
  for (const auto& pb : {std::pair<const char*, int>{"cnn-tiny", 32}, {"cnn-vgg", 8}}) {
    const char* p = pb.first;
    auto a = run(p, pb.second, 0), b = run(p, pb.second, 1), c = run(p, pb.second, 3);
    CHECK_MESSAGE(a == b, p);
    CHECK_MESSAGE(a == c, p);
    CHECK_MESSAGE(a != init, p);  // it did train
  }
}
