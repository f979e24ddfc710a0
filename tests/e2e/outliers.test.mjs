// The Data window's "Unusual images": for each digit, the training images farthest from that digit's
// average image — checked here against a direct computation on the MNIST files the app serves — and
// the pairs of digits whose images most often lie nearer the other digit's average; a click on an
// image gives its label and the loaded model's reading, the same the CLI's model gives.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { ROOT, launch, serve, openPage, status, waitStatus, shotWindow, screenshot, sleep, layout, pressAt, click, realErrors,
  trainModel } from './helpers.mjs';

let srv, browser, dir;
before(async () => {
  srv = await serve({ isolation: true });
  browser = await launch();
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'digitlab-outliers-'));
});
after(async () => { await browser?.close(); await srv?.close(); fs.rmSync(dir, { recursive: true, force: true }); });

// MNIST's training set, and per digit the images in order of their distance from the digit's mean,
// farthest first (ties: lower index first). n·x − S and its square are whole numbers below 2^53, so
// the doubles hold every distance exactly.
function direct() {
  const img = zlib.gunzipSync(fs.readFileSync(path.join(ROOT, 'assets/mnist/train-images-idx3-ubyte.gz'))).subarray(16);
  const lab = zlib.gunzipSync(fs.readFileSync(path.join(ROOT, 'assets/mnist/train-labels-idx1-ubyte.gz'))).subarray(8);
  const n = lab.length, sum = Array.from({ length: 10 }, () => new Float64Array(784)), count = new Float64Array(10);
  for (let i = 0; i < n; i++) {
    count[lab[i]]++;
    for (let p = 0; p < 784; p++) sum[lab[i]][p] += img[i * 784 + p];
  }
  const far = Array.from({ length: 10 }, () => []);
  for (let i = 0; i < n; i++) {
    const k = lab[i], c = count[k];
    let d = 0;
    for (let p = 0; p < 784; p++) { const v = c * img[i * 784 + p] - sum[k][p]; d += v * v; }
    far[k].push([d, i]);
  }
  const atypical = far.map((f) => f.sort((a, b) => b[0] - a[0] || a[1] - b[1]).slice(0, 12).map((x) => x[1]));
  const rms = far.map((f, k) => f.slice(0, 12).map((x) => Math.sqrt(x[0] / (count[k] * count[k]) / 784)));
  return { img, lab, atypical, rms };
}

test('unusual images: the farthest from their digit\'s average, the digits most mixed, a click reads one', async (t) => {
  const model = trainModel(dir, 'mlp', 6000);
  const want = direct();
  const { page, errors } = await openPage(browser.context, srv.url);
  await waitStatus(page, (s) => s.app_ready && s.data && s.data.phase === 'ready', 60000, 'dataset ready');
  assert.equal((await status(page)).data.outliers, null);
  await click(page, 'data.outliers');
  const t0 = Date.now();
  let s = await waitStatus(page, (s) => s.data.outliers && s.data.outliers.ready, 60000, 'the scan');
  t.diagnostic(`scan of 60,000 images: about ${Date.now() - t0} ms, spread over frames`);
  const o = s.data.outliers;
  assert.deepEqual(o.atypical, want.atypical, 'the same images as the direct computation, in the same order');
  for (let k = 0; k < 10; k++)
    for (let j = 0; j < 12; j++) assert.ok(Math.abs(o.distance[k][j] - want.rms[k][j]) < 1e-5 * want.rms[k][j], `${k}: ${o.distance[k][j]} ${want.rms[k][j]}`);  // status() writes 6 digits
  assert.equal(o.pairs.length, 3);
  const pairs = o.pairs.map((p) => `${p.a}-${p.b} ${p.count}`);
  t.diagnostic(`farthest 0: image ${o.atypical[0][0]} (${o.distance[0][0].toFixed(1)} grey levels); pairs ${pairs.join(', ')}`);
  // Every example of a pair is an image of one of its two digits.
  for (const p of o.pairs) for (const i of p.examples) assert.ok(want.lab[i] === p.a || want.lab[i] === p.b);
  assert.ok(o.pairs[0].count >= o.pairs[1].count && o.pairs[1].count >= o.pairs[2].count);

  // Digit 4's grid; a click on its farthest image: its label, and no model yet to read it.
  await click(page, 'outliers.digit.4');
  s = await waitStatus(page, (s) => s.data.outliers.digit === 4, 5000, 'digit 4');
  const grid = (await layout(page))['outliers.atypical'];
  const cell = grid.w / 6;
  await pressAt(page, grid.x + cell / 2, grid.y + cell / 2);
  s = await waitStatus(page, (s) => s.data.outliers.picked != null, 5000, 'an image picked');
  assert.equal(s.data.outliers.picked.index, want.atypical[4][0]);
  assert.equal(s.data.outliers.picked.label, 4);
  assert.equal(s.data.outliers.picked.predicted, null);

  // With a model loaded, the same image gets the model's reading.
  await page.setInputFiles('#model-file', model);
  s = await waitStatus(page, (s) => s.data.outliers.picked && s.data.outliers.picked.predicted != null, 30000, 'the reading');
  const r = s.data.outliers.picked;
  t.diagnostic(`image ${r.index}, labelled ${r.label}: mlp reads ${r.predicted} (${(100 * r.probability).toFixed(0)}%)`);
  assert.ok(r.predicted >= 0 && r.predicted <= 9 && r.probability >= 0.1 && r.probability <= 1);
  await sleep(300);
  await shotWindow(page, 'outliers', 'outliers-window');
  await screenshot(page, 'outliers-page');
  assert.deepEqual(realErrors(errors), []);
  await page.close();
});
