// The step-wise trainer: learning on a separable toy problem, callbacks, divergence, class weights.
#include <malloc.h>

#include <cmath>
#include <cstdlib>
#include <numeric>
#include <string>
#include <thread>

#include "core/kernels/pool.h"
#include "core/nn/bytes.h"
#include "core/train/presets.h"
#include "core/train/trainer.h"
#include "helpers.h"

using namespace dl;

namespace {
Dataset toy(int n, uint64_t seed, float noise = 40) { return dltest::pixel_toy(n, seed, noise); }
ModelSpec toy_model() {
  ModelSpec s;
  s.name = "toy";
  s.input = Shape{4, 4, 1, false};
  s.layers = {flatten(), dense(16, Act::ReLU), dense(10, Act::Softmax)};
  return s;
}
// The toy runs' settings: batch 20 (30 batches an epoch of 600 images), Adam unless told.
TrainConfig toy_config(int epochs, float lr = 0.01f, OptKind opt = OptKind::Adam) {
  TrainConfig c;
  c.epochs = epochs;
  c.batch = 20;
  c.opt.kind = opt;
  c.opt.lr = lr;
  return c;
}
// Builds toy_model() into m and trains it to the end with t (both outlive the run: t points at m).
void train_toy(Model& m, Trainer& t, const Dataset& train, const Dataset& val, const TrainConfig& c) {
  REQUIRE(m.build(toy_model()).ok());
  REQUIRE(t.begin(&m, &train, &val, c).ok());
  while (t.step()) {}
}
}  // namespace

TEST_CASE("trainer learns a separable problem and reports Keras-like history") {
  Dataset train = toy(600, 1), val = toy(200, 2);
  Model m;
  REQUIRE(m.build(toy_model()).ok());
  const TrainConfig c = toy_config(8);
  Trainer t;
  REQUIRE(t.begin(&m, &train, &val, c).ok());
  CHECK(t.batches_per_epoch() == 30);
  int steps = 0;
  while (t.step()) ++steps;
  CHECK(steps + 1 == 8 * 30);
  CHECK(t.phase() == TrainPhase::Finished);
  REQUIRE(t.history().size() == 8);
  CHECK(t.history().back().val_accuracy > 0.97);
  CHECK(t.history().back().loss < t.history().front().loss);
  CHECK(t.batches().size() == 240);
  EvalResult e = evaluate(m, val);
  CHECK(e.accuracy == doctest::Approx(t.history().back().val_accuracy));
  CHECK(e.confusion.total() == 200);
}

TEST_CASE("history_csv: Keras CSVLogger's columns, epochs from 0, numbers that read back exactly") {
  std::vector<EpochRecord> h(2);
  h[0].epoch = 1, h[0].accuracy = 0.9234166741371155, h[0].loss = 0.25, h[0].lr = double(0.001f);
  h[0].has_val = true, h[0].val_accuracy = 0.9601, h[0].val_loss = 1.0 / 3;
  h[1].epoch = 2, h[1].accuracy = 0.97, h[1].loss = 0.1, h[1].lr = 1e-4;
  h[1].has_val = true, h[1].val_accuracy = 0.975, h[1].val_loss = 0.08;
  CHECK(history_csv(h) ==
        "epoch,accuracy,learning_rate,loss,val_accuracy,val_loss\n"
        "0,0.9234166741371155,0.0010000000474974513,0.25,0.9601,0.3333333333333333\n"
        "1,0.97,0.0001,0.1,0.975,0.08\n");
  for (EpochRecord& e : h) e.has_val = false;  // a run without validation has no val_ columns
  CHECK(history_csv(h) == "epoch,accuracy,learning_rate,loss\n0,0.9234166741371155,0.0010000000474974513,0.25\n1,0.97,0.0001,0.1\n");
  CHECK(history_csv({}) == "epoch,accuracy,learning_rate,loss\n");

  // A real run: a row per epoch, each value the history's to the bit.
  Dataset train = toy(600, 1), val = toy(200, 2);
  Model m;
  Trainer t;
  train_toy(m, t, train, val, toy_config(3));
  const std::string csv = history_csv(t.history());
  std::vector<std::vector<double>> rows;
  size_t at = csv.find('\n') + 1;
  while (at < csv.size()) {
    const size_t end = csv.find('\n', at);
    std::vector<double> r;
    for (const char* c = csv.c_str() + at; c < csv.c_str() + end; ++c) {
      char* next;
      r.push_back(std::strtod(c, &next));
      c = next;
    }
    rows.push_back(r);
    at = end + 1;
  }
  REQUIRE(rows.size() == 3);
  for (size_t i = 0; i < rows.size(); ++i) {
    const EpochRecord& e = t.history()[i];
    REQUIRE(rows[i].size() == 6);
    CHECK(rows[i][0] == double(i));
    CHECK(rows[i][1] == e.accuracy);
    CHECK(rows[i][2] == e.lr);
    CHECK(rows[i][3] == e.loss);
    CHECK(rows[i][4] == e.val_accuracy);
    CHECK(rows[i][5] == e.val_loss);
  }
}

