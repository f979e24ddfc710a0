// The step-wise trainer: one call to step() trains one batch (and, at an epoch's end, evaluates on
// the validation set and runs the callbacks). Callers decide how often to step, so the same code
// serves the CLI loop, the app's trainer thread and the single-thread app's frame slices.
// What this does not do: threads, printing, or I/O.
#pragma once
#include <chrono>
#include <string>
#include <vector>

#include "../data/augment.h"
#include "../data/dataset.h"
#include "../nn/model.h"
#include "../nn/optimizer.h"
#include "metrics.h"

namespace dl {

struct Reader;  // nn/bytes.h

enum class Monitor : uint8_t { ValLoss, ValAccuracy };
const char* monitor_name(Monitor m);  // "val_loss", "val_accuracy": Keras' names
// Keras' names, and "val_acc" (older Keras' name for val_accuracy). False: none of them.
bool monitor_parse(const std::string& s, Monitor* out);

struct EarlyStoppingConfig {  // Keras EarlyStopping
  bool enabled = false;
  Monitor monitor = Monitor::ValLoss;
  int patience = 0;
  float min_delta = 0;
  bool restore_best = false;
};

struct ReduceLRConfig {  // Keras ReduceLROnPlateau
  bool enabled = false;
  Monitor monitor = Monitor::ValLoss;
  float factor = 0.1f;
  int patience = 10;
  float min_delta = 1e-4f;
  float min_lr = 0;
};

// Keras CosineDecay(initial_learning_rate=opt.lr, decay_steps=the run's steps, alpha) as the optimizer's
// learning rate: step t of a run of T steps (epochs × batches per epoch) trains at
//   lr · (alpha + (1 − alpha) · ½(1 + cos(π · min(t, T) / T))),
// from lr at the first step down to alpha · lr. A run that goes on from another (Trainer::begin without
// new weights) starts its own decay from lr. It sets the rate at every step, so it cannot be combined
// with ReduceLROnPlateau (Keras refuses that too).
struct CosineDecayConfig {
  bool enabled = false;
  float alpha = 0;  // the last step's rate as a fraction of opt.lr
};
// The rate of step `step` (0-based) of `steps`.
double cosine_decay_lr(double lr, double alpha, int64_t step, int64_t steps);

struct CheckpointConfig {  // Keras ModelCheckpoint(save_best_only=True), kept in memory
  bool enabled = false;
  Monitor monitor = Monitor::ValLoss;
};

struct TrainConfig {
  int epochs = 5;
  int batch = 32;
  float val_split = 0.1f;  // fraction of the training set held out for validation
  uint64_t seed = 1;       // initial weights, validation split, shuffles, dropout
  OptimizerConfig opt;
  bool balanced_class_weights = false;  // weight class k by n / (k · count_k)
  // Keras' CategoricalCrossentropy(label_smoothing): the loss's targets are (1 − s)·one-hot + s/K, in
  // training and in the validation loss the callbacks watch (a test set's loss stays plain).
  float label_smoothing = 0;
  EarlyStoppingConfig early;
  ReduceLRConfig reduce_lr;
  CosineDecayConfig cosine;
  CheckpointConfig checkpoint;
  AugmentConfig augment;  // applied to training batches only, drawn from the trainer's seeded rng
};

// Checks every setting's range (train/settings.h); the message names the setting and the range.
Status train_config_check(const TrainConfig& c);

struct EvalResult {
  double loss = 0, accuracy = 0;
  Confusion confusion;
};
// Evaluation mode (no dropout, BatchNorm moving statistics); unweighted cross-entropy, against labels
// smoothed by label_smoothing (a run's validation loss: TrainConfig). batch 0: eval_batch(model). The
// result does not depend on the batch size.
EvalResult evaluate(Model& model, const Dataset& data, int batch = 0, float label_smoothing = 0);

// The same evaluation a batch at a time, for a caller that spreads it out (the app, between frames
// and commands); per_image also keeps each image's predicted class and the probability given to it
// (the app's mistakes view; a validation pass has no use for them). Unlabelled data (a Kaggle test.csv,
// labels empty) needs per_image: its predictions are all it gives (result() is zero). The model and the
// data must outlive it and stay unchanged while it runs.
class Evaluation {
 public:
  Evaluation(Model& model, const Dataset& data, int batch = 0, bool per_image = false, float label_smoothing = 0);
  void step();  // the next batch; nothing once done()
  bool done() const { return pos_ >= data_->n; }
  int position() const { return pos_; }  // images evaluated so far
  EvalResult result() const;              // once done()
  std::vector<uint8_t> predictions;       // per image (per_image only), filled as it goes
  std::vector<float> confidence;          // the probability of the predicted class (per_image only)

