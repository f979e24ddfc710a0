#!/usr/bin/env node
// A small static file server for build/web/, on 127.0.0.1 only.
//   node scripts/serve.mjs [--root build/web] [--port 8080] [--no-isolation] [--block-sw]
// --no-isolation: omit COOP/COEP (a plain static host; the service worker then isolates the page)
// --block-sw:     answer 404 for sw.js too (a host where isolation is impossible: fallback build)
// Also importable: startServer({root, port, isolation, blockSw, stall}) → {port, url, close()} (port 0 = any free port).
import http from 'node:http';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const TYPES = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.mjs': 'text/javascript',
  '.wasm': 'application/wasm', '.json': 'application/json', '.gz': 'application/gzip', '.png': 'image/png',
  '.css': 'text/css', '.ttf': 'font/ttf', '.svg': 'image/svg+xml', '.webmanifest': 'application/manifest+json' };

// stall (tests): a file whose path contains it is sent up to its first 64 KB, then nothing more on an
// open connection, as a download that stalls.
export function startServer({ root, port = 0, isolation = true, blockSw = false, quiet = true, stall = '' } = {}) {
  const base = path.resolve(root);
  const server = http.createServer((req, res) => {
    let rel;
    try { rel = decodeURIComponent(new URL(req.url, 'http://x').pathname); } catch { res.writeHead(400).end(); return; }
    if (rel.endsWith('/')) rel += 'index.html';
    const file = path.join(base, rel);
    const headers = { 'Cache-Control': 'no-cache' };
    if (isolation) {
      headers['Cross-Origin-Opener-Policy'] = 'same-origin';
      headers['Cross-Origin-Embedder-Policy'] = 'require-corp';
      headers['Cross-Origin-Resource-Policy'] = 'same-origin';
    }
    const blocked = blockSw && path.basename(file) === 'sw.js';
    if (!file.startsWith(base + path.sep) || blocked) { res.writeHead(404, headers).end('not found'); return; }
    fs.stat(file, (err, st) => {
      if (err || !st.isFile()) { res.writeHead(404, headers).end('not found'); return; }
      headers['Content-Type'] = TYPES[path.extname(file)] || 'application/octet-stream';
      headers['Content-Length'] = st.size;
      res.writeHead(200, headers);
      if (req.method === 'HEAD') { res.end(); return; }
      if (stall && rel.includes(stall)) {
        fs.createReadStream(file, { start: 0, end: 65535 }).on('data', (c) => res.write(c));
        return;
      }
      fs.createReadStream(file).pipe(res);
      if (!quiet) console.log(req.method, rel);
    });
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      const p = server.address().port;
      resolve({ port: p, url: `http://127.0.0.1:${p}/`, server,
        close: () => new Promise((r) => { server.closeAllConnections?.(); server.close(() => r()); }) });
    });
  });
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  const args = process.argv.slice(2);
  const opt = (name, dflt) => { const i = args.indexOf(name); return i >= 0 ? args[i + 1] : dflt; };
  const root = opt('--root', path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'build', 'web'));
  const s = await startServer({ root, port: Number(opt('--port', 8080)), isolation: !args.includes('--no-isolation'),
                                blockSw: args.includes('--block-sw'), quiet: true });
  console.log(`Digit Lab: serving ${path.resolve(root)} at ${s.url} ` +
              (args.includes('--no-isolation') ? '(no isolation headers)' : '(cross-origin isolated)') + ' — Ctrl+C stops');
}
