#pragma once

#include <cstddef>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "audio/audio_buffer.h"
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
  double sample_peak_dbfs = 0.0;           // -infinity for silence
  double true_peak_dbtp = 0.0;             // -infinity for silence
  double loudness_gain_db = 0.0;           // gain applied by loudness normalisation
  double applied_gain_db = 0.0;            // gain applied for gain_db (less than asked when it would clip)
  bool peak_limited = false;               // a gain was reduced so the audio would not clip
  std::vector<std::string> warnings;       // sentences for the user (also in the sidecar)
  nlohmann::json sidecar;                  // what was written to sidecar_path
};

// Renders one cue (DESIGN §1, "foley render"):
//   source  type "generated" / "source": decode input_path; type "silence":
//           `clip` seconds of digital silence;
//   then    resample to sample_rate (soxr HQ), convert to `channels`, trim or
//           pad to `clip` when set, normalise to `loudness` LUFS when set (gain
//           limited so the true peak stays at or under -1 dBTP), apply gain_db
//           (reduced if it would push the sample peak over full scale), apply
//           linear fade_in / fade_out (clamped to the length);
//   finally write output_path (format / bit_depth, tags from the provenance)
//           and the JSON sidecar output_path + ".json", both atomically.
// The sidecar holds: cue, type, input, the provenance object, the render
// settings (RenderSettings::to_json), the measured frames, duration_seconds,
// integrated_lufs (null for silence), sample_peak_dbfs, true_peak_dbtp (null
// for silence), loudness_gain_db, applied_gain_db, peak_limited, warnings.
// Warnings (a gain limited by the peak guard) are logged with log_warning and
// kept in the result and the sidecar. The sidecar is renamed into place just
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
