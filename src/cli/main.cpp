// digitlab: the command-line trainer. Same core as the browser app.
//   digitlab presets
//   digitlab summary --preset mlp
//   digitlab train --preset mlp [--epochs N] [--batch N] [--optimizer adam|sgd|rmsprop] [--lr X]
//                  [--momentum X] [--val-split F] [--seed N] [--limit N] [--threads N]
//                  [--data DIR] [--save FILE] [--init FILE] [--json]
//                  [--rotation DEG] [--zoom F] [--width-shift F] [--height-shift F] [--hflip] [--vflip]
//                  [--early-stopping MONITOR:PATIENCE[:restore]|none]
//                  [--reduce-lr MONITOR:PATIENCE:FACTOR[:MIN_LR]|none] [--lr-schedule cosine[:ALPHA]|constant]
//                  [--class-weights balanced|none] [--label-smoothing S]
//                  [--checkpoint FILE [--checkpoint-monitor val_loss|val_accuracy]] [--validate-on-test]
//                  [--csv FILE] [--run FILE]
//   digitlab train --run FILE [--data DIR] [--limit N] [--threads N] [--save FILE] [--csv FILE] [--json]
//   digitlab eval --model FILE [--data DIR] [--json]
//   digitlab predict --csv FILE --model FILE [--threads N] > submission.csv
// User errors (unknown options, missing data, bad files) print one line and exit with code 2.
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include "core/kernels/pool.h"
#include "core/nn/model_file.h"
#include "core/train/presets.h"
#include "core/train/robustness.h"
#include "core/train/settings.h"
#include "files.h"

using namespace dl;

