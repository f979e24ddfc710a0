// The Model window's "What it learned" tab: with no model it says what to do; a CNN's first-layer
// filters and an MLP's first-layer units appear as pictures in the diverging red-white-blue map; a
// digit drawn on the pad appears through each filter (heat map); the larger view opens and shows the
// digit through every layer, its brightest output the digit read. Models come
// from the native CLI (a short training run), loaded through the page's file input. The pictures are
// checked by their colours in a screenshot, decoded in the page.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { launch, serve, openPage, status, waitStatus, shotWindow, screenshot, sleep, click, layout, regionPixels,
  countPixels, realErrors, trainModel, drawSeven } from './helpers.mjs';

let srv, browser, dir;
before(async () => {
  srv = await serve({ isolation: true });
  browser = await launch();
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'digitlab-learned-'));
});
after(async () => { await browser?.close(); await srv?.close(); fs.rmSync(dir, { recursive: true, force: true }); });

// Colour counts of layout() rectangle `key` as drawn: saturated red, saturated blue (the weights
// map's two ends) and yellow-green (the heat map's high end).
async function colours(page, key) {
  const px = await regionPixels(page, key);
  return {
    red: countPixels(px, (R, G, B) => R > 170 && G < 110 && B < 110),
    blue: countPixels(px, (R, G, B) => B > 150 && R < 90),
    hot: countPixels(px, (R, G, B) => G > 150 && R > 60 && B < 120),
    pixels: px.width * px.height,
  };
}

