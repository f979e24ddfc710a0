// The kernel thread pool: worker threads that help the calling thread run data-parallel loops.
// With 0 workers (the single-thread wasm build) everything runs on the caller. Only one caller at a
// time gets the workers; a concurrent caller (e.g. draw-pad inference while training) runs inline.
// A caller never waits for a worker to wake, only for tasks a worker took: the browser's UI thread
// can use the workers when nothing else does.
#pragma once
#include <algorithm>
#include <atomic>
#include <cstddef>
#include <condition_variable>
#include <mutex>
#include <thread>
#include <type_traits>
#include <vector>

namespace dl {

// A non-owning reference to a callable void(int): what run() takes. Unlike std::function it never
// allocates (the kernels call run() several times per training step with lambdas that capture more
// than std::function keeps inline). The callable must outlive the call it is passed to.
class TaskRef {
 public:
  template <class F, class = std::enable_if_t<!std::is_same_v<std::decay_t<F>, TaskRef>>>
  TaskRef(F&& f) : obj_(const_cast<void*>(static_cast<const void*>(&f))),
                   call_([](void* o, int t) { (*static_cast<std::remove_reference_t<F>*>(o))(t); }) {}
  void operator()(int t) const { call_(obj_, t); }

 private:
  void* obj_;
  void (*call_)(void*, int);
};

// A fault in a thread — a WebAssembly trap, in the browser — need not end everything: the app can
// install a guard that runs a function and reports whether it returned. The kernel pool's workers and
// the app's trainer thread run under it; one that faults records what happened and ends, and the app
// replaces the pool (kernel_pool_replace) and its trainer. With no guard (natively) a fault ends the
// process, as a fault does.
// guard(fn, arg, what, what_size): calls fn(arg); returns true if it returned, else false with a
// description of the fault in `what` (NUL-terminated).
using FaultGuard = bool (*)(void (*fn)(void*), void* arg, char* what, int what_size);
void set_fault_guard(FaultGuard guard);
// fn(arg) under the guard (directly without one). False if it faulted: *what then says how.
bool run_guarded(void (*fn)(void*), void* arg, char* what, int what_size);

class ThreadPool {
 public:
  ThreadPool() = default;
  ~ThreadPool();
  ThreadPool(const ThreadPool&) = delete;
  ThreadPool& operator=(const ThreadPool&) = delete;

  // Starts `workers` worker threads (joins existing ones first). Not from inside a task; a run() on
  // another thread finishes first, and runs on other threads meanwhile do their tasks themselves.
  void set_workers(int workers);
  // The workers set_workers was last asked for: readable from any thread (the UI thread sizes a run's
  // memory by it while the trainer thread sets the pool up).
  int workers() const { return workers_.load(std::memory_order_relaxed); }
  // Whether run() called on this thread can hand tasks to workers (there are some, and this thread is
  // not marked inline). A busy pool may still make run() work inline.
  bool splits() const;
  // Calls fn(t) for every t in [0, tasks), spread over the workers and the caller; returns when all are done.
  void run(int tasks, TaskRef fn);
  // From now on run() called on this thread does all tasks itself: no workers, no waiting for them.
  static void run_inline_on_this_thread(bool on);
  static bool inline_on_this_thread();
  // While one lives, run() on this thread does every task itself; then the thread is as it was. For a
  // task that itself calls the kernels (a slab of a convolution: layers.cpp).
  class InlineScope {
   public:
    InlineScope() : was_(inline_on_this_thread()) { run_inline_on_this_thread(true); }
    ~InlineScope() { run_inline_on_this_thread(was_); }
    InlineScope(const InlineScope&) = delete;
    InlineScope& operator=(const InlineScope&) = delete;

   private:
    bool was_;
  };
  // A worker faulted (under the guard): what happened, else nullptr. The run it faulted in returned
  // with that worker's task unfinished; the pool's other workers still work, but its results since
  // the fault are not to be trusted.
  const char* fault() const { return faulted_.load() ? fault_ : nullptr; }

 private:
  void worker_main();
  void worker_loop();
  std::vector<std::thread> threads_;
  std::atomic<int> workers_{0};
  std::mutex mu_, busy_;
  std::condition_variable wake_, done_cv_;
  const TaskRef* fn_ = nullptr;
  std::atomic<int> next_{0};
  int tasks_ = 0;
  int active_ = 0;     // workers inside the current run's task loop
  bool open_ = false;  // workers may still join the current run
  unsigned generation_ = 0, start_generation_ = 0;
  bool quit_ = false;
  std::atomic<bool> faulted_{false};
  char fault_[256] = {};
};

// The process-wide pool the kernels use.
ThreadPool& kernel_pool();
// After a fault: a new, empty pool for kernel_pool() from now on. The old one is left as it is, never
// destroyed (its threads may be gone or waiting for good); whoever held it keeps a valid object.
void kernel_pool_replace();

// Calls fn(begin, end) on contiguous ranges that cover [0, n), spread over kernel_pool() when it
// splits and the loop is worth waking a worker for (`work`: about n times the floats each item
// touches); otherwise fn(0, n) on the caller. For loops whose items are independent (each writes
// only its own outputs), so the result does not depend on how [0, n) was cut.
template <class F>
void parallel_ranges(size_t n, size_t work, F&& fn) {
  ThreadPool& pool = kernel_pool();
  // Below ~128k floats (tens of microseconds) waking a worker costs more than it saves: splitting the
  // ReLU of mlp's 512 units at batch 32 (16k floats) measured slower (`bench_train mlp 32 4 2`,
  // interleaved runs).
  if (n < 2 || work < (size_t(1) << 17) || !pool.splits()) { fn(size_t(0), n); return; }
  // A few ranges per thread, so one held up by the OS does not hold up the rest.
  const size_t ranges = std::min(n, size_t(4) * size_t(pool.workers() + 1));
  pool.run(int(ranges), [&](int t) { fn(n * size_t(t) / ranges, n * size_t(t + 1) / ranges); });
}

}  // namespace dl
