#include "lesson.h"

#include <algorithm>
#include <cmath>
#include <utility>

#include "../nn/spec_text.h"
#include "settings.h"

namespace dl {

const char* const kLessonTabNames[kLessonTabs] = {"basics", "weights", "callbacks", "augmentation"};
const char* const kLessonPaneNames[kLessonPanes] = {"data", "model", "train", "draw", "results"};
const char* const kLessonViewNames[kLessonViews] = {"steps", "unusual", "robust", "difference", "mine"};

namespace {

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// %XX escapes decoded; a '%' not followed by two hex digits stays as it is.
std::string percent_decode(const std::string& s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    const int hi = s[i] == '%' && i + 2 < s.size() ? hex_digit(s[i + 1]) : -1;
    const int lo = hi >= 0 ? hex_digit(s[i + 2]) : -1;
    if (lo >= 0) {
      out += char(hi * 16 + lo);
      i += 2;
    } else {
      out += s[i];
    }
  }
  return out;
}

// A value as a notice quotes it: printable ASCII, at most 40 characters.
std::string quoted(const std::string& v) {
  std::string out;
  for (char c : v) {
    if (out.size() == 40) return out + "…";
    out += (c >= 0x20 && c < 0x7f) ? c : '?';
  }
  return out;
}

bool parse_flag(const std::string& v, bool* out) {
  for (const char* w : {"1", "true", "yes", "on"})
    if (v == w) return *out = true, true;
  for (const char* w : {"0", "false", "no", "off"})
    if (v == w) return *out = false, true;
  return false;
}

// val_loss | val_accuracy (val_acc) | 1 (val_loss) | 0, off, none: the callback off.
bool parse_monitor(const std::string& v, bool* on, Monitor* m) {
  if (v == "0" || v == "off" || v == "none") return *on = false, true;
  if (v == "1") return *on = true, *m = Monitor::ValLoss, true;
  return monitor_parse(v, m) && (*on = true);
}

std::string monitor_text(bool on, Monitor m) { return on ? monitor_name(m) : "0"; }
const char* flag_text(bool v) { return v ? "1" : "0"; }

template <size_t N>
int name_index(const std::string& v, const char* const (&names)[N]) {
  for (size_t i = 0; i < N; ++i)
    if (v == names[i]) return int(i);
  return -1;
}

template <size_t N>
std::string name_list(const char* const (&names)[N]) {
  std::string t;
  for (size_t i = 0; i < N; ++i) t += (i ? ", " : "") + std::string(names[i]);
  return t;
}

// Every setting the writer puts in a link, in the order it writes them, as (key, value) text: each
// numeric one beside the switch it belongs to, then any other row of the settings table.
std::vector<std::pair<std::string, std::string>> setting_values(const TrainConfig& c) {
  auto num = [&](const char* key) { return std::make_pair(std::string(key), number_text(numeric_setting(key)->get(c))); };
  std::vector<std::pair<std::string, std::string>> v = {
      {"opt", opt_name(c.opt.kind)}, num("lr"), num("batch"), num("epochs"), num("val"), num("seed"),
      num("momentum"), {"class_weights", c.balanced_class_weights ? "balanced" : "none"}, num("rotation"),
      num("zoom"), num("width_shift"), num("height_shift"), {"hflip", flag_text(c.augment.hflip)},
      {"vflip", flag_text(c.augment.vflip)}, {"early_stopping", monitor_text(c.early.enabled, c.early.monitor)},
      num("patience"), num("min_delta"), {"restore_best", flag_text(c.early.restore_best)},
      {"reduce_lr", monitor_text(c.reduce_lr.enabled, c.reduce_lr.monitor)}, num("lr_factor"),
      num("lr_patience"), num("min_lr"), {"lr_schedule", c.cosine.enabled ? "cosine" : "constant"},
      num("cosine_alpha")};
  for (const NumericSetting& s : numeric_settings())
    if (std::none_of(v.begin(), v.end(), [&](const auto& kv) { return kv.first == s.key; })) v.push_back(num(s.key));
  return v;
}

// The link's key=value pairs in order, percent-decoded; a link longer than kMaxLessonChars gives a
// notice in *notices and no pairs.
std::vector<std::pair<std::string, std::string>> link_pairs(const std::string& fragment,
                                                             std::vector<std::string>* notices) {
  std::string text = fragment.empty() || fragment[0] != '#' ? fragment : fragment.substr(1);
  if (text.size() > kMaxLessonChars) {
    notices->push_back("the link is " + with_commas((long long)text.size()) +
                       " characters long, more than a lesson link's " + with_commas((long long)kMaxLessonChars) +
                       "; nothing in it is used");
    text.clear();
  }
  std::vector<std::pair<std::string, std::string>> kv;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t amp = text.find('&', pos);
    if (amp == std::string::npos) amp = text.size();
    const std::string item = text.substr(pos, amp - pos);
    pos = amp + 1;
    if (item.empty()) continue;
    const size_t eq = item.find('=');
    // A key without '=' is a switch turned on: "#preset=mlp&autostart".
    kv.emplace_back(percent_decode(item.substr(0, eq)), eq == std::string::npos ? "1" : percent_decode(item.substr(eq + 1)));
  }
  return kv;
}

