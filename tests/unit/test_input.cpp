// Untrusted input reaching the core: sizes computed from it (checked in 64 bits, so the 32-bit wasm
// build cannot wrap), networks refused before they run, models checked against the data, data files
// and model files whose every field is wrong in turn (with a valid checksum, so the structural checks
// are reached). These run natively and, under node, as wasm32, where size_t is 32 bits.
#include <cmath>
#include <cstring>
#include <string>

#include "core/data/dataset.h"
#include "core/kernels/gemm.h"
#include "core/nn/layers.h"
#include "core/nn/model_file.h"
#include "core/nn/spec_text.h"
#include "core/size.h"
#include "core/train/presets.h"
#include "core/train/trainer.h"
#include "helpers.h"

using namespace dl;

namespace {

bool contains(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }

ModelSpec spec_of(const char* text) {
  ModelSpec m;
  const Status st = spec_from_text(text, &m);
  REQUIRE_MESSAGE(st.ok(), st.error);
  return m;
}

// Model::build's error for a network given as text ("" if it builds).
std::string build_error(const char* text) {
  Model m;
  return m.build(spec_of(text), false).error;
}

// MNIST's shape without its images: what model_fits_data and train_check read.
Dataset mnist_shape(int n = 100) {
  Dataset d;
  d.n = n;
  d.rows = d.cols = 28;
  d.images.assign(size_t(n) * 784, 0);
  d.labels.assign(size_t(n), 0);
  for (int i = 0; i < n; ++i) d.labels[size_t(i)] = uint8_t(i % 10);
  return d;
}

}  // namespace

TEST_CASE("Size: products and sums in 64 bits; an overflow or a negative operand sticks") {
  const Size w = Size(65536) * 65536;  // what wrapped to 0 in wasm32's size_t
  CHECK_FALSE(w.bad());
  CHECK(w.count() == (uint64_t(1) << 32));
  CHECK(w.text() == "4,294,967,296");
  CHECK_FALSE(w.within(kMaxParams));
  CHECK(w.within(uint64_t(1) << 32));
  const Size huge = Size(uint64_t(1) << 40) * (uint64_t(1) << 30);
  CHECK(huge.bad());
  CHECK(huge.text() == "too many to count");
  CHECK((huge + 1).bad());
  CHECK((huge * 0).bad());  // once bad, always bad
  CHECK_FALSE(huge.within(UINT64_MAX));
  CHECK(Size(-1).bad());
  CHECK((Size(3) * -2).bad());
  CHECK((Size(UINT64_MAX) + 1).bad());
  CHECK(max(Size(3), Size(7)).count() == 7);
  CHECK(max(Size(3), Size(-7)).bad());
  CHECK((Size(16) + Size(5478275) * 28 * 28).count() == 4294967616ull);
}

TEST_CASE("build: sizes that wrapped in 32 bits are refused with the real numbers") {
  // 16 x 16 x 256 = 65,536 values into Dense(65536): 2^32 weights, 0 in wasm32's size_t.
  std::string e = build_error("conv:256:13,flatten,dense:65536,dense:10:softmax");
  CHECK_MESSAGE(contains(e, "layer 3 (Dense): the model reaches 4,295,076,352 parameters here, too many for this tool "
                            "(limit 134,217,728)"), e);
  // Activations: one image's output past 2^24 values; im2col patches past it.
  e = build_error("conv:4096:3:same,conv:4096:3:same,flatten,dense:10:softmax");
  CHECK_MESSAGE(contains(e, "layer 2 (Conv2D): its im2col patches take 28,901,376 values an image"), e);
  // One image through the whole network: 21 outputs of 3.2 million values.
  std::string many = "conv:4096:1:same";
  for (int i = 0; i < 20; ++i) many += ",bn";
  e = build_error((many + ",flatten,dense:10:softmax").c_str());
  CHECK_MESSAGE(contains(e, "one image through this network takes"), e);
  CHECK_MESSAGE(contains(e, "more than 67,108,864"), e);
  // A kernel larger than its input, with 'same' padding too.
  e = build_error("conv:8:4096:same,flatten,dense:10:softmax");
  CHECK_MESSAGE(contains(e, "layer 1 (Conv2D): a 4096x4096 kernel does not fit in its 28x28 input"), e);
  e = build_error("conv:8:29:same,flatten,dense:10:softmax");
  CHECK_MESSAGE(contains(e, "a 29x29 kernel does not fit in its 28x28 input"), e);
  // A stride past the input (its output size overflowed int).
  e = build_error("conv:8:3:s2147483647,flatten,dense:10:softmax");
  CHECK_MESSAGE(contains(e, "layer 1 (Conv2D): the stride must be 1..28 (its input is 28x28)"), e);
  e = build_error("pool:2:s99,flatten,dense:10:softmax");
  CHECK_MESSAGE(contains(e, "layer 1 (MaxPooling2D): the stride must be 1..28"), e);
  // The presets still build, with their Keras counts.
  for (const Preset& p : presets()) {
    Model m;
    CHECK_MESSAGE(m.build(p.model, false).ok(), p.name);
  }
}

