// The Lessons menu: each ready-made lesson sets up what its link says (checked key by key against the
// link, the training images against MNIST's labels), with its explanation in a popup; and the
// overfitting lesson, trained, shows what it is about: the training accuracy far above the validation
// accuracy, the validation loss lowest before the last epoch. A teacher's link with hide= and lock=
// leaves those windows out and keeps those settings as they are.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { ROOT, launch, serve, openPage, status, waitStatus, click, layout, shotWindow, screenshot as screenshotPage, realErrors, sleep } from './helpers.mjs';

let srv, browser;
before(async () => { srv = await serve({ isolation: true }); browser = await launch(); });
after(async () => { await browser?.close(); await srv?.close(); });

const labels = zlib.gunzipSync(fs.readFileSync(path.join(ROOT, 'assets/mnist/train-labels-idx1-ubyte.gz'))).subarray(8);
// The training images a link's limit and scarce keep, counted from MNIST's labels.
function kept(link) {
  const kv = Object.fromEntries(link.split('&').map((p) => p.split('=')));
  const n = kv.limit ? +kv.limit : labels.length;
  const [digit, keep] = kv.scarce ? kv.scarce.split(':').map(Number) : [-1, 0];
  let count = 0, seen = 0;
  for (let i = 0; i < n; i++) if (labels[i] !== digit || seen++ < keep) count++;
  return count;
}

test('each lesson of the Lessons menu opens its settings, its images and its explanation', async (t) => {
  const { page, errors } = await openPage(browser.context, srv.url);
  await waitStatus(page, (s) => s.app_ready && s.data && s.data.phase === 'ready', 60000, 'dataset ready');
  const first = await status(page);
  assert.equal(first.lesson, null);
  for (let i = 0; ; i++) {
    await click(page, 'menu.lessons');
    const rects = await layout(page);
    if (!rects[`menu.lesson.${i}`]) { assert.ok(i >= 7, 'at least seven lessons'); await page.keyboard.press('Escape'); break; }
    await click(page, `menu.lesson.${i}`);
    let s = await waitStatus(page, (s) => s.lesson && s.lesson.index === i, 5000, `lesson ${i}`);
    const link = s.lesson.link;
    await sleep(200);
    assert.ok((await layout(page))['lesson.about'], 'its explanation shows');
    if (i === 0) await shotWindow(page, 'lesson.window', 'lesson-popup');
    await click(page, 'lesson.ok');
    s = await waitStatus(page, (s) => s.data.train === kept(link), 10000, `lesson ${i}'s training images`);
    const kv = Object.fromEntries(link.split('&').map((p) => p.split('=')));
    assert.equal(s.preset, kv.preset);
    for (const [k, v] of Object.entries(kv)) {
      if (['preset', 'limit', 'scarce'].includes(k)) continue;
      if (k === 'class_weights') assert.equal(s.settings.class_weights, v);
      else if (k === 'early_stopping') assert.equal(s.settings.early_stopping.enabled, v !== '0');
      else if (k === 'shift') {
        assert.ok(Math.abs(s.settings.values.width_shift - +v) < 1e-6 && Math.abs(s.settings.values.height_shift - +v) < 1e-6);
      } else assert.ok(Math.abs(s.settings.values[k] - +v) <= 1e-6 * Math.max(1, +v), `${k}: ${s.settings.values[k]} for ${v}`);
    }
    t.diagnostic(`${s.lesson.title}: ${link} → ${s.data.train} training images (${s.data.source})`);
  }

  // Overfitting, trained: 800 images learned by heart.
  await click(page, 'menu.lessons');
  await click(page, 'menu.lesson.0');
  await waitStatus(page, (s) => s.lesson && s.lesson.index === 0, 5000, 'the overfitting lesson');
  await click(page, 'lesson.ok');
  await waitStatus(page, (s) => s.data.train === 1000, 10000, '1,000 images');
  await click(page, 'training.start');
  const s = await waitStatus(page, (s) => s.phase === 'finished' && !s.evaluating && s.test_accuracy != null, 180000, 'the run');
  const h = s.history;
  const last = h[h.length - 1];
  const best = h.reduce((b, e, k) => (e.val_loss < h[b].val_loss ? k : b), 0);
  t.diagnostic(`${h.length} epochs: training accuracy ${last.accuracy.toFixed(4)}, validation ${last.val_accuracy.toFixed(4)}; ` +
    `validation loss lowest at epoch ${best + 1} (${h[best].val_loss.toFixed(4)}), ${last.val_loss.toFixed(4)} at the end`);
  assert.ok(last.accuracy > 0.99, 'the training images learned by heart');
  assert.ok(last.accuracy - last.val_accuracy > 0.05, 'far above the validation accuracy');
  assert.ok(best < h.length - 5 && last.val_loss > h[best].val_loss * 1.1, 'the validation loss turned up');
  assert.deepEqual(realErrors(errors), []);
  await page.close();
});

