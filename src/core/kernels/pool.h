// The kernel thread pool: worker threads that help the calling thread run data-parallel loops.
// With 0 workers (the single-thread wasm build) everything runs on the caller. Only one caller at a
// time gets the workers; a concurrent caller (e.g. draw-pad inference while training) runs inline.
#pragma once
#include <atomic>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace dl {

class ThreadPool {
 public:
  ThreadPool() = default;
  ~ThreadPool();
  ThreadPool(const ThreadPool&) = delete;
  ThreadPool& operator=(const ThreadPool&) = delete;

  // Starts `workers` worker threads (joins existing ones first). Call while no run() is active.
  void set_workers(int workers);
  int workers() const { return int(threads_.size()); }
  // Calls fn(t) for every t in [0, tasks), spread over the workers and the caller; returns when all are done.
  void run(int tasks, const std::function<void(int)>& fn);
  // From now on run() called on this thread does all tasks itself: no workers, no waiting for them.
  // For a thread that must never block, like the browser's UI thread (its draw-pad prediction took
  // 4.7 ms waiting on a woken worker in wasm, against 0.7 ms inline).
  static void run_inline_on_this_thread(bool on);

 private:
  void worker_main();
  std::vector<std::thread> threads_;
  std::mutex mu_, busy_;
  std::condition_variable wake_, done_cv_;
  const std::function<void(int)>* fn_ = nullptr;
  std::atomic<int> next_{0};
  int tasks_ = 0, pending_ = 0;
  unsigned generation_ = 0;
  bool quit_ = false;
};

// The process-wide pool the kernels use.
ThreadPool& kernel_pool();

}  // namespace dl
