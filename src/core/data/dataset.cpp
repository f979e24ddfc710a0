#include "dataset.h"

#include <algorithm>
#include <numeric>

#include "../size.h"

namespace dl {

const char* const kFashionClasses[kNumClasses] = {"T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
                                                  "Sandal",      "Shirt",   "Sneaker",  "Bag",   "Ankle boot"};
namespace {

uint32_t read_be32(const uint8_t* p) {
  return (uint32_t(p[0]) << 24) | (uint32_t(p[1]) << 16) | (uint32_t(p[2]) << 8) | uint32_t(p[3]);
}
void write_be32(std::vector<uint8_t>& out, uint32_t v) {
  for (int s = 24; s >= 0; s -= 8) out.push_back(uint8_t(v >> s));
}
bool looks_gzip(const uint8_t* b, size_t n) { return n >= 2 && b[0] == 0x1f && b[1] == 0x8b; }

// Checks the 4-byte IDX magic: 0x00 0x00 <type 0x08 = u8> <ndims>.
Status check_magic(const uint8_t* b, size_t n, const std::string& what, int want_dims, uint32_t want_magic) {
  if (looks_gzip(b, n))
    return Status::fail(what + ": the file is still gzip-compressed; decompress it first (gunzip)");
  if (n < 4) return Status::fail(what + ": file is too short (" + std::to_string(n) + " bytes) to be an IDX file");
  uint32_t magic = read_be32(b);
  if (b[0] != 0 || b[1] != 0)
    return Status::fail(what + ": not an IDX file (bad magic number " + std::to_string(magic) + ", expected " +
                        std::to_string(want_magic) + ")");
  if (b[2] != 0x08)
    return Status::fail(what + ": IDX data type 0x" + "0123456789abcdef"[b[2] >> 4] +
                        std::string(1, "0123456789abcdef"[b[2] & 15]) + " is not supported (expected unsigned bytes, 0x08)");
  if (b[3] != want_dims)
    return Status::fail(what + ": has " + std::to_string(b[3]) + " dimensions, expected " + std::to_string(want_dims) +
                        (want_dims == 3 ? " (is this a labels file?)" : " (is this an images file?)"));
  size_t header = 4 + 4 * size_t(want_dims);
  if (n < header)
    return Status::fail(what + ": truncated header (" + std::to_string(n) + " bytes, need " + std::to_string(header) + ")");
  return {};
}

}  // namespace

std::string too_large_text(const std::string& what, bool compressed) {
  return what + (compressed ? ": this file inflates past " : ": this file is larger than ") + bytes_text(kMaxDataFileBytes) +
         ", the most a data file may hold; MNIST's training images are 47 MB. Is it the right file?";
}

Status idx_parse_images(const uint8_t* b, size_t n, const std::string& what, Dataset* out) {
  Status s = check_magic(b, n, what, 3, 2051);
  if (!s.ok()) return s;
  uint32_t count = read_be32(b + 4), rows = read_be32(b + 8), cols = read_be32(b + 12);
  if (count == 0) return Status::fail(what + ": the file holds no images");
  if (count > uint32_t(kMaxImages))
    return Status::fail(what + ": claims " + with_commas(count) + " images, more than the supported " +
                        with_commas(kMaxImages) + "; the file is probably corrupt");
  if (rows == 0 || cols == 0 || rows > uint32_t(kMaxSide) || cols > uint32_t(kMaxSide))
    return Status::fail(what + ": image size " + std::to_string(rows) + "x" + std::to_string(cols) +
                        " is not supported (each side must be 1.." + std::to_string(kMaxSide) + ")");
  // Up to 10 million images of 1024 x 1024: past 2^32, which wraps wasm32's size_t.
  const Size need = Size(16) + Size(count) * rows * cols;
  if (!need.within(n))
    return Status::fail(what + ": truncated: " + with_commas(count) + " images of " + std::to_string(rows) + "x" +
                        std::to_string(cols) + " need " + need.text() + " bytes, the file has " +
                        with_commas((long long)n) + "; download it again");
  if (n > need.get())
    return Status::fail(what + ": " + with_commas((long long)(n - need.get())) +
                        " unexpected extra bytes after the images; the file is corrupt or not IDX");
  out->n = int(count);
  out->rows = int(rows);
  out->cols = int(cols);
  out->images.assign(b + 16, b + n);
  return {};
}

Status idx_parse_labels(const uint8_t* b, size_t n, const std::string& what, std::vector<uint8_t>* labels) {
  Status s = check_magic(b, n, what, 1, 2049);
  if (!s.ok()) return s;
  uint32_t count = read_be32(b + 4);
  if (count == 0) return Status::fail(what + ": the file holds no labels");
  if (count > uint32_t(kMaxImages))
    return Status::fail(what + ": claims " + with_commas(count) + " labels, more than the supported " +
                        with_commas(kMaxImages) + "; the file is probably corrupt");
  const Size need = Size(8) + count;
  if (!need.within(n))
    return Status::fail(what + ": truncated: " + with_commas(count) + " labels need " + need.text() +
                        " bytes, the file has " + with_commas((long long)n) + "; download it again");
  if (n > need.get())
    return Status::fail(what + ": " + with_commas((long long)(n - need.get())) +
                        " unexpected extra bytes after the labels; the file is corrupt or not IDX");
  for (uint32_t i = 0; i < count; ++i)
    if (b[8 + i] >= kNumClasses)
      return Status::fail(what + ": label " + std::to_string(b[8 + i]) + " at position " + with_commas(i) +
                          " is not a digit 0-9");
  labels->assign(b + 8, b + n);
  return {};
}

Status dataset_from_idx(const std::vector<uint8_t>& image_bytes, const std::vector<uint8_t>& label_bytes,
                        const std::string& name, Dataset* out) {
  Dataset d;
  d.name = name;
  Status s = idx_parse_images(image_bytes.data(), image_bytes.size(), name + "-images", &d);
  if (!s.ok()) return s;
  s = idx_parse_labels(label_bytes.data(), label_bytes.size(), name + "-labels", &d.labels);
  if (!s.ok()) return s;
  if (int(d.labels.size()) != d.n)
    return Status::fail(name + "-labels: " + with_commas((long long)d.labels.size()) + " labels but " +
                        with_commas(d.n) + " images; the two files do not belong together");
  *out = std::move(d);
  return {};
}

namespace {
// A CSV file line by line ("\r\n" or "\n"), counting lines for messages.
struct CsvLines {
  const std::string& text;
  size_t pos = 0, line_no = 0;
  bool next(std::string* line) {
    if (pos >= text.size()) return false;
    size_t e = text.find('\n', pos);
    if (e == std::string::npos) e = text.size();
    *line = text.substr(pos, e - pos);
    if (!line->empty() && line->back() == '\r') line->pop_back();
    pos = e + 1;
    ++line_no;
    return true;
  }
};

// Kaggle's two digit CSVs, told apart by their header: train.csv's "label,pixel0,...,pixel783" and
// test.csv's "pixel0,...,pixel783" (no label column).
enum class CsvKind { Train, Test, Other };

CsvKind csv_header(std::string* line) {
  if (line->rfind("\xEF\xBB\xBF", 0) == 0) line->erase(0, 3);  // a byte-order mark, as spreadsheets write one
  if (line->rfind("pixel0", 0) == 0) return CsvKind::Test;
  if (line->rfind("label", 0) == 0) return CsvKind::Train;
  return CsvKind::Other;
}

// The rows after the header: a label and 784 pixels each (labelled), or the 784 pixels alone.
Status csv_rows(CsvLines& in, bool labelled, const std::string& name, Dataset* d) {
  const int want = labelled ? 785 : 784;
  const std::string what = labelled ? " (a label and 784 pixels: images of 28x28)" : " (784 pixels: images of 28x28)";
  std::string line;
  while (in.next(&line)) {
    if (line.empty()) continue;
    if (d->n >= kMaxImages) return Status::fail(name + ": more than " + with_commas(kMaxImages) + " rows");
    const std::string at = name + ": line " + std::to_string(in.line_no);
    int values[785], k = 0;
    const char* p = line.c_str();
    while (*p) {
      if (k == want) return Status::fail(at + " has more than " + std::to_string(want) + " values" + what);
      char* end = nullptr;
      long v = std::strtol(p, &end, 10);
      if (end == p || v < 0 || v > 255 || (*end != ',' && *end != 0))
        return Status::fail(at + ", value " + std::to_string(k + 1) + " is not a whole number 0-255");
      values[k++] = int(v);
      p = *end ? end + 1 : end;
    }
    if (k != want)
      return Status::fail(at + " has " + std::to_string(k) + " values, expected " + std::to_string(want) + what);
    if (labelled && values[0] > 9)
      return Status::fail(at + " has label " + std::to_string(values[0]) + ", not a digit 0-9");
    if (labelled) d->labels.push_back(uint8_t(values[0]));
    for (int i = labelled ? 1 : 0; i < want; ++i) d->images.push_back(uint8_t(values[i]));
    ++d->n;
  }
  if (d->n == 0) return Status::fail(name + ": the CSV has a header but no rows");
  return {};
}
}  // namespace

Status dataset_from_csv(const std::string& text, const std::string& name, Dataset* out) {
  CsvLines in{text};
  std::string line;
  if (!in.next(&line)) return Status::fail(name + ": the file is empty");
  switch (csv_header(&line)) {
    case CsvKind::Test:
      return Status::fail(name + ": this is Kaggle's test.csv (pixels without a label column): it has no answers to "
                                 "learn from; load train.csv, whose first column is the label");
    case CsvKind::Other:
      return Status::fail(name + ": not a digits CSV (the first line must be the header \"label,pixel0,...,pixel783\")");
    case CsvKind::Train: break;
  }
  Dataset d;
  d.name = name;
  d.rows = d.cols = 28;
  if (Status s = csv_rows(in, true, name, &d); !s.ok()) return s;
  *out = std::move(d);
  return {};
}

Status images_from_csv(const std::string& text, const std::string& name, Dataset* out) {
  CsvLines in{text};
  std::string line;
  if (!in.next(&line)) return Status::fail(name + ": the file is empty");
  const CsvKind kind = csv_header(&line);
  if (kind == CsvKind::Other)
    return Status::fail(name + ": not a digits CSV (the first line must be the header \"pixel0,...,pixel783\" of "
                               "Kaggle's test.csv, or \"label,pixel0,...,pixel783\" of its train.csv)");
  Dataset d;
  d.name = name;
  d.rows = d.cols = 28;
  if (Status s = csv_rows(in, kind == CsvKind::Train, name, &d); !s.ok()) return s;
  *out = std::move(d);
  return {};
}

std::string submission_csv(const std::vector<uint8_t>& predicted) {
  std::string t = "ImageId,Label\n";
  t.reserve(t.size() + predicted.size() * 8);
  for (size_t i = 0; i < predicted.size(); ++i) {
    t += std::to_string(i + 1);
    t += ',';
    t += char('0' + predicted[i] % 10);
    t += '\n';
  }
  return t;
}

std::vector<uint8_t> idx_encode_images(const Dataset& d) {
  std::vector<uint8_t> out = {0, 0, 8, 3};
  write_be32(out, uint32_t(d.n));
  write_be32(out, uint32_t(d.rows));
  write_be32(out, uint32_t(d.cols));
  out.insert(out.end(), d.images.begin(), d.images.end());
  return out;
}

std::vector<uint8_t> idx_encode_labels(const Dataset& d) {
  std::vector<uint8_t> out = {0, 0, 8, 1};
  write_be32(out, uint32_t(d.n));
  out.insert(out.end(), d.labels.begin(), d.labels.end());
  return out;
}

static Dataset dataset_pick(const Dataset& d, const int* idx, int n, const std::string& name) {
  Dataset r;
  r.name = name;
  r.n = n;
  r.rows = d.rows;
  r.cols = d.cols;
  r.images.resize(size_t(n) * d.pixels());
  r.labels.resize(n);
  for (int i = 0; i < n; ++i) {
    std::copy(d.image(idx[i]), d.image(idx[i]) + d.pixels(), r.images.begin() + size_t(i) * d.pixels());
    r.labels[i] = d.labels[idx[i]];
  }
  return r;
}

void dataset_split(const Dataset& all, float fraction, uint64_t seed, Dataset* train, Dataset* val) {
  DL_ASSERT(fraction >= 0 && fraction < 1);
  std::vector<int> idx(all.n);
  std::iota(idx.begin(), idx.end(), 0);
  Rng rng(seed, 0x7a11d);
  rng.shuffle(idx.data(), idx.size());
  int nval = int(float(all.n) * fraction);
  *train = dataset_pick(all, idx.data(), all.n - nval, all.name);
  *val = dataset_pick(all, idx.data() + (all.n - nval), nval, "validation");
}

Dataset dataset_concat(const Dataset& a, const Dataset& b) {
  Dataset out = a;
  out.n = a.n + b.n;
  out.images.insert(out.images.end(), b.images.begin(), b.images.end());
  out.labels.insert(out.labels.end(), b.labels.begin(), b.labels.end());
  return out;
}

Dataset dataset_head(const Dataset& d, int n) {
  n = std::max(0, std::min(n, d.n));
  std::vector<int> idx(n);
  std::iota(idx.begin(), idx.end(), 0);
  return dataset_pick(d, idx.data(), n, d.name);
}

std::vector<int> dataset_class_counts(const Dataset& d) {
  std::vector<int> c(kNumClasses, 0);
  for (uint8_t l : d.labels) c[l]++;
  return c;
}

void dataset_batch(const Dataset& d, const int* idx, int B, float* x, int* y) {
  const int P = d.pixels();
  for (int b = 0; b < B; ++b) {
    const uint8_t* src = d.image(idx[b]);
    float* dst = x + size_t(b) * P;
    for (int i = 0; i < P; ++i) dst[i] = float(src[i]) * (1.0f / 255.0f);
    if (y) y[b] = d.labels[idx[b]];
  }
}

}  // namespace dl
