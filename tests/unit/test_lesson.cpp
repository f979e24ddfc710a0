// Lesson links and the layer-spec text: what they read, what they write back, and what they refuse,
// each refusal named in a notice with what is used instead.
#include <algorithm>
#include <set>
#include <string>

#include "core/nn/spec_text.h"
#include "core/train/lesson.h"
#include "core/train/presets.h"
#include "core/train/settings.h"
#include "helpers.h"

using namespace dl;

namespace {
bool contains(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }

// The notice a link gives (exactly one expected).
std::string only_notice(const std::string& link) {
  const Lesson l = lesson_parse(link);
  REQUIRE_MESSAGE(l.notices.size() == 1, link);
  return l.notices[0];
}
}  // namespace

TEST_CASE("spec text: every preset reads back as itself") {
  for (const Preset& p : presets()) {
    const std::string text = spec_to_text(p.model);
    ModelSpec back;
    REQUIRE_MESSAGE(spec_from_text(text, &back).ok(), text);
    CHECK(back.name == "custom");
    CHECK(spec_to_text(back) == text);
    Model a, b;
    REQUIRE(a.build(p.model, false).ok());
    REQUIRE(b.build(back, false).ok());
    CHECK(a.summary_text().substr(a.summary_text().find('\n')) == b.summary_text().substr(b.summary_text().find('\n')));
  }
  CHECK(spec_to_text(preset_find("cnn-tiny")->model) ==
        "conv:8:3:relu,conv:8:3:relu,pool:2,conv:16:3:relu,conv:16:3:relu,pool:2,flatten,dropout:0.3,dense:10:softmax");
  CHECK(spec_to_text(preset_find("mlp-deep")->model).rfind("in=flat,dense:512:relu,dropout:0.5,", 0) == 0);
}

TEST_CASE("spec text: what only a file could hold before reads back too") {
  ModelSpec m;
  m.name = "custom";
  m.layers = {conv2d(4, 3, Act::LeakyReLU, true, 2, 0.001f), maxpool2d(3), flatten(), activation(Act::Linear),
              dense(10, Act::Softmax)};
  m.layers[0].alpha = 0.2f;
  m.layers[1].stride = 1;
  const std::string text = spec_to_text(m);
  CHECK(text == "conv:4:3:leaky_relu:alpha=0.2:same:s2:l2=0.001,pool:3:s1,flatten,linear,dense:10:softmax");
  ModelSpec back;
  REQUIRE(spec_from_text(text, &back).ok());
  CHECK(back.layers[0].act == Act::LeakyReLU);
  CHECK(back.layers[0].alpha == 0.2f);
  CHECK(back.layers[0].stride == 2);
  CHECK(back.layers[1].stride == 1);
  CHECK(spec_to_text(back) == text);
  // A pool's stride is its size unless given, as in Keras.
  REQUIRE(spec_from_text("pool:3", &back).ok());
  CHECK(back.layers[0].stride == 3);
}

TEST_CASE("spec text: each wrong token is named") {
  ModelSpec m;
  m.name = "kept";
  auto error = [&](const std::string& text) {
    const Status st = spec_from_text(text, &m);
    CHECK(m.name == "kept");  // unchanged
    return st.error;
  };
  CHECK(contains(error("flatten,dense:abc"), "\"dense:abc\": 'abc' is not a number or an option of dense"));
  CHECK(contains(error("dense:12.5"), "\"dense:12.5\": '12.5' is not a whole number"));
  CHECK(contains(error("dense:99999999999"), "'99999999999' is not a whole number"));
  CHECK(contains(error("dropout:nan"), "'nan' is not a number or an option of dropout"));
  CHECK(contains(error("leaky:inf"), "'inf' is not a number or an option of leaky"));
  CHECK(contains(error("dense:64:relu:l2=nan"), "'l2=nan': l2 needs a number"));
  CHECK(contains(error("dense:64:l2=0x1p3"), "'l2=0x1p3': l2 needs a number"));
  CHECK(contains(error("pool:2:relu"), "'relu' is not a number or an option of pool"));
  CHECK(contains(error("dense:10:20"), "'20': dense takes 1 number(s)"));
  CHECK(contains(error("resnet"), "\"resnet\": not a layer this app knows (try dense:64:relu"));
  CHECK(contains(error("flatten,in=flat"), "\"in=flat\": the input comes first"));
  std::string many;
  for (int i = 0; i < 65; ++i) many += "relu,";
  CHECK(contains(error(many), "more than 64 layers; this tool builds at most 64"));
  // Numbers that read but cannot build are Model::build's to refuse: they read, and stay what they
  // were (int's largest once came back as its smallest through a float: found by fuzzing).
  CHECK(spec_from_text("conv:-3:0:s0,dense:0", &m).ok());
  REQUIRE(spec_from_text("flatten,dense:2147483647", &m).ok());
  CHECK(m.layers[1].units == 2147483647);
  Model built;
  CHECK(contains(built.build(m, false).error, "layer 2 (Dense): units must be 1..65,536"));
}

