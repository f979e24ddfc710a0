#!/usr/bin/env node
// The speed benchmark, one command: every preset trained by the app in Chromium (threads build and
// single-thread build), by the core under node and natively, by TensorFlow.js 4.22 in the same
// Chromium (wasm as shipped; wasm with the kernels it lacks supplied from its CPU backend; WebGL) and
// by Debian's PyTorch natively, in interleaved rounds; the machine's measured SIMD peak; the draw
// pad's forward pass per preset. Writes the "Speed against the peers (bench/speed.mjs)" section of
// docs/benchmarks.md (other sections are kept). Not a test: run it on an otherwise idle machine.
//   node bench/speed.mjs [--seconds 10] [--rounds 2] [--presets mlp,cnn-tiny] [--predictions 10] [--doc F]
// Builds what it runs (build/native, build/wasm-tests, build/web), installs TensorFlow.js from
// bench/tfjs/package-lock.json and, as root, Debian's python3-torch and OpenBLAS when missing.
import fs from 'node:fs';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { startServer } from '../scripts/serve.mjs';
import { prepareTfjs } from './tfjs/setup.mjs';
import { loadSentence, machineBefore, machineAfter, waitForQuiet } from './machine.mjs';
import { ROOT, click, launch, serve, openPage, status, waitStatus } from '../tests/e2e/helpers.mjs';
import { median, opt, padLatencies, sleep, writeSection } from './app.mjs';

const SECONDS = Number(opt('--seconds', 10));
const ROUNDS = Number(opt('--rounds', 2));
const PREDICTIONS = Number(opt('--predictions', 10));
const ONLY = opt('--presets', '').split(',').filter(Boolean);
const PRESETS = [['mlp', 32], ['mlp-deep', 32], ['cnn-tiny', 128], ['cnn-5x5', 50], ['cnn-vgg', 256]]
  .filter(([p]) => !ONLY.length || ONLY.includes(p));
const MLP = new Set(['mlp', 'mlp-deep']);
const SLOW = 0.05;
const NATIVE = path.join(ROOT, 'build', 'native');
const WASM = path.join(ROOT, 'build', 'wasm-tests');
const PYTHON = '/usr/bin/python3';  // Debian's, where python3-torch installs
const log = (...a) => console.error('[speed]', ...a);
const fmt = (v) => (Number.isFinite(v) ? Math.round(v).toLocaleString('en-US') : '—');
const run = (cmd, args, opts = {}) => execFileSync(cmd, args, { encoding: 'utf8', maxBuffer: 1 << 26, ...opts });
const jsonLines = (out) => out.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l));

