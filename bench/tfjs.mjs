#!/usr/bin/env node
// Peer benchmark: Digit Lab against TensorFlow.js, training the same networks on MNIST in the same
// headless Chromium on the same machine, one after the other. Writes the "Peer: TensorFlow.js"
// section of docs/benchmarks.md (other sections are kept). Not a test.
//   node bench/tfjs.mjs [--seconds 20] [--models mlp,cnn-tiny] [--backends wasm,cpu,webgl] [--doc F]
// TensorFlow.js comes from bench/tfjs/package-lock.json (installed here on first use, not by
// setup: the tests do not need it). Its page (bench/tfjs/index.html) trains with model.fit as a
// notebook does, with yieldEvery 'never' (its fastest setting: the page does not draw meanwhile).
// Digit Lab is measured in the app itself (build/web/, threads build), which draws its whole UI
// while it trains: a handicap on a machine whose WebGL is software (SwiftShader) on the same cores.
import { startServer } from '../scripts/serve.mjs';
import { prepareTfjs } from './tfjs/setup.mjs';
import { loadSentence, machineBefore, machineAfter, waitForQuiet } from './machine.mjs';
import { ROOT, launch, serve, openPage, status, waitStatus } from '../tests/e2e/helpers.mjs';
import { DOC, opt, sleep, writeSection } from './app.mjs';

const SECONDS = Number(opt('--seconds', 20));
const MODELS = opt('--models', 'mlp,cnn-tiny').split(',');
const BACKENDS = opt('--backends', 'wasm,cpu,webgl').split(',');
const BATCH = { mlp: 32, 'cnn-tiny': 128 };
const log = (...a) => console.error('[tfjs]', ...a);
const fmt = (v) => Math.round(v).toLocaleString('en-US');

prepareTfjs(log);

async function tfjsRun(model, backend) {
  const srv = await startServer({ root: ROOT, port: 0, isolation: true });
  const b = await launch();
  try {
    const page = b.context.pages()[0] || (await b.context.newPage());
    await page.goto(`${srv.url}bench/tfjs/index.html?backend=${backend}&model=${model}&seconds=${SECONDS}`);
    await page.waitForFunction(() => window.result, null, { timeout: (SECONDS + 600) * 1000, polling: 1000 });
    const r = await page.evaluate(() => window.result);
    log(`TensorFlow.js ${backend} ${model}:`, r.error ? r.error.split('\n')[0] : `${fmt(r.samples_per_sec)} samples/s (${r.batches} batches in ${r.seconds.toFixed(1)} s, ${r.params} params, threads ${r.threads}, loss ${r.loss_first.toFixed(3)} → ${r.loss_last.toFixed(3)})`);
    return { who: 'tfjs', model, backend, ...r };
  } finally { await b.close(); await srv.close(); }
}

async function oursRun(model) {
  const srv = await serve({ isolation: true });
  const b = await launch();
  try {
    const batch = BATCH[model];
    const { page } = await openPage(b.context, `${srv.url}#preset=${model}&epochs=50&batch=${batch}&seed=1&autostart=1`);
    await waitStatus(page, (s) => s.phase === 'training' && s.steps > 0, 120000, 'training');
    await sleep(5000);  // warm-up, as the TensorFlow.js page's first batches
    const s0 = await status(page);
    const t0 = Date.now();
    await sleep(SECONDS * 1000);
    const s1 = await status(page);
    const t1 = Date.now();
    const r = { who: 'ours', model, backend: `Digit Lab app (${s1.build}, ${s1.workers + 1} threads, SIMD)`, batch,
                batches: s1.steps - s0.steps, seconds: (t1 - t0) / 1000, params: s1.params ?? null };
    r.samples_per_sec = (r.batches * batch) / r.seconds;
    log(`Digit Lab ${model}: ${fmt(r.samples_per_sec)} samples/s (${r.batches} batches in ${r.seconds.toFixed(1)} s)`);
    return r;
  } finally { await b.close(); await srv.close(); }
}

