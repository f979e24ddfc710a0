#!/usr/bin/env node
// How well the draw pad reads freehand digits: a scripted test set of drawn digits of all sizes, tilts,
// aspect ratios and places, drawn with the mouse through the app's pad and kept with their labels
// (My digits), exported as IDX and read by `digitlab eval` with models trained by the CLI. The reading
// rate goes to docs/results/freehand-*.json, which bench/accuracy.py renders into docs/results.md.
// Not a test: it records what the pad's preprocessing achieves today. --read ink turns off the
// switch "Draw my strokes again as thin as MNIST's" (the network then reads the pad's ink scaled,
// strokes as thick as the brush at that scale); strokes, the app's default, leaves it on. --read
// reference does not use the app: an independent MNIST-style pipeline makes the same digits from their
// paths with the browser's canvas (a round brush 2.6 pixels wide, 8 × 8 samples a pixel, the paths' box
// scaled so the ink is 20 on its long side), area-averaged to 28 × 28 and shifted bilinearly so its
// centre of mass is (14, 14) — what the same preprocessing allows, implemented apart from ours.
//   node bench/freehand.mjs [--per-digit 30] [--seed 1] [--read strokes|ink|reference]
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ROOT, click, drawStrokes, idxPair, launch, layout, serve, openPage, status, waitStatus } from '../tests/e2e/helpers.mjs';
import { opt, sleep } from './app.mjs';

const PER_DIGIT = Number(opt('--per-digit', 30));
const SEED = Number(opt('--seed', 1));
const READ = opt('--read', 'strokes');
if (!['strokes', 'ink', 'reference'].includes(READ)) throw new Error(`--read ${READ}: expected strokes, ink or reference`);
const CLI = path.join(ROOT, 'build', 'native', 'digitlab');
const log = (...a) => console.error('[freehand]', ...a);

// Each digit as strokes in a unit box (x right, y down), drawn the way people often write them.
const SHAPES = {
  0: [Array.from({ length: 21 }, (_, i) => [0.5 + 0.45 * Math.sin(i * Math.PI / 10), 0.5 - 0.5 * Math.cos(i * Math.PI / 10)])],
  1: [[[0.3, 0.18], [0.55, 0.0], [0.55, 1.0]]],
  2: [[[0.12, 0.25], [0.3, 0.04], [0.6, 0.0], [0.85, 0.2], [0.78, 0.45], [0.12, 1.0], [0.92, 1.0]]],
  3: [[[0.15, 0.1], [0.5, 0.0], [0.85, 0.15], [0.8, 0.4], [0.45, 0.5], [0.85, 0.62], [0.85, 0.9], [0.5, 1.0], [0.12, 0.9]]],
  4: [[[0.62, 1.0], [0.62, 0.0], [0.08, 0.66], [0.92, 0.66]]],
  5: [[[0.85, 0.0], [0.25, 0.0], [0.2, 0.45], [0.55, 0.37], [0.85, 0.58], [0.82, 0.88], [0.5, 1.0], [0.12, 0.9]]],
  6: [[[0.78, 0.04], [0.38, 0.3], [0.18, 0.68], [0.32, 0.96], [0.66, 0.96], [0.82, 0.7], [0.6, 0.5], [0.25, 0.6]]],
  7: [[[0.08, 0.0], [0.92, 0.0], [0.42, 1.0]]],
  8: [[[0.5, 0.48], [0.2, 0.28], [0.5, 0.0], [0.8, 0.28], [0.5, 0.48], [0.15, 0.74], [0.5, 1.0], [0.85, 0.74], [0.5, 0.48]]],
  9: [[[0.82, 0.28], [0.5, 0.0], [0.18, 0.22], [0.42, 0.48], [0.82, 0.28], [0.74, 1.0]]],
};

// A seeded generator (mulberry32), so the drawn set is the same on every run.
function rng(seed) {
  let a = seed >>> 0;
  return () => { a = (a + 0x6D2B79F5) >>> 0; let t = a; t = Math.imul(t ^ (t >>> 15), t | 1); t ^= t + Math.imul(t ^ (t >>> 7), t | 61); return ((t ^ (t >>> 14)) >>> 0) / 4294967296; };
}

// One variant: height as a share of the pad, width relative to the usual 0.7 of the height, tilt in
// degrees, and where the centre is.
function variants(n, r) {
  const out = [];
  const sizes = [0.22, 0.35, 0.5, 0.7, 0.85], aspects = [0.6, 0.8, 1.0, 1.25, 1.6], tilts = [-25, -12, 0, 12, 25];
  for (let i = 0; i < n; i++) {
    const h = sizes[Math.floor(r() * sizes.length)], a = aspects[Math.floor(r() * aspects.length)];
    const tilt = tilts[Math.floor(r() * tilts.length)];
    let w = Math.min(0.9, h * 0.7 * a), hh = h;
    // The tilted box's half extents; shrunk to fit the pad with a margin, so that every stroke starts
    // on the pad (a press off it draws nothing).
    const c = Math.abs(Math.cos(tilt * Math.PI / 180)), s = Math.abs(Math.sin(tilt * Math.PI / 180));
    const fit = Math.min(1, 0.45 / ((w * c + hh * s) / 2), 0.45 / ((w * s + hh * c) / 2));
    w *= fit; hh *= fit;
    const rx = 0.47 - (w * c + hh * s) / 2, ry = 0.47 - (w * s + hh * c) / 2;
    out.push({ h: hh, w, tilt, cx: 0.5 + (r() * 2 - 1) * rx, cy: 0.5 + (r() * 2 - 1) * ry });
  }
  return out;
}

