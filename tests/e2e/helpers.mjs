// Shared pieces of the browser tests: a fresh headless Chromium (SwiftShader WebGL 2), our own
// static server on a free 127.0.0.1 port, waiting on window.digitlab.status(), and screenshots.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { execFileSync, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import puppeteer from 'puppeteer-core';
import { startServer } from '../../scripts/serve.mjs';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const WEB = path.join(ROOT, 'build', 'web');
export const SHOTS = path.join(ROOT, 'build', 'screenshots');

// A browser with a fresh profile (its own --user-data-dir, removed afterwards).
export async function launch({ width = 1600, height = 900, scale = 1, hasTouch = false, args = [] } = {}) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'digitlab-chrome-'));
  const context = await chromium.launchPersistentContext(dir, {
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    headless: true,
    viewport: { width, height },
    deviceScaleFactor: scale,
    hasTouch,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
           '--disable-background-networking', '--disable-component-update', '--disable-sync',
           '--use-angle=swiftshader', '--enable-unsafe-swiftshader', ...args],
  });
  return { context, close: async () => { await context.close(); fs.rmSync(dir, { recursive: true, force: true }); } };
}

// Firefox: Debian's firefox-esr, driven over WebDriver BiDi by puppeteer-core. Headless Firefox finds
// no GL driver on these machines ("Exhausted GL driver options"), so it runs on a private X display
// (startXvfb); Mesa's llvmpipe is on Firefox's WebGL blocklist, hence webgl.force-enabled.
export const FIREFOX = process.env.FIREFOX || '/usr/bin/firefox-esr';

// An X display of our own: Xvfb picks a free number and writes it to fd 3. → { proc, display }
export async function startXvfb() {
  const proc = spawn('Xvfb', ['-displayfd', '3', '-screen', '0', '1600x900x24', '-nolisten', 'tcp'],
                     { stdio: ['ignore', 'ignore', 'pipe', 'pipe'] });
  process.once('exit', () => proc.kill());  // also when a test process ends early
  let err = '';
  proc.stderr.on('data', (d) => { err += d; });
  const n = await new Promise((resolve, reject) => {
    let out = '';
    proc.stdio[3].on('data', (d) => { out += d; if (out.includes('\n')) resolve(out.trim()); });
    proc.on('exit', (code) => reject(new Error(`Xvfb exited (${code}): ${err.slice(-400)}`)));
  });
  return { proc, display: `:${n}` };
}

// A fresh Firefox (temporary profile) on that display, with one page recording console errors.
export async function launchFirefox(display, viewport = { width: 1600, height: 900 }) {
  const browser = await puppeteer.launch({
    browser: 'firefox', executablePath: FIREFOX, headless: false, protocol: 'webDriverBiDi',
    env: { ...process.env, DISPLAY: display }, defaultViewport: viewport,
    extraPrefsFirefox: { 'webgl.force-enabled': true },
  });
  const page = await browser.newPage();
  const errors = [];
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  page.on('pageerror', (e) => errors.push(String(e)));
  return { browser, page, errors };
}

export async function serve(opts = {}) {
  if (!fs.existsSync(path.join(WEB, 'index.html'))) throw new Error('build/web is missing: run scripts/build-web.sh');
  return startServer({ root: WEB, port: 0, ...opts });
}

// A page that records console errors and uncaught exceptions.
export async function openPage(context, url) {
  const page = context.pages()[0] || (await context.newPage());
  const errors = [], logs = [];
  page.on('console', (m) => {
    logs.push(`[${m.type()}] ${m.text()}`);
    if (m.type() === 'error') errors.push(m.text());
  });
  page.on('pageerror', (e) => errors.push(String(e)));
  // A page left open by an earlier (failed) test: a URL differing only in its hash would not load a
  // new document, so go through about:blank to always start a fresh app.
  if (page.url() !== 'about:blank') await page.goto('about:blank');
  await page.goto(url);
  return { page, errors, logs };
}

// Console errors that are about the app, not SwiftShader's driver chatter.
export const realErrors = (errors) => errors.filter((e) => !/GL Driver Message|GPU stall/.test(e));

