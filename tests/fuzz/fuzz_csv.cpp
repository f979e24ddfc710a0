// libFuzzer target: the Kaggle-style CSV readers on any text. A file that reads as training data holds
// 28 x 28 images with a digit for each; as images to predict, 28 x 28 images with a digit for each or none.
#include <cstddef>
#include <cstdint>
#include <string>

#include "core/common.h"
#include "core/data/dataset.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  dl::Dataset d;
  if (dl::dataset_from_csv(text, "train.csv", &d).ok()) {
    DL_ASSERT(d.n >= 1 && d.rows == 28 && d.cols == 28);
    DL_ASSERT(d.images.size() == size_t(d.n) * 784 && d.labels.size() == size_t(d.n));
    for (uint8_t l : d.labels) DL_ASSERT(l < dl::kNumClasses);
  }
  dl::Dataset t;
  if (dl::images_from_csv(text, "test.csv", &t).ok()) {
    DL_ASSERT(t.n >= 1 && t.rows == 28 && t.cols == 28 && t.images.size() == size_t(t.n) * 784);
    DL_ASSERT(t.labels.empty() || t.labels.size() == size_t(t.n));
    for (uint8_t l : t.labels) DL_ASSERT(l < dl::kNumClasses);
  }
  return 0;
}
