// Offline: after one visit the service worker holds the app and the dataset; with the server
// stopped, a reload opens the app and training works.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { launch, serve, openPage, waitStatus, screenshot } from './helpers.mjs';

test('offline reload opens the app and trains', async (t) => {
  const srv = await serve({ isolation: true });
  const browser = await launch();
  try {
    const { page } = await openPage(browser.context, srv.url);
    await waitStatus(page, (s) => s.app_ready && s.data && s.data.phase === 'ready', 60000, 'first visit');
    // Wait until the service worker is active and its precache holds the app and the dataset.
    await page.waitForFunction(async () => {
      const reg = await navigator.serviceWorker.getRegistration();
      if (!reg || !reg.active) return false;
      const keys = await caches.keys();
      for (const k of keys) {
        const c = await caches.open(k);
        if ((await c.match('assets/mnist/train-images-idx3-ubyte.gz')) && (await c.match('digitlab-mt.wasm')) &&
            (await c.match('index.html'))) return true;
      }
      return false;
    }, null, { timeout: 60000, polling: 500 });
    await srv.close();  // the server is gone
    await page.goto(srv.url + 'index.html#preset=mlp&epochs=1&autostart=1');  // a new document, not a hash change
    const s = await waitStatus(page, (s) => s.phase === 'training' && s.steps > 10, 90000, 'training offline');
    t.diagnostic(`offline: ${s.build} build, isolated ${s.isolated}, ${s.steps} batches done`);
    assert.equal(s.data.train, 60000);
    await screenshot(page, 'offline-training');
  } finally {
    await browser.close();
    await srv.close().catch(() => {});
  }
});
