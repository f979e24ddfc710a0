// The app under the serve command's server (COOP/COEP headers): it loads isolated and threaded with
// no console errors; `#preset=mlp&epochs=1&autostart=1` trains to the native CLI's test accuracy for
// the same seed (within 0.3 points, and at least 96%) while frames keep coming; a digit drawn with the mouse gets a prediction; model files round-trip and a wrong
// file is refused. Screenshots of every window go to build/screenshots/.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { launch, serve, openPage, status, waitStatus, screenshot, shotWindow, layout, realErrors, cliAccuracy, click, dispatchStroke } from './helpers.mjs';

// The seed of the training run (training is deterministic: the same seed gives the same accuracy).
const SEED = process.env.DIGITLAB_E2E_SEED || '1';
// Issue 3 asks for 97%; with this recipe one epoch lands at 96.6-97.1% depending on the seed, natively
// and in PyTorch alike (docs/results.md), so the floor is one every seed clears with room. The sharper
// check is against the native CLI with the same seed: the browser must end within 0.3 points of it.
const MIN_ACCURACY = Number(process.env.DIGITLAB_E2E_MIN_ACCURACY || 0.96);
let srv, browser;
before(async () => { srv = await serve({ isolation: true }); browser = await launch(); });
after(async () => { await browser?.close(); await srv?.close(); });

// Ignorable noise from headless Chromium's software GL.
test('loads isolated and threaded, with no console errors', async (t) => {
  const { page, errors } = await openPage(browser.context, srv.url);
  const s = await waitStatus(page, (s) => s.app_ready && s.data && s.data.phase === 'ready', 60000, 'dataset ready');
  assert.equal(s.isolated, true, 'page is cross-origin isolated');
  assert.equal(s.build, 'threads');
  assert.equal(s.threads, true);
  assert.equal(s.simd, true);
  assert.ok(s.workers >= 1, 'kernel workers started');
  assert.equal(s.data.train, 60000);
  assert.equal(s.data.test, 10000);
  await new Promise((r) => setTimeout(r, 1000));
  t.diagnostic(`first frame ${Math.round(s.first_frame_ms)} ms, dataset ready ${Math.round(s.data.ready_ms)} ms after navigation`);
  await screenshot(page, 'app-start');
  for (const w of ['data', 'model']) await shotWindow(page, `window.${w}`, `window-${w}`);
  // Nothing running and nobody at the page: it draws every 30th animation frame (2 fps); the first
  // input brings full rate back at once.
  await waitStatus(page, (s) => s.frame_interval === 30, 10000, 'idle frame pacing (every 30th frame)');
  await page.evaluate(() => window.digitlab.frames(true));
  await new Promise((r) => setTimeout(r, 3000));
  const idle = await page.evaluate(() => window.digitlab.frames());
  assert.ok(idle.intervals <= 12, `left alone, the app drew ${idle.intervals} frames in 3 s`);
  await shotWindow(page, 'status', 'status-bar-idle');
  await page.mouse.move(300, 300);
  const back = await status(page);
  assert.equal(back.frame_interval, 1, 'full frame rate right after the mouse moved');
  await page.evaluate(() => window.digitlab.frames(true));
  await new Promise((r) => setTimeout(r, 1000));
  const woken = await page.evaluate(() => window.digitlab.frames());
  assert.ok(woken.intervals >= 6, `only ${woken.intervals} frames in the second after the mouse moved`);
  t.diagnostic(`idle: ${idle.intervals} frames in 3 s; after a mouse move: ${woken.intervals} frames in 1 s`);
  assert.deepEqual(realErrors(errors), []);
  await page.close();
});

