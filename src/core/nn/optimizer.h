// Optimizers over a parameter arena, with Keras' update rules and defaults.
//   SGD:     v = momentum·v − lr·g;  p += v           (momentum 0: p −= lr·g)
//   Adam:    m = β1·m + (1−β1)·g;  v = β2·v + (1−β2)·g²;  p −= lr·√(1−β2ᵗ)/(1−β1ᵗ) · m / (√v + ε)
//   RMSprop: v = ρ·v + (1−ρ)·g²;  p −= lr · g / √(v + ε)      (ε inside the root, as Keras and
//            TensorFlow's ApplyRMSProp; PyTorch adds it to √v)
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace dl {

enum class OptKind : uint8_t { SGD, Adam, RMSprop };

struct OptimizerConfig {
  OptKind kind = OptKind::Adam;
  float lr = 1e-3f;
  float momentum = 0.0f;              // SGD
  float beta1 = 0.9f, beta2 = 0.999f;  // Adam
  float rho = 0.9f;                    // RMSprop
  float eps = 1e-7f;
};

const char* opt_name(OptKind k);
bool opt_parse(const std::string& s, OptKind* out);  // "sgd", "adam", "rmsprop"

class Optimizer {
 public:
  void init(const OptimizerConfig& cfg, size_t n);  // resets the step count and the moments
  // Goes on with new settings (learning rate, momentum...) but the moments and the step count of the
  // steps so far, where they are of the same kind of optimizer over n weights; else init(). Returns
  // whether it went on.
  bool resume(const OptimizerConfig& cfg, size_t n);
  void step(float* params, const float* grads, size_t n);
  float lr() const { return cfg_.lr; }
  void set_lr(float lr) { cfg_.lr = lr; }
  const OptimizerConfig& config() const { return cfg_; }
  int64_t steps() const { return t_; }
  // The moments (m: SGD's velocity or Adam's first moment; v: Adam's and RMSprop's second), for a run
  // saved and read back; restore() takes them only where their sizes fit this config over n weights.
  const std::vector<float>& m() const { return m_; }
  const std::vector<float>& v() const { return v_; }
  bool restore(const OptimizerConfig& cfg, size_t n, int64_t t, std::vector<float> m, std::vector<float> v);

 private:
  OptimizerConfig cfg_;
  int64_t t_ = 0;
  std::vector<float> m_, v_;
};

}  // namespace dl
