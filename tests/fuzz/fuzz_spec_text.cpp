// libFuzzer target: the layer-spec text of lesson links and the builder. Text that reads writes back
// to a form that reads as the same network, and building it (without weights) never fails other than
// with a message.
#include <cstddef>
#include <cstdint>
#include <string>

#include "core/common.h"
#include "core/nn/spec_text.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  dl::ModelSpec m;
  if (!dl::spec_from_text(text, &m).ok()) return 0;
  DL_ASSERT(m.layers.size() <= size_t(dl::kMaxLayers));
  const std::string written = dl::spec_to_text(m);
  dl::ModelSpec again;
  DL_ASSERT(dl::spec_from_text(written, &again).ok());
  DL_ASSERT(dl::spec_to_text(again) == written);
  dl::Model model;
  const dl::Status st = model.build(m, false);
  DL_ASSERT(st.ok() || !st.error.empty());
  if (st.ok()) DL_ASSERT(model.trainable_params() <= dl::kMaxParams && model.layers().size() == m.layers.size());
  return 0;
}
