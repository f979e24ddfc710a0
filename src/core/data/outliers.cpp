#include "outliers.h"

#include <algorithm>
#include <cmath>
#include <cstdint>

namespace dl {

namespace {
// Σ (x − m)² over n values, in 8 running sums (a fixed order that the compiler can keep in vector
// registers; a single running sum cannot be reordered, and ran 8 times slower).
float squared_distance(const float* x, const float* m, int n) {
  float acc[8] = {};
  int p = 0;
  for (; p + 8 <= n; p += 8)
    for (int l = 0; l < 8; ++l) acc[l] += (x[p + l] - m[p + l]) * (x[p + l] - m[p + l]);
  float e = ((acc[0] + acc[1]) + (acc[2] + acc[3])) + ((acc[4] + acc[5]) + (acc[6] + acc[7]));
  for (; p < n; ++p) e += (x[p] - m[p]) * (x[p] - m[p]);
  return e;
}

// n²·|x − S/n|² = Σ (n·x − S)²: every term an integer below 2^53 (n ≤ 10^7 images, x ≤ 255), and every
// partial sum too for 28 x 28 images (at most 7,000² · 255² · 784 for MNIST's largest class), so the
// doubles hold it exactly in any order: the ranking within a class is exact.
double scaled_distance(const uint8_t* x, const uint32_t* s, double n, int P) {
  double acc[4] = {};
  int p = 0;
  for (; p + 4 <= P; p += 4)
    for (int l = 0; l < 4; ++l) {
      const double v = n * x[p + l] - double(s[p + l]);
      acc[l] += v * v;
    }
  double e = (acc[0] + acc[1]) + (acc[2] + acc[3]);
  for (; p < P; ++p) e += (n * x[p] - double(s[p])) * (n * x[p] - double(s[p]));
  return e;
}
}  // namespace

OutlierScan::OutlierScan(const Dataset& d, int per_class, int pairs, int examples)
    : d_(&d), per_class_(std::max(per_class, 0)), pairs_(std::max(pairs, 0)), examples_(std::max(examples, 0)) {
  constexpr int K = kNumClasses;
  const int P = d.pixels();
  static_assert(uint64_t(kMaxImages) * 255 < (uint64_t(1) << 32), "class sums fit in 32 bits");
  sum_.assign(size_t(K) * P, 0);
  count_.assign(K, 0);
  for (int i = 0; i < d.n; ++i) {
    const int k = d.labels[size_t(i)];
    const uint8_t* x = d.image(i);
    uint32_t* s = sum_.data() + size_t(k) * P;
    for (int p = 0; p < P; ++p) s[p] += x[p];
    ++count_[size_t(k)];
  }
  mean_.assign(size_t(K) * P, 0.0f);
  for (int k = 0; k < K; ++k)
    for (int p = 0; p < P; ++p)
      if (count_[size_t(k)] > 0) mean_[size_t(k) * P + p] = float(double(sum_[size_t(k) * P + p]) / double(count_[size_t(k)]));
  far_.resize(K);
  x_.resize(size_t(P));
}

void OutlierScan::step(int images) {
  const Dataset& d = *d_;
  const int P = d.pixels(), end = std::min(d.n, pos_ + std::max(images, 1));
  for (int i = pos_; i < end; ++i) {
    const int a = d.labels[size_t(i)];
    const uint8_t* img = d.image(i);
    far_[size_t(a)].push_back({scaled_distance(img, sum_.data() + size_t(a) * P, double(count_[size_t(a)]), P), i});
    for (int p = 0; p < P; ++p) x_[size_t(p)] = float(img[p]);
    float own = 0, best = INFINITY;
    int nearest = -1;
    for (int b = 0; b < kNumClasses; ++b) {
      if (count_[size_t(b)] == 0) continue;
      const float e = squared_distance(x_.data(), mean_.data() + size_t(b) * P, P);
      if (b == a) own = e;
      else if (e < best) best = e, nearest = b;
    }
    if (nearest >= 0 && best < own) near_.push_back({a, nearest, i, best / std::max(own, 1e-6f)});
  }
  pos_ = end;
}

ClassOutliers OutlierScan::result() const {
  constexpr int K = kNumClasses;
  ClassOutliers out;
  out.atypical.resize(K);
  out.distance.resize(K);
  const int P = d_->pixels();
  for (int k = 0; k < K; ++k) {
    std::vector<Far> f = far_[size_t(k)];
    const size_t m = std::min(f.size(), size_t(per_class_));
    std::partial_sort(f.begin(), f.begin() + m, f.end());
    const double n = double(count_[size_t(k)]);
    for (size_t j = 0; j < m; ++j) {
      out.atypical[size_t(k)].push_back(f[j].index);
      out.distance[size_t(k)].push_back(std::sqrt(f[j].key / (n * n) / P));
    }
  }
  int counts[K][K] = {};
  for (const Near& e : near_) ++counts[std::min(e.a, e.b)][std::max(e.a, e.b)];
  for (int a = 0; a < K; ++a)
    for (int b = a + 1; b < K; ++b)
      if (counts[a][b] > 0) out.pairs.push_back({a, b, counts[a][b], {}});
  std::stable_sort(out.pairs.begin(), out.pairs.end(), [](const auto& p, const auto& q) { return p.count > q.count; });
  if (out.pairs.size() > size_t(pairs_)) out.pairs.resize(size_t(pairs_));
  std::vector<Near> near = near_;
  std::stable_sort(near.begin(), near.end(), [](const Near& p, const Near& q) { return p.ratio < q.ratio; });
  for (ClassOutliers::Pair& p : out.pairs)
    for (const Near& e : near)
      if (std::min(e.a, e.b) == p.a && std::max(e.a, e.b) == p.b && int(p.examples.size()) < examples_)
        p.examples.push_back(e.index);
  return out;
}

ClassOutliers class_outliers(const Dataset& d, int per_class, int pairs, int examples) {
  OutlierScan scan(d, per_class, pairs, examples);
  while (!scan.done()) scan.step(1 << 14);
  return scan.result();
}

}  // namespace dl
