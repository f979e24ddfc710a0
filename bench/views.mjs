#!/usr/bin/env node
// The UI thread's frame build with the views that show a model's workings open at once: the pad's
// steps with "Why this answer", the unusual images with one picked, a confusion-matrix cell's test
// images, the difference from the previous run, "How robust is it?" with this run's and the previous
// run's curves, and the large "What it learned" view layer by layer. Their own work (the occlusion
// maps, the outlier scan, the robustness sweep on the trainer side) is done first: this measures a
// frame once they are made, against the same page with none of them open. Writes the "UI frame build
// with every view open (bench/views.mjs)" section of docs/benchmarks.md. Not a test: the numbers
// depend on the machine.
//   node bench/views.mjs [--doc docs/benchmarks.md]
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadSentence, machineBefore, machineAfter, waitForQuiet } from './machine.mjs';
import { SHOTS, click, drawSeven, launch, layout, serve, openPage, pressAt, status, trainModel, waitStatus } from '../tests/e2e/helpers.mjs';
import { median, sleep, writeSection } from './app.mjs';

const log = (...a) => console.error('[views]', ...a);

// The build time at full frame rate: the page is kept awake (an input event on the window, not on
// the canvas) and ui_ms (the median of the last 32 frames) read once a second for `seconds`.
async function sample(page, seconds) {
  const wake = setInterval(() => page.evaluate(() => window.dispatchEvent(new PointerEvent('pointermove'))).catch(() => {}), 100);
  try {
    await sleep(2000);
    const ui = [], cost = [];
    for (let i = 0; i < seconds; i++) {
      await sleep(1000);
      const s = await status(page);
      ui.push(s.ui_ms);
      cost.push(s.frame_cost_ms);
    }
    return { ui: median(ui), lo: Math.min(...ui), hi: Math.max(...ui), cost: median(cost) };
  } finally { clearInterval(wake); }
}

await waitForQuiet(log);
const env = machineBefore();
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'digitlab-views-'));
const models = { tiny: trainModel(dir, 'cnn-tiny', 6000), mlp: trainModel(dir, 'mlp', 6000) };
const srv = await serve({ isolation: true });
const b = await launch();
let plain, all;
try {
  const { page } = await openPage(b.context, srv.url);
  await waitStatus(page, (s) => s.app_ready && s.data && s.data.phase === 'ready', 60000, 'dataset ready');
  // Two models one after the other: the mlp is the previous run, cnn-tiny the current one.
  for (const m of [models.mlp, models.tiny]) {
    const before = (await status(page)).eval_version;
    await page.setInputFiles('#model-file', m);
    await waitStatus(page, (s) => s.eval_version > before && !s.evaluating, 60000, 'evaluated');
  }
  await drawSeven(page);
  plain = await sample(page, 5);
  log(`nothing extra open: ${plain.ui.toFixed(2)} ms`);

  // Robustness for the mlp (then the previous run) and for cnn-tiny.
  await click(page, 'evaluation.robust');
  for (const m of [models.mlp, models.tiny]) {
    const before = (await status(page)).eval_version;
    await page.setInputFiles('#model-file', m);
    await waitStatus(page, (s) => s.eval_version > before && !s.evaluating, 60000, 'evaluated');
    await click(page, 'robust.compute');
    await waitStatus(page, (s) => s.robustness && s.robustness.curves, 300000, 'the curves');
  }
  await click(page, 'data.outliers');
  await waitStatus(page, (s) => s.data.outliers && s.data.outliers.ready, 60000, 'the outlier scan');
  const grid = (await layout(page))['outliers.atypical'];
  await pressAt(page, grid.x + grid.w / 12, grid.y + grid.w / 12);
  await waitStatus(page, (s) => s.data.outliers.picked && s.data.outliers.picked.predicted != null, 10000, 'an image read');
  const conf = (await status(page)).confusion;
  let worst = [0, 1];  // the cell with the most mistakes
  for (let i = 0; i < 10; i++) for (let j = 0; j < 10; j++) if (i !== j && conf[i][j] > conf[worst[0]][worst[1]]) worst = [i, j];
  const r = (await layout(page))['evaluation.confusion'];
  await pressAt(page, r.x + (worst[1] + 0.5) * r.w / 10, r.y + (worst[0] + 0.5) * r.h / 10);
  await waitStatus(page, (s) => s.cell_view, 5000, 'a cell\'s images');
  await click(page, 'evaluation.diff');
  await click(page, 'model.tab.learned', { settle: 300 });
  await click(page, 'model.learned.larger', { settle: 300 });
  await click(page, 'learned.big.layers_radio', { settle: 500 });
  await click(page, 'menu.view');
  await click(page, 'menu.steps');
  await waitStatus(page, (s) => s.pad_steps.shown && s.pad_steps.why, 30000, 'the occlusion maps');
  const s = await status(page);
  const open = { steps: s.pad_steps.shown, outliers: s.data.outliers.shown, cell: !!s.cell_view, diff: s.eval_diff,
    robust: s.robustness.shown && !!s.robustness.previous, layers: !!(s.learned && s.learned.layers.length) };
  log('open:', JSON.stringify(open));
  all = await sample(page, 5);
  log(`every view open: ${all.ui.toFixed(2)} ms`);
  fs.mkdirSync(SHOTS, { recursive: true });
  await page.screenshot({ path: path.join(SHOTS, 'views-all-open.png') });  // to look at
} catch (e) {
  fs.mkdirSync(SHOTS, { recursive: true });
  await b.context.pages()[0]?.screenshot({ path: path.join(SHOTS, 'views-failed.png') }).catch(() => {});
  throw e;
} finally { await b.close(); await srv.close(); fs.rmSync(dir, { recursive: true, force: true }); }
machineAfter(env);

const f = (v) => v.toFixed(2);
const text = `## UI frame build with every view open (bench/views.mjs)

Measured ${new Date().toISOString().slice(0, 10)} on ${env.cpu} (${env.cores} cores), ${env.chromium}, headless, 1600 × 900, threads build, nothing training. ${loadSentence(env, 'other work was running: the times may be high')} Rerun: \`node bench/views.mjs\`.

cnn-tiny loaded after an mlp (both 1 epoch on 6,000 images), a 7 drawn on the pad. "Every view open": the pad's steps with "Why this answer", the unusual images with one picked and read, the test images of a confusion-matrix cell, the difference from the previous run, "How robust is it?" with both models' curves, and the large "What it learned" view layer by layer — each view's own work done first (the occlusion maps take at most 3 ms of a frame and the outlier scan 4 ms while they are being made). Build: the UI thread's time from taking the snapshot to ImGui's finished draw lists (status().ui_ms, the median of the last 32 frames, read once a second for 5 s at full frame rate); frame cost adds WebGL's drawing (software here).

| page | build, per frame: median (range of the 5 readings) | frame cost |
|---|---|---|
| nothing extra open | ${f(plain.ui)} ms (${f(plain.lo)}–${f(plain.hi)}) | ${f(plain.cost)} ms |
| every view open | ${f(all.ui)} ms (${f(all.lo)}–${f(all.hi)}) | ${f(all.cost)} ms |
`;
writeSection('UI frame build with every view open (bench/views.mjs)', text);
log('written');
