#pragma once

// Vorbis comments that libsndfile cannot write (it knows only its SF_STR_*
// names), added to an encoded FLAC, Ogg Vorbis or Ogg Opus file afterwards:
// the loop tags LOOPSTART / LOOPLENGTH that game engines and players read.
// Everything else in the file stays byte for byte, so the same render still
// gives the same bytes.

#include <string>
#include <string_view>
#include <vector>

namespace foley::audio {

// True for the formats whose tags are Vorbis comments: flac, ogg, opus.
bool has_vorbis_comments(std::string_view format);

// Appends `comments` ("KEY=value") to the Vorbis comment block of `file` (the
// whole encoded file), keeping the comments already there. A FLAC file
// without a comment block gets one. Throws foley::Error::failure naming
// `where` on a file it cannot parse.
void add_vorbis_comments(std::string& file, std::string_view format, const std::vector<std::string>& comments,
                         const std::string& where);

// Every comment of the file's Vorbis comment block, in order.
std::vector<std::string> read_vorbis_comments(const std::string& file, std::string_view format,
                                              const std::string& where);

// The de-facto loop tags (RPG Maker, many game engines): the loop's first
// frame and its length in frames.
std::vector<std::string> loop_comments(size_t start, size_t end_inclusive);

}  // namespace foley::audio
