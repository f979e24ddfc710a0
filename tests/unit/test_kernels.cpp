// The fast GEMM against its naive twin, across shapes, transposes, strides, and with worker threads.
#include <array>
#include <chrono>
#include <mutex>
#include <set>
#include <thread>
#include <cmath>
#include <cstring>

#include "core/kernels/gemm.h"
#include "core/kernels/pool.h"
#include "helpers.h"

using namespace dl;

namespace {
void compare(bool ta, bool tb, int M, int N, int K, bool acc) {
  const int lda = (ta ? M : K) + 3, ldb = (tb ? K : N) + 1, ldc = N + 2;
  auto A = dltest::randv(size_t(ta ? K : M) * lda, 1), B = dltest::randv(size_t(tb ? N : K) * ldb, 2);
  auto C1 = dltest::randv(size_t(M) * ldc, 3), C2 = C1;
  gemm(ta, tb, M, N, K, A.data(), lda, B.data(), ldb, C1.data(), ldc, acc);
  gemm_naive(ta, tb, M, N, K, A.data(), lda, B.data(), ldb, C2.data(), ldc, acc);
  double worst = 0;
  for (int i = 0; i < M; ++i)
    for (int j = 0; j < N; ++j) worst = std::max(worst, double(std::abs(C1[size_t(i) * ldc + j] - C2[size_t(i) * ldc + j])));
  CHECK_MESSAGE(worst <= 1e-4 * std::sqrt(double(K) + 1), "M=" << M << " N=" << N << " K=" << K << " ta=" << ta << " tb=" << tb << " worst " << worst);
  // Padding columns beyond N are never written.
  for (int i = 0; i < M; ++i) CHECK(C1[size_t(i) * ldc + N] == C2[size_t(i) * ldc + N]);
}
}  // namespace

TEST_CASE("gemm agrees with gemm_naive") {
  for (int workers : {0, 3}) {
    kernel_pool().set_workers(workers);
    for (bool ta : {false, true})
      for (bool tb : {false, true})
        for (auto s : {std::array<int, 3>{1, 1, 1}, {5, 7, 3}, {6, 8, 256}, {13, 17, 300}, {32, 512, 784},
                       {49, 130, 9}, {100, 10, 513}})
          for (bool acc : {false, true}) compare(ta, tb, s[0], s[1], s[2], acc);
  }
  kernel_pool().set_workers(0);
}

TEST_CASE("gemm gives bit-identical results with any number of workers") {
  // Deep and shallow, small and large per-panel work (the two ways gemm splits its work).
  for (auto s : {std::array<int, 3>{72, 8, 5000}, {13, 17, 300}, {32, 512, 784}, {300, 64, 800}}) {
    const int M = s[0], N = s[1], K = s[2];
    auto A = dltest::randv(size_t(M) * K, 4), B = dltest::randv(size_t(K) * N, 5);
    std::vector<std::vector<float>> out;
    for (int workers : {0, 1, 3}) {
      kernel_pool().set_workers(workers);
      std::vector<float> C(size_t(M) * N);
      gemm(false, false, M, N, K, A.data(), K, B.data(), N, C.data(), N, false);
      out.push_back(C);
    }
    CHECK_MESSAGE(out[0] == out[1], "M=" << M << " N=" << N << " K=" << K);
    CHECK_MESSAGE(out[0] == out[2], "M=" << M << " N=" << N << " K=" << K);
  }
  kernel_pool().set_workers(0);
}

TEST_CASE("a product of few columns has the bits of the same columns in a wider product") {
  // Up to one vector of columns takes its own tile (taller, one vector wide); each element must
  // still sum its products in k order, as in the two-vector tiles of a wider product. Both widths
  // of vector (4 and 8 lanes), read in place, packed, transposed, and with a C to add to.
  for (int n : {3, 4, 5, 8})
    for (bool tb : {false, true})
      for (bool acc : {false, true}) {
        const int M = 61, K = 600, wide = 40;
        auto A = dltest::randv(size_t(M) * K, 9), Bw = dltest::randv(size_t(K) * wide, 10);
        std::vector<float> B(size_t(K) * n), Bt(size_t(n) * K), Bwt(size_t(wide) * K);
        for (int k = 0; k < K; ++k)
          for (int j = 0; j < wide; ++j) {
            if (j < n) B[size_t(k) * n + j] = Bt[size_t(j) * K + k] = Bw[size_t(k) * wide + j];
            Bwt[size_t(j) * K + k] = Bw[size_t(k) * wide + j];
          }
        auto C0 = dltest::randv(size_t(M) * wide, 11);
        std::vector<float> Cn(size_t(M) * n);
        for (int i = 0; i < M; ++i) std::copy_n(&C0[size_t(i) * wide], n, &Cn[size_t(i) * n]);
        std::vector<float> Cw = C0;
        gemm(false, tb, M, n, K, A.data(), K, tb ? Bt.data() : B.data(), tb ? K : n, Cn.data(), n, acc);
        gemm(false, tb, M, wide, K, A.data(), K, tb ? Bwt.data() : Bw.data(), tb ? K : wide, Cw.data(), wide, acc);
        int differ = 0;
        for (int i = 0; i < M; ++i)
          differ += std::memcmp(&Cn[size_t(i) * n], &Cw[size_t(i) * wide], size_t(n) * sizeof(float)) != 0;
        CHECK_MESSAGE(differ == 0, "n=" << n << " tb=" << tb << " acc=" << acc << ": " << differ << " rows differ");
      }
}

