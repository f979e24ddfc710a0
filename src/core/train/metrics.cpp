#include "metrics.h"

#include <algorithm>
#include <cstdio>

namespace dl {

int64_t Confusion::total() const {
  int64_t t = 0;
  for (int64_t v : m) t += v;
  return t;
}

Report report_from_confusion(const Confusion& c) {
  Report r;
  const int k = c.k;
  int64_t total = c.total(), correct = 0;
  r.classes.resize(k);
  for (int i = 0; i < k; ++i) {
    int64_t tp = c.at(i, i), pred = 0, truth = 0;
    for (int j = 0; j < k; ++j) { pred += c.at(j, i); truth += c.at(i, j); }
    correct += tp;
    ClassScores& s = r.classes[i];
    s.precision = pred ? double(tp) / pred : 0.0;
    s.recall = truth ? double(tp) / truth : 0.0;
    s.f1 = s.precision + s.recall > 0 ? 2 * s.precision * s.recall / (s.precision + s.recall) : 0.0;
    s.support = truth;
  }
  r.accuracy = total ? double(correct) / total : 0.0;
  for (const ClassScores& s : r.classes) {
    r.macro.precision += s.precision / k;
    r.macro.recall += s.recall / k;
    r.macro.f1 += s.f1 / k;
    if (total) {
      double w = double(s.support) / total;
      r.weighted.precision += s.precision * w;
      r.weighted.recall += s.recall * w;
      r.weighted.f1 += s.f1 * w;
    }
  }
  r.macro.support = r.weighted.support = total;
  return r;
}

std::string report_text(const Report& r, const std::vector<std::string>& names) {
  size_t width = 12;
  for (const auto& n : names) width = std::max(width, n.size());
  char buf[256];
  std::string t;
  auto name = [&](size_t i) { return i < names.size() ? names[i] : std::to_string(i); };
  snprintf(buf, sizeof buf, "%*s %9s %9s %9s %9s\n\n", int(width), "", "precision", "recall", "f1-score", "support");
  t += buf;
  for (size_t i = 0; i < r.classes.size(); ++i) {
    const ClassScores& s = r.classes[i];
    snprintf(buf, sizeof buf, "%*s %9.4f %9.4f %9.4f %9lld\n", int(width), name(i).c_str(), s.precision, s.recall,
             s.f1, (long long)s.support);
    t += buf;
  }
  snprintf(buf, sizeof buf, "\n%*s %9s %9s %9.4f %9lld\n", int(width), "accuracy", "", "", r.accuracy,
           (long long)r.macro.support);
  t += buf;
  for (auto [label, s] : {std::pair<const char*, const ClassScores*>{"macro avg", &r.macro}, {"weighted avg", &r.weighted}}) {
    snprintf(buf, sizeof buf, "%*s %9.4f %9.4f %9.4f %9lld\n", int(width), label, s->precision, s->recall, s->f1,
             (long long)s->support);
    t += buf;
  }
  return t;
}

std::string confusion_text(const Confusion& c) {
  char buf[64];
  std::string t = "confusion matrix (rows: true label, columns: predicted)\n      ";
  for (int j = 0; j < c.k; ++j) { snprintf(buf, sizeof buf, "%6d", j); t += buf; }
  t += "\n";
  for (int i = 0; i < c.k; ++i) {
    snprintf(buf, sizeof buf, "%6d", i);
    t += buf;
    for (int j = 0; j < c.k; ++j) { snprintf(buf, sizeof buf, "%6lld", (long long)c.at(i, j)); t += buf; }
    t += "\n";
  }
  return t;
}

std::vector<int> cell_examples(const uint8_t* labels, const uint8_t* pred, const float* prob, int n, int truth,
                               int predicted, int max_count, int* total) {
  std::vector<int> idx;
  for (int i = 0; i < n; ++i)
    if (labels[i] == truth && pred[i] == predicted) idx.push_back(i);
  if (total) *total = int(idx.size());
  const bool mistakes = truth != predicted;
  std::stable_sort(idx.begin(), idx.end(), [&](int a, int b) { return mistakes ? prob[a] > prob[b] : prob[a] < prob[b]; });
  if (int(idx.size()) > max_count) idx.resize(size_t(std::max(0, max_count)));
  return idx;
}

}  // namespace dl
