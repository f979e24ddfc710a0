// The Data window: load progress, set sizes, per-digit counts (table with bars), sample digits,
// and the mean image of each digit. Also the user's own data: IDX image/label files (the page
// gunzips .gz) or a Kaggle train.csv, from the file picker or dropped on the page; and a Kaggle
// test.csv, whose images the current model reads into a submission.csv. A file that cannot be used
// gets the core's message and the data in use stays.
#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "app.h"
#include "platform/platform.h"

namespace app {

const dl::Dataset& data_train(const AppState& s) { return s.data.user_train ? *s.data.user_train : s.data.train; }

dl::Dataset data_shape(const AppState& s) {
  const dl::Dataset& d = data_train(s);
  dl::Dataset shape;
  shape.rows = d.rows > 0 ? d.rows : 28;
  shape.cols = d.cols > 0 ? d.cols : 28;
  return shape;
}
const dl::Dataset& data_test(const AppState& s) { return s.data.user_test ? *s.data.user_test : s.data.test; }

std::string class_name(const AppState& s, int k) {
  if (s.data.fashion && k >= 0 && k < dl::kNumClasses) return dl::kFashionClasses[k];
  return std::to_string(k);
}
const char* class_noun(const AppState& s) { return s.data.fashion ? "class" : "digit"; }

void data_make_views(AppState& s) {
  DataState& d = s.data;
  ++d.generation;
  const dl::Dataset& train = data_train(s);
  const dl::Dataset& test = data_test(s);
  d.train_counts = dl::dataset_class_counts(train);
  d.test_counts = dl::dataset_class_counts(test);
  d.balanced_all = train.n > 0 ? dl::balanced_class_weights(train) : std::vector<double>();

  // A grid of sample digits: the first images of the training set, in order.
  d.sample_cols = 12;
  d.sample_rows = 5;
  const int n = std::min(d.sample_cols * d.sample_rows, train.n);
  std::vector<const uint8_t*> imgs(static_cast<size_t>(n));
  d.sample_labels.assign(size_t(n), 0);
  for (int i = 0; i < n; ++i) {
    imgs[size_t(i)] = train.image(i);
    d.sample_labels[size_t(i)] = train.labels[size_t(i)];
  }
  texture_image_grid(&d.samples, imgs, 28, 28, d.sample_cols, d.sample_rows, true);

  // The mean image of each digit, side by side, each stretched to its own maximum.
  std::vector<double> sum(10 * 784, 0.0);
  for (int i = 0; i < train.n; ++i) {
    const uint8_t* img = train.image(i);
    double* acc = sum.data() + size_t(train.labels[size_t(i)]) * 784;
    for (int p = 0; p < 784; ++p) acc[p] += img[p];
  }
  std::vector<uint8_t> means(10 * 28 * 28);
  for (int k = 0; k < 10; ++k) {
    const double* acc = sum.data() + size_t(k) * 784;
    const double mx = std::max(1.0, *std::max_element(acc, acc + 784));
    for (int y = 0; y < 28; ++y)
      for (int x = 0; x < 28; ++x) means[size_t(y) * 280 + k * 28 + x] = uint8_t(std::lround(255.0 * acc[y * 28 + x] / mx));
  }
  texture_r8(&d.means, 280, 28, means.data(), true);
}

// ------------------------------------------------------------------------------- the user's data

// The core's messages have no final full stop; ours follow them.
static std::string sentence(const std::string& m) {
  return m.empty() || m.back() == '.' || m.back() == '!' || m.back() == '?' ? m : m + ".";
}

namespace {

std::string lower(std::string v) {
  for (char& c : v) c = char(std::tolower(uint8_t(c)));
  return v;
}
bool ends_with(const std::string& v, const char* suffix) {
  const size_t n = std::strlen(suffix);
  return v.size() >= n && v.compare(v.size() - n, n, suffix) == 0;
}
enum class Kind { Csv, Images, Labels, Unknown };
Kind kind_of(const UserFile& f) {
  const std::vector<uint8_t>& b = f.bytes;
  if (b.size() >= 4 && b[0] == 0 && b[1] == 0 && b[2] == 8 && b[3] == 3) return Kind::Images;
  if (b.size() >= 4 && b[0] == 0 && b[1] == 0 && b[2] == 8 && b[3] == 1) return Kind::Labels;
  if (ends_with(lower(f.name), ".csv") || (b.size() >= 5 && std::memcmp(b.data(), "label", 5) == 0)) return Kind::Csv;
  return Kind::Unknown;
}
// MNIST's own names say which files are the test set: t10k-…, or anything with "test" in it.
bool is_test_name(const std::string& name) {
  const std::string n = lower(name);
  return n.find("t10k") != std::string::npos || n.find("test") != std::string::npos;
}

struct Pair {
  const UserFile* images = nullptr;
  const UserFile* labels = nullptr;
};

// One images + labels pair → a dataset, with the core's messages naming the user's files.
dl::Status parse_pair(const Pair& p, const std::string& name, dl::Dataset* out) {
  dl::Dataset d;
  d.name = name;
  dl::Status st = dl::idx_parse_images(p.images->bytes.data(), p.images->bytes.size(), p.images->name, &d);
  if (st.ok()) st = dl::idx_parse_labels(p.labels->bytes.data(), p.labels->bytes.size(), p.labels->name, &d.labels);
  if (!st.ok()) return st;
  if (int(d.labels.size()) != d.n)
    return dl::Status::fail(p.labels->name + " has " + dl::with_commas((long long)d.labels.size()) + " labels but " +
                            p.images->name + " has " + dl::with_commas(d.n) + " images: the two files do not belong together");
  *out = std::move(d);
  return {};
}

// What the files are and whether they can be used: "" and *train, *test set, or a message.
// *note says how the data was split; *source names the files.
std::string read_user_files(const std::vector<UserFile>& files, dl::Dataset* train, dl::Dataset* test,
                            std::string* note, std::string* source) {
  std::vector<const UserFile*> csv;
  Pair tr, te;
  std::string names;
  for (const UserFile& f : files) {
    names += (names.empty() ? "" : ", ") + f.name;
    const Kind k = kind_of(f);
    if (k == Kind::Csv) {
      csv.push_back(&f);
      continue;
    }
    if (k == Kind::Unknown)
      return "\"" + f.name + "\" is neither an IDX file of images or labels (like MNIST's train-images-idx3-ubyte) "
             "nor a CSV file whose first line is \"label,pixel0,...,pixel783\".";
    Pair& p = is_test_name(f.name) ? te : tr;
    const UserFile*& slot = k == Kind::Images ? p.images : p.labels;
    if (slot)
      return "Two " + std::string(k == Kind::Images ? "image" : "label") + " files for the same set (\"" + slot->name +
             "\" and \"" + f.name + "\"). Choose one images file and its labels file (and, if you like, a test pair "
             "whose names contain \"test\" or \"t10k\").";
    slot = &f;
  }
  *source = names;
  dl::Dataset all;
  if (!csv.empty()) {
    if (files.size() != 1) return "Choose one CSV file on its own (a Kaggle-style train.csv), or IDX files without a CSV.";
    const std::string text(csv[0]->bytes.begin(), csv[0]->bytes.end());
    dl::Status st = dl::dataset_from_csv(text, csv[0]->name, &all);
    if (!st.ok()) return st.error;
  } else {
    for (const Pair* p : {&tr, &te}) {
      if (p->images && !p->labels)
        return "\"" + p->images->name + "\" has no labels file with it. Choose the images file and its labels file together.";
      if (p->labels && !p->images)
        return "\"" + p->labels->name + "\" has no images file with it. Choose the images file and its labels file together.";
    }
    if (tr.images && te.images) {
      dl::Status st = parse_pair(tr, "train", train);
      if (st.ok()) st = parse_pair(te, "test", test);
      if (!st.ok()) return st.error;
    } else {
      dl::Status st = parse_pair(tr.images ? tr : te, "all", &all);
      if (!st.ok()) return st.error;
    }
  }
  if (all.n > 0) {  // one set: hold out one image in seven for testing (as MNIST's 60,000 / 10,000)
    if (all.n < 20)
      return "Only " + std::to_string(all.n) + " images: too few to train on and test with. Use at least 20 (better thousands).";
    dl::dataset_split(all, 1.0f / 7.0f, 20240601, train, test);
    train->name = "train";
    test->name = "test";
    *note = "One set of " + dl::with_commas(all.n) + " images: " + dl::with_commas(test->n) +
            " of them (1 in 7, picked at random) are kept apart for testing.";
  } else {
    *note = "Training and test images from separate files.";
  }
  for (const dl::Dataset* d : {static_cast<const dl::Dataset*>(train), static_cast<const dl::Dataset*>(test)})
    if (d->rows != 28 || d->cols != 28)
      return "These images are " + std::to_string(d->rows) + " × " + std::to_string(d->cols) +
             " pixels; the networks here read 28 × 28 images, as in MNIST.";
  return "";
}

// Kaggle's test.csv: one CSV file whose header starts with pixel0 (no label column).
bool is_kaggle_test(const std::vector<UserFile>& files) {
  if (files.size() != 1) return false;
  const std::vector<uint8_t>& b = files[0].bytes;
  const size_t bom = b.size() >= 3 && b[0] == 0xEF && b[1] == 0xBB && b[2] == 0xBF ? 3 : 0;
  return b.size() >= bom + 6 && std::memcmp(b.data() + bom, "pixel0", 6) == 0;
}

}  // namespace

std::string read_idx_pair(const std::vector<UserFile>& files, dl::Dataset* out) {
  Pair p;
  for (const UserFile& f : files) {
    const Kind k = kind_of(f);
    if (k != Kind::Images && k != Kind::Labels)
      return "\"" + f.name + "\" is not an IDX file of images or labels (like my-digits-images-idx3-ubyte).";
    const UserFile*& slot = k == Kind::Images ? p.images : p.labels;
    if (slot) return "Choose one images file and its labels file.";
    slot = &f;
  }
  if (!p.images || !p.labels) return "Choose an images file and its labels file together.";
  const dl::Status st = parse_pair(p, "imported", out);
  if (!st.ok()) return sentence(st.error);
  if (out->rows != 28 || out->cols != 28)
    return "These images are " + std::to_string(out->rows) + " × " + std::to_string(out->cols) + " pixels; kept digits are 28 × 28.";
  return "";
}

// A test.csv changes no data and no model, so it is taken while a run trains too.
static void kaggle_arrived(AppState& s, const UserFile& f) {
  DataState& d = s.data;
  dl::Dataset images;
  const dl::Status st = dl::images_from_csv(std::string(f.bytes.begin(), f.bytes.end()), f.name, &images);
  if (!st.ok()) {
    d.user_error = sentence(st.error) + " The data in use has not changed.";
    return;
  }
  d.user_error.clear();
  d.kaggle = std::make_shared<const dl::Dataset>(std::move(images));
  d.kaggle_name = f.name;
}

void kaggle_update(AppState& s) {
  DataState& d = s.data;
  const Predictions& p = s.snap.predictions;
  if (!d.kaggle || d.kaggle_request == 0 || p.request != d.kaggle_request || !p.done ||
      d.kaggle_downloaded == d.kaggle_request)
    return;
  d.kaggle_downloaded = d.kaggle_request;
  const std::string csv = dl::submission_csv(p.labels);
  platform::download("submission.csv", std::vector<uint8_t>(csv.begin(), csv.end()));
}

// Fashion-MNIST could not be had: the data in use stays, and a link's lesson does not start by itself.
static void fashion_failed(AppState& s, const std::string& why) {
  DataState& d = s.data;
  d.fashion_fetching = false;
  d.lesson.fashion = d.fashion;
  s.autostart_pending = false;
  d.user_note.clear();
  d.user_error = why + " The data in use has not changed.";
}

// Fashion-MNIST's files, fetched by the page: kept, and put in use if they are still wanted.
static void fashion_arrived(AppState& s, const std::vector<UserFile>& files) {
  DataState& d = s.data;
  d.fashion_fetching = false;
  dl::Dataset train, test;
  std::string note, source;
  std::string err = files.size() == 4 ? read_user_files(files, &train, &test, &note, &source) : "";
  if (err.empty() && (train.n != 60000 || test.n != 10000)) err = "the files do not hold Fashion-MNIST's 60,000 + 10,000 images";
  if (!err.empty()) {
    fashion_failed(s, "Fashion-MNIST could not be read: " + sentence(err));
    return;
  }
  train.name = "train";
  test.name = "test";
  d.fashion_train = std::make_shared<const dl::Dataset>(std::move(train));
  d.fashion_test = std::make_shared<const dl::Dataset>(std::move(test));
  if (!d.lesson.fashion) return;  // MNIST was chosen again meanwhile
  if (run_in_progress(s)) {
    d.lesson.fashion = d.fashion;
    d.user_error = "Fashion-MNIST is here; stop the training first, then choose it again.";
    return;
  }
  lesson_data_apply(s);
}

void user_data_arrived(AppState& s, std::vector<UserFile> files, bool fashion) {
  DataState& d = s.data;
  d.user_note.clear();
  if (fashion) {
    fashion_arrived(s, files);
    return;
  }
  const char* keep = " The data in use has not changed.";
  if (is_kaggle_test(files)) {
    kaggle_arrived(s, files[0]);
    return;
  }
  if (d.phase == DataPhase::Waiting || d.phase == DataPhase::Loading) {
    d.user_error = std::string("Wait until the MNIST digits have finished loading, then load your own.") + keep;
    return;
  }
  // (A test-set evaluation in progress is fine: the switch cancels it and evaluates on the new data.)
  if (run_in_progress(s)) {
    d.user_error = std::string("Stop the training first, then load your data.") + keep;
    return;
  }
  if (files.empty()) return;
  dl::Dataset train, test;
  std::string note, source;
  const std::string err = read_user_files(files, &train, &test, &note, &source);
  if (!err.empty()) {
    d.user_error = sentence(err) + keep;
    return;
  }
  d.user_error.clear();
  d.user_note = note;
  d.source = source;
  d.lesson_applied = false;
  d.fashion = d.lesson.fashion = false;
  d.user_train = std::make_shared<const dl::Dataset>(std::move(train));
  d.user_test = std::make_shared<const dl::Dataset>(std::move(test));
  trainer(s).replace_data(d.user_train, d.user_test);
  data_make_views(s);
  d.phase = DataPhase::Ready;
}

void use_mnist_again(AppState& s) {
  DataState& d = s.data;
  if (!d.user_train || d.train.n == 0) return;
  if (run_in_progress(s)) {
    d.user_error = "Stop the training first, then switch the data.";
    return;
  }
  const auto keep = [](const dl::Dataset*) {};  // MNIST lives in AppState for good
  trainer(s).replace_data(std::shared_ptr<const dl::Dataset>(&d.train, keep),
                        std::shared_ptr<const dl::Dataset>(&d.test, keep));
  d.user_train.reset();
  d.user_test.reset();
  d.source = "MNIST";
  d.user_note.clear();
  d.user_error.clear();
  d.lesson_applied = false;
  d.fashion = d.lesson.fashion = false;
  data_make_views(s);
}

void choose_dataset(AppState& s, bool fashion) {
  DataState& d = s.data;
  if (run_in_progress(s)) {
    d.user_error = "Stop the training first, then switch the data.";
    return;
  }
  d.user_error.clear();
  const bool own = d.own();
  d.lesson.fashion = fashion;
  if (!fashion && own) use_mnist_again(s);
  else lesson_data_apply(s);  // fetches Fashion-MNIST first if need be
}

void on_fashion_progress(AppState& s, double loaded, double total) {
  s.data.fashion_loaded = loaded;
  s.data.fashion_total = total;
}

// MNIST or Fashion-MNIST, and Fashion-MNIST's download. Not while the user's own data is in use: "Use
// MNIST again" comes first (and the window keeps its room for the images below).
static void dataset_row(AppState& s) {
  DataState& d = s.data;
  if (d.own()) return;
  ImGui::BeginDisabled(run_in_progress(s) || d.fashion_fetching);
  ImGui::AlignTextToFramePadding();
  ImGui::TextUnformatted("Images:");
  ImGui::SameLine();
  if (ImGui::RadioButton("digits", !d.fashion) && d.fashion) choose_dataset(s, false);
  note_rect(s, "data.mnist_digits");
  hint("MNIST: 70,000 handwritten digits 0–9.");
  same_line_if_fits(checkbox_width("clothes"));
  if (ImGui::RadioButton("clothes", d.fashion) && !d.fashion) choose_dataset(s, true);
  note_rect(s, "data.fashion");
  hint("Fashion-MNIST (Zalando): 70,000 pictures of clothes, 28 × 28 like MNIST, in ten classes — T-shirt/top, "
       "trouser, pullover, dress, coat, sandal, shirt, sneaker, bag, ankle boot. The same networks train on it; it "
       "is harder than the digits. Downloaded (31 MB) the first time it is chosen.");
  ImGui::EndDisabled();
  if (d.fashion_fetching) {
    char overlay[96];
    std::snprintf(overlay, sizeof overlay, "Fashion-MNIST: %.1f of %.1f MB", d.fashion_loaded / 1e6, d.fashion_total / 1e6);
    ImGui::ProgressBar(d.fashion_total > 0 ? float(d.fashion_loaded / d.fashion_total) : 0.0f, ImVec2(-1, 0),
                       d.fashion_total > 0 ? overlay : "Fashion-MNIST: waiting for the server…");
    note_rect(s, "data.fashion_progress");
  }
}

// A Kaggle test.csv, once loaded: its images read by the current model, handed back as submission.csv.
static void kaggle_section(AppState& s) {
  DataState& d = s.data;
  if (!d.kaggle) return;
  const Predictions& p = s.snap.predictions;
  const bool asked = d.kaggle_request != 0 && p.request == d.kaggle_request;
  ImGui::TextWrapped("%s: %s images without labels, for a Kaggle submission.", d.kaggle_name.c_str(),
                     dl::with_commas(d.kaggle->n).c_str());
  const bool busy = asked && p.running;
  ImGui::BeginDisabled(!s.snap.has_model || busy);
  if (ImGui::Button("Predict and download submission.csv")) {
    d.kaggle_request = ++d.kaggle_requests;
    trainer(s).predict(d.kaggle, d.kaggle_request);
  }
  note_rect(s, "data.kaggle.predict");
  if (ImGui::IsItemHovered(ImGuiHoveredFlags_AllowWhenDisabled))
    ImGui::SetTooltip("%s", !s.snap.has_model ? "Train a network or load a model file first."
                                              : "The current model reads every image; submission.csv has a row "
                                                "\"ImageId,Label\" for each, from 1, as Kaggle wants.");
  ImGui::EndDisabled();
  ImGui::SameLine();
  if (ImGui::Button("Close##kaggle")) {
    d.kaggle.reset();
    d.kaggle_request = 0;
    return;
  }
  note_rect(s, "data.kaggle.close");
  if (busy) {
    ImGui::ProgressBar(p.progress, ImVec2(-1, 0), "predicting…");
  } else if (asked && p.done) {
    ImGui::TextWrapped("Read by %s: submission.csv downloaded (%s rows).", p.model_name.c_str(),
                       dl::with_commas((long long)p.labels.size()).c_str());
  } else if (asked && !p.error.empty()) {
    ImGui::PushStyleColor(ImGuiCol_Text, ImVec4(0.75f, 0.1f, 0.1f, 1));
    ImGui::TextWrapped("%s", p.error.c_str());
    ImGui::PopStyleColor();
  }
}

// "Your own data…" and "Use MNIST again", with what happened to the last files.
static void user_data_row(AppState& s) {
  DataState& d = s.data;
  const bool busy = run_in_progress(s);
  ImGui::BeginDisabled(busy);
  if (ImGui::Button("Your own data…")) {
    d.user_error.clear();
    platform::pick_data_files();
  }
  note_rect(s, "data.load");
  if (ImGui::IsItemHovered(ImGuiHoveredFlags_AllowWhenDisabled))
    ImGui::SetTooltip("%s", busy ? "Stop the training first."
                                 : "Train on your own digits: choose (or drop on the page) IDX files like MNIST's — an "
                                   "images file and its labels file, raw or .gz, optionally a test pair named \"test\" "
                                   "or \"t10k\" — or one Kaggle-style train.csv (label,pixel0,...,pixel783). Kaggle's "
                                   "test.csv (pixel0,...,pixel783) is read by the current model into a submission.csv.");
  if (d.user_train && d.train.n > 0) {
    ImGui::SameLine();
    if (ImGui::Button("Use MNIST again")) use_mnist_again(s);
    note_rect(s, "data.mnist");
  }
  ImGui::EndDisabled();
  if (!d.user_error.empty()) {
    ImGui::PushStyleColor(ImGuiCol_Text, ImVec4(0.75f, 0.1f, 0.1f, 1));
    ImGui::TextWrapped("%s", d.user_error.c_str());
    ImGui::PopStyleColor();
  } else if (!d.user_note.empty()) {
    ImGui::TextWrapped("%s", d.user_note.c_str());
  }
}

// The sizes of the training, validation and test sets in one line; shorter words where the window is
// narrow (a 1280 × 720 projector).
static void split_line(AppState& s, const dl::Dataset& train, const dl::Dataset& test, int val) {
  const std::string tr = dl::with_commas(train.n - val), va = dl::with_commas(val), te = dl::with_commas(test.n);
  const std::string full = val > 0 ? "Training " + tr + " · Validation " + va + " · Test " + te
                                   : "Training " + tr + " · Test " + te + " (also validation)";
  const std::string brief = val > 0 ? "Train " + tr + " · Val. " + va + " · Test " + te
                                    : "Train " + tr + " · Test " + te + " (also val.)";
  const float marker = ImGui::CalcTextSize("(?)").x + ImGui::GetStyle().ItemSpacing.x;
  const bool fits = ImGui::CalcTextSize(full.c_str()).x + marker <= ImGui::GetContentRegionAvail().x;
  ImGui::TextUnformatted(fits ? full.c_str() : brief.c_str());
  note_rect(s, "data.split");
  help_marker("The network learns from the training images. The validation images (held back from the training "
              "set) show after each epoch how well it does on digits it has not learned from. The test images are "
              "used only at the end, for the final score.");
}

// Per-digit counts: a table whose last column is a bar chart.
static void counts_table(AppState& s) {
  const DataState& d = s.data;
  const int maxc = std::max(1, *std::max_element(d.train_counts.begin(), d.train_counts.end()));
  // Rows without padding where the window is short of room for the images below (2 labels, a row of
  // small samples and the averages): own data's longer header at 1600 × 900.
  const float fs = ImGui::GetFontSize(), line = ImGui::GetTextLineHeightWithSpacing();
  const float table_h = 11 * (ImGui::GetTextLineHeight() + 2 * ImGui::GetStyle().CellPadding.y);
  const bool tight = ImGui::GetContentRegionAvail().y < table_h + 2 * line + fs * 2.7f + 3 * ImGui::GetStyle().ItemSpacing.y;
  if (tight) ImGui::PushStyleVar(ImGuiStyleVar_CellPadding, ImVec2(ImGui::GetStyle().CellPadding.x, 0));
  const bool table = ImGui::BeginTable("counts", 4, ImGuiTableFlags_RowBg | ImGuiTableFlags_BordersInnerH | ImGuiTableFlags_SizingStretchProp);
  if (tight) ImGui::PopStyleVar();
  if (table) {
    ImGui::TableSetupColumn(s.data.fashion ? "Class" : "Digit", ImGuiTableColumnFlags_WidthFixed);
    ImGui::TableSetupColumn("Train", ImGuiTableColumnFlags_WidthFixed);
    ImGui::TableSetupColumn("Test", ImGuiTableColumnFlags_WidthFixed);
    ImGui::TableSetupColumn(s.data.fashion ? "Training images per class" : "Training images per digit",
                            ImGuiTableColumnFlags_WidthStretch);
    ImGui::TableHeadersRow();
    for (int k = 0; k < 10; ++k) {
      ImGui::TableNextRow();
      ImGui::TableNextColumn();
      if (s.data.fashion) ImGui::Text("%d %s", k, class_name(s, k).c_str());
      else ImGui::Text("  %d", k);
      ImGui::TableNextColumn();
      ImGui::Text("%s", dl::with_commas(d.train_counts[size_t(k)]).c_str());
      ImGui::TableNextColumn();
      ImGui::Text("%s", dl::with_commas(d.test_counts[size_t(k)]).c_str());
      ImGui::TableNextColumn();
      const ImVec2 p = ImGui::GetCursorScreenPos();
      const float w = ImGui::GetContentRegionAvail().x, h = ImGui::GetTextLineHeight();
      ImGui::GetWindowDrawList()->AddRectFilled(ImVec2(p.x, p.y + h * 0.15f),
                                                ImVec2(p.x + w * float(d.train_counts[size_t(k)]) / maxc, p.y + h * 0.85f),
                                                ImGui::GetColorU32(ImGuiCol_PlotHistogram), 2);
      ImGui::Dummy(ImVec2(w, h));
    }
    ImGui::EndTable();
  }
  note_rect(s, "data.counts");
}

// The first training images with their labels.
static void sample_images(AppState& s) {
  const DataState& d = s.data;
  ImGui::Spacing();
  // The heading, and the button of the "Unusual images" window at its right (its label shortened, then
  // the heading, where the window is narrow).
  const char* heading = "The first training images and their labels";
  const char* button = "Unusual images…";
  const float room = ImGui::GetContentRegionAvail().x - ImGui::GetStyle().ItemSpacing.x - 2 * ImGui::GetStyle().FramePadding.x;
  if (ImGui::CalcTextSize(heading).x + ImGui::CalcTextSize(button).x > room) heading = "The first training images";
  if (ImGui::CalcTextSize(heading).x + ImGui::CalcTextSize(button).x > room) button = "Unusual…";
  ImGui::TextUnformatted(heading);
  ImGui::SameLine();
  if (ImGui::SmallButton(button)) {
    s.outliers.open = true;
    s.outliers.focus = true;
  }
  note_rect(s, "data.outliers");
  if (ImGui::IsItemHovered())
    ImGui::SetTooltip("The images of each digit least like its average image, and the digits most mixed up.");
  const float W = ImGui::GetContentRegionAvail().x;
  // Two rows where they leave room for the averages below (their label and a strip 1.5 em tall),
  // else one: at 1280 × 720 the second row pushed the averages out of the window. Where even one
  // row would (own data's longer header at 1600 × 900), smaller images.
  const float after = ImGui::GetTextLineHeightWithSpacing() + ImGui::GetStyle().ItemSpacing.y + ImGui::GetFontSize() * 1.5f;
  const float cell = std::floor(std::min(W / d.sample_cols, std::max(ImGui::GetFontSize() * 1.2f,
                                                                      ImGui::GetContentRegionAvail().y - after - ImGui::GetStyle().ItemSpacing.y)));
  const int rows = std::min(d.sample_rows, ImGui::GetContentRegionAvail().y - 2 * cell >= after ? 2 : 1);
  const ImVec2 p0 = ImGui::GetCursorScreenPos();
  ImDrawList* dl = ImGui::GetWindowDrawList();
  draw_image(dl, d.samples, p0, ImVec2(p0.x + cell * d.sample_cols, p0.y + cell * rows), ImageMode::Ink, ImVec2(0, 0),
             ImVec2(1, float(rows) / d.sample_rows));
  for (int i = 0; i < d.sample_cols * rows && i < int(d.sample_labels.size()); ++i) {
    const ImVec2 c(p0.x + (i % d.sample_cols) * cell, p0.y + (i / d.sample_cols) * cell);
    char t[4];
    std::snprintf(t, sizeof t, "%d", d.sample_labels[size_t(i)]);
    const float ls = ImGui::GetFontSize() * 0.7f;
    dl->AddRectFilled(c, ImVec2(c.x + ls * 0.75f, c.y + ls), IM_COL32(40, 90, 170, 200));
    dl->AddText(ImGui::GetFont(), ls, ImVec2(c.x + 1, c.y), IM_COL32_WHITE, t);
    dl->AddRect(c, ImVec2(c.x + cell, c.y + cell), IM_COL32(215, 218, 224, 255));
  }
  ImGui::Dummy(ImVec2(cell * d.sample_cols, cell * rows));
  note_rect(s, "data.samples");
  if (ImGui::IsItemHovered()) {  // which image, and its class by name (the counts table above names the numbers)
    const ImVec2 m = ImGui::GetIO().MousePos;
    const int i = int((m.y - p0.y) / cell) * d.sample_cols + int((m.x - p0.x) / cell);
    if (i >= 0 && i < int(d.sample_labels.size()) && m.x < p0.x + cell * d.sample_cols)
      ImGui::SetTooltip("training image %d: %s%s", i, s.data.fashion ? "" : "a ",
                        class_name(s, d.sample_labels[size_t(i)]).c_str());
  }
}

// The average image of each digit, side by side.
static void mean_images(AppState& s) {
  const DataState& d = s.data;
  const float W = ImGui::GetContentRegionAvail().x;
  ImDrawList* dl = ImGui::GetWindowDrawList();
  ImGui::TextUnformatted(s.data.fashion ? "The average image of each class" : "The average image of each digit");
  // As wide as the window allows, but no taller than the space left (no scrolling for one row).
  const float mc = std::floor(std::min(W / 10, std::max(ImGui::GetFontSize() * 1.5f, ImGui::GetContentRegionAvail().y - 2)));
  const ImVec2 m0 = ImGui::GetCursorScreenPos();
  draw_image(dl, d.means, m0, ImVec2(m0.x + mc * 10, m0.y + mc), ImageMode::Heat);
  for (int k = 0; k < 10; ++k) {
    char t[4];
    std::snprintf(t, sizeof t, "%d", k);
    dl->AddText(ImVec2(m0.x + k * mc + 2, m0.y), IM_COL32_WHITE, t);
  }
  ImGui::Dummy(ImVec2(mc * 10, mc));
  note_rect(s, "data.means");
  if (ImGui::IsItemHovered()) {
    const int k = int((ImGui::GetIO().MousePos.x - m0.x) / mc);
    if (k >= 0 && k < 10) ImGui::SetTooltip("the average %s %s", class_noun(s), class_name(s, k).c_str());
  }
}

void window_data(AppState& s) {
  DataState& d = s.data;
  begin_tile(s, kPaneData, d.fashion                             ? "Data: Fashion-MNIST clothes###Data"
                           : d.own()                           ? "Data: your own digits###Data"
                                                               : "Data: MNIST handwritten digits###Data");
  if (d.phase == DataPhase::Failed) {
    ImGui::PushStyleColor(ImGuiCol_Text, ImVec4(0.75f, 0.1f, 0.1f, 1));
    ImGui::TextWrapped("%s", d.error.c_str());
    ImGui::PopStyleColor();
    ImGui::TextWrapped("You can still train on your own digit files:");
    user_data_row(s);
    ImGui::End();
    return;
  }
  if (d.phase != DataPhase::Ready) {
    ImGui::TextWrapped("Loading 70,000 images of handwritten digits…");  // MNIST comes first, whatever the link asks
    char overlay[96];
    const float frac = d.total > 0 ? float(d.loaded / d.total) : 0.0f;
    std::snprintf(overlay, sizeof overlay, "%.1f of %.1f MB", d.loaded / 1e6, d.total / 1e6);
    ImGui::ProgressBar(frac, ImVec2(-1, 0), d.total > 0 ? overlay : "waiting for the server…");
    note_rect(s, "data.progress");
    if (!d.current.empty()) ImGui::TextDisabled("%s", d.current.c_str());
    ImGui::End();
    return;
  }

  const dl::Dataset& train = data_train(s);
  const dl::Dataset& test = data_test(s);
  const int val = int(train.n * s.train.cfg.val_split);
  if (d.user_train) {
    ImGui::TextWrapped("In use: %s", d.source.c_str());
  } else {  // the finished progress bar, with the button beside it
    const float bw = ImGui::CalcTextSize("Your own data…").x + ImGui::GetStyle().FramePadding.x * 2;
    ImGui::ProgressBar(1.0f, ImVec2(ImGui::GetContentRegionAvail().x - bw - ImGui::GetStyle().ItemSpacing.x, 0),
                       "70,000 digits loaded");
    note_rect(s, "data.progress");
    ImGui::SameLine();
  }
  user_data_row(s);
  dataset_row(s);
  kaggle_section(s);
  split_line(s, train, test, val);
  counts_table(s);
  sample_images(s);
  mean_images(s);
  const float right = ImGui::GetWindowPos().x + ImGui::GetWindowSize().x, top = ImGui::GetWindowPos().y;
  ImGui::End();
  outliers_window(s, right, top);
}

// The platform holds the user's files (gunzipped where they were .gz) until they are copied here.
void on_user_data(AppState& s) {
  const bool fashion = platform::user_files_fashion(), mine = platform::user_files_mine();
  std::string error = platform::user_files_error();
  std::vector<UserFile> files(size_t(std::max(0, platform::user_file_count())));
  // Each file within the cap (the page stops reading or inflating one past it), then room for them
  // all: their bytes, the images read from them and the training/test split of those.
  double total = 0;
  for (size_t i = 0; i < files.size() && error.empty(); ++i) {
    files[i].name = platform::user_file_name(int(i));
    const double size = platform::user_file_size(int(i));
    if (!(size >= 0 && size <= double(dl::kMaxDataFileBytes)))
      error = dl::too_large_text(files[i].name, platform::user_file_gz(int(i)));
    total += size;
  }
  if (error.empty()) {
    const std::string shortfall = memory_shortfall(3 * total);
    if (!shortfall.empty()) error = "Your files need about " + dl::bytes_text(3 * total) + " of memory to read" + shortfall;
  }
  for (size_t i = 0; i < files.size() && error.empty(); ++i) {
    files[i].bytes.resize(size_t(platform::user_file_size(int(i))));
    platform::user_file_copy(int(i), files[i].bytes.data());
  }
  platform::user_files_done();
  if (!error.empty() && mine) {
    s.mine.error = sentence(error) + " Your digits have not changed.";
    return;
  }
  if (!error.empty() && fashion) {
    fashion_failed(s, "Fashion-MNIST could not be loaded: " + sentence(error));
    return;
  }
  if (!error.empty()) {
    s.data.user_note.clear();
    s.data.user_error = sentence(error) + " The data in use has not changed.";
    return;
  }
  if (mine) {
    mine_import(s, files);
    return;
  }
  user_data_arrived(s, std::move(files), fashion);
}

// The page started reading (and maybe unpacking) the user's files.
void on_user_data_reading(AppState& s) {
  s.data.user_error.clear();
  s.data.user_note = "Reading your files…";
}

}  // namespace app
