#!/usr/bin/env node
// The draw pad's forward pass per preset, on its own: the app in Chromium (threads build; strokes
// drawn with the mouse after a short run has ended, so the idle kernel worker can take a share) and
// the core under node (bench_train: one thread, and with the idle worker), in interleaved rounds.
// Writes the "Draw pad per preset (bench/pad.mjs)" section of docs/benchmarks.md; bench/speed.mjs
// measures the same beside training, which takes it half an hour. Not a test: run it on an
// otherwise idle machine.
//   node bench/pad.mjs [--rounds 2] [--predictions 20] [--presets mlp,cnn-vgg] [--doc F]
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { loadSentence, machineBefore, machineAfter, waitForQuiet } from './machine.mjs';
import { ROOT, launch, serve, openPage, waitStatus } from '../tests/e2e/helpers.mjs';
import { median, opt, padLatencies, writeSection } from './app.mjs';

const ROUNDS = Number(opt('--rounds', 2));
const PREDICTIONS = Number(opt('--predictions', 20));
const ONLY = opt('--presets', '').split(',').filter(Boolean);
const PRESETS = ['mlp', 'mlp-deep', 'cnn-tiny', 'cnn-5x5', 'cnn-vgg'].filter((p) => !ONLY.length || ONLY.includes(p));
const MLP = new Set(['mlp', 'mlp-deep']);
const log = (...a) => console.error('[pad]', ...a);
const run = (cmd, args) => execFileSync(cmd, args, { cwd: ROOT, encoding: 'utf8', maxBuffer: 1 << 26 });

function build() {
  log('building bench_train (wasm) and the app');
  execFileSync('bash', ['-c', `set -e; source scripts/common.sh
    emcmake cmake -S . -B build/wasm-tests -G Ninja -DDIGITLAB_THREADS=ON >/dev/null
    ninja -C build/wasm-tests bench_train >/dev/null 2>&1
    scripts/build-web.sh both >/dev/null`], { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'] });
}

// The core's draw pad under node: one thread, and with the idle worker (bench_train's 2-thread row).
function core(preset) {
  const out = run('node', ['--no-experimental-fetch', path.join(ROOT, 'build', 'wasm-tests', 'bench_train.js'), preset, '8', '0.5', '2', '2']);
  const two = out.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l)).find((r) => r.threads === 2);
  if (!two) throw new Error(`bench_train gave no 2-thread figure for ${preset}: ${out}`);
  return { alone: two.pad_forward_ms, workers: two.pad_forward_workers_ms };
}

// The app: a short run of the preset to its end, then strokes on the pad, each read by the model. A
// browser of its own, closed before the core's turn, which it would otherwise share the cores with.
async function app(url, preset) {
  const browser = await launch();
  try {
    const { page } = await openPage(browser.context, `${url}#preset=${preset}&limit=512&epochs=1&val=0&autostart=1`);
    await waitStatus(page, (s) => s.phase === 'finished' && !s.evaluating, 300000, `${preset} trained`);
    return (await padLatencies(page, PREDICTIONS)).lat;
  } finally { await browser.close(); }
}

async function main() {
  build();
  await waitForQuiet(log);
  const env = machineBefore();
  const rows = Object.fromEntries(PRESETS.map((p) => [p, { app: [], alone: [], workers: [] }]));
  const srv = await serve();
  try {
    for (let round = 1; round <= ROUNDS; round++) {
      for (const preset of round % 2 ? PRESETS : [...PRESETS].reverse()) {
        const r = rows[preset];
        const steps = [async () => { r.app.push(...await app(srv.url, preset)); },
                       async () => { const c = core(preset); r.alone.push(c.alone); r.workers.push(c.workers); }];
        for (const s of round % 2 ? steps : [...steps].reverse()) await s();
        log(`round ${round} ${preset}: app ${median(r.app).toFixed(3)} ms, core ${r.alone.at(-1).toFixed(3)} / ${r.workers.at(-1).toFixed(3)} ms`);
      }
    }
  } finally { await srv.close(); }
  machineAfter(env);
  const L = ['## Draw pad per preset (bench/pad.mjs)', '',
    `Measured ${new Date().toISOString().slice(0, 10)} on ${env.cpu} (${env.cores} cores), ${env.chromium}, headless, node ` +
    `${process.version}. ${loadSentence(env, 'the machine was busy with other work during this run')} The forward pass of one ` +
    `drawn image, ms. App: the time the app reports for a prediction (status().prediction.latency_ms), median of ` +
    `${PREDICTIONS * ROUNDS} strokes drawn with the mouse after a 1-epoch run on 512 images has ended (threads build). Core: ` +
    `bench_train's draw pad in wasm under node, median of 200 passes, on one thread and with the idle worker; median of ` +
    `${ROUNDS} interleaved rounds. Rerun: \`node bench/pad.mjs\`.`, '',
    '| preset | app, ms (≤ 0.15 MLPs, ≤ 1 CNNs) | core under node, one thread, ms | core under node, with the idle worker, ms |',
    '|---|---|---|---|'];
  for (const p of PRESETS) {
    const r = rows[p], a = median(r.app);
    L.push(`| ${p} | ${a.toFixed(2)} ${a <= (MLP.has(p) ? 0.15 : 1) ? '✓' : '✗'} | ${median(r.alone).toFixed(3)} | ${median(r.workers).toFixed(3)} |`);
  }
  writeSection('Draw pad per preset (bench/pad.mjs)', L.join('\n') + '\n');
  log('written to docs/benchmarks.md');
}

main().catch((e) => { console.error(e); process.exit(1); });