TEST_CASE("a product of one row has the bits of the same row in a taller product") {
  // One row reads B's rows in order (its own loop); each element must still sum its products in k
  // order a panel at a time, as the tiles of a taller product do. Widths with and without a partial
  // vector and past one pass's 1,024 columns, depths of one and of several panels, A transposed or not.
  for (int workers : {0, 1})
    for (auto s : {std::array<int, 2>{10, 784}, {512, 784}, {130, 300}, {7, 9}, {32, 129}, {1100, 40}})
      for (bool ta : {false, true})
        for (bool acc : {false, true}) {
          kernel_pool().set_workers(workers);
          const int M = 13, N = s[0], K = s[1];
          auto A = dltest::randv(size_t(M) * K, 12), B = dltest::randv(size_t(K) * N, 13);
          std::vector<float> At(size_t(K) * M);  // A stored transposed: (K, M)
          for (int i = 0; i < M; ++i)
            for (int k = 0; k < K; ++k) At[size_t(k) * M + i] = A[size_t(i) * K + k];
          const float* a = ta ? At.data() : A.data();
          const int lda = ta ? M : K;
          auto Ct = dltest::randv(size_t(M) * N, 14);
          std::vector<float> C1(Ct.begin(), Ct.begin() + N);
          gemm(ta, false, M, N, K, a, lda, B.data(), N, Ct.data(), N, acc);
          // Row 0 alone: row 0 of A (column 0 when transposed, its elements lda apart).
          gemm(ta, false, 1, N, K, a, lda, B.data(), N, C1.data(), N, acc);
          CHECK_MESSAGE(std::memcmp(C1.data(), Ct.data(), size_t(N) * sizeof(float)) == 0,
                        "N=" << N << " K=" << K << " ta=" << ta << " acc=" << acc << " workers=" << workers);
        }
  kernel_pool().set_workers(0);
}

TEST_CASE("gemm split along its depth on workers gives the bits of the serial loops") {
  // Few blocks of C and many depth panels, as a convolution's weight gradient (Aᵀ · B, added to C):
  // with workers each panel is a task of its own and the panels' products are added in order, in
  // windows of panels when they do not fit the scratch at once (200 x 100 over 30 panels).
  for (auto s : {std::array<int, 3>{9, 8, 20000}, {72, 8, 5000}, {144, 16, 3000}, {200, 100, 7680}})
    for (bool acc : {false, true}) {
      const int M = s[0], N = s[1], K = s[2], ldc = N + 3;
      auto A = dltest::randv(size_t(K) * M, 6), B = dltest::randv(size_t(K) * N, 7);
      auto C0 = dltest::randv(size_t(M) * ldc, 8);
      std::vector<std::vector<float>> out;
      for (int workers : {0, 1, 3}) {
        kernel_pool().set_workers(workers);
        std::vector<float> C = C0;
        gemm(true, false, M, N, K, A.data(), M, B.data(), N, C.data(), ldc, acc);
        out.push_back(C);
      }
      for (int i = 1; i < 3; ++i)
        CHECK_MESSAGE(std::memcmp(out[0].data(), out[size_t(i)].data(), out[0].size() * sizeof(float)) == 0,
                      "M=" << M << " N=" << N << " K=" << K << " acc=" << acc << " run " << i);
    }
  kernel_pool().set_workers(0);
}

TEST_CASE("thread pool runs every task exactly once") {
  kernel_pool().set_workers(3);
  std::vector<int> hits(1000, 0);
  for (int rep = 0; rep < 50; ++rep) kernel_pool().run(1000, [&](int t) { hits[t]++; });
  for (int h : hits) CHECK(h == 50);
  kernel_pool().set_workers(0);
}

