// The "Saved model" menu: keeps the trained model in this browser (IndexedDB, through the page's
// web/app.js) and loads it back, also after a reload or offline. Loading goes through the same
// checks as a model file (model_file_arrived): a damaged record leaves the current model alone.
#include "app.h"
#include "platform/platform.h"
#include "core/nn/model_file.h"


namespace app {

void store_menu(AppState& s) {
  const bool open = ImGui::BeginMenu("Saved model");
  note_rect(s, "menu.saved");
  if (!open) return;
  const platform::StoreState st = platform::store_state();
  const bool busy = run_in_progress(s) || st.busy;
  const std::string& saved = st.saved;
  if (ImGui::MenuItem("Save in this browser", nullptr, false, s.draw.model.built() && !busy)) {
    const std::vector<uint8_t> bytes = dl::model_save(s.draw.model);
    platform::store_save("digitlab-" + s.draw.model.spec().name + ".dlmodel", bytes);
  }
  note_rect(s, "store.save");
  if (ImGui::MenuItem("Load saved", saved.empty() ? "(none yet)" : saved.c_str(), false, !saved.empty() && !busy))
    platform::store_load();
  note_rect(s, "store.load");
  ImGui::Separator();
  ImGui::TextDisabled(s.draw.model.built() ? "Keeps one model in this browser; saving replaces it."
                                           : "Train a network first, then save it here.");
  ImGui::EndMenu();
}

// The page finished saving or loading (or failed): its words go to the Model window.
void on_store_done(AppState& s) {
  const platform::StoreState st = platform::store_state();
  if (!st.error.empty()) {
    s.model.error = st.error;
    s.model.notice.clear();
  } else if (!st.message.empty()) {
    s.model.error.clear();
    s.model.notice = st.message;
  }
}

}  // namespace app