// "a,b,,c" → {"a", "b", "c"}.
std::vector<std::string> split_list(const std::string& v) {
  std::vector<std::string> out;
  size_t pos = 0;
  while (pos <= v.size()) {
    size_t comma = v.find(',', pos);
    if (comma == std::string::npos) comma = v.size();
    if (comma > pos) out.push_back(v.substr(pos, comma - pos));
    pos = comma + 1;
  }
  return out;
}

constexpr int kLessonTrainPane = 2;  // kLessonPaneNames[2], "train"

// What the link's k=v could not be used for, and why.
void notice(Lesson& l, const std::string& k, const std::string& v, const std::string& why) {
  l.notices.push_back(quoted(k) + "=" + quoted(v) + ": " + why);
}

// A numeric key: setting s, or both shifts for "shift" (s null).
void apply_number(Lesson& l, const std::string& k, const std::string& v, const NumericSetting* s) {
  TrainConfig& c = l.config;
  const std::vector<const NumericSetting*> targets =
      s ? std::vector<const NumericSetting*>{s}
        : std::vector<const NumericSetting*>{numeric_setting("width_shift"), numeric_setting("height_shift")};
  // Checked as it will be kept: a float field turns 1e-50 into 0.
  double d = 0;
  const NumericSetting& first = *targets.front();
  const bool number = parse_decimal(v, &d);
  TrainConfig trial = c;
  if (number && accepts(first, d)) first.set(trial, d);
  if (!number || !accepts(first, d) || !accepts(first, first.get(trial)))
    notice(l, k, v, (number ? "" : "not a number: ") + std::string(first.words) + " must be " + range_text(first) +
                        "; " + number_text(first.get(c)) + " is used instead");
  else
    for (const NumericSetting* t : targets) t->set(c, d);
}

