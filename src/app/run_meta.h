// What the run list shows of a saved run, kept by the page beside the run file: one line of text
// the app writes when it autosaves and reads back when the page lists the runs. The page stores it
// as it is; IndexedDB may hand back a damaged or foreign line, which run_meta_read refuses.
//   dlrun2|model name|lesson|phase|paused|epochs done|epochs|batches per epoch|test accuracy|group|
//   epochs: loss,accuracy,val_loss,val_accuracy,has_val,lr;...|batches: loss,accuracy,lr;...|
//   confusion: k*k counts, row by row, comma-separated (empty: not evaluated)|end
// Lines of the older dlrun1 (no confusion field) are read too.
// Text fields are %-escaped ('%', '|', ';', ',', newlines). The batch curve is kept as means over
// `group` consecutive batches, at most kMetaBatchPoints of them.
#pragma once
#include <string>
#include <vector>

#include "bridge.h"

namespace app {

constexpr int kMetaBatchPoints = 400;
constexpr size_t kMaxMetaBytes = 1 << 20;

struct SavedRun {
  std::string id;          // the page's key for it
  double updated_ms = 0;   // when it was last saved, ms since 1970 (the page's clock)
  double bytes = 0;        // the size of its run file
  std::string model_name, lesson;  // lesson: the link of its settings (lesson_hash without autostart)
  dl::TrainPhase phase = dl::TrainPhase::Idle;
  bool paused = false;
  int epochs_done = 0, epochs = 0, batches_per_epoch = 0, group = 1;
  double test_accuracy = -1;
  dl::Confusion confusion{0};            // of the test set; k 0: not evaluated (or a dlrun1 line)
  std::vector<dl::EpochRecord> history;  // loss, accuracy, val_loss, val_accuracy, has_val, lr
  std::vector<dl::BatchRecord> batches;  // means over `group` batches
  bool unfinished() const { return phase == dl::TrainPhase::Running; }
};

std::string run_meta_write(const Autosave& a, const std::string& lesson);
// Reads a line written by run_meta_write into *out's fields other than id, updated_ms and bytes.
bool run_meta_read(const std::string& line, SavedRun* out);
// The page's list: "id \t updated_ms \t bytes \t meta" per line; lines it cannot read are skipped.
std::vector<SavedRun> run_list_read(const std::string& text);
// A saved run as a previous run to compare with: its curves (drawn in grey under the current curves)
// and its confusion matrix.
PreviousRun run_as_previous(const SavedRun& r);

}  // namespace app
