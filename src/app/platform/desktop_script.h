// Scripted sessions of the desktop build (platform_desktop.cpp, --script NAME): the app driven through
// its own windows by pointer and key events, as a person would, to check it natively under ASan and
// UBSan. "smoke": the dataset loads, a lesson link's run trains to the end (over 90% on the test set),
// a digit drawn on the pad reads as a 7, every menu opens, the model builder, the confusion matrix's
// cell view and the larger "What it learned" view open and close, and each window is shown alone in a phone-sized window.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace app {

struct AppState;

bool script_known(const std::string& name);
// A PNG file's bytes: an 8-bit grey (channels 1) or RGB (3) image, rows top first; empty if zlib failed.
std::vector<uint8_t> png_encode(int w, int h, int channels, const std::vector<uint8_t>& pixels);
// Called at the end of every frame. Returns true when the script has ended, with the program's exit
// code: 0 if every check held, 1 if one failed (said on stderr).
bool script_frame(AppState& s, const std::string& name, int* exit_code);

}  // namespace app
