// The training buttons, touch input and the model kept in this browser, on one page of a touch-capable
// browser: Step trains exactly one batch and pauses; Resume goes on; Pause holds the batch count;
// Stop ends the run and evaluates; a finger draws on the pad (and taps buttons) without scrolling the
// page; "Saved model > Save in this browser" survives a reload and "Load saved" brings back the same
// model; the web app manifest and its icons are served; the keyboard alone (arrows, Space) starts and
// pauses a run, and Ctrl+←/→ moves between the windows.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, serve, openPage, status, waitStatus, shotWindow, sleep, layout, click, realErrors, regionPixels, countPixels } from './helpers.mjs';

let srv, browser;
before(async () => { srv = await serve({ isolation: true }); browser = await launch({ hasTouch: true }); });
after(async () => { await browser?.close(); await srv?.close(); });

test('Step, Resume, Pause, Stop; touch drawing; a model saved in this browser survives a reload', async (t) => {
  const { page, errors } = await openPage(browser.context, `${srv.url}#preset=mlp&epochs=1&seed=3`);
  await waitStatus(page, (s) => s.app_ready && s.data && s.data.phase === 'ready', 60000, 'dataset ready');

  // Step: one batch, then paused.
  await click(page, 'training.step');
  let s = await waitStatus(page, (s) => s.phase === 'paused' && s.steps === 1, 20000, 'one step, paused');
  assert.equal(s.batch, 1);
  await click(page, 'training.step');
  s = await waitStatus(page, (s) => s.steps === 2, 10000, 'a second step');
  await sleep(600);
  s = await status(page);
  assert.equal(s.phase, 'paused');
  assert.equal(s.steps, 2, 'Step trains exactly one batch');

  // Resume (the Pause button reads Resume while paused): batches go on.
  await click(page, 'training.pause');
  s = await waitStatus(page, (s) => s.phase === 'training' && s.steps > 20, 20000, 'training after Resume');
  t.diagnostic(`after Resume: ${s.steps} batches`);

  // Pause: the batch count holds still (one batch may be in flight when the click lands).
  await click(page, 'training.pause');
  const p0 = await waitStatus(page, (s) => s.phase === 'paused', 10000, 'paused');
  await sleep(1500);
  const p1 = await status(page);
  assert.equal(p1.phase, 'paused');
  assert.ok(p1.steps - p0.steps <= 1, `paused, yet ${p1.steps - p0.steps} batches trained`);
  await shotWindow(page, 'window.training', 'controls-paused');
  // The loss curve ends where the run is: its rightmost column of the batch line's blue, below the
  // legend (whose swatch is the same blue).
  const curveEnd = async () => {
    const { width, height, data } = await regionPixels(page, 'training.loss');
    let right = -1;
    for (let y = Math.floor(height * 0.25); y < height; y++)
      for (let x = right + 1; x < width; x++) {
        const i = (y * width + x) * 4;
        if (data[i + 2] - data[i] > 50 && data[i + 2] > 150) right = x;
      }
    return { right, width };
  };
  const end1 = await curveEnd();

  // Resume, then Stop: the run ends before the epoch does and the test set is evaluated.
  await click(page, 'training.pause');
  const grown = await waitStatus(page, (s) => s.phase === 'training' && s.steps > p1.steps + s.batches_per_epoch / 4, 30000,
                                 'training again');
  // A quarter of the epoch later the curve has grown to the right by about a quarter of the plot.
  const end2 = await curveEnd();
  t.diagnostic(`loss curve ends at x ${end1.right} of ${end1.width} after ${p1.steps} batches, ${end2.right} after ${grown.steps}+`);
  assert.ok(end1.right > 0 && end2.right - end1.right > 0.15 * end1.width, `the curve grows: ${end1.right} → ${end2.right}`);
  await click(page, 'training.stop');
  const st = await waitStatus(page, (s) => s.phase === 'stopped' && s.test_accuracy != null && !s.evaluating, 30000, 'stopped and evaluated');
  assert.ok(st.batch < st.batches_per_epoch, 'stopped inside the epoch');
  assert.equal(st.history.length, 0, 'no epoch completed');
  t.diagnostic(`stopped after ${st.steps} batches; test accuracy ${(100 * st.test_accuracy).toFixed(2)}%`);
  await sleep(1500);
  assert.equal((await status(page)).steps, st.steps, 'no training after Stop');

  // Touch: a finger draws a "1" on the pad; the page does not scroll.
  const pad = (await layout(page))['draw.pad'];
  const touchAction = await page.evaluate(() => getComputedStyle(document.getElementById('canvas')).touchAction);
  assert.equal(touchAction, 'none');
  const cdp = await browser.context.newCDPSession(page);
  const P = (u, v) => ({ x: pad.x + u * pad.w, y: pad.y + v * pad.h });
  await cdp.send('Input.dispatchTouchEvent', { type: 'touchStart', touchPoints: [P(0.5, 0.15)] });
  for (let i = 1; i <= 12; i++) {
    await sleep(30);
    await cdp.send('Input.dispatchTouchEvent', { type: 'touchMove', touchPoints: [P(0.5 - 0.04 * i / 12, 0.15 + 0.7 * i / 12)] });
  }
  await sleep(50);
  await cdp.send('Input.dispatchTouchEvent', { type: 'touchEnd', touchPoints: [] });
  const drawn = await waitStatus(page, (s) => s.prediction != null, 10000, 'a prediction from the touch stroke');
  t.diagnostic(`touch-drawn "1" read as ${drawn.prediction.digit} (${(100 * drawn.prediction.probabilities[drawn.prediction.digit]).toFixed(0)}%)`);
  const scroll = await page.evaluate(() => [window.scrollX, window.scrollY, document.scrollingElement.scrollTop,
                                            window.visualViewport ? window.visualViewport.pageTop : 0]);
  assert.deepEqual(scroll, [0, 0, 0, 0], 'the page did not scroll');
  await sleep(300);
  await shotWindow(page, 'window.draw', 'touch-drawn');
  // A tap on Clear empties the pad.
  const clr = (await layout(page))['draw.clear'];
  await page.touchscreen.tap(clr.x + clr.w / 2, clr.y + clr.h / 2);
  await waitStatus(page, (s) => s.prediction == null, 5000, 'the pad cleared by a tap');

  // The model kept in this browser (IndexedDB).
  assert.equal((await status(page)).store.saved, null, 'a fresh profile has no saved model');
  await click(page, 'menu.saved');
  await click(page, 'store.save');
  const saved = await waitStatus(page, (s) => s.store.saved != null && /Saved/.test(s.model_notice), 10000, 'the model saved');
  t.diagnostic(`saved: ${JSON.stringify(saved.store.saved)}; notice: ${saved.model_notice}`);
  await page.reload();
  const again = await waitStatus(page, (s) => s.app_ready && s.data && s.data.phase === 'ready', 60000, 'reloaded');
  assert.equal(again.test_accuracy, null, 'a reload starts with no model');
  assert.equal(again.store.saved.name, saved.store.saved.name, 'the saved model is still there after a reload');
  await click(page, 'menu.saved');
  await click(page, 'store.load');
  const loaded = await waitStatus(page, (s) => /Loaded/.test(s.model_notice) && s.test_accuracy != null && !s.evaluating, 30000, 'the saved model loaded');
  assert.ok(Math.abs(loaded.test_accuracy - st.test_accuracy) < 1e-9, 'the saved model scores what it scored before');

  // The web app manifest and its icons.
  const manifest = await page.evaluate(async () => {
    const link = document.querySelector('link[rel=manifest]');
    const m = await (await fetch(link.href)).json();
    const icons = await Promise.all(m.icons.map(async (i) => (await fetch(new URL(i.src, link.href))).status));
    return { name: m.name, display: m.display, icons };
  });
  assert.equal(manifest.name, 'Digit Lab');
  assert.deepEqual(manifest.icons, manifest.icons.map(() => 200));
  assert.deepEqual(realErrors(errors), []);
  await page.close();
});

