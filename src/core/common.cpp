#include "common.h"

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "size.h"

namespace dl {

std::string with_commas_unsigned(unsigned long long v) {
  const std::string digits = std::to_string(v);
  std::string out;
  const int n = int(digits.size());
  for (int i = 0; i < n; ++i) {
    out += digits[i];
    if ((n - i - 1) % 3 == 0 && i != n - 1) out += ',';
  }
  return out;
}

std::string with_commas(long long v) {
  const std::string digits = with_commas_unsigned(v < 0 ? 0ull - (unsigned long long)v : (unsigned long long)v);
  return v < 0 ? "-" + digits : digits;
}

bool parse_decimal(const std::string& text, double* out) {
  if (text.empty() || text.size() > 32) return false;
  for (char c : text)
    if (!(c >= '0' && c <= '9') && c != '.' && c != '-' && c != '+' && c != 'e' && c != 'E') return false;
  char* end = nullptr;
  const double d = std::strtod(text.c_str(), &end);
  if (*end != 0 || !std::isfinite(d)) return false;
  *out = d;
  return true;
}

std::string number_text(double v) {
  char b[40];
  if (v == std::floor(v) && std::fabs(v) < 1e15) {  // whole numbers in full: 2147483647, not 2.1474836e+09
    std::snprintf(b, sizeof b, "%.0f", v);
    return b;
  }
  // The fewest digits that read back as the same float: the fractional values written are floats.
  for (int digits = 1; digits <= 17; ++digits) {
    std::snprintf(b, sizeof b, "%.*g", digits, v);
    if (float(std::strtod(b, nullptr)) == float(v)) break;
  }
  return b;
}

std::string bytes_text(double bytes) {
  char buf[32];
  if (bytes >= 1e9) std::snprintf(buf, sizeof buf, "%.1f GB", bytes / 1e9);
  else if (bytes >= 1e6) std::snprintf(buf, sizeof buf, "%.0f MB", std::ceil(bytes / 1e6));
  else if (bytes >= 1e3) std::snprintf(buf, sizeof buf, "%.0f KB", std::ceil(bytes / 1e3));
  else std::snprintf(buf, sizeof buf, "%.0f bytes", bytes);
  return buf;
}

bool all_finite(const float* v, size_t n) {
  uint32_t bad = 0;
  for (size_t i = 0; i < n; ++i) {
    uint32_t bits;
    std::memcpy(&bits, v + i, sizeof bits);
    bad |= uint32_t((bits & 0x7f800000u) == 0x7f800000u);
  }
  return bad == 0;
}

}  // namespace dl
