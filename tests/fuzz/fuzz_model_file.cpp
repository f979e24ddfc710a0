// libFuzzer target: the model-file reader. Most mutations break the checksum, which stops a file
// before its structure is read; so an input whose first byte is odd gets its checksum made right
// first, and the structural checks see it. A file that loads saves back to the same bytes, and a
// small one predicts an image (probabilities that sum to 1).
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "core/common.h"
#include "core/nn/model_file.h"

namespace {
uint32_t fnv1a(const uint8_t* p, size_t n) {
  uint32_t h = 2166136261u;
  for (size_t i = 0; i < n; ++i) h = (h ^ p[i]) * 16777619u;
  return h;
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  std::vector<uint8_t> bytes(data + 1, data + size);
  if ((data[0] & 1) && bytes.size() >= 4) {
    const uint32_t h = fnv1a(bytes.data(), bytes.size() - 4);
    for (int i = 0; i < 4; ++i) bytes[bytes.size() - 4 + size_t(i)] = uint8_t(h >> (8 * i));
  }
  dl::Model m;
  if (!dl::model_load(bytes.data(), bytes.size(), &m).ok()) return 0;
  DL_ASSERT(m.built() && m.params.size() == m.trainable_params() && m.state.size() == m.non_trainable_params());
  DL_ASSERT(dl::model_save(m) == bytes);
  if (dl::forward_floats_per_image(m).within(1 << 16)) {
    std::vector<float> x(size_t(m.input_size()), 0.5f);
    const float* p = m.forward(x.data(), 1, false);
    double sum = 0;
    bool finite = true;
    for (int k = 0; k < m.classes(); ++k) sum += p[k], finite = finite && std::isfinite(p[k]);
    DL_ASSERT(!finite || std::fabs(sum - 1) < 1e-3);  // weights from the file may be NaN
  }
  return 0;
}