test('"Keep weights": Start goes on from the trained weights; off, it starts afresh from the seed', async (t) => {
  const { page, errors } = await openPage(browser.context, `${srv.url}#preset=mlp&epochs=1&autostart=1`);
  const finished = (what) => waitStatus(page, (s) => s.phase === 'finished' && !s.evaluating && s.test_accuracy != null,
                                        120000, what);
  let s = await finished('the first run');
  const first = s.history[0].loss, acc1 = s.test_accuracy;
  assert.equal(s.settings.can_keep_weights, true);
  assert.equal(s.settings.keep_weights, false, 'off by default: Start means a new network');

  await click(page, 'training.keep');
  assert.equal((await status(page)).settings.keep_weights, true);
  await shotWindow(page, 'window.training', 'training-keep-weights');
  await click(page, 'training.start');
  await waitStatus(page, (s) => s.phase === 'training' || (s.phase === 'finished' && s.history[0].loss !== first), 20000, 'run 2');
  s = await finished('the continued run');
  const cont = s.history[0].loss;
  t.diagnostic(`first-epoch loss: from random weights ${first.toFixed(4)} (test ${acc1}), continued ${cont.toFixed(4)} (test ${s.test_accuracy})`);
  assert.ok(cont < 0.6 * first, `the continued epoch starts from trained weights (${cont} vs ${first})`);

  // The first run stays on the curves in grey, for comparison, with a line that says what it was;
  // View › Compare with the previous run takes it off.
  assert.deepEqual(s.previous_run, { model: 'mlp', epochs: 1, batches: s.batches_per_epoch, test_accuracy: acc1, shown: true });
  await sleep(300);
  assert.ok((await layout(page))['training.previous'], 'the caption of the grey curves');
  // Neutral grey (r = g = b) between 140 and 225: the previous run's line; the plot's text, axes and
  // grid are all slightly blue, and only near-white shades of them come out neutral.
  const grey = async () => countPixels(await regionPixels(page, 'training.accuracy'),
                                       (r, g, b) => Math.max(r, g, b) - Math.min(r, g, b) <= 1 && r >= 140 && r <= 225);
  const withPrev = await grey();
  await shotWindow(page, 'window.training', 'training-previous-run');
  await click(page, 'menu.view', { settle: 300 });
  await click(page, 'menu.previous', { settle: 400 });
  s = await status(page);
  assert.equal(s.previous_run.shown, false);
  assert.equal((await layout(page))['training.previous'], undefined);
  const without = await grey();
  t.diagnostic(`grey pixels in the accuracy plot: ${withPrev} with the previous run, ${without} without`);
  assert.ok(withPrev > 100 && without < withPrev / 10, `grey pixels ${withPrev} with, ${without} without`);
  await click(page, 'menu.view', { settle: 300 });
  await click(page, 'menu.previous', { settle: 300 });
  assert.equal((await status(page)).previous_run.shown, true);

  // Off again: the same seed gives the first run again, to the bit.
  await click(page, 'training.keep');
  await click(page, 'training.start');
  await waitStatus(page, (s) => s.phase === 'training' || (s.phase === 'finished' && s.history[0].loss !== cont), 20000, 'run 3');
  s = await finished('a fresh run');
  assert.equal(s.history[0].loss, first);
  assert.equal(s.test_accuracy, acc1);

  // Another network: the weights do not fit it, so the box goes away.
  await page.evaluate(() => { location.hash = '#preset=cnn-tiny'; });
  s = await waitStatus(page, (s) => s.model && s.model.name === 'cnn-tiny', 10000, 'cnn-tiny picked');
  assert.equal(s.settings.can_keep_weights, false);
  assert.equal((await layout(page))['training.keep'], undefined);
  assert.deepEqual(realErrors(errors), []);
  await page.close();
});

