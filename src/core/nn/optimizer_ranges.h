// The optimizers' update of one range of the parameter arena, included by optimizer.cpp (SSE
// natively, wasm SIMD in the browser) and by optimizer_avx2.cpp (compiled with -mavx2, chosen at run
// time on CPUs that have it). Each element is updated on its own by the same operations in the same
// order, with no fused multiply-add, so both give the same bits. Internal linkage on purpose: each
// including file gets its own copy compiled for its own instruction set.
#pragma once
#include <cmath>
#include <cstddef>

#include "optimizer.h"

namespace dl {
namespace {

// The update loops over one range of the arena. Scalars by value and restrict pointers, so the
// compiler keeps them in registers and vectorizes (the stores to p, m and v cannot alias).
void sgd_range(float* __restrict p, const float* __restrict g, size_t n, float lr) {
  for (size_t i = 0; i < n; ++i) p[i] -= lr * g[i];
}
void momentum_range(float* __restrict p, float* __restrict m, const float* __restrict g, size_t n, float lr,
                    float momentum) {
  for (size_t i = 0; i < n; ++i) {
    m[i] = momentum * m[i] - lr * g[i];
    p[i] += m[i];
  }
}
void adam_range(float* __restrict p, float* __restrict m, float* __restrict v, const float* __restrict g, size_t n,
                float lr_t, float b1, float b2, float eps) {
  for (size_t i = 0; i < n; ++i) {
    m[i] = b1 * m[i] + (1 - b1) * g[i];
    v[i] = b2 * v[i] + (1 - b2) * g[i] * g[i];
    p[i] -= lr_t * m[i] / (std::sqrt(v[i]) + eps);
  }
}
void rmsprop_range(float* __restrict p, float* __restrict v, const float* __restrict g, size_t n, float lr,
                   float rho, float eps) {
  for (size_t i = 0; i < n; ++i) {
    v[i] = rho * v[i] + (1 - rho) * g[i] * g[i];
    p[i] -= lr * g[i] / std::sqrt(v[i] + eps);
  }
}

// Elements [i0, i1) of the arena. An optimizer without moments has no m or v (null): only the ones it
// uses are offset.
void update_range(const OptimizerConfig& c, float lr_t, float* p, float* m, float* v, const float* g, size_t i0,
                  size_t i1) {
  const size_t n = i1 - i0;
  switch (c.kind) {
    case OptKind::SGD:
      if (c.momentum == 0) sgd_range(p + i0, g + i0, n, c.lr);
      else momentum_range(p + i0, m + i0, g + i0, n, c.lr, c.momentum);
      break;
    case OptKind::Adam: adam_range(p + i0, m + i0, v + i0, g + i0, n, lr_t, c.beta1, c.beta2, c.eps); break;
    case OptKind::RMSprop: rmsprop_range(p + i0, v + i0, g + i0, n, c.lr, c.rho, c.eps); break;
  }
}

}  // namespace
}  // namespace dl
