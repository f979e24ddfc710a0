// "My digits": drawings kept with a label survive a reload; the current model's accuracy on them equals
// `digitlab eval` on the exported IDX files (so the export holds what was kept, and the test reads it as
// the CLI does); the PNG sheet holds each of them; a click on a tile removes it; the exported files import back.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ROOT, launch, serve, openPage, status, waitStatus, click, layout, pressAt, shotWindow, sleep, realErrors,
  drawStrokes, trainModel, idxPair, SHOTS } from './helpers.mjs';

let srv, browser, dir;
before(async () => {
  srv = await serve({ isolation: true });
  browser = await launch();
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'digitlab-mine-'));
});
after(async () => { await browser?.close(); await srv?.close(); fs.rmSync(dir, { recursive: true, force: true }); });

// Strokes in pad fractions (x, y), one polyline each.
const SHAPES = {
  7: [[[0.25, 0.2], [0.75, 0.2], [0.45, 0.85]]],
  1: [[[0.5, 0.15], [0.5, 0.85]]],
  0: [Array.from({ length: 17 }, (_, i) => [0.5 + 0.22 * Math.sin(i * Math.PI / 8), 0.5 - 0.32 * Math.cos(i * Math.PI / 8)])],
  4: [[[0.6, 0.85], [0.6, 0.15], [0.25, 0.6], [0.75, 0.6]]],
};

async function keep(page, label) {
  const n = (await status(page)).mine.n;
  await click(page, 'draw.keep');
  await click(page, `draw.keep.${label}`);
  return waitStatus(page, (s) => s.mine.n === n + 1, 5000, `kept as a ${label}`);
}

async function exported(page) {
  const downloads = [];
  page.on('download', (d) => downloads.push(d));
  await click(page, 'mine.export');
  const t0 = Date.now();
  while (downloads.length < 2 && Date.now() - t0 < 10000) await sleep(100);
  assert.equal(downloads.length, 2, 'two files');
  const out = {};
  for (const d of downloads) out[d.suggestedFilename()] = fs.readFileSync(await d.path());
  return out;
}

