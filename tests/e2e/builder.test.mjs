// The model builder and the training options (issue 4), driven with the mouse through layout():
// picking the cnn-tiny preset shows its 6,722 parameters and loads its recipe; editing, reordering
// and removing layers in the builder updates shapes and parameter counts; a 30×30 kernel on a 28×28
// image is explained on its row and training is refused with that message (from the Start button
// and from a lesson link with autostart); a tiny custom network trains for a few seconds with
// augmentation, EarlyStopping and ReduceLROnPlateau, and status() shows the callbacks' events and
// the strip of augmented images. Screenshots go to build/screenshots/builder-*.png.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { ROOT, launch, serve, openPage, status, waitStatus, screenshot, shotWindow, sleep, layout, click, realErrors } from './helpers.mjs';

let srv, browser;
before(async () => { srv = await serve({ isolation: true }); browser = await launch(); });
after(async () => { await browser?.close(); await srv?.close(); });

const ready = (page) => waitStatus(page, (s) => s.app_ready && s.data && s.data.phase === 'ready', 60000, 'dataset ready');

// The "+" step button at the right end of an ImGui InputInt.
const clickPlus = (page, key) => click(page, key, { at: (r) => r.x + r.w - r.h / 2 });

test('cnn-tiny from the picker: 6,722 params and its recipe; edit, reorder, remove; an impossible kernel is refused', async (t) => {
  const { page, errors } = await openPage(browser.context, `${srv.url}#preset=mlp`);
  await ready(page);
  let s = await status(page);
  assert.equal(s.model.total_params, 407050);

  // Pick cnn-tiny in the Model window's preset picker.
  await click(page, 'model.preset');
  await click(page, 'model.preset.cnn-tiny');
  s = await waitStatus(page, (s) => s.model.name === 'cnn-tiny', 5000, 'cnn-tiny picked');
  assert.equal(s.model.total_params, 6722);
  assert.equal(s.model.trainable_params, 6722);
  assert.equal(s.model.non_trainable_params, 0);
  assert.equal(s.model.layers.length, 9);
  assert.equal(s.model.layers[0].shape, '(None, 26, 26, 8)');
  assert.equal(s.settings.batch, 128, 'the recipe came with it');
  assert.equal(s.settings.val_split, 0.2);
  assert.equal(s.settings.early_stopping.enabled, true);
  assert.equal(s.settings.early_stopping.patience, 5);
  // The memory a run needs, as the CLI's summary says it, within 10%: the app adds its copies of 6,722
  // weights, and natively (AVX2) the GEMM packs 16-column strips where wasm packs 8, so the native
  // estimate counts a 5.5 MB copy of the first convolution's gradient that wasm does without.
  const cliMb = Number(execFileSync(path.join(ROOT, 'build', 'native', 'digitlab'), ['summary', '--preset', 'cnn-tiny'],
    { encoding: 'utf8' }).match(/Training memory with the recipe \(batch 128, adam\): about (\d+) MB/)[1]);
  t.diagnostic(`cnn-tiny training memory: app ${(s.model.train_bytes / 1e6).toFixed(1)} MB, CLI ${cliMb} MB`);
  assert.ok(Math.abs(s.model.train_bytes / 1e6 - cliMb) <= 0.1 * cliMb, `app ${s.model.train_bytes} bytes vs CLI ${cliMb} MB`);
  await sleep(300);
  await shotWindow(page, 'window.model', 'builder-model-cnn-tiny');

  // Open the builder; one more filter in the first convolution: 8 → 9 filters.
  await click(page, 'model.edit');
  await waitStatus(page, (s) => s.model.builder_open, 5000, 'the builder to open');
  await clickPlus(page, 'builder.row1.filters');
  s = await waitStatus(page, (s) => s.model.total_params !== 6722, 5000, 'params to change');
  // conv2d 3·3·1·9 + 9 = 90 (was 80); conv2d_1 3·3·9·8 + 8 = 656 (was 584).
  assert.equal(s.model.layers[0].params, 90);
  assert.equal(s.model.layers[1].params, 656);
  assert.equal(s.model.total_params, 6722 + 10 + 72);
  assert.equal(s.model.name, 'custom');
  assert.match(s.model.layers_text, /^conv:9:3:relu,conv:8:3:relu,/);

  // Reorder: move Dropout (row 8) up above Flatten (row 7); remove it again.
  await click(page, 'builder.row8.up');
  s = await waitStatus(page, (s) => s.model.layers[6].type === 'Dropout', 5000, 'Dropout moved up');
  assert.equal(s.model.layers[6].shape, '(None, 4, 4, 16)');
  assert.equal(s.model.layers[7].type, 'Flatten');
  await click(page, 'builder.row7.remove');
  s = await waitStatus(page, (s) => s.model.layers.length === 8, 5000, 'Dropout removed');
  assert.equal(s.model.total_params, 6804);

  // Add a layer: a Dense 64 relu after Flatten (row 7 now).
  await click(page, 'builder.add7');
  await click(page, 'builder.add7.Dense');
  s = await waitStatus(page, (s) => s.model.layers.length === 9, 5000, 'Dense added');
  assert.equal(s.model.layers[7].shape, '(None, 64)');
  assert.equal(s.model.layers[7].params, 256 * 64 + 64);
  assert.equal(s.model.layers[8].params, 64 * 10 + 10);
  await sleep(300);
  await screenshot(page, 'builder-edited');

  // An impossible network: kernel 30 in the first convolution (typed into the field).
  await click(page, 'builder.row1.kernel', { dx: 0.25 });
  await page.keyboard.press('Control+A');
  await sleep(100);
  await page.keyboard.type('30', { delay: 120 });
  await page.keyboard.press('Enter');
  s = await waitStatus(page, (s) => s.model.error !== '', 5000, 'the build error');
  t.diagnostic(`impossible: ${s.model.error}`);
  assert.match(s.model.error, /layer 1 \(Conv2D\): a 30x30 kernel does not fit in its 28x28 input/);
  assert.equal(s.model.error_layer, 0, 'the error is on the first row');
  assert.equal(s.can_start, false);
  assert.ok((await layout(page))['builder.error'], 'the reason is shown under the row');
  await sleep(300);
  await screenshot(page, 'builder-impossible');

  // Done; Start is off, and a click on it does not train.
  await click(page, 'builder.done');
  await waitStatus(page, (s) => !s.model.builder_open, 5000, 'the builder to close');
  await click(page, 'training.start');
  await sleep(1000);
  s = await status(page);
  assert.equal(s.phase, 'idle');
  assert.equal(s.steps, 0);
  assert.ok((await layout(page))['training.refused'], 'the Training window says why');
  await shotWindow(page, 'window.training', 'builder-refused-training');
  await shotWindow(page, 'window.model', 'builder-refused-model');
  assert.deepEqual(realErrors(errors), []);
  await page.close();
});

