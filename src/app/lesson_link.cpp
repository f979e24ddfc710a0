// The lesson link: the page's address fragment ("#preset=cnn-tiny&epochs=3&autostart=1", read and
// written by dl::lesson_parse / dl::lesson_write) sets the network, the training settings, the tab a
// phone shows and whether training starts once the digits are in. What it could not use goes to a
// popup; a link pasted into the open tab applies once no run is in progress.
#include <algorithm>

#include "app.h"
#include "core/train/lesson.h"
#include "platform/platform.h"

namespace app {

static_assert(kPaneCount == dl::kLessonPanes, "the lesson link's pane names are the narrow layout's tabs");

void apply_lesson(AppState& s) {
  const std::string hash = platform::link_hash();
  s.runs.opened_with_link = !hash.empty();
  // Only the page's own link hides windows and locks settings.
  const dl::Lesson l = apply_lesson_link(s, hash);
  std::copy(std::begin(l.hidden), std::end(l.hidden), std::begin(s.ui.hidden));
  s.ui.locked = l.locked;
  if (s.ui.hidden[s.ui.pane]) s.ui.pane = kPaneTrain;
}

bool locked(const AppState& s, const char* name) {
  return std::find(s.ui.locked.begin(), s.ui.locked.end(), name) != s.ui.locked.end();
}

bool link_fixes_lesson(const AppState& s) {
  return !s.ui.locked.empty() || std::find(std::begin(s.ui.hidden), std::end(s.ui.hidden), true) != std::end(s.ui.hidden);
}

Locked::Locked(const AppState& s, const char* name) : on(locked(s, name)) { ImGui::BeginDisabled(on); }

Locked::~Locked() {
  if (on && ImGui::IsItemHovered(ImGuiHoveredFlags_AllowWhenDisabled))
    ImGui::SetTooltip("This lesson's link keeps this setting as it is.");
  ImGui::EndDisabled();
}

dl::Lesson apply_lesson_link(AppState& s, const std::string& link) {
  dl::Lesson l = dl::lesson_parse(link);
  s.model.preset = int(l.preset - dl::presets().data());
  apply_preset_recipe(s);
  s.model.spec = l.model;
  s.train.cfg = l.config;
  if (l.tab >= 0) s.train.tab = l.tab;
  if (l.pane >= 0) s.ui.pane = l.pane;
  s.autostart_pending = l.autostart;
  s.ui.link_notices = l.notices;
  s.ui.link_popup = !l.notices.empty();
  s.data.lesson = l.data;
  lesson_data_apply(s);
  // The views it opens (it closes none).
  if (l.views[0]) open_steps(s.draw);
  if (l.views[1]) s.outliers.open = s.outliers.focus = true;
  if (l.views[2]) open_robust(s);
  if (l.views[3]) s.ui.eval_diff = true;
  if (l.views[4]) s.mine.open = s.mine.focus = true;
  // The ready-made lesson this link is (its settings, whatever the autostart), for "About this lesson".
  const std::string plain = dl::lesson_write(*l.preset, l.model, l.config, -1, false, l.data);
  s.ui.lesson = -1;
  for (size_t i = 0; i < dl::ready_lessons().size(); ++i) {
    const dl::Lesson r = dl::lesson_parse(dl::ready_lessons()[i].link);
    if (dl::lesson_write(*r.preset, r.model, r.config, -1, false, r.data) == plain) s.ui.lesson = int(i);
  }
  return l;
}

void lesson_data_apply(AppState& s) {
  DataState& d = s.data;
  if (d.phase != DataPhase::Ready || d.train.n == 0) return;  // again when MNIST is in
  const dl::LessonData& l = d.lesson;
  if (l.fashion && !d.fashion_train) {  // again when Fashion-MNIST is in
    if (!d.fashion_fetching) {
      d.fashion_fetching = true;
      ++d.fashion_fetches;
      d.fashion_loaded = d.fashion_total = 0;
      platform::fetch_fashion();
    }
    return;
  }
  if (!l.any() && !l.fashion) {  // MNIST whole
    if (d.lesson_applied || d.fashion) use_mnist_again(s);
    d.lesson_applied = false;
    return;
  }
  const auto keep = [](const dl::Dataset*) {};  // MNIST lives in AppState for good
  const std::shared_ptr<const dl::Dataset> all =
      l.fashion ? d.fashion_train : std::shared_ptr<const dl::Dataset>(&d.train, keep);
  d.user_train = l.any() ? std::make_shared<const dl::Dataset>(dl::lesson_training_data(*all, l)) : all;
  d.user_test = l.fashion ? d.fashion_test : std::shared_ptr<const dl::Dataset>(&d.test, keep);
  d.source = std::string(l.fashion ? "Fashion-MNIST" : "MNIST") + (l.any() ? ", " + dl::lesson_data_text(*all, l) : "");
  d.user_note = l.any() ? "The lesson link chose these training images; the test set is whole." : "";
  d.user_error.clear();
  d.lesson_applied = l.any();
  d.fashion = l.fashion;
  trainer(s).replace_data(d.user_train, d.user_test);
  data_make_views(s);
}

std::string lesson_hash(const AppState& s, bool autostart) {
  // On a phone the link also opens the tab its author is on (the training controls are the default).
  const int pane = s.ui.narrow && s.ui.pane != kPaneTrain ? s.ui.pane : -1;
  dl::Lesson limits;  // the page link's hide= and lock=, kept in a link made from here
  std::copy(std::begin(s.ui.hidden), std::end(s.ui.hidden), std::begin(limits.hidden));
  limits.locked = s.ui.locked;
  dl::LessonData data = s.data.lesson_applied ? s.data.lesson : dl::LessonData();
  data.fashion = s.data.fashion;
  return dl::lesson_write(current_preset(s), s.model.spec, train_config(s), pane, autostart, data) +
         dl::lesson_write_limits(limits);
}

std::string view_keys(const AppState& s) {
  dl::Lesson l;
  const bool views[dl::kLessonViews] = {s.draw.steps_open, s.outliers.open, s.robust.open, s.ui.eval_diff, s.mine.open};
  std::copy(std::begin(views), std::end(views), std::begin(l.views));
  return dl::lesson_write_limits(l);
}

void link_notice_popup(AppState& s) {
  if (s.ui.link_popup) {
    ImGui::OpenPopup("About this lesson link");
    s.ui.link_popup = false;
  }
  const ImVec2 ds = ImGui::GetIO().DisplaySize;
  ImGui::SetNextWindowSize(ImVec2(std::min(ds.x * 0.92f, ImGui::GetFontSize() * 42), 0), ImGuiCond_Appearing);
  ImGui::SetNextWindowPos(ImVec2(ds.x * 0.5f, ds.y * 0.4f), ImGuiCond_Appearing, ImVec2(0.5f, 0.5f));
  if (ImGui::BeginPopupModal("About this lesson link", nullptr, ImGuiWindowFlags_NoResize)) {
    note_window(s, "link.window");
    ImGui::TextWrapped("The link that opened this page asked for something Digit Lab could not use. Everything "
                       "else in it is set; what is listed here was left as it was:");
    ImGui::Spacing();
    ImGui::PushStyleColor(ImGuiCol_Text, ImVec4(0.62f, 0.20f, 0.0f, 1));
    for (const std::string& n : s.ui.link_notices) {
      ImGui::Bullet();
      ImGui::TextWrapped("%s", n.c_str());
    }
    ImGui::PopStyleColor();
    note_rect(s, "link.notices");
    ImGui::Spacing();
    ImGui::TextWrapped("Whoever made the link may have mistyped it: ask them for it again, or change the settings here.");
    if (ImGui::Button("OK", ImVec2(ImGui::GetFontSize() * 6, 0))) ImGui::CloseCurrentPopup();
    note_rect(s, "link.ok");
    ImGui::EndPopup();
  }
}

void on_link_changed(AppState& s) { s.hash_pending = true; }

void lesson_link_update(AppState& s) {
  // The page does not reload for a new fragment: its settings replace the current ones once no
  // training runs.
  if (s.hash_pending && !run_in_progress(s)) {
    s.hash_pending = false;
    apply_lesson(s);
    s.model.summary_dirty = true;
  }
}

}  // namespace app
