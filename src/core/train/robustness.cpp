#include "robustness.h"

#include <algorithm>
#include <cmath>

#include "../data/augment.h"

namespace dl {
namespace {

// The noise every sweep adds: the same images for every model, so two runs' curves compare.
constexpr uint64_t kNoiseSeed = 20261203;

std::vector<PerturbPoint> make_points() {
  std::vector<PerturbPoint> v;
  for (int i = -6; i <= 6; ++i) v.push_back({Perturb::Rotate, 7.5f * float(i)});
  for (int i = -6; i <= 6; ++i) v.push_back({Perturb::Shift, float(i)});
  for (int i = 6; i <= 14; ++i) v.push_back({Perturb::Scale, float(i) / 10.0f});
  for (int i = 0; i <= 5; ++i) v.push_back({Perturb::Noise, float(i) / 10.0f});
  return v;
}

void add_noise(uint8_t* img, size_t pixels, float sigma, Rng& rng) {
  if (sigma <= 0) return;
  for (size_t i = 0; i < pixels; ++i) {
    // Box–Muller: u1 in (0, 1], so the logarithm is finite.
    const double u1 = 1.0 - double(rng.uniform()), u2 = double(rng.uniform());
    const double z = std::sqrt(-2.0 * std::log(u1)) * std::cos(6.283185307179586 * u2);
    const double v = double(img[i]) + 255.0 * double(sigma) * z;
    img[i] = uint8_t(std::lround(std::min(255.0, std::max(0.0, v))));
  }
}

// out sized for the first n images of d, with their labels.
void size_like(const Dataset& d, int n, Dataset* out) {
  out->name = d.name;
  out->n = n;
  out->rows = d.rows;
  out->cols = d.cols;
  out->images.resize(size_t(n) * size_t(d.pixels()));
  out->labels.assign(d.labels.begin(), d.labels.begin() + std::min<size_t>(d.labels.size(), size_t(n)));
}

}  // namespace

const char* perturb_name(Perturb p) {
  switch (p) {
    case Perturb::Rotate: return "rotation";
    case Perturb::Shift: return "shift";
    case Perturb::Scale: return "scale";
    case Perturb::Noise: return "noise";
  }
  return "";
}

const char* perturb_unit(Perturb p) {
  switch (p) {
    case Perturb::Rotate: return "degrees, counter-clockwise";
    case Perturb::Shift: return "pixels to the right";
    case Perturb::Scale: return "times the size";
    case Perturb::Noise: return "σ, 1 = full ink";
  }
  return "";
}

const std::vector<PerturbPoint>& robustness_points() {
  static const std::vector<PerturbPoint> points = make_points();
  return points;
}


void perturb_range(const Dataset& d, const PerturbPoint& p, uint64_t noise_seed, int begin, int end, Dataset* out) {
  DL_ASSERT(0 <= begin && end <= out->n && out->n <= d.n);
  const size_t P = size_t(d.pixels());
  AugmentParams a;
  if (p.kind == Perturb::Rotate) a.angle_deg = p.amount;
  if (p.kind == Perturb::Shift) a.shift_x = p.amount;
  if (p.kind == Perturb::Scale) a.zoom_x = a.zoom_y = p.amount;
  for (int i = begin; i < end; ++i) {
    uint8_t* dst = out->images.data() + size_t(i) * P;
    if (p.kind == Perturb::Noise) {
      Rng rng(noise_seed, uint64_t(i));  // image i's own stream: the same noise whatever the chunks
      std::copy(d.image(i), d.image(i) + P, dst);
      add_noise(dst, P, p.amount, rng);
    } else {
      augment_apply(a, d.image(i), dst, d.rows, d.cols);
    }
  }
}

void perturb_images(const Dataset& d, int n, const PerturbPoint& p, uint64_t noise_seed, Dataset* out) {
  n = std::max(0, std::min(n, d.n));
  size_like(d, n, out);
  perturb_range(d, p, noise_seed, 0, n, out);
}

RobustnessSweep::RobustnessSweep(Model& model, const Dataset& data, int images)
    : model_(&model), data_(&data), points_(&robustness_points()), n_(std::max(1, std::min(images, data.n))) {
  DL_ASSERT(data.n > 0 && !data.labels.empty());
  accuracy.reserve(points_->size());
}

float RobustnessSweep::progress() const {
  const double per = 1.0 / double(points_->size());
  // Perturbing a point's images counts as a fifth of its work, reading them as the rest.
  const double within = eval_ ? 0.2 + 0.8 * double(eval_->position()) / double(n_) : 0.2 * double(perturbed_n_) / double(n_);
  return float(std::min(1.0, (double(point_) + within) * per));
}

void RobustnessSweep::step() {
  if (done()) return;
  if (!eval_) {
    if (perturbed_n_ == 0) size_like(*data_, n_, &perturbed_);
    const int end = std::min(n_, perturbed_n_ + kPerturbChunk);
    perturb_range(*data_, (*points_)[point_], kNoiseSeed, perturbed_n_, end, &perturbed_);
    perturbed_n_ = end;
    if (perturbed_n_ == n_) eval_ = std::make_unique<Evaluation>(*model_, perturbed_);
    return;
  }
  eval_->step();
  if (!eval_->done()) return;
  accuracy.push_back(eval_->result().accuracy);
  eval_.reset();
  perturbed_n_ = 0;
  ++point_;
}

std::vector<double> robustness(Model& model, const Dataset& data, int images) {
  RobustnessSweep sweep(model, data, images);
  while (!sweep.done()) sweep.step();
  return sweep.accuracy;
}

}  // namespace dl
