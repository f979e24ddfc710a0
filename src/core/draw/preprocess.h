// The draw pad's raster → an MNIST-style 28×28 image, the way MNIST itself was made:
// ink bounding box → scaled to fit 20×20 keeping the aspect ratio (anti-aliased by area
// averaging) → placed in 28×28 so that the centre of mass of the ink sits at the centre.
#pragma once

namespace dl {

// pad: (H, W) row-major ink coverage in [0, 1] (0 = background). out: (28, 28) in [0, 1].
// Returns false, and leaves out all zeros, when the pad holds no ink.
bool draw_to_mnist(const float* pad, int H, int W, float* out);

}  // namespace dl