 private:
  Model* model_;
  const Dataset* data_;
  int batch_, pos_ = 0;
  float smoothing_;
  int64_t correct_ = 0;
  double loss_ = 0;
  Confusion confusion_;
  std::vector<float> x_;
  std::vector<int> y_, idx_;
};

// The batch evaluation runs in: up to kEvalBatch images, fewer where their activations (layer
// outputs, im2col patches) would pass kEvalBytes, but never fewer than the training batch, whose
// buffers exist anyway. It counts each image's whole patches, though convolutions work through a
// batch a slab at a time (layers.h), which keeps the outputs of an evaluation batch near a training
// batch's: cnn-5x5 (1.3 MB of patches an image) evaluates 50 at a time (its training batch), mlp 500.
constexpr int kEvalBatch = 500;
constexpr size_t kEvalBytes = size_t(64) << 20;
int eval_batch(const Model& model, int train_batch = 0);


// The memory a training run of this model (built with or without arenas) holds at its peak, in
// bytes: weights and gradients, the optimizer's moments, the trainer's weight copies (last good,
// best, checkpoint), the activations of a training batch and of an evaluation batch (the input batch,
// the layer outputs, dropout masks, BatchNorm and max-pool records, the two gradient buffers), and
// for each thread of the kernel pool (its workers, as last set, and the caller) the GEMM's packed
// copies and a convolution slab's im2col patches. Within a few percent of what the allocations come
// to; what a caller keeps besides (a copy for drawing) is the caller's to add.
Size training_bytes(const Model& model, const TrainConfig& cfg);
// The most a run may hold (training_bytes): a browser tab's memory. Trainer::begin refuses more,
// which also keeps each of the run's buffers far below kMaxBatchFloats.
constexpr uint64_t kMaxRunBytes = uint64_t(2) << 30;

// Whether a model can take this data: its input is the data's images (rows × cols, one channel, or as
// many values flat) and its last layer has one unit per class (kNumClasses). The message says what
// to change. Trainer::begin checks it; so must any caller that evaluates a model on data.
Status model_fits_data(const Model& m, const Dataset& d);

// Everything Trainer::begin checks before it takes any memory or changes anything: the settings, the
// model against the data, and the memory the run would hold (kMaxRunBytes). The model may be built
// without arenas, so a caller can check a network before allocating its weights.
Status train_check(const Model& model, const Dataset* train, const Dataset* val, const TrainConfig& cfg);

// Balanced class weights n / (k · count_k), as sklearn's compute_class_weight("balanced").
std::vector<double> balanced_class_weights(const Dataset& d);

struct EpochRecord {
  int epoch = 0;                     // 1-based
  double loss = 0, accuracy = 0;     // running means over the epoch's batches (as Keras shows them)
  double l2 = 0;                     // regularization part of `loss`
  double val_loss = 0, val_accuracy = 0;
  bool has_val = false;
  bool checkpoint = false;           // the keep-best checkpoint improved: these are its weights
  double lr = 0;                     // learning rate of the epoch's last step
  double seconds = 0, samples_per_sec = 0;
  std::vector<std::string> events;   // "lr reduced to 0.0001", "early stop", "best weights restored"
};

struct BatchRecord {
  float loss, accuracy, lr;
};

// A run's epochs as the columns of Keras' CSVLogger: a header of the logged keys in sorted order, then
// a row per epoch counted from 0, as Keras counts them:
//   epoch,accuracy,learning_rate,loss[,val_accuracy,val_loss]
// (the validation columns when the first epoch was validated; learning_rate as Keras 3 logs it).
// Each number in the shortest form that reads back as the same double. Lines end in "\n".
std::string history_csv(const std::vector<EpochRecord>& history);

enum class TrainPhase : uint8_t { Idle, Running, Finished, Stopped, Diverged };
const char* phase_name(TrainPhase p);

// The settings a saved run (Trainer::save) was trained with, read without the rest: a caller needs
// them to make the same validation split before Trainer::load.
Status run_file_config(const uint8_t* bytes, size_t size, TrainConfig* cfg);

class Trainer {
 public:
  // Initializes the model's weights from cfg.seed and prepares the epoch loop. `train` and `val`
  // must outlive the trainer; val may be null or empty (no validation metrics, no callbacks).
  // init_weights false: the model's weights stay, and where this trainer's last run finished or was
  // stopped with the same kind of optimizer on as many weights, so do the optimizer's moments and
  // step count (Optimizer::resume), as when Keras' fit() is called again; after a diverged run, or
  // on a new trainer (weights from a file), the optimizer starts afresh.
  Status begin(Model* model, const Dataset* train, const Dataset* val, const TrainConfig& cfg,
               bool init_weights = true);
  // Trains one batch; returns false once training has ended (finished, stopped or diverged).
  bool step();
  void stop();  // ends training after the current batch, as a user's Stop does
  void set_lr(float lr) { opt_.set_lr(lr); }  // from the next step; under a cosine decay each step sets its own

