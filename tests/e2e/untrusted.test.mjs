// Untrusted input in the browser (issue 18): lesson links that cannot be used in full, files past the
// caps or wrong inside, and faults — a trap on the trainer thread, in a kernel worker, in a frame, and
// an error no code caught. After each, the page still draws frames, status() answers, the model
// trained or loaded before and the data are unchanged, and training still works. Each case is a row
// of docs/reliability.md. Screenshots: build/screenshots/untrusted-*.png.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { execFileSync } from 'node:child_process';
import { ROOT, launch, serve, openPage, status, waitStatus, screenshot, shotWindow, sleep, click, drawSeven,
         trainModel, realErrors } from './helpers.mjs';

let srv, browser, dir;
before(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'digitlab-untrusted-'));
  srv = await serve({ isolation: true });
  browser = await launch();
});
after(async () => { await browser?.close(); await srv?.close(); fs.rmSync(dir, { recursive: true, force: true }); });

const ready = (page) => waitStatus(page, (s) => s.app_ready && s.data && s.data.phase === 'ready', 60000, 'dataset ready');

// The page is alive: frames keep coming and status() answers. (A focus event, which the page treats
// as a person coming back, asks for full rate: left alone the app draws 2 frames a second.)
async function alive(page, what) {
  const a = await page.evaluate(() => { window.dispatchEvent(new Event('focus')); return window.digitlab.frames().count; });
  await sleep(1600);
  const b = await page.evaluate(() => window.digitlab.frames().count);
  assert.ok(b - a >= 3, `${what}: ${b - a} frames in 1.6 s`);
  const s = await status(page);
  assert.equal(s.error, '', `${what}: no error overlay`);
  return s;
}

// What must survive a bad input: the trained or loaded model (its test results and what the pad reads
// with it) and the data.
const kept = (s) => JSON.stringify({ acc: s.test_accuracy, pad: s.prediction && s.prediction.probabilities,
                                     train: s.data.train, test: s.data.test, source: s.data.source });

// A model file written from the format in src/core/nn/model_file.h: Flatten, then Dense(units,
// softmax) layers (only the first can hold weights that fit), with a right checksum.
function modelFile(units, layers = 2) {
  const parts = [Buffer.from('DGLBMODL')];
  const u32 = (v) => { const b = Buffer.alloc(4); b.writeUInt32LE(v >>> 0); return b; };
  const layer = (kind, act, n) => {
    const b = Buffer.alloc(28);
    b.writeUInt8(kind, 0); b.writeUInt8(act, 1); b.writeInt32LE(n, 4); b.writeInt32LE(1, 12); b.writeFloatLE(0.3, 24);
    return b;
  };
  parts.push(u32(1), u32(4), Buffer.from('test'), u32(28), u32(28), u32(1), Buffer.from([0]), u32(layers), layer(3, 0, 0));
  for (let i = 1; i < layers; i++) parts.push(layer(0, 2, units));
  const n = 784 * units + units;
  const w = Buffer.alloc(4 * n);
  for (let i = 0; i < n; i++) w.writeFloatLE(0.01 * ((i % 7) - 3), 4 * i);
  parts.push(u32(n), u32(0), w, u32(0), u32(0));
  const body = Buffer.concat(parts);
  let h = 2166136261;
  for (const c of body) h = Math.imul(h ^ c, 16777619) >>> 0;
  return Buffer.concat([body, u32(h)]);
}

