// The trainer bridge: the only state shared between the UI (browser main thread) and training.
// The UI sends commands (start, pause, resume, stop, step one batch, change the learning rate,
// evaluate, use a loaded model) through a short mutex-protected queue and copies a snapshot of the
// metrics each frame. Training runs either on its own thread (threads build: a pthread, i.e. a Web
// Worker, not tied to animation frames) or, in the single-thread build, in short slices that the
// main loop asks for with pump(). The UI thread never waits on the trainer: its snapshot and weights
// are taken with a try-lock, and a frame that finds them busy keeps the last ones. A fault on the
// trainer thread or a kernel worker (a WebAssembly trap, under dl::run_guarded) ends that thread and
// is reported by failed(); such a Bridge is not used again (app.cpp makes a new one). What this does
// not do: any UI, any I/O.
#pragma once
#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "core/data/dataset.h"
#include "core/kernels/pool.h"
#include "core/nn/model.h"
#include "core/train/metrics.h"
#include "core/train/robustness.h"
#include "core/train/trainer.h"

namespace app {

// The "How robust is it?" curves of the current model (dl::RobustnessSweep), made on request
// (Bridge::robustness) a batch per unit of work, after the test evaluation and before training, so the
// weights do not change under them (the app asks only while no run is in progress). They belong to the
// run: a new run starts without them, but with the message if it cancelled them.
struct Robustness {
  uint64_t request = 0;          // the Bridge::robustness call they answer (0: none yet)
  bool running = false, done = false;
  float progress = 0;
  int images = 0;                // test images per point
  std::string model_name;        // the model they are of
  std::string error;             // why there are none: no model, cancelled, the model changed
  std::vector<double> accuracy;  // per dl::robustness_points() point, once done
};

// The run before the current one, kept for comparison: its curves (drawn in grey under the current
// curves) and its test-set confusion matrix (the Evaluation window's difference). A run's record moves
// here when the next one starts (or a model is loaded), if it had curves or a test evaluation.
struct PreviousRun {
  uint64_t run = 0;  // the Snapshot::run it was
  std::vector<dl::BatchRecord> batches;
  std::vector<dl::EpochRecord> history;
  int batches_per_epoch = 0;
  std::string model_name;
  double test_accuracy = -1;  // of its model on the test set; -1: not evaluated
  dl::Confusion confusion{0};  // of its model on the test set; k 0: not evaluated
  Robustness robustness;       // its curves, if they were made (done)
  bool empty() const { return batches.empty() && history.empty(); }  // no curves to draw
  bool has_confusion() const { return confusion.k > 0 && confusion.total() > 0; }
};

// Predictions of the current model for images without labels (a Kaggle test.csv), made on request
// (Bridge::predict) a batch per unit of work, as the test-set evaluation.
struct Predictions {
  uint64_t request = 0;          // the Bridge::predict call they answer (0: none yet)
  bool running = false;
  float progress = 0;
  bool done = false;             // labels hold the answer to `request`
  std::string model_name;        // the model that made them
  std::string error;             // why there are none: no model, or the model changed before the end
  std::vector<uint8_t> labels;   // one per image, in order
};

// What the UI sees; copied under a short lock once per frame.
struct Snapshot {
  uint64_t run = 0;                 // increments with every Start (or model load)
  dl::TrainPhase phase = dl::TrainPhase::Idle;
  bool paused = false, starting = false;
  std::string message;              // why training ended, or an error in plain words
  bool error = false;               // message is the bridge's error (a refused Start, a run not opened)
  bool warned = false;              // message ends with the trainer's warning (dl::Trainer::warning)
  std::string model_name;
  int epoch = 0, epochs = 0, batch = 0, batches_per_epoch = 0, batch_size = 0;
  int train_n = 0, val_n = 0;
  bool val_is_test = false;         // no held-out split: the test set is the validation data
  float label_smoothing = 0;        // the run's: its training and validation losses are smoothed
  int64_t steps = 0;
  double epoch_loss = 0, epoch_accuracy = 0, samples_per_sec = 0, lr = 0, seconds = 0;
  std::vector<dl::EpochRecord> history;
  std::vector<dl::BatchRecord> batches;  // every batch of this run, appended incrementally
  std::vector<double> class_weights;     // the run's per-class loss weights (empty = none)
  // A few of the (augmented) images the trainer is feeding, refreshed a few times a second.
  static constexpr int kStripMax = 16;
  std::vector<uint8_t> strip;            // (strip_n, 28*28) grey levels
  std::vector<int> strip_labels;
  int strip_n = 0, strip_hw = 28;
  uint64_t strip_version = 0;          // never restarts: Bridge::snapshot copies the strip when it differs
  // Test-set evaluation of the current model.
  bool evaluating = false;
  float eval_progress = 0;
  bool has_eval = false;
  uint64_t eval_version = 0;           // never restarts, like strip_version (a new run keeps counting)
  double test_loss = 0, test_accuracy = 0;
  dl::Confusion confusion;
  dl::Report report;
  // Per test image, from the same evaluation: the predicted class and the probability given to it.
  std::vector<uint8_t> test_pred;
  std::vector<float> test_prob;
  Predictions predictions;          // labels copied by snapshot() only when `request` or `done` changed
  Robustness robustness;
  bool has_model = false;           // trained or loaded weights exist
  uint64_t params_version = 0;      // bumps whenever published weights change
  PreviousRun previous;             // kept by snapshot() on the UI side, not by the trainer thread
  // A saved run was opened (Bridge::restore): counts them; its network and settings, for the UI's.
  uint64_t restored = 0;
  dl::ModelSpec restored_spec;
  dl::TrainConfig restored_cfg;
};

// A run saved whole (dl::Trainer::save) for the page to keep in IndexedDB, made on the trainer side
// at the end of every epoch, on pause and stop, when the run ends and when its test evaluation is
// done: what the UI hands to the page (app/runs.cpp), with what the run list shows of it.
struct Autosave {
  uint64_t version = 0;      // counts every autosave of this bridge
  uint64_t run = 0;          // Snapshot::run it belongs to
  std::vector<uint8_t> bytes;
  std::string model_name;
  dl::TrainPhase phase = dl::TrainPhase::Idle;
  bool paused = false;
  int epochs_done = 0, epochs = 0, batches_per_epoch = 0;
  double test_accuracy = -1;  // -1: not evaluated yet
  dl::Confusion confusion{0};  // with test_accuracy; k 0: not evaluated yet
  std::vector<dl::EpochRecord> history;
  std::vector<dl::BatchRecord> batches;
  double seconds = 0;         // what making it took (serializing), for docs/benchmarks.md
};

class Bridge {
 public:
  Bridge() = default;
  Bridge(const Bridge&) = delete;
  Bridge& operator=(const Bridge&) = delete;
  ~Bridge();  // ends the trainer thread; the app never destroys a Bridge (the tests do)
  // threaded: run on a std::thread (threads build); else the caller must pump(). workers: kernel
  // pool workers the trainer thread starts (threads build only).
  void init(bool threaded, int workers);
  // The datasets must stay alive and unchanged from here on.
  void set_data(const dl::Dataset* train_all, const dl::Dataset* test);
  // Switches to other datasets (the user's own files, or back to MNIST): stops training if it runs,
  // forgets the cached validation split and evaluates the current model on the new test set. The
  // trainer side keeps the pointers alive until the next switch, so the UI may drop its copies.
  void replace_data(std::shared_ptr<const dl::Dataset> train_all, std::shared_ptr<const dl::Dataset> test);

