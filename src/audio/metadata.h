#pragma once

#include <string>

namespace foley::audio {

// String tags stored in a written file: the WAV LIST/INFO chunk or FLAC/Ogg
// Vorbis comments, through libsndfile's SF_STR_* fields. Empty fields are not
// written. Deliberately no date: the same render must give the same bytes.
struct AudioMetadata {
  std::string title;      // SF_STR_TITLE    — the cue's prompt (or its id)
  std::string artist;     // SF_STR_ARTIST   — the engine that made it
  std::string album;      // SF_STR_ALBUM    — the qualified cue id
  std::string comment;    // SF_STR_COMMENT  — seed, gen key, render key
  std::string software;   // SF_STR_SOFTWARE — "foley <version>"
  std::string genre;      // SF_STR_GENRE    — the cue's category
  std::string copyright;  // SF_STR_COPYRIGHT

  bool operator==(const AudioMetadata&) const = default;
};

}  // namespace foley::audio