TEST_CASE("early stopping stops, restores the best weights; stop() ends after the batch") {
  Dataset train = toy(200, 3), val = toy(100, 4, 250);  // noisy validation: val_loss stops improving
  Model m;
  REQUIRE(m.build(toy_model()).ok());
  TrainConfig c;
  c.epochs = 200;
  c.batch = 10;
  c.opt.lr = 0.05f;
  c.early = {true, Monitor::ValLoss, 2, 0, true};
  Trainer t;
  REQUIRE(t.begin(&m, &train, &val, c).ok());
  while (t.step()) {}
  CHECK(t.phase() == TrainPhase::Finished);
  REQUIRE(t.history().size() < 200);
  CHECK(t.message().find("early stop") != std::string::npos);
  const auto& h = t.history();
  size_t best = 0;
  for (size_t i = 0; i < h.size(); ++i) if (h[i].val_loss < h[best].val_loss) best = i;
  CHECK(h.size() == best + 1 + 2);  // patience 2 after the best epoch
  CHECK(evaluate(m, val).loss == doctest::Approx(h[best].val_loss).epsilon(1e-5));
  CHECK(h.back().events.back().find("best weights restored") != std::string::npos);

  Trainer t2;
  REQUIRE(t2.begin(&m, &train, &val, c).ok());
  t2.step();
  t2.stop();
  CHECK_FALSE(t2.step());
  CHECK(t2.phase() == TrainPhase::Stopped);
  CHECK(t2.steps_done() == 1);
}

TEST_CASE("a run that learns nothing says so, with advice on the learning rate") {
  Dataset train = toy(600, 1), val = toy(200, 2);
  const std::vector<int> counts = dataset_class_counts(train);
  const int most = int(std::max_element(counts.begin(), counts.end()) - counts.begin());  // the most common label
  struct Case { OptKind opt; float lr; const char* advice; };
  for (Case c : {Case{OptKind::SGD, 10.0f, "far too high for SGD; try 0.01"},
                 Case{OptKind::Adam, 1e-9f, "far too low for Adam; try 0.001"}}) {
    Model m;
    Trainer t;
    train_toy(m, t, train, val, toy_config(3, c.lr, c.opt));
    INFO(t.message());
    REQUIRE(t.phase() == TrainPhase::Finished);
    std::vector<std::string> warnings;
    for (const auto& e : t.history())
      for (const std::string& ev : e.events)
        if (ev.rfind("not learning: accuracy", 0) == 0) warnings.push_back(ev);
    REQUIRE(warnings.size() == 1);  // once, at the first stuck epoch
    CHECK(warnings[0].find("always answering " + std::to_string(most)) != std::string::npos);
    CHECK(t.message() == "finished 3 epochs");
    CHECK(t.warning().rfind("the network did not learn: accuracy", 0) == 0);
    CHECK(t.warning().find(c.advice) != std::string::npos);
  }
  // A run that learns has no such event, not even in its first epoch.
  Model m;
  Trainer t;
  train_toy(m, t, train, val, toy_config(2));
  CHECK(t.message() == "finished 2 epochs");
  CHECK(t.warning().empty());
  for (const auto& e : t.history()) CHECK(e.events.empty());
}

TEST_CASE("going on with the same weights keeps the optimizer's moments and the random stream, as Keras' fit() called again") {
  Dataset train = toy(600, 1), val = toy(200, 2);
  TrainConfig c = toy_config(1);
  Model m;
  Trainer t;
  train_toy(m, t, train, val, c);  // 30 steps
  REQUIRE(t.optimizer_steps() == 30);
  const std::vector<float> w = m.params;
  c.opt.lr = 0.005f;  // new settings apply; the moments go on
  REQUIRE(t.begin(&m, &train, &val, c, false).ok());
  CHECK(m.params == w);
  CHECK(t.optimizer_steps() == 30);
  CHECK(t.lr() == 0.005f);
  while (t.step()) {}
  CHECK(t.optimizer_steps() == 60);
  // The moments matter: from the same weights, the next step differs from a restarted optimizer's
  // (whose first Adam step, bias-corrected, moves every weight by about the learning rate).
  Model fresh_m = m, cont_m = m;
  Trainer cont = t, fresh;
  REQUIRE(cont.begin(&cont_m, &train, &val, c, false).ok());
  REQUIRE(fresh.begin(&fresh_m, &train, &val, c, false).ok());  // a new trainer: weights from a file
  CHECK(fresh.optimizer_steps() == 0);
  cont.step();
  fresh.step();
  CHECK(cont.optimizer_steps() == 61);
  CHECK(fresh.optimizer_steps() == 1);
  CHECK(cont_m.params != fresh_m.params);
  // The random stream goes on too: the continued step trained on other images than the fresh
  // trainer's, whose first batch with this seed is the first run's first batch again.
  CHECK(cont.last_batch() != fresh.last_batch());
  {  // a new seed starts the stream afresh, weights and moments going on
    TrainConfig c7 = c;
    c7.seed = 7;
    Model a = m, b = m;
    Trainer reseeded = t, other;
    REQUIRE(reseeded.begin(&a, &train, &val, c7, false).ok());
    REQUIRE(other.begin(&b, &train, &val, c7, false).ok());
    reseeded.step();
    other.step();
    CHECK(reseeded.optimizer_steps() == 61);
    CHECK(reseeded.last_batch() == other.last_batch());
  }
  // Another optimizer, or new weights: it starts afresh.
  c.opt.kind = OptKind::SGD;
  REQUIRE(t.begin(&m, &train, &val, c, false).ok());
  CHECK(t.optimizer_steps() == 0);
  c.opt.kind = OptKind::Adam;
  REQUIRE(t.begin(&m, &train, &val, c, true).ok());
  CHECK(t.optimizer_steps() == 0);
  // A stopped run goes on; a diverged one does not (L2 0.5 at SGD's lr 10, as the divergence test).
  t.step();
  t.step();
  t.stop();
  REQUIRE(t.phase() == TrainPhase::Stopped);
  REQUIRE(t.begin(&m, &train, &val, c, false).ok());
  CHECK(t.optimizer_steps() == 2);
  ModelSpec heavy = toy_model();
  heavy.layers[1].l2 = 0.5f;
  Model h;
  REQUIRE(h.build(heavy).ok());
  h.params = m.params;
  c.opt.kind = OptKind::SGD;
  c.opt.lr = 10.0f;
  c.epochs = 50;
  REQUIRE(t.begin(&h, &train, nullptr, c, false).ok());
  while (t.step()) {}
  REQUIRE(t.phase() == TrainPhase::Diverged);
  c.opt.lr = 0.01f;
  REQUIRE(t.begin(&h, &train, nullptr, c, false).ok());
  CHECK(t.optimizer_steps() == 0);
}

