// The Share menu: a lesson link to this network and its settings (with or without autostart), the
// run's epochs as CSV and the test report as text.
#include <cstdio>
#include <cmath>

#include "app.h"
#include "platform/platform.h"

namespace app {

// The Share menu's downloads: the run's epochs as a CSV file (the columns of Keras' CSVLogger, for a
// spreadsheet or pandas), and the test-set report as text (sklearn's classification_report and the
// confusion matrix, as the CLI prints them).
static void download_items(AppState& s) {
  const Snapshot& sn = s.snap;
  const std::string name = sn.model_name.empty() ? "model" : sn.model_name;
  if (ImGui::MenuItem("Download the epochs (CSV)", nullptr, false, !sn.history.empty())) {
    const std::string csv = dl::history_csv(sn.history);
    platform::download("digitlab-" + name + "-epochs.csv", std::vector<uint8_t>(csv.begin(), csv.end()));
  }
  note_rect(s, "menu.share.csv");
  hint(sn.history.empty() ? "Each finished epoch of a run: train for an epoch first."
                            : "Each finished epoch of this run: loss, accuracy, learning rate and the validation "
                              "figures, in the columns Keras' CSVLogger writes (epochs counted from 0).");
  if (ImGui::MenuItem("Download the test report (text)", nullptr, false, sn.has_eval)) {
    char head[160];
    const int64_t n = sn.confusion.total();
    std::snprintf(head, sizeof head, "Digit Lab: %s on %lld test images\ntest: loss %.4f - accuracy %.4f (%lld / %lld)\n\n",
                  name.c_str(), (long long)n, sn.test_loss, sn.test_accuracy,
                  (long long)std::llround(sn.test_accuracy * double(n)), (long long)n);
    const std::string text = head + dl::report_text(sn.report) + "\n" + dl::confusion_text(sn.confusion);
    platform::download("digitlab-" + name + "-report.txt", std::vector<uint8_t>(text.begin(), text.end()));
  }
  note_rect(s, "menu.share.report");
  hint(sn.has_eval ? "The per-digit precision, recall and F1 (as sklearn's classification_report) and the "
                       "confusion matrix, as plain text."
                     : "Train or load a model and evaluate it on the test set first.");
}

void share_menu(AppState& s) {
  const bool open = ImGui::BeginMenu("Share");
  note_rect(s, "menu.share");
  if (open) {
    for (int autostart = 0; autostart < 2; ++autostart) {
      if (ImGui::MenuItem(autostart ? "Copy a link that also starts training" : "Copy a link to this lesson")) {
        s.ui.share_url = platform::page_address() + "#" + lesson_hash(s, autostart != 0) + view_keys(s);
        platform::show_link(s.ui.share_url);
        s.ui.share_popup = true;
      }
      note_rect(s, autostart ? "menu.share.autostart" : "menu.share.link");
      if (ImGui::IsItemHovered())
        ImGui::SetTooltip("A link with this network and every training setting: whoever opens it gets the same "
                          "lesson%s", autostart ? ", and training starts as soon as the digits are loaded" : "");
    }
    ImGui::Separator();
    download_items(s);
    ImGui::EndMenu();
  }
  if (s.ui.share_popup) {
    ImGui::OpenPopup("Lesson link");
    s.ui.share_popup = false;
  }
  const ImVec2 ds = ImGui::GetIO().DisplaySize;
  ImGui::SetNextWindowSize(ImVec2(std::min(ds.x * 0.9f, ImGui::GetFontSize() * 40), 0), ImGuiCond_Appearing);
  if (ImGui::BeginPopupModal("Lesson link", nullptr, ImGuiWindowFlags_NoResize)) {
    ImGui::TextWrapped("This link opens Digit Lab with this network and these training settings. It is in the "
                       "address bar now, and copied to the clipboard where the browser allows it:");
    ImGui::BeginChild("##link", ImVec2(-1, ImGui::GetTextLineHeightWithSpacing() * 6), true);
    ImGui::PushStyleColor(ImGuiCol_Text, ImVec4(0.16f, 0.29f, 0.52f, 1));
    ImGui::TextWrapped("%s", s.ui.share_url.c_str());
    ImGui::PopStyleColor();
    ImGui::EndChild();
    if (ImGui::Button("OK", ImVec2(ImGui::GetFontSize() * 6, 0))) ImGui::CloseCurrentPopup();
    note_rect(s, "share.ok");
    ImGui::EndPopup();
  }
}

}  // namespace app
