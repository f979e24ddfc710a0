#include "run_meta.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <cstdlib>

namespace app {
namespace {

std::string escape(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == '%' || c == '|' || c == ';' || c == ',' || c == '\n' || c == '\r' || c == '\t') {
      char b[4];
      std::snprintf(b, sizeof b, "%%%02X", unsigned(uint8_t(c)));
      out += b;
    } else {
      out += c;
    }
  }
  return out;
}

bool unescape(const std::string& s, std::string* out) {
  out->clear();
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '%') { *out += s[i]; continue; }
    if (i + 2 >= s.size() || !std::isxdigit(uint8_t(s[i + 1])) || !std::isxdigit(uint8_t(s[i + 2]))) return false;
    *out += char(std::strtol(s.substr(i + 1, 2).c_str(), nullptr, 16));
    i += 2;
  }
  return true;
}

std::vector<std::string> split(const std::string& s, char sep) {
  std::vector<std::string> parts;
  size_t start = 0;
  for (;;) {
    const size_t k = s.find(sep, start);
    parts.push_back(s.substr(start, k == std::string::npos ? std::string::npos : k - start));
    if (k == std::string::npos) return parts;
    start = k + 1;
  }
}

std::string num(double v) {
  char b[32];
  std::snprintf(b, sizeof b, "%.6g", v);
  return b;
}

bool read_num(const std::string& s, double lo, double hi, double* out) {
  if (s.empty()) return false;
  char* end = nullptr;
  const double v = std::strtod(s.c_str(), &end);
  if (end != s.c_str() + s.size() || !std::isfinite(v) || v < lo || v > hi) return false;
  *out = v;
  return true;
}
bool read_int(const std::string& s, int lo, int hi, int* out) {
  double v;
  if (!read_num(s, lo, hi, &v) || v != std::floor(v)) return false;
  *out = int(v);
  return true;
}

}  // namespace

std::string run_meta_write(const Autosave& a, const std::string& lesson) {
  const int n = int(a.batches.size());
  const int group = std::max(1, (n + kMetaBatchPoints - 1) / kMetaBatchPoints);
  std::string out = "dlrun2|" + escape(a.model_name) + "|" + escape(lesson) + "|" + std::to_string(int(a.phase)) + "|" +
                    (a.paused ? "1" : "0") + "|" + std::to_string(a.epochs_done) + "|" + std::to_string(a.epochs) + "|" +
                    std::to_string(a.batches_per_epoch) + "|" + num(a.test_accuracy) + "|" + std::to_string(group) + "|";
  for (size_t i = 0; i < a.history.size(); ++i) {
    const dl::EpochRecord& e = a.history[i];
    out += (i ? ";" : "") + num(e.loss) + "," + num(e.accuracy) + "," + num(e.val_loss) + "," + num(e.val_accuracy) + "," +
           (e.has_val ? "1" : "0") + "," + num(e.lr);
  }
  out += "|";
  for (int i0 = 0; i0 < n; i0 += group) {
    const int i1 = std::min(n, i0 + group);
    double loss = 0, acc = 0;
    for (int i = i0; i < i1; ++i) loss += a.batches[size_t(i)].loss, acc += a.batches[size_t(i)].accuracy;
    out += (i0 ? ";" : "") + num(loss / (i1 - i0)) + "," + num(acc / (i1 - i0)) + "," + num(a.batches[size_t(i1 - 1)].lr);
  }
  out += "|";
  if (a.confusion.total() > 0)
    for (size_t i = 0; i < a.confusion.m.size(); ++i) out += (i ? "," : "") + std::to_string(a.confusion.m[i]);
  return out + "|end";
}

