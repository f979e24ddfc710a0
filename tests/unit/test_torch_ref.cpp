// The core's layers, loss, L2 term, class weights, whole-model backward pass and cosine decay checked
// against PyTorch, and its optimizers and a dropout layer under a fixed mask against TensorFlow.js. Expected values
// come only from the fixtures: tests/fixtures/torch/, written by tests/fixtures/gen_torch_fixtures.py
// (torch, float64, autograd), and tests/fixtures/keras/, written by
// tests/fixtures/gen_keras_fixtures.mjs; neither library is needed here.
//
// Criterion, element by element, for a float32 result a against the torch value b of an array R:
//     |a − b| <= 1e-4 · max(|b|, floor),   floor = 1e-2 · max_j |R_j|
// i.e. 1e-4 relative, except that elements below 1% of the array's largest magnitude are held to
// 1e-6 of that magnitude: float32 sums that cancel to near zero cannot be relatively exact (e.g. the
// bias gradient of a unit feeding BatchNorm is exactly 0 in theory; float32 gives ~1e-7). Model
// arenas are compared tensor by tensor, each with its own floor.
// Scalars (losses) use floor = |b|: pure 1e-4 relative. The worst ratio |a − b| / max(|b|, floor)
// of each case is printed. The optimizer trajectories are held to 1e-5 (kOptTol) by the same rule.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <tuple>
#include <vector>

#include "core/nn/layers.h"
#include "core/nn/model.h"
#include "core/nn/optimizer.h"
#include "core/train/trainer.h"
#include "helpers.h"

namespace {

constexpr double kRelTol = 1e-4;
constexpr double kOptTol = 1e-5;
constexpr double kFloorFrac = 1e-2;

struct Arr {
  std::vector<int> shape;
  std::vector<double> v;
  std::vector<float> f() const { return std::vector<float>(v.begin(), v.end()); }
  std::vector<int> i() const {
    std::vector<int> r;
    for (double x : v) r.push_back(int(std::lround(x)));
    return r;
  }
  double scalar() const { return v.at(0); }
};

// Parses "name d0 d1 ... : v0 v1 ..." lines; '#' lines are comments.
class Fixture {
 public:
  explicit Fixture(const std::string& file, const char* dir = "torch") {
    std::string path = std::string(DIGITLAB_SOURCE_DIR) + "/tests/fixtures/" + dir + "/" + file;
    std::ifstream in(path);
    REQUIRE_MESSAGE(in.good(), "cannot open fixture " << path);
    std::string line;
    while (std::getline(in, line)) {
      if (line.empty() || line[0] == '#') continue;
      std::istringstream ss(line);
      std::string name, tok;
      ss >> name;
      Arr a;
      while (ss >> tok && tok != ":") a.shape.push_back(std::stoi(tok));
      size_t n = 1;
      for (int d : a.shape) n *= size_t(d);
      a.v.reserve(n);
      double x;
      while (ss >> x) a.v.push_back(x);
      REQUIRE_MESSAGE(a.v.size() == n, path << ": " << name << " has " << a.v.size() << " values, shape says " << n);
      arrays_[name] = std::move(a);
    }
    REQUIRE_MESSAGE(!arrays_.empty(), path << " is empty");
  }
  const Arr& operator[](const std::string& name) const {
    auto it = arrays_.find(name);
    REQUIRE_MESSAGE(it != arrays_.end(), "fixture array missing: " << name);
    return it->second;
  }

