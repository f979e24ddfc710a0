// A network as one line of text, for lesson links ("layers=") and the app's status(): one token per
// layer, separated by ','; a token's fields by ':'. Numbers are positional, words are options.
//   dense:UNITS[:ACT][:l2=X]                        conv:FILTERS:KERNEL[:ACT][:same|valid][:sN][:l2=X]
//   pool:SIZE[:sN]   flatten   dropout:RATE   bn   relu   sigmoid   leaky[:ALPHA]
// ACT is linear, relu, sigmoid, softmax or leaky_relu (with alpha=X for a slope other than 0.3);
// sN is a stride of N. "in=flat" as the first token: the input is a 784-vector, not a 28x28 image.
//   conv:8:3:relu,pool:2,flatten,dense:10:softmax
// Reading checks the text (words, whole numbers, finite values, at most kMaxLayers layers) and says
// which token is wrong; whether the network can be built is Model::build's to say.
#pragma once
#include <string>

#include "model.h"

namespace dl {

std::string spec_to_text(const ModelSpec& m);
// On success *out is the network, named "custom"; on error *out is unchanged.
Status spec_from_text(const std::string& text, ModelSpec* out);

}  // namespace dl