// A model file from a short native CLI run (1 epoch on the first `limit` images, seed 1) in `dir`.
export function trainModel(dir, preset, limit) {
  const file = path.join(dir, `${preset}.dlmodel`);
  execFileSync(path.join(ROOT, 'build', 'native', 'digitlab'),
    ['train', '--preset', preset, '--epochs', '1', '--limit', String(limit), '--seed', '1', '--save', file],
    { stdio: 'ignore' });
  return file;
}

export const status = (page) => page.evaluate(() => window.digitlab && window.digitlab.status());

// Polls status() until pred(status) is true; throws with the last status after timeoutMs.
export async function waitStatus(page, pred, timeoutMs, what) {
  const t0 = Date.now();
  let s;
  for (;;) {
    try { s = await status(page); } catch (e) { s = { error: String(e) }; }
    if (s && pred(s)) return s;
    if (Date.now() - t0 > timeoutMs) throw new Error(`timed out waiting for ${what}; last status: ${JSON.stringify(s).slice(0, 3000)}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

export async function screenshot(page, name, clip) {
  fs.mkdirSync(SHOTS, { recursive: true });
  const file = path.join(SHOTS, name + '.png');
  await page.screenshot({ path: file, clip });
  return file;
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
// The on-page rectangles (CSS pixels) of the app's widgets, by name.
export const layout = (page) => page.evaluate(() => window.digitlab.layout());

// The widgets that run past the edge of their window (layout() names "draw.pad" the pad of
// "window.draw", "builder.done" a button of "builder.window"), as "name (x, y, w, h) outside
// window.draw (…)"; names without a window (the menu bar, the status line, the narrow layout's tabs)
// are not checked.
export async function spilled(page) {
  const L = await layout(page), out = [];
  const box = (r) => `(${[r.x, r.y, r.w, r.h].map(Math.round).join(', ')})`;
  for (const [k, r] of Object.entries(L)) {
    const pre = k.split('.')[0], wk = L['window.' + pre] ? 'window.' + pre : pre + '.window', W = L[wk];
    if (k.startsWith('window.') || k === wk || !W) continue;
    if (r.x < W.x - 1 || r.y < W.y - 1 || r.x + r.w > W.x + W.w + 1 || r.y + r.h > W.y + W.h + 1)
      out.push(`${k} ${box(r)} outside ${wk} ${box(W)}`);
  }
  return out;
}

// Screenshot of one app window, by its layout() name (e.g. "window.training").
export async function shotWindow(page, key, name) {
  const r = (await layout(page))[key];
  if (!r) throw new Error(`no ${key} in layout()`);
  return screenshot(page, name, { x: r.x, y: r.y, width: r.w, height: r.h });
}

// The pixels of a layout() rectangle as drawn: a screenshot, decoded in the page. Returns
// { width, height, data } with data the RGBA bytes, row after row.
export async function regionPixels(page, key) {
  const r = (await layout(page))[key];
  if (!r || r.w <= 10 || r.h <= 10) throw new Error(`${key} has no size in layout()`);
  const png = await page.screenshot({ clip: { x: r.x, y: r.y, width: r.w, height: r.h } });
  const { width, height, b64 } = await page.evaluate(async (src) => {
    const img = new Image();
    img.src = 'data:image/png;base64,' + src;
    await img.decode();
    const g = new OffscreenCanvas(img.width, img.height).getContext('2d');
    g.drawImage(img, 0, 0);
    const d = g.getImageData(0, 0, img.width, img.height).data;
    let bin = '';
    for (let i = 0; i < d.length; i += 0x8000) bin += String.fromCharCode.apply(null, d.subarray(i, i + 0x8000));
    return { width: img.width, height: img.height, b64: btoa(bin) };
  }, png.toString('base64'));
  return { width, height, data: Buffer.from(b64, 'base64') };
}

// How many pixels of regionPixels()' result satisfy is(r, g, b).
export function countPixels({ data }, is) {
  let n = 0;
  for (let i = 0; i < data.length; i += 4) if (is(data[i], data[i + 1], data[i + 2])) n++;
  return n;
}

// A mouse click on a widget named in layout(), with a frame or two between move, press and release
// (ImGui 1.86 reads the button state once per frame). Waits up to 2 s for the widget to appear (popups
// and new rows appear a frame later). dx: where across the widget, 0..1, or at(r): the x to click in
// rectangle r; settle: wait after release.
export async function click(page, key, { dx = 0.5, at = (r) => r.x + r.w * dx, settle = 150 } = {}) {
  let r;
  for (let i = 0; i < 20 && !r; i++) {
    r = (await layout(page))[key];
    if (!r) await sleep(100);
  }
  if (!r) throw new Error(`layout() has no ${key}`);
  await pressAt(page, at(r), r.y + r.h / 2, settle);
}

// A mouse press and release at a point, a frame or two apart (see click).
export async function pressAt(page, x, y, settle = 150) {
  await page.mouse.move(x, y);
  await sleep(100);
  await page.mouse.down();
  await sleep(100);
  await page.mouse.up();
  await sleep(settle);
}

// WebKit, the engine of Safari: Debian's WebKitGTK, its MiniBrowser driven by WebKitWebDriver over
// classic WebDriver (plain HTTP; no client library), on a private X display (startXvfb).
// WebKitGTK keeps SharedArrayBuffer off even in a cross-origin isolated page, where Safari (15.2 and
// later) turns it on; `sab: true` sets JavaScriptCore's switch for it, as Safari's isolated pages have
// it. Returns { page, go(url), js(body, ...args), screenshot(name), version, close() }: js() runs
// `body` as a function body in the page and gives its return value; `page` offers what the other
// helpers use of a playwright page (evaluate(fn, arg), mouse.move/down/up), so status(), waitStatus(),
// layout() and click() take it as they take Chromium's.
export function miniBrowser() {
  for (const dir of fs.readdirSync('/usr/lib')) {
    const p = path.join('/usr/lib', dir, 'webkit2gtk-4.1', 'MiniBrowser');
    if (fs.existsSync(p)) return p;
  }
  return null;
}

export async function launchWebKit(display, { sab = true, width = 1600, height = 900 } = {}) {
  const binary = miniBrowser();
  if (!binary) throw new Error('WebKitGTK\'s MiniBrowser is not installed: run scripts/setup.sh (it installs webkit2gtk-driver)');
  const port = await new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => { const p = s.address().port; s.close(() => resolve(p)); });
  });
  const env = { ...process.env, DISPLAY: display };
  if (sab) env.JSC_useSharedArrayBuffer = '1';
  // Its own process group, ended as a whole: the driver, MiniBrowser and WebKit's web and network
  // processes (killing the driver alone left a browser running), also when this process exits early.
  const driver = spawn('WebKitWebDriver', [`--port=${port}`], { stdio: 'ignore', env, detached: true });
  const end = () => { try { process.kill(-driver.pid, 'SIGKILL'); } catch { /* already gone */ } };
  process.once('exit', end);
  const base = `http://127.0.0.1:${port}`;
  const call = async (method, p, body) => {
    const r = await fetch(base + p, { method, headers: { 'content-type': 'application/json' },
                                      body: body === undefined ? undefined : JSON.stringify(body) });
    const j = await r.json();
    if (!r.ok) throw new Error(`WebDriver ${method} ${p}: ${JSON.stringify(j.value).slice(0, 400)}`);
    return j.value;
  };
  for (let i = 0; ; i++) {  // the driver listens within a second or so
    try { if ((await call('GET', '/status')).ready) break; } catch (e) { if (i > 100) { end(); throw e; } }
    await sleep(100);
  }
  let id;
  try {
    const s = await call('POST', '/session', { capabilities: { alwaysMatch: {
      'webkitgtk:browserOptions': { binary, args: ['--automation'] } } } });
    id = s.sessionId;
    await call('POST', `/session/${id}/window/rect`, { width, height });
    const js = (body, ...args) => call('POST', `/session/${id}/execute/sync`, { script: body, args });
    // Pointer state (position, button) lasts across action calls until the session ends.
    const act = (actions) => call('POST', `/session/${id}/actions`, {
      actions: [{ type: 'pointer', id: 'mouse', parameters: { pointerType: 'mouse' }, actions }] });
    let at = [0, 0];
    const to = (x, y) => ({ type: 'pointerMove', origin: 'viewport', duration: 16, x: Math.round(x), y: Math.round(y) });
    const page = {
      evaluate: (fn, arg) => js(`return (${fn})(arguments[0]);`, arg === undefined ? null : arg),
      mouse: {
        move: (x, y, { steps = 1 } = {}) => {
          const [x0, y0] = at;
          at = [x, y];
          return act(Array.from({ length: steps }, (_, k) => to(x0 + (x - x0) * (k + 1) / steps, y0 + (y - y0) * (k + 1) / steps)));
        },
        down: () => act([{ type: 'pointerDown', button: 0 }]),
        up: () => act([{ type: 'pointerUp', button: 0 }]),
      },
    };
    const w = {
      version: s.capabilities.browserVersion,
      page,
      js,
      go: (url) => call('POST', `/session/${id}/url`, { url }),
      screenshot: async (name) => {
        fs.mkdirSync(SHOTS, { recursive: true });
        fs.writeFileSync(path.join(SHOTS, `${name}.png`), Buffer.from(await call('GET', `/session/${id}/screenshot`), 'base64'));
      },
      close: async () => {
        try { await call('DELETE', `/session/${id}`); } finally { end(); process.removeListener('exit', end); }
      },
    };
    return w;
  } catch (e) {
    end();
    throw e;
  }
}

// A 7 in three strokes' worth of points on the draw pad, with the mouse or ({ touch: true }, puppeteer's
// touchscreen) a finger, on the Draw window's pad or another (its layout() key); then the settled
// prediction. Works with a puppeteer page and with launchWebKit()'s page.
export async function drawSeven(page, { touch = false, on = 'draw.pad' } = {}) {
  const pad = (await layout(page))[on];
  if (!pad || pad.w <= 50) throw new Error('layout() gives no draw pad');
  const P = (u, v) => [pad.x + u * pad.w, pad.y + v * pad.h];
  const pts = [[0.25, 0.2], [0.75, 0.2], [0.45, 0.85]];
  if (touch) {
    await page.touchscreen.touchStart(...P(...pts[0]));
    for (let i = 1; i < pts.length; ++i)
      for (let k = 1; k <= 8; ++k) {
        const [a, b] = [pts[i - 1], pts[i]];
        await page.touchscreen.touchMove(...P(a[0] + (b[0] - a[0]) * k / 8, a[1] + (b[1] - a[1]) * k / 8));
      }
    await page.touchscreen.touchEnd();
  } else {
    await page.mouse.move(...P(...pts[0]));
    await page.mouse.down();
    for (const p of pts.slice(1)) await page.mouse.move(...P(...p), { steps: 8 });
    await page.mouse.up();
  }
  return settledPrediction(page);
}

// The pad emptied, then polylines drawn on it with the mouse (points as fractions of the pad, x then
// y; `steps` mouse moves per segment): the status once the prediction settles.
export async function drawStrokes(page, strokes, { steps = 8, on = 'draw.pad' } = {}) {
  await page.evaluate(() => window.digitlab.clearPad());
  await waitStatus(page, (s) => s.prediction == null, 5000, 'an empty pad');
  const pad = (await layout(page))[on];
  const P = ([u, v]) => [pad.x + u * pad.w, pad.y + v * pad.h];
  for (const line of strokes) {
    await page.mouse.move(...P(line[0]));
    await page.mouse.down();
    for (const p of line.slice(1)) await page.mouse.move(...P(p), { steps });
    await page.mouse.up();
  }
  return settledPrediction(page);
}

// IDX files of 28 x 28 images (an array of 784 grey levels each) and their labels: [images, labels].
export function idxPair(images, labels) {
  const img = Buffer.alloc(16 + 784 * images.length), lab = Buffer.alloc(8 + labels.length);
  img.writeUInt32BE(2051, 0); img.writeUInt32BE(images.length, 4); img.writeUInt32BE(28, 8); img.writeUInt32BE(28, 12);
  images.forEach((p, i) => Buffer.from(p).copy(img, 16 + 784 * i));
  lab.writeUInt32BE(2049, 0); lab.writeUInt32BE(labels.length, 4);
  Buffer.from(labels).copy(lab, 8);
  return [img, lab];
}

// A stroke through the page points pts (CSS pixels) as mouse events dispatched on the canvas in one
// task, so a single frame receives them all (a slow device, a fast hand, a long scribble).
export function dispatchStroke(page, pts) {
  return page.evaluate((pts) => {
    const c = document.querySelector('canvas');
    const ev = (type, [x, y], buttons) => new MouseEvent(type, { clientX: x, clientY: y, screenX: x, screenY: y, button: 0,
                                                                 buttons, bubbles: true, cancelable: true, view: window });
    c.dispatchEvent(ev('mousedown', pts[0], 1));
    for (const p of pts.slice(1)) c.dispatchEvent(ev('mousemove', p, 1));
    c.dispatchEvent(ev('mouseup', pts[pts.length - 1], 0));
  }, pts);
}

// The status once the pad's prediction stops changing between two polls (the app may still be taking
// a stroke's queued moves, a frame at a time).
export function settledPrediction(page) {
  let last = '';
  return waitStatus(page, (s) => {
    const now = JSON.stringify(s.prediction && s.prediction.probabilities);
    const settled = s.prediction != null && now === last;
    last = now;
    return settled;
  }, 10000, 'a settled prediction');
}

// Trains the page's URL-given run to its first test evaluation, failing if frames stop for 2 s, the
// run diverges, or it takes 5 minutes. → { s: the status then, frames, secs }
export async function trainOneEpoch(page) {
  await waitStatus(page, (s) => s.phase === 'training', 90000, 'training to start');
  await page.evaluate(() => window.digitlab.frames(true));
  const t0 = Date.now();
  for (;;) {
    const s = await status(page);
    const fr = await page.evaluate(() => window.digitlab.frames());
    assert.ok(fr.max_ms < 2000 && fr.since_last_ms < 2000, `no frame for ${Math.round(Math.max(fr.max_ms, fr.since_last_ms))} ms while training`);
    assert.notEqual(s.phase, 'diverged');
    if (s.test_accuracy != null) return { s, frames: fr, secs: (Date.now() - t0) / 1000 };
    assert.ok(Date.now() - t0 < 300000, 'training took more than 5 minutes');
    await sleep(500);
  }
}

// The native CLI's test accuracy for mlp after 1 epoch with this seed (what the browsers must match
// within 0.3 points), run once per seed.
const cliRuns = new Map();
export function cliAccuracy(seed) {
  if (!cliRuns.has(seed))
    cliRuns.set(seed, JSON.parse(execFileSync(path.join(ROOT, 'build', 'native', 'digitlab'),
      ['train', '--preset', 'mlp', '--epochs', '1', '--seed', String(seed), '--json'], { encoding: 'utf8' })).test_accuracy);
  return cliRuns.get(seed);
}

// Untrusted input in any engine (playwright, puppeteer or launchWebKit()'s page), on a page opened at
// `#preset=mlp&epochs=1&autostart=1`: a trap on the trainer thread ends the run with a message, a
// link with values it cannot use names them, and a .gz that inflates to 250 MB is refused at 200 MB.
// The engine's own parts are what is checked: catching a WebAssembly trap in a worker, the hash,
// DecompressionStream read as a stream. → the last status.
export async function untrustedInEngine(page) {
  await waitStatus(page, (s) => s.phase === 'training' && s.steps > 100, 90000, 'training');
  await page.evaluate(() => window.Module._digitlab_test_fault(1));
  let s = await waitStatus(page, (s) => s.trainer_fault !== '', 15000, 'the fault on the trainer thread');
  assert.equal(s.phase, 'stopped');
  assert.match(s.message, /^Training stopped: its thread failed \(RuntimeError: /);
  await page.evaluate(() => { location.hash = '#preset=resnet&val=1.5'; });
  s = await waitStatus(page, (s) => s.link_notices.length === 2, 15000, 'the link notices');
  assert.match(s.link_notices[1], /^val=1\.5: the validation split must be 0\.\.0\.9; 0 is used instead$/);
  const gz = zlib.gzipSync(Buffer.alloc(250e6), { level: 1 }).toString('base64');
  await page.evaluate((b64) => {
    const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
    const dt = new DataTransfer();
    dt.items.add(new File([bytes], 'bomb-images-idx3-ubyte.gz'));
    document.getElementById('canvas').dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));
  }, gz);
  s = await waitStatus(page, (s) => /inflates past 200 MB/.test(s.data.user_error), 60000, 'the .gz refused');
  assert.equal(s.data.source, 'MNIST');
  assert.equal(s.data.train, 60000);
  const frames = (await page.evaluate(() => window.digitlab.frames().count));
  await sleep(1500);
  assert.ok((await page.evaluate(() => window.digitlab.frames().count)) > frames, 'frames go on');
  assert.equal((await status(page)).error, '');
  return s;
}
