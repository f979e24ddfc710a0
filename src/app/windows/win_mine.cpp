// "My digits": the class's own handwriting. A drawing on the pad is kept with its label ("Keep as a 3",
// the Draw window), as the 28 × 28 image the network reads; the set lives in the browser (one record,
// platform::kept_save, written again on every change), shows as a grid per digit where a click removes
// one, goes out as MNIST's two IDX files and comes back in from them; while the window is open, the
// current model (a copy of the pad's weights, a few images a frame) reads every one, and the window
// shows the accuracy beside the model's on the test set, per digit, and which ones it misread.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>

#include "app.h"
#include "core/data/sheet.h"
#include "core/train/metrics.h"
#include "platform/platform.h"

namespace app {

static constexpr int kMineCols = 64;          // tiles per row in the texture
static constexpr int kMineLines = 4;          // lines of tiles a digit shows at most
static constexpr double kTestBudgetMs = 3;    // the test's share of a frame while it runs
static constexpr char kMagic[8] = {'D', 'L', 'K', 'E', 'P', 'T', '1', 0};

// The stored record: the magic, the length of the images' IDX bytes (4 bytes, big-endian), those
// bytes, then the labels' IDX bytes.
static std::vector<uint8_t> encode(const dl::Dataset& d) {
  const std::vector<uint8_t> img = dl::idx_encode_images(d), lab = dl::idx_encode_labels(d);
  std::vector<uint8_t> out(kMagic, kMagic + 8);
  for (int shift = 24; shift >= 0; shift -= 8) out.push_back(uint8_t(img.size() >> shift));
  out.insert(out.end(), img.begin(), img.end());
  out.insert(out.end(), lab.begin(), lab.end());
  return out;
}

static std::string decode(const std::vector<uint8_t>& b, dl::Dataset* out) {
  if (b.size() < 12 || std::memcmp(b.data(), kMagic, 8) != 0) return "it is not a set of kept digits";
  const uint64_t n = (uint64_t(b[8]) << 24) | (uint64_t(b[9]) << 16) | (uint64_t(b[10]) << 8) | b[11];
  if (n > b.size() - 12) return "it is cut short";
  const std::vector<uint8_t> img(b.begin() + 12, b.begin() + 12 + std::ptrdiff_t(n)), lab(b.begin() + 12 + std::ptrdiff_t(n), b.end());
  dl::Dataset d;
  const dl::Status st = dl::dataset_from_idx(img, lab, "my digits", &d);
  if (!st.ok()) return st.error;
  if (d.rows != 28 || d.cols != 28 || d.n > kMaxMine) return "it does not hold 28 × 28 digits";
  *out = std::move(d);
  return "";
}

static void changed(AppState& s) {
  MyDigits& m = s.mine;
  m.set.name = "my digits";
  m.set.rows = m.set.cols = 28;
  ++m.version;
  platform::kept_save(encode(m.set));
}

void keep_drawing(AppState& s, int label) {
  MyDigits& m = s.mine;
  if (!s.draw.has_ink || label < 0 || label > 9) return;
  if (!m.loaded) {  // saving now would replace the stored set before it is read
    m.error = "Still reading the digits kept in this browser: keep it again in a moment.";
    return;
  }
  if (m.set.n >= kMaxMine) {
    m.error = "You have kept " + dl::with_commas(kMaxMine) + " digits, as many as this keeps: remove some first.";
    return;
  }
  for (float v : s.draw.img28) m.set.images.push_back(uint8_t(std::lround(std::clamp(v, 0.0f, 1.0f) * 255.0f)));
  m.set.labels.push_back(uint8_t(label));
  ++m.set.n;
  m.error.clear();
  m.note = "Kept as a " + std::to_string(label) + " (" + dl::with_commas(m.set.n) + " kept).";
  changed(s);
}

void keep_popup(AppState& s) {
  if (!ImGui::BeginPopup("keep")) return;
  note_window(s, "draw.keep.popup");
  ImGui::TextUnformatted("Keep this drawing as a");
  const float fs = ImGui::GetFontSize();
  for (int k = 0; k < 10; ++k) {
    char b[8], key[24];
    std::snprintf(b, sizeof b, "%d", k);
    std::snprintf(key, sizeof key, "draw.keep.%d", k);
    if (k % 5) ImGui::SameLine();
    const bool read = s.draw.pred == k && !s.model_fashion;  // the network's reading of a digit, marked
    if (read) ImGui::PushStyleColor(ImGuiCol_Button, ImVec4(0.55f, 0.78f, 0.60f, 1));
    if (ImGui::Button(b, ImVec2(fs * 2.2f, 0))) {
      keep_drawing(s, k);
      ImGui::CloseCurrentPopup();
    }
    if (read) ImGui::PopStyleColor();
    note_rect(s, key);
  }
  if (ImGui::Button("My digits…")) {
    s.mine.open = s.mine.focus = true;
    ImGui::CloseCurrentPopup();
  }
  note_rect(s, "draw.keep.mine");
  ImGui::TextDisabled("%s kept", dl::with_commas(s.mine.set.n).c_str());
  ImGui::EndPopup();
}

static void remove_at(AppState& s, int i) {
  MyDigits& m = s.mine;
  if (i < 0 || i >= m.set.n) return;
  const size_t P = 28 * 28;
  m.set.images.erase(m.set.images.begin() + std::ptrdiff_t(size_t(i) * P), m.set.images.begin() + std::ptrdiff_t(size_t(i + 1) * P));
  m.set.labels.erase(m.set.labels.begin() + i);
  --m.set.n;
  m.note = "Removed one (" + dl::with_commas(m.set.n) + " kept).";
  changed(s);
}

void mine_import(AppState& s, const std::vector<UserFile>& files) {
  MyDigits& m = s.mine;
  dl::Dataset in;
  const std::string err = read_idx_pair(files, &in);
  if (!err.empty()) {
    m.error = err + " Your digits have not changed.";
    return;
  }
  if (int64_t(m.set.n) + in.n > kMaxMine) {
    m.error = "Together they would be " + dl::with_commas(int64_t(m.set.n) + in.n) + " digits, more than the " +
              dl::with_commas(kMaxMine) + " this keeps. Your digits have not changed.";
    return;
  }
  m.set.images.insert(m.set.images.end(), in.images.begin(), in.images.end());
  m.set.labels.insert(m.set.labels.end(), in.labels.begin(), in.labels.end());
  m.set.n += in.n;
  m.error.clear();
  m.note = "Added " + dl::with_commas(in.n) + " digits (" + dl::with_commas(m.set.n) + " kept).";
  changed(s);
}

void on_kept_loaded(AppState& s, double length) {
  MyDigits& m = s.mine;
  m.loaded = true;
  m.error = platform::kept_error();
  if (!(length > 0 && length <= double(kMaxMine) * 800 + 64)) return;  // none kept (or not a size it could be)
  std::vector<uint8_t> bytes(static_cast<size_t>(length));
  platform::kept_take(bytes.data());
  dl::Dataset d;
  const std::string err = decode(bytes, &d);
  if (!err.empty()) {
    m.error = "The digits kept in this browser could not be read (" + err + "); keeping a new one starts a new set.";
    return;
  }
  m.set = std::move(d);  // nothing was kept before: keep_drawing waits for this
  m.set.name = "my digits";
  ++m.version;
}

void on_kept_done(AppState& s) { s.mine.error = platform::kept_error(); }

// The test: a few images a frame; made again when the set changes, or the pad's weights did once the
// last one is done (while a run trains they change every quarter second: each test still finishes).
static void test_step(AppState& s) {
  MyDigits& m = s.mine;
  const DrawState& d = s.draw;
  if (m.set.n == 0 || !d.model.built() || !dl::model_fits_data(d.model, m.set).ok()) {
    m.eval.reset();
    m.tested = false;
    return;
  }
  if (m.test_version != m.version || (m.test_model != d.version && !m.eval)) {
    m.test_version = m.version;
    m.test_model = d.version;
    m.model = d.model;
    m.eval = std::make_unique<dl::Evaluation>(m.model, m.set, 32, true);
    m.tested = false;
  }
  if (!m.eval) return;
  const double t0 = platform::now_ms();
  do m.eval->step();
  while (!m.eval->done() && platform::now_ms() - t0 < kTestBudgetMs);
  if (!m.eval->done()) return;
  const dl::EvalResult r = m.eval->result();
  m.accuracy = r.accuracy;
  m.confusion = r.confusion;
  m.pred = std::move(m.eval->predictions);
  m.eval.reset();
  m.tested = true;
}

// ------------------------------------------------------------------------------------ fine-tuning

// The test's reading is of the set as it is and of the pad's latest weights.
static bool test_current(const AppState& s) {
  const MyDigits& m = s.mine;
  return m.tested && m.test_version == m.version && m.test_model == s.draw.version &&
         s.draw.version == s.snap.params_version;
}

// Held out: every 4th kept digit of each digit (the 4th, 8th, … 3 kept); the rest are trained on.
static std::vector<int> held_out(const dl::Dataset& d) {
  std::vector<int> held, seen(10, 0);
  for (int i = 0; i < d.n; ++i)
    if (++seen[d.labels[size_t(i)]] % 4 == 0) held.push_back(i);
  return held;
}

static int right_of(const MyDigits& m, const std::vector<int>& idx) {
  int right = 0;
  for (int i : idx) right += size_t(i) < m.pred.size() && m.pred[size_t(i)] == m.set.labels[size_t(i)];
  return right;
}

// What stands in the way of fine-tuning now ("" if nothing).
static std::string tune_blocker(const AppState& s) {
  const MyDigits& m = s.mine;
  if (run_in_progress(s)) return "A run is in progress: let it finish (or stop it) first.";
  if (!s.snap.has_model || !s.draw.model.built()) return "Train a network (or load one) first.";
  if (s.model_fashion || s.data.fashion) return "The network learned clothes: fine-tuning on digits needs digits.";
  if (held_out(m.set).empty()) return "Keep at least 4 of a digit: every 4th of each digit is held out to compare.";
  if (!test_current(s)) return "Reading your digits with the current network…";
  return "";
}

static void tune_start(AppState& s) {
  MyDigits& m = s.mine;
  MyDigits::Tune t;
  t.held = held_out(m.set);
  auto extra = std::make_shared<dl::Dataset>();
  extra->name = "my digits";
  extra->rows = extra->cols = 28;
  std::vector<int> train;
  for (int i = 0, h = 0; i < m.set.n; ++i) {
    if (h < int(t.held.size()) && t.held[size_t(h)] == i) ++h;
    else train.push_back(i);
  }
  const double epoch_images = double(data_train(s).n) * (1.0 - double(s.train.cfg.val_split));
  t.trained = int(train.size());
  t.repeats = int(std::clamp(std::lround(kTuneShare * epoch_images / double(train.size())), 1L, 1000L));
  // The run holds the training images in use again, with the repeated kept ones: sized in doubles (the
  // data in use is the user's to choose), refused with the reason past what the memory can give.
  const double need = double(data_train(s).images.size()) + double(t.trained) * t.repeats * 28 * 28;
  if (const std::string shortfall = memory_shortfall(need); !shortfall.empty()) {
    t.error = "Fine-tuning did not start: it needs " + dl::bytes_text(need) + " of memory" + shortfall + ".";
    m.tune = std::move(t);
    return;
  }
  for (int r = 0; r < t.repeats; ++r)
    for (int i : train) {
      extra->images.insert(extra->images.end(), m.set.image(i), m.set.image(i) + 28 * 28);
      extra->labels.push_back(m.set.labels[size_t(i)]);
    }
  extra->n = int(extra->labels.size());
  t.right_before = right_of(m, t.held);
  t.test_before = s.snap.has_eval ? s.snap.test_accuracy : -1;
  t.run_before = s.snap.run;
  t.set_version = m.version;
  if (start_fine_tuning(s, std::move(extra), kTuneEpochs)) {
    t.stage = MyDigits::Tune::Asked;
  } else {
    t.error = s.model.refused;
  }
  m.tune = std::move(t);
}

// Follows the run it started, then waits for the held-out digits read with its final weights.
static void tune_update(AppState& s) {
  MyDigits& m = s.mine;
  MyDigits::Tune& t = m.tune;
  if (t.stage == MyDigits::Tune::None || t.stage == MyDigits::Tune::Done) return;
  if (!s.trainer_fault.empty()) {  // no snapshot or weights come from a failed trainer
    t.stage = MyDigits::Tune::Done;
    t.error = "The fine-tuning ended with the training's failure (see the Training window).";
    return;
  }
  if (m.version != t.set_version) {
    t.stage = MyDigits::Tune::Done;
    t.error = "Your digits changed during the fine-tuning, so there is no before and after to compare.";
    return;
  }
  const Snapshot& sn = s.snap;
  if (t.stage == MyDigits::Tune::Asked && sn.run != t.run_before && !sn.starting) {
    t.run = sn.run;
    t.stage = MyDigits::Tune::Running;
    t.epoch_images = sn.train_n;
    if (sn.error) {  // refused by the trainer
      t.stage = MyDigits::Tune::Done;
      t.error = sn.message;
    }
  }
  if (t.stage == MyDigits::Tune::Running) {
    if (sn.run != t.run) {
      t.stage = MyDigits::Tune::Done;
      t.error = "Another run replaced the fine-tuning before it ended.";
    } else if (sn.phase != dl::TrainPhase::Running && !sn.evaluating) {
      t.stage = MyDigits::Tune::Reading;
      if (sn.phase == dl::TrainPhase::Stopped) t.stopped = sn.message;
    }
  }
  if (t.stage == MyDigits::Tune::Reading) {
    test_step(s);  // also while the window is closed
    if (!test_current(s)) return;
    t.right_after = right_of(m, t.held);
    t.test_after = sn.has_eval ? sn.test_accuracy : -1;
    t.stage = MyDigits::Tune::Done;
  }
}

void mine_update(AppState& s) {
  MyDigits& m = s.mine;
  if (!m.requested) {
    m.requested = true;
    platform::kept_load();
  }
  if (m.open) test_step(s);
  tune_update(s);
}

static void tune_section(AppState& s) {
  MyDigits& m = s.mine;
  const MyDigits::Tune& t = m.tune;
  const bool busy = t.stage == MyDigits::Tune::Asked || t.stage == MyDigits::Tune::Running ||
                    t.stage == MyDigits::Tune::Reading;
  const std::string blocker = busy ? "" : tune_blocker(s);
  ImGui::BeginDisabled(busy || !blocker.empty());
  char label[64];
  std::snprintf(label, sizeof label, "Fine-tune on my digits (%d epochs)", kTuneEpochs);
  if (ImGui::Button(label)) tune_start(s);
  ImGui::EndDisabled();
  note_rect(s, "mine.tune");
  hint("The current network trains a little more on the training images plus your digits (repeated, so that they "
       "count), all but every 4th of each digit: those it does not see, and they show whether it learned your "
       "handwriting or only these drawings.");
  if (!blocker.empty()) ImGui::TextDisabled("%s", blocker.c_str());
  if (!t.error.empty()) {
    ImGui::PushStyleColor(ImGuiCol_Text, ImVec4(0.75f, 0.1f, 0.1f, 1));
    ImGui::TextWrapped("%s", t.error.c_str());
    ImGui::PopStyleColor();
  }
  if (t.stage == MyDigits::Tune::None || !t.error.empty()) return;
  const int held = int(t.held.size());
  ImGui::TextWrapped("Trained on %d of your digits, each %s times an epoch (%s images of an epoch's %s); %d held out.",
                     t.trained, dl::with_commas(t.repeats).c_str(), dl::with_commas(int64_t(t.trained) * t.repeats).c_str(),
                     dl::with_commas(t.epoch_images).c_str(), held);
  if (t.stage != MyDigits::Tune::Done) {
    if (t.stage == MyDigits::Tune::Reading) ImGui::TextDisabled("Reading the held-out digits…");
    else ImGui::TextDisabled("Fine-tuning: epoch %d of %d…", std::min(s.snap.epoch + 1, kTuneEpochs), kTuneEpochs);
    return;
  }
  ImGui::Text("held-out digits read right: before %d of %d, after %d of %d", t.right_before, held, t.right_after, held);
  note_rect(s, "mine.tune.result");
  if (!t.stopped.empty()) ImGui::TextDisabled("(%s)", t.stopped.c_str());
  ImGui::PushTextWrapPos(0);
  if (t.test_before >= 0 && t.test_after >= 0)
    ImGui::TextDisabled("on the test set: before %.2f%%, after %.2f%%", 100 * t.test_before, 100 * t.test_after);
  ImGui::TextDisabled("A fine-tuned network is not kept as a run (the runs are kept for the data alone): Download "
                      "trained model, in the Model window, keeps it.");
  ImGui::PopTextWrapPos();
}

// Each digit's row of tiles: the kept images of that digit, misread ones outlined in red once tested;
// a click removes one.
static void grid(AppState& s) {
  MyDigits& m = s.mine;
  if (m.tex_version != m.version) {
    std::vector<const uint8_t*> imgs;
    for (int i = 0; i < m.set.n; ++i) imgs.push_back(m.set.image(i));
    const int rows = std::max(1, (m.set.n + kMineCols - 1) / kMineCols);
    texture_image_grid(&m.tex, imgs, 28, 28, kMineCols, rows, true);
    m.tex_version = m.version;
  }
  const int rows = std::max(1, (m.set.n + kMineCols - 1) / kMineCols);
  const float fs = ImGui::GetFontSize(), cell = std::floor(fs * 2.0f);
  const float per_row = std::max(1.0f, std::floor((ImGui::GetContentRegionAvail().x - fs * 1.5f) / cell));
  ImDrawList* dl = ImGui::GetWindowDrawList();
  int hovered = -1;
  for (int k = 0; k < 10; ++k) {
    std::vector<int> of;
    for (int i = 0; i < m.set.n; ++i)
      if (m.set.labels[size_t(i)] == k) of.push_back(i);
    ImGui::Text("%d", k);
    ImGui::SameLine(fs * 1.5f);
    if (of.empty()) {
      ImGui::TextDisabled("none yet");
      continue;
    }
    const ImVec2 p0 = ImGui::GetCursorScreenPos();
    const size_t shown = std::min(of.size(), size_t(per_row) * kMineLines);  // the first few lines of a digit
    const int lines = int(std::ceil(float(shown) / per_row));
    for (size_t j = 0; j < shown; ++j) {
      const int i = of[j];
      const ImVec2 a(p0.x + float(j % size_t(per_row)) * cell, p0.y + float(j / size_t(per_row)) * cell);
      const ImVec2 b(a.x + cell - 2, a.y + cell - 2);
      ImVec2 uv0, uv1;
      grid_uv(kMineCols, rows, i, &uv0, &uv1);
      draw_image(dl, m.tex, a, b, ImageMode::Ink, uv0, uv1);
      const bool wrong = m.tested && size_t(i) < m.pred.size() && m.pred[size_t(i)] != m.set.labels[size_t(i)];
      dl->AddRect(a, b, wrong ? IM_COL32(220, 50, 40, 255) : IM_COL32(200, 204, 212, 255), 0, 0, wrong ? 2.0f : 1.0f);
      if (ImGui::IsWindowHovered() && ImGui::IsMouseHoveringRect(a, b)) hovered = i;
    }
    ImGui::Dummy(ImVec2(per_row * cell, float(lines) * cell));
    if (shown < of.size()) ImGui::TextDisabled("and %s more", dl::with_commas((long long)(of.size() - shown)).c_str());
    char key[24];
    std::snprintf(key, sizeof key, "mine.row.%d", k);
    note_rect(s, key);
  }
  if (hovered < 0) return;
  const int label = m.set.labels[size_t(hovered)];
  if (m.tested && size_t(hovered) < m.pred.size())
    ImGui::SetTooltip("a %d, read as %d\nclick to remove it", label, m.pred[size_t(hovered)]);
  else
    ImGui::SetTooltip("a %d\nclick to remove it", label);
  if (ImGui::IsMouseClicked(0)) remove_at(s, hovered);
}

// The current model on the kept digits, beside its MNIST test accuracy; per digit, how many it read right.
static void test_result(AppState& s) {
  MyDigits& m = s.mine;
  if (!s.draw.model.built()) {
    ImGui::TextDisabled("Train a network (or load one) to test it on your digits.");
    return;
  }
  if (!m.tested) {
    ImGui::ProgressBar(m.eval ? float(m.eval->position()) / float(std::max(1, m.set.n)) : 0.0f, ImVec2(-1, 0), "reading your digits…");
    return;
  }
  const int right = int(std::lround(m.accuracy * m.set.n));
  ImGui::Text("%s reads %d of your %s digits right: %.1f%%", s.draw.model.spec().name.c_str(), right,
              dl::with_commas(m.set.n).c_str(), 100.0 * m.accuracy);
  note_rect(s, "mine.accuracy");
  if (s.model_fashion) ImGui::TextDisabled("(this network learned clothes, not digits)");
  else if (s.snap.has_eval) ImGui::TextDisabled("on the test set: %.1f%%", 100.0 * s.snap.test_accuracy);
  std::string per;
  for (int k = 0; k < 10; ++k) {
    int64_t n = 0;
    for (int j = 0; j < 10; ++j) n += m.confusion.at(k, j);
    if (n == 0) continue;
    char b[32];
    std::snprintf(b, sizeof b, "%s%d: %lld/%lld", per.empty() ? "" : " · ", k, (long long)m.confusion.at(k, k), (long long)n);
    per += b;
  }
  ImGui::PushTextWrapPos(0);
  ImGui::TextDisabled("read right, per digit: %s", per.c_str());
  ImGui::PopTextWrapPos();
}

static void window_body(AppState& s) {
  MyDigits& m = s.mine;
  ImGui::TextWrapped("Digits drawn on the pad and kept with their label (the Draw window's \"Keep as…\"), stored in "
                     "this browser. How does the network do on your class's handwriting?");
  if (!m.loaded) ImGui::TextDisabled("Reading the digits kept in this browser…");
  const bool any = m.set.n > 0;
  ImGui::BeginDisabled(!any);
  if (ImGui::Button("Export IDX")) {
    platform::download("my-digits-images-idx3-ubyte", dl::idx_encode_images(m.set));
    platform::download("my-digits-labels-idx1-ubyte", dl::idx_encode_labels(m.set));
  }
  note_rect(s, "mine.export");
  hint("Two files in MNIST's format: the images and their labels. Import them here in another browser, or train "
       "on them with Data › Your own data….");
  ImGui::SameLine();
  if (ImGui::Button("PNG sheet")) {
    const dl::GrayImage sheet = dl::digit_sheet(m.set, dl::SheetLayout{});
    if (sheet.w > 0) platform::download_png("my-digits.png", sheet.w, sheet.h, sheet.pixels);
    else m.error = "The sheet would be too large a picture; Export IDX keeps every digit.";
  }
  note_rect(s, "mine.sheet");
  hint("A picture to print: your digits in rows from 0 to 9, dark on white, each row led by its digit (an empty "
       "row where none is kept yet).");
  ImGui::EndDisabled();
  ImGui::SameLine();
  if (ImGui::Button("Import IDX…")) {
    m.error.clear();
    platform::pick_data_files(true);
  }
  note_rect(s, "mine.import");
  hint("An images file and its labels file of 28 × 28 digits (as Export gives): added to yours.");
  if (!m.error.empty()) {
    ImGui::PushStyleColor(ImGuiCol_Text, ImVec4(0.75f, 0.1f, 0.1f, 1));
    ImGui::TextWrapped("%s", m.error.c_str());
    ImGui::PopStyleColor();
  } else if (!m.note.empty()) {
    ImGui::TextDisabled("%s", m.note.c_str());
  }
  if (!any) {
    ImGui::TextDisabled("None kept yet: draw a digit, then Keep as….");
    return;
  }
  ImGui::Separator();
  test_result(s);
  tune_section(s);
  ImGui::Separator();
  grid(s);
}

void mine_window(AppState& s) {
  MyDigits& m = s.mine;
  m.shown = false;
  if (!m.open) return;
  const ImVec2 ds = ImGui::GetIO().DisplaySize;
  const float fs = ImGui::GetFontSize();
  const ImVec2 size(std::min(fs * 30, ds.x * 0.95f), std::min(fs * 34, ds.y * 0.9f));
  if (begin_floating(s, "My digits###mine", "mine", ImVec2(ds.x * 0.5f, ds.y * 0.45f), ImVec2(0.5f, 0.5f), size, &m.focus,
                     &m.open)) {
    m.shown = true;
    window_body(s);
  }
  ImGui::End();
}

}  // namespace app
