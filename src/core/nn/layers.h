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
// Cross-entropy of probs against labels, weighted per class (w may be null): returns
// mean_b w[y_b]·(−log p[b, y_b]) and writes dlogits = w[y_b]·(p − onehot)/B.
float softmax_xent_backward(float* dlogits, const float* probs, const int* y, const float* w, int B, int K);

// Conv2D on (B, H, W, C) with kernel (KS, KS, C, OC), channels last. Both passes work through the
// batch `chunk` samples at a time (0: all at once), so `patches` holds the im2col patches of
// min(chunk, B) samples; the results are the same bits for every chunk that conv_chunk() gives.
void conv2d_forward(float* out, float* patches, const float* inp, const float* w, const float* b, int B, int H, int W,
                    int C, int OC, int KS, int S, int P, int OH, int OW, int chunk = 0);
void conv2d_backward(float* dinp, float* dw, float* db, float* patches, const float* dout, const float* inp,
                     const float* w, int B, int H, int W, int C, int OC, int KS, int S, int P, int OH, int OW,
                     bool patches_ready = false,  // patches already hold im2col(inp) of the whole batch
                     int chunk = 0);
// Samples per chunk for a convolution with `positions` (OH·OW) outputs and `row` (KS·KS·C) floats
// per patch: the most whole steps of samples whose patches fit in `budget` floats (at least one
// step), or the whole batch where it is smaller. A step is the fewest samples whose positions are a
// multiple of the GEMM's depth panel (kGemmDepthPanel), so the weight gradient sums the same panels
// in the same order as over the whole batch: chunked or not, the bits are the same. It never falls
// as B grows, so a buffer sized for the largest batch holds the chunk of every smaller one.
int conv_chunk(int B, int positions, int row, size_t budget);
// im2col: patches (B*OH*OW, KS*KS*C); zero where the kernel hangs over the padded border.
void im2col(float* patches, const float* inp, int B, int H, int W, int C, int KS, int S, int P, int OH, int OW);

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
