#!/usr/bin/env node
// UI frame cost on a long run: how long the UI thread takes to build a frame (status().ui_ms, the
// median of the last 32 frames: snapshot, windows, curves, up to ImGui's draw lists) as the run's
// batch records pile up, and with a long previous run drawn in grey. Writes the "UI frame cost on a
// long run (bench/frames.mjs)" section of docs/benchmarks.md. Not a test: the numbers depend on the
// machine.
//   node bench/frames.mjs [--batches 60000] [--minutes 8] [--doc docs/benchmarks.md]
// A 100-epoch mlp-deep run at batch 32 records 187,500 batches; this one trains mlp at batch 8, which
// records batches about 3 times faster, since the cost measured is per record drawn, not per sample.
import { loadSentence, machineBefore, machineAfter, waitForQuiet } from './machine.mjs';
import { click, launch, serve, openPage, status, waitStatus } from '../tests/e2e/helpers.mjs';
import { median, opt, sleep, writeSection } from './app.mjs';

const BATCHES = Number(opt('--batches', 60000));
const MINUTES = Number(opt('--minutes', 8));
const CHECKPOINTS = [1000, 5000, 10000, 20000, 40000, 60000, 100000, 150000].filter((c) => c <= BATCHES);
const log = (...a) => console.error('[frames]', ...a);

// Samples ui_ms and the frame interval for `seconds`: the medians over 1-s samples.
async function sample(page, seconds) {
  await page.evaluate(() => window.digitlab.frames(true));
  const ui = [];
  for (let i = 0; i < seconds; i++) {
    await sleep(1000);
    ui.push((await status(page)).ui_ms);
  }
  const f = await page.evaluate(() => window.digitlab.frames());
  const s = await status(page);
  return { batches: s.steps, ui: median(ui), interval: f.median_ms, fps: f.intervals / seconds };
}

await waitForQuiet(log);
const env = machineBefore();
const srv = await serve({ isolation: true });
const b = await launch();
const rows = [];
let previous = null;
try {
  const { page } = await openPage(b.context, `${srv.url}#preset=mlp&epochs=500&batch=8&seed=1&autostart=1`);
  await waitStatus(page, (s) => s.phase === 'training' && s.steps > 0, 120000, 'training');
  const t0 = Date.now();
  for (const c of CHECKPOINTS) {
    while ((await status(page)).steps < c && Date.now() - t0 < MINUTES * 60000) await sleep(500);
    if ((await status(page)).steps < c) { log(`stopped at ${MINUTES} min before ${c} batches`); break; }
    const r = await sample(page, 4);
    rows.push({ ...r, checkpoint: c });
    log(`${r.batches} batches: ui ${r.ui.toFixed(2)} ms, frame interval ${r.interval.toFixed(1)} ms`);
  }
  const drawn = (await status(page)).steps;
  await click(page, 'training.stop');
  await waitStatus(page, (s) => s.phase === 'stopped' && !s.evaluating, 120000, 'stopped');
  // The same again: the long run is now the previous one, drawn in grey under the new one.
  await click(page, 'training.start');
  await waitStatus(page, (s) => s.phase === 'training' && s.steps > 200 && s.previous_run, 120000, 'a second run');
  previous = { ...(await sample(page, 4)), drawn };
  log(`previous run of ${drawn} batches in grey: ui ${previous.ui.toFixed(2)} ms`);
  await click(page, 'training.stop');
  await waitStatus(page, (s) => s.phase === 'stopped' && !s.evaluating, 120000, 'stopped');
} finally { await b.close(); await srv.close(); }
machineAfter(env);

const f = (v, d = 2) => v.toFixed(d);
const n = (v) => v.toLocaleString('en-US');
let text = `## UI frame cost on a long run (bench/frames.mjs)

Measured ${new Date().toISOString().slice(0, 10)} on ${env.cpu} (${env.cores} cores), ${env.chromium}, headless, threads build. ${loadSentence(env, 'other work was running: the times may be high')} Rerun: \`node bench/frames.mjs\`.

The mlp preset at batch 8 (to pile up batch records quickly), trained on the kernel workers while the UI thread draws. "Build" is the UI thread's time per frame from taking the training snapshot to ImGui's finished draw lists (status().ui_ms, median of the last 32 frames, then the median of 4 one-second samples); WebGL's drawing (software here) comes after it and is in the frame interval.

| batch records drawn | build, per frame | frame interval (median) |
|---|---|---|
`;
for (const r of rows) text += `| ${n(r.batches)} | ${f(r.ui)} ms | ${f(r.interval, 1)} ms |\n`;
if (previous) text += `| ${n(previous.batches)}, and a previous run of ${n(previous.drawn)} in grey | ${f(previous.ui)} ms | ${f(previous.interval, 1)} ms |\n`;
writeSection('UI frame cost on a long run (bench/frames.mjs)', text);
log('written');