// A key pressed and released within one JavaScript task, so both reach the app between the same two
// frames (a quick tap while training slows the frames). ImGui 1.86 reads the keys once a frame, so
// without the app holding such a release back a frame, the tap was lost. ctrl: with Control held.
const KEYS = { ArrowDown: 40, ArrowRight: 39, ArrowLeft: 37, Space: 32 };
const tap = (page, code, ctrl = false) => page.evaluate(({ code, keyCode, ctrl }) => {
  const c = document.querySelector('canvas');
  const send = (type, code, keyCode, ctrlKey) => {
    const e = new KeyboardEvent(type, { key: code === 'Space' ? ' ' : code, code, ctrlKey, bubbles: true, cancelable: true });
    Object.defineProperty(e, 'keyCode', { get: () => keyCode });
    Object.defineProperty(e, 'which', { get: () => keyCode });
    c.dispatchEvent(e);
  };
  if (ctrl) send('keydown', 'ControlLeft', 17, true);
  send('keydown', code, keyCode, ctrl);
  send('keyup', code, keyCode, ctrl);
  if (ctrl) send('keyup', 'ControlLeft', 17, false);
}, { code, keyCode: KEYS[code], ctrl });

test('the keyboard alone: arrow keys reach Start and Pause, Space presses them, Ctrl+arrows change window', async (t) => {
  const { page, errors } = await openPage(browser.context, `${srv.url}#preset=mlp&epochs=1`);
  await waitStatus(page, (s) => s.app_ready && s.data && s.data.phase === 'ready', 60000, 'dataset ready');
  const w = (await layout(page))['window.training'];
  await page.mouse.click(w.x + w.w - 30, w.y + 8);  // the Training window's title bar: that window has the keys
  await sleep(200);
  // Down the window, widget by widget, until Start has the keyboard.
  const path = [];
  for (let i = 0; i < 12 && (await status(page)).focused !== 'training.start'; i++) {
    await tap(page, 'ArrowDown');
    await sleep(150);
    path.push((await status(page)).focused || '·');
  }
  t.diagnostic(`ArrowDown: ${path.join(' → ')}`);
  assert.equal((await status(page)).focused, 'training.start', 'the arrows reach Start');
  await shotWindow(page, 'window.training', 'training-keyboard');
  await tap(page, 'Space');
  await waitStatus(page, (s) => s.phase === 'training' && s.steps > 0, 10000, 'Space on Start starts the run');
  // While it trains (slower frames), each tap still lands.
  await tap(page, 'ArrowRight');
  await waitStatus(page, (s) => s.focused === 'training.pause', 3000, 'ArrowRight: Pause');
  await tap(page, 'Space');
  let s = await waitStatus(page, (s) => s.phase === 'paused', 5000, 'Space on Pause pauses it');
  assert.ok(s.steps > 0 && s.steps < s.batches_per_epoch, `paused mid-epoch at step ${s.steps}`);
  assert.equal(s.key_window, 'Train');
  // Ctrl+→ and Ctrl+←: the next and the previous window (the browser keeps Ctrl+Tab for its tabs).
  await tap(page, 'ArrowRight', true);
  await waitStatus(page, (s) => s.key_window === 'Draw', 3000, 'Ctrl+→: the Draw window');
  for (let i = 0; i < 6 && (await status(page)).focused !== 'draw.clear'; i++) {
    await tap(page, 'ArrowDown');
    await sleep(150);
  }
  assert.equal((await status(page)).focused, 'draw.clear', 'the arrows reach Clear in the Draw window');
  await tap(page, 'ArrowLeft', true);
  await sleep(150);
  await tap(page, 'ArrowLeft', true);
  s = await waitStatus(page, (s) => s.key_window === 'Model', 3000, 'Ctrl+← twice: the Model window');
  assert.equal(s.phase, 'paused', 'the run stays paused');
  // A real key press through the browser's input pipeline works the same.
  await page.keyboard.press('Control+ArrowRight');
  await waitStatus(page, (s) => s.key_window === 'Train', 3000, 'Ctrl+→ from the keyboard: the Training window');
  assert.deepEqual(realErrors(errors), []);
  await page.close();
});

test('a run that learns nothing says so: SGD at learning rate 10 leaves mlp guessing', async (t) => {
  const { page, errors } = await openPage(browser.context, `${srv.url}#preset=mlp&epochs=1&opt=sgd&lr=10&autostart=1`);
  const s = await waitStatus(page, (s) => s.phase === 'finished' && !s.evaluating && s.test_accuracy != null, 120000,
                             'the run to end');
  t.diagnostic(`accuracy ${s.history[0].accuracy}, test ${s.test_accuracy}; events ${JSON.stringify(s.events)}; message: ${s.message}`);
  assert.ok(s.test_accuracy < 0.15, 'the network guesses');
  assert.equal(s.events.length, 1);
  assert.match(s.events[0].text, /^not learning: accuracy \d+\.\d\d%, no better than always answering 1 \(11\.24%\)$/);
  assert.match(s.message, /^finished 1 epoch, but the network did not learn: .* The learning rate 10 is far too high for SGD; try 0\.01 and start again\.$/);
  await shotWindow(page, 'window.training', 'training-not-learning');
  assert.deepEqual(realErrors(errors), []);
  await page.close();
});