TEST_CASE("reduce LR on plateau lowers the rate by its factor, not below min_lr") {
  Dataset train = toy(100, 5), val = toy(100, 6, 250);
  TrainConfig c;
  c.epochs = 30;
  c.batch = 10;
  c.opt.lr = 0.05f;
  c.reduce_lr = {true, Monitor::ValAccuracy, 0.5f, 1, 1e-4f, 0.01f};
  Model m;
  Trainer t;
  train_toy(m, t, train, val, c);
  int reductions = 0;
  for (const auto& e : t.history())
    for (const std::string& ev : e.events) reductions += ev.rfind("learning rate reduced", 0) == 0;
  CHECK(reductions >= 1);
  CHECK(t.lr() >= 0.01f);
  CHECK(t.history().back().lr < 0.05);
  for (size_t i = 1; i < t.history().size(); ++i) {
    double ratio = t.history()[i].lr / t.history()[i - 1].lr;
    CHECK((ratio == doctest::Approx(1.0) || ratio == doctest::Approx(0.5) || t.history()[i].lr == doctest::Approx(0.01)));
  }
}

TEST_CASE("a diverging run stops with a clear message and keeps the last good weights") {
  Dataset train = toy(200, 7);
  Model m;
  ModelSpec spec = toy_model();
  spec.layers[1].l2 = 0.5f;  // with lr 10 each step multiplies the kernel by about -9
  REQUIRE(m.build(spec).ok());
  TrainConfig c;
  c.epochs = 50;
  c.batch = 10;
  c.opt.kind = OptKind::SGD;
  c.opt.lr = 10.0f;
  Trainer t;
  REQUIRE(t.begin(&m, &train, nullptr, c).ok());
  while (t.step()) {}
  REQUIRE(t.phase() == TrainPhase::Diverged);
  CHECK(t.message().find("learning rate") != std::string::npos);
  for (float p : m.params) REQUIRE(std::isfinite(p));
}

TEST_CASE("an update that goes non-finite in an epoch's last step: the last epoch's weights come back, named") {
  // The loss of that step is finite (it is computed before the update), so only the check of the
  // weights after the update can see it. An infinite learning rate makes the update infinite.
  Dataset train = toy(600, 1), val = toy(200, 2);
  for (const Dataset* v : {static_cast<const Dataset*>(nullptr), static_cast<const Dataset*>(&val)}) {
    CAPTURE(v != nullptr);
    Model m;
    REQUIRE(m.build(toy_model()).ok());
    TrainConfig c = toy_config(3, 0.1f, OptKind::SGD);
    Trainer t;
    REQUIRE(t.begin(&m, &train, v, c).ok());
    std::vector<float> after_epoch1;
    while (t.phase() == TrainPhase::Running) {
      if (t.epoch() == 1 && t.batch() == 0 && after_epoch1.empty()) after_epoch1 = m.params;
      if (t.epoch() == 1 && t.batch() == t.batches_per_epoch() - 1) t.set_lr(INFINITY);
      t.step();
    }
    REQUIRE(t.phase() == TrainPhase::Diverged);
    CHECK(t.restored_epoch() == 1);
    CHECK(t.restored_step() == 30);
    CHECK(t.history().size() == 1);  // the diverged epoch is not recorded
    CHECK(m.params == after_epoch1);
    CHECK(all_finite(m.params.data(), m.params.size()));
    const std::string& msg = t.message();
    CHECK_MESSAGE(msg.find("in epoch 2, batch 30 (step 60)") != std::string::npos, msg);
    CHECK_MESSAGE(msg.find("from the end of epoch 1 (step 30) were restored") != std::string::npos, msg);
    CHECK_MESSAGE(msg.find("The learning rate inf is too high for SGD") != std::string::npos, msg);
  }
}