namespace {

const char* kUsage =
    "usage: digitlab <command> [options]\n"
    "commands:\n"
    "  presets                      list the built-in networks\n"
    "  summary --preset P           print the network as Keras' model.summary() does\n"
    "  train --preset P [options]   train on MNIST, then report on the 10,000 test images\n"
    "        --recipe notebook|improved   the preset's notebook recipe (default) or its improved one:\n"
    "                                     the same network trained better (docs/results.md); flags change it further\n"
    "        --epochs N --batch N --optimizer adam|sgd|rmsprop --lr X --momentum X\n"
    "        --val-split F (0..0.9) --seed N --limit N (use the first N training images)\n"
    "        --beta1 X --beta2 X (Adam) --rho X (RMSprop) --epsilon X   Keras' beta_1, beta_2, rho, epsilon\n"
    "        --threads N --data DIR --save FILE --json\n"
    "        --init FILE   start from the weights saved in FILE (by --save; the preset's network)\n"
    "                      instead of new random ones, as fit() on a loaded Keras model\n"
    "      augmentation of the training batches (the preset's recipe sets its own):\n"
    "        --rotation DEG (0..180) --zoom F (0..0.9) --width-shift F --height-shift F (0..1)\n"
    "        --hflip --vflip (mirror half the images; usually harmful for digits: 6 <-> 9)\n"
    "      callbacks (MONITOR is val_loss or val_accuracy; 'none' turns a preset's off):\n"
    "        --early-stopping MONITOR:PATIENCE[:restore]   e.g. val_loss:4:restore\n"
    "        --reduce-lr MONITOR:PATIENCE:FACTOR[:MIN_LR]  e.g. val_accuracy:2:0.5:1e-5\n"
    "        --lr-schedule cosine[:ALPHA]|constant   cosine: the rate falls along half a cosine over the run,\n"
    "                      from --lr to ALPHA (default 0) times it (Keras CosineDecay); it replaces --reduce-lr\n"
    "        --class-weights balanced|none\n"
    "        --label-smoothing S (0..1)   train towards 1 - S + S/10 on the label and S/10 on each other class,\n"
    "                      as Keras' CategoricalCrossentropy(label_smoothing=S); the validation loss too\n"
    "        --checkpoint FILE [--checkpoint-monitor val_loss|val_accuracy]  keep the best epoch's model in FILE\n"
    "        --csv FILE    write the epochs to FILE as Keras' CSVLogger does (rewritten after each epoch)\n"
    "        --run FILE    save the whole run to FILE after each epoch; if FILE exists, go on with the run\n"
    "                      it holds, with its own settings, from its last epoch (as Keras' initial_epoch):\n"
    "                      it ends where an uninterrupted run would\n"
    "        --validate-on-test   as a notebook's validation_data=(x_test, y_test): train on every training\n"
    "                             image and let the callbacks watch the test set (its accuracy is then no\n"
    "                             longer an unbiased estimate; the output says so)\n"
    "  eval --model FILE [--data DIR] [--json]   evaluate a saved model on the test set\n"
    "  robust --model FILE [--images N] [--data DIR] [--threads N] [--json]\n"
    "        test accuracy as the test images (their first N; all 10,000 by default) are rotated (-45..45 deg),\n"
    "        shifted right (-6..6 px), scaled (0.6..1.4) and noised (sigma 0..0.5): the app's robustness view\n"
    "  predict --csv FILE --model FILE [--threads N]\n"
    "        read the images of Kaggle's test.csv (pixel0,...,pixel783; a train.csv works too, its labels\n"
    "        unused) and print Kaggle's submission for them: ImageId,Label, one row per image from 1\n";

[[noreturn]] void fail(const std::string& msg) {
  std::fprintf(stderr, "digitlab: %s\n", msg.c_str());
  std::exit(2);
}

struct Args {
  std::string command;
  std::map<std::string, std::string> opts;
  bool has(const std::string& k) const { return opts.count(k) > 0; }
  std::string str(const std::string& k, const std::string& def) const { return has(k) ? opts.at(k) : def; }
  double num(const std::string& k, double def, double lo, double hi) const {
    if (!has(k)) return def;
    const std::string& v = opts.at(k);
    char* end = nullptr;
    double d = std::strtod(v.c_str(), &end);
    if (v.empty() || *end || !std::isfinite(d)) fail("--" + k + " needs a number, got '" + v + "'");
    if (d < lo || d > hi) fail("--" + k + " must be between " + fmt(lo) + " and " + fmt(hi) + ", got " + v);
    return d;
  }
  double integer(const std::string& k, double def, double lo, double hi) const {
    double d = num(k, def, lo, hi);
    if (d != std::floor(d)) fail("--" + k + " needs a whole number, got " + opts.at(k));
    return d;
  }
  static std::string fmt(double d) { return number_text(d); }
};

Args parse_args(int argc, char** argv) {
  // option -> takes a value; the settings table's flags (--lr, --epochs, ...) are options too.
  static const std::map<std::string, bool> known = [] {
    std::map<std::string, bool> k = {
        {"preset", true}, {"optimizer", true}, {"limit", true}, {"threads", true}, {"data", true}, {"save", true},
        {"model", true}, {"json", false}, {"help", false}, {"hflip", false}, {"vflip", false},
        {"early-stopping", true}, {"reduce-lr", true}, {"lr-schedule", true}, {"class-weights", true}, {"checkpoint", true},
        {"checkpoint-monitor", true}, {"validate-on-test", false}, {"init", true}, {"csv", true}, {"run", true}, {"images", true}, {"recipe", true}};
    for (const NumericSetting& s : numeric_settings())
      if (s.flag) k[s.flag] = true;
    return k;
  }();
  Args a;
  for (int i = 1; i < argc; ++i) {
    std::string s = argv[i];
    if (s == "-h" || s == "--help") { std::fputs(kUsage, stdout); std::exit(0); }
    if (s.rfind("--", 0) == 0) {
      std::string key = s.substr(2), val;
      size_t eq = key.find('=');
      if (eq != std::string::npos) { val = key.substr(eq + 1); key = key.substr(0, eq); }
      auto it = known.find(key);
      if (it == known.end()) fail("unknown option --" + key + " (see digitlab --help)");
      if (it->second && eq == std::string::npos) {
        if (i + 1 >= argc) fail("--" + key + " needs a value");
        val = argv[++i];
      }
      a.opts[key] = val;
    } else if (a.command.empty()) {
      a.command = s;
    } else {
      fail("unexpected argument '" + s + "' (see digitlab --help)");
    }
  }
  return a;
}

// Fields of a colon-separated option value such as "val_loss:4:restore".
std::vector<std::string> split_fields(const std::string& v) {
  std::vector<std::string> f(1);
  for (char ch : v) {
    if (ch == ':') f.emplace_back();
    else f.back() += ch;
  }
  return f;
}

double field_num(const std::string& opt, const char* what, const std::string& v, double lo, double hi, bool whole) {
  char* end = nullptr;
  double d = std::strtod(v.c_str(), &end);
  if (v.empty() || *end || !std::isfinite(d) || (whole && d != std::floor(d)))
    fail("--" + opt + ": " + what + " needs a" + (whole ? " whole" : "") + " number, got '" + v + "'");
  if (d < lo || d > hi)
    fail("--" + opt + ": " + what + " must be between " + Args::fmt(lo) + " and " + Args::fmt(hi) + ", got " + v);
  return d;
}

Monitor field_monitor(const std::string& opt, const std::string& v) {
  Monitor m;
  if (!monitor_parse(v, &m)) fail("--" + opt + ": unknown monitor '" + v + "'; one of: val_loss, val_accuracy");
  return m;
}

// --early-stopping MONITOR:PATIENCE[:restore] | none
EarlyStoppingConfig early_stopping_arg(const std::string& v) {
  EarlyStoppingConfig e;  // Keras defaults: min_delta 0
  if (v == "none") return e;
  std::vector<std::string> f = split_fields(v);
  if (f.size() < 2 || f.size() > 3)
    fail("--early-stopping needs MONITOR:PATIENCE[:restore] (e.g. val_loss:4:restore) or none, got '" + v + "'");
  e.enabled = true;
  e.monitor = field_monitor("early-stopping", f[0]);
  e.patience = int(field_num("early-stopping", "patience", f[1], 0, 10000, true));
  if (f.size() == 3) {
    if (f[2] != "restore") fail("--early-stopping: the third field can only be 'restore', got '" + f[2] + "'");
    e.restore_best = true;
  }
  return e;
}

// --reduce-lr MONITOR:PATIENCE:FACTOR[:MIN_LR] | none
ReduceLRConfig reduce_lr_arg(const std::string& v) {
  ReduceLRConfig r;  // Keras defaults: min_delta 1e-4, min_lr 0
  if (v == "none") return r;
  std::vector<std::string> f = split_fields(v);
  if (f.size() < 3 || f.size() > 4)
    fail("--reduce-lr needs MONITOR:PATIENCE:FACTOR[:MIN_LR] (e.g. val_accuracy:2:0.5:1e-5) or none, got '" + v + "'");
  r.enabled = true;
  r.monitor = field_monitor("reduce-lr", f[0]);
  r.patience = int(field_num("reduce-lr", "patience", f[1], 0, 10000, true));
  r.factor = float(field_num("reduce-lr", "factor", f[2], 0, 1, false));
  if (!(r.factor > 0 && r.factor < 1)) fail("--reduce-lr: factor must be above 0 and below 1, got " + f[2]);
  if (f.size() == 4) r.min_lr = float(field_num("reduce-lr", "min_lr", f[3], 0, 10, false));
  return r;
}

// --lr-schedule cosine[:ALPHA] | constant
CosineDecayConfig lr_schedule_arg(const std::string& v) {
  CosineDecayConfig c;
  if (v == "constant" || v == "none") return c;
  std::vector<std::string> f = split_fields(v);
  if (f.empty() || f.size() > 2 || f[0] != "cosine")
    fail("--lr-schedule needs cosine[:ALPHA] (e.g. cosine or cosine:0.01) or constant, got '" + v + "'");
  c.enabled = true;
  if (f.size() == 2) c.alpha = float(field_num("lr-schedule", "alpha", f[1], 0, 1, false));
  return c;
}

std::string data_dir(const Args& a) {
  if (a.has("data")) return a.opts.at("data");
  if (const char* e = std::getenv("MNIST_DIR")) return e;
  if (access("assets/mnist/t10k-labels-idx1-ubyte.gz", R_OK) == 0) return "assets/mnist";
  return std::string(DIGITLAB_SOURCE_DIR) + "/assets/mnist";
}

const Preset& preset_arg(const Args& a) {
  if (!a.has("preset")) fail("--preset is required; one of: " + preset_names());
  const Preset* p = preset_find(a.opts.at("preset"));
  if (!p) fail("unknown preset '" + a.opts.at("preset") + "'; one of: " + preset_names());
  return *p;
}

void set_threads(const Args& a) {
  int hw = int(std::max(1u, std::thread::hardware_concurrency()));
  int n = int(a.integer("threads", hw, 1, 256));
  kernel_pool().set_workers(n - 1);
}

std::string json_num(double v) {
  if (!std::isfinite(v)) return "null";
  char b[40];
  std::snprintf(b, sizeof b, "%.10g", v);
  return b;
}

std::string json_scores(const ClassScores& s) {
  return "{\"precision\": " + json_num(s.precision) + ", \"recall\": " + json_num(s.recall) + ", \"f1-score\": " +
         json_num(s.f1) + ", \"support\": " + std::to_string(s.support) + "}";
}

std::string json_eval(const EvalResult& e, const Report& r) {
  std::string j = "\"test_accuracy\": " + json_num(e.accuracy) + ", \"test_loss\": " + json_num(e.loss) +
                  ", \"confusion_matrix\": [";
  for (int i = 0; i < e.confusion.k; ++i) {
    j += i ? ", [" : "[";
    for (int k = 0; k < e.confusion.k; ++k) j += (k ? ", " : "") + std::to_string(e.confusion.at(i, k));
    j += "]";
  }
  j += "], \"report\": {";
  for (size_t i = 0; i < r.classes.size(); ++i) j += "\"" + std::to_string(i) + "\": " + json_scores(r.classes[i]) + ", ";
  j += "\"accuracy\": " + json_num(r.accuracy) + ", \"macro avg\": " + json_scores(r.macro) +
       ", \"weighted avg\": " + json_scores(r.weighted) + "}";
  return j;
}

void print_eval(const EvalResult& e, const Report& r) {
  std::printf("\ntest: loss %.4f - accuracy %.4f (%s / %s)\n\n", e.loss, e.accuracy,
              with_commas((long long)std::llround(e.accuracy * e.confusion.total())).c_str(),
              with_commas(e.confusion.total()).c_str());
  std::printf("%s\n%s", report_text(r).c_str(), confusion_text(e.confusion).c_str());
}

std::string fmt_secs(double s) {
  char b[32];
  if (s < 60) std::snprintf(b, sizeof b, "%.0fs", s);
  else std::snprintf(b, sizeof b, "%dm%02ds", int(s) / 60, int(s) % 60);
  return b;
}

// One line each for augmentation and callbacks, when set, so a run says what it does.
void print_recipe(const TrainConfig& c) {
  const AugmentConfig& g = c.augment;
  if (g.enabled())
    std::printf("augmentation: rotation %g deg, zoom %g, width shift %g, height shift %g%s%s\n", double(g.rotation_deg),
                double(g.zoom), double(g.width_shift), double(g.height_shift), g.hflip ? ", horizontal flips" : "",
                g.vflip ? ", vertical flips" : "");
  if (g.hflip || g.vflip)
    std::printf("  note: flips mirror digits into shapes that are not digits (and 6 into 9); they usually hurt\n");
  std::string cb;
  if (c.early.enabled)
    cb += std::string("early stopping (") + monitor_name(c.early.monitor) + ", patience " +
          std::to_string(c.early.patience) + (c.early.restore_best ? ", restore best)" : ")");
  if (c.reduce_lr.enabled)
    cb += std::string(cb.empty() ? "" : "; ") + "reduce lr (" + monitor_name(c.reduce_lr.monitor) + ", patience " +
          std::to_string(c.reduce_lr.patience) + ", factor " + Args::fmt(c.reduce_lr.factor) + ", min " +
          Args::fmt(c.reduce_lr.min_lr) + ")";
  if (c.balanced_class_weights) cb += std::string(cb.empty() ? "" : "; ") + "balanced class weights";
  if (c.checkpoint.enabled) cb += std::string(cb.empty() ? "" : "; ") + "keep-best checkpoint (" + monitor_name(c.checkpoint.monitor) + ")";
  if (!cb.empty()) std::printf("callbacks: %s\n", cb.c_str());
  if (c.label_smoothing > 0)
    std::printf("loss: cross-entropy with label smoothing %g (the test loss below is without it)\n",
                double(c.label_smoothing));
  if (c.cosine.enabled)
    std::printf("learning rate: cosine decay from %g to %g over the run\n", double(c.opt.lr),
                double(c.opt.lr) * double(c.cosine.alpha));
}

// Writes the trainer's keep-best checkpoint as a model file (at the epoch it improves, as Keras does).
void save_checkpoint(const std::string& path, const Model& model, const Trainer& trainer) {
  Model best = model;
  best.params = trainer.checkpoint_params();
  best.state = trainer.checkpoint_state();
  Status s = write_file(path, model_save(best));
  if (!s.ok()) fail(s.error);
}

int cmd_presets() {
  for (const Preset& p : presets()) {
    Model m;
    Status s = m.build(p.model, false);
    std::printf("%-10s %10s params  %s\n", p.name.c_str(),
                s.ok() ? with_commas((long long)(m.trainable_params() + m.non_trainable_params())).c_str() : "?",
                p.description.c_str());
  }
  return 0;
}

int cmd_summary(const Args& a) {
  Model m;
  const Preset& p = preset_arg(a);
  Status s = m.build(p.model, false);
  if (!s.ok()) fail(s.error);
  std::fputs(m.summary_text().c_str(), stdout);
  set_threads(a);  // the memory counts each kernel thread's buffers: as many as `train` would start
  std::printf("Training memory with the recipe (batch %d, %s): about %.0f MB\n", p.recipe.batch,
              opt_name(p.recipe.opt.kind), double(training_bytes(m, p.recipe).count()) / 1e6);
  return 0;
}

// The model in a file named on the command line (eval --model, train --init); an unreadable or
// damaged file ends the program with one line.
Model model_file_arg(const std::string& path) {
  std::vector<uint8_t> bytes;
  Status s = read_file(path, &bytes, kMaxModelFileBytes);
  if (!s.ok()) fail(s.error);
  Model m;
  s = model_load(bytes.data(), bytes.size(), &m);
  if (!s.ok()) fail(path + ": " + s.error);
  return m;
}

// --run FILE, when FILE exists: the run it holds, read again. Its settings are its own, so a flag that
// would change them is refused rather than ignored.
std::vector<uint8_t> saved_run_arg(const Args& a, TrainConfig* cfg) {
  const std::string& f = a.opts.at("run");
  for (const auto& [k, v] : a.opts)
    if (k != "run" && k != "data" && k != "limit" && k != "threads" && k != "save" && k != "csv" && k != "json")
      fail("--" + k + ": " + f + " holds a run that goes on with its own settings; drop --" + k +
           " (or give --run a new file to start a new run)");
  std::vector<uint8_t> bytes;
  Status s = read_file(f, &bytes, uint64_t(4) * kMaxModelFileBytes);
  if (!s.ok()) fail(s.error);
  s = run_file_config(bytes.data(), bytes.size(), cfg);
  if (!s.ok()) fail(f + ": " + s.error);
  return bytes;
}

int train_loop(const Args& a, const Preset& p_arg, TrainConfig cfg, const std::vector<uint8_t>* saved);

int cmd_train(const Args& a) {
  if (a.has("images")) fail("--images applies to robust (--limit N trains on the first N images)");
  const bool resume = a.has("run") && access(a.opts.at("run").c_str(), F_OK) == 0;
  TrainConfig cfg;
  std::vector<uint8_t> saved;
  if (resume) saved = saved_run_arg(a, &cfg);
  const Preset& p = resume ? presets().front() : preset_arg(a);
  if (resume) return train_loop(a, p, cfg, &saved);
  const std::string recipe = a.str("recipe", "notebook");
  if (recipe != "notebook" && recipe != "improved") fail("--recipe must be notebook or improved, got '" + recipe + "'");
  if (recipe == "improved" && !p.has_improved)
    fail("--recipe improved: " + p.name + " has no improved recipe yet (docs/results.md lists those measured)");
  cfg = recipe == "improved" ? p.improved : p.recipe;
  // --epochs, --batch, --lr, --momentum, --val-split, --seed, --rotation, --zoom, --width-shift,
  // --height-shift: the settings table's flags, with its ranges (train/settings.h).
  for (const NumericSetting& s : numeric_settings()) {
    if (!s.flag || !a.has(s.flag)) continue;
    const double v = s.whole ? a.integer(s.flag, 0, s.lo, s.hi) : a.num(s.flag, 0, s.lo, s.hi);
    if (!accepts(s, v)) fail(std::string("--") + s.flag + " must be " + range_text(s) + ", got " + a.opts.at(s.flag));
    s.set(cfg, v);
  }
  if (a.has("optimizer") && !opt_parse(a.opts.at("optimizer"), &cfg.opt.kind))
    fail("unknown optimizer '" + a.opts.at("optimizer") + "'; one of: adam, sgd, rmsprop");
  if (a.has("hflip")) cfg.augment.hflip = true;
  if (a.has("vflip")) cfg.augment.vflip = true;
  if (a.has("early-stopping")) cfg.early = early_stopping_arg(a.opts.at("early-stopping"));
  if (a.has("reduce-lr")) cfg.reduce_lr = reduce_lr_arg(a.opts.at("reduce-lr"));
  // A schedule and a reduction both set the rate: the one named on the command line takes the place
  // of the recipe's.
  if (a.has("lr-schedule")) {
    cfg.cosine = lr_schedule_arg(a.opts.at("lr-schedule"));
    if (cfg.cosine.enabled && cfg.reduce_lr.enabled) {
      if (a.has("reduce-lr")) fail("--lr-schedule cosine and --reduce-lr both set the learning rate; give one of them");
      cfg.reduce_lr.enabled = false;
    }
  } else if (a.has("reduce-lr") && cfg.reduce_lr.enabled) {
    cfg.cosine.enabled = false;
  }
  // The test set steers callbacks only when asked by name: a held-out split is the default.
  const bool on_test = a.has("validate-on-test");
  if (on_test && a.has("val-split") && cfg.val_split > 0)
    fail("--validate-on-test trains on every training image and validates on the test set; drop --val-split");
  if (on_test) cfg.val_split = 0;
  const char* need_val = " needs --val-split above 0 (or --validate-on-test)";
  for (const char* k : {"early-stopping", "reduce-lr"})
    if (a.has(k) && a.opts.at(k) != "none" && cfg.val_split == 0 && !on_test)
      fail(std::string("--") + k + " watches the validation set; it" + need_val);
  if (a.has("checkpoint")) {
    if (cfg.val_split == 0 && !on_test)
      fail(std::string("--checkpoint keeps the best epoch by the validation set; it") + need_val);
    cfg.checkpoint.enabled = true;
    const std::string m = a.str("checkpoint-monitor", "val_loss");
    if (!monitor_parse(m, &cfg.checkpoint.monitor))
      fail("--checkpoint-monitor must be val_loss or val_accuracy, got '" + m + "'");
  }
  if (a.has("class-weights")) {
    const std::string& w = a.opts.at("class-weights");
    if (w != "balanced" && w != "none") fail("--class-weights must be balanced or none, got '" + w + "'");
    cfg.balanced_class_weights = w == "balanced";
  }
  return train_loop(a, p, cfg, nullptr);
}

// The training images (the first --limit of them), split by cfg into train and val, and the test set.
void load_data(const Args& a, const TrainConfig& cfg, Dataset* train, Dataset* val, Dataset* test) {
  const std::string dir = data_dir(a);
  Dataset all;
  Status s = load_mnist(dir, "train", "train", &all);
  if (!s.ok()) fail(s.error);
  s = load_mnist(dir, "t10k", "test", test);
  if (!s.ok()) fail(s.error);
  if (a.has("limit")) all = dataset_head(all, int(a.integer("limit", all.n, 1, all.n)));
  if (cfg.val_split > 0) dataset_split(all, cfg.val_split, cfg.seed, train, val);
  else *train = std::move(all);
}

// --init FILE: continue from saved weights; they must fit the preset p's network as they are.
void init_weights_arg(const std::string& f, const Preset& p, Model* model) {
  const Model from = model_file_arg(f);
  if (!same_weight_layout(from, *model))
    fail(f + " holds the network " + from.spec().name + " (" + with_commas((long long)from.trainable_params()) +
         " trainable parameters); its weights do not fit the preset " + p.name + " (" +
         with_commas((long long)model->trainable_params()) + ")");
  model->params = from.params;
  model->state = from.state;
}

// What the run trains and on what, its recipe, and where it starts from.
void print_run_start(const Args& a, const Preset& p, const Model& model, const Trainer& trainer, const TrainConfig& cfg,
                     const Dataset& train, const Dataset& test, const std::string& validation, bool resumed) {
  std::printf("%s: %s params; train %s images, validation %s, test %s images; %s lr %g, batch %d, %d threads\n",
              p.name.c_str(), with_commas((long long)(model.params.size() + model.state.size())).c_str(),
              with_commas(train.n).c_str(), validation.c_str(), with_commas(test.n).c_str(),
              opt_name(cfg.opt.kind), double(cfg.opt.lr), cfg.batch, kernel_pool().workers() + 1);
  print_recipe(cfg);
  if (a.has("init")) std::printf("starting from the weights in %s\n", a.opts.at("init").c_str());
  if (resumed)
    std::printf("going on with the run in %s after epoch %d of %d\n", a.str("run", "").c_str(),
                int(trainer.history().size()), cfg.epochs);
  if (!trainer.class_weights().empty()) {
    std::printf("class weights (n / (k * count)):");
    for (size_t k = 0; k < trainer.class_weights().size(); ++k) std::printf(" %zu: %.4f", k, trainer.class_weights()[k]);
    std::printf("\n");
  }
}

// The run file is written whole and then renamed over the old one: a run killed while writing
// leaves the last epoch's file.
void save_run(const std::string& run_file, const Trainer& trainer) {
  const Status st = write_file(run_file + ".tmp", trainer.save());
  if (!st.ok()) fail(st.error);
  if (std::rename((run_file + ".tmp").c_str(), run_file.c_str()) != 0) fail("cannot write " + run_file);
}

// Every finished epoch to the file csv, as Keras' CSVLogger writes them.
void write_csv(const std::string& csv, const Trainer& trainer) {
  const std::string text = history_csv(trainer.history());
  const Status st = write_file(csv, std::vector<uint8_t>(text.begin(), text.end()));
  if (!st.ok()) fail(st.error);
}

// The epoch in progress as a bar, drawn over the terminal's current line.
void print_progress(const Trainer& trainer, int batch) {
  int done = trainer.batch(), total = trainer.batches_per_epoch(), width = 30, fill = done * width / total;
  double sps = trainer.samples_per_sec();
  double eta = sps > 0 ? double(total - done) * batch / sps : 0;
  std::printf("\r%5d/%d [%s>%s] - ETA %s - loss: %.4f - accuracy: %.4f - %s samples/s\033[K", done, total,
              std::string(fill, '=').c_str(), std::string(width - fill, '.').c_str(), fmt_secs(eta).c_str(),
              trainer.epoch_loss(), trainer.epoch_accuracy(), with_commas((long long)sps).c_str());
  std::fflush(stdout);
}

// A finished epoch's line, as Keras' fit() prints it, and its events.
void print_epoch(const EpochRecord& r, int batches, bool tty) {
  std::printf("%s%d/%d - %s - loss: %.4f - accuracy: %.4f", tty ? "\r" : "", batches, batches,
              fmt_secs(r.seconds).c_str(), r.loss, r.accuracy);
  if (r.l2 > 0) std::printf(" (l2: %.4f)", r.l2);
  if (r.has_val) std::printf(" - val_loss: %.4f - val_accuracy: %.4f", r.val_loss, r.val_accuracy);
  std::printf(" - lr: %g - %s samples/s%s\n", r.lr, with_commas((long long)r.samples_per_sec).c_str(),
              tty ? "\033[K" : "");
  for (const std::string& ev : r.events) std::printf("  %s\n", ev.c_str());
  std::fflush(stdout);
}

// Steps the trainer until the run ends. Prints each epoch (and on a terminal the progress bar), and
// after each finished epoch writes the run file (--run), the checkpoint and the CSV log. Returns
// the seconds it took.
double train_epochs(const Args& a, Trainer& trainer, const Model& model, const TrainConfig& cfg, bool json, bool tty) {
  const std::string run_file = a.str("run", "");
  // Keras' CSVLogger: the file is opened before the first epoch (so a path that cannot be written
  // fails now, not after an hour of training) and holds every finished epoch.
  const std::string csv = a.str("csv", "");
  if (!csv.empty()) write_csv(csv, trainer);

  auto t_start = std::chrono::steady_clock::now();
  auto last_draw = t_start;
  size_t shown = trainer.history().size();  // a saved run's epochs were shown when it trained them
  while (true) {
    if (!json && trainer.batch() == 0 && trainer.phase() == TrainPhase::Running && shown == trainer.history().size())
      std::printf("Epoch %d/%d\n", trainer.epoch() + 1, cfg.epochs), std::fflush(stdout);
    bool more = trainer.step();
    auto now = std::chrono::steady_clock::now();
    if (tty && trainer.batch() > 0 && now - last_draw > std::chrono::milliseconds(100)) {
      last_draw = now;
      print_progress(trainer, cfg.batch);
    }
    if (!run_file.empty() && shown < trainer.history().size()) save_run(run_file, trainer);
    while (shown < trainer.history().size()) {
      const EpochRecord& r = trainer.history()[shown++];
      if (r.checkpoint && a.has("checkpoint")) save_checkpoint(a.opts.at("checkpoint"), model, trainer);
      if (!csv.empty()) write_csv(csv, trainer);
      if (!json) print_epoch(r, trainer.batches_per_epoch(), tty);
    }
    if (!more) break;
  }
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t_start).count();
}

