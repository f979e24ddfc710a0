// Replays inputs through a fuzz target without libFuzzer: for the wasm build under node (32-bit
// size_t, where the size bugs lived), and anywhere libFuzzer is not linked. Each argument is a file,
// or a folder whose files are all replayed. Prints how many inputs ran; a failed check aborts.
#include <dirent.h>
#include <sys/stat.h>

#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);

static bool replay_file(const std::string& path) {
  FILE* f = std::fopen(path.c_str(), "rb");
  if (!f) return false;
  std::vector<uint8_t> bytes;
  uint8_t buf[65536];
  for (size_t n; (n = std::fread(buf, 1, sizeof buf, f)) > 0;) bytes.insert(bytes.end(), buf, buf + n);
  std::fclose(f);
  LLVMFuzzerTestOneInput(bytes.data(), bytes.size());
  return true;
}

int main(int argc, char** argv) {
  int runs = 0;
  for (int i = 1; i < argc; ++i) {
    struct stat st;
    if (stat(argv[i], &st) != 0) {
      std::fprintf(stderr, "replay: %s: no such file or folder\n", argv[i]);
      return 2;
    }
    if (!S_ISDIR(st.st_mode)) {
      runs += replay_file(argv[i]);
      continue;
    }
    DIR* d = opendir(argv[i]);
    for (dirent* e; d && (e = readdir(d));) {
      const std::string p = std::string(argv[i]) + "/" + e->d_name;
      if (e->d_name[0] != '.' && stat(p.c_str(), &st) == 0 && S_ISREG(st.st_mode)) runs += replay_file(p);
    }
    if (d) closedir(d);
  }
  std::printf("replayed %d inputs\n", runs);
  return runs > 0 ? 0 : 2;
}
