// A user's own data in the Data window: small IDX files made here (a .gz images file and a raw
// labels file, picked with the file chooser) replace MNIST and train; a damaged file and a broken
// .gz are refused in words and the data in use stays; a Kaggle-style train.csv and a model file
// dropped on the page while a run is going are refused and the run stays; after Stop the CSV loads;
// "Use MNIST again" switches back. Kaggle's test.csv (made here from MNIST's test images: no label
// column) is read by the loaded model into submission.csv, the same file `digitlab predict` writes.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { execFileSync } from 'node:child_process';
import { ROOT, launch, serve, openPage, status, waitStatus, shotWindow, sleep, click, realErrors, trainModel, spilled } from './helpers.mjs';

let srv, browser, dir;
before(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'digitlab-userdata-'));
  srv = await serve({ isolation: true });
  browser = await launch();
});
after(async () => { await browser?.close(); await srv?.close(); fs.rmSync(dir, { recursive: true, force: true }); });

// The first n MNIST test digits as IDX files (big-endian header, then bytes).
function idx(n) {
  const img = zlib.gunzipSync(fs.readFileSync(path.join(ROOT, 'assets/mnist/t10k-images-idx3-ubyte.gz')));
  const lab = zlib.gunzipSync(fs.readFileSync(path.join(ROOT, 'assets/mnist/t10k-labels-idx1-ubyte.gz')));
  const ih = Buffer.alloc(16), lh = Buffer.alloc(8);
  ih.writeUInt32BE(2051, 0); ih.writeUInt32BE(n, 4); ih.writeUInt32BE(28, 8); ih.writeUInt32BE(28, 12);
  lh.writeUInt32BE(2049, 0); lh.writeUInt32BE(n, 4);
  return { images: Buffer.concat([ih, img.subarray(16, 16 + n * 784)]), labels: Buffer.concat([lh, lab.subarray(8, 8 + n)]),
           rawImages: img, rawLabels: lab };
}

test('own IDX and CSV data load, bad files are refused with the data kept, MNIST comes back', async (t) => {
  const { page, errors } = await openPage(browser.context, `${srv.url}#preset=mlp&epochs=1&batch=32`);
  await waitStatus(page, (s) => s.app_ready && s.data && s.data.phase === 'ready', 60000, 'dataset ready');
  const bin = 'application/octet-stream';
  const d = idx(700);

  // 1. An images file gzipped, its labels raw: one set, so 1 in 7 are held out for testing.
  await page.setInputFiles('#data-files', [
    { name: 'my-images-idx3-ubyte.gz', mimeType: bin, buffer: zlib.gzipSync(d.images) },
    { name: 'my-labels-idx1-ubyte', mimeType: bin, buffer: d.labels },
  ]);
  let s = await waitStatus(page, (s) => s.data.source.includes('my-images'), 15000, 'own IDX data');
  assert.equal(s.data.train, 600);
  assert.equal(s.data.test, 100);
  assert.equal(s.data.user_error, '');
  t.diagnostic(`own IDX: ${s.data.source}: ${s.data.user_note}`);
  await sleep(300);
  await shotWindow(page, 'window.data', 'userdata-idx');
  // Its longer header (the file names, the held-out note) still leaves the averages in the window.
  assert.deepEqual(await spilled(page), []);

  // 2. A damaged images file (the header promises 700 images, the bytes hold 100): refused, data kept.
  await page.setInputFiles('#data-files', [
    { name: 'broken-images-idx3-ubyte', mimeType: bin, buffer: d.images.subarray(0, 16 + 100 * 784) },
    { name: 'broken-labels-idx1-ubyte', mimeType: bin, buffer: d.labels },
  ]);
  s = await waitStatus(page, (s) => s.data.user_error !== '', 15000, 'an error for the damaged file');
  t.diagnostic(`damaged IDX: ${s.data.user_error}`);
  assert.match(s.data.user_error, /broken-images-idx3-ubyte/);
  assert.match(s.data.user_error, /truncated/);
  assert.match(s.data.user_error, /has not changed/);
  assert.equal(s.data.train, 600);
  assert.ok(s.data.source.includes('my-images'));
  await sleep(300);
  await shotWindow(page, 'window.data', 'userdata-error');

  // 3. A .gz that is not really gzip inside, and an images file without its labels.
  await page.setInputFiles('#data-files', [{ name: 'x-images.gz', mimeType: bin, buffer: Buffer.from([0x1f, 0x8b, 8, 0, 1, 2, 3, 4, 5]) }]);
  s = await waitStatus(page, (s) => /could not be unpacked/.test(s.data.user_error), 15000, 'an error for the broken .gz');
  await page.setInputFiles('#data-files', [{ name: 'lonely-images-idx3-ubyte', mimeType: bin, buffer: d.images }]);
  s = await waitStatus(page, (s) => /no labels file/.test(s.data.user_error), 15000, 'an error for the missing labels');
  assert.equal(s.data.train, 600);

  // 4. Training runs on the user's data: one Step.
  await click(page, 'training.step');
  s = await waitStatus(page, (s) => s.steps === 1, 20000, 'a step on own data');

  // 5. A Kaggle-style train.csv dropped on the page (a drop, as a file manager does it). Training is
  // paused (still running), so it is refused first; after Stop it loads.
  const rows = ['label,' + Array.from({ length: 784 }, (_, i) => 'pixel' + i).join(',')];
  for (let i = 0; i < 70; i++) rows.push([d.rawLabels[8 + i], ...d.rawImages.subarray(16 + i * 784, 16 + (i + 1) * 784)].join(','));
  const csv = rows.join('\n') + '\n';
  const drop = (text, name = 'train.csv') => page.evaluate(({ text, name }) => {
    const dt = new DataTransfer();
    dt.items.add(new File([typeof text === 'string' ? text : new Uint8Array(text)], name));
    document.getElementById('canvas').dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));
  }, { text, name });
  await drop(csv);
  s = await waitStatus(page, (s) => /Stop the training first/.test(s.data.user_error), 15000, 'refused while training');
  // A model file dropped now would have ended the run and replaced its network: refused too.
  const during = s;
  await drop([...fs.readFileSync(trainModel(dir, 'cnn-tiny', 200))], 'cnn-tiny.dlmodel');
  s = await waitStatus(page, (s) => s.model_error !== '', 15000, 'the model file refused while training');
  t.diagnostic(`model file while training: ${s.model_error}`);
  assert.match(s.model_error, /cnn-tiny\.dlmodel.*in progress.*Stop it first.*have not changed/);
  assert.equal(s.model_notice, '');
  assert.equal(s.phase, during.phase);
  assert.equal(s.steps, 1);
  assert.equal(s.preset, during.preset);
  assert.equal(s.model.name, during.model.name);
  await click(page, 'training.stop');
  await waitStatus(page, (s) => s.phase === 'stopped' && !s.evaluating, 20000, 'stopped');
  await drop(csv);
  s = await waitStatus(page, (s) => s.data.source === 'train.csv' && s.data.user_error === '', 15000, 'the CSV loaded');
  assert.equal(s.data.train, 60);
  assert.equal(s.data.test, 10);
  // A CSV with a bad value names the line.
  await drop(csv.replace(/\n(\d),0,/, '\n$1,300,'));
  s = await waitStatus(page, (s) => s.data.user_error !== '', 15000, 'an error for the bad CSV');
  t.diagnostic(`bad CSV: ${s.data.user_error}`);
  assert.match(s.data.user_error, /line \d+/);
  assert.equal(s.data.train, 60);

  // 6. Back to MNIST.
  await click(page, 'data.mnist');
  s = await waitStatus(page, (s) => s.data.source === 'MNIST', 10000, 'MNIST again');
  assert.equal(s.data.train, 60000);
  assert.equal(s.data.test, 10000);
  assert.deepEqual(realErrors(errors), []);
  await page.close();
});

