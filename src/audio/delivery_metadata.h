#pragma once

#include <string>

#include "audio/metadata.h"
#include "audio/render.h"
#include "request/request_spec.h"

namespace foley::audio {

// What a delivered file says about itself, from the render request's
// provenance. Nothing here reads the clock: the same render gives the same bytes.

// String tags (WAV LIST/INFO, FLAC/Ogg Vorbis comments, ID3): title = prompt
// (or the cue), artist = engine, album = cue, genre = category, comment =
// "foley cue=… engine=… profile=… seed=… gen_key=… render_key=…".
AudioMetadata tags_for(const RenderRequest& request);

// The BWF `bext` chunk: description = prompt, originator = "foley" (the
// CreatorID under UCS naming),
// originator reference = render key, origination date and time = when the
// input was made (its modification time, UTC; empty for silence), coding
// history = the delivered encoding, and the measured loudness.
BroadcastInfo broadcast_info_for(const RenderRequest& request, const RenderResult& result);

// The iXML document: PROJECT = project, SCENE = manifest, TAKE = the cue's
// take (1 when it has none), NOTE = prompt, and foley's keys in USER and in
// a <FOLEY> element (cue, engine, profile, seed, gen_key, render_key). Under
// UCS naming, <USER> also holds CATID, CATEGORY, SUBCATEGORY, CATEGORYFULL,
// FXNAME, CREATORID and SOURCEID elements after its text.
std::string ixml_for(const RenderRequest& request);

}  // namespace foley::audio