TEST_CASE("build: every float field finite and in its range; at most 64 layers") {
  auto with = [](void (*edit)(LayerSpec&)) {
    ModelSpec m = spec_of("flatten,dense:64:relu,dense:10:softmax");
    edit(m.layers[1]);
    Model model;
    return model.build(m, false).error;
  };
  CHECK(contains(with([](LayerSpec& l) { l.l2 = NAN; }), "layer 2 (Dense): the L2 factor must be 0..1"));
  CHECK(contains(with([](LayerSpec& l) { l.l2 = -0.1f; }), "the L2 factor must be 0..1"));
  CHECK(contains(with([](LayerSpec& l) { l.rate = NAN; }), "the dropout rate must be at least 0 and below 1"));
  CHECK(contains(with([](LayerSpec& l) { l.alpha = NAN; }), "LeakyReLU's slope (alpha) must be 0..1"));
  CHECK(contains(with([](LayerSpec& l) { l.alpha = INFINITY; }), "LeakyReLU's slope (alpha) must be 0..1"));
  CHECK(contains(with([](LayerSpec& l) { l.units = 0; }), "units must be 1..65,536"));
  CHECK(contains(build_error("flatten,leaky:-1,dense:10:softmax"), "layer 2 (LeakyReLU): LeakyReLU's slope"));
  CHECK(contains(build_error("flatten,dropout:1,dense:10:softmax"), "the dropout rate must be at least 0 and below 1"));
  ModelSpec deep = spec_of("flatten");
  for (int i = 0; i < 64; ++i) deep.layers.push_back(dense(10, Act::ReLU));
  Model m;
  CHECK(contains(m.build(deep, false).error, "the model has 65 layers; this tool builds at most 64"));
  deep.layers.resize(63);
  deep.layers.push_back(dense(10, Act::Softmax));
  CHECK(m.build(deep, false).ok());
  ModelSpec odd = spec_of("flatten,dense:10:softmax");
  odd.input = Shape{4096, 4096, 4096, false};  // a model file's: h*w*c overflowed int
  CHECK(contains(m.build(odd, false).error, "the input shape (4096, 4096, 4096) is not possible"));
  odd.input = Shape{1, 1, 0, true};
  CHECK(contains(m.build(odd, false).error, "is not possible"));
  CHECK(contains(build_error("flatten,dense:1001:softmax"), "the last layer must have 2..1000 units"));
}

TEST_CASE("a convolution's per-thread buffers are counted in 64 bits") {
  // A 256-position panel of patches of 2^24 floats each is 2^32 floats: 0 in wasm32's size_t.
  CHECK(conv_thread_floats(1, 1 << 24) == (uint64_t(1) << 32));
  // cnn-tiny's second convolution: a slab of 1 image (576 positions of 72 floats: 41,472, under 2^16
  // but two would not be); its first: 10 images of 676 x 9 floats.
  CHECK(conv_thread_floats(24 * 24, 72) == 41472);
  CHECK(conv_thread_floats(26 * 26, 9) == 60840);
  // The caller's panel products: cnn-tiny's second at batch 128 is 288 panels of 72 x 8 = 165,888
  // floats; 2^20 of them at most; none where one panel's product is more (they go into dw in turn).
  CHECK(conv_caller_floats(128, 24 * 24, 72, 8) == 165888);
  CHECK(conv_caller_floats(8192, 28 * 28, 288, 32) == (uint64_t(1) << 20) / 9216 * 9216);
  CHECK(conv_caller_floats(64, 14 * 14, 1152, 1024) == 0);
}

