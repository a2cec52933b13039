#pragma once

#include <cstddef>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "audio/audio_buffer.h"
#include "audio/loop.h"
#include "audio/render_settings.h"
#include "request/request_spec.h"

namespace foley::audio {

// What one render produced, measured on the delivered audio.
struct RenderResult {
  std::filesystem::path output_path;
  std::filesystem::path sidecar_path;      // output_path + ".json"
  RenderSettings settings;
  size_t frames = 0;
  double duration_seconds = 0.0;
  std::optional<double> integrated_lufs;   // empty for silence
  std::optional<double> momentary_max_lufs;
  std::optional<double> short_term_max_lufs;
  double loudness_range_lu = 0.0;
  double sample_peak_dbfs = 0.0;           // -infinity for silence
  double true_peak_dbtp = 0.0;             // -infinity for silence
  double loudness_gain_db = 0.0;           // static gain applied by loudness normalisation
  double limiter_reduction_db = 0.0;       // deepest gain reduction of the true-peak limiter
  double applied_gain_db = 0.0;            // gain applied for gain_db (less than asked when it would clip)
  bool peak_limited = false;               // a gain was reduced so the audio would not clip
  int source_channels = 0;                 // the input's channel count
  double padded_seconds = 0.0;             // silence added to reach clip (one-shots)
  std::optional<LoopResult> loop;          // how the loop was made, for loop renders
  std::vector<std::string> warnings;       // sentences for the user (also in the sidecar)
  nlohmann::json sidecar;                  // what was written to sidecar_path
};

// Renders one cue (DESIGN §1, "foley render"):
//   source  type "generated" / "source": decode input_path; type "silence":
//           `clip` seconds of digital silence;
//   then    resample to sample_rate (soxr HQ); convert to `channels` (a
//           down-mix is said in a warning; "source" keeps the layout); the DC
//           guard when highpass > 0 (highpass.h); then either a seamless loop
//           (loop.h) of `clip` seconds, or the one-shot trimmed or padded to
//           `clip` when set; gain_db (reduced if it would push the sample peak
//           over full scale, unless loudness normalisation follows); linear
//           fade_in / fade_out (clamped to the length; never on a loop, whose
//           ends must meet); and LAST the loudness target with its true-peak
//           limiter (loudness.h), so nothing after it moves the level;
//   finally write output_path (format / bit_depth, tags from the provenance,
//           a loop's points) and the JSON sidecar output_path + ".json", both
//           atomically.
// The sidecar holds: cue, type, input, the provenance object, the render
// settings (RenderSettings::to_json), the measured frames, duration_seconds,
// integrated_lufs, momentary_max_lufs, short_term_max_lufs (null for
// silence), loudness_range_lu, sample_peak_dbfs, true_peak_dbtp (null for
// silence), loudness_gain_db, limiter_reduction_db, applied_gain_db,
// peak_limited, source_channels, padded_seconds, loop (null for one-shots:
// else start, end (inclusive frames), period, repeats, seam_start, crossfade
// and similarity) and warnings. Warnings (a gain limited by the peak guard, a
// missed target, a down-mix, fades skipped on a loop) are logged with
// log_warning and kept in the result and the sidecar. The sidecar is renamed into place just
// before the audio: a process killed between the two renames leaves the old
// audio (older than its inputs, so ninja renders again) beside the new sidecar,
// never new audio beside a stale sidecar. Throws foley::Error naming the cue
// and the field for bad settings, or naming the file for undecodable input; on
// any failure no new output or temp file is left behind.
RenderResult render(const RenderRequest& request);

// The in-memory part of render(): the processing chain applied to `input`
// (already decoded, or silence). Fills every RenderResult field except paths
// and sidecar. Exposed for tests and for tools that render without files.
AudioBuffer render_buffer(const AudioBuffer& input, const RenderSettings& settings, RenderResult& result);

}  // namespace foley::audio
