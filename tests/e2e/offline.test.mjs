// Offline: after one visit the service worker holds the app and the dataset; with the server
// stopped, a reload opens the app and training works. Fashion-MNIST joins the offline copy once it
// was chosen online (offline before that, choosing it says it could not be downloaded). A new version ("B", a copy of build/web with a
// marker in index.html, app.js, digitlab-mt.js and digitlab-mt.wasm, and its own sw.js version) is
// deployed over the served folder while a page of the first one ("A") is open: the page says a new
// version is ready and does not reload by itself; offline, a page loads every file from A or every
// file from B, never a mix; a precache that fails is said on the page, A keeps serving, and a retry
// installs B once the file is back.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { launch, serve, openPage, waitStatus, screenshot, WEB } from './helpers.mjs';
import { startServer } from '../../scripts/serve.mjs';

const dataReady = (s) => s && s.app_ready && s.data && s.data.phase === 'ready';

test('offline reload opens the app and trains', async (t) => {
  const srv = await serve({ isolation: true });
  const browser = await launch();
  try {
    const { page } = await openPage(browser.context, srv.url);
    await waitStatus(page, dataReady, 60000, 'first visit');
    // Wait until the service worker is active and its caches hold the app and the dataset.
    await page.waitForFunction(async () => {
      const reg = await navigator.serviceWorker.getRegistration();
      return !!(reg && reg.active && window.dlOffline.state === 'ready' &&
                (await caches.match('assets/mnist/train-images-idx3-ubyte.gz')) && (await caches.match('digitlab-mt.wasm')) &&
                (await caches.match('index.html')));
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

// Fashion-MNIST is not part of the install: offline before it was ever chosen, choosing it says it
// could not be downloaded and the digits stay; once chosen online, its files are kept and it opens offline.
test('Fashion-MNIST offline: said when never fetched, kept once fetched', async (t) => {
  let srv = await serve({ isolation: true });
  const port = srv.port;
  const browser = await launch();
  try {
    const { page } = await openPage(browser.context, srv.url);
    await waitStatus(page, dataReady, 60000, 'first visit');
    await page.waitForFunction(async () => window.dlOffline.state === 'ready' &&
      !!(await caches.match('assets/mnist/train-images-idx3-ubyte.gz')), null, { timeout: 60000, polling: 500 });
    assert.equal(await page.evaluate(async () => !!(await caches.match('assets/fashion-mnist/train-images-idx3-ubyte.gz'))), false,
      'not fetched at install');
    await srv.close();
    await page.goto(srv.url + 'index.html#data=fashion');
    let s = await waitStatus(page, (s) => dataReady(s) && !s.data.fashion_fetching && s.data.user_error !== '', 60000, 'the failure said');
    t.diagnostic(s.data.user_error);
    assert.match(s.data.user_error, /^Fashion-MNIST could not be loaded: Could not download Fashion-MNIST/);
    assert.equal(s.data.dataset, 'mnist');
    assert.equal(s.data.train, 60000);
    // Online again (the same address): chosen, fetched and kept; then offline it opens from the cache.
    srv = await serve({ isolation: true, port });
    await page.reload();
    s = await waitStatus(page, (s) => dataReady(s) && s.data.dataset === 'fashion', 60000, 'Fashion-MNIST online');
    await page.waitForFunction(async () => !!(await caches.match('assets/fashion-mnist/train-images-idx3-ubyte.gz')), null,
      { timeout: 30000, polling: 500 });
    await srv.close();
    await page.goto(srv.url + 'index.html#data=fashion&preset=mlp&epochs=1&autostart=1');
    s = await waitStatus(page, (s) => s.data && s.data.dataset === 'fashion' && s.phase === 'training' && s.steps > 10, 90000,
      'training on Fashion-MNIST offline');
    assert.equal(s.data.class_names[9], 'Ankle boot');
  } finally {
    await browser.close();
    await srv.close().catch(() => {});
  }
});

// ------------------------------------------------------------------ a folder to deploy over
const APP_FILES = fs.readdirSync(WEB).filter((f) => f !== 'assets' && f !== 'sw.js').sort();

// A served folder holding version A: build/web's files copied, its dataset linked.
function siteA() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'digitlab-site-'));
  for (const f of fs.readdirSync(WEB)) {
    if (f === 'assets') fs.symlinkSync(path.join(WEB, f), path.join(dir, f));
    else fs.copyFileSync(path.join(WEB, f), path.join(dir, f));
  }
  return dir;
}
const versionOf = (dir) => /const VERSION = '([^']+)'/.exec(fs.readFileSync(path.join(dir, 'sw.js'), 'utf8'))[1];

