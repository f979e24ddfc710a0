// Little-endian byte writing and bounds-checked reading for the core's binary files (the model file,
// the run file), and their checksum. Internal to core.
#pragma once
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

namespace dl {

inline uint32_t fnv1a(const uint8_t* p, size_t n) {
  uint32_t h = 2166136261u;
  for (size_t i = 0; i < n; ++i) h = (h ^ p[i]) * 16777619u;
  return h;
}

struct Writer {
  std::vector<uint8_t> out;
  void raw(const void* p, size_t n) { out.insert(out.end(), (const uint8_t*)p, (const uint8_t*)p + n); }
  void u8(uint8_t v) { out.push_back(v); }
  void u32(uint32_t v) { for (int i = 0; i < 4; ++i) out.push_back(uint8_t(v >> (8 * i))); }
  void u64(uint64_t v) { for (int i = 0; i < 8; ++i) out.push_back(uint8_t(v >> (8 * i))); }
  void i32(int32_t v) { u32(uint32_t(v)); }
  void f32(float v) { uint32_t b; std::memcpy(&b, &v, 4); u32(b); }
  void f64(double v) { uint64_t b; std::memcpy(&b, &v, 8); u64(b); }
  void floats(const std::vector<float>& v) { u64(v.size()); for (float f : v) f32(f); }
  void str(const std::string& s) { u32(uint32_t(s.size())); raw(s.data(), s.size()); }
};

// Every read past the end returns 0 and clears ok; callers check ok (and their own limits) once
// per section.
struct Reader {
  const uint8_t* p;
  size_t n, pos = 0;
  bool ok = true;
  bool need(size_t k) { if (!ok || n - pos < k) ok = false; return ok; }
  uint8_t u8() { return need(1) ? p[pos++] : 0; }
  uint32_t u32() {
    if (!need(4)) return 0;
    uint32_t v = 0;
    for (int i = 0; i < 4; ++i) v |= uint32_t(p[pos + i]) << (8 * i);
    pos += 4;
    return v;
  }
  uint64_t u64() { uint64_t lo = u32(); return lo | (uint64_t(u32()) << 32); }
  int32_t i32() { return int32_t(u32()); }
  float f32() { uint32_t b = u32(); float f; std::memcpy(&f, &b, 4); return f; }
  double f64() { uint64_t b = u64(); double d; std::memcpy(&d, &b, 8); return d; }
  // A float array of exactly `want` values (want < 0: any count up to max), or ok = false.
  std::vector<float> floats(int64_t want, uint64_t max) {
    const uint64_t k = u64();
    if (!ok || (want >= 0 && k != uint64_t(want)) || k > max || (n - pos) / 4 < k) { ok = false; return {}; }
    std::vector<float> v(static_cast<size_t>(k));
    for (float& f : v) f = f32();
    return v;
  }
  std::string str(size_t max) {
    const uint32_t k = u32();
    if (!ok || k > max || !need(k)) { ok = false; return {}; }
    std::string s((const char*)p + pos, k);
    pos += k;
    return s;
  }
};

}  // namespace dl