test('a lesson link with an impossible network and autostart: training is refused with the reason', async () => {
  const { page, errors } = await openPage(browser.context,
    `${srv.url}#layers=conv:8:30:relu,flatten,dense:10:softmax&autostart=1`);
  await ready(page);
  const s = await waitStatus(page, (s) => s.refused !== '', 10000, 'the refusal');
  assert.match(s.refused, /^Training did not start: .*30x30 kernel does not fit in its 28x28 input/);
  assert.equal(s.phase, 'idle');
  assert.deepEqual(realErrors(errors), []);
  await page.close();
});

test('a network too large for the page\'s memory is refused with the numbers, and the app goes on', async (t) => {
  // 118.6 million parameters: building it passes (the limit is 134 million), but training would need
  // about 4 GB of a tab's 2 GB. Before the check, the trainer thread's allocation aborted the page.
  const { page, errors } = await openPage(browser.context,
    `${srv.url}#layers=flatten,dense:65536:relu,dense:1024:relu,dense:10:softmax&autostart=1`);
  await ready(page);
  let s = await waitStatus(page, (s) => s.refused !== '', 10000, 'the refusal');
  t.diagnostic(s.refused);
  assert.match(s.refused, /^Training did not start: at batch 32 this network needs about 4\.\d GB of memory \(.*\), and the page has [0-9.]+ GB\./);
  assert.equal(s.model.total_params, 118565898, 'the summary shows the network');
  assert.equal(s.phase, 'idle');
  assert.equal(s.error, '');
  await sleep(300);
  assert.ok((await layout(page))['training.refused'], 'the Training window says why');
  await shotWindow(page, 'window.training', 'builder-refused-memory');
  // The app still trains what fits: the same tab, a network a tenth the size, starts.
  await page.evaluate(() => { location.hash = '#layers=flatten,dense:4096:relu,dense:10:softmax&autostart=1'; });
  s = await waitStatus(page, (s) => s.phase === 'training' && s.steps > 0, 30000, 'the smaller network to train');
  assert.equal(s.refused, '');
  assert.deepEqual(realErrors(errors), []);
  await page.close();
});

