// The browser page as the app's platform (platform.h): the JavaScript the app calls (EM_JS, into the
// page's web/app.js through window.digitlabGlue and Module.dlPending), the Emscripten runtime (clock,
// frame loop, heap), and the functions the page calls (exports named digitlab_*), each handing over to
// the app's on_* function.
//
// Bytes cross as: the page keeps them (Module.dlPending, glue.runs.opened), calls an export with their
// length, and the app asks for them to be copied into memory it allocated, so no JS-side view of the
// heap is kept that memory growth could leave stale. Strings come back made with _malloc and are
// copied and freed here (taken).
#include <emscripten.h>
#include <emscripten/heap.h>
#include <emscripten/html5.h>
#include <malloc.h>

#include <cstdlib>

#include "app.h"
#include "core/data/dataset.h"
#include "core/kernels/pool.h"
#include "core/nn/model_file.h"
#include "platform/platform.h"

// ------------------------------------------------------------------------------- JavaScript side
// clang-format off
EM_JS(int, js_isolated, (), { return (typeof crossOriginIsolated !== "undefined" && crossOriginIsolated) ? 1 : 0; });
EM_JS(int, js_cores, (), { return (navigator.hardwareConcurrency || 1) | 0; });
EM_JS(double, js_wall_ms, (), { return Date.now(); });
EM_JS(char*, js_string, (int what), {  // 0 the address's fragment, 1 the dataset's error, 2 the model file's name, 3 the address
  var s = "";
  if (what == 0) s = location.hash || "";
  else if (what == 1) s = (Module.dlPending && Module.dlPending.error) || "";
  else if (what == 2) s = (Module.dlPending && Module.dlPending.model && Module.dlPending.model.name) || "model";
  else if (what == 3) s = location.href.split("#")[0];
  var n = lengthBytesUTF8(s) + 1, p = _malloc(n);
  stringToUTF8(s, p, n);
  return p;
});
EM_JS(char*, js_time_text, (double ms), {  // a time as the reader's clock shows it
  var d = new Date(ms), today = new Date();
  var s = d.toDateString() == today.toDateString() ? d.toLocaleTimeString([], {hour: "2-digit", minute: "2-digit"})
                                                   : d.toLocaleString([], {dateStyle: "medium", timeStyle: "short"});
  var n = lengthBytesUTF8(s) + 1, p = _malloc(n);
  stringToUTF8(s, p, n);
  return p;
});
EM_JS(void, js_copy_pending, (int which, void* dst), {
  var P = Module.dlPending;
  var src = which < 4 ? P.data[which] : P.model.bytes;
  new Uint8Array(wasmMemory.buffer, dst, src.byteLength).set(src);
  if (which < 4) P.data[which] = null; else P.model = null;
});
EM_JS(void, js_download, (const char* name, const void* ptr, int len), {
  var bytes = new Uint8Array(wasmMemory.buffer, ptr, len).slice();  // a copy: Blob cannot take shared memory
  window.digitlabGlue.saveBlob(UTF8ToString(name), new Blob([bytes], {type: "application/octet-stream"}));
});
// The browser's own PNG encoder, through a 2D canvas.
EM_JS(void, js_download_png, (const char* name, const void* ptr, int w, int h), {
  var gray = new Uint8Array(wasmMemory.buffer, ptr, w * h);
  var canvas = document.createElement("canvas");
  canvas.width = w; canvas.height = h;
  var ctx = canvas.getContext("2d");
  var img = ctx.createImageData(w, h);
  for (var i = 0; i < w * h; i++) {
    img.data[4 * i] = img.data[4 * i + 1] = img.data[4 * i + 2] = gray[i];
    img.data[4 * i + 3] = 255;
  }
  ctx.putImageData(img, 0, 0);
  var file = UTF8ToString(name);
  canvas.toBlob(function(blob) {
    if (blob) window.digitlabGlue.saveBlob(file, blob);
    else window.digitlabGlue.note("The picture could not be made (" + w + " × " + h + " pixels is more than this browser draws). Export IDX still keeps every digit.");
  }, "image/png");
});
// The lesson link goes to the address bar (replaceState: no hashchange, no reload) and, where the
// browser allows it, to the clipboard.
EM_JS(void, js_share, (const char* url), {
  var u = UTF8ToString(url);
  try { history.replaceState(null, "", u); } catch (e) {}
  try { if (navigator.clipboard && navigator.clipboard.writeText) navigator.clipboard.writeText(u).catch(function() {}); } catch (e) {}
});
EM_JS(void, js_pick_model_file, (), { if (window.digitlabGlue) window.digitlabGlue.pickModelFile(); });
EM_JS(void, js_pick_data_files, (int mine), { if (window.digitlabGlue) window.digitlabGlue.pickDataFiles(mine ? "mine" : ""); });
EM_JS(void, js_fatal, (const char* msg), { if (window.digitlabGlue) window.digitlabGlue.fatal(UTF8ToString(msg)); });
EM_JS(void, js_app_ready, (double data_cap, double model_cap), {
  if (window.digitlabGlue) window.digitlabGlue.appReady(data_cap, model_cap);
});
EM_JS(void, js_frame, (), { if (window.digitlabGlue) window.digitlabGlue.frame(); });

