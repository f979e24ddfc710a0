// Digit Lab core: shared basics — always-on asserts, the Status type, the seeded RNG.
// Core never throws across its API, never aborts on bad input, and includes only std and Eigen.
#pragma once
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

namespace dl {

// A buffer of at least n elements whose old contents are not needed: the old one goes first, and the
// new one has exactly n (resize would copy the old values and could keep up to twice the size asked).
template <class T>
void grow_buffer(std::vector<T>& v, size_t n) {
  if (v.size() >= n) return;
  std::vector<T>().swap(v);
  v.resize(n);
}

// Programmer errors: stays on in release builds and names file:line.
[[noreturn]] inline void assert_fail(const char* cond, const char* file, int line) {
  std::fprintf(stderr, "digitlab: internal error: %s at %s:%d\n", cond, file, line);
  std::abort();
}
#define DL_ASSERT(cond) ((cond) ? (void)0 : ::dl::assert_fail(#cond, __FILE__, __LINE__))

// Result of anything that can fail on user input: empty error = success.
struct Status {
  std::string error;
  bool ok() const { return error.empty(); }
  static Status fail(std::string msg) { return Status{std::move(msg)}; }
};

// "60000" -> "60,000": numbers in messages read the way people write them.
std::string with_commas(long long v);
std::string with_commas_unsigned(unsigned long long v);
// A finite number written in decimal — digits, a sign, a point, an exponent: "0.25", "-1", "1e-4" —
// and nothing else: not "", "nan", "inf", "0x1p3" or "5 apples". The readers of links and layer text.
bool parse_decimal(const std::string& text, double* out);
// A number as links, files and messages write it: a whole number in full, else the fewest digits
// that read back as the same float ("0.001", not "0.0010000000474974513").
std::string number_text(double v);

// Whether no value is NaN or infinite: one pass over the bits (exponent all ones), which the compiler
// vectorizes where a floating-point test in order could not be. mlp's 407,050 weights take ~0.1 ms.
bool all_finite(const float* v, size_t n);

// Our own RNG (PCG32, O'Neill 2014) so the same seed gives the same numbers natively and in wasm;
// std::*_distribution differs between libstdc++ and libc++. Uses only integer ops and exact
// float conversions, hence bit-identical everywhere.
class Rng {
 public:
  explicit Rng(uint64_t seed = 1, uint64_t stream = 0x5851f42d4c957f2dULL) { reseed(seed, stream); }
  void reseed(uint64_t seed, uint64_t stream = 0x5851f42d4c957f2dULL) {
    state_ = 0;
    inc_ = (stream << 1u) | 1u;
    next_u32();
    state_ += seed;
    next_u32();
  }
  uint32_t next_u32() {
    uint64_t old = state_;
    state_ = old * 6364136223846793005ULL + inc_;
    uint32_t xorshifted = uint32_t(((old >> 18u) ^ old) >> 27u);
    uint32_t rot = uint32_t(old >> 59u);
    return (xorshifted >> rot) | (xorshifted << ((-rot) & 31));
  }
  // Uniform in [0, 1) with 24 random bits (exact in float).
  float uniform() { return float(next_u32() >> 8) * (1.0f / 16777216.0f); }
  float uniform(float lo, float hi) { return lo + (hi - lo) * uniform(); }
  // Uniform integer in [0, n), unbiased (rejection).
  uint32_t below(uint32_t n) {
    DL_ASSERT(n > 0);
    uint32_t threshold = (0u - n) % n;
    for (;;) {
      uint32_t r = next_u32();
      if (r >= threshold) return r % n;
    }
  }
  template <class T>
  void shuffle(T* v, size_t n) {  // Fisher–Yates
    for (size_t i = n; i > 1; --i) {
      size_t j = below(uint32_t(i));
      T t = v[i - 1]; v[i - 1] = v[j]; v[j] = t;
    }
  }

  // The whole generator, for a run saved and read back (train/run_file.h).
  uint64_t state() const { return state_; }
  uint64_t increment() const { return inc_; }
  void restore(uint64_t state, uint64_t increment) { state_ = state; inc_ = increment | 1u; }

 private:
  uint64_t state_ = 0, inc_ = 0;
};

}  // namespace dl
