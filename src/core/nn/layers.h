// Layer kernels as free functions over flat buffers: outputs first, then inputs, then sizes.
// Backward passes ACCUMULATE into parameter gradients (dw, db, dgamma, dbeta) and OVERWRITE dinp.
// Sizes: B batch, C input features/channels, OC output features/channels, H W input height/width,
// OH OW output height/width, KS kernel size, S stride, P padding (top/left).
// Each layer has a numerical-gradient test in tests/unit/test_layers.cpp.
#pragma once
#include <cstdint>

#include "../common.h"

namespace dl {

// out (B, OC) = inp (B, C) · w (C, OC) + b (OC)
void dense_forward(float* out, const float* inp, const float* w, const float* b, int B, int C, int OC);
void dense_backward(float* dinp, float* dw, float* db, const float* dout, const float* inp, const float* w, int B,
                    int C, int OC);

// Element-wise activations on n values; backward uses the forward OUTPUT y (not the input).
void act_forward(float* y, const float* x, size_t n, int kind, float alpha);  // kind: Act as int
void act_backward(float* dx, const float* dy, const float* y, size_t n, int kind, float alpha);

// Row-wise softmax of logits (B, K), numerically stable.
void softmax_forward(float* probs, const float* logits, int B, int K);
// Cross-entropy of probs against labels smoothed as Keras' CategoricalCrossentropy(label_smoothing=s)
// smooths them, targets t = (1 − s)·onehot(y) + s/K, weighted per class (w may be null): returns
// mean_b w[y_b]·xent(p_b, t_b) and writes dlogits = w[y_b]·(p − t)/B.
float softmax_xent_backward(float* dlogits, const float* probs, const int* y, const float* w, int B, int K,
                            float smoothing = 0);
// One image's −Σ_k t_k·log p_k with those targets, each p_k clipped to [1e-7, 1 − 1e-7] before the log
// as Keras clips it; with s = 0 that is −log p_y alone.
double xent(const float* p, int y, int K, float smoothing);

// Conv2D on (B, H, W, C) with kernel (KS, KS, C, OC), channels last: im2col and GEMM on slabs of
// samples, each slab a task of kernel_pool() with its patches in its thread's own buffer, small
// enough to stay in cache; the batch's patches are never held at once. The weight gradient sums
// 256-deep panels of positions in order (kGemmDepthPanel), as one GEMM over the batch would: the bits
// are the same for any number of workers.
void conv2d_forward(float* out, const float* inp, const float* w, const float* b, int B, int H, int W, int C, int OC,
                    int KS, int S, int P, int OH, int OW);
void conv2d_backward(float* dinp, float* dw, float* db, const float* dout, const float* inp, const float* w, int B,
                     int H, int W, int C, int OC, int KS, int S, int P, int OH, int OW);
// Floats of the patches a convolution with `positions` (OH·OW) outputs and `row` (KS·KS·C) floats
// per patch makes each thread that runs its slabs hold (a thread's buffer grows to its largest
// convolution and is kept for the next; its GEMMs' packed copies come besides, gemm_packed_floats),
// and what the thread that calls conv2d_backward at batch B with OC channels out holds besides: the
// weight gradient's panel products.
uint64_t conv_thread_floats(int positions, int row);
uint64_t conv_caller_floats(int B, int positions, int row, int OC);

// MaxPool2D (pool K, stride S, valid padding). argmax (B, OH, OW, C) holds input offsets.
void maxpool_forward(float* out, int32_t* argmax, const float* inp, int B, int H, int W, int C, int K, int S, int OH,
                     int OW);
void maxpool_backward(float* dinp, const float* dout, const int32_t* argmax, int B, int H, int W, int C, int OH, int OW);

// Inverted dropout: mask holds 0 or 1/(1−rate), drawn from rng; out = inp·mask. The backward pass
// is the same product with the same mask: dinp = dout·mask.
void dropout_forward(float* out, float* mask, const float* inp, size_t n, float rate, Rng* rng);
void dropout_backward(float* dinp, const float* dout, const float* mask, size_t n);

// BatchNormalization over the last axis (C features, N = rows). Training uses batch statistics and
// updates the moving ones (momentum, as Keras: moving = moving·m + batch·(1−m)); xhat (N, C) and
// inv_std (C) are saved for backward. Evaluation uses the moving statistics.
void batchnorm_forward_train(float* out, float* xhat, float* inv_std, float* moving_mean, float* moving_var,
                             const float* inp, const float* gamma, const float* beta, int N, int C, float momentum,
                             float eps);
void batchnorm_forward_eval(float* out, const float* inp, const float* gamma, const float* beta,
                            const float* moving_mean, const float* moving_var, int N, int C, float eps);
void batchnorm_backward(float* dinp, float* dgamma, float* dbeta, const float* dout, const float* xhat,
                        const float* inv_std, const float* gamma, int N, int C);

constexpr float kBatchNormMomentum = 0.99f, kBatchNormEps = 1e-3f;

}  // namespace dl
