// Metrics on a hand-built confusion matrix, checked against values worked out by hand
// (the same numbers scikit-learn's classification_report gives for these labels).
#include "core/train/metrics.h"
#include "helpers.h"

using namespace dl;

TEST_CASE("report from a hand-built 3-class confusion matrix") {
  // y_true = [0,0,0,0,1,1,1,2,2,2], y_pred = [0,0,0,1,1,1,2,2,2,0]
  Confusion c(3);
  int t[10] = {0, 0, 0, 0, 1, 1, 1, 2, 2, 2}, p[10] = {0, 0, 0, 1, 1, 1, 2, 2, 2, 0};
  for (int i = 0; i < 10; ++i) c.add(t[i], p[i]);
  CHECK(c.at(0, 0) == 3);
  CHECK(c.at(0, 1) == 1);  // rows are the truth, columns the prediction
  CHECK(c.at(2, 0) == 1);
  Report r = report_from_confusion(c);
  CHECK(r.accuracy == doctest::Approx(0.7));
  // class 0: tp 3, predicted 4, true 4
  CHECK(r.classes[0].precision == doctest::Approx(0.75));
  CHECK(r.classes[0].recall == doctest::Approx(0.75));
  // class 1: tp 2, predicted 3, true 3 → 2/3; class 2: tp 2, predicted 3, true 3
  CHECK(r.classes[1].precision == doctest::Approx(2.0 / 3));
  CHECK(r.classes[1].f1 == doctest::Approx(2.0 / 3));
  CHECK(r.classes[2].support == 3);
  CHECK(r.macro.precision == doctest::Approx((0.75 + 2.0 / 3 + 2.0 / 3) / 3));
  CHECK(r.weighted.f1 == doctest::Approx(0.4 * 0.75 + 0.3 * 2.0 / 3 + 0.3 * 2.0 / 3));
  CHECK(r.macro.support == 10);
}

TEST_CASE("unequal precision and recall; a class never predicted has precision 0") {
  // y_true = [0,0,1,1,1,2], y_pred = [0,1,1,1,1,1]
  Confusion c(3);
  int t[6] = {0, 0, 1, 1, 1, 2}, p[6] = {0, 1, 1, 1, 1, 1};
  for (int i = 0; i < 6; ++i) c.add(t[i], p[i]);
  Report r = report_from_confusion(c);
  CHECK(r.classes[0].precision == doctest::Approx(1.0));
  CHECK(r.classes[0].recall == doctest::Approx(0.5));
  CHECK(r.classes[0].f1 == doctest::Approx(2 * 0.5 / 1.5));
  CHECK(r.classes[1].precision == doctest::Approx(0.6));
  CHECK(r.classes[1].recall == doctest::Approx(1.0));
  CHECK(r.classes[1].f1 == doctest::Approx(0.75));
  CHECK(r.classes[2].precision == 0.0);  // sklearn's zero_division=0
  CHECK(r.classes[2].f1 == 0.0);
  CHECK(r.accuracy == doctest::Approx(4.0 / 6));
  std::string text = report_text(r);
  CHECK(text.find("precision") != std::string::npos);
  CHECK(text.find("0.6000") != std::string::npos);
  CHECK(text.find("weighted avg") != std::string::npos);
}

TEST_CASE("cell_examples: the images behind one confusion-matrix cell, the most telling first") {
  //                         0     1     2     3     4     5     6     7
  const uint8_t labels[] = {4,    4,    9,    4,    4,    7,    4,    4};
  const uint8_t pred[] = {  9,    4,    9,    9,    4,    9,    9,    4};
  const float prob[] = {    0.60f, 0.99f, 0.90f, 0.95f, 0.55f, 0.70f, 0.60f, 0.80f};
  int total = -1;
  // Mistakes (a 4 read as a 9): the surest first; the two at 0.60 keep their order.
  std::vector<int> wrong = cell_examples(labels, pred, prob, 8, 4, 9, 10, &total);
  CHECK(total == 3);
  CHECK(wrong == std::vector<int>{3, 0, 6});
  // Correct (4 read as 4): the least sure first.
  CHECK(cell_examples(labels, pred, prob, 8, 4, 4, 10, &total) == std::vector<int>{4, 7, 1});
  CHECK(total == 3);
  // At most max_count, still counting them all.
  CHECK(cell_examples(labels, pred, prob, 8, 4, 9, 2, &total) == std::vector<int>{3, 0});
  CHECK(total == 3);
  // An empty cell.
  CHECK(cell_examples(labels, pred, prob, 8, 9, 4, 10, &total).empty());
  CHECK(total == 0);
  // Only image 5 is a 7 read as a 9.
  CHECK(cell_examples(labels, pred, prob, 8, 7, 9, 10) == std::vector<int>{5});
}
