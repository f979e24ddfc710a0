// Single-precision matrix multiply, row-major: C (M,N) = op(A) (M,K) · op(B) (K,N) [+ C if accumulate].
// op(A) = A, or Aᵀ when ta (then A is stored (K,M)); likewise op(B) with tb (B stored (N,K)).
// lda/ldb/ldc are row strides of the matrices as stored.
// gemm() runs a register-tiled micro-kernel (gemm_tiled.h) written with GCC/Clang vector
// extensions: wasm SIMD128 under Emscripten with -msimd128; natively SSE, or AVX2+FMA when the CPU
// has them (gemm_avx2.cpp); it splits work over kernel_pool(). gemm_naive() is its slow, obvious
// twin, the reference in tests.
#pragma once
#include <cstddef>

namespace dl {

// Depth of gemm()'s panels: each element of C sums its products in k order within a panel of this
// many, from zero, and adds each panel's sum to C in turn. So splitting K into calls at multiples
// of it, the later ones accumulating, gives the same bits as one call, and so does making each
// panel's product apart and adding them in order (a convolution's weight gradient: layers.cpp).
constexpr int kGemmDepthPanel = 256;
// Floats of the scratch a gemm() split along its depth keeps on the calling thread: the panels'
// products of at most this many floats at once, or of one panel where that is more (it splits only
// products of fewer than 4 blocks of C per thread: at most 4·threads·MC·NC floats).
constexpr size_t kGemmSplitFloats = size_t(1) << 18;

void gemm(bool ta, bool tb, int M, int N, int K, const float* A, int lda, const float* B, int ldb, float* C,
          int ldc, bool accumulate);
// Floats of the copy of op(B) that a gemm() call with these arguments packs: a per-thread buffer
// that is reused and grows to the largest call, never shrinks (0: B is read in place).
size_t gemm_packed_floats(bool tb, int N, int K);
void gemm_naive(bool ta, bool tb, int M, int N, int K, const float* A, int lda, const float* B, int ldb, float* C,
                int ldc, bool accumulate);

}  // namespace dl
