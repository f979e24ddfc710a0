// "How robust is it?": a model's test accuracy as the test images are rotated, shifted, scaled and
// noised. Checked here: each curve passes through the test accuracy at its unchanged point; a shift
// of 3 pixels gives what `digitlab eval` gives on test images shifted by this test (an independent
// shift: whole pixels, written as IDX files); a model trained with shifted images holds up where the
// plain one falls; the previous run's curves are kept, grey, beside the new ones; a link opens the view.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { ROOT, launch, serve, openPage, status, waitStatus, shotWindow, screenshot, sleep, click, realErrors,
  trainModel } from './helpers.mjs';

const CLI = path.join(ROOT, 'build', 'native', 'digitlab');
let srv, browser, dir;
before(async () => {
  srv = await serve({ isolation: true });
  browser = await launch();
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'digitlab-robust-'));
});
after(async () => { await browser?.close(); await srv?.close(); fs.rmSync(dir, { recursive: true, force: true }); });

// MNIST's test set with every image moved k whole pixels to the right (zeros from the left), as the
// four IDX files `digitlab eval --data` reads (the training files are not read by eval).
function shiftedTestSet(k) {
  const mnist = path.join(ROOT, 'assets', 'mnist');
  const img = zlib.gunzipSync(fs.readFileSync(path.join(mnist, 't10k-images-idx3-ubyte.gz')));
  const out = Buffer.from(img);
  const n = img.readUInt32BE(4);
  for (let i = 0; i < n; i++)
    for (let r = 0; r < 28; r++)
      for (let c = 0; c < 28; c++)
        out[16 + i * 784 + r * 28 + c] = c - k >= 0 ? img[16 + i * 784 + r * 28 + c - k] : 0;
  const d = path.join(dir, `shift${k}`);
  fs.mkdirSync(d);
  fs.writeFileSync(path.join(d, 't10k-images-idx3-ubyte'), out);
  fs.copyFileSync(path.join(mnist, 't10k-labels-idx1-ubyte.gz'), path.join(d, 't10k-labels-idx1-ubyte.gz'));
  return d;
}

const at = (curve, x) => { const p = curve.find((q) => q[0] === x); assert.ok(p, `no point at ${x}`); return p[1]; };

async function loadAndCompute(page, model, label) {
  const before = (await status(page)).eval_version;
  await page.setInputFiles('#model-file', model);
  const s = await waitStatus(page, (s) => s.eval_version > before && s.test_accuracy != null && !s.evaluating, 60000,
    `${label}: its test accuracy`);
  await click(page, 'robust.compute');
  const t0 = Date.now();
  const r = await waitStatus(page, (s) => s.robustness && s.robustness.curves, 240000, `${label}: the curves`);
  return { acc: s.test_accuracy, r: r.robustness, ms: Date.now() - t0 };
}