  TrainPhase phase() const { return phase_; }
  const std::string& message() const { return message_; }  // why it ended (diverged, early stop)
  // A diverged run: the step (counted from the run's start; 0 = the weights it began with) and the
  // number of finished epochs whose weights were restored. The model then holds finite weights.
  int64_t restored_step() const { return restored_step_; }
  int restored_epoch() const { return restored_epoch_; }
  // An epoch whose training accuracy (over the epoch and its last quarter) and validation accuracy
  // are no better than always answering the most common class, plus 2 points, gets a "not learning"
  // event (the first such epoch only). If the last epoch is one, warning() says so when the run
  // finishes, with advice on the learning rate; otherwise it is empty.
  const std::string& warning() const { return warning_; }
  int epoch() const { return epoch_; }                        // 0-based epoch in progress
  int batch() const { return batch_; }                        // batches done in this epoch
  int batches_per_epoch() const { return batches_per_epoch_; }
  int64_t steps_done() const { return steps_; }
  double epoch_loss() const { return seen_ ? loss_sum_ / seen_ : 0; }
  double epoch_accuracy() const { return seen_ ? double(correct_) / seen_ : 0; }
  double samples_per_sec() const;
  float lr() const { return opt_.lr(); }
  int64_t optimizer_steps() const { return opt_.steps(); }  // since the optimizer (re)started
  const TrainConfig& config() const { return cfg_; }
  const std::vector<EpochRecord>& history() const { return history_; }
  const std::vector<BatchRecord>& batches() const { return batch_log_; }
  const std::vector<double>& class_weights() const { return class_weights_; }
  // The keep-best checkpoint: epoch (1-based, 0 = none yet) and its weights.
  int checkpoint_epoch() const { return ckpt_epoch_; }
  const std::vector<float>& checkpoint_params() const { return ckpt_params_; }
  const std::vector<float>& checkpoint_state() const { return ckpt_state_; }
  // The run saved whole between two steps (train/run_file.cpp has the format): the model, the
  // optimizer's moments, the random stream, the position in the epoch and its sums, the history, the
  // callbacks' state and their kept weights. load() reads it back so that the run goes on as if it
  // had never stopped (Keras' fit(initial_epoch=…), and more: the same shuffles, masks and moments):
  // the same weights, bit for bit, as an uninterrupted run. `train` and `val` must be the data it was
  // trained on (checked by count, size and a fingerprint), and outlive the trainer. On any error the
  // message says what is wrong, and the trainer and *model are unchanged.
  std::vector<uint8_t> save() const;
  Status load(const uint8_t* bytes, size_t size, Model* model, const Dataset* train, const Dataset* val);