test('lesson links: what a link cannot use is named, a network that cannot train is refused, nothing else changes', async (t) => {
  const { page, errors } = await openPage(browser.context, `${srv.url}#preset=mlp`);
  await ready(page);
  // The model the links must leave alone: one loaded from a file, read on a drawn 7.
  await page.setInputFiles('#model-file', trainModel(dir, 'mlp', 3000));
  await waitStatus(page, (s) => s.test_accuracy != null && !s.evaluating, 30000, 'the loaded model evaluated');
  const before = await drawSeven(page);
  const want = kept(before);

  const link = async (hash, pred, what) => {
    await page.evaluate((h) => { location.hash = h; }, hash);
    const s = await waitStatus(page, pred, 10000, what);
    t.diagnostic(`${what}: ${JSON.stringify(s.link_notices)} ${s.refused || s.model.error}`);
    const after = await alive(page, what);
    assert.equal(kept(after), want, `${what}: the loaded model and the data are unchanged`);
    assert.notEqual(after.phase, 'training', `${what}: nothing trains`);
    return s;
  };
  const notices = (n) => (s) => s.link_notices.length === n; // only after a link with another count
  const first = (re) => (s) => s.link_notices.length === 1 && re.test(s.link_notices[0]);

  // Sizes that wrapped in wasm32: 2^32 weights read as 0, and the first forward pass read past them.
  let s = await link('#layers=conv:256:13,flatten,dense:65536,dense:10:softmax&autostart=1',
                     (s) => /4,295,076,352 parameters/.test(s.refused), 'Dense 65536 x 65536');
  assert.match(s.refused, /^Training did not start: the network cannot be trained here\. layer 3 \(Dense\): the model reaches 4,295,076,352 parameters here, too many for this tool \(limit 134,217,728\)/);
  assert.deepEqual(s.link_notices, []);
  // Two and 37 output units for ten classes (heap corruption before: the loss read p[y] past its row).
  s = await link('#layers=flatten,dense:2:softmax&autostart=1', (s) => /has 2 units/.test(s.refused), '2 output units');
  assert.match(s.model.error, /^layer 2 \(Dense\): the network's last layer has 2 units, but the data has 10 classes \(the digits 0-9\)/);
  assert.equal(s.model.error_layer, 1, 'the last row is the red one');
  s = await link('#layers=flatten,dense:37:softmax', (s) => /has 37 units/.test(s.model.error), '37 output units');
  await sleep(300);
  await shotWindow(page, 'window.model', 'untrusted-37-units');
  // A kernel larger than its input with 'same' padding (a division by zero before), a huge stride,
  // a negative LeakyReLU slope.
  s = await link('#layers=conv:8:4096:same,flatten,dense:10:softmax&autostart=1',
                 (s) => /4096x4096 kernel does not fit in its 28x28 input/.test(s.refused), 'kernel 4096 same');
  s = await link('#layers=conv:8:3:s2147483647,flatten,dense:10:softmax&autostart=1',
                 (s) => /the stride must be 1\.\.28/.test(s.refused), 'stride 2^31-1');
  s = await link('#layers=flatten,leaky:-1,dense:10:softmax&autostart=1',
                 (s) => /LeakyReLU's slope \(alpha\) must be 0\.\.1/.test(s.refused), 'leaky -1');
  // Values a link cannot use: each named with what is used instead, and autostart off.
  s = await link('#preset=resnet&val=1.5&batch=abc&epochs=-5&autostart=1', notices(5), 'bad values');
  assert.deepEqual(s.link_notices, [
    'preset=resnet: there is no such preset (mlp, mlp-deep, cnn-5x5, cnn-tiny, cnn-vgg); mlp is used instead',
    'val=1.5: the validation split must be 0..0.9; 0 is used instead',
    'batch=abc: not a number: the batch size must be a whole number 1..8192; 32 is used instead',
    'epochs=-5: the number of epochs must be a whole number 1..10000; 5 is used instead',
    'the link asks to start training, but not everything in it could be used: check the settings, then press Start']);
  assert.equal(s.settings.val_split, 0);
  assert.equal(s.settings.batch, 32);
  await sleep(300);
  assert.ok((await status(page)).link_notices.length === 5);
  await screenshot(page, 'untrusted-link-notices');
  s = await link('#layers=flatten,dense:64:relu:l2=nan,dense:10:softmax&lr=nan&min_delta=-1', notices(3), 'NaN and negatives');
  assert.match(s.link_notices[0], /^layers=flatten,dense:64:relu:l2=nan,dense:10:so…: the layers could not be read: "dense:64:relu:l2=nan": 'l2=nan': l2 needs a number/);
  assert.match(s.link_notices[1], /^lr=nan: not a number: the learning rate must be above 0 and at most 10; 0\.001 is used instead$/);
  assert.match(s.link_notices[2], /^min_delta=-1: early stopping's min_delta must be 0\.\.10; 0 is used instead$/);
  assert.equal(s.model.layers_text, 'flatten,dense:512:relu,dense:10:softmax', "mlp's network instead");
  s = await link('#layers=' + 'relu,'.repeat(65) + 'flatten,dense:10:softmax', first(/more than 64 layers/), '65 layers');
  assert.match(s.link_notices[0], /more than 64 layers; this tool builds at most 64/);
  s = await link('#preset=cnn-tiny&' + 'x'.repeat(20000), first(/characters long/), 'a 20,000-character link');
  assert.match(s.link_notices[0], /characters long, more than a lesson link's 16,384; nothing in it is used/);
  await click(page, 'link.ok');
  await sleep(300);
  assert.equal((await page.evaluate(() => window.digitlab.layout()))['link.ok'], undefined, 'OK closes the notice');

  // A link that can be used trains, in the same tab.
  await page.evaluate(() => { location.hash = '#preset=mlp&epochs=1&autostart=1'; });
  s = await waitStatus(page, (s) => s.phase === 'training' && s.steps > 20, 30000, 'a good link to train');
  assert.deepEqual(s.link_notices, []);
  assert.deepEqual(realErrors(errors), []);
  await page.close();
});

test('files: past the caps, wrong inside, or not for this data, each refused in words; the data and model stay', async (t) => {
  const { page, errors } = await openPage(browser.context, `${srv.url}#preset=mlp`);
  await ready(page);
  await page.setInputFiles('#model-file', trainModel(dir, 'mlp', 3000));
  await waitStatus(page, (s) => s.test_accuracy != null && !s.evaluating, 30000, 'the loaded model evaluated');
  const want = kept(await drawSeven(page));
  const bin = 'application/octet-stream';

  // Data files: each refusal names the file and leaves MNIST in use.
  const refused = async (files, re, what) => {
    await page.setInputFiles('#data-files', files);
    const s = await waitStatus(page, (s) => re.test(s.data.user_error), 30000, what);
    t.diagnostic(`${what}: ${s.data.user_error}`);
    assert.match(s.data.user_error, /The data in use has not changed\.$/);
    assert.equal(kept(await alive(page, what)), want, `${what}: the model and the data are unchanged`);
  };
  // 250 MB of zeros in a 243 KB .gz: the page stops inflating at 200 MB.
  await refused([{ name: 'bomb-images-idx3-ubyte.gz', mimeType: bin, buffer: zlib.gzipSync(Buffer.alloc(250e6), { level: 1 }) }],
                /^bomb-images-idx3-ubyte\.gz: this file inflates past 200 MB, the most a data file may hold; MNIST's training images are 47 MB\. Is it the right file\?/,
                'a .gz bomb');
  // 5,478,275 images of 28 x 28 in 320 bytes: the length check passed in wasm32 (16 + n·784 wrapped to 320).
  const crafted = Buffer.alloc(320);
  crafted.writeUInt32BE(2051, 0); crafted.writeUInt32BE(5478275, 4); crafted.writeUInt32BE(28, 8); crafted.writeUInt32BE(28, 12);
  const labels = Buffer.alloc(8 + 10); labels.writeUInt32BE(2049, 0); labels.writeUInt32BE(10, 4);
  await refused([{ name: 'crafted-images-idx3-ubyte', mimeType: bin, buffer: crafted },
                 { name: 'crafted-labels-idx1-ubyte', mimeType: bin, buffer: labels }],
                /crafted-images-idx3-ubyte: truncated: 5,478,275 images of 28x28 need 4,294,967,616 bytes, the file has 320/,
                'a header whose size wraps in 32 bits');
  // Images of 32 x 32.
  const img32 = Buffer.alloc(16 + 40 * 1024); img32.writeUInt32BE(2051, 0); img32.writeUInt32BE(40, 4); img32.writeUInt32BE(32, 8); img32.writeUInt32BE(32, 12);
  const lab40 = Buffer.alloc(8 + 40); lab40.writeUInt32BE(2049, 0); lab40.writeUInt32BE(40, 4);
  await refused([{ name: 'big-images-idx3-ubyte', mimeType: bin, buffer: img32 }, { name: 'big-labels-idx1-ubyte', mimeType: bin, buffer: lab40 }],
                /These images are 32 × 32 pixels; the networks here read 28 × 28 images/, 'images of 32 x 32');
  // CSV files: a label past 9, a word; Kaggle's test.csv.
  const header = 'label,' + Array.from({ length: 784 }, (_, i) => 'pixel' + i).join(',');
  const row = (label) => label + ',' + Array.from({ length: 784 }, (_, i) => (i % 50 ? 0 : 255)).join(',');
  const csv = (text, name = 'train.csv') => [{ name, mimeType: 'text/csv', buffer: Buffer.from(text) }];
  const rows = Array.from({ length: 30 }, (_, i) => row(i % 10));
  await refused(csv([header, ...rows.slice(0, 5), row(12), ''].join('\n')), /train\.csv: line 7 has label 12, not a digit 0-9/, 'label 12');
  await refused(csv([header, row(3).replace(',0,', ',zero,'), ''].join('\n')), /train\.csv: line 2, value \d+ is not a whole number 0-255/, 'a word');
  // Kaggle's test.csv is not training data: it loads beside the data in use, to predict (userdata.test.mjs).
  await page.setInputFiles('#data-files', csv([header.slice(6), row(0).slice(2), ''].join('\n'), 'test.csv'));
  await waitStatus(page, (s) => s.data.kaggle && s.data.kaggle.images === 1 && s.data.user_error === '', 30000, "Kaggle's test.csv");
  assert.equal(kept(await alive(page, "Kaggle's test.csv")), want, "Kaggle's test.csv: the model and the data are unchanged");
  // A file larger than the cap is not read at all (made in the page: 210 MB need not cross the wire).
  await page.evaluate(() => {
    const dt = new DataTransfer();
    dt.items.add(new File([new ArrayBuffer(210e6)], 'huge-images-idx3-ubyte'));
    document.getElementById('canvas').dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));
  });
  let s = await waitStatus(page, (s) => /huge-images-idx3-ubyte: this file is larger than 200 MB/.test(s.data.user_error), 30000, 'a raw file past the cap');
  assert.equal(kept(await alive(page, 'a raw file past the cap')), want);
  // A spreadsheet's CSV with a byte-order mark is not an error: it loads.
  await page.setInputFiles('#data-files', csv('\ufeff' + [header, ...rows, ''].join('\r\n')));
  s = await waitStatus(page, (s) => s.data.source === 'train.csv' && s.data.user_error === '', 15000, 'the CSV with a BOM');
  assert.equal(s.data.train + s.data.test, 30);
  await click(page, 'data.mnist');
  s = await waitStatus(page, (s) => kept(s) === want && !s.evaluating, 30000, 'MNIST again, the model evaluated on it again');

  // Model files: the checksum is right, the network is not; past the cap.
  const model = async (name, buffer, re, what) => {
    await page.setInputFiles('#model-file', { name, mimeType: bin, buffer });
    const s = await waitStatus(page, (s) => re.test(s.model_error), 15000, what);
    t.diagnostic(`${what}: ${s.model_error}`);
    assert.match(s.model_error, /Your current model has not changed\.$/);
    assert.equal(kept(await alive(page, what)), want, `${what}: the model is unchanged`);
  };
  await model('two.dlmodel', modelFile(2), /^"two\.dlmodel" does not fit this data: the network's last layer has 2 units, but the data has 10 classes/, 'a 2-class model');
  await model('deep.dlmodel', modelFile(10, 65), /the model file holds 65 layers; this tool builds at most 64/, 'a 65-layer model');
  const damaged = modelFile(10);
  damaged[200] ^= 1;
  await model('damaged.dlmodel', damaged, /its checksum does not match/, 'a damaged model');
  await page.evaluate(() => {
    const head = new TextEncoder().encode('DGLBMODL');
    const dt = new DataTransfer();
    dt.items.add(new File([head, new ArrayBuffer(300e6 - head.length)], 'huge.dlmodel'));
    document.getElementById('canvas').dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));
  });
  s = await waitStatus(page, (s) => /^"huge\.dlmodel" is 300 MB, more than the 256 MB such a file may hold\./.test(s.model_error), 30000, 'a model past the cap');
  assert.equal(kept(await alive(page, 'a model past the cap')), want);
  await sleep(300);
  await shotWindow(page, 'window.model', 'untrusted-model-file');

  // And training still works.
  await click(page, 'training.start');
  s = await waitStatus(page, (s) => s.phase === 'training' && s.steps > 20, 30000, 'training after it all');
  assert.deepEqual(realErrors(errors), []);
  await page.close();
});

test('faults: a trap on the trainer thread or in a kernel worker ends the run with a message, and training goes on', async (t) => {
  const { page, errors } = await openPage(browser.context, `${srv.url}#preset=mlp&epochs=1&autostart=1`);
  await ready(page);
  for (const [where, what] of [[1, 'the trainer thread'], [2, 'a kernel worker']]) {
    let s = await waitStatus(page, (s) => s.phase === 'training' && s.steps > 100, 60000, 'training');
    await page.evaluate((w) => window.Module._digitlab_test_fault(w), where);
    s = await waitStatus(page, (s) => s.trainer_fault !== '', 10000, `the fault in ${what}`);
    t.diagnostic(`${what}: ${s.message}`);
    assert.equal(s.trainer_fault, 'RuntimeError: unreachable');
    assert.equal(s.phase, 'stopped');
    assert.match(s.message, /^Training stopped: its thread failed \(RuntimeError: unreachable\)\. This is a bug in Digit Lab, not something you did\./);
    const steps = s.steps;
    s = await alive(page, what);
    assert.equal(s.steps, steps, 'the run ended where it was');
    assert.ok(s.metrics.loss > 0, 'its curves stay');
    if (where === 1) {
      await sleep(300);
      await shotWindow(page, 'window.training', 'untrusted-trainer-fault');
    }
    // Start makes a new trainer (and kernel pool): the run trains again, with its workers.
    await click(page, 'training.start');
    s = await waitStatus(page, (s) => s.phase === 'training' && s.steps > 100 && s.trainer_fault === '', 60000, `training after ${what}`);
    assert.equal(s.workers, 1);
  }
  assert.deepEqual(realErrors(errors), []);
  await page.close();
});

test('faults: an error no code caught is said; a trap in a frame stops the app with the overlay, which saves the model', async (t) => {
  const { page, errors } = await openPage(browser.context, `${srv.url}#preset=mlp&epochs=1&autostart=1`);
  await ready(page);
  await waitStatus(page, (s) => s.phase === 'training' && s.steps > 300, 60000, 'training');
  // A promise rejected with nobody to catch it: the frames go on, so a note says it and can be closed.
  await page.evaluate(() => { Promise.reject(new Error('a test rejection')); });
  let s = await waitStatus(page, (s) => s.note !== '', 5000, 'the note');
  assert.equal(s.note, 'Something went wrong in the page (a test rejection), but the app goes on. If it misbehaves, reload the page.');
  assert.equal(s.error, '');
  await screenshot(page, 'untrusted-note');
  await page.click('#note-close');
  assert.equal((await status(page)).note, '');
  // A trap in the next frame: the frames stop, and the overlay says so.
  await page.evaluate(() => window.Module._digitlab_test_fault(0));
  s = await waitStatus(page, (s) => s.error !== '', 10000, 'the overlay');
  assert.equal(s.error, 'Digit Lab stopped because of an error (RuntimeError: unreachable). Reload the page to start again.');
  // Where the frame was when it trapped (a browser's stack names only the function the frame's code is
  // inlined into), and the memory reserved from the start, not grown by loading MNIST and training.
  assert.equal(s.frame.stage, 'input');
  assert.ok(s.frame.frames > 0);
  assert.equal(s.frame.heap_size, 256 * 2 ** 20);
  await screenshot(page, 'untrusted-overlay');
  // Its button saves the model the pad was reading with, a file the CLI evaluates.
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('#overlay button')]);
  const file = path.join(dir, 'rescued.dlmodel');
  await download.saveAs(file);
  assert.equal(download.suggestedFilename(), 'digitlab-mlp.dlmodel');
  const j = JSON.parse(execFileSync(path.join(ROOT, 'build', 'native', 'digitlab'), ['eval', '--model', file, '--json'], { encoding: 'utf8' }));
  t.diagnostic(`the rescued model: ${j.test_accuracy} on the test set`);
  assert.ok(j.test_accuracy > 0.8, 'a trained model');
  assert.deepEqual(realErrors(errors).filter((e) => !/a test rejection|unreachable/.test(e)), []);
  await page.close();
});

