// The optimizers' updates with 8-lane vectors, compiled with -mavx2 (native x86-64 builds only);
// Optimizer::step() calls it when the CPU has AVX2.
#include "optimizer_ranges.h"

namespace dl {

void update_range_avx2(const OptimizerConfig& c, float lr_t, float* p, float* m, float* v, const float* g, size_t i0,
                       size_t i1) {
  update_range(c, lr_t, p, m, v, g, i0, i1);
}

}  // namespace dl
