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
bool operator==(const LayerSpec& a, const LayerSpec& b) {
  return a.kind == b.kind && a.act == b.act && a.units == b.units && a.kernel == b.kernel && a.stride == b.stride &&
         a.same == b.same && a.rate == b.rate && a.l2 == b.l2 && a.alpha == b.alpha;
}
bool operator==(const Shape& a, const Shape& b) { return a.h == b.h && a.w == b.w && a.c == b.c && a.flat == b.flat; }
bool operator==(const ModelSpec& a, const ModelSpec& b) {
  return a.name == b.name && a.input == b.input && a.layers == b.layers;
}

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

namespace {
std::string side_text(int h, int w) { return std::to_string(h) + "x" + std::to_string(w); }

// The layer count and the input shape, before any layer is looked at.
Status check_layer_count_and_input(const ModelSpec& spec) {
  if (spec.layers.empty()) return Status::fail("the model has no layers; add at least a Dense(10, softmax) output");
  if (spec.layers.size() > size_t(kMaxLayers))
    return Status::fail("the model has " + with_commas((long long)spec.layers.size()) + " layers; this tool builds at most " +
                        std::to_string(kMaxLayers));
  const Shape& in = spec.input;
  const bool in_ok = in.flat ? in.h == 1 && in.w == 1 && in.c >= 1
                             : in.h >= 1 && in.w >= 1 && in.c >= 1 && in.h <= kMaxInputSide && in.w <= kMaxInputSide &&
                                   in.c <= kMaxInputChannels;
  if (!in_ok || !in.count().within(kMaxImageFloats))
    return Status::fail("the input shape (" + std::to_string(in.h) + ", " + std::to_string(in.w) + ", " + std::to_string(in.c) +
                        ") is not possible: each side 1.." + std::to_string(kMaxInputSide) + ", channels 1.." +
                        std::to_string(kMaxInputChannels) + ", at most " + with_commas((long long)kMaxImageFloats) +
                        " values an image");
  return {};
}

// The float fields, whatever the layer's kind: a file or a link can hold anything, NaN included.
// The error is the reason alone; the caller says which layer.
Status check_float_fields(const LayerSpec& s) {
  if (!(s.rate >= 0 && s.rate < 1)) return Status::fail("the dropout rate must be at least 0 and below 1");
  if (!(s.l2 >= 0 && s.l2 <= 1)) return Status::fail("the L2 factor must be 0..1 (0.0001 to 0.01 is usual)");
  if (!(s.alpha >= 0 && s.alpha <= 1))
    return Status::fail("LeakyReLU's slope (alpha) must be 0..1 (Keras' default is 0.3)");
  return {};
}

// What a layer makes of its input: its output shape, and the values of its kernel, bias and state.
struct LayerCounts {
  Shape out;
  Size weights, biases, state;
};

// Checks the fields of layer L's kind against its input L.in and counts what it holds into *c; a
// Conv2D's im2col patches raise *largest_patches, and a MaxPool2D's stride 0 becomes its pool size.
// The error is the reason alone; the caller says which layer.
Status count_layer(Layer& L, LayerCounts* c, Size* largest_patches) {
  const LayerSpec& s = L.spec;
  const Shape& cur = L.in;
  const int side = std::min(cur.h, cur.w);  // of an image input: layers never grow it past the input's
  c->out = cur;
  switch (s.kind) {
    case LayerKind::Dense: {
      if (s.units < 1 || s.units > kMaxUnits) return Status::fail("units must be 1.." + with_commas(kMaxUnits));
      if (!cur.flat) return Status::fail("needs a flat input; put a Flatten layer before it");
      c->out = Shape{1, 1, s.units, true};
      c->weights = Size(cur.size()) * s.units;
      c->biases = s.units;
      break;
    }
    case LayerKind::Conv2D: {
      if (cur.flat) return Status::fail("needs an image input (height, width, channels), not a flat vector");
      if (s.units < 1 || s.units > kMaxFilters) return Status::fail("filters must be 1.." + with_commas(kMaxFilters));
      if (s.kernel < 1) return Status::fail("kernel size must be at least 1");
      if (s.kernel > side)
        return Status::fail("a " + side_text(s.kernel, s.kernel) + " kernel does not fit in its " +
                            side_text(cur.h, cur.w) + " input; use a smaller kernel, or fewer pooling layers before it");
      if (s.stride < 1 || s.stride > side)
        return Status::fail("the stride must be 1.." + std::to_string(side) + " (its input is " +
                            side_text(cur.h, cur.w) + ")");
      const int oh = s.same ? (cur.h - 1) / s.stride + 1 : (cur.h - s.kernel) / s.stride + 1;
      const int ow = s.same ? (cur.w - 1) / s.stride + 1 : (cur.w - s.kernel) / s.stride + 1;
      c->out = Shape{oh, ow, s.units, false};
      const Size patches = Size(oh) * ow * s.kernel * s.kernel * cur.c;
      if (!patches.within(kMaxImageFloats))
        return Status::fail("its im2col patches take " + patches.text() +
                            " values an image (outputs × kernel × kernel × channels), more than " +
                            with_commas((long long)kMaxImageFloats) +
                            "; use fewer channels before it, a smaller kernel or a larger stride");
      *largest_patches = max(*largest_patches, patches);
      c->weights = Size(s.kernel) * s.kernel * cur.c * s.units;
      c->biases = s.units;
      break;
    }
    case LayerKind::MaxPool2D: {
      if (cur.flat) return Status::fail("needs an image input, not a flat vector");
      const int K = s.kernel, S = s.stride ? s.stride : s.kernel;
      if (K < 1 || S < 1) return Status::fail("pool size must be at least 1");
      if (K > side)
        return Status::fail("a " + side_text(K, K) + " pool does not fit in its " + side_text(cur.h, cur.w) + " input");
      if (S > side)
        return Status::fail("the stride must be 1.." + std::to_string(side) + " (its input is " +
                            side_text(cur.h, cur.w) + ")");
      c->out = Shape{(cur.h - K) / S + 1, (cur.w - K) / S + 1, cur.c, false};
      L.spec.stride = S;
      break;
    }
    case LayerKind::Flatten: c->out = Shape{1, 1, cur.size(), true}; break;
    case LayerKind::Dropout: break;
    case LayerKind::BatchNorm:
      c->weights = cur.c;    // gamma
      c->biases = cur.c;     // beta
      c->state = Size(2) * cur.c;  // moving mean, moving variance
      break;
    case LayerKind::Activation:
      if (s.act == Act::Softmax) return Status::fail("softmax is only supported as the output activation");
      break;
  }
  return {};
}

}  // namespace

