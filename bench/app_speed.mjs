#!/usr/bin/env node
// The app's training speed against the engine's, all five presets, measured in the same run: the
// threads build in headless Chromium (page untouched, so the app paces its frames for training) and
// the same core under node (build/wasm-tests/bench_train.js, 2 threads), in interleaved rounds.
// Writes the "App against the core (bench/app_speed.mjs)" section of docs/benchmarks.md.
//   node bench/app_speed.mjs [--seconds 15] [--rounds 2] [--doc docs/benchmarks.md]
// Needs build/web (scripts/build-web.sh) and build/wasm-tests/bench_train.js (bench/run.sh builds it).
// Both sides train with the preset's recipe (optimizer, augmentation) at the same batch size, nothing
// held out; the app's figure is wall clock: steps done × batch ÷ seconds, after a warm-up, so it
// includes what the page costs (drawing, the end-of-epoch evaluation on the test set).
import fs from 'node:fs';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { loadSentence, machineBefore, machineAfter, waitForQuiet } from './machine.mjs';
import { ROOT, launch, serve, openPage, status, waitStatus } from '../tests/e2e/helpers.mjs';
import { median, opt, sleep, writeSection } from './app.mjs';

const SECONDS = Number(opt('--seconds', 15));
const ROUNDS = Number(opt('--rounds', 2));
const PRESETS = [['mlp', 32], ['mlp-deep', 32], ['cnn-tiny', 128], ['cnn-5x5', 50], ['cnn-vgg', 256]];
const BENCH_JS = path.join(ROOT, 'build', 'wasm-tests', 'bench_train.js');
const log = (...a) => console.error('[app_speed]', ...a);

function core(preset, batch) {
  const out = execFileSync('node', ['--no-experimental-fetch', BENCH_JS, preset, String(batch), String(SECONDS), '2'],
                           { encoding: 'utf8', env: { ...process.env, NODE_PATH: '/usr/share/nodejs' } });
  const two = out.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l)).find((r) => r.threads === 2);
  if (!two) throw new Error(`bench_train gave no 2-thread figure for ${preset}: ${out}`);
  return two.train_samples_per_sec;
}

async function app(browser, url, preset, batch) {
  const { page } = await openPage(browser.context, `${url}#preset=${preset}&batch=${batch}&val=0&epochs=200&autostart=1`);
  try {
    await waitStatus(page, (s) => s.phase === 'training' && s.steps > 0, 120000, `${preset} training`);
    await waitStatus(page, (s) => s.saving_cpu, 15000, 'frames paced for training');
    await sleep(3000);  // warm-up
    const a = await status(page);
    await page.evaluate(() => window.digitlab.frames(true));
    const t0 = Date.now();
    await sleep(SECONDS * 1000);
    const b = await status(page);
    const secs = (Date.now() - t0) / 1000;
    const f = await page.evaluate(() => window.digitlab.frames());
    if (b.phase !== 'training') throw new Error(`${preset} stopped training: ${b.phase} ${b.message}`);
    // status() is what the last drawn frame took from the trainer: time the steps by those frames' clock.
    const span = (b.frame_at_ms - a.frame_at_ms) / 1000;
    return { rate: ((b.steps - a.steps) * batch) / span, fps: f.intervals / secs, cost: b.frame_cost_ms, share: b.ui_share };
  } finally { await page.close(); }
}

async function main() {
  for (const f of [path.join(ROOT, 'build', 'web', 'digitlab-mt.wasm'), BENCH_JS])
    if (!fs.existsSync(f)) throw new Error(`${f} is missing: run scripts/build-web.sh and bench/run.sh first`);
  await waitForQuiet(log);
  const env = machineBefore();
  const rows = Object.fromEntries(PRESETS.map(([p]) => [p, { core: [], app: [], fps: [], cost: [], share: [] }]));
  const srv = await serve({ isolation: true });
  const browser = await launch();
  try {
    for (let round = 1; round <= ROUNDS; ++round) {
      for (const [preset, batch] of PRESETS) {
        const r = rows[preset];
        // Each side first in every other round: a drift of the machine's speed does not favour one.
        const coreFirst = round % 2 === 1;
        if (coreFirst) r.core.push(core(preset, batch));
        const a = await app(browser, srv.url, preset, batch);
        if (!coreFirst) r.core.push(core(preset, batch));
        r.app.push(a.rate); r.fps.push(a.fps); r.cost.push(a.cost); r.share.push(a.share);
        log(`round ${round} ${preset}: core ${Math.round(r.core.at(-1))}, app ${Math.round(a.rate)} samples/s ` +
            `(${(a.rate / r.core.at(-1)).toFixed(2)}×), ${a.fps.toFixed(1)} frames/s, frame ${a.cost.toFixed(1)} ms`);
      }
    }
  } finally { await browser.close(); await srv.close(); }
  machineAfter(env);
  const n = (v) => Math.round(v).toLocaleString('en-US');
  const L = ['## App against the core (bench/app_speed.mjs)', ''];
  L.push(`Measured ${new Date().toISOString().slice(0, 10)} on ${env.cpu} (${env.cores} cores), ${env.chromium}, headless with ` +
         `software WebGL (SwiftShader). ${loadSentence(env, 'the machine was busy with other work during this run')} ` +
         `Training samples/s with each preset's recipe at its notebook's batch size, nothing held out, ${SECONDS} s per ` +
         `measurement, median of ${ROUNDS} interleaved rounds (range in brackets). "Core": build/wasm-tests/bench_train.js ` +
         `under node, 2 threads (trainer + 1 kernel worker). "App": the threads build in Chromium, the page untouched ` +
         `(it draws about 2 frames a second while training, docs/design.md "Frame pacing"), wall clock including the ` +
         `end-of-epoch evaluation on the test set. Rerun: \`node bench/app_speed.mjs\`.`, '');
  L.push('| preset | batch | core under node | app in Chromium | app ÷ core | frames/s while training | UI thread per frame |',
         '|---|---|---|---|---|---|---|');
  const cell = (v) => `${n(median(v))}${v.length > 1 ? ` (${n(Math.min(...v))}–${n(Math.max(...v))})` : ''}`;
  for (const [preset, batch] of PRESETS) {
    const r = rows[preset];
    L.push(`| ${preset} | ${batch} | ${cell(r.core)} | ${cell(r.app)} | **${(median(r.app) / median(r.core)).toFixed(2)}** | ` +
           `${median(r.fps).toFixed(1)} | ${median(r.cost).toFixed(1)} ms |`);
  }
  writeSection('App against the core (bench/app_speed.mjs)', L.join('\n') + '\n');
  log('written to docs/benchmarks.md');
}

main().catch((e) => { console.error(e); process.exit(1); });
