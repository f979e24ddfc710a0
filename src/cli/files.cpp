#include "files.h"

#include "core/size.h"

#include <zlib.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>

namespace dl {

Status read_file(const std::string& path, std::vector<uint8_t>* out, uint64_t limit, bool* too_large) {
  if (too_large) *too_large = false;
  std::ifstream f(path, std::ios::binary);
  if (!f) return Status::fail(path + ": " + std::strerror(errno));
  f.seekg(0, std::ios::end);
  std::streamoff n = f.tellg();
  if (n < 0) return Status::fail(path + ": cannot read (is it a folder?)");
  if (uint64_t(n) > limit) {
    if (too_large) *too_large = true;
    return Status::fail(path + ": the file is " + bytes_text(double(n)) + ", more than the " + bytes_text(double(limit)) +
                        " such a file may hold");
  }
  f.seekg(0);
  out->resize(size_t(n));
  if (n > 0 && !f.read(reinterpret_cast<char*>(out->data()), n)) return Status::fail(path + ": read failed");
  return {};
}

Status write_file(const std::string& path, const std::vector<uint8_t>& bytes) {
  std::string tmp = path + ".tmp";
  {
    std::ofstream f(tmp, std::ios::binary);
    if (!f) return Status::fail(path + ": cannot write: " + std::strerror(errno));
    f.write(reinterpret_cast<const char*>(bytes.data()), std::streamsize(bytes.size()));
    if (!f) return Status::fail(path + ": write failed");
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) return Status::fail(path + ": " + std::strerror(errno));
  return {};
}

Status gunzip_if_needed(const std::string& what, std::vector<uint8_t>* bytes, uint64_t cap) {
  if (bytes->size() < 2 || (*bytes)[0] != 0x1f || (*bytes)[1] != 0x8b) return {};
  z_stream z{};
  if (inflateInit2(&z, 16 + MAX_WBITS) != Z_OK) return Status::fail(what + ": zlib init failed");
  // Grows the output as it inflates and stops one byte past the cap: a small .gz that inflates to
  // gigabytes takes no more than the cap.
  std::vector<uint8_t> out(size_t(std::min<uint64_t>(cap + 1, bytes->size() * uint64_t(4) + 1024)));
  z.next_in = bytes->data();
  z.avail_in = uInt(bytes->size());
  int rc;
  do {
    if (z.total_out == out.size()) {
      if (out.size() > cap) break;
      out.resize(size_t(std::min<uint64_t>(cap + 1, uint64_t(out.size()) * 2)));
    }
    z.next_out = out.data() + z.total_out;
    z.avail_out = uInt(out.size() - z.total_out);
    rc = inflate(&z, Z_NO_FLUSH);
  } while (rc == Z_OK);
  const uint64_t n = z.total_out;
  inflateEnd(&z);
  if (n > cap) return Status::fail(too_large_text(what, true));
  if (rc != Z_STREAM_END)
    return Status::fail(what + ": the gzip data is corrupt or truncated (" + (z.msg ? std::string(z.msg) : "zlib error " + std::to_string(rc)) +
                        "); download the file again");
  out.resize(size_t(n));
  bytes->swap(out);
  return {};
}

Status load_mnist(const std::string& dir, const std::string& prefix, const std::string& name, Dataset* out) {
  std::vector<uint8_t> files[2];
  const char* kinds[2] = {"-images-idx3-ubyte", "-labels-idx1-ubyte"};
  for (int i = 0; i < 2; ++i) {
    std::string base = dir + "/" + prefix + kinds[i];
    bool too_large = false;
    Status s = read_file(base + ".gz", &files[i], kMaxDataFileBytes, &too_large);
    if (!s.ok() && !too_large) s = read_file(base, &files[i], kMaxDataFileBytes, &too_large);
    if (too_large) return Status::fail(too_large_text(prefix + kinds[i], false));
    if (!s.ok())
      return Status::fail("missing " + base + ".gz (or its uncompressed twin). Run scripts/setup.sh to fetch MNIST, "
                          "or pass --data DIR with the four MNIST files");
    s = gunzip_if_needed(prefix + kinds[i], &files[i], kMaxDataFileBytes);
    if (!s.ok()) return s;
  }
  Dataset d;
  Status s = dataset_from_idx(files[0], files[1], prefix, &d);
  if (!s.ok()) return s;
  d.name = name;
  *out = std::move(d);
  return {};
}

}  // namespace dl