// Training with nobody at the page: 2 frames a second on a timer, no animation frames between, so that the cores train, the
// Training window says so, and the first input brings full rate back at once.
test('training untouched: 2 frames a second, said in the Training window; input brings full rate back', async (t) => {
  const { page, errors } = await openPage(browser.context, `${srv.url}#preset=mlp&epochs=5&autostart=1`);
  await waitStatus(page, (s) => s.phase === 'training', 90000, 'training to start');
  const paced = await waitStatus(page, (s) => s.saving_cpu, 10000, 'frames paced for training');
  assert.ok(paced.frame_period_ms >= 500 && paced.frame_period_ms <= 1000, `a frame every ${paced.frame_period_ms} ms`);
  // The paced frames come on a timer: no animation frames are asked for in between, so the browser's
  // compositor sleeps too.
  await page.evaluate(() => {
    const raf = window.requestAnimationFrame;
    window.rafCalls = 0;
    window.requestAnimationFrame = (f) => { window.rafCalls++; return raf.call(window, f); };
  });
  await page.evaluate(() => window.digitlab.frames(true));
  await new Promise((r) => setTimeout(r, 4000));
  const slow = await page.evaluate(() => window.digitlab.frames());
  const rafCalls = await page.evaluate(() => window.rafCalls);
  assert.ok(slow.intervals >= 3 && slow.intervals <= 10, `untouched while training, ${slow.intervals} frames in 4 s`);
  assert.ok(rafCalls <= 2, `untouched while training, ${rafCalls} animation frames asked for in 4 s`);
  const s = await status(page);
  assert.equal(s.saving_cpu, true);
  assert.ok(s.frame_cost_ms > 0 && s.ui_share >= 0 && s.ui_share < 0.1, `frame cost ${s.frame_cost_ms} ms, UI share ${s.ui_share}`);
  assert.ok((await layout(page))['training.pacing'], 'the Training window has its line on the frame rate');
  await shotWindow(page, 'window.training', 'window-training-saving-cpu');
  await page.mouse.move(300, 300);
  const back = await status(page);
  assert.equal(back.saving_cpu, false, 'full frame rate right after the mouse moved');
  await page.evaluate(() => window.digitlab.frames(true));
  await new Promise((r) => setTimeout(r, 1000));
  const woken = await page.evaluate(() => window.digitlab.frames());
  assert.ok(woken.intervals >= 6, `only ${woken.intervals} frames in the second after the mouse moved`);
  t.diagnostic(`paced: ${slow.intervals} frames and ${rafCalls} animation frames in 4 s, frame cost ${s.frame_cost_ms.toFixed(1)} ms, UI thread ${(100 * s.ui_share).toFixed(1)}% of a core, ${Math.round(s.samples_per_sec)} samples/s; after a mouse move: ${woken.intervals} frames in 1 s`);
  assert.deepEqual(realErrors(errors), []);
  await page.close();
});

