// The robustness sweep: its points, its perturbed images, and accuracies that agree with evaluate()
// on images perturbed here by hand.
#include <algorithm>
#include <set>

#include "core/train/robustness.h"
#include "helpers.h"

using namespace dl;

namespace {
// 4x4 images where class k lights up pixel k; a trained linear model reads them all.
Dataset toy(int n, uint64_t seed) { return dltest::pixel_toy(n, seed, 30); }
Model trained_toy(const Dataset& train) {
  ModelSpec s;
  s.name = "toy";
  s.input = Shape{4, 4, 1, false};
  s.layers = {flatten(), dense(10, Act::Softmax)};
  Model m;
  REQUIRE(m.build(s).ok());
  TrainConfig c;
  c.epochs = 10;
  c.batch = 20;
  c.opt.lr = 0.05f;
  Trainer t;
  REQUIRE(t.begin(&m, &train, &train, c).ok());
  while (t.step()) {}
  return m;
}
// d with every image moved right by k whole pixels, zeros coming in from the left.
Dataset shifted_by_hand(const Dataset& d, int k) {
  Dataset out = d;
  for (int i = 0; i < d.n; ++i)
    for (int r = 0; r < d.rows; ++r)
      for (int c = 0; c < d.cols; ++c)
        out.images[size_t(i) * 16 + size_t(r) * 4 + size_t(c)] =
            c - k >= 0 && c - k < d.cols ? d.image(i)[r * 4 + (c - k)] : 0;
  return out;
}
size_t point_index(Perturb kind, float amount) {
  const std::vector<PerturbPoint>& p = robustness_points();
  for (size_t i = 0; i < p.size(); ++i)
    if (p[i].kind == kind && p[i].amount == amount) return i;
  FAIL("no such point");
  return 0;
}
}  // namespace

TEST_CASE("robustness: four curves in increasing amounts, each through its identity") {
  const std::vector<PerturbPoint>& p = robustness_points();
  CHECK(p.size() == 13 + 13 + 9 + 6);
  std::set<int> kinds;
  for (size_t i = 0; i < p.size(); ++i) {
    kinds.insert(int(p[i].kind));
    if (i > 0 && p[i].kind == p[i - 1].kind) CHECK(p[i].amount > p[i - 1].amount);
  }
  CHECK(kinds.size() == size_t(kPerturbKinds));
  CHECK(p.front().amount == -45.0f);
  point_index(Perturb::Rotate, 0);
  point_index(Perturb::Rotate, 45);
  point_index(Perturb::Shift, -6);
  point_index(Perturb::Shift, 0);
  point_index(Perturb::Scale, 1.0f);
  point_index(Perturb::Scale, 0.6f);
  point_index(Perturb::Noise, 0);
  point_index(Perturb::Noise, 0.5f);
}

TEST_CASE("robustness: identity perturbations copy the images; a shift moves them; noise follows its seed") {
  const Dataset d = toy(50, 3);
  Dataset out;
  for (const PerturbPoint& p : {PerturbPoint{Perturb::Rotate, 0}, PerturbPoint{Perturb::Shift, 0},
                                PerturbPoint{Perturb::Scale, 1}, PerturbPoint{Perturb::Noise, 0}}) {
    perturb_images(d, 30, p, 7, &out);
    CHECK(out.n == 30);
    CHECK(std::equal(out.images.begin(), out.images.end(), d.images.begin()));
    CHECK(std::equal(out.labels.begin(), out.labels.end(), d.labels.begin()));
  }
  perturb_images(d, d.n, {Perturb::Shift, 2}, 7, &out);
  CHECK(out.images == shifted_by_hand(d, 2).images);

  Dataset a, b, c;
  perturb_images(d, d.n, {Perturb::Noise, 0.3f}, 7, &a);
  perturb_images(d, d.n, {Perturb::Noise, 0.3f}, 7, &b);
  perturb_images(d, d.n, {Perturb::Noise, 0.3f}, 8, &c);
  CHECK(a.images == b.images);
  CHECK(a.images != c.images);
  CHECK(a.images != d.images);
  // σ 0.3 of full ink: the mean absolute change is about 0.8·σ·255 where nothing clips (faint pixels
  // clip at 0, so somewhat less overall).
  double change = 0;
  for (size_t i = 0; i < a.images.size(); ++i) change += std::abs(int(a.images[i]) - int(d.images[i]));
  change /= double(a.images.size());
  CHECK(change > 0.3 * 0.3 * 255);
  CHECK(change < 0.8 * 0.3 * 255 * 1.1);
}

TEST_CASE("robustness: the sweep's accuracies equal evaluate() on the same images") {
  const Dataset train = toy(600, 1), test = toy(300, 2);
  Model m = trained_toy(train);
  const double plain = evaluate(m, test).accuracy;
  CHECK(plain > 0.95);
  const std::vector<double> acc = robustness(m, test, test.n);
  REQUIRE(acc.size() == robustness_points().size());
  for (Perturb k : {Perturb::Rotate, Perturb::Shift, Perturb::Noise}) CHECK(acc[point_index(k, 0)] == plain);
  CHECK(acc[point_index(Perturb::Scale, 1)] == plain);
  // One pixel right: class k's pixel lands where class k+1's is; the model reads k+1 or another class.
  const double right1 = evaluate(m, shifted_by_hand(test, 1)).accuracy;
  CHECK(acc[point_index(Perturb::Shift, 1)] == right1);
  CHECK(right1 < 0.3);
  CHECK(acc[point_index(Perturb::Shift, 6)] == evaluate(m, shifted_by_hand(test, 6)).accuracy);

  // A step at a time, over the first 100 images: the same as the whole sweep over them.
  RobustnessSweep sweep(m, test, 100);
  float last = -1;
  while (!sweep.done()) {
    CHECK(sweep.progress() >= last);
    last = sweep.progress();
    sweep.step();
  }
  CHECK(sweep.progress() == 1.0f);
  CHECK(sweep.accuracy == robustness(m, test, 100));
  CHECK(sweep.accuracy[point_index(Perturb::Rotate, 0)] == evaluate(m, dataset_head(test, 100)).accuracy);
}
