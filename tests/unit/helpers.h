// Shared test helpers: random buffers and central-difference gradient checks.
#pragma once
#include <doctest/doctest.h>

#include <cmath>
#include <functional>
#include <vector>

#include "core/common.h"
#include "core/data/dataset.h"

namespace dltest {

// Built with ASan or TSan (scripts/test.sh's sanitizer builds).
#if defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
constexpr bool kSanitized = true;
#else
constexpr bool kSanitized = false;
#endif
#else
constexpr bool kSanitized = false;
#endif

inline std::vector<float> randv(size_t n, uint64_t seed, float lo = -1, float hi = 1) {
  dl::Rng r(seed);
  std::vector<float> v(n);
  for (float& x : v) x = r.uniform(lo, hi);
  return v;
}

// 4x4 images: class k lights up pixel k, the others faint noise up to `noise`. A linear model
// separates them; a shift of one pixel turns class k into k + 1.
inline dl::Dataset pixel_toy(int n, uint64_t seed, float noise = 40) {
  dl::Dataset d;
  d.n = n;
  d.rows = d.cols = 4;
  dl::Rng r(seed);
  for (int i = 0; i < n; ++i) {
    const int k = int(r.below(10));
    for (int p = 0; p < 16; ++p) d.images.push_back(uint8_t(p == k ? 255 : r.uniform(0, noise)));
    d.labels.push_back(uint8_t(k));
  }
  return d;
}

// Checks analytic gradients `grad` of f against central differences over `x`, element by element.
// f must be a smooth function of x near x (tests keep inputs away from ReLU/max kinks).
inline void check_grad(const char* what, std::vector<float>& x, const std::vector<float>& grad,
                       const std::function<double()>& f, float eps = 1e-2f, double tol = 2e-2) {
  REQUIRE(grad.size() == x.size());
  double worst = 0;
  for (size_t i = 0; i < x.size(); ++i) {
    float keep = x[i];
    x[i] = keep + eps;
    double fp = f();
    x[i] = keep - eps;
    double fm = f();
    x[i] = keep;
    double num = (fp - fm) / (2.0 * eps);
    double err = std::abs(num - grad[i]) / std::max(1e-2, std::abs(num) + std::abs(grad[i]));
    worst = std::max(worst, err);
    if (err > tol) {
      FAIL_CHECK(std::string(what) << "[" << i << "]: analytic " << grad[i] << " vs numeric " << num);
      return;
    }
  }
  MESSAGE(std::string(what) << ": worst relative gradient error " << worst);
}

}  // namespace dltest