function place(shape, v) {
  const c = Math.cos(v.tilt * Math.PI / 180), s = Math.sin(v.tilt * Math.PI / 180);
  return shape.map((line) => line.map(([x, y]) => {
    const dx = (x - 0.5) * v.w, dy = (y - 0.5) * v.h;
    return [v.cx + dx * c + dy * s, v.cy - dx * s + dy * c];  // a clockwise tilt for a positive angle
  }));
}

// The reference pipeline, in the page: unit-box paths → 28 × 28 bytes.
function referenceImage(strokes) {
  const F = 8, S = 28, W = 2.6;
  const pts = strokes.flat();
  const xs = pts.map((p) => p[0]), ys = pts.map((p) => p[1]);
  const xl = Math.min(...xs), xh = Math.max(...xs), yl = Math.min(...ys), yh = Math.max(...ys);
  const span = Math.max(xh - xl, yh - yl), s = span > 1e-9 ? (20 - W) / span : 1;
  const canvas = document.createElement('canvas');
  canvas.width = canvas.height = S * F;
  const ctx = canvas.getContext('2d');
  ctx.fillStyle = 'black';
  ctx.fillRect(0, 0, S * F, S * F);
  ctx.setTransform(F * s, 0, 0, F * s, F * (14 - s * (xl + xh) / 2), F * (14 - s * (yl + yh) / 2));
  ctx.strokeStyle = 'white';
  ctx.lineWidth = W / s;
  ctx.lineCap = ctx.lineJoin = 'round';
  for (const line of strokes) {
    ctx.beginPath();
    ctx.moveTo(...line[0]);
    for (const p of line.slice(1)) ctx.lineTo(...p);
    ctx.stroke();
  }
  const px = ctx.getImageData(0, 0, S * F, S * F).data;
  const a = new Float64Array(S * S);
  for (let y = 0; y < S * F; y++) for (let x = 0; x < S * F; x++) a[Math.floor(y / F) * S + Math.floor(x / F)] += px[(y * S * F + x) * 4] / 255 / (F * F);
  let m = 0, my = 0, mx = 0;
  for (let i = 0; i < S; i++) for (let j = 0; j < S; j++) { m += a[i * S + j]; my += i * a[i * S + j]; mx += j * a[i * S + j]; }
  const dy = 14 - my / m, dx = 14 - mx / m;
  const at = (i, j) => (i >= 0 && i < S && j >= 0 && j < S ? a[i * S + j] : 0);
  const out = [];
  for (let i = 0; i < S; i++) {
    for (let j = 0; j < S; j++) {
      const u = i - dy, v = j - dx, i0 = Math.floor(u), j0 = Math.floor(v), fu = u - i0, fv = v - j0;
      const val = (1 - fu) * ((1 - fv) * at(i0, j0) + fv * at(i0, j0 + 1)) + fu * ((1 - fv) * at(i0 + 1, j0) + fv * at(i0 + 1, j0 + 1));
      out.push(Math.round(255 * Math.min(1, Math.max(0, val))));
    }
  }
  return out;
}

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'digitlab-freehand-'));
const models = [
  { name: 'mlp', args: ['--preset', 'mlp', '--epochs', '1', '--seed', '1'] },
  { name: 'cnn-tiny', args: ['--preset', 'cnn-tiny', '--epochs', '3', '--seed', '1'] },
];
for (const m of models) {
  m.file = path.join(dir, `${m.name}.bin`);
  log(`training ${m.name}: digitlab train ${m.args.join(' ')}`);
  m.mnist = JSON.parse(execFileSync(CLI, ['train', ...m.args, '--json', '--save', m.file], { encoding: 'utf8' })).test_accuracy;
}

// The drawn set: each digit's variants, the same whichever way they are read.
const r = rng(SEED);
const drawn = [];
for (let k = 0; k < 10; k++) for (const v of variants(PER_DIGIT, r)) drawn.push({ label: k, ...v });

// The reference pipeline's images of the set, as IDX files.
async function referenceSet(context) {
  const page = await context.newPage();
  const images = [];
  for (const d of drawn) images.push(await page.evaluate(`(${referenceImage})(${JSON.stringify(place(SHAPES[d.label], d))})`));
  const [img, lab] = idxPair(images, drawn.map((d) => d.label));
  return { images: img, labels: lab };
}

