// The model file: a versioned little-endian binary that holds a model's architecture and weights.
//   "DGLBMODL" (8 bytes) | u32 version (1) | u32 name length | name | input h, w, c (i32) | u8 flat |
//   u32 layer count | per layer: u8 kind, u8 act, u8 same, u8 0, i32 units, kernel, stride, f32 rate, l2, alpha |
//   u64 trainable count | floats | u64 non-trainable count | floats | u32 FNV-1a checksum of all before it
// Loading checks every field and the checksum, rebuilds the model, and only then replaces *out:
// on any error the caller's model is untouched.
#pragma once
#include <cstdint>
#include <vector>

#include "model.h"

namespace dl {

constexpr uint32_t kModelFileVersion = 1;
// The largest model file a reader takes (64 million weights; cnn-vgg's is 3.5 MB).
constexpr uint64_t kMaxModelFileBytes = 256'000'000;

std::vector<uint8_t> model_save(const Model& m);
Status model_load(const uint8_t* bytes, size_t size, Model* out);

}  // namespace dl
