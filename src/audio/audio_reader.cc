#include "audio/audio_reader.h"

#include <limits>

#include "audio/mpeg_decoder.h"
#include "audio/sndfile_io.h"
#include "common/atomic_file.h"
#include "common/error.h"

namespace foley::audio {
namespace {

using detail::SndFile;

std::string sf_message(SNDFILE* handle) { return sf_strerror(handle); }

// Checks what sf_open* returned and fills in the properties every caller needs.
void check_opened(const SndFile& file, const SF_INFO& info, const std::string& origin) {
  if (!file) throw Error("cannot decode audio file " + origin + ": " + sf_message(nullptr));
  if (info.channels <= 0 || info.samplerate <= 0)
    throw Error("cannot decode audio file " + origin + ": header claims " + std::to_string(info.channels) +
                " channels at " + std::to_string(info.samplerate) + " Hz");
}

AudioMetadata read_tags(SNDFILE* handle) {
  AudioMetadata m;
  detail::for_each_tag(m, [&](int id, std::string& field) {
    const char* s = sf_get_string(handle, id);
    if (s != nullptr) field = s;
  });
  return m;
}

// Reads every frame in blocks: some decoders (MP3) only estimate the frame
// count up front, so the header's count is a hint, not a bound.
AudioBuffer read_all(const SndFile& file, const SF_INFO& info, const std::string& origin) {
  AudioBuffer buf;
  buf.channels = info.channels;
  buf.sample_rate = info.samplerate;
  if (info.frames > 0 && info.frames < std::numeric_limits<int32_t>::max())
    buf.samples.reserve(static_cast<size_t>(info.frames) * static_cast<size_t>(info.channels));
  constexpr sf_count_t kBlockFrames = 16384;
  std::vector<float> block(static_cast<size_t>(kBlockFrames) * static_cast<size_t>(info.channels));
  for (;;) {
    sf_count_t n = sf_readf_float(file.get(), block.data(), kBlockFrames);
    if (n <= 0) break;
    buf.samples.insert(buf.samples.end(), block.begin(), block.begin() + n * info.channels);
  }
  int err = sf_error(file.get());
  if (err != SF_ERR_NO_ERROR)
    throw Error("cannot decode audio file " + origin + ": " + sf_error_number(err));
  // A FLAC cut short decodes without an error, only with fewer frames than
  // its STREAMINFO promises: that is a corrupt file, not shorter audio.
  if (info.frames > 0 && info.frames != SF_COUNT_MAX && static_cast<sf_count_t>(buf.frames()) < info.frames)
    throw Error("cannot decode audio file " + origin + ": truncated or corrupt (the header promises " +
                std::to_string(info.frames) + " frames, only " + std::to_string(buf.frames()) + " decode)");
  return buf;
}

bool is_mpeg(const SF_INFO& info) { return (info.format & SF_FORMAT_TYPEMASK) == SF_FORMAT_MPEG; }

// libsndfile recognises the container; MPEG streams are then decoded by
// detail::decode_mpeg, which does not stop at libsndfile's length estimate.
AudioBuffer decode_mpeg_buffer(std::string_view bytes, const std::string& origin) {
  AudioBuffer buf;
  detail::decode_mpeg(bytes, origin, &buf);
  return buf;
}

}  // namespace

AudioBuffer read_audio(const std::filesystem::path& path) {
  SF_INFO info{};
  SndFile file(sf_open(path.c_str(), SFM_READ, &info));
  check_opened(file, info, path.string());
  if (is_mpeg(info)) {
    file.close();
    return decode_mpeg_buffer(read_file(path), path.string());
  }
  return read_all(file, info, path.string());
}

AudioBuffer read_audio_bytes(std::string_view bytes, const std::string& origin) {
  detail::MemoryReader reader{bytes, 0};
  SF_INFO info{};
  SndFile file(sf_open_virtual(detail::MemoryReader::callbacks(), SFM_READ, &info, &reader));
  check_opened(file, info, origin);
  if (is_mpeg(info)) return decode_mpeg_buffer(bytes, origin);
  return read_all(file, info, origin);
}

AudioInfo probe_audio(const std::filesystem::path& path) {
  SF_INFO info{};
  SndFile file(sf_open(path.c_str(), SFM_READ, &info));
  check_opened(file, info, path.string());
  AudioInfo out;
  out.sample_rate = info.samplerate;
  out.channels = info.channels;
  out.format = detail::container_name(info.format);
  out.encoding = detail::encoding_name(info.format);
  out.metadata = read_tags(file.get());
  out.frames = info.frames;
  if (is_mpeg(info)) {
    // The header's count is only an estimate for MPEG (VBR without a Xing
    // header): the real length is worth one pass over the frames.
    file.close();
    detail::MpegStream stream = detail::decode_mpeg(read_file(path), path.string(), nullptr);
    out.frames = stream.frames;
    out.sample_rate = stream.sample_rate;
    out.channels = stream.channels;
  }
  if (out.frames < 0) out.frames = 0;
  out.duration_seconds = static_cast<double>(out.frames) / out.sample_rate;
  return out;
}

}  // namespace foley::audio
