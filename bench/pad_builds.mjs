#!/usr/bin/env node
// The draw pad's forward pass in two builds of the app, interleaved: for each preset, a few training
// steps (the pad reads the model a run published), then `strokes` strokes drawn with the mouse, and
// the forward-pass time the app reports for each. Each round alternates which build goes first. Not
// a test; docs/design.md quotes it where a change to the pad was measured against the build before.
//   node bench/pad_builds.mjs DIR_A DIR_B [presets=mlp,mlp-deep,cnn-tiny,cnn-5x5,cnn-vgg] [strokes=20] [rounds=2]
// DIR_A and DIR_B are build/web directories (scripts/build-web.sh; copy one away before rebuilding).
import path from 'node:path';
import { startServer } from '../scripts/serve.mjs';
import { click, launch, openPage, waitStatus } from '../tests/e2e/helpers.mjs';
import { median, padLatencies } from './app.mjs';

const [A, B, presets = 'mlp,mlp-deep,cnn-tiny,cnn-5x5,cnn-vgg', strokes = '20', rounds = '2'] = process.argv.slice(2);
if (!A || !B) {
  console.error('usage: node bench/pad_builds.mjs DIR_A DIR_B [presets] [strokes] [rounds]');
  process.exit(2);
}
const times = {};
for (let r = 0; r < Number(rounds); ++r)
  for (const preset of presets.split(','))
    for (const dir of r % 2 ? [B, A] : [A, B]) {
      const srv = await startServer({ root: path.resolve(dir), port: 0, isolation: true });
      const browser = await launch();
      try {
        const { page } = await openPage(browser.context, `${srv.url}#preset=${preset}&val=0&epochs=200&autostart=1`);
        await waitStatus(page, (s) => s.phase === 'training' && s.steps > 2, 120000, `${preset} training`);
        await click(page, 'training.stop');
        await waitStatus(page, (s) => s.phase === 'stopped' && !s.evaluating, 120000, `${preset} stopped`);
        const { lat } = await padLatencies(page, Number(strokes));
        (times[`${preset}  ${dir}`] ??= []).push(...lat);
        console.error(`round ${r + 1} ${preset} ${dir}: median ${median(lat).toFixed(3)} ms`);
      } finally { await browser.close(); await srv.close(); }
    }
for (const [k, v] of Object.entries(times)) console.log(`${k}: median ${median(v).toFixed(3)} ms over ${v.length} passes`);