TEST_CASE("parallel_ranges covers [0, n) once, in contiguous ranges, on several threads when worth it") {
  kernel_pool().set_workers(3);
  for (size_t n : {size_t(0), size_t(1), size_t(7), size_t(16), size_t(1000)}) {
    std::vector<int> hits(n, 0);
    std::mutex mu;
    std::set<std::thread::id> who;
    parallel_ranges(n, size_t(1) << 24, [&](size_t b, size_t e) {
      {
        std::lock_guard<std::mutex> lk(mu);
        CHECK(b <= e);
        CHECK(e <= n);
        for (size_t i = b; i < e; ++i) hits[i]++;
        who.insert(std::this_thread::get_id());
      }
      // Hold each range until a second thread has taken one (at most 60 s), so a loaded machine
      // cannot let the caller finish them all before a worker wakes.
      const auto t0 = std::chrono::steady_clock::now();
      while (n >= 16 && std::chrono::steady_clock::now() - t0 < std::chrono::seconds(60)) {
        {
          std::lock_guard<std::mutex> lk(mu);
          if (who.size() > 1) break;
        }
        std::this_thread::sleep_for(std::chrono::microseconds(100));
      }
    });
    for (int h : hits) CHECK(h == 1);
    if (n >= 16) CHECK(who.size() > 1);
  }
  // Too little work to wake a worker for: one call, on the caller.
  int calls = 0;
  parallel_ranges(100, 100, [&](size_t b, size_t e) { calls++; CHECK(b == 0); CHECK(e == 100); });
  CHECK(calls == 1);
  kernel_pool().set_workers(0);
}

TEST_CASE("thread pool: workers started after earlier runs wait for the next run") {
  // New workers once took the generation of the run before them as new: one that had not left that
  // run's loop when the next run began would call the old task function with the new task numbers
  // and count itself done twice (TSan reported the race in a clean-clone run of the conv tests). The
  // window is short and timing decides whether a run hits it; this loop opens it 200 times.
  kernel_pool().set_workers(2);
  for (int rep = 0; rep < 200; ++rep) {
    std::vector<int> before(16, 0), hits(64, 0);
    kernel_pool().run(16, [&](int t) { before[size_t(t)]++; });
    kernel_pool().set_workers(1 + rep % 3);
    kernel_pool().run(64, [&](int t) { hits[size_t(t)]++; });
    for (int h : before) CHECK(h == 1);
    for (int h : hits) CHECK(h == 1);
  }
  kernel_pool().set_workers(0);
}

TEST_CASE("thread pool: short runs that end before a worker wakes run each task once") {
  // A worker that wakes after its run's caller took the last task skips that run; one that wakes in
  // time shares it. Runs of a few tiny tasks make both happen many times, in every interleaving the
  // scheduler gives, and the next run begins at once after the last.
  for (int workers = 1; workers <= 3; ++workers) {
    kernel_pool().set_workers(workers);
    std::vector<int> hits(4);
    std::atomic<int> on_workers{0};
    const std::thread::id caller = std::this_thread::get_id();
    int wrong = 0;
    for (int rep = 0; rep < 20000; ++rep) {
      const int n = 2 + rep % 3;
      std::fill(hits.begin(), hits.end(), 0);
      kernel_pool().run(n, [&](int t) {
        hits[size_t(t)]++;
        if (std::this_thread::get_id() != caller) on_workers++;
      });
      for (int t = 0; t < n; ++t) wrong += hits[size_t(t)] != 1;
    }
    CHECK(wrong == 0);
    MESSAGE(workers << " worker(s) ran " << on_workers.load() << " of the tasks");
  }
  kernel_pool().set_workers(0);
}

TEST_CASE("thread pool: a thread marked inline runs every task itself") {
  kernel_pool().set_workers(3);
  CHECK(kernel_pool().splits());
  std::vector<std::thread::id> who(200);
  ThreadPool::run_inline_on_this_thread(true);
  CHECK_FALSE(kernel_pool().splits());
  kernel_pool().run(200, [&](int t) { who[size_t(t)] = std::this_thread::get_id(); });
  ThreadPool::run_inline_on_this_thread(false);
  int elsewhere = 0;
  for (const auto& id : who) elsewhere += id != std::this_thread::get_id();
  CHECK(elsewhere == 0);
  std::vector<int> hits(200, 0);  // and the pool still works for everyone else
  kernel_pool().run(200, [&](int t) { hits[size_t(t)]++; });
  for (int h : hits) CHECK(h == 1);
  kernel_pool().set_workers(0);
}
