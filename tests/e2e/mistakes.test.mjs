// The confusion matrix's cells open their test images: a click on a cell of mistakes shows the test
// images of that digit read as the other one, the ones the network was surest about first; a click
// (or a tap) on the diagonal shows correct ones, the least sure first; the open cell is outlined in the matrix;
// the window's close button closes it. The model comes from the native CLI (a short run), loaded
// through the page's file input, which evaluates it on the test set. The images' indices are checked
// against the MNIST test labels, and the pictures by the ink in a screenshot. Two runs compared: the
// difference of a model's matrix from its own is all zero, and of two models is the element-wise
// difference of their matrices, drawn in green and red.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { ROOT, launch, serve, openPage, status, waitStatus, screenshot, sleep, layout, regionPixels, countPixels,
  realErrors, trainModel, pressAt, click, shotWindow } from './helpers.mjs';

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

test('two runs compared cell by cell: a run with itself differs nowhere, two models by their matrices\' difference', async (t) => {
  const a = trainModel(dir, 'mlp', 6000);
  const b = trainModel(dir, 'cnn-tiny', 10000);
  const { page, errors } = await openPage(browser.context, srv.url);
  await waitStatus(page, (s) => s.app_ready && s.data && s.data.phase === 'ready', 60000, 'dataset ready');
  // Each loaded model is a new run; the one before is kept to compare with, matrix included.
  const load = async (file, before) => {
    const { run, eval_version } = await status(page);
    await page.setInputFiles('#model-file', file);
    return waitStatus(page, (s) => s.run > run && s.eval_version > eval_version && !s.evaluating &&
      JSON.stringify(s.previous_confusion) === JSON.stringify(before), 30000, `${path.basename(file)} evaluated, the run before kept`);
  };
  await page.setInputFiles('#model-file', a);
  let s = await waitStatus(page, (s) => s.confusion != null && !s.evaluating, 30000, 'the first model evaluated');
  assert.equal(s.previous_confusion, null);
  assert.equal(s.confusion_diff, null);
  const confA = s.confusion;

  s = await load(a, confA);
  assert.deepEqual(s.confusion, confA);
  assert.ok(s.confusion_diff.flat().every((v) => v === 0), 'a run against itself: all zero');

  s = await load(b, confA);
  const confB = s.confusion;
  assert.notDeepEqual(confB, confA);
  assert.deepEqual(s.confusion_diff, confB.map((row, i) => row.map((v, j) => v - confA[i][j])));
  assert.equal(s.confusion_diff.flat().reduce((x, y) => x + y, 0), 0, 'each row keeps its 10,000 images');
  const gained = confB.reduce((n, row, i) => n + row[i], 0) - confA.reduce((n, row, i) => n + row[i], 0);
  t.diagnostic(`cnn-tiny (10,000 images) against mlp (6,000 images): ${gained >= 0 ? '+' : ''}${gained} read right; ` +
    `diagonal change ${s.confusion_diff.map((r, i) => r[i]).join(' ')}`);

  // The switch shows the difference: green and red cells in the matrix.
  assert.equal(s.eval_diff, false);
  await click(page, 'evaluation.diff');
  s = await waitStatus(page, (s) => s.eval_diff, 5000, 'the difference shown');
  await sleep(300);
  const px = await regionPixels(page, 'evaluation.confusion');
  const green = countPixels(px, (R, G, B) => G > R + 40 && G > B + 20);
  const red = countPixels(px, (R, G, B) => R > G + 60 && R > B + 60);
  const better = s.confusion_diff.flat().filter((v, k) => (k % 11 === 0) === (v > 0) && v !== 0).length;
  const worse = s.confusion_diff.flat().filter((v, k) => (k % 11 === 0) === (v < 0) && v !== 0).length;
  t.diagnostic(`cells better ${better}, worse ${worse}; green pixels ${green}, red ${red}`);
  assert.ok(better > 0 && worse > 0, 'these two models differ both ways');
  assert.ok(green > 50, 'better cells are green');
  assert.ok(red > 50, 'worse cells are red');
  await shotWindow(page, 'window.evaluation', 'runs-compared');
  assert.deepEqual(realErrors(errors), []);
  await page.close();
});
