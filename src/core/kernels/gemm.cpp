#include "gemm.h"

#include <algorithm>
#include <cstring>
#include <vector>

#include "../common.h"
#include "pool.h"

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

namespace {

typedef float v4 __attribute__((vector_size(16)));
inline v4 load4(const float* p) { v4 r; std::memcpy(&r, p, sizeof r); return r; }
inline void store4(float* p, v4 v) { std::memcpy(p, &v, sizeof v); }
inline v4 splat(float x) { return v4{x, x, x, x}; }

constexpr int MR = 6, NR = 8;     // register tile
constexpr int KC = 256;           // depth of a packed panel
constexpr int MC = 8 * MR;        // rows per task
constexpr int NC = 16 * NR;       // columns per task

// C[0:mr, 0:nr] (+)= Ap (kc, MR) · Bp (kc, NR): Ap packed and zero-padded; Bp rows `bs` floats apart
// (NR when packed, ldb when read straight from a row-major B).
void micro_kernel(int kc, const float* Ap, const float* Bp, int bs, float* C, int ldc, int mr, int nr, bool acc) {
  v4 c00 = {}, c01 = {}, c10 = {}, c11 = {}, c20 = {}, c21 = {}, c30 = {}, c31 = {}, c40 = {}, c41 = {}, c50 = {},
     c51 = {};
  for (int k = 0; k < kc; ++k, Ap += MR, Bp += bs) {
    v4 b0 = load4(Bp), b1 = load4(Bp + 4), a;
    a = splat(Ap[0]); c00 += a * b0; c01 += a * b1;
    a = splat(Ap[1]); c10 += a * b0; c11 += a * b1;
    a = splat(Ap[2]); c20 += a * b0; c21 += a * b1;
    a = splat(Ap[3]); c30 += a * b0; c31 += a * b1;
    a = splat(Ap[4]); c40 += a * b0; c41 += a * b1;
    a = splat(Ap[5]); c50 += a * b0; c51 += a * b1;
  }
  v4 rows[MR][2] = {{c00, c01}, {c10, c11}, {c20, c21}, {c30, c31}, {c40, c41}, {c50, c51}};
  if (mr == MR && nr == NR) {
    for (int r = 0; r < MR; ++r) {
      float* c = C + size_t(r) * ldc;
      if (acc) { rows[r][0] += load4(c); rows[r][1] += load4(c + 4); }
      store4(c, rows[r][0]);
      store4(c + 4, rows[r][1]);
    }
    return;
  }
  float tile[MR][NR];
  for (int r = 0; r < MR; ++r) { store4(tile[r], rows[r][0]); store4(tile[r] + 4, rows[r][1]); }
  for (int r = 0; r < mr; ++r)
    for (int j = 0; j < nr; ++j) C[size_t(r) * ldc + j] = acc ? C[size_t(r) * ldc + j] + tile[r][j] : tile[r][j];
}

// Packs op(A)[i0:i0+mc, k0:k0+kc] into MR-row strips: strip s holds (kc, MR).
void pack_a(bool ta, const float* A, int lda, int i0, int mc, int k0, int kc, float* Ap) {
  for (int s = 0; s < mc; s += MR) {
    int mr = std::min(MR, mc - s);
    for (int k = 0; k < kc; ++k, Ap += MR) {
      for (int r = 0; r < mr; ++r) {
        int i = i0 + s + r, kk = k0 + k;
        Ap[r] = ta ? A[size_t(kk) * lda + i] : A[size_t(i) * lda + kk];
      }
      for (int r = mr; r < MR; ++r) Ap[r] = 0;
    }
  }
}

// Packs op(B)[k0:k0+kc, j0:j0+nc] into NR-column strips: strip s holds (kc, NR).
void pack_b(bool tb, const float* B, int ldb, int k0, int kc, int j0, int nc, float* Bp) {
  for (int s = 0; s < nc; s += NR) {
    int nr = std::min(NR, nc - s);
    for (int k = 0; k < kc; ++k, Bp += NR) {
      int kk = k0 + k;
      if (!tb && nr == NR) {
        std::memcpy(Bp, B + size_t(kk) * ldb + j0 + s, NR * sizeof(float));
        continue;
      }
      for (int j = 0; j < nr; ++j) {
        int jj = j0 + s + j;
        Bp[j] = tb ? B[size_t(jj) * ldb + kk] : B[size_t(kk) * ldb + jj];
      }
      for (int j = nr; j < NR; ++j) Bp[j] = 0;
    }
  }
}

int round_up(int x, int m) { return (x + m - 1) / m * m; }

}  // namespace

void gemm(bool ta, bool tb, int M, int N, int K, const float* A, int lda, const float* B, int ldb, float* C, int ldc,
          bool accumulate) {
  if (M <= 0 || N <= 0) return;
  if (K <= 0) {
    if (!accumulate)
      for (int i = 0; i < M; ++i) std::fill(C + size_t(i) * ldc, C + size_t(i) * ldc + N, 0.0f);
    return;
  }
  const int mtiles = (M + MC - 1) / MC, ntiles = (N + NC - 1) / NC;
  const int NP = round_up(N, NR);
  // A row-major B is read in place, 8 columns at a time; only a transposed B and the last partial
  // strip of columns are packed. Packed B for one depth panel is shared by all tasks; packed A is
  // per task.
  const int full = tb ? 0 : N / NR * NR;  // columns [0, full) are read in place
  static thread_local std::vector<float> bpack;
  bpack.resize(size_t(KC) * NP);
  float* Bp = bpack.data();
  for (int k0 = 0; k0 < K; k0 += KC) {
    const int kc = std::min(KC, K - k0);
    const bool acc = accumulate || k0 > 0;
    if (full < N)
      kernel_pool().run((N - full + NC - 1) / NC, [&](int t) {
        int j0 = full + t * NC;
        pack_b(tb, B, ldb, k0, kc, j0, std::min(NC, N - j0), Bp + size_t(j0) * kc);
      });
    kernel_pool().run(mtiles * ntiles, [&](int t) {
      const int i0 = (t / ntiles) * MC, j0 = (t % ntiles) * NC;
      const int mc = std::min(MC, M - i0), nc = std::min(NC, N - j0);
      thread_local std::vector<float> apack;
      apack.resize(size_t(MC) * KC);
      pack_a(ta, A, lda, i0, mc, k0, kc, apack.data());
      for (int js = 0; js < nc; js += NR) {
        const int j = j0 + js;
        const bool direct = j < full;
        const float* b = direct ? B + size_t(k0) * ldb + j : Bp + size_t(j) * kc;
        for (int is = 0; is < mc; is += MR)
          micro_kernel(kc, apack.data() + size_t(is) * kc, b, direct ? ldb : NR, C + size_t(i0 + is) * ldc + j, ldc,
                       std::min(MR, mc - is), std::min(NR, nc - js), acc);
      }
    });
  }
}

}  // namespace dl