test('a teacher\'s link hides windows and locks settings', async (t) => {
  const { page, errors } = await openPage(browser.context, `${srv.url}#preset=mlp&lr=0.002&hide=model,results&lock=lr,epochs`);
  let s = await waitStatus(page, (s) => s.app_ready && s.data && s.data.phase === 'ready', 60000, 'dataset ready');
  assert.deepEqual(s.hidden, ['model', 'results']);
  assert.deepEqual(s.locked, ['lr', 'epochs']);
  const rects = await layout(page);
  assert.ok(rects['window.training'] && rects['window.data'] && rects['window.draw']);
  assert.equal(rects['window.model'], undefined);
  assert.equal(rects['window.evaluation'], undefined);
  // The Training window takes the Evaluation window's room: wider than half the page.
  assert.ok(rects['window.training'].w > 0.5 * 1600, `training window ${rects['window.training'].w} px wide`);
  // A drag across the learning-rate slider changes nothing; the batch size is not locked.
  const lr = rects['training.lr'];
  await page.mouse.move(lr.x + 5, lr.y + lr.h / 2);
  await page.mouse.down();
  await page.mouse.move(lr.x + lr.w - 5, lr.y + lr.h / 2, { steps: 5 });
  await page.mouse.up();
  await sleep(300);
  s = await status(page);
  assert.ok(Math.abs(s.settings.lr - 0.002) < 1e-9, `lr ${s.settings.lr}`);
  // The Lessons menu leaves this link's lesson alone.
  await click(page, 'menu.lessons');
  await click(page, 'menu.lesson.1');
  await sleep(300);
  s = await status(page);
  assert.equal(s.lesson, null);
  assert.ok(Math.abs(s.settings.lr - 0.002) < 1e-9);
  await page.keyboard.press('Escape');
  await screenshotPage(page, 'lesson-hidden');
  t.diagnostic(`hidden ${s.hidden}, locked ${s.locked}; lr stays ${s.settings.lr}`);
  assert.deepEqual(realErrors(errors), []);
  await page.close();
});