Status Model::build(const ModelSpec& spec, bool with_arenas) {
  Status st = check_layer_count_and_input(spec);
  if (!st.ok()) return st;
  std::vector<Layer> layers;
  std::map<std::string, int> seen;
  Shape cur = spec.input;
  Size np, ns, forward = spec.input.count(), largest_patches;
  for (size_t i = 0; i < spec.layers.size(); ++i) {
    const LayerSpec& s = spec.layers[i];
    Layer L;
    L.spec = s;
    L.in = cur;
    std::string base = keras_base_name(s);
    int k = seen[base]++;
    L.name = k == 0 ? base : base + "_" + std::to_string(k);
    const std::string where = "layer " + std::to_string(i + 1) + " (" + keras_type_name(s) + ")";
    auto fail = [&](const std::string& why) { return Status::fail(where + ": " + why); };
    st = check_float_fields(s);
    if (!st.ok()) return fail(st.error);
    LayerCounts c;
    st = count_layer(L, &c, &largest_patches);
    if (!st.ok()) return fail(st.error);
    const Shape& out = c.out;
    if (s.act == Act::Softmax && i + 1 != spec.layers.size()) return fail("softmax is only supported on the last layer");
    if (!out.count().within(kMaxImageFloats))
      return fail("its output has " + out.count().text() + " values an image, more than " +
                  with_commas((long long)kMaxImageFloats) + "; use fewer units or filters");
    forward += out.count() * (s.kind == LayerKind::MaxPool2D ? 2 : 1);  // a max-pool also records its argmax
    const Size w_off = np, b_off = np + c.weights, s_off = ns;
    np = b_off + c.biases;
    ns += c.state;
    if (!np.within(kMaxParams) || !ns.within(kMaxParams))
      return fail("the model reaches " + np.text() + " parameters here, too many for this tool (limit " +
                  with_commas((long long)kMaxParams) + ")");
    L.w_off = w_off.get(); L.w_len = c.weights.get();
    L.b_off = b_off.get(); L.b_len = c.biases.get();
    L.s_off = s_off.get(); L.s_len = c.state.get();
    L.out = out;
    cur = out;
    layers.push_back(std::move(L));
  }
  const LayerSpec& last = spec.layers.back();
  if (last.kind != LayerKind::Dense || (last.act != Act::Softmax && last.act != Act::Linear))
    return Status::fail("the last layer must be Dense with softmax (or linear) activation, one unit per class");
  if (cur.size() < 2 || cur.size() > kMaxClasses)
    return Status::fail("the last layer must have 2.." + std::to_string(kMaxClasses) + " units, one per class");
  forward += largest_patches;
  if (!forward.within(kMaxForwardFloats))
    return Status::fail("one image through this network takes " + forward.text() + " values (every layer's output), more than " +
                        with_commas((long long)kMaxForwardFloats) + "; use fewer layers, units or filters");
  spec_ = spec;
  layers_ = std::move(layers);
  max_act_ = size_t(input_size());
  for (const Layer& L : layers_) max_act_ = std::max(max_act_, size_t(L.out.size()));
  n_params_ = np.get();
  n_state_ = ns.get();
  params.clear();
  state.clear();
  std::vector<float>().swap(grads);
  if (with_arenas) alloc_arenas();
  // Activation buffers of a previous network go too (a rebuilt model starts empty).
  std::vector<float>().swap(d0_);
  std::vector<float>().swap(d1_);
  B_ = 0;
  return {};
}

