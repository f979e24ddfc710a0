#!/usr/bin/env node
// MNIST's stroke width in its 28 × 28 pixels, the width the draw pad draws strokes again at
// (dl::kMnistStrokeWidth): a stroke of width w and length L has area w·L and an outline of length
// about 2L, so w ≈ 2 · area / outline. The ink is the pixels ≥ 128; the outline is counted as pixel
// edges between ink and background, which overstates a slanted outline's length by 4/π on average
// (|cos θ| + |sin θ| over all directions), so it is taken times π/4.
//   node bench/stroke_width.mjs [--data DIR]   (DIR holds train-images-idx3-ubyte.gz; default: assets/mnist, where setup puts it)
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { opt } from './app.mjs';

const dir = opt('--data', path.resolve(path.dirname(new URL(import.meta.url).pathname), '..', 'assets', 'mnist'));
const bytes = zlib.gunzipSync(fs.readFileSync(path.join(dir, 'train-images-idx3-ubyte.gz')));
const n = bytes.readUInt32BE(4), S = 28;
let area = 0, edges = 0, mass = 0;
for (let k = 0; k < n; k++) {
  const o = 16 + k * S * S;
  const ink = (r, c) => r >= 0 && r < S && c >= 0 && c < S && bytes[o + r * S + c] >= 128;
  for (let r = 0; r < S; r++) {
    for (let c = 0; c < S; c++) {
      mass += bytes[o + r * S + c] / 255;
      if (!ink(r, c)) continue;
      area++;
      edges += !ink(r - 1, c) + !ink(r + 1, c) + !ink(r, c - 1) + !ink(r, c + 1);
    }
  }
}
const width = 2 * area / (edges * Math.PI / 4);
console.log(`${n} training images: ink ${(area / n).toFixed(1)} pixels ≥ 128 (mass ${(mass / n).toFixed(1)}), ` +
  `outline ${(edges / n).toFixed(1)} pixel edges → stroke width ${width.toFixed(2)} pixels`);
