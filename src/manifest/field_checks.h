#pragma once

#include <string>
#include <vector>

#include "manifest/config.h"
#include "manifest/diagnostics.h"
#include "manifest/fields.h"

namespace foley::manifest {

// The accepted values of the enumerated cue fields.
const std::vector<std::string>& cue_types();       // generated, silence, source
const std::vector<std::string>& cue_categories();  // sfx, ambience, music, beat
const std::vector<std::string>& render_formats();  // wav, flac

// Checks each present field of one table on its own: ranges, enumerations,
// that a named engine profile exists (`engine_names`; pass nullptr to skip).
// Fields that fail are marked bad so that later checks skip them.
void check_field_values(RawFields& fields, const FieldContext& ctx,
                        const std::vector<std::string>* engine_names, Diagnostics& diags);

// Copies the usable render fields onto `settings`.
void apply_render(const RawFields& fields, RenderSettings& settings);

// Cross-field render rules on merged fields (FLAC allows 16 or 24 bits).
// `cue` names the cue in messages (may be empty). The blamed field is marked
// bad, so a layer built on `merged` does not report the problem again.
void check_render_combination(RawFields& merged, const RenderSettings& settings,
                              const std::string& cue, const std::string& prefix, Diagnostics& diags);

}  // namespace foley::manifest
