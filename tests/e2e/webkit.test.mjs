// The app in a third engine: WebKit, the engine of Safari, as Debian's WebKitGTK (MiniBrowser over
// WebKitWebDriver, see launchWebKit):
//   1. isolated, with SharedArrayBuffer as Safari has it there: the threads build trains mlp for 1
//      epoch to the native CLI's test accuracy (within 0.3 points) while frames keep coming, and a
//      mouse-drawn 7 reads as a 7;
//   2. a plain static host, in a phone-sized window: the service worker isolates the page, the threads
//      build runs, a lesson link opens on the Draw tab, and a mouse-drawn 7 reads as a 7;
//   3. without SharedArrayBuffer (WebKitGTK's default, and any WebKit that lacks it): the app picks the
//      single-thread build, which trains between frames to the same test accuracy;
//   4. offline: after one visit, with the server gone, a reload opens the app and trains;
//   5. untrusted input: a trap on the trainer thread, a link's notices, a .gz bomb (untrustedInEngine).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { serve, startXvfb, launchWebKit, sleep, waitStatus, drawSeven, trainOneEpoch, cliAccuracy, untrustedInEngine } from './helpers.mjs';

const SEED = '1';
let xvfb;
before(async () => { xvfb = await startXvfb(); });
after(() => { xvfb?.proc.kill(); });

test('WebKit, isolated with SharedArrayBuffer (as Safari): threads + SIMD; mlp 1 epoch within 0.3 points of the CLI; a drawn 7 reads 7', async (t) => {
  const srv = await serve({ isolation: true });
  const w = await launchWebKit(xvfb.display);
  try {
    await w.go(`${srv.url}#preset=mlp&epochs=1&seed=${SEED}&autostart=1`);
    const first = await waitStatus(w.page, (s) => s && s.app_ready && s.data && s.data.phase === 'ready', 60000, 'dataset ready');
    assert.equal(first.isolated, true);
    assert.equal(first.build, 'threads');
    assert.equal(first.simd, true);
    assert.ok(first.workers >= 1, 'kernel workers started');
    const { s, frames, secs } = await trainOneEpoch(w.page);
    t.diagnostic(`WebKitGTK ${w.version}: test accuracy ${(100 * s.test_accuracy).toFixed(2)}% in ${secs.toFixed(1)} s, ` +
                 `${Math.round(s.samples_per_sec)} samples/s; frames median ${frames.median_ms.toFixed(0)} ms, p95 ${frames.p95_ms.toFixed(0)} ms`);
    assert.equal(s.error, '');
    assert.ok(Math.abs(cliAccuracy(SEED) - s.test_accuracy) <= 0.003, `WebKit ${s.test_accuracy} vs CLI ${cliAccuracy(SEED)}`);
    const p = await drawSeven(w.page);
    t.diagnostic(`drawn 7 read as ${p.prediction.digit} (${(100 * p.prediction.probabilities[p.prediction.digit]).toFixed(0)}%), ${p.prediction.latency_text}`);
    assert.equal(p.prediction.digit, 7);
    await w.screenshot('webkit-trained');
  } finally { await w.close(); await srv.close(); }
});

test('WebKit, plain static host, a phone-sized window: the service worker isolates the page; the lesson link opens the Draw tab; a drawn 7 reads 7', async (t) => {
  const srv = await serve({ isolation: false });
  const w = await launchWebKit(xvfb.display, { width: 412, height: 915 });
  try {
    await w.go(`${srv.url}#preset=mlp&epochs=1&seed=${SEED}&autostart=1&pane=draw`);
    const first = await waitStatus(w.page, (s) => s && s.app_ready && s.data && s.data.phase === 'ready', 60000, 'dataset ready');
    assert.equal(first.isolated, true, 'isolated through the service worker');
    assert.equal(first.build, 'threads');
    const s = await waitStatus(w.page, (s) => s.test_accuracy != null, 120000, 'one epoch trained');
    assert.equal(s.error, '');
    assert.equal(s.layout, 'narrow');
    assert.equal(s.pane, 'Draw');
    // (WebKitGTK's WebDriver turns touch actions into mouse events, so a finger cannot be tested here.)
    const p = await drawSeven(w.page);
    t.diagnostic(`narrow window ${JSON.stringify(await w.js('return [innerWidth, innerHeight]'))}: drawn 7 read as ${p.prediction.digit}`);
    assert.equal(p.prediction.digit, 7);
    await w.screenshot('webkit-phone-draw');
  } finally { await w.close(); await srv.close(); }
});

