#!/usr/bin/env node
// Browser benchmark: measures the built app (build/web/, from scripts/build-web.sh) in headless
// Chromium and writes the "Browser (bench/browser.mjs)" section of docs/benchmarks.md (the other
// sections, e.g. bench/run.sh's, are kept). Not a test: the numbers depend on the machine and on
// what else runs on it, so it records the CPU, the load average and the Chromium version with them.
//   node bench/browser.mjs [--seconds 20] [--runs 3] [--predictions 40] [--doc docs/benchmarks.md]
// Measures:
//   - download size of each build (.wasm + .js [+ worker.js]), raw and gzip (zlib level 6, what
//     most servers send), and of the page shell and the dataset;
//   - time from navigation to the app's first frame and to the dataset being ready: first visit
//     with the serve command's headers, a repeat visit (service-worker cache), and a first visit on
//     a plain static host (includes the service worker's one reload);
//   - training throughput of the mlp preset (batch 32, Adam): threads build vs the SIMD-only
//     single-thread fallback (served without isolation headers and with the service worker blocked);
//   - draw-pad inference latency: the forward pass the app times for each prediction, median over
//     many strokes, in both builds;
//   - the page left open with nothing running: frames drawn and the CPU all of Chromium's processes
//     use, left alone (the app slows its frame rate) and with the mouse moving over it.
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { loadSentence, machineBefore, machineAfter, waitForQuiet } from './machine.mjs';
import { WEB, click, launch, serve, openPage, status, waitStatus } from '../tests/e2e/helpers.mjs';
import { DOC, median, opt, padLatencies, sleep, writeSection } from './app.mjs';

const SECONDS = Number(opt('--seconds', 20));
const RUNS = Number(opt('--runs', 3));
const PREDICTIONS = Number(opt('--predictions', 40));
const pct = (v, p) => { const s = [...v].sort((a, b) => a - b); return s[Math.min(s.length - 1, Math.floor(p * s.length))]; };
const kb = (n) => `${(n / 1024).toFixed(0)} KB`;
const mb = (n) => `${(n / 1048576).toFixed(2)} MB`;
const log = (...a) => console.error('[bench]', ...a);

// ------------------------------------------------------------------------------- download size
function sizes() {
  const one = (f) => { const b = fs.readFileSync(path.join(WEB, f)); return { raw: b.length, gz: zlib.gzipSync(b, { level: 6 }).length }; };
  const sum = (files) => files.filter((f) => fs.existsSync(path.join(WEB, f))).map(one)
    .reduce((a, b) => ({ raw: a.raw + b.raw, gz: a.gz + b.gz }), { raw: 0, gz: 0 });
  const rows = [];
  for (const v of ['mt', 'st']) {
    rows.push({ what: `${v === 'mt' ? 'threads + SIMD' : 'SIMD only (fallback)'}: digitlab-${v}.wasm`, ...one(`digitlab-${v}.wasm`) });
    const js = [`digitlab-${v}.js`, `digitlab-${v}.worker.js`].filter((f) => fs.existsSync(path.join(WEB, f)));
    rows.push({ what: `${v === 'mt' ? 'threads + SIMD' : 'SIMD only (fallback)'}: ${js.join(' + ')}`, ...sum(js) });
    rows.push({ what: `**${v === 'mt' ? 'threads + SIMD' : 'SIMD only'} build, total**`, ...sum([`digitlab-${v}.wasm`, ...js]), bold: true });
  }
  const shell = fs.readdirSync(WEB).filter((f) => /\.(html|js|webmanifest|svg|png)$/.test(f) && !f.startsWith('digitlab-'));
  rows.push({ what: `page shell (${shell.join(', ')})`, ...sum(shell) });
  const data = fs.readdirSync(path.join(WEB, 'assets', 'mnist')).map((f) => path.join('assets', 'mnist', f));
  const dataRaw = data.reduce((a, f) => a + fs.statSync(path.join(WEB, f)).size, 0);
  rows.push({ what: 'MNIST, 4 files (already .gz)', raw: dataRaw, gz: dataRaw });
  return rows;
}

