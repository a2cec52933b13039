#include "audio/audio_writer.h"

#include <algorithm>
#include <cmath>
#include <cstring>

#include "audio/delivery_formats.h"
#include "audio/sndfile_io.h"
#include "audio/vorbis_comments.h"
#include "common/error.h"

namespace foley::audio {
namespace {

int sndfile_format(const WriteOptions& o) {
  if (o.format == "mp3") return SF_FORMAT_MPEG | SF_FORMAT_MPEG_LAYER_III;
  if (o.format == "ogg") return SF_FORMAT_OGG | SF_FORMAT_VORBIS;
  if (o.format == "opus") return SF_FORMAT_OGG | SF_FORMAT_OPUS;
  int container = o.format == "flac" ? SF_FORMAT_FLAC : SF_FORMAT_WAV;
  int encoding = o.bit_depth == 16 ? SF_FORMAT_PCM_16 : o.bit_depth == 24 ? SF_FORMAT_PCM_24 : SF_FORMAT_FLOAT;
  return container | encoding;
}

std::optional<double> as_double(const std::optional<int>& v) {
  return v ? std::optional<double>(*v) : std::nullopt;
}

// libsndfile tunes every lossy encoder with one "compression level", 0 (best)
// to 1 (smallest); these invert its mappings (mpeg_l3_encode.c, ogg_opus.c,
// ogg_vorbis.c in libsndfile 1.2) so a bitrate or a quality is what lands.
void set_compression(SNDFILE* file, const WriteOptions& o, int sample_rate, int channels, const std::string& where) {
  double level = 0.0;
  if (o.format == "mp3") {
    const int kbps = o.bitrate.value_or(default_bitrate(o.format, sample_rate, channels));
    const BitrateRange range = bitrate_range(o.format, sample_rate, channels);
    level = static_cast<double>(range.hi - kbps) / static_cast<double>(range.hi - range.lo);
  } else if (o.format == "opus") {
    const int kbps = o.bitrate.value_or(default_bitrate(o.format, sample_rate, channels));
    level = 1.0 - (kbps * 1000.0 / channels - 6000.0) / 250000.0;
  } else if (o.format == "ogg") {
    level = 1.0 - o.quality.value_or(kDefaultVorbisQuality) / 10.0;
  } else {
    return;
  }
  level = std::clamp(level, 0.0, 1.0);
  if (sf_command(file, SFC_SET_COMPRESSION_LEVEL, &level, sizeof level) != SF_TRUE)
    throw Error::failure("cannot write " + where + ": the " + o.format + " encoder refused its bitrate / quality");
  // LAME's default is already constant bitrate; said explicitly, after the
  // level (libsndfile re-reads the level when the mode is set).
  int mode = SF_BITRATE_MODE_CONSTANT;
  if (o.format == "mp3" && sf_command(file, SFC_SET_BITRATE_MODE, &mode, sizeof mode) != SF_TRUE)
    throw Error::failure("cannot write " + where + ": the MP3 encoder refused constant bitrate");
}

// Copies `text` into a fixed-width, NUL-padded chunk field.
template <size_t N>
void put(char (&field)[N], const std::string& text) {
  std::memset(field, 0, N);
  std::memcpy(field, text.data(), std::min(N, text.size()));
}

int16_t hundredths(const std::optional<double>& v) {
  // 0x7FFF marks a value that was not measured (EBU Tech 3285 v2).
  if (!v || !std::isfinite(*v)) return 0x7FFF;
  return static_cast<int16_t>(std::lround(std::clamp(*v, -327.0, 327.0) * 100.0));
}

void set_broadcast_info(SNDFILE* file, const BroadcastInfo& b, const std::string& where) {
  SF_BROADCAST_INFO info{};
  put(info.description, b.description);
  put(info.originator, b.originator);
  put(info.originator_reference, b.originator_reference);
  put(info.origination_date, b.origination_date);
  put(info.origination_time, b.origination_time);
  info.version = 2;
  info.loudness_value = hundredths(b.loudness_lufs);
  info.loudness_range = hundredths(b.loudness_range_lu);
  info.max_true_peak_level = hundredths(b.max_true_peak_dbtp);
  info.max_momentary_loudness = hundredths(b.max_momentary_lufs);
  info.max_shortterm_loudness = hundredths(b.max_short_term_lufs);
  const size_t history = std::min(b.coding_history.size(), sizeof info.coding_history);
  std::memcpy(info.coding_history, b.coding_history.data(), history);
  info.coding_history_size = static_cast<uint32_t>(history);
  if (sf_command(file, SFC_SET_BROADCAST_INFO, &info, sizeof info) != SF_TRUE)
    throw Error::failure("cannot write " + where + ": libsndfile refused the bext chunk");
}

}  // namespace

void check_write_options(const WriteOptions& options, const std::string& context) {
  if (options.bit_depth != 16 && options.bit_depth != 24 && options.bit_depth != 32)
    throw Error(context + ": bit_depth " + std::to_string(options.bit_depth) + " is not 16, 24 or 32");
  // The sample rate and channels are checked with the buffer (encode_audio).
  const int any_rate = options.format == "opus" ? 48000 : 44100;
  if (auto problem = check_delivery(options.format, options.bit_depth, any_rate, 0, as_double(options.bitrate),
                                    options.quality);
      problem && problem->field != "sample_rate")
    throw Error(context + ": " + problem->field + ": " + problem->message);
}

void encode_audio(TempFile& out, const AudioBuffer& buffer, const WriteOptions& options) {
  const std::string where = out.final_path().string();
  check_write_options(options, where);
  if (buffer.channels <= 0 || buffer.sample_rate <= 0)
    throw Error::failure("cannot write " + where + ": buffer has " + std::to_string(buffer.channels) +
                         " channels at " + std::to_string(buffer.sample_rate) + " Hz");
  if (auto problem = check_delivery(options.format, options.bit_depth, buffer.sample_rate, buffer.channels,
                                    as_double(options.bitrate), options.quality))
    throw Error(where + ": " + problem->field + ": " + problem->message);
  SF_INFO info{};
  info.samplerate = buffer.sample_rate;
  info.channels = buffer.channels;
  info.format = sndfile_format(options);
  if (!sf_format_check(&info))
    throw Error::failure("cannot write " + where + ": libsndfile rejects " + options.format + " " +
                         std::to_string(options.bit_depth) + "-bit at " + std::to_string(buffer.sample_rate) +
                         " Hz, " + std::to_string(buffer.channels) + " channels");
  out.truncate();
  detail::SndFile file(sf_open_fd(out.fd(), SFM_WRITE, &info, /*close_desc=*/SF_FALSE));
  if (!file) throw Error::failure("cannot write " + where + ": " + sf_strerror(nullptr));
  // Integer encodings: clip rather than wrap around on out-of-range floats.
  sf_command(file.get(), SFC_SET_CLIPPING, nullptr, SF_TRUE);
  // No PEAK chunk: it carries a timestamp, and the same render must give the same bytes.
  sf_command(file.get(), SFC_SET_ADD_PEAK_CHUNK, nullptr, SF_FALSE);
  set_compression(file.get(), options, buffer.sample_rate, buffer.channels, where);
  // Tags go in before any audio so every container places them in its header.
  const AudioMetadata& tags = options.metadata;
  const bool id3 = options.format == "mp3";
  detail::for_each_tag(tags, [&](int id, const std::string& value) {
    // ID3 (as libsndfile writes it through LAME) has no software or copyright frame.
    if (value.empty() || (id3 && (id == SF_STR_SOFTWARE || id == SF_STR_COPYRIGHT))) return;
    if (sf_set_string(file.get(), id, value.c_str()) != 0)
      throw Error::failure("cannot write " + where + ": metadata rejected: " + sf_strerror(file.get()));
  });
  if (options.loop && options.format == "wav") {
    SF_INSTRUMENT inst{};
    inst.basenote = 60;  // middle C: "play at the recorded pitch" to samplers
    inst.velocity_lo = 1, inst.velocity_hi = 127, inst.key_lo = 0, inst.key_hi = 127;
    inst.loop_count = 1;
    inst.loops[0].mode = SF_LOOP_FORWARD;
    inst.loops[0].start = static_cast<uint32_t>(options.loop->start);
    // libsndfile's end is exclusive: it writes end - 1 into the chunk (and adds
    // 1 back when reading), so the inclusive end goes in plus one.
    inst.loops[0].end = static_cast<uint32_t>(options.loop->end + 1);
    inst.loops[0].count = 0;  // loop for ever
    if (sf_command(file.get(), SFC_SET_INSTRUMENT, &inst, sizeof inst) != SF_TRUE)
      throw Error::failure("cannot write " + where + ": libsndfile refused the loop points");
  }
  if (options.bext && options.format == "wav") set_broadcast_info(file.get(), *options.bext, where);
  if (!options.ixml.empty() && options.format == "wav") {
    SF_CHUNK_INFO chunk{};
    std::memcpy(chunk.id, "iXML", 4);
    chunk.id_size = 4;
    chunk.datalen = static_cast<unsigned>(options.ixml.size());
    chunk.data = const_cast<char*>(options.ixml.data());  // read only; valid until close
    if (sf_set_chunk(file.get(), &chunk) != SF_ERR_NO_ERROR)
      throw Error::failure("cannot write " + where + ": libsndfile refused the iXML chunk: " + sf_strerror(file.get()));
  }
  const sf_count_t frames = static_cast<sf_count_t>(buffer.frames());
  if (frames > 0 && sf_writef_float(file.get(), buffer.samples.data(), frames) != frames)
    throw Error::failure("cannot write " + where + ": " + sf_strerror(file.get()));
  if (file.close() != 0) throw Error::failure("cannot finish writing " + where);
  // FLAC and Ogg loops: LOOPSTART / LOOPLENGTH, which libsndfile has no
  // name for, go into the finished file's Vorbis comments.
  if (options.loop && has_vorbis_comments(options.format)) {
    std::string bytes = read_file(out.path());
    add_vorbis_comments(bytes, options.format, loop_comments(options.loop->start, options.loop->end), where);
    out.truncate();
    out.write(bytes);
  }
}

void write_audio(const std::filesystem::path& path, const AudioBuffer& buffer, const WriteOptions& options) {
  check_write_options(options, path.string());
  TempFile tmp(path);
  encode_audio(tmp, buffer, options);
  tmp.commit();
}

}  // namespace foley::audio