// The result for --json: the run, the test set's evaluation and report, the history.
std::string json_result(const Preset& p, const Model& model, const Trainer& trainer, const std::string& validation,
                        double wall, const EvalResult& e, const Report& r) {
  std::string j = "{\"preset\": \"" + p.name + "\", \"params\": " + std::to_string(model.params.size() + model.state.size()) +
                  ", \"trainable_params\": " + std::to_string(model.params.size()) + ", \"validation\": \"" + validation + "\", \"epochs_run\": " +
                  std::to_string(trainer.history().size()) + ", \"wall_seconds\": " + json_num(wall) +
                  ", \"samples_per_sec\": " + json_num(trainer.samples_per_sec()) + ", " + json_eval(e, r);
  // The warning is plain text written by Trainer::not_learning (no quotes or backslashes).
  if (!trainer.warning().empty()) j += ", \"warning\": \"" + trainer.warning() + "\"";
  j += ", \"history\": [";
  for (size_t i = 0; i < trainer.history().size(); ++i) {
    const EpochRecord& h = trainer.history()[i];
    j += std::string(i ? ", " : "") + "{\"epoch\": " + std::to_string(h.epoch) + ", \"loss\": " + json_num(h.loss) +
         ", \"accuracy\": " + json_num(h.accuracy) + ", \"l2\": " + json_num(h.l2) +
         (h.has_val ? ", \"val_loss\": " + json_num(h.val_loss) + ", \"val_accuracy\": " + json_num(h.val_accuracy) : "") +
         ", \"lr\": " + json_num(h.lr) + ", \"seconds\": " + json_num(h.seconds) + ", \"samples_per_sec\": " +
         json_num(h.samples_per_sec) + "}";
  }
  j += "]}";
  return j;
}