 private:
  std::map<std::string, Arr> arrays_;
};

// Compares n float32 values against the reference array; returns the worst scaled error.
double compare(const std::string& what, const float* a, size_t n, const Arr& ref, bool scalar = false,
               double tol = kRelTol) {
  REQUIRE_MESSAGE(n == ref.v.size(), what << ": size " << n << " vs reference " << ref.v.size());
  double scale = 0;
  for (double b : ref.v) scale = std::max(scale, std::abs(b));
  double worst = 0;
  size_t worst_i = 0;
  for (size_t i = 0; i < n; ++i) {
    double b = ref.v[i];
    double floor = scalar ? std::abs(b) : kFloorFrac * scale;
    double denom = std::max({std::abs(b), floor, 1e-30});
    double err = std::abs(double(a[i]) - b) / denom;
    if (!(err <= worst) || std::isnan(err)) { worst = std::isnan(err) ? INFINITY : err; worst_i = i; }
  }
  CHECK_MESSAGE(worst <= tol, what << "[" << worst_i << "]: core " << a[worst_i] << " vs reference "
                                       << ref.v[worst_i] << " (scaled error " << worst << ")");
  return worst;
}
double compare(const std::string& what, const std::vector<float>& a, const Arr& ref, double tol = kRelTol) {
  return compare(what, a.data(), a.size(), ref, false, tol);
}
double compare_scalar(const std::string& what, float a, const Arr& ref, double tol = kRelTol) {
  return compare(what, &a, 1, ref, true, tol);
}

// Runs the comparisons of one case and remembers its worst scaled error and where it occurred.
struct Worst {
  double tol = kRelTol;
  double v = 0;
  std::string where = "-";
  void add(const std::string& what, double e) {
    if (e > v) { v = e; where = what; }
  }
  void array(const std::string& what, const float* a, size_t n, const Arr& ref) {
    add(what, compare(what, a, n, ref, false, tol));
  }
  void array(const std::string& what, const std::vector<float>& a, const Arr& ref) { add(what, compare(what, a, ref, tol)); }
  void scalar(const std::string& what, float a, const Arr& ref) { add(what, compare_scalar(what, a, ref, tol)); }
  // An arena (params or grads) compared tensor by tensor (each kernel, bias, gamma, beta on its own
  // scale), so a small layer's gradients are not judged against a larger layer's floor.
  void arena(const std::string& what, const dl::Model& m, const std::vector<float>& a, const Arr& ref) {
    REQUIRE(a.size() == ref.v.size());
    size_t covered = 0;
    for (const dl::Layer& L : m.layers())
      for (auto [off, len, part] : {std::tuple<size_t, size_t, const char*>{L.w_off, L.w_len, ".w"},
                                    std::tuple<size_t, size_t, const char*>{L.b_off, L.b_len, ".b"}}) {
        if (!len) continue;
        Arr slice;
        slice.v.assign(ref.v.begin() + off, ref.v.begin() + off + len);
        array(what + "[" + L.name + part + "]", a.data() + off, len, slice);
        covered += len;
      }
    CHECK(covered == a.size());
  }
};

}  // namespace

TEST_CASE("torch reference: a run under cosine decay trains each step at CosineAnnealingLR's rate") {
  // Keras' CosineDecay(lr, decay_steps, alpha) is CosineAnnealingLR(T_max = decay_steps,
  // eta_min = alpha · lr); the fixture steps torch's scheduler once a batch, over runs whose last
  // batch is whole ("zero") and partial ("alpha": 610 images in batches of 20).
  Fixture fx("cosine.txt");
  for (const char* name : {"zero", "alpha"}) {
    CAPTURE(name);
    const std::vector<double>& run = fx[std::string(name) + ".run"].v;
    const Arr& rates = fx[std::string(name) + ".lr"];
    dl::Dataset train = dltest::pixel_toy(int(run[2]), 1);
    dl::ModelSpec spec;
    spec.name = "toy";
    spec.input = dl::Shape{4, 4, 1, false};
    spec.layers = {dl::flatten(), dl::dense(10, dl::Act::Softmax)};
    dl::TrainConfig c;
    c.opt.kind = dl::OptKind::Adam;
    c.opt.lr = float(run[0]);
    c.cosine = {true, float(run[1])};
    c.batch = int(run[3]);
    c.epochs = int(run[4]);
    c.val_split = 0;
    dl::Model m;
    dl::Trainer t;
    REQUIRE(m.build(spec).ok());
    REQUIRE(t.begin(&m, &train, nullptr, c).ok());
    while (t.step()) {}
    REQUIRE(t.phase() == dl::TrainPhase::Finished);
    std::vector<float> lr;
    for (const dl::BatchRecord& b : t.batches()) lr.push_back(b.lr);
    compare(std::string(name) + ".lr", lr, rates, 1e-6);
    // An epoch's rate in the history is its last step's.
    for (const dl::EpochRecord& e : t.history())
      CHECK(e.lr == doctest::Approx(rates.v[size_t(e.epoch * t.batches_per_epoch() - 1)]).epsilon(1e-6));
  }
}

