// The confusion matrix's cells open their test images: a click on a cell of mistakes shows the test
// images of that digit read as the other one, the ones the network was surest about first; a click
// (or a tap) on the diagonal shows correct ones, the least sure first; the open cell is outlined in the matrix;
// the window's close button closes it. The model comes from the native CLI (a short run), loaded
// through the page's file input, which evaluates it on the test set. The images' indices are checked
// against the MNIST test labels, and the pictures by the ink in a screenshot.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { ROOT, launch, serve, openPage, status, waitStatus, screenshot, sleep, layout, regionPixels, countPixels,
  realErrors, trainModel, pressAt } from './helpers.mjs';

let srv, browser, dir;
before(async () => {
  srv = await serve({ isolation: true });
  browser = await launch({ hasTouch: true });  // mouse clicks and finger taps both open cells
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'digitlab-mistakes-'));
});
after(async () => { await browser?.close(); await srv?.close(); fs.rmSync(dir, { recursive: true, force: true }); });

// The MNIST test labels, from the same file the app serves.
function testLabels() {
  const b = zlib.gunzipSync(fs.readFileSync(path.join(ROOT, 'assets', 'mnist', 't10k-labels-idx1-ubyte.gz')));
  assert.equal(b.readUInt32BE(0), 2049);
  return b.subarray(8);
}

async function clickCell(page, truth, predicted) {
  const r = (await layout(page))['evaluation.confusion'];
  assert.ok(r && r.w > 100, 'layout() gives the confusion matrix');
  await pressAt(page, r.x + (predicted + 0.5) * r.w / 10, r.y + (truth + 0.5) * r.h / 10);
}

// Dark ink (the Ink map draws strokes dark on light), and the red of the open cell's outline (the
// matrix's colour map has no red).
const isInk = (R, G, B) => R < 90 && G < 90 && B < 90;
const isRed = (R, G, B) => R > 200 && G < 100 && B < 100;

test('a click on a confusion-matrix cell shows its test images, the most telling first', async (t) => {
  const file = trainModel(dir, 'mlp', 6000);
  const labels = testLabels();
  const { page, errors } = await openPage(browser.context, srv.url);
  await waitStatus(page, (s) => s.app_ready && s.data && s.data.phase === 'ready', 60000, 'dataset ready');
  assert.equal((await status(page)).confusion, null, 'no confusion matrix before a model');
  await page.setInputFiles('#model-file', file);
  let s = await waitStatus(page, (s) => s.confusion != null && !s.evaluating, 30000, 'the loaded model\'s evaluation');
  assert.equal(s.cell_view, null);
  const conf = s.confusion;
  assert.equal(conf.flat().reduce((a, b) => a + b, 0), 10000);

  // The cell with the most mistakes.
  let worst = [0, 1];
  for (let i = 0; i < 10; i++) for (let j = 0; j < 10; j++) if (i !== j && conf[i][j] > conf[worst[0]][worst[1]]) worst = [i, j];
  const [ti, pj] = worst;
  t.diagnostic(`most mistakes: ${conf[ti][pj]} images of a ${ti} read as a ${pj}`);
  assert.ok(conf[ti][pj] >= 5, 'a 6,000-image model makes some mistakes');
  await clickCell(page, ti, pj);
  s = await waitStatus(page, (s) => s.cell_view && s.cell_view.truth === ti && s.cell_view.predicted === pj, 5000, 'the cell\'s images');
  let v = s.cell_view;
  assert.equal(v.total, conf[ti][pj]);
  assert.equal(v.items.length, Math.min(v.total, 120));
  assert.equal(new Set(v.items).size, v.items.length, 'each image once');
  for (const i of v.items) assert.equal(labels[i], ti, `test image ${i} is a ${ti}`);
  for (let k = 1; k < v.probabilities.length; k++) assert.ok(v.probabilities[k - 1] >= v.probabilities[k], 'surest first');
  // The prediction is the most probable of 10 classes, so it has at least 10%.
  assert.ok(v.probabilities.every((p) => p >= 0.1 && p <= 1));
  await sleep(300);
  const ink = countPixels(await regionPixels(page, 'evaluation.cell.grid'), isInk);
  const red = countPixels(await regionPixels(page, 'evaluation.confusion'), isRed);
  assert.ok(red > 20, 'the open cell is outlined in the matrix');
  t.diagnostic(`${v.items.length} images shown, ${ink} ink pixels, ${red} red outline pixels; surest ${(100 * v.probabilities[0]).toFixed(1)}%`);
  assert.ok(ink > 20 * v.items.length, 'the digits are drawn');
  await screenshot(page, 'mistakes-cell');

  // The diagonal, tapped with a finger: correct answers, the least sure first.
  const m = (await layout(page))['evaluation.confusion'];
  await page.touchscreen.tap(m.x + (pj + 0.5) * m.w / 10, m.y + (pj + 0.5) * m.h / 10);
  s = await waitStatus(page, (s) => s.cell_view && s.cell_view.truth === pj && s.cell_view.predicted === pj, 5000, 'the diagonal cell\'s images');
  v = s.cell_view;
  assert.equal(v.total, conf[pj][pj]);
  assert.equal(v.items.length, 120, 'at most 120 shown');
  for (const i of v.items) assert.equal(labels[i], pj);
  for (let k = 1; k < v.probabilities.length; k++) assert.ok(v.probabilities[k - 1] <= v.probabilities[k], 'least sure first');
  await screenshot(page, 'mistakes-diagonal');

  // The close button closes it; the matrix stays.
  const close = (await layout(page))['evaluation.cell.close'];
  await pressAt(page, close.x + close.w / 2, close.y + close.h / 2);
  s = await waitStatus(page, (s) => s.cell_view == null, 5000, 'the window to close');
  assert.deepEqual(s.confusion, conf);
  await sleep(300);
  assert.equal(countPixels(await regionPixels(page, 'evaluation.confusion'), isRed), 0, 'no outline once closed');
  assert.deepEqual(realErrors(errors), []);
  await page.close();
});