// Trains preset p's network with cfg, or (saved) goes on with a saved run, whose network and settings
// are the file's.
int train_loop(const Args& a, const Preset& p_arg, TrainConfig cfg, const std::vector<uint8_t>* saved) {
  const bool on_test = a.has("validate-on-test");
  const bool json = a.has("json");
  const bool tty = !json && isatty(STDOUT_FILENO);
  set_threads(a);

  Dataset test, train, val;
  load_data(a, cfg, &train, &val, &test);

  Model model;
  Status s;
  if (!saved) {
    s = model.build(p_arg.model);
    if (!s.ok()) fail(s.error);
  }
  const bool init = a.has("init");
  if (init) init_weights_arg(a.opts.at("init"), p_arg, &model);
  // With no held-out split (the mlp recipe, as its notebook's validation_data=(x_test, y_test)) the
  // per-epoch val_ columns report the test set. Callbacks watch it only with --validate-on-test.
  const bool callbacks = cfg.early.enabled || cfg.reduce_lr.enabled || cfg.checkpoint.enabled;
  // A saved run with no held-out split validated on the test set: with callbacks only under
  // --validate-on-test, which needs no split.
  const bool val_is_test = on_test || (cfg.val_split == 0 && (!callbacks || saved));
  Trainer trainer;
  if (saved) {
    s = trainer.load(saved->data(), saved->size(), &model, &train, val_is_test ? &test : &val);
    if (!s.ok()) fail(a.opts.at("run") + ": " + s.error + (a.has("limit") ? "" : " (was it trained with --limit?)"));
  } else {
    s = trainer.begin(&model, &train, val_is_test ? &test : &val, cfg, !init);
    if (!s.ok()) fail(s.error);
  }
  const Preset& p = saved ? *(preset_find(model.spec().name) ? preset_find(model.spec().name) : &p_arg) : p_arg;
  const std::string validation = !val_is_test ? with_commas(val.n) + " held out"
                                 : callbacks  ? "the test set, which steers the callbacks"
                                              : "the test set";
  if (!json) print_run_start(a, p, model, trainer, cfg, train, test, validation, saved != nullptr);

  const double wall = train_epochs(a, trainer, model, cfg, json, tty);
  if (trainer.phase() == TrainPhase::Diverged) fail(trainer.message());

  EvalResult e = evaluate(model, test);
  Report r = report_from_confusion(e.confusion);
  if (a.has("save")) {
    s = write_file(a.opts.at("save"), model_save(model));
    if (!s.ok()) fail(s.error);
  }
  if (json) {
    std::printf("%s\n", json_result(p, model, trainer, validation, wall, e, r).c_str());
  } else {
    std::printf("%s in %s, %s samples/s\n", trainer.message().c_str(), fmt_secs(wall).c_str(),
                with_commas((long long)trainer.samples_per_sec()).c_str());
    if (!trainer.warning().empty()) std::printf("warning: %s\n", trainer.warning().c_str());
    print_eval(e, r);
    if (val_is_test && callbacks)
      std::printf("\nnote: the test set steered the callbacks (--validate-on-test), as in a notebook with\n"
                  "validation_data=(x_test, y_test); the accuracy above is not an unbiased estimate.\n");
    if (a.has("save")) std::printf("\nsaved the model to %s\n", a.opts.at("save").c_str());
  }
  return 0;
}