TEST_CASE("torch reference: Dense with each activation") {
  Fixture fx("dense_act.txt");
  const std::pair<const char*, dl::Act> acts[] = {{"linear", dl::Act::Linear},
                                                  {"relu", dl::Act::ReLU},
                                                  {"sigmoid", dl::Act::Sigmoid},
                                                  {"leaky_relu", dl::Act::LeakyReLU}};
  for (const auto& [name, kind] : acts) {
    std::string p = std::string(name) + ".";
    const Arr& xa = fx[p + "x"];
    int B = xa.shape[0], C = xa.shape[1], OC = fx[p + "w"].shape[1];
    auto x = xa.f(), w = fx[p + "w"].f(), b = fx[p + "b"].f(), dy = fx[p + "dy"].f();
    size_t n = size_t(B) * OC;
    std::vector<float> z(n), y(n), dz(n), dx(size_t(B) * C), dw(w.size(), 0.0f), db(b.size(), 0.0f);
    dl::dense_forward(z.data(), x.data(), w.data(), b.data(), B, C, OC);
    dl::act_forward(y.data(), z.data(), n, int(kind), 0.3f);
    dl::act_backward(dz.data(), dy.data(), y.data(), n, int(kind), 0.3f);
    dl::dense_backward(dx.data(), dw.data(), db.data(), dz.data(), x.data(), w.data(), B, C, OC);
    Worst worst;
    worst.array(p + "y", y, fx[p + "y"]);
    worst.array(p + "dx", dx, fx[p + "dx"]);
    worst.array(p + "dw", dw, fx[p + "dw"]);
    worst.array(p + "db", db, fx[p + "db"]);
    MESSAGE("torch dense+" << std::string(name) << ": worst scaled error " << worst.v << " in " << worst.where);
  }
}

TEST_CASE("torch reference: softmax cross-entropy, plain, class-weighted and with smoothed labels") {
  Fixture fx("softmax_xent.txt");
  const Arr& za = fx["logits"];
  int B = za.shape[0], K = za.shape[1];
  auto z = za.f(), cw = fx["class_weights"].f();
  auto y = fx["labels"].i();
  std::vector<float> p(z.size()), dz(z.size());
  dl::softmax_forward(p.data(), z.data(), B, K);
  Worst worst;
  worst.array("probs", p, fx["probs"]);
  for (const char* tag : {"plain", "weighted"}) {
    std::string t = tag;
    float loss = dl::softmax_xent_backward(dz.data(), p.data(), y.data(), t == "weighted" ? cw.data() : nullptr, B, K);
    worst.scalar(t + ".loss", loss, fx[t + ".loss"]);
    worst.array(t + ".dlogits", dz, fx[t + ".dlogits"]);
  }
  const float smoothing = fx["smoothing"].f()[0];
  REQUIRE(smoothing > 0);
  for (const char* tag : {"smoothed", "smoothed_weighted"}) {
    std::string t = tag;
    float loss = dl::softmax_xent_backward(dz.data(), p.data(), y.data(), t == "smoothed" ? nullptr : cw.data(), B, K,
                                           smoothing);
    worst.scalar(t + ".loss", loss, fx[t + ".loss"]);
    worst.array(t + ".dlogits", dz, fx[t + ".dlogits"]);
  }
  // The evaluation's loss is the same function of the probabilities.
  double sum = 0;
  for (int b = 0; b < B; ++b) sum += dl::xent(p.data() + size_t(b) * K, y[b], K, smoothing);
  worst.scalar("smoothed.xent", float(sum / B), fx["smoothed.loss"]);
  MESSAGE("torch softmax cross-entropy: worst scaled error " << worst.v << " in " << worst.where);
}

