// libFuzzer target: the Kaggle-style CSV reader on any text. A file that reads holds 28 x 28 images
// with a digit for each.
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
  return 0;
}