bool run_meta_read(const std::string& line, SavedRun* out) {
  if (line.size() > kMaxMetaBytes) return false;
  const std::vector<std::string> f = split(line, '|');
  // "end": a cut line is refused. dlrun1 lines have no confusion field.
  const bool v2 = f.size() == 14 && f[0] == "dlrun2";
  if (!v2 && (f.size() != 13 || f[0] != "dlrun1")) return false;
  if (f.back() != "end") return false;
  SavedRun r;
  int phase = 0, paused = 0;
  if (!unescape(f[1], &r.model_name) || !unescape(f[2], &r.lesson) ||
      !read_int(f[3], int(dl::TrainPhase::Running), int(dl::TrainPhase::Diverged), &phase) ||
      !read_int(f[4], 0, 1, &paused) || !read_int(f[5], 0, 10000, &r.epochs_done) ||
      !read_int(f[6], 1, 10000, &r.epochs) || !read_int(f[7], 1, 1 << 30, &r.batches_per_epoch) ||
      !read_num(f[8], -1, 1, &r.test_accuracy) || !read_int(f[9], 1, 1 << 30, &r.group))
    return false;
  r.phase = dl::TrainPhase(phase);
  r.paused = paused == 1;
  if (!f[10].empty()) {
    for (const std::string& e : split(f[10], ';')) {
      const std::vector<std::string> v = split(e, ',');
      dl::EpochRecord rec;
      int has_val = 0;
      if (v.size() != 6 || !read_num(v[0], 0, 1e30, &rec.loss) || !read_num(v[1], 0, 1, &rec.accuracy) ||
          !read_num(v[2], 0, 1e30, &rec.val_loss) || !read_num(v[3], 0, 1, &rec.val_accuracy) ||
          !read_int(v[4], 0, 1, &has_val) || !read_num(v[5], 0, 1e30, &rec.lr))
        return false;
      rec.has_val = has_val == 1;
      rec.epoch = int(r.history.size()) + 1;
      r.history.push_back(rec);
    }
  }
  if (int(r.history.size()) != r.epochs_done) return false;
  if (!f[11].empty()) {
    for (const std::string& b : split(f[11], ';')) {
      const std::vector<std::string> v = split(b, ',');
      double loss, acc, lr;
      if (v.size() != 3 || !read_num(v[0], 0, 1e30, &loss) || !read_num(v[1], 0, 1, &acc) || !read_num(v[2], 0, 1e30, &lr))
        return false;
      r.batches.push_back({float(loss), float(acc), float(lr)});
    }
  }
  if (r.batches.size() > size_t(kMetaBatchPoints)) return false;
  if (v2 && !f[12].empty()) {
    const std::vector<std::string> v = split(f[12], ',');
    if (v.size() != size_t(dl::kNumClasses) * dl::kNumClasses) return false;
    dl::Confusion c(dl::kNumClasses);
    for (size_t i = 0; i < v.size(); ++i) {
      double n;
      if (!read_num(v[i], 0, 1e9, &n) || n != std::floor(n)) return false;
      c.m[i] = int64_t(n);
    }
    if (c.total() == 0) return false;
    r.confusion = std::move(c);
  }
  r.id = out->id;
  r.updated_ms = out->updated_ms;
  r.bytes = out->bytes;
  *out = std::move(r);
  return true;
}

std::vector<SavedRun> run_list_read(const std::string& text) {
  std::vector<SavedRun> runs;
  for (const std::string& line : split(text, '\n')) {
    const std::vector<std::string> f = split(line, '\t');
    if (f.size() != 4 || f[0].empty() || f[0].size() > 64) continue;
    SavedRun r;
    r.id = f[0];
    if (!read_num(f[1], 0, 1e15, &r.updated_ms) || !read_num(f[2], 0, 1e12, &r.bytes) || !run_meta_read(f[3], &r)) continue;
    runs.push_back(std::move(r));
  }
  std::sort(runs.begin(), runs.end(), [](const SavedRun& a, const SavedRun& b) { return a.updated_ms > b.updated_ms; });
  return runs;
}

PreviousRun run_as_previous(const SavedRun& r) {
  PreviousRun p;
  p.run = ~0ull;  // not a run of this page's trainer
  p.history = r.history;
  for (const dl::BatchRecord& b : r.batches) p.batches.insert(p.batches.end(), size_t(r.group), b);
  p.batches_per_epoch = r.batches_per_epoch;
  p.model_name = r.model_name;
  p.test_accuracy = r.test_accuracy;
  p.confusion = r.confusion;
  return p;
}

}  // namespace app
