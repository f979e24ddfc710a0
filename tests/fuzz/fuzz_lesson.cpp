// libFuzzer target: lesson links. Whatever a link holds, what is read is in range (the trainer would
// take its settings), and writing it back gives a link that reads without a notice as the same lesson.
#include <cstddef>
#include <cstdint>
#include <string>

#include "core/common.h"
#include "core/nn/spec_text.h"
#include "core/train/lesson.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string link(reinterpret_cast<const char*>(data), size);
  const dl::Lesson l = dl::lesson_parse(link);
  DL_ASSERT(l.preset != nullptr);
  DL_ASSERT(dl::train_config_check(l.config).ok());
  DL_ASSERT(!(l.autostart && !l.notices.empty()));
  DL_ASSERT(l.tab >= -1 && l.tab < dl::kLessonTabs && l.pane >= -1 && l.pane < dl::kLessonPanes);
  const std::string written = dl::lesson_write(*l.preset, l.model, l.config, l.pane, l.autostart);
  const dl::Lesson back = dl::lesson_parse(written);
  DL_ASSERT(back.notices.empty());
  DL_ASSERT(dl::lesson_write(*back.preset, back.model, back.config, back.pane, back.autostart) == written);
  DL_ASSERT(dl::spec_to_text(back.model) == dl::spec_to_text(l.model));
  return 0;
}
