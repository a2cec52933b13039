#pragma once

#include <optional>
#include <string>

#include "audio/audio_buffer.h"

namespace foley::audio {

// EBU R128 / ITU-R BS.1770 measurements of a buffer (libebur128).
struct LoudnessMeasurement {
  // Integrated loudness in LUFS; empty for silence (everything below the
  // -70 LUFS absolute gate). Clips shorter than one 400 ms gating block are
  // measured as if padded with silence to 400 ms.
  std::optional<double> integrated_lufs;
  double sample_peak_dbfs = 0.0;  // -infinity for silence
  double true_peak_dbtp = 0.0;    // 4x oversampled peak, never below the sample peak; -infinity for silence
};

// Measures `buffer`. Throws foley::Error::failure if libebur128 fails.
LoudnessMeasurement measure_loudness(const AudioBuffer& buffer);

// What normalize_loudness did.
struct NormalizeResult {
  LoudnessMeasurement before;
  double target_lufs = 0.0;
  double gain_db = 0.0;       // gain actually applied
  bool peak_limited = false;  // the gain was reduced to keep the true peak under the ceiling
  std::string note;           // a sentence for the user when peak_limited or silent; empty otherwise
};

// Applies the gain that brings `buffer`'s integrated loudness to `target_lufs`,
// except that the gain never pushes the true peak above `peak_ceiling_dbtp`:
// then the gain is reduced to meet the ceiling exactly, peak_limited is set and
// note says by how much the target was missed. Silence is left untouched.
NormalizeResult normalize_loudness(AudioBuffer& buffer, double target_lufs, double peak_ceiling_dbtp = -1.0);

}  // namespace foley::audio
