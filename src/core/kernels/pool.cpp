#include "pool.h"

#include <cstring>

namespace dl {

namespace {
thread_local bool t_inline = false;
// A worker counted in its pool's active_ (inside a run's task loop): read after a fault on that thread.
thread_local bool t_in_run = false;
std::atomic<FaultGuard> g_guard{nullptr};
// Never destroyed: a pool replaced after a fault may still be waited on by a thread that is stuck.
std::atomic<ThreadPool*> g_pool{new ThreadPool()};
}  // namespace

void set_fault_guard(FaultGuard guard) { g_guard.store(guard); }

bool run_guarded(void (*fn)(void*), void* arg, char* what, int what_size) {
  if (const FaultGuard guard = g_guard.load()) return guard(fn, arg, what, what_size);
  fn(arg);
  return true;
}

void ThreadPool::run_inline_on_this_thread(bool on) { t_inline = on; }

bool ThreadPool::inline_on_this_thread() { return t_inline; }

bool ThreadPool::splits() const { return !t_inline && workers_.load(std::memory_order_relaxed) > 0; }

ThreadPool& kernel_pool() { return *g_pool.load(); }

void kernel_pool_replace() { g_pool.store(new ThreadPool()); }

ThreadPool::~ThreadPool() { set_workers(0); }

void ThreadPool::set_workers(int workers) {
  // No run on another thread sees threads_ change: a run() meanwhile does its tasks itself.
  std::lock_guard<std::mutex> busy(busy_);
  workers_.store(workers, std::memory_order_relaxed);
  {
    std::lock_guard<std::mutex> lk(mu_);
    quit_ = true;
  }
  wake_.notify_all();
  for (auto& t : threads_) t.join();
  threads_.clear();
  quit_ = false;
  // A new worker waits for the next run, not the last one: one that took the generation of a run
  // already over would call that run's finished task and count itself done twice in the next.
  start_generation_ = generation_;
  for (int i = 0; i < workers; ++i) threads_.emplace_back([this] { worker_main(); });
}

void ThreadPool::worker_main() {
  char what[sizeof fault_];
  if (run_guarded([](void* pool) { static_cast<ThreadPool*>(pool)->worker_loop(); }, this, what, int(sizeof what)))
    return;
  std::memcpy(fault_, what, sizeof fault_);
  fault_[sizeof fault_ - 1] = 0;
  faulted_.store(true);
  // A fault inside a task: the run's caller stops waiting for this worker (the task's outputs are
  // left unwritten; whoever sees fault() discards the run). The pool's other workers go on.
  std::lock_guard<std::mutex> lk(mu_);
  if (t_in_run) {
    t_in_run = false;
    --active_;
    done_cv_.notify_one();
  }
}

// Workers sleep on the condition variable at once; they do not spin first. Spinning up to 40,000
// polls before sleeping (worker and waiting caller) trained mlp 17% faster in wasm under node with
// nothing else running, but in the app, where the UI thread needs one of the two cores, it was 11%
// slower (6,560 against 7,390 samples/s, 3 interleaved runs each, 2026-11-30).
//
// A worker joins a run only while the run is open: from run()'s wake-up until its caller has taken
// the last task. One that wakes later skips the run without touching it, so the caller never waits for
// a worker to wake up, only for the tasks that workers took to end.
void ThreadPool::worker_loop() {
  unsigned seen = start_generation_;  // set before this thread started, so read without a lock
  for (;;) {
    const TaskRef* fn;
    {
      std::unique_lock<std::mutex> lk(mu_);
      wake_.wait(lk, [&] { return quit_ || generation_ != seen; });
      if (quit_) return;
      seen = generation_;
      if (!open_) continue;
      ++active_;
      t_in_run = true;
      fn = fn_;
    }
    for (int t; (t = next_.fetch_add(1)) < tasks_;) {
      (*fn)(t);
    }
    std::lock_guard<std::mutex> lk(mu_);
    t_in_run = false;
    if (--active_ == 0 && !open_) done_cv_.notify_one();
  }
}

void ThreadPool::run(int tasks, TaskRef fn) {
  if (tasks <= 0) return;
  if (t_inline) {
    for (int t = 0; t < tasks; ++t) fn(t);
    return;
  }
  std::unique_lock<std::mutex> busy(busy_, std::try_to_lock);
  if (tasks == 1 || !busy.owns_lock() || threads_.empty()) {
    for (int t = 0; t < tasks; ++t) fn(t);
    return;
  }
  {
    std::lock_guard<std::mutex> lk(mu_);
    fn_ = &fn;
    tasks_ = tasks;
    next_.store(0);
    open_ = true;
    ++generation_;
  }
  wake_.notify_all();
  for (int t; (t = next_.fetch_add(1)) < tasks;) fn(t);
  std::unique_lock<std::mutex> lk(mu_);
  open_ = false;
  done_cv_.wait(lk, [&] { return active_ == 0; });
}

}  // namespace dl
