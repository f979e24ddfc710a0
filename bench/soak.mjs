#!/usr/bin/env node
// A long run in the browser, saved after every epoch: the memory the app holds (malloc's bytes in use
// in the wasm heap, the wasm memory's size, and the page's JavaScript heap after a garbage collection)
// at the end of each epoch, and what each autosave costs (making the run file on the trainer thread,
// writing it to IndexedDB on the page). Fails (exit 1) if either heap grows by more than 5% from the
// end of epoch 2 to the end. Writes the "Autosave and memory over a long run (bench/soak.mjs)"
// section of docs/benchmarks.md. Not a test: it takes about 5 minutes and the times depend on the
// machine.
//   node bench/soak.mjs [--epochs 30] [--preset mlp] [--doc docs/benchmarks.md]
import { loadSentence, machineBefore, machineAfter, waitForQuiet } from './machine.mjs';
import { launch, serve, openPage, status, waitStatus } from '../tests/e2e/helpers.mjs';
import { median, opt, writeSection } from './app.mjs';

const EPOCHS = Number(opt('--epochs', 30));
const PRESET = opt('--preset', 'mlp');
const log = (...a) => console.error('[soak]', ...a);
const MB = (b) => (b / 1e6).toFixed(b < 1e7 ? 2 : 1);

await waitForQuiet(log);
const env = machineBefore();
const srv = await serve({ isolation: true });
const b = await launch();
const rows = [];
let s;
try {
  const { page } = await openPage(b.context, `${srv.url}#preset=${PRESET}&epochs=${EPOCHS}&seed=1&autostart=1`);
  const cdp = await b.context.newCDPSession(page);
  const jsHeap = async () => {
    await cdp.send('HeapProfiler.collectGarbage');
    return (await cdp.send('Runtime.getHeapUsage')).usedSize;
  };
  await waitStatus(page, (s) => s.phase === 'training', 120000, 'training');
  for (let e = 1; e <= EPOCHS; e++) {
    // The epoch's autosave made and written (its write counted), not yet the next epoch's.
    s = await waitStatus(page, (s) => s.runs.saved_epochs >= e && !s.runs_page.saving, 600000, `epoch ${e} saved`);
    rows.push({ epoch: e, inUse: s.heap_in_use, size: s.heap_size, js: await jsHeap(), saveMs: s.runs.save_ms,
                writeMs: s.runs_page.write_ms, writes: s.runs_page.writes, sps: s.samples_per_sec });
    const r = rows[rows.length - 1];
    log(`epoch ${e}: malloc ${MB(r.inUse)} MB, wasm memory ${MB(r.size)} MB, JS heap ${(r.js / 1e3).toFixed(0)} kB; autosave made in ` +
        `${r.saveMs.toFixed(1)} ms, written in ${r.writeMs.toFixed(0)} ms`);
  }
  s = await waitStatus(page, (s) => s.phase === 'finished' && s.test_accuracy != null, 300000, 'the end of the run');
} finally { await b.close(); await srv.close(); }
machineAfter(env);

const from = rows.find((r) => r.epoch === 2), last = rows[rows.length - 1];
const growth = (k) => Math.max(...rows.filter((r) => r.epoch >= 2).map((r) => r[k])) / from[k] - 1;
const g = { inUse: growth('inUse'), size: growth('size'), js: growth('js') };
const flat = g.inUse <= 0.05 && g.js <= 0.05;
const pct = (v) => (100 * v).toFixed(1) + '%';
const lines = [
  '## Autosave and memory over a long run (bench/soak.mjs)',
  '',
  `Measured ${new Date().toISOString().slice(0, 10)} on ${env.cpu} (${env.cores} cores), ${env.chromium}, headless, threads ` +
  `build: \`#preset=${PRESET}&epochs=${EPOCHS}&seed=1&autostart=1\`, the run saved in the browser after every epoch ` +
  `(${last.writes} writes). ${loadSentence(env, 'the machine was busy: the times may be high')}`,
  '',
  `- Memory from the end of epoch 2 to the end of epoch ${EPOCHS}, largest growth: malloc's bytes in use ${pct(g.inUse)} ` +
  `(${MB(from.inUse)} → ${MB(last.inUse)} MB), wasm memory ${pct(g.size)} (${MB(from.size)} → ${MB(last.size)} MB), ` +
  `JavaScript heap after a collection ${pct(g.js)} (${MB(from.js)} → ${MB(last.js)} MB): ${flat ? 'flat within 5%' : '**grew more than 5%**'}.`,
  `- One autosave: making the run file on the trainer thread ${median(rows.map((r) => r.saveMs)).toFixed(1)} ms (median; ` +
  `${Math.min(...rows.map((r) => r.saveMs)).toFixed(1)}–${Math.max(...rows.map((r) => r.saveMs)).toFixed(1)}), ` +
  `writing it to IndexedDB on the page ${median(rows.map((r) => r.writeMs)).toFixed(0)} ms (median; ` +
  `${Math.min(...rows.map((r) => r.writeMs)).toFixed(0)}–${Math.max(...rows.map((r) => r.writeMs)).toFixed(0)}), ` +
  'while training goes on; an epoch of this run took ' +
  `${(60000 / median(rows.map((r) => r.sps))).toFixed(1)} s.`,
  `- Test accuracy at the end: ${(100 * s.test_accuracy).toFixed(2)}%.`,
  '- What grows in the JS heap is V8\'s compiled code, not the page\'s objects: `node bench/heapdiff.mjs` (heap ' +
  'snapshots after a collection, epoch 2 against epoch 10 of a 12-epoch run, 2026-12-03) put ' +
  '132 kB of the growth in `WasmNativeModule` (wasm functions tiering up to optimized code) and 22 kB in other ' +
  'compiled code; the largest object of the page\'s own was the run list\'s line (10 kB, one string, replaced at ' +
  'each save). malloc\'s growth is the batch curve, kept whole (trainer, snapshot, UI curves): about 140 kB an epoch.',
  '',
  '| epoch | malloc in use (MB) | wasm memory (MB) | JS heap (MB) | make (ms) | write (ms) |',
  '|---|---|---|---|---|---|',
  ...rows.filter((r) => r.epoch <= 3 || r.epoch % 5 === 0 || r.epoch === EPOCHS)
    .map((r) => `| ${r.epoch} | ${MB(r.inUse)} | ${MB(r.size)} | ${MB(r.js)} | ${r.saveMs.toFixed(1)} | ${r.writeMs.toFixed(0)} |`),
  '',
];
writeSection('Autosave and memory over a long run (bench/soak.mjs)', lines.join('\n'));
log(lines.join('\n'));
if (!flat) process.exit(1);
