#include "model.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <map>

#include "layers.h"

namespace dl {

LayerSpec dense(int units, Act act, float l2) {
  LayerSpec s; s.kind = LayerKind::Dense; s.units = units; s.act = act; s.l2 = l2; return s;
}
LayerSpec conv2d(int filters, int kernel, Act act, bool same, int stride, float l2) {
  LayerSpec s; s.kind = LayerKind::Conv2D; s.units = filters; s.kernel = kernel; s.act = act; s.same = same;
  s.stride = stride; s.l2 = l2; return s;
}
LayerSpec maxpool2d(int pool) { LayerSpec s; s.kind = LayerKind::MaxPool2D; s.kernel = pool; s.stride = pool; return s; }
LayerSpec flatten() { LayerSpec s; s.kind = LayerKind::Flatten; return s; }
LayerSpec dropout(float rate) { LayerSpec s; s.kind = LayerKind::Dropout; s.rate = rate; return s; }
LayerSpec batchnorm() { LayerSpec s; s.kind = LayerKind::BatchNorm; return s; }
LayerSpec activation(Act act, float alpha) { LayerSpec s; s.kind = LayerKind::Activation; s.act = act; s.alpha = alpha; return s; }

const char* act_name(Act a) {
  switch (a) {
    case Act::Linear: return "linear";
    case Act::ReLU: return "relu";
    case Act::Softmax: return "softmax";
    case Act::Sigmoid: return "sigmoid";
    case Act::LeakyReLU: return "leaky_relu";
  }
  return "?";
}

const char* layer_kind_name(LayerKind k) {
  switch (k) {
    case LayerKind::Dense: return "Dense";
    case LayerKind::Conv2D: return "Conv2D";
    case LayerKind::MaxPool2D: return "MaxPooling2D";
    case LayerKind::Flatten: return "Flatten";
    case LayerKind::Dropout: return "Dropout";
    case LayerKind::BatchNorm: return "BatchNormalization";
    case LayerKind::Activation: return "Activation";
  }
  return "?";
}

std::string Shape::str() const {
  if (flat) return "(None, " + std::to_string(size()) + ")";
  return "(None, " + std::to_string(h) + ", " + std::to_string(w) + ", " + std::to_string(c) + ")";
}

namespace {

// Keras' snake_case layer names: "dense", "dense_1", "max_pooling2d", "leaky_re_lu", ...
std::string keras_base_name(const LayerSpec& s) {
  switch (s.kind) {
    case LayerKind::Dense: return "dense";
    case LayerKind::Conv2D: return "conv2d";
    case LayerKind::MaxPool2D: return "max_pooling2d";
    case LayerKind::Flatten: return "flatten";
    case LayerKind::Dropout: return "dropout";
    case LayerKind::BatchNorm: return "batch_normalization";
    case LayerKind::Activation:
      return s.act == Act::LeakyReLU ? "leaky_re_lu" : s.act == Act::ReLU ? "re_lu" : "activation";
  }
  return "layer";
}
std::string keras_type_name(const LayerSpec& s) {
  if (s.kind == LayerKind::Activation) return s.act == Act::LeakyReLU ? "LeakyReLU" : s.act == Act::ReLU ? "ReLU" : "Activation";
  return layer_kind_name(s.kind);
}

}  // namespace

// A buffer of at least n elements whose old contents are not needed: the old one goes first, and the
// new one has exactly n (resize's doubling would keep up to twice what a larger batch needs).
template <class T>
static void grow(std::vector<T>& v, size_t n) {
  if (v.size() >= n) return;
  std::vector<T>().swap(v);
  v.resize(n);
}

Status Model::build(const ModelSpec& spec, bool with_arenas) {
  if (spec.layers.empty()) return Status::fail("the model has no layers; add at least a Dense(10, softmax) output");
  if (spec.input.size() <= 0) return Status::fail("the input shape is empty");
  std::vector<Layer> layers;
  std::map<std::string, int> seen;
  Shape cur = spec.input;
  size_t np = 0, ns = 0;
  for (size_t i = 0; i < spec.layers.size(); ++i) {
    const LayerSpec& s = spec.layers[i];
    Layer L;
    L.spec = s;
    L.in = cur;
    std::string base = keras_base_name(s);
    int k = seen[base]++;
    L.name = k == 0 ? base : base + "_" + std::to_string(k);
    std::string where = "layer " + std::to_string(i + 1) + " (" + keras_type_name(s) + ")";
    Shape out = cur;
    switch (s.kind) {
      case LayerKind::Dense: {
        if (s.units < 1 || s.units > 65536) return Status::fail(where + ": units must be 1..65536");
        if (!cur.flat) return Status::fail(where + ": needs a flat input; put a Flatten layer before it");
        out = Shape{1, 1, s.units, true};
        L.w_off = np; L.w_len = size_t(cur.size()) * s.units; np += L.w_len;
        L.b_off = np; L.b_len = size_t(s.units); np += L.b_len;
        break;
      }
      case LayerKind::Conv2D: {
        if (cur.flat) return Status::fail(where + ": needs an image input (height, width, channels), not a flat vector");
        if (s.units < 1 || s.units > 4096) return Status::fail(where + ": filters must be 1..4096");
        if (s.kernel < 1) return Status::fail(where + ": kernel size must be at least 1");
        if (s.stride < 1) return Status::fail(where + ": stride must be at least 1");
        int oh, ow;
        if (s.same) {
          oh = (cur.h + s.stride - 1) / s.stride;
          ow = (cur.w + s.stride - 1) / s.stride;
        } else {
          if (s.kernel > cur.h || s.kernel > cur.w)
            return Status::fail(where + ": a " + std::to_string(s.kernel) + "x" + std::to_string(s.kernel) +
                                " kernel does not fit in its " + std::to_string(cur.h) + "x" + std::to_string(cur.w) +
                                " input; use a smaller kernel, 'same' padding, or fewer pooling layers before it");
          oh = (cur.h - s.kernel) / s.stride + 1;
          ow = (cur.w - s.kernel) / s.stride + 1;
        }
        out = Shape{oh, ow, s.units, false};
        L.w_off = np; L.w_len = size_t(s.kernel) * s.kernel * cur.c * s.units; np += L.w_len;
        L.b_off = np; L.b_len = size_t(s.units); np += L.b_len;
        break;
      }
      case LayerKind::MaxPool2D: {
        if (cur.flat) return Status::fail(where + ": needs an image input, not a flat vector");
        int K = s.kernel, S = s.stride ? s.stride : s.kernel;
        if (K < 1 || S < 1) return Status::fail(where + ": pool size must be at least 1");
        if (K > cur.h || K > cur.w)
          return Status::fail(where + ": a " + std::to_string(K) + "x" + std::to_string(K) + " pool does not fit in its " +
                              std::to_string(cur.h) + "x" + std::to_string(cur.w) + " input");
        out = Shape{(cur.h - K) / S + 1, (cur.w - K) / S + 1, cur.c, false};
        L.spec.stride = S;
        break;
      }
      case LayerKind::Flatten: out = Shape{1, 1, cur.size(), true}; break;
      case LayerKind::Dropout:
        if (!(s.rate >= 0 && s.rate < 1)) return Status::fail(where + ": the rate must be at least 0 and below 1");
        break;
      case LayerKind::BatchNorm:
        L.w_off = np; L.w_len = size_t(cur.c); np += L.w_len;  // gamma
        L.b_off = np; L.b_len = size_t(cur.c); np += L.b_len;  // beta
        L.s_off = ns; L.s_len = 2 * size_t(cur.c); ns += L.s_len;
        break;
      case LayerKind::Activation:
        if (s.act == Act::Softmax) return Status::fail(where + ": softmax is only supported as the output activation");
        break;
    }
    if (s.act == Act::Softmax && i + 1 != spec.layers.size())
      return Status::fail(where + ": softmax is only supported on the last layer");
    if (size_t(out.size()) > (size_t(1) << 24)) return Status::fail(where + ": the output is too large");
    L.out = out;
    cur = out;
    layers.push_back(std::move(L));
  }
  const LayerSpec& last = spec.layers.back();
  if (last.kind != LayerKind::Dense || (last.act != Act::Softmax && last.act != Act::Linear))
    return Status::fail("the last layer must be Dense with softmax (or linear) activation, one unit per class");
  if (cur.size() < 2 || cur.size() > 1000) return Status::fail("the last layer must have 2..1000 units, one per class");
  if (np > (size_t(1) << 27)) return Status::fail("the model has " + with_commas((long long)np) +
                                                  " parameters, too many for this tool (limit 134 million)");
  spec_ = spec;
  layers_ = std::move(layers);
  n_params_ = np;
  n_state_ = ns;
  params.assign(with_arenas ? np : 0, 0.0f);
  std::vector<float>().swap(grads);
  state.assign(with_arenas ? ns : 0, 0.0f);
  // Activation buffers of a previous network go too (a rebuilt model starts empty).
  std::vector<float>().swap(d0_);
  std::vector<float>().swap(d1_);
  std::vector<float>().swap(scratch_);
  B_ = 0;
  scratch_layer_ = -1;
  return {};
}

void Model::init(uint64_t seed) {
  Rng rng(seed, 0x1417);
  std::fill(params.begin(), params.end(), 0.0f);
  for (Layer& L : layers_) {
    const LayerSpec& s = L.spec;
    if (s.kind == LayerKind::Dense || s.kind == LayerKind::Conv2D) {
      int ks2 = s.kind == LayerKind::Conv2D ? s.kernel * s.kernel : 1;
      float fan_in = float(ks2 * (s.kind == LayerKind::Dense ? L.in.size() : L.in.c));
      float fan_out = float(ks2 * s.units);
      float limit = std::sqrt(6.0f / (fan_in + fan_out));
      for (size_t i = 0; i < L.w_len; ++i) params[L.w_off + i] = rng.uniform(-limit, limit);
    } else if (s.kind == LayerKind::BatchNorm) {
      std::fill_n(params.begin() + L.w_off, L.w_len, 1.0f);                  // gamma
      std::fill_n(state.begin() + L.s_off, L.s_len / 2, 0.0f);               // moving mean
      std::fill_n(state.begin() + L.s_off + L.s_len / 2, L.s_len / 2, 1.0f);  // moving variance
    }
  }
}

const float* Model::forward(const float* x, int B, bool training, Rng* rng) {
  DL_ASSERT(built() && B > 0 && params.size() == n_params_ && state.size() == n_state_);
  DL_ASSERT(!training || rng || std::none_of(layers_.begin(), layers_.end(), [](const Layer& L) {
              return L.spec.kind == LayerKind::Dropout && L.spec.rate > 0;
            }));
  x_ = x;
  B_ = B;
  const float* inp = x;
  for (Layer& L : layers_) {
    const LayerSpec& s = L.spec;
    size_t n_out = size_t(B) * L.out.size();
    grow(L.y, n_out);
    float* y = L.y.data();
    const float* w = params.data() + L.w_off;
    const float* b = params.data() + L.b_off;
    switch (s.kind) {
      case LayerKind::Dense:
        dense_forward(y, inp, w, b, B, L.in.size(), s.units);
        break;
      case LayerKind::Conv2D: {
        int P = s.same ? ((L.out.h - 1) * s.stride + s.kernel - L.in.h) / 2 : 0;
        const size_t need = size_t(B) * im2col_floats(L);
        // The layer's own buffer when keeping patches (in evaluation only if it is large enough:
        // an evaluation batch may be larger than the training batch).
        float* patches;
        int chunk = B;
        if (keep_patches_ && (training || L.patches.size() >= need)) {
          grow(L.patches, need);
          patches = L.patches.data();
        } else {
          chunk = patch_chunk(L, B);
          grow(scratch_, size_t(chunk) * im2col_floats(L));
          patches = scratch_.data();
          scratch_layer_ = chunk == B ? int(&L - layers_.data()) : -1;
        }
        conv2d_forward(y, patches, inp, w, b, B, L.in.h, L.in.w, L.in.c, s.units, s.kernel, s.stride, P, L.out.h,
                       L.out.w, chunk);
        break;
      }
      case LayerKind::MaxPool2D:
        grow(L.argmax, n_out);
        maxpool_forward(y, L.argmax.data(), inp, B, L.in.h, L.in.w, L.in.c, s.kernel,
                        s.stride, L.out.h, L.out.w);
        break;
      case LayerKind::Flatten:
        std::memcpy(y, inp, n_out * sizeof(float));
        break;
      case LayerKind::Dropout:
        if (training && s.rate > 0) {
          grow(L.saved, n_out);
          dropout_forward(y, L.saved.data(), inp, n_out, s.rate, rng);
        } else {
          std::memcpy(y, inp, n_out * sizeof(float));
        }
        break;
      case LayerKind::BatchNorm: {
        int C = L.in.c, N = int(n_out / C);
        float* mean = state.data() + L.s_off;
        float* var = mean + C;
        if (training) {
          grow(L.saved, n_out + C);
          batchnorm_forward_train(y, L.saved.data(), L.saved.data() + n_out, mean, var, inp, w, b, N, C,
                                  kBatchNormMomentum, kBatchNormEps);
        } else {
          batchnorm_forward_eval(y, inp, w, b, mean, var, N, C, kBatchNormEps);
        }
        break;
      }
      case LayerKind::Activation:
        act_forward(y, inp, n_out, int(s.act), s.alpha);
        break;
    }
    if (s.kind == LayerKind::Dense || s.kind == LayerKind::Conv2D) {
      if (s.act == Act::Softmax || (&L == &layers_.back() && s.act == Act::Linear))
        softmax_forward(y, y, B, L.out.size());  // the output is always probabilities
      else
        act_forward(y, y, n_out, int(s.act), s.alpha);
    }
    inp = y;
  }
  return layers_.back().y.data();
}

int patch_chunk(const Layer& L, int B) {
  const int row = L.spec.kernel * L.spec.kernel * L.in.c;
  return conv_chunk(B, L.out.h * L.out.w, row, kPatchChunkBytes / sizeof(float));
}

bool same_weight_layout(const Model& a, const Model& b) {
  if (!a.built() || !b.built() || a.layers().size() != b.layers().size()) return false;
  if (a.trainable_params() != b.trainable_params() || a.non_trainable_params() != b.non_trainable_params()) return false;
  auto same = [](const Shape& x, const Shape& y) { return x.h == y.h && x.w == y.w && x.c == y.c && x.flat == y.flat; };
  for (size_t i = 0; i < a.layers().size(); ++i) {
    const Layer &x = a.layers()[i], &y = b.layers()[i];
    if (x.spec.kind != y.spec.kind || !same(x.in, y.in) || !same(x.out, y.out) || x.w_off != y.w_off ||
        x.w_len != y.w_len || x.b_off != y.b_off || x.b_len != y.b_len || x.s_off != y.s_off || x.s_len != y.s_len)
      return false;
  }
  return true;
}

void Model::keep_patches(bool on) {
  keep_patches_ = on;
  if (!on)
    for (Layer& L : layers_) std::vector<float>().swap(L.patches);
}

float Model::backward(const int* y, const float* class_weights) {
  DL_ASSERT(built() && B_ > 0);
  const int B = B_;
  size_t max_act = size_t(input_size());
  for (const Layer& L : layers_) max_act = std::max(max_act, size_t(L.out.size()));
  grow(d0_, max_act * B);
  grow(d1_, max_act * B);
  grads.assign(params.size(), 0.0f);
  float* dout = d0_.data();
  float* dinp = d1_.data();
  const Layer& last = layers_.back();
  float loss = softmax_xent_backward(dout, last.y.data(), y, class_weights, B, last.out.size());
  for (int li = int(layers_.size()) - 1; li >= 0; --li) {
    Layer& L = layers_[li];
    const LayerSpec& s = L.spec;
    const float* inp = li == 0 ? x_ : layers_[li - 1].y.data();
    float* dx = li == 0 ? nullptr : dinp;  // no gradient needed for the data
    size_t n_out = size_t(B) * L.out.size(), n_in = size_t(B) * L.in.size();
    const float* w = params.data() + L.w_off;
    float* dw = grads.data() + L.w_off;
    float* db = grads.data() + L.b_off;
    // Fused activation first (the output layer's softmax is already folded into the loss gradient).
    if ((s.kind == LayerKind::Dense || s.kind == LayerKind::Conv2D) && li + 1 != int(layers_.size()))
      act_backward(dout, dout, L.y.data(), n_out, int(s.act), s.alpha);
    switch (s.kind) {
      case LayerKind::Dense:
        dense_backward(dx, dw, db, dout, inp, w, B, L.in.size(), s.units);
        break;
      case LayerKind::Conv2D: {
        int P = s.same ? ((L.out.h - 1) * s.stride + s.kernel - L.in.h) / 2 : 0;
        // Kept patches are ready; otherwise the last Conv2D of the forward pass, the first one here,
        // still has its patches in scratch_, and the others are recomputed.
        const bool kept = keep_patches_ && L.patches.size() >= size_t(B) * im2col_floats(L);
        const int chunk = kept ? B : patch_chunk(L, B);
        DL_ASSERT(kept || scratch_.size() >= size_t(chunk) * im2col_floats(L));  // the forward pass grew it
        conv2d_backward(dx, dw, db, kept ? L.patches.data() : scratch_.data(), dout, inp, w, B, L.in.h, L.in.w,
                        L.in.c, s.units, s.kernel, s.stride, P, L.out.h, L.out.w, kept || scratch_layer_ == li, chunk);
        if (!kept) scratch_layer_ = -1;  // backward overwrote them
        break;
      }
      case LayerKind::MaxPool2D:
        if (dx) maxpool_backward(dx, dout, L.argmax.data(), B, L.in.h, L.in.w,
                                 L.in.c, L.out.h, L.out.w);
        break;
      case LayerKind::Flatten:
        if (dx) std::memcpy(dx, dout, n_in * sizeof(float));
        break;
      case LayerKind::Dropout:
        if (dx) {
          if (s.rate > 0) dropout_backward(dx, dout, L.saved.data(), n_out);
          else std::memcpy(dx, dout, n_out * sizeof(float));
        }
        break;
      case LayerKind::BatchNorm: {
        int C = L.in.c, N = int(n_out / C);
        std::vector<float> tmp;
        float* target = dx;
        if (!dx) { tmp.resize(n_out); target = tmp.data(); }
        batchnorm_backward(target, dw, db, dout, L.saved.data(), L.saved.data() + n_out, w, N, C);
        break;
      }
      case LayerKind::Activation:
        if (dx) act_backward(dx, dout, L.y.data(), n_out, int(s.act), s.alpha);
        break;
    }
    if (s.l2 > 0)
      for (size_t i = 0; i < L.w_len; ++i) dw[i] += 2.0f * s.l2 * params[L.w_off + i];
    std::swap(dout, dinp);
  }
  return loss;
}

float Model::l2_loss() const {
  double s = 0;
  for (const Layer& L : layers_) {
    if (L.spec.l2 <= 0) continue;
    double t = 0;
    for (size_t i = 0; i < L.w_len; ++i) t += double(params[L.w_off + i]) * params[L.w_off + i];
    s += L.spec.l2 * t;
  }
  return float(s);
}

std::vector<SummaryRow> Model::summary() const {
  std::vector<SummaryRow> rows;
  for (const Layer& L : layers_)
    rows.push_back({L.name, keras_type_name(L.spec), L.out.str(), L.w_len + L.b_len + L.s_len});
  return rows;
}

std::string Model::summary_text() const {
  auto pad = [](std::string s, size_t w) { if (s.size() < w) s.resize(w, ' '); return s; };
  std::string rule(65, '_'), dbl(65, '=');
  std::string t = "Model: \"" + (spec_.name.empty() ? std::string("sequential") : spec_.name) + "\"\n" + rule + "\n";
  t += pad(" Layer (type)", 29) + pad("Output Shape", 26) + "Param #\n" + dbl + "\n";
  auto rows = summary();
  for (size_t i = 0; i < rows.size(); ++i) {
    t += pad(" " + rows[i].layer + " (" + rows[i].type + ")", 29) + pad(rows[i].shape, 26) + std::to_string(rows[i].params) + "\n";
    t += i + 1 < rows.size() ? "\n" : "";
  }
  t += dbl + "\n";
  t += "Total params: " + with_commas((long long)(n_params_ + n_state_)) + "\n";
  t += "Trainable params: " + with_commas((long long)n_params_) + "\n";
  t += "Non-trainable params: " + with_commas((long long)n_state_) + "\n" + rule + "\n";
  return t;
}

}  // namespace dl
