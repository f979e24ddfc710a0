// Lesson links: a network and its training settings in the fragment of the page's address, as a
// teacher shares them with a class:
//   #preset=cnn-tiny&epochs=3&autostart=1
//   #layers=conv:8:3:relu,pool:2,flatten,dense:10:softmax&lr=0.002&early_stopping=val_loss&patience=3
// Reading starts from the named preset's network and recipe (the first preset's when the link names
// none) and applies each key. Nothing is used silently wrong: an unknown preset or key, a value that
// is out of range or unreadable, layers that cannot be read — each gets a notice that names it and
// says what is used instead; and a link with a notice does not start training by itself. Whether the
// network can be built, and fits the data, is for Model::build and model_fits_data to say, as for a
// network built by hand. Writing keeps the preset and only the settings that differ from its recipe.
//
// Keys:  preset  layers (nn/spec_text.h)  opt|optimizer=sgd|adam|rmsprop
//   lr batch epochs val seed momentum rotation zoom width_shift height_shift patience min_delta
//   lr_factor lr_patience min_lr cosine_alpha label_smoothing (numbers: train/settings.h)  shift (width
//   and height)
//   class_weights=balanced|none  hflip vflip restore_best autostart (1|0)
//   early_stopping=val_loss|val_accuracy|0  reduce_lr=val_loss|val_accuracy|0
//   lr_schedule=cosine|constant (cosine: Keras' CosineDecay over the run, down to cosine_alpha × lr; it
//   turns reduce_lr off, and a reduce_lr after it stays off with a notice)
//   tab=basics|weights|callbacks|augmentation (the Training window's)  pane=data|model|train|draw|results
//   (the window a phone shows)  data=mnist|fashion (Fashion-MNIST's clothes instead of the digits)
//   limit=N (train on the first N training images)  scarce=D:N (keep only the first N images of digit D)  hide=data,model,... (windows a teacher's exercise leaves out; not
//   train)  lock=lr,epochs,model,... (settings shown but not changeable: lockable_names())
//   view=steps,unusual,robust,difference,mine (views the page opens: kLessonViewNames).
//   The page's own keys, sw=0 and build=st, are read by the page.
// Keys and values may be percent-encoded (%3A for ':'), as some mail and chat programs rewrite them.
#pragma once
#include <string>
#include <vector>

#include "../data/dataset.h"
#include "presets.h"

namespace dl {

constexpr int kLessonTabs = 4, kLessonPanes = 5, kLessonViews = 5;
extern const char* const kLessonTabNames[kLessonTabs];    // "basics", "weights", "callbacks", "augmentation"
extern const char* const kLessonPaneNames[kLessonPanes];  // "data", "model", "train", "draw", "results"
// The app's views a link can open: the pad's steps, the unusual images, the robustness curves, the
// difference from the previous run, the kept digits.
extern const char* const kLessonViewNames[kLessonViews];  // "steps", "unusual", "robust", "difference", "mine"
// The longest link read: a 64-layer network with every setting is under 2,000 characters.
constexpr size_t kMaxLessonChars = 16384;

// Which data a lesson uses: MNIST or Fashion-MNIST, and of its training images all, the first `limit`,
// and of class `scarce_digit` only its first `scarce_keep` (applied in that order).
struct LessonData {
  bool fashion = false;  // Fashion-MNIST instead of MNIST
  int limit = 0;  // 0: all
  int scarce_digit = -1, scarce_keep = 0;
  bool any() const { return limit > 0 || scarce_digit >= 0; }  // a subset of the training images
  bool operator==(const LessonData& o) const {
    return fashion == o.fashion && limit == o.limit && scarce_digit == o.scarce_digit && scarce_keep == o.scarce_keep;
  }
};
// The training images of `all` that `d` keeps, in their order.
Dataset lesson_training_data(const Dataset& all, const LessonData& d);
// In words, for the Data window: "the first 1,000 training images, with 50 of their 5,421 images of 5".
std::string lesson_data_text(const Dataset& all, const LessonData& d);

// What a teacher's link may lock: every numeric setting's key, and these.
//   opt class_weights early_stopping reduce_lr lr_schedule hflip vflip restore_best model (the network: preset, layers)
const std::vector<std::string>& lockable_names();

struct Lesson {
  const Preset* preset = nullptr;    // never null after lesson_parse
  ModelSpec model;                   // the preset's network, or the link's layers (named "custom")
  TrainConfig config;                // the preset's recipe with the link's settings
  bool autostart = false;            // train as soon as the data is in (never with a notice)
  int tab = -1, pane = -1;           // indices into the names above; -1: the link names none
  LessonData data;                   // data, limit, scarce
  bool hidden[kLessonPanes] = {};    // hide=: windows left out (never the Training window)
  std::vector<std::string> locked;   // lock=: lockable_names() the person cannot change, in link order
  bool views[kLessonViews] = {};     // view=: what the page opens
  std::vector<std::string> notices;  // what the link could not use, each with what is used instead
};

// The fragment with or without its '#'.
Lesson lesson_parse(const std::string& fragment);
// The fragment (without '#') that lesson_parse reads back as this lesson; pane -1 writes none.
std::string lesson_write(const Preset& preset, const ModelSpec& model, const TrainConfig& config, int pane,
                         bool autostart, const LessonData& data = {});
// The hide=, lock= and view= keys of a lesson ("" when it has none), to append to lesson_write's.
std::string lesson_write_limits(const Lesson& l);

// Ready-made lessons for the app's Lessons menu: a title, the link that sets them up, and what to look
// for, in a few sentences.
struct ReadyLesson {
  const char* title;
  const char* link;
  const char* about;
};
const std::vector<ReadyLesson>& ready_lessons();

}  // namespace dl