// A wasm custom section ("dl-build", 1000 bytes): valid anywhere in a module, and it makes B's
// digitlab-mt.wasm 1012 bytes larger than A's.
function customSection() {
  const name = Buffer.from('dl-build'), body = Buffer.concat([Buffer.from([name.length]), name, Buffer.alloc(1000, 66)]);
  const n = body.length;  // 1009: two bytes of LEB128
  return Buffer.concat([Buffer.from([0, (n & 0x7f) | 0x80, n >> 7]), body]);
}

// Deploys version B over `dir`, all files but sw.js first; `missing`: a file B lacks (the server answers 404).
function deployB(dir, missing) {
  const write = (f, data) => fs.writeFileSync(path.join(dir, f), data);
  const read = (f) => fs.readFileSync(path.join(WEB, f));
  write('index.html', read('index.html').toString().replace('<head>', '<head>\n<meta name="dl-build" content="B">'));
  write('app.js', "window.dlBuildB = 'app.js';\n" + read('app.js'));
  write('digitlab-mt.js', read('digitlab-mt.js') + "\n;self.dlBuildBmt = 'digitlab-mt.js';\n");
  write('digitlab-mt.wasm', Buffer.concat([read('digitlab-mt.wasm'), customSection()]));
  if (missing) fs.rmSync(path.join(dir, missing));
  write('sw.js', read('sw.js').toString().replace(/const VERSION = '([^']+)'/, "const VERSION = '$1-b'"));
  return versionOf(dir);
}

// Which version each file the page loaded came from ('A' or 'B').
const served = (page) => page.evaluate(() => {
  const wasm = performance.getEntriesByType('resource').find((e) => e.name.endsWith('/digitlab-mt.wasm'));
  return {
    'index.html': document.querySelector('meta[name="dl-build"]') ? 'B' : 'A',
    'app.js': window.dlBuildB ? 'B' : 'A',
    'digitlab-mt.js': window.dlBuildBmt ? 'B' : 'A',
    'digitlab-mt.wasm': wasm ? wasm.decodedBodySize : 0,
  };
});
function assertOneBuild(got, which, wasmA) {
  const wasm = got['digitlab-mt.wasm'] === wasmA ? 'A' : got['digitlab-mt.wasm'] === wasmA + 1012 ? 'B' : `${got['digitlab-mt.wasm']} bytes`;
  assert.deepEqual({ ...got, 'digitlab-mt.wasm': wasm },
                   { 'index.html': which, 'app.js': which, 'digitlab-mt.js': which, 'digitlab-mt.wasm': which });
}

