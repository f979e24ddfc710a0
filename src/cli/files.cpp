#include "files.h"

#include <zlib.h>

#include <cerrno>
#include <cstring>
#include <fstream>

namespace dl {

Status read_file(const std::string& path, std::vector<uint8_t>* out) {
  std::ifstream f(path, std::ios::binary);
  if (!f) return Status::fail(path + ": " + std::strerror(errno));
  f.seekg(0, std::ios::end);
  std::streamoff n = f.tellg();
  if (n < 0) return Status::fail(path + ": cannot read (is it a folder?)");
  if (n > (std::streamoff(1) << 31)) return Status::fail(path + ": file is larger than 2 GB");
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

Status gunzip_if_needed(const std::string& what, std::vector<uint8_t>* bytes) {
  if (bytes->size() < 2 || (*bytes)[0] != 0x1f || (*bytes)[1] != 0x8b) return {};
  z_stream z{};
  if (inflateInit2(&z, 16 + MAX_WBITS) != Z_OK) return Status::fail(what + ": zlib init failed");
  std::vector<uint8_t> out(bytes->size() * 4 + 1024);
  z.next_in = bytes->data();
  z.avail_in = uInt(bytes->size());
  int rc;
  do {
    if (z.total_out == out.size()) out.resize(out.size() * 2);
    if (out.size() > (size_t(1) << 31)) { inflateEnd(&z); return Status::fail(what + ": decompresses to over 2 GB"); }
    z.next_out = out.data() + z.total_out;
    z.avail_out = uInt(out.size() - z.total_out);
    rc = inflate(&z, Z_NO_FLUSH);
  } while (rc == Z_OK);
  size_t n = z.total_out;
  inflateEnd(&z);
  if (rc != Z_STREAM_END)
    return Status::fail(what + ": the gzip data is corrupt or truncated (" + (z.msg ? std::string(z.msg) : "zlib error " + std::to_string(rc)) +
                        "); download the file again");
  out.resize(n);
  bytes->swap(out);
  return {};
}

Status load_mnist(const std::string& dir, const std::string& prefix, const std::string& name, Dataset* out) {
  std::vector<uint8_t> files[2];
  const char* kinds[2] = {"-images-idx3-ubyte", "-labels-idx1-ubyte"};
  for (int i = 0; i < 2; ++i) {
    std::string base = dir + "/" + prefix + kinds[i];
    Status s = read_file(base + ".gz", &files[i]);
    if (!s.ok() && !read_file(base, &files[i]).ok())
      return Status::fail("missing " + base + ".gz (or its uncompressed twin). Run scripts/setup.sh to fetch MNIST, "
                          "or pass --data DIR with the four MNIST files");
    s = gunzip_if_needed(prefix + kinds[i], &files[i]);
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