test('my digits: kept, read by the model as the CLI reads them, kept over a reload, exported and imported', async (t) => {
  const model = trainModel(dir, 'mlp', 6000);
  const { page, errors } = await openPage(browser.context, srv.url);
  let s = await waitStatus(page, (s) => s.app_ready && s.data && s.data.phase === 'ready' && s.mine.loaded, 60000, 'ready');
  assert.equal(s.mine.n, 0);
  await page.setInputFiles('#model-file', model);
  await waitStatus(page, (s) => s.test_accuracy != null && !s.evaluating, 60000, 'the model');

  const labels = [7, 1, 0, 4, 7, 1];
  for (const k of labels) {
    await drawStrokes(page, SHAPES[k].map((line) => line.map(([u, v]) => [u + (labels.indexOf(k) % 2 ? 0.05 : 0), v])));
    s = await keep(page, k);
  }
  assert.deepEqual(s.mine.labels, labels);
  // A drawing kept with the wrong label on purpose: the model should read it as itself, so a miss.
  await drawStrokes(page, SHAPES[0]);
  s = await keep(page, 6);
  await click(page, 'menu.view');
  await click(page, 'menu.mine');
  s = await waitStatus(page, (s) => s.mine.shown && s.mine.test, 10000, 'the test on my digits');
  const app = s.mine.test;
  t.diagnostic(`mlp reads ${Math.round(app.accuracy * s.mine.n)} of ${s.mine.n} kept digits: ${app.predictions.join(' ')}`);
  assert.notEqual(app.predictions[labels.length], 6, 'a 0 kept as a 6 is not read as a 6');

  // The same files through the CLI: the same accuracy.
  const files = await exported(page);
  assert.deepEqual(Object.keys(files).sort(), ['my-digits-images-idx3-ubyte', 'my-digits-labels-idx1-ubyte']);
  const d = path.join(dir, 'idx');
  fs.mkdirSync(d);
  fs.writeFileSync(path.join(d, 't10k-images-idx3-ubyte'), files['my-digits-images-idx3-ubyte']);
  fs.writeFileSync(path.join(d, 't10k-labels-idx1-ubyte'), files['my-digits-labels-idx1-ubyte']);
  const cli = JSON.parse(execFileSync(path.join(ROOT, 'build', 'native', 'digitlab'), ['eval', '--model', model, '--data', d, '--json']));
  assert.equal(files['my-digits-labels-idx1-ubyte'].length, 8 + 7);
  assert.ok(Math.abs(app.accuracy - cli.test_accuracy) < 1e-6, `app ${app.accuracy}, CLI ${cli.test_accuracy}`);  // status() writes 6 digits
  assert.deepEqual(app.confusion, cli.confusion_matrix);
  await shotWindow(page, 'mine', 'mine-window');

  // The PNG sheet, decoded by the browser: every kept digit in it at twice its size, dark on white (255
  // minus the exported image's pixels), found wherever it is; the digits in rows by label, 0 at the top,
  // and a label's digits left to right in the order kept.
  const sheetFile = await new Promise((resolve, reject) => {
    page.once('download', resolve);
    click(page, 'mine.sheet').catch(reject);
  });
  assert.equal(sheetFile.suggestedFilename(), 'my-digits.png');
  const png = fs.readFileSync(await sheetFile.path());
  fs.mkdirSync(SHOTS, { recursive: true });
  fs.writeFileSync(path.join(SHOTS, 'mine-sheet.png'), png);  // to look at
  const sheet = await page.evaluate(async (b64) => {
    const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
    const bmp = await createImageBitmap(new Blob([bytes], { type: 'image/png' }));
    const c = new OffscreenCanvas(bmp.width, bmp.height);
    const ctx = c.getContext('2d');
    ctx.drawImage(bmp, 0, 0);
    const rgba = ctx.getImageData(0, 0, bmp.width, bmp.height).data;
    return { w: bmp.width, h: bmp.height, grey: Array.from({ length: bmp.width * bmp.height }, (_, i) => rgba[4 * i]) };
  }, png.toString('base64'));
  const imgs = files['my-digits-images-idx3-ubyte'].subarray(16);
  // Every place image i is at (top to bottom, left to right). Digits drawn alike are alike to the pixel
  // (both 7s, and the 0 kept as a 6 with the 0): the k-th of them kept takes the k-th place.
  const places = (i) => {
    const px = (x, y) => 255 - imgs[i * 784 + (y >> 1) * 28 + (x >> 1)];
    const out = [];
    for (let y0 = 0; y0 + 56 <= sheet.h; y0++)
      scan: for (let x0 = 0; x0 + 56 <= sheet.w; x0++) {
        for (let y = 0; y < 56; y++)
          for (let x = 0; x < 56; x++) if (sheet.grey[(y0 + y) * sheet.w + x0 + x] !== px(x, y)) continue scan;
        out.push([x0, y0]);
      }
    return out;
  };
  const same = (i, j) => imgs.subarray(i * 784, (i + 1) * 784).equals(imgs.subarray(j * 784, (j + 1) * 784));
  const kept = [...labels, 6];
  const at = kept.map((_, i) => {
    const alike = kept.map((_, j) => j).filter((j) => same(i, j));
    const p = places(i);
    assert.equal(p.length, alike.length, `digit ${i} is on the sheet once for each digit kept like it`);
    return p[alike.indexOf(i)];
  });
  t.diagnostic(`sheet ${sheet.w} x ${sheet.h}: ${kept.map((k, i) => `${k}@${at[i]}`).join(' ')}`);
  const y = (k) => at[kept.indexOf(k)][1];
  for (const [a, b] of [[0, 1], [1, 4], [4, 6], [6, 7]]) assert.ok(y(a) < y(b), `the ${a}s above the ${b}s`);
  assert.equal(at[0][1], at[4][1], 'both 7s in one row');
  assert.ok(at[0][0] < at[4][0], 'the first 7 kept on the left');

  // A reload keeps them.
  await page.reload();
  s = await waitStatus(page, (s) => s.app_ready && s.mine && s.mine.loaded, 60000, 'reloaded');
  assert.deepEqual(s.mine.labels, [...labels, 6]);

  // A click on the first 7's tile removes it; the exported pair imports back after the others.
  await click(page, 'menu.view');
  await click(page, 'menu.mine');
  await waitStatus(page, (s) => s.mine.shown, 5000, 'the window');
  const row = (await layout(page))['mine.row.7'];
  const cell = Math.floor(row.h);  // a row of one line: its height is a tile's
  await pressAt(page, row.x + cell / 2, row.y + cell / 2);
  s = await waitStatus(page, (s) => s.mine.n === labels.length, 5000, 'one removed');
  assert.deepEqual(s.mine.labels, [1, 0, 4, 7, 1, 6]);
  await click(page, 'mine.import');
  const a = path.join(dir, 'my-digits-images-idx3-ubyte'), b = path.join(dir, 'my-digits-labels-idx1-ubyte');
  fs.writeFileSync(a, files['my-digits-images-idx3-ubyte']);
  fs.writeFileSync(b, files['my-digits-labels-idx1-ubyte']);
  await page.setInputFiles('#data-files', [a, b]);
  s = await waitStatus(page, (s) => s.mine.n === 13, 10000, 'imported');
  assert.deepEqual(s.mine.labels, [1, 0, 4, 7, 1, 6, ...labels, 6]);
  assert.equal(s.data.source, 'MNIST', 'the training data did not change');
  assert.deepEqual(realErrors(errors), []);
  await page.close();
});