  // The batch the last step() trained on, as fed to the model (augmented): x (B, rows*cols) in the
  // first last_batch_size() rows, labels y (B). Read between steps, like every other accessor.
  const std::vector<float>& last_batch() const { return x_; }
  const std::vector<int>& last_labels() const { return y_; }
  int last_batch_size() const { return last_b_; }

 private:
  void attach(Model* model, const Dataset* train, const Dataset* val);
  void end_epoch();
  // end_epoch()'s callbacks and its check for a run that learns nothing.
  bool early_stopping(EpochRecord& r);
  void reduce_lr_on_plateau(EpochRecord& r);
  void keep_checkpoint(EpochRecord& r);
  bool epoch_stuck(EpochRecord& r);
  void diverge(const char* what, bool nan, float loss);
  std::string not_learning(const EpochRecord& r) const;
  double monitored(const EpochRecord& r, Monitor m) const;
  bool improved(Monitor m, double current, double best, double min_delta) const;
  // load()'s parts (train/run_file.cpp): each reads on from r into this trainer and checks what it read.
  Status read_settings(Reader& r, uint32_t version, const Model& m, const Dataset* train, const Dataset* val);
  Status read_optimizer_and_order(Reader& r, size_t np, int n);
  Status read_progress(Reader& r, int n);
  Status read_callbacks(Reader& r, size_t np, size_t ns);

  Model* model_ = nullptr;
  const Dataset* train_ = nullptr;
  const Dataset* val_ = nullptr;
  TrainConfig cfg_;
  Optimizer opt_;
  Rng rng_;
  TrainPhase phase_ = TrainPhase::Idle;
  std::string message_, warning_;
  std::vector<int> order_;
  std::vector<float> x_;
  std::vector<int> y_;
  std::vector<float> aug_tmp_;          // (rows*cols) scratch for augmentation
  int last_b_ = 0;
  std::vector<float> cw_;               // per-class weights as float, empty = none
  std::vector<double> class_weights_;
  int epoch_ = 0, batch_ = 0, batches_per_epoch_ = 0;
  int64_t steps_ = 0, seen_ = 0, correct_ = 0, total_seen_ = 0;
  double loss_sum_ = 0, l2_sum_ = 0, epoch_seconds_ = 0, total_seconds_ = 0;
  std::vector<EpochRecord> history_;
  std::vector<BatchRecord> batch_log_;
  // A run that learns nothing: the accuracy of always answering the most common training class.
  double guess_accuracy_ = 0;
  int guess_class_ = 0;
  bool stuck_warned_ = false;
  // callbacks
  double es_best_ = 0, rlr_best_ = 0;
  int es_wait_ = 0, rlr_wait_ = 0, best_epoch_ = -1;
  std::vector<float> best_params_, best_state_;      // EarlyStopping(restore_best_weights)
  double ckpt_best_ = 0;
  int ckpt_epoch_ = 0;
  std::vector<float> ckpt_params_, ckpt_state_;      // keep-best checkpoint
  std::vector<float> good_params_, good_state_;      // weights at the end of the last finished epoch
  int64_t good_step_ = 0, restored_step_ = 0;          // (divergence)
  int good_epoch_ = 0, restored_epoch_ = 0;
  float last_loss_ = 0, last_l2_ = 0;                  // the last finite step's data loss and L2 term
};

}  // namespace dl