TEST_CASE("a model must fit the data: one unit per class, the data's image size") {
  const Dataset d = mnist_shape();
  auto fits = [&](const char* text) {
    Model m;
    REQUIRE(m.build(spec_of(text), false).ok());
    return model_fits_data(m, d).error;
  };
  CHECK(fits("flatten,dense:10:softmax").empty());
  CHECK(fits("in=flat,dense:10:softmax").empty());
  CHECK(contains(fits("flatten,dense:2:softmax"), "the network's last layer has 2 units, but the data has 10 classes "
                                                  "(the digits 0-9): the last layer needs 10 units"));
  CHECK(contains(fits("flatten,dense:37:softmax"), "has 37 units"));
  Model m;
  ModelSpec other = spec_of("flatten,dense:10:softmax");
  other.input = Shape{32, 32, 1, false};
  REQUIRE(m.build(other, false).ok());
  CHECK(contains(model_fits_data(m, d).error, "the network takes 32x32 images with 1 channel(s), but the data's images are 28x28"));
  other.input = Shape{1, 1, 100, true};
  REQUIRE(m.build(other, false).ok());
  CHECK(contains(model_fits_data(m, d).error, "the network takes 100 values an image"));
}

TEST_CASE("train_check and Trainer::begin refuse before they allocate, and leave the model as it was") {
  const Dataset d = mnist_shape();
  TrainConfig c;
  c.epochs = 1;
  Model two;
  REQUIRE(two.build(spec_of("flatten,dense:2:softmax")).ok());
  two.init(3);
  const std::vector<float> before = two.params;
  Trainer t;
  Status st = t.begin(&two, &d, nullptr, c);
  CHECK(contains(st.error, "has 2 units, but the data has 10 classes"));
  CHECK(two.params == before);  // not initialized again
  CHECK(t.phase() == TrainPhase::Idle);

  // 8192 images of 65,536 activations: 2 GiB per buffer (it wrapped to 0 bytes in wasm32).
  Model big;
  REQUIRE(big.build(spec_of("flatten,dense:65536:relu,dense:10:softmax"), false).ok());
  c.batch = 8192;
  const Size need = training_bytes(big, c);
  CHECK_FALSE(need.bad());
  CHECK(need.count() > (uint64_t(4) << 30));
  st = train_check(big, &d, nullptr, c);
  CHECK_MESSAGE(contains(st.error, "at batch 8192 this network needs about"), st.error);
  CHECK_MESSAGE(contains(st.error, "more than the 2.1 GB a run may take"), st.error);
  c.batch = 32;
  CHECK(train_check(big, &d, nullptr, c).ok());

  // Every setting finite and in range, whatever set it.
  auto refused = [&](void (*edit)(TrainConfig&)) {
    TrainConfig b;
    edit(b);
    return train_config_check(b).error;
  };
  CHECK(refused([](TrainConfig& b) { b.opt.lr = NAN; }) == "the learning rate must be above 0 and at most 10, not nan");
  CHECK(refused([](TrainConfig& b) { b.early.min_delta = -1; }) == "early stopping's min_delta must be 0..10, not -1");
  CHECK(refused([](TrainConfig& b) { b.reduce_lr.factor = 1; }) ==
        "the learning-rate reduction factor must be above 0 and below 1, not 1");
  CHECK(refused([](TrainConfig& b) { b.batch = 0; }) == "the batch size must be a whole number 1..8192, not 0");
  CHECK(refused([](TrainConfig& b) { b.seed = uint64_t(1) << 40; }) ==
        "the seed must be a whole number 0..2147483647, not 1099511627776");
  CHECK(refused([](TrainConfig& b) { b.opt.beta2 = 1; }) == "Adam's beta_2 must be 0 or more and below 1, not 1");
  CHECK(refused([](TrainConfig& b) { b.opt.eps = 0; }) == "the optimizer's epsilon must be above 0 and at most 1, not 0");
  CHECK(refused([](TrainConfig& b) { b.reduce_lr.min_delta = NAN; }) == "the learning-rate reduction's min_delta must be 0..10");
  CHECK(refused([](TrainConfig& b) { b.cosine.alpha = 1.5f; }) ==
        "the cosine decay's last rate (a fraction of the learning rate) must be 0..1, not 1.5");
  CHECK(refused([](TrainConfig& b) { b.cosine.enabled = b.reduce_lr.enabled = true; }) ==
        "the cosine decay and the reduction on a plateau both set the learning rate; turn one of them off");
  for (const Preset& p : presets()) CHECK_MESSAGE(train_config_check(p.recipe).ok(), p.name);
}