TEST_CASE("lesson link: the settings it names, on the preset's recipe") {
  const Lesson l = lesson_parse("#preset=cnn-tiny&epochs=3&batch=64&lr=0.002&optimizer=sgd&momentum=0.9&val=0.15"
                                "&class_weights=balanced&rotation=12&shift=0.1&width_shift=0.05&hflip=1"
                                "&early_stopping=val_accuracy&patience=3&min_delta=0.01&restore_best=1"
                                "&reduce_lr=val_loss&lr_factor=0.5&lr_patience=2&min_lr=1e-5&tab=callbacks&pane=draw"
                                "&autostart=1&sw=0&build=st");
  CHECK(l.notices.empty());
  CHECK(l.preset->name == "cnn-tiny");
  CHECK(l.model.name == "cnn-tiny");
  const TrainConfig& c = l.config;
  CHECK(c.epochs == 3);
  CHECK(c.batch == 64);
  CHECK(c.opt.lr == 0.002f);
  CHECK(c.opt.kind == OptKind::SGD);
  CHECK(c.opt.momentum == 0.9f);
  CHECK(c.val_split == 0.15f);
  CHECK(c.balanced_class_weights);
  CHECK(c.augment.rotation_deg == 12);
  CHECK(c.augment.width_shift == 0.05f);  // after shift: the later key wins
  CHECK(c.augment.height_shift == 0.1f);
  CHECK(c.augment.hflip);
  CHECK(c.early.enabled);
  CHECK(c.early.monitor == Monitor::ValAccuracy);
  CHECK(c.early.patience == 3);
  CHECK(c.early.min_delta == 0.01f);
  CHECK(c.early.restore_best);
  CHECK(c.reduce_lr.enabled);
  CHECK(c.reduce_lr.factor == 0.5f);
  CHECK(c.reduce_lr.patience == 2);
  CHECK(c.reduce_lr.min_lr == 1e-5f);
  CHECK(l.tab == 2);
  CHECK(l.pane == 3);
  CHECK(l.autostart);
  // Nothing named: the first preset and its recipe.
  const Lesson none = lesson_parse("");
  CHECK(none.notices.empty());
  CHECK(none.preset == &presets().front());
  CHECK(none.config.batch == presets().front().recipe.batch);
  CHECK_FALSE(none.autostart);
}

TEST_CASE("lesson link: what it writes reads back as the same lesson") {
  for (const Preset& p : presets()) {
    CHECK(lesson_write(p, p.model, p.recipe, -1, false) == "preset=" + p.name);
    TrainConfig c = p.recipe;
    c.epochs = 7;
    c.opt.kind = OptKind::RMSprop;
    c.opt.lr = 0.0003f;
    c.early = {true, Monitor::ValAccuracy, 4, 0.001f, true};
    c.augment.vflip = true;
    c.seed = 2147483647;
    ModelSpec m;
    REQUIRE(spec_from_text("conv:8:3:relu:l2=0.0005,pool:2,flatten,dropout:0.3,dense:10:softmax", &m).ok());
    const std::string link = lesson_write(p, m, c, 4, true);
    const Lesson back = lesson_parse(link);
    CHECK_MESSAGE(back.notices.empty(), link);
    CHECK(back.preset == &p);
    CHECK(spec_to_text(back.model) == spec_to_text(m));
    CHECK(lesson_write(p, back.model, back.config, back.pane, back.autostart) == link);
    CHECK(back.config.seed == 2147483647);
    CHECK(back.config.opt.lr == 0.0003f);
    CHECK(back.pane == 4);
    CHECK(back.autostart);
  }
  CHECK(lesson_write(presets().front(), presets().front().model, presets().front().recipe, 2, true) ==
        "preset=mlp&pane=train&autostart=1");
}

