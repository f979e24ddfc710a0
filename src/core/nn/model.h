// A sequential network: layer specs, shapes, one parameter arena, forward and backward passes.
// Activations are row-major (B, H, W, C) — channels last, as Keras. Kernels use Keras layouts:
// Dense (C, OC); Conv2D (KH, KW, C, OC). Parameters live in one arena (`params`), gradients and
// optimizer state in arenas of the same length; non-trainable state (BatchNorm moving statistics)
// in `state`. Layers refer to both by offset. What this file does not do: optimizers (optimizer.h),
// the training loop (train/trainer.h), file I/O (model_file.h).
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "../common.h"
#include "../size.h"

namespace dl {

enum class LayerKind : uint8_t { Dense, Conv2D, MaxPool2D, Flatten, Dropout, BatchNorm, Activation };
enum class Act : uint8_t { Linear, ReLU, Softmax, Sigmoid, LeakyReLU };

struct LayerSpec {
  LayerKind kind = LayerKind::Dense;
  Act act = Act::Linear;  // Dense/Conv2D: fused activation; Activation: the function itself
  int units = 0;          // Dense: units; Conv2D: filters
  int kernel = 0;         // Conv2D: kernel size (square); MaxPool2D: pool size
  int stride = 1;         // Conv2D, MaxPool2D (0 = pool size)
  bool same = false;      // Conv2D padding: false = "valid", true = "same"
  float rate = 0;         // Dropout rate
  float l2 = 0;           // L2 kernel regularizer: adds l2·Σw² to the loss
  float alpha = 0.3f;     // LeakyReLU slope (Keras default 0.3)
};

// Constructors that read like a Keras model definition.
LayerSpec dense(int units, Act act = Act::Linear, float l2 = 0);
LayerSpec conv2d(int filters, int kernel, Act act = Act::Linear, bool same = false, int stride = 1, float l2 = 0);
LayerSpec maxpool2d(int pool = 2);
LayerSpec flatten();
LayerSpec dropout(float rate);
LayerSpec batchnorm();
LayerSpec activation(Act act, float alpha = 0.3f);

struct Shape {
  int h = 1, w = 1, c = 1;
  bool flat = true;  // a vector (None, c) rather than an image (None, h, w, c)
  // Values per image. Model::build refuses a shape past kMaxImageFloats, so a built model's fit an int;
  // count() is the checked form for a shape that may come from input.
  int size() const { return h * w * c; }
  Size count() const { return Size(h) * w * c; }
  std::string str() const;  // Keras style: "(None, 28, 28, 1)" or "(None, 512)"
};

// What a network may ask for. They keep each of a run's buffers far below 2^31 values (kernels index
// with int) and one image's pass through the network within a browser tab's memory. Model::build
// refuses a spec past any of them, saying which layer and what to change.
constexpr int kMaxLayers = 64;
constexpr int kMaxUnits = 65536;                           // Dense
constexpr int kMaxFilters = 4096;                          // Conv2D
constexpr int kMaxInputSide = 1024, kMaxInputChannels = 4096;
constexpr uint64_t kMaxImageFloats = uint64_t(1) << 24;    // the input, any layer's output, a Conv2D's patches: per image
constexpr uint64_t kMaxForwardFloats = uint64_t(1) << 26;  // one image's whole forward pass (all outputs, the largest patches)
constexpr uint64_t kMaxParams = uint64_t(1) << 27;         // trainable weights
constexpr int kMaxClasses = 1000;                          // units of the output layer
// Values in one of a pass's buffers (a batch's outputs of a layer, or its patches): kernels index
// them with int. A run's memory estimate (train/trainer.h training_bytes) keeps a run far below it;
// forward() asserts it.
constexpr uint64_t kMaxBatchFloats = (uint64_t(1) << 31) - 1;

struct ModelSpec {
  std::string name;          // preset name or "custom"
  Shape input{28, 28, 1, false};
  std::vector<LayerSpec> layers;
};
// Field by field: two specs are equal when they build the same network under the same name, so
// weights trained for one compute the same function in the other.
bool operator==(const LayerSpec& a, const LayerSpec& b);
bool operator==(const Shape& a, const Shape& b);
bool operator==(const ModelSpec& a, const ModelSpec& b);
inline bool operator!=(const ModelSpec& a, const ModelSpec& b) { return !(a == b); }

struct Layer {
  LayerSpec spec;
  Shape in, out;
  std::string name;               // Keras-style, e.g. "dense_1"
  size_t w_off = 0, w_len = 0;    // kernel (or BatchNorm gamma) in params
  size_t b_off = 0, b_len = 0;    // bias (or BatchNorm beta) in params
  size_t s_off = 0, s_len = 0;    // non-trainable state in Model::state (BatchNorm: mean then variance)
  std::vector<float> y;           // (B, out) output of the last forward pass
  std::vector<float> saved;       // what backward needs: dropout mask, BN x-hat and 1/σ
  std::vector<int32_t> argmax;    // MaxPool2D: input offset of each output
};

// Floats of one image's im2col patches for a Conv2D layer: (OH·OW) rows of K·K·C.
inline size_t im2col_floats(const Layer& L) {
  return (Size(L.out.h) * L.out.w * L.spec.kernel * L.spec.kernel * L.in.c).get();  // within kMaxImageFloats (build)
}

struct SummaryRow {
  std::string layer, type, shape;
  size_t params = 0;
};

class Model {
 public:
  // Checks every field, shape and size (the limits above) and builds the layers; on error the model is
  // unchanged and the message says which layer is impossible and why. with_arenas = false: shapes,
  // names and counts only (a summary, or a memory estimate), no parameter memory; such a model cannot run.
  Status build(const ModelSpec& spec, bool with_arenas = true);
  // The zeroed parameter and state arenas of a model built without them (a plan that passed its checks).
  void alloc_arenas();
  // Glorot-uniform kernels, zero biases, BatchNorm γ=1 β=0, moving mean 0 and variance 1.
  void init(uint64_t seed);

