#include "optimizer.h"

#include <cmath>

#include "../common.h"
#include "../kernels/pool.h"

namespace dl {

const char* opt_name(OptKind k) {
  switch (k) {
    case OptKind::SGD: return "sgd";
    case OptKind::Adam: return "adam";
    case OptKind::RMSprop: return "rmsprop";
  }
  return "?";
}

bool opt_parse(const std::string& s, OptKind* out) {
  for (OptKind k : {OptKind::SGD, OptKind::Adam, OptKind::RMSprop})
    if (s == opt_name(k)) { *out = k; return true; }
  return false;
}

void Optimizer::init(const OptimizerConfig& cfg, size_t n) {
  cfg_ = cfg;
  t_ = 0;
  m_.assign(n, 0.0f);
  v_.assign(cfg.kind == OptKind::SGD ? 0 : n, 0.0f);
}

bool Optimizer::resume(const OptimizerConfig& cfg, size_t n) {
  if (t_ == 0 || cfg.kind != cfg_.kind || m_.size() != n) {
    init(cfg, n);
    return false;
  }
  cfg_ = cfg;
  return true;
}

bool Optimizer::restore(const OptimizerConfig& cfg, size_t n, int64_t t, std::vector<float> m, std::vector<float> v) {
  if (t < 0 || m.size() != n || v.size() != (cfg.kind == OptKind::SGD ? 0 : n)) return false;
  cfg_ = cfg;
  t_ = t;
  m_ = std::move(m);
  v_ = std::move(v);
  return true;
}

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
}  // namespace

void Optimizer::step(float* p, const float* g, size_t n) {
  DL_ASSERT(n == m_.size());
  ++t_;
  const OptimizerConfig c = cfg_;
  const float lr_t = float(c.lr * std::sqrt(1.0 - std::pow(double(c.beta2), double(t_))) /
                           (1.0 - std::pow(double(c.beta1), double(t_))));
  float* m = m_.data();
  float* v = v_.data();
  // Every element is updated on its own, so the arena is cut into ranges for the kernel pool: as one
  // scalar loop, mlp's 407,050-parameter Adam update took as long as its GEMMs at batch 32.
  parallel_ranges(n, n * 4, [&](size_t i0, size_t i1) {
    const size_t k = i1 - i0;
    switch (c.kind) {
      case OptKind::SGD:
        if (c.momentum == 0) sgd_range(p + i0, g + i0, k, c.lr);
        else momentum_range(p + i0, m + i0, g + i0, k, c.lr, c.momentum);
        break;
      case OptKind::Adam: adam_range(p + i0, m + i0, v + i0, g + i0, k, lr_t, c.beta1, c.beta2, c.eps); break;
      case OptKind::RMSprop: rmsprop_range(p + i0, v + i0, g + i0, k, c.lr, c.rho, c.eps); break;
    }
  });
}

}  // namespace dl