TEST_CASE("weights that overflow only on the validation images: the epoch's weights are not kept") {
  // A learning rate of 1e30 for the last step of the first epoch leaves finite but huge weights; the
  // validation pass then overflows, and the run goes back to the weights it started from.
  Dataset train = toy(600, 1), val = toy(200, 2);
  Model m;
  REQUIRE(m.build(toy_model()).ok());
  Trainer t;
  REQUIRE(t.begin(&m, &train, &val, toy_config(3, 0.1f, OptKind::SGD)).ok());
  const std::vector<float> start = m.params;
  while (t.phase() == TrainPhase::Running) {
    if (t.batch() == t.batches_per_epoch() - 1) t.set_lr(1e30f);
    t.step();
  }
  REQUIRE(t.phase() == TrainPhase::Diverged);
  CHECK(t.restored_step() == 0);
  CHECK(m.params == start);
  CHECK(t.history().empty());
  CHECK_MESSAGE(t.message().find("the validation loss became NaN after epoch 1 (step 30)") != std::string::npos, t.message());
  CHECK_MESSAGE(t.message().find("The weights the run started from were restored (step 0)") != std::string::npos, t.message());
}

TEST_CASE("a divergence names the likely cause: a strong L2 penalty") {
  Dataset train = toy(200, 7);
  Model m;
  ModelSpec spec = toy_model();
  spec.layers[1].l2 = 0.5f;
  REQUIRE(m.build(spec).ok());
  TrainConfig c = toy_config(50, 3.0f, OptKind::SGD);  // each step multiplies the kernel by about 1 - 2·3·0.5
  c.batch = 10;
  Trainer t;
  REQUIRE(t.begin(&m, &train, nullptr, c).ok());
  while (t.step()) {}
  REQUIRE(t.phase() == TrainPhase::Diverged);
  CHECK_MESSAGE(t.message().find("The L2 penalty was") != std::string::npos, t.message());
  CHECK(all_finite(m.params.data(), m.params.size()));
}

TEST_CASE("bad settings are refused with the setting named") {
  Dataset train = toy(10, 8);
  Model m;
  REQUIRE(m.build(toy_model()).ok());
  TrainConfig c;
  c.batch = 0;
  Trainer t;
  CHECK(t.begin(&m, &train, nullptr, c).error.find("batch size") != std::string::npos);
  c.batch = 8;
  c.opt.lr = -1;
  CHECK(t.begin(&m, &train, nullptr, c).error.find("learning rate") != std::string::npos);
  Dataset empty;
  c.opt.lr = 0.01f;
  CHECK(t.begin(&m, &empty, nullptr, c).error.find("no training data") != std::string::npos);
}

TEST_CASE("balanced class weights on MNIST's training counts") {
  const int counts[10] = {5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949};
  Dataset d;
  d.rows = d.cols = 1;
  for (int k = 0; k < 10; ++k)
    for (int i = 0; i < counts[k]; ++i) { d.labels.push_back(uint8_t(k)); d.images.push_back(0); }
  d.n = int(d.labels.size());
  auto w = balanced_class_weights(d);
  CHECK(w[0] == doctest::Approx(1.0130001688333614).epsilon(1e-12));
  CHECK(w[1] == doctest::Approx(0.8899436369029962).epsilon(1e-12));
  CHECK(w[9] == doctest::Approx(1.0085728693898135).epsilon(1e-12));
}

TEST_CASE("every preset builds with the Keras parameter counts of the reference notebooks") {
  struct Want { const char* name; size_t total, trainable; };
  for (Want w : {Want{"mlp", 407050, 407050}, {"mlp-deep", 472538, 472474}, {"cnn-5x5", 872714, 872714},
                 {"cnn-tiny", 6722, 6722}, {"cnn-vgg", 876618, 876618}}) {
    const Preset* p = preset_find(w.name);
    REQUIRE(p);
    Model m;
    REQUIRE(m.build(p->model).ok());
    CHECK_MESSAGE(m.trainable_params() + m.non_trainable_params() == w.total, w.name);
    CHECK_MESSAGE(m.trainable_params() == w.trainable, w.name);
  }
}

