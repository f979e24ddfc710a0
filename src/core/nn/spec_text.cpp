#include "spec_text.h"

#include <cctype>
#include <cmath>
#include <cstdlib>
#include <vector>

namespace dl {
namespace {

constexpr float kDefaultAlpha = 0.3f;  // LayerSpec's, Keras' LeakyReLU default

// "relu" -> Act::ReLU, for every name act_name() gives, and "leaky" for LeakyReLU.
bool act_from(const std::string& w, Act* a) {
  for (Act x : {Act::Linear, Act::ReLU, Act::Softmax, Act::Sigmoid, Act::LeakyReLU})
    if (w == act_name(x)) return *a = x, true;
  if (w == "leaky") return *a = Act::LeakyReLU, true;
  return false;
}

// Decimal digits with an optional '-', within int's range.
bool whole_number(const std::string& w, int* v) {
  size_t i = !w.empty() && w[0] == '-' ? 1 : 0;
  if (w.size() == i || w.size() > 11) return false;
  for (size_t k = i; k < w.size(); ++k)
    if (!std::isdigit(static_cast<unsigned char>(w[k]))) return false;
  const long long x = std::strtoll(w.c_str(), nullptr, 10);
  if (x < -2147483647LL || x > 2147483647LL) return false;
  *v = int(x);
  return true;
}

// A finite decimal number within float's range: "0.25", "-1", "1e-4"; not "nan", "inf" or "0x1p3".
bool finite_number(const std::string& w, float* v) {
  double d = 0;
  if (!parse_decimal(w, &d) || std::fabs(d) > 3.4e38) return false;
  *v = float(d);
  return true;
}

bool looks_numeric(const std::string& w) {
  return !w.empty() && (std::isdigit(static_cast<unsigned char>(w[0])) || w[0] == '-' || w[0] == '+' || w[0] == '.');
}

std::vector<std::string> split(const std::string& s, char sep) {
  std::vector<std::string> out(1);
  for (char c : s) {
    if (c == sep) out.emplace_back();
    else out.back() += c;
  }
  return out;
}

// What each token may hold: its positional numbers (with defaults) and options.
enum Option : unsigned { kAct = 1, kL2 = 2, kAlpha = 4, kPadding = 8, kStride = 16 };
struct TokenKind {
  const char* word;
  LayerKind kind;
  Act act;             // Activation layers: the function
  int numbers;         // positional numbers it takes (the rest keep their defaults)
  float defaults[2];
  bool whole;          // its numbers are whole (units, filters, sizes) rather than rates
  unsigned options;
};
const TokenKind kTokens[] = {
    {"dense", LayerKind::Dense, Act::Linear, 1, {10, 0}, true, kAct | kL2 | kAlpha},
    {"conv", LayerKind::Conv2D, Act::Linear, 2, {8, 3}, true, kAct | kL2 | kAlpha | kPadding | kStride},
    {"pool", LayerKind::MaxPool2D, Act::Linear, 1, {2, 0}, true, kStride},
    {"flatten", LayerKind::Flatten, Act::Linear, 0, {0, 0}, true, 0},
    {"dropout", LayerKind::Dropout, Act::Linear, 1, {0.25f, 0}, false, 0},
    {"bn", LayerKind::BatchNorm, Act::Linear, 0, {0, 0}, true, 0},
    {"linear", LayerKind::Activation, Act::Linear, 0, {0, 0}, true, 0},
    {"relu", LayerKind::Activation, Act::ReLU, 0, {0, 0}, true, 0},
    {"sigmoid", LayerKind::Activation, Act::Sigmoid, 0, {0, 0}, true, 0},
    {"softmax", LayerKind::Activation, Act::Softmax, 0, {0, 0}, true, 0},
    {"leaky", LayerKind::Activation, Act::LeakyReLU, 1, {kDefaultAlpha, 0}, false, 0},
};

const char* kKnown = "try dense:64:relu, conv:8:3:relu, pool:2, flatten, dropout:0.25, bn, relu, sigmoid, leaky:0.3";

}  // namespace

std::string spec_to_text(const ModelSpec& m) {
  std::string t = m.input.flat ? "in=flat" : "";
  for (const LayerSpec& L : m.layers) {
    std::string x;
    // A fused activation, with LeakyReLU's slope where it is not the default.
    std::string act = L.act == Act::Linear ? "" : std::string(":") + act_name(L.act);
    if (L.act == Act::LeakyReLU && L.alpha != kDefaultAlpha) act += ":alpha=" + number_text(L.alpha);
    const std::string l2 = L.l2 > 0 ? ":l2=" + number_text(L.l2) : "";
    switch (L.kind) {
      case LayerKind::Dense: x = "dense:" + std::to_string(L.units) + act + l2; break;
      case LayerKind::Conv2D:
        x = "conv:" + std::to_string(L.units) + ":" + std::to_string(L.kernel) + act + (L.same ? ":same" : "") +
            (L.stride != 1 ? ":s" + std::to_string(L.stride) : "") + l2;
        break;
      case LayerKind::MaxPool2D:
        x = "pool:" + std::to_string(L.kernel) + (L.stride != 0 && L.stride != L.kernel ? ":s" + std::to_string(L.stride) : "");
        break;
      case LayerKind::Flatten: x = "flatten"; break;
      case LayerKind::Dropout: x = "dropout:" + number_text(L.rate); break;
      case LayerKind::BatchNorm: x = "bn"; break;
      case LayerKind::Activation:
        x = L.act == Act::LeakyReLU ? "leaky:" + number_text(L.alpha) : std::string(act_name(L.act));
        break;
    }
    t += (t.empty() ? "" : ",") + x;
  }
  return t;
}

Status spec_from_text(const std::string& text, ModelSpec* out) {
  ModelSpec m;
  m.name = "custom";
  bool first = true;
  for (const std::string& tok : split(text, ',')) {
    if (tok.empty()) continue;
    auto bad = [&](const std::string& why) { return Status::fail("\"" + tok + "\": " + why); };
    const std::vector<std::string> f = split(tok, ':');
    if (f[0] == "in=flat") {
      if (!first) return bad("the input comes first, before any layer");
      if (f.size() > 1) return bad("in=flat takes nothing after it");
      m.input = Shape{1, 1, 784, true};
      first = false;
      continue;
    }
    first = false;
    if (m.layers.size() == size_t(kMaxLayers))
      return Status::fail("more than " + std::to_string(kMaxLayers) + " layers; this tool builds at most " +
                          std::to_string(kMaxLayers));
    const std::string word = f[0] == "leaky_relu" ? "leaky" : f[0];  // the name act_name() gives
    const TokenKind* t = nullptr;
    for (const TokenKind& k : kTokens)
      if (word == k.word) t = &k;
    if (t == nullptr) return bad("not a layer this app knows (" + std::string(kKnown) + ")");
    LayerSpec L;
    L.kind = t->kind;
    L.act = t->act;
    // Whole numbers stay ints: a float holds 2147483647 as 2147483648, past int's range.
    float nums[2] = {t->defaults[0], t->defaults[1]};
    int ints[2] = {int(t->defaults[0]), int(t->defaults[1])};
    int given = 0;
    bool stride_given = false;
    for (size_t i = 1; i < f.size(); ++i) {
      const std::string& w = f[i];
      auto option = [&](Option o) { return (t->options & o) != 0; };
      if (looks_numeric(w)) {
        if (given == t->numbers) return bad("'" + w + "': " + t->word + " takes " + std::to_string(t->numbers) + " number(s)");
        if (t->whole ? !whole_number(w, &ints[given]) : !finite_number(w, &nums[given]))
          return bad("'" + w + "' is not " + (t->whole ? "a whole number" : "a number"));
        ++given;
      } else if (w.rfind("l2=", 0) == 0 && option(kL2)) {
        if (!finite_number(w.substr(3), &L.l2)) return bad("'" + w + "': l2 needs a number, as l2=0.001");
      } else if (w.rfind("alpha=", 0) == 0 && option(kAlpha)) {
        if (!finite_number(w.substr(6), &L.alpha)) return bad("'" + w + "': alpha needs a number, as alpha=0.3");
      } else if ((w == "same" || w == "valid") && option(kPadding)) {
        L.same = w == "same";
      } else if (w.size() > 1 && w[0] == 's' && std::isdigit(static_cast<unsigned char>(w[1])) && option(kStride)) {
        if (!whole_number(w.substr(1), &L.stride)) return bad("'" + w + "': a stride is s and a whole number, as s2");
        stride_given = true;
      } else if (Act a; option(kAct) && act_from(w, &a)) {
        L.act = a;
      } else {
        return bad("'" + w + "' is not a number or an option of " + t->word);
      }
    }
    switch (L.kind) {
      case LayerKind::Dense: L.units = ints[0]; break;
      case LayerKind::Conv2D: L.units = ints[0]; L.kernel = ints[1]; break;
      case LayerKind::MaxPool2D:  // strides as large as the pool unless given, as Keras' MaxPooling2D
        L.kernel = ints[0];
        if (!stride_given) L.stride = L.kernel;
        break;
      case LayerKind::Dropout: L.rate = nums[0]; break;
      case LayerKind::Activation: if (L.act == Act::LeakyReLU) L.alpha = nums[0]; break;
      case LayerKind::Flatten:
      case LayerKind::BatchNorm: break;
    }
    m.layers.push_back(L);
  }
  *out = std::move(m);
  return {};
}

}  // namespace dl
