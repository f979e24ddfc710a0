#include "gemm.h"

#include <algorithm>
#include <cstring>
#include <vector>

#include "../common.h"
#include "gemm_tiled.h"

namespace dl {

void gemm_naive(bool ta, bool tb, int M, int N, int K, const float* A, int lda, const float* B, int ldb, float* C,
                int ldc, bool accumulate) {
  for (int i = 0; i < M; ++i)
    for (int j = 0; j < N; ++j) {
      double s = 0;
      for (int k = 0; k < K; ++k) {
        float a = ta ? A[size_t(k) * lda + i] : A[size_t(i) * lda + k];
        float b = tb ? B[size_t(j) * ldb + k] : B[size_t(k) * ldb + j];
        s += double(a) * double(b);
      }
      float& c = C[size_t(i) * ldc + j];
      c = accumulate ? c + float(s) : float(s);
    }
}

typedef float v4 __attribute__((vector_size(16)));

#if DIGITLAB_HAVE_AVX2
void gemm_avx2(bool ta, bool tb, int M, int N, int K, const float* A, int lda, const float* B, int ldb, float* C,
               int ldc, bool accumulate);
static const bool use_avx2 = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
#endif

#if DIGITLAB_HAVE_AVX2
size_t gemm_avx2_packed_floats(bool tb, int N, int K);
#endif

size_t gemm_packed_floats(bool tb, int N, int K) {
#if DIGITLAB_HAVE_AVX2
  if (use_avx2) return gemm_avx2_packed_floats(tb, N, K);
#endif
  return Tiled<v4>::packed_floats(tb, N, K);
}

void gemm(bool ta, bool tb, int M, int N, int K, const float* A, int lda, const float* B, int ldb, float* C, int ldc,
          bool accumulate) {
  if (M <= 0 || N <= 0) return;
  if (K <= 0) {
    if (!accumulate)
      for (int i = 0; i < M; ++i) std::fill(C + size_t(i) * ldc, C + size_t(i) * ldc + N, 0.0f);
    return;
  }
#if DIGITLAB_HAVE_AVX2
  if (use_avx2) return gemm_avx2(ta, tb, M, N, K, A, lda, B, ldb, C, ldc, accumulate);
#endif
  Tiled<v4>::gemm(ta, tb, M, N, K, A, lda, B, ldb, C, ldc, accumulate);
}

}  // namespace dl