const offlineState = (page) => page.evaluate(() => {
  const bar = document.getElementById('update'), reload = document.getElementById('update-reload');
  return { ...window.dlOffline,
           banner: bar.classList.contains('hidden') ? '' : document.getElementById('update-text').textContent + (reload.hidden ? '' : reload.textContent) };
});
async function waitOffline(page, pred, timeoutMs, what) {
  const t0 = Date.now();
  for (;;) {
    let s;
    try { s = await offlineState(page); } catch (e) { s = { error: String(e) }; }
    if (pred(s)) return s;
    if (Date.now() - t0 > timeoutMs) throw new Error(`timed out waiting for ${what}; last: ${JSON.stringify(s)}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}
// The caches by name, each with its files (paths under the served folder).
const cacheFiles = (page) => page.evaluate(async () => {
  const out = {};
  for (const k of await caches.keys()) out[k] = (await (await caches.open(k)).keys()).map((r) => r.url.slice(location.origin.length + 1)).sort();
  return out;
});
const checkForUpdate = (page) => page.evaluate(() => navigator.serviceWorker.getRegistration().then((r) => r.update()).then(() => 'ok', (e) => String(e)));

// Serves a folder holding version A, whose first visit has made its offline copy whole, and runs
// fn({ dir, srv, page, a, wasmA }); the server records the paths asked for in srv.requests.
async function withSiteA(fn) {
  const dir = siteA();
  const srv = await startServer({ root: dir, port: 0, isolation: true });
  srv.requests = [];
  srv.server.on('request', (req) => srv.requests.push(decodeURIComponent(new URL(req.url, 'http://x').pathname.slice(1))));
  const browser = await launch();
  try {
    const { page } = await openPage(browser.context, srv.url);
    await waitStatus(page, dataReady, 60000, 'first visit');
    const a = versionOf(dir);
    await waitOffline(page, (s) => s.state === 'ready' && s.version === a, 60000, 'the offline copy of A');
    await fn({ dir, srv, page, a, wasmA: fs.statSync(path.join(WEB, 'digitlab-mt.wasm')).size });
  } finally {
    await browser.close();
    await srv.close().catch(() => {});
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

test('a new version: announced on an open page, which goes on; offline, a page loads one build, A until the reload, then B', async (t) => {
  await withSiteA(async ({ dir, srv, page, a, wasmA }) => {
    assert.deepEqual(await cacheFiles(page), {
      [`digitlab-app-${a}`]: APP_FILES,
      'digitlab-data': ['assets/mnist/t10k-images-idx3-ubyte.gz', 'assets/mnist/t10k-labels-idx1-ubyte.gz',
                        'assets/mnist/train-images-idx3-ubyte.gz', 'assets/mnist/train-labels-idx1-ubyte.gz'],
    });
    await page.evaluate(() => { window.dlStillHere = true; });
    const b = deployB(dir);
    srv.requests.length = 0;
    assert.equal(await checkForUpdate(page), 'ok');  // what the browser does on its own now and then
    // The page asks the waiting worker for its version when it is ready: `next` comes a moment later.
    const o = await waitOffline(page, (s) => s.state === 'update-ready' && s.next !== '', 60000, 'B installed');
    t.diagnostic(`banner: ${o.banner}`);
    assert.equal(o.banner, 'A new version of Digit Lab is ready — reload');
    assert.equal(o.version, a, 'the page still runs A');
    assert.equal(o.next, b);
    assert.equal(await page.evaluate(() => window.dlStillHere), true, 'no reload by itself');
    assertOneBuild(await served(page), 'A', wasmA);
    // B's install asked the server for every app file of B, and for no dataset file.
    assert.deepEqual(srv.requests.filter((p) => p !== 'sw.js').sort(), APP_FILES);
    const caches1 = await cacheFiles(page);
    assert.deepEqual(Object.keys(caches1).sort(), [`digitlab-app-${a}`, `digitlab-app-${b}`, 'digitlab-data']);
    assert.deepEqual(caches1[`digitlab-app-${b}`], APP_FILES);
    assert.match(await page.evaluate((k) => caches.open(k).then((c) => c.match('app.js')).then((r) => r.text()), `digitlab-app-${b}`), /^window\.dlBuildB/);
    const f0 = (await page.evaluate(() => window.digitlab.frames())).count;
    await page.mouse.move(600, 400);  // frames at full rate
    await new Promise((r) => setTimeout(r, 1000));
    assert.ok((await page.evaluate(() => window.digitlab.frames())).count > f0, 'the app goes on drawing');
    await screenshot(page, 'offline-new-version-ready');

    // Offline, a new page: the active version, A, serves all of it; B waits, and the page says so.
    await srv.close();
    await page.goto(srv.url + 'index.html');
    await waitStatus(page, dataReady, 90000, 'A offline');
    assertOneBuild(await served(page), 'A', wasmA);
    const o2 = await waitOffline(page, (s) => s.state === 'update-ready', 30000, 'the banner offline');
    assert.equal(o2.version, a);
    assert.equal(o2.banner, 'A new version of Digit Lab is ready — reload');

    // Its reload button: B takes over, and the reloaded page (still offline) is all B's.
    await page.click('#update-reload');
    await waitOffline(page, (s) => s.version === b, 30000, 'B serving the page');
    const s = await waitStatus(page, dataReady, 90000, 'B offline');
    assert.equal(s.data.train, 60000);
    assertOneBuild(await served(page), 'B', wasmA);
    const o3 = await offlineState(page);
    assert.equal(o3.state, 'ready');
    assert.equal(o3.banner, '');
    assert.deepEqual(Object.keys(await cacheFiles(page)).sort(), [`digitlab-app-${b}`, 'digitlab-data'], 'A\'s copy deleted once B took over');
  });
});

test('a precache that fails is said on the page; A keeps serving; a retry installs B once the file is back', async (t) => {
  await withSiteA(async ({ dir, srv, page, a, wasmA }) => {
    const b = deployB(dir, 'digitlab-mt.wasm');
    // A new page: the browser checks for a new version, and so do we.
    await page.goto(srv.url + 'index.html');
    await waitStatus(page, dataReady, 90000, 'A, the page after the deploy');
    await checkForUpdate(page);
    const o = await waitOffline(page, (s) => s.state === 'failed', 60000, 'the failure said');
    t.diagnostic(`banner: ${o.banner}`);
    // The install's files: the app's and MNIST's four (Fashion-MNIST's are fetched when asked for).
    assert.equal(o.banner, `Digit Lab's offline copy was not updated: 1 file of ${APP_FILES.length + 4} did not download (digitlab-mt.wasm: HTTP 404). ` +
                           'Offline, the version you have still opens. It will try again.');
    assert.equal(o.version, a);
    assert.equal(o.next, b);
    await screenshot(page, 'offline-update-failed');
    await page.setViewportSize({ width: 412, height: 915 });  // a phone: the bar wraps over the status line's end
    await screenshot(page, 'offline-update-failed-phone');
    await page.setViewportSize({ width: 1600, height: 900 });
    // A serves the page, whole; once no attempt is under way (the browser may make one more), B's
    // partial copy is gone and nothing waits.
    await page.waitForFunction(() => navigator.serviceWorker.getRegistration().then((r) => !r.installing), null, { polling: 250 });
    assertOneBuild(await served(page), 'A', wasmA);
    assert.deepEqual(Object.keys(await cacheFiles(page)).sort(), [`digitlab-app-${a}`, 'digitlab-data']);
    assert.equal(await page.evaluate(() => navigator.serviceWorker.getRegistration().then((r) => !!r.waiting)), false);
    // The close button hides the bar.
    await page.click('#update-close');
    assert.equal((await offlineState(page)).banner, '');

    // The file is back: the page's retry (10 s after the failure) installs B, whole.
    deployB(dir);
    srv.requests.length = 0;
    const t0 = Date.now();
    const o2 = await waitOffline(page, (s) => s.state === 'update-ready', 60000, 'B installed by the retry');
    t.diagnostic(`retry installed B ${((Date.now() - t0) / 1000).toFixed(1)} s after the file was back`);
    assert.equal(o2.banner, 'A new version of Digit Lab is ready — reload');
    assert.deepEqual(srv.requests.filter((p) => p !== 'sw.js').sort(), APP_FILES, 'every app file again, no dataset file');
    await page.click('#update-reload');
    await waitOffline(page, (s) => s.version === b, 30000, 'B serving the page');
    await waitStatus(page, dataReady, 90000, 'B');
    assertOneBuild(await served(page), 'B', wasmA);
  });
});
