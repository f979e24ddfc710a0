// What the page's automation (window.digitlab.status() and layout(), the e2e tests and benchmarks)
// reads of the app: its state as JSON, and the rectangles of the widgets by name.
#include <cmath>
#include <cstdio>
#include <iterator>
#include <type_traits>

#include "app.h"
#include "core/kernels/pool.h"
#include "core/nn/spec_text.h"
#include "core/train/lesson.h"
#include "core/train/settings.h"
#include "platform/platform.h"

namespace app {

// ---------------------------------------------------------------------------------- JSON output

namespace {
struct Json {
  std::string out;
  bool first = true;
  void sep() {
    if (!first) out += ',';
    first = false;
  }
  void key(const char* k) {
    sep();
    out += '"';
    out += k;
    out += "\":";
    first = true;
  }
  void str(const std::string& v) {
    sep();
    out += '"';
    for (char c : v) {
      if (c == '"' || c == '\\') out += '\\', out += c;
      else if (c == '\n') out += "\\n";
      else if (uint8_t(c) < 0x20) out += ' ';
      else out += c;
    }
    out += '"';
  }
  void num(double v) {
    sep();
    if (!std::isfinite(v)) {
      out += "null";
      return;
    }
    char b[32];
    // Whole numbers exactly (parameter counts pass a million: "%.6g" gave 118566000 for 118565898).
    if (v == std::trunc(v) && std::fabs(v) < 9e15) std::snprintf(b, sizeof b, "%.0f", v);
    else std::snprintf(b, sizeof b, "%.6g", v);
    out += b;
  }
  void boolean(bool v) {
    sep();
    out += v ? "true" : "false";
  }
  void null() {
    sep();
    out += "null";
  }
  void open(char c) {
    sep();
    out += c;
    first = true;
  }
  void close(char c) {
    out += c;
    first = false;
  }
  // A JSON array of r's elements, each written by write(element).
  template <class R, class F>
  void array(const R& r, F&& write) {
    open('[');
    for (const auto& x : r) write(x);
    close(']');
  }
  template <class T>
  void kv(const char* k, T v) {
    key(k);
    if constexpr (std::is_same_v<T, bool>) boolean(v);
    else if constexpr (std::is_arithmetic_v<T>) num(double(v));
    else str(v);
  }
};
}  // namespace

// The model builder: the network being built, its summary and whether it can train.
static void builder_json(const AppState& s, Json& j) {
  const ModelState& m = s.model;
  j.key("model");
  j.open('{');
  j.kv("name", m.spec.name);
  j.kv("layers_text", dl::spec_to_text(m.spec));
  j.kv("total_params", double(m.trainable + m.non_trainable));
  j.kv("trainable_params", double(m.trainable));
  j.kv("non_trainable_params", double(m.non_trainable));
  j.kv("train_bytes", training_memory(m.plan, train_config(s)));  // at the settings a Start would use
  j.kv("error", m.build_error);
  j.kv("error_layer", m.error_layer);
  j.kv("builder_open", m.builder_open);
  j.key("layers");
  j.open('[');
  for (const dl::SummaryRow& r : m.rows) {
    j.open('{');
    j.kv("name", r.layer);
    j.kv("type", r.type);
    j.kv("shape", r.shape);
    j.kv("params", double(r.params));
    j.close('}');
  }
  j.close(']');
  j.close('}');
}

// Whether Start can go (and why the last was refused), and what it would use: the settings (every row
// of the settings table under "values") and Keep weights.
static void settings_json(const AppState& s, Json& j) {
  const ModelState& m = s.model;
  j.kv("can_start", m.build_error.empty() && s.data.phase == DataPhase::Ready);
  j.kv("refused", m.refused);
  const dl::TrainConfig c = train_config(s);
  j.key("settings");
  j.open('{');
  j.kv("optimizer", std::string(dl::opt_name(c.opt.kind)));
  j.kv("lr", c.opt.lr);
  j.kv("momentum", c.opt.momentum);
  j.kv("batch", c.batch);
  j.kv("val_split", c.val_split);
  j.kv("seed", double(c.seed));
  j.kv("class_weights", std::string(c.balanced_class_weights ? "balanced" : "none"));
  const int recipe = current_recipe(s);
  j.kv("recipe", std::string(recipe == 0 ? "notebook" : recipe == 1 ? "improved" : "changed"));
  j.key("values");  // every setting of the settings table, by its lesson-link key (train/settings.h)
  j.open('{');
  for (const dl::NumericSetting& n : dl::numeric_settings()) j.kv(n.key, n.get(c));
  j.close('}');
  j.kv("keep_weights", s.train.keep_weights);
  j.kv("can_keep_weights", can_keep_weights(s));
  j.key("early_stopping");
  j.open('{');
  j.kv("enabled", c.early.enabled);
  j.kv("monitor", std::string(dl::monitor_name(c.early.monitor)));
  j.kv("patience", c.early.patience);
  j.kv("min_delta", c.early.min_delta);
  j.kv("restore_best", c.early.restore_best);
  j.close('}');
  j.key("reduce_lr");
  j.open('{');
  j.kv("enabled", c.reduce_lr.enabled);
  j.kv("monitor", std::string(dl::monitor_name(c.reduce_lr.monitor)));
  j.kv("factor", c.reduce_lr.factor);
  j.kv("patience", c.reduce_lr.patience);
  j.kv("min_lr", c.reduce_lr.min_lr);
  j.close('}');
  j.key("cosine_decay");
  j.open('{');
  j.kv("enabled", c.cosine.enabled);
  j.kv("alpha", c.cosine.alpha);
  j.close('}');
  j.key("augment");
  j.open('{');
  j.kv("rotation", c.augment.rotation_deg);
  j.kv("zoom", c.augment.zoom);
  j.kv("width_shift", c.augment.width_shift);
  j.kv("height_shift", c.augment.height_shift);
  j.kv("hflip", c.augment.hflip);
  j.kv("vflip", c.augment.vflip);
  j.close('}');
  j.close('}');
}

// The callbacks' events, the class weights and the strip of images being fed.
static void feed_json(const AppState& s, Json& j) {
  j.key("events");
  j.open('[');
  for (const dl::EpochRecord& e : s.snap.history)
    for (const std::string& ev : e.events) {
      j.open('{');
      j.kv("epoch", e.epoch);
      j.kv("text", ev);
      j.close('}');
    }
  j.close(']');
  // Class weights: this run's (on its training split), and balanced ones over all training images.
  auto weights = [&](const char* k, const std::vector<double>& w) {
    j.key(k);
    j.open('[');
    for (double v : w) {
      char b[40];
      std::snprintf(b, sizeof b, "%.17g", v);
      j.sep();
      j.out += b;
    }
    j.close(']');
  };
  weights("class_weights", s.snap.class_weights);
  weights("class_weights_all", balanced_weights_all(s));
  j.key("strip");
  j.open('{');
  j.kv("n", s.snap.strip_n);
  j.kv("version", double(s.snap.strip_version));
  j.key("labels");
  j.array(s.snap.strip_labels, [&](int l) { j.num(l); });
  j.close('}');
}

// The run: where it is, its metrics and its epochs.
static void training_json(const AppState& s, Json& j) {
  const Snapshot& sn = s.snap;
  const char* phase = sn.starting ? "starting" : sn.paused ? "paused" : dl::phase_name(sn.phase);
  j.kv("phase", std::string(phase));
  j.kv("message", sn.message);
  j.kv("preset", sn.model_name.empty() ? current_preset(s).name : sn.model_name);
  j.kv("epoch", sn.phase == dl::TrainPhase::Idle ? 0 : std::min(sn.epoch + 1, std::max(1, sn.epochs)));
  j.kv("epochs_done", int(sn.history.size()));
  j.kv("epochs", sn.epochs ? sn.epochs : s.train.cfg.epochs);
  j.kv("batch", sn.batch);
  j.kv("batches_per_epoch", sn.batches_per_epoch);
  j.kv("train_n", sn.train_n);  // the run's training images (My digits' fine-tuning adds its own)
  j.kv("steps", double(sn.steps));
  j.kv("samples_per_sec", sn.samples_per_sec);
  j.key("metrics");
  j.open('{');
  j.kv("loss", sn.epoch_loss);
  j.kv("accuracy", sn.epoch_accuracy);
  j.kv("lr", sn.lr);
  if (!sn.batches.empty()) {
    j.kv("batch_loss", sn.batches.back().loss);
    j.kv("batch_accuracy", sn.batches.back().accuracy);
  }
  j.close('}');
  j.key("history");
  j.open('[');
  for (const dl::EpochRecord& e : sn.history) {
    j.open('{');
    j.kv("epoch", e.epoch);
    j.kv("loss", e.loss);
    j.kv("accuracy", e.accuracy);
    if (e.has_val) {
      j.kv("val_loss", e.val_loss);
      j.kv("val_accuracy", e.val_accuracy);
    }
    j.kv("lr", e.lr);
    j.kv("seconds", e.seconds);
    j.kv("samples_per_sec", e.samples_per_sec);
    j.close('}');
  }
  j.close(']');
  // What the history's val_* and the curves' orange points were measured on.
  j.kv("validation", std::string(sn.val_n == 0 ? "none" : sn.val_is_test ? "test set" : "held out"));
}

// The test set's results, and the images of a clicked confusion-matrix cell.

// A confusion matrix as rows of counts (rows: true digit), or its difference from `minus`.
static void matrix_json(const dl::Confusion& c, const dl::Confusion* minus, Json& j) {
  j.open('[');
  for (int i = 0; i < c.k; ++i) {
    j.open('[');
    for (int k = 0; k < c.k; ++k) j.num(double(c.at(i, k) - (minus ? minus->at(i, k) : 0)));
    j.close(']');
  }
  j.close(']');
}

static void evaluation_json(const AppState& s, Json& j) {
  const Snapshot& sn = s.snap;
  j.kv("run", double(sn.run));                    // counts Starts, loaded models and data switches
  j.kv("eval_version", double(sn.eval_version));  // counts finished test-set evaluations
  j.kv("evaluating", sn.evaluating);
  j.key("test_accuracy");
  if (sn.has_eval) j.num(sn.test_accuracy); else j.null();
  j.key("test_loss");
  if (sn.has_eval) j.num(sn.test_loss); else j.null();
  j.key("confusion");  // rows: true digit, columns: predicted digit
  if (sn.has_eval) matrix_json(sn.confusion, nullptr, j);
  else j.null();
  // The previous run's matrix, and this run's minus it as the Evaluation window shows it (eval_diff).
  const bool both = sn.has_eval && sn.previous.has_confusion() && sn.previous.confusion.k == sn.confusion.k;
  j.key("previous_confusion");
  if (sn.previous.has_confusion()) matrix_json(sn.previous.confusion, nullptr, j);
  else j.null();
  j.key("confusion_diff");
  if (both) matrix_json(sn.confusion, &sn.previous.confusion, j);
  else j.null();
  j.kv("eval_diff", both && s.ui.eval_diff);
  j.kv("predicted_axis", std::string(predicted_axis_title(s)));  // the confusion matrix's column title
  j.key("report_names");                                         // its report's rows, as named there
  j.open('[');
  for (int k = 0; k < dl::kNumClasses; ++k) j.str(report_row_name(s, k));
  j.close(']');
  j.key("cell_view");  // the test images of a clicked confusion-matrix cell, when their window shows
  if (s.cell.shown) {
    const CellView& v = s.cell;
    j.open('{');
    j.kv("truth", v.truth);
    j.kv("predicted", v.predicted);
    j.kv("total", v.total);
    j.key("items");
    j.array(v.items, [&](int i) { j.num(i); });
    j.key("probabilities");
    j.array(v.items, [&](int i) { j.num(s.snap.test_prob[size_t(i)]); });
    j.close('}');
  } else {
    j.null();
  }
}

// Robustness curves as {rotation: [[amount, accuracy], ...], shift: ..., scale: ..., noise: ...}.
static void robustness_curves_json(const Robustness& r, Json& j) {
  j.open('{');
  const std::vector<dl::PerturbPoint>& pts = dl::robustness_points();
  for (int k = 0; k < dl::kPerturbKinds; ++k) {
    j.key(dl::perturb_name(dl::Perturb(k)));
    j.open('[');
    for (size_t i = 0; i < pts.size() && i < r.accuracy.size(); ++i) {
      if (pts[i].kind != dl::Perturb(k)) continue;
      j.open('[');
      j.num(pts[i].amount);
      j.num(r.accuracy[i]);
      j.close(']');
    }
    j.close(']');
  }
  j.close('}');
}

// The "How robust is it?" window (null: closed): the curves of the last request, the previous run's.
static void robustness_json(const AppState& s, Json& j) {
  j.key("robustness");
  if (!s.robust.open) {
    j.null();
    return;
  }
  const Robustness& r = s.snap.robustness;
  const bool asked = robust_current(s);
  j.open('{');
  j.kv("shown", s.robust.shown);
  j.kv("images", s.robust.images);
  j.kv("running", asked && r.running);
  j.kv("progress", asked ? double(r.progress) : 0.0);
  j.kv("error", asked ? r.error : std::string());
  j.kv("model", asked ? r.model_name : std::string());
  j.kv("images_used", asked ? r.images : 0);
  j.key("curves");
  if (asked && r.done) robustness_curves_json(r, j);
  else j.null();
  j.key("previous");
  if (s.snap.previous.robustness.done) robustness_curves_json(s.snap.previous.robustness, j);
  else j.null();
  j.close('}');
}

// "My digits": the kept set, and the current model's reading of it once made.
static void mine_json(const AppState& s, Json& j) {
  const MyDigits& m = s.mine;
  j.key("mine");
  j.open('{');
  j.kv("loaded", m.loaded);
  j.kv("shown", m.shown);
  j.kv("n", m.set.n);
  j.key("labels");
  j.array(m.set.labels, [&](uint8_t k) { j.num(k); });
  j.kv("note", m.note);
  j.kv("error", m.error);
  j.key("test");
  if (m.tested && m.shown) {
    j.open('{');
    j.kv("accuracy", m.accuracy);
    j.key("predictions");
    j.array(m.pred, [&](uint8_t k) { j.num(k); });
    j.key("confusion");
    matrix_json(m.confusion, nullptr, j);
    j.close('}');
  } else {
    j.null();
  }
  const MyDigits::Tune& t = m.tune;
  static const char* const stages[] = {"none", "asked", "running", "reading", "done"};
  j.key("tune");
  j.open('{');
  j.kv("stage", std::string(stages[t.stage]));
  j.key("held");
  j.array(t.held, [&](int i) { j.num(i); });
  j.kv("trained", t.trained);
  j.kv("repeats", t.repeats);
  j.kv("right_before", t.right_before);
  j.kv("right_after", t.right_after);
  j.kv("test_before", t.test_before);
  j.kv("test_after", t.test_after);
  j.kv("run", double(t.run));
  j.kv("error", t.error);
  j.close('}');
  j.close('}');
}

// The lesson link made and what the opening one could not use; the run kept for comparison.
static void lesson_and_previous_json(const AppState& s, Json& j) {
  j.kv("lesson_link", s.ui.share_url);
  j.key("hidden");  // the windows the page's lesson link leaves out (hide=), by their link names
  j.open('[');
  for (int i = 0; i < kPaneCount; ++i)
    if (s.ui.hidden[i]) j.str(dl::kLessonPaneNames[i]);
  j.close(']');
  j.key("locked");  // the settings it keeps as they are (lock=)
  j.array(s.ui.locked, [&](const std::string& n) { j.str(n); });
  j.key("lesson");  // the ready-made lesson set up last (Lessons menu, or a link that is one), or null
  if (s.ui.lesson >= 0 && s.ui.lesson < int(dl::ready_lessons().size())) {
    j.open('{');
    j.kv("index", s.ui.lesson);
    j.kv("title", std::string(dl::ready_lessons()[size_t(s.ui.lesson)].title));
    j.kv("link", std::string(dl::ready_lessons()[size_t(s.ui.lesson)].link));
    j.close('}');
  } else {
    j.null();
  }
  j.key("link_notices");  // what the lesson link could not use (dl::Lesson::notices)
  j.array(s.ui.link_notices, [&](const std::string& n) { j.str(n); });
  j.key("previous_run");  // the run kept for comparison (drawn in grey when `shown`), or null
  if (!s.snap.previous.empty()) {
    const PreviousRun& p = s.snap.previous;
    j.open('{');
    j.kv("model", p.model_name);
    j.kv("epochs", int(p.history.size()));
    j.kv("batches", int(p.batches.size()));
    j.kv("test_accuracy", p.test_accuracy);
    j.kv("shown", s.ui.show_previous);
    j.close('}');
  } else {
    j.null();
  }
}

// The Model window's "What it learned" tab, when it is showing.
static void learned_json(const AppState& s, Json& j) {
  j.key("learned");
  if (s.learned.shown && s.learned.has_kernels && s.draw.model.built()) {
    const LearnedView& v = s.learned;
    const bool maps = v.mode == 1 && v.has_maps && s.draw.pred >= 0;
    j.open('{');
    j.kv("layer", s.draw.model.layers()[v.kernels.layer].name);
    j.kv("mode", std::string(v.mode == 1 ? "maps" : "weights"));
    j.kv("tiles", maps ? v.maps.n : v.kernels.n);
    j.kv("total", v.kernels.total);
    j.kv("tile_h", maps ? v.maps.h : v.kernels.h);
    j.kv("maps_shown", maps);
    // The larger view's "Layer by layer": each layer pictured, as [name, tiles, tile_h, tile_w, units].
    j.key("layers");
    j.open('[');
    if (v.layers_shown)
      for (size_t i = 0; i < v.layers.size(); ++i)
        if (v.layers[i].n > 0) {
          const dl::Tiles& t = v.layers[i];
          j.open('[');
          j.str(s.draw.model.layers()[i].name);
          j.num(t.n), j.num(t.h), j.num(t.w), j.num(t.units);
          j.close(']');
        }
    j.close(']');
    j.close('}');
  } else {
    j.null();
  }
}

// The draw pad's reading.
static void prediction_json(const AppState& s, Json& j) {
  j.key("prediction");
  if (s.draw.pred >= 0) {
    j.open('{');
    j.kv("digit", s.draw.pred);
    j.kv("reads", std::string(s.model_fashion ? "clothes" : "digits"));  // the model's data: what the pad says it reads
    j.key("probabilities");
    j.array(s.draw.probs, [&](float p) { j.num(p); });
    j.kv("latency_ms", s.draw.latency_ms);
    j.kv("latency_text", latency_text(s.draw.latency_ms));
    j.close('}');
  } else {
    j.null();
  }
  // The steps from the drawing to 28 × 28, and the occlusion maps ("From your drawing to 28 × 28").
  const DrawState& d = s.draw;
  j.key("pad_steps");
  j.open('{');
  j.kv("open", d.steps_open);
  j.kv("shown", d.steps_shown);
  j.kv("plain", d.plain);  // the network reads the whole pad shrunk, without the steps
  j.kv("redraw", d.redraw);  // the switch: the strokes drawn again at MNIST's width
  j.kv("from_paths", d.from_paths && !d.plain);  // what the network reads came from the strokes' paths
  j.kv("paths", d.paths.strokes.size());
  j.kv("points", d.paths.points);
  j.kv("paths_full", d.paths.full);
  j.kv("has_ink", d.has_ink);
  j.key("box");            // the ink's bounding box on the pad: y0, x0, height, width (pad pixels)
  j.array(std::vector<int>{d.steps.y0, d.steps.x0, d.steps.h, d.steps.w}, [&](int v) { j.num(v); });
  j.key("boxed_com");      // the centre of mass (y, x) after scaling the box, before moving it
  j.array(std::vector<float>{d.steps.boxed_cy, d.steps.boxed_cx}, [&](float v) { j.num(v); });
  j.key("com");            // after moving it: (14, 14)
  j.array(std::vector<float>{d.steps.cy, d.steps.cx}, [&](float v) { j.num(v); });
  float py, px;
  dl::center_of_mass(d.plain28, &py, &px);
  j.key("plain_com");      // of the whole pad shrunk
  j.array(std::vector<float>{py, px}, [&](float v) { j.num(v); });
  j.key("input_com");      // of what the network reads
  dl::center_of_mass(d.img28, &py, &px);
  j.array(std::vector<float>{py, px}, [&](float v) { j.num(v); });
  double mass = 0;         // its ink, in pixels of full ink (MNIST's digits average 102)
  for (float v : d.img28) mass += v;
  j.kv("input_mass", mass);
  j.key("why");            // the occlusion maps for the class read and the runner-up, once made
  if (d.why_ready) {
    j.open('{');
    j.key("classes");
    j.array(d.why_class, [&](int k) { j.num(k); });
    j.key("maps");         // 28 × 28 each, row by row
    j.array(d.why_map, [&](const std::vector<float>& m) { j.array(m, [&](float v) { j.num(v); }); });
    j.close('}');
  } else {
    j.null();
  }
  j.close('}');
}

// The "Unusual images" window, when open (null: closed).
static void outliers_json(const AppState& s, Json& j) {
  j.key("outliers");
  const OutliersView& o = s.outliers;
  if (!o.open) {
    j.null();
  } else {
    j.open('{');
    j.kv("shown", o.shown);
    j.kv("ready", o.ready);
    j.kv("progress", o.ready ? 1.0 : o.scan ? double(o.scan->progress()) : 0.0);
    j.kv("digit", o.digit);
    j.key("atypical");  // per digit: training-image indices, farthest from the digit's average first
    if (o.ready) j.array(o.result.atypical, [&](const std::vector<int>& v) { j.array(v, [&](int i) { j.num(i); }); });
    else j.null();
    j.key("distance");  // and their root-mean-square distances, grey levels
    if (o.ready) j.array(o.result.distance, [&](const std::vector<double>& v) { j.array(v, [&](double x) { j.num(x); }); });
    else j.null();
    j.key("pairs");
    if (o.ready)
      j.array(o.result.pairs, [&](const dl::ClassOutliers::Pair& p) {
        j.open('{');
        j.kv("a", p.a);
        j.kv("b", p.b);
        j.kv("count", p.count);
        j.key("examples");
        j.array(p.examples, [&](int i) { j.num(i); });
        j.close('}');
      });
    else j.null();
    j.key("picked");
    if (o.picked >= 0 && o.picked < data_train(s).n) {
      j.open('{');
      j.kv("index", o.picked);
      j.kv("label", int(data_train(s).labels[size_t(o.picked)]));
      j.key("predicted");
      if (o.read_pred >= 0) j.num(o.read_pred); else j.null();
      j.kv("probability", o.read_pred >= 0 ? double(o.read_prob) : 0.0);
      j.close('}');
    } else {
      j.null();
    }
    j.close('}');
  }
}

// A Kaggle test.csv and its predictions (null: none loaded).
static void kaggle_json(const AppState& s, Json& j) {
  j.key("kaggle");
  if (!s.data.kaggle) {
    j.null();
  } else {
    const Predictions& p = s.snap.predictions;
    const bool asked = s.data.kaggle_request != 0 && p.request == s.data.kaggle_request;
    j.open('{');
    j.kv("name", s.data.kaggle_name);
    j.kv("images", s.data.kaggle->n);
    j.kv("predicting", asked && p.running);
    j.kv("progress", asked ? double(p.progress) : 0.0);
    j.kv("done", asked && p.done);
    j.kv("predicted", asked && p.done ? double(p.labels.size()) : 0.0);
    j.kv("model", asked ? p.model_name : std::string());
    j.kv("error", asked ? p.error : std::string());
    j.close('}');
  }
}

// The dataset: loading, sizes, the user's own files.
static void data_json(const AppState& s, Json& j) {
  j.key("data");
  j.open('{');
  const char* dp[] = {"waiting", "loading", "ready", "failed"};
  j.kv("phase", std::string(dp[int(s.data.phase)]));
  j.kv("loaded_bytes", s.data.loaded);
  j.kv("total_bytes", s.data.total);
  j.kv("train", data_train(s).n);
  j.kv("test", data_test(s).n);
  j.kv("source", s.data.source);
  j.kv("user_error", s.data.user_error);
  j.kv("user_note", s.data.user_note);
  j.kv("error", s.data.error);
  j.kv("ready_ms", s.data.ready_ms);
  // Which images: "mnist", "fashion" or "own"; the class names the windows use (the counts table, the
  // gallery's tooltips, the report) and the gallery's images by the names their tooltips give.
  j.kv("dataset", std::string(s.data.fashion ? "fashion" : s.data.own() ? "own" : "mnist"));
  j.kv("fashion_fetching", s.data.fashion_fetching);
  j.kv("fashion_fetches", s.data.fashion_fetches);  // times the page was asked for its files
  j.key("class_names");
  j.open('[');
  for (int k = 0; k < dl::kNumClasses; ++k) j.str(class_name(s, k));
  j.close(']');
  j.key("sample_names");
  j.array(s.data.sample_labels, [&](int k) { j.str(class_name(s, k)); });
  outliers_json(s, j);
  kaggle_json(s, j);
  j.close('}');
}

// How the app runs (threads, SIMD, isolation) and the UI: frames, layout, keyboard, memory.
static void environment_and_ui_json(const AppState& s, Json& j) {
  j.kv("threads", s.env.threads);
  j.kv("workers", s.bridge->workers());
  j.kv("cores", s.env.cores);
  j.kv("simd", s.env.simd);
  j.kv("isolated", s.env.isolated);
  j.kv("build", std::string(s.env.threads ? "threads" : "single-thread"));
  j.kv("frames", double(s.ui.frames));
  j.kv("fps", s.ui.fps);
  j.kv("frame_interval", double(s.ui.frame_interval));
  j.kv("frame_at_ms", s.ui.last_frame_ms);  // when the last frame began (the page's clock): this status is of then
  j.kv("frame_period_ms", s.ui.frame_period_ms);
  // The UI's own cost (main.cpp: measure_frame) and whether frames are paced to leave the CPU to training.
  j.kv("frame_cost_ms", s.ui.frame_cost_ms);
  j.kv("ui_share", s.ui.ui_share);
  j.kv("saving_cpu", s.ui.saving_cpu);
  {  // the median of the last frames' build times (Ui::build_ms)
    const size_t n = size_t(std::min<uint64_t>(s.ui.frames, std::size(s.ui.build_ms)));
    std::vector<float> b(s.ui.build_ms, s.ui.build_ms + n);
    std::sort(b.begin(), b.end());
    j.kv("ui_ms", n ? double(b[n / 2]) : 0.0);
  }
  // "wide": the five windows side by side; "narrow": one at a time, `pane` names it.
  j.kv("layout", std::string(s.ui.narrow ? "narrow" : "wide"));
  j.kv("font_px", double(s.ui.font_px));  // follows the page's size (ui/layout.cpp: font_for_page)
  j.kv("focused", s.ui.focused);          // the widget the keyboard is on (its layout() name), "" if none
  j.kv("key_window", std::string(s.ui.key_pane >= 0 ? kPaneNames[s.ui.key_pane] : ""));  // the window that has it
  j.kv("pane", std::string(s.ui.narrow ? kPaneNames[s.ui.pane] : ""));
  j.kv("hovering", s.ui.hovering);
  j.key("tabs");  // the tabs' labels as drawn ("Results •": new results not yet looked at)
  j.open('[');
  if (s.ui.narrow)
    for (int i = 0; i < kPaneCount; ++i) j.str(pane_label(s, i));
  j.close(']');
  j.kv("trainer_fault", s.trainer_fault);  // a fault on the trainer side, until a new trainer is made
  j.kv("model_error", s.model.error);
  j.kv("model_notice", s.model.notice);
  j.kv("heap_in_use", platform::memory_in_use());  // bytes malloc holds (bench/soak.mjs)
  j.kv("heap_size", platform::memory_size());       // the wasm memory, which never shrinks
}

// Runs kept in this browser (runs.cpp).
static void runs_json(const AppState& s, Json& j) {
  j.key("runs");
  j.open('{');
  j.kv("saved", double(s.runs.list.size()));
  j.kv("current", s.runs.current_id);
  j.kv("saved_epochs", s.runs.saved_epochs);
  j.kv("save_ms", 1000 * s.runs.save_seconds);  // serializing the last autosave, on the trainer side
  j.kv("restored", double(s.snap.restored));
  j.kv("notice", s.runs.notice);
  j.kv("error", s.runs.error);
  j.kv("usage", s.runs.usage);
  j.key("list");
  j.open('[');
  for (const SavedRun& r : s.runs.list) {
    j.open('{');
    j.kv("id", r.id);
    j.kv("model", r.model_name);
    j.kv("epochs_done", r.epochs_done);
    j.kv("epochs", r.epochs);
    j.kv("unfinished", r.unfinished());
    j.kv("test_accuracy", r.test_accuracy);
    j.kv("bytes", r.bytes);
    j.close('}');
  }
  j.close(']');
  j.close('}');
}

std::string status_json(AppState& s) {
  // A preset picked or a model loaded since the last frame: report the summary of the network the
  // status names, not the previous one (the Model window would redo it at the next frame).
  if (s.model.summary_dirty) model_spec_changed(s);
  Json j;
  j.open('{');
  training_json(s, j);
  evaluation_json(s, j);
  robustness_json(s, j);
  mine_json(s, j);
  lesson_and_previous_json(s, j);
  learned_json(s, j);
  prediction_json(s, j);
  data_json(s, j);
  environment_and_ui_json(s, j);
  runs_json(s, j);
  builder_json(s, j);
  settings_json(s, j);
  feed_json(s, j);
  j.close('}');
  return j.out;
}

std::string frame_json(const AppState& s) {
  Json j;
  j.open('{');
  j.kv("stage", std::string(s.ui.stage));
  j.kv("frames", double(s.ui.frames));
  j.kv("heap_size", platform::memory_size());
  j.close('}');
  return j.out;
}

std::string layout_json(const AppState& s) {
  Json j;
  j.open('{');
  for (const auto& [name, r] : s.ui.rects) {
    j.key(name.c_str());
    j.open('{');
    j.kv("x", r.x);
    j.kv("y", r.y);
    j.kv("w", r.z);
    j.kv("h", r.w);
    j.close('}');
  }
  j.close('}');
  return j.out;
}

}  // namespace app
