// Stands in for the native CLAP scorer until it is built in: ranking a cue's
// takes then fails with this message, and nothing else changes.
#include "common/error.h"
#include "engines/ranking/take_scorer.h"

namespace foley::engines {

std::unique_ptr<TakeScorer> open_clap_scorer(const std::filesystem::path&, const tensor::Placement&) {
  throw Error("CLAP ranking is not built in");
}

}  // namespace foley::engines