TEST_CASE("keep-best checkpoint keeps the weights of the best validation epoch") {
  Dataset train = toy(200, 9), val = toy(100, 10, 250);
  Model m;
  REQUIRE(m.build(toy_model()).ok());
  TrainConfig c;
  c.epochs = 12;
  c.batch = 10;
  c.opt.lr = 0.05f;
  c.checkpoint = {true, Monitor::ValAccuracy};
  Trainer t;
  REQUIRE(t.begin(&m, &train, &val, c).ok());
  while (t.step()) {}
  const auto& h = t.history();
  size_t best = 0;
  for (size_t i = 0; i < h.size(); ++i) if (h[i].val_accuracy > h[best].val_accuracy) best = i;  // first best
  CHECK(t.checkpoint_epoch() == int(best) + 1);
  CHECK(h[best].checkpoint);
  for (size_t i = best + 1; i < h.size(); ++i) CHECK_FALSE(h[i].checkpoint);
  Model kept = m;
  kept.params = t.checkpoint_params();
  kept.state = t.checkpoint_state();
  CHECK(evaluate(kept, val).accuracy == doctest::Approx(h[best].val_accuracy));
}

namespace {
// Bytes the allocator has handed out and not taken back (glibc counts large blocks as mmapped).
size_t heap_in_use() {
#if defined(__GLIBC__) && (__GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 33))
  const struct mallinfo2 mi = mallinfo2();
  return mi.uordblks + mi.hblkhd;
#else
  const struct mallinfo mi = mallinfo();
  return size_t(unsigned(mi.uordblks)) + size_t(unsigned(mi.hblkhd));
#endif
}
Dataset random_images(int n, uint64_t seed) {
  Dataset d;
  d.n = n; d.rows = d.cols = 28;
  Rng r(seed);
  d.images.resize(size_t(n) * 784);
  for (auto& v : d.images) v = uint8_t(r.below(256));
  for (int i = 0; i < n; ++i) d.labels.push_back(uint8_t(i % 10));
  return d;
}
}  // namespace

// Skipped in the sanitizer builds (scripts/test.sh): their allocators keep no mallinfo() count.
TEST_CASE("training_bytes: at least what a run allocates, and not much more" * doctest::skip(dltest::kSanitized)) {
  // Each preset trains one epoch of 600 images with validation on 500 (so the evaluation batch runs
  // too); what the allocator handed out for the model and trainer, measured while both are alive,
  // against the estimate. Variants cover SGD (one moment), restore-best and checkpoint copies.
  const Dataset train = random_images(600, 1), val = random_images(500, 2);
  struct Case { const char* preset; int variant; };
  for (Case k : {Case{"mlp", 0}, Case{"mlp", 1}, Case{"mlp-deep", 0}, Case{"cnn-tiny", 1}, Case{"cnn-5x5", 0}, Case{"cnn-vgg", 0}}) {
    const Preset* p = preset_find(k.preset);
    REQUIRE(p);
    TrainConfig c = p->recipe;
    c.epochs = 1;
    c.val_split = 0;
    if (k.variant == 1) {
      c.opt.kind = OptKind::SGD;
      c.opt.momentum = 0.9f;
      c.early = {true, Monitor::ValLoss, 3, 0, true};
      c.checkpoint = {true, Monitor::ValAccuracy};
    }
    size_t measured = 0, estimate = 0;
    // On a thread of its own: the kernels' per-thread buffers (a convolution's slab of patches, the
    // GEMM's packed copies) start empty there, as on a fresh trainer thread, and count in `measured`.
    // (CHECK, not REQUIRE, there: a failed REQUIRE throws, which would end the process off the main thread.)
    std::thread([&] {
      const size_t before = heap_in_use();
      Model m;
      Trainer t;
      const bool began = m.build(p->model).ok() && t.begin(&m, &train, &val, c).ok();
      CHECK(began);
      if (!began) return;
      while (t.step()) {}
      CHECK(t.history().size() == 1);
      measured = heap_in_use() - before;
      Model plan;
      CHECK(plan.build(p->model, false).ok());
      estimate = training_bytes(plan, c).count();
      CHECK(training_bytes(m, c).count() == estimate);  // the same from a model with and without arenas
    }).join();
    const std::string what = std::string(k.preset) + (k.variant ? " (SGD, restore best, checkpoint)" : "");
    MESSAGE(what << ": measured " << measured / 1024 << " KiB, estimated " << estimate / 1024 << " KiB");
    // The allocator's rounding aside: each buffer past 128 KiB is a mapping of its own in whole 4 KiB
    // pages (a run has a few dozen), and the thread's own arena keeps a few KiB of bookkeeping.
    CHECK_MESSAGE(estimate + 64 * 4096 >= measured, what);
    CHECK_MESSAGE(double(estimate) <= 1.15 * double(measured) + 2e6, what);
  }
}

