// Nothing is lost (issue 19): every run is saved in the browser after each epoch; a reload, or a
// browser killed mid-run, reopens it where it was saved, paused, and Resume ends at the same test
// loss and accuracy as a run that was never interrupted (the kernels give the same bits for any
// number of threads, so the weights are the same bits). A run forced to diverge in an epoch's last
// step keeps the weights of the epoch before and says so. The Runs menu lists, compares, deletes and
// forgets. Screenshots: build/screenshots/runs-*.png.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { chromium } from 'playwright-core';
import { launch, serve, openPage, status, waitStatus, screenshot, shotWindow, sleep, click } from './helpers.mjs';

let srv;
before(async () => { srv = await serve({ isolation: true }); });
after(async () => { await srv?.close(); });

const LINK = 'index.html#preset=mlp&epochs=5&autostart=1';
// The end of a run and of its test evaluation (a reopened run has the test results of the weights
// it was reopened with until then).
const finished = (page, what) =>
  waitStatus(page, (s) => s.phase === 'finished' && !s.evaluating && s.test_accuracy != null &&
                          s.runs.saved_epochs === s.epochs_done, 300000, what);

// A browser whose profile outlives it, so that a second launch finds what the first one saved.
async function launchIn(dir) {
  return chromium.launchPersistentContext(dir, {
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium', headless: true, viewport: { width: 1600, height: 900 },
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
           '--disable-component-update', '--disable-sync', '--use-angle=swiftshader', '--enable-unsafe-swiftshader'],
  });
}

test('a reload mid-epoch reopens the run after its last epoch, and Resume ends where an uninterrupted run does', async (t) => {
  // The uninterrupted run, in a browser of its own.
  let whole;
  {
    const b = await launch();
    try {
      const { page } = await openPage(b.context, srv.url + LINK);
      whole = await finished(page, 'the uninterrupted run');
    } finally { await b.close(); }
  }
  const b = await launch();
  try {
    const { page, errors } = await openPage(b.context, srv.url + LINK);
    const mid = await waitStatus(page, (s) => s.phase === 'training' && s.runs.saved_epochs === 3 && s.epochs_done === 3 &&
                                          s.batch > 200, 300000, 'epoch 4 under way');
    t.diagnostic(`reloading at epoch ${mid.epoch}, batch ${mid.batch}; the last autosave took ${mid.runs.save_ms.toFixed(1)} ms ` +
                 `to make, the page wrote ${mid.runs_page.writes} in ${mid.runs_page.write_ms.toFixed(0)} ms (last)`);
    await page.reload();
    const back = await waitStatus(page, (s) => s.runs && s.runs.restored === 1 && !s.evaluating && s.test_accuracy != null,
                                  90000, 'the run reopened');
    assert.equal(back.phase, 'paused');
    assert.equal(back.epochs_done, 3);
    assert.equal(back.history.length, 3);
    assert.equal(back.batch, 0);
    assert.deepEqual(back.history.map((e) => e.loss), mid.history.map((e) => e.loss));
    // mlp validates on the test set: the reopened weights test as epoch 3's did.
    assert.ok(Math.abs(back.test_loss - mid.history[2].val_loss) < 1e-6, `${back.test_loss} vs ${mid.history[2].val_loss}`);
    assert.match(back.runs.notice, /saved in this browser after epoch 3 of 5\. It is paused: Resume trains on/);
    await shotWindow(page, 'window.training', 'runs-reopened');
    await click(page, 'training.pause');  // Resume
    const end = await finished(page, 'the resumed run');
    t.diagnostic(`uninterrupted: test loss ${whole.test_loss}, accuracy ${whole.test_accuracy}; resumed: ${end.test_loss}, ` +
                 `${end.test_accuracy}`);
    assert.equal(end.epochs_done, 5);
    assert.equal(end.test_loss, whole.test_loss);
    assert.equal(end.test_accuracy, whole.test_accuracy);
    assert.deepEqual(end.history.map((e) => e.loss), whole.history.map((e) => e.loss));
    assert.equal(end.runs.saved, 1);
    assert.deepEqual(errors.filter((e) => !/GL Driver Message|GPU stall/.test(e)), []);
  } finally { await b.close(); }
});