TEST_CASE("lesson link: each value it cannot use is named, with what is used instead") {
  CHECK(only_notice("preset=resnet") ==
        "preset=resnet: there is no such preset (mlp, mlp-deep, cnn-5x5, cnn-tiny, cnn-vgg); mlp is used instead");
  CHECK(only_notice("val=1.5") == "val=1.5: the validation split must be 0..0.9; 0 is used instead");
  CHECK(only_notice("preset=cnn-tiny&val=-0.1") == "val=-0.1: the validation split must be 0..0.9; 0.2 is used instead");
  CHECK(only_notice("batch=abc") ==
        "batch=abc: not a number: the batch size must be a whole number 1..8192; 32 is used instead");
  CHECK(only_notice("epochs=-5") == "epochs=-5: the number of epochs must be a whole number 1..10000; 5 is used instead");
  CHECK(only_notice("epochs=2.5") == "epochs=2.5: the number of epochs must be a whole number 1..10000; 5 is used instead");
  CHECK(only_notice("lr=nan") ==
        "lr=nan: not a number: the learning rate must be above 0 and at most 10; 0.001 is used instead");
  CHECK(only_notice("lr=1e400") ==
        "lr=1e400: not a number: the learning rate must be above 0 and at most 10; 0.001 is used instead");
  // In range as a double, 0 as the float it is kept in (found by fuzzing: the trainer then refused it).
  CHECK(only_notice("lr=1101e-50") ==
        "lr=1101e-50: the learning rate must be above 0 and at most 10; 0.001 is used instead");
  CHECK(only_notice("min_delta=-1") == "min_delta=-1: early stopping's min_delta must be 0..10; 0 is used instead");
  CHECK(only_notice("lr_factor=1") ==
        "lr_factor=1: the learning-rate reduction factor must be above 0 and below 1; 0.1 is used instead");
  CHECK(only_notice("optimizer=adamw") ==
        "optimizer=adamw: not an optimizer this app has (sgd, adam, rmsprop); adam is used instead");
  CHECK(only_notice("early_stopping=loss") ==
        "early_stopping=loss: must be val_loss, val_accuracy or 0 (off); off is used instead");
  CHECK(only_notice("class_weights=equal") == "class_weights=equal: must be balanced or none; none is used instead");
  CHECK(only_notice("hflip=maybe") == "hflip=maybe: must be 1 or 0; 0 is used instead");
  CHECK(only_notice("tab=weights2") ==
        "tab=weights2: must be one of basics, weights, callbacks, augmentation; ignored");
  CHECK(only_notice("foo=bar") == "foo=bar: not a setting this app knows; ignored");
  CHECK(contains(only_notice("layers=flatten,dense:abc"),
                 "layers=flatten,dense:abc: the layers could not be read: \"dense:abc\": 'abc' is not a number or an "
                 "option of dense; mlp's network is used instead"));
  // A notice quotes at most 40 characters, printable ones.
  CHECK(only_notice("zzz=" + std::string(100, 'x') + "\x01") == "zzz=" + std::string(40, 'x') + "…: not a setting this app knows; ignored");
}