// The user's files, gunzipped by the page: Module.dlPending.user = {files: [{name, bytes, size, gz}], error}.
EM_JS(int, js_user_count, (), { var u = Module.dlPending.user; return u ? u.files.length : 0; });
EM_JS(double, js_user_size, (int i), { var f = Module.dlPending.user.files[i]; return f.bytes ? f.bytes.byteLength : f.size; });
EM_JS(int, js_user_gz, (int i), { return Module.dlPending.user.files[i].gz ? 1 : 0; });
EM_JS(char*, js_user_string, (int i), {  // file i's name; i < 0: the page's own error message
  var u = Module.dlPending.user, s = !u ? "" : i < 0 ? (u.error || "") : u.files[i].name;
  var n = lengthBytesUTF8(s) + 1, p = _malloc(n);
  stringToUTF8(s, p, n);
  return p;
});
EM_JS(void, js_user_copy, (int i, void* dst), {
  var src = Module.dlPending.user.files[i].bytes;
  new Uint8Array(wasmMemory.buffer, dst, src.byteLength).set(src);
  Module.dlPending.user.files[i].bytes = null;
});
EM_JS(void, js_user_done, (), { Module.dlPending.user = null; });
EM_JS(int, js_user_fashion, (), { var u = Module.dlPending.user; return u && u.fashion ? 1 : 0; });
EM_JS(int, js_user_mine, (), { var u = Module.dlPending.user; return u && u.purpose === "mine" ? 1 : 0; });
EM_JS(void, js_fetch_fashion, (), { if (window.digitlabGlue) window.digitlabGlue.fetchFashion(); });

// The saved model (IndexedDB, through glue.store*).
EM_JS(void, js_store_save, (const char* name, const void* ptr, int len), {
  var bytes = new Uint8Array(wasmMemory.buffer, ptr, len).slice();  // a copy: IndexedDB cannot keep shared memory
  if (window.digitlabGlue) window.digitlabGlue.storeSave(UTF8ToString(name), bytes);
});
EM_JS(void, js_store_load, (), { if (window.digitlabGlue) window.digitlabGlue.storeLoad(); });
EM_JS(char*, js_store_field, (int what), {  // 0 the saved model's description, 1 message, 2 error, 3 busy
  var st = (window.digitlabGlue && window.digitlabGlue.store) || {};
  var s = "";
  if (what == 0 && st.saved) s = st.saved.name + " · " + new Date(st.saved.saved_at).toLocaleString();
  else if (what == 1) s = st.message || "";
  else if (what == 2) s = st.error || "";
  else if (what == 3) s = st.busy ? "1" : "";
  var n = lengthBytesUTF8(s) + 1, p = _malloc(n);
  stringToUTF8(s, p, n);
  return p;
});