test('settings typed in the UI: infinity and numbers past a range become the range\'s ends; the builder stops at 64 layers', async (t) => {
  const { page, errors } = await openPage(browser.context, `${srv.url}#preset=mlp-deep&tab=callbacks`);
  await ready(page);
  // Into a number field: click it, select what is there, type, Enter. ImGui's number fields take
  // only digits, signs, '.' and 'e', so "nan" cannot be typed; 1e39 is infinity as a float, which
  // std::max and std::clamp let through before.
  const type = async (key, text) => {
    await click(page, key, { dx: 0.3 });
    await page.keyboard.press('Control+A');
    await page.keyboard.type(text);
    await page.keyboard.press('Enter');
    await sleep(300);
    return status(page);
  };
  let s = await type('training.min_delta', '1e39');
  assert.equal(s.settings.early_stopping.min_delta, 10, 'infinity: the high end');
  s = await type('training.min_delta', '-3');
  assert.equal(s.settings.early_stopping.min_delta, 0, 'below the range: the low end');
  s = await type('training.lr_factor', '-1e39');
  assert.equal(s.settings.reduce_lr.factor, 0.01);
  // The builder's L2 field (mlp-deep's Dense(16) has L2 0.01).
  await click(page, 'model.edit');
  s = await type('builder.row8.l2', '1e39');
  assert.match(s.model.layers_text, /dense:16:relu:l2=1,dense:10:softmax$/, 'L2 at most 1');
  assert.equal(s.model.error, '');
  s = await type('builder.row8.l2', '-1');
  assert.match(s.model.layers_text, /dense:16:relu,dense:10:softmax$/, 'L2 0: no l2= in the text');
  await sleep(200);
  await shotWindow(page, 'builder.window', 'untrusted-builder-fields');
  await click(page, 'builder.done');
  // 64 layers from a link: they build, and the builder's "+" offers no 65th.
  await page.evaluate(() => { location.hash = '#layers=' + 'relu,'.repeat(62) + 'flatten,dense:10:softmax'; });
  s = await waitStatus(page, (s) => s.model.layers.length === 64, 10000, '64 layers');
  assert.equal(s.model.error, '');
  await click(page, 'model.edit');
  await click(page, 'builder.add0');
  await sleep(300);
  const L = await page.evaluate(() => window.digitlab.layout());
  assert.ok(!L['builder.add0.Dense'], 'no layer to add');
  await screenshot(page, 'untrusted-builder-64');
  await page.keyboard.press('Escape');  // closes the "+" menu
  await click(page, 'builder.done');
  // And those 64 layers train, with the settings typed above.
  await click(page, 'training.start');
  s = await waitStatus(page, (s) => s.phase === 'training' && s.steps > 5, 30000, 'the 64-layer network training');
  assert.equal(s.settings.early_stopping.min_delta, 0);
  assert.deepEqual(realErrors(errors), []);
  await page.close();
});

