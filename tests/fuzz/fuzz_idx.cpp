// libFuzzer target: the IDX readers (images and labels, and the pair) on any bytes. A file that reads
// must hold exactly what its header says. The input's first byte is where the pair is cut.
#include <cstddef>
#include <cstdint>
#include <vector>

#include "core/common.h"
#include "core/data/dataset.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  // The first byte says where to cut the rest in two for the pair; the rest is read every way.
  const uint8_t* b = data + 1;
  const size_t n = size - 1;
  dl::Dataset d;
  if (dl::idx_parse_images(b, n, "images", &d).ok())
    DL_ASSERT(d.n >= 1 && d.rows >= 1 && d.cols >= 1 && d.images.size() == size_t(d.n) * d.rows * d.cols &&
              d.images.size() + 16 == n);
  std::vector<uint8_t> labels;
  if (dl::idx_parse_labels(b, n, "labels", &labels).ok()) {
    DL_ASSERT(labels.size() + 8 == n);
    for (uint8_t l : labels) DL_ASSERT(l < dl::kNumClasses);
  }
  const size_t cut = size_t(data[0]) * n / 256;
  const std::vector<uint8_t> images(b, b + cut), rest(b + cut, b + n);
  dl::Dataset pair;
  if (dl::dataset_from_idx(images, rest, "pair", &pair).ok())
    DL_ASSERT(int(pair.labels.size()) == pair.n && pair.images.size() == size_t(pair.n) * pair.pixels());
  return 0;
}
