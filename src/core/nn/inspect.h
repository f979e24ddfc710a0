// Looking inside a trained network, for teaching: the first layer's weights as images (what each
// unit or filter responds to), and what each layer makes of one input (where in the digit each
// filter fires, which units light up). Pure functions of a Model; the app turns the tiles into textures.
#pragma once
#include <string>
#include <vector>

#include "model.h"

namespace dl {

struct Tiles {
  int n = 0, h = 0, w = 0;  // n images of h × w, row-major, tile after tile
  int total = 0;            // how many the layer has (n may be fewer: max_tiles)
  int layer = -1;           // index of the layer they come from
  std::vector<float> v;     // n·h·w values; see each function for their range
  float scale = 0;          // the largest |value| before scaling
  int units = 0;            // layer_output of a flat layer: the cells that hold units (the rest pad the last row)
};

// The kernels of the first layer with weights, one image per unit (Dense on the 28×28 input:
// 28 × 28 per unit) or per filter (Conv2D on the 1-channel image: K × K). Values in [-1, 1]: each
// image divided by its own largest |w|, so positive (the pixel raises the unit) and negative
// (lowers it) read the same for every tile. Layers before it may only keep pixels where they are
// (Flatten, Dropout, activations). Returns false with the reason when the first weighted layer
// does not look at pixels directly.
bool first_layer_kernels(const Model& m, int max_tiles, Tiles* out, std::string* why);

// After m.forward(x, 1, false): what layer `layer` made of that image (after its activation). A
// spatial output (H × W × C) gives one H × W map per channel, the first max_tiles of them; a flat
// output of N values gives one tile holding the units row after row, `flat_cols` across (0: ⌈√N⌉),
// its last row padded with zeros (`units` = N). All divided by the largest |value| among them: in
// [0, 1] when none is negative (after a ReLU), else [-1, 1]. False if there is no such layer or the
// last forward pass was not a single image.
bool layer_output(const Model& m, int layer, int max_tiles, Tiles* out, int flat_cols = 0);

// layer_output() of the first Conv2D layer: one map per filter. False if the network has none.
bool first_conv_maps(const Model& m, int max_tiles, Tiles* out);

// Occlusion saliency (Zeiler and Fergus, 2014): the image is read again with a patch × patch square
// blanked (set to 0) at every place in steps of `stride`, the squares covering the image; a pixel's
// value for class k is the mean drop in k's probability over the squares that cover it: positive
// where the ink there spoke for k, negative where it spoke against. A batch of squares per step(),
// for a caller that spreads the work over frames (169 forward passes of one image: at the draw pad's
// times in docs/benchmarks.md, about 15 ms for mlp in wasm, 0.2 s for cnn-5x5). The model must stay
// unchanged until done().
class Occlusion {
 public:
  Occlusion(Model& m, const float* img28, int patch = 4, int stride = 2, int batch = 32);
  void step();
  bool done() const { return next_ >= int(places_.size()); }
  float progress() const { return places_.empty() ? 1.0f : float(next_) / float(places_.size()); }
  const std::vector<float>& probabilities() const { return base_; }  // of the image itself
  std::vector<float> map(int k) const;  // 28 × 28, once done()

 private:
  Model* m_;
  std::vector<float> img_, base_, drop_, x_;  // drop_: (classes, 784) summed drops
  std::vector<int> cover_;                    // squares covering each pixel
  std::vector<std::pair<int, int>> places_;   // top-left corners
  int patch_, batch_, next_ = 0, classes_;
};

}  // namespace dl
