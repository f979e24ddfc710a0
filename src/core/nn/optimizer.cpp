#include "optimizer.h"

#include <cmath>

#include "../common.h"
#include "../kernels/pool.h"
#include "optimizer_ranges.h"

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

#if DIGITLAB_HAVE_AVX2
// The same loops at 8 lanes (optimizer_avx2.cpp), where the CPU has AVX2: Adam's square root and
// division per parameter are most of an update.
void update_range_avx2(const OptimizerConfig& c, float lr_t, float* p, float* m, float* v, const float* g, size_t i0,
                       size_t i1);
static const bool use_avx2 = __builtin_cpu_supports("avx2");
#endif

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
#if DIGITLAB_HAVE_AVX2
    if (use_avx2) return update_range_avx2(c, lr_t, p, m, v, g, i0, i1);
#endif
    update_range(c, lr_t, p, m, v, g, i0, i1);
  });
}

}  // namespace dl