void Model::alloc_arenas() {
  params.assign(n_params_, 0.0f);
  state.assign(n_state_, 0.0f);
}

Size forward_floats_per_image(const Model& m) {
  Size floats = m.input_size(), largest;
  for (const Layer& L : m.layers()) {
    floats += Size(L.out.size()) * (L.spec.kind == LayerKind::MaxPool2D ? 2 : 1);
    if (L.spec.kind == LayerKind::Conv2D) largest = max(largest, im2col_floats(L));
  }
  return floats + largest;
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
  DL_ASSERT((Size(B) * max_act_).within(kMaxBatchFloats));
  DL_ASSERT(!training || rng || std::none_of(layers_.begin(), layers_.end(), [](const Layer& L) {
              return L.spec.kind == LayerKind::Dropout && L.spec.rate > 0;
            }));
  x_ = x;
  B_ = B;
  const float* inp = x;
  for (Layer& L : layers_) {
    forward_layer(L, inp, B, training, rng);
    inp = L.y.data();
  }
  return layers_.back().y.data();
}

// One layer's forward pass from inp into L.y, its fused activation included.
void Model::forward_layer(Layer& L, const float* inp, int B, bool training, Rng* rng) {
  const LayerSpec& s = L.spec;
  size_t n_out = size_t(B) * L.out.size();
  grow_buffer(L.y, n_out);
  float* y = L.y.data();
  const float* w = params.data() + L.w_off;
  const float* b = params.data() + L.b_off;
  switch (s.kind) {
    case LayerKind::Dense:
      dense_forward(y, inp, w, b, B, L.in.size(), s.units);
      break;
    case LayerKind::Conv2D: {
      int P = s.same ? ((L.out.h - 1) * s.stride + s.kernel - L.in.h) / 2 : 0;
      conv2d_forward(y, inp, w, b, B, L.in.h, L.in.w, L.in.c, s.units, s.kernel, s.stride, P, L.out.h, L.out.w);
      break;
    }
    case LayerKind::MaxPool2D:
      grow_buffer(L.argmax, n_out);
      maxpool_forward(y, L.argmax.data(), inp, B, L.in.h, L.in.w, L.in.c, s.kernel,
                      s.stride, L.out.h, L.out.w);
      break;
    case LayerKind::Flatten:
      std::memcpy(y, inp, n_out * sizeof(float));
      break;
    case LayerKind::Dropout:
      if (training && s.rate > 0) {
        grow_buffer(L.saved, n_out);
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
        grow_buffer(L.saved, n_out + C);
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

float Model::backward(const int* y, const float* class_weights, float label_smoothing) {
  DL_ASSERT(built() && B_ > 0);
  const int B = B_;
  grow_buffer(d0_, max_act_ * B);  // within kMaxBatchFloats (forward)
  grow_buffer(d1_, max_act_ * B);
  grads.assign(params.size(), 0.0f);
  float* dout = d0_.data();
  float* dinp = d1_.data();
  const Layer& last = layers_.back();
  float loss = softmax_xent_backward(dout, last.y.data(), y, class_weights, B, last.out.size(), label_smoothing);
  // The gradient of a layer's input is needed only when a layer below it has parameters: not for the
  // data, nor for the Flatten in front of an MLP's first Dense layer.
  int first_with_params = int(layers_.size());
  for (int li = 0; li < int(layers_.size()); ++li)
    if (layers_[li].w_len + layers_[li].b_len > 0) { first_with_params = li; break; }
  for (int li = int(layers_.size()) - 1; li >= 0; --li) {
    Layer& L = layers_[li];
    const LayerSpec& s = L.spec;
    const float* inp = li == 0 ? x_ : layers_[li - 1].y.data();
    float* dx = li <= first_with_params ? nullptr : dinp;
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
        conv2d_backward(dx, dw, db, dout, inp, w, B, L.in.h, L.in.w, L.in.c, s.units, s.kernel, s.stride, P, L.out.h,
                        L.out.w);
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
        float* target = dx ? dx : dinp;  // dinp is free scratch when no input gradient is wanted
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
