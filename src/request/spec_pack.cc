#include "request/spec_pack.h"

#include <system_error>

#include "common/atomic_file.h"
#include "common/error.h"

namespace foley {
namespace fs = std::filesystem;

std::string spec_pack_name(std::string_view entry) {
  if (entry.size() < 2) throw Error("spec entry name too short: \"" + std::string(entry) + "\"");
  return std::string(entry.substr(0, 2)) + ".specs";
}

void append_spec_entry(std::string& pack, std::string_view entry, std::string_view spec_text) {
  if (entry.empty() || entry.find_first_of("\t\n\r") != std::string_view::npos)
    throw Error("spec entry name holds a tab or newline: \"" + std::string(entry) + "\"");
  if (spec_text.empty() || spec_text.back() != '\n' ||
      spec_text.find('\n') != spec_text.size() - 1)
    throw Error("spec of \"" + std::string(entry) + "\" is not one line of JSON");
  pack.append(entry);
  pack += '\t';
  pack.append(spec_text);
}

std::string_view find_spec_entry(std::string_view pack, std::string_view entry) {
  size_t pos = 0;
  while (pos < pack.size()) {
    // Candidate line starts: the pack's start, or just after a newline.
    if (pack.compare(pos, entry.size(), entry) == 0 && pos + entry.size() < pack.size() &&
        pack[pos + entry.size()] == '\t') {
      size_t start = pos + entry.size() + 1;
      size_t end = pack.find('\n', start);
      if (end == std::string_view::npos) return {};  // a torn line is never a spec
      return pack.substr(start, end + 1 - start);
    }
    size_t nl = pack.find('\n', pos);
    if (nl == std::string_view::npos) break;
    pos = nl + 1;
  }
  return {};
}

std::string read_spec_text(const fs::path& path, std::string_view entry) {
  if (entry.empty()) return read_file(path);
  std::error_code ec;
  fs::path pack = fs::is_directory(path, ec) ? path / spec_pack_name(entry) : path;
  if (!fs::exists(pack, ec))
    throw Error(pack.string() + ": no such spec pack (for entry " + std::string(entry) + "); re-run `foley plan`");
  std::string text = read_file(pack);
  std::string_view found = find_spec_entry(text, entry);
  if (found.empty())
    throw Error(pack.string() + ": no spec entry " + std::string(entry) + "; re-run `foley plan`");
  return std::string(found);
}

std::string object_gen_key(const fs::path& object) {
  const std::string name = object.filename().string();
  std::string key = name.substr(0, name.find('.'));
  if (key.size() != 32 || key.find_first_not_of("0123456789abcdef") != std::string::npos)
    throw Error(object.string() + ": not an object path of the cache (<gen key>.<ext>)");
  return key;
}

std::string spec_origin(const fs::path& path, std::string_view entry) {
  return entry.empty() ? path.string() : path.string() + " [" + std::string(entry) + "]";
}

}  // namespace foley
