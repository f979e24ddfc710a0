// The reference notebooks' networks and their training recipes, by name.
#pragma once
#include <string>
#include <vector>

#include "../nn/model.h"
#include "trainer.h"

namespace dl {

struct Preset {
  std::string name, description;
  ModelSpec model;
  TrainConfig recipe;
};

const std::vector<Preset>& presets();
const Preset* preset_find(const std::string& name);  // nullptr if unknown
std::string preset_names();                          // "mlp, mlp-deep, ..." for messages

}  // namespace dl
