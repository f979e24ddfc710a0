#!/usr/bin/env node
// Browser benchmark, three engines: the built app (build/web/) trains the mlp preset in headless
// Chromium, in Firefox ESR and in WebKitGTK (Safari's engine; both on a private Xvfb display, see
// tests/e2e/helpers.mjs), in turns, in the threads build and in the single-thread fallback, and reads
// drawn digits; writes the "Chromium, Firefox and WebKit (bench/engines.mjs)" section of
// docs/benchmarks.md (other sections are kept). Not a test: the numbers depend on the machine and on
// what else runs on it.
//   node bench/engines.mjs [--seconds 20] [--rounds 2] [--predictions 20] [--doc docs/benchmarks.md]
import { loadSentence, machineBefore, machineAfter, waitForQuiet } from './machine.mjs';
import { click, launch, launchFirefox, launchWebKit, startXvfb, serve, openPage, status, waitStatus } from '../tests/e2e/helpers.mjs';
import { DOC, median, opt, padLatencies, sleep, writeSection } from './app.mjs';

const SECONDS = Number(opt('--seconds', 20));
const ROUNDS = Number(opt('--rounds', 2));
const PREDICTIONS = Number(opt('--predictions', 20));
const log = (...a) => console.error('[bench]', ...a);
const ENGINES = String(opt('--engines', 'chromium,firefox,webkit')).split(',');
const TITLE = 'Chromium, Firefox and WebKit (bench/engines.mjs)';

let CHROMIUM_VERSION = '';
// One browser of any kind: { page, version, close() }. WebKitGTK gets SharedArrayBuffer for the
// threads build, as Safari has it in an isolated page (see launchWebKit).
async function open(engine, url, display, build) {
  if (engine === 'chromium') {
    const b = await launch();
    const { page } = await openPage(b.context, url);
    return { page, version: CHROMIUM_VERSION, close: b.close };
  }
  if (engine === 'webkit') {
    const w = await launchWebKit(display, { sab: build === 'threads' });
    await w.go(url);
    return { page: w.page, version: `WebKitGTK ${w.version}`, close: w.close };
  }
  const f = await launchFirefox(display);
  await f.page.goto(url);
  return { page: f.page, version: `Firefox ${(await f.browser.version()).replace(/^firefox\//, '')}`, close: () => f.browser.close() };
}

// mlp, batch 32: samples/s over SECONDS after a 5 s warm-up, then the draw pad's forward pass.
async function measure(engine, build, display) {
  const srv = await serve(build === 'threads' ? { isolation: true } : { isolation: false, blockSw: true });
  const b = await open(engine, `${srv.url}#preset=mlp&epochs=50&batch=32&seed=1&autostart=1`, display, build);
  try {
    const page = b.page;
    await waitStatus(page, (s) => s.phase === 'training' && s.steps > 0, 120000, 'training');
    await sleep(5000);
    const s0 = await status(page), t0 = Date.now();
    await page.evaluate(() => window.digitlab.frames(true));
    await sleep(SECONDS * 1000);
    const s1 = await status(page), t1 = Date.now();
    const frames = await page.evaluate(() => window.digitlab.frames());
    const rate = ((s1.steps - s0.steps) * 32) / ((t1 - t0) / 1000);
    if (s1.build !== build) throw new Error(`${engine}: expected the ${build} build, got ${s1.build}`);
    await click(page, 'training.stop');
    await waitStatus(page, (s) => s.phase === 'stopped' && !s.evaluating, 60000, 'stopped');
    const { lat } = await padLatencies(page, PREDICTIONS);
    log(`${engine} ${build}: ${rate.toFixed(0)} samples/s, frames median ${frames.median_ms.toFixed(0)} ms, pad ${median(lat).toFixed(2)} ms`);
    return { engine, build, version: b.version, rate, frame: frames.median_ms, lat: median(lat) };
  } finally { await b.close(); await srv.close(); }
}

await waitForQuiet(log);
const env = machineBefore();
CHROMIUM_VERSION = env.chromium.replace(/ built on .*$/, '');
const xvfb = await startXvfb();
const runs = [];
try {
  for (let r = 0; r < ROUNDS; r++)
    for (const build of ['threads', 'single-thread'])
      for (const engine of r % 2 ? [...ENGINES].reverse() : ENGINES) runs.push(await measure(engine, build, xvfb.display));
} finally { xvfb.proc.kill(); }
machineAfter(env);

const fmt = (v, d = 0) => v.toLocaleString('en-US', { minimumFractionDigits: d, maximumFractionDigits: d });
const cell = (v, d = 0) => v.length > 1 ? `${fmt(median(v), d)} (${fmt(Math.min(...v), d)}–${fmt(Math.max(...v), d)})` : fmt(v[0], d);
const L = [`## ${TITLE}`, ''];
L.push(`Measured ${new Date().toISOString().slice(0, 10)} on ${env.cpu} (${env.cores} cores). ${loadSentence(env, 'other work was running: the numbers are low')} ` +
       `${[...new Set(runs.map((r) => r.version))].join(', ')}; all with software WebGL (SwiftShader in Chromium, Mesa's llvmpipe on Xvfb for the others). ` +
       `The mlp preset (batch 32, Adam) trains for ${SECONDS} s after a 5 s warm-up; then ${PREDICTIONS} drawn digits are read. ` +
       `The browsers take turns, ${ROUNDS} rounds; median and range.`, '');
L.push('| build | browser | samples/s (wall clock) | frame interval while training (median) | draw-pad forward pass (median) |', '|---|---|---|---|---|');
for (const build of ['threads', 'single-thread'])
  for (const engine of ENGINES) {
    const g = runs.filter((r) => r.engine === engine && r.build === build);
    L.push(`| ${build} | ${g[0].version} | **${cell(g.map((r) => r.rate))}** | ${cell(g.map((r) => r.frame))} ms | ${cell(g.map((r) => r.lat), 2)} ms |`);
  }
L.push('', 'Outside cross-origin isolation (the single-thread build) Firefox and WebKit coarsen their clocks to about ' +
       '1 ms, so their draw-pad times there are not measurements of a sub-millisecond pass; the page shows such a reading as ' +
       '"under 1 ms". WebKitGTK has SharedArrayBuffer only with JavaScriptCore\'s switch, which the threads runs set ' +
       'to stand for Safari (which has it on cross-origin isolated pages); it reports 4 cores on a 2-core machine, so ' +
       'the app starts 3 kernel workers there. All three render WebGL in software here, so the frame intervals say ' +
       'more about those renderers than about the browsers on a machine with a GPU.');
const text = L.join('\n') + '\n';
writeSection(TITLE, text);
console.log(text);
log(`wrote ${DOC}`);