test('my digits: fine-tuned on, the held-out ones read as the CLI reads them before and after', async (t) => {
  const model = trainModel(dir, 'mlp', 6000);
  // "3"s no one writes: a thick bar across the bottom, each starting at another column (0..11) so that
  // no two are alike; the network has never seen one. Every 4th (indices 3, 7, 11) is held out: they
  // start at columns 1, 5 and 9, between ones trained on.
  const starts = [0, 2, 3, 1, 4, 6, 7, 5, 8, 10, 11, 9];
  const bars = starts.map((x0) => Array.from({ length: 784 }, (_, p) => {
    const y = Math.floor(p / 28), x = p % 28;
    return y >= 20 && y < 24 && x >= 1 + x0 && x < 17 + x0 ? 255 : 0;
  }));
  const [img, lab] = idxPair(bars, bars.map(() => 3));
  const a = path.join(dir, 'bars-images-idx3-ubyte'), b = path.join(dir, 'bars-labels-idx1-ubyte');
  fs.writeFileSync(a, img);
  fs.writeFileSync(b, lab);
  const heldDir = path.join(dir, 'held');
  fs.mkdirSync(heldDir);
  const [hImg, hLab] = idxPair([3, 7, 11].map((i) => bars[i]), [3, 3, 3]);
  fs.writeFileSync(path.join(heldDir, 't10k-images-idx3-ubyte'), hImg);
  fs.writeFileSync(path.join(heldDir, 't10k-labels-idx1-ubyte'), hLab);
  const cliRight = (m) => {
    const j = JSON.parse(execFileSync(path.join(ROOT, 'build', 'native', 'digitlab'), ['eval', '--model', m, '--data', heldDir, '--json']));
    return Math.round(j.test_accuracy * 3);
  };

  const own = await serve({ isolation: true });  // another origin: none of the first test's digits kept
  t.after(() => own.close());
  const { page, errors } = await openPage(browser.context, `${own.url}#limit=6000`);
  await waitStatus(page, (s) => s.app_ready && s.data && s.data.phase === 'ready' && s.data.train === 6000 && s.mine.loaded, 60000, 'ready');
  await page.setInputFiles('#model-file', model);
  await waitStatus(page, (s) => s.test_accuracy != null && !s.evaluating, 60000, 'the model');
  await click(page, 'menu.view');
  await click(page, 'menu.mine');
  await waitStatus(page, (s) => s.mine.shown, 5000, 'the window');
  await click(page, 'mine.import');
  await page.setInputFiles('#data-files', [a, b]);
  let s = await waitStatus(page, (s) => s.mine.n === 12 && s.mine.test, 20000, 'imported and read');
  const testBefore = s.test_accuracy;
  await click(page, 'mine.tune');
  s = await waitStatus(page, (s) => s.mine.tune.stage === 'running', 20000, 'the fine-tuning');
  assert.equal(s.train_n, 6000 + 9 * 33, 'MNIST\'s 6,000 and 9 bars 33 times each (5% of an epoch)');
  s = await waitStatus(page, (s) => s.mine.tune.stage === 'done', 180000, 'the fine-tuning to end');
  const tune = s.mine.tune;
  t.diagnostic(`held-out bars read as 3: before ${tune.right_before}/3, after ${tune.right_after}/3; ` +
               `MNIST test ${tune.test_before} -> ${tune.test_after}; ${s.epochs_done} epochs`);
  assert.equal(tune.error, '');
  assert.deepEqual(tune.held, [3, 7, 11]);
  assert.equal(tune.trained, 9);
  assert.equal(tune.repeats, 33);
  assert.equal(tune.test_before, testBefore);
  assert.equal(tune.right_before, cliRight(model), 'before: the loaded model, as the CLI reads the held-out bars');
  assert.ok(tune.right_before < 3, 'a bar is no 3 to a network that never saw one');
  assert.equal(tune.right_after, 3, 'all three held-out bars read as 3 after fine-tuning');
  assert.ok(tune.test_after > tune.test_before - 0.02, `MNIST kept: ${tune.test_before} -> ${tune.test_after}`);
  // The fine-tuned network, downloaded: the CLI reads the held-out bars as the window says.
  const dl = (await layout(page))['model.download'];
  const [download] = await Promise.all([page.waitForEvent('download'), page.mouse.click(dl.x + dl.w / 2, dl.y + dl.h / 2)]);
  const tuned = path.join(dir, 'tuned.dlmodel');
  await download.saveAs(tuned);
  assert.equal(cliRight(tuned), tune.right_after);
  await shotWindow(page, 'mine', 'mine-tuned');
  assert.deepEqual(realErrors(errors), []);
  await page.close();
});
