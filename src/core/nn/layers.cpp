#include "layers.h"

#include <algorithm>
#include <cmath>
#include <cstring>

#include "../kernels/gemm.h"
#include "../kernels/pool.h"
#include "model.h"

namespace dl {

namespace {
// out[i·OC + o] += b[o]. Restrict pointers: without them the compiler must assume that writing out
// may change b, and keeps the loop scalar.
void add_bias(float* __restrict out, const float* __restrict b, int N, int OC) {
  for (int i = 0; i < N; ++i, out += OC)
    for (int o = 0; o < OC; ++o) out[o] += b[o];
}

// db[o] += Σ_i dout[i·OC + o] for o in [o0, o1), each sum taken in order of i (vectorized across o,
// not along i).
void bias_grad_cols(float* __restrict db, const float* __restrict dout, int N, int OC, int o0, int o1) {
  for (int i = 0; i < N; ++i, dout += OC)
    for (int o = o0; o < o1; ++o) db[o] += dout[o];
}

// Split over groups of 16 columns (64 bytes): each db[o] is still one sum over all rows in order.
void bias_grad(float* db, const float* dout, int N, int OC) {
  constexpr int kCols = 16;
  parallel_ranges(size_t((OC + kCols - 1) / kCols), size_t(N) * OC, [=](size_t g0, size_t g1) {
    bias_grad_cols(db, dout, N, OC, int(g0) * kCols, std::min(OC, int(g1) * kCols));
  });
}
}  // namespace

void dense_forward(float* out, const float* inp, const float* w, const float* b, int B, int C, int OC) {
  gemm(false, false, B, OC, C, inp, C, w, OC, out, OC, false);
  if (b) add_bias(out, b, B, OC);
}

void dense_backward(float* dinp, float* dw, float* db, const float* dout, const float* inp, const float* w, int B,
                    int C, int OC) {
  if (dinp) gemm(false, true, B, C, OC, dout, OC, w, OC, dinp, C, false);  // dout · wᵀ
  gemm(true, false, C, OC, B, inp, C, dout, OC, dw, OC, true);              // inpᵀ · dout
  if (db) bias_grad(db, dout, B, OC);
}

namespace {
// Elementwise loops run on chunks of this many floats (a multiple of every SIMD width).
constexpr size_t kChunk = 4096;

template <class F>
void elementwise(size_t n, size_t floats_per_item, F&& fn) {
  parallel_ranges((n + kChunk - 1) / kChunk, n * floats_per_item, [&](size_t c0, size_t c1) {
    fn(c0 * kChunk, std::min(n, c1 * kChunk));
  });
}

// Each activation's formula, forward f(x) and backward g(dy, y), written once and handed to `fn`.
// Linear is handled by the callers (a copy, or nothing in place).
template <class Fn>
void with_forward(int kind, float alpha, Fn&& fn) {
  switch (Act(kind)) {
    case Act::ReLU: fn([](float x) { return x > 0 ? x : 0.0f; }); break;
    case Act::LeakyReLU: fn([alpha](float x) { return x > 0 ? x : alpha * x; }); break;
    case Act::Sigmoid: fn([](float x) { return 1.0f / (1.0f + std::exp(-x)); }); break;
    case Act::Linear: break;
    case Act::Softmax: DL_ASSERT(!"softmax is applied row-wise by softmax_forward"); break;
  }
}

template <class Fn>
void with_backward(int kind, float alpha, Fn&& fn) {
  switch (Act(kind)) {
    case Act::ReLU: fn([](float dy, float y) { return y > 0 ? dy : 0.0f; }); break;
    // alpha > 0 keeps the sign, so the output tells which side of the kink the input was on.
    case Act::LeakyReLU: fn([alpha](float dy, float y) { return y > 0 ? dy : alpha * dy; }); break;
    case Act::Sigmoid: fn([](float dy, float y) { return dy * y * (1 - y); }); break;
    case Act::Linear: break;
    case Act::Softmax: DL_ASSERT(!"softmax backward is fused with the loss"); break;
  }
}

// In place (y == x: a Dense or Conv2D layer's own activation, and its gradient) clang's overlap
// check fails for the two-pointer loop and it ran scalar in wasm: ReLU took 0.52 ns a value in place
// against 0.13 out of place. The loop over one restrict pointer vectorizes.
void act_forward_range(float* y, const float* x, size_t n, int kind, float alpha) {
  if (Act(kind) == Act::Linear && y != x) std::memcpy(y, x, n * sizeof(float));
  with_forward(kind, alpha, [&](auto f) {
    if (y == x) {
      float* __restrict v = y;
      for (size_t i = 0; i < n; ++i) v[i] = f(v[i]);
    } else {
      for (size_t i = 0; i < n; ++i) y[i] = f(x[i]);
    }
  });
}

void act_backward_range(float* dx, const float* dy, const float* y, size_t n, int kind, float alpha) {
  if (Act(kind) == Act::Linear && dx != dy) std::memcpy(dx, dy, n * sizeof(float));
  with_backward(kind, alpha, [&](auto g) {
    if (dx == dy) {
      float* __restrict d = dx;
      const float* __restrict yy = y;
      for (size_t i = 0; i < n; ++i) d[i] = g(d[i], yy[i]);
    } else {
      for (size_t i = 0; i < n; ++i) dx[i] = g(dy[i], y[i]);
    }
  });
}
}  // namespace

void act_forward(float* y, const float* x, size_t n, int kind, float alpha) {
  if (Act(kind) == Act::Linear && y == x) return;  // nothing to do: no pool run for it
  elementwise(n, 2, [&](size_t i0, size_t i1) { act_forward_range(y + i0, x + i0, i1 - i0, kind, alpha); });
}

void act_backward(float* dx, const float* dy, const float* y, size_t n, int kind, float alpha) {
  if (Act(kind) == Act::Linear && dx == dy) return;  // nothing to do: no pool run for it
  elementwise(n, 3, [&](size_t i0, size_t i1) { act_backward_range(dx + i0, dy + i0, y + i0, i1 - i0, kind, alpha); });
}

void softmax_forward(float* probs, const float* logits, int B, int K) {
  for (int b = 0; b < B; ++b) {
    const float* z = logits + size_t(b) * K;
    float* p = probs + size_t(b) * K;
    float m = z[0];
    for (int k = 1; k < K; ++k) m = std::max(m, z[k]);
    float s = 0;
    for (int k = 0; k < K; ++k) s += (p[k] = std::exp(z[k] - m));
    for (int k = 0; k < K; ++k) p[k] /= s;
  }
}

double xent(const float* p, int y, int K, float smoothing) {
  auto nlog = [](float q) { return -std::log(double(std::min(std::max(q, 1e-7f), 1.0f - 1e-7f))); };
  if (smoothing == 0) return nlog(p[y]);
  double sum = 0;
  for (int k = 0; k < K; ++k) sum += nlog(p[k]);
  return (1.0 - smoothing) * nlog(p[y]) + smoothing / K * sum;
}

float softmax_xent_backward(float* dlogits, const float* probs, const int* y, const float* w, int B, int K,
                            float smoothing) {
  double loss = 0;
  const float off = smoothing / float(K), on = 1.0f - smoothing + off;
  for (int b = 0; b < B; ++b) {
    DL_ASSERT(y[b] >= 0 && y[b] < K);  // the trainer checks the model's classes against the data's
    const float* p = probs + size_t(b) * K;
    float wb = w ? w[y[b]] : 1.0f;
    loss += wb * xent(p, y[b], K, smoothing);
    float* d = dlogits + size_t(b) * K;
    for (int k = 0; k < K; ++k) d[k] = wb * (p[k] - (k == y[b] ? on : off)) / float(B);
  }
  return float(loss / B);
}

namespace {
// Short copies (a kernel row of a few channels) are common in im2col; a plain loop beats a call.
// (GCC and clang would turn the loop back into a memcpy call without the attributes: in wasm that
// call took 15% of cnn-tiny's training step.)
#if defined(__clang__)
#define DL_NO_MEMCPY_IDIOM __attribute__((no_builtin("memcpy")))
#elif defined(__GNUC__)
#define DL_NO_MEMCPY_IDIOM __attribute__((optimize("no-tree-loop-distribute-patterns")))
#else
#define DL_NO_MEMCPY_IDIOM
#endif
DL_NO_MEMCPY_IDIOM inline void copy_floats(float* __restrict d, const float* __restrict s, int n) {
  if (n >= 64) { std::memcpy(d, s, size_t(n) * sizeof(float)); return; }
  for (int i = 0; i < n; ++i) d[i] = s[i];
}
}  // namespace

namespace {
// The loops behind im2col (over positions), col2im and max pooling (over samples). Plain functions with their
// sizes as by-value parameters: as a lambda's by-reference captures, the compiler has to reload them
// after every int32 store (argmax), which measured 7% slower (`bench_train cnn-tiny 128 5 2`, 1-thread
// row, 5 interleaved runs: 4,454 samples/s against 4,793).
// The patch rows of output positions [p0, p1) of the batch (position p: sample p / (OH·OW), then
// row-major within it) into patches, from its row 0.
DL_NO_MEMCPY_IDIOM void im2col_positions(float* __restrict patches, const float* __restrict inp, size_t p0, size_t p1,
                                         int H, int W, int C, int KS, int S, int P, int OH, int OW) {
  const int span = KS * C;  // one kernel row, contiguous in the input
  const size_t positions = size_t(OH) * OW;
  size_t b = p0 / positions;
  int oy = int(p0 % positions) / OW, ox = int(p0 % positions) % OW;
  float* dst = patches;
  for (size_t p = p0; p < p1; ++p) {
    const int ix0 = ox * S - P;
    const bool inside = ix0 >= 0 && ix0 + KS <= W;
    for (int ky = 0; ky < KS; ++ky, dst += span) {
      const int iy = oy * S + ky - P;
      if (iy < 0 || iy >= H) { std::fill(dst, dst + span, 0.0f); continue; }
      const float* src = inp + ((b * H + iy) * W) * C;
      if (inside) { copy_floats(dst, src + size_t(ix0) * C, span); continue; }
      for (int kx = 0; kx < KS; ++kx) {
        const int ix = ix0 + kx;
        if (ix < 0 || ix >= W) std::fill(dst + kx * C, dst + (kx + 1) * C, 0.0f);
        else copy_floats(dst + kx * C, src + size_t(ix) * C, C);
      }
    }
    if (++ox == OW) { ox = 0; if (++oy == OH) { oy = 0; ++b; } }
  }
}

// Scatters the patches of samples [b0, b1) (patches from sample b0's first row) back onto those
// samples' inputs, zeroed first: samples are independent.
void col2im_samples(float* __restrict dinp, const float* __restrict patches, int b0, int b1, int H, int W, int C,
                    int KS, int S, int P, int OH, int OW) {
  const int row = KS * KS * C;
  std::fill(dinp + size_t(b0) * H * W * C, dinp + size_t(b1) * H * W * C, 0.0f);
  for (int bb = b0; bb < b1; ++bb)
    for (int oy = 0; oy < OH; ++oy)
      for (int ox = 0; ox < OW; ++ox) {
        const float* src = patches + (size_t(bb - b0) * OH * OW + size_t(oy) * OW + ox) * row;
        for (int ky = 0; ky < KS; ++ky) {
          int iy = oy * S + ky - P;
          for (int kx = 0; kx < KS; ++kx, src += C) {
            int ix = ox * S + kx - P;
            if (iy < 0 || iy >= H || ix < 0 || ix >= W) continue;
            float* dst = dinp + ((size_t(bb) * H + iy) * W + ix) * C;
            for (int c = 0; c < C; ++c) dst[c] += src[c];
          }
        }
      }
}

// Channels innermost (NHWC keeps them contiguous), so the comparisons vectorize across channels.
// The window is scanned in the same order (ky, then kx) and only a strictly larger value replaces
// the maximum: the first maximum wins, as before.
void maxpool_samples(float* __restrict out, int32_t* __restrict argmax, const float* __restrict inp, int b0, int b1,
                     int H, int W, int C, int K, int S, int OH, int OW) {
  for (int b = b0; b < b1; ++b)
    for (int oy = 0; oy < OH; ++oy)
      for (int ox = 0; ox < OW; ++ox) {
        const size_t o = ((size_t(b) * OH + oy) * OW + ox) * C;
        float* __restrict m = out + o;
        int32_t* __restrict best = argmax + o;
        for (int ky = 0; ky < K; ++ky)
          for (int kx = 0; kx < K; ++kx) {
            const int off = ((b * H + oy * S + ky) * W + ox * S + kx) * C;
            const float* x = inp + off;
            if (ky == 0 && kx == 0) {
              for (int c = 0; c < C; ++c) { m[c] = x[c]; best[c] = off + c; }
              continue;
            }
            for (int c = 0; c < C; ++c) {
              const bool more = x[c] > m[c];
              m[c] = more ? x[c] : m[c];
              best[c] = more ? off + c : best[c];
            }
          }
      }
}
}  // namespace

namespace {
// Patches a slab of a convolution holds at most (256 KB: a slab's patches, its GEMM's output and
// the kernel stay in a core's L2 cache), or one sample's where that is more.
constexpr size_t kSlabFloats = size_t(1) << 16;
// The weight gradient's panel products held at once by the calling thread (4 MB); a layer whose one
// panel's product is more adds each panel to dw in turn instead.
constexpr size_t kPanelScratchFloats = size_t(1) << 20;

int slab_samples(int B, int positions, int row) {
  const uint64_t per = kSlabFloats / (uint64_t(positions) * uint64_t(row));
  return int(std::max<uint64_t>(1, std::min<uint64_t>(uint64_t(B), per)));
}

// The fewest output positions, and multiply-adds, a thread takes when a convolution's positions are
// split (less would cost more to hand over than it saves; gemm() keeps products below 2^17 on the
// caller).
constexpr int kConvMinRows = 64;
constexpr uint64_t kConvSplitMacs = uint64_t(1) << 17;

// This thread's buffer for a slab's patches (or their gradient): grown, never shrunk.
float* thread_floats(size_t n) {
  static thread_local std::vector<float> buf;
  grow_buffer(buf, n);
  return buf.data();
}

// fn(b0, b1) on slabs of `per` samples (or rows) covering [0, B), each a task of kernel_pool() whose
// own kernels run on its thread alone. One slab is the caller's, and its kernels split over the
// workers as they would anywhere else.
template <class F>
void for_slabs(int B, int per, F&& fn) {
  const int slabs = (B + per - 1) / per;
  if (slabs == 1) {
    fn(0, B);
    return;
  }
  kernel_pool().run(slabs, [&](int t) {
    ThreadPool::InlineScope alone;
    fn(t * per, std::min(B, (t + 1) * per));
  });
}
}  // namespace

uint64_t conv_thread_floats(int positions, int row) {
  const uint64_t image = uint64_t(positions) * uint64_t(row), panel = uint64_t(kGemmDepthPanel) * uint64_t(row);
  return std::max(std::max<uint64_t>(1, kSlabFloats / image) * image, panel);
}

uint64_t conv_caller_floats(int B, int positions, int row, int OC) {
  const uint64_t panels = (uint64_t(B) * uint64_t(positions) + kGemmDepthPanel - 1) / kGemmDepthPanel;
  const uint64_t mn = uint64_t(row) * uint64_t(OC);
  return mn > kPanelScratchFloats ? 0 : std::min<uint64_t>(panels * mn, kPanelScratchFloats / mn * mn);
}

void conv2d_forward(float* out, const float* inp, const float* w, const float* b, int B, int H, int W, int C, int OC,
                    int KS, int S, int P, int OH, int OW) {
  // Slabs of whole samples; where there are fewer of them than threads (the draw pad's one image), runs
  // of output positions instead, so that every thread makes patches and multiplies — if each thread's
  // share is worth waking it for (gemm's threshold: cnn-tiny's one-image pass took twice as long
  // split). Each output row is its own sum over one patch: how the rows are cut changes nothing.
  const int positions = OH * OW, row = KS * KS * C, N = B * positions;
  int rows = slab_samples(B, positions, row) * positions;
  const int threads = kernel_pool().splits() ? kernel_pool().workers() + 1 : 1;
  const uint64_t macs = uint64_t(N) * uint64_t(row) * uint64_t(OC);
  if ((N + rows - 1) / rows < threads && macs >= uint64_t(threads) * kConvSplitMacs) {
    const int share = (N + threads - 1) / threads;
    rows = std::max(kConvMinRows, (share + 7) / 8 * 8);  // whole groups of 8 rows for the GEMM
  }
  for_slabs(N, rows, [&](int r0, int r1) {
    const size_t n = size_t(r1 - r0);
    float* patches = thread_floats(n * row);
    im2col_positions(patches, inp, size_t(r0), size_t(r1), H, W, C, KS, S, P, OH, OW);
    dense_forward(out + size_t(r0) * OC, patches, w, b, int(n), row, OC);
  });
}

void conv2d_backward(float* dinp, float* dw, float* db, const float* dout, const float* inp, const float* w, int B,
                     int H, int W, int C, int OC, int KS, int S, int P, int OH, int OW) {
  const int positions = OH * OW, row = KS * KS * C, N = B * positions;
  // A panel's patches: within a run's memory (training_bytes counts them in 64 bits, conv_thread_floats).
  DL_ASSERT(uint64_t(kGemmDepthPanel) * uint64_t(row) <= kMaxBatchFloats);
  if (db) bias_grad(db, dout, N, OC);
  // dw += patchesᵀ · dout, one 256-deep panel of positions a task: its patches made into this
  // thread's buffer, its product from zero into its slice of the scratch; then each element of dw
  // adds the panels' products in order. That is how gemm() sums over the whole depth, so the bits are
  // those of one GEMM over the batch's patches, for any number of workers.
  const int panels = (N + kGemmDepthPanel - 1) / kGemmDepthPanel;
  const size_t mn = size_t(row) * OC;
  if (mn > kPanelScratchFloats) {
    // A panel's product alone passes the scratch (over a million weights): the panels one after the
    // other, each added to dw by gemm() itself, which splits its many blocks of dw over the workers.
    for (int q = 0; q < panels; ++q) {
      const size_t k0 = size_t(q) * kGemmDepthPanel, kc = std::min<size_t>(kGemmDepthPanel, N - k0);
      float* patches = thread_floats(kc * row);
      im2col_positions(patches, inp, k0, k0 + kc, H, W, C, KS, S, P, OH, OW);
      gemm(true, false, row, OC, int(kc), patches, row, dout + k0 * OC, OC, dw, OC, true);
    }
  } else {
    const int window = int(std::min<size_t>(size_t(panels), kPanelScratchFloats / mn));
    static thread_local std::vector<float> scratch;
    grow_buffer(scratch, size_t(window) * mn);
    float* prod = scratch.data();
    for (int q0 = 0; q0 < panels; q0 += window) {
      const int np = std::min(window, panels - q0);
      kernel_pool().run(np, [&](int q) {
        ThreadPool::InlineScope alone;
        const size_t k0 = size_t(q0 + q) * kGemmDepthPanel, kc = std::min<size_t>(kGemmDepthPanel, N - k0);
        float* patches = thread_floats(kc * row);
        im2col_positions(patches, inp, k0, k0 + kc, H, W, C, KS, S, P, OH, OW);
        gemm(true, false, row, OC, int(kc), patches, row, dout + k0 * OC, OC, prod + size_t(q) * mn, OC, false);
      });
      parallel_ranges(mn, size_t(np) * mn, [&](size_t i0, size_t i1) {
        for (int q = 0; q < np; ++q) {
          const float* __restrict p = prod + size_t(q) * mn;
          float* __restrict d = dw;
          for (size_t i = i0; i < i1; ++i) d[i] += p[i];
        }
      });
    }
  }
  if (!dinp) return;
  // dpatches = dout · wᵀ for a slab of samples, then col2im scatters them back onto the slab's input.
  for_slabs(B, slab_samples(B, positions, row), [&](int b0, int b1) {
    const size_t p0 = size_t(b0) * positions, n = size_t(b1 - b0) * positions;
    float* dpatches = thread_floats(n * row);
    gemm(false, true, int(n), row, OC, dout + p0 * OC, OC, w, OC, dpatches, row, false);
    col2im_samples(dinp, dpatches, b0, b1, H, W, C, KS, S, P, OH, OW);
  });
}

void maxpool_forward(float* out, int32_t* argmax, const float* inp, int B, int H, int W, int C, int K, int S, int OH,
                     int OW) {
  parallel_ranges(size_t(B), size_t(B) * OH * OW * C * K * K, [=](size_t b0, size_t b1) {
    maxpool_samples(out, argmax, inp, int(b0), int(b1), H, W, C, K, S, OH, OW);
  });
}

void maxpool_backward(float* dinp, const float* dout, const int32_t* argmax, int B, int H, int W, int C, int OH,
                      int OW) {
  // A sample's outputs pick their maxima from that sample's input only: samples are independent.
  const size_t in = size_t(H) * W * C, out = size_t(OH) * OW * C;
  parallel_ranges(size_t(B), size_t(B) * (in + 2 * out), [&](size_t b0, size_t b1) {
    std::fill(dinp + b0 * in, dinp + b1 * in, 0.0f);
    for (size_t i = b0 * out; i < b1 * out; ++i) dinp[argmax[i]] += dout[i];
  });
}

void dropout_forward(float* out, float* mask, const float* inp, size_t n, float rate, Rng* rng) {
  const float keep = 1.0f - rate, scale = 1.0f / keep;
  for (size_t i = 0; i < n; ++i) {
    mask[i] = rng->uniform() < keep ? scale : 0.0f;
    out[i] = inp[i] * mask[i];
  }
}

void dropout_backward(float* dinp, const float* dout, const float* mask, size_t n) {
  elementwise(n, 3, [=](size_t i0, size_t i1) {
    for (size_t i = i0; i < i1; ++i) dinp[i] = dout[i] * mask[i];
  });
}

void batchnorm_forward_train(float* out, float* xhat, float* inv_std, float* moving_mean, float* moving_var,
                             const float* inp, const float* gamma, const float* beta, int N, int C, float momentum,
                             float eps) {
  for (int c = 0; c < C; ++c) {
    double s = 0, s2 = 0;
    for (int i = 0; i < N; ++i) s += inp[size_t(i) * C + c];
    double mean = s / N;
    for (int i = 0; i < N; ++i) {
      double d = inp[size_t(i) * C + c] - mean;
      s2 += d * d;
    }
    double var = s2 / N;  // biased, as used for normalization
    float is = float(1.0 / std::sqrt(var + eps));
    inv_std[c] = is;
    for (int i = 0; i < N; ++i) {
      size_t k = size_t(i) * C + c;
      xhat[k] = float(inp[k] - mean) * is;
      out[k] = gamma[c] * xhat[k] + beta[c];
    }
    // Keras (ops.moments) updates the moving variance with the biased batch variance; torch's
    // running_var uses the unbiased one.
    moving_mean[c] = moving_mean[c] * momentum + float(mean) * (1 - momentum);
    moving_var[c] = moving_var[c] * momentum + float(var) * (1 - momentum);
  }
}

void batchnorm_forward_eval(float* out, const float* inp, const float* gamma, const float* beta,
                            const float* moving_mean, const float* moving_var, int N, int C, float eps) {
  for (int c = 0; c < C; ++c) {
    float is = 1.0f / std::sqrt(moving_var[c] + eps);
    for (int i = 0; i < N; ++i) {
      size_t k = size_t(i) * C + c;
      out[k] = gamma[c] * (inp[k] - moving_mean[c]) * is + beta[c];
    }
  }
}

void batchnorm_backward(float* dinp, float* dgamma, float* dbeta, const float* dout, const float* xhat,
                        const float* inv_std, const float* gamma, int N, int C) {
  for (int c = 0; c < C; ++c) {
    double sd = 0, sdx = 0;
    for (int i = 0; i < N; ++i) {
      size_t k = size_t(i) * C + c;
      sd += dout[k];
      sdx += double(dout[k]) * xhat[k];
    }
    dgamma[c] += float(sdx);
    dbeta[c] += float(sd);
    float g = gamma[c] * inv_std[c] / float(N);
    for (int i = 0; i < N; ++i) {
      size_t k = size_t(i) * C + c;
      dinp[k] = g * (float(N) * dout[k] - float(sd) - xhat[k] * float(sdx));
    }
  }
}

}  // namespace dl
