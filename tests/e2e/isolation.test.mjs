// Hosting without the isolation headers: under a plain static server the service worker makes the
// page isolated (one reload) and the threads build runs; where the service worker cannot install
// either, the single-thread SIMD build loads and trains in slices between frames; a threads build that
// never starts is said so after 45 s, with a link to the single-thread build.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { launch, serve, openPage, status, waitStatus, screenshot, realErrors } from './helpers.mjs';

test('plain static server: isolated through the service worker, threads on', async (t) => {
  const srv = await serve({ isolation: false });
  const browser = await launch();
  try {
    const { page, errors } = await openPage(browser.context, srv.url);
    const s = await waitStatus(page, (s) => s.app_ready && s.data && s.data.phase === 'ready', 90000, 'app and data');
    assert.equal(s.isolated, true, 'isolated by the service worker');
    assert.equal(s.build, 'threads');
    assert.equal(s.threads, true);
    const reloads = await page.evaluate(() => performance.getEntriesByType('navigation')[0].type);
    t.diagnostic(`navigation type after the service worker: ${reloads}`);
    // The reloaded page runs from the worker's whole offline copy.
    const offline = await page.evaluate(() => window.dlOffline);
    assert.equal(offline.state, 'ready');
    assert.match(offline.version, /^[0-9a-f]{16}$/);
    await screenshot(page, 'service-worker-isolated');
    assert.deepEqual(realErrors(errors), []);
  } finally {
    await browser.close();
    await srv.close();
  }
});

test('no headers and no service worker: the single-thread build trains between frames', async (t) => {
  const srv = await serve({ isolation: false, blockSw: true });
  const browser = await launch();
  try {
    const { page, errors } = await openPage(browser.context, `${srv.url}#preset=mlp&epochs=1&autostart=1`);
    const s0 = await waitStatus(page, (s) => s.phase === 'training' && s.steps > 0, 90000, 'training to start');
    assert.equal(s0.isolated, false);
    assert.equal(s0.build, 'single-thread');
    assert.equal(s0.threads, false);
    assert.equal(s0.simd, true);
    await page.evaluate(() => window.digitlab.frames(true));
    await new Promise((r) => setTimeout(r, 6000));
    const s1 = await status(page);
    const f = await page.evaluate(() => window.digitlab.frames());
    t.diagnostic(`single-thread: ${s1.steps - s0.steps} batches in 6 s, ${Math.round(s1.samples_per_sec)} samples/s, frames median ${f.median_ms.toFixed(0)} ms, max ${f.max_ms.toFixed(0)} ms`);
    assert.ok(s1.steps > s0.steps + 20, 'training advances');
    assert.ok(f.intervals > 10 && f.max_ms < 2000, 'frames keep coming');
    await screenshot(page, 'single-thread-training');
    assert.deepEqual(realErrors(errors).filter((e) => !/sw\.js|404/.test(e)), []);
  } finally {
    await browser.close();
    await srv.close();
  }
});

// A start that hangs: the pthread workers' script cannot load, so the threads build never becomes
// ready. After 45 s (a fake clock here) the page says so and offers the single-thread build, whose
// link keeps the lesson's settings and starts the app.
test('a threads build that never starts: after 45 s the page says so; its link opens the single-thread build', async (t) => {
  // No service worker: once it controls the page, the workers' script comes through it, out of
  // page.route()'s reach, and the app starts after all (a cold clean-clone run did that).
  const srv = await serve({ isolation: true, blockSw: true });
  const browser = await launch();
  try {
    const page = await browser.context.newPage();
    // A paused clock: one that runs on from install() would add the real seconds a loaded machine
    // spends before runFor() (a 2-core run saw the 45 s message after runFor(44000)).
    await page.clock.install({ time: 0 });
    await page.clock.pauseAt(1000);
    await page.route('**/digitlab-mt.worker.js', (r) => r.abort());
    await page.goto(srv.url + '#preset=cnn-tiny');
    await page.waitForFunction(() => document.querySelector('script[src^="blob:"]'));  // the app's script, given
    const message = () => page.evaluate(() => document.getElementById('message').textContent);
    await page.clock.runFor(44000);
    assert.equal(await message(), 'Loading the app…');
    await page.clock.runFor(2000);
    const text = await message();
    t.diagnostic(text);
    assert.match(text, /^Still loading after 45 s\..*single-thread version: open it\.$/);
    assert.equal((await status(page)).app_ready, false);
    await page.clock.resume();
    await page.click('#message a');
    const s = await waitStatus(page, (s) => s && s.app_ready && s.data && s.data.phase === 'ready', 60000, 'the single-thread build');
    assert.equal(s.build, 'single-thread');
    assert.equal(s.model.name, 'cnn-tiny', 'the lesson link kept');
    assert.match(page.url(), /#preset=cnn-tiny&build=st$/);
  } finally {
    await browser.close();
    await srv.close();
  }
});