TEST_CASE("torch reference: Conv2D valid/same, stride 1/2, kernel 3/5") {
  Fixture fx("conv2d.txt");
  const char* names[] = {"k3_s1_valid_h8", "k3_s1_same_h8", "k3_s2_valid_h8", "k3_s2_same_h8", "k5_s1_valid_h8",
                         "k5_s1_same_h8",  "k5_s2_valid_h8", "k5_s2_same_h8", "k3_s2_same_h7"};
  for (const char* name : names) {
    std::string p = std::string(name) + ".";
    auto d = fx[p + "dims"].i();  // B H W C OC K S P OH OW
    int B = d[0], H = d[1], W = d[2], C = d[3], OC = d[4], K = d[5], S = d[6], P = d[7], OH = d[8], OW = d[9];
    auto x = fx[p + "x"].f(), w = fx[p + "w"].f(), b = fx[p + "b"].f(), dy = fx[p + "dy"].f();
    REQUIRE(dy.size() == size_t(B) * OH * OW * OC);
    std::vector<float> y(dy.size()), dx(x.size());
    std::vector<float> dw(w.size(), 0.0f), db(b.size(), 0.0f);
    dl::conv2d_forward(y.data(), x.data(), w.data(), b.data(), B, H, W, C, OC, K, S, P, OH, OW);
    dl::conv2d_backward(dx.data(), dw.data(), db.data(), dy.data(), x.data(), w.data(), B, H, W, C, OC, K, S, P, OH,
                        OW);
    Worst worst;
    worst.array(p + "y", y, fx[p + "y"]);
    worst.array(p + "dx", dx, fx[p + "dx"]);
    worst.array(p + "dw", dw, fx[p + "dw"]);
    worst.array(p + "db", db, fx[p + "db"]);
    MESSAGE("torch conv2d " << std::string(name) << ": worst scaled error " << worst.v << " in " << worst.where);
  }
}

TEST_CASE("torch reference: Conv2D output size and padding match the model's shape rules") {
  // The layer test above feeds the fixture's P/OH; here the Model derives them itself.
  Fixture fx("conv2d.txt");
  for (const char* name : {"k3_s2_same_h8", "k5_s2_same_h8", "k5_s1_valid_h8", "k3_s2_same_h7"}) {
    std::string p = std::string(name) + ".";
    auto d = fx[p + "dims"].i();
    int B = d[0], H = d[1], C = d[3], OC = d[4], K = d[5], S = d[6];
    dl::ModelSpec spec;
    spec.input = dl::Shape{H, d[2], C, false};
    spec.layers = {dl::conv2d(OC, K, dl::Act::Linear, std::string(name).find("same") != std::string::npos, S),
                   dl::flatten(), dl::dense(2, dl::Act::Softmax)};
    dl::Model m;
    REQUIRE(m.build(spec).ok());
    const dl::Layer& L = m.layers()[0];
    CHECK(L.out.h == d[8]);
    CHECK(L.out.w == d[9]);
    auto x = fx[p + "x"].f(), w = fx[p + "w"].f(), b = fx[p + "b"].f();
    std::copy(w.begin(), w.end(), m.params.begin() + L.w_off);
    std::copy(b.begin(), b.end(), m.params.begin() + L.b_off);
    m.forward(x.data(), B, false);
    double e = compare(p + "model y", L.y.data(), size_t(B) * L.out.size(), fx[p + "y"]);
    MESSAGE("torch conv2d via Model " << std::string(name) << ": worst scaled error " << e);
  }
}

TEST_CASE("torch reference: MaxPool2D 2x2") {
  Fixture fx("maxpool.txt");
  auto d = fx["dims"].i();  // B H W C K S OH OW
  int B = d[0], H = d[1], W = d[2], C = d[3], K = d[4], S = d[5], OH = d[6], OW = d[7];
  auto x = fx["x"].f(), dy = fx["dy"].f();
  std::vector<float> y(dy.size()), dx(x.size());
  std::vector<int32_t> argmax(dy.size());
  dl::maxpool_forward(y.data(), argmax.data(), x.data(), B, H, W, C, K, S, OH, OW);
  dl::maxpool_backward(dx.data(), dy.data(), argmax.data(), B, H, W, C, OH, OW);
  Worst worst;
  worst.array("y", y, fx["y"]);
  worst.array("dx", dx, fx["dx"]);
  MESSAGE("torch maxpool: worst scaled error " << worst.v << " in " << worst.where);
}

