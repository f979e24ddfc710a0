#!/usr/bin/env node
// What grows in the page's JavaScript heap during a long run (bench/soak.mjs measures how much): heap
// snapshots after a collection at the ends of epochs 2 and 10 of a 12-epoch mlp run, their self sizes
// summed by (kind, name), and the 25 that grew most. Prints a table; writes nothing.
//   node bench/heapdiff.mjs
import { launch, serve, openPage, waitStatus } from '../tests/e2e/helpers.mjs';
const srv = await serve({ isolation: true });
const b = await launch();
const { page } = await openPage(b.context, `${srv.url}#preset=mlp&epochs=12&seed=1&autostart=1`);
const cdp = await b.context.newCDPSession(page);
async function snap() {
  await cdp.send('HeapProfiler.collectGarbage');
  let chunks = [];
  const h = (e) => chunks.push(e.chunk);
  cdp.on('HeapProfiler.addHeapSnapshotChunk', h);
  await cdp.send('HeapProfiler.takeHeapSnapshot', { reportProgress: false });
  cdp.off('HeapProfiler.addHeapSnapshotChunk', h);
  const s = JSON.parse(chunks.join(''));
  const f = s.snapshot.meta.node_fields, nf = f.length;
  const ti = f.indexOf('type'), ni = f.indexOf('name'), si = f.indexOf('self_size');
  const types = s.snapshot.meta.node_types[0];
  const agg = new Map();
  for (let i = 0; i < s.nodes.length; i += nf) {
    const key = types[s.nodes[i + ti]] + ':' + String(s.strings[s.nodes[i + ni]]).slice(0, 60);
    const a = agg.get(key) || [0, 0];
    a[0] += s.nodes[i + si]; a[1]++;
    agg.set(key, a);
  }
  return agg;
}
await waitStatus(page, (s) => s.runs && s.runs.saved_epochs >= 2 && !s.runs_page.saving, 600000, 'e2');
const a = await snap();
await waitStatus(page, (s) => s.runs && s.runs.saved_epochs >= 10 && !s.runs_page.saving, 600000, 'e10');
const c = await snap();
const rows = [];
for (const [k, v] of c) { const o = a.get(k) || [0, 0]; rows.push([v[0] - o[0], v[1] - o[1], k]); }
rows.sort((x, y) => y[0] - x[0]);
console.log('bytes grown\tobjects grown\tkind:name');
console.log(rows.slice(0, 25).map((r) => `${r[0]}\t${r[1]}\t${r[2]}`).join('\n'));
await b.close(); await srv.close();