// --model FILE and the test images of --data (MNIST's by default), checked to fit each other.
void model_and_test_args(const Args& a, Model* model, Dataset* test) {
  if (!a.has("model")) fail("--model FILE is required");
  set_threads(a);
  *model = model_file_arg(a.opts.at("model"));
  Status s = load_mnist(data_dir(a), "t10k", "test", test);
  if (!s.ok()) fail(s.error);
  s = model_fits_data(*model, *test);
  if (!s.ok()) fail(a.opts.at("model") + ": " + s.error);
}

int cmd_eval(const Args& a) {
  if (a.has("images")) fail("--images applies to robust (evaluate on all the test images here)");
  Model model;
  Dataset test;
  model_and_test_args(a, &model, &test);
  EvalResult e = evaluate(model, test);
  Report r = report_from_confusion(e.confusion);
  if (a.has("json")) std::printf("{\"model\": \"%s\", %s}\n", model.spec().name.c_str(), json_eval(e, r).c_str());
  else print_eval(e, r);
  return 0;
}

// The app's "How robust is it?" curves, as a table (or JSON: one array of points).
int cmd_robust(const Args& a) {
  for (const auto& [k, v] : a.opts)
    if (k != "model" && k != "images" && k != "data" && k != "threads" && k != "json")
      fail("--" + k + " does not apply to robust (digitlab robust --model FILE [--images N] [--data DIR] [--json])");
  Model model;
  Dataset test;
  model_and_test_args(a, &model, &test);
  const int images = int(a.integer("images", test.n, 1, test.n));
  const std::vector<double> acc = robustness(model, test, images);
  const std::vector<PerturbPoint>& pts = robustness_points();
  const bool json = a.has("json");
  if (json) std::printf("{\"model\": \"%s\", \"images\": %d, \"points\": [", model.spec().name.c_str(), images);
  else std::printf("test accuracy of %s on %s perturbed test images\n", model.spec().name.c_str(), with_commas(images).c_str());
  for (size_t i = 0; i < pts.size(); ++i) {
    const char* kind = perturb_name(pts[i].kind);
    if (json) {
      std::printf("%s{\"kind\": \"%s\", \"amount\": %g, \"accuracy\": %.6f}", i ? ", " : "", kind,
                  double(pts[i].amount), acc[i]);
    } else {
      if (i == 0 || pts[i].kind != pts[i - 1].kind) std::printf("%s (%s):\n", kind, perturb_unit(pts[i].kind));
      std::printf("  %6g  %.4f\n", double(pts[i].amount), acc[i]);
    }
  }
  if (json) std::printf("]}\n");
  return 0;
}

