// Single-precision matrix multiply, row-major: C (M,N) = op(A) (M,K) · op(B) (K,N) [+ C if accumulate].
// op(A) = A, or Aᵀ when ta (then A is stored (K,M)); likewise op(B) with tb (B stored (N,K)).
// lda/ldb/ldc are row strides of the matrices as stored.
// gemm() runs a register-tiled micro-kernel (gemm_tiled.h) written with GCC/Clang vector
// extensions: wasm SIMD128 under Emscripten with -msimd128; natively SSE, or AVX2+FMA when the CPU
// has them (gemm_avx2.cpp); it splits work over kernel_pool(). gemm_naive() is its slow, obvious
// twin, the reference in tests.
#pragma once

namespace dl {

void gemm(bool ta, bool tb, int M, int N, int K, const float* A, int lda, const float* B, int ldb, float* C,
          int ldc, bool accumulate);
void gemm_naive(bool ta, bool tb, int M, int N, int K, const float* A, int lda, const float* B, int ldb, float* C,
                int ldc, bool accumulate);

}  // namespace dl
