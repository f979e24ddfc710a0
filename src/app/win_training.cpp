// The Training window: settings, Start / Pause / Resume / Stop / Step, epoch progress with
// samples/s and ETA, and live curves of loss, accuracy and learning rate.
#include <algorithm>
#include <cmath>
#include <cstdio>

#include "app.h"

namespace app {

static constexpr ImGuiWindowFlags kTile = ImGuiWindowFlags_NoMove | ImGuiWindowFlags_NoResize | ImGuiWindowFlags_NoCollapse;
static const ImU32 kBlue = IM_COL32(40, 100, 200, 255), kBlueLight = IM_COL32(40, 100, 200, 130),
                   kOrange = IM_COL32(230, 120, 20, 255), kGreen = IM_COL32(30, 150, 80, 255);

static std::string clock_text(double seconds) {
  if (!std::isfinite(seconds) || seconds < 0) return "–";
  char b[32];
  const int t = int(seconds + 0.5);
  if (t >= 3600) std::snprintf(b, sizeof b, "%d:%02d:%02d", t / 3600, t / 60 % 60, t % 60);
  else std::snprintf(b, sizeof b, "%d:%02d", t / 60, t % 60);
  return b;
}

static void settings(AppState& s, bool locked) {
  TrainSettings& t = s.train;
  ImGui::BeginDisabled(locked);
  if (ImGui::BeginTable("settings", 2, ImGuiTableFlags_SizingStretchSame)) {
    const float w = ImGui::GetFontSize() * 7.5f;
    ImGui::TableNextColumn();
    ImGui::SetNextItemWidth(w);
    const char* opts[] = {"SGD", "Adam", "RMSprop"};
    ImGui::Combo("Optimizer", &t.opt, opts, 3);
    ImGui::TableNextColumn();
    ImGui::SetNextItemWidth(w);
    ImGui::SliderFloat("Learning rate", &t.lr, 1e-5f, 1.0f, "%.5g", ImGuiSliderFlags_Logarithmic);
    ImGui::TableNextColumn();
    ImGui::SetNextItemWidth(w);
    static const int batches[] = {8, 16, 32, 64, 128, 256, 512};
    char cur[16];
    std::snprintf(cur, sizeof cur, "%d", t.batch);
    if (ImGui::BeginCombo("Batch size", cur)) {
      for (int b : batches) {
        std::snprintf(cur, sizeof cur, "%d", b);
        if (ImGui::Selectable(cur, b == t.batch)) t.batch = b;
      }
      ImGui::EndCombo();
    }
    ImGui::TableNextColumn();
    ImGui::SetNextItemWidth(w);
    ImGui::SliderInt("Epochs", &t.epochs, 1, 50);
    note_rect(s, "training.epochs");
    ImGui::TableNextColumn();
    ImGui::SetNextItemWidth(w);
    float pct = t.val_split * 100.0f;
    if (ImGui::SliderFloat("Validation", &pct, 0.0f, 50.0f, "%.0f%%")) t.val_split = std::round(pct) / 100.0f;
    ImGui::TableNextColumn();
    ImGui::SetNextItemWidth(w);
    if (ImGui::InputInt("Seed", &t.seed)) t.seed = std::max(0, t.seed);
    ImGui::EndTable();
  }
  ImGui::EndDisabled();
}

static void buttons(AppState& s) {
  const Snapshot& sn = s.snap;
  const bool running = sn.phase == dl::TrainPhase::Running;
  const bool ready = s.data.phase == DataPhase::Ready && !sn.starting;
  const ImVec2 big(ImGui::GetFontSize() * 5.2f, ImGui::GetFrameHeight() * 1.25f);
  ImGui::PushStyleColor(ImGuiCol_Button, ImVec4(0.18f, 0.55f, 0.30f, 1));
  ImGui::PushStyleColor(ImGuiCol_ButtonHovered, ImVec4(0.22f, 0.63f, 0.36f, 1));
  ImGui::PushStyleColor(ImGuiCol_Text, ImVec4(1, 1, 1, 1));
  ImGui::BeginDisabled(running || !ready);
  if (ImGui::Button("Start", big)) start_training(s, false);
  note_rect(s, "training.start");
  ImGui::EndDisabled();
  ImGui::PopStyleColor(3);
  ImGui::SameLine();
  ImGui::BeginDisabled(!running);
  if (!sn.paused) {
    if (ImGui::Button("Pause", big)) s.bridge.pause();
  } else if (ImGui::Button("Resume", big)) {
    s.bridge.resume();
  }
  note_rect(s, "training.pause");
  ImGui::SameLine();
  if (ImGui::Button("Stop", big)) s.bridge.stop();
  note_rect(s, "training.stop");
  ImGui::EndDisabled();
  ImGui::SameLine();
  ImGui::BeginDisabled(!ready || (running && !sn.paused));
  if (ImGui::Button("Step", big)) {
    if (!running) start_training(s, true);
    s.bridge.step_once();
  }
  if (ImGui::IsItemHovered()) ImGui::SetTooltip("Train on one batch of %d images, then pause", s.train.batch);
  note_rect(s, "training.step");
  ImGui::EndDisabled();
  if (running) {
    ImGui::SameLine();
    ImGui::SetNextItemWidth(std::max(ImGui::GetFontSize() * 5, ImGui::GetContentRegionAvail().x - ImGui::GetFontSize() * 2.5f));
    if (ImGui::SliderFloat("##livelr", &s.train.live_lr, 1e-5f, 1.0f, "lr %.5g", ImGuiSliderFlags_Logarithmic))
      s.bridge.set_lr(s.train.live_lr);
    if (ImGui::IsItemHovered()) ImGui::SetTooltip("Change the learning rate while it trains");
  }
}

static void progress(AppState& s) {
  const Snapshot& sn = s.snap;
  char overlay[128];
  if (sn.phase == dl::TrainPhase::Idle && !sn.starting) {
    ImGui::ProgressBar(0, ImVec2(-1, 0), s.data.phase == DataPhase::Ready ? "ready: press Start" : "waiting for the data");
    note_rect(s, "training.progress");
    if (!sn.message.empty()) {
      ImGui::PushStyleColor(ImGuiCol_Text, ImVec4(0.75f, 0.1f, 0.1f, 1));
      ImGui::TextWrapped("%s", sn.message.c_str());
      ImGui::PopStyleColor();
    }
    return;
  }
  const int bpe = std::max(1, sn.batches_per_epoch);
  const bool running = sn.phase == dl::TrainPhase::Running;
  const int shown_epoch = std::min(sn.epoch + 1, std::max(1, sn.epochs));
  const float frac = running ? float(sn.batch) / bpe : 1.0f;
  std::snprintf(overlay, sizeof overlay, "epoch %d of %d  ·  batch %s of %s", shown_epoch, sn.epochs,
                dl::with_commas(running ? sn.batch : bpe).c_str(), dl::with_commas(bpe).c_str());
  ImGui::ProgressBar(frac, ImVec2(-1, 0), overlay);
  note_rect(s, "training.progress");
  const double total = double(sn.epochs) * bpe;
  const double left = std::max(0.0, total - double(sn.steps)) * sn.batch_size;
  const double eta = sn.samples_per_sec > 0 ? left / sn.samples_per_sec : NAN;
  const char* state = sn.starting ? "starting" : sn.paused ? "paused" : dl::phase_name(sn.phase);
  double loss = sn.epoch_loss, acc = sn.epoch_accuracy;
  if ((!running || sn.batch == 0) && !sn.history.empty()) loss = sn.history.back().loss, acc = sn.history.back().accuracy;
  if (running)
    ImGui::Text("%s  ·  %s samples/s  ·  ETA %s  ·  loss %.4f  ·  accuracy %.2f%%", state,
                dl::with_commas((long long)std::llround(sn.samples_per_sec)).c_str(), clock_text(eta).c_str(), loss, 100.0 * acc);
  else
    ImGui::Text("%s  ·  %s samples/s  ·  loss %.4f  ·  accuracy %.2f%%", state,
                dl::with_commas((long long)std::llround(sn.samples_per_sec)).c_str(), loss, 100.0 * acc);
  if (!sn.message.empty() && sn.phase != dl::TrainPhase::Running) {
    const bool bad = sn.phase == dl::TrainPhase::Diverged;
    if (bad) ImGui::PushStyleColor(ImGuiCol_Text, ImVec4(0.75f, 0.1f, 0.1f, 1));
    ImGui::TextWrapped("%s", sn.message.c_str());
    if (bad) ImGui::PopStyleColor();
  }
}

static void curves(AppState& s) {
  const Snapshot& sn = s.snap;
  const int bpe = std::max(1, sn.batches_per_epoch);
  const size_t n = sn.batches.size();
  // Per-batch values, smoothed with an exponential moving average (about 1/20 of an epoch).
  Series loss_b{{}, {}, kBlueLight, nullptr, 1.5f}, acc_b{{}, {}, kBlueLight, nullptr, 1.5f}, lr{{}, {}, kGreen, "lr", 2};
  Series loss_t{{}, {}, kBlue, "train", 2, true}, loss_v{{}, {}, kOrange, "validation", 2, true};
  Series acc_t{{}, {}, kBlue, "train", 2, true}, acc_v{{}, {}, kOrange, "validation", 2, true};
  const float a = 1.0f / std::clamp(bpe / 20.0f, 1.0f, 100.0f);
  float el = 0, ea = 0;
  for (size_t i = 0; i < n; ++i) {
    const dl::BatchRecord& r = sn.batches[i];
    el = i == 0 ? r.loss : el + a * (r.loss - el);
    ea = i == 0 ? r.accuracy : ea + a * (r.accuracy - ea);
    const float x = float(i + 1) / bpe;
    loss_b.x.push_back(x), loss_b.y.push_back(el);
    acc_b.x.push_back(x), acc_b.y.push_back(100 * ea);
    lr.x.push_back(x), lr.y.push_back(r.lr);
  }
  for (const dl::EpochRecord& e : sn.history) {
    loss_t.x.push_back(float(e.epoch)), loss_t.y.push_back(float(e.loss));
    acc_t.x.push_back(float(e.epoch)), acc_t.y.push_back(float(100 * e.accuracy));
    if (e.has_val) {
      loss_v.x.push_back(float(e.epoch)), loss_v.y.push_back(float(e.val_loss));
      acc_v.x.push_back(float(e.epoch)), acc_v.y.push_back(float(100 * e.val_accuracy));
    }
  }
  const float xmax = float(std::max(1, sn.epochs ? sn.epochs : s.train.epochs));
  const ImVec2 avail = ImGui::GetContentRegionAvail();
  const float gap = ImGui::GetStyle().ItemSpacing.x;
  const float h = std::max(ImGui::GetFontSize() * 8, avail.y - 2);
  const float w = (avail.x - 2 * gap) / 3;
  plot_lines("loss", ImVec2(w, h), "Loss", {loss_b, loss_t, loss_v}, 0, xmax, 0, NAN, "epoch", "%.2f");
  note_rect(s, "training.loss");
  ImGui::SameLine();
  float lo = 100;
  for (float v : acc_b.y) lo = std::min(lo, v);
  lo = std::clamp(std::floor(lo / 10) * 10, 0.0f, 90.0f);
  plot_lines("acc", ImVec2(w, h), "Accuracy %", {acc_b, acc_t, acc_v}, 0, xmax, n ? lo : 0, 100, "epoch", "%.0f");
  note_rect(s, "training.accuracy");
  ImGui::SameLine();
  plot_lines("lr", ImVec2(w, h), "Learning rate", {lr}, 0, xmax, 0, NAN, "epoch", "%.2g");
  note_rect(s, "training.lr");
}

void window_training(AppState& s) {
  ImGui::Begin("Training###Training", nullptr, kTile);
  note_rect(s, "window.training", ImGui::GetWindowPos(),
            ImVec2(ImGui::GetWindowPos().x + ImGui::GetWindowSize().x, ImGui::GetWindowPos().y + ImGui::GetWindowSize().y));
  const bool locked = s.snap.phase == dl::TrainPhase::Running || s.snap.starting;
  settings(s, locked);
  buttons(s);
  progress(s);
  curves(s);
  ImGui::End();
}

}  // namespace app
