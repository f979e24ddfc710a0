#!/usr/bin/env node
// What the mlp recipe reaches in Keras' own API: TensorFlow.js' Layers API (a port of Keras, with its
// defaults: glorot-uniform kernels, zero biases, Adam ε 1e-7, a fresh shuffle each epoch) trains
// Flatten → Dense 512 relu → Dense 10 softmax with Adam 1e-3, batch 32, on the 60,000 MNIST training
// images in headless Chromium, and evaluates on the 10,000 test images after every epoch, as a notebook's
// model.fit(..., validation_data=(x_test, y_test)) does. TensorFlow.js takes no seed for its shuffle, so
// the runs are independent draws, as unseeded notebook runs are. Appends one line per run to
// docs/results/tfjs-mlp.jsonl; bench/accuracy.py renders them into docs/results.md. Not a test.
//   node bench/tfjs_accuracy.mjs [--runs 3] [--epochs 5] [--backend wasm]
import fs from 'node:fs';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { startServer } from '../scripts/serve.mjs';
import { prepareTfjs } from './tfjs/setup.mjs';
import { ROOT, launch } from '../tests/e2e/helpers.mjs';

const args = process.argv.slice(2);
const opt = (name, dflt) => { const i = args.indexOf(name); return i >= 0 ? args[i + 1] : dflt; };
const RUNS = Number(opt('--runs', 3));
const EPOCHS = Number(opt('--epochs', 5));
const BACKEND = opt('--backend', 'wasm');
const OUT = path.join(ROOT, 'docs', 'results', 'tfjs-mlp.jsonl');
const log = (...a) => console.error('[tfjs-accuracy]', ...a);

prepareTfjs(log);

for (let run = 1; run <= RUNS; ++run) {
  const srv = await startServer({ root: ROOT, port: 0, isolation: true });
  const b = await launch();
  try {
    const page = b.context.pages()[0] || (await b.context.newPage());
    await page.goto(`${srv.url}bench/tfjs/index.html?backend=${BACKEND}&model=mlp&epochs=${EPOCHS}`);
    await page.waitForFunction(() => window.result, null, { timeout: EPOCHS * 1800 * 1000, polling: 2000 });
    const r = await page.evaluate(() => window.result);
    if (r.error) throw new Error(r.error);
    const line = { framework: `tensorflow.js ${r.tfjs} (${r.backend})`, model: r.model, params: r.params, batch: r.batch,
                   epochs: r.epochs, test_accuracy: r.test_accuracy, test_loss: r.test_loss, seconds: Math.round(r.seconds),
                   date: new Date().toISOString().slice(0, 10) };
    fs.appendFileSync(OUT, JSON.stringify(line) + '\n');
    log(`run ${run}: test accuracy by epoch ${r.test_accuracy.map((a) => (100 * a).toFixed(2)).join(' ')} (${Math.round(r.seconds)} s)`);
  } finally { await b.close(); await srv.close(); }
}
execFileSync('python3', [path.join(ROOT, 'bench', 'accuracy.py'), 'render'], { stdio: 'inherit' });
