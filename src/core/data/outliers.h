// The images of each class that look least like it, and the pairs of classes whose images most often
// look more like the other class: what the third notebook's outliers section shows, in pixel space
// (grey levels 0-255), without a model.
#pragma once
#include <vector>

#include "dataset.h"

namespace dl {

struct ClassOutliers {
  // Per class: the images farthest from the class's mean image (Euclidean), farthest first (ties:
  // lower index first), and their distances as the root mean square difference per pixel.
  std::vector<std::vector<int>> atypical;
  std::vector<std::vector<double>> distance;
  // Two classes a < b and how many images of either are nearer the other's mean image than their own
  // (the nearest mean of all, the other one); examples: such images, those nearest the other mean
  // relative to their own first.
  struct Pair {
    int a = 0, b = 0, count = 0;
    std::vector<int> examples;
  };
  std::vector<Pair> pairs;  // the most such images first (at most `pairs` with a count above 0)
};

// Labels must be 0..kNumClasses-1 (the readers check them).
ClassOutliers class_outliers(const Dataset& d, int per_class, int pairs, int examples);

// The same a few images at a time, for a caller that spreads it over frames (the app). The data must
// outlive it and stay unchanged.
class OutlierScan {
 public:
  OutlierScan(const Dataset& d, int per_class, int pairs, int examples);  // the class means: one pass
  void step(int images);  // the distances of the next `images` images
  bool done() const { return pos_ >= d_->n; }
  float progress() const { return d_->n > 0 ? float(pos_) / float(d_->n) : 1.0f; }
  ClassOutliers result() const;  // once done()

 private:
  struct Far {  // an image and n²·(its squared distance from its class mean), farthest first
    double key;
    int index;
    bool operator<(const Far& o) const { return key != o.key ? key > o.key : index < o.index; }
  };
  struct Near {  // an image of class a nearer the mean of b than its own, by this ratio of squared distances
    int a, b, index;
    float ratio;
  };
  const Dataset* d_;
  int per_class_, pairs_, examples_, pos_ = 0;
  std::vector<uint32_t> sum_;   // (classes, pixels)
  std::vector<int64_t> count_;  // images per class
  std::vector<float> mean_;     // (classes, pixels)
  std::vector<std::vector<Far>> far_;
  std::vector<Near> near_;
  std::vector<float> x_;
};

}  // namespace dl