test('how robust is it: curves through the test accuracy, a shift as the CLI reads it, augmentation holds up', async (t) => {
  const plain = trainModel(dir, 'mlp', 6000);
  const shifted = path.join(dir, 'mlp-shift.dlmodel');
  execFileSync(CLI, ['train', '--preset', 'mlp', '--epochs', '1', '--limit', '6000', '--seed', '1', '--width-shift', '0.2',
    '--save', shifted], { stdio: 'ignore' });
  const cliShift3 = JSON.parse(execFileSync(CLI, ['eval', '--model', plain, '--data', shiftedTestSet(3), '--json'])).test_accuracy;

  const { page, errors } = await openPage(browser.context, srv.url);
  await waitStatus(page, (s) => s.app_ready && s.data && s.data.phase === 'ready', 60000, 'dataset ready');
  assert.equal((await status(page)).robustness, null, 'closed at first');

  // The plain mlp: opened from the Evaluation window once a model is there.
  await page.setInputFiles('#model-file', plain);
  await waitStatus(page, (s) => s.test_accuracy != null && !s.evaluating, 60000, 'the plain model evaluated');
  await click(page, 'evaluation.robust');
  let s = await waitStatus(page, (s) => s.robustness && s.robustness.shown, 5000, 'the window');
  assert.equal(s.robustness.curves, null);
  assert.equal(s.robustness.images, 10000);
  await click(page, 'robust.compute');
  s = await waitStatus(page, (s) => s.robustness.running || s.robustness.curves, 10000, 'the sweep begun');
  const a = await waitStatus(page, (s) => s.robustness.curves, 240000, 'the plain model\'s curves');
  const c = a.robustness.curves;
  assert.equal(a.robustness.images_used, 10000);
  assert.deepEqual(Object.keys(c), ['rotation', 'shift', 'scale', 'noise']);
  assert.deepEqual(c.rotation.map((p) => p[0]), [-45, -37.5, -30, -22.5, -15, -7.5, 0, 7.5, 15, 22.5, 30, 37.5, 45]);
  assert.equal(c.shift.length, 13);
  assert.equal(c.scale.length, 9);
  assert.equal(c.noise.length, 6);
  // The unchanged images are the test set: every curve passes through the test accuracy.
  for (const [curve, x] of [[c.rotation, 0], [c.shift, 0], [c.scale, 1], [c.noise, 0]])
    assert.equal(at(curve, x), a.test_accuracy, `${x}: ${at(curve, x)} vs ${a.test_accuracy}`);
  // Three pixels right, as the CLI reads test images shifted here.
  assert.equal(at(c.shift, 3), cliShift3, `shift 3: app ${at(c.shift, 3)}, CLI ${cliShift3}`);
  // A plain mlp falls off on every side.
  for (const [curve, lo, hi] of [[c.rotation, -45, 45], [c.shift, -6, 6], [c.scale, 0.6, 1.4], [c.noise, 0.5, 0.5]]) {
    assert.ok(at(curve, lo) < a.test_accuracy - 0.3, `${lo}: ${at(curve, lo)}`);
    assert.ok(at(curve, hi) < a.test_accuracy - 0.3, `${hi}: ${at(curve, hi)}`);
  }
  t.diagnostic(`plain mlp: test ${a.test_accuracy}; rotation ±45° ${at(c.rotation, -45)}/${at(c.rotation, 45)}, shift ±4 px ` +
    `${at(c.shift, -4)}/${at(c.shift, 4)}, shift 3 ${at(c.shift, 3)} = CLI ${cliShift3}`);
  await sleep(300);
  await shotWindow(page, 'robust', 'robust-plain');

  // The model trained on images shifted up to ±20% (5.6 px) across: the plain one is now the previous
  // run, its curves grey; the new one holds up under shifts of 4 pixels, where the plain one fell.
  const b = await loadAndCompute(page, shifted, 'the shift-trained model');
  assert.deepEqual(b.r.previous, c, 'the previous run\'s curves, unchanged');
  const w = b.r.curves.shift;
  for (const x of [-4, 4]) assert.ok(at(w, x) > at(c.shift, x) + 0.3, `shift ${x}: ${at(w, x)} vs plain ${at(c.shift, x)}`);
  assert.equal(at(w, 0), b.acc);
  t.diagnostic(`shift-trained mlp: test ${b.acc}; shift ±4 px ${at(w, -4)}/${at(w, 4)} (plain ${at(c.shift, -4)}/${at(c.shift, 4)}); ` +
    `41 points of 10,000 images in ${b.ms} ms`);
  await sleep(300);
  await shotWindow(page, 'robust', 'robust-compared');
  await screenshot(page, 'robust-page');

  // 1,000 images per point: the first 1,000 of the test set.
  const last = (await status(page)).robustness.curves;
  await click(page, 'robust.images');
  await click(page, 'robust.images.1000');
  assert.equal((await status(page)).robustness.images, 1000);
  await click(page, 'robust.compute');
  s = await waitStatus(page, (s) => s.robustness.curves && s.robustness.images_used === 1000, 60000, '1,000 a point');
  assert.notDeepEqual(s.robustness.curves, last);
  const first1000 = JSON.parse(execFileSync(CLI, ['robust', '--model', shifted, '--images', '1000', '--json'])).points;
  assert.equal(at(s.robustness.curves.rotation, 30), first1000.find((p) => p.kind === 'rotation' && p.amount === 30).accuracy);
  // A shared link opens the view too.
  await click(page, 'menu.share');
  await click(page, 'menu.share.link');
  s = await waitStatus(page, (s) => s.lesson_link !== '', 5000, 'the lesson link');
  assert.match(s.lesson_link, /&view=robust$/);
  await click(page, 'share.ok');
  assert.deepEqual(realErrors(errors), []);
  const again = await openPage(browser.context, s.lesson_link);
  s = await waitStatus(again.page, (s) => s.app_ready && s.robustness && s.robustness.shown, 60000, 'the view, opened by the link');
  assert.equal(s.robustness.curves, null, 'no model yet: nothing computed');
  assert.deepEqual(realErrors(again.errors), []);
  await page.close();
});
