// The desktop build's scripted sessions (desktop_script.h). The pointer moves through the X server
// (SDL_WarpMouseInWindow: ImGui's SDL backend reads its position from there), and presses, releases
// and the moves of a held button go through SDL's queue, which the frame loop reads (main.cpp): the
// paths a person's input takes. One action per frame, each step with a deadline.
#include "platform/desktop_script.h"

#include <GLES3/gl3.h>
#include <SDL.h>
#include <zlib.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <memory>
#include <vector>

#include "app.h"
#include "platform/platform.h"

namespace app {
namespace {

struct Step {
  std::string what;  // said when the step fails or times out
  double seconds;    // its deadline
  // Called once per frame until it returns true; may set `failed`.
  std::function<bool(AppState&, int frame, std::string* failed)> run;
};

SDL_Window* window() { return SDL_GL_GetCurrentWindow(); }

void button(bool down, int x, int y) {
  SDL_Event ev{};
  ev.type = down ? SDL_MOUSEBUTTONDOWN : SDL_MOUSEBUTTONUP;
  ev.button.windowID = SDL_GetWindowID(window());
  ev.button.button = SDL_BUTTON_LEFT;
  ev.button.state = down ? SDL_PRESSED : SDL_RELEASED;
  ev.button.clicks = 1;
  ev.button.x = x;
  ev.button.y = y;
  SDL_PushEvent(&ev);
}

// The pointer moves (ImGui reads it from the X server) and, with the button held, says so in a motion
// event (SDL's own button state does not know of pushed presses; the pad reads its path from these).
void move(int x, int y, bool held) {
  SDL_WarpMouseInWindow(window(), x, y);
  if (!held) return;
  SDL_Event ev{};
  ev.type = SDL_MOUSEMOTION;
  ev.motion.windowID = SDL_GetWindowID(window());
  ev.motion.state = SDL_BUTTON_LMASK;
  ev.motion.x = x;
  ev.motion.y = y;
  SDL_PushEvent(&ev);
}

void key(SDL_Scancode code) {
  for (const bool down : {true, false}) {
    SDL_Event ev{};
    ev.type = down ? SDL_KEYDOWN : SDL_KEYUP;
    ev.key.windowID = SDL_GetWindowID(window());
    ev.key.state = down ? SDL_PRESSED : SDL_RELEASED;
    ev.key.keysym.scancode = code;
    ev.key.keysym.sym = SDL_GetKeyFromScancode(code);
    SDL_PushEvent(&ev);
  }
}

bool rect(const AppState& s, const std::string& name, ImVec4* r) {
  const auto it = s.ui.rects.find(name);
  if (it == s.ui.rects.end() || it->second.z <= 0 || it->second.w <= 0) return false;
  *r = it->second;
  return true;
}

// A click at the middle of the named widget, over four frames: move there, press, release, settle.
Step click(const std::string& name, std::function<bool(const AppState&)> then = nullptr) {
  auto at = std::make_shared<ImVec4>();
  return {"click " + name, 10, [name, then, at](AppState& s, int frame, std::string*) {
            if (frame == 0 && !rect(s, name, at.get())) return false;  // not on screen yet
            const int x = int(at->x + at->z / 2), y = int(at->y + at->w / 2);
            if (frame == 0) move(x, y, false);
            if (frame == 2) button(true, x, y);
            if (frame == 4) button(false, x, y);
            return frame >= 8 && (!then || then(s));
          }};
}

std::string ascii28(const float* img) {  // the pad's 28 × 28 image, for a failure message
  std::string out;
  for (int y = 0; y < 28; ++y, out += '\n')
    for (int x = 0; x < 28; ++x) out += " .:#"[std::min(3, int(img[y * 28 + x] * 4))];
  return out;
}

// The drawn 7 of the browser tests (tests/e2e/helpers.mjs, drawSeven): from the top left to the top
// right, then down to the bottom middle, eight moves a side, then the prediction once it settles.
Step draw_seven() {
  auto box = std::make_shared<ImVec4>();
  return {"draw a 7 on the pad and read it", 20, [box](AppState& s, int frame, std::string* failed) {
            const ImVec4& pad = *box;
            if (frame == 0 && !rect(s, "draw.pad", box.get())) return false;
            const float pts[3][2] = {{0.25f, 0.2f}, {0.75f, 0.2f}, {0.45f, 0.85f}};
            auto at = [&](float u, float v) { return std::pair<int, int>(int(pad.x + u * pad.z), int(pad.y + v * pad.w)); };
            if (frame == 0) {
              const auto [x, y] = at(pts[0][0], pts[0][1]);
              move(x, y, false);
            } else if (frame == 2) {
              const auto [x, y] = at(pts[0][0], pts[0][1]);
              button(true, x, y);
            } else if (frame >= 4 && frame < 4 + 16) {
              const int seg = (frame - 4) / 8, k = (frame - 4) % 8 + 1;
              const float* a = pts[seg];
              const float* b = pts[seg + 1];
              const auto [x, y] = at(a[0] + (b[0] - a[0]) * k / 8, a[1] + (b[1] - a[1]) * k / 8);
              move(x, y, true);
            } else if (frame == 21) {
              const auto [x, y] = at(pts[2][0], pts[2][1]);
              button(false, x, y);
            } else if (frame >= 40) {
              if (s.draw.pred != 7) *failed = "the drawn 7 reads as " + std::to_string(s.draw.pred) + ":\n" + ascii28(s.draw.img28);
              else std::printf("script: the drawn 7 reads as 7 (%.0f%%)\n", 100 * s.draw.probs[7]);
              return true;
            }
            return false;
          }};
}

Step wait_for(const char* what, double seconds, std::function<bool(const AppState&, std::string*)> done) {
  return {what, seconds, [done](AppState& s, int, std::string* failed) { return done(s, failed); }};
}

}  // namespace

// zlib's deflate and CRC; no filters.
std::vector<uint8_t> png_encode(int w, int h, int channels, const std::vector<uint8_t>& pixels) {
  const size_t row = size_t(w) * size_t(channels);
  std::vector<uint8_t> raw;
  for (int y = 0; y < h; ++y) {
    raw.push_back(0);  // filter: none
    raw.insert(raw.end(), pixels.begin() + ptrdiff_t(y * row), pixels.begin() + ptrdiff_t((y + 1) * row));
  }
  uLongf n = compressBound(uLong(raw.size()));
  std::vector<uint8_t> z(n);
  if (compress2(z.data(), &n, raw.data(), uLong(raw.size()), 6) != Z_OK) return {};
  z.resize(n);
  std::vector<uint8_t> out = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
  auto be32 = [&](uint32_t v) { for (int k = 3; k >= 0; --k) out.push_back(uint8_t(v >> (8 * k))); };
  auto chunk = [&](const char* type, const std::vector<uint8_t>& body) {
    be32(uint32_t(body.size()));
    const size_t at = out.size();
    out.insert(out.end(), type, type + 4);
    out.insert(out.end(), body.begin(), body.end());
    be32(uint32_t(crc32(0, out.data() + at, uInt(out.size() - at))));
  };
  std::vector<uint8_t> ihdr;
  for (const uint32_t v : {uint32_t(w), uint32_t(h)}) for (int k = 3; k >= 0; --k) ihdr.push_back(uint8_t(v >> (8 * k)));
  ihdr.insert(ihdr.end(), {8, uint8_t(channels == 1 ? 0 : 2), 0, 0, 0});  // 8 bits: grey or RGB
  chunk("IHDR", ihdr);
  chunk("IDAT", z);
  chunk("IEND", {});
  return out;
}

namespace {

bool write_png(const std::string& path, int w, int h, const std::vector<uint8_t>& rgb) {
  const std::vector<uint8_t> out = png_encode(w, h, 3, rgb);
  if (out.empty()) return false;
  FILE* f = std::fopen(path.c_str(), "wb");
  if (!f) return false;
  const bool ok = std::fwrite(out.data(), 1, out.size(), f) == out.size();
  return std::fclose(f) == 0 && ok;
}

// With DIGITLAB_SHOTS=DIR in the environment, the window as DIR/<name>.png, to look at.
Step shot(const char* name) {
  return {std::string("screenshot ") + name, 5, [name](AppState&, int frame, std::string* failed) {
            const char* dir = std::getenv("DIGITLAB_SHOTS");
            if (!dir || frame < 2) return frame >= 2;
            int w = 0, h = 0;
            SDL_GL_GetDrawableSize(window(), &w, &h);
            std::vector<uint8_t> rgba(size_t(w) * h * 4), rgb;
            glReadPixels(0, 0, w, h, GL_RGBA, GL_UNSIGNED_BYTE, rgba.data());
            for (int y = h - 1; y >= 0; --y)  // GL's rows start at the bottom
              for (int x = 0; x < w; ++x) rgb.insert(rgb.end(), &rgba[(size_t(y) * w + x) * 4], &rgba[(size_t(y) * w + x) * 4 + 3]);
            const std::string path = std::string(dir) + "/" + name + ".png";
            if (!write_png(path, w, h, rgb)) *failed = "could not write " + path;
            return true;
          }};
}

Step frames(int n) {
  return {"let the frames settle", 10, [n](AppState&, int frame, std::string*) { return frame >= n; }};
}

std::vector<Step> smoke() {
  std::vector<Step> v;
  v.push_back(wait_for("the dataset loads", 60, [](const AppState& s, std::string* failed) {
    if (s.data.phase == DataPhase::Failed) *failed = s.data.error;
    return s.data.phase == DataPhase::Ready;
  }));
  v.push_back(wait_for("the lesson link's run trains to the end", 600, [](const AppState& s, std::string* failed) {
    if (s.snap.phase == dl::TrainPhase::Diverged || !s.trainer_fault.empty()) *failed = s.snap.message + s.trainer_fault;
    if (s.snap.phase != dl::TrainPhase::Finished || !s.snap.has_eval) return false;
    std::printf("script: %s trained, test accuracy %.2f%%\n", s.snap.model_name.c_str(), 100 * s.snap.test_accuracy);
    if (!(s.snap.test_accuracy > 0.9)) *failed = "test accuracy " + std::to_string(s.snap.test_accuracy);
    return true;
  }));
  v.push_back(draw_seven());
  v.push_back(shot("trained-and-drawn"));
  for (const char* menu : {"menu.runs", "menu.saved", "menu.share", "menu.view"}) {
    v.push_back(click(menu));
    v.push_back({"close the menu", 5, [](AppState&, int frame, std::string*) {
                   if (frame == 0) key(SDL_SCANCODE_ESCAPE);
                   return frame >= 4;
                 }});
  }
  v.push_back(click("model.edit", [](const AppState& s) { return s.ui.rects.count("builder.window") > 0; }));
  v.push_back(shot("builder"));
  v.push_back(click("builder.done", [](const AppState& s) { return !s.model.builder_open; }));
  v.push_back(click("evaluation.confusion", [](const AppState& s) { return s.cell.shown; }));
  v.push_back(shot("cell"));
  v.push_back(click("evaluation.cell.close"));
  v.push_back(click("model.tab.learned"));
  v.push_back(click("model.learned.larger", [](const AppState& s) { return s.learned.shown; }));
  v.push_back(frames(10));
  v.push_back(shot("learned-larger"));
  v.push_back({"a phone-sized window shows one window at a time", 10, [](AppState& s, int frame, std::string*) {
                 if (frame == 0) SDL_SetWindowSize(window(), 412, 860);
                 return s.ui.narrow;
               }});
  for (int i = 0; i < kPaneCount; ++i)
  {
    v.push_back(click(std::string("pane.") + kPaneNames[i], [i](const AppState& s) { return s.ui.pane == i; }));
    v.push_back(shot(kPaneNames[i]));
  }
  return v;
}

}  // namespace

bool script_known(const std::string& name) { return name == "smoke"; }

bool script_frame(AppState& s, const std::string& name, int* exit_code) {
  static std::vector<Step> steps = smoke();
  static size_t at = 0;
  static int frame = 0;
  static double started = platform::now_ms();
  if (at == steps.size()) {
    std::printf("script %s: all %zu steps done\n", name.c_str(), steps.size());
    *exit_code = 0;
    return true;
  }
  std::string failed;
  const bool done = steps[at].run(s, frame++, &failed);
  const bool late = platform::now_ms() - started > 1000 * steps[at].seconds;
  if (!failed.empty() || (!done && late)) {
    std::fprintf(stderr, "script %s: step %zu (%s) %s\n", name.c_str(), at + 1, steps[at].what.c_str(),
                 failed.empty() ? "did not happen in time" : ("failed: " + failed).c_str());
    *exit_code = 1;
    return true;
  }
  if (done) ++at, frame = 0, started = platform::now_ms();
  return false;
}

}  // namespace app
