// The reference notebooks' networks and their training recipes, by name.
#pragma once
#include <string>
#include <vector>

#include "../nn/model.h"
#include "trainer.h"

namespace dl {

// A network and how its notebook trained it (`recipe`); `improved` trains the same network better
// (augmentation, a held-out split for the callbacks, a falling learning rate, longer), where one was
// measured to beat the notebook's recipe over seeds on the test set (docs/results.md).
struct Preset {
  std::string name, description;
  ModelSpec model;
  TrainConfig recipe;
  bool has_improved = false;
  TrainConfig improved;
  std::string improved_text;  // what it changes, in a phrase
};

const std::vector<Preset>& presets();
const Preset* preset_find(const std::string& name);  // nullptr if unknown
std::string preset_names();                          // "mlp, mlp-deep, ..." for messages

}  // namespace dl
