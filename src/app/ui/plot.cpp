// Line plots drawn with ImGui's draw list: axes with "nice" ticks, a light grid, a legend, and
// series thinned to about one point per pixel column. No plotting library.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <string>

#include "app.h"

namespace app {
namespace {

double nice_step(double range, int target) {
  const double raw = range / std::max(1, target);
  const double mag = std::pow(10.0, std::floor(std::log10(raw)));
  const double f = raw / mag;
  return (f < 1.5 ? 1 : f < 3 ? 2 : f < 7 ? 5 : 10) * mag;
}

// A nice step that puts at least two ticks on the axis (a step of 50 over -45..45 gives one).
double tick_step(double lo, double hi, int target) {
  double step = nice_step(hi - lo, target);
  for (int i = 0; i < 3 && std::floor(hi / step + 1e-9) - std::ceil(lo / step - 1e-9) < 1; ++i)
    step = nice_step(hi - lo, target * 2 << i);
  return step;
}

}  // namespace

void plot_lines(const char* id, ImVec2 size, const char* title, const std::vector<const Series*>& series, float xmin,
                float xmax, float ymin, float ymax, const char* xlabel, const char* yfmt,
                const std::vector<PlotMarker>* markers) {
  ImGui::PushID(id);
  const ImVec2 p0 = ImGui::GetCursorScreenPos();
  ImGui::Dummy(size);
  ImDrawList* dl = ImGui::GetWindowDrawList();
  const float fs = ImGui::GetFontSize();
  const ImU32 text = ImGui::GetColorU32(ImGuiCol_Text), dim = IM_COL32(110, 115, 125, 255);

  // Automatic y range from the data.
  if (std::isnan(ymin) || std::isnan(ymax)) {
    float lo = INFINITY, hi = -INFINITY;
    for (const Series* s : series)
      for (float v : s->y)
        if (std::isfinite(v)) lo = std::min(lo, v), hi = std::max(hi, v);
    if (!std::isfinite(lo)) lo = 0, hi = 1;
    if (hi - lo < 1e-6f) lo -= 0.5f * std::max(1e-3f, std::fabs(lo)), hi += 0.5f * std::max(1e-3f, std::fabs(hi));
    const float pad = 0.06f * (hi - lo);
    if (std::isnan(ymin)) ymin = lo - pad;
    if (std::isnan(ymax)) ymax = hi + pad;
  }
  if (xmax <= xmin) xmax = xmin + 1;

  char buf[64];
  std::snprintf(buf, sizeof buf, yfmt, double(ymax));
  const float left = ImGui::CalcTextSize(buf).x + fs * 0.6f;
  const bool legend = std::any_of(series.begin(), series.end(), [](const Series* s) { return s->label != nullptr; });
  const float top = fs * (legend ? 2.6f : 1.4f), bottom = fs * 2.3f, right = fs * 0.6f;
  const ImVec2 a(p0.x + left, p0.y + top), b(p0.x + size.x - right, p0.y + size.y - bottom);
  if (b.x - a.x < 20 || b.y - a.y < 20) {
    ImGui::PopID();
    return;
  }
  dl->AddRectFilled(p0, ImVec2(p0.x + size.x, p0.y + size.y), IM_COL32(255, 255, 255, 255), 4);
  dl->AddText(ImVec2(a.x, p0.y + fs * 0.15f), text, title);
  auto X = [&](double x) { return float(a.x + (x - xmin) / (xmax - xmin) * (b.x - a.x)); };
  auto Y = [&](double y) { return float(b.y - (y - ymin) / (ymax - ymin) * (b.y - a.y)); };

  // Grid and ticks.
  const double ys = tick_step(ymin, ymax, std::max(2, int((b.y - a.y) / (fs * 2.2f))));
  for (double y = std::ceil(ymin / ys) * ys; y <= ymax + 1e-9; y += ys) {
    dl->AddLine(ImVec2(a.x, Y(y)), ImVec2(b.x, Y(y)), IM_COL32(225, 228, 233, 255));
    std::snprintf(buf, sizeof buf, yfmt, std::fabs(y) < ys * 1e-6 ? 0.0 : y);
    const ImVec2 ts = ImGui::CalcTextSize(buf);
    dl->AddText(ImVec2(a.x - ts.x - fs * 0.3f, Y(y) - ts.y * 0.5f), dim, buf);
  }
  const double xs = tick_step(xmin, xmax, std::max(2, int((b.x - a.x) / (fs * 4.0f))));
  for (double x = std::ceil(xmin / xs) * xs; x <= xmax + 1e-9; x += xs) {
    dl->AddLine(ImVec2(X(x), a.y), ImVec2(X(x), b.y), IM_COL32(235, 237, 241, 255));
    std::snprintf(buf, sizeof buf, xs < 1 ? "%.1f" : "%.0f", std::fabs(x) < xs * 1e-6 ? 0.0 : x);
    const ImVec2 ts = ImGui::CalcTextSize(buf);
    dl->AddText(ImVec2(X(x) - ts.x * 0.5f, b.y + fs * 0.15f), dim, buf);
  }
  dl->AddRect(a, b, IM_COL32(170, 175, 185, 255));
  const ImVec2 xl = ImGui::CalcTextSize(xlabel);
  dl->AddText(ImVec2((a.x + b.x - xl.x) * 0.5f, b.y + fs * 1.15f), dim, xlabel);

  // Event markers: a dashed vertical line with a short label at the top; the details on hover.
  if (markers) {
    const ImVec2 mouse = ImGui::GetIO().MousePos;
    const bool hovered = ImGui::IsItemHovered();
    std::string tip;
    float last_x = -1e9f;
    int stack = 0;
    for (const PlotMarker& m : *markers) {
      if (m.x < xmin || m.x > xmax) continue;
      const float x = X(m.x);
      stack = std::fabs(x - last_x) < fs * 2.2f ? stack + 1 : 0;  // labels of nearby markers step down
      last_x = x;
      for (float y = a.y; y < b.y; y += 6) dl->AddLine(ImVec2(x, y), ImVec2(x, std::min(b.y, y + 3.5f)), m.color, 1.5f);
      const ImVec2 ts = ImGui::CalcTextSize(m.label.c_str());
      const float lx = std::min(x + 2, b.x - ts.x - 1), ly = a.y + 1 + stack * (ts.y + 1);
      dl->AddRectFilled(ImVec2(lx - 1, ly), ImVec2(lx + ts.x + 1, ly + ts.y), IM_COL32(255, 255, 255, 220));
      dl->AddText(ImVec2(lx, ly), m.color, m.label.c_str());
      if (hovered && std::fabs(mouse.x - x) < fs * 0.6f) tip += (tip.empty() ? "" : "\n") + m.tip;
    }
    if (!tip.empty()) ImGui::SetTooltip("%s", tip.c_str());
  }

  // Series, clipped to the plot area, thinned to ~1 point per pixel; their points (a run's epochs)
  // whole even on the plot's edge (the last epoch sits on the right one).
  const ImVec2 outer0 = dl->GetClipRectMin(), outer1 = dl->GetClipRectMax();
  dl->PushClipRect(a, b, true);
  std::vector<ImVec2> pts;
  for (const Series* sp : series) {
    const Series& s = *sp;
    const size_t n = std::min(s.x.size(), s.y.size());
    if (n == 0) continue;
    const size_t cols = size_t(std::max(2.0f, b.x - a.x));
    const size_t stride = std::max<size_t>(1, n / cols);
    pts.clear();
    for (size_t i = 0; i < n; i += stride) {
      double sx = 0, sy = 0;
      size_t m = 0;
      for (size_t j = i; j < std::min(n, i + stride); ++j, ++m) sx += s.x[j], sy += s.y[j];
      pts.emplace_back(X(sx / m), Y(sy / m));
    }
    if (pts.size() > 1) dl->AddPolyline(pts.data(), int(pts.size()), s.color, 0, s.thickness);
    if (s.markers || pts.size() == 1) {
      const float r = s.thickness * 1.8f;
      dl->PushClipRect(ImVec2(std::max(a.x - r - 1, outer0.x), std::max(a.y - r - 1, outer0.y)),
                       ImVec2(std::min(b.x + r + 1, outer1.x), std::min(b.y + r + 1, outer1.y)));
      for (const ImVec2& p : pts) dl->AddCircleFilled(p, r, s.color);
      dl->PopClipRect();
    }
  }
  dl->PopClipRect();

  // Legend: a row under the title, right-aligned.
  float lx = b.x;
  for (auto it = series.rbegin(); it != series.rend(); ++it) {
    const Series* sr = *it;
    if (!sr->label) continue;
    const ImVec2 ts = ImGui::CalcTextSize(sr->label);
    lx -= ts.x;
    dl->AddText(ImVec2(lx, p0.y + fs * 1.25f), text, sr->label);
    lx -= fs * 0.9f;
    dl->AddRectFilled(ImVec2(lx, p0.y + fs * 1.55f), ImVec2(lx + fs * 0.6f, p0.y + fs * 2.05f), sr->color);
    lx -= fs * 0.7f;
  }
  ImGui::PopID();
}

}  // namespace app