TEST_CASE("torch reference: BatchNormalization training and evaluation") {
  Fixture fx("batchnorm.txt");
  for (const char* tag : {"dense", "conv"}) {
    std::string p = std::string(tag) + ".";
    const Arr& xa = fx[p + "x"];
    int C = xa.shape.back(), N = int(xa.v.size()) / C;
    auto x = xa.f(), gamma = fx[p + "gamma"].f(), beta = fx[p + "beta"].f(), dy = fx[p + "dy"].f();
    auto mm = fx[p + "moving_mean"].f(), mv = fx[p + "moving_var"].f();
    const auto mm0 = mm, mv0 = mv;
    std::vector<float> y(x.size()), xhat(x.size()), inv_std(C), dx(x.size()), dg(C, 0.0f), db(C, 0.0f);
    dl::batchnorm_forward_train(y.data(), xhat.data(), inv_std.data(), mm.data(), mv.data(), x.data(), gamma.data(),
                                beta.data(), N, C, dl::kBatchNormMomentum, dl::kBatchNormEps);
    dl::batchnorm_backward(dx.data(), dg.data(), db.data(), dy.data(), xhat.data(), inv_std.data(), gamma.data(), N, C);
    Worst worst;
    worst.array(p + "y", y, fx[p + "y"]);
    worst.array(p + "dx", dx, fx[p + "dx"]);
    worst.array(p + "dgamma", dg, fx[p + "dgamma"]);
    worst.array(p + "dbeta", db, fx[p + "dbeta"]);
    worst.array(p + "new_moving_mean", mm, fx[p + "new_moving_mean"]);
    worst.array(p + "new_moving_var", mv, fx[p + "new_moving_var"]);
    std::vector<float> ye(x.size());
    dl::batchnorm_forward_eval(ye.data(), x.data(), gamma.data(), beta.data(), mm0.data(), mv0.data(), N, C,
                               dl::kBatchNormEps);
    worst.array(p + "y_eval", ye, fx[p + "y_eval"]);
    MESSAGE("torch batchnorm " << std::string(tag) << ": worst scaled error " << worst.v << " in " << worst.where);
  }
}

TEST_CASE("torch reference: L2 kernel regularizer in loss and gradients") {
  Fixture fx("l2.txt");
  const Arr& xa = fx["x"];
  int B = xa.shape[0];
  auto l2 = fx["l2"].f();
  dl::ModelSpec spec;
  spec.input = dl::Shape{1, 1, xa.shape[1], true};
  spec.layers = {dl::dense(6, dl::Act::Sigmoid, l2[0]), dl::dense(3, dl::Act::Softmax, l2[1])};
  dl::Model m;
  REQUIRE(m.build(spec).ok());
  m.params = fx["params"].f();
  REQUIRE(m.params.size() == m.trainable_params());
  auto x = xa.f();
  auto y = fx["labels"].i();
  const float* probs = m.forward(x.data(), B, true);
  Worst worst;
  worst.array("probs", probs, size_t(B) * 3, fx["probs"]);
  float data = m.backward(y.data());
  REQUIRE(m.grads.size() == m.params.size());
  worst.scalar("data_loss", data, fx["data_loss"]);
  worst.scalar("l2_loss", m.l2_loss(), fx["l2_loss"]);
  worst.arena("grads", m, m.grads, fx["grads"]);
  MESSAGE("torch L2 model: worst scaled error " << worst.v << " in " << worst.where);
}

namespace {
// Conv2D(3, 3x3, same) -> LeakyReLU(0.3) -> MaxPool2D(2) -> Flatten -> Dense(8, relu, l2)
// -> BatchNormalization -> Dense(3, softmax); must match model_forward() in the generator.
dl::ModelSpec e2e_spec(const Arr& x, float l2) {
  dl::ModelSpec spec;
  spec.input = dl::Shape{x.shape[1], x.shape[2], x.shape[3], false};
  spec.layers = {dl::conv2d(3, 3, dl::Act::Linear, true),
                 dl::activation(dl::Act::LeakyReLU, 0.3f),
                 dl::maxpool2d(2),
                 dl::flatten(),
                 dl::dense(8, dl::Act::ReLU, l2),
                 dl::batchnorm(),
                 dl::dense(3, dl::Act::Softmax)};
  return spec;
}
}  // namespace

TEST_CASE("torch reference: whole model with L2 and class weights, arena-wide gradients") {
  Fixture fx("model.txt");
  const Arr& xa = fx["x"];
  int B = xa.shape[0];
  dl::Model m;
  REQUIRE(m.build(e2e_spec(xa, float(fx["l2"].scalar()))).ok());
  REQUIRE(m.params.size() == fx["params"].v.size());
  REQUIRE(m.state.size() == fx["state"].v.size());
  m.params = fx["params"].f();
  m.state = fx["state"].f();
  auto x = xa.f(), cw = fx["class_weights"].f();
  auto y = fx["labels"].i();
  Worst worst;
  const float* probs = m.forward(x.data(), B, true);
  worst.array("probs", probs, size_t(B) * m.classes(), fx["probs"]);
  float data = m.backward(y.data(), cw.data());
  worst.scalar("data_loss", data, fx["data_loss"]);
  worst.scalar("l2_loss", m.l2_loss(), fx["l2_loss"]);
  worst.arena("grads", m, m.grads, fx["grads"]);
  worst.array("new_state", m.state, fx["new_state"]);
  const float* pe = m.forward(x.data(), B, false);
  worst.array("probs_eval", pe, size_t(B) * m.classes(), fx["probs_eval"]);
  MESSAGE("torch whole model: worst scaled error " << worst.v << " in " << worst.where);
}