// Any key but the preset (and the page's own keys): changes the lesson, or adds a notice.
void apply_key(Lesson& l, const std::string& k, const std::string& v) {
  TrainConfig& c = l.config;
  if (const NumericSetting* s = numeric_setting(k); s || k == "shift") {
    apply_number(l, k, v, s);
  } else if (k == "layers") {
    ModelSpec m;
    const Status st = spec_from_text(v, &m);
    if (st.ok()) l.model = std::move(m);
    else notice(l, k, v, "the layers could not be read: " + st.error + "; " + l.preset->name + "'s network is used instead");
  } else if (k == "opt" || k == "optimizer") {
    if (!opt_parse(v, &c.opt.kind))
      notice(l, k, v, std::string("not an optimizer this app has (sgd, adam, rmsprop); ") + opt_name(c.opt.kind) +
                          " is used instead");
  } else if (k == "class_weights") {
    bool on = false;
    if (v == "balanced" || v == "none" || parse_flag(v, &on)) c.balanced_class_weights = v == "balanced" || on;
    else notice(l, k, v, std::string("must be balanced or none; ") + (c.balanced_class_weights ? "balanced" : "none") + " is used instead");
  } else if (k == "early_stopping" || k == "reduce_lr") {
    bool& on = k == "early_stopping" ? c.early.enabled : c.reduce_lr.enabled;
    Monitor& m = k == "early_stopping" ? c.early.monitor : c.reduce_lr.monitor;
    if (!parse_monitor(v, &on, &m))
      notice(l, k, v, "must be val_loss, val_accuracy or 0 (off); " + std::string(on ? monitor_name(m) : "off") + " is used instead");
    if (k == "reduce_lr" && on && c.cosine.enabled) {
      on = false;
      notice(l, k, v, "the cosine decay (lr_schedule=cosine) sets the learning rate at every step; the reduction stays off");
    }
  } else if (k == "lr_schedule") {
    // A schedule sets the rate at every step, so it takes the place of a reduction on a plateau.
    if (v == "cosine") c.cosine.enabled = true, c.reduce_lr.enabled = false;
    else if (v == "constant" || v == "none" || v == "0") c.cosine.enabled = false;
    else notice(l, k, v, std::string("must be cosine or constant; ") + (c.cosine.enabled ? "cosine" : "constant") + " is used instead");
  } else if (k == "hflip" || k == "vflip" || k == "restore_best" || k == "autostart") {
    bool& b = k == "hflip" ? c.augment.hflip : k == "vflip" ? c.augment.vflip : k == "restore_best" ? c.early.restore_best : l.autostart;
    if (!parse_flag(v, &b)) notice(l, k, v, std::string("must be 1 or 0; ") + flag_text(b) + " is used instead");
  } else if (k == "data") {
    if (v == "mnist" || v == "fashion") l.data.fashion = v == "fashion";
    else notice(l, k, v, "must be mnist or fashion; MNIST's digits are used");
  } else if (k == "limit") {
    double n = 0;
    if (parse_decimal(v, &n) && n == std::floor(n) && n >= 10 && n <= kMaxImages) l.data.limit = int(n);
    else notice(l, k, v, "must be a whole number of training images, 10 or more; all of them are used");
  } else if (k == "scarce") {
    const size_t colon = v.find(':');
    double digit = -1, keep = -1;
    if (colon != std::string::npos && parse_decimal(v.substr(0, colon), &digit) && parse_decimal(v.substr(colon + 1), &keep) &&
        digit == std::floor(digit) && digit >= 0 && digit < kNumClasses && keep == std::floor(keep) && keep >= 0 &&
        keep <= kMaxImages) {
      l.data.scarce_digit = int(digit);
      l.data.scarce_keep = int(keep);
    } else {
      notice(l, k, v, "must be DIGIT:COUNT, as scarce=5:50 (only 50 images of 5); every image is kept");
    }
  } else if (k == "hide") {
    for (const std::string& name : split_list(v)) {
      const int i = name_index(name, kLessonPaneNames);
      if (i >= 0 && i != kLessonTrainPane) l.hidden[i] = true;
      else notice(l, k, name, i == kLessonTrainPane ? "the Training window always shows; it stays"
                                                    : "must be one of " + name_list(kLessonPaneNames) + "; it shows");
    }
  } else if (k == "view") {
    for (const std::string& name : split_list(v)) {
      const int i = name_index(name, kLessonViewNames);
      if (i >= 0) l.views[i] = true;
      else notice(l, k, name, "must be one of " + name_list(kLessonViewNames) + "; it stays closed");
    }
  } else if (k == "lock") {
    const std::vector<std::string>& ok = lockable_names();
    for (const std::string& name : split_list(v)) {
      if (std::find(ok.begin(), ok.end(), name) == ok.end())
        notice(l, k, name, "not a setting a link can lock; it can be changed");
      else if (std::find(l.locked.begin(), l.locked.end(), name) == l.locked.end())
        l.locked.push_back(name);
    }
  } else if (k == "tab" || k == "pane") {
    const int i = k == "tab" ? name_index(v, kLessonTabNames) : name_index(v, kLessonPaneNames);
    if (i >= 0) (k == "tab" ? l.tab : l.pane) = i;
    else notice(l, k, v, "must be one of " + (k == "tab" ? name_list(kLessonTabNames) : name_list(kLessonPaneNames)) + "; ignored");
  } else {
    notice(l, k, v, "not a setting this app knows; ignored");
  }
}

}  // namespace

