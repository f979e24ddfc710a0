// Training throughput benchmark: samples/s of Trainer::step() for a preset at a batch size, with
// the kernel pool at 1 thread and at N threads. Same source natively and in wasm under node.
// Synthetic images (speed does not depend on pixel values). Prints one JSON line per run.
//   bench_train [preset=mlp] [batch=32] [seconds=3] [threads=2] [from=1]   (thread counts from, 2·from, … threads)
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <thread>
#include <vector>

#include "core/kernels/pool.h"
#include "core/train/presets.h"

using namespace dl;
using Clock = std::chrono::steady_clock;

int main(int argc, char** argv) {
  std::string preset = argc > 1 ? argv[1] : "mlp";
  int batch = argc > 2 ? std::atoi(argv[2]) : 32;
  double seconds = argc > 3 ? std::atof(argv[3]) : 3.0;
  int max_threads = argc > 4 ? std::atoi(argv[4]) : 2;
  int min_threads = argc > 5 ? std::max(1, std::atoi(argv[5])) : 1;
  const Preset* p = preset_find(preset);
  if (!p) { std::fprintf(stderr, "unknown preset %s\n", preset.c_str()); return 2; }
  Dataset d;
  d.n = 8192; d.rows = d.cols = 28;
  Rng r(1);
  d.images.resize(size_t(d.n) * 784);
  for (auto& v : d.images) v = uint8_t(r.below(256));
  for (int i = 0; i < d.n; ++i) d.labels.push_back(uint8_t(i % 10));
#ifdef __EMSCRIPTEN__
  const char* platform = "wasm-node";
#else
  const char* platform = "native";
#endif
  // Training arithmetic per sample, as the peers count it: 2 flops per multiply-add of the
  // Dense and Conv2D layers' forward pass, times 3 (forward, the input's and the kernel's gradients).
  double train_flops = 0;
  {
    Model plan;
    if (!plan.build(p->model, false).ok()) return 1;
    for (const Layer& L : plan.layers())
      if (L.spec.kind == LayerKind::Dense || L.spec.kind == LayerKind::Conv2D)
        train_flops += 3.0 * 2.0 * double(L.w_len) * (L.spec.kind == LayerKind::Conv2D ? double(L.out.h) * L.out.w : 1.0);
  }
  for (int threads = min_threads; threads <= max_threads; threads *= 2) {
    kernel_pool().set_workers(threads - 1);
    Model m;
    if (!m.build(p->model).ok()) return 1;
    TrainConfig c = p->recipe;
    c.batch = batch;
    c.epochs = 1000;
    c.val_split = 0;
    c.early.enabled = c.reduce_lr.enabled = false;
    Trainer t;
    if (!t.begin(&m, &d, nullptr, c).ok()) return 1;
    // Warm up for at least 10 steps and 2 s: buffers and caches, and in wasm V8's tier-up, which
    // compiles the hot functions again in the background while the first steps run in its baseline
    // code (10 steps alone measured cnn-tiny's 2-thread row at 5,600-6,000 samples/s under node
    // when it ran first, against 7,500-9,700 after the 1-thread row).
    {
      const auto w0 = Clock::now();
      for (int i = 0; i < 10 || std::chrono::duration<double>(Clock::now() - w0).count() < 2.0; ++i) t.step();
    }
    auto t0 = Clock::now();
    long samples = 0;
    double el = 0;
    while (el < seconds) {
      t.step();
      samples += batch;
      el = std::chrono::duration<double>(Clock::now() - t0).count();
    }
    // Inference: evaluation-mode forward passes in batches of 500.
    auto t1 = Clock::now();
    long inf = 0;
    std::vector<float> x(size_t(500) * 784);
    for (double e2 = 0; e2 < seconds / 2; e2 = std::chrono::duration<double>(Clock::now() - t1).count()) {
      m.forward(x.data(), 500, false);
      inf += 500;
    }
    double inf_s = std::chrono::duration<double>(Clock::now() - t1).count();
    // The draw pad's prediction: one image, evaluation mode, median of 200 passes. Inline (one core,
    // as the app's UI thread while the workers train) and with this row's workers (the UI thread when
    // nothing trains: it hands tasks to idle workers).
    // Cold: the caches are filled with other data (64 MB written) before each pass, as the app's
    // drawing between two predictions does; then the weights come from memory.
    std::vector<float> evict;
    auto pad_median = [&](bool alone, bool cold) {
      ThreadPool::run_inline_on_this_thread(alone);
      std::vector<double> ms;
      if (cold) evict.resize(size_t(16) << 20);
      for (int i = 0; i < (cold ? 60 : 220); ++i) {
        if (cold) for (size_t j = 0; j < evict.size(); j += 16) evict[j] += 1.0f;
        auto p0 = Clock::now();
        m.forward(x.data(), 1, false);
        if (i >= 20 || cold) ms.push_back(std::chrono::duration<double, std::milli>(Clock::now() - p0).count());
      }
      ThreadPool::run_inline_on_this_thread(false);
      std::nth_element(ms.begin(), ms.begin() + ms.size() / 2, ms.end());
      return ms[ms.size() / 2];
    };
    const double pad_inline = pad_median(true, false), pad_workers = pad_median(false, false);
    const double pad_cold = pad_median(true, true), pad_cold_workers = pad_median(false, true);
    std::printf("{\"platform\": \"%s\", \"preset\": \"%s\", \"batch\": %d, \"threads\": %d, \"train_samples_per_sec\": %.0f, "
                "\"infer_samples_per_sec\": %.0f, \"pad_forward_ms\": %.4f, \"pad_forward_workers_ms\": %.4f, "
                "\"pad_cold_ms\": %.4f, \"pad_cold_workers_ms\": %.4f, \"train_mflop_per_sample\": %.3f}\n",
                platform, preset.c_str(), batch, threads, samples / el, inf / inf_s, pad_inline, pad_workers,
                pad_cold, pad_cold_workers, train_flops / 1e6);
    std::fflush(stdout);
  }
  kernel_pool().set_workers(0);
  return 0;
}
