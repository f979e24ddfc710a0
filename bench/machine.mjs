// What the benchmarks say about the machine they ran on: CPU, cores, Chromium, and whether other work was running.
import fs from 'node:fs';
import os from 'node:os';
import { execFileSync } from 'node:child_process';

// Other processes using a quarter of a core or more right now (the benchmark's own browser and node excluded).
function busy() {
  try {
    return execFileSync('ps', ['-eo', 'pcpu=,args=', '--sort=-pcpu'], { encoding: 'utf8' }).split('\n')
      .map((l) => l.trim().match(/^([\d.]+)\s+(.*)$/)).filter((m) => m && Number(m[1]) >= 25 && !/chromium|chrome|bench\/|\bps\b/.test(m[2]))
      .map((m) => `${m[2].split(/\s+/).slice(0, 4).map((w) => w.replace(/^.*\//, '')).join(' ')} (${Math.round(Number(m[1]))}% CPU)`);
  } catch { return []; }
}

// Waits (up to `maxSeconds`) until the 1-minute load average has decayed below half the cores and no
// other process uses a quarter of a core: run back to back, a benchmark would otherwise start while
// the load average still counts the previous one's browser, and report the machine as busy.
export async function waitForQuiet(log, maxSeconds = 300) {
  const t0 = Date.now();
  const quiet = () => os.loadavg()[0] <= os.cpus().length * 0.5 && busy().length === 0;
  if (quiet()) return;
  log(`waiting for the machine to settle (load ${os.loadavg()[0].toFixed(2)}${busy().length ? '; busy: ' + busy().join('; ') : ''})`);
  while (!quiet() && Date.now() - t0 < maxSeconds * 1000) await new Promise((r) => setTimeout(r, 5000));
  log(`load ${os.loadavg()[0].toFixed(2)} after ${Math.round((Date.now() - t0) / 1000)} s`);
}

export function machineBefore() {
  return {
    cpu: (fs.readFileSync('/proc/cpuinfo', 'utf8').match(/model name\s*:\s*(.*)/) || [, 'unknown CPU'])[1].trim(),
    cores: os.cpus().length,
    chromium: execFileSync(process.env.CHROMIUM || '/usr/bin/chromium', ['--version'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim(),
    loadBefore: os.loadavg()[0],
    others: busy(),
  };
}

export function machineAfter(env) {
  env.loadAfter = os.loadavg()[0];
  env.othersAfter = busy();
  return env;
}

// One sentence on the load. The load at the end includes the benchmark's own browser, so only the load before
// and the other processes seen at the start and the end say whether other work competed with it.
export function loadSentence(env, busyWarning) {
  const wasBusy = env.loadBefore > env.cores * 0.5 || env.others.length > 0 || env.othersAfter.length > 0;
  return `Load average (1 min) ${env.loadBefore.toFixed(2)} before, ${env.loadAfter.toFixed(2)} at the end (which includes ` +
    `this benchmark's own browser)` +
    (wasBusy ? ` — **${busyWarning}**.` : '; no other process used a quarter of a core or more at the start or at the end.') +
    (env.others.length ? ` Busy at the start: ${env.others.join('; ')}.` : '') +
    (env.othersAfter.length ? ` Busy at the end: ${env.othersAfter.join('; ')}.` : '');
}
