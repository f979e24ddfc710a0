#include "bridge.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>


namespace app {

namespace {
double now_ms() {
  using namespace std::chrono;
  return duration<double, std::milli>(steady_clock::now().time_since_epoch()).count();
}
constexpr double kWeightsEveryMs = 250;   // how often the draw pad gets fresh weights while training
}  // namespace

void Bridge::init(bool threaded, int workers) {
  threaded_ = threaded;
  workers_ = threaded ? std::max(0, workers) : 0;
  pool_ = &dl::kernel_pool();
  if (threaded_) thread_ = std::thread([this] { thread_main(); });
}

Bridge::~Bridge() {
  quit_.store(true);
  cmd_cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void Bridge::record_fault(const char* what) {
  std::snprintf(fault_, sizeof fault_, "%s", what);
  faulted_.store(true);
}

bool Bridge::failed(std::string* what) const {
  const char* pool_fault = pool_ ? pool_->fault() : nullptr;
  if (!faulted_.load() && !pool_fault) return false;
  *what = faulted_.load() ? fault_ : pool_fault;
  return true;
}

void Bridge::test_fault(int where) {
  Command c(Cmd::Fault);
  c.value = float(where);
  push(std::move(c));
}

void Bridge::set_data(const dl::Dataset* train_all, const dl::Dataset* test) {
  // Called once, before any Start; the trainer side reads these only while handling commands,
  // which the queue orders after this call.
  std::lock_guard<std::mutex> lk(cmd_mu_);
  train_all_ = train_all;
  test_ = test;
}

void Bridge::replace_data(std::shared_ptr<const dl::Dataset> train_all, std::shared_ptr<const dl::Dataset> test) {
  Command c(Cmd::SetData);
  c.train_all = std::move(train_all);
  c.test = std::move(test);
  push(std::move(c));
}

void Bridge::push(Command c) {
  {
    std::lock_guard<std::mutex> lk(cmd_mu_);
    cmds_.push_back(std::move(c));
  }
  cmd_cv_.notify_one();
}

void Bridge::start(const dl::ModelSpec& spec, const dl::TrainConfig& cfg, bool paused, bool keep_weights,
                   std::shared_ptr<const dl::Dataset> extra) {
  Command c(Cmd::Start);
  c.spec = spec;
  c.cfg = cfg;
  c.flag = paused;
  c.keep = keep_weights;
  c.train_all = std::move(extra);
  {
    std::lock_guard<std::mutex> lk(mu_);
    shared_.starting = true;
  }
  push(std::move(c));
}
void Bridge::pause() { push(Command(Cmd::Pause)); }
void Bridge::resume() { push(Command(Cmd::Resume)); }
void Bridge::stop() { push(Command(Cmd::Stop)); }
void Bridge::step_once() { push(Command(Cmd::Step)); }
void Bridge::evaluate() { push(Command(Cmd::Evaluate)); }
void Bridge::set_lr(float lr) {
  Command c(Cmd::SetLr);
  c.value = lr;
  push(std::move(c));
}
void Bridge::restore(std::shared_ptr<const std::vector<uint8_t>> bytes) {
  Command c(Cmd::Restore);
  c.bytes = std::move(bytes);
  push(std::move(c));
}

bool Bridge::take_autosave(uint64_t* version, Autosave* out) {
  std::unique_lock<std::mutex> lk(save_mu_, std::try_to_lock);
  if (!lk.owns_lock() || save_.version == *version || save_.bytes.empty()) return false;
  *out = std::move(save_);
  save_.bytes.clear();
  save_.version = out->version;
  *version = out->version;
  return true;
}

void Bridge::predict(std::shared_ptr<const dl::Dataset> images, uint64_t request) {
  Command c(Cmd::Predict);
  c.test = std::move(images);
  c.request = request;
  push(std::move(c));
}

void Bridge::robustness(int images, uint64_t request) {
  Command c(Cmd::Robust);
  c.value = float(images);
  c.request = request;
  push(std::move(c));
}

void Bridge::use_model(const dl::Model& m) {
  Command c(Cmd::UseModel);
  c.model = std::make_shared<dl::Model>(m);
  push(std::move(c));
}

// ------------------------------------------------------------------------------------ trainer side

// The trainer thread's loop runs under the fault guard: a trap ends the thread, not the page.
void Bridge::thread_main() {
  char what[sizeof fault_];
  if (!dl::run_guarded([](void* b) { static_cast<Bridge*>(b)->thread_loop(); }, this, what, int(sizeof what)))
    record_fault(what);
}

void Bridge::thread_loop() {
  pool_->set_workers(workers_);
  // A worker's fault ends its run with a task unfinished: this thread stops with it, and the app
  // replaces the pool and the trainer (failed()).
  while (!quit_.load() && !pool_->fault()) {
    if (!work_once()) {
      std::unique_lock<std::mutex> lk(cmd_mu_);
      cmd_cv_.wait_for(lk, std::chrono::milliseconds(50), [&] { return !cmds_.empty() || quit_.load(); });
    }
  }
}

bool Bridge::pump(double budget_ms) {
  if (faulted_.load()) return false;
  struct Slice {
    Bridge* b;
    double budget_ms;
    bool more = true;
  } slice{this, budget_ms};
  char what[sizeof fault_];
  const bool ok = dl::run_guarded([](void* p) {
    Slice& sl = *static_cast<Slice*>(p);
    const double t0 = now_ms();
    while (sl.more && now_ms() - t0 < sl.budget_ms) sl.more = sl.b->work_once();
  }, &slice, what, int(sizeof what));
  if (!ok) record_fault(what);
  return ok && slice.more;
}

bool Bridge::work_once() {
  std::deque<Command> todo;
  {
    std::lock_guard<std::mutex> lk(cmd_mu_);
    todo.swap(cmds_);
  }
  for (Command& c : todo) handle(c);
  if (!todo.empty()) publish(false);

  if (eval_) {
    eval_chunk();
    return true;
  }
  if (predict_) {  // the model stays as it is until they are done: training waits
    predict_chunk();
    return true;
  }
  if (robust_) {
    robust_chunk();
    return true;
  }
  if (trainer_.phase() == dl::TrainPhase::Running && (!paused_ || pending_steps_ > 0)) {
    if (pending_steps_ > 0) --pending_steps_;
    if (diverge_at_epoch_end_ && trainer_.batch() == trainer_.batches_per_epoch() - 1) {
      diverge_at_epoch_end_ = false;
      trainer_.set_lr(INFINITY);
    }
    bool running = trainer_.step();
    const double t = now_ms();
    bool weights = !running || t - last_publish_ > kWeightsEveryMs;
    if (!running) eval_begin();  // finished, stopped or diverged: show the test-set results
    publish(weights);
    if (!running || trainer_.history().size() != saved_epochs_) autosave();
    return true;
  }
  return !todo.empty();
}

void Bridge::handle(Command& c) {
  const bool running = trainer_.phase() == dl::TrainPhase::Running;
  if (predict_ && (c.cmd == Cmd::Start || c.cmd == Cmd::Stop || c.cmd == Cmd::UseModel || c.cmd == Cmd::SetData ||
                   c.cmd == Cmd::Restore))
    predict_cancel("The model changed before the predictions were done: predict again.");
  if (robust_ && (c.cmd == Cmd::Start || c.cmd == Cmd::UseModel || c.cmd == Cmd::SetData || c.cmd == Cmd::Restore))
    robust_cancel("The model or the test images changed before the curves were done: compute them again.");
  switch (c.cmd) {
    case Cmd::Start: do_start(c); break;
    case Cmd::Pause:
      if (running && !paused_) {
        paused_ = true;
        autosave();
      }
      break;
    case Cmd::Resume: paused_ = false; pending_steps_ = 0; break;
    case Cmd::Stop:
      if (running) {
        trainer_.stop();
        paused_ = false;
        eval_begin();
        publish(true);
        autosave();
      }
      break;
    case Cmd::Step:
      if (running) ++pending_steps_;
      break;
    case Cmd::SetLr:
      if (running) trainer_.set_lr(c.value);
      break;
    case Cmd::Evaluate:
      if (has_model_) eval_begin();
      break;
    case Cmd::SetData: do_set_data(c); break;
    case Cmd::Fault: do_fault(int(c.value)); break;
    case Cmd::UseModel: do_use_model(c); break;
    case Cmd::Restore:
      if (running) trainer_.stop();
      do_restore(*c.bytes);
      break;
    case Cmd::Predict: predict_begin(c); break;
    case Cmd::Robust: robust_begin(c); break;
  }
}

// Other data: the trainer keeps pointers to the old split and validation data, so it starts afresh.
void Bridge::do_set_data(Command& c) {
  if (trainer_.phase() == dl::TrainPhase::Running) trainer_.stop();
  paused_ = false;
  pending_steps_ = 0;
  eval_.reset();
  trainer_ = dl::Trainer();
  train_ = dl::Dataset();
  val_ = dl::Dataset();
  mixed_ = dl::Dataset();
  split_of_ = -1;
  keep_train_ = std::move(c.train_all);
  keep_test_ = std::move(c.test);
  train_all_ = keep_train_.get();
  test_ = keep_test_.get();
  error_.clear();
  ++run_;  // the curves belonged to the old data
  fresh_snapshot();
  if (has_model_) eval_begin();  // how the current model does on the new test set
  publish(false);
}

// The tests of the page's fault handling (digitlab_test_fault): 1 traps here, 3 makes the last step of
// the current epoch overflow, anything else traps in a worker.
void Bridge::do_fault(int what) {
  if (what == 1) __builtin_trap();
  if (what == 3) {
    diverge_at_epoch_end_ = true;
    return;
  }
  // Tasks long enough that the workers take some: a worker's traps, the caller's do not.
  const std::thread::id caller = std::this_thread::get_id();
  pool_->run(64, [&](int) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
    if (std::this_thread::get_id() != caller) __builtin_trap();
  });
}

void Bridge::do_use_model(Command& c) {
  if (trainer_.phase() == dl::TrainPhase::Running) trainer_.stop();
  trainer_ = dl::Trainer();
  mixed_ = dl::Dataset();
  model_ = *c.model;
  model_name_ = model_.spec().name;
  has_model_ = true;
  paused_ = false;
  ++run_;
  error_.clear();
  fresh_snapshot();
  eval_begin();
  publish(true);
}

void Bridge::do_start(Command& c) {
  error_.clear();
  eval_.reset();
  rate_window_.clear();
  wall_rate_ = 0;
  if (!train_all_ || train_all_->n == 0) {
    error_ = "The digits are not loaded yet, so there is nothing to train on. Wait for the Data window to finish loading.";
  } else {
    split_for(c.cfg);
    // No validation split (the mlp recipe, as its notebook): the test set is the validation data.
    const dl::Dataset* val = val_.n > 0 ? &val_ : test_;
    // Everything is checked on a plan (no weights) before the current model is replaced: a refused
    // start leaves the trained or loaded model as it was.
    dl::Model m;
    dl::Status s = m.build(c.spec, false);
    // The run's training images: the split's, plus a fine-tuning's extra ones at the end (the
    // trainer shuffles them in). The previous run's mixture goes first (both at once would hold the
    // training images three times); a trainer left pointing at it sees an empty set, which it only
    // reads to save a run it no longer trains.
    dl::Dataset mixed;
    if (c.train_all && s.ok()) {
      mixed_ = dl::Dataset();
      mixed = dl::dataset_concat(train_, *c.train_all);
    }
    const dl::Dataset* train = c.train_all ? &mixed : &train_;
    if (s.ok()) s = dl::train_check(m, train, val, c.cfg);
    if (s.ok()) m.alloc_arenas();
    // Continuing: the weights trained or loaded so far, where they fit the network to train.
    const bool keep = s.ok() && c.keep && has_model_ && dl::same_weight_layout(model_, m);
    if (keep) {
      m.params = model_.params;
      m.state = model_.state;
    }
    if (s.ok()) {
      model_ = std::move(m);
      if (c.train_all) mixed_ = std::move(mixed);
      s = trainer_.begin(&model_, c.train_all ? &mixed_ : &train_, val, c.cfg, !keep);
      if (s.ok() && !c.train_all) mixed_ = dl::Dataset();  // the trainer no longer points at it
    }
    if (!s.ok()) error_ = "Training could not start: " + s.error;
  }
  ++run_;
  paused_ = c.flag;
  pending_steps_ = 0;
  saved_epochs_ = 0;
  if (error_.empty()) {
    has_model_ = true;
    model_name_ = c.spec.name;
  }
  fresh_snapshot();
  publish(error_.empty());
}

void Bridge::split_for(const dl::TrainConfig& cfg) {
  if (split_of_ == cfg.val_split && split_seed_ == cfg.seed) return;
  dl::dataset_split(*train_all_, cfg.val_split, cfg.seed, &train_, &val_);
  split_of_ = cfg.val_split;
  split_seed_ = cfg.seed;
}

void Bridge::do_restore(const std::vector<uint8_t>& bytes) {
  error_.clear();
  eval_.reset();
  rate_window_.clear();
  wall_rate_ = 0;
  dl::TrainConfig cfg;
  dl::Status s = dl::run_file_config(bytes.data(), bytes.size(), &cfg);
  if (s.ok() && (!train_all_ || train_all_->n == 0)) s = dl::Status::fail("the digits are not loaded yet");
  if (s.ok()) {
    split_for(cfg);  // the split the run was trained on: the same settings give the same images
    const dl::Dataset* val = val_.n > 0 ? &val_ : test_;
    s = trainer_.load(bytes.data(), bytes.size(), &model_, &train_, val);
    if (s.ok()) mixed_ = dl::Dataset();  // the trainer no longer points at it
  }
  if (!s.ok()) {
    error_ = "The saved run could not be opened: " + s.error + ".";
    publish(false);
    return;
  }
  ++run_;
  paused_ = trainer_.phase() == dl::TrainPhase::Running;
  pending_steps_ = 0;
  has_model_ = true;
  model_name_ = model_.spec().name;
  saved_epochs_ = trainer_.history().size();
  fresh_snapshot();
  {
    std::lock_guard<std::mutex> lk(mu_);
    ++shared_.restored;
    shared_.restored_spec = model_.spec();
    shared_.restored_cfg = trainer_.config();
  }
  eval_begin();
  publish(true);
}

void Bridge::autosave() {
  if (trainer_.phase() == dl::TrainPhase::Idle || !model_.built()) return;
  // A run on extra images (a fine-tuning) is not saved: a reopened run is checked against the data
  // in use, and the data with those images is gone with the run.
  if (mixed_.n > 0) return;
  const double t0 = now_ms();
  Autosave a;
  a.bytes = trainer_.save();
  a.run = run_;
  a.model_name = model_name_;
  a.phase = trainer_.phase();
  a.paused = paused_;
  a.epochs_done = int(trainer_.history().size());
  a.epochs = trainer_.config().epochs;
  a.batches_per_epoch = trainer_.batches_per_epoch();
  a.history = trainer_.history();
  a.batches = trainer_.batches();
  {
    std::lock_guard<std::mutex> lk(mu_);
    if (shared_.has_eval && shared_.run == run_ && trainer_.phase() != dl::TrainPhase::Running) {
      a.test_accuracy = shared_.test_accuracy;
      a.confusion = shared_.confusion;
    }
  }
  saved_epochs_ = trainer_.history().size();
  a.seconds = (now_ms() - t0) / 1000;
  std::lock_guard<std::mutex> lk(save_mu_);
  a.version = save_.version + 1;
  save_ = std::move(a);
}

// The versions carry on from the last run. Restarting them at 0 let a new run's first evaluation
// (or strip) have the number of the last run's, and a UI that had not fetched a snapshot in
// between (2 fps when left alone, while a loaded model was evaluated) kept the old confusion
// matrix and report under the new test accuracy.
void Bridge::fresh_snapshot() {
  std::lock_guard<std::mutex> lk(mu_);
  Snapshot fresh;
  fresh.run = run_;
  fresh.params_version = shared_.params_version;
  fresh.eval_version = shared_.eval_version;
  fresh.strip_version = shared_.strip_version;
  fresh.restored = shared_.restored;
  fresh.restored_spec = shared_.restored_spec;
  fresh.restored_cfg = shared_.restored_cfg;
  fresh.predictions = std::move(shared_.predictions);  // they belong to the images asked about, not to a run
  if (!shared_.robustness.error.empty()) {  // the curves belong to the run, but why they were cancelled is news
    fresh.robustness.request = shared_.robustness.request;
    fresh.robustness.error = shared_.robustness.error;
  }
  shared_ = std::move(fresh);
}

void Bridge::eval_begin() {
  eval_.reset();
  if (!test_ || test_->n == 0 || !model_.built()) return;
  // The app checks a model file against the data it loads, and data against the networks: this only
  // guards the evaluation's buffers should a model and data that do not fit ever meet.
  if (const dl::Status st = dl::model_fits_data(model_, *test_); !st.ok()) {
    error_ = "The current network cannot be tested on these images: " + st.error + ".";
    return;
  }
  eval_ = std::make_unique<dl::Evaluation>(model_, *test_, 0, true);
}

void Bridge::eval_chunk() {
  eval_->step();  // a unit of evaluation work: one batch
  const int n = test_->n;
  std::unique_lock<std::mutex> lk(mu_);
  shared_.evaluating = !eval_->done();
  shared_.eval_progress = float(eval_->position()) / float(n);
  if (eval_->done()) {
    const dl::EvalResult r = eval_->result();
    shared_.has_eval = true;
    ++shared_.eval_version;
    shared_.test_loss = r.loss;
    shared_.test_accuracy = r.accuracy;
    shared_.confusion = r.confusion;
    shared_.report = dl::report_from_confusion(r.confusion);
    shared_.test_pred = std::move(eval_->predictions);
    shared_.test_prob = std::move(eval_->confidence);
    eval_.reset();
  }
  if (!eval_ && trainer_.phase() != dl::TrainPhase::Idle) {
    lk.unlock();
    autosave();  // the run list shows the test accuracy
  }
}

void Bridge::predict_begin(Command& c) {
  predict_.reset();
  predict_images_ = std::move(c.test);
  std::string error;
  if (!has_model_ || !model_.built()) error = "There is no model yet: train one or load a model file, then predict.";
  else if (const dl::Status st = dl::model_fits_data(model_, *predict_images_); !st.ok())
    error = "The current network cannot read these images: " + st.error + ".";
  {
    std::lock_guard<std::mutex> lk(mu_);
    Predictions& p = shared_.predictions;
    p.request = c.request;
    p.running = error.empty();
    p.progress = 0;
    p.done = false;
    p.error = error;
    p.model_name = model_name_;
    p.labels.clear();
  }
  if (error.empty()) predict_ = std::make_unique<dl::Evaluation>(model_, *predict_images_, 0, true);
}

void Bridge::predict_chunk() {
  predict_->step();
  std::lock_guard<std::mutex> lk(mu_);
  Predictions& p = shared_.predictions;
  p.progress = float(predict_->position()) / float(predict_images_->n);
  if (!predict_->done()) return;
  p.running = false;
  p.done = true;
  p.labels = std::move(predict_->predictions);
  predict_.reset();
  predict_images_.reset();
}

void Bridge::predict_cancel(const char* why) {
  predict_.reset();
  predict_images_.reset();
  std::lock_guard<std::mutex> lk(mu_);
  shared_.predictions.running = false;
  shared_.predictions.error = why;
}

void Bridge::robust_begin(const Command& c) {
  robust_.reset();
  const int images = int(c.value);
  std::string error;
  if (images <= 0) error = "Cancelled.";
  else if (!has_model_ || !model_.built()) error = "There is no model yet: train one or load a model file first.";
  else if (!test_ || test_->n == 0 || test_->labels.empty()) error = "There are no test images to perturb.";
  else if (const dl::Status st = dl::model_fits_data(model_, *test_); !st.ok())
    error = "The current network cannot read the test images: " + st.error + ".";
  if (error.empty()) robust_ = std::make_unique<dl::RobustnessSweep>(model_, *test_, images);
  std::lock_guard<std::mutex> lk(mu_);
  Robustness& r = shared_.robustness;
  r.request = c.request;
  r.running = error.empty();
  r.done = false;
  r.progress = 0;
  r.images = robust_ ? robust_->images() : 0;
  r.model_name = model_name_;
  r.error = error;
  r.accuracy.clear();
}

void Bridge::robust_chunk() {
  robust_->step();
  std::lock_guard<std::mutex> lk(mu_);
  Robustness& r = shared_.robustness;
  r.progress = robust_->progress();
  if (!robust_->done()) return;
  r.running = false;
  r.done = true;
  r.accuracy = std::move(robust_->accuracy);
  robust_.reset();
}

void Bridge::robust_cancel(const char* why) {
  robust_.reset();
  std::lock_guard<std::mutex> lk(mu_);
  shared_.robustness.running = false;
  shared_.robustness.error = why;
}

void Bridge::publish(bool weights) {
  {
    std::lock_guard<std::mutex> lk(mu_);
    Snapshot& s = shared_;
    s.run = run_;
    s.starting = false;
    s.paused = paused_ && trainer_.phase() == dl::TrainPhase::Running;
    s.phase = trainer_.phase();
    s.warned = error_.empty() && !trainer_.warning().empty();
    s.message = !error_.empty() ? error_ : s.warned ? trainer_.message() + ", but " + trainer_.warning() : trainer_.message();
    s.error = !error_.empty();
    s.model_name = model_name_;
    s.has_model = has_model_;
    s.evaluating = eval_ != nullptr;
    if (trainer_.phase() != dl::TrainPhase::Idle) {
      const dl::TrainConfig& cfg = trainer_.config();
      s.epoch = trainer_.epoch();
      s.epochs = cfg.epochs;
      s.batch = trainer_.batch();
      s.batches_per_epoch = trainer_.batches_per_epoch();
      s.batch_size = cfg.batch;
      s.train_n = mixed_.n > 0 ? mixed_.n : train_.n;  // the run's training images (a fine-tuning's extra included)
      s.val_n = val_.n > 0 ? val_.n : (test_ ? test_->n : 0);
      s.val_is_test = val_.n == 0 && test_ && test_->n > 0;
      s.label_smoothing = cfg.label_smoothing;
      s.steps = trainer_.steps_done();
      s.epoch_loss = trainer_.epoch_loss();
      s.epoch_accuracy = trainer_.epoch_accuracy();
      // Samples/s by the wall clock over the last 3 s of running (what a person sees, and what the ETA
      // needs); the trainer's own figure until the window spans half a second.
      const double tnow = now_ms();
      const int64_t done = trainer_.steps_done() * int64_t(cfg.batch);
      if (trainer_.phase() == dl::TrainPhase::Running && !paused_) {
        if (rate_window_.empty() || rate_window_.back().second != done) rate_window_.emplace_back(tnow, done);
        while (rate_window_.size() > 2 && tnow - rate_window_.front().first > 3000) rate_window_.pop_front();
        const auto& a = rate_window_.front();
        if (tnow - a.first > 500 && done > a.second) wall_rate_ = double(done - a.second) / ((tnow - a.first) / 1000.0);
      } else {
        rate_window_.clear();
      }
      s.samples_per_sec = wall_rate_ > 0 ? wall_rate_ : trainer_.samples_per_sec();
      s.lr = trainer_.lr();
      if (s.history.size() != trainer_.history().size()) s.history = trainer_.history();
      if (s.class_weights.size() != trainer_.class_weights().size()) s.class_weights = trainer_.class_weights();
      // The strip of images being fed: a few times a second (readable), and after every paused step.
      const double t = now_ms();
      const int B = std::min(trainer_.last_batch_size(), Snapshot::kStripMax);
      if (B > 0 && trainer_.steps_done() > 0 && (t - last_strip_ > 400 || paused_)) {
        const int hw = train_.rows, px = train_.pixels();
        const std::vector<float>& x = trainer_.last_batch();
        s.strip.resize(size_t(B) * px);
        for (size_t i = 0; i < s.strip.size(); ++i)
          s.strip[i] = uint8_t(std::lround(255.0f * std::clamp(x[i], 0.0f, 1.0f)));
        s.strip_labels.assign(trainer_.last_labels().begin(), trainer_.last_labels().begin() + B);
        s.strip_n = B;
        s.strip_hw = hw;
        ++s.strip_version;
        last_strip_ = t;
      }
      const auto& log = trainer_.batches();
      if (s.batches.size() < log.size()) s.batches.insert(s.batches.end(), log.begin() + s.batches.size(), log.end());
    }
  }
  if (weights && model_.built()) {
    last_publish_ = now_ms();
    std::lock_guard<std::mutex> lk(params_mu_);
    pub_spec_ = model_.spec();
    pub_params_ = model_.params;
    pub_state_ = model_.state;
    ++pub_version_;
    std::lock_guard<std::mutex> lk2(mu_);
    shared_.params_version = pub_version_;
  }
}

// ------------------------------------------------------------------------------------ UI side

bool Bridge::snapshot(Snapshot* out) {
  std::unique_lock<std::mutex> lk(mu_, std::try_to_lock);
  if (!lk.owns_lock()) return false;
  const Snapshot& s = shared_;
  if (out->run != s.run) {
    // A run with curves or test results (a loaded model has only these): kept to compare.
    if (!out->batches.empty() || !out->history.empty() || out->has_eval) {
      PreviousRun& p = out->previous;
      p.run = out->run;
      p.batches = std::move(out->batches);
      p.history = std::move(out->history);
      p.batches_per_epoch = out->batches_per_epoch;
      p.model_name = out->model_name;
      p.test_accuracy = out->has_eval ? out->test_accuracy : -1;
      p.confusion = out->has_eval ? out->confusion : dl::Confusion(0);
      p.robustness = out->robustness.done ? std::move(out->robustness) : Robustness();
    }
    out->batches.clear();
    out->history.clear();
  }
  PreviousRun previous = std::move(out->previous);
  std::vector<dl::BatchRecord> batches = std::move(out->batches);
  std::vector<dl::EpochRecord> history = std::move(out->history);
  dl::Confusion conf = std::move(out->confusion);
  dl::Report report = std::move(out->report);
  std::vector<uint8_t> test_pred = std::move(out->test_pred);
  std::vector<float> test_prob = std::move(out->test_prob);
  const uint64_t eval_version = out->eval_version;
  std::vector<uint8_t> predicted = std::move(out->predictions.labels);
  const bool same_predictions = out->predictions.request == s.predictions.request && out->predictions.done == s.predictions.done;
  // Copy the small fields, then the big ones only when they changed.
  Snapshot tmp;
  tmp.run = s.run; tmp.phase = s.phase; tmp.paused = s.paused; tmp.starting = s.starting;
  tmp.message = s.message; tmp.error = s.error; tmp.warned = s.warned; tmp.model_name = s.model_name;
  tmp.epoch = s.epoch; tmp.epochs = s.epochs; tmp.batch = s.batch; tmp.batches_per_epoch = s.batches_per_epoch;
  tmp.batch_size = s.batch_size; tmp.train_n = s.train_n; tmp.val_n = s.val_n; tmp.val_is_test = s.val_is_test;
  tmp.label_smoothing = s.label_smoothing; tmp.steps = s.steps;
  tmp.epoch_loss = s.epoch_loss; tmp.epoch_accuracy = s.epoch_accuracy; tmp.samples_per_sec = s.samples_per_sec;
  tmp.lr = s.lr; tmp.seconds = s.seconds;
  tmp.evaluating = s.evaluating; tmp.eval_progress = s.eval_progress; tmp.has_eval = s.has_eval;
  tmp.eval_version = s.eval_version; tmp.test_loss = s.test_loss; tmp.test_accuracy = s.test_accuracy;
  tmp.has_model = s.has_model; tmp.params_version = s.params_version;
  tmp.restored = s.restored; tmp.restored_spec = s.restored_spec; tmp.restored_cfg = s.restored_cfg;
  tmp.class_weights = s.class_weights;
  const Predictions& sp = s.predictions;
  tmp.predictions.request = sp.request; tmp.predictions.running = sp.running; tmp.predictions.progress = sp.progress;
  tmp.predictions.done = sp.done; tmp.predictions.model_name = sp.model_name; tmp.predictions.error = sp.error;
  tmp.predictions.labels = same_predictions ? std::move(predicted) : sp.labels;
  tmp.robustness = s.robustness;  // 41 numbers
  if (out->strip_version != s.strip_version) {
    tmp.strip = s.strip;
    tmp.strip_labels = s.strip_labels;
  } else {
    tmp.strip = std::move(out->strip);
    tmp.strip_labels = std::move(out->strip_labels);
  }
  tmp.strip_n = s.strip_n; tmp.strip_hw = s.strip_hw; tmp.strip_version = s.strip_version;
  if (batches.size() > s.batches.size()) batches.clear();
  batches.insert(batches.end(), s.batches.begin() + batches.size(), s.batches.end());
  if (history.size() != s.history.size()) history = s.history;
  if (eval_version != s.eval_version) {
    conf = s.confusion;
    report = s.report;
    test_pred = s.test_pred;
    test_prob = s.test_prob;
  }
  tmp.batches = std::move(batches);
  tmp.history = std::move(history);
  tmp.confusion = std::move(conf);
  tmp.report = std::move(report);
  tmp.test_pred = std::move(test_pred);
  tmp.test_prob = std::move(test_prob);
  tmp.previous = std::move(previous);
  *out = std::move(tmp);
  return true;
}

bool Bridge::fetch_model(uint64_t* version, dl::Model* dst) {
  std::unique_lock<std::mutex> lk(params_mu_, std::try_to_lock);
  if (!lk.owns_lock()) return false;
  if (pub_version_ == *version || pub_params_.empty()) return false;
  // The whole spec, not its sizes: an activation or a dropout rate changes the network's function
  // but no array, and the draw pad and the saved files must run what was trained.
  if (!dst->built() || dst->spec() != pub_spec_) {
    dl::Model m;
    if (!m.build(pub_spec_).ok()) return false;
    *dst = std::move(m);
  }
  dst->params = pub_params_;
  dst->state = pub_state_;
  *version = pub_version_;
  return true;
}

}  // namespace app