function build() {
  log('building bench_train and bench_peak (native and wasm) and the app');
  run('bash', ['-c', `set -e; source scripts/common.sh
    cmake -S . -B build/native -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null && ninja -C build/native bench_train bench_peak >/dev/null
    emcmake cmake -S . -B build/wasm-tests -G Ninja -DDIGITLAB_THREADS=ON >/dev/null
    ninja -C build/wasm-tests bench_train bench_peak >/dev/null 2>&1
    scripts/build-web.sh both >/dev/null`], { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'] });
}

function torchReady() {
  const ok = () => { try { run(PYTHON, ['-c', 'import torch']); return true; } catch { return false; } };
  if (ok()) return true;
  if (process.getuid && process.getuid() === 0) {
    log('installing Debian\'s python3-torch and libopenblas0-openmp');
    try {
      run('apt-get', ['install', '-y', '--no-install-recommends', 'python3-torch', 'libopenblas0-openmp'],
          { stdio: ['ignore', 'ignore', 'inherit'] });
    } catch (e) { log(`apt-get failed: ${e.message.split('\n')[0]}`); }
  }
  if (ok()) return true;
  log('PyTorch is missing and could not be installed: run `apt-get install python3-torch libopenblas0-openmp` as root; its rows stay empty');
  return false;
}

// The core's 2-thread row: training samples/s, train MFLOP a sample, the draw pad alone and with a worker.
function core(where, preset, batch) {
  const args = [preset, String(batch), String(SECONDS), '2', '2'];
  const out = where === 'native' ? run(path.join(NATIVE, 'bench_train'), args)
    : run('node', ['--no-experimental-fetch', path.join(WASM, 'bench_train.js'), ...args]);
  const two = jsonLines(out).find((r) => r.threads === 2);
  if (!two) throw new Error(`bench_train (${where}) gave no 2-thread figure for ${preset}: ${out}`);
  return { rate: two.train_samples_per_sec, mflop: two.train_mflop_per_sample, pad: two.pad_forward_ms,
           padWorkers: two.pad_forward_workers_ms };
}

function peak(where) {
  const out = where === 'native' ? run(path.join(NATIVE, 'bench_peak'), ['1', '2'])
    : run('node', ['--no-experimental-fetch', path.join(WASM, 'bench_peak.js'), '1', '2']);
  return Object.fromEntries(jsonLines(out).map((r) => [r.threads, r.peak_gflops]));
}

function torch(preset, batch) {
  return jsonLines(run(PYTHON, [path.join(ROOT, 'bench', 'torch_speed.py'), preset, String(batch), String(SECONDS), '2']))[0];
}

// The app training `preset` (wall clock, page untouched), then its draw pad once the run is stopped.
async function app(browser, url, preset, batch, st) {
  const { page } = await openPage(browser.context,
    `${url}#preset=${preset}&batch=${batch}&val=0&epochs=200&autostart=1${st ? '&build=st' : ''}`);
  try {
    await waitStatus(page, (s) => s.phase === 'training' && s.steps > 0, 120000, `${preset} training`);
    if (!st) await waitStatus(page, (s) => s.saving_cpu, 15000, 'frames paced for training');
    await sleep(3000);  // warm-up
    const a = await status(page);
    await page.evaluate(() => window.digitlab.frames(true));
    const t0 = Date.now();
    await sleep(SECONDS * 1000);
    const b = await status(page);
    const f = await page.evaluate(() => window.digitlab.frames());
    const fps = f.intervals / ((Date.now() - t0) / 1000);
    if (b.phase !== 'training') throw new Error(`${preset} stopped training: ${b.phase} ${b.message}`);
    if (st !== (b.build === 'single-thread')) throw new Error(`asked for the ${st ? 'single-thread' : 'threads'} build, got ${b.build}`);
    // status() is what the last drawn frame took from the trainer: time the steps by those frames' clock.
    const rate = ((b.steps - a.steps) * batch) / ((b.frame_at_ms - a.frame_at_ms) / 1000);
    await click(page, 'training.stop');
    await waitStatus(page, (s) => s.phase === 'stopped' && !s.evaluating, 120000, `${preset} stopped`);
    const { lat } = await padLatencies(page, PREDICTIONS);
    return { rate, pad: lat, fps, cost: b.frame_cost_ms };
  } finally { await page.close(); }
}

// TensorFlow.js on its own page (bench/tfjs/index.html), a fresh browser each time.
async function tfjs(preset, backend, supply) {
  const srv = await startServer({ root: ROOT, port: 0, isolation: true });
  const b = await launch();
  try {
    const page = b.context.pages()[0] || (await b.context.newPage());
    await page.goto(`${srv.url}bench/tfjs/index.html?backend=${backend}&model=${preset}&seconds=${SECONDS}${supply ? '&supply=1' : ''}`);
    await page.waitForFunction(() => window.result, null, { timeout: (SECONDS + 600) * 1000, polling: 1000 });
    const r = await page.evaluate(() => window.result);
    return r.error ? { error: r.error.split('\n')[0] } : { rate: r.samples_per_sec, threads: r.threads, renderer: r.webgl_renderer,
                                                           supplied: r.supplied, tfjs: r.tfjs, first: r.first_batch_only };
  } finally { await b.close(); await srv.close(); }
}

const SYSTEMS = [
  ['app', 'Digit Lab app, threads build (Chromium)'],
  ['app_st', 'Digit Lab app, single-thread build (Chromium)'],
  ['core_wasm', 'Digit Lab core, wasm under node, 2 threads'],
  ['core_native', 'Digit Lab core, native (the CLI\'s), 2 threads'],
  ['tfjs_wasm', 'TensorFlow.js wasm, as shipped'],
  ['tfjs_supplied', 'TensorFlow.js wasm, missing kernels supplied'],
  ['tfjs_webgl', 'TensorFlow.js WebGL'],
  ['torch', 'PyTorch (Debian), native, 2 threads'],
];

async function main() {
  build();
  prepareTfjs(log);
  const haveTorch = torchReady();
  await waitForQuiet(log);
  const env = machineBefore();
  const rows = Object.fromEntries(PRESETS.map(([p]) => [p, Object.fromEntries(
    [...SYSTEMS.map(([k]) => [k, []]), ['pad', []], ['fps', []], ['cost', []], ['pad_core', []], ['pad_core_workers', []], ['errors', {}], ['once', new Set()], ['first', new Set()], ['mflop', 0]])]));
  const peaks = { wasm: [], native: [] };
  let tfInfo = {};
  const srv = await serve({ isolation: true });
  try {
    for (let round = 1; round <= ROUNDS; ++round) {
      peaks.wasm.push(peak('wasm'));
      peaks.native.push(peak('native'));
      log(`round ${round}: peak wasm ${JSON.stringify(peaks.wasm.at(-1))}, native ${JSON.stringify(peaks.native.at(-1))} GFLOP/s`);
      for (const [preset, batch] of PRESETS) {
        const r = rows[preset];
        // Every other round in the opposite order: a drift of the machine's speed favours no system.
        const steps = [
          async () => { const c = core('native', preset, batch); r.core_native.push(c.rate); r.mflop = c.mflop; },
          async () => { const c = core('wasm', preset, batch); r.core_wasm.push(c.rate); r.pad_core.push(c.pad); r.pad_core_workers.push(c.padWorkers); },
          async () => {
            const browser = await launch();
            try {
              const a = await app(browser, srv.url, preset, batch, false);
              r.app.push(a.rate); r.pad.push(...a.pad); r.fps.push(a.fps); r.cost.push(a.cost);
              r.app_st.push((await app(browser, srv.url, preset, batch, true)).rate);
            } finally { await browser.close(); }
          },
          async () => {
            for (const [key, backend, supply] of [['tfjs_wasm', 'wasm', false], ['tfjs_supplied', 'wasm', true], ['tfjs_webgl', 'webgl', false]]) {
              // After the first round, a backend that could not train the network, or trained it at
              // under 5% of the app's speed (minutes a measurement on the CNNs), is not run again.
              if (round > 1 && (r.errors[key] || (r[key].length && r.app.length && r[key][0] < SLOW * r.app[0]))) {
                r.once.add(key);
                continue;
              }
              const t = await tfjs(preset, backend, supply);
              if (t.error) r.errors[key] = t.error;
              else { r[key].push(t.rate); if (t.first) r.first.add(key); tfInfo = { ...tfInfo, ...(t.renderer ? { renderer: t.renderer } : {}), tfjs: t.tfjs, [key + '_threads']: t.threads, ...(supply ? { supplied: t.supplied } : {}) }; }
            }
          },
          async () => { if (haveTorch) { const t = torch(preset, batch); r.torch.push(t.train_samples_per_sec); tfInfo.torch = t.torch; } },
        ];
        for (const s of round % 2 ? steps : [...steps].reverse()) await s();
        log(`round ${round} ${preset}: ` + SYSTEMS.map(([k]) => `${k} ${fmt(r[k].at(-1))}`).join(', ') +
            `, pad ${median(r.pad).toFixed(3)} ms`);
      }
      // Written after every round: a run cut short still leaves what it measured.
      machineAfter(env);
      writeSection('Speed against the peers (bench/speed.mjs)', report(env, rows, peaks, tfInfo, round) + '\n');
      log(`round ${round} written to docs/benchmarks.md`);
    }
  } finally { await srv.close(); }
}

function report(env, rows, peaks, info, rounds) {
  const best = (list) => Math.max(...list);
  const wasmPeak = { 1: best(peaks.wasm.map((p) => p[1])), 2: best(peaks.wasm.map((p) => p[2])) };
  const nativePeak = { 1: best(peaks.native.map((p) => p[1])), 2: best(peaks.native.map((p) => p[2])) };
  const m = (v) => (v.length ? median(v) : NaN);
  const cell = (v) => (v.length ? `${fmt(median(v))}${v.length > 1 ? ` (${fmt(Math.min(...v))}–${fmt(Math.max(...v))})` : ''}` : '—');
  const L = ['## Speed against the peers (bench/speed.mjs)', ''];
  L.push(`Measured ${new Date().toISOString().slice(0, 10)} on ${env.cpu} (${env.cores} cores), ${env.chromium}, headless with ` +
    `software WebGL (SwiftShader), node ${process.version}, TensorFlow.js ${info.tfjs ?? '?'}, PyTorch ${info.torch ?? 'not installed'}. ` +
    `${loadSentence(env, 'the machine was busy with other work during this run')} Training samples/s with each preset's network ` +
    `at its notebook's batch size, Adam, nothing held out, ${SECONDS} s per measurement after a warm-up, median of ${rounds} ` +
    `interleaved rounds (range in brackets; a TensorFlow.js backend that trained a network at under ${SLOW * 100}% of ` +
    `the app's speed in the first round was not measured again: its one figure stands). The app is measured by the wall clock with its page untouched (it paces its ` +
    `frames for training); the core by \`Trainer::step()\` on synthetic images (bench_train); TensorFlow.js by \`model.fit\` ` +
    `with \`yieldEvery: 'never'\` on a page that draws nothing; PyTorch by bench/torch_speed.py on synthetic images. ` +
    `Rerun: \`node bench/speed.mjs\`.`, '');
  L.push(`**Peak** (bench_peak: 4-lane float multiply then add, 12 independent chains per thread, best of 3 × ${rounds} rounds): ` +
    `wasm SIMD under node ${wasmPeak[1].toFixed(1)} GFLOP/s on one thread, **${wasmPeak[2].toFixed(1)}** on two; native (SSE, ` +
    `the same instructions) ${nativePeak[1].toFixed(1)} and ${nativePeak[2].toFixed(1)}. Training GFLOP/s count 3 × 2 flops per ` +
    `multiply-add of the Dense and Conv2D layers' forward pass.`, '');
  if (info.supplied?.length) L.push(`Kernels supplied to TensorFlow.js' wasm backend from its CPU backend: ${info.supplied.join(', ')}.` +
    (info.renderer ? ` Its WebGL backend ran on "${info.renderer}".` : ''), '');
  L.push('| system | ' + PRESETS.map(([p, b]) => `${p} (${b})`).join(' | ') + ' |', '|---|' + PRESETS.map(() => '---|').join(''));
  for (const [k, name] of SYSTEMS)
    L.push(`| ${name} | ` + PRESETS.map(([p]) => (rows[p][k].length ? cell(rows[p][k]) + (rows[p].first.has(k) ? ' †' : '') :
      rows[p].errors[k] ? 'cannot train' : '—')).join(' | ') + ' |');
  L.push('| train MFLOP / sample | ' + PRESETS.map(([p]) => rows[p].mflop.toFixed(2)).join(' | ') + ' |', '');
  if (PRESETS.some(([p]) => rows[p].first.size))
    L.push('† Its first batch took over a minute, so that batch alone is the figure (it includes the backend\'s setup).', '');
  const tfBest = (r) => Math.max(m(r.tfjs_wasm) || 0, m(r.tfjs_supplied) || 0, m(r.tfjs_webgl) || 0);
  L.push('| acceptance (issue 20) | ' + PRESETS.map(([p]) => p).join(' | ') + ' |', '|---|' + PRESETS.map(() => '---|').join(''));
  const line = (label, f) => L.push(`| ${label} | ` + PRESETS.map(([p]) => f(rows[p], p)).join(' | ') + ' |');
  const mark = (ok) => (ok ? ' ✓' : ' ✗');
  line('app ÷ core under node (≥ 0.90)', (r) => { const v = m(r.app) / m(r.core_wasm); return `${v.toFixed(2)}${mark(v >= 0.9)}`; });
  line('app GFLOP/s', (r) => (m(r.app) * r.mflop / 1e3).toFixed(1));
  line('app, % of the 2-thread wasm peak (≥ 50 MLPs and cnn-tiny, ≥ 70 cnn-5x5 and cnn-vgg)', (r, p) => {
    const v = (100 * m(r.app) * r.mflop / 1e3) / wasmPeak[2];
    return `${v.toFixed(0)}%${mark(v >= (p === 'cnn-5x5' || p === 'cnn-vgg' ? 70 : 50))}`;
  });
  line('app ÷ best TensorFlow.js (≥ 3 MLPs and cnn-tiny, ≥ 1.5 cnn-5x5 and cnn-vgg)', (r, p) => {
    const v = m(r.app) / tfBest(r);
    return `${v.toFixed(1)}×${mark(v >= (p === 'cnn-5x5' || p === 'cnn-vgg' ? 1.5 : 3))}`;
  });
  line('native core ÷ PyTorch (≥ 1 on mlp, mlp-deep, cnn-tiny)', (r, p) => {
    const v = m(r.core_native) / m(r.torch);
    return Number.isFinite(v) ? `${v.toFixed(2)}${p === 'cnn-5x5' || p === 'cnn-vgg' ? '' : mark(v >= 1)}` : '—';
  });
  line('app threads ÷ single-thread build', (r) => (m(r.app) / m(r.app_st)).toFixed(1) + '×');
  line('app frames/s while training; UI thread per frame', (r) => `${m(r.fps).toFixed(1)}; ${m(r.cost).toFixed(1)} ms`);
  line('draw pad in the app, ms (≤ 0.15 MLPs, ≤ 1 CNNs)', (r, p) => `${m(r.pad).toFixed(2)}${mark(m(r.pad) <= (MLP.has(p) ? 0.15 : 1))}`);
  line('draw pad, core under node: one thread / with the idle worker, ms', (r) => `${m(r.pad_core).toFixed(2)} / ${m(r.pad_core_workers).toFixed(2)}`);
  L.push('', `"Draw pad in the app": the forward pass the app times for a prediction (median of ${PREDICTIONS * rounds}, strokes drawn ` +
    'with the mouse after the run is stopped; the UI thread then hands tasks to the idle kernel worker).');
  return L.join('\n');
}

main().catch((e) => { console.error(e); process.exit(1); });
