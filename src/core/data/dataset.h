// MNIST-style datasets: IDX parsing from byte buffers, uint8 storage, float batches, seeded
// shuffles and splits. No file I/O and no gzip here: callers (CLI, app) hand over raw IDX bytes.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "../common.h"

namespace dl {

struct Dataset {
  std::string name;            // for messages, e.g. "train"
  int n = 0, rows = 0, cols = 0;
  std::vector<uint8_t> images;  // (n, rows*cols), 0..255, row-major
  std::vector<uint8_t> labels;  // (n), 0..9
  int pixels() const { return rows * cols; }
  const uint8_t* image(int i) const { return images.data() + size_t(i) * size_t(pixels()); }
};

constexpr int kNumClasses = 10;
// Fashion-MNIST's classes 0..9, as Zalando names them ("T-shirt/top", ..., "Ankle boot").
extern const char* const kFashionClasses[kNumClasses];
// Limits that turn absurd headers into a message instead of a huge allocation.
constexpr int kMaxImages = 10'000'000;
constexpr int kMaxSide = 1024;
// The most a data file (IDX or CSV) may hold, decompressed: MNIST's training images are 47 MB and
// Kaggle's train.csv 76 MB. Readers stop decompressing at it (the app's page, the CLI), so a small .gz
// that inflates to gigabytes is refused before it takes the memory.
constexpr uint64_t kMaxDataFileBytes = 200'000'000;
// "this file inflates past 200 MB; MNIST's training images are 47 MB": for a reader that stopped.
std::string too_large_text(const std::string& what, bool compressed);

// Parses IDX image bytes (magic 2051, u8, 3 dims). `what` names the file in messages.
Status idx_parse_images(const uint8_t* bytes, size_t size, const std::string& what, Dataset* out);
// Parses IDX label bytes (magic 2049, u8, 1 dim) into out->labels; checks every label is 0..9.
Status idx_parse_labels(const uint8_t* bytes, size_t size, const std::string& what,
                        std::vector<uint8_t>* labels);
// Both at once, checking that the counts agree. On error *out is left untouched.
Status dataset_from_idx(const std::vector<uint8_t>& image_bytes, const std::vector<uint8_t>& label_bytes,
                        const std::string& name, Dataset* out);
// Kaggle "train.csv": header "label,pixel0,...,pixel783", then one row per image.
Status dataset_from_csv(const std::string& text, const std::string& name, Dataset* out);
// Images to predict: Kaggle's "test.csv" (header "pixel0,...,pixel783", rows without a label; out->labels
// stays empty), or a train.csv, whose labels are kept. Row errors read as dataset_from_csv's.
Status images_from_csv(const std::string& text, const std::string& name, Dataset* out);
// Kaggle's submission file for predictions of images 1..n, in order: "ImageId,Label", then "1,7", ...
std::string submission_csv(const std::vector<uint8_t>& predicted);
// IDX bytes of a dataset (round trip for tests and for saving user data).
std::vector<uint8_t> idx_encode_images(const Dataset& d);
std::vector<uint8_t> idx_encode_labels(const Dataset& d);

// Splits `all` into train and validation: a seeded shuffle, then the last `fraction` is validation.
void dataset_split(const Dataset& all, float fraction, uint64_t seed, Dataset* train, Dataset* val);
// a's images, then b's (the same image size; labels as they are).
Dataset dataset_concat(const Dataset& a, const Dataset& b);
// First n images (n clamped), e.g. for quick runs.
Dataset dataset_head(const Dataset& d, int n);
// Images per class.
std::vector<int> dataset_class_counts(const Dataset& d);
// x (B, rows*cols) in [0,1], y (B): the images at idx[0..B) and their labels (y may be null: not asked).
void dataset_batch(const Dataset& d, const int* idx, int B, float* x, int* y);

}  // namespace dl