await waitForQuiet(log);
const env = machineBefore();
log(`${env.cpu}, ${env.cores} cores, ${env.chromium}, load ${env.loadBefore.toFixed(2)}`);
const rows = [];
for (const model of MODELS) {
  rows.push(await oursRun(model));
  for (const backend of BACKENDS) {
    // The CPU backend (plain JavaScript) on the CNN would take minutes for a handful of batches.
    if (backend === 'cpu' && model !== 'mlp') continue;
    rows.push(await tfjsRun(model, backend));
  }
}
machineAfter(env);

const L = ['## Peer: TensorFlow.js (bench/tfjs.mjs)', ''];
const tfv = rows.find((r) => r.tfjs)?.tfjs ?? '?';
const gl = rows.find((r) => r.webgl_renderer)?.webgl_renderer;
L.push(`Measured ${new Date().toISOString().slice(0, 10)} on ${env.cpu} (${env.cores} cores), ${env.chromium}, headless, ` +
       `TensorFlow.js ${tfv}. ` + loadSentence(env, 'other work was running; compare rows of this table with each other, not with other sections') +
       ` Same networks (same parameter counts), same batch sizes, Adam, the 60,000 MNIST training images; samples/s over ${SECONDS} s after a warm-up. ` +
       'TensorFlow.js trains with `model.fit(..., {yieldEvery: "never"})`, its fastest setting, on a page that draws nothing; ' +
       'Digit Lab is measured in the app, which keeps drawing its whole UI (software WebGL here) on the same cores while it trains.' +
       (gl ? ` TensorFlow.js' WebGL backend ran on "${gl}", a software renderer: on a real GPU it would be faster.` : '') +
       ' Rerun: `node bench/tfjs.mjs`.', '');
const wasm = rows.find((r) => r.backend === 'wasm' && !r.error);
if (wasm && wasm.threads === 1)
  L.push('TensorFlow.js\' wasm backend loaded its threaded SIMD build on this cross-origin isolated page and was asked ' +
         `for ${env.cores} threads (\`tf.wasm.setThreadsCount\`), but reports 1 (\`getThreadsCount()\`): its matrix kernels ` +
         'ran on one core. Its wasm backend has no gradient kernel for convolutions (`Conv2DBackpropFilter`), so it cannot ' +
         'train a CNN at all; the WebGL backend can.', '');
for (const model of MODELS) {
  const ours = rows.find((r) => r.who === 'ours' && r.model === model);
  L.push(`### ${model} (batch ${BATCH[model]})`, '');
  L.push('| trainer | samples/s | Digit Lab is faster by |', '|---|---|---|');
  for (const r of rows.filter((x) => x.model === model)) {
    if (r.error) { L.push(`| TensorFlow.js, ${r.backend} backend | cannot train it: ${r.error.split('\n')[0].replace(/\|/g, '/')} | |`); continue; }
    const name = r.who === 'ours' ? `**${r.backend}**` : `TensorFlow.js, ${r.backend} backend` +
      (r.backend === 'wasm' ? ` (${r.threads ?? '?'} thread${r.threads === 1 ? '' : 's'}, SIMD${r.isolated ? ', isolated' : ''})` : r.backend === 'cpu' ? ' (plain JavaScript)' : '');
    const ratio = r.who === 'ours' ? '' : `${(ours.samples_per_sec / r.samples_per_sec).toFixed(1)}×`;
    L.push(`| ${name} | ${r.who === 'ours' ? '**' + fmt(r.samples_per_sec) + '**' : fmt(r.samples_per_sec)} | ${ratio} |`);
  }
  L.push('');
}
const text = L.join('\n');
writeSection('Peer: TensorFlow.js (bench/tfjs.mjs)', text);
console.log(text);
log(`wrote ${DOC}`);