test('a browser killed mid-run keeps the last finished epoch', async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'digitlab-kill-'));
  let ctx;
  try {
    ctx = await launchIn(dir);
    let { page } = await openPage(ctx, srv.url + LINK);
    // Epoch 1's autosave handed to the page and written (IndexedDB), epoch 2 under way.
    await waitStatus(page, (s) => s.phase === 'training' && s.runs.saved_epochs === 1 && !s.runs_page.saving && s.batch > 100,
                     300000, 'epoch 1 written, epoch 2 under way');
    // No clean unload: every process of this profile is killed at once.
    execFileSync('pkill', ['-KILL', '-f', `user-data-dir=${dir}`]);
    await ctx.close().catch(() => {});
    ctx = await launchIn(dir);
    ({ page } = await openPage(ctx, srv.url + LINK));
    const back = await waitStatus(page, (s) => s.runs && s.runs.restored === 1, 90000, 'the run reopened after the kill');
    t.diagnostic(`after the kill: ${back.epochs_done} epoch(s), ${back.phase}, ${back.runs.saved} run(s) saved`);
    assert.equal(back.phase, 'paused');
    assert.equal(back.epochs_done, 1);
  } finally {
    await ctx?.close().catch(() => {});  // a browser left open would keep this file's process alive
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('a run whose update overflows in an epoch\'s last step keeps the epoch before, and says so', async (t) => {
  const b = await launch();
  try {
    const { page } = await openPage(b.context, srv.url + 'index.html#preset=mlp&epochs=3&autostart=1');
    await waitStatus(page, (s) => s.phase === 'training' && s.epochs_done === 1 && s.batch > 10, 300000, 'epoch 2 under way');
    await page.evaluate(() => window.Module._digitlab_test_fault(3));
    const s = await waitStatus(page, (s) => s.phase === 'diverged' && s.test_accuracy != null, 120000, 'the divergence');
    t.diagnostic(s.message);
    assert.match(s.message, /training diverged: the weights after the update became NaN in epoch 2, batch 1,875 \(step 3,750\)/);
    assert.match(s.message, /The weights from the end of epoch 1 \(step 1,875\) were restored/);
    assert.ok(s.test_accuracy > 0.95, `the restored weights read ${s.test_accuracy} of the test set`);
    assert.equal(s.epochs_done, 1);
    await shotWindow(page, 'window.training', 'runs-diverged');
  } finally { await b.close(); }
});

test('the Runs menu lists the saved runs, compares one, deletes one, and forgets everything', async (t) => {
  const b = await launch();
  try {
    const { page } = await openPage(b.context, srv.url + 'index.html#preset=mlp&epochs=1&autostart=1');
    await finished(page, 'the first run');
    await page.goto(srv.url + 'index.html#preset=mlp&epochs=1&lr=0.01&autostart=1');
    let s = await finished(page, 'the second run');
    // Listed once the last write (the one with the test accuracy) is in.
    s = await waitStatus(page, (s) => s.runs.list.length === 2 && !s.runs_page.saving &&
                                      s.runs.list.every((r) => r.test_accuracy >= 0), 20000, 'two runs listed');
    assert.deepEqual(s.runs.list.map((r) => r.epochs_done), [1, 1]);
    assert.ok(s.runs.list.every((r) => r.test_accuracy > 0.5 && !r.unfinished && r.bytes > 1e6));
    assert.ok(s.runs.usage > 0);
    // The previous run in grey is the first one; comparing with the newest puts that one there.
    const close = (a, b) => Math.abs(a - b) < 1e-5;  // the run list keeps 6 digits
    assert.ok(close(s.previous_run.test_accuracy, s.runs.list[1].test_accuracy));
    assert.notEqual(s.runs.list[0].test_accuracy, s.runs.list[1].test_accuracy);
    await click(page, 'menu.runs');
    await click(page, 'runs.item.0');
    await screenshot(page, 'runs-menu');
    await click(page, 'runs.compare.0');
    s = await status(page);
    assert.ok(close(s.previous_run.test_accuracy, s.runs.list[0].test_accuracy));
    assert.equal(s.previous_run.batches, 1875);
    assert.ok(s.previous_run.shown);
    await click(page, 'menu.runs');
    await click(page, 'runs.item.1');
    await click(page, 'runs.delete.1');
    s = await waitStatus(page, (s) => s.runs.list.length === 1, 10000, 'one run left');
    await click(page, 'menu.runs');
    await click(page, 'runs.forget');
    await click(page, 'runs.forget.confirm');
    s = await waitStatus(page, (s) => s.runs.list.length === 0, 10000, 'nothing saved');
    assert.equal(s.store.saved, null);
  } finally { await b.close(); }
});

test('leaving asks first only while a run trains', async () => {
  const b = await launch();
  try {
    const { page } = await openPage(b.context, srv.url + 'index.html#preset=mlp&epochs=2&autostart=1');
    await waitStatus(page, (s) => s.phase === 'training' && s.steps > 20, 120000, 'training');
    await click(page, 'training.pause');  // a gesture: the page may now ask before unloading
    await waitStatus(page, (s) => s.phase === 'paused' && !s.runs_page.saving, 10000, 'paused and saved');
    const asked = [];
    page.on('dialog', (d) => { asked.push(d.type()); d.accept(); });
    const unloadAsks = () => page.evaluate(() => {
      const ev = new Event('beforeunload', { cancelable: true });
      window.dispatchEvent(ev);
      return ev.defaultPrevented;
    });
    assert.equal(await unloadAsks(), false, 'paused: saved, nothing to ask');
    await click(page, 'training.pause');  // Resume
    await waitStatus(page, (s) => s.phase === 'training', 10000, 'training again');
    assert.equal(await unloadAsks(), true, 'training: the epoch under way would be lost');
  } finally { await b.close(); }
});

test('a full storage quota is a message, and the run goes on unsaved', async (t) => {
  const b = await launch();
  try {
    const page = b.context.pages()[0] || (await b.context.newPage());
    const cdp = await b.context.newCDPSession(page);
    // The site may keep 2 MB: less than one mlp run file (6.9 MB).
    await cdp.send('Storage.overrideQuotaForOrigin', { origin: new URL(srv.url).origin, quotaSize: 2e6 });
    await openPage(b.context, srv.url + 'index.html#preset=mlp&epochs=2&autostart=1');
    const s = await waitStatus(page, (s) => s.runs && /storage for this site is full/.test(s.runs.error), 300000,
                               'the quota message');
    t.diagnostic(s.runs.error);
    assert.equal(s.runs.saved, 0);
    const later = await waitStatus(page, (x) => x.steps > s.steps + 100 || x.phase === 'finished', 120000, 'training on');
    assert.notEqual(later.phase, 'diverged');
    assert.deepEqual(later.page_errors, []);
    await shotWindow(page, 'window.training', 'runs-quota');
  } finally { await b.close(); }
});