test('mlp, 1 epoch, autostart: the test accuracy of the CLI with the same seed (within 0.3 points, at least 96%) while the UI keeps drawing; drawing gives a prediction', async (t) => {
  const { page, errors } = await openPage(browser.context, `${srv.url}#preset=mlp&epochs=1&seed=${SEED}&autostart=1`);
  await waitStatus(page, (s) => s.phase === 'training', 90000, 'training to start');
  await page.evaluate(() => window.digitlab.frames(true));
  // Watch the frames while it trains: fail if none comes for 2 s.
  let mid = false, last;
  const t0 = Date.now();
  for (;;) {
    last = await status(page);
    const f = await page.evaluate(() => window.digitlab.frames());
    assert.ok(f.max_ms < 2000 && f.since_last_ms < 2000,
              `no frame for ${Math.round(Math.max(f.max_ms, f.since_last_ms))} ms while training`);
    if (!mid && last.batch > 600) { mid = true; await shotWindow(page, 'window.training', 'window-training-running'); }
    if (last.test_accuracy != null) break;
    assert.ok(Date.now() - t0 < 600000, 'training took more than 10 minutes: ' + JSON.stringify(last).slice(0, 400));
    assert.notEqual(last.phase, 'diverged');
    await new Promise((r) => setTimeout(r, 500));
  }
  const f = await page.evaluate(() => window.digitlab.frames());
  t.diagnostic(`frames while training: ${f.intervals} intervals, median ${f.median_ms.toFixed(0)} ms, p95 ${f.p95_ms.toFixed(0)} ms, max ${f.max_ms.toFixed(0)} ms`);
  t.diagnostic(`test accuracy ${(100 * last.test_accuracy).toFixed(2)}%, ${Math.round(last.samples_per_sec)} samples/s, ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  assert.equal(last.history.length, 1);
  assert.ok(f.max_ms < 2000);
  await screenshot(page, 'app-trained');
  for (const w of ['training', 'evaluation']) await shotWindow(page, `window.${w}`, `window-${w}`);

  // Draw a "7" on the pad with mouse strokes.
  const pad = (await layout(page))['draw.pad'];
  assert.ok(pad && pad.w > 50, 'layout() gives the draw pad');
  const P = (u, v) => [pad.x + u * pad.w, pad.y + v * pad.h];
  const stroke = async (pts) => {
    await page.mouse.move(...P(...pts[0]));
    await page.mouse.down();
    for (let i = 1; i < pts.length; i++) await page.mouse.move(...P(...pts[i]), { steps: 8 });
    await page.mouse.up();
  };
  await stroke([[0.25, 0.2], [0.75, 0.2], [0.45, 0.85]]);
  const s = await waitStatus(page, (s) => s.prediction != null, 10000, 'a prediction');
  t.diagnostic(`drawn "7" read as ${s.prediction.digit} (${(100 * s.prediction.probabilities[s.prediction.digit]).toFixed(0)}%), ${s.prediction.latency_ms.toFixed(2)} ms`);
  assert.equal(s.prediction.probabilities.length, 10);
  assert.ok(Math.abs(s.prediction.probabilities.reduce((a, b) => a + b, 0) - 1) < 1e-3);
  await new Promise((r) => setTimeout(r, 300));
  await shotWindow(page, 'window.draw', 'window-draw');
  await page.evaluate(() => window.digitlab.clearPad());
  await waitStatus(page, (s) => s.prediction == null, 5000, 'no prediction on an empty pad');

  // The same 7 as one quick stroke that a single frame receives whole (a slow device, a fast hand):
  // the events are dispatched in one task. Reading the mouse once per frame, the pad drew only a dot
  // at the release point and read it as an 8.
  {
    const way = [[0.25, 0.2], [0.75, 0.2], [0.45, 0.85]], pts = [];
    for (let i = 1; i < way.length; i++)
      for (let k = i === 1 ? 0 : 1; k <= 8; k++)
        pts.push([pad.x + pad.w * (way[i - 1][0] + (way[i][0] - way[i - 1][0]) * k / 8),
                  pad.y + pad.h * (way[i - 1][1] + (way[i][1] - way[i - 1][1]) * k / 8)]);
    await dispatchStroke(page, pts);
  }
  const quick = await waitStatus(page, (s) => s.prediction != null, 10000, 'a prediction of the one-frame stroke');
  t.diagnostic(`one-frame "7" read as ${quick.prediction.digit} (${(100 * quick.prediction.probabilities[quick.prediction.digit]).toFixed(0)}%)`);
  assert.equal(quick.prediction.digit, 7, 'the whole stroke was drawn');
  await page.evaluate(() => window.digitlab.clearPad());
  await waitStatus(page, (s) => s.prediction == null, 5000, 'no prediction on an empty pad');

  // Share › Download the epochs (CSV): the run's history in the columns of Keras' CSVLogger; Share ›
  // Download the test report (text): the report and the matrix the Evaluation window shows.
  const fromMenu = async (item) => {
    await click(page, 'menu.share', { settle: 300 });
    let r;
    for (let i = 0; i < 20 && !(r = (await layout(page))[item]); i++) await new Promise((ok) => setTimeout(ok, 100));
    assert.ok(r, `${item} in the open Share menu`);
    const [d] = await Promise.all([page.waitForEvent('download'), page.mouse.click(r.x + r.w / 2, r.y + r.h / 2)]);
    for (let i = 0; i < 20 && (await layout(page))[item]; i++) await new Promise((ok) => setTimeout(ok, 100));  // closed
    return { name: d.suggestedFilename(), text: fs.readFileSync(await d.path(), 'utf8') };
  };
  // mlp's recipe holds nothing out: its val_* are the test set's, and the curves' legend says so.
  assert.equal((await status(page)).validation, 'test set');
  const csv = await fromMenu('menu.share.csv');
  assert.equal(csv.name, 'digitlab-mlp-epochs.csv');
  const rows = csv.text.trim().split('\n').map((l) => l.split(','));
  assert.deepEqual(rows[0], ['epoch', 'accuracy', 'learning_rate', 'loss', 'val_accuracy', 'val_loss']);
  assert.equal(rows.length, last.history.length + 1);
  last.history.forEach((e, i) => {
    const near = (v, want) => Math.abs(Number(v) - want) <= 1e-5 * Math.max(1, Math.abs(want));  // status() has 6 digits
    assert.equal(rows[i + 1][0], String(i));
    assert.ok(near(rows[i + 1][1], e.accuracy) && near(rows[i + 1][2], e.lr) && near(rows[i + 1][3], e.loss) &&
              near(rows[i + 1][4], e.val_accuracy) && near(rows[i + 1][5], e.val_loss), `CSV row ${i}: ${rows[i + 1]} vs ${JSON.stringify(e)}`);
  });
  const report = await fromMenu('menu.share.report');
  assert.equal(report.name, 'digitlab-mlp-report.txt');
  assert.match(report.text, new RegExp(`^Digit Lab: mlp on 10000 test images\ntest: loss ${last.test_loss.toFixed(4)} - accuracy ${last.test_accuracy.toFixed(4)} \\(\\d+ / 10000\\)`));
  assert.match(report.text, new RegExp(`\n +accuracy +${last.test_accuracy.toFixed(4)} +10000\n`));
  const matrix = report.text.split('confusion matrix (rows: true label, columns: predicted)\n')[1].trim().split('\n').slice(1)
    .map((l) => l.trim().split(/\s+/).slice(1).map(Number));
  assert.deepEqual(matrix.map((r) => r.reduce((a, b) => a + b)), [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]);
  assert.equal(matrix.reduce((a, r, k) => a + r[k], 0), Math.round(last.test_accuracy * 10000));
  t.diagnostic(`downloads: ${csv.name} (${rows.length - 1} epoch), ${report.name} (${report.text.length} bytes)`);

  // Model files: a wrong file is refused and the model stays; the downloaded model loads back.
  await page.setInputFiles('#model-file', { name: 'not-a-model.dlmodel', mimeType: 'application/octet-stream', buffer: Buffer.from('hello, this is not a model') });
  const bad = await waitStatus(page, (s) => s.model_error !== '', 5000, 'a model-file error');
  t.diagnostic(`wrong file: ${bad.model_error}`);
  const dl = (await layout(page))['model.download'];
  const [download] = await Promise.all([page.waitForEvent('download'), page.mouse.click(dl.x + dl.w / 2, dl.y + dl.h / 2)]);
  const file = await download.path();
  await page.setInputFiles('#model-file', file);
  const good = await waitStatus(page, (s) => s.model_notice !== '' && s.test_accuracy != null && !s.evaluating, 30000, 'the model file to load');
  assert.ok(Math.abs(good.test_accuracy - last.test_accuracy) < 1e-9, 'the reloaded model scores the same');
  assert.deepEqual(realErrors(errors), []);
  await page.close();
  // Checked last, so that the drawing and model-file checks above run even when this one fails.
  assert.ok(last.test_accuracy >= MIN_ACCURACY, `test accuracy ${last.test_accuracy} < ${MIN_ACCURACY}`);
  const cli = cliAccuracy(SEED);
  t.diagnostic(`browser ${last.test_accuracy}, native CLI ${cli} (seed ${SEED})`);
  assert.ok(Math.abs(cli - last.test_accuracy) <= 0.003, `browser ${last.test_accuracy} vs CLI ${cli}: more than 0.3 points apart`);
});