TEST_CASE("evaluation batch: bounded activations, never below the training batch, same result at any size") {
  Model mlp, cnn;
  REQUIRE(mlp.build(preset_find("mlp")->model).ok());
  REQUIRE(cnn.build(preset_find("cnn-5x5")->model).ok());
  CHECK(eval_batch(mlp) == kEvalBatch);
  // cnn-5x5: 1.5 MB of activations and patches an image, so about 42 images fit in 64 MB.
  const int b = eval_batch(cnn);
  CHECK(b >= 30);
  CHECK(b <= 60);
  CHECK(eval_batch(cnn, 50) == 50);
  CHECK(eval_batch(cnn, 700) == 700);
  // Batch size changes nothing in evaluation mode (BatchNorm uses its moving statistics).
  const Dataset val = random_images(300, 3);
  for (const char* name : {"mlp-deep", "cnn-tiny"}) {
    Model m;
    REQUIRE(m.build(preset_find(name)->model).ok());
    m.init(7);
    const EvalResult a = evaluate(m, val, 7), c = evaluate(m, val, 300), d = evaluate(m, val);
    CHECK_MESSAGE(a.loss == c.loss, name);
    CHECK_MESSAGE(a.loss == d.loss, name);
    CHECK_MESSAGE(a.accuracy == c.accuracy, name);
  }
}

TEST_CASE("an evaluation a batch at a time: each image's prediction and confidence, the same totals as evaluate()") {
  const Dataset val = random_images(230, 5);
  Model m;
  REQUIRE(m.build(preset_find("cnn-tiny")->model).ok());
  m.init(3);
  Evaluation e(m, val, 64, true);
  int steps = 0;
  while (!e.done()) {
    e.step();
    ++steps;
    CHECK(e.position() == std::min(230, 64 * steps));
  }
  CHECK(steps == 4);  // 64 + 64 + 64 + 38
  e.step();           // nothing more to do
  CHECK(e.position() == 230);
  const EvalResult r = e.result(), whole = evaluate(m, val);
  Evaluation totals_only(m, val);  // evaluate()'s kind: no per-image arrays
  CHECK(totals_only.predictions.empty());
  CHECK(totals_only.confidence.empty());
  CHECK(r.loss == doctest::Approx(whole.loss).epsilon(1e-12));
  CHECK(r.accuracy == whole.accuracy);
  CHECK(r.confusion.m == whole.confusion.m);
  // Image by image, against the model's own forward pass of each image alone.
  std::vector<float> x(val.pixels());
  int y = 0, agree = 0;
  int64_t diagonal = 0;
  for (int i = 0; i < val.n; ++i) {
    dataset_batch(val, &i, 1, x.data(), &y);
    const float* p = m.forward(x.data(), 1, false);
    const int pred = int(std::max_element(p, p + 10) - p);
    CHECK(int(e.predictions[size_t(i)]) == pred);
    CHECK(e.confidence[size_t(i)] == doctest::Approx(p[pred]).epsilon(1e-5));
    agree += pred == y;
  }
  for (int k = 0; k < 10; ++k) diagonal += r.confusion.at(k, k);
  CHECK(agree == diagonal);
  CHECK(r.accuracy == doctest::Approx(double(agree) / val.n));
}

TEST_CASE("unlabelled images (a Kaggle test.csv): the same predictions as with their labels, and no totals") {
  const Dataset val = random_images(130, 6);
  Dataset unlabelled = val;
  unlabelled.labels.clear();
  Model m;
  REQUIRE(m.build(preset_find("mlp")->model).ok());
  m.init(5);
  Evaluation with(m, val, 50, true), without(m, unlabelled, 50, true);
  while (!with.done()) with.step();
  while (!without.done()) without.step();
  CHECK(without.predictions == with.predictions);
  CHECK(without.confidence == with.confidence);
  const EvalResult r = without.result();
  CHECK(r.accuracy == 0);
  CHECK(r.loss == 0);
  CHECK(r.confusion.total() == 0);
  CHECK(with.result().confusion.total() == 130);
}

TEST_CASE("a model built without arenas has the shapes and counts, and no parameter memory") {
  for (const Preset& p : presets()) {
    Model full, plan;
    REQUIRE(full.build(p.model).ok());
    REQUIRE(plan.build(p.model, false).ok());
    CHECK(plan.params.empty());
    CHECK(plan.state.empty());
    CHECK(plan.grads.empty());
    CHECK_MESSAGE(plan.trainable_params() == full.trainable_params(), p.name);
    CHECK_MESSAGE(plan.non_trainable_params() == full.non_trainable_params(), p.name);
    CHECK_MESSAGE(plan.summary_text() == full.summary_text(), p.name);
    CHECK(full.grads.empty());  // gradients come with the first backward pass
  }
}

TEST_CASE("a convolution network's gradients: the same bits with any number of workers, before and after evaluating") {
  // cnn-vgg's 'same' 3x3 convolutions and cnn-5x5's 5x5 ones, on 40 images, with an evaluation pass
  // of a larger batch in between (the threads' slab buffers grow for it and are then reused).
  const int n = 40;
  const Dataset d = random_images(2 * n, 4);
  std::vector<float> x(size_t(2 * n) * 784);
  std::vector<int> y(2 * n);
  std::vector<int> idx(2 * n);
  for (int i = 0; i < 2 * n; ++i) idx[size_t(i)] = i;
  dataset_batch(d, idx.data(), 2 * n, x.data(), y.data());
  for (const char* name : {"cnn-vgg", "cnn-5x5"}) {
    Model m;
    REQUIRE(m.build(preset_find(name)->model).ok());
    m.init(3);
    std::vector<std::vector<float>> grads;
    for (int workers : {0, 1, 3}) {
      kernel_pool().set_workers(workers);
      for (int round = 0; round < 2; ++round) {
        Rng r(11);
        m.forward(x.data(), n, true, &r);
        m.backward(y.data());
        grads.push_back(m.grads);
        m.forward(x.data(), 2 * n, false);  // evaluation, a larger batch
      }
    }
    kernel_pool().set_workers(0);
    for (size_t i = 1; i < grads.size(); ++i) CHECK_MESSAGE(grads[i] == grads[0], name << " run " << i);
  }
}

