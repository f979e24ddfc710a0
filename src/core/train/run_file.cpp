// The run file: a training run between two steps, written by Trainer::save and read by Trainer::load.
//   "DGLBRUN1" (8 bytes) | u32 version (3) | u32 model-file length | model file (nn/model_file.h) |
//   the settings (TrainConfig, field by field; version 1, the app's runs saved before the cosine
//   decay, has no cosine fields and reads as without it; version 2 has no label smoothing, and reads
//   as without it) | the data: u32 n, rows, cols, fingerprint, the same for
//   the validation set | the optimizer: its config, u64 t, m, v | the rng: u64 state, increment |
//   u64 order length, i32 indices | the position: i32 epoch, batch; i64 steps, seen, correct,
//   total_seen; f64 loss_sum, l2_sum, epoch_seconds, total_seconds | u8 phase, message, warning |
//   the history (u32 count, each record's fields and events) | the batch log (u64 count, 3 f32 each) |
//   the callbacks: f64 es_best, rlr_best, ckpt_best; i32 es_wait, rlr_wait, best_epoch, ckpt_epoch;
//   u8 stuck_warned; best, checkpoint and last-good params and state | i64 good_step; i32 good_epoch;
//   f32 last loss, last l2 | u32 FNV-1a checksum of all before it
// The browser keeps its runs in IndexedDB, where a file may come back truncated or from another
// version: every count is checked against the model, the data and the file's length before anything
// is allocated or changed.
#include <algorithm>
#include <cstring>

#include "../nn/bytes.h"
#include "../nn/model_file.h"
#include "trainer.h"