TEST_CASE("lesson link: lr_schedule=cosine takes the place of the recipe's reduction on a plateau") {
  const Lesson l = lesson_parse("#preset=cnn-vgg&lr_schedule=cosine&cosine_alpha=0.01&autostart=1");
  CHECK(l.notices.empty());
  CHECK(l.config.cosine.enabled);
  CHECK(l.config.cosine.alpha == 0.01f);
  CHECK_FALSE(l.config.reduce_lr.enabled);  // cnn-vgg's notebook recipe has it on
  CHECK(l.autostart);
  CHECK(train_config_check(l.config).ok());
  const std::string link = lesson_write(*l.preset, l.model, l.config, -1, false);
  CHECK(link == "preset=cnn-vgg&reduce_lr=0&lr_schedule=cosine&cosine_alpha=0.01");
  CHECK(lesson_write(*l.preset, l.model, lesson_parse(link).config, -1, false) == link);
  CHECK_FALSE(lesson_parse("#preset=cnn-vgg&lr_schedule=cosine&lr_schedule=constant").config.cosine.enabled);
  // A reduction named after the schedule stays off, and says so.
  const Lesson both = lesson_parse("#preset=mlp&lr_schedule=cosine&reduce_lr=val_loss&autostart=1");
  CHECK(both.notices == std::vector<std::string>{
                            "reduce_lr=val_loss: the cosine decay (lr_schedule=cosine) sets the learning rate at every "
                            "step; the reduction stays off",
                            "the link asks to start training, but not everything in it could be used: check the "
                            "settings, then press Start"});
  CHECK(both.config.cosine.enabled);
  CHECK_FALSE(both.config.reduce_lr.enabled);
  CHECK(only_notice("lr_schedule=step") == "lr_schedule=step: must be cosine or constant; constant is used instead");
  CHECK(only_notice("cosine_alpha=2") ==
        "cosine_alpha=2: the cosine decay's last rate (a fraction of the learning rate) must be 0..1; 0 is used instead");
}

TEST_CASE("lesson link: label_smoothing, written back only where it differs from the recipe, and lockable") {
  const Lesson l = lesson_parse("#preset=mlp&label_smoothing=0.1&lock=label_smoothing");
  CHECK(l.notices.empty());
  CHECK(l.config.label_smoothing == 0.1f);
  CHECK(l.locked == std::vector<std::string>{"label_smoothing"});
  const std::string link = lesson_write(*l.preset, l.model, l.config, -1, false);
  CHECK(link == "preset=mlp&label_smoothing=0.1");
  CHECK(lesson_parse(link).config.label_smoothing == 0.1f);
  // cnn-vgg's improved recipe smooths by 0.1: a link from it keeps that, and a 0 after it turns it off.
  const Preset& vgg = *preset_find("cnn-vgg");
  const std::string improved = lesson_write(vgg, vgg.model, vgg.improved, -1, false);
  CHECK(contains(improved, "label_smoothing=0.1"));
  CHECK(lesson_parse(improved).config.label_smoothing == 0.1f);
  CHECK(lesson_parse(improved + "&label_smoothing=0").config.label_smoothing == 0);
  CHECK(only_notice("label_smoothing=1.5") == "label_smoothing=1.5: the label smoothing must be 0..1; 0 is used instead");
  CHECK(only_notice("label_smoothing=-0.1") == "label_smoothing=-0.1: the label smoothing must be 0..1; 0 is used instead");
}

TEST_CASE("lesson link: a link with a notice does not start training by itself") {
  const Lesson l = lesson_parse("#preset=mlp&layers=flatten,dense:2:softmax&epochs=oops&autostart=1");
  CHECK_FALSE(l.autostart);
  REQUIRE(l.notices.size() == 2);
  CHECK(contains(l.notices[1], "the link asks to start training, but not everything in it could be used"));
  // The layers read (whether they fit the data is the app's to say, before any training).
  CHECK(l.model.layers.size() == 2);
  CHECK(l.model.layers[1].units == 2);
}

