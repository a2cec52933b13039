#include "manifest/project_loader.h"

#include <algorithm>
#include <map>

#include "common/atomic_file.h"
#include "common/error.h"
#include "common/parallel_for.h"
#include "manifest/config_parser.h"
#include "manifest/cue_resolver.h"
#include "manifest/diagnostics.h"
#include "manifest/field_checks.h"
#include "manifest/lock_file.h"
#include "manifest/manifest_parser.h"

namespace foley::manifest {
namespace {

namespace fs = std::filesystem;

fs::path absolute_root(const fs::path& root) {
  fs::path abs = fs::absolute(root).lexically_normal();
  if (!abs.has_filename() && abs.has_parent_path() && abs != abs.root_path()) abs = abs.parent_path();
  return abs;
}

// The path messages show: relative to the root when inside it.
fs::path display_path(const fs::path& root, const fs::path& file) {
  fs::path rel = file.lexically_relative(root);
  if (rel.empty() || *rel.begin() == "..") return file;
  return rel;
}

std::vector<ManifestText> discover(const LoadedConfig& loaded, Diagnostics& diags) {
  const ProjectConfig& config = loaded.config;
  std::vector<ManifestText> out;
  std::error_code ec;
  if (!fs::is_directory(config.manifest_dir, ec)) {
    if (loaded.manifest_dir_written) {
      diags.error(*loaded.manifest_dir_written, "", "project.manifest_dir",
                  "manifest folder " + config.manifest_dir.string() + " does not exist");
    }
    return out;
  }
  fs::recursive_directory_iterator it(config.manifest_dir, fs::directory_options::skip_permission_denied, ec);
  for (; !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    const fs::path& path = it->path();
    std::error_code file_ec;
    if (path.extension() != ".toml" || !it->is_regular_file(file_ec)) continue;
    fs::path rel = path.lexically_relative(config.manifest_dir);
    std::string name = rel.generic_string();
    name.resize(name.size() - 5);  // ".toml"
    try {
      out.push_back(ManifestText{name, path, read_file(path)});
    } catch (const Error& e) {
      diags.error(SourceLocation{display_path(config.root, path), 0, 0}, "", "", e.what());
    }
  }
  if (ec) {
    diags.error(SourceLocation{display_path(config.root, config.manifest_dir), 0, 0}, "", "",
                "cannot list the manifest folder: " + ec.message());
  }
  return out;
}

// One manifest parsed and its cues resolved, on its own: what it reported,
// and each cue with the place of its id (for the duplicate check).
struct LoadedManifest {
  Diagnostics diags;
  std::vector<std::pair<Cue, SourceLocation>> cues;
};

LoadedManifest load_manifest(const ManifestText& manifest, const LoadedConfig& loaded,
                             const std::vector<std::string>& engine_names) {
  LoadedManifest out;
  fs::path display = display_path(loaded.config.root, manifest.file);
  std::string name_problem = manifest_name_problem(manifest.name);
  if (!name_problem.empty()) out.diags.error(SourceLocation{display, 0, 0}, "", "", name_problem);
  RawManifest raw = parse_manifest(manifest.text, display, out.diags);
  if (!raw.parsed) return out;
  RawFields defaults = raw.defaults;
  check_field_values(defaults, FieldContext{display, "", "defaults."}, loaded.parsed ? &engine_names : nullptr,
                     out.diags);
  CueContext ctx{loaded, display, manifest.name};
  out.cues.reserve(raw.cues.size());
  for (const RawCue& raw_cue : raw.cues)
    out.cues.emplace_back(resolve_cue(raw_cue, defaults, ctx, out.diags), raw_cue.id_where);
  return out;
}

Project assemble(LoadedConfig loaded, std::vector<ManifestText> manifests, Diagnostics& diags) {
  std::sort(manifests.begin(), manifests.end(),
            [](const ManifestText& a, const ManifestText& b) { return a.name < b.name; });
  Project project;
  std::vector<std::string> engine_names;
  for (const auto& [name, _] : loaded.config.engines) engine_names.push_back(name);

  // Manifests are independent until the duplicate check: parse them on every
  // core, then merge in name order, so messages and cue order are those of a
  // serial load.
  std::vector<LoadedManifest> parsed(manifests.size());
  parallel_for(manifests.size(), 1, [&](size_t begin, size_t end) {
    for (size_t i = begin; i < end; ++i) parsed[i] = load_manifest(manifests[i], loaded, engine_names);
  });
  std::map<std::string, SourceLocation> first_seen;  // cue id -> where it was first defined
  for (size_t m = 0; m < manifests.size(); ++m) {
    project.manifest_files.push_back(manifests[m].file);
    diags.append(parsed[m].diags);
    for (auto& [cue, id_where] : parsed[m].cues) {
      auto [previous, inserted] = first_seen.emplace(cue.id, cue.where);
      if (!inserted) {
        diags.error(id_where, cue.id, "",
                    "duplicate cue id, first defined at " + previous->second.str() +
                        " (cue ids are unique across all manifests)");
        continue;
      }
      project.cues.push_back(std::move(cue));
    }
  }
  std::sort(project.cues.begin(), project.cues.end(), [](const Cue& a, const Cue& b) {
    return a.manifest != b.manifest ? a.manifest < b.manifest : a.id < b.id;
  });
  project.config = std::move(loaded.config);
  return project;
}

}  // namespace

std::string manifest_name_problem(std::string_view name) {
  if (name.empty()) return "empty manifest name";
  // Names ninja's graph already uses at the top level: a manifest's phony
  // target of that name would collide with them.
  for (std::string_view reserved : {"all", "all_takes", "build.ninja", "foley.toml", "foley.lock", "manifests"})
    if (name == reserved)
      return "manifest name `" + std::string(name) + "` is reserved (it names a target of build.ninja); rename the file";
  size_t start = 0;
  while (start <= name.size()) {
    size_t end = name.find('/', start);
    if (end == std::string_view::npos) end = name.size();
    std::string_view part = name.substr(start, end - start);
    if (part.empty() || part.front() == '.') {
      return "manifest name `" + std::string(name) +
             "`: a folder or file name under the manifest folder starts with `.` or is empty";
    }
    for (char c : part) {
      bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
                c == '-' || c == '.';
      if (!ok) {
        return "manifest name `" + std::string(name) +
               "`: folder and file names under the manifest folder use only [A-Za-z0-9_.-] (they name "
               "output folders)";
      }
    }
    start = end + 1;
  }
  return "";
}

Project build_project(const fs::path& root, std::string_view config_text, const std::vector<ManifestText>& manifests) {
  fs::path abs = absolute_root(root);
  Diagnostics diags;
  LoadedConfig loaded = parse_config(abs, config_text, diags);
  Project project = assemble(std::move(loaded), manifests, diags);
  diags.throw_if_any();
  return project;
}

Project load_project(const fs::path& root) {
  fs::path abs = absolute_root(root);
  fs::path config_path = abs / "foley.toml";
  std::error_code ec;
  if (!fs::is_regular_file(config_path, ec)) {
    throw Error("no foley.toml in " + abs.string() + " (is this a foley project?)");
  }
  std::string text = read_file(config_path);
  Diagnostics diags;
  LoadedConfig loaded = parse_config(abs, text, diags);
  std::vector<ManifestText> manifests = discover(loaded, diags);
  Project project = assemble(std::move(loaded), std::move(manifests), diags);
  project.picks = read_lock(abs, diags);
  diags.throw_if_any();
  return project;
}

}  // namespace foley::manifest