test('a browser that grants less memory than the page\'s limit: the network is refused, not the page', async (t) => {
  // V8 told to let wasm memory grow to 1 GB only (a phone's browser may stop earlier than 2 GB): a
  // 31.8-million-parameter network (about 1.2 GB to train) passes the estimate against the 2 GB limit,
  // and the app's one trial allocation finds out. Without that trial the trainer's first vector aborted the page.
  const small = await launch({ args: ['--js-flags=--wasm-max-mem-pages=16384'] });
  try {
    const { page, errors } = await openPage(small.context, `${srv.url}#layers=flatten,dense:40000:relu,dense:10:softmax&autostart=1`);
    await ready(page);
    let s = await waitStatus(page, (s) => s.refused !== '' || s.steps > 0 || s.error !== '', 20000, 'the refusal');
    t.diagnostic(s.refused);
    assert.equal(s.error, '');
    assert.match(s.refused, /^Training did not start: at batch 32 this network needs about 1\.\d GB of memory, and the browser would not give the page that much/);
    await page.evaluate(() => { location.hash = '#layers=flatten,dense:4096:relu,dense:10:softmax&autostart=1'; });
    s = await waitStatus(page, (s) => s.phase === 'training' && s.steps > 0, 30000, 'the smaller network to train');
    assert.equal(s.refused, '');
    assert.deepEqual(realErrors(errors), []);
  } finally { await small.close(); }
});

test('a lesson link pasted into an open tab (only the hash changes) applies its settings', async () => {
  const { page, errors } = await openPage(browser.context, `${srv.url}#preset=mlp`);
  await ready(page);
  let s = await status(page);
  assert.equal(s.model.name, 'mlp');
  await page.evaluate(() => { location.hash = '#preset=cnn-tiny&epochs=3&batch=64&lr=0.002'; });
  s = await waitStatus(page, (s) => s.model.name === 'cnn-tiny', 10000, 'the new preset');
  assert.equal(s.model.total_params, 6722);
  assert.equal(s.epochs, 3);
  assert.equal(s.settings.batch, 64);
  assert.ok(Math.abs(s.settings.lr - 0.002) < 1e-6, `lr ${s.settings.lr}`);
  assert.equal(s.settings.val_split.toFixed(2), '0.20', 'the rest of the recipe is cnn-tiny\'s');
  // cnn-tiny's EarlyStopping watches its 20% held out: no note. With validation 0% the callbacks
  // watch the test set, and both the Basics and the Callbacks tab say so.
  await sleep(300);
  let l = await layout(page);
  assert.ok(l['training.epochs'], 'the Basics tab is the one shown');  // else the note's absence says nothing
  assert.equal(l['training.test_steers_basics'], undefined);
  await page.evaluate(() => { location.hash = '#preset=cnn-tiny&val=0&tab=basics'; });
  s = await waitStatus(page, (s) => s.settings.val_split === 0, 10000, 'validation 0%');
  assert.equal(s.settings.early_stopping.enabled, true);
  await sleep(300);
  assert.ok((await layout(page))['training.test_steers_basics'], 'a note in Basics');
  await page.evaluate(() => { location.hash = '#preset=cnn-tiny&val=0&tab=callbacks'; });
  for (let i = 0; i < 20 && !(await layout(page))['training.test_steers']; ++i) await sleep(250);
  assert.ok((await layout(page))['training.test_steers'], 'the note in Callbacks');
  await shotWindow(page, 'window.training', 'callbacks-watch-test-set');
  assert.deepEqual(realErrors(errors), []);
  await page.close();
});

test('Share: a lesson link reproduces the network and every training setting in a new tab', async (t) => {
  // Settings far from any recipe's, including an edited network, set through a first link.
  const setup = '#preset=mlp&layers=flatten,dense:64:relu,dropout:0.2,dense:10:softmax&opt=sgd&momentum=0.8' +
    '&lr=0.05&batch=64&epochs=7&seed=5&val=0.15&class_weights=balanced&rotation=12&zoom=0.05&width_shift=0.1' +
    '&early_stopping=val_accuracy&patience=3&restore_best=1&reduce_lr=val_loss&lr_factor=0.3&lr_patience=2&min_lr=0.0001';
  const { page, errors } = await openPage(browser.context, srv.url + setup);
  await ready(page);
  const a = await status(page);
  // The menu: Share › Copy a link to this lesson.
  await click(page, 'menu.share');
  await click(page, 'menu.share.link');  // (click() waits for the menu's item to appear)
  const s = await waitStatus(page, (s) => s.lesson_link !== '', 5000, 'the lesson link');
  t.diagnostic(s.lesson_link);
  assert.ok(s.lesson_link.startsWith(srv.url + '#preset=mlp&layers='), s.lesson_link);
  assert.equal(await page.evaluate(() => location.href), s.lesson_link, 'the address bar shows the link');
  assert.ok((await layout(page))['share.ok'], 'a popup shows the link');
  await screenshot(page, 'share-link');
  await page.close();

  // A fresh tab from the link alone (no first link this time) gets the same lesson.
  const second = await openPage(browser.context, s.lesson_link.replace(srv.url, srv.url + '?fresh=1'));
  await ready(second.page);
  const b = await status(second.page);
  assert.equal(b.model.layers_text, a.model.layers_text);
  assert.equal(b.model.total_params, a.model.total_params);
  assert.equal(b.epochs, 7);
  assert.deepEqual(b.settings, a.settings);
  assert.equal(b.settings.seed, 5);
  assert.equal(b.settings.optimizer, 'sgd');
  assert.equal(b.settings.augment.rotation, 12);
  assert.equal(b.settings.early_stopping.monitor, 'val_accuracy');
  assert.deepEqual(realErrors(errors.concat(second.errors)), []);
  await second.page.close();
});

