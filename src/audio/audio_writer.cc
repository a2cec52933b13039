#include "audio/audio_writer.h"

#include "audio/sndfile_io.h"
#include "common/error.h"

namespace foley::audio {
namespace {

int sndfile_format(const WriteOptions& o) {
  int container = o.format == "flac" ? SF_FORMAT_FLAC : SF_FORMAT_WAV;
  int encoding = o.bit_depth == 16 ? SF_FORMAT_PCM_16 : o.bit_depth == 24 ? SF_FORMAT_PCM_24 : SF_FORMAT_FLOAT;
  return container | encoding;
}

}  // namespace

void check_write_options(const WriteOptions& options, const std::string& context) {
  if (options.format != "wav" && options.format != "flac")
    throw Error(context + ": format \"" + options.format + "\" is not supported (expected \"wav\" or \"flac\")");
  if (options.bit_depth != 16 && options.bit_depth != 24 && options.bit_depth != 32)
    throw Error(context + ": bit_depth " + std::to_string(options.bit_depth) + " is not 16, 24 or 32");
  if (options.format == "flac" && options.bit_depth == 32)
    throw Error(context + ": bit_depth 32 (float) is only available with format \"wav\"; FLAC takes 16 or 24");
}

void encode_audio(TempFile& out, const AudioBuffer& buffer, const WriteOptions& options) {
  const std::string where = out.final_path().string();
  check_write_options(options, where);
  if (buffer.channels <= 0 || buffer.sample_rate <= 0)
    throw Error::failure("cannot write " + where + ": buffer has " + std::to_string(buffer.channels) +
                         " channels at " + std::to_string(buffer.sample_rate) + " Hz");
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
  // Tags go in before any audio so every container places them in its header.
  detail::for_each_tag(options.metadata, [&](int id, const std::string& value) {
    if (!value.empty() && sf_set_string(file.get(), id, value.c_str()) != 0)
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
  const sf_count_t frames = static_cast<sf_count_t>(buffer.frames());
  if (frames > 0 && sf_writef_float(file.get(), buffer.samples.data(), frames) != frames)
    throw Error::failure("cannot write " + where + ": " + sf_strerror(file.get()));
  if (file.close() != 0) throw Error::failure("cannot finish writing " + where);
}

void write_audio(const std::filesystem::path& path, const AudioBuffer& buffer, const WriteOptions& options) {
  check_write_options(options, path.string());
  TempFile tmp(path);
  encode_audio(tmp, buffer, options);
  tmp.commit();
}

}  // namespace foley::audio
