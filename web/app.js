// Digit Lab page glue: checks WebGL 2, makes the page cross-origin isolated (headers from the
// server, or the service worker in sw.js, reloading at most once), picks the threads or the
// single-thread build, fetches the MNIST files with progress (gunzipping only real gzip bytes) and
// hands them to the app, passes on the user's own files (data and models, picked or dropped; none
// read or inflated past the app's caps), keeps a model in IndexedDB ("Save in this browser"), tells
// of any error no code caught, and exposes window.digitlab for tests and lessons.
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
  // The app's frames stopped on an error: say so, and offer to save what was trained (the page's
  // memory usually still holds it; if saving fails too, nothing more is lost).
  function stopped(what) {
    fatal('Digit Lab stopped because of an error (' + what + '). Reload the page to start again.');
    if (!glue.appIsReady || !window.Module || !Module._digitlab_rescue_model) return;
    const b = document.createElement('button');
    b.textContent = 'Download the trained model first';
    b.onclick = () => {
      try { b.textContent = Module._digitlab_rescue_model() ? 'Downloaded' : 'There is no trained model to save'; } catch (e) { b.textContent = 'It could not be saved'; }
      b.disabled = true;
    };
    $('message').after(b);
  }
  function note(text) {
    $('note-text').textContent = text;
    $('note').classList.remove('hidden');
  }

  // ------------------------------------------------------------------ state the app talks to
  const glue = window.digitlabGlue = {
    appIsReady: false,
    fatalMessage: '',
    errors: [],  // errors no code caught (window 'error' and 'unhandledrejection'), as text
    errorStack: '',  // the first one's stack (wasm frames by function index: build/web-*/digitlab-*.symbols)
    earlyError: '',  // the first of them, when it came before the app had started
    // The most a file may hold, decompressed (data) or as it is (model): the app's own limits
    // (dl::kMaxDataFileBytes, dl::kMaxModelFileBytes), given at appReady.
    limits: { data: 200e6, model: 256e6 },
    stallMs: 30000,  // a dataset download with no byte for this long is given up (stallWatch); tests lower it
    frameCount: 0,
    lastFrame: 0,
    // Intervals between frames since the last frames(true): the last 8,192 in a ring (for the
    // percentiles), their count and the longest, so a page left open for hours holds no more.
    gaps: new Float64Array(8192), gapCount: 0, gapMax: 0,
    firstFrameMs: 0,
    build: '',
    fatal,
    appReady(dataCap, modelCap) {
      glue.appIsReady = true;
      glue.limits = { data: dataCap, model: modelCap };
      glue.firstFrameMs = performance.now();  // since navigation, like the app's own clock
      $('overlay').classList.add('hidden');
      $('canvas').focus();
      if (glue.earlyError) note(goesOn(glue.earlyError));
      flushData();
    },
    frame() {
      const now = performance.now();
      if (glue.lastFrame) {
        const gap = now - glue.lastFrame;
        glue.gaps[glue.gapCount++ % glue.gaps.length] = gap;
        if (gap > glue.gapMax) glue.gapMax = gap;
      }
      glue.lastFrame = now;
      glue.frameCount++;
    },
    // A download of `blob` as `name`: through a link clicked at once, its URL released later.
    saveBlob(name, blob) {
      const url = URL.createObjectURL(blob);
      const a = document.createElement('a');
      a.href = url; a.download = name;
      document.body.appendChild(a); a.click(); a.remove();
      setTimeout(() => URL.revokeObjectURL(url), 10000);
    },
    note(text) { note(text); },
    pickModelFile() { $('model-file').click(); },
    // purpose 'mine': the files picked are for My digits' import, not training data (a drop never is).
    pickDataFiles(purpose) { pickPurpose = purpose || ''; $('data-files').click(); },
    fetchFashion() { fetchFashion(); },
    store: { saved: null, message: '', error: '', busy: false },  // the model kept in IndexedDB
    // Runs kept in IndexedDB (section 5): the list as stored, the last error, the storage estimate.
    runs: { list: [], listed: false, error: '', usage: 0, quota: 0, saving: false, pending: null, writes: 0, writeMs: 0 },
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
    followOfflineCopy();
    if (window.crossOriginIsolated) {
      // The server sent the headers: the worker only keeps an offline copy, so the app does not wait
      // for it (registering queues behind an install that may still be precaching from the last visit).
      sessionStorage.removeItem(RELOAD_KEY);
      navigator.serviceWorker.register('sw.js').then(watchRegistration, noWorker);
      return true;
    }
    let reg;
    try {
      reg = await navigator.serviceWorker.register('sw.js');
    } catch (e) {
      noWorker(e);
      sessionStorage.removeItem(RELOAD_KEY);
      return !!window.crossOriginIsolated;
    }
    watchRegistration(reg);
    if (sessionStorage.getItem(RELOAD_KEY)) {  // we already reloaded once: give up on threads
      sessionStorage.removeItem(RELOAD_KEY);
      return false;
    }
    show('Setting up this page for fast training and offline use (first visit only)…', true);
    // A version already active controls the page once it is reloaded; the first one activates when
    // its offline copy is whole (if that fails, this page goes on without isolation).
    const ok = !!reg.active || await new Promise((resolve) => {
      const w = reg.installing || reg.waiting;
      if (!w) { resolve(false); return; }
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

  // ------------------------------------------------------------------ 2b. the offline copy
  // sw.js keeps one whole copy per version of the app (see there). This page follows it and says, in
  // a bar at the bottom (#update), when a new version is ready (with a button that reloads into it)
  // or when a copy could not be made (and tries again: 10 s, then twice as long each time, up to
  // 5 minutes). It never reloads by itself. window.dlOffline says where things stand:
  //   state    'off' (no service worker), 'installing' (the first copy is being made), 'ready' (a
  //            whole copy serves this page), 'updating' (a new version is downloading), 'update-ready'
  //            (a new version is whole and waits for a reload), 'failed' (the last download failed)
  //   version  the version whose files this page runs ('' while no worker controls it)
  //   next     the new version being installed, waiting or failed; error: what failed, in words
  const offline = window.dlOffline = { state: 'off', version: '', next: '', error: '' };
  let registration = null, controlled = false, reloading = false, retryTimer = 0, retryDelay = 10000, dismissed = '';
  const tracked = new WeakSet();

  function banner(text, reload, warn) {
    if (text === dismissed) return;
    $('update-text').textContent = text;
    $('update-reload').hidden = !reload;
    $('update').className = warn ? 'warn' : '';
  }
  const hideBanner = () => $('update').classList.add('hidden');
  $('update-close').addEventListener('click', () => { dismissed = $('update-text').textContent; hideBanner(); });
  $('update-reload').addEventListener('click', () => {
    const w = registration && registration.waiting;
    if (!w) { location.reload(); return; }  // already active (another tab took it)
    reloading = true;  // controllerchange reloads
    w.postMessage('skip-waiting');
    setTimeout(() => location.reload(), 5000);
  });

  const ask = (w) => w && w.postMessage('version');
  function noWorker(e) {
    console.warn('Digit Lab: service worker not available (' + e.message + '); no offline copy');
    offline.state = 'off';
  }
  function updateReady() {
    offline.state = 'update-ready';
    offline.error = '';
    banner('A new version of Digit Lab is ready — ', true, false);
  }
  function failed(version, error) {
    offline.state = 'failed';
    offline.next = version || offline.next;
    offline.error = error || offline.error || 'not every file of the new version downloaded';
    banner(controlled || (registration && registration.active)
      ? 'Digit Lab\'s offline copy was not updated: ' + offline.error + '. Offline, the version you have still opens. It will try again.'
      : 'Digit Lab could not save its offline copy: ' + offline.error + '. It works while you are online, but not offline yet. It will try again.',
      false, true);
    if (!retryTimer) {
      retryTimer = setTimeout(retry, retryDelay);
      retryDelay = Math.min(2 * retryDelay, 300000);
    }
  }
  async function retry() {
    retryTimer = 0;
    try {
      const reg = await navigator.serviceWorker.register('sw.js');  // installs anew if the first install failed
      watchRegistration(reg);
      await reg.update();  // otherwise, fetches sw.js again
      if (!reg.installing && !reg.waiting && offline.state === 'failed') {  // the server has the version in use
        offline.state = 'ready';
        offline.error = '';
        hideBanner();
      }
    } catch (e) {
      failed();  // no connection, or no sw.js: later
    }
  }

  function firstCopyReady() {
    offline.state = 'ready';
    offline.error = '';
    hideBanner();
  }
  // A worker being installed (or already waiting) by this registration.
  function track(w) {
    if (!w || tracked.has(w)) return;
    tracked.add(w);
    const first = !registration.active;
    if (offline.state !== 'failed') offline.state = first ? 'installing' : 'updating';
    let installed = false;
    const changed = () => {
      if (w.state === 'installed') {
        installed = true;
        if (!first) { ask(w); updateReady(); }  // it waits for the version in use to hand over
      } else if (w.state === 'activated' && first) {
        firstCopyReady();
      } else if (w.state === 'redundant' && !installed) {
        failed();
      }
    };
    w.addEventListener('statechange', changed);
    changed();
  }
  function watchRegistration(reg) {
    if (registration === reg) return;
    registration = reg;
    if (reg.active && offline.state === 'off') offline.state = 'ready';
    reg.addEventListener('updatefound', () => track(reg.installing));
    track(reg.waiting);
    track(reg.installing);
  }
  // Listens before registering, so that no message is missed.
  function followOfflineCopy() {
    const sw = navigator.serviceWorker;
    controlled = !!sw.controller;
    ask(sw.controller);
    sw.addEventListener('message', (ev) => {
      const m = ev.data || {};
      if (m.type === 'version' && ev.source !== sw.controller) offline.next = m.version;
      else if (m.type === 'version' && !offline.version) offline.version = m.version;  // kept if another tab updates
      else if (m.type === 'precache-failed') failed(m.version, m.error);
    });
    sw.addEventListener('controllerchange', () => {
      if (reloading) { location.reload(); return; }
      if (!controlled) {  // the first version claimed this page, which came from the network
        controlled = true;
        ask(sw.controller);
        firstCopyReady();
        return;
      }
      updateReady();  // another tab took the new version: a reload gets its files
    });
  }

  // ------------------------------------------------------------------ 3. the dataset
  const data = { bytes: [null, null, null, null], loaded: [0, 0, 0, 0], total: [0, 0, 0, 0], current: 0,
                 error: '', delivered: [false, false, false, false] };

  // Past the cap a file is not read on: its bytes become null and `size` says how far it got, more
  // than the cap (the app words the message).
  class TooLarge extends Error {
    constructor(size, gz) { super('too large'); this.size = size; this.gz = gz; }
  }
  const isGzip = (u8) => u8.length >= 2 && u8[0] === 0x1f && u8[1] === 0x8b;

  // Gzip bytes inflated as a stream that stops past `cap` bytes: a small .gz that would inflate to
  // gigabytes takes no more than the cap. Bytes that are not gzip come back as they are.
  async function gunzipIfNeeded(u8, cap) {
    if (!isGzip(u8)) {  // the server already decoded it, or it never was gzip
      if (u8.length > cap) throw new TooLarge(u8.length, false);
      return u8;
    }
    if (typeof DecompressionStream === 'undefined') {
      throw new Error('this browser cannot unpack .gz files (no DecompressionStream); please use an up-to-date browser');
    }
    const reader = new Blob([u8]).stream().pipeThrough(new DecompressionStream('gzip')).getReader();
    const chunks = [];
    let n = 0;
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      n += value.length;
      if (n > cap) {
        reader.cancel().catch(() => {});
        throw new TooLarge(n, true);
      }
      chunks.push(value);
    }
    return concat(chunks, n);
  }
  function concat(chunks, n) {
    const all = new Uint8Array(n);
    let off = 0;
    for (const c of chunks) { all.set(c, off); off += c.length; }
    return all;
  }

  // The body of a response, read a chunk at a time (onBytes(bytes so far) after each) and stopped
  // with tooLarge() past `cap` bytes: what the dataset downloads share.
  async function readCapped(res, cap, tooLarge, onBytes, watch) {
    const reader = res.body.getReader();
    const chunks = [];
    let n = 0;
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      watch.alive();
      chunks.push(value);
      n += value.length;
      if (n > cap) { watch.end(); reader.cancel().catch(() => {}); throw tooLarge(); }
      onBytes(n);
    }
    watch.end();
    return concat(chunks, n);
  }

  // A download that stalls (no byte for glue.stallMs) is aborted, so the page can say so rather than
  // show its progress bar for ever: fetch(url, { signal: w.signal }), w.alive() on every chunk, w.end()
  // at the end. w.stalled() tells an abort of its own from a network error.
  function stallWatch() {
    const ctl = new AbortController();
    let timer = 0, stalled = false;
    const arm = () => { clearTimeout(timer); timer = setTimeout(() => { stalled = true; ctl.abort(); }, glue.stallMs); };
    arm();
    return { signal: ctl.signal, alive: arm, end: () => clearTimeout(timer), stalled: () => stalled };
  }
  const stallText = () => 'nothing arrived for ' + Math.round(glue.stallMs / 1000) + ' s';

  // A dataset file's bytes, as sent (maybe gzipped): fetched under a stall watch and read through
  // readCapped. err.failed(why) is the error of a failed or stalled fetch (why: '' or the stall),
  // err.missing(status) of an HTTP error, err.tooLarge() past `cap`; onLength(Content-Length or 0).
  async function fetchDataFile(url, cap, err, onLength, onBytes) {
    const watch = stallWatch();
    const failed = () => err.failed(watch.stalled() ? ': ' + stallText() : '');
    let res;
    try {
      res = await fetch(url, { signal: watch.signal });
    } catch (e) {
      throw failed();
    }
    const length = Number(res.headers.get('Content-Length')) || 0;
    if (!res.ok || length > cap) {
      watch.end();
      throw res.ok ? err.tooLarge() : err.missing(res.status);
    }
    onLength(length);
    try {
      return await readCapped(res, cap, err.tooLarge, onBytes, watch);
    } catch (e) {
      throw watch.stalled() ? failed() : e;
    }
  }

  async function fetchOne(i) {
    const url = 'assets/mnist/' + FILES[i] + '.gz';
    const cap = glue.limits.data;
    const tooLarge = () => new Error('The digit file ' + url + ' is larger than the ' + Math.round(cap / 1e6) + ' MB a data file ' +
                                     'may hold; MNIST\'s largest is 47 MB. Whoever set up this page should copy the files again ' +
                                     '(scripts/setup.sh checks them).');
    const raw = await fetchDataFile(url, cap, {
      failed: (why) => new Error('Could not download the digits (' + url + why + '). Check the network connection, then reload the page.'),
      missing: (status) => new Error('The digit files are missing next to the app (' + url + ': HTTP ' + status + '). ' +
                                     'If you host this page yourself, copy the whole build/web folder, including assets/.'),
      tooLarge,
    }, (length) => { data.total[i] = length; }, (n) => { data.loaded[i] = n; data.current = i; reportProgress(); });
    if (!data.total[i]) data.total[i] = raw.length;
    try {
      data.bytes[i] = await gunzipIfNeeded(raw, cap);
    } catch (e) {
      throw e instanceof TooLarge ? tooLarge() : e;
    }
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

  // Fashion-MNIST, when the app asks for it (the Data window, or a link with data=fashion): its four
  // files, with the same checks as MNIST's, handed over as the user's files are (section 4) and
  // marked as Fashion-MNIST.
  async function fetchFashion() {
    const cap = glue.limits.data;
    const loaded = [0, 0, 0, 0], total = [0, 0, 0, 0];
    const progress = () => {
      if (!glue.appIsReady) return;
      const t = total.every((x) => x > 0) ? total.reduce((a, b) => a + b, 0) : 0;
      Module._digitlab_fashion_progress(loaded.reduce((a, b) => a + b, 0), t);
    };
    const one = async (i) => {
      const url = 'assets/fashion-mnist/' + FILES[i] + '.gz';
      const tooLarge = () => new Error('The Fashion-MNIST file ' + url + ' is larger than the ' + Math.round(cap / 1e6) +
                                       ' MB a data file may hold; its largest is 47 MB unpacked.');
      const raw = await fetchDataFile(url, cap, {
        failed: (why) => new Error('Could not download Fashion-MNIST (' + url + why + '). Check the network connection, then choose it again.'),
        missing: (status) => new Error('The Fashion-MNIST files are missing next to the app (' + url + ': HTTP ' + status + '). ' +
                                       'If you host this page yourself, copy the whole build/web folder, including assets/.'),
        tooLarge,
      }, (length) => { total[i] = length; }, (n) => { loaded[i] = n; progress(); });
      if (!total[i]) total[i] = raw.length;
      try {
        return { name: FILES[i], bytes: await gunzipIfNeeded(raw, cap) };
      } catch (e) {
        throw e instanceof TooLarge ? tooLarge() : new Error('The Fashion-MNIST file ' + url + ' could not be unpacked: ' +
                                                             'it may be damaged. Whoever set up this page should copy it again.');
      }
    };
    let files = [], error = '';
    try { files = await Promise.all([0, 1, 2, 3].map(one)); } catch (e) { error = e.message; }
    if (!glue.appIsReady) return;
    Module.dlPending.user = { files, error, fashion: true };
    Module._digitlab_user_data();
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

  // bytes null: the file was larger than the app takes, `size` long; the app says so.
  function giveModelBytes(bytes, name, size) {
    Module.dlPending.model = { bytes, name };
    Module._digitlab_model_file(bytes ? bytes.byteLength : size);
    Module.dlPending.model = null;
  }

  // A model file: read if it is within the model cap; else (bytes null) the app says why not.
  async function giveModelFile(f) {
    if (f.size > glue.limits.model) { giveModelBytes(null, f.name, f.size); return; }
    let bytes = null;
    try { bytes = new Uint8Array(await f.arrayBuffer()); } catch (e) { /* the app says it could not be read */ }
    giveModelBytes(bytes, f.name, -1);
  }

  // The user's files, each read only if it is within the cap (and a .gz inflated only up to it).
  // Files past it reach the app without their bytes, so it can say which one and why.
  let pickPurpose = '';
  async function giveFiles(list, purpose = '') {
    const files = Array.from(list || []);
    if (!files.length || !glue.appIsReady) return;
    if (files.length === 1) {  // one file may be a model: its first bytes say
      const head = new Uint8Array(await files[0].slice(0, 8).arrayBuffer().catch(() => new ArrayBuffer(0)));
      if (isModel(head)) { await giveModelFile(files[0]); return; }
    }
    const cap = glue.limits.data;
    const out = [];
    let error = '';
    for (const f of files) {
      if (!out.length && purpose !== 'mine') Module._digitlab_user_data_reading();
      if (f.size > cap) {
        out.push({ name: f.name, bytes: null, size: f.size, gz: false });
        continue;
      }
      let bytes;
      try {
        bytes = new Uint8Array(await f.arrayBuffer());
      } catch (e) {
        error = '"' + f.name + '" could not be read (' + e.message + ').';
        break;
      }
      try {
        bytes = await gunzipIfNeeded(bytes, cap);
      } catch (e) {
        if (e instanceof TooLarge) { out.push({ name: f.name, bytes: null, size: e.size, gz: e.gz }); continue; }
        error = '"' + f.name + '" looks like a .gz file but could not be unpacked: it may be damaged or incomplete.';
        break;
      }
      out.push({ name: f.name.replace(/\.gz$/i, ''), bytes });
    }
    Module.dlPending.user = { files: error ? [] : out, error, purpose };
    Module._digitlab_user_data();
  }

  $('model-file').addEventListener('change', (ev) => {
    const f = ev.target.files && ev.target.files[0];
    ev.target.value = '';
    if (f && glue.appIsReady) giveModelFile(f);
  });
  $('data-files').addEventListener('change', (ev) => {
    const list = Array.from(ev.target.files || []);
    ev.target.value = '';
    const purpose = pickPurpose;
    pickPurpose = '';
    giveFiles(list, purpose);
  });
  window.addEventListener('dragover', (ev) => ev.preventDefault());
  window.addEventListener('drop', (ev) => {
    ev.preventDefault();
    giveFiles(ev.dataTransfer && ev.dataTransfer.files);
  });

  // ------------------------------------------------------------------ 5. what is kept in this browser
  // IndexedDB database "digitlab":
  //   "models"     one record under the key "saved": {name, bytes, savedAt, size} (Saved model menu), and
  //                the class's kept digits under "kept": {bytes, savedAt, size} (app/windows/win_mine.cpp)
  //   "runs"       per run, under its key: {id, updated, size, meta} (meta: the app's line, run_meta.h)
  //   "run_bytes"  per run, under the same key: its run file (Uint8Array)
  // Survives reloads and works offline. One connection, opened on first use.
  let dbPromise = null;
  function idb() {
    if (!dbPromise) {
      dbPromise = new Promise((resolve, reject) => {
        if (!('indexedDB' in window)) { reject(new Error('this browser has no IndexedDB')); return; }
        const req = indexedDB.open('digitlab', 2);
        req.onupgradeneeded = () => {
          for (const name of ['models', 'runs', 'run_bytes'])
            if (!req.result.objectStoreNames.contains(name)) req.result.createObjectStore(name);
        };
        req.onsuccess = () => {
          req.result.onversionchange = () => { req.result.close(); dbPromise = null; };
          resolve(req.result);
        };
        req.onerror = () => reject(req.error || new Error('IndexedDB could not be opened'));
        req.onblocked = () => reject(new Error('another tab holds an older Digit Lab open; close it'));
      });
      dbPromise.catch(() => { dbPromise = null; });
    }
    return dbPromise;
  }
  // fn(stores) gets the named object stores of one transaction; resolves with what fn returned
  // (a request's result once the transaction completes).
  async function idbTx(names, mode, fn) {
    const db = await idb();
    return new Promise((resolve, reject) => {
      const tx = db.transaction(names, mode);
      const req = fn(...names.map((n) => tx.objectStore(n)));
      tx.oncomplete = () => resolve(req && 'result' in req ? req.result : req);
      tx.onerror = tx.onabort = () => reject(tx.error || new Error('IndexedDB transaction failed'));
    });
  }
  const idbDo = (mode, fn) => idbTx(['models'], mode, fn);
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

  // The kept digits: one record, replaced whole on every change (a few hundred 28 × 28 images).
  glue.kept = { bytes: null, error: '' };
  glue.keptSave = async (bytes) => {
    try {
      await idbDo('readwrite', (s) => s.put({ bytes, savedAt: Date.now(), size: bytes.byteLength }, 'kept'));
      glue.kept.error = '';
    } catch (e) {
      glue.kept.error = 'Your digits could not be kept in this browser (' + ((e && e.message) || e) + '). A private window, ' +
                        'or a browser set to keep no site data, does not allow it: export them to keep them.';
    }
    if (glue.appIsReady) Module._digitlab_kept_done();
  };
  glue.keptLoad = async () => {
    let r = null;
    try { r = await idbDo('readonly', (s) => s.get('kept')); glue.kept.error = ''; } catch (e) {
      glue.kept.error = 'Your kept digits could not be read from this browser (' + ((e && e.message) || e) + ').';
    }
    glue.kept.bytes = r && r.bytes ? new Uint8Array(r.bytes) : null;
    Module._digitlab_kept_loaded(glue.kept.bytes ? glue.kept.bytes.byteLength : 0);
    glue.kept.bytes = null;
  };

  // Runs: the app hands over each autosave (runs.cpp); a write still under way is replaced by the
  // newest, so a slow disk never queues up runs. A full storage or a refused write is said in the
  // Training window; the run goes on.
  const runs = glue.runs;
  const runsChanged = () => { if (glue.appIsReady) Module._digitlab_runs_changed(); };
  const runsFailed = (what, e) => {
    const quota = e && (e.name === 'QuotaExceededError' || /quota/i.test(String(e.message)));
    runs.error = quota
      ? 'This browser\'s storage for this site is full, so the run is no longer being saved. Delete runs you no ' +
        'longer need (Runs menu), or Forget everything saved; training goes on.'
      : what + ' (' + ((e && e.message) || e) + '). A private window, or a browser set to keep no site data, does not allow it; training goes on.';
  };
  async function runsRefresh() {
    try {
      runs.list = await idbTx(['runs'], 'readonly', (r) => r.getAll());
    } catch (e) {
      runs.list = [];
      if (!runs.error) runsFailed('Runs cannot be kept in this browser', e);
    }
    try {
      const est = navigator.storage && navigator.storage.estimate ? await navigator.storage.estimate() : {};
      runs.usage = est.usage || 0;
      runs.quota = est.quota || 0;
    } catch (e) { /* no estimate: the Runs menu leaves the quota out */ }
    runs.listed = true;
    runsChanged();
  }
  async function runsWrite() {
    while (runs.pending) {
      const { id, meta, bytes } = runs.pending;
      runs.pending = null;
      const t0 = performance.now();
      try {
        const rec = { id, updated: Date.now(), size: bytes.byteLength, meta };
        await idbTx(['runs', 'run_bytes'], 'readwrite', (r, b) => { b.put(bytes, id); return r.put(rec, id); });
        runs.error = '';
        runs.writeMs = performance.now() - t0;
        runs.writes++;
      } catch (e) { runsFailed('The run could not be saved in this browser', e); }
    }
    runs.saving = false;
    await runsRefresh();
  }
  glue.runsSave = (id, meta, bytes) => {
    runs.pending = { id, meta, bytes };
    if (!runs.saving) { runs.saving = true; runsWrite(); }
  };
  glue.runsOpen = async (id) => {
    let bytes = null;
    try {
      bytes = await idbTx(['run_bytes'], 'readonly', (b) => b.get(id));
      if (!bytes) runs.error = 'That run is no longer saved in this browser.';
    } catch (e) { runsFailed('The saved run could not be read', e); }
    runs.opened = bytes && bytes.byteLength ? new Uint8Array(bytes.buffer || bytes, bytes.byteOffset || 0, bytes.byteLength) : null;
    Module._digitlab_run_opened(runs.opened ? runs.opened.byteLength : 0);  // the app copies runs.opened
    runs.opened = null;
  };
  glue.runsDelete = async (id) => {
    try { await idbTx(['runs', 'run_bytes'], 'readwrite', (r, b) => { b.delete(id); return r.delete(id); }); }
    catch (e) { runsFailed('The run could not be deleted', e); }
    await runsRefresh();
  };
  glue.runsClear = async () => {
    try {
      // The saved model goes; the kept digits (models' "kept") stay: the My digits window removes them.
      await idbTx(['runs', 'run_bytes', 'models'], 'readwrite', (r, b, m) => { b.clear(); m.delete('saved'); return r.clear(); });
      runs.error = '';
    } catch (e) { runsFailed('What is saved could not be deleted', e); }
    await storeRefresh();
    await runsRefresh();
  };
  runsRefresh();
  // Leaving while a run trains loses the epoch under way (the last finished one is saved): ask first.
  window.addEventListener('beforeunload', (ev) => {
    if (!glue.appIsReady || !(Module._digitlab_unsaved() || runs.saving)) return;
    ev.preventDefault();
    ev.returnValue = '';
  });

  // A lesson link pasted into an open tab changes only the hash: the app applies it (after any
  // training that is running).
  window.addEventListener('hashchange', () => { if (glue.appIsReady) Module._digitlab_hash_changed(); });
  // Left alone, the app draws 2 frames a second; any input brings it back to full rate at once
  // (capture phase: before SDL's own handlers, whatever they do with the event).
  const wake = () => { if (glue.appIsReady) Module._digitlab_wake(); };
  for (const type of ['pointerdown', 'pointermove', 'pointerup', 'pointercancel', 'wheel', 'keydown', 'keyup',
                      'touchstart', 'touchend', 'dragover', 'drop', 'hashchange', 'focus', 'resize'])
    window.addEventListener(type, wake, { capture: true, passive: true });

  // ------------------------------------------------------------------ 6. errors nobody caught
  // A wasm trap on the page's thread is not an abort: onAbort does not run and the frames just stop.
  // So every error no code caught is told. If the frames stop, the overlay says what happened and
  // offers to save the trained model; if they go on, a note at the top of the page says it, until
  // closed. An error before the app has started, which it then does not, is said the same way.
  function errorText(e) {
    if (e && typeof ErrorEvent !== 'undefined' && e instanceof ErrorEvent) return errorText(e.error || e.message);
    if (e && e.message) return (e.name && e.name !== 'Error' ? e.name + ': ' : '') + e.message;
    return String(e || 'an unknown error');
  }
  const goesOn = (text) => 'Something went wrong in the page (' + text + '), but the app goes on. If it misbehaves, reload the page.';
  function pageError(e) {
    const text = errorText(e);
    if (glue.fatalMessage || glue.errors.includes(text)) return;
    glue.errors.push(text);
    const cause = e && typeof ErrorEvent !== 'undefined' && e instanceof ErrorEvent ? e.error : e;
    if (!glue.errorStack && cause && cause.stack) glue.errorStack = String(cause.stack).slice(0, 4000);
    // Before the app has started it may still start (a large download is slow): the error is said
    // when it does, as a note, or by the start's 45 s timeout.
    if (!glue.appIsReady) { glue.earlyError = glue.earlyError || text; return; }
    const watch = () => {
      const frames = glue.frameCount;
      setTimeout(() => {
        if (glue.fatalMessage) return;
        if (document.hidden) { document.addEventListener('visibilitychange', watch, { once: true }); return; }
        if (glue.frameCount === frames) stopped(text);
        else note(goesOn(text));
      }, 1500);
    };
    watch();
  }
  window.addEventListener('error', (ev) => pageError(ev.error || ev.message));
  window.addEventListener('unhandledrejection', (ev) => pageError(ev.reason));
  $('note-close').addEventListener('click', () => $('note').classList.add('hidden'));

  // ------------------------------------------------------------------ 7. automation hooks
  window.digitlab = {
    status() {
      const base = { build: glue.build, app_ready: glue.appIsReady, error: glue.fatalMessage, page_errors: glue.errors.slice(),
                     page_error_stack: glue.errorStack,
                     note: $('note').classList.contains('hidden') ? '' : $('note-text').textContent,
                     isolated: !!window.crossOriginIsolated, first_frame_ms: glue.firstFrameMs,
                     store: Object.assign({}, glue.store),
                     runs_page: { writes: glue.runs.writes, write_ms: glue.runs.writeMs, saving: glue.runs.saving } };
      // Before the first frame ends, or once a trap stopped the frames: where the frame was.
      if (!glue.appIsReady || glue.errors.length) {
        try { base.frame = JSON.parse(Module.UTF8ToString(Module._digitlab_frame_info())); } catch (e) { base.frame = null; }
      }
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
    // The intervals between frames since the last frames(true): their count and longest, and the
    // median and percentiles of the last 8,192.
    frames(reset) {
      const n = glue.gapCount, max = glue.gapMax;
      const sorted = glue.gaps.slice(0, Math.min(n, glue.gaps.length)).sort();
      if (reset) { glue.gapCount = 0; glue.gapMax = 0; }
      const q = (p) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] : 0);
      return { count: glue.frameCount, intervals: n, max_ms: max,
               median_ms: q(0.5), p95_ms: q(0.95), p99_ms: q(0.99), since_last_ms: performance.now() - glue.lastFrame };
    },
    clearPad() { if (glue.appIsReady) Module._digitlab_clear_pad(); },
  };

  // ------------------------------------------------------------------ 8. start
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
      show((glue.earlyError ? 'Digit Lab has not started after 45 s, and there was an error (' + glue.earlyError + '). '
                            : 'Still loading after 45 s. On a slow connection this can take a while; if nothing changes, ') +
           (glue.earlyError ? 'Reload' : 'reload') + ' the page' + (threads ? ' or try the single-thread version: ' : '.'), true);
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
