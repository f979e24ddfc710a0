// The app's one state struct and the functions over it. The folders: windows/ (one file per window or
// menu), ui/ (input, layout, GL and plot helpers), platform/ (what the app needs from where it runs:
// platform.h, with the browser page's and a desktop's implementations); here the state, the trainer
// bridge, the frame (main.cpp), saved runs and models, the lesson link and the automation's view.
// [SECTION] state: AppState and its parts
// [SECTION] frame: input, layout (ui/input.cpp, ui/layout.cpp)
// [SECTION] windows (windows/win_*.cpp)
// [SECTION] graphics (ui/gfx.cpp), plots (ui/plot.cpp)
// [SECTION] app start, automation (app.cpp, lesson_link.cpp, status_json.cpp)
#pragma once
#include <algorithm>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "bridge.h"
#include "run_meta.h"
#include "core/data/dataset.h"
#include "core/data/outliers.h"
#include "core/draw/preprocess.h"
#include "core/nn/inspect.h"
#include "core/train/lesson.h"
#include "core/nn/model.h"
#include "core/train/presets.h"
#include "imgui.h"

#include <SDL_events.h>

struct ImGuiWindow;

namespace app {

// ============================================================================ [SECTION] state

struct Texture {  // a single-channel (R8) GL texture
  unsigned id = 0;
  int w = 0, h = 0;
  ImTextureID im() const { return (ImTextureID)(intptr_t)id; }
};

enum class DataPhase { Waiting, Loading, Ready, Failed };
constexpr int kDataFiles = 4;  // train images, train labels, test images, test labels
extern const char* const kDataFileNames[kDataFiles];

struct DataState {
  DataPhase phase = DataPhase::Waiting;
  double loaded = 0, total = 0;    // bytes over all four files (total 0 = unknown yet)
  std::string current;             // the file being fetched
  std::vector<uint8_t> files[kDataFiles];
  bool got[kDataFiles] = {};
  std::string error;               // plain words when phase == Failed
  dl::Dataset train, test;         // train: all 60,000 (the validation split is made when training starts)
  std::vector<int> train_counts, test_counts;
  std::vector<double> balanced_all;  // balanced class weights over all training images in use
  Texture samples, means;          // atlas of sample digits; the ten mean images side by side
  int sample_cols = 0, sample_rows = 0;
  std::vector<int> sample_labels;
  double ready_ms = 0;             // time from page start to dataset ready
  // The user's own data (IDX files or a Kaggle train.csv), when loaded; MNIST above stays for "Use
  // MNIST again". The windows show data_train(s) / data_test(s), whichever is in use.
  std::shared_ptr<const dl::Dataset> user_train, user_test;
  std::string source = "MNIST";    // what is in use: "MNIST" or the user's file names
  std::string user_note;           // how the user's data was split, or "reading your files…"
  std::string user_error;          // why the user's files were refused (the current data stays)
  uint64_t generation = 0;         // counts changes of the data in use (data_make_views)
  // The lesson link's choice of data: Fashion-MNIST or MNIST, and a subset of its training images
  // (limit, scarce), and whether such a subset is in use. The Data window's choice of dataset sets
  // lesson.fashion too, so a shared link carries it.
  dl::LessonData lesson;
  bool lesson_applied = false;
  // Fashion-MNIST (Zalando's clothes, 10 classes), fetched by the page when first asked for and kept,
  // like MNIST, for switching back and forth.
  bool fashion = false;              // the data in use is Fashion-MNIST (or a subset): its class names
  std::shared_ptr<const dl::Dataset> fashion_train, fashion_test;
  bool fashion_fetching = false;
  int fashion_fetches = 0;         // the page was asked for the files this many times
  double fashion_loaded = 0, fashion_total = 0;  // bytes (total 0: unknown yet)
  // The user's own files are in use (not MNIST, a lesson's subset of it, or Fashion-MNIST).
  bool own() const { return user_train && !lesson_applied && !fashion; }
  // A Kaggle test.csv (images without labels) to predict for a submission; the data in use stays.
  std::shared_ptr<const dl::Dataset> kaggle;
  std::string kaggle_name;
  uint64_t kaggle_request = 0;     // the last Bridge::predict asked for it (0: none)
  uint64_t kaggle_downloaded = 0;  // the request whose submission.csv went to the browser
  uint64_t kaggle_requests = 0;    // counts them (never reused: the bridge's answer names its request)
};

struct ModelState {
  int preset = 0;                  // index into dl::presets()
  dl::ModelSpec spec;              // the builder's network (a preset's, or edited: name "custom")
  std::vector<dl::SummaryRow> rows;  // one per layer of spec; rows past an impossible layer are empty
  dl::Model plan;                  // spec built without weights (model_spec_changed); unbuilt if impossible
  size_t trainable = 0, non_trainable = 0;
  std::string build_error;         // why spec cannot be built (Model::build's message), empty = fine
  int error_layer = -1;            // 0-based layer the build error names, -1 = none or the whole model
  int selected = -1;               // builder: the selected layer (new layers go after it)
  bool builder_open = false;       // the big "Edit layers" window
  std::string refused;             // why the last Start was refused (the model is impossible)
  std::string error;               // a model file that could not be loaded, in plain words
  std::string notice;              // "loaded digits.dlmodel (mlp)"
  bool summary_dirty = true;
};

// The training settings the Training window edits: the trainer's own TrainConfig (a preset's recipe,
// a lesson link's, a reopened run's, as the person changed it), and what only the UI has.
struct TrainSettings {
  dl::TrainConfig cfg;             // train_config() gives it to a Start (momentum 0 unless SGD)
  float live_lr = 1e-3f;           // the learning-rate slider while training
  bool keep_weights = false;       // Start from the current weights (where can_keep_weights)
  int tab = 0;                     // settings tab to select on the next frame (-1 = leave as is)
};

constexpr int kPadN = 280;         // the draw pad's raster (kPadN × kPadN ink coverage)
constexpr size_t kMaxPathPoints = 2000;  // a digit takes a few hundred

struct PadEvent {                  // the left button (or a finger) pressed, dragged or released
  enum Kind : uint8_t { Down, Move, Up } kind;
  float x, y;                      // window coordinates, as ImGui's
};

struct DrawState {
  std::vector<float> pad = std::vector<float>(size_t(kPadN) * kPadN, 0.0f);
  std::vector<PadEvent> input;     // this frame's pointer events, in order (draw_input)
  bool dirty = true, has_ink = false, stroke = false;
  unsigned stroke_pad = 0;         // the ImGuiID of the pad the pointer last drew on (there are two)
  float last_x = 0, last_y = 0;    // previous brush position, pad units
  float brush = 11.0f;             // brush radius, pad units
  // The strokes' paths on the pad (pad units), which the network reads drawn again at MNIST's stroke
  // width (dl::strokes_to_mnist) unless the switch `redraw` is off; past kMaxPathPoints points the
  // paths stop growing and it reads the pad's ink.
  dl::PadPaths paths{float(kPadN), kMaxPathPoints};
  bool redraw = true;
  bool from_paths = false;         // the last drawing's pictures came from the paths
  float img28[28 * 28] = {};
  float probs[10] = {};
  int pred = -1;
  double latency_ms = 0;
  dl::Model model;                 // the draw pad's own copy of the weights
  uint64_t version = 0;
  uint64_t forwards = 0;           // counts the pad's forward passes (the Model window's maps follow)
  bool need_predict = false;
  Texture pad_tex, img_tex;
  // The window "From your drawing to 28 × 28" (win_steps.cpp): the preprocessing step by step, the
  // switch that reads the pad without it, and why the network answers what it does.
  bool steps_open = false, steps_focus = false, steps_shown = false;
  bool plain = false;              // read the whole pad shrunk to 28 × 28 (dl::pad_to_28) instead
  dl::DrawSteps steps;             // of the last drawing (dl::draw_to_mnist_steps)
  float plain28[28 * 28] = {};
  Texture boxed_tex, mnist_tex, plain_tex;
  // "Why this answer": occlusion maps for the read class and the runner-up, on a copy of the weights.
  std::unique_ptr<dl::Occlusion> why;
  dl::Model why_model;
  int why_class[2] = {-1, -1};
  std::vector<float> why_map[2];
  float why_scale = 0;             // the largest |value| of the two maps
  bool why_ready = false, why_stale = true;
  Texture why_tex[2];
};

struct LearnedView {               // the Model window's "What it learned" tab (core/nn/inspect.h)
  int mode = 0;                    // 0: the first layer's weights; 1: the drawn digit through the first convolution
  dl::Tiles kernels, maps;
  bool has_kernels = false, has_maps = false;
  std::string why;                 // why the first layer's weights are not pictures
  uint64_t kernels_version = ~0ull, maps_forwards = ~0ull;
  Texture kernels_tex, maps_tex;
  bool maps_signed = false;
  bool shown = false;              // drawn this frame (status())
  bool big = false;                // the large window is open
  bool focus_big = false;          // bring it to the front next frame
  // The larger view's "Layer by layer": the drawn digit through every layer (dl::layer_output).
  bool layers_view = false;
  std::vector<dl::Tiles> layers;   // per layer of the draw pad's model; n = 0: not pictured
  std::vector<Texture> layer_tex;  // grows only (GL textures are reused, never freed)
  std::vector<char> layer_signed;  // the layer has negative values: the diverging map, else the heat map
  uint64_t layers_forwards = ~0ull;
  bool layers_shown = false;       // drawn this frame (status())
};

struct CellView {                  // the test images behind one confusion-matrix cell (win_eval.cpp)
  int truth = -1, predicted = -1;  // the cell clicked; truth < 0: no window
  bool focus = false;              // bring the window to the front next frame
  uint64_t run = ~0ull, version = ~0ull;  // the evaluation the images were picked from
  std::vector<int> items;          // test-image indices, the most telling first
  int total = 0;                   // how many images the cell holds
  Texture tex;                     // the items as a grid of tiles (kCellCols across)
  bool shown = false;              // drawn this frame (status())
};

// The Data window's "Unusual images" window (win_outliers.cpp): per digit, the training images
// farthest from that digit's average image, and the pairs of digits whose images most often look
// like the other's average; a click on an image says its label and how the current model reads it.
struct OutliersView {
  bool open = false, focus = false;
  uint64_t generation = 0;              // DataState::generation of the training images it scans (0: none)
  std::unique_ptr<dl::OutlierScan> scan;  // under way, a few thousand images a frame
  dl::ClassOutliers result;
  bool ready = false;
  int digit = 0;                        // whose unusual images show
  Texture atypical_tex, pairs_tex;
  int tex_digit = -1;                   // the digit atypical_tex holds
  int picked = -1;                      // the training image clicked
  uint64_t read_version = ~0ull;        // the pad model's version the reading was made with
  int read_index = -1;                  // the image it is of
  dl::Model model;                      // a copy of the pad's weights at read_version
  int read_pred = -1;                   // -1: no model can read it
  float read_prob = 0;
  bool shown = false;                   // drawn this frame (status())
};

// The "How robust is it?" window (win_robust.cpp): the current model's test accuracy as the test images
// are rotated, shifted, scaled and noised, computed on the trainer side (Bridge::robustness).
struct RobustView {
  bool open = false, focus = false;
  int images = 10000;              // test images per point, as chosen (at most the test set's)
  uint64_t requests = 0;           // Bridge::robustness requests made; the snapshot's answer to the last counts
  bool shown = false;              // drawn this frame (status())
};

// The class's own digits (win_mine.cpp): drawn on the pad, kept with a label ("Keep as a 3"), stored
// in the browser (platform::kept_save), shown as a grid per digit, exported and imported as IDX files;
// the window reads them with the current model beside its test accuracy.
struct MyDigits {
  dl::Dataset set;                  // 28 × 28, labels 0..9, in the order kept (name "my digits")
  bool requested = false;           // the page was asked for its copy
  bool loaded = false;              // ... and answered (none, or read)
  bool open = false, focus = false, shown = false;
  uint64_t version = 0;             // counts changes of the set
  uint64_t tex_version = ~0ull;     // the set's version `tex` shows
  Texture tex;                      // the set as tiles, kMineCols across, in order
  std::string note, error;          // what the last keep, removal, import or save did
  // The current model's reading of the set (a copy of the pad's weights, a few images a frame).
  dl::Model model;
  uint64_t test_version = ~0ull, test_model = ~0ull;  // the set and pad-model versions it was made for
  std::unique_ptr<dl::Evaluation> eval;
  bool tested = false;
  std::vector<uint8_t> pred;
  dl::Confusion confusion{10};
  double accuracy = 0;
  // "Fine-tune on my digits": kTuneEpochs more epochs of the current network on the training images in
  // use plus the kept digits but every 4th of each digit, repeated to be about kTuneShare of an epoch;
  // the 4th ones, which it does not train on, read before and after.
  struct Tune {
    enum Stage { None, Asked, Running, Reading, Done } stage = None;
    uint64_t run_before = 0, run = 0;  // the Snapshot::run before the Start, and the run it made
    uint64_t set_version = 0;          // the set it was made with (a change meanwhile ends it)
    std::vector<int> held;             // the held-out digits, indices into the set
    int trained = 0, repeats = 0;      // kept digits trained on, and the times each is in an epoch
    int epoch_images = 0;              // the run's training images (MNIST's and the repeated kept ones)
    int right_before = 0, right_after = -1;
    double test_before = -1, test_after = -1;  // on the test set in use, when evaluated
    std::string stopped;               // the run's message if it was stopped before its end
    std::string error;                 // why it did not start or has no result
  } tune;
};
constexpr int kMaxMine = 2000;      // kept digits at most (1.6 MB; the grid's texture 1792 × 896)
constexpr int kTuneEpochs = 2;
constexpr double kTuneShare = 0.05;  // the repeated kept digits' share of a fine-tuning epoch

struct Env {
  bool threads = false, simd = false, isolated = false, desktop = false;
  int workers = 0, cores = 1;
  float dpr = 1;
};

// Frame pacing (main.cpp). While the trainer thread trains untouched: kTrainingFps frames a second,
// fewer if the measured cost of a frame would take more than kTrainingUiShare of one core, never
// fewer than kTrainingMinFps, looked at every kPacedTickMs on a timer (no animation frames). With
// nothing running and nobody at the page, every kIdleFrameInterval-th animation frame.
constexpr double kTrainingFps = 2, kTrainingUiShare = 0.08, kTrainingMinFps = 1;
constexpr int kIdleFrameInterval = 30;
constexpr double kPacedTickMs = 50;

// The flags of the five tiled windows: main.cpp places and sizes them every frame.
constexpr ImGuiWindowFlags kTile = ImGuiWindowFlags_NoMove | ImGuiWindowFlags_NoResize | ImGuiWindowFlags_NoCollapse;

// The five windows, in the order of the narrow layout's tabs.
enum Pane { kPaneData, kPaneModel, kPaneTrain, kPaneDraw, kPaneResults, kPaneCount };
extern const char* const kPaneNames[kPaneCount];  // "Data", "Model", "Train", "Draw", "Results"
struct AppState;
// Begin() for one of the five windows: notes its rectangle ("window.data", …) and whether it has the
// keyboard (Ui::key_pane), and takes the keyboard when Ctrl+←/→ asked for it (Ui::focus_pane).
void begin_tile(AppState& s, Pane pane, const char* title, ImGuiWindowFlags flags = kTile);

struct Ui {
  // The part of the frame under way (a string literal): after a trap that stops the frames, the page's
  // status() says where the frame was (a browser's stack names only the function everything is inlined
  // into). "" between frames.
  const char* stage = "before the first frame";
  float font_px = 18, dpr = 1;
  int font_steps = 0;  // the View menu's Larger / Smaller text, in 2 px steps from the size the page picks
  bool fonts_dirty = true;
  std::map<std::string, ImVec4> rects;  // widget name → (x, y, w, h) in ImGui units (CSS pixels)
  std::string focused;                  // the name of the widget keyboard navigation is on, if noted
  int key_pane = -1;                    // the window that has the keyboard this frame, -1: none of the five
  int focus_pane = -1;                  // the window Ctrl+←/→ moves the keyboard to next frame
  uint64_t frames = 0;
  double fps = 0, last_frame_ms = 0;
  // The UI thread's time to build each of the last frames (ms): from taking the snapshot to ImGui's
  // draw lists, before WebGL draws them. status().ui_ms is their median.
  float build_ms[32] = {};
  // Frame pacing (main.cpp): every frame_interval-th animation frame (kIdleFrameInterval: left alone);
  // while saving CPU for training, one frame every frame_period_ms (0: no such limit), the frames
  // called every frame_tick_ms on a timer (0: on animation frames).
  int frame_interval = 1;
  double frame_period_ms = 0, frame_tick_ms = 0;
  double paced_fps() const { return 1000.0 / std::max(1.0, frame_period_ms); }  // while saving CPU
  bool saving_cpu = false;   // frames paced to leave the cores to the trainer (the Training window says so)
  // What a frame costs the UI thread (ms, moving average): from its start to its end, and while
  // paced for training, through glFinish, so that software WebGL's drawing counts too.
  double frame_cost_ms = 0;
  double ui_share = 0;          // the UI thread's busy share of one core over the last second or so
  double share_busy_ms = 0, share_since_ms = 0;
  double last_input_ms = 0;  // time of the last user input (SDL event or digitlab_wake)
  std::string share_url;            // the last lesson link made by the Share menu
  bool share_popup = false;         // open the popup that shows it
  // What the lesson link the page opened with (or a pasted one) could not use (dl::Lesson::notices),
  // shown in a popup until its OK.
  std::vector<std::string> link_notices;
  bool link_popup = false;          // open that popup next frame
  // The Training window's settings tabs: each tab's own height and the height of what comes between
  // them and the curves, as last drawn (win_training.cpp keeps the curves in view).
  float train_tab_h[4] = {0, 0, 0, 0}, train_below_h = 0;
  bool show_previous = true;  // View › Compare with the previous run: its curves in grey
  bool eval_diff = false;     // the Evaluation window shows this run's matrix minus the previous run's
  int lesson = -1;            // the ready-made lesson (dl::ready_lessons) set up last, -1: none
  // The page's lesson link's hide= and lock=: windows left out, settings shown but fixed (a teacher's
  // focused exercise). The Lessons menu does not change them (it is off while the link fixes any).
  bool hidden[kPaneCount] = {};
  std::vector<std::string> locked;
  bool lesson_popup = false;  // open its explanation next frame
  // Small pages (a phone, upright or turned): one window at a time, chosen from a row of tabs.
  bool narrow = false;
  bool hovering = false;  // the pointer was over a widget at the end of the last frame (status())
  int pane = kPaneTrain;            // the window shown when narrow
  std::string pane_seen[kPaneCount];  // each window's pane_news() when it was last on screen
  ImGuiStyle base_style;            // the style at 15 px text, scaled to the text size (layout.cpp)
};

// The pointer as the events taken so far say (input.cpp).
struct InputState {
  std::vector<SDL_Event> held;   // events for the next frame: quick key releases, a press after a jump
  bool left_down = false;        // the left button (or a finger) is down
  bool left_pressed = false;     // ... was pressed this frame, however short
  bool touch = false;            // ... and it is a finger (SDL's touch-to-mouse events)
  bool lift = false;             // a finger was lifted: once ImGui has seen the release, it hovers nothing
  bool lifted = false;           // ... ImGui saw the release last frame
  bool pointer_gone = false;     // no hover until the pointer comes back (a finger, once lifted)
  ImGuiWindow* scroll_target = nullptr;  // the window a finger's drag scrolls (touch_scroll)
  ImVec2 scroll_last;            // ... and where the finger was
};

struct PlotMarker {                // a vertical line at x with a short label, details on hover
  float x;
  ImU32 color;
  std::string label, tip;
};
struct Series {
  std::vector<float> x, y;
  ImU32 color;
  const char* label;
  float thickness = 2.0f;
  bool markers = false;
};
// A run's curves (win_training.cpp), extended as its records arrive rather than rebuilt every frame:
// a 100-epoch mlp-deep run has 187,500 batch records.
struct RunCurves {
  uint64_t run = ~0ull;            // the Snapshot::run (or PreviousRun::run) they were built from
  size_t batches = 0, epochs = 0;  // the records taken so far
  int batches_per_epoch = 0;
  float ema_loss = 0, ema_acc = 0;                  // the smoothing's state after the last batch taken
  Series loss, acc, lr;                             // per batch, smoothed; x in epochs
  Series train_loss, train_acc, val_loss, val_acc;  // per epoch
  float acc_lo = 100;                               // the lowest point of `acc`
};

// Runs kept in this browser (runs.cpp, with the page's IndexedDB in web/app.js): every run is saved
// whole after each epoch, on pause and stop, and when it ends; a reload opens the latest again.
struct RunsState {
  int made = 0;                 // runs given a key in this page (part of the key)
  std::string current_id;       // the page's key the current run is saved under ("" = none)
  std::string current_lesson;   // its settings as a lesson link (lesson_hash without autostart)
  uint64_t autosave_version = 0;  // the last Bridge autosave handed to the page
  uint64_t first_run = 0;       // the bridge's run numbers from here on are the current run's
  int saved_epochs = -1;        // epochs in the last autosave handed over (-1: none yet)
  double saved_at_ms = 0;       // when (the app's clock)
  double save_seconds = 0;      // what the last one took: serializing on the trainer side
  std::vector<SavedRun> list;   // newest first, as the page last listed them
  bool listed = false;          // the page has listed them once (or said it cannot)
  bool page_holds_runs = false; // ... and holds any, read or not (a foreign line is not in `list`)
  bool checked = false;         // the latest run was considered for reopening at startup
  bool opened_with_link = false;  // the page's address held a lesson link
  std::string opening_id;       // a run asked of the page, until its bytes arrive
  uint64_t restored_seen = 0;   // Snapshot::restored already applied to the settings
  std::string notice, error;    // shown in the Training window
  double usage = 0, quota = 0;  // the page's storage estimate, bytes (0 = unknown)
  bool confirm_forget = false;  // open the "Forget everything saved" confirmation
};

struct AppState {
  Env env;
  InputState input;
  DataState data;
  ModelState model;
  TrainSettings train;
  DrawState draw;
  Ui ui;
  // The trainer. Replaced, never destroyed, after a fault on its thread or a kernel worker (its
  // threads may still hold its locks): trainer() makes the new one when something needs it.
  Bridge* bridge = new Bridge();
  std::string trainer_fault;       // what the last fault was, until a new trainer is made ("" = none)
  Snapshot snap;                   // this frame's copy of the trainer's state
  bool model_fashion = false;      // the current model was trained (or loaded) on Fashion-MNIST
  bool autostart_pending = false;
  bool hash_pending = false;        // the URL hash changed after load: apply it when not training
  Texture confusion_tex;
  uint64_t confusion_version = ~0ull;
  Texture strip_tex;               // the augmented images being fed, side by side
  uint64_t strip_version = ~0ull;
  RunCurves curves, previous_curves;  // the current run's, and the previous one's (grey)
  LearnedView learned;
  CellView cell;
  OutliersView outliers;
  RobustView robust;
  MyDigits mine;
  RunsState runs;
};

AppState& app_state();

// The trainer, for anything that sends it a command: after a fault, a new one (with a new kernel pool)
// that has the data in use and the weights last published (the pad's), so training can go on.
Bridge& trainer(AppState& s);
// Once a frame, before the snapshot: a fault on the trainer side ends the run where it was, with a
// message; the curves, results and the pad's weights stay.
void check_trainer(AppState& s);

// A training run is starting, going or paused: what would end it (new data, a model file, another
// network, a lesson link) waits or is refused.
inline bool run_in_progress(const AppState& s) { return s.snap.phase == dl::TrainPhase::Running || s.snap.starting; }

// Shared helpers (app.cpp)
const dl::Preset& current_preset(const AppState& s);
void apply_preset_recipe(AppState& s);   // settings from the preset's training recipe
// The settings as one of the preset's recipes: 0 its notebook's, 1 its improved one (dl::Preset), -1
// neither (changed by hand; the seed does not count). apply_recipe sets one; the network stays.
int current_recipe(const AppState& s);
void apply_recipe(AppState& s, bool improved);
dl::TrainConfig train_config(const AppState& s);
void start_training(AppState& s, bool paused);
// A run of `epochs` from the current weights with `extra` images added to the training images (My
// digits' fine-tuning): as start_training, else. False (and s.model.refused says why) if it did not start.
bool start_fine_tuning(AppState& s, std::shared_ptr<const dl::Dataset> extra, int epochs);
// Whether the weights trained or loaded so far (the draw pad's copy of the published ones) fit the
// network in the Model window, so Start can continue from them (TrainSettings::keep_weights).
bool can_keep_weights(const AppState& s);
// Bytes a training run of this network (a plan: ModelState::plan) with these settings holds, the app's
// copies included (dl::training_bytes plus the published weights, the draw pad's and one being
// saved); 0 if the network cannot be built. "14 MB", "1.2 GB".
double training_memory(const dl::Model& plan, const dl::TrainConfig& cfg);
// Whether the page can take `need` more bytes now: "" if so, else why not (", and the page has 300 MB"),
// to follow a sentence that says what needs them (app.cpp).
std::string memory_shortfall(double need);
void note_rect(AppState& s, const char* name);  // records the last ImGui item's rectangle
void note_rect(AppState& s, const char* name, ImVec2 min, ImVec2 max);
void note_window(AppState& s, const char* name);  // records the current window's rectangle
void data_file_arrived(AppState& s, int which, std::vector<uint8_t> bytes);
void data_failed(AppState& s, const std::string& message);
// The datasets in use (the user's own, else MNIST) and the Data window's views of them (win_data.cpp).
const dl::Dataset& data_train(const AppState& s);
const dl::Dataset& data_test(const AppState& s);
// The data in use as dl::model_fits_data sees it (the images' size, no images): MNIST's 28 × 28
// before any data is in.
dl::Dataset data_shape(const AppState& s);
void data_make_views(AppState& s);       // per-digit counts, sample grid, mean images
// A user's files, already gunzipped by the page: IDX images/labels pairs, one Kaggle train.csv, or one
// Kaggle test.csv (images to predict for a submission, DataState::kaggle).
struct UserFile {
  std::string name;
  std::vector<uint8_t> bytes;
};
void user_data_arrived(AppState& s, std::vector<UserFile> files, bool fashion = false);
void use_mnist_again(AppState& s);
// Fashion-MNIST (or MNIST again) as the data in use, fetched first if need be; the lesson link's
// subset (limit, scarce) applies to it. Refused, with a message, while a run is in progress.
void choose_dataset(AppState& s, bool fashion);
// The name of class k in the data in use ("7", or Fashion-MNIST's "Ankle boot"), and what a class is
// called there: "digit" or "class".
std::string class_name(const AppState& s, int k);
const char* class_noun(const AppState& s);
// As the Evaluation window names them: the report's row of class k ("digit 7", "Ankle boot") and the
// matrix's column title ("predicted digit", "predicted class").
std::string report_row_name(const AppState& s, int k);
const char* predicted_axis_title(const AppState& s);
void kaggle_update(AppState& s);         // each frame: a finished prediction's submission.csv to the browser
void store_menu(AppState& s);            // the "Saved model" menu: a model kept in IndexedDB (store.cpp)
void runs_menu(AppState& s);             // the "Runs" menu: runs kept in IndexedDB (runs.cpp)
void runs_update(AppState& s);           // each frame: autosaves to the page, the startup reopening
void runs_new(AppState& s);              // a Start: the run gets its own key
void runs_notice(AppState& s);           // the Training window's line about saving and reopening
bool runs_waiting(const AppState& s);    // a lesson link's autostart waits for the run list
void model_file_arrived(AppState& s, const std::string& name, const uint8_t* bytes, size_t size);
void draw_update(AppState& s);           // keeps the pad's weights fresh and predicts when needed
// Queues an SDL event for the pad if it is the left button's (or a finger's) press, drag or release.
// ImGui 1.86 reads the mouse once per frame: on a slow frame a quick stroke lost its corners and its
// end. The pad draws every queued point instead (window_draw), and main.cpp clears the queue.
void draw_input(AppState& s, const SDL_Event& ev);
// The pad's forward-pass time as the UI shows it: "0.31 ms", or "under 1 ms" where the browser's clock
// is coarse (Firefox gives pages that are not cross-origin isolated a 1 ms clock).
std::string latency_text(double ms);
// The last item's tooltip, wrapped at `width_em` font heights; shown on a disabled item too.
void hint(const char* text, float width_em = 26);
// A "(?)" after the last item, its text on hover; where it would run past the window's edge, the
// last item itself shows the text on hover instead.
void help_marker(const char* text);
// v within [lo, hi]; lo where v is NaN (ImGui reads "nan" typed into a number field, and clamps
// leave it as it is).
inline float finite_clamp(float v, float lo, float hi) { return v >= lo ? (v <= hi ? v : hi) : lo; }
// ImGui::SameLine() if an item `width` wide still fits beside the last one; else the item goes on the
// next line (a narrow window: a 1024 × 768 projector). Returns whether it stayed on the line.
bool same_line_if_fits(float width);
// The width of a button, or of a checkbox with its label, labelled `label` (up to any "##").
float button_width(const char* label);
float checkbox_width(const char* label);
void model_spec_changed(AppState& s);    // rebuilds the summary rows and the error after an edit (win_model.cpp)
// Balanced class weights over all training images (the table before a run; win_training.cpp).
const std::vector<double>& balanced_weights_all(const AppState& s);

// ============================================================================ [SECTION] frame: input, layout
// The frame's events to ImGui and the pad (input.cpp), before ImGui's NewFrame; after its SDL backend
// has read SDL's state, the button and pointer as the events say; after NewFrame, a finger's drag
// scrolls the window under it.
void input_events(AppState& s, double t_frame);
void input_after_backend(AppState& s);
void touch_scroll(AppState& s);
void setup_style(AppState& s);                          // layout.cpp
void layout_fonts(AppState& s, int win_w, int win_h);   // the text size for the page's size
void layout_windows(AppState& s);                       // the menu bar, the windows, the status bar

// ============================================================================ [SECTION] windows
void window_data(AppState& s);
void window_model(AppState& s);
void window_training(AppState& s);
void window_evaluation(AppState& s);
// The test images of the confusion-matrix cell last clicked, left of x = right_x (the Evaluation window).
void cell_window(AppState& s, float right_x, float top);
void outliers_window(AppState& s, float left_x, float top);  // the Data window's "Unusual images"
void robust_window(AppState& s);  // "How robust is it?", opened from the Evaluation window or the View menu
void mine_window(AppState& s);    // "My digits" (win_mine.cpp)
void mine_update(AppState& s);    // each frame: the kept digits from the page once, the test a few a frame
void keep_drawing(AppState& s, int label);  // the pad's 28 × 28 image, kept as `label`
void keep_popup(AppState& s);     // the Draw window's "Keep as…" choice (opened as popup "keep")
// Files picked for My digits' Import: an images + labels pair of 28 × 28 IDX files, added to the set.
void mine_import(AppState& s, const std::vector<UserFile>& files);
// An images + labels pair of IDX files among `files` (any names) read into *out: "" or what is wrong.
std::string read_idx_pair(const std::vector<UserFile>& files, dl::Dataset* out);
void open_robust(AppState& s);    // opens it (in front)
// The snapshot's robustness curves answer the window's last request (not an older one's, or none).
bool robust_current(const AppState& s);
// A window over the tiles (a cell's images, unusual images, the pad's steps, robustness): at pos with
// pivot and of `size` when it appears, in front when *focus (then cleared), its rectangle noted as
// `note`. Returns ImGui::Begin()'s answer; the caller ends it with ImGui::End(). *open turns false
// when its close box is pressed.
bool begin_floating(AppState& s, const char* title, const char* note, ImVec2 pos, ImVec2 pivot, ImVec2 size,
                    bool* focus, bool* open);
// The narrow layout's tabs (app.cpp): what a window has to say that someone on another tab would miss
// ("" = nothing), and the tab's label with " !" (an unseen error) or " •" (unseen results).
std::string pane_news(const AppState& s, int pane);
std::string pane_label(const AppState& s, int pane);
void window_draw(AppState& s);
void steps_window(AppState& s);  // "From your drawing to 28 × 28", opened from the Draw window
void open_steps(DrawState& d);   // opens it (in front), with its pictures of the current drawing
// A pad of side × side at the cursor, drawn on with mouse, pen or finger (the Draw window's, and a
// smaller one in the larger "What it learned" view); both draw the same ink. note: its note_rect name.
void draw_pad(AppState& s, const char* id, float side, const char* note);
void clear_pad(DrawState& d);
// The lesson link's fragment that reproduces the current network and training settings
// (dl::lesson_write); autostart adds autostart=1.
std::string lesson_hash(const AppState& s, bool autostart);
// "&view=robust,steps": the views open now, for a shared link to open too ("" when none is).
std::string view_keys(const AppState& s);
// A lesson link (a fragment, with or without '#') applied as if the page had opened with it; the
// caller makes sure no run is in progress. The ready-made lesson it is, if any, becomes the current one.
// Returns the lesson read (its hide= and lock= are the caller's to use).
dl::Lesson apply_lesson_link(AppState& s, const std::string& link);
// The lesson's choice of training images on MNIST, once MNIST is in (limit, scarce); MNIST whole again
// when a lesson without them replaces one with them.
void lesson_data_apply(AppState& s);
void lessons_menu(AppState& s);          // the "Lessons" menu (win_lessons.cpp)
void lesson_window(AppState& s);         // the chosen lesson's explanation, a popup
// Whether the page's lesson link locks this setting (dl::lockable_names); and a widget under such a lock:
// disabled, and saying why when hovered. Use it around one widget: { Locked l(s, "lr"); ImGui::Slider…; }
bool locked(const AppState& s, const char* name);
bool link_fixes_lesson(const AppState& s);  // hide= or lock= in the page's link
struct Locked {
  bool on;
  Locked(const AppState& s, const char* name);
  ~Locked();
};
void share_menu(AppState& s);     // menu bar: copy a lesson link, download the epochs and report (win_share.cpp)
void link_notice_popup(AppState& s);  // what a lesson link could not use (lesson_link.cpp)
void learned_view(AppState& s);   // the Model window's "What it learned" tab (win_learned.cpp)
void learned_window(AppState& s); // the same, large, when its "Larger view" button was pressed
void status_bar(AppState& s);      // how the app runs here, and its frame rate (win_status.cpp)

// ============================================================================ [SECTION] graphics
enum class ImageMode : int { Ink = 0, Heat = 1, Diverge = 2 };
bool gfx_init(std::string* error);
void texture_r8(Texture* t, int w, int h, const uint8_t* pixels, bool smooth);
// Grey images of h × w (0..255) packed into one texture as a grid of cols × rows tiles, image i at
// (i % cols, i / cols); unused tiles are blank. grid_uv gives tile i's texture rectangle.
void texture_image_grid(Texture* t, const std::vector<const uint8_t*>& images, int h, int w, int cols, int rows,
                        bool smooth);
void grid_uv(int cols, int rows, int i, ImVec2* uv0, ImVec2* uv1);
// Draws a texture through the app's shader (shaders/image_fs.glsl) in the given mode.
void draw_image(ImDrawList* dl, const Texture& t, ImVec2 p0, ImVec2 p1, ImageMode mode,
                ImVec2 uv0 = ImVec2(0, 0), ImVec2 uv1 = ImVec2(1, 1));

// A line plot with axes, grid, legend (PlotMarker and Series: see the state section). ymin/ymax NAN =
// automatic.
void plot_lines(const char* id, ImVec2 size, const char* title, const std::vector<const Series*>& series, float xmin,
                float xmax, float ymin, float ymax, const char* xlabel, const char* yfmt,
                const std::vector<PlotMarker>* markers = nullptr);

// ============================================================================ [SECTION] app start, automation
// The environment from the platform (platform.h), the worker count, the lesson link (app.cpp).
void app_init(AppState& s, int argc, char** argv);
// The lesson link in the page's address: applied at start, and again once no run is in progress
// when a new one is pasted into the tab (lesson_link.cpp).
void apply_lesson(AppState& s);
void lesson_link_update(AppState& s);  // each frame
// What the page's automation reads (status_json.cpp): the app's state, and the named widgets'
// rectangles (note_rect), as JSON.
std::string status_json(AppState& s);
std::string layout_json(const AppState& s);
// Where the frames are (status()'s "frame", also read after a trap stopped them: it reads only Ui): the
// part of the frame under way (Ui::stage), frames drawn, the wasm memory's size.
std::string frame_json(const AppState& s);

}  // namespace app