TEST_CASE("label smoothing: confidence settles at 1 - s + s/K, and the validation loss is the smoothed one") {
  // With targets (1 − s)·one-hot + s/K the loss is least where the network gives the label exactly
  // 1 − s + s/K, and that is where a long run on separable data leaves its confidence; without
  // smoothing it goes on towards 1.
  Dataset train = toy(600, 1, 10), val = toy(200, 2, 10);
  auto mean_confidence = [&](Model& m) {
    std::vector<int> idx(size_t(val.n)), y(size_t(val.n));
    std::iota(idx.begin(), idx.end(), 0);
    std::vector<float> x(size_t(val.n) * val.pixels());
    dataset_batch(val, idx.data(), val.n, x.data(), y.data());
    const float* p = m.forward(x.data(), val.n, false);
    double sum = 0;
    for (int i = 0; i < val.n; ++i) sum += p[size_t(i) * 10 + size_t(y[size_t(i)])];
    return sum / val.n;
  };
  for (float s : {0.0f, 0.2f}) {
    CAPTURE(s);
    TrainConfig c = toy_config(40);
    c.label_smoothing = s;
    Model m;
    Trainer t;
    train_toy(m, t, train, val, c);
    REQUIRE(t.phase() == TrainPhase::Finished);
    CHECK(t.history().back().val_accuracy == 1.0);
    const double conf = mean_confidence(m);
    if (s == 0) CHECK(conf > 0.99);
    else CHECK(conf == doctest::Approx(1 - s + s / 10).epsilon(0.01));
    // The callbacks watch the smoothed loss, as Keras' val_loss is the compiled loss.
    CHECK(t.history().back().val_loss == doctest::Approx(evaluate(m, val, 0, s).loss).epsilon(1e-6));
    if (s > 0) CHECK(t.history().back().val_loss > evaluate(m, val).loss + 0.1);
  }
}

TEST_CASE("a saved run goes on as if it had never stopped: the same weights, bit for bit") {
  // Dropout and augmentation draw from the random stream, Adam's moments carry over, and the
  // callbacks keep their state: everything an uninterrupted run would have.
  Dataset train = toy(600, 1), val = toy(200, 2);
  ModelSpec spec = toy_model();
  spec.layers.insert(spec.layers.begin() + 2, dropout(0.2f));
  TrainConfig c = toy_config(4);
  c.augment.width_shift = 0.1f;
  c.reduce_lr = {true, Monitor::ValLoss, 0.5f, 1, 1e-4f, 0.0f};
  c.checkpoint = {true, Monitor::ValAccuracy};
  SUBCASE("the rate reduced on a plateau") {}
  SUBCASE("the rate under a cosine decay, labels smoothed") {
    c.reduce_lr.enabled = false;
    c.cosine = {true, 0.05f};
    c.label_smoothing = 0.2f;
  }
  Model whole;
  Trainer tw;
  REQUIRE(whole.build(spec).ok());
  REQUIRE(tw.begin(&whole, &train, &val, c).ok());
  while (tw.step()) {}
  REQUIRE(tw.phase() == TrainPhase::Finished);

  for (int stop_at : {30, 47}) {  // the end of epoch 1, and in the middle of epoch 2
    CAPTURE(stop_at);
    Model m;
    Trainer t;
    REQUIRE(m.build(spec).ok());
    REQUIRE(t.begin(&m, &train, &val, c).ok());
    for (int i = 0; i < stop_at; ++i) REQUIRE(t.step());
    const std::vector<uint8_t> saved = t.save();
    Model m2;
    Trainer t2;
    Status s = t2.load(saved.data(), saved.size(), &m2, &train, &val);
    REQUIRE_MESSAGE(s.ok(), s.error);
    CHECK(t2.steps_done() == stop_at);
    CHECK(t2.config().cosine.enabled == c.cosine.enabled);
    CHECK(t2.config().cosine.alpha == c.cosine.alpha);
    CHECK(t2.history().size() == t.history().size());
    CHECK(m2.params == m.params);
    while (t2.step()) {}
    CHECK(t2.phase() == TrainPhase::Finished);
    CHECK(m2.params == whole.params);
    CHECK(m2.state == whole.state);
    CHECK(t2.checkpoint_params() == tw.checkpoint_params());
    REQUIRE(t2.history().size() == tw.history().size());
    for (size_t e = 0; e < tw.history().size(); ++e) {
      CHECK(t2.history()[e].val_loss == tw.history()[e].val_loss);
      CHECK(t2.history()[e].lr == tw.history()[e].lr);
      CHECK(t2.history()[e].events == tw.history()[e].events);
    }
    CHECK(t2.batches().size() == tw.batches().size());
    CHECK(t2.batches().back().loss == tw.batches().back().loss);
  }
}