TEST_CASE("Keras reference: a dropout layer under a fixed mask, forward and backward through a network") {
  // Dense(6, ReLU) → Dropout(0.5) → Dense(3, softmax) with the mask from the fixture: the mask's
  // product (dropout_backward is that product for the forward pass too) and the chain's gradients.
  Fixture fx("dropout.txt", "keras");
  const Arr& xa = fx["x"];
  const int B = xa.shape[0], D = xa.shape[1], H = fx["w1"].shape[1], K = fx["w2"].shape[1];
  auto x = xa.f(), w1 = fx["w1"].f(), b1 = fx["b1"].f(), w2 = fx["w2"].f(), b2 = fx["b2"].f(), mask = fx["mask"].f();
  auto y = fx["labels"].i();
  std::vector<float> z1(size_t(B) * H), a(z1.size()), h(z1.size()), z2(size_t(B) * K), p(z2.size()), dz2(z2.size()),
      dh(z1.size()), da(z1.size()), dz1(z1.size()), dx(x.size()), dw1(w1.size(), 0.0f), db1(H, 0.0f),
      dw2(w2.size(), 0.0f), db2(K, 0.0f);
  dl::dense_forward(z1.data(), x.data(), w1.data(), b1.data(), B, D, H);
  dl::act_forward(a.data(), z1.data(), a.size(), int(dl::Act::ReLU), 0.3f);
  dl::dropout_backward(h.data(), a.data(), mask.data(), h.size());  // h = a·mask
  dl::dense_forward(z2.data(), h.data(), w2.data(), b2.data(), B, H, K);
  dl::softmax_forward(p.data(), z2.data(), B, K);
  const float loss = dl::softmax_xent_backward(dz2.data(), p.data(), y.data(), nullptr, B, K);
  dl::dense_backward(dh.data(), dw2.data(), db2.data(), dz2.data(), h.data(), w2.data(), B, H, K);
  dl::dropout_backward(da.data(), dh.data(), mask.data(), da.size());
  dl::act_backward(dz1.data(), da.data(), a.data(), dz1.size(), int(dl::Act::ReLU), 0.3f);
  dl::dense_backward(dx.data(), dw1.data(), db1.data(), dz1.data(), x.data(), w1.data(), B, D, H);
  Worst worst;
  worst.array("probs", p, fx["probs"]);
  worst.scalar("loss", loss, fx["loss"]);
  for (auto [name, v] : {std::pair<const char*, const std::vector<float>*>{"dx", &dx}, {"dw1", &dw1}, {"db1", &db1},
                         {"dw2", &dw2}, {"db2", &db2}})
    worst.array(name, *v, fx[name]);
  // A dropped unit passes no gradient back to its weights' column for that image.
  int dropped = 0;
  for (float mv : mask) dropped += mv == 0;
  CHECK(dropped > 0);
  MESSAGE("Keras dropout under a fixed mask (" << dropped << " of " << mask.size() << " units dropped): worst scaled error "
                                               << worst.v << " in " << worst.where);
}

// Keras' optimizers as TensorFlow.js runs them (RMSprop, SGD with momentum) and Keras' Adam source
// evaluated in float64 by the generator, checked there against tf.train.adam: 10 steps each.
namespace {
dl::OptimizerConfig keras_opt(const std::string& name) {
  dl::OptimizerConfig c;  // Keras' defaults: beta1 0.9, beta2 0.999, rho 0.9, eps 1e-7
  if (name == "sgd") { c.kind = dl::OptKind::SGD; c.lr = 0.1f; c.momentum = 0.9f; }
  if (name == "adam") { c.kind = dl::OptKind::Adam; c.lr = 0.01f; }
  if (name == "rmsprop") { c.kind = dl::OptKind::RMSprop; c.lr = 0.01f; }
  return c;
}
const char* const kKerasOpts[] = {"sgd", "adam", "rmsprop"};
}  // namespace