// Saved runs (IndexedDB, through glue.runs*).
EM_JS(void, js_runs_save, (const char* id, const char* meta, const void* ptr, int len), {
  var bytes = new Uint8Array(wasmMemory.buffer, ptr, len).slice();  // a copy: IndexedDB cannot keep shared memory
  if (window.digitlabGlue) window.digitlabGlue.runsSave(UTF8ToString(id), UTF8ToString(meta), bytes);
});
EM_JS(void, js_runs_open, (const char* id), { if (window.digitlabGlue) window.digitlabGlue.runsOpen(UTF8ToString(id)); });
EM_JS(void, js_runs_delete, (const char* id), { if (window.digitlabGlue) window.digitlabGlue.runsDelete(UTF8ToString(id)); });
EM_JS(void, js_runs_clear, (), { if (window.digitlabGlue) window.digitlabGlue.runsClear(); });
EM_JS(char*, js_runs_field, (int what), {  // 0 the list, 1 error, 2 usage, 3 quota, 4 listed ("1" or "")
  var r = (window.digitlabGlue && window.digitlabGlue.runs) || {};
  var s = "";
  if (what == 0) s = (r.list || []).map(function(x) { return x.id + "\t" + x.updated + "\t" + x.size + "\t" + x.meta; }).join("\n");
  else if (what == 1) s = r.error || "";
  else if (what == 2) s = String(r.usage || 0);
  else if (what == 3) s = String(r.quota || 0);
  else if (what == 4) s = r.listed ? "1" : "";
  var n = lengthBytesUTF8(s) + 1, p = _malloc(n);
  stringToUTF8(s, p, n);
  return p;
});
// The kept digits (IndexedDB, through glue.kept*).
EM_JS(void, js_kept_save, (const void* ptr, int len), {
  var bytes = new Uint8Array(wasmMemory.buffer, ptr, len).slice();
  if (window.digitlabGlue) window.digitlabGlue.keptSave(bytes);
});
EM_JS(void, js_kept_load, (), { if (window.digitlabGlue) window.digitlabGlue.keptLoad(); });
EM_JS(void, js_kept_take, (void* dst), { HEAPU8.set(window.digitlabGlue.kept.bytes, dst); });
EM_JS(char*, js_kept_error, (), {
  var s = (window.digitlabGlue && window.digitlabGlue.kept.error) || "";
  var n = lengthBytesUTF8(s) + 1, p = _malloc(n);
  stringToUTF8(s, p, n);
  return p;
});
EM_JS(void, js_runs_take, (void* dst), {  // the opened run's bytes (glue.runsOpen) into dst
  HEAPU8.set(window.digitlabGlue.runs.opened, dst);
});

// dl::FaultGuard: calls fn(arg) and catches a trap (a RuntimeError: out-of-bounds memory, unreachable,
// division by zero; or an abort) in it, restoring the thread's stack pointer, which a trap leaves where
// it was. Emscripten's own control flow ("unwind") goes on through.
EM_JS(int, js_guarded, (void* fn, void* arg, char* what, int what_size), {
  var sp = stackSave();
  try {
    wasmTable.get(fn)(arg);
    return 1;
  } catch (e) {
    stackRestore(sp);
    if (e === "unwind") throw e;
    var t = e && e.message ? (e.name && e.name != "Error" ? e.name + ": " : "") + e.message : String(e);
    stringToUTF8(t, what, what_size);
    return 0;
  }
});
// clang-format on