namespace dl {
namespace {

const char kMagic[8] = {'D', 'G', 'L', 'B', 'R', 'U', 'N', '1'};
constexpr uint32_t kRunFileVersion = 3, kOldestRunFileVersion = 1;
constexpr size_t kMaxText = 4096;         // a message, a warning, an event
constexpr uint32_t kMaxEvents = 16;       // per epoch

// Labels in full and every 61st image byte: tells one data set from another (MNIST from a user's
// files, or another split) in a millisecond, without reading 47 MB.
uint32_t fingerprint(const Dataset* d) {
  if (!d || d->n == 0) return 0;
  uint32_t h = fnv1a(d->labels.data(), d->labels.size());
  for (size_t i = 0; i < d->images.size(); i += 61) h = (h ^ d->images[i]) * 16777619u;
  return h;
}

void write_opt(Writer& w, const OptimizerConfig& o) {
  w.u8(uint8_t(o.kind)); w.f32(o.lr); w.f32(o.momentum); w.f32(o.beta1); w.f32(o.beta2); w.f32(o.rho); w.f32(o.eps);
}
OptimizerConfig read_opt(Reader& r) {
  OptimizerConfig o;
  const uint8_t kind = r.u8();
  if (kind > uint8_t(OptKind::RMSprop)) r.ok = false;
  o.kind = OptKind(kind);
  o.lr = r.f32(); o.momentum = r.f32(); o.beta1 = r.f32(); o.beta2 = r.f32(); o.rho = r.f32(); o.eps = r.f32();
  return o;
}
Monitor read_monitor(Reader& r) {
  const uint8_t m = r.u8();
  if (m > uint8_t(Monitor::ValAccuracy)) r.ok = false;
  return Monitor(m);
}
bool read_bool(Reader& r) {
  const uint8_t b = r.u8();
  if (b > 1) r.ok = false;
  return b == 1;
}

void write_config(Writer& w, const TrainConfig& c) {
  w.i32(c.epochs); w.i32(c.batch); w.f32(c.val_split); w.u64(c.seed);
  write_opt(w, c.opt);
  w.u8(c.balanced_class_weights);
  w.u8(c.early.enabled); w.u8(uint8_t(c.early.monitor)); w.i32(c.early.patience); w.f32(c.early.min_delta);
  w.u8(c.early.restore_best);
  w.u8(c.reduce_lr.enabled); w.u8(uint8_t(c.reduce_lr.monitor)); w.f32(c.reduce_lr.factor); w.i32(c.reduce_lr.patience);
  w.f32(c.reduce_lr.min_delta); w.f32(c.reduce_lr.min_lr);
  w.u8(c.checkpoint.enabled); w.u8(uint8_t(c.checkpoint.monitor));
  const AugmentConfig& a = c.augment;
  w.f32(a.rotation_deg); w.f32(a.zoom); w.f32(a.width_shift); w.f32(a.height_shift); w.u8(a.hflip); w.u8(a.vflip);
  w.u8(c.cosine.enabled); w.f32(c.cosine.alpha);
  w.f32(c.label_smoothing);
}
TrainConfig read_config(Reader& r, uint32_t version) {
  TrainConfig c;
  c.epochs = r.i32(); c.batch = r.i32(); c.val_split = r.f32(); c.seed = r.u64();
  c.opt = read_opt(r);
  c.balanced_class_weights = read_bool(r);
  c.early.enabled = read_bool(r); c.early.monitor = read_monitor(r); c.early.patience = r.i32();
  c.early.min_delta = r.f32(); c.early.restore_best = read_bool(r);
  c.reduce_lr.enabled = read_bool(r); c.reduce_lr.monitor = read_monitor(r); c.reduce_lr.factor = r.f32();
  c.reduce_lr.patience = r.i32(); c.reduce_lr.min_delta = r.f32(); c.reduce_lr.min_lr = r.f32();
  c.checkpoint.enabled = read_bool(r); c.checkpoint.monitor = read_monitor(r);
  AugmentConfig& a = c.augment;
  a.rotation_deg = r.f32(); a.zoom = r.f32(); a.width_shift = r.f32(); a.height_shift = r.f32();
  a.hflip = read_bool(r); a.vflip = read_bool(r);
  if (version >= 2) { c.cosine.enabled = read_bool(r); c.cosine.alpha = r.f32(); }
  if (version >= 3) c.label_smoothing = r.f32();
  return c;
}

void write_data(Writer& w, const Dataset* d) {
  w.i32(d ? d->n : 0); w.i32(d ? d->rows : 0); w.i32(d ? d->cols : 0); w.u32(fingerprint(d));
}
bool same_data(Reader& r, const Dataset* d) {
  const int n = r.i32(), rows = r.i32(), cols = r.i32();
  const uint32_t f = r.u32();
  const int dn = d ? d->n : 0;
  return r.ok && n == dn && (n == 0 || (rows == d->rows && cols == d->cols && f == fingerprint(d)));
}

// A run file whose part `what` is wrong: damaged(" (order)") says "the saved run is damaged (order)".
Status damaged(const std::string& what) { return Status::fail("the saved run is damaged" + what); }

// Checks the file's magic, version (into *version) and checksum; r is then at the model, whose length
// is in *model_len (checked to be in the file), with the checksum outside r's fields.
Status open_run_file(const uint8_t* bytes, size_t size, Reader& r, uint32_t* version, uint32_t* model_len) {
  if (size < 16 || std::memcmp(bytes, kMagic, 8) != 0) return Status::fail("this is not a saved Digit Lab run");
  r.pos = 8;
  *version = r.u32();
  if (*version < kOldestRunFileVersion || *version > kRunFileVersion)
    return Status::fail("the saved run has version " + std::to_string(*version) + "; this Digit Lab reads versions " +
                        std::to_string(kOldestRunFileVersion) + " to " + std::to_string(kRunFileVersion));
  if (fnv1a(bytes, size - 4) != Reader{bytes + size - 4, 4}.u32()) return damaged(" (its checksum does not match)");
  r.n = size - 4;  // the checksum is not part of the fields
  *model_len = r.u32();
  if (!r.need(*model_len)) return damaged(" (truncated model)");
  return {};
}

// open_run_file, and the file's model into *m; r is left at the settings.
Status read_run_model(const uint8_t* bytes, size_t size, Reader& r, uint32_t* version, Model* m) {
  uint32_t model_len = 0;
  Status s = open_run_file(bytes, size, r, version, &model_len);
  if (!s.ok()) return s;
  s = model_load(bytes + r.pos, model_len, m);
  if (!s.ok()) return damaged(": " + s.error);
  r.pos += model_len;
  return {};
}

}  // namespace

Status run_file_config(const uint8_t* bytes, size_t size, TrainConfig* cfg) {
  Reader r{bytes, size};
  uint32_t version = 0, model_len = 0;
  Status s = open_run_file(bytes, size, r, &version, &model_len);
  if (!s.ok()) return s;
  r.pos += model_len;
  TrainConfig c = read_config(r, version);
  if (!r.ok) return damaged(" (settings)");
  s = train_config_check(c);
  if (!s.ok()) return damaged(": " + s.error);
  *cfg = c;
  return {};
}

std::vector<uint8_t> Trainer::save() const {
  DL_ASSERT(model_ && phase_ != TrainPhase::Idle);
  Writer w;
  w.raw(kMagic, 8);
  w.u32(kRunFileVersion);
  const std::vector<uint8_t> model = model_save(*model_);
  w.u32(uint32_t(model.size()));
  w.raw(model.data(), model.size());
  write_config(w, cfg_);
  write_data(w, train_);
  write_data(w, val_);
  write_opt(w, opt_.config());
  w.u64(uint64_t(opt_.steps()));
  w.floats(opt_.m());
  w.floats(opt_.v());
  w.u64(rng_.state());
  w.u64(rng_.increment());
  w.u64(order_.size());
  for (int i : order_) w.i32(i);
  w.i32(epoch_); w.i32(batch_);
  w.u64(uint64_t(steps_)); w.u64(uint64_t(seen_)); w.u64(uint64_t(correct_)); w.u64(uint64_t(total_seen_));
  w.f64(loss_sum_); w.f64(l2_sum_); w.f64(epoch_seconds_); w.f64(total_seconds_);
  w.u8(uint8_t(phase_));
  w.str(message_);
  w.str(warning_);
  w.u32(uint32_t(history_.size()));
  for (const EpochRecord& e : history_) {
    w.i32(e.epoch);
    w.f64(e.loss); w.f64(e.accuracy); w.f64(e.l2); w.f64(e.val_loss); w.f64(e.val_accuracy);
    w.u8(e.has_val); w.u8(e.checkpoint);
    w.f64(e.lr); w.f64(e.seconds); w.f64(e.samples_per_sec);
    w.u32(uint32_t(e.events.size()));
    for (const std::string& ev : e.events) w.str(ev);
  }
  w.u64(batch_log_.size());
  for (const BatchRecord& b : batch_log_) { w.f32(b.loss); w.f32(b.accuracy); w.f32(b.lr); }
  w.f64(es_best_); w.f64(rlr_best_); w.f64(ckpt_best_);
  w.i32(es_wait_); w.i32(rlr_wait_); w.i32(best_epoch_); w.i32(ckpt_epoch_);
  w.u8(stuck_warned_);
  for (const std::vector<float>* v : {&best_params_, &best_state_, &ckpt_params_, &ckpt_state_, &good_params_, &good_state_})
    w.floats(*v);
  w.u64(uint64_t(good_step_)); w.i32(good_epoch_);
  w.f32(last_loss_); w.f32(last_l2_);
  w.u32(fnv1a(w.out.data(), w.out.size()));
  return w.out;
}

// The settings, checked, and the data the run was trained on, checked against the data given.
Status Trainer::read_settings(Reader& r, uint32_t version, const Model& m, const Dataset* train, const Dataset* val) {
  cfg_ = read_config(r, version);
  if (!r.ok) return damaged(" (settings)");
  Status s = train_config_check(cfg_);
  if (!s.ok()) return damaged(": " + s.error);
  const bool data_ok = same_data(r, train);
  const bool val_ok = same_data(r, val && val->n > 0 ? val : nullptr);
  if (!r.ok) return damaged(" (data)");
  if (!data_ok || !val_ok)
    return Status::fail("the saved run was trained on other data than the data loaded now; load the data it was "
                        "trained on to go on with it");
  return train_check(m, train, val, cfg_);
}

// The optimizer (np weights), the random stream and the order of the n training images.
Status Trainer::read_optimizer_and_order(Reader& r, size_t np, int n) {
  const OptimizerConfig oc = read_opt(r);
  {  // the optimizer's own settings (a reduced learning rate) within the same ranges as the run's
    TrainConfig with = cfg_;
    with.opt = oc;
    if (!r.ok || oc.kind != cfg_.opt.kind || !train_config_check(with).ok()) return damaged(" (optimizer)");
  }
  const uint64_t opt_t = r.u64();
  std::vector<float> om = r.floats(int64_t(np), np);
  std::vector<float> ov = r.floats(oc.kind == OptKind::SGD ? 0 : int64_t(np), np);
  if (!r.ok || opt_t > (uint64_t(1) << 62) || !opt_.restore(oc, np, int64_t(opt_t), std::move(om), std::move(ov)))
    return damaged(" (optimizer)");
  const uint64_t rs = r.u64(), ri = r.u64();
  if (!r.ok || (ri & 1) == 0) return damaged(" (random stream)");  // PCG's increment is odd
  rng_.restore(rs, ri);
  const uint64_t order_n = r.u64();
  if (!r.ok || order_n != uint64_t(n) || (r.n - r.pos) / 4 < order_n) return damaged(" (order)");
  order_.resize(size_t(order_n));
  std::vector<uint8_t> seen(size_t(order_n), 0);
  for (int& i : order_) {
    i = r.i32();
    if (i < 0 || i >= n || seen[size_t(i)]++) return damaged(" (order)");
  }
  return {};
}

// The position in the run (with n training images), its phase and messages, the history and the batch log.
Status Trainer::read_progress(Reader& r, int n) {
  epoch_ = r.i32(); batch_ = r.i32();
  steps_ = int64_t(r.u64()); seen_ = int64_t(r.u64()); correct_ = int64_t(r.u64()); total_seen_ = int64_t(r.u64());
  loss_sum_ = r.f64(); l2_sum_ = r.f64(); epoch_seconds_ = r.f64(); total_seconds_ = r.f64();
  const uint8_t phase = r.u8();
  message_ = r.str(kMaxText);
  warning_ = r.str(kMaxText);
  batches_per_epoch_ = (n + cfg_.batch - 1) / cfg_.batch;
  if (!r.ok || phase == uint8_t(TrainPhase::Idle) || phase > uint8_t(TrainPhase::Diverged) || epoch_ < 0 ||
      epoch_ > cfg_.epochs || batch_ < 0 || batch_ >= batches_per_epoch_ || steps_ < 0 || seen_ < 0 ||
      seen_ > n || correct_ < 0 || correct_ > seen_ || total_seen_ < 0)
    return damaged(" (position)");
  phase_ = TrainPhase(phase);
  if (phase_ == TrainPhase::Running && epoch_ >= cfg_.epochs) return damaged(" (position)");
  const uint32_t nh = r.u32();
  if (!r.ok || nh != uint32_t(epoch_)) return damaged(" (history)");  // one record a finished epoch
  for (uint32_t i = 0; i < nh && r.ok; ++i) {
    EpochRecord e;
    e.epoch = r.i32();
    e.loss = r.f64(); e.accuracy = r.f64(); e.l2 = r.f64(); e.val_loss = r.f64(); e.val_accuracy = r.f64();
    e.has_val = read_bool(r); e.checkpoint = read_bool(r);
    e.lr = r.f64(); e.seconds = r.f64(); e.samples_per_sec = r.f64();
    const uint32_t ne = r.u32();
    if (ne > kMaxEvents) r.ok = false;
    for (uint32_t k = 0; k < ne && r.ok; ++k) e.events.push_back(r.str(kMaxText));
    history_.push_back(std::move(e));
  }
  const uint64_t nb = r.u64();
  if (!r.ok || nb != uint64_t(steps_) || (r.n - r.pos) / 12 < nb) return damaged(" (batch log)");
  batch_log_.resize(size_t(nb));
  for (BatchRecord& b : batch_log_) { b.loss = r.f32(); b.accuracy = r.f32(); b.lr = r.f32(); }
  return {};
}

// The callbacks' state and the weights kept of a model with np params and ns state, to the file's end.
Status Trainer::read_callbacks(Reader& r, size_t np, size_t ns) {
  es_best_ = r.f64(); rlr_best_ = r.f64(); ckpt_best_ = r.f64();
  es_wait_ = r.i32(); rlr_wait_ = r.i32(); best_epoch_ = r.i32(); ckpt_epoch_ = r.i32();
  stuck_warned_ = read_bool(r);
  // Kept weights are empty or whole.
  auto weights = [&](std::vector<float>* v, size_t n) {
    *v = r.floats(-1, n);
    if (!v->empty() && v->size() != n) r.ok = false;
  };
  weights(&best_params_, np); weights(&best_state_, ns);
  weights(&ckpt_params_, np); weights(&ckpt_state_, ns);
  weights(&good_params_, np); weights(&good_state_, ns);
  good_step_ = int64_t(r.u64()); good_epoch_ = r.i32();
  last_loss_ = r.f32(); last_l2_ = r.f32();
  if (!r.ok || r.pos != r.n) return damaged(" (callbacks or length)");
  if (good_params_.size() != np || good_state_.size() != ns) return damaged(" (weights)");
  return {};
}

Status Trainer::load(const uint8_t* bytes, size_t size, Model* model, const Dataset* train, const Dataset* val) {
  Reader r{bytes, size};
  Model m;
  uint32_t version = 0;
  Status s = read_run_model(bytes, size, r, &version, &m);
  if (!s.ok()) return s;
  const size_t np = m.params.size(), ns = m.state.size();

  Trainer t;
  s = t.read_settings(r, version, m, train, val);
  if (!s.ok()) return s;
  s = t.read_optimizer_and_order(r, np, train->n);
  if (!s.ok()) return s;
  s = t.read_progress(r, train->n);
  if (!s.ok()) return s;
  s = t.read_callbacks(r, np, ns);
  if (!s.ok()) return s;
  // Every set of weights the run may end with is finite, as a run keeps them.
  for (const std::vector<float>* v : {&m.params, &m.state, &t.good_params_, &t.good_state_, &t.best_params_,
                                      &t.best_state_, &t.ckpt_params_, &t.ckpt_state_})
    if (!all_finite(v->data(), v->size())) return damaged(" (weights that are not numbers)");

  // Everything is checked: the model and the trainer change now.
  *model = std::move(m);
  t.attach(model, train, val);
  *this = std::move(t);
  return {};
}

}  // namespace dl