test('Kaggle test.csv: the current model reads it into submission.csv, the labels digitlab predict gives', async (t) => {
  const model = trainModel(dir, 'mlp', 3000);
  const d = idx(1);
  const n = 2000;
  const rows = [Array.from({ length: 784 }, (_, i) => 'pixel' + i).join(',')];
  for (let i = 0; i < n; i++) rows.push([...d.rawImages.subarray(16 + i * 784, 16 + (i + 1) * 784)].join(','));
  const csvPath = path.join(dir, 'test.csv');
  fs.writeFileSync(csvPath, rows.join('\n') + '\n');
  const cli = execFileSync(path.join(ROOT, 'build', 'native', 'digitlab'),
    ['predict', '--csv', csvPath, '--model', model], { stdio: ['ignore', 'pipe', 'ignore'] }).toString();

  const { page, errors } = await openPage(browser.context, srv.url);
  await waitStatus(page, (s) => s.app_ready && s.data && s.data.phase === 'ready', 60000, 'dataset ready');
  // Before there is a model: the file loads beside the data in use, and waits for one.
  await page.setInputFiles('#data-files', csvPath);
  let s = await waitStatus(page, (s) => s.data.kaggle && s.data.kaggle.images === n, 15000, 'test.csv loaded');
  assert.equal(s.data.source, 'MNIST');
  assert.equal(s.data.train, 60000);
  assert.equal(s.data.user_error, '');
  assert.equal(s.data.kaggle.name, 'test.csv');
  assert.equal(s.data.kaggle.done, false);

  await page.setInputFiles('#model-file', model);
  await waitStatus(page, (s) => s.confusion != null && !s.evaluating, 30000, 'the loaded model\'s evaluation');
  const [download] = await Promise.all([page.waitForEvent('download'), click(page, 'data.kaggle.predict')]);
  assert.equal(download.suggestedFilename(), 'submission.csv');
  const text = fs.readFileSync(await download.path(), 'utf8');
  const lines = text.trimEnd().split('\n');
  assert.equal(lines[0], 'ImageId,Label');
  assert.equal(lines.length, n + 1, 'one row per image plus the header');
  assert.equal(lines[n], `${n},${lines[n].split(',')[1]}`, 'ImageId counts from 1');
  assert.equal(text, cli, 'the same submission as digitlab predict on the same model');
  s = await waitStatus(page, (s) => s.data.kaggle.done, 5000, 'predictions done');
  assert.equal(s.data.kaggle.predicted, n);
  assert.equal(s.data.kaggle.model, 'mlp');
  const counts = Array(10).fill(0);
  for (const l of lines.slice(1)) counts[+l.split(',')[1]]++;
  t.diagnostic(`submission.csv: ${lines.length - 1} rows, labels per digit ${counts.join(' ')}; same as digitlab predict`);
  await sleep(300);
  await shotWindow(page, 'window.data', 'kaggle-submission');

  // A damaged test.csv names its line; the loaded one stays.
  await page.setInputFiles('#data-files', { name: 'test2.csv', mimeType: 'text/csv', buffer: Buffer.from(rows[0] + '\n1,2,3\n') });
  s = await waitStatus(page, (s) => s.data.user_error !== '', 15000, 'an error for the damaged test.csv');
  assert.match(s.data.user_error, /test2\.csv: line 2 has 3 values, expected 784/);
  assert.equal(s.data.kaggle.name, 'test.csv');
  assert.deepEqual(realErrors(errors), []);
  await page.close();
});
