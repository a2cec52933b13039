#include "audio/vorbis_comments.h"

#include <ogg/ogg.h>

#include <cstdint>
#include <cstring>
#include <optional>

#include "common/error.h"

namespace foley::audio {
namespace {

// The comment structure every container shares (Vorbis I spec, 5.2.1): a
// little-endian length-prefixed vendor string and list of "KEY=value"
// strings. What follows it (Vorbis' framing bit, Opus' optional binary data)
// belongs to the container and is kept as `tail`.
struct CommentBlock {
  std::string vendor;
  std::vector<std::string> comments;
  std::string tail;
};

uint32_t le32(const std::string& s, size_t at) {
  uint32_t v = 0;
  for (int i = 3; i >= 0; --i) v = (v << 8) | static_cast<unsigned char>(s[at + static_cast<size_t>(i)]);
  return v;
}

void put_le32(std::string& out, uint32_t v) {
  for (int i = 0; i < 4; ++i) out += static_cast<char>((v >> (8 * i)) & 0xFF);
}

std::optional<CommentBlock> parse_block(const std::string& s, size_t at) {
  CommentBlock b;
  auto take = [&](std::string& out) {
    if (at + 4 > s.size()) return false;
    const uint32_t n = le32(s, at);
    at += 4;
    if (n > s.size() - at) return false;
    out = s.substr(at, n);
    at += n;
    return true;
  };
  if (!take(b.vendor) || at + 4 > s.size()) return std::nullopt;
  const uint32_t count = le32(s, at);
  at += 4;
  if (count > (s.size() - at) / 4) return std::nullopt;
  b.comments.resize(count);
  for (std::string& c : b.comments)
    if (!take(c)) return std::nullopt;
  b.tail = s.substr(at);
  return b;
}

std::string write_block(const CommentBlock& b) {
  std::string out;
  put_le32(out, static_cast<uint32_t>(b.vendor.size()));
  out += b.vendor;
  put_le32(out, static_cast<uint32_t>(b.comments.size()));
  for (const std::string& c : b.comments) {
    put_le32(out, static_cast<uint32_t>(c.size()));
    out += c;
  }
  return out + b.tail;
}

[[noreturn]] void unreadable(const std::string& where, const std::string& why) {
  throw Error::failure("cannot tag " + where + ": " + why);
}

// --- FLAC: a VORBIS_COMMENT metadata block (type 4) -------------------------

constexpr int kFlacVorbisComment = 4;

struct FlacBlock {
  size_t header;  // offset of its 4-byte header
  int type;
  size_t length;
  bool last;
};

std::vector<FlacBlock> flac_blocks(const std::string& file, const std::string& where) {
  if (file.compare(0, 4, "fLaC") != 0) unreadable(where, "not a FLAC stream");
  std::vector<FlacBlock> blocks;
  size_t at = 4;
  for (;;) {
    if (at + 4 > file.size()) unreadable(where, "truncated FLAC metadata");
    const auto byte = [&](size_t i) { return static_cast<unsigned char>(file[at + i]); };
    FlacBlock b{at, byte(0) & 0x7F, (size_t{byte(1)} << 16) | (size_t{byte(2)} << 8) | byte(3), (byte(0) & 0x80) != 0};
    if (at + 4 + b.length > file.size()) unreadable(where, "truncated FLAC metadata block");
    blocks.push_back(b);
    at += 4 + b.length;
    if (b.last) return blocks;
  }
}

std::string flac_header(int type, size_t length, bool last) {
  std::string h(4, '\0');
  h[0] = static_cast<char>((last ? 0x80 : 0) | type);
  h[1] = static_cast<char>((length >> 16) & 0xFF);
  h[2] = static_cast<char>((length >> 8) & 0xFF);
  h[3] = static_cast<char>(length & 0xFF);
  return h;
}

void flac_add(std::string& file, const std::vector<std::string>& comments, const std::string& where) {
  const std::vector<FlacBlock> blocks = flac_blocks(file, where);
  for (const FlacBlock& b : blocks) {
    if (b.type != kFlacVorbisComment) continue;
    std::optional<CommentBlock> block = parse_block(file.substr(b.header + 4, b.length), 0);
    if (!block) unreadable(where, "malformed FLAC comment block");
    block->comments.insert(block->comments.end(), comments.begin(), comments.end());
    const std::string body = write_block(*block);
    if (body.size() >= (1u << 24)) unreadable(where, "comment block too large");
    file.replace(b.header, 4 + b.length, flac_header(kFlacVorbisComment, body.size(), b.last) + body);
    return;
  }
  // None yet: a new block right after STREAMINFO, which must come first.
  const FlacBlock& info = blocks.front();
  const std::string body = write_block(CommentBlock{"foley", comments, ""});
  const std::string block = flac_header(kFlacVorbisComment, body.size(), info.last) + body;
  if (info.last) file[info.header] = static_cast<char>(file[info.header] & 0x7F);
  file.insert(info.header + 4 + info.length, block);
}

std::vector<std::string> flac_read(const std::string& file, const std::string& where) {
  for (const FlacBlock& b : flac_blocks(file, where)) {
    if (b.type != kFlacVorbisComment) continue;
    std::optional<CommentBlock> block = parse_block(file.substr(b.header + 4, b.length), 0);
    if (!block) unreadable(where, "malformed FLAC comment block");
    return block->comments;
  }
  return {};
}

// --- Ogg: the second header packet of the first logical stream --------------

// Vorbis: "\x03vorbis" + comments + framing bit; Opus: "OpusTags" + comments.
struct OggCodec {
  std::string_view magic;
  int header_packets;
};
OggCodec ogg_codec(std::string_view format) {
  return format == "opus" ? OggCodec{"OpusTags", 2} : OggCodec{"\x03vorbis", 3};
}

struct OggHeaders {
  std::vector<std::string> packets;  // the codec's header packets
  size_t audio_offset = 0;           // where the first page after them starts
  long next_page_no = 0;             // that page's sequence number
  long serial = 0;
};

// Reads the header packets. They must end a page of their own (both specs
// ask it of encoders, and libsndfile flushes after them), so the audio pages
// that follow can be kept byte for byte.
OggHeaders ogg_headers(const std::string& file, const OggCodec& codec, const std::string& where) {
  OggHeaders h;
  ogg_sync_state sync;
  ogg_sync_init(&sync);
  ogg_stream_state stream;
  bool stream_open = false;
  size_t offset = 0;
  auto cleanup = [&] {
    if (stream_open) ogg_stream_clear(&stream);
    ogg_sync_clear(&sync);
  };
  char* buffer = ogg_sync_buffer(&sync, static_cast<long>(file.size()));
  std::memcpy(buffer, file.data(), file.size());
  ogg_sync_wrote(&sync, static_cast<long>(file.size()));
  ogg_page page;
  while (static_cast<int>(h.packets.size()) < codec.header_packets) {
    if (ogg_sync_pageout(&sync, &page) != 1) {
      cleanup();
      unreadable(where, "the Ogg stream ends inside its headers");
    }
    if (!stream_open) {
      h.serial = ogg_page_serialno(&page);
      ogg_stream_init(&stream, static_cast<int>(h.serial));
      stream_open = true;
    }
    if (ogg_page_serialno(&page) != h.serial || ogg_stream_pagein(&stream, &page) != 0) {
      cleanup();
      unreadable(where, "the Ogg headers are interleaved with another stream");
    }
    offset += static_cast<size_t>(page.header_len + page.body_len);
    h.next_page_no = ogg_page_pageno(&page) + 1;
    ogg_packet packet;
    while (static_cast<int>(h.packets.size()) < codec.header_packets && ogg_stream_packetout(&stream, &packet) == 1)
      h.packets.emplace_back(reinterpret_cast<const char*>(packet.packet), static_cast<size_t>(packet.bytes));
    if (static_cast<int>(h.packets.size()) == codec.header_packets) {
      ogg_packet more;
      const bool shares_page = ogg_stream_packetpeek(&stream, &more) != 0 || ogg_page_granulepos(&page) > 0;
      const bool next_continues = offset + 5 < file.size() && (static_cast<unsigned char>(file[offset + 5]) & 1);
      if (shares_page || next_continues) {
        cleanup();
        unreadable(where, "audio shares a page with the Ogg headers");
      }
    }
  }
  cleanup();
  h.audio_offset = offset;
  return h;
}

CommentBlock ogg_comment_block(const std::string& packet, const OggCodec& codec, const std::string& where) {
  if (packet.compare(0, codec.magic.size(), codec.magic) != 0) unreadable(where, "no comment header where expected");
  std::optional<CommentBlock> block = parse_block(packet, codec.magic.size());
  if (!block) unreadable(where, "malformed comment header");
  return *block;
}

void ogg_add(std::string& file, std::string_view format, const std::vector<std::string>& comments,
             const std::string& where) {
  const OggCodec codec = ogg_codec(format);
  OggHeaders h = ogg_headers(file, codec, where);
  CommentBlock block = ogg_comment_block(h.packets[1], codec, where);
  block.comments.insert(block.comments.end(), comments.begin(), comments.end());
  h.packets[1] = std::string(codec.magic) + write_block(block);

  std::string out;
  ogg_stream_state stream;
  ogg_stream_init(&stream, static_cast<int>(h.serial));
  auto flush = [&] {
    ogg_page page;
    while (ogg_stream_flush(&stream, &page) != 0) {
      out.append(reinterpret_cast<const char*>(page.header), static_cast<size_t>(page.header_len));
      out.append(reinterpret_cast<const char*>(page.body), static_cast<size_t>(page.body_len));
    }
  };
  for (size_t i = 0; i < h.packets.size(); ++i) {
    ogg_packet p{};
    p.packet = reinterpret_cast<unsigned char*>(h.packets[i].data());
    p.bytes = static_cast<long>(h.packets[i].size());
    p.b_o_s = i == 0;
    p.packetno = static_cast<ogg_int64_t>(i);
    ogg_stream_packetin(&stream, &p);
    if (i == 0) flush();  // the identification header is alone on the first page
  }
  flush();
  long page_no = stream.pageno;
  ogg_stream_clear(&stream);

  // The audio pages as they were, renumbered after the new header pages.
  std::string rest = file.substr(h.audio_offset);
  ogg_sync_state sync;
  ogg_sync_init(&sync);
  char* buffer = ogg_sync_buffer(&sync, static_cast<long>(rest.size()));
  std::memcpy(buffer, rest.data(), rest.size());
  ogg_sync_wrote(&sync, static_cast<long>(rest.size()));
  ogg_page page;
  for (int got; (got = ogg_sync_pageout(&sync, &page)) != 0;) {
    if (got < 0) {
      ogg_sync_clear(&sync);
      unreadable(where, "the Ogg stream has a gap or a damaged page");
    }
    for (int i = 0; i < 4; ++i) page.header[18 + i] = static_cast<unsigned char>((page_no >> (8 * i)) & 0xFF);
    ++page_no;
    ogg_page_checksum_set(&page);
    out.append(reinterpret_cast<const char*>(page.header), static_cast<size_t>(page.header_len));
    out.append(reinterpret_cast<const char*>(page.body), static_cast<size_t>(page.body_len));
  }
  ogg_sync_clear(&sync);
  file = std::move(out);
}

}  // namespace

bool has_vorbis_comments(std::string_view format) { return format == "flac" || format == "ogg" || format == "opus"; }

void add_vorbis_comments(std::string& file, std::string_view format, const std::vector<std::string>& comments,
                         const std::string& where) {
  if (format == "flac") return flac_add(file, comments, where);
  if (format == "ogg" || format == "opus") return ogg_add(file, format, comments, where);
  throw Error::failure("cannot tag " + where + ": " + std::string(format) + " has no Vorbis comments");
}

std::vector<std::string> read_vorbis_comments(const std::string& file, std::string_view format,
                                              const std::string& where) {
  if (format == "flac") return flac_read(file, where);
  if (format != "ogg" && format != "opus")
    throw Error::failure("cannot read the tags of " + where + ": " + std::string(format) + " has no Vorbis comments");
  const OggCodec codec = ogg_codec(format);
  return ogg_comment_block(ogg_headers(file, codec, where).packets[1], codec, where).comments;
}

std::vector<std::string> loop_comments(size_t start, size_t end_inclusive) {
  return {"LOOPSTART=" + std::to_string(start), "LOOPLENGTH=" + std::to_string(end_inclusive - start + 1)};
}

}  // namespace foley::audio