TEST_CASE("Keras rules: 10-step trajectories of single parameters with gradients from 1e-7 to 10") {
  Fixture fx("optimizers.txt", "keras");
  const auto p0 = fx["quad.p0"].f(), c = fx["quad.c"].f(), a = fx["quad.a"].f();
  const size_t n = p0.size();
  for (const char* name : kKerasOpts) {
    const std::string key = std::string("quad.") + name + ".params";
    const Arr& ref = fx[key];
    REQUIRE(ref.v.size() == 10 * n);
    dl::Optimizer opt;
    opt.init(keras_opt(name), n);
    std::vector<float> p = p0, g(n);
    Worst worst;
    worst.tol = kOptTol;
    for (int t = 0; t < 10; ++t) {
      for (size_t i = 0; i < n; ++i) g[i] = a[i] * (p[i] - c[i]);
      opt.step(p.data(), g.data(), n);
      Arr step;
      step.v.assign(ref.v.begin() + t * n, ref.v.begin() + (t + 1) * n);
      worst.array(key + "[" + std::to_string(t + 1) + "]", p, step);
    }
    MESSAGE("Keras " << std::string(name) << " single parameters: worst scaled error " << worst.v << " in " << worst.where);
  }
}

TEST_CASE("Keras rules: the fixture tells RMSprop's sqrt(v + eps) from PyTorch's sqrt(v) + eps") {
  // The same trajectory with eps outside the square root (torch.optim.RMSprop's rule), in double:
  // the fixture must reject it, or the test above could not tell the rules apart.
  Fixture fx("optimizers.txt", "keras");
  const auto p0 = fx["quad.p0"].f(), c = fx["quad.c"].f(), a = fx["quad.a"].f();
  const Arr& ref = fx["quad.rmsprop.params"];
  const size_t n = p0.size();
  double worst = 0;
  for (size_t i = 0; i < n; ++i) {
    double p = p0[i], v = 0;
    for (int t = 0; t < 10; ++t) {
      const double g = double(a[i]) * (p - c[i]);
      v = 0.9 * v + 0.1 * g * g;
      p -= 0.01 * g / (std::sqrt(v) + 1e-7);
      worst = std::max(worst, std::abs(p - ref.v[t * n + i]) / std::abs(ref.v[t * n + i]));
    }
  }
  MESSAGE("sqrt(v) + eps against the Keras fixture: worst relative error " << worst);
  CHECK(worst > 100 * kOptTol);
}

TEST_CASE("Keras rules: 10-step loss trajectories of a three-layer network") {
  Fixture fx("optimizers.txt", "keras");
  const Arr& xa = fx["model.x"];
  int B = xa.shape[0];
  float l2 = float(fx["model.l2"].scalar());
  dl::ModelSpec spec;
  spec.input = dl::Shape{1, 1, xa.shape[1], true};
  spec.layers = {dl::dense(8, dl::Act::Sigmoid, l2), dl::dense(6, dl::Act::LeakyReLU), dl::dense(3, dl::Act::Softmax)};
  auto x = xa.f();
  auto y = fx["model.labels"].i();
  for (const char* name : kKerasOpts) {
    std::string p = std::string("model.") + name + ".";
    dl::Model m;
    REQUIRE(m.build(spec).ok());
    m.params = fx["model.params"].f();
    dl::Optimizer opt;
    opt.init(keras_opt(name), m.params.size());
    const Arr& ref = fx[p + "losses"];
    std::vector<float> losses;
    for (size_t t = 0; t < ref.v.size(); ++t) {
      m.forward(x.data(), B, true);
      losses.push_back(m.backward(y.data()) + m.l2_loss());
      opt.step(m.params.data(), m.grads.data(), m.params.size());
    }
    Worst worst;
    worst.tol = kOptTol;
    for (size_t t = 0; t < losses.size(); ++t) {
      Arr one;
      one.v = {ref.v[t]};
      worst.scalar(p + "loss[" + std::to_string(t) + "]", losses[t], one);
    }
    worst.arena(p + "final_params", m, m.params, fx[p + "final_params"]);
    MESSAGE("Keras " << std::string(name) << " network: loss " << losses.front() << " -> " << losses.back()
                     << ", worst scaled error " << worst.v << " in " << worst.where);
  }
}
