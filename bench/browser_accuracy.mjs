#!/usr/bin/env node
// Trains a preset with its recipe in the app (build/web/, threads build, headless Chromium) and keeps
// the result next to the CLI's in docs/results/browser-PRESET-seedS[-eN].json; bench/accuracy.py
// renders the comparison ("the same preset trained in the browser ends within 0.3 points of its CLI
// result with the same seed") into docs/results.md. A long run, not a test.
//   node bench/browser_accuracy.mjs PRESET [--seed 1] [--epochs N]
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { ROOT, launch, serve, openPage, status } from '../tests/e2e/helpers.mjs';

const args = process.argv.slice(2);
const opt = (name, dflt) => { const i = args.indexOf(name); return i >= 0 ? args[i + 1] : dflt; };
const preset = args[0];
if (!preset || preset.startsWith('--')) { console.error('usage: node bench/browser_accuracy.mjs PRESET [--seed 1] [--epochs N]'); process.exit(2); }
const seed = Number(opt('--seed', 1));
const epochs = opt('--epochs', null);
const log = (...a) => console.error('[browser-accuracy]', ...a);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

const srv = await serve({ isolation: true });
const b = await launch();
let result;
try {
  const hash = `#preset=${preset}&seed=${seed}${epochs ? `&epochs=${epochs}` : ''}&autostart=1`;
  const { page, errors } = await openPage(b.context, srv.url + hash);
  const t0 = Date.now();
  let s, lastEpochs = -1;
  for (;;) {
    s = await status(page);
    if (s && s.history && s.history.length !== lastEpochs) {
      lastEpochs = s.history.length;
      const e = s.history[lastEpochs - 1];
      if (e) log(`epoch ${e.epoch}: loss ${e.loss.toFixed(4)} accuracy ${e.accuracy.toFixed(4)}` +
                 (e.val_accuracy != null ? ` val_loss ${e.val_loss.toFixed(4)} val_accuracy ${e.val_accuracy.toFixed(4)}` : '') +
                 ` lr ${e.lr} (${((Date.now() - t0) / 1000).toFixed(0)} s)`);
    }
    if (s && s.test_accuracy != null && !s.evaluating && s.phase !== 'training') break;
    if (s && s.phase === 'diverged') throw new Error('training diverged: ' + s.message);
    await sleep(5000);
  }
  const wall = (Date.now() - t0) / 1000;
  const env = await page.evaluate(() => navigator.userAgent);
  result = {
    preset, seed, epochs_arg: epochs ? Number(epochs) : null, where: 'browser', build: s.build, workers: s.workers,
    test_accuracy: s.test_accuracy, test_loss: s.test_loss, epochs_run: s.history.length, history: s.history,
    wall_seconds: wall, message: s.message, user_agent: env, console_errors: errors.filter((e) => !/GL Driver|GPU stall/.test(e)),
    date: new Date().toISOString().slice(0, 10),
    cpu: `${(fs.readFileSync('/proc/cpuinfo', 'utf8').match(/model name\s*:\s*(.*)/) || [, '?'])[1].trim()} (${os.cpus().length} cores)`,
  };
  log(`test accuracy ${(100 * s.test_accuracy).toFixed(2)}% after ${s.history.length} epochs, ${wall.toFixed(0)} s`);
} finally { await b.close(); await srv.close(); }

const name = `browser-${preset}-seed${seed}${epochs ? `-e${epochs}` : ''}.json`;
fs.writeFileSync(path.join(ROOT, 'docs', 'results', name), JSON.stringify(result, null, 1) + '\n');
log(`wrote docs/results/${name}`);
const r = spawnSync('python3', [path.join(ROOT, 'bench', 'accuracy.py'), 'render'], { stdio: 'inherit' });
process.exit(r.status ?? 1);
