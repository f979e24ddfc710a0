#include "common.h"

namespace dl {

std::string with_commas(long long v) {
  std::string digits = std::to_string(v < 0 ? -v : v), out;
  int n = int(digits.size());
  for (int i = 0; i < n; ++i) {
    out += digits[i];
    if ((n - i - 1) % 3 == 0 && i != n - 1) out += ',';
  }
  return v < 0 ? "-" + out : out;
}

}  // namespace dl
