#pragma once

#include <filesystem>
#include <string>
#include <string_view>

namespace foley {

// Request and render specs are stored in packs, not one file each: `foley plan`
// writes .foley/requests/<xx>.specs and .foley/renders/<xx>.specs, where xx is
// the first two characters of an entry's name (a gen key, or a render key
// followed by ':' and the cue's qualified id). A pack is text, one entry a line,
// sorted by name:
//
//   <name> TAB <spec JSON on one line> LF
//
// At most 256 packs a directory whatever the number of cues: creating 200 000
// small files dominated a 100k-cue plan (and took ~800 MB of disk blocks).
// A pack is written atomically as a whole; the entry a ninja edge needs is found
// by its name, which the edge's command carries.

// "<xx>.specs" for an entry name (at least two characters, no tab or newline).
std::string spec_pack_name(std::string_view entry);

// Appends one entry; `spec_text` is one line of JSON ending with '\n'.
// Throws foley::Error if the name or the text would break the line format.
void append_spec_entry(std::string& pack, std::string_view entry, std::string_view spec_text);

// The spec text of `entry` in a pack's content, or an empty view when absent.
std::string_view find_spec_entry(std::string_view pack, std::string_view entry);

// Reads one spec: with an empty `entry`, `path` is a standalone JSON spec file;
// otherwise `path` is a pack (or a directory of packs, in which case the pack is
// chosen from the entry's name) and the entry's text is returned. Throws
// foley::Error naming the pack and entry when it is missing.
std::string read_spec_text(const std::filesystem::path& path, std::string_view entry);

// Where ninja's generate edges find their specs, relative to the project root
// (the directory ninja runs in).
inline constexpr const char* kRequestPacksDir = ".foley/requests";

// The gen key an object path names: <cache>/objects/<xx>/<gen key>.<ext>, the
// file name up to its first dot. Throws foley::Error naming the path when it
// is not 32 lowercase hex characters.
std::string object_gen_key(const std::filesystem::path& object);

// How messages name a spec: "PATH", or "PATH [ENTRY]" for an entry of a pack.
std::string spec_origin(const std::filesystem::path& path, std::string_view entry);

}  // namespace foley