TEST_CASE("a run saved before the cosine decay or label smoothing (run file versions 1, 2) goes on, without them") {
  // The settings end with the cosine decay's u8 and f32 (version 2 on) and the label smoothing's f32
  // (version 3 on), after 95 bytes of settings, after the header (16 bytes) and the model file. An
  // older file is the current one without those bytes.
  uint32_t version = 1;
  size_t cut = 9;
  SUBCASE("version 1: no cosine decay, no label smoothing") { version = 1, cut = 9; }
  SUBCASE("version 2: no label smoothing") { version = 2, cut = 4; }
  CAPTURE(version);
  Dataset train = toy(600, 1), val = toy(200, 2);
  TrainConfig c = toy_config(2);
  c.reduce_lr = {true, Monitor::ValLoss, 0.5f, 1, 1e-4f, 0.0f};
  Model whole, m;
  Trainer tw, t;
  train_toy(whole, tw, train, val, c);
  REQUIRE(m.build(toy_model()).ok());
  REQUIRE(t.begin(&m, &train, &val, c).ok());
  for (int i = 0; i < 35; ++i) REQUIRE(t.step());
  std::vector<uint8_t> v1 = t.save();
  const size_t at = 16 + size_t(Reader{v1.data() + 12, 4}.u32()) + 95 + (9 - cut);
  REQUIRE(std::vector<uint8_t>(v1.begin() + long(at), v1.begin() + long(at) + long(cut)) ==
          std::vector<uint8_t>(cut, 0));
  v1.erase(v1.begin() + long(at), v1.begin() + long(at) + long(cut));
  v1[8] = uint8_t(version);
  v1.resize(v1.size() - 4);
  const uint32_t h = fnv1a(v1.data(), v1.size());
  for (int k = 0; k < 4; ++k) v1.push_back(uint8_t(h >> (8 * k)));
  Model m1;
  Trainer t1;
  const Status s = t1.load(v1.data(), v1.size(), &m1, &train, &val);
  REQUIRE_MESSAGE(s.ok(), s.error);
  CHECK(!t1.config().cosine.enabled);
  CHECK(t1.config().label_smoothing == 0);
  CHECK(t1.config().reduce_lr.enabled);
  while (t1.step()) {}
  CHECK(m1.params == whole.params);
  v1[8] = 4;  // a version after this one's
  CHECK(t1.load(v1.data(), v1.size(), &m1, &train, &val).error == "the saved run has version 4; this Digit Lab reads versions 1 to 3");
}

TEST_CASE("a saved run that is damaged, or meets other data, is refused and changes nothing") {
  Dataset train = toy(600, 1), val = toy(200, 2), other = toy(600, 9);
  Model m;
  Trainer t;
  REQUIRE(m.build(toy_model()).ok());
  REQUIRE(t.begin(&m, &train, &val, toy_config(2)).ok());
  for (int i = 0; i < 35; ++i) t.step();
  const std::vector<uint8_t> saved = t.save();
  Model keep;
  REQUIRE(keep.build(toy_model()).ok());
  keep.init(5);
  const std::vector<float> before = keep.params;
  Trainer fresh;
  auto refused = [&](const std::vector<uint8_t>& bytes, const Dataset* tr, const Dataset* va) {
    Status s = fresh.load(bytes.data(), bytes.size(), &keep, tr, va);
    CHECK(keep.params == before);
    CHECK(fresh.phase() == TrainPhase::Idle);
    return s.error;
  };
  CHECK(refused(saved, &other, &val).find("trained on other data") != std::string::npos);
  CHECK(refused(saved, &train, nullptr).find("trained on other data") != std::string::npos);
  std::vector<uint8_t> bad = saved;
  bad[bad.size() / 2] ^= 1;
  CHECK(refused(bad, &train, &val).find("checksum") != std::string::npos);
  for (size_t cut : {size_t(0), size_t(7), size_t(20), saved.size() / 3, saved.size() - 1}) {
    std::vector<uint8_t> head(saved.begin(), saved.begin() + long(cut));
    CHECK(!refused(head, &train, &val).empty());
  }
  // Every byte flipped in turn (a sample), with the checksum made right again: refused or read
  // whole, never a crash (ASan and the fuzzer cover the rest).
  for (size_t i = 8; i + 4 < saved.size(); i += 997) {
    std::vector<uint8_t> b = saved;
    b[i] ^= 0x40;
    const uint32_t h = fnv1a(b.data(), b.size() - 4);
    for (int k = 0; k < 4; ++k) b[b.size() - 4 + k] = uint8_t(h >> (8 * k));
    Model mm;
    Trainer tt;
    Status s = tt.load(b.data(), b.size(), &mm, &train, &val);
    if (s.ok()) CHECK(all_finite(mm.params.data(), mm.params.size()));
  }
}
