#include "trainer.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <numeric>

#include "../kernels/gemm.h"
#include "../kernels/pool.h"
#include "../nn/layers.h"
#include "settings.h"

namespace dl {

using Clock = std::chrono::steady_clock;

const char* monitor_name(Monitor m) { return m == Monitor::ValLoss ? "val_loss" : "val_accuracy"; }

bool monitor_parse(const std::string& s, Monitor* out) {
  if (s == "val_loss") return *out = Monitor::ValLoss, true;
  if (s == "val_accuracy" || s == "val_acc") return *out = Monitor::ValAccuracy, true;
  return false;
}

const char* phase_name(TrainPhase p) {
  switch (p) {
    case TrainPhase::Idle: return "idle";
    case TrainPhase::Running: return "training";
    case TrainPhase::Finished: return "finished";
    case TrainPhase::Stopped: return "stopped";
    case TrainPhase::Diverged: return "diverged";
  }
  return "?";
}

Status train_config_check(const TrainConfig& c) {
  for (const NumericSetting& s : numeric_settings()) {
    const double v = s.get(c);
    if (!accepts(s, v)) return Status::fail(std::string(s.words) + " must be " + range_text(s) + ", not " + number_text(v));
  }
  if (c.cosine.enabled && c.reduce_lr.enabled)
    return Status::fail("the cosine decay and the reduction on a plateau both set the learning rate; turn one of them off");
  // The rest come from a preset's recipe, never from a link or a flag; checked all the same.
  if (!(c.reduce_lr.min_delta >= 0 && c.reduce_lr.min_delta <= 10))
    return Status::fail("the learning-rate reduction's min_delta must be 0..10");
  return {};
}

double cosine_decay_lr(double lr, double alpha, int64_t step, int64_t steps) {
  constexpr double kPi = 3.14159265358979323846;
  const double done = steps > 0 ? double(std::min(step, steps)) / double(steps) : 1.0;
  return lr * (alpha + (1 - alpha) * 0.5 * (1 + std::cos(kPi * done)));
}

int eval_batch(const Model& m, int train_batch) {
  const Size per_image = forward_floats_per_image(m) * sizeof(float);  // within 2^28 (kMaxForwardFloats)
  const uint64_t fit = kEvalBytes / std::max<uint64_t>(1, per_image.count());
  return std::max(1, std::max(train_batch, int(std::min<uint64_t>(kEvalBatch, fit))));
}

EvalResult evaluate(Model& model, const Dataset& data, int batch, float label_smoothing) {
  Evaluation e(model, data, batch, false, label_smoothing);
  while (!e.done()) e.step();
  return e.result();
}

Evaluation::Evaluation(Model& model, const Dataset& data, int batch, bool per_image, float label_smoothing)
    : model_(&model),
      data_(&data),
      batch_(batch > 0 ? batch : eval_batch(model)),
      smoothing_(label_smoothing),
      confusion_(model.classes()) {
  DL_ASSERT(model_fits_data(model, data).ok());  // callers check first: the message is theirs to show
  DL_ASSERT(per_image || !data.labels.empty());  // unlabelled images give predictions and nothing else
  if (!per_image) return;
  predictions.assign(size_t(data.n), 0);
  confidence.assign(size_t(data.n), 0.0f);
}

void Evaluation::step() {
  if (done()) return;
  const Dataset& d = *data_;
  const int K = model_->classes(), B = std::min(batch_, d.n - pos_);
  x_.resize(size_t(B) * d.pixels());
  y_.resize(size_t(B));
  idx_.resize(size_t(B));
  std::iota(idx_.begin(), idx_.end(), pos_);
  const bool labelled = !d.labels.empty();
  dataset_batch(d, idx_.data(), B, x_.data(), labelled ? y_.data() : nullptr);
  const float* p = model_->forward(x_.data(), B, false);
  for (int b = 0; b < B; ++b) {
    const float* pb = p + size_t(b) * K;
    const int pred = int(std::max_element(pb, pb + K) - pb);
    if (!predictions.empty()) {
      predictions[size_t(pos_ + b)] = uint8_t(pred);
      confidence[size_t(pos_ + b)] = pb[pred];
    }
    if (!labelled) continue;
    const int y = y_[size_t(b)];
    correct_ += pred == y;
    confusion_.add(y, pred);
    loss_ += xent(pb, y, K, smoothing_);
  }
  pos_ += B;
}

EvalResult Evaluation::result() const {
  EvalResult r;
  r.confusion = confusion_;
  if (data_->n == 0 || data_->labels.empty()) return r;
  r.loss = loss_ / data_->n + model_->l2_loss();
  r.accuracy = double(correct_) / data_->n;
  return r;
}

Size training_bytes(const Model& m, const TrainConfig& c) {
  const Size P = m.trainable_params(), S = m.non_trainable_params();
  const Size Bt = std::max(c.batch, 1), Be = eval_batch(m, c.batch), Bmax = max(Bt, Be);
  const Size copies = 1 + int(c.early.enabled && c.early.restore_best) + int(c.checkpoint.enabled);
  const Size moments = c.opt.kind == OptKind::SGD ? 1 : 2;
  Size floats = P * (moments + copies + 2) + S * (copies + 1);
  Size max_act = m.input_size(), packed, conv_thread, conv_caller;
  auto pack = [&](bool tb, int N, Size K) {
    if (K.within(INT32_MAX)) packed = max(packed, gemm_packed_floats(tb, N, int(K.count())));
    else packed = K;  // never packed so deep: past any limit, as the run is
  };
  for (const Layer& L : m.layers()) {
    const LayerSpec& s = L.spec;
    const Size out = L.out.size();
    max_act = max(max_act, out);
    floats += Bmax * out;  // the output, at the larger of the two batches
    if ((s.kind == LayerKind::Dropout && s.rate > 0) || s.kind == LayerKind::BatchNorm) floats += Bt * out + L.in.c;
    if (s.kind == LayerKind::MaxPool2D) floats += Bmax * out;  // argmax, 4 bytes each
    if (s.kind == LayerKind::Conv2D) {  // layers.cpp: each thread's patches and GEMMs, the caller's panels
      const int row = s.kernel * s.kernel * L.in.c, positions = L.out.h * L.out.w;
      conv_thread = max(conv_thread, conv_thread_floats(positions, row));
      conv_caller = max(conv_caller, conv_caller_floats(int(Bt.count()), positions, row, s.units));
      pack(false, s.units, row);
      pack(false, s.units, kGemmDepthPanel);
      pack(true, row, s.units);
    } else if (s.kind == LayerKind::Dense) {  // forward, dX, dW
      pack(false, s.units, L.in.size());
      pack(true, L.in.size(), s.units);
      pack(false, s.units, Bt);
    }
  }
  // Every thread of the kernel pool may run a slab or a GEMM's task with its own buffers; the caller
  // holds the panels and a split GEMM's scratch besides.
  const int threads = kernel_pool().workers() + 1;
  floats += (conv_thread + packed) * threads + conv_caller + Size(threads > 1 ? kGemmSplitFloats : 0);
  floats += Bmax * m.input_size() + Bt * max_act * 2;  // + the input batch
  return floats * sizeof(float);
}

Status model_fits_data(const Model& m, const Dataset& d) {
  if (!m.built()) return Status::fail("there is no network to train or test");
  const Shape& in = m.spec().input;
  const bool shape_ok = in.flat ? in.size() == d.pixels() : in.h == d.rows && in.w == d.cols && in.c == 1;
  auto image = [](int h, int w) { return std::to_string(h) + "x" + std::to_string(w); };
  if (!shape_ok)
    return Status::fail("the network takes " +
                        (in.flat ? std::to_string(in.size()) + " values an image"
                                 : image(in.h, in.w) + " images with " + std::to_string(in.c) + " channel(s)") +
                        ", but the data's images are " + image(d.rows, d.cols) + " pixels in one channel");
  if (m.classes() != kNumClasses)
    return Status::fail("the network's last layer has " + std::to_string(m.classes()) + " units, but the data has " +
                        std::to_string(kNumClasses) + " classes (the digits 0-9): the last layer needs " +
                        std::to_string(kNumClasses) + " units, one per class, as Dense(10, softmax)");
  return {};
}

std::vector<double> balanced_class_weights(const Dataset& d) {
  std::vector<int> counts = dataset_class_counts(d);
  std::vector<double> w(counts.size(), 0.0);
  int present = 0;
  for (int c : counts) present += c > 0;
  for (size_t k = 0; k < counts.size(); ++k)
    if (counts[k] > 0) w[k] = double(d.n) / (double(present) * counts[k]);
  return w;
}

Status train_check(const Model& model, const Dataset* train, const Dataset* val, const TrainConfig& cfg) {
  Status s = train_config_check(cfg);
  if (!s.ok()) return s;
  if (!model.built()) return Status::fail("no model to train");
  if (!train || train->n == 0) return Status::fail("no training data; load a dataset first");
  s = model_fits_data(model, *train);
  if (!s.ok()) return s;
  if (val && val->n > 0 && (val->rows != train->rows || val->cols != train->cols))
    return Status::fail("the validation images are not the size of the training images");
  const Size need = training_bytes(model, cfg);
  if (!need.within(kMaxRunBytes))
    return Status::fail("at batch " + std::to_string(cfg.batch) + " this network needs " +
                        (need.bad() ? std::string("more memory than can be counted") : "about " + bytes_text(double(need.count()))) +
                        " to train, more than the " + bytes_text(double(kMaxRunBytes)) +
                        " a run may take; use fewer units or filters, or a smaller batch");
  return {};
}

// What a run derives from its model, data and settings (cfg_), whether it begins or is loaded: the
// batch buffers, the class weights, the most common class for the "not learning" check.
void Trainer::attach(Model* model, const Dataset* train, const Dataset* val) {
  model_ = model;
  train_ = train;
  val_ = val && val->n > 0 ? val : nullptr;
  x_.resize(size_t(cfg_.batch) * train->pixels());
  y_.resize(size_t(cfg_.batch));
  aug_tmp_.resize(size_t(train->pixels()));
  last_b_ = 0;
  class_weights_.clear();
  cw_.clear();
  if (cfg_.balanced_class_weights) {
    class_weights_ = balanced_class_weights(*train);
    cw_.assign(class_weights_.begin(), class_weights_.end());
  }
  batches_per_epoch_ = (train->n + cfg_.batch - 1) / cfg_.batch;
  const std::vector<int> counts = dataset_class_counts(*train);
  guess_class_ = int(std::max_element(counts.begin(), counts.end()) - counts.begin());
  guess_accuracy_ = counts.empty() ? 0 : double(counts[size_t(guess_class_)]) / train->n;
}

Status Trainer::begin(Model* model, const Dataset* train, const Dataset* val, const TrainConfig& cfg,
                      bool init_weights) {
  if (!model) return Status::fail("no model to train");
  Status s = train_check(*model, train, val, cfg);
  if (!s.ok()) return s;
  if (model->params.size() != model->trainable_params()) return Status::fail("the model was built without its weights");
  // Going on from this trainer's last run (finished or stopped, same weights): as Keras' fit() called
  // again, the optimizer's moments go on (Optimizer::resume, same kind only) and so does the random
  // stream, so the next epochs get new shuffles, dropout masks and augmentations, not the first
  // run's again; a new seed starts the stream afresh.
  const bool goes_on = !init_weights && (phase_ == TrainPhase::Finished || phase_ == TrainPhase::Stopped);
  if (!goes_on || cfg.seed != cfg_.seed) rng_.reseed(cfg.seed, 0xda7a);
  model_ = model;
  cfg_ = cfg;
  if (init_weights) model->init(cfg.seed);
  if (goes_on) opt_.resume(cfg.opt, model->params.size());
  else opt_.init(cfg.opt, model->params.size());
  attach(model, train, val);
  order_.resize(train->n);
  std::iota(order_.begin(), order_.end(), 0);
  stuck_warned_ = false;
  epoch_ = batch_ = 0;
  steps_ = seen_ = correct_ = total_seen_ = 0;
  loss_sum_ = l2_sum_ = epoch_seconds_ = total_seconds_ = 0;
  history_.clear();
  batch_log_.clear();
  message_.clear();
  warning_.clear();
  es_wait_ = rlr_wait_ = 0;
  best_epoch_ = -1;
  ckpt_epoch_ = 0;
  ckpt_params_.clear();
  ckpt_state_.clear();
  best_params_.clear();
  best_state_.clear();
  good_params_ = model->params;
  good_state_ = model->state;
  good_step_ = 0;
  good_epoch_ = 0;
  last_loss_ = last_l2_ = 0;
  phase_ = TrainPhase::Running;
  return {};
}

void Trainer::stop() {
  if (phase_ != TrainPhase::Running) return;
  phase_ = TrainPhase::Stopped;
  message_ = "stopped by the user during epoch " + std::to_string(epoch_ + 1);
}

double Trainer::samples_per_sec() const {
  double secs = total_seconds_ + epoch_seconds_;
  return secs > 0 ? double(total_seen_ + seen_) / secs : 0;
}

bool Trainer::step() {
  if (phase_ != TrainPhase::Running) return false;
  auto t0 = Clock::now();
  if (batch_ == 0) rng_.shuffle(order_.data(), order_.size());
  const int i0 = batch_ * cfg_.batch;
  const int B = std::min(cfg_.batch, train_->n - i0);
  dataset_batch(*train_, order_.data() + i0, B, x_.data(), y_.data());
  augment_batch(cfg_.augment, x_.data(), B, train_->rows, train_->cols, rng_, aug_tmp_.data());
  last_b_ = B;
  const float* p = model_->forward(x_.data(), B, true, &rng_);
  const int K = model_->classes();
  int correct = 0;
  for (int b = 0; b < B; ++b) {
    const float* pb = p + size_t(b) * K;
    correct += int(std::max_element(pb, pb + K) - pb) == y_[b];
  }
  float loss = model_->backward(y_.data(), cw_.empty() ? nullptr : cw_.data(), cfg_.label_smoothing);
  float l2 = model_->l2_loss();
  if (!std::isfinite(loss) || !std::isfinite(l2)) {
    diverge(!std::isfinite(l2) ? "the L2 penalty" : "the loss", std::isnan(loss + l2), loss);
    return false;
  }
  if (cfg_.cosine.enabled)
    opt_.set_lr(float(cosine_decay_lr(cfg_.opt.lr, cfg_.cosine.alpha, steps_, int64_t(cfg_.epochs) * batches_per_epoch_)));
  opt_.step(model_->params.data(), model_->grads.data(), model_->params.size());
  // An update can overflow while the loss it came from was finite (a saturated softmax has a finite
  // loss over huge logits): the weights are checked after every step, so a non-finite weight never
  // reaches the next epoch, the validation pass, or the end of the run.
  if (!all_finite(model_->params.data(), model_->params.size())) {
    const bool grads_bad = !all_finite(model_->grads.data(), model_->grads.size());
    diverge(grads_bad ? "the gradients" : "the weights after the update", true, loss);
    return false;
  }
  last_loss_ = loss;
  last_l2_ = l2;
  loss_sum_ += double(loss + l2) * B;
  l2_sum_ += double(l2) * B;
  seen_ += B;
  correct_ += correct;
  ++batch_;
  ++steps_;
  batch_log_.push_back({loss + l2, float(correct) / B, opt_.lr()});
  epoch_seconds_ += std::chrono::duration<double>(Clock::now() - t0).count();
  if (batch_ == batches_per_epoch_) end_epoch();
  return phase_ == TrainPhase::Running;
}

double Trainer::monitored(const EpochRecord& r, Monitor m) const {
  return m == Monitor::ValLoss ? r.val_loss : r.val_accuracy;
}

bool Trainer::improved(Monitor m, double current, double best, double min_delta) const {
  return m == Monitor::ValLoss ? current < best - min_delta : current > best + min_delta;
}

// EarlyStopping after epoch r: whether the run stops now (r then has the event).
bool Trainer::early_stopping(EpochRecord& r) {
  double cur = monitored(r, cfg_.early.monitor);
  if (best_epoch_ < 0 || improved(cfg_.early.monitor, cur, es_best_, cfg_.early.min_delta)) {
    es_best_ = cur;
    es_wait_ = 0;
    best_epoch_ = r.epoch;
    if (cfg_.early.restore_best) { best_params_ = model_->params; best_state_ = model_->state; }
  } else if (++es_wait_ >= cfg_.early.patience) {
    char buf[160];
    snprintf(buf, sizeof buf, "early stop: %s did not improve for %d epochs", monitor_name(cfg_.early.monitor),
             es_wait_);
    r.events.push_back(buf);
    return true;
  }
  return false;
}

// ReduceLROnPlateau after epoch r.
void Trainer::reduce_lr_on_plateau(EpochRecord& r) {
  double cur = monitored(r, cfg_.reduce_lr.monitor);
  if (r.epoch == 1 || improved(cfg_.reduce_lr.monitor, cur, rlr_best_, cfg_.reduce_lr.min_delta)) {
    rlr_best_ = cur;
    rlr_wait_ = 0;
  } else if (++rlr_wait_ >= cfg_.reduce_lr.patience && opt_.lr() > cfg_.reduce_lr.min_lr) {
    float lr = std::max(opt_.lr() * cfg_.reduce_lr.factor, cfg_.reduce_lr.min_lr);
    opt_.set_lr(lr);
    rlr_wait_ = 0;
    char buf[160];
    snprintf(buf, sizeof buf, "learning rate reduced to %g", double(lr));
    r.events.push_back(buf);
  }
}

// The keep-best checkpoint after epoch r: keeps the weights when the monitored value improved.
void Trainer::keep_checkpoint(EpochRecord& r) {
  double cur = monitored(r, cfg_.checkpoint.monitor);
  if (ckpt_epoch_ == 0 || improved(cfg_.checkpoint.monitor, cur, ckpt_best_, 0)) {
    ckpt_best_ = cur;
    ckpt_epoch_ = r.epoch;
    ckpt_params_ = model_->params;
    ckpt_state_ = model_->state;
    r.checkpoint = true;
    char buf[160];
    snprintf(buf, sizeof buf, "checkpoint: best %s so far (%.4f), weights kept", monitor_name(cfg_.checkpoint.monitor), cur);
    r.events.push_back(buf);
  }
}

// Whether epoch r learned nothing: over the epoch, over its last quarter (a slow start climbs there)
// and on validation. The first such epoch of the run gets a "not learning" event.
bool Trainer::epoch_stuck(EpochRecord& r) {
  const double guess = guess_accuracy_ + 0.02;
  const size_t quarter = std::max<size_t>(1, size_t(batches_per_epoch_) / 4);
  double late = 0;
  for (size_t i = batch_log_.size() - quarter; i < batch_log_.size(); ++i) late += batch_log_[i].accuracy;
  late /= double(quarter);
  const bool stuck = r.accuracy <= guess && late <= guess && (!r.has_val || r.val_accuracy <= guess);
  if (stuck && !stuck_warned_) {
    stuck_warned_ = true;
    char buf[160];
    snprintf(buf, sizeof buf, "not learning: accuracy %.2f%%, no better than always answering %d (%.2f%%)",
             100.0 * r.accuracy, guess_class_, 100.0 * guess_accuracy_);
    r.events.push_back(buf);
  }
  return stuck;
}

void Trainer::end_epoch() {
  auto t0 = Clock::now();
  EpochRecord r;
  r.epoch = epoch_ + 1;
  r.loss = loss_sum_ / seen_;
  r.l2 = l2_sum_ / seen_;
  r.accuracy = double(correct_) / seen_;
  r.lr = opt_.lr();
  if (val_) {
    EvalResult e = evaluate(*model_, *val_, eval_batch(*model_, cfg_.batch), cfg_.label_smoothing);
    r.val_loss = e.loss;
    r.val_accuracy = e.accuracy;
    r.has_val = true;
    // Finite weights can still overflow on images the step did not see.
    if (!std::isfinite(e.loss)) {
      diverge("the validation loss", std::isnan(e.loss), float(r.loss));
      return;
    }
  }
  epoch_seconds_ += std::chrono::duration<double>(Clock::now() - t0).count();
  r.seconds = epoch_seconds_;
  r.samples_per_sec = epoch_seconds_ > 0 ? seen_ / epoch_seconds_ : 0;
  total_seconds_ += epoch_seconds_;
  total_seen_ += seen_;

  const bool stop_now = r.has_val && cfg_.early.enabled && early_stopping(r);
  if (r.has_val && cfg_.reduce_lr.enabled && !stop_now) reduce_lr_on_plateau(r);
  if (r.has_val && cfg_.checkpoint.enabled) keep_checkpoint(r);
  const bool stuck = epoch_stuck(r);
  bool last = stop_now || r.epoch >= cfg_.epochs;
  if (last && cfg_.early.enabled && cfg_.early.restore_best && !best_params_.empty() && best_epoch_ != r.epoch) {
    model_->params = best_params_;
    model_->state = best_state_;
    char buf[160];
    snprintf(buf, sizeof buf, "best weights restored (epoch %d)", best_epoch_);
    r.events.push_back(buf);
  }
  history_.push_back(r);
  seen_ = correct_ = 0;
  loss_sum_ = l2_sum_ = epoch_seconds_ = 0;
  batch_ = 0;
  ++epoch_;
  good_params_ = model_->params;
  good_state_ = model_->state;
  good_step_ = steps_;
  good_epoch_ = epoch_;
  if (last) {
    phase_ = TrainPhase::Finished;
    message_ = stop_now ? r.events.front() : "finished " + std::to_string(r.epoch) + (r.epoch == 1 ? " epoch" : " epochs");
    if (stuck) warning_ = not_learning(r);
  }
}

namespace {
// An optimizer's name as people write it and the learning rates it usually trains at: outside
// [low, high] a rate is far off, `usual` is the one to suggest.
struct UsualLr {
  const char* name;
  double low, high, usual;
};
UsualLr usual_lr(OptKind k) {
  if (k == OptKind::SGD) return {"SGD", 1e-4, 1.0, 0.01};
  return {k == OptKind::Adam ? "Adam" : "RMSprop", 1e-6, 0.05, 0.001};
}
}  // namespace

// Ends a run whose `what` became non-finite in the current step: the weights of the last finished
// epoch come back (checked finite when they were kept), and the message says where it happened, what
// was restored, and the likely cause from what the run saw.
void Trainer::diverge(const char* what, bool nan, float loss) {
  model_->params = good_params_;
  model_->state = good_state_;
  phase_ = TrainPhase::Diverged;
  restored_step_ = good_step_;
  restored_epoch_ = good_epoch_;
  const UsualLr u = usual_lr(cfg_.opt.kind);
  const double lr = opt_.lr();
  const std::string lr_text = number_text(lr);
  char where[160], restored[160], cause[320];
  if (batch_ == batches_per_epoch_)  // the validation pass at the epoch's end
    snprintf(where, sizeof where, "training diverged: %s became %s after epoch %d (step %s).", what,
             nan ? "NaN" : "infinite", epoch_ + 1, with_commas(steps_).c_str());
  else
    snprintf(where, sizeof where, "training diverged: %s became %s in epoch %d, batch %s (step %s).", what,
             nan ? "NaN" : "infinite", epoch_ + 1, with_commas(batch_ + 1).c_str(), with_commas(steps_ + 1).c_str());
  if (good_epoch_ == 0)
    snprintf(restored, sizeof restored, " The weights the run started from were restored (step 0).");
  else
    snprintf(restored, sizeof restored, " The weights from the end of epoch %d (step %s) were restored.", good_epoch_,
             with_commas(good_step_).c_str());
  if (steps_ == 0 && std::string(what) != "the weights after the update" && !std::isfinite(loss))
    snprintf(cause, sizeof cause,
             " It happened on the first batch, before any update: the network's outputs overflow on this data. "
             "Check the data's values and the network's layers.");
  else if (std::string(what) == "the L2 penalty" || (last_l2_ > 0 && last_l2_ >= 0.5 * (last_loss_ + last_l2_)))
    snprintf(cause, sizeof cause,
             " The L2 penalty was %.0f%% of the loss before that: it is probably too strong for the learning rate "
             "%s. Lower L2 (Keras' usual 0.0001 to 0.01) or the learning rate, and start again.",
             last_loss_ + last_l2_ > 0 ? 100.0 * last_l2_ / (last_loss_ + last_l2_) : 0.0, lr_text.c_str());
  else if (lr > u.high)
    snprintf(cause, sizeof cause,
             " The learning rate %s is too high for %s (it usually trains at %g); lower it and start again.",
             lr_text.c_str(), u.name, u.usual);
  else
    snprintf(cause, sizeof cause,
             " The learning rate %s is probably too high for this network: try %s. If it diverges at a low rate "
             "too, check the data's values.", lr_text.c_str(), number_text(float(lr / 10)).c_str());
  message_ = std::string(where) + restored + cause;
}

// What to try when a run learned nothing. Far outside an optimizer's usual range, the learning rate
// is the likely cause: too high, steps overshoot and ReLU units die (SGD at 10 for 2 epochs leaves
// 509 of mlp's 512 hidden units at 0 on every test image, and 11.35% accuracy); too low, the weights
// barely move.
std::string Trainer::not_learning(const EpochRecord& r) const {
  const UsualLr u = usual_lr(cfg_.opt.kind);
  const double lr = opt_.lr(), low = u.low, high = u.high, usual = u.usual;
  const char* name = u.name;
  char buf[400];
  int n = snprintf(buf, sizeof buf,
                   "the network did not learn: accuracy %.2f%%, no better than always answering %d (%.2f%%). ",
                   100.0 * r.accuracy, guess_class_, 100.0 * guess_accuracy_);
  if (lr > high)
    snprintf(buf + n, sizeof buf - size_t(n), "The learning rate %g is far too high for %s; try %g and start again.",
             lr, name, usual);
  else if (lr < low)
    snprintf(buf + n, sizeof buf - size_t(n), "The learning rate %g is far too low for %s; try %g and start again.",
             lr, name, usual);
  else
    snprintf(buf + n, sizeof buf - size_t(n),
             "Try another learning rate (%s usually trains at about %g), more epochs, or check that the labels "
             "belong to the images.", name, usual);
  return buf;
}

// The shortest %g form that strtod reads back as v (Python's repr, which Keras' CSVLogger writes).
static std::string shortest(double v) {
  char b[32];
  for (int p = 1; p <= 17; ++p) {
    std::snprintf(b, sizeof b, "%.*g", p, v);
    if (std::strtod(b, nullptr) == v) break;
  }
  return b;
}

std::string history_csv(const std::vector<EpochRecord>& history) {
  const bool val = !history.empty() && history[0].has_val;
  std::string out = val ? "epoch,accuracy,learning_rate,loss,val_accuracy,val_loss\n" : "epoch,accuracy,learning_rate,loss\n";
  for (const EpochRecord& e : history) {
    out += std::to_string(e.epoch - 1) + "," + shortest(e.accuracy) + "," + shortest(e.lr) + "," + shortest(e.loss);
    if (val) out += "," + (e.has_val ? shortest(e.val_accuracy) : std::string()) + "," + (e.has_val ? shortest(e.val_loss) : std::string());
    out += "\n";
  }
  return out;
}

}  // namespace dl
