#include "audio/resample.h"

#include <soxr.h>

#include <cmath>

#include "common/error.h"

namespace foley::audio {

AudioBuffer resample(const AudioBuffer& in, int sample_rate) {
  if (sample_rate <= 0) throw Error("cannot resample to " + std::to_string(sample_rate) + " Hz");
  if (in.sample_rate == sample_rate) return in;
  const size_t in_frames = in.frames();
  const size_t out_frames = static_cast<size_t>(
      std::llround(static_cast<double>(in_frames) * sample_rate / static_cast<double>(in.sample_rate)));
  AudioBuffer out = AudioBuffer::silence(out_frames, in.channels, sample_rate);
  if (in_frames == 0 || out_frames == 0) return out;

  soxr_io_spec_t io = soxr_io_spec(SOXR_FLOAT32_I, SOXR_FLOAT32_I);
  soxr_quality_spec_t quality = soxr_quality_spec(SOXR_HQ, 0);
  size_t done = 0;
  soxr_error_t err = soxr_oneshot(in.sample_rate, sample_rate, static_cast<unsigned>(in.channels),
                                  in.samples.data(), in_frames, nullptr, out.samples.data(), out_frames, &done,
                                  &io, &quality, nullptr);
  if (err != nullptr)
    throw Error::failure("resampling " + std::to_string(in.sample_rate) + " Hz to " + std::to_string(sample_rate) +
                         " Hz failed: " + err);
  // soxr_oneshot flushes its filter, so `done` is out_frames save for rounding;
  // any shortfall stays as the silence the buffer was created with.
  return out;
}

}  // namespace foley::audio
