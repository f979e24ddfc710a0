#!/usr/bin/env node
// Where the CPU goes while the app trains untouched (frames paced): CPU seconds of each Chromium
// thread over a window, from /proc (Linux), grouped by process type and thread name, the app's
// workers one by one; beside the training rate and the frames drawn. Not a test; docs/design.md,
// "Frame pacing", quotes it.
//   node bench/app_cpu.mjs [preset=cnn-tiny] [batch=128] [seconds=9]
import fs from 'node:fs';
import { launch, serve, openPage, sleep, status, waitStatus } from '../tests/e2e/helpers.mjs';
const [preset = 'cnn-tiny', batch = '128', secs = '9'] = process.argv.slice(2);
const HZ = 100;
function snapshot() {
  const out = new Map();
  for (const pid of fs.readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    let cmd;
    try { cmd = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8'); } catch { continue; }
    if (!cmd.includes('digitlab-chrome-')) continue;
    const type = (cmd.match(/--type=([a-z-]+)/) || [, 'browser'])[1];
    let tasks = [];
    try { tasks = fs.readdirSync(`/proc/${pid}/task`); } catch { continue; }
    for (const tid of tasks) {
      let st;
      try { st = fs.readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8'); } catch { continue; }
      const comm = st.slice(st.indexOf('(') + 1, st.lastIndexOf(')'));
      const f = st.slice(st.lastIndexOf(')') + 2).split(' ');
      const t = (Number(f[11]) + Number(f[12])) / HZ;
      out.set(`${pid}/${tid}`, { key: comm.startsWith("DedicatedWork") ? `${type}:${comm}:${tid}` : `${type}:${comm.replace(/\d+$/, "#")}`, t });
    }
  }
  return out;
}
const srv = await serve({ isolation: true });
const b = await launch({});
try {
  const { page } = await openPage(b.context, `${srv.url}#preset=${preset}&batch=${batch}&val=0&epochs=200&autostart=1`);
  await waitStatus(page, (s) => s.phase === 'training' && s.steps > 0, 120000, 'training');
  await waitStatus(page, (s) => s.saving_cpu, 15000, 'paced');
  await sleep(3000);
  const a = await status(page), s0 = snapshot();
  await sleep(Number(secs) * 1000);
  const c = await status(page), s1 = snapshot();
  const wall = (c.frame_at_ms - a.frame_at_ms) / 1000;
  const by = new Map();
  for (const [id, v] of s1) {
    const d = v.t - (s0.get(id)?.t ?? 0);
    by.set(v.key, (by.get(v.key) || 0) + d);
  }
  const rows = [...by].filter(([, d]) => d > 0.005).sort((x, y) => y[1] - x[1]);
  console.log(JSON.stringify({ preset, rate: Math.round(((c.steps - a.steps) * batch) / wall), wall: +wall.toFixed(2), frames: c.frames - a.frames, cost: c.frame_cost_ms, share: c.ui_share }));
  for (const [k, d] of rows) console.log(`${k.padEnd(50)} ${d.toFixed(2)} s  ${(100 * d / wall).toFixed(1)}%`);
} finally { await b.close(); await srv.close(); }