  // x (B, input size) in [0,1]. training: dropout active and BatchNorm on batch statistics.
  // Returns the class probabilities (B, classes).
  const float* forward(const float* x, int B, bool training, Rng* rng = nullptr);
  // After forward(): softmax cross-entropy against y (B), its labels smoothed by `label_smoothing`
  // (softmax_xent_backward) — mean over the batch of w[y]·loss, with per-class weights w (nullptr = all
  // 1) — and the gradients of that loss plus the L2 term into `grads` (overwritten; allocated on the
  // first call, so a model that only predicts never holds them). Returns the data loss alone;
  // l2_loss() gives the regularization term.
  float backward(const int* y, const float* class_weights = nullptr, float label_smoothing = 0);
  float l2_loss() const;

  const ModelSpec& spec() const { return spec_; }
  const std::vector<Layer>& layers() const { return layers_; }
  int classes() const { return layers_.empty() ? 0 : layers_.back().out.size(); }
  int input_size() const { return spec_.input.size(); }
  size_t trainable_params() const { return n_params_; }
  size_t non_trainable_params() const { return n_state_; }
  std::vector<SummaryRow> summary() const;
  std::string summary_text() const;  // the table Keras' model.summary() prints
  bool built() const { return !layers_.empty(); }
  int forward_batch() const { return B_; }  // B of the last forward pass (0: none yet)

  std::vector<float> params;  // trainable arena
  std::vector<float> grads;   // same length as params once backward() has run
  std::vector<float> state;   // non-trainable arena

 private:
  void forward_layer(Layer& L, const float* inp, int B, bool training, Rng* rng);

  ModelSpec spec_;
  std::vector<Layer> layers_;
  size_t n_params_ = 0, n_state_ = 0;
  const float* x_ = nullptr;     // input of the last forward pass
  int B_ = 0;
  size_t max_act_ = 0;           // the largest of the input and every layer's output, values an image
  std::vector<float> d0_, d1_;   // ping-pong gradient buffers (B, max activation)
};

// Whether the weights of one model fit the other as they are: the same layers, of the same kinds,
// with the same input and output shapes and the same trainable and non-trainable counts, so their
// arenas line up. Activations, dropout rates, L2 and names may differ. Built with or without arenas.
bool same_weight_layout(const Model& a, const Model& b);

// Floats one image occupies in a forward pass: its input, every layer's output (and max-pool
// record), and the largest convolution's im2col patches. At most kMaxForwardFloats for a built model.
Size forward_floats_per_image(const Model& m);

const char* act_name(Act a);
const char* layer_kind_name(LayerKind k);

}  // namespace dl
