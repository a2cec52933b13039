#pragma once

#include <optional>
#include <string>

#include "audio/audio_buffer.h"

namespace foley::audio {

// Which loudness a target is set on. Integrated loudness (BS.1770 gated) suits
// programme material; one-shots shorter than a gating block are better judged by
// their loudest 400 ms (the maximum momentary loudness), as game audio does.
enum class LoudnessMeasure { kIntegrated, kMomentaryMax, kShortTermMax };

// "integrated", "momentary-max" or "short-term-max"; parse_loudness_measure
// returns nullopt for any other text.
const char* loudness_measure_name(LoudnessMeasure measure);
std::optional<LoudnessMeasure> parse_loudness_measure(const std::string& name);

// EBU R128 / ITU-R BS.1770 measurements of a buffer (libebur128).
struct LoudnessMeasurement {
  // Integrated loudness in LUFS; empty for silence (everything below the
  // -70 LUFS absolute gate). Clips shorter than one 400 ms gating block are
  // measured as if padded with silence to 400 ms.
  std::optional<double> integrated_lufs;
  std::optional<double> momentary_max_lufs;   // loudest 400 ms window, every 100 ms; empty for silence
  std::optional<double> short_term_max_lufs;  // loudest 3 s window, every 100 ms; empty for silence
  double loudness_range_lu = 0.0;             // EBU Tech 3342 LRA (0 for clips too short to have one)
  double sample_peak_dbfs = 0.0;  // -infinity for silence
  double true_peak_dbtp = 0.0;    // 4x oversampled peak, never below the sample peak; -infinity for silence

  // The value `measure` names.
  std::optional<double> value(LoudnessMeasure measure) const;
};

// Measures `buffer`. Throws foley::Error::failure if libebur128 fails.
LoudnessMeasurement measure_loudness(const AudioBuffer& buffer);

// A loudness target: `lufs` on `measure`, true peak at most `true_peak_dbtp`.
struct LoudnessTarget {
  double lufs = -23.0;
  LoudnessMeasure measure = LoudnessMeasure::kIntegrated;
  double true_peak_dbtp = -1.0;
};

// What normalize_loudness did.
struct NormalizeResult {
  LoudnessMeasurement before;
  LoudnessMeasurement after;
  double gain_db = 0.0;           // static gain applied (before the limiter)
  double limiter_reduction_db = 0.0;  // deepest gain reduction of the true-peak limiter (0: untouched)
  bool missed = false;            // the target could not be reached within 0.5 LU
  std::string note;               // a sentence for the user when missed or silent; empty otherwise
};

// Brings `buffer` to `target`: a static gain to the target loudness, then the
// true-peak limiter (limiter.h) wherever the gain pushed a peak over the
// ceiling, repeated a few times because limiting lowers the loudness a little.
// The true peak measured afterwards is at or under the ceiling (a last static
// trim guarantees it when the limiter's estimate fell short). `circular`: the
// buffer is a loop (see limit_true_peak). Silence is left untouched, with a note.
NormalizeResult normalize_loudness(AudioBuffer& buffer, const LoudnessTarget& target, bool circular = false);

}  // namespace foley::audio
