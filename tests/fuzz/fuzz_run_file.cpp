// libFuzzer target: the run-file reader (dl::Trainer::load, dl::run_file_config). A run file whose
// every byte is random stops at its signature or checksum; so each input is a list of edits to one
// valid run file (a small network trained a few steps on fixed data, made once): byte 0 holds flags
// (bit 0: make the checksum right after the edits, bit 1: cut the file), then 4 bytes per edit (a
// 24-bit offset, the new byte), then, if cut, 3 bytes of length. A run that loads saves back to the
// same bytes and trains on without a fault; whatever does not load leaves the model and trainer as
// they were.
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "core/common.h"
#include "core/nn/bytes.h"
#include "core/train/trainer.h"

namespace {

// 60 images of 4×4: class k lights pixel k.
const dl::Dataset& data(bool val) {
  static dl::Dataset d[2];
  if (d[val].n == 0) {
    dl::Rng r(val ? 2 : 1);
    d[val].n = 60;
    d[val].rows = d[val].cols = 4;
    for (int i = 0; i < 60; ++i) {
      const int k = int(r.below(10));
      for (int p = 0; p < 16; ++p) d[val].images.push_back(uint8_t(p == k ? 255 : r.uniform(0, 40)));
      d[val].labels.push_back(uint8_t(k));
    }
  }
  return d[val];
}

const std::vector<uint8_t>& base() {
  static std::vector<uint8_t> bytes;
  if (bytes.empty()) {
    dl::ModelSpec s;
    s.input = dl::Shape{4, 4, 1, false};
    s.layers = {dl::flatten(), dl::dense(8, dl::Act::ReLU), dl::dropout(0.25f), dl::dense(10, dl::Act::Softmax)};
    static dl::Model m;
    DL_ASSERT(m.build(s).ok());
    dl::TrainConfig c;
    c.epochs = 3;
    c.batch = 8;
    c.checkpoint.enabled = true;
    c.reduce_lr.enabled = true;
    static dl::Trainer t;
    DL_ASSERT(t.begin(&m, &data(false), &data(true), c).ok());
    for (int i = 0; i < 11; ++i) t.step();  // into the second epoch: a history, a checkpoint, sums
    bytes = t.save();
  }
  return bytes;
}

// The base run file with an input's edits (size > 0). tests/unit/test_fuzz_regressions.cpp reads the
// regression inputs through it too.
std::vector<uint8_t> fuzz_run_file_edited(const uint8_t* in, size_t size) {
  std::vector<uint8_t> bytes = base();
  const uint8_t flags = in[0];
  size_t i = 1;
  const size_t edits_end = (flags & 2) && size >= 4 ? size - 3 : size;
  for (; i + 4 <= edits_end; i += 4) {
    const size_t off = (size_t(in[i]) | size_t(in[i + 1]) << 8 | size_t(in[i + 2]) << 16) % bytes.size();
    bytes[off] = in[i + 3];
  }
  if ((flags & 2) && size >= 4) {
    const size_t len = size_t(in[size - 3]) | size_t(in[size - 2]) << 8 | size_t(in[size - 1]) << 16;
    bytes.resize(std::min(bytes.size(), len));
  }
  if ((flags & 1) && bytes.size() >= 4) {
    const uint32_t h = dl::fnv1a(bytes.data(), bytes.size() - 4);
    for (int k = 0; k < 4; ++k) bytes[bytes.size() - 4 + size_t(k)] = uint8_t(h >> (8 * k));
  }
  return bytes;
}

}  // namespace

#ifndef DL_FUZZ_NO_ENTRY
extern "C" int LLVMFuzzerTestOneInput(const uint8_t* in, size_t size) {
  if (size == 0) return 0;
  const std::vector<uint8_t> bytes = fuzz_run_file_edited(in, size);
  dl::TrainConfig cfg;
  (void)dl::run_file_config(bytes.data(), bytes.size(), &cfg);
  dl::Model m;
  dl::Trainer t;
  if (!t.load(bytes.data(), bytes.size(), &m, &data(false), &data(true)).ok()) {
    DL_ASSERT(!m.built() && t.phase() == dl::TrainPhase::Idle);
    return 0;
  }
  DL_ASSERT(t.save() == bytes);
  DL_ASSERT(dl::all_finite(m.params.data(), m.params.size()));
  for (int s = 0; s < 12 && t.step(); ++s) {}
  DL_ASSERT(t.phase() != dl::TrainPhase::Running || t.epoch() < t.config().epochs);
  DL_ASSERT(dl::all_finite(m.params.data(), m.params.size()));
  return 0;
}
#endif
