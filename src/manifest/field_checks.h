#pragma once

#include <string>
#include <vector>

#include "manifest/config.h"
#include "manifest/diagnostics.h"
#include "manifest/fields.h"

namespace foley::manifest {

// The accepted values of the enumerated cue fields.
const std::vector<std::string>& cue_types();       // generated, silence, source
const std::vector<std::string>& cue_categories();  // sfx, ambience, music, beat (UCS names: ucs_categories.h)
const std::vector<std::string>& render_formats();  // wav, flac, mp3, ogg, opus

// UCS file name blocks: FXName "under 25 characters preferably" (the UCS
// naming convention); CreatorID and SourceID are abbreviations.
inline constexpr size_t kUcsFxNameChars = 25;
inline constexpr size_t kUcsIdChars = 32;

// What keeps `text` from being a UCS name block of at most `max_chars`
// characters as it is (an `_`, a character some file system refuses, leading
// or trailing space); "" when it is one.
std::string ucs_block_problem(const std::string& text, size_t max_chars);

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

// A lossy encoder (mp3, ogg, opus) is fed floating-point samples: bit_depth
// has no effect there, so writing it for such a cue is an error. `layers` are
// the tables that set the cue's fields, most general first (foley.toml
// [render], the manifest's [defaults], the cue): a bit_depth in a more general
// table than the lossy format is the setting of the project's PCM cues and is
// not this cue's to refuse.
void check_bit_depth_applies(const std::vector<const RawFields*>& layers, RawFields& merged,
                             const RenderSettings& settings, const std::string& cue, const std::string& prefix,
                             Diagnostics& diags);

}  // namespace foley::manifest
