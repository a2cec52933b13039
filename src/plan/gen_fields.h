#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "common/error.h"
#include "engines/catalog.h"
#include "manifest/config.h"
#include "manifest/cue.h"
#include "plan/content_hasher.h"

namespace foley::plan {

// What one generated cue asks of its engine: the fields that enter the gen key
// (and nothing that does not change the audio), the non-key settings, and the
// extension of the raw object.
struct GenFields {
  nlohmann::json key_fields;  // object
  nlohmann::json settings;    // object
  std::string ext;
};

// Builds the gen fields of a `generated` cue for its engine profile, as the
// engine's catalog row keys it (engines/catalog.h).
GenFields gen_fields_for(const manifest::Cue& cue, const manifest::EngineProfile& profile,
                         ContentHasher& hasher);

// A validated profile as the engine catalog's rows see it.
engines::ProfileView profile_view(const manifest::EngineProfile& profile);

// The ninja pool a profile's generate edges run in, as its engine's row says.
engines::PoolSpec profile_pool(const manifest::EngineProfile& profile);

}  // namespace foley::plan
