// "From your drawing to 28 × 28", opened by a click on the Draw window's input image: a small 7 drawn
// in the pad's corner gets its ink box on the pad, its centre of mass moved to (14, 14) by MNIST's
// steps, and stays small in the corner without them; the switch makes the network read it that way;
// the stroke drawn again at MNIST's width has the ink a 2.6-pixel stroke along its path has, thinner
// than the pad's ink scaled;
// "Why this answer" gives occlusion maps for the class read and the runner-up, zero where covering
// changes nothing.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { launch, serve, openPage, status, waitStatus, shotWindow, click, layout, realErrors, trainModel,
  settledPrediction, sleep, dispatchStroke } from './helpers.mjs';

let srv, browser, dir;
before(async () => {
  srv = await serve({ isolation: true });
  browser = await launch();
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'digitlab-steps-'));
});
after(async () => { await browser?.close(); await srv?.close(); fs.rmSync(dir, { recursive: true, force: true }); });

const near = (a, b, tol) => Math.abs(a - b) <= tol;

test('the steps from a drawing to 28 x 28, the drawing read without them, and why the network answers', async (t) => {
  const model = trainModel(dir, 'mlp', 6000);
  const { page, errors } = await openPage(browser.context, srv.url);
  await waitStatus(page, (s) => s.app_ready && s.data && s.data.phase === 'ready', 60000, 'dataset ready');
  await page.setInputFiles('#model-file', model);
  await waitStatus(page, (s) => s.confusion != null && !s.evaluating, 30000, 'the model loaded');

  // A small 7 in the top-left corner of the pad.
  const pad = (await layout(page))['draw.pad'];
  const P = (u, v) => [pad.x + u * pad.w, pad.y + v * pad.h];
  await page.mouse.move(...P(0.08, 0.08));
  await page.mouse.down();
  await page.mouse.move(...P(0.3, 0.08), { steps: 8 });
  await page.mouse.move(...P(0.16, 0.36), { steps: 8 });
  await page.mouse.up();
  let s = await settledPrediction(page);
  const withSteps = s.prediction.digit;
  await click(page, 'draw.image28');
  s = await waitStatus(page, (s) => s.pad_steps.shown, 5000, 'the steps window');
  const st = s.pad_steps;
  t.diagnostic(`box ${st.box}, boxed com ${st.boxed_com.map((v) => v.toFixed(2))}, com ${st.com.map((v) => v.toFixed(2))}, ` +
    `pad shrunk com ${st.plain_com.map((v) => v.toFixed(2))}; read as ${withSteps}`);
  const [y0, x0, h, w] = st.box;
  assert.ok(y0 < 0.1 * 280 && x0 < 0.1 * 280 && y0 + h < 0.42 * 280 && x0 + w < 0.36 * 280, 'the ink box is in the corner');
  assert.ok(near(st.com[0], 14, 0.05) && near(st.com[1], 14, 0.05), 'the centre of mass moved to (14, 14)');
  assert.deepEqual(st.input_com, st.com, 'the network reads the result of the steps');
  assert.ok(st.plain_com[0] < 8 && st.plain_com[1] < 8, 'without the steps the digit stays in the corner');

  // Why this answer: maps for the class read and the runner-up.
  s = await waitStatus(page, (s) => s.pad_steps.why != null, 15000, 'the occlusion maps');
  const why = s.pad_steps.why;
  assert.equal(why.classes[0], withSteps);
  assert.notEqual(why.classes[1], withSteps);
  assert.equal(why.maps.length, 2);
  assert.equal(why.maps[0].length, 784);
  assert.ok(Math.max(...why.maps[0]) > 0, 'some of the ink speaks for the answer');
  assert.equal(why.maps[0][0], 0, 'covering the blank corner changes nothing');
  assert.equal(why.maps[1][0], 0);
  await sleep(300);
  await shotWindow(page, 'steps', 'steps-window');

  // The switch: the network reads the whole pad shrunk, the digit small in its corner.
  await click(page, 'steps.plain');
  s = await waitStatus(page, (s) => s.pad_steps.plain && near(s.pad_steps.input_com[0], s.pad_steps.plain_com[0], 1e-4) &&
    s.prediction != null, 5000, 'the drawing read without the steps');
  s = await settledPrediction(page);
  t.diagnostic(`read without the steps: ${s.prediction.digit} (${(100 * Math.max(...s.prediction.probabilities)).toFixed(0)}%), ` +
    `with them: ${withSteps}`);
  await sleep(300);
  await shotWindow(page, 'steps', 'steps-window-plain');
  await click(page, 'steps.plain');
  s = await waitStatus(page, (s) => !s.pad_steps.plain && near(s.pad_steps.input_com[0], 14, 0.05), 5000, 'the steps again');

  // The strokes drawn again at MNIST's width (2.6 pixels) whatever the drawing's size: the 7's path,
  // 61.6 + 87.7 pad pixels long, its long side 78.4 scaled to 20 − 2.6, is 33.1 pixels long, so its
  // ink is about 33.1 × 2.6 + π × 1.3² = 91.4 (the corner's overlap aside). The pad's ink scaled
  // instead has the brush's 22 pad pixels at 20 / (78.4 + 22): strokes 4.4 pixels wide.
  assert.ok(s.pad_steps.redraw && s.pad_steps.from_paths && s.pad_steps.paths === 1, 'read from the stroke drawn again');
  const thin = s.pad_steps.input_mass;
  assert.ok(near(thin, 91.4, 0.08 * 91.4), `the 7 drawn again has ${thin.toFixed(1)} pixels of ink, expected about 91.4`);
  await click(page, 'steps.redraw');
  s = await waitStatus(page, (s) => !s.pad_steps.redraw && !s.pad_steps.from_paths, 5000, 'the pad\'s ink read');
  const thick = s.pad_steps.input_mass;
  t.diagnostic(`ink read: ${thin.toFixed(1)} pixels from the stroke drawn again, ${thick.toFixed(1)} from the pad's ink scaled`);
  assert.ok(thick > 1.4 * thin, 'the pad\'s ink scaled has thicker strokes');
  assert.ok(near(s.pad_steps.com[0], 14, 0.05), 'still centred');
  await click(page, 'steps.redraw');
  await waitStatus(page, (s) => s.pad_steps.from_paths && near(s.pad_steps.input_mass, thin, 1e-3), 5000, 'the stroke drawn again');

  // A scribble of 2,400 points (back and forth across the pad, dispatched in one task): the paths stop
  // at 2,000 and the pad's ink is read.
  await page.evaluate(() => window.digitlab.clearPad());
  const scribble = [];
  for (let sweep = 0; sweep < 20; sweep++)
    for (let k = 0; k < 120; k++) {
      const u = sweep % 2 ? 0.85 - 0.7 * k / 119 : 0.15 + 0.7 * k / 119;
      scribble.push([pad.x + pad.w * u, pad.y + pad.h * (0.1 + 0.04 * sweep + 0.0003 * k)]);
    }
  await dispatchStroke(page, scribble);
  s = await waitStatus(page, (s) => s.pad_steps.paths_full && s.prediction != null, 20000, 'the paths full');
  assert.equal(s.pad_steps.points, 2000);
  assert.equal(s.pad_steps.from_paths, false, 'read from the pad\'s ink');
  await page.evaluate(() => window.digitlab.clearPad());
  s = await waitStatus(page, (s) => s.pad_steps.points === 0 && !s.pad_steps.paths_full, 5000, 'the paths cleared');
  assert.deepEqual(realErrors(errors), []);
  await page.close();
});
