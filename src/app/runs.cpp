// Runs kept in this browser. Every run is saved whole (dl::Trainer::save) after each epoch, on pause
// and stop, when it ends and when its test results are in: the bridge makes the bytes on the trainer
// side, this hands them to the page (web/app.js), which writes them to IndexedDB without the app
// waiting. After a reload, a crash or a killed tab the latest run opens again where it was saved,
// paused, and Resume goes on as if it had never stopped. The Runs menu lists the saved runs (their
// curves and accuracy), opens, compares and deletes them, says how much storage they use, and forgets
// everything. A full storage is a message in the Training window; the run goes on unsaved.
#include <cfloat>
#include <cstdio>

#include "app.h"
#include "platform/platform.h"

namespace app {

using platform::time_text;

static std::string mb_text(double bytes) {
  char b[32];
  if (bytes >= 1e9) std::snprintf(b, sizeof b, "%.1f GB", bytes / 1e9);
  else std::snprintf(b, sizeof b, bytes < 10e6 ? "%.1f MB" : "%.0f MB", bytes / 1e6);
  return b;
}

static void refresh_list(AppState& s) {
  RunsState& r = s.runs;
  const platform::RunsPage page = platform::runs_page();
  r.list = run_list_read(page.list);
  r.page_holds_runs = !page.list.empty();
  r.error = page.error;
  r.usage = page.usage;
  r.quota = page.quota;
  r.listed = page.listed;
}

void runs_new(AppState& s) {
  RunsState& r = s.runs;
  r.current_id = std::to_string((long long)platform::wall_ms()) + "-" + std::to_string(++r.made);
  r.current_lesson = lesson_hash(s, false);
  r.saved_epochs = -1;
  r.first_run = s.snap.run + 1;  // the Start the bridge has not seen yet numbers its run above this snapshot's
  r.notice.clear();
}

bool runs_waiting(const AppState& s) { return !s.runs.checked; }

static void open_run(AppState& s, const SavedRun& run, bool at_startup) {
  RunsState& r = s.runs;
  r.opening_id = run.id;
  r.notice = (at_startup ? "Reopening your run saved at " : "Opening the run saved at ") + time_text(run.updated_ms) + "…";
  platform::runs_open(run.id);
}

void runs_update(AppState& s) {
  RunsState& r = s.runs;
  if (!r.listed) refresh_list(s);
  // A saved run was opened: the settings and the network are the run's, so Start, a lesson link and
  // the next autosave speak of it.
  if (s.snap.restored != r.restored_seen) {
    r.restored_seen = s.snap.restored;
    s.model.spec = s.snap.restored_spec;
    for (size_t i = 0; i < dl::presets().size(); ++i)
      if (dl::presets()[i].name == s.snap.restored_spec.name) s.model.preset = int(i);
    s.model.selected = -1;
    s.model.refused.clear();
    s.model.summary_dirty = true;
    s.train.cfg = s.snap.restored_cfg;
    s.train.live_lr = float(s.snap.lr);
    r.current_lesson = lesson_hash(s, false);
    r.saved_epochs = int(s.snap.history.size());
    const int done = int(s.snap.history.size());
    char b[300];
    if (s.snap.phase == dl::TrainPhase::Running)
      std::snprintf(b, sizeof b,
                    "This run was saved in this browser after %s %d of %d. It is paused: Resume trains on from there, "
                    "to the same weights as if it had never stopped.", s.snap.batch > 0 ? "a batch of epoch" : "epoch",
                    s.snap.batch > 0 ? done + 1 : done, s.snap.epochs);
    else
      std::snprintf(b, sizeof b, "This run was saved in this browser when it ended, after %d epochs.", done);
    r.notice = b;
  }
  // The bridge's newest autosave goes to the page; IndexedDB writes it while the app goes on.
  Autosave a;
  // An autosave of an earlier run (made before the last Start or reopening reached the trainer) is
  // not written under the current run's key.
  if (s.trainer_fault.empty() && trainer(s).take_autosave(&r.autosave_version, &a) && !r.current_id.empty() &&
      a.run >= r.first_run) {
    platform::runs_save(r.current_id, run_meta_write(a, r.current_lesson), a.bytes);
    r.saved_epochs = a.epochs_done;
    r.saved_at_ms = platform::now_ms();
    r.save_seconds = a.seconds;
  }
  // At startup, once the digits and the list are in: the latest run opens again, unless the page was
  // opened with a link to other settings (a new lesson), or its link starts training and that run
  // had ended.
  if (!r.checked && r.listed && s.data.phase == DataPhase::Ready && !s.data.user_train && s.snap.run == 0) {
    r.checked = true;
    if (!r.list.empty()) {
      const SavedRun& latest = r.list.front();
      const bool same_lesson = !r.opened_with_link || latest.lesson == lesson_hash(s, false);
      if (same_lesson && (latest.unfinished() || !s.autostart_pending)) {
        s.autostart_pending = false;
        open_run(s, latest, true);
      }
    }
  }
  if (!r.checked && r.listed && s.snap.run != 0) r.checked = true;  // something was trained or loaded first
}

void runs_notice(AppState& s) {
  const RunsState& r = s.runs;
  if (!r.error.empty()) {
    ImGui::PushStyleColor(ImGuiCol_Text, ImVec4(0.75f, 0.1f, 0.1f, 1));
    ImGui::TextWrapped("%s", r.error.c_str());
    ImGui::PopStyleColor();
    note_rect(s, "runs.error");
  } else if (!r.notice.empty()) {
    ImGui::TextWrapped("%s", r.notice.c_str());
    note_rect(s, "runs.notice");
  } else if (r.saved_epochs > 0 && s.snap.phase == dl::TrainPhase::Running) {
    ImGui::TextDisabled("Saved in this browser after epoch %d; a reload goes on from there.", r.saved_epochs);
  }
}

void runs_menu(AppState& s) {
  RunsState& r = s.runs;
  const bool open = ImGui::BeginMenu("Runs");
  note_rect(s, "menu.runs");
  if (open) {
    const bool busy = run_in_progress(s) || !r.opening_id.empty();
    if (r.list.empty()) ImGui::TextDisabled("No runs saved in this browser yet.");
    int i = 0;
    for (const SavedRun& run : r.list) {
      // "mlp · 3 of 5 epochs, unfinished · 10:42", "mlp · 5 epochs · test 97.87% · 10:42"
      char label[240], acc[40] = "";
      if (run.test_accuracy >= 0) std::snprintf(acc, sizeof acc, "  ·  test %.2f%%", 100 * run.test_accuracy);
      if (run.unfinished())
        std::snprintf(label, sizeof label, "%s  ·  %d of %d epochs, unfinished%s  ·  %s##%s", run.model_name.c_str(),
                      run.epochs_done, run.epochs, acc, time_text(run.updated_ms).c_str(), run.id.c_str());
      else
        std::snprintf(label, sizeof label, "%s  ·  %d epoch%s%s%s  ·  %s##%s", run.model_name.c_str(), run.epochs_done,
                      run.epochs_done == 1 ? "" : "s", run.phase == dl::TrainPhase::Diverged ? ", diverged" : "", acc,
                      time_text(run.updated_ms).c_str(), run.id.c_str());
      const bool sub = ImGui::BeginMenu(label);
      note_rect(s, ("runs.item." + std::to_string(i)).c_str());
      if (sub) {
        std::vector<float> acc;
        for (const dl::EpochRecord& e : run.history) acc.push_back(float(100 * (e.has_val ? e.val_accuracy : e.accuracy)));
        if (acc.size() >= 2) {
          const bool val = run.history.front().has_val;
          ImGui::PlotLines("##curve", acc.data(), int(acc.size()), 0, val ? "validation accuracy %" : "accuracy %",
                           FLT_MAX, FLT_MAX, ImVec2(ImGui::GetFontSize() * 16, ImGui::GetFontSize() * 4));
        }
        if (ImGui::MenuItem("Open", nullptr, false, !busy)) open_run(s, run, false);
        note_rect(s, ("runs.open." + std::to_string(i)).c_str());
        if (ImGui::MenuItem("Compare: its curves in grey under the current run's")) {
          s.snap.previous = run_as_previous(run);
          s.ui.show_previous = true;
        }
        note_rect(s, ("runs.compare." + std::to_string(i)).c_str());
        if (ImGui::MenuItem("Delete")) {
          platform::runs_delete(run.id);
          if (run.id == r.current_id) r.current_id.clear();  // no longer saved
        }
        note_rect(s, ("runs.delete." + std::to_string(i)).c_str());
        ImGui::EndMenu();
      }
      ++i;
    }
    ImGui::Separator();
    std::string use = std::to_string(r.list.size()) + (r.list.size() == 1 ? " run" : " runs");
    double bytes = 0;
    for (const SavedRun& run : r.list) bytes += run.bytes;
    use += " saved, " + mb_text(bytes);
    if (r.quota > 0) use += "; this site uses " + mb_text(r.usage) + " of the " + mb_text(r.quota) + " the browser allows";
    ImGui::TextDisabled("%s", use.c_str());
    note_rect(s, "runs.storage");
    if (ImGui::MenuItem("Forget everything saved", nullptr, false, r.page_holds_runs))
      r.confirm_forget = true;
    note_rect(s, "runs.forget");
    hint("Every run is saved in this browser after each epoch, so a reload or a closed tab loses at most the epoch "
         "under way. Nothing leaves this computer.");
    ImGui::EndMenu();
  }
  if (r.confirm_forget) {
    ImGui::OpenPopup("Forget everything saved?");
    r.confirm_forget = false;
  }
  if (ImGui::BeginPopupModal("Forget everything saved?", nullptr, ImGuiWindowFlags_AlwaysAutoResize)) {
    ImGui::Text("This deletes every run and the saved model kept in this browser.\nIt cannot be undone.");
    if (ImGui::Button("Forget everything")) {
      platform::runs_clear();
      r.current_id.clear();
      r.notice = "Everything saved in this browser was forgotten. Runs from now on are saved again.";
      ImGui::CloseCurrentPopup();
    }
    note_rect(s, "runs.forget.confirm");
    ImGui::SameLine();
    if (ImGui::Button("Cancel")) ImGui::CloseCurrentPopup();
    ImGui::EndPopup();
  }
}

// The page saved, deleted or listed runs (or failed to): the list and its words are read again.
void on_runs_changed(AppState& s) { refresh_list(s); }

// The run asked for with platform::runs_open has arrived: its bytes are copied from the page (length
// 0: it could not be read, and the runs' error says why).
void on_run_opened(AppState& s, double length) {
  RunsState& r = s.runs;
  refresh_list(s);
  // Memory is asked for before it is taken: a failed allocation would abort the page.
  const std::string shortfall = length > 0 ? memory_shortfall(length) : std::string();
  if (!(length > 0) || !shortfall.empty()) {
    if (length > 0) r.error = "That saved run needs " + dl::bytes_text(length) + " of memory to open" + shortfall + ".";
    r.notice.clear();
    r.opening_id.clear();
    return;
  }
  auto bytes = std::make_shared<std::vector<uint8_t>>(size_t(length));
  platform::runs_take(bytes->data());
  r.current_id = r.opening_id;
  r.first_run = s.snap.run + 1;
  r.opening_id.clear();
  r.notice.clear();
  s.model_fashion = s.data.fashion;  // the bridge refuses a run trained on other data
  trainer(s).restore(std::move(bytes));
}

// Whether leaving the page now would lose training: a run is training (not paused). The page also
// asks while it is still writing the last save.
bool unsaved(const AppState& s) { return s.snap.phase == dl::TrainPhase::Running && !s.snap.paused; }

}  // namespace app
