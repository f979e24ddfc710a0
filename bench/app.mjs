// Pieces the browser benchmarks share (on top of tests/e2e/helpers.mjs): command-line options, reading
// drawn digits in the app, and writing one section of docs/benchmarks.md.
import fs from 'node:fs';
import path from 'node:path';
import { ROOT, waitStatus, settledPrediction } from '../tests/e2e/helpers.mjs';

export { sleep } from '../tests/e2e/helpers.mjs';

const argv = process.argv.slice(2);
export const opt = (name, dflt) => { const i = argv.indexOf(name); return i >= 0 ? argv[i + 1] : dflt; };
export const DOC = path.resolve(opt('--doc', path.join(ROOT, 'docs', 'benchmarks.md')));
export const median = (v) => { const s = [...v].sort((a, b) => a - b); const n = s.length; return n ? (n % 2 ? s[(n - 1) / 2] : (s[n / 2 - 1] + s[n / 2]) / 2) : NaN; };

// `n` strokes on an emptied draw pad, each read by the model: the forward-pass times the app reports
// (ms) and the time from releasing the mouse to the prediction in status() (ms).
export async function padLatencies(page, n) {
  const pad = (await page.evaluate(() => window.digitlab.layout()))['draw.pad'];
  const P = (u, v) => [pad.x + u * pad.w, pad.y + v * pad.h];
  const lat = [], endToEnd = [];
  for (let i = 0; i < n; i++) {
    await page.evaluate(() => window.digitlab.clearPad());
    await waitStatus(page, (s) => s.prediction == null, 5000, 'an empty pad');
    const j = (i % 5) * 0.03;
    await page.mouse.move(...P(0.3 + j, 0.2));
    await page.mouse.down();
    await page.mouse.move(...P(0.7 - j, 0.2), { steps: 3 });
    await page.mouse.move(...P(0.45, 0.8 - j), { steps: 3 });
    const tUp = Date.now();
    await page.mouse.up();
    const s = await waitStatus(page, (s) => s.prediction != null, 5000, 'a prediction');
    endToEnd.push(Date.now() - tUp);
    lat.push(s.prediction.latency_ms);
    // clearPad() (a test hook, outside the input queue) before the stroke's queued moves are all
    // drawn would leave their tail on the cleared pad.
    await settledPrediction(page);
  }
  return { lat, endToEnd };
}

// Replaces the section that starts with `## {title}` in DOC (or appends it); the others are kept.
export function writeSection(title, text) {
  const head = '# Benchmarks\n\nEvery number here was written by a benchmark script; rerun it to refresh its section.\n';
  let doc = fs.existsSync(DOC) ? fs.readFileSync(DOC, 'utf8') : head;
  const re = new RegExp(`## ${title.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}\\n[\\s\\S]*?(?=\\n## (?!#)|$)`);
  doc = re.test(doc) ? doc.replace(re, () => text.trimEnd() + '\n') : doc.trimEnd() + '\n\n' + text;
  fs.mkdirSync(path.dirname(DOC), { recursive: true });
  fs.writeFileSync(DOC, doc.trimEnd() + '\n');
}