TEST_CASE("IDX: a header whose size wrapped in 32 bits, and the other malformed headers") {
  // 5,478,275 images of 28 x 28 need 4,294,967,616 bytes: 320 in wasm32's size_t, the file's length.
  std::vector<uint8_t> b(320, 0);
  const uint8_t head[16] = {0, 0, 8, 3, 0x00, 0x53, 0x97, 0x83, 0, 0, 0, 28, 0, 0, 0, 28};
  std::memcpy(b.data(), head, 16);
  Dataset d;
  Status st = idx_parse_images(b.data(), b.size(), "crafted-images", &d);
  CHECK(st.error == "crafted-images: truncated: 5,478,275 images of 28x28 need 4,294,967,616 bytes, the file has 320; "
                    "download it again");
  CHECK(d.n == 0);
  // The largest header the limits allow: 10 million images of 1024 x 1024.
  const uint8_t big[16] = {0, 0, 8, 3, 0x00, 0x98, 0x96, 0x80, 0, 0, 4, 0, 0, 0, 4, 0};
  std::memcpy(b.data(), big, 16);
  st = idx_parse_images(b.data(), b.size(), "big", &d);
  CHECK(contains(st.error, "need 10,485,760,000,016 bytes"));
  // A label above 9, no images, a labels file given as images.
  const uint8_t labels[9] = {0, 0, 8, 1, 0, 0, 0, 1, 12};
  std::vector<uint8_t> l(labels, labels + 9);
  st = idx_parse_labels(l.data(), l.size(), "my-labels", &d.labels);
  CHECK(st.error == "my-labels: label 12 at position 0 is not a digit 0-9");
  st = idx_parse_images(l.data(), l.size(), "my-labels", &d);
  CHECK(contains(st.error, "has 1 dimensions, expected 3 (is this a labels file?)"));
}

TEST_CASE("CSV: a byte-order mark, Kaggle's test.csv, labels past 9, words, other image sizes") {
  std::string header = "label";
  for (int i = 0; i < 784; ++i) header += ",pixel" + std::to_string(i);
  std::string row = "7";
  for (int i = 0; i < 784; ++i) row += i == 300 ? ",255" : ",0";
  Dataset d;
  // Spreadsheets save "CSV UTF-8" with a BOM: read as if it were not there.
  REQUIRE(dataset_from_csv("\xEF\xBB\xBF" + header + "\r\n" + row + "\r\n", "bom.csv", &d).ok());
  CHECK(d.n == 1);
  CHECK(d.labels[0] == 7);
  CHECK(d.images[300] == 255);
  const std::string test_header = header.substr(6);  // "pixel0,...": no label column
  Status st = dataset_from_csv(test_header + "\n" + row.substr(2) + "\n", "test.csv", &d);
  CHECK(contains(st.error, "test.csv: this is Kaggle's test.csv (pixels without a label column)"));
  st = dataset_from_csv(header + "\n12" + row.substr(1) + "\n", "train.csv", &d);
  CHECK(st.error == "train.csv: line 2 has label 12, not a digit 0-9");
  st = dataset_from_csv(header + "\nseven" + row.substr(1) + "\n", "train.csv", &d);
  CHECK(st.error == "train.csv: line 2, value 1 is not a whole number 0-255");
  std::string wide = row;
  for (int i = 0; i < 240; ++i) wide += ",0";  // 32 x 32
  st = dataset_from_csv(header + "\n" + wide + "\n", "wide.csv", &d);
  CHECK(st.error == "wide.csv: line 2 has more than 785 values (a label and 784 pixels: images of 28x28)");
  CHECK(contains(dataset_from_csv("", "empty.csv", &d).error, "the file is empty"));
  CHECK(contains(dataset_from_csv(header + "\n", "h.csv", &d).error, "the CSV has a header but no rows"));
  CHECK(d.n == 1);  // unchanged by every refusal
}