TEST_CASE("lesson link: percent-encoding, keys without values, long links") {
  const Lesson l = lesson_parse("#layers=flatten%2Cdense%3A16%3Arelu%2Cdense%3A10%3Asoftmax&autostart&lr=0.01%");
  REQUIRE(l.notices.size() == 2);  // lr=0.01% is not a number; so autostart is off
  CHECK(spec_to_text(l.model) == "flatten,dense:16:relu,dense:10:softmax");
  CHECK(contains(l.notices[0], "lr=0.01%: not a number"));
  const Lesson on = lesson_parse("#preset=mlp&autostart");
  CHECK(on.autostart);
  const Lesson big = lesson_parse("#preset=cnn-tiny&" + std::string(kMaxLessonChars, 'a'));
  REQUIRE(big.notices.size() == 1);
  CHECK(contains(big.notices[0], "characters long, more than a lesson link's 16,384; nothing in it is used"));
  CHECK(big.preset == &presets().front());
}

TEST_CASE("settings: each range as its message says it, number_text") {
  for (const NumericSetting& s : numeric_settings()) {
    CHECK_MESSAGE(accepts(s, s.get(TrainConfig{})), s.key);  // the defaults are in range
    CHECK_FALSE(accepts(s, NAN));
    CHECK_FALSE(accepts(s, s.lo - 1));
    CHECK_FALSE(accepts(s, s.hi + 1));
    CHECK(accepts(s, s.lo) != s.lo_open);
    CHECK(accepts(s, s.hi) != s.hi_open);
  }
  CHECK(range_text(*numeric_setting("lr")) == "above 0 and at most 10");
  CHECK(range_text(*numeric_setting("momentum")) == "0 or more and below 1");
  CHECK(range_text(*numeric_setting("batch")) == "a whole number 1..8192");
  CHECK(number_text(0.001f) == "0.001");
  CHECK(number_text(1e-5f) == "1e-05");
  CHECK(number_text(2147483647) == "2147483647");
  CHECK(number_text(0.15f) == "0.15");
  CHECK(number_text(NAN) == "nan");
}

TEST_CASE("settings table: each row sets its own field of TrainConfig; keys and CLI flags are unique") {
  std::set<std::string> keys, flags;
  for (const NumericSetting& s : numeric_settings()) {
    CHECK_MESSAGE(keys.insert(s.key).second, s.key);
    if (s.flag) {
      CHECK_MESSAGE(flags.insert(s.flag).second, s.flag);
      CHECK(numeric_setting_by_flag(s.flag) == &s);
    }
    CHECK(numeric_setting(s.key) == &s);
    // A value in range, other than the default, lands in this row's field and no other row's.
    TrainConfig c;
    const double def = s.get(c);
    const double v = s.whole ? (def == s.lo ? s.lo + 1 : s.lo) : (s.lo + (s.hi - s.lo) * 0.375);
    REQUIRE_MESSAGE(accepts(s, v), s.key);
    s.set(c, v);
    CHECK_MESSAGE(s.get(c) == doctest::Approx(v), s.key);
    for (const NumericSetting& other : numeric_settings())
      if (&other != &s) CHECK_MESSAGE(other.get(c) == other.get(TrainConfig{}), s.key, " changed ", other.key);
  }
  CHECK(numeric_setting_by_flag("val-split") == numeric_setting("val"));
  CHECK(numeric_setting_by_flag("patience") == nullptr);  // part of --early-stopping MONITOR:PATIENCE
}

TEST_CASE("settings table: the optimizers' constants travel in a link, and only when they differ") {
  const Lesson l = lesson_parse("#preset=mlp&beta1=0.8&beta2=0.99&rho=0.95&eps=1e-5");
  CHECK(l.notices.empty());
  CHECK(l.config.opt.beta1 == 0.8f);
  CHECK(l.config.opt.beta2 == 0.99f);
  CHECK(l.config.opt.rho == 0.95f);
  CHECK(l.config.opt.eps == 1e-5f);
  const std::string back = lesson_write(*l.preset, l.model, l.config, -1, false);
  CHECK(contains(back, "beta1=0.8"));
  CHECK(contains(back, "eps=1e-05"));
  CHECK(lesson_parse(back).config.opt.beta2 == 0.99f);
  // The preset's own (Keras' defaults) are not written.
  CHECK_FALSE(contains(lesson_write(*l.preset, l.model, l.preset->recipe, -1, false), "beta"));
  CHECK(only_notice("#preset=mlp&beta2=1") == "beta2=1: Adam's beta_2 must be 0 or more and below 1; 0.999 is used instead");
}