// Kaggle's submission for the images of a test.csv, on stdout; the file is read as the app reads one
// (gzipped or not, at most kMaxDataFileBytes decompressed).
int cmd_predict(const Args& a) {
  for (const auto& [k, v] : a.opts)
    if (k != "csv" && k != "model" && k != "threads")
      fail("--" + k + " does not apply to predict (digitlab predict --csv test.csv --model FILE [--threads N])");
  for (const char* k : {"csv", "model"})
    if (!a.has(k)) fail(std::string("--") + k + " FILE is required (digitlab predict --csv test.csv --model FILE > submission.csv)");
  set_threads(a);
  Model model = model_file_arg(a.opts.at("model"));
  const std::string& path = a.opts.at("csv");
  std::vector<uint8_t> bytes;
  bool too_large = false;
  Status s = read_file(path, &bytes, kMaxDataFileBytes, &too_large);
  if (too_large) fail(too_large_text(path, false));
  if (!s.ok()) fail(s.error);
  s = gunzip_if_needed(path, &bytes, kMaxDataFileBytes);
  if (!s.ok()) fail(s.error);
  Dataset images;
  s = images_from_csv(std::string(bytes.begin(), bytes.end()), path, &images);
  if (!s.ok()) fail(s.error);
  s = model_fits_data(model, images);
  if (!s.ok()) fail(a.opts.at("model") + ": " + s.error);
  images.labels.clear();  // a train.csv's answers play no part in a submission
  Evaluation e(model, images, 0, true);
  while (!e.done()) e.step();
  std::fputs(submission_csv(e.predictions).c_str(), stdout);
  std::fprintf(stderr, "digitlab: predicted %s images of %s with %s\n", with_commas(images.n).c_str(), path.c_str(),
               model.spec().name.empty() ? "the model" : model.spec().name.c_str());
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  Args a = parse_args(argc, argv);
  if (a.command.empty()) { std::fputs(kUsage, stderr); return 2; }
  if (a.command == "presets") return cmd_presets();
  if (a.command == "summary") return cmd_summary(a);
  if (a.command == "train") return cmd_train(a);
  if (a.command == "eval") return cmd_eval(a);
  if (a.command == "predict") return cmd_predict(a);
  if (a.command == "robust") return cmd_robust(a);
  fail("unknown command '" + a.command + "' (commands: presets, summary, train, eval, robust, predict)");
}
