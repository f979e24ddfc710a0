// File access for the native CLI: whole-file reads, gunzip (zlib) when the bytes start with 1f 8b,
// and loading the MNIST file set from a folder.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "core/data/dataset.h"

namespace dl {

// The whole file, if it holds at most `limit` bytes (*too_large, if given, says whether that failed).
Status read_file(const std::string& path, std::vector<uint8_t>* out, uint64_t limit, bool* too_large = nullptr);
Status write_file(const std::string& path, const std::vector<uint8_t>& bytes);
// Decompresses in place if the bytes are gzip, stopping with an error past `cap` bytes; leaves them
// alone otherwise.
Status gunzip_if_needed(const std::string& what, std::vector<uint8_t>* bytes, uint64_t cap);
// Loads <dir>/<prefix>-images-idx3-ubyte[.gz] and <dir>/<prefix>-labels-idx1-ubyte[.gz].
Status load_mnist(const std::string& dir, const std::string& prefix, const std::string& name, Dataset* out);

}  // namespace dl