test('"What it learned": first-layer weights and the drawn digit through the filters', async (t) => {
  const cnn = trainModel(dir, 'cnn-tiny', 6000), mlp = trainModel(dir, 'mlp', 6000);
  const { page, errors } = await openPage(browser.context, srv.url);
  await waitStatus(page, (s) => s.app_ready && s.data && s.data.phase === 'ready', 60000, 'dataset ready');

  // No model yet: the tab explains itself and status() reports no pictures.
  await click(page, 'model.tab.learned', { settle: 300 });
  assert.equal((await status(page)).learned, null);
  assert.equal((await layout(page))['model.learned'], undefined);

  // A CNN: its 8 first-layer filters of 3x3, in red and blue.
  await page.setInputFiles('#model-file', cnn);
  let s = await waitStatus(page, (s) => s.learned && s.learned.layer === 'conv2d', 30000, 'the CNN\'s filters');
  assert.deepEqual([s.learned.mode, s.learned.tiles, s.learned.total, s.learned.tile_h], ['weights', 8, 8, 3]);
  // The Model window now shows the loaded network, not the one picked before.
  assert.equal(s.model.name, 'cnn-tiny');
  assert.equal(s.model.total_params, 6722);
  await sleep(500);
  let c = await colours(page, 'model.learned');
  t.diagnostic(`cnn-tiny filters: ${JSON.stringify(c)}`);
  assert.ok(c.red > 20 && c.blue > 20, 'filters are drawn with both signs');
  await shotWindow(page, 'window.model', 'learned-cnn-filters');

  // Draw a 7; the maps show it through each filter (26x26 after a valid 3x3 convolution).
  const pad = (await layout(page))['draw.pad'];
  const P = (u, v) => [pad.x + u * pad.w, pad.y + v * pad.h];
  await page.mouse.move(...P(0.25, 0.2));
  await page.mouse.down();
  await page.mouse.move(...P(0.75, 0.2), { steps: 8 });
  await page.mouse.move(...P(0.45, 0.85), { steps: 8 });
  await page.mouse.up();
  await waitStatus(page, (s) => s.prediction != null, 10000, 'a prediction');
  await click(page, 'model.learned.maps', { settle: 300 });
  s = await waitStatus(page, (s) => s.learned && s.learned.mode === 'maps' && s.learned.maps_shown, 5000, 'the maps');
  assert.equal(s.learned.tile_h, 26);
  await sleep(500);
  c = await colours(page, 'model.learned');
  t.diagnostic(`maps of a drawn 7: ${JSON.stringify(c)}`);
  assert.ok(c.hot > 10, 'some filter fires on the strokes (bright end of the heat map)');
  await shotWindow(page, 'window.model', 'learned-cnn-maps');
  // An empty pad: no maps, the tab asks for a digit.
  await page.evaluate(() => window.digitlab.clearPad());
  s = await waitStatus(page, (s) => s.prediction == null && s.learned && !s.learned.maps_shown, 5000, 'no maps');

  // An MLP: the first 32 of its 512 units as 28x28 pictures here, 100 in the larger view.
  await page.setInputFiles('#model-file', mlp);
  s = await waitStatus(page, (s) => s.learned && s.learned.layer === 'dense', 30000, 'the MLP\'s units');
  assert.deepEqual([s.learned.mode, s.learned.total, s.learned.tile_h], ['weights', 512, 28]);
  assert.equal(s.model.total_params, 407050);
  // The Evaluation window follows the new model: its matrix is the MLP's, not the CNN's. (The app
  // had kept the CNN's matrix and report under the MLP's accuracy when both evaluations got the
  // same version number and the idle page drew no frame in between.)
  s = await waitStatus(page, (s) => s.test_accuracy != null && !s.evaluating, 30000, 'the MLP evaluated');
  const diag = s.confusion.reduce((a, row, i) => a + row[i], 0);
  const total = s.confusion.flat().reduce((a, b) => a + b, 0);
  t.diagnostic(`MLP: test accuracy ${s.test_accuracy}, matrix diagonal ${diag} of ${total}`);
  assert.equal(total, 10000);
  assert.equal(diag / total, s.test_accuracy, 'the confusion matrix belongs to the evaluation it is shown with');
  await sleep(500);
  c = await colours(page, 'model.learned');
  assert.ok(c.red > 100 && c.blue > 100, 'units are drawn with both signs');
  const seven = await drawSeven(page);  // before the larger view covers the pad
  await click(page, 'model.learned.larger', { settle: 300 });
  const big = (await layout(page))['learned.big'];
  assert.ok(big && big.w > 1000 && big.h > 600, 'the larger view fills most of the page');
  c = await colours(page, 'learned.big.grid');
  t.diagnostic(`larger view of 100 units: ${JSON.stringify(c)}`);
  assert.ok(c.red > 1000 && c.blue > 1000);
  await screenshot(page, 'learned-mlp-larger');

  // Layer by layer: the drawn digit through the network. Flatten (the same numbers) is not pictured;
  // the 512 hidden units make a 23 x 23 square, the 10 outputs one row under their digits, and the
  // brightest of them (the heat map's yellow end) is the digit the Draw window reads.
  await click(page, 'learned.big.layers_radio', { settle: 500 });
  s = await waitStatus(page, (s) => s.learned && s.learned.layers.length > 0, 5000, 'layer by layer');
  assert.deepEqual(s.learned.layers, [['dense', 1, 23, 23, 512], ['dense_1', 1, 1, 10, 10]]);
  await sleep(300);
  const out = await regionPixels(page, 'learned.big.layer.2');
  const yellow = Array.from({ length: 10 }, (_, d) => {
    let n = 0;
    for (let y = 0; y < out.height; y++)
      for (let x = Math.ceil(d * out.width / 10); x < Math.floor((d + 1) * out.width / 10); x++) {
        const i = (y * out.width + x) * 4;
        if (out.data[i + 1] > 150 && out.data[i] > 60 && out.data[i + 2] < 120) n++;
      }
    return n;
  });
  t.diagnostic(`layer by layer: read as ${seven.prediction.digit}; yellow pixels per output cell ${yellow.join(' ')}`);
  assert.equal(yellow.indexOf(Math.max(...yellow)), seven.prediction.digit, 'the brightest output is the digit read');
  assert.ok(Math.max(...yellow) > 100);
  c = await colours(page, 'learned.big.layer.1');
  assert.ok(c.hot > 10, 'some hidden units fire on the digit');
  // 512 units in a 23 x 23 square leave the last row's 17 cells after the 6th unused: they show the
  // window's background, not the dark of a unit at zero.
  const sq = await regionPixels(page, 'learned.big.layer.1');
  const cell = (u, v) => {  // the colour at the centre of cell (column u, row v)
    const i = (Math.floor((v + 0.5) * sq.height / 23) * sq.width + Math.floor((u + 0.5) * sq.width / 23)) * 4;
    return [sq.data[i], sq.data[i + 1], sq.data[i + 2]];
  };
  assert.ok(cell(22, 22).every((x) => x > 240), `an unused cell is background: ${cell(22, 22)}`);
  assert.ok(cell(5, 22).some((x) => x < 200), `unit 511 is pictured: ${cell(5, 22)}`);
  await screenshot(page, 'learned-mlp-layers');

  // The larger view covers the Draw window, so it has a pad of its own holding the same digit: its
  // Clear empties both (no prediction, no layers pictured), and a digit drawn on it is read and
  // pictured layer by layer like one drawn on the Draw window's pad.
  await click(page, 'learned.big.clear', { settle: 300 });
  s = await waitStatus(page, (s) => s.prediction == null && s.learned.layers.length === 0, 5000, 'an empty pad');
  const again = await drawSeven(page, { on: 'learned.big.pad' });
  t.diagnostic(`drawn on the larger view's pad: read as ${again.prediction.digit}`);
  assert.equal(again.prediction.digit, seven.prediction.digit, 'the same 7, drawn on the other pad, reads the same');
  s = await waitStatus(page, (s) => s.learned.layers.length === 2, 5000, 'layer by layer again');
  const ink = countPixels(await regionPixels(page, 'learned.big.pad'), (r, g, b) => r < 100 && g < 100 && b < 100);
  assert.ok(ink > 200, `the stroke shows on the larger view's pad (${ink} dark pixels)`);
  assert.deepEqual(realErrors(errors), []);
  await page.close();
});