  // keep_weights: start from the current model's weights where they fit spec (dl::same_weight_layout),
  // as calling fit() again in Keras; otherwise, and by default, from new random weights.
  // extra: images trained on with the data in use's training part in this run only (My digits'
  // fine-tuning: the kept digits, repeated as often as they should count); its images the data's size.
  void start(const dl::ModelSpec& spec, const dl::TrainConfig& cfg, bool paused = false, bool keep_weights = false,
             std::shared_ptr<const dl::Dataset> extra = nullptr);
  void pause();
  void resume();
  void stop();
  void step_once();   // one batch (starts paused training first when idle: pass spec/cfg)
  void set_lr(float lr);
  void evaluate();
  // The current model's prediction for each of `images` (no labels needed), answered in the snapshot's
  // Predictions under this request number (ask with a new one each time). A Start, Stop, data switch,
  // loaded model or restored run before the end cancels it, with a message.
  void predict(std::shared_ptr<const dl::Dataset> images, uint64_t request);
  // The current model's robustness curves over the first `images` test images, answered in the
  // snapshot's Robustness under this request number; images 0 cancels the curves under way. A Start,
  // data switch, loaded model or restored run before the end cancels them, with a message.
  void robustness(int images, uint64_t request);
  void use_model(const dl::Model& m);  // a model loaded from a file replaces the trained one
  // A saved run (dl::Trainer::save) replaces the current one, paused where it was saved; its test
  // results are computed again. If it cannot be read, or was trained on other data, the message says
  // so and nothing changes but the stopped run.
  void restore(std::shared_ptr<const std::vector<uint8_t>> bytes);
  // A newer autosave than *version, moved into *out (try-lock: false when there is none or the
  // trainer side holds it this moment).
  bool take_autosave(uint64_t* version, Autosave* out);