// The Training window's recipe: the notebook's, or the improved one (measured in docs/results.md) for the
// presets that have one; a link made from it carries its settings and opens as the same recipe.
test('recipe: notebook or improved, carried by a link', async (t) => {
  const { page, errors } = await openPage(browser.context, `${srv.url}#preset=mlp`);
  let s = await waitStatus(page, (s) => s.app_ready && s.data && s.data.phase === 'ready', 60000, 'dataset ready');
  assert.equal(s.settings.recipe, 'notebook');
  await click(page, 'training.recipe.improved');
  s = await waitStatus(page, (s) => s.settings.recipe === 'improved', 5000, 'the improved recipe');
  assert.equal(s.settings.values.epochs, 40);
  assert.ok(Math.abs(s.settings.val_split - 0.1) < 1e-6);
  assert.ok(Math.abs(s.settings.values.rotation - 10) < 1e-6);
  assert.equal(s.settings.reduce_lr.enabled, true);
  await click(page, 'menu.share');
  await click(page, 'menu.share.link');
  s = await waitStatus(page, (s) => s.lesson_link !== '', 5000, 'the lesson link');
  await click(page, 'share.ok');
  const link = s.lesson_link;
  t.diagnostic(link);
  // The notebook's comes back with a click.
  await click(page, 'training.recipe.notebook');
  s = await waitStatus(page, (s) => s.settings.recipe === 'notebook', 5000, 'the notebook recipe');
  assert.equal(s.settings.values.epochs, 5);
  assert.equal(s.settings.values.rotation, 0);
  // cnn-vgg's improved recipe replaces the reduction on a plateau with a cosine decay over the run; in
  // the Callbacks tab each of the two turns the other off.
  await openPage(browser.context, `${srv.url}#preset=cnn-vgg&epochs=7`);
  s = await waitStatus(page, (s) => s.app_ready && s.settings && s.preset === 'cnn-vgg' && s.data && s.data.phase === 'ready',
                       60000, 'cnn-vgg, with its data');
  assert.equal(s.settings.recipe, 'changed');
  assert.equal(s.settings.reduce_lr.enabled, true);
  assert.equal(s.settings.cosine_decay.enabled, false);
  await click(page, 'training.recipe.improved');
  s = await waitStatus(page, (s) => s.settings.recipe === 'improved', 5000, 'cnn-vgg\'s improved recipe');
  assert.equal(s.settings.values.epochs, 30);
  assert.equal(s.settings.values.batch, 64);
  assert.equal(s.settings.val_split, 0);
  assert.equal(s.settings.reduce_lr.enabled, false);
  assert.deepEqual(s.settings.cosine_decay, { enabled: true, alpha: 0 });
  assert.ok(Math.abs(s.settings.values.label_smoothing - 0.1) < 1e-6, `label smoothing ${s.settings.values.label_smoothing}`);
  await click(page, 'training.tab.callbacks');
  await screenshotPage(page, 'recipe-cosine');
  await click(page, 'training.reduce_lr');
  s = await waitStatus(page, (s) => s.settings.reduce_lr.enabled, 5000, 'the reduction on');
  assert.equal(s.settings.cosine_decay.enabled, false);
  assert.equal(s.settings.recipe, 'changed');
  await click(page, 'training.cosine');
  s = await waitStatus(page, (s) => s.settings.cosine_decay.enabled, 5000, 'the cosine decay on');
  assert.equal(s.settings.reduce_lr.enabled, false);
  assert.equal(s.settings.recipe, 'improved');
  // Its smoothed labels, in Basics: a press at the slider's left end takes the smoothing off.
  await click(page, 'training.tab.basics');
  await screenshotPage(page, 'recipe-smoothing');
  await click(page, 'training.label_smoothing', { dx: 0.01 });
  s = await waitStatus(page, (s) => s.settings.values.label_smoothing < 0.1, 5000, 'the smoothing lowered');
  assert.ok(s.settings.values.label_smoothing < 0.02, `label smoothing ${s.settings.values.label_smoothing}`);
  assert.equal(s.settings.recipe, 'changed');
  assert.deepEqual(realErrors(errors), []);
  // The link opens as the improved recipe (openPage loads it in this tab, as a new document).
  const again = await openPage(browser.context, link);
  s = await waitStatus(again.page, (s) => s.app_ready && s.settings && s.settings.recipe === 'improved', 60000, 'the link\'s recipe');
  assert.equal(s.preset, 'mlp');
  assert.deepEqual(realErrors(again.errors), []);
  // A teacher's lock on the reduction keeps it on: ticking the cosine decay then changes nothing.
  const held = await openPage(browser.context, `${srv.url}#preset=cnn-vgg&lock=reduce_lr&tab=callbacks`);
  s = await waitStatus(held.page, (s) => s.app_ready && s.settings && s.preset === 'cnn-vgg', 60000, 'cnn-vgg, locked');
  await click(held.page, 'training.cosine');
  s = await status(held.page);
  assert.equal(s.settings.cosine_decay.enabled, false);
  assert.equal(s.settings.reduce_lr.enabled, true);
  assert.deepEqual(realErrors(held.errors), []);
  await page.close();
});