// ------------------------------------------------------------------------------- load timing
// Navigation → first frame and → dataset ready, from the page's own clock (performance.now(), whose
// zero is the navigation start); `wall` adds the time before the final document (the service
// worker's reload on a plain static host).
async function loadOnce(page, url) {
  const t0 = Date.now();
  await page.goto(url);
  const s = await waitStatus(page, (s) => s.app_ready && s.data && s.data.phase === 'ready', 120000, 'dataset ready');
  const origin = await page.evaluate(() => performance.timeOrigin);
  return { first: s.first_frame_ms, ready: s.data.ready_ms, wallFirst: origin + s.first_frame_ms - t0, wallReady: origin + s.data.ready_ms - t0, build: s.build };
}

async function loadTimes() {
  const out = { cold: [], warm: [], plain: [] };
  for (let i = 0; i < RUNS; i++) {
    const srv = await serve({ isolation: true });
    const b = await launch();
    try {
      const page = b.context.pages()[0] || (await b.context.newPage());
      out.cold.push(await loadOnce(page, srv.url));
      // Let the service worker finish installing (precaching the whole folder), then come back.
      await page.waitForFunction(async () => {
        const reg = await navigator.serviceWorker.getRegistration();
        return !!(reg && reg.active && reg.active.state === 'activated' && !reg.installing && !reg.waiting);
      }, null, { timeout: 120000, polling: 500 });
      await page.goto('about:blank');
      out.warm.push(await loadOnce(page, srv.url));
    } finally { await b.close(); await srv.close(); }
    const plain = await serve({ isolation: false });
    const b2 = await launch();
    try {
      const page = b2.context.pages()[0] || (await b2.context.newPage());
      out.plain.push(await loadOnce(page, plain.url));
    } finally { await b2.close(); await plain.close(); }
    log(`load run ${i + 1}: cold ${out.cold[i].first.toFixed(0)}/${out.cold[i].ready.toFixed(0)} ms, warm ${out.warm[i].first.toFixed(0)}/${out.warm[i].ready.toFixed(0)} ms, plain host ${out.plain[i].wallFirst.toFixed(0)}/${out.plain[i].wallReady.toFixed(0)} ms (${out.plain[i].build})`);
  }
  return out;
}

// ------------------------------------------------------------------------------- training + drawing
async function trainAndDraw(label, serveOpts) {
  const srv = await serve(serveOpts);
  const b = await launch();
  try {
    const { page } = await openPage(b.context, `${srv.url}#preset=mlp&epochs=50&batch=32&seed=1&autostart=1`);
    const s0w = await waitStatus(page, (s) => s.phase === 'training' && s.steps > 0, 120000, 'training');
    await sleep(5000);  // warm-up
    const s0 = await status(page);
    const t0 = Date.now();
    await sleep(SECONDS * 1000);
    const s1 = await status(page);
    const t1 = Date.now();
    const frames = await page.evaluate(() => window.digitlab.frames());
    const rate = ((s1.steps - s0.steps) * 32) / ((t1 - t0) / 1000);
    log(`${label}: ${rate.toFixed(0)} samples/s (app says ${s1.samples_per_sec.toFixed(0)}), ${s1.build}, workers ${s1.workers}`);
    await click(page, 'training.stop');
    await waitStatus(page, (s) => s.phase === 'stopped' && !s.evaluating, 60000, 'stopped');
    // Draw-pad latency: strokes on an empty pad, each read by the model.
    const { lat, endToEnd } = await padLatencies(page, PREDICTIONS);
    log(`${label}: draw-pad forward median ${median(lat).toFixed(3)} ms`);
    return { label, build: s1.build, workers: s1.workers, isolated: s1.isolated, rate, appRate: s1.samples_per_sec,
             steps: s1.steps - s0.steps, frameMedian: frames.median_ms, lat, endToEnd, startedAfter: s0w.steps };
  } finally { await b.close(); await srv.close(); }
}

