#include "settings.h"

#include <cmath>
#include <cstdio>
#include <cstdlib>

namespace dl {

namespace {
// Ranges. Keras takes any non-negative min_delta, min_lr or patience; these bounds only keep a
// mistyped value (patience=1e9) from meaning "forever" without a word.
constexpr double kMaxEpochs = 10000, kMaxBatch = 8192, kMaxPatience = 10000, kMaxSeed = 2147483647;

// {key, flag, words, lo, hi, lo_open, hi_open, whole, get, set}
#define DL_FIELD(expr, type) [](const TrainConfig& c) { return double(c.expr); }, [](TrainConfig& c, double v) { c.expr = type(v); }
const std::vector<NumericSetting> kSettings = {
    {"lr", "lr", "the learning rate", 0, 10, true, false, false, DL_FIELD(opt.lr, float)},
    {"batch", "batch", "the batch size", 1, kMaxBatch, false, false, true, DL_FIELD(batch, int)},
    {"epochs", "epochs", "the number of epochs", 1, kMaxEpochs, false, false, true, DL_FIELD(epochs, int)},
    {"val", "val-split", "the validation split", 0, 0.9, false, false, false, DL_FIELD(val_split, float)},
    {"seed", "seed", "the seed", 0, kMaxSeed, false, false, true, DL_FIELD(seed, uint64_t)},
    {"momentum", "momentum", "SGD's momentum", 0, 1, false, true, false, DL_FIELD(opt.momentum, float)},
    {"rotation", "rotation", "the rotation range (degrees)", 0, 180, false, false, false, DL_FIELD(augment.rotation_deg, float)},
    {"zoom", "zoom", "the zoom range", 0, 0.9, false, false, false, DL_FIELD(augment.zoom, float)},
    {"width_shift", "width-shift", "the width shift (a fraction of the width)", 0, 1, false, false, false, DL_FIELD(augment.width_shift, float)},
    {"height_shift", "height-shift", "the height shift (a fraction of the height)", 0, 1, false, false, false, DL_FIELD(augment.height_shift, float)},
    {"patience", nullptr, "early stopping's patience (epochs)", 0, kMaxPatience, false, false, true, DL_FIELD(early.patience, int)},
    {"min_delta", nullptr, "early stopping's min_delta", 0, 10, false, false, false, DL_FIELD(early.min_delta, float)},
    {"lr_factor", nullptr, "the learning-rate reduction factor", 0, 1, true, true, false, DL_FIELD(reduce_lr.factor, float)},
    {"lr_patience", nullptr, "the learning-rate reduction's patience (epochs)", 0, kMaxPatience, false, false, true, DL_FIELD(reduce_lr.patience, int)},
    {"min_lr", nullptr, "the smallest learning rate a reduction goes to", 0, 10, false, false, false, DL_FIELD(reduce_lr.min_lr, float)},
    {"label_smoothing", "label-smoothing", "the label smoothing", 0, 1, false, false, false, DL_FIELD(label_smoothing, float)},
    {"cosine_alpha", nullptr, "the cosine decay's last rate (a fraction of the learning rate)", 0, 1, false, false, false, DL_FIELD(cosine.alpha, float)},
    // The optimizers' constants (Keras' beta_1, beta_2, rho, epsilon): presets keep Keras' defaults.
    {"beta1", "beta1", "Adam's beta_1", 0, 1, false, true, false, DL_FIELD(opt.beta1, float)},
    {"beta2", "beta2", "Adam's beta_2", 0, 1, false, true, false, DL_FIELD(opt.beta2, float)},
    {"rho", "rho", "RMSprop's rho", 0, 1, false, true, false, DL_FIELD(opt.rho, float)},
    {"eps", "epsilon", "the optimizer's epsilon", 0, 1, true, false, false, DL_FIELD(opt.eps, float)},
};
#undef DL_FIELD
}  // namespace

const std::vector<NumericSetting>& numeric_settings() { return kSettings; }

const NumericSetting* numeric_setting(const std::string& key) {
  for (const NumericSetting& s : kSettings)
    if (key == s.key) return &s;
  return nullptr;
}

const NumericSetting* numeric_setting_by_flag(const std::string& flag) {
  for (const NumericSetting& s : kSettings)
    if (s.flag && flag == s.flag) return &s;
  return nullptr;
}

bool accepts(const NumericSetting& s, double v) {
  if (!std::isfinite(v)) return false;
  if (s.whole && v != std::floor(v)) return false;
  if (s.lo_open ? !(v > s.lo) : !(v >= s.lo)) return false;
  return s.hi_open ? v < s.hi : v <= s.hi;
}

std::string range_text(const NumericSetting& s) {
  const std::string lo = number_text(s.lo), hi = number_text(s.hi);
  if (!s.lo_open && !s.hi_open) return (s.whole ? "a whole number " : "") + lo + ".." + hi;
  std::string t = s.lo_open ? "above " + lo : lo + " or more";
  return t + (s.hi_open ? " and below " : " and at most ") + hi;
}

}  // namespace dl