test('WebKit without SharedArrayBuffer: the single-thread build trains between frames, within 0.3 points of the CLI', async (t) => {
  const srv = await serve({ isolation: true });
  const w = await launchWebKit(xvfb.display, { sab: false });
  try {
    await w.go(`${srv.url}#preset=mlp&epochs=1&seed=${SEED}&autostart=1`);
    const first = await waitStatus(w.page, (s) => s && s.app_ready && s.data && s.data.phase === 'ready', 60000, 'dataset ready');
    assert.equal(await w.js('return typeof SharedArrayBuffer'), 'undefined');
    assert.equal(first.isolated, true);
    assert.equal(first.build, 'single-thread');
    assert.equal(first.threads, false);
    const { s, secs } = await trainOneEpoch(w.page);
    t.diagnostic(`single-thread: ${(100 * s.test_accuracy).toFixed(2)}% in ${secs.toFixed(1)} s, ${Math.round(s.samples_per_sec)} samples/s`);
    assert.equal(s.error, '');
    assert.ok(Math.abs(cliAccuracy(SEED) - s.test_accuracy) <= 0.003, `WebKit single-thread ${s.test_accuracy} vs CLI ${cliAccuracy(SEED)}`);
    await w.screenshot('webkit-single-thread');
  } finally { await w.close(); await srv.close(); }
});

test('WebKit offline: after one visit the service worker holds the app and the dataset; with the server gone a reload trains', async (t) => {
  const srv = await serve({ isolation: true });
  const w = await launchWebKit(xvfb.display);
  try {
    await w.go(srv.url);
    await waitStatus(w.page, (s) => s && s.app_ready && s.data && s.data.phase === 'ready', 60000, 'first visit');
    const cached = () => w.page.evaluate(async () => {
      const reg = await navigator.serviceWorker.getRegistration();
      return !!(reg && reg.active && window.dlOffline.state === 'ready' &&
                (await caches.match('assets/mnist/train-images-idx3-ubyte.gz')) && (await caches.match('digitlab-mt.wasm')) &&
                (await caches.match('index.html')));
    });
    for (let t0 = Date.now(); !(await cached()); await sleep(500))
      assert.ok(Date.now() - t0 < 60000, 'the service worker precached the app and the dataset within 60 s');
    await srv.close();  // the server is gone
    await w.go(srv.url + 'index.html#preset=mlp&epochs=1&autostart=1');  // a new document, not a hash change
    const s = await waitStatus(w.page, (s) => s && s.phase === 'training' && s.steps > 10, 90000, 'training offline');
    t.diagnostic(`offline: ${s.build} build, isolated ${s.isolated}, ${s.steps} batches done`);
    assert.equal(s.data.train, 60000);
    assert.equal(s.build, 'threads');
    await w.screenshot('webkit-offline-training');
  } finally { await w.close(); await srv.close().catch(() => {}); }
});

test('WebKit, untrusted input: a trap on the trainer thread ends the run with a message; a link\'s notices; a .gz bomb refused', async (t) => {
  const srv = await serve({ isolation: true });
  const w = await launchWebKit(xvfb.display);
  try {
    await w.go(`${srv.url}#preset=mlp&epochs=1&autostart=1`);
    await waitStatus(w.page, (s) => s && s.app_ready && s.data && s.data.phase === 'ready', 60000, 'dataset ready');
    const s = await untrustedInEngine(w.page);
    t.diagnostic(s.data.user_error);
  } finally { await w.close(); await srv.close(); }
});
