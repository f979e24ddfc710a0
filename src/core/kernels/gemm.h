// Single-precision matrix multiply, row-major: C (M,N) = op(A) (M,K) · op(B) (K,N) [+ C if accumulate].
// op(A) = A, or Aᵀ when ta (then A is stored (K,M)); likewise op(B) with tb (B stored (N,K)).
// lda/ldb/ldc are row strides of the matrices as stored.
// gemm() packs panels and runs a 6×8 register-tiled micro-kernel written with GCC/Clang vector
// extensions: SSE on x86-64 natively, wasm SIMD128 under Emscripten with -msimd128; it splits work
// over kernel_pool(). gemm_naive() is its slow, obvious twin, the reference in tests.
#pragma once

namespace dl {

void gemm(bool ta, bool tb, int M, int N, int K, const float* A, int lda, const float* B, int ldb, float* C,
          int ldc, bool accumulate);
void gemm_naive(bool ta, bool tb, int M, int N, int K, const float* A, int lda, const float* B, int ldb, float* C,
                int ldc, bool accumulate);

}  // namespace dl
