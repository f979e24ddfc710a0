// Classroom screens: the five windows side by side down to a 1024 × 768 projector and a laptop's
// browser viewport (1366 × 625 to 657), with every widget inside its window (nothing cut off or
// scrolled out of sight: the curves, the status line, the model-file buttons, the ten bars, the
// report's rows); smaller pages (800 × 600, 1024 × 600), and larger text where the five would not
// fit, get one window at a time. The text size follows the page as it is resized, as it does when
// the page opens at that size.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, serve, openPage, status, waitStatus, screenshot, sleep, layout, click, realErrors, spilled, trainOneEpoch, drawSeven } from './helpers.mjs';

let srv, browser;
before(async () => { srv = await serve({ isolation: true }); browser = await launch({ width: 1024, height: 768 }); });
after(async () => { await browser?.close(); await srv?.close(); });

// The text size the app picks for a page of w × h CSS pixels: w/88 or h/48, whichever is smaller, 14 to 24.
const fontFor = (w, h) => Math.round(Math.min(24, Math.max(14, Math.min(w / 88, h / 48))));

test('1024 × 768 to 1600 × 900: five windows, nothing spills out of its window (18 page sizes × 3 text sizes); 800 × 600 and 1024 × 600: tabs', async (t) => {
  const { page, errors } = await openPage(browser.context, `${srv.url}#preset=mlp&epochs=1&autostart=1`);
  // While it trains at 1024 × 768: the status line with its ETA and the curves inside the window.
  let s = await waitStatus(page, (s) => s.phase === 'training' && s.batch > 300, 90000, 'training under way');
  assert.equal(s.layout, 'wide');
  assert.equal(s.font_px, 14);
  await sleep(300);
  assert.deepEqual(await spilled(page), [], 'while training at 1024 × 768');
  const L0 = await layout(page);
  assert.ok(L0['training.status'].h > 20, 'the status line is there (in two lines at this width)');
  await trainOneEpoch(page);
  s = await drawSeven(page);
  assert.equal(s.prediction.digit, 7);

  const sizes = [[1024, 768], [1280, 630], [1366, 625], [1366, 657], [1280, 720], [1600, 900]];
  for (const [w, h] of sizes) {
    await page.setViewportSize({ width: w, height: h });
    s = await waitStatus(page, (s) => s.font_px === fontFor(w, h) && s.layout === 'wide', 5000, `the wide layout at ${w} × ${h}`);
    await sleep(400);
    const L = await layout(page);
    const out = await spilled(page);
    t.diagnostic(`${w} × ${h}: text ${s.font_px} px, ${Object.keys(L).length} widgets, ${out.length} outside their window`);
    await screenshot(page, `sizes-${w}x${h}`);
    assert.deepEqual(out, [], `at ${w} × ${h}`);
    // The words beside the pad end left of the 28 × 28 image; the ten bars end above the window's bottom
    // (spilled() checks that); the report's last row is drawn.
    assert.ok(L['draw.words'].x + L['draw.words'].w <= L['draw.image28'].x, `the prediction's words clear the image at ${w} × ${h}`);
    for (const k of ['training.loss', 'training.status', 'model.load', 'draw.probabilities', 'data.means', 'evaluation.confusion'])
      assert.ok(L[k] && L[k].w > 0, `${k} at ${w} × ${h}`);
    if (w !== 1024 && w !== 1280) continue;
    // The model builder over the page: its header line (totals, memory) and rows inside it.
    await click(page, 'model.edit', { settle: 400 });
    const B = await layout(page);
    assert.ok(B['builder.window'] && B['builder.memory'], 'the builder is open');
    assert.deepEqual(await spilled(page), [], `the builder at ${w} × ${h}`);
    await screenshot(page, `sizes-${w}x${h}-builder`);
    await click(page, 'builder.done', { settle: 300 });
    // The Training window's other tabs: their fields wrap rather than run past the edge, and scroll
    // where the window is low (the Callbacks tab at 1280 × 720) rather than push the curves out.
    for (const tab of ['weights', 'callbacks', 'augmentation', 'basics']) {
      await click(page, `training.tab.${tab}`, { settle: 300 });
      assert.deepEqual(await spilled(page), [], `the ${tab} tab at ${w} × ${h}`);
      if (tab === 'callbacks') {
        const C = await layout(page);
        for (const k of ['training.early.patience', 'training.restore_best', 'training.reduce_lr.patience']) assert.ok(C[k], k);
        await screenshot(page, `sizes-${w}x${h}-callbacks`);
      }
    }
  }
  // View › Larger text: 2 px more. At 1152 × 864 the five windows still fit at 16 px; at 1024 × 768
  // they would not (the Model window's totals ran out of it), so it takes the tabs.
  const larger = async () => { await click(page, 'menu.view', { settle: 300 }); await click(page, 'menu.larger', { settle: 300 }); };
  const smaller = async () => { await click(page, 'menu.view', { settle: 300 }); await click(page, 'menu.smaller', { settle: 300 }); };
  for (const [w, h, want] of [[1152, 864, 'wide'], [1024, 768, 'narrow']]) {
    await page.setViewportSize({ width: w, height: h });
    await waitStatus(page, (s) => s.font_px === fontFor(w, h), 5000, `${w} × ${h}`);
    await larger();
    s = await waitStatus(page, (s) => s.font_px === fontFor(w, h) + 2, 5000, `larger text at ${w} × ${h}`);
    assert.equal(s.layout, want, `${w} × ${h} at ${s.font_px} px`);
    await sleep(300);
    assert.deepEqual(await spilled(page), [], `at ${w} × ${h}, ${s.font_px} px`);
    await screenshot(page, `sizes-${w}x${h}-larger`);
    await smaller();
    await waitStatus(page, (s) => s.font_px === fontFor(w, h) && s.layout === 'wide', 5000, `back to ${fontFor(w, h)} px`);
  }
  // The rule for five windows (main.cpp: tiles_fit) over 18 page sizes, from a 1024 × 600 netbook to
  // 2560 × 1300, each at the page's text size and one and two steps larger: where it tiles, nothing
  // spills.
  const grid = [[1024, 768], [1024, 700], [1100, 640], [1152, 864], [1280, 600], [1280, 630], [1280, 720], [1280, 800],
                [1366, 625], [1366, 657], [1366, 768], [1440, 789], [1536, 730], [1600, 900], [1680, 950], [1920, 969],
                [1920, 1080], [2560, 1300]];
  let tiled = 0;
  for (const [w, h] of grid) {
    await page.setViewportSize({ width: w, height: h });
    await waitStatus(page, (s) => s.font_px === fontFor(w, h), 5000, `${w} × ${h}`);
    for (let step = 0; step < 3; step++) {
      if (step) {
        await larger();
        await waitStatus(page, (s) => s.font_px === fontFor(w, h) + 2 * step, 5000, `${w} × ${h}, ${step} steps larger`);
      }
      await sleep(200);
      s = await status(page);
      if (s.layout === 'wide') tiled++;
      assert.deepEqual(await spilled(page), [], `${w} × ${h} at ${s.font_px} px (${s.layout})`);
    }
    await smaller();
    await smaller();
  }
  t.diagnostic(`grid: ${grid.length} page sizes × 3 text sizes, ${tiled} tiled, ${3 * grid.length - tiled} with tabs; nothing spills`);
  // Too small for five windows: one at a time, behind tabs.
  for (const [w, h] of [[800, 600], [1024, 600]]) {
    await page.setViewportSize({ width: w, height: h });
    s = await waitStatus(page, (s) => s.layout === 'narrow', 5000, `tabs at ${w} × ${h}`);
    await sleep(300);
    assert.deepEqual(await spilled(page), [], `at ${w} × ${h}`);
    await screenshot(page, `sizes-${w}x${h}`);
  }
  await page.setViewportSize({ width: 1600, height: 900 });
  s = await waitStatus(page, (s) => s.layout === 'wide' && s.font_px === 18, 5000, 'back to the wide layout');
  assert.equal(s.prediction.digit, 7, 'the drawing is still there');
  assert.deepEqual(realErrors(errors), []);
  await page.close();
});
