// The run file: a training run between two steps, written by Trainer::save and read by Trainer::load.
//   "DGLBRUN1" (8 bytes) | u32 version (1) | u32 model-file length | model file (nn/model_file.h) |
//   the settings (TrainConfig, field by field) | the data: u32 n, rows, cols, fingerprint, the same for
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
constexpr uint32_t kRunFileVersion = 1;
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
}
TrainConfig read_config(Reader& r) {
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

}  // namespace

Status run_file_config(const uint8_t* bytes, size_t size, TrainConfig* cfg) {
  if (size < 16 || std::memcmp(bytes, kMagic, 8) != 0) return Status::fail("this is not a saved Digit Lab run");
  Reader r{bytes, size - 4};
  r.pos = 8;
  if (r.u32() != kRunFileVersion) return Status::fail("the saved run is from another version of Digit Lab");
  if (fnv1a(bytes, size - 4) != Reader{bytes + size - 4, 4}.u32())
    return Status::fail("the saved run is damaged (its checksum does not match)");
  const uint32_t model_len = r.u32();
  if (!r.need(model_len)) return Status::fail("the saved run is damaged (truncated model)");
  r.pos += model_len;
  TrainConfig c = read_config(r);
  if (!r.ok) return Status::fail("the saved run is damaged (settings)");
  Status s = train_config_check(c);
  if (!s.ok()) return Status::fail("the saved run is damaged: " + s.error);
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

Status Trainer::load(const uint8_t* bytes, size_t size, Model* model, const Dataset* train, const Dataset* val) {
  const std::string damaged = "the saved run is damaged";
  if (size < 16 || std::memcmp(bytes, kMagic, 8) != 0) return Status::fail("this is not a saved Digit Lab run");
  Reader r{bytes, size};
  r.pos = 8;
  const uint32_t version = r.u32();
  if (version != kRunFileVersion)
    return Status::fail("the saved run has version " + std::to_string(version) + "; this Digit Lab reads version " +
                        std::to_string(kRunFileVersion));
  if (fnv1a(bytes, size - 4) != Reader{bytes + size - 4, 4}.u32())
    return Status::fail(damaged + " (its checksum does not match)");
  r.n = size - 4;  // the checksum is not part of the fields
  const uint32_t model_len = r.u32();
  if (!r.need(model_len)) return Status::fail(damaged + " (truncated model)");
  Model m;
  Status s = model_load(bytes + r.pos, model_len, &m);
  if (!s.ok()) return Status::fail(damaged + ": " + s.error);
  r.pos += model_len;
  const size_t np = m.params.size(), ns = m.state.size();

  Trainer t;
  t.cfg_ = read_config(r);
  if (!r.ok) return Status::fail(damaged + " (settings)");
  s = train_config_check(t.cfg_);
  if (!s.ok()) return Status::fail(damaged + ": " + s.error);
  const bool data_ok = same_data(r, train);
  const bool val_ok = same_data(r, val && val->n > 0 ? val : nullptr);
  if (!r.ok) return Status::fail(damaged + " (data)");
  if (!data_ok || !val_ok)
    return Status::fail("the saved run was trained on other data than the data loaded now; load the data it was "
                        "trained on to go on with it");
  s = train_check(m, train, val, t.cfg_);
  if (!s.ok()) return s;
  const OptimizerConfig oc = read_opt(r);
  {  // the optimizer's own settings (a reduced learning rate) within the same ranges as the run's
    TrainConfig with = t.cfg_;
    with.opt = oc;
    if (!r.ok || oc.kind != t.cfg_.opt.kind || !train_config_check(with).ok()) return Status::fail(damaged + " (optimizer)");
  }
  const uint64_t opt_t = r.u64();
  std::vector<float> om = r.floats(int64_t(np), np);
  std::vector<float> ov = r.floats(oc.kind == OptKind::SGD ? 0 : int64_t(np), np);
  if (!r.ok || opt_t > (uint64_t(1) << 62) || !t.opt_.restore(oc, np, int64_t(opt_t), std::move(om), std::move(ov)))
    return Status::fail(damaged + " (optimizer)");
  const uint64_t rs = r.u64(), ri = r.u64();
  if (!r.ok || (ri & 1) == 0) return Status::fail(damaged + " (random stream)");  // PCG's increment is odd
  t.rng_.restore(rs, ri);
  const uint64_t order_n = r.u64();
  if (!r.ok || order_n != uint64_t(train->n) || (r.n - r.pos) / 4 < order_n) return Status::fail(damaged + " (order)");
  t.order_.resize(size_t(order_n));
  std::vector<uint8_t> seen(size_t(order_n), 0);
  for (int& i : t.order_) {
    i = r.i32();
    if (i < 0 || i >= train->n || seen[size_t(i)]++) return Status::fail(damaged + " (order)");
  }
  t.epoch_ = r.i32(); t.batch_ = r.i32();
  t.steps_ = int64_t(r.u64()); t.seen_ = int64_t(r.u64()); t.correct_ = int64_t(r.u64()); t.total_seen_ = int64_t(r.u64());
  t.loss_sum_ = r.f64(); t.l2_sum_ = r.f64(); t.epoch_seconds_ = r.f64(); t.total_seconds_ = r.f64();
  const uint8_t phase = r.u8();
  t.message_ = r.str(kMaxText);
  t.warning_ = r.str(kMaxText);
  t.batches_per_epoch_ = (train->n + t.cfg_.batch - 1) / t.cfg_.batch;
  if (!r.ok || phase == uint8_t(TrainPhase::Idle) || phase > uint8_t(TrainPhase::Diverged) || t.epoch_ < 0 ||
      t.epoch_ > t.cfg_.epochs || t.batch_ < 0 || t.batch_ >= t.batches_per_epoch_ || t.steps_ < 0 || t.seen_ < 0 ||
      t.seen_ > train->n || t.correct_ < 0 || t.correct_ > t.seen_ || t.total_seen_ < 0)
    return Status::fail(damaged + " (position)");
  t.phase_ = TrainPhase(phase);
  if (t.phase_ == TrainPhase::Running && t.epoch_ >= t.cfg_.epochs) return Status::fail(damaged + " (position)");
  const uint32_t nh = r.u32();
  if (!r.ok || nh != uint32_t(t.epoch_)) return Status::fail(damaged + " (history)");  // one record a finished epoch
  for (uint32_t i = 0; i < nh && r.ok; ++i) {
    EpochRecord e;
    e.epoch = r.i32();
    e.loss = r.f64(); e.accuracy = r.f64(); e.l2 = r.f64(); e.val_loss = r.f64(); e.val_accuracy = r.f64();
    e.has_val = read_bool(r); e.checkpoint = read_bool(r);
    e.lr = r.f64(); e.seconds = r.f64(); e.samples_per_sec = r.f64();
    const uint32_t ne = r.u32();
    if (ne > kMaxEvents) r.ok = false;
    for (uint32_t k = 0; k < ne && r.ok; ++k) e.events.push_back(r.str(kMaxText));
    t.history_.push_back(std::move(e));
  }
  const uint64_t nb = r.u64();
  if (!r.ok || nb != uint64_t(t.steps_) || (r.n - r.pos) / 12 < nb) return Status::fail(damaged + " (batch log)");
  t.batch_log_.resize(size_t(nb));
  for (BatchRecord& b : t.batch_log_) { b.loss = r.f32(); b.accuracy = r.f32(); b.lr = r.f32(); }
  t.es_best_ = r.f64(); t.rlr_best_ = r.f64(); t.ckpt_best_ = r.f64();
  t.es_wait_ = r.i32(); t.rlr_wait_ = r.i32(); t.best_epoch_ = r.i32(); t.ckpt_epoch_ = r.i32();
  t.stuck_warned_ = read_bool(r);
  // Kept weights are empty or whole.
  auto weights = [&](std::vector<float>* v, size_t n) {
    *v = r.floats(-1, n);
    if (!v->empty() && v->size() != n) r.ok = false;
  };
  weights(&t.best_params_, np); weights(&t.best_state_, ns);
  weights(&t.ckpt_params_, np); weights(&t.ckpt_state_, ns);
  weights(&t.good_params_, np); weights(&t.good_state_, ns);
  t.good_step_ = int64_t(r.u64()); t.good_epoch_ = r.i32();
  t.last_loss_ = r.f32(); t.last_l2_ = r.f32();
  if (!r.ok || r.pos != r.n) return Status::fail(damaged + " (callbacks or length)");
  if (t.good_params_.size() != np || t.good_state_.size() != ns) return Status::fail(damaged + " (weights)");
  // Every set of weights the run may end with is finite, as a run keeps them.
  for (const std::vector<float>* v : {&m.params, &m.state, &t.good_params_, &t.good_state_, &t.best_params_,
                                      &t.best_state_, &t.ckpt_params_, &t.ckpt_state_})
    if (!all_finite(v->data(), v->size())) return Status::fail(damaged + " (weights that are not numbers)");

  // Everything is checked: the model and the trainer change now.
  *model = std::move(m);
  t.attach(model, train, val);
  *this = std::move(t);
  return {};
}

}  // namespace dl
