// Sizes that come from input — a layer spec, a file's header, a batch size, a file's length — are
// counted as a Size: 64-bit, checked, and turned into a size_t only once they are known to be within
// a limit. wasm32's size_t is 32 bits: there a product of sizes read from input wraps without a word
// (65536 × 65536 weights would be 0), so the memory taken is far less than the memory then read.
// A Size remembers an overflow or a negative operand, as a NaN does, so a chain of products is
// checked once, at its end:
//   const Size w = Size(in.size()) * s.units;
//   if (!w.within(kMaxParams)) return Status::fail(where + ": " + w.text() + " weights, ...");
//   L.w_len = w.get();
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <type_traits>

#include "common.h"

namespace dl {

class Size {
 public:
  constexpr Size() = default;
  // From any integer; a negative one is not a size (bad()).
  template <class T, std::enable_if_t<std::is_integral_v<T>, int> = 0>
  constexpr Size(T v) : v_(uint64_t(v)) {  // NOLINT(google-explicit-constructor): sizes read as numbers
    if constexpr (std::is_signed_v<T>) bad_ = v < 0;
  }

  // Overflowed, or made from a negative number, somewhere along the way.
  constexpr bool bad() const { return bad_; }
  // A real size and at most `limit`.
  constexpr bool within(uint64_t limit) const { return !bad_ && v_ <= limit; }
  // The count, where !bad().
  uint64_t count() const {
    DL_ASSERT(!bad_);
    return v_;
  }
  // The count as a size_t: only for a size already checked with within() against a limit that a
  // size_t holds (every limit in this code is below 2^32).
  size_t get() const {
    DL_ASSERT(within(SIZE_MAX));
    return size_t(v_);
  }
  // For messages: "4,294,967,296", or "too many to count" where it overflowed.
  std::string text() const { return bad_ ? std::string("too many to count") : with_commas_unsigned(v_); }

  friend Size operator*(Size a, Size b) {
    Size r;
    r.bad_ = a.bad_ || b.bad_ || __builtin_mul_overflow(a.v_, b.v_, &r.v_);
    return r;
  }
  friend Size operator+(Size a, Size b) {
    Size r;
    r.bad_ = a.bad_ || b.bad_ || __builtin_add_overflow(a.v_, b.v_, &r.v_);
    return r;
  }
  Size& operator*=(Size b) { return *this = *this * b; }
  Size& operator+=(Size b) { return *this = *this + b; }
  // The larger of two sizes; bad if either is.
  friend Size max(Size a, Size b) {
    Size r = a.v_ >= b.v_ ? a : b;
    r.bad_ = a.bad_ || b.bad_;
    return r;
  }

 private:
  uint64_t v_ = 0;
  bool bad_ = false;
};

// Bytes in the messages people read: "47 MB", "1.2 GB" (decimal units, as file managers show them).
std::string bytes_text(double bytes);

}  // namespace dl
