// Classification metrics as scikit-learn's confusion_matrix and classification_report define them:
// the confusion matrix has rows = true label, columns = predicted label; precision, recall and F1
// are 0 where their denominator is 0 (sklearn's zero_division default, without the warning).
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "../common.h"

namespace dl {

struct Confusion {
  int k = 10;
  std::vector<int64_t> m;  // (k, k): m[true * k + predicted]
  explicit Confusion(int classes = 10) : k(classes), m(size_t(classes) * classes, 0) {}
  void add(int truth, int predicted) {
    DL_ASSERT(truth >= 0 && truth < k && predicted >= 0 && predicted < k);
    m[size_t(truth) * k + predicted] += 1;
  }
  int64_t at(int truth, int predicted) const { return m[size_t(truth) * k + predicted]; }
  int64_t total() const;
};

struct ClassScores {
  double precision = 0, recall = 0, f1 = 0;
  int64_t support = 0;
};

struct Report {
  std::vector<ClassScores> classes;
  double accuracy = 0;
  ClassScores macro, weighted;  // support = total
};

Report report_from_confusion(const Confusion& c);
// The text sklearn's classification_report(digits=4) prints. names: k labels, or empty for 0..k-1.
std::string report_text(const Report& r, const std::vector<std::string>& names = {});
// The confusion matrix as an aligned table with labelled axes.
std::string confusion_text(const Confusion& c);

// The images behind one cell of the confusion matrix (true class `truth`, predicted class
// `predicted`), the most telling first: in a cell of mistakes, those the model was surest about; on
// the diagonal, those it was least sure about (ties: lower index first). labels[i], pred[i]: image
// i's true and predicted class; prob[i]: the probability the model gave its prediction. At most
// `max_count` indices; *total (if given) gets how many images the cell holds.
std::vector<int> cell_examples(const uint8_t* labels, const uint8_t* pred, const float* prob, int n, int truth,
                               int predicted, int max_count, int* total = nullptr);

}  // namespace dl