Lesson lesson_parse(const std::string& fragment) {
  Lesson l;
  l.preset = &presets().front();
  const std::vector<std::pair<std::string, std::string>> kv = link_pairs(fragment, &l.notices);

  // The preset first (the last one named): it sets the network and the recipe the other keys change.
  for (const auto& [k, v] : kv)
    if (k == "preset") {
      if (const Preset* p = preset_find(v)) l.preset = p;
      else notice(l, k, v, "there is no such preset (" + preset_names() + "); " + l.preset->name + " is used instead");
    }
  l.model = l.preset->model;
  l.config = l.preset->recipe;

  for (const auto& [k, v] : kv) {
    if (k == "preset" || k == "sw" || k == "build") continue;
    apply_key(l, k, v);
  }
  if (l.autostart && !l.notices.empty()) {
    l.autostart = false;
    l.notices.push_back("the link asks to start training, but not everything in it could be used: check the settings, "
                        "then press Start");
  }
  return l;
}

std::string lesson_write(const Preset& preset, const ModelSpec& model, const TrainConfig& config, int pane,
                         bool autostart, const LessonData& data) {
  std::string h = "preset=" + preset.name;
  if (model.name == "custom") h += "&layers=" + spec_to_text(model);
  // Only what differs from the preset's recipe: reading starts from the recipe.
  const auto now = setting_values(config), recipe = setting_values(preset.recipe);
  for (size_t i = 0; i < now.size(); ++i)
    if (now[i].second != recipe[i].second) h += "&" + now[i].first + "=" + now[i].second;
  if (data.fashion) h += "&data=fashion";
  if (data.limit > 0) h += "&limit=" + std::to_string(data.limit);
  if (data.scarce_digit >= 0) h += "&scarce=" + std::to_string(data.scarce_digit) + ":" + std::to_string(data.scarce_keep);
  if (pane >= 0 && pane < kLessonPanes) h += std::string("&pane=") + kLessonPaneNames[pane];
  if (autostart) h += "&autostart=1";
  return h;
}

std::string lesson_write_limits(const Lesson& l) {
  std::string hide, lock, view;
  for (int i = 0; i < kLessonPanes; ++i)
    if (l.hidden[i]) hide += (hide.empty() ? "" : ",") + std::string(kLessonPaneNames[i]);
  for (const std::string& n : l.locked) lock += (lock.empty() ? "" : ",") + n;
  for (int i = 0; i < kLessonViews; ++i)
    if (l.views[i]) view += (view.empty() ? "" : ",") + std::string(kLessonViewNames[i]);
  return (hide.empty() ? "" : "&hide=" + hide) + (lock.empty() ? "" : "&lock=" + lock) + (view.empty() ? "" : "&view=" + view);
}

const std::vector<std::string>& lockable_names() {
  static const std::vector<std::string> names = [] {
    std::vector<std::string> v;
    for (const NumericSetting& s : numeric_settings()) v.push_back(s.key);
    for (const char* n : {"opt", "class_weights", "early_stopping", "reduce_lr", "lr_schedule", "hflip", "vflip", "restore_best", "model"})
      v.push_back(n);
    return v;
  }();
  return names;
}

