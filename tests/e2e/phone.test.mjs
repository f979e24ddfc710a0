// A phone held upright (412 × 915 CSS pixels, touch): the five windows do not fit side by side, so
// the app shows one at a time, picked from a row of tabs (a lesson link can name one); the pad fills
// the width and a finger draws on it; the curves stand one under the other; the model builder fits;
// a tab with an unseen error or new results is marked; turned (915 × 412) it keeps the tabs; a
// desktop-sized page brings the five windows back.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { launch, serve, openPage, status, waitStatus, screenshot, sleep, layout, realErrors, trainModel } from './helpers.mjs';

let srv, browser, dir;
before(async () => {
  srv = await serve({ isolation: true });
  browser = await launch({ width: 412, height: 915, hasTouch: true });
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'digitlab-phone-'));
});
after(async () => { await browser?.close(); await srv?.close(); fs.rmSync(dir, { recursive: true, force: true }); });

const WINDOWS = ['window.data', 'window.model', 'window.training', 'window.draw', 'window.evaluation'];
const shownWindows = async (page) => { const L = await layout(page); return WINDOWS.filter((w) => L[w]); };

// Taps the middle of a widget, waiting up to 5 s for it to appear (a menu's item, a popup's button).
async function tap(page, name) {
  let r;
  for (let i = 0; i < 50 && !(r = (await layout(page))[name]); i++) await sleep(100);
  assert.ok(r, `${name} on screen`);
  await page.touchscreen.tap(r.x + r.w / 2, r.y + r.h / 2);
}

async function tapPane(page, name) {
  const r = (await layout(page))[`pane.${name}`];
  assert.ok(r && r.w > 40, `a ${name} tab`);
  await page.touchscreen.tap(r.x + r.w / 2, r.y + r.h / 2);
  await waitStatus(page, (s) => s.pane === name, 5000, `the ${name} tab`);
  await sleep(200);
}