// CPU seconds used so far by this process' descendants (the browser and all its helper processes).
function childCpuSeconds() {
  const tick = 100;  // USER_HZ on Linux
  const procs = [];
  for (const d of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const st = fs.readFileSync(`/proc/${d}/stat`, 'utf8');
      const f = st.slice(st.lastIndexOf(')') + 2).split(' ');  // fields from 3 (state) on
      procs.push({ pid: Number(d), ppid: Number(f[1]), cpu: (Number(f[11]) + Number(f[12])) / tick });
    } catch { /* the process ended meanwhile */ }
  }
  const mine = new Set([process.pid]);
  for (let grew = true; grew;) {
    grew = false;
    for (const p of procs) if (!mine.has(p.pid) && mine.has(p.ppid)) { mine.add(p.pid); grew = true; }
  }
  return procs.filter((p) => p.pid !== process.pid && mine.has(p.pid)).reduce((a, p) => a + p.cpu, 0);
}

async function idleCost() {
  const srv = await serve({ isolation: true });
  const b = await launch();
  try {
    const { page } = await openPage(b.context, srv.url);
    await waitStatus(page, (s) => s.app_ready && s.data && s.data.phase === 'ready', 60000, 'dataset ready');
    const slow = await waitStatus(page, (s) => s.frame_interval > 2, 10000, 'idle frame pacing');
    const measure = async (label, during) => {
      await page.evaluate(() => window.digitlab.frames(true));
      const c0 = childCpuSeconds(), t0 = Date.now();
      await during();
      const secs = (Date.now() - t0) / 1000, cpu = (childCpuSeconds() - c0) / secs;
      const f = await page.evaluate(() => window.digitlab.frames());
      log(`${label}: ${(f.intervals / secs).toFixed(1)} frames/s, Chromium ${(100 * cpu).toFixed(0)}% of a core`);
      return { label, fps: f.intervals / secs, cpu, interval: slow.frame_interval };
    };
    const half = (SECONDS * 1000) / 2;
    const alone = await measure('left alone', () => sleep(half));
    const moving = await measure('mouse moving', async () => {
      for (let i = 0, t0 = Date.now(); Date.now() - t0 < half; ++i) {
        await page.mouse.move(400 + 40 * Math.sin(i / 4), 300 + 40 * Math.cos(i / 4));
        await sleep(100);
      }
    });
    return [alone, moving];
  } finally { await b.close(); await srv.close(); }
}