// The set drawn through the app's pad with the mouse, kept (My digits) and exported as IDX files.
async function padSet(context) {
  const srv = await serve({ isolation: true });
  try {
    const { page } = await openPage(context, srv.url);
    await waitStatus(page, (s) => s.app_ready && s.data && s.data.phase === 'ready' && s.mine.loaded, 60000, 'ready');
    await page.setInputFiles('#model-file', models[0].file);  // a model, so the pad reads (the set does not depend on it)
    await waitStatus(page, (s) => s.test_accuracy != null && !s.evaluating, 60000, 'a model');
    if (READ === 'ink') {  // the switch is in the steps window, which then goes out of the pad's way
      await click(page, 'menu.view');
      await click(page, 'menu.steps');
      await waitStatus(page, (s) => s.pad_steps.shown, 5000, 'the steps window');
      await click(page, 'steps.redraw');
      await waitStatus(page, (s) => !s.pad_steps.redraw, 5000, 'the strokes switch off');
      const L = await layout(page), w = L.steps, pad = L['draw.pad'];
      await page.mouse.move(w.x + w.w * 0.3, w.y + 8);
      await page.mouse.down();
      await page.mouse.move(pad.x + pad.w + w.w * 0.3 + 40, w.y + 8, { steps: 5 });
      await page.mouse.up();
    }
    for (const [i, d] of drawn.entries()) {
      for (let attempt = 0; ; attempt++) {  // a popup left open keeps the pointer off the pad: close it, draw again
        await page.keyboard.press('Escape');
        try { await drawStrokes(page, place(SHAPES[d.label], d), { steps: 6 }); break; } catch (e) { if (attempt === 2) throw e; }
      }
      const s = await status(page);
      if (s.pad_steps.from_paths !== (READ === 'strokes')) throw new Error(`the pad read from ${s.pad_steps.from_paths ? 'the strokes' : 'the ink'}, not as --read ${READ}`);
      for (let attempt = 0; ; attempt++) {  // the popup opens a frame after the click: try again if it missed
        await click(page, 'draw.keep');
        await click(page, `draw.keep.${d.label}`);
        try { await waitStatus(page, (t) => t.mine.n === s.mine.n + 1, 2000, 'kept'); break; } catch (e) {
          if (attempt === 3) throw e;
          await page.keyboard.press('Escape');
        }
      }
      if ((i + 1) % PER_DIGIT === 0) log(`digit ${d.label}: ${PER_DIGIT} drawn`);
    }
    await click(page, 'menu.view');
    await click(page, 'menu.mine');
    const downloads = [];
    page.on('download', (dl) => downloads.push(dl));
    await click(page, 'mine.export');
    while (downloads.length < 2) await sleep(100);
    const files = {};
    for (const dl of downloads) files[dl.suggestedFilename()] = fs.readFileSync(await dl.path());
    return { images: files['my-digits-images-idx3-ubyte'], labels: files['my-digits-labels-idx1-ubyte'] };
  } finally { await srv.close(); }
}

const b = await launch();
let set;
try { set = READ === 'reference' ? await referenceSet(b.context) : await padSet(b.context); } finally { await b.close(); }

const idx = path.join(dir, 'idx');
fs.mkdirSync(idx);
fs.writeFileSync(path.join(idx, 't10k-images-idx3-ubyte'), set.images);
fs.writeFileSync(path.join(idx, 't10k-labels-idx1-ubyte'), set.labels);
const out = { date: new Date().toISOString().slice(0, 10), commit: execFileSync('git', ['-C', ROOT, 'rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).trim(),
  drawn: drawn.length, per_digit: PER_DIGIT, seed: SEED, read: READ,
  command: `node bench/freehand.mjs --per-digit ${PER_DIGIT} --seed ${SEED} --read ${READ}`, models: [] };
for (const m of models) {
  const e = JSON.parse(execFileSync(CLI, ['eval', '--model', m.file, '--data', idx, '--json'], { encoding: 'utf8' }));
  const preds = e.confusion_matrix;  // rows: true digit
  out.models.push({ name: m.name, train: `digitlab train ${m.args.join(' ')}`, mnist_test_accuracy: m.mnist, drawn_accuracy: e.test_accuracy,
    per_digit: preds.map((row, k) => row[k] / row.reduce((a, b) => a + b, 0)), confusion: preds });
  log(`${m.name}: reads ${(100 * e.test_accuracy).toFixed(1)}% of ${drawn.length} drawn digits (MNIST test ${(100 * m.mnist).toFixed(2)}%)`);
}
fs.writeFileSync(path.join(ROOT, 'docs', 'results', `freehand-seed${SEED}-${READ}.json`), JSON.stringify(out, null, 1));
fs.rmSync(dir, { recursive: true, force: true });
execFileSync('python3', [path.join(ROOT, 'bench', 'accuracy.py'), 'render'], { stdio: 'inherit' });