test('faults: the single-thread build traps inside a frame\'s training slice: the run ends with a message, the page goes on', async (t) => {
  // No isolation and no service worker: the single-thread build, which trains between frames.
  const plain = await serve({ isolation: false, blockSw: true });
  try {
    const { page, errors } = await openPage(browser.context, `${plain.url}#preset=mlp&epochs=1&autostart=1`);
    await ready(page);
    let s = await waitStatus(page, (s) => s.phase === 'training' && s.steps > 50, 60000, 'training');
    assert.equal(s.build, 'single-thread');
    await page.evaluate(() => window.Module._digitlab_test_fault(1));
    s = await waitStatus(page, (s) => s.trainer_fault !== '', 10000, 'the fault in a training slice');
    assert.equal(s.phase, 'stopped');
    assert.match(s.message, /^Training stopped: its thread failed \(RuntimeError: unreachable\)/);
    await alive(page, 'after the fault');
    await click(page, 'training.start');
    s = await waitStatus(page, (s) => s.phase === 'training' && s.steps > 50 && s.trainer_fault === '', 60000, 'training again');
    // This host has no service worker to give (404), which the page expects.
    assert.deepEqual(realErrors(errors).filter((e) => !/\(404\) was received when fetching the script/.test(e)), []);
    await page.close();
  } finally { await plain.close(); }
});