  // Single-thread build: do training work for about budget_ms, under the fault guard. Returns true if
  // work remains.
  bool pump(double budget_ms);
  // The trainer thread, a kernel worker or (single-thread build) pump() faulted: *what says how.
  bool failed(std::string* what) const;
  // For the tests of the page's fault handling (digitlab_test_fault): the trainer side traps at its
  // next unit of work (where 1), has a kernel worker trap (where 2), or trains the last batch of the
  // current epoch at an infinite learning rate, so that its update overflows (where 3).
  void test_fault(int where);
  bool threaded() const { return threaded_; }
  int workers() const { return workers_; }

  // Copies the shared snapshot into *s (the batch log incrementally), unless the trainer side holds
  // it this moment: then *s stays as it was and this returns false.
  bool snapshot(Snapshot* s);
  // If the published weights are newer than *version (and not being published this moment), copies
  // them into *dst (rebuilding it when the architecture changed) and returns true.
  bool fetch_model(uint64_t* version, dl::Model* dst);

 private:
  enum class Cmd : uint8_t { Start, Pause, Resume, Stop, Step, SetLr, Evaluate, UseModel, SetData, Fault, Restore, Predict, Robust };
  struct Command {
    explicit Command(Cmd c) : cmd(c) {}
    Cmd cmd;
    dl::ModelSpec spec;
    dl::TrainConfig cfg;
    float value = 0;
    bool flag = false;
    bool keep = false;  // Start: from the current weights
    std::shared_ptr<dl::Model> model;
    std::shared_ptr<const dl::Dataset> train_all, test;  // SetData; test: Predict's images; train_all: Start's extra
    uint64_t request = 0;                                 // Predict, Robust
    std::shared_ptr<const std::vector<uint8_t>> bytes;    // Restore
  };
  void push(Command c);
  void thread_main();
  void thread_loop();
  void record_fault(const char* what);
  bool work_once();          // trainer side: one unit of work; false when idle
  void handle(Command& c);   // trainer side
  void do_start(Command& c);
  void do_set_data(Command& c);
  void do_fault(int what);
  void do_use_model(Command& c);
  void do_restore(const std::vector<uint8_t>& bytes);
  void split_for(const dl::TrainConfig& cfg);  // train_ and val_ for these settings
  void autosave();
  void eval_begin();
  void eval_chunk();
  void predict_begin(Command& c);
  void predict_chunk();
  void predict_cancel(const char* why);
  void robust_begin(const Command& c);
  void robust_chunk();
  void robust_cancel(const char* why);
  void publish(bool weights);
  void fresh_snapshot();    // a new run: empty curves and results; the versions keep counting

  bool threaded_ = false;
  int workers_ = 0;
  std::thread thread_;
  std::atomic<bool> quit_{false};
  dl::ThreadPool* pool_ = nullptr;  // the kernel pool this bridge's trainer uses
  std::atomic<bool> faulted_{false};
  char fault_[256] = {};

  std::mutex cmd_mu_;
  std::condition_variable cmd_cv_;
  std::deque<Command> cmds_;

  // ---- trainer side only (the trainer thread, or the main thread inside pump())
  const dl::Dataset* train_all_ = nullptr;
  const dl::Dataset* test_ = nullptr;
  std::shared_ptr<const dl::Dataset> keep_train_, keep_test_;  // owners after replace_data()
  dl::Dataset train_, val_;
  dl::Dataset mixed_;  // train_ and a Start's extra images, while the run that trains on them lasts
  float split_of_ = -1;
  uint64_t split_seed_ = 0;
  dl::Model model_;
  dl::Trainer trainer_;
  bool paused_ = false, has_model_ = false;
  int pending_steps_ = 0;
  uint64_t run_ = 0;
  std::string error_, model_name_;
  std::unique_ptr<dl::Evaluation> eval_;  // the test-set evaluation under way, a batch per work_once()
  std::shared_ptr<const dl::Dataset> predict_images_;
  std::unique_ptr<dl::Evaluation> predict_;  // predictions under way (Predict), after eval_, before training
  std::unique_ptr<dl::RobustnessSweep> robust_;  // robustness curves under way (Robust), after predict_
  size_t saved_epochs_ = 0;               // history length at the last autosave
  bool diverge_at_epoch_end_ = false;     // test_fault(3)
  double last_publish_ = 0;
  double last_strip_ = 0;
  // Wall-clock samples/s over the last few seconds: the trainer's own clock counts only its steps,
  // which in the single-thread build leaves out the frames in between.
  std::deque<std::pair<double, int64_t>> rate_window_;  // (ms, samples trained)
  double wall_rate_ = 0;

  // ---- shared, under mu_
  std::mutex mu_;
  Snapshot shared_;
  // ---- the latest autosave, under save_mu_
  std::mutex save_mu_;
  Autosave save_;
  // ---- shared weights, under params_mu_
  std::mutex params_mu_;
  dl::ModelSpec pub_spec_;
  std::vector<float> pub_params_, pub_state_;
  uint64_t pub_version_ = 0;
};

}  // namespace app
