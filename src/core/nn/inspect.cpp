#include "inspect.h"

#include <algorithm>
#include <cmath>

namespace dl {

bool first_layer_kernels(const Model& m, int max_tiles, Tiles* out, std::string* why) {
  const std::vector<Layer>& L = m.layers();
  const Shape in = m.spec().input;
  for (size_t i = 0; i < L.size(); ++i) {
    const Layer& l = L[i];
    const LayerKind k = l.spec.kind;
    if (k == LayerKind::Flatten || k == LayerKind::Dropout || k == LayerKind::Activation) continue;
    if (k == LayerKind::Dense) {
      const int H = in.flat ? 1 : in.h, W = in.flat ? in.size() : in.w, C = in.flat ? 1 : in.c;
      if (C != 1 || l.in.size() != H * W) break;
      const int units = l.spec.units, n = std::min(units, max_tiles);
      *out = Tiles{};
      out->n = n; out->h = H; out->w = W; out->total = units; out->layer = int(i);
      out->v.resize(size_t(n) * H * W);
      const float* w = m.params.data() + l.w_off;  // (H·W, units)
      for (int u = 0; u < n; ++u)
        for (int p = 0; p < H * W; ++p) out->v[size_t(u) * H * W + p] = w[size_t(p) * units + u];
    } else if (k == LayerKind::Conv2D) {
      if (l.in.c != 1 || l.in.h != in.h || l.in.w != in.w) break;
      const int K = l.spec.kernel, filters = l.spec.units, n = std::min(filters, max_tiles);
      *out = Tiles{};
      out->n = n; out->h = K; out->w = K; out->total = filters; out->layer = int(i);
      out->v.resize(size_t(n) * K * K);
      const float* w = m.params.data() + l.w_off;  // (K, K, 1, filters)
      for (int f = 0; f < n; ++f)
        for (int p = 0; p < K * K; ++p) out->v[size_t(f) * K * K + p] = w[size_t(p) * filters + f];
    } else {
      break;
    }
    // Each tile scaled by its own largest magnitude.
    const size_t hw = size_t(out->h) * out->w;
    for (int t = 0; t < out->n; ++t) {
      float* v = out->v.data() + t * hw;
      float mx = 0;
      for (size_t p = 0; p < hw; ++p) mx = std::max(mx, std::fabs(v[p]));
      out->scale = std::max(out->scale, mx);
      if (mx > 0)
        for (size_t p = 0; p < hw; ++p) v[p] /= mx;
    }
    return true;
  }
  if (why) *why = "its first layer with weights does not look at the pixels directly";
  return false;
}

bool layer_output(const Model& m, int layer, int max_tiles, Tiles* out, int flat_cols) {
  const std::vector<Layer>& L = m.layers();
  if (layer < 0 || layer >= int(L.size()) || m.forward_batch() != 1) return false;
  const Layer& l = L[size_t(layer)];
  if (l.y.size() < size_t(l.out.size())) return false;
  *out = Tiles{};
  out->layer = layer;
  if (l.out.flat) {  // N units: one tile, row after row
    const int N = l.out.size(), W = flat_cols > 0 ? std::min(flat_cols, N) : int(std::ceil(std::sqrt(double(N))));
    out->n = out->total = 1;
    out->w = W;
    out->h = (N + W - 1) / W;
    out->units = N;
    out->v.assign(size_t(out->h) * W, 0.0f);
    std::copy(l.y.begin(), l.y.begin() + N, out->v.begin());
  } else {  // H × W × C, channels last: one H × W map per channel
    const int OH = l.out.h, OW = l.out.w, C = l.out.c, n = std::min(C, max_tiles);
    out->n = n; out->h = OH; out->w = OW; out->total = C;
    out->v.resize(size_t(n) * OH * OW);
    for (int c = 0; c < n; ++c)
      for (int p = 0; p < OH * OW; ++p) out->v[size_t(c) * OH * OW + p] = l.y[size_t(p) * C + c];
  }
  float mx = 0;
  for (float v : out->v) mx = std::max(mx, std::fabs(v));
  out->scale = mx;
  if (mx > 0)
    for (float& v : out->v) v /= mx;
  return true;
}

bool first_conv_maps(const Model& m, int max_tiles, Tiles* out) {
  const std::vector<Layer>& L = m.layers();
  for (size_t i = 0; i < L.size(); ++i)
    if (L[i].spec.kind == LayerKind::Conv2D) return layer_output(m, int(i), max_tiles, out);
  return false;
}

Occlusion::Occlusion(Model& m, const float* img28, int patch, int stride, int batch)
    : m_(&m), img_(img28, img28 + 784), patch_(patch), batch_(std::max(1, batch)), classes_(m.classes()) {
  DL_ASSERT(patch > 0 && patch <= 28 && stride > 0);
  // Corners every `stride` pixels, and one flush with the far edge when the steps miss it.
  std::vector<int> at;
  for (int v = 0; v + patch <= 28; v += stride) at.push_back(v);
  if (at.back() + patch < 28) at.push_back(28 - patch);
  for (int y : at)
    for (int x : at) places_.push_back({y, x});
  const float* p = m.forward(img_.data(), 1, false);
  base_.assign(p, p + classes_);
  drop_.assign(size_t(classes_) * 784, 0.0f);
  cover_.assign(784, 0);
}

void Occlusion::step() {
  if (done()) return;
  const int n = std::min(batch_, int(places_.size()) - next_);
  x_.resize(size_t(n) * 784);
  for (int b = 0; b < n; ++b) {
    float* x = x_.data() + size_t(b) * 784;
    std::copy(img_.begin(), img_.end(), x);
    const auto [y0, x0] = places_[size_t(next_ + b)];
    for (int y = y0; y < y0 + patch_; ++y) std::fill(x + y * 28 + x0, x + y * 28 + x0 + patch_, 0.0f);
  }
  const float* p = m_->forward(x_.data(), n, false);
  for (int b = 0; b < n; ++b) {
    const auto [y0, x0] = places_[size_t(next_ + b)];
    for (int y = y0; y < y0 + patch_; ++y)
      for (int x = x0; x < x0 + patch_; ++x) {
        ++cover_[size_t(y * 28 + x)];
        for (int k = 0; k < classes_; ++k) drop_[size_t(k) * 784 + y * 28 + x] += base_[size_t(k)] - p[size_t(b) * classes_ + k];
      }
  }
  next_ += n;
}

std::vector<float> Occlusion::map(int k) const {
  std::vector<float> out(784, 0.0f);
  if (k < 0 || k >= classes_) return out;
  for (int i = 0; i < 784; ++i) out[size_t(i)] = cover_[size_t(i)] ? drop_[size_t(k) * 784 + i] / float(cover_[size_t(i)]) : 0.0f;
  return out;
}

}  // namespace dl
