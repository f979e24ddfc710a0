// How a model's test accuracy holds up as the test images are rotated, shifted, scaled and noised:
// the "How robust is it?" curves. Each point of a curve is the accuracy on a copy of the test images
// (or their first `images`) with one perturbation applied, read in evaluation mode. Perturbed images
// stay 8-bit like the originals: geometric ones go through augment_apply (bilinear, 0 outside the
// image) and round; noise is Gaussian, drawn from a fixed seed (image i from its own stream), so
// every model is tested on the same noisy images. The identity point of each curve (0°, 0 px, ×1, σ 0) is the plain test accuracy.
#pragma once
#include <cstdint>
#include <memory>
#include <vector>

#include "../data/dataset.h"
#include "../nn/model.h"
#include "trainer.h"

namespace dl {

enum class Perturb : uint8_t { Rotate, Shift, Scale, Noise };
constexpr int kPerturbKinds = 4;
const char* perturb_name(Perturb p);   // "rotation", "shift", "scale", "noise"
// The x axis: "degrees, counter-clockwise", "pixels to the right", "times the size", "σ, 1 = full ink".
const char* perturb_unit(Perturb p);

struct PerturbPoint {
  Perturb kind = Perturb::Rotate;
  float amount = 0;  // degrees counter-clockwise; pixels to the right; magnification; σ in 0..1 of full ink
};

// The sweep's points, curve by curve, each curve in increasing amount: rotation −45…45° in steps of
// 7.5, shift −6…6 px in steps of 1, scale 0.6…1.4 in steps of 0.1, noise σ 0…0.5 in steps of 0.1.
const std::vector<PerturbPoint>& robustness_points();

// out = the first n images of d (with their labels), each perturbed by p. noise_seed seeds the noise.
void perturb_images(const Dataset& d, int n, const PerturbPoint& p, uint64_t noise_seed, Dataset* out);
// Images [begin, end) of out (sized by perturb_images or as it does) as perturb_images makes them.
void perturb_range(const Dataset& d, const PerturbPoint& p, uint64_t noise_seed, int begin, int end, Dataset* out);

// The sweep a batch at a time, for a caller that spreads it out (the app's trainer side). The model
// and the data must outlive it and stay unchanged while it runs.
class RobustnessSweep {
 public:
  // images: how many of the test images each point uses (clamped to 1..data.n).
  RobustnessSweep(Model& model, const Dataset& data, int images);
  // The next unit of work: perturbing the next kPerturbChunk images of the current point, or, once
  // they all are, reading the next batch of them.
  void step();
  static constexpr int kPerturbChunk = 1000;
  bool done() const { return point_ >= points_->size(); }
  float progress() const;
  int images() const { return n_; }
  std::vector<double> accuracy;  // per point, in robustness_points() order; filled as points finish

 private:
  Model* model_;
  const Dataset* data_;
  const std::vector<PerturbPoint>* points_;
  int n_;
  size_t point_ = 0;
  int perturbed_n_ = 0;  // images of the current point perturbed so far
  Dataset perturbed_;
  std::unique_ptr<Evaluation> eval_;
};

// The whole sweep at once (the CLI, the tests).
std::vector<double> robustness(Model& model, const Dataset& data, int images);

}  // namespace dl