test('on a phone: one window at a time behind tabs, a full-width pad drawn on with a finger', async (t) => {
  const file = trainModel(dir, 'mlp', 6000);
  const { page, errors } = await openPage(browser.context, srv.url);
  let s = await waitStatus(page, (s) => s.app_ready && s.data && s.data.phase === 'ready', 60000, 'dataset ready');
  assert.equal(s.layout, 'narrow');
  assert.equal(s.pane, 'Train', 'the training controls come first');
  assert.deepEqual(await shownWindows(page), ['window.training']);
  let L = await layout(page);
  assert.ok(L['window.training'].w >= 400, 'the window takes the page\'s width');
  // The curves stand one under the other, each the window's width.
  assert.ok(L['training.accuracy'].y > L['training.loss'].y + L['training.loss'].h - 1);
  assert.ok(Math.abs(L['training.accuracy'].x - L['training.loss'].x) < 2 && L['training.loss'].w > 300);
  // The status line's short forms fit the width (its last item ends on screen).
  assert.ok(L['status'].x + L['status'].w <= 412, `status line ends at ${L['status'].x + L['status'].w}`);
  await screenshot(page, 'phone-train');
  // One tap opens a settings tab, each right after the other. (SDL gives a finger's move and press
  // together, and ImGui's tabs take a press only where the pointer was the frame before: every other
  // tap was lost until the app held such a press back a frame.)
  for (const [tab, field] of [['weights', 'balanced'], ['callbacks', 'restore_best'], ['augmentation', 'rotation'],
                              ['basics', 'optimizer'], ['augmentation', 'rotation']]) {
    await tap(page, `training.tab.${tab}`);
    let open = false;
    for (let i = 0; i < 15 && !(open = !!(await layout(page))[`training.${field}`]); i++) await sleep(100);
    assert.ok(open, `one tap opens the ${tab} tab`);
  }
  await tap(page, 'training.tab.basics');
  await sleep(300);
  // The lifted finger hovers nothing: the tab it tapped is not left highlighted with its hint showing.
  assert.equal((await status(page)).hovering, false, 'no hover once the finger is lifted');

  // A wrong model file while on the Train tab: the Model tab is marked until someone looks.
  assert.deepEqual(s.tabs, ['Data', 'Model', 'Train', 'Draw', 'Results']);
  await page.setInputFiles('#model-file', { name: 'notes.txt', mimeType: 'text/plain', buffer: Buffer.from('not a model') });
  s = await waitStatus(page, (s) => s.model_error !== '', 5000, 'the model-file error');
  await sleep(300);
  assert.equal((await status(page)).tabs[1], 'Model !');
  await tapPane(page, 'Model');
  assert.equal((await status(page)).tabs[1], 'Model', 'seen');
  await tapPane(page, 'Train');
  // The model arrives through the file input (the Model tab's "Load model file…"); its test results
  // mark the Results tab.
  await page.setInputFiles('#model-file', file);
  await waitStatus(page, (s) => s.confusion != null && !s.evaluating, 30000, 'the loaded model\'s evaluation');
  await sleep(300);
  assert.equal((await status(page)).tabs[4], 'Results •');

  await tapPane(page, 'Draw');
  assert.deepEqual(await shownWindows(page), ['window.draw']);
  const pad = (await layout(page))['draw.pad'];
  t.diagnostic(`pad ${Math.round(pad.w)} × ${Math.round(pad.h)} CSS px`);
  assert.ok(pad.w >= 360 && Math.abs(pad.w - pad.h) < 1, 'a square pad across the width');
  // A finger draws a "7".
  const cdp = await browser.context.newCDPSession(page);
  const P = (u, v) => ({ x: pad.x + u * pad.w, y: pad.y + v * pad.h });
  const path7 = [[0.25, 0.2], [0.75, 0.2], [0.45, 0.85]];
  await cdp.send('Input.dispatchTouchEvent', { type: 'touchStart', touchPoints: [P(...path7[0])] });
  for (let seg = 1; seg < path7.length; seg++)
    for (let i = 1; i <= 10; i++) {
      await sleep(30);
      const [u0, v0] = path7[seg - 1], [u1, v1] = path7[seg];
      await cdp.send('Input.dispatchTouchEvent', { type: 'touchMove', touchPoints: [P(u0 + (u1 - u0) * i / 10, v0 + (v1 - v0) * i / 10)] });
    }
  await sleep(50);
  await cdp.send('Input.dispatchTouchEvent', { type: 'touchEnd', touchPoints: [] });
  s = await waitStatus(page, (s) => s.prediction != null, 10000, 'a prediction from the finger');
  t.diagnostic(`finger-drawn "7" read as ${s.prediction.digit} (${(100 * s.prediction.probabilities[s.prediction.digit]).toFixed(0)}%)`);
  // The bars sit under the pad.
  const bars = (await layout(page))['draw.probabilities'];
  assert.ok(bars.y > pad.y + pad.h, 'the ten bars are under the pad');
  await screenshot(page, 'phone-draw');
  // A lesson link made on a phone opens the tab its author is on.
  await tap(page, 'menu.share');
  await tap(page, 'menu.share.link');
  s = await waitStatus(page, (s) => s.lesson_link !== '', 5000, 'the lesson link');
  t.diagnostic(s.lesson_link);
  assert.match(s.lesson_link, /#preset=mlp.*&pane=draw/);
  await tap(page, 'share.ok');
  await sleep(300);
  assert.equal((await layout(page))['share.ok'], undefined, 'OK closes the popup');

  for (const [name, win] of [['Data', 'window.data'], ['Model', 'window.model'], ['Results', 'window.evaluation']]) {
    await tapPane(page, name);
    assert.deepEqual(await shownWindows(page), [win]);
    if (name === 'Data') {  // a tapped (?) keeps its text up, in a popup, until a tap elsewhere
      await tap(page, 'help.marker');
      await sleep(400);
      const help = (await layout(page))['help.popup'];
      assert.ok(help && help.w > 100 && help.x >= 0 && help.x + help.w <= 412, 'the (?) text stays up after the tap, on screen');
      assert.ok(help.w < 400, `wrapped to the phone's width (${Math.round(help.w)} px wide)`);
      await screenshot(page, 'phone-help');
      const w = (await layout(page))['window.data'];
      await page.touchscreen.tap(w.x + w.w / 2, w.y + w.h - 20);
      await sleep(400);
      assert.equal((await layout(page))['help.popup'], undefined, 'a tap elsewhere closes it');
    }
    if (name !== 'Model') continue;
    // What it learned › Larger view takes the phone's width, its three choices wrap to stay on screen,
    // and the digit drawn with a finger on its own pad goes through every layer; its × closes it.
    await tap(page, 'model.tab.learned');
    await tap(page, 'model.learned.larger');
    await sleep(400);
    L = await layout(page);
    assert.ok(L['learned.big'].x >= 0 && L['learned.big'].x + L['learned.big'].w <= 412 && L['learned.big'].w > 400,
              `the larger view spans the phone (x ${Math.round(L['learned.big'].x)}, w ${Math.round(L['learned.big'].w)})`);
    assert.ok(L['learned.big.layers_radio'].x + L['learned.big.layers_radio'].w <= 412, 'layer by layer is on screen');
    await tap(page, 'learned.big.layers_radio');
    const bigPad = await (async () => { let r; for (let i = 0; i < 20 && !(r = (await layout(page))['learned.big.pad']); i++) await sleep(100); return r; })();
    assert.ok(bigPad, 'the layer-by-layer view with its pad');
    await cdp.send('Input.dispatchTouchEvent', { type: 'touchStart', touchPoints: [{ x: bigPad.x + bigPad.w * 0.5, y: bigPad.y + bigPad.h * 0.15 }] });
    for (let i = 1; i <= 10; i++) {
      await sleep(30);
      await cdp.send('Input.dispatchTouchEvent', { type: 'touchMove', touchPoints: [{ x: bigPad.x + bigPad.w * 0.5, y: bigPad.y + bigPad.h * (0.15 + 0.07 * i) }] });
    }
    await cdp.send('Input.dispatchTouchEvent', { type: 'touchEnd', touchPoints: [] });
    s = await waitStatus(page, (s) => s.learned && s.learned.layers.length === 2, 10000, 'the finger\'s digit layer by layer');
    t.diagnostic(`a finger's stroke on the larger view's pad, read as ${s.prediction.digit}`);
    await screenshot(page, 'phone-layers');
    const big = (await layout(page))['learned.big'];
    await page.touchscreen.tap(big.x + big.w - 9, big.y + 9);  // the title bar's ×
    await sleep(400);
    assert.equal((await layout(page))['learned.big'], undefined, 'its × closes the larger view');
    await tap(page, 'model.tab.layers');
    // The model builder fits the phone: its table scrolls sideways, Done stays on screen.
    const edit = (await layout(page))['model.edit'];
    await page.touchscreen.tap(edit.x + edit.w / 2, edit.y + edit.h / 2);
    await sleep(500);
    L = await layout(page);
    assert.ok(L['builder.window'] && L['builder.window'].x >= 0 && L['builder.window'].x + L['builder.window'].w <= 412);
    const done = L['builder.done'];
    assert.ok(done && done.y + done.h <= 915, 'Done is on screen');
    await screenshot(page, 'phone-builder');
    // A finger dragged sideways on the table scrolls it, bringing row 2's buttons (off the phone's
    // width) into view; a press on a widget would be the widget's.
    const before = L['builder.row2.remove'];
    assert.ok(before.x + before.w > 412, `row 2's remove button starts off screen (x ${Math.round(before.x)})`);
    const rowY = L['builder.row1.up'].y + L['builder.row1.up'].h / 2;
    const swipe = async (dx) => {  // from x 350 on row 1's text, in 15 steps
      await cdp.send('Input.dispatchTouchEvent', { type: 'touchStart', touchPoints: [{ x: 350, y: rowY }] });
      for (let i = 1; i <= 15; i++) {
        await sleep(30);
        await cdp.send('Input.dispatchTouchEvent', { type: 'touchMove', touchPoints: [{ x: 350 + dx * i / 15, y: rowY }] });
      }
      await sleep(100);
      await cdp.send('Input.dispatchTouchEvent', { type: 'touchEnd', touchPoints: [] });
      await sleep(300);
      return (await layout(page))['builder.row2.remove'];
    };
    const once = await swipe(-300);
    t.diagnostic(`swiped 300 px left: row 2's remove button from x ${Math.round(before.x)} to ${Math.round(once.x)}`);
    assert.ok(Math.abs(before.x - 300 - once.x) < 30, 'the table follows the finger');
    const twice = await swipe(-300);
    t.diagnostic(`and again: x ${Math.round(twice.x)}`);
    assert.ok(twice.x > once.x - 300 && twice.x + twice.w <= 412, 'it scrolls to its end and no further, the button on screen');
    assert.equal((await status(page)).model.total_params, 407050, 'the drag changed nothing');
    await page.touchscreen.tap(done.x + done.w / 2, done.y + done.h / 2);
    await sleep(500);
    assert.equal((await layout(page))['builder.window'], undefined, 'Done closes the builder');
  }
  assert.ok((await layout(page))['evaluation.confusion'], 'the confusion matrix on the Results tab');
  assert.equal((await status(page)).tabs[4], 'Results', 'seen');
  await screenshot(page, 'phone-results');
  // A lesson link with pane=draw, pasted into this tab, brings the Draw tab up. (Not the link made
  // above: it is still in the address bar, and the same hash again fires no hashchange.)
  await page.evaluate(() => { location.hash = '#pane=draw&preset=mlp'; });
  await waitStatus(page, (s) => s.pane === 'Draw', 5000, 'the Draw tab from the link');
  await sleep(200);
  assert.deepEqual(await shownWindows(page), ['window.draw']);
  await tapPane(page, 'Results');

  // The phone turned (915 × 412): still too low for five windows; the same tab, the matrix now beside
  // the report.
  await page.setViewportSize({ width: 915, height: 412 });
  await waitStatus(page, (s) => s.layout === 'narrow' && s.pane === 'Results', 5000, 'the tabs on a low page');
  await sleep(300);
  assert.deepEqual(await shownWindows(page), ['window.evaluation']);
  await screenshot(page, 'phone-turned-results');

  // A desktop window: the five windows side by side again.
  await page.setViewportSize({ width: 1600, height: 900 });
  s = await waitStatus(page, (s) => s.layout === 'wide', 5000, 'the wide layout');
  await sleep(300);
  assert.deepEqual(await shownWindows(page), WINDOWS);
  assert.equal((await layout(page))['pane.Draw'], undefined, 'no tabs');
  assert.deepEqual(realErrors(errors), []);
  await page.close();
});
