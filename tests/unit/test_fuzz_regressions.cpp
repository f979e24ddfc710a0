// The fuzz regression inputs of fuzz_run_file still reach the checks they once got past. They are
// edits at byte offsets of the target's base run file, so a change to the run file's layout moves
// what they edit; this test fails then, rather than the inputs going on to replay green while testing
// nothing (tests/fuzz/regressions/README.md). The target's file is included whole, without its entry
// point, for its base run file, its data and its decoding of an input.
#define DL_FUZZ_NO_ENTRY
#include "../fuzz/fuzz_run_file.cpp"

#include <cstdio>
#include <string>

#include <doctest/doctest.h>

namespace {
std::vector<uint8_t> read_all(const std::string& path) {
  std::vector<uint8_t> bytes;
  FILE* f = std::fopen(path.c_str(), "rb");
  if (!f) return bytes;
  uint8_t buf[4096];
  for (size_t n; (n = std::fread(buf, 1, sizeof buf, f)) > 0;) bytes.insert(bytes.end(), buf, buf + n);
  std::fclose(f);
  return bytes;
}
}  // namespace

TEST_CASE("fuzz regressions: each fuzz_run_file input stops at the check it once got past") {
  const std::pair<const char*, const char*> cases[] = {
      {"even-rng-increment", "the saved run is damaged (random stream)"},
      {"nan-last-good-weights", "the saved run is damaged (weights that are not numbers)"},
      {"running-past-last-epoch", "the saved run is damaged (position)"},
  };
  for (const auto& c : cases) {
    const std::string name = c.first, message = c.second;
    CAPTURE(name);
    const std::vector<uint8_t> in =
        read_all(std::string(DIGITLAB_SOURCE_DIR) + "/tests/fuzz/regressions/fuzz_run_file/" + name);
    REQUIRE(!in.empty());
    const std::vector<uint8_t> bytes = fuzz_run_file_edited(in.data(), in.size());
    dl::Model m;
    dl::Trainer t;
    CHECK(t.load(bytes.data(), bytes.size(), &m, &data(false), &data(true)).error == message);
    // The settings sit before everything else a layout change moves: this one's edits are on them.
    if (name == "running-past-last-epoch") {
      dl::TrainConfig cfg;
      REQUIRE(dl::run_file_config(bytes.data(), bytes.size(), &cfg).ok());
      CHECK(cfg.epochs == 1);
      CHECK(cfg.batch == 3);
    }
  }
}