test('a tiny custom network with augmentation and callbacks: events on the curves, the strip of fed images', async (t) => {
  // 6,000 training images (validation 90%), a 7,850-parameter network, SGD with a large step so that
  // validation loss stalls: ReduceLROnPlateau fires, then EarlyStopping stops and restores the best
  // weights. Deterministic for this seed; a few seconds even on 2 cores.
  const hash = 'layers=in=flat,dense:10:softmax&optimizer=sgd&lr=1&batch=100&val=0.9&epochs=10&seed=1' +
    '&rotation=15&zoom=0.1&shift=0.1&early_stopping=val_loss&patience=2&min_delta=0.02&restore_best=1' +
    '&reduce_lr=val_loss&lr_patience=0&lr_factor=0.5&tab=augmentation&autostart=1';
  const { page, errors } = await openPage(browser.context, `${srv.url}#${hash}`);
  await ready(page);
  let s = await status(page);
  assert.equal(s.model.total_params, 7850);
  assert.deepEqual(s.settings.augment, { rotation: 15, zoom: 0.1, width_shift: 0.1, height_shift: 0.1, hflip: false, vflip: false });
  assert.equal(s.settings.optimizer, 'sgd');
  assert.equal(s.settings.reduce_lr.factor, 0.5);
  s = await waitStatus(page, (s) => s.phase === 'training' && s.strip.n > 0, 60000, 'the strip while training');
  assert.equal(s.strip.n, 16);
  assert.equal(s.strip.labels.length, 16);
  await shotWindow(page, 'window.training', 'builder-training-strip');
  s = await waitStatus(page, (s) => s.phase === 'finished' && s.test_accuracy != null, 120000, 'the run to end');
  t.diagnostic(`events: ${JSON.stringify(s.events)}`);
  const texts = s.events.map((e) => e.text);
  assert.ok(texts.some((e) => /^learning rate reduced to 0\.5$/.test(e)), 'LR reduced');
  assert.ok(texts.some((e) => /^early stop: val_loss did not improve for 2 epochs$/.test(e)), 'early stop');
  assert.ok(texts.some((e) => /^best weights restored \(epoch \d+\)$/.test(e)), 'best restored');
  assert.ok(s.history.length < 10, 'stopped early');
  assert.equal(s.validation, 'held out', 'val_* measured on the 90% held out (the curves say "validation")');
  assert.ok(s.history.some((h) => h.lr === 0.5), 'the lr curve shows the reduction');
  assert.ok((await layout(page))['training.events'], 'the event log is shown');
  await sleep(500);
  await shotWindow(page, 'window.training', 'builder-training-events');

  // Flips: a warning next to them.
  await click(page, 'training.tab.augmentation');
  await click(page, 'training.vflip', { dx: 0.1 });
  s = await waitStatus(page, (s) => s.settings.augment.vflip, 5000, 'vflip on');
  await sleep(300);
  assert.ok((await layout(page))['training.flip_warning'], 'flips come with a warning');
  await shotWindow(page, 'window.training', 'builder-flip-warning');

  // Balanced class weights: the table on all 60,000 training images, as sklearn computes them.
  assert.ok(Math.abs(s.class_weights_all[0] - 1.0130001688333614) < 1e-12);
  assert.ok(Math.abs(s.class_weights_all[1] - 0.8899436369029962) < 1e-12);
  assert.ok(Math.abs(s.class_weights_all[9] - 1.0085728693898135) < 1e-12);
  await click(page, 'training.tab.weights');
  await click(page, 'training.balanced', { dx: 0.1 });
  s = await waitStatus(page, (s) => s.settings.class_weights === 'balanced', 5000, 'balanced on');
  await sleep(300);
  await shotWindow(page, 'window.training', 'builder-class-weights');
  await screenshot(page, 'builder-app');
  assert.deepEqual(realErrors(errors), []);
  await page.close();
});