namespace app::platform {
namespace {

std::string taken(char* p) {  // a string the page made with _malloc, copied and freed
  std::string s(p ? p : "");
  std::free(p);
  return s;
}

bool wasm_guard(void (*fn)(void*), void* arg, char* what, int what_size) {
  return js_guarded(reinterpret_cast<void*>(fn), arg, what, what_size) != 0;
}

}  // namespace

Environment init(int, char**) {
  dl::set_fault_guard(&wasm_guard);
  Environment e;
#ifdef __EMSCRIPTEN_PTHREADS__
  e.threads = true;
#endif
#ifdef __wasm_simd128__
  e.simd = true;
#endif
  e.isolated = js_isolated() != 0;
  e.cores = js_cores();
  return e;
}

double now_ms() { return emscripten_get_now(); }
double wall_ms() { return js_wall_ms(); }
std::string time_text(double wall) { return taken(js_time_text(wall)); }
float pixel_ratio() { return float(emscripten_get_device_pixel_ratio()); }
double memory_limit() { return double(emscripten_get_heap_max()); }
double memory_size() { return double(emscripten_get_heap_size()); }
double memory_in_use() { return double(unsigned(mallinfo().uordblks)); }

void run_frames(void (*frame)()) { emscripten_set_main_loop(frame, 0, 1); }
void set_frame_timing(int frames, double tick_ms) {
  if (tick_ms > 0) emscripten_set_main_loop_timing(EM_TIMING_SETTIMEOUT, int(tick_ms));
  else emscripten_set_main_loop_timing(EM_TIMING_RAF, frames);
}
void frame_done() {
  static bool told = false;
  if (!told) {
    told = true;
    js_app_ready(double(dl::kMaxDataFileBytes), double(dl::kMaxModelFileBytes));
  }
  js_frame();
}
void fatal(const std::string& message) { js_fatal(message.c_str()); }

std::string link_hash() { return taken(js_string(0)); }
std::string page_address() { return taken(js_string(3)); }
void show_link(const std::string& url) { js_share(url.c_str()); }

void download(const std::string& name, const std::vector<uint8_t>& bytes) {
  js_download(name.c_str(), bytes.data(), int(bytes.size()));
}
void download_png(const std::string& name, int w, int h, const std::vector<uint8_t>& gray) {
  js_download_png(name.c_str(), gray.data(), w, h);
}
void pick_model_file() { js_pick_model_file(); }
void pick_data_files(bool mine) { js_pick_data_files(mine ? 1 : 0); }

void copy_pending(int which, void* dst) { js_copy_pending(which, dst); }
std::string data_error() { return taken(js_string(1)); }
std::string model_file_name() { return taken(js_string(2)); }
int user_file_count() { return js_user_count(); }
std::string user_file_name(int i) { return taken(js_user_string(i)); }
double user_file_size(int i) { return js_user_size(i); }
bool user_file_gz(int i) { return js_user_gz(i) != 0; }
std::string user_files_error() { return taken(js_user_string(-1)); }
void user_file_copy(int i, void* dst) { js_user_copy(i, dst); }
void user_files_done() { js_user_done(); }
void fetch_fashion() { js_fetch_fashion(); }
bool user_files_fashion() { return js_user_fashion() != 0; }
bool user_files_mine() { return js_user_mine() != 0; }

void store_save(const std::string& name, const std::vector<uint8_t>& bytes) {
  js_store_save(name.c_str(), bytes.data(), int(bytes.size()));
}
void store_load() { js_store_load(); }
StoreState store_state() {
  return {taken(js_store_field(0)), taken(js_store_field(1)), taken(js_store_field(2)), taken(js_store_field(3)) == "1"};
}

void runs_save(const std::string& id, const std::string& meta, const std::vector<uint8_t>& bytes) {
  js_runs_save(id.c_str(), meta.c_str(), bytes.data(), int(bytes.size()));
}
void runs_open(const std::string& id) { js_runs_open(id.c_str()); }
void runs_delete(const std::string& id) { js_runs_delete(id.c_str()); }
void runs_clear() { js_runs_clear(); }
RunsPage runs_page() {
  RunsPage r;
  r.list = taken(js_runs_field(0));
  r.error = taken(js_runs_field(1));
  r.usage = std::atof(taken(js_runs_field(2)).c_str());
  r.quota = std::atof(taken(js_runs_field(3)).c_str());
  r.listed = taken(js_runs_field(4)) == "1";
  return r;
}
void runs_take(void* dst) { js_runs_take(dst); }
void kept_save(const std::vector<uint8_t>& bytes) { js_kept_save(bytes.data(), int(bytes.size())); }
void kept_load() { js_kept_load(); }
void kept_take(void* dst) { js_kept_take(dst); }
std::string kept_error() { return taken(js_kept_error()); }

}  // namespace app::platform

