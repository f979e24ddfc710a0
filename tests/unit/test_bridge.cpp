// The app's trainer bridge (src/app/bridge.h) outside the browser: a run on its own thread with kernel
// workers, driven by commands and read through snapshots as the UI does, a refused start that leaves
// the trained model as it was, and the fault report. Under TSan (scripts/test.sh) this is the check
// that the UI thread and the trainer share nothing unguarded.
#include <chrono>
#include <cstdio>
#include <stdexcept>
#include <thread>
#include <vector>

#include "app/bridge.h"
#include "app/run_meta.h"
#include "core/kernels/pool.h"
#include "core/nn/spec_text.h"
#include "helpers.h"

using namespace dl;

namespace {

// 28 x 28 images: class k lights up a 4 x 4 block at a place of its own, with noise.
Dataset blocks(int n, uint64_t seed) {
  Dataset d;
  d.n = n;
  d.rows = d.cols = 28;
  Rng r(seed);
  for (int i = 0; i < n; ++i) {
    const int k = int(r.below(10)), y0 = 2 + (k / 5) * 12, x0 = 2 + (k % 5) * 5;
    for (int p = 0; p < 784; ++p) {
      const int y = p / 28, x = p % 28;
      const bool on = y >= y0 && y < y0 + 4 && x >= x0 && x < x0 + 4;
      d.images.push_back(uint8_t(on ? 255 : r.uniform(0, 30)));
    }
    d.labels.push_back(uint8_t(k));
  }
  return d;
}

ModelSpec spec(const char* text) {
  ModelSpec m;
  REQUIRE(spec_from_text(text, &m).ok());
  return m;
}

// How long a wait for the trainer thread may take before the test fails rather than hangs: far more
// than any of these runs needs, also on a loaded 2-core machine (the deadlines are not a speed test).
constexpr auto kPatience = std::chrono::seconds(300);

// Snapshots as the UI takes them (a try-lock each "frame") until done(s), for at most kPatience: into
// *ui when given (the UI's one copy, which keeps the previous run), else into a fresh one.
template <class Done>
app::Snapshot poll(app::Bridge& b, Done done, app::Snapshot* ui = nullptr) {
  app::Snapshot fresh;
  app::Snapshot& s = ui ? *ui : fresh;
  const auto t0 = std::chrono::steady_clock::now();
  for (;;) {
    b.snapshot(&s);
    if (done(s)) return s;
    if (std::chrono::steady_clock::now() - t0 > kPatience) FAIL("the trainer thread did not get there");
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
}

// A run's settings: `epochs` of batches of `batch`, Adam at 0.01, `val` held out.
TrainConfig config(int epochs, int batch, float val) {
  TrainConfig c;
  c.epochs = epochs;
  c.batch = batch;
  c.val_split = val;
  c.opt.lr = 0.01f;
  return c;
}

}  // namespace

TEST_CASE("bridge: a run on the trainer thread, paused, stepped, resumed, and its test results") {
  const Dataset train = blocks(1200, 1), test = blocks(300, 2);
  app::Bridge b;
  b.init(true, 1);
  b.set_data(&train, &test);
  const TrainConfig c = config(3, 20, 0.1f);
  b.start(spec("flatten,dense:32:relu,dense:10:softmax"), c, /*paused=*/true);
  app::Snapshot s = poll(b, [](const app::Snapshot& s) { return !s.starting && s.phase == TrainPhase::Running; });
  CHECK(s.paused);
  CHECK(s.steps == 0);
  b.step_once();
  s = poll(b, [](const app::Snapshot& s) { return s.steps == 1; });
  CHECK(s.paused);
  b.resume();
  s = poll(b, [](const app::Snapshot& s) { return s.phase == TrainPhase::Finished && s.has_eval; });
  CHECK(s.history.size() == 3);
  CHECK(s.batches.size() == size_t(3 * s.batches_per_epoch));
  CHECK(s.test_accuracy > 0.95);
  CHECK(s.confusion.total() == test.n);
  Model m;
  uint64_t version = 0;
  CHECK(b.fetch_model(&version, &m));
  CHECK(m.trainable_params() == 784 * 32 + 32 + 32 * 10 + 10);
  std::string what;
  CHECK_FALSE(b.failed(&what));
}

TEST_CASE("bridge: a start the trainer refuses leaves the trained model, and says why") {
  const Dataset train = blocks(600, 3), test = blocks(100, 4);
  app::Bridge b;
  b.init(true, 1);
  b.set_data(&train, &test);
  const TrainConfig c = config(1, 30, 0);
  b.start(spec("flatten,dense:10:softmax"), c);
  app::Snapshot s = poll(b, [](const app::Snapshot& s) { return s.phase == TrainPhase::Finished && s.has_eval; });
  CHECK_FALSE(s.error);  // "finished 1 epochs" is the run's message, not the bridge's error
  const double accuracy = s.test_accuracy;
  Model before;
  uint64_t version = 0;
  REQUIRE(b.fetch_model(&version, &before));
  // Two output units for ten classes: refused before the current model is touched.
  b.start(spec("flatten,dense:2:softmax"), c);
  s = poll(b, [](const app::Snapshot& s) { return !s.starting && !s.message.empty(); });
  CHECK(s.message.find("Training could not start: the network's last layer has 2 units, but the data has 10 classes") == 0);
  CHECK(s.error);
  CHECK(s.has_model);
  b.evaluate();  // the model that was trained is the one evaluated
  s = poll(b, [&](const app::Snapshot& s) { return s.has_eval && !s.evaluating; });
  CHECK(s.test_accuracy == accuracy);
  Model after;
  CHECK_FALSE(b.fetch_model(&version, &after));  // nothing newer was published
  uint64_t from_start = 0;
  REQUIRE(b.fetch_model(&from_start, &after));
  CHECK(after.params == before.params);
}

TEST_CASE("bridge: predictions for unlabelled images (a Kaggle test.csv) are the current model's, on request") {
  const Dataset train = blocks(600, 5), test = blocks(100, 6);
  Dataset images = blocks(250, 7);
  const std::vector<uint8_t> truth = images.labels;
  images.labels.clear();
  auto unlabelled = std::make_shared<const Dataset>(images);
  app::Bridge b;
  b.init(true, 1);
  b.set_data(&train, &test);
  // No model yet: an answer that says so, and no labels.
  b.predict(unlabelled, 1);
  app::Snapshot s = poll(b, [](const app::Snapshot& s) { return s.predictions.request == 1; });
  CHECK_FALSE(s.predictions.done);
  CHECK(s.predictions.error.find("There is no model yet") == 0);
  b.start(spec("flatten,dense:16:relu,dense:10:softmax"), config(2, 20, 0));
  s = poll(b, [](const app::Snapshot& s) { return s.phase == TrainPhase::Finished && s.has_eval; });
  b.predict(unlabelled, 2);
  s = poll(b, [](const app::Snapshot& s) { return s.predictions.request == 2 && s.predictions.done; });
  CHECK(s.predictions.error.empty());
  REQUIRE(s.predictions.labels.size() == 250);
  // The published model predicts the same, image by image.
  Model m;
  uint64_t version = 0;
  REQUIRE(b.fetch_model(&version, &m));
  Evaluation e(m, images, 0, true);
  while (!e.done()) e.step();
  CHECK(s.predictions.labels == e.predictions);
  int right = 0;
  for (int i = 0; i < 250; ++i) right += s.predictions.labels[size_t(i)] == truth[size_t(i)];
  CHECK(right > 225);  // the blocks are easy: the network learned them
  // The labels stay in later snapshots (copied once, kept by the UI's copy).
  s = poll(b, [](const app::Snapshot&) { return true; });
  CHECK(s.predictions.labels == e.predictions);
}

TEST_CASE("bridge: robustness curves are the current model's, kept as the previous run's by the next run") {
  const Dataset train = blocks(600, 5), test = blocks(200, 6);
  app::Bridge b;
  b.init(true, 1);
  b.set_data(&train, &test);
  b.robustness(200, 1);  // no model yet
  app::Snapshot s = poll(b, [](const app::Snapshot& s) { return s.robustness.request == 1; });
  CHECK_FALSE(s.robustness.done);
  CHECK(s.robustness.error.find("There is no model yet") == 0);
  b.start(spec("flatten,dense:16:relu,dense:10:softmax"), config(2, 20, 0));
  s = poll(b, [](const app::Snapshot& s) { return s.phase == TrainPhase::Finished && s.has_eval; });
  b.robustness(150, 2);
  s = poll(b, [](const app::Snapshot& s) { return s.robustness.request == 2 && s.robustness.done; });
  CHECK(s.robustness.error.empty());
  CHECK(s.robustness.images == 150);
  CHECK(s.robustness.progress == 1.0f);
  // The published model, swept here, gives the same numbers.
  Model m;
  uint64_t version = 0;
  REQUIRE(b.fetch_model(&version, &m));
  const std::vector<double> want = robustness(m, test, 150);
  CHECK(s.robustness.accuracy == want);
  // A new run: its curves are to be made; the last ones are the previous run's (kept by the UI's copy,
  // which saw the first run: s).
  const std::vector<double> first = s.robustness.accuracy;
  b.start(spec("flatten,dense:8:relu,dense:10:softmax"), config(1, 20, 0));
  poll(b, [&](const app::Snapshot& s) { return s.run > 1 && s.phase == TrainPhase::Finished && s.has_eval; }, &s);
  CHECK(s.robustness.request == 0);
  CHECK(s.previous.robustness.accuracy == first);
  // Asked for, then cut short by a Start: the new run has no curves, and the answer says why.
  b.robustness(200, 5);
  b.start(spec("flatten,dense:8:relu,dense:10:softmax"), config(1, 20, 0));
  s = poll(b, [](const app::Snapshot& s) { return s.run > 2 && s.robustness.request == 5; });
  CHECK_FALSE(s.robustness.done);
  CHECK(s.robustness.error.find("changed before the curves were done") != std::string::npos);
  s = poll(b, [](const app::Snapshot& s) { return s.phase == TrainPhase::Finished && s.has_eval; });
  // Asked for, then cancelled (images 0) before the trainer gets to it or while it runs.
  b.robustness(200, 6);
  b.robustness(0, 7);
  s = poll(b, [](const app::Snapshot& s) { return s.robustness.request == 7; });
  CHECK_FALSE(s.robustness.running);
  CHECK_FALSE(s.robustness.done);
  CHECK(s.robustness.error == "Cancelled.");
}

TEST_CASE("bridge: the draw pad's copy is the trained network, even when only an activation changed") {
  const Dataset train = blocks(600, 3), test = blocks(100, 4);
  app::Bridge b;
  b.init(true, 1);
  b.set_data(&train, &test);
  const TrainConfig c = config(1, 30, 0);
  Model pad;
  uint64_t version = 0;
  for (std::string text : {"flatten,dense:16:relu,dense:10:softmax", "flatten,dense:16:sigmoid,dense:10:softmax"}) {
    CAPTURE(text);
    b.start(spec(text.c_str()), c);
    const uint64_t before = version;  // the first run's snapshot must not pass for the second's
    poll(b, [&](const app::Snapshot& s) { return s.phase == TrainPhase::Finished && s.params_version > before; });
    REQUIRE(b.fetch_model(&version, &pad));
    CHECK(pad.spec() == spec(text.c_str()));
    // The copy computes what the trainer's model computes: the same probabilities for an image.
    Model ref;
    REQUIRE(ref.build(spec(text.c_str())).ok());
    ref.params = pad.params;
    ref.state = pad.state;
    std::vector<float> x(train.pixels());
    for (int i = 0; i < train.pixels(); ++i) x[size_t(i)] = train.images[size_t(i)] / 255.0f;
    const float* p1 = pad.forward(x.data(), 1, false);
    std::vector<float> first(p1, p1 + 10);
    const float* p2 = ref.forward(x.data(), 1, false);
    CHECK(std::vector<float>(p2, p2 + 10) == first);
  }
  CHECK(pad.layers()[1].spec.act == Act::Sigmoid);
}

TEST_CASE("bridge: autosaves after each epoch; a new bridge opens one paused and goes on to the same weights") {
  const Dataset train = blocks(600, 3), test = blocks(100, 4);
  const TrainConfig c = config(3, 30, 0.1f);
  const ModelSpec sp = spec("flatten,dense:16:relu,dropout:0.2,dense:10:softmax");
  // Uninterrupted.
  Model whole;
  {
    app::Bridge b;
    b.init(true, 1);
    b.set_data(&train, &test);
    b.start(sp, c);
    poll(b, [](const app::Snapshot& s) { return s.phase == TrainPhase::Finished && s.has_eval; });
    uint64_t v = 0;
    REQUIRE(b.fetch_model(&v, &whole));
  }
  // Interrupted after epoch 1: the autosave of that epoch end is what a reload finds.
  app::Autosave first;
  {
    app::Bridge b;
    b.init(true, 1);
    b.set_data(&train, &test);
    b.start(sp, c);
    uint64_t v = 0;
    app::Autosave a;
    const auto t0 = std::chrono::steady_clock::now();
    while (first.bytes.empty()) {
      if (b.take_autosave(&v, &a) && a.epochs_done == 1 && a.phase == TrainPhase::Running) first = std::move(a);
      if (std::chrono::steady_clock::now() - t0 > kPatience) FAIL("no autosave of epoch 1");
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    CHECK(first.history.size() == 1);
    CHECK(first.batches.size() == size_t(first.batches_per_epoch));
    CHECK(first.epochs == 3);
  }
  app::Bridge b;
  b.init(true, 1);
  b.set_data(&train, &test);
  b.restore(std::make_shared<const std::vector<uint8_t>>(first.bytes));
  app::Snapshot s = poll(b, [](const app::Snapshot& s) { return s.restored == 1 && s.has_eval; });
  CHECK(s.paused);
  CHECK(s.phase == TrainPhase::Running);
  CHECK(s.history.size() == 1);
  CHECK(s.batches.size() == size_t(s.batches_per_epoch));
  CHECK(s.restored_spec == sp);
  CHECK(s.restored_cfg.epochs == 3);
  b.resume();
  s = poll(b, [](const app::Snapshot& s) { return s.phase == TrainPhase::Finished && s.history.size() == 3; });
  Model resumed;
  uint64_t v = 0;
  const auto t0 = std::chrono::steady_clock::now();
  while (!(b.fetch_model(&v, &resumed) && resumed.params == whole.params)) {
    if (std::chrono::steady_clock::now() - t0 > kPatience) FAIL("the resumed run's weights were not published");
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  CHECK(resumed.params == whole.params);
  // A damaged run is refused with a message; the run in the bridge stays.
  std::vector<uint8_t> bad = first.bytes;
  bad[100] ^= 1;
  b.restore(std::make_shared<const std::vector<uint8_t>>(bad));
  s = poll(b, [](const app::Snapshot& s) { return s.message.find("could not be opened") != std::string::npos; });
  CHECK(s.message.find("checksum") != std::string::npos);
  CHECK(s.restored == 1);
}

TEST_CASE("thread pool: a worker that faults under the guard records what happened") {
  // Natively nothing catches a trap: this guard reports a fault for every function it is given, as
  // the page's does for one that trapped, and the pool's worker ends at once.
  set_fault_guard([](void (*)(void*), void*, char* what, int size) {
    std::snprintf(what, size_t(size), "%s", "RuntimeError: memory access out of bounds");
    return false;
  });
  ThreadPool pool;
  pool.set_workers(1);
  for (const auto t0 = std::chrono::steady_clock::now(); !pool.fault() && std::chrono::steady_clock::now() - t0 < kPatience;)
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  set_fault_guard(nullptr);
  REQUIRE(pool.fault() != nullptr);
  CHECK(std::string(pool.fault()) == "RuntimeError: memory access out of bounds");
  pool.set_workers(0);  // the worker has ended: joining it returns
}

// Native only: the wasm builds compile without C++ exceptions (Emscripten's -fignore-exceptions), and
// there the page's guard (a JavaScript try around a trap) is what ends a worker; the e2e fault tests
// (tests/e2e/untrusted.test.mjs) trap in a kernel worker of the real page.
#ifndef __EMSCRIPTEN__
TEST_CASE("thread pool: a worker that faults inside a task ends, its run returns, and the pool goes on") {
  // In the page a trap inside a task unwinds the worker to the guard; natively an exception does the
  // same. The caller must not wait for good for the task that never ended: the browser's UI thread
  // runs its draw-pad predictions on the pool.
  set_fault_guard([](void (*fn)(void*), void* arg, char* what, int size) {
    try {
      fn(arg);
      return true;
    } catch (const std::exception& e) {
      std::snprintf(what, size_t(size), "%s", e.what());
      return false;
    }
  });
  ThreadPool pool;
  pool.set_workers(2);
  const std::thread::id caller = std::this_thread::get_id();
  std::atomic<bool> thrown{false};
  std::atomic<int> done{0};
  pool.run(64, [&](int) {
    // Each task waits until a worker has taken one (at most kPatience), so a loaded machine cannot
    // let the caller do them all first.
    for (const auto t0 = std::chrono::steady_clock::now();
         std::this_thread::get_id() == caller && !thrown.load() && std::chrono::steady_clock::now() - t0 < kPatience;)
      std::this_thread::sleep_for(std::chrono::microseconds(200));
    if (std::this_thread::get_id() != caller && !thrown.exchange(true)) throw std::runtime_error("RuntimeError: unreachable");
    done++;
  });
  REQUIRE(pool.fault() != nullptr);
  CHECK(std::string(pool.fault()) == "RuntimeError: unreachable");
  CHECK(done.load() == 63);  // every task but the one that faulted
  // The faulted worker has ended; the other worker and the caller run every task of the next runs, once.
  for (int rep = 0; rep < 100; ++rep) {
    std::vector<int> hits(50, 0);
    pool.run(50, [&](int t) { hits[size_t(t)]++; });
    for (int h : hits) CHECK(h == 1);
  }
  set_fault_guard(nullptr);
  pool.set_workers(0);
}
#endif

TEST_CASE("run list: what an autosave says of a run reads back, and damaged lines are skipped") {
  app::Autosave a;
  a.model_name = "custom|x";
  a.phase = TrainPhase::Running;
  a.paused = true;
  a.epochs_done = 2;
  a.epochs = 5;
  a.batches_per_epoch = 1000;
  a.test_accuracy = 0.9712;
  for (int e = 0; e < 2; ++e) {
    EpochRecord r;
    r.loss = 0.5 / (e + 1); r.accuracy = 0.9 + 0.01 * e; r.val_loss = 0.4; r.val_accuracy = 0.95; r.has_val = true; r.lr = 0.001;
    a.history.push_back(r);
  }
  for (int i = 0; i < 2000; ++i) a.batches.push_back({float(1.0 / (i + 1)), 0.5f, 0.001f});
  const std::string meta = app::run_meta_write(a, "preset=mlp&epochs=5");
  const std::string list = "17\t1764748800000\t7000000\t" + meta + "\nbad\tline\n18\t5\t1\tdlrun1|broken\n";
  const std::vector<app::SavedRun> runs = app::run_list_read(list);
  REQUIRE(runs.size() == 1);
  const app::SavedRun& r = runs[0];
  CHECK(r.id == "17");
  CHECK(r.model_name == "custom|x");
  CHECK(r.lesson == "preset=mlp&epochs=5");
  CHECK(r.unfinished());
  CHECK(r.paused);
  CHECK(r.epochs_done == 2);
  CHECK(r.epochs == 5);
  CHECK(r.test_accuracy == doctest::Approx(0.9712));
  CHECK(r.history.size() == 2);
  CHECK(r.history[1].accuracy == doctest::Approx(0.91));
  CHECK(r.group == 5);  // 2,000 batches in at most 400 points
  CHECK(r.batches.size() == 400);
  CHECK(r.batches[0].loss == doctest::Approx((1 + 1 / 2.0 + 1 / 3.0 + 1 / 4.0 + 1 / 5.0) / 5).epsilon(1e-5));
  const app::PreviousRun p = app::run_as_previous(r);
  CHECK(p.batches.size() == 2000);
  CHECK(p.batches_per_epoch == 1000);
  // Every cut of the line, and a field out of range, is refused rather than half read.
  for (size_t cut = 0; cut < meta.size(); cut += 37) {
    app::SavedRun x;
    CHECK_FALSE(app::run_meta_read(meta.substr(0, cut), &x));
  }
  app::SavedRun x;
  std::string wrong = meta;
  wrong.replace(wrong.find("|5|1000|"), 8, "|0|1000|");  // zero epochs
  CHECK_FALSE(app::run_meta_read(wrong, &x));
  // Not evaluated yet: no matrix. Evaluated: its 100 counts read back, and come with the run to compare.
  CHECK(r.confusion.k == 0);
  CHECK_FALSE(p.has_confusion());
  a.confusion = Confusion(10);
  for (int i = 0; i < 100; ++i) a.confusion.m[size_t(i)] = i % 11 == 0 ? 900 + i : i % 7;
  const std::string evaluated = app::run_meta_write(a, "");
  app::SavedRun e;
  REQUIRE(app::run_meta_read(evaluated, &e));
  CHECK(e.confusion.m == a.confusion.m);
  CHECK(app::run_as_previous(e).confusion.m == a.confusion.m);
  std::string short_matrix = evaluated;
  short_matrix.erase(short_matrix.rfind(','), short_matrix.rfind("|end") - short_matrix.rfind(','));  // 99 counts
  CHECK_FALSE(app::run_meta_read(short_matrix, &x));
  // A line of the older format (no matrix) still reads.
  std::string v1 = meta.substr(0, meta.size() - std::string("||end").size()) + "|end";
  v1.replace(0, 6, "dlrun1");
  REQUIRE(app::run_meta_read(v1, &x));
  CHECK(x.epochs_done == 2);
  CHECK(x.confusion.k == 0);
}

TEST_CASE("bridge: a start's extra images are trained on in that run only, from the current weights") {
  const Dataset train = blocks(1000, 5), test = blocks(200, 6);
  app::Bridge b;
  b.init(true, 1);
  b.set_data(&train, &test);
  const ModelSpec net = spec("flatten,dense:32:relu,dense:10:softmax");
  b.start(net, config(2, 20, 0));
  app::Snapshot s = poll(b, [](const app::Snapshot& s) { return s.phase == TrainPhase::Finished && s.has_eval; });
  CHECK(s.train_n == 1000);
  // A drawing none of the blocks looks like: a bar along the bottom rows, labelled 3; "held out" ones
  // with other noise.
  auto bars = [](int n, uint64_t seed) {
    Dataset d;
    d.n = n;
    d.rows = d.cols = 28;
    Rng r(seed);
    for (int i = 0; i < n; ++i) {
      for (int p = 0; p < 784; ++p) d.images.push_back(uint8_t(p / 28 >= 24 ? 255 : r.uniform(0, 30)));
      d.labels.push_back(3);
    }
    return d;
  };
  const Dataset held = bars(20, 8);
  auto reads_3 = [&](const Model& m) {
    Model copy = m;
    return evaluate(copy, held, 20).accuracy;
  };
  Model before;
  uint64_t version = 0;
  REQUIRE(b.fetch_model(&version, &before));
  const double held_before = reads_3(before);
  auto extra = std::make_shared<Dataset>(bars(100, 7));
  b.start(net, config(1, 20, 0), false, /*keep_weights=*/true, extra);
  s = poll(b, [](const app::Snapshot& s) { return s.phase == TrainPhase::Finished && s.has_eval && s.train_n == 1100; });
  CHECK(s.batches_per_epoch == 55);  // the trainer's own count: 1,100 images in batches of 20
  CHECK(s.batches.front().accuracy > 0.6);  // from the trained weights (new ones read a tenth right)
  CHECK(s.test_accuracy > 0.9);
  Model after;
  REQUIRE(b.fetch_model(&version, &after));
  MESSAGE("held-out bars read as 3: before " << held_before << ", after " << reads_3(after));
  CHECK(held_before < 0.5);
  CHECK(reads_3(after) == 1.0);
  // The next run trains on the data's images alone.
  b.start(net, config(1, 20, 0));
  s = poll(b, [](const app::Snapshot& s) { return s.phase == TrainPhase::Finished && s.has_eval && s.train_n == 1000; });
  CHECK(s.batches_per_epoch == 50);
}
