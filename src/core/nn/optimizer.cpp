#include "optimizer.h"

#include <cmath>

#include "../common.h"

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

void Optimizer::step(float* p, const float* g, size_t n) {
  DL_ASSERT(n == m_.size());
  ++t_;
  const float lr = cfg_.lr;
  switch (cfg_.kind) {
    case OptKind::SGD:
      if (cfg_.momentum == 0) {
        for (size_t i = 0; i < n; ++i) p[i] -= lr * g[i];
      } else {
        for (size_t i = 0; i < n; ++i) {
          m_[i] = cfg_.momentum * m_[i] - lr * g[i];
          p[i] += m_[i];
        }
      }
      break;
    case OptKind::Adam: {
      const float b1 = cfg_.beta1, b2 = cfg_.beta2, eps = cfg_.eps;
      const float lr_t = float(lr * std::sqrt(1.0 - std::pow(double(b2), double(t_))) /
                               (1.0 - std::pow(double(b1), double(t_))));
      for (size_t i = 0; i < n; ++i) {
        m_[i] = b1 * m_[i] + (1 - b1) * g[i];
        v_[i] = b2 * v_[i] + (1 - b2) * g[i] * g[i];
        p[i] -= lr_t * m_[i] / (std::sqrt(v_[i]) + eps);
      }
      break;
    }
    case OptKind::RMSprop: {
      const float rho = cfg_.rho, eps = cfg_.eps;
      for (size_t i = 0; i < n; ++i) {
        v_[i] = rho * v_[i] + (1 - rho) * g[i] * g[i];
        p[i] -= lr * g[i] / (std::sqrt(v_[i]) + eps);
      }
      break;
    }
  }
}

}  // namespace dl