TEST_CASE("monitor_parse: Keras' names and val_acc; monitor_name reads back") {
  Monitor m = Monitor::ValLoss;
  CHECK(monitor_parse("val_accuracy", &m));
  CHECK(m == Monitor::ValAccuracy);
  CHECK(monitor_parse("val_loss", &m));
  CHECK(m == Monitor::ValLoss);
  CHECK(monitor_parse("val_acc", &m));
  CHECK(m == Monitor::ValAccuracy);
  CHECK_FALSE(monitor_parse("loss", &m));
  CHECK_FALSE(monitor_parse("", &m));
  for (Monitor x : {Monitor::ValLoss, Monitor::ValAccuracy}) CHECK((monitor_parse(monitor_name(x), &m) && m == x));
}

TEST_CASE("lesson link: limit and scarce choose the training images, and read back") {
  const Lesson l = lesson_parse("#preset=mlp&limit=1000&scarce=5:50");
  CHECK(l.notices.empty());
  CHECK(l.data.limit == 1000);
  CHECK(l.data.scarce_digit == 5);
  CHECK(l.data.scarce_keep == 50);
  const std::string back = lesson_write(*l.preset, l.model, l.config, -1, false, l.data);
  CHECK(back == "preset=mlp&limit=1000&scarce=5:50");
  CHECK(lesson_parse(back).data == l.data);
  // 300 images labelled 0..9 in turn: the first 100, of which 10 are 5s; keep 3 of them.
  Dataset all;
  all.rows = all.cols = 2;
  for (int i = 0; i < 300; ++i) {
    all.labels.push_back(uint8_t(i % 10));
    for (int p = 0; p < 4; ++p) all.images.push_back(uint8_t(i % 256));
    ++all.n;
  }
  LessonData d;
  d.limit = 100;
  d.scarce_digit = 5;
  d.scarce_keep = 3;
  const Dataset kept = lesson_training_data(all, d);
  CHECK(kept.n == 93);
  CHECK(dataset_class_counts(kept)[5] == 3);
  CHECK(dataset_class_counts(kept)[4] == 10);
  CHECK(kept.image(5)[0] == 5);   // the first three 5s (images 5, 15, 25) stay
  CHECK(kept.image(6)[0] == 6);
  CHECK(kept.labels[46 - 2] == 6);  // image 46 (a 6) moved up by the 5s dropped before it (35, 45)
  CHECK(lesson_data_text(all, d) == "the first 100 training images, with 3 of their 10 images of 5");
  // Bad values are named, and change nothing.
  const Lesson bad = lesson_parse("#limit=5&scarce=12:3&scarce=5");
  CHECK(bad.notices.size() == 3);
  CHECK_FALSE(bad.data.any());
}

TEST_CASE("lesson link: data=fashion picks Fashion-MNIST, with limit and scarce on its images") {
  const Lesson l = lesson_parse("#preset=cnn-tiny&data=fashion&limit=2000");
  CHECK(l.notices.empty());
  CHECK(l.data.fashion);
  CHECK(l.data.limit == 2000);
  CHECK_FALSE(lesson_parse("#preset=cnn-tiny&data=mnist").data.fashion);
  const std::string back = lesson_write(*l.preset, l.model, l.config, -1, false, l.data);
  CHECK(back == "preset=cnn-tiny&data=fashion&limit=2000");
  CHECK(lesson_parse(back).data == l.data);
  // MNIST writes nothing: the link reads as before.
  CHECK(lesson_write(*l.preset, l.model, l.config, -1, false, LessonData()) == "preset=cnn-tiny");
  const Lesson bad = lesson_parse("#data=cifar");
  REQUIRE(bad.notices.size() == 1);
  CHECK(bad.notices[0].find("must be mnist or fashion") != std::string::npos);
  CHECK_FALSE(bad.data.fashion);
  CHECK(std::string(kFashionClasses[9]) == "Ankle boot");
  CHECK(std::string(kFashionClasses[0]) == "T-shirt/top");
}

