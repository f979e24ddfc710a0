// "How robust is it?": the current model's test accuracy as the test images are rotated, shifted,
// scaled and noised (dl::robustness_points), computed on the trainer side (Bridge::robustness) with a
// progress bar; the previous run's curves in grey under them, so a run with augmentation and one
// without show at a glance what augmentation buys.
#include <algorithm>
#include <cmath>
#include <cstdio>

#include "app.h"

namespace app {

static constexpr int kImageChoices[] = {1000, 2000, 5000, 10000};

bool robust_current(const AppState& s) {
  const Robustness& r = s.snap.robustness;
  return r.request != 0 && r.request == s.robust.requests;
}

// One perturbation's points of `r` as a series (accuracy in percent).
static Series curve(const Robustness& r, dl::Perturb kind, ImU32 color, const char* label, float thickness) {
  Series out{{}, {}, color, label, thickness, true};
  const std::vector<dl::PerturbPoint>& pts = dl::robustness_points();
  for (size_t i = 0; i < pts.size() && i < r.accuracy.size(); ++i) {
    if (pts[i].kind != kind) continue;
    out.x.push_back(pts[i].amount);
    out.y.push_back(float(100 * r.accuracy[i]));
  }
  return out;
}

static void plots(AppState& s) {
  const Robustness& r = s.snap.robustness;
  const Robustness& before = s.snap.previous.robustness;
  const bool grey = s.ui.show_previous && before.done && !before.accuracy.empty();
  const float fs = ImGui::GetFontSize(), gap = ImGui::GetStyle().ItemSpacing.x;
  const float avail = ImGui::GetContentRegionAvail().x;
  const bool two = avail > fs * 26;  // two plots a row where they fit
  const ImVec2 size(two ? std::floor((avail - gap) / 2) : avail, fs * 11);
  static const char* const titles[dl::kPerturbKinds] = {"Rotated", "Shifted", "Scaled", "With noise"};
  for (int k = 0; k < dl::kPerturbKinds; ++k) {
    const dl::Perturb kind = dl::Perturb(k);
    const Series now = curve(r, kind, IM_COL32(40, 100, 200, 255), grey ? "this model" : nullptr, 2.5f);
    const Series old = curve(before, kind, IM_COL32(160, 165, 175, 255), grey ? "previous run" : nullptr, 2.0f);
    std::vector<const Series*> series;
    if (grey) series.push_back(&old);
    series.push_back(&now);
    if (k % 2 && two) ImGui::SameLine();
    char id[24], key[32];
    std::snprintf(id, sizeof id, "robust.%s", dl::perturb_name(kind));
    std::snprintf(key, sizeof key, "robust.plot.%s", dl::perturb_name(kind));
    plot_lines(id, size, titles[k], series, now.x.front(), now.x.back(), 0, 100, dl::perturb_unit(kind), "%.0f%%");
    note_rect(s, key);
  }
}

static void window_body(AppState& s) {
  RobustView& v = s.robust;
  const Snapshot& sn = s.snap;
  const Robustness& r = sn.robustness;
  ImGui::TextWrapped("The test images changed on purpose — turned, moved, resized, made noisy — and how many the "
                     "model still reads right. A network trained with augmentation holds up longer.");
  if (!sn.has_model) {
    ImGui::TextDisabled("Train a model or load one first.");
    return;
  }
  const float fs = ImGui::GetFontSize();
  ImGui::AlignTextToFramePadding();
  ImGui::TextUnformatted("Test images per point:");
  ImGui::SameLine();
  ImGui::SetNextItemWidth(fs * 6);
  const int total = data_test(s).n;
  char preview[24];
  std::snprintf(preview, sizeof preview, "%s", dl::with_commas(std::min(v.images, total)).c_str());
  if (ImGui::BeginCombo("##robust.images", preview)) {
    for (int n : kImageChoices) {
      const int m = std::min(n, total);
      if (ImGui::Selectable(dl::with_commas(m).c_str(), v.images == n)) v.images = n;
      char key[32];
      std::snprintf(key, sizeof key, "robust.images.%d", n);
      note_rect(s, key);
      if (m == total) break;
    }
    ImGui::EndCombo();
  }
  note_rect(s, "robust.images");
  hint("Each of the 41 points reads this many test images; fewer is quicker, all of them matches the test accuracy "
       "at 0°, 0 px, × 1 and no noise.");
  const bool running = robust_current(s) && r.running;
  if (running) {
    ImGui::ProgressBar(r.progress, ImVec2(-fs * 6, 0), "perturbing and reading the test images…");
    note_rect(s, "robust.progress");
    ImGui::SameLine();
    if (ImGui::Button("Cancel")) trainer(s).robustness(0, ++v.requests);
    note_rect(s, "robust.cancel");
  } else {
    ImGui::SameLine();
    // Curves of a model that training goes on changing would be of no model: after the run.
    ImGui::BeginDisabled(run_in_progress(s));
    if (ImGui::Button(robust_current(s) && r.done ? "Compute again" : "Compute")) trainer(s).robustness(v.images, ++v.requests);
    ImGui::EndDisabled();
    note_rect(s, "robust.compute");
    if (run_in_progress(s)) hint("Stop the training (or let it finish) first: the curves are of the model as it is then.");
  }
  if (robust_current(s) && !r.error.empty()) ImGui::TextColored(ImVec4(0.62f, 0.20f, 0.0f, 1), "%s", r.error.c_str());
  if (!robust_current(s) || !r.done) return;
  ImGui::TextDisabled("%s, %s test images per point", r.model_name.c_str(), dl::with_commas(r.images).c_str());
  plots(s);
}

void open_robust(AppState& s) {
  s.robust.open = true;
  s.robust.focus = true;
}

void robust_window(AppState& s) {
  RobustView& v = s.robust;
  v.shown = false;
  if (!v.open) return;
  const ImVec2 ds = ImGui::GetIO().DisplaySize;
  const float fs = ImGui::GetFontSize();
  const ImVec2 size(std::min(fs * 34, ds.x * 0.95f), std::min(fs * 33, ds.y * 0.9f));
  if (begin_floating(s, "How robust is it?###robust", "robust", ImVec2(ds.x * 0.5f, ds.y * 0.45f), ImVec2(0.5f, 0.5f),
                     size, &v.focus, &v.open)) {
    v.shown = true;
    window_body(s);
  }
  ImGui::End();
}

}  // namespace app
