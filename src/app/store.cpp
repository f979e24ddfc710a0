// The "Saved model" menu: keeps the trained model in this browser (IndexedDB, through the page's
// web/app.js) and loads it back, also after a reload or offline. Loading goes through the same
// checks as a model file (model_file_arrived): a damaged record leaves the current model alone.
#include <emscripten.h>

#include <cstdlib>

#include "app.h"
#include "core/nn/model_file.h"

// clang-format off
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
// clang-format on

namespace app {

static std::string store_field(int what) { return taken_string(js_store_field(what)); }

void store_menu(AppState& s) {
  const bool open = ImGui::BeginMenu("Saved model");
  note_rect(s, "menu.saved");
  if (!open) return;
  const bool busy = run_in_progress(s) || store_field(3) == "1";
  const std::string saved = store_field(0);
  if (ImGui::MenuItem("Save in this browser", nullptr, false, s.draw.model.built() && !busy)) {
    const std::vector<uint8_t> bytes = dl::model_save(s.draw.model);
    js_store_save(("digitlab-" + s.draw.model.spec().name + ".dlmodel").c_str(), bytes.data(), int(bytes.size()));
  }
  note_rect(s, "store.save");
  if (ImGui::MenuItem("Load saved", saved.empty() ? "(none yet)" : saved.c_str(), false, !saved.empty() && !busy))
    js_store_load();
  note_rect(s, "store.load");
  ImGui::Separator();
  ImGui::TextDisabled(s.draw.model.built() ? "Keeps one model in this browser; saving replaces it."
                                           : "Train a network first, then save it here.");
  ImGui::EndMenu();
}

}  // namespace app

extern "C" {
// The page finished saving or loading (or failed): its words go to the Model window.
EMSCRIPTEN_KEEPALIVE void digitlab_store_done() {
  app::AppState& s = app::app_state();
  const std::string message = app::store_field(1), error = app::store_field(2);
  if (!error.empty()) {
    s.model.error = error;
    s.model.notice.clear();
  } else if (!message.empty()) {
    s.model.error.clear();
    s.model.notice = message;
  }
}
}
