#include "audio/audio_reader.h"

#include <cstring>
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

namespace {

void put_u16(std::string& s, uint16_t v) {
  s.push_back(static_cast<char>(v & 0xff));
  s.push_back(static_cast<char>(v >> 8));
}

void put_u32(std::string& s, uint32_t v) {
  for (int i = 0; i < 4; ++i) s.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}

}  // namespace

std::string wrap_pcm_as_wav(std::string_view raw, int sample_rate, const std::string& encoding, int channels) {
  uint16_t format_tag = 0;
  uint16_t bits = 0;
  if (encoding == "pcm_s16le") {
    format_tag = 1;
    bits = 16;
  } else if (encoding == "ulaw") {
    format_tag = 7;
    bits = 8;
  } else if (encoding == "alaw") {
    format_tag = 6;
    bits = 8;
  } else {
    throw Error("cannot wrap raw audio: unknown encoding \"" + encoding + "\" (expected pcm_s16le, ulaw or alaw)");
  }
  if (sample_rate <= 0 || channels <= 0 || channels > 16)
    throw Error("cannot wrap raw audio: bad sample rate " + std::to_string(sample_rate) + " or channel count " +
                std::to_string(channels));
  const uint32_t block_align = static_cast<uint32_t>(channels) * (bits / 8);
  if (raw.size() % block_align != 0)
    throw Error("cannot wrap raw " + encoding + " audio: " + std::to_string(raw.size()) +
                " bytes is not a whole number of " + std::to_string(block_align) + "-byte frames");
  if (raw.size() > 0xFFFFFF00u) throw Error("cannot wrap raw audio: " + std::to_string(raw.size()) + " bytes is too large for WAV");

  const bool pcm = format_tag == 1;
  const uint32_t data_size = static_cast<uint32_t>(raw.size());
  const uint32_t pad = data_size & 1u;  // RIFF chunks are word aligned
  const uint32_t fmt_size = pcm ? 16 : 18;  // non-PCM formats carry cbSize
  const uint32_t fact_chunk = pcm ? 0 : 12;  // non-PCM formats need a fact chunk
  const uint32_t riff_size = 4 + (8 + fmt_size) + fact_chunk + (8 + data_size + pad);

  std::string out;
  out.reserve(12 + riff_size);
  out += "RIFF";
  put_u32(out, riff_size);
  out += "WAVE";
  out += "fmt ";
  put_u32(out, fmt_size);
  put_u16(out, format_tag);
  put_u16(out, static_cast<uint16_t>(channels));
  put_u32(out, static_cast<uint32_t>(sample_rate));
  put_u32(out, static_cast<uint32_t>(sample_rate) * block_align);
  put_u16(out, static_cast<uint16_t>(block_align));
  put_u16(out, bits);
  if (!pcm) {
    put_u16(out, 0);  // cbSize
    out += "fact";
    put_u32(out, 4);
    put_u32(out, data_size / block_align);  // frames
  }
  out += "data";
  put_u32(out, data_size);
  out.append(raw);
  if (pad) out.push_back('\0');
  return out;
}

}  // namespace foley::audio
