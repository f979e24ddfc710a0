// What both TensorFlow.js benchmarks (bench/tfjs.mjs, bench/tfjs_accuracy.mjs) need before they start:
// TensorFlow.js from this folder's own lockfile (installed on first use, not by setup: the tests do not
// need it), and the built app folder, whose MNIST files the page reads.
import fs from 'node:fs';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { ROOT } from '../../tests/e2e/helpers.mjs';

const TFJS = path.join(ROOT, 'bench', 'tfjs');

export function prepareTfjs(log) {
  if (!fs.existsSync(path.join(TFJS, 'node_modules', '@tensorflow', 'tfjs', 'dist', 'tf.min.js'))) {
    log('installing TensorFlow.js from bench/tfjs/package-lock.json');
    execFileSync('npm', ['ci', '--no-audit', '--no-fund', '--loglevel=error'], { cwd: TFJS, stdio: 'inherit' });
  }
  if (!fs.existsSync(path.join(ROOT, 'build', 'web', 'assets', 'mnist', 't10k-images-idx3-ubyte.gz'))) {
    console.error('build/web is missing: run scripts/build-web.sh first');
    process.exit(2);
  }
}
