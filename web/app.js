// Digit Lab page glue: checks WebGL 2, makes the page cross-origin isolated (headers from the
// server, or the service worker in sw.js, reloading at most once), picks the threads or the
// single-thread build, fetches the MNIST files with progress (gunzipping only real gzip bytes) and
// hands them to the app, passes on the user's own files (data and models, picked or dropped), keeps
// a model in IndexedDB ("Save in this browser"), and exposes window.digitlab for tests and lessons.
'use strict';
(function () {
  const FILES = ['train-images-idx3-ubyte', 'train-labels-idx1-ubyte', 't10k-images-idx3-ubyte', 't10k-labels-idx1-ubyte'];
  const RELOAD_KEY = 'digitlab-isolation-reload';
  const $ = (id) => document.getElementById(id);
  const hash = new URLSearchParams(location.hash.slice(1));

  // ------------------------------------------------------------------ messages on the page
  function show(text, busy) {
    $('overlay').classList.remove('hidden');
    $('message').textContent = text;
    $('progress').style.display = busy ? '' : 'none';
  }
  function fatal(text) {
    show('', false);
    $('message').className = 'error';
    $('message').textContent = text;
    glue.fatalMessage = text;
  }

  // ------------------------------------------------------------------ state the app talks to
  const glue = window.digitlabGlue = {
    appIsReady: false,
    fatalMessage: '',
    frameCount: 0,
    lastFrame: 0,
    gaps: [],
    firstFrameMs: 0,
    build: '',
    fatal,
    appReady() {
      glue.appIsReady = true;
      glue.firstFrameMs = performance.now();  // since navigation, like the app's own clock
      $('overlay').classList.add('hidden');
      $('canvas').focus();
      flushData();
    },
    frame() {
      const now = performance.now();
      if (glue.lastFrame) {
        glue.gaps.push(now - glue.lastFrame);
        if (glue.gaps.length > 100000) glue.gaps.splice(0, 50000);
      }
      glue.lastFrame = now;
      glue.frameCount++;
    },
    pickModelFile() { $('model-file').click(); },
    pickDataFiles() { $('data-files').click(); },
    store: { saved: null, message: '', error: '', busy: false },  // the model kept in IndexedDB
  };

  // ------------------------------------------------------------------ 1. WebGL 2
  function hasWebGL2() {
    try { return !!document.createElement('canvas').getContext('webgl2'); } catch (e) { return false; }
  }
  // A 31-byte module with one SIMD instruction: (func (result v128) i32.const 0 i8x16.splat i8x16.popcnt).
  function hasWasmSimd() {
    try {
      return typeof WebAssembly === 'object' && WebAssembly.validate(new Uint8Array([
        0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 123, 3, 2, 1, 0, 10, 10, 1, 8, 0, 65, 0, 253, 15, 253, 98, 11]));
    } catch (e) { return false; }
  }

  // ------------------------------------------------------------------ 2. isolation
  // Threads need SharedArrayBuffer, which needs a cross-origin isolated page. If the server did not
  // send the headers, our service worker adds them; that takes one reload. A session flag makes sure
  // we reload at most once: if the page is still not isolated after it, we use the fallback build.
  async function isolate() {
    if (!('serviceWorker' in navigator) || !window.isSecureContext || hash.get('sw') === '0') {
      return !!window.crossOriginIsolated;
    }
    if (window.crossOriginIsolated) {
      // The server sent the headers: the worker only keeps an offline copy, so the app does not wait
      // for it (registering queues behind an install that may still be precaching from the last visit).
      sessionStorage.removeItem(RELOAD_KEY);
      navigator.serviceWorker.register('sw.js').catch((e) => console.warn('Digit Lab: service worker not available (' + e.message + '); no offline copy'));
      return true;
    }
    let reg;
    try {
      reg = await navigator.serviceWorker.register('sw.js');
    } catch (e) {
      console.warn('Digit Lab: service worker not available (' + e.message + '); no offline copy');
      sessionStorage.removeItem(RELOAD_KEY);
      return !!window.crossOriginIsolated;
    }
    if (sessionStorage.getItem(RELOAD_KEY)) {  // we already reloaded once: give up on threads
      sessionStorage.removeItem(RELOAD_KEY);
      return false;
    }
    show('Setting up this page for fast training and offline use (first visit only)…', true);
    const ok = await new Promise((resolve) => {
      const w = reg.installing || reg.waiting;
      if (!w) { resolve(!!reg.active); return; }
      w.addEventListener('statechange', () => {
        if (w.state === 'activated') resolve(true);
        if (w.state === 'redundant') resolve(false);
      });
    });
    if (!ok) return false;
    sessionStorage.setItem(RELOAD_KEY, '1');
    location.reload();
    return new Promise(() => {});  // the reload replaces this page
  }

  // ------------------------------------------------------------------ 3. the dataset
  const data = { bytes: [null, null, null, null], loaded: [0, 0, 0, 0], total: [0, 0, 0, 0], current: 0,
                 error: '', delivered: [false, false, false, false] };

  async function gunzipIfNeeded(u8) {
    if (u8.length < 2 || u8[0] !== 0x1f || u8[1] !== 0x8b) return u8;  // the server already decoded it
    if (typeof DecompressionStream === 'undefined') {
      throw new Error('this browser cannot unpack .gz files (no DecompressionStream); please use an up-to-date browser');
    }
    const stream = new Blob([u8]).stream().pipeThrough(new DecompressionStream('gzip'));
    return new Uint8Array(await new Response(stream).arrayBuffer());
  }

  async function fetchOne(i) {
    const url = 'assets/mnist/' + FILES[i] + '.gz';
    let res;
    try {
      res = await fetch(url);
    } catch (e) {
      throw new Error('Could not download the digits (' + url + '). Check the network connection, then reload the page.');
    }
    if (!res.ok) {
      throw new Error('The digit files are missing next to the app (' + url + ': HTTP ' + res.status + '). ' +
                      'If you host this page yourself, copy the whole build/web folder, including assets/.');
    }
    data.total[i] = Number(res.headers.get('Content-Length')) || 0;
    const reader = res.body.getReader();
    const chunks = [];
    let n = 0;
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      n += value.length;
      data.loaded[i] = n;
      data.current = i;
      reportProgress();
    }
    const all = new Uint8Array(n);
    let off = 0;
    for (const c of chunks) { all.set(c, off); off += c.length; }
    if (!data.total[i]) data.total[i] = n;
    data.bytes[i] = await gunzipIfNeeded(all);
    flushData();
  }

  function reportProgress() {
    if (!glue.appIsReady) return;
    const loaded = data.loaded.reduce((a, b) => a + b, 0);
    const total = data.total.every((t) => t > 0) ? data.total.reduce((a, b) => a + b, 0) : 0;
    Module._digitlab_data_progress(loaded, total, data.current);
  }

  function flushData() {
    if (!glue.appIsReady) return;
    if (data.error) {
      Module.dlPending.error = data.error;
      Module._digitlab_data_error();
      data.error = '';
      return;
    }
    reportProgress();
    for (let i = 0; i < 4; i++) {
      if (data.bytes[i] && !data.delivered[i]) {
        data.delivered[i] = true;
        Module.dlPending.data[i] = data.bytes[i];
        data.bytes[i] = null;
        Module._digitlab_data_file(i, Module.dlPending.data[i].byteLength);
      }
    }
  }

  function loadData() {
    Promise.all([0, 1, 2, 3].map(fetchOne)).catch((e) => {
      console.warn('Digit Lab: ' + e.message);
      data.error = e.message;
      flushData();
    });
  }

  // ------------------------------------------------------------------ 4. the user's files
  // Model files go to the app's model loader; everything else is data: IDX files (raw or .gz,
  // unpacked here only if the bytes really are gzip) or a Kaggle-style train.csv. The app checks
  // the files and says in words what is wrong; the data in use stays until a set is accepted.
  const MODEL_MAGIC = 'DGLBMODL';
  const isModel = (u8) => u8.length >= 8 && String.fromCharCode(...u8.subarray(0, 8)) === MODEL_MAGIC;

  function giveModelBytes(bytes, name) {
    Module.dlPending.model = { bytes, name };
    Module._digitlab_model_file(bytes.byteLength);
  }

  async function giveFiles(list) {
    const files = Array.from(list || []);
    if (!files.length || !glue.appIsReady) return;
    const out = [];
    let error = '';
    for (const f of files) {
      let bytes;
      try {
        bytes = new Uint8Array(await f.arrayBuffer());
      } catch (e) {
        error = '"' + f.name + '" could not be read (' + e.message + ').';
        break;
      }
      if (files.length === 1 && isModel(bytes)) { giveModelBytes(bytes, f.name); return; }
      if (!out.length) Module._digitlab_user_data_reading();
      try {
        bytes = await gunzipIfNeeded(bytes);
      } catch (e) {
        error = '"' + f.name + '" looks like a .gz file but could not be unpacked: it may be damaged or incomplete.';
        break;
      }
      out.push({ name: f.name.replace(/\.gz$/i, ''), bytes });
    }
    Module.dlPending.user = { files: error ? [] : out, error };
    Module._digitlab_user_data();
  }

  $('model-file').addEventListener('change', (ev) => {
    const f = ev.target.files && ev.target.files[0];
    if (f && glue.appIsReady) f.arrayBuffer().then((buf) => giveModelBytes(new Uint8Array(buf), f.name));
    ev.target.value = '';
  });
  $('data-files').addEventListener('change', (ev) => {
    const list = Array.from(ev.target.files || []);
    ev.target.value = '';
    giveFiles(list);
  });
  window.addEventListener('dragover', (ev) => ev.preventDefault());
  window.addEventListener('drop', (ev) => {
    ev.preventDefault();
    giveFiles(ev.dataTransfer && ev.dataTransfer.files);
  });

  // ------------------------------------------------------------------ 5. a model kept in this browser
  // IndexedDB database "digitlab", store "models", one record under the key "saved":
  // {name, bytes, savedAt, size}. Survives reloads and works offline.
  function idb() {
    return new Promise((resolve, reject) => {
      if (!('indexedDB' in window)) { reject(new Error('this browser has no IndexedDB')); return; }
      const req = indexedDB.open('digitlab', 1);
      req.onupgradeneeded = () => req.result.createObjectStore('models');
      req.onsuccess = () => resolve(req.result);
      req.onerror = () => reject(req.error || new Error('IndexedDB could not be opened'));
    });
  }
  async function idbDo(mode, fn) {
    const db = await idb();
    try {
      return await new Promise((resolve, reject) => {
        const tx = db.transaction('models', mode);
        const req = fn(tx.objectStore('models'));
        tx.oncomplete = () => resolve(req.result);
        tx.onerror = tx.onabort = () => reject(tx.error || new Error('IndexedDB transaction failed'));
      });
    } finally { db.close(); }
  }
  const describe = (r) => (r ? { name: r.name, saved_at: r.savedAt, size: r.size } : null);
  const storeFailed = (what, e) => {
    glue.store.busy = false;
    glue.store.error = what + ' (' + ((e && e.message) || e) + '). A private window, or a browser set to keep no site data, does not allow it.';
    glue.store.message = '';
  };
  async function storeRefresh() {
    try { glue.store.saved = describe(await idbDo('readonly', (s) => s.get('saved'))); } catch (e) { glue.store.saved = null; }
  }
  glue.storeSave = async (name, bytes) => {  // bytes: a copy (not a view of wasm memory)
    glue.store.busy = true;
    try {
      const rec = { name, bytes, savedAt: Date.now(), size: bytes.byteLength };
      await idbDo('readwrite', (s) => s.put(rec, 'saved'));
      glue.store.saved = describe(rec);
      glue.store.busy = false;
      glue.store.error = '';
      glue.store.message = 'Saved "' + name + '" in this browser. "Saved model > Load saved" brings it back, also after a reload or offline.';
    } catch (e) { storeFailed('The model could not be saved in this browser', e); }
    Module._digitlab_store_done();
  };
  glue.storeLoad = async () => {
    glue.store.busy = true;
    try {
      const r = await idbDo('readonly', (s) => s.get('saved'));
      glue.store.busy = false;
      if (!r) { glue.store.error = 'No model is saved in this browser yet.'; glue.store.message = ''; Module._digitlab_store_done(); return; }
      glue.store.error = '';
      glue.store.message = '';
      giveModelBytes(new Uint8Array(r.bytes), r.name);
    } catch (e) { storeFailed('The saved model could not be read', e); Module._digitlab_store_done(); }
  };
  storeRefresh();

  // A lesson link pasted into an open tab changes only the hash: the app applies it (after any
  // training that is running).
  window.addEventListener('hashchange', () => { if (glue.appIsReady) Module._digitlab_hash_changed(); });
  // Left alone, the app draws 2 frames a second; any input brings it back to full rate at once
  // (capture phase: before SDL's own handlers, whatever they do with the event).
  const wake = () => { if (glue.appIsReady) Module._digitlab_wake(); };
  for (const type of ['pointerdown', 'pointermove', 'wheel', 'keydown', 'touchstart', 'dragover', 'drop', 'hashchange',
                      'focus', 'resize'])
    window.addEventListener(type, wake, { capture: true, passive: true });

  // ------------------------------------------------------------------ 6. automation hooks
  window.digitlab = {
    status() {
      const base = { build: glue.build, app_ready: glue.appIsReady, error: glue.fatalMessage,
                     isolated: !!window.crossOriginIsolated, first_frame_ms: glue.firstFrameMs,
                     store: Object.assign({}, glue.store) };
      if (!glue.appIsReady) return Object.assign({ phase: 'loading' }, base);
      return Object.assign(base, JSON.parse(Module.UTF8ToString(Module._digitlab_status())));
    },
    layout() {
      if (!glue.appIsReady) return {};
      const r = $('canvas').getBoundingClientRect();
      const out = JSON.parse(Module.UTF8ToString(Module._digitlab_layout()));
      for (const k in out) { out[k].x += r.left; out[k].y += r.top; }
      return out;
    },
    frames(reset) {
      const g = glue.gaps.slice();
      if (reset) glue.gaps = [];
      const sorted = g.slice().sort((a, b) => a - b);
      const q = (p) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] : 0);
      return { count: glue.frameCount, intervals: g.length, max_ms: sorted.length ? sorted[sorted.length - 1] : 0,
               median_ms: q(0.5), p95_ms: q(0.95), p99_ms: q(0.99), since_last_ms: performance.now() - glue.lastFrame };
    },
    clearPad() { if (glue.appIsReady) Module._digitlab_clear_pad(); },
  };

  // ------------------------------------------------------------------ 7. start
  async function main() {
    if (!hasWebGL2()) {
      fatal('Digit Lab needs WebGL 2 to draw, and this browser has it turned off or does not support it. ' +
            'Try an up-to-date Chrome, Edge, Firefox or Safari, and check that hardware acceleration is on.');
      return;
    }
    if (!hasWasmSimd()) {
      fatal('Digit Lab needs a browser that runs WebAssembly with SIMD (Chrome or Edge 91+, Firefox 89+, ' +
            'Safari 16.4+). This browser does not; please update it or open the page in another browser.');
      return;
    }
    loadData();  // in parallel with the app download
    const isolated = await isolate();
    const threads = isolated && typeof SharedArrayBuffer !== 'undefined' && hash.get('build') !== 'st';
    glue.build = threads ? 'threads' : 'single-thread';
    $('env').textContent = threads ? 'threads + SIMD build' : 'single-thread SIMD build (this page is not cross-origin isolated)';
    show('Loading the app…', true);
    const name = threads ? 'digitlab-mt' : 'digitlab-st';
    window.Module = {
      canvas: $('canvas'),
      dlPending: { data: [null, null, null, null], model: null, error: '', user: null },
      print: (t) => console.log(t),
      printErr: (t) => console.warn(t),
      locateFile: (p) => p,
      onAbort: (what) => {
        const oom = /memory|OOM|alloc/i.test(String(what));
        fatal(oom ? 'Digit Lab ran out of memory. Close other tabs or choose a smaller network or batch size, then reload the page.'
                  : 'Digit Lab stopped because of an internal error (' + what + '). Reload the page to start again.');
      },
    };
    const failed = () => fatal('The app files could not be downloaded (' + name + '.js). Check the network connection, then reload.');
    const s = document.createElement('script');
    s.onerror = failed;
    if (threads) {
      // Each pthread worker imports the app's script. Given as a Blob, they need no request: offline,
      // WebKit let only the first of several workers' imports through the service worker, and the
      // others failed ("NetworkError: Load failed"), so the app never started.
      let blob;
      try {
        const res = await fetch(name + '.js');
        if (!res.ok) throw new Error(res.status);
        blob = await res.blob();
      } catch (e) {
        failed();
        return;
      }
      window.Module.mainScriptUrlOrBlob = blob;
      s.src = URL.createObjectURL(blob);
    } else {
      s.src = name + '.js';
    }
    document.body.appendChild(s);
    // A start that hangs (a slow connection, or a browser whose workers cannot load) would otherwise
    // leave "Loading the app…" up with nothing to do about it.
    setTimeout(() => {
      if (glue.appIsReady || glue.fatalMessage) return;
      show('Still loading after 45 s. On a slow connection this can take a while; if nothing changes, reload ' +
           'the page' + (threads ? ' or try the single-thread version: ' : '.'), true);
      if (!threads) return;
      const a = document.createElement('a');
      a.href = '#';
      a.textContent = 'open it';
      a.onclick = (ev) => {
        ev.preventDefault();
        const h = new URLSearchParams(location.hash.slice(1));
        h.set('build', 'st');
        location.hash = h.toString();
        location.reload();
      };
      $('message').append(a, '.');
    }, 45000);
  }
  main();
})();