// ------------------------------------------------------------------------------ exports for JS
// What the page calls (web/app.js), each handed to the app. status() and layout() return JSON the page
// parses at once; the string lives until the next call.
extern "C" {
using app::app_state;

EMSCRIPTEN_KEEPALIVE void digitlab_data_progress(double loaded, double total, int file) {
  app::on_data_progress(app_state(), loaded, total, file);
}
// The page stops a download or an inflation at kMaxDataFileBytes; the app checks the length again.
EMSCRIPTEN_KEEPALIVE void digitlab_data_file(int which, double length) { app::on_data_file(app_state(), which, length); }
EMSCRIPTEN_KEEPALIVE void digitlab_data_error() { app::on_data_error(app_state()); }
EMSCRIPTEN_KEEPALIVE void digitlab_model_file(double length) { app::on_model_file(app_state(), length); }
EMSCRIPTEN_KEEPALIVE void digitlab_fashion_progress(double loaded, double total) {
  app::on_fashion_progress(app_state(), loaded, total);
}
EMSCRIPTEN_KEEPALIVE void digitlab_user_data_reading() { app::on_user_data_reading(app_state()); }
EMSCRIPTEN_KEEPALIVE void digitlab_user_data() { app::on_user_data(app_state()); }
EMSCRIPTEN_KEEPALIVE void digitlab_store_done() { app::on_store_done(app_state()); }
EMSCRIPTEN_KEEPALIVE void digitlab_kept_loaded(double length) { app::on_kept_loaded(app_state(), length); }
EMSCRIPTEN_KEEPALIVE void digitlab_kept_done() { app::on_kept_done(app_state()); }
EMSCRIPTEN_KEEPALIVE void digitlab_runs_changed() { app::on_runs_changed(app_state()); }
EMSCRIPTEN_KEEPALIVE void digitlab_run_opened(double length) { app::on_run_opened(app_state(), length); }
// The page asks before it unloads.
EMSCRIPTEN_KEEPALIVE int digitlab_unsaved() { return app::unsaved(app_state()) ? 1 : 0; }
EMSCRIPTEN_KEEPALIVE void digitlab_hash_changed() { app::on_link_changed(app_state()); }
// The page's input listeners, on the first touch of a quiet page.
EMSCRIPTEN_KEEPALIVE void digitlab_wake() { app::on_input(app_state()); }
EMSCRIPTEN_KEEPALIVE void digitlab_clear_pad() { app::on_clear_pad(app_state()); }
EMSCRIPTEN_KEEPALIVE int digitlab_rescue_model() { return app::rescue_model(app_state()) ? 1 : 0; }
// Nothing in the page calls it: the tests of its fault handling do.
EMSCRIPTEN_KEEPALIVE void digitlab_test_fault(int where) { app::test_fault(app_state(), where); }

EMSCRIPTEN_KEEPALIVE const char* digitlab_frame_info() {
  static std::string out;
  out = app::frame_json(app_state());
  return out.c_str();
}
EMSCRIPTEN_KEEPALIVE const char* digitlab_status() {
  static std::string out;
  out = app::status_json(app_state());
  return out.c_str();
}
EMSCRIPTEN_KEEPALIVE const char* digitlab_layout() {
  static std::string out;
  out = app::layout_json(app_state());
  return out.c_str();
}

}  // extern "C"