// ------------------------------------------------------------------------------- the report
function section(sz, load, train, idle, env) {
  const L = [];
  L.push('## Browser (bench/browser.mjs)', '');
  L.push(`Measured ${new Date().toISOString().slice(0, 10)} on ${env.cpu} (${env.cores} cores), ${env.chromium}, headless ` +
         `(\`--headless --use-angle=swiftshader\`): **WebGL runs in software (SwiftShader)**, so frame times are worse ` +
         `than on a real GPU, and drawing frames competes with training for the same ${env.cores} cores. ` +
         loadSentence(env, 'the machine was busy with other work during this run, so the speeds below are lower than on an idle machine') +
         ` Server: scripts/serve.mjs on 127.0.0.1 (no network latency). Rerun: \`node bench/browser.mjs\`.`, '');
  L.push('### Download size', '');
  L.push('| file(s) | raw | gzip (level 6) |', '|---|---|---|');
  for (const r of sz) L.push(`| ${r.what} | ${r.bold ? '**' + kb(r.raw) + '**' : kb(r.raw)} | ${r.bold ? '**' + kb(r.gz) + '**' : kb(r.gz)} |`);
  L.push('', 'A first visit downloads one build (the page picks threads or SIMD-only), the page shell and the dataset; ' +
         'the service worker then precaches the rest of the folder for offline use.', '');
  L.push(`### Time to first frame and to dataset ready (median and range of ${RUNS} runs, fresh browser profile each)`, '');
  L.push('| visit | build | navigation → first frame | navigation → 70,000 digits ready |', '|---|---|---|---|');
  const m = (a, k) => { const v = a.map((r) => r[k]); return `${median(v).toFixed(0)} ms` + (v.length > 1 ? ` (${Math.min(...v).toFixed(0)}–${Math.max(...v).toFixed(0)})` : ''); };
  L.push(`| first visit, serve command (COOP/COEP headers) | ${load.cold[0].build} | ${m(load.cold, 'first')} | ${m(load.cold, 'ready')} |`);
  L.push(`| repeat visit (service-worker cache) | ${load.warm[0].build} | ${m(load.warm, 'first')} | ${m(load.warm, 'ready')} |`);
  L.push(`| first visit, plain static host (no headers: the service worker isolates the page with one reload; times include it) | ${load.plain[0].build} | ${m(load.plain, 'wallFirst')} | ${m(load.plain, 'wallReady')} |`);
  L.push('', '"Ready" means downloaded, gunzipped (DecompressionStream), parsed and checked by the core, with the Data window\'s ' +
         'counts, sample grid and mean images built. The app and the dataset download in parallel.', '');
  L.push(`### Training throughput, mlp preset (784-512-10, batch 32, Adam)`, '');
  L.push(`Samples/s over ${SECONDS} s of training after a 5 s warm-up, page in the foreground.`, '');
  L.push('| build | how it trains | samples/s (wall clock) | the app\'s own figure | frame interval (median) |', '|---|---|---|---|---|');
  for (const r of train) {
    const how = r.build === 'threads' ? `trainer thread + ${r.workers} kernel worker${r.workers === 1 ? '' : 's'} (Web Workers), isolated`
                                      : 'on the UI thread, 10 ms slices between frames, not isolated';
    L.push(`| ${r.build === 'threads' ? 'threads + SIMD' : 'SIMD only (fallback)'} | ${how} | **${Math.round(r.rate).toLocaleString('en-US')}** | ${Math.round(r.appRate).toLocaleString('en-US')} | ${r.frameMedian.toFixed(0)} ms |`);
  }
  const [mt, st] = [train.find((r) => r.build === 'threads'), train.find((r) => r.build !== 'threads')];
  if (mt && st) L.push('', `Threads vs fallback: ${(mt.rate / st.rate).toFixed(1)}× (wall clock). The fallback trains only in a ` +
    '10 ms slice per animation frame, so its wall-clock rate is bounded by the frame rate, which SwiftShader and a busy ' +
    'machine keep low here; with a GPU at 60 frames/s the slices fill about 60% of the time. "The app\'s own figure" is ' +
    'what the Training window shows: samples over the last 3 s of wall-clock time while training. ' +
    'bench/run.sh\'s section gives the same core\'s speed natively and under node.');
  L.push('', `### Draw-pad inference latency (mlp, ${PREDICTIONS} predictions)`, '');
  L.push('| build | forward pass, median | p90 | stroke end → prediction in status(), median |', '|---|---|---|---|');
  for (const r of train) {
    L.push(`| ${r.build === 'threads' ? 'threads + SIMD' : 'SIMD only'} | ${median(r.lat).toFixed(2)} ms | ${pct(r.lat, 0.9).toFixed(2)} ms | ${median(r.endToEnd).toFixed(0)} ms |`);
  }
  L.push('', 'The forward pass is what the app times around `Model::forward` on the 28×28 image (the Draw window shows it); ' +
         'timer resolution is coarser on a page that is not cross-origin isolated (100 µs in Chromium). The last column adds ' +
         'waiting for the next animation frame and the test driver\'s polling, so it is an upper bound on what a person sees.');
  L.push('', `### The page left open, nothing running (threads build, dataset loaded, ${SECONDS / 2} s each)`, '');
  L.push('| state | frames drawn per second | CPU of all Chromium processes (% of one core) |', '|---|---|---|');
  for (const r of idle) L.push(`| ${r.label === 'left alone' ? `left alone (after 2 s the app draws every ${r.interval}th animation frame)` : 'mouse moving over the page (full rate)'} | ${r.fps.toFixed(1)} | ${(100 * r.cpu).toFixed(0)}% |`);
  L.push('', 'With software WebGL every frame costs CPU; on a machine with a GPU both figures are lower, and the ' +
         'difference is what a laptop left open on the page saves.');
  return L.join('\n') + '\n';
}

await waitForQuiet(log);
const env = machineBefore();
log(`${env.cpu}, ${env.cores} cores, ${env.chromium}, load ${env.loadBefore.toFixed(2)}`);
const sz = sizes();
const load = await loadTimes();
const train = [await trainAndDraw('threads', { isolation: true }), await trainAndDraw('single-thread', { isolation: false, blockSw: true })];
const idle = await idleCost();
machineAfter(env);
const text = section(sz, load, train, idle, env);
writeSection('Browser (bench/browser.mjs)', text);
console.log(text);
console.error(`[bench] wrote ${DOC}`);
