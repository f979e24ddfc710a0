// A run's numeric settings by name, with their ranges: the one list that train_config_check, lesson
// links (train/lesson.h), the CLI's flags and their messages read, so a link, a command line, the
// checker and what a person is told agree. Each is a field of TrainConfig, named by its lesson-link
// key. Adding one: the field in TrainConfig (trainer.h), a row here, the code that uses it (the
// trainer, the Training window's widget in windows/win_training.cpp), and the run file's
// write_config/read_config with a new version (run_file.cpp). status() lists every row under
// settings.values.
#pragma once
#include <string>
#include <vector>

#include "trainer.h"

namespace dl {

struct NumericSetting {
  const char* key;    // lesson-link key: "lr", "val", "patience"
  const char* flag;   // the CLI's flag without "--" ("val-split"), or nullptr: part of a compound flag
  const char* words;  // in a sentence: "the learning rate"
  double lo, hi;      // the range, bounds included unless open
  bool lo_open, hi_open;
  bool whole;         // whole numbers only
  double (*get)(const TrainConfig&);
  void (*set)(TrainConfig&, double);  // v must be in range (accepts)
};

// Every numeric setting a lesson link carries, in the order links write them.
const std::vector<NumericSetting>& numeric_settings();
const NumericSetting* numeric_setting(const std::string& key);  // nullptr if unknown
const NumericSetting* numeric_setting_by_flag(const std::string& flag);  // nullptr if none
// v is a finite number in the setting's range (and whole where it must be).
bool accepts(const NumericSetting& s, double v);
// The range in words: "a whole number 1..8192", "0..0.9", "above 0 and at most 10", "0 or more and below 1".
std::string range_text(const NumericSetting& s);

}  // namespace dl
