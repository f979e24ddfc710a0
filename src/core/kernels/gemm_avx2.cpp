// The tiled GEMM with 8-lane vectors, compiled with -mavx2 -mfma (native x86-64 builds only);
// gemm() in gemm.cpp calls it when the CPU has AVX2 and FMA.
#include "gemm_tiled.h"

namespace dl {

typedef float v8 __attribute__((vector_size(32)));

void gemm_avx2(bool ta, bool tb, int M, int N, int K, const float* A, int lda, const float* B, int ldb, float* C,
               int ldc, bool accumulate) {
  Tiled<v8>::gemm(ta, tb, M, N, K, A, lda, B, ldb, C, ldc, accumulate);
}

size_t gemm_avx2_packed_floats(bool tb, int N, int K) { return Tiled<v8>::packed_floats(tb, N, K); }

}  // namespace dl
