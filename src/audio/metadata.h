#pragma once

#include <optional>
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

// The BWF `bext` chunk of a WAV (EBU Tech 3285 v2), through libsndfile's
// SF_BROADCAST_INFO. Text fields are cut to the chunk's widths.
struct BroadcastInfo {
  std::string description;           // 256 bytes: the cue's prompt
  std::string originator;            // 32: "foley"
  std::string originator_reference;  // 32: the render key's first 32 characters
  std::string origination_date;      // "yyyy-mm-dd"; empty when not known
  std::string origination_time;      // "hh:mm:ss"
  std::string coding_history;        // "A=PCM,F=48000,W=24,M=mono,T=foley 0.1\r\n"
  // Loudness of the delivered audio (v2 fields, stored in hundredths).
  std::optional<double> loudness_lufs, loudness_range_lu, max_true_peak_dbtp, max_momentary_lufs,
      max_short_term_lufs;
};

}  // namespace foley::audio
