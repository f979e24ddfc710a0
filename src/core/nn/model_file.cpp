#include "model_file.h"

#include <cstring>

#include "bytes.h"

namespace dl {
namespace {

const char kMagic[8] = {'D', 'G', 'L', 'B', 'M', 'O', 'D', 'L'};

}  // namespace

std::vector<uint8_t> model_save(const Model& m) {
  Writer w;
  w.raw(kMagic, 8);
  w.u32(kModelFileVersion);
  const ModelSpec& s = m.spec();
  w.u32(uint32_t(s.name.size()));
  w.raw(s.name.data(), s.name.size());
  w.i32(s.input.h); w.i32(s.input.w); w.i32(s.input.c); w.u8(s.input.flat);
  w.u32(uint32_t(s.layers.size()));
  for (const LayerSpec& l : s.layers) {
    w.u8(uint8_t(l.kind)); w.u8(uint8_t(l.act)); w.u8(l.same); w.u8(0);
    w.i32(l.units); w.i32(l.kernel); w.i32(l.stride);
    w.f32(l.rate); w.f32(l.l2); w.f32(l.alpha);
  }
  w.floats(m.params);
  w.floats(m.state);
  w.u32(fnv1a(w.out.data(), w.out.size()));
  return w.out;
}

Status model_load(const uint8_t* bytes, size_t size, Model* out) {
  const std::string bad = "this is not a Digit Lab model file";
  if (size < 12 || std::memcmp(bytes, kMagic, 8) != 0)
    return Status::fail(bad + " (it does not start with the model-file signature)");
  Reader r{bytes, size};
  r.pos = 8;
  uint32_t version = r.u32();
  if (version != kModelFileVersion)
    return Status::fail("this model file has version " + std::to_string(version) + "; this Digit Lab reads version " +
                        std::to_string(kModelFileVersion) + ". Train and save the model again with this version.");
  if (size < 4 || fnv1a(bytes, size - 4) != Reader{bytes + size - 4, 4}.u32())
    return Status::fail("the model file is damaged or truncated (its checksum does not match); download it again");
  ModelSpec spec;
  uint32_t name_len = r.u32();
  if (!r.need(name_len) || name_len > 256) return Status::fail("the model file is damaged (bad name)");
  spec.name.assign((const char*)bytes + r.pos, name_len);
  r.pos += name_len;
  spec.input.h = r.i32(); spec.input.w = r.i32(); spec.input.c = r.i32();
  const uint8_t flat = r.u8();
  if (flat > 1) return Status::fail("the model file is damaged (bad input shape)");
  spec.input.flat = flat == 1;
  uint32_t nl = r.u32();
  if (!r.ok || nl == 0) return Status::fail("the model file is damaged (bad layer count)");
  if (nl > uint32_t(kMaxLayers))
    return Status::fail("the model file holds " + with_commas(nl) + " layers; this tool builds at most " +
                        std::to_string(kMaxLayers));
  for (uint32_t i = 0; i < nl && r.ok; ++i) {
    LayerSpec l;
    const uint8_t kind = r.u8(), act = r.u8(), same = r.u8(), reserved = r.u8();
    if (kind > uint8_t(LayerKind::Activation) || act > uint8_t(Act::LeakyReLU))
      return Status::fail("the model file uses a layer type this version does not know");
    if (same > 1 || reserved != 0) return Status::fail("the model file is damaged (bad layer " + std::to_string(i + 1) + ")");
    l.same = same == 1;
    l.kind = LayerKind(kind);
    l.act = Act(act);
    l.units = r.i32(); l.kernel = r.i32(); l.stride = r.i32();
    l.rate = r.f32(); l.l2 = r.f32(); l.alpha = r.f32();
    spec.layers.push_back(l);
  }
  if (!r.ok) return Status::fail("the model file is damaged (truncated architecture)");
  Model m;  // first without weights: the counts are checked against the file before any memory is taken
  Status s = m.build(spec, false);
  if (!s.ok()) return Status::fail("the model file describes an impossible model: " + s.error);
  const uint64_t np = r.u64();
  if (!r.ok || np != m.trainable_params() || !(Size(np) * 4).within(size - r.pos))
    return Status::fail("the model file is damaged: it holds " + (r.ok ? Size(np).text() : std::string("no")) +
                        " weights, its layers need " + with_commas((long long)m.trainable_params()));
  m.build(spec);
  for (float& f : m.params) f = r.f32();
  uint64_t ns = r.u64();
  if (!r.ok || ns != m.state.size()) return Status::fail("the model file is damaged (non-trainable weights)");
  for (float& f : m.state) f = r.f32();
  if (!r.ok || r.pos != size - 4) return Status::fail("the model file is damaged (unexpected length)");
  *out = std::move(m);
  return {};
}

}  // namespace dl