TEST_CASE("presets: an improved recipe is a valid config that differs from the notebook's, and a link carries it") {
  int improved = 0;
  for (const Preset& p : presets()) {
    if (!p.has_improved) continue;
    ++improved;
    CAPTURE(p.name);
    CHECK(train_config_check(p.improved).ok());
    CHECK_FALSE(p.improved_text.empty());
    const std::string link = lesson_write(p, p.model, p.improved, -1, false);
    CHECK(link != lesson_write(p, p.model, p.recipe, -1, false));
    const Lesson back = lesson_parse(link);
    CHECK(back.notices.empty());
    CHECK(lesson_write(*back.preset, back.model, back.config, -1, false) == link);
  }
  CHECK(improved == int(presets().size()));
}

TEST_CASE("ready lessons: every link reads without a notice and differs from the others") {
  std::vector<std::string> links;
  for (const ReadyLesson& r : ready_lessons()) {
    const Lesson l = lesson_parse(r.link);
    CHECK_MESSAGE(l.notices.empty(), r.title);
    CHECK(std::string(r.about).size() > 80);
    links.push_back(r.link);
  }
  std::sort(links.begin(), links.end());
  CHECK(std::unique(links.begin(), links.end()) == links.end());
  CHECK(ready_lessons().size() >= 7);
}

TEST_CASE("lesson link: hide= and lock= for a teacher's exercise; what cannot be hidden or locked is named") {
  const Lesson l = lesson_parse("#preset=mlp&hide=model,results&lock=lr,epochs,model,lr");
  CHECK(l.notices.empty());
  CHECK(l.hidden[0] == false);  // data
  CHECK(l.hidden[1] == true);   // model
  CHECK(l.hidden[2] == false);  // train
  CHECK(l.hidden[4] == true);   // results
  CHECK(l.locked == std::vector<std::string>{"lr", "epochs", "model"});
  CHECK(lesson_write_limits(l) == "&hide=model,results&lock=lr,epochs,model");
  const Lesson back = lesson_parse("preset=mlp" + lesson_write_limits(l));
  CHECK(back.locked == l.locked);
  CHECK(std::equal(std::begin(back.hidden), std::end(back.hidden), std::begin(l.hidden)));
  const Lesson bad = lesson_parse("#hide=train,sidebar&lock=colour,lr");
  REQUIRE(bad.notices.size() == 3);
  CHECK(contains(bad.notices[0], "the Training window always shows"));
  CHECK(contains(bad.notices[1], "hide=sidebar: must be one of data, model, train, draw, results"));
  CHECK(contains(bad.notices[2], "not a setting a link can lock"));
  CHECK(bad.locked == std::vector<std::string>{"lr"});
  CHECK(lesson_write_limits(lesson_parse("#preset=mlp")).empty());
  for (const NumericSetting& s : numeric_settings())
    CHECK(std::find(lockable_names().begin(), lockable_names().end(), s.key) != lockable_names().end());
}

TEST_CASE("lesson link: view= opens the app's views; an unknown one is named") {
  const Lesson l = lesson_parse("#preset=mlp&view=robust,steps");
  CHECK(l.notices.empty());
  CHECK(l.views[0]);        // steps
  CHECK_FALSE(l.views[1]);  // unusual
  CHECK(l.views[2]);        // robust
  CHECK_FALSE(l.views[3]);  // difference
  CHECK(lesson_write_limits(l) == "&view=steps,robust");
  const Lesson back = lesson_parse("preset=mlp" + lesson_write_limits(l));
  CHECK(std::equal(std::begin(back.views), std::end(back.views), std::begin(l.views)));
  const Lesson bad = lesson_parse("#view=saliency,difference");
  REQUIRE(bad.notices.size() == 1);
  CHECK(contains(bad.notices[0], "view=saliency: must be one of steps, unusual, robust, difference, mine; it stays closed"));
  CHECK(bad.views[3]);
}