Dataset lesson_training_data(const Dataset& all, const LessonData& d) {
  Dataset out;
  out.name = all.name;
  out.rows = all.rows;
  out.cols = all.cols;
  const int n = d.limit > 0 ? std::min(d.limit, all.n) : all.n;
  int kept_scarce = 0;
  for (int i = 0; i < n; ++i) {
    const int label = all.labels[size_t(i)];
    if (label == d.scarce_digit && kept_scarce++ >= d.scarce_keep) continue;
    out.images.insert(out.images.end(), all.image(i), all.image(i) + all.pixels());
    out.labels.push_back(uint8_t(label));
    ++out.n;
  }
  return out;
}

std::string lesson_data_text(const Dataset& all, const LessonData& d) {
  const int n = d.limit > 0 ? std::min(d.limit, all.n) : all.n;
  std::string t = d.limit > 0 ? "the first " + with_commas(n) + " training images" : "all " + with_commas(n) + " training images";
  if (d.scarce_digit >= 0) {
    int of = 0;
    for (int i = 0; i < n; ++i) of += all.labels[size_t(i)] == d.scarce_digit;
    t += ", with " + with_commas(std::min(of, d.scarce_keep)) + " of their " + with_commas(of) + " images of " +
         std::to_string(d.scarce_digit);
  }
  return t;
}

const std::vector<ReadyLesson>& ready_lessons() {
  static const std::vector<ReadyLesson> lessons = {
      {"Overfitting: a big network, few images", "preset=mlp&limit=1000&epochs=40&val=0.2",
       "mlp has 407,050 weights and learns from only 800 images here (200 more are held out for validation). "
       "Its training accuracy climbs to 100% while the validation loss stops falling and turns up: it learns "
       "those 800 images by heart rather than digits. Compare the two loss curves; then try more images, "
       "dropout or L2 (Edit layers…) and run it again."},
      {"Learning rate too high", "preset=mlp&lr=0.1&epochs=3",
       "Adam at 0.1, a hundred times its usual 0.001: each step overshoots. The loss jumps about instead of "
       "falling and the accuracy stays far below the 97% the usual rate reaches in one epoch."},
      {"Learning rate too low", "preset=mlp&lr=0.00001&epochs=3",
       "Adam at 0.00001, a hundred times below its usual 0.001: every step is tiny. The loss falls, but slowly; "
       "after 3 epochs the network is still far from where the usual rate gets in one."},
      {"Class imbalance: few 5s", "preset=mlp&scarce=5:50&epochs=3",
       "Only 50 of the 5,421 training images of 5 are kept. The network seldom sees a 5, and seldom answers 5: "
       "look at row 5 of the confusion matrix and at the recall of digit 5 in the report."},
      {"Class imbalance: few 5s, weighted", "preset=mlp&scarce=5:50&epochs=3&class_weights=balanced",
       "The same 50 images of 5, each counted as much as 5s would count in balanced data (Keras' "
       "class_weight='balanced'). The recall of 5 rises; its precision falls a little. Compare with the "
       "unweighted lesson (Evaluation › Difference from the previous run)."},
      {"Small data without augmentation", "preset=cnn-tiny&limit=2000&epochs=15&early_stopping=0",
       "cnn-tiny on 1,600 images (and 400 held out), each seen as it is. Note the validation accuracy and how "
       "far below the training accuracy it stays; then run the augmented lesson and compare."},
      {"Small data with augmentation", "preset=cnn-tiny&limit=2000&epochs=15&early_stopping=0&rotation=10&shift=0.1&zoom=0.1",
       "The same 1,600 images, each time a little rotated, shifted and zoomed (the Training window's strip shows "
       "them). Training accuracy rises more slowly, validation accuracy ends higher: the network learns what "
       "stays the same when a digit moves."},
      {"A tiny CNN against a big MLP", "preset=cnn-tiny&epochs=3&early_stopping=0",
       "cnn-tiny has 6,722 weights, 60 times fewer than mlp's 407,050, yet after 3 epochs it reads the test "
       "digits better: its 3 x 3 filters look for the same strokes everywhere in the image. Train mlp for 3 "
       "epochs next and compare (Evaluation › Difference from the previous run)."},
  };
  return lessons;
}

}  // namespace dl