namespace {
// A model file written field by field, independently of model_save, as model_file.h describes the
// format; `fix` recomputes the checksum so the reader's structural checks are the ones that answer.
struct FileWriter {
  std::vector<uint8_t> b;
  void u8(uint8_t v) { b.push_back(v); }
  void u32(uint32_t v) { for (int i = 0; i < 4; ++i) b.push_back(uint8_t(v >> (8 * i))); }
  void u64(uint64_t v) { u32(uint32_t(v)); u32(uint32_t(v >> 32)); }
  void f32(float f) { uint32_t u; std::memcpy(&u, &f, 4); u32(u); }
  void layer(uint8_t kind, uint8_t act, int units, int kernel, int stride, float rate = 0, float l2 = 0, float alpha = 0.3f) {
    u8(kind); u8(act); u8(0); u8(0);
    u32(uint32_t(units)); u32(uint32_t(kernel)); u32(uint32_t(stride));
    f32(rate); f32(l2); f32(alpha);
  }
  std::vector<uint8_t> fix() const {
    std::vector<uint8_t> out = b;
    uint32_t h = 2166136261u;
    for (uint8_t c : out) h = (h ^ c) * 16777619u;
    for (int i = 0; i < 4; ++i) out.push_back(uint8_t(h >> (8 * i)));
    return out;
  }
};

// A file for Flatten then Dense(units, softmax) layers on a 28 x 28 input, holding `weights` floats of
// weights (at most 100,000 written), with its fields changeable one by one.
std::vector<uint8_t> model_bytes(int units, uint64_t weights, uint32_t layers = 2, uint8_t dense_kind = 0,
                                 float rate = 0, uint32_t name_len = 3) {
  FileWriter w;
  for (char c : std::string("DGLBMODL")) w.u8(uint8_t(c));
  w.u32(1);
  w.u32(name_len);
  for (uint32_t i = 0; i < name_len && i < 300; ++i) w.u8('m');
  w.u32(28); w.u32(28); w.u32(1); w.u8(0);
  w.u32(layers);
  w.layer(3, 0, 0, 0, 1, rate);  // Flatten
  for (uint32_t i = 1; i < layers && i < 200; ++i) w.layer(dense_kind, 2, units, 0, 1);  // Dense, softmax
  w.u64(weights);
  for (uint64_t i = 0; i < weights && i < 100000; ++i) w.f32(0.01f);
  w.u64(0);
  return w.fix();
}
}  // namespace

TEST_CASE("model file: a valid checksum over a wrong structure reaches the structural checks") {
  Model keep;
  REQUIRE(keep.build(presets().front().model).ok());
  keep.init(1);
  const std::vector<float> before = keep.params;
  auto load = [&](const std::vector<uint8_t>& b) {
    const Status st = model_load(b.data(), b.size(), &keep);
    CHECK(keep.params == before);
    return st.error;
  };
  // The writer above is right: a file it writes for 10 classes loads.
  Model ten;
  const std::vector<uint8_t> good = model_bytes(10, 7850);
  REQUIRE(model_load(good.data(), good.size(), &ten).ok());
  CHECK(ten.classes() == 10);
  CHECK(ten.trainable_params() == 7850);
  CHECK(model_fits_data(ten, mnist_shape()).ok());
  // Two classes: a file that loads, and that the data refuses (eval --model, a file dropped on the page).
  Model two;
  const std::vector<uint8_t> b2 = model_bytes(2, 784 * 2 + 2);
  REQUIRE(model_load(b2.data(), b2.size(), &two).ok());
  CHECK(contains(model_fits_data(two, mnist_shape()).error, "has 2 units, but the data has 10 classes"));

  CHECK(contains(load(model_bytes(10, 7850, 0)), "the model file is damaged (bad layer count)"));
  CHECK(contains(load(model_bytes(10, 7850, 65)), "the model file holds 65 layers; this tool builds at most 64"));
  CHECK(contains(load(model_bytes(10, 7850, 2, 9)), "uses a layer type this version does not know"));
  CHECK(contains(load(model_bytes(10, 7850, 2, 0, NAN)), "describes an impossible model: layer 1 (Flatten): the dropout rate"));
  CHECK(contains(load(model_bytes(10, 7849)), "it holds 7,849 weights, its layers need 7,850"));
  CHECK(contains(load(model_bytes(10, uint64_t(1) << 62)), "its layers need 7,850"));
  CHECK(contains(load(model_bytes(10, 7850, 2, 0, 0, 300)), "the model file is damaged (bad name)"));
  CHECK(contains(load(model_bytes(1 << 27, 0)), "layer 2 (Dense): units must be 1..65,536"));
  // A flag byte that is neither 0 nor 1 (it loaded, then saved as a different file: found by fuzzing).
  FileWriter flag{std::vector<uint8_t>(good.begin(), good.end() - 4)};
  flag.b[8 + 4 + 4 + 3 + 12] = 2;  // after magic, version, name length, "mmm", h, w, c: the flat byte
  CHECK(contains(load(flag.fix()), "the model file is damaged (bad input shape)"));
  FileWriter same{std::vector<uint8_t>(good.begin(), good.end() - 4)};
  same.b[8 + 4 + 4 + 3 + 12 + 1 + 4 + 2] = 0x20;  // the first layer's padding flag
  CHECK(contains(load(same.fix()), "the model file is damaged (bad layer 1)"));
  FileWriter longer{std::vector<uint8_t>(good.begin(), good.end() - 4)};  // one byte more before the checksum
  longer.u8(0);
  CHECK(contains(load(longer.fix()), "unexpected length"));
}
