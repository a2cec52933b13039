#include "plan/planner.h"

#include <sys/stat.h>

#include <map>
#include <set>
#include <sstream>

#include "common/atomic_file.h"
#include "common/error.h"
#include "common/hash.h"
#include "plan/canonical_key.h"
#include "plan/gen_fields.h"
#include "plan/ninja_writer.h"
#include "plan/text_normalize.h"

namespace foley::plan {
namespace fs = std::filesystem;
using nlohmann::json;

namespace {

json render_fields(const manifest::Cue& cue) {
  const auto& r = cue.render;
  return {{"sample_rate", r.sample_rate},
          {"bit_depth", r.bit_depth},
          {"format", r.format},
          {"channels", r.channels},
          {"loudness", r.loudness ? json(*r.loudness) : json(nullptr)},
          {"gain_db", r.gain_db},
          {"fade_in", r.fade_in},
          {"fade_out", r.fade_out},
          {"clip", cue.clip ? json(*cue.clip) : json(nullptr)}};
}

json provenance(const PlannedCue& p, const std::string& profile, const std::string& engine) {
  const auto& c = p.cue;
  json prov = {{"cue", c.id},
               {"manifest", c.manifest},
               {"type", c.type},
               {"category", c.category},
               {"tags", c.tags},
               {"render_key", p.render_key}};
  if (c.type == "generated") {
    prov["prompt"] = c.prompt;
    prov["engine"] = engine;
    prov["profile"] = profile;
    prov["gen_key"] = p.gen_key;
    if (p.fields["gen"].contains("seed")) prov["seed"] = p.fields["gen"]["seed"];
  } else if (c.type == "source") {
    prov["source"] = c.source->string();
  }
  return prov;
}

}  // namespace

fs::path object_path(const fs::path& cache_dir, const std::string& gen_key, const std::string& ext) {
  return cache_dir / "objects" / gen_key.substr(0, 2) / (gen_key + "." + ext);
}

fs::path Plan::request_spec_path(const std::string& gen_key) const {
  return foley_dir() / "requests" / (gen_key + ".json");
}

fs::path Plan::render_spec_path(const PlannedCue& c) const {
  return foley_dir() / "renders" / (c.cue.id + "." + c.render_key + ".json");
}

const PlannedCue* Plan::find_cue(const std::string& name) const {
  for (const auto& c : cues)
    if (c.cue.id == name || c.cue.qualified_id() == name) return &c;
  return nullptr;
}

int tier_concurrency(const std::string& tier) {
  if (tier == "free") return 2;
  if (tier == "starter") return 3;
  if (tier == "creator") return 5;
  if (tier == "pro") return 10;
  if (tier == "scale" || tier == "business") return 15;
  return 2;
}

Plan make_plan(manifest::Project project, ContentHasher& hasher) {
  Plan plan;
  plan.project = std::move(project);
  const auto& config = plan.project.config;
  for (const auto& cue : plan.project.cues) {
    PlannedCue p;
    p.cue = cue;
    json rfields = render_fields(cue);
    rfields["type"] = cue.type;
    std::string profile_name, engine;
    fs::path input;
    if (cue.type == "generated") {
      auto it = config.engines.find(cue.engine);
      if (it == config.engines.end())
        throw Error(cue.where.str() + ": cue \"" + cue.id + "\": unknown engine profile \"" + cue.engine + "\"");
      const auto& profile = it->second;
      GenFields g = gen_fields_for(cue, profile, hasher);
      p.gen_key = compute_key("gen", g.key_fields);
      p.fields["gen"] = g.key_fields;
      rfields["input"] = p.gen_key;
      profile_name = profile.name;
      engine = profile.engine;
      input = object_path(config.cache_dir, p.gen_key, g.ext);
      auto [gen_it, inserted] = plan.generations.try_emplace(p.gen_key);
      GenRequest& req = gen_it->second;
      if (inserted) {
        req.gen_key = p.gen_key;
        req.engine = profile.engine;
        req.profile = profile.name;
        req.key_fields = g.key_fields;
        req.settings = g.settings;
        req.ext = g.ext;
        req.cache_dir = config.cache_dir;
        req.object_path = input;
      }
      req.cues.push_back(cue.qualified_id());
    } else if (cue.type == "source") {
      p.fields["gen"] = nullptr;
      rfields["input"] = hasher.file_hash(*cue.source);
      input = *cue.source;
    } else {
      p.fields["gen"] = nullptr;
      rfields["input"] = "silence";
    }
    p.fields["render"] = rfields;
    p.render_key = compute_key("render", rfields);

    RenderRequest& r = p.render;
    r.render_key = p.render_key;
    r.gen_key = p.gen_key;
    r.cue = cue.qualified_id();
    r.type = cue.type;
    r.input_path = input;
    r.output_path = config.output_dir / cue.manifest / (cue.id + "." + cue.render.format);
    r.cache_dir = config.cache_dir;
    r.render = render_fields(cue);
    r.provenance = provenance(p, profile_name, engine);
    r.provenance["fields"] = p.fields;
    plan.cues.push_back(std::move(p));
  }
  return plan;
}

namespace {

// Writes the spec files of one directory, skipping those whose content is
// unchanged. What was written is remembered in <dir>/.state (file name, size,
// XXH3 of the content), so a re-plan of 10k cues compares hashes instead of
// reading 10k files back. A spec whose (size, mtime, inode) on disk differ
// from the state — another writer, or a plan killed before it saved the
// state — is rewritten; anything in the directory that no cue uses is removed.
class SpecDirWriter {
 public:
  explicit SpecDirWriter(fs::path dir) : dir_(std::move(dir)) {
    std::error_code ec;
    if (!fs::exists(dir_ / ".state", ec)) return;
    std::istringstream in(read_file(dir_ / ".state"));
    Entry e;
    std::string name;
    while (in >> name >> e.stat.size >> e.stat.mtime_ns >> e.stat.inode >> e.hash) previous_[name] = e;
  }

  void write(const std::string& name, const std::string& content) {
    std::string hash = xxh3_128(content).hex();
    fs::path path = dir_ / name;
    auto it = previous_.find(name);
    FileStat now = stat_of(path);
    if (it != previous_.end() && it->second.hash == hash && it->second.stat == now && now.size == content.size()) {
      current_[name] = it->second;
      return;
    }
    write_file_atomic(path, content, Durability::kDerived);
    current_[name] = {stat_of(path), hash};
  }

  void finish() {
    std::error_code ec;
    if (fs::is_directory(dir_, ec)) {
      for (const auto& entry : fs::directory_iterator(dir_, ec)) {
        std::string name = entry.path().filename().string();
        if (entry.path().extension() == ".json" && !current_.count(name)) fs::remove(entry.path(), ec);
      }
    }
    std::string state;
    for (const auto& [name, e] : current_)
      state += name + " " + std::to_string(e.stat.size) + " " + std::to_string(e.stat.mtime_ns) + " " +
               std::to_string(e.stat.inode) + " " + e.hash + "\n";
    if (!current_.empty() || fs::exists(dir_, ec)) write_file_if_changed(dir_ / ".state", state, Durability::kDerived);
  }

 private:
  struct FileStat {
    unsigned long long size = 0, mtime_ns = 0, inode = 0;
    bool operator==(const FileStat&) const = default;
  };
  struct Entry {
    FileStat stat;
    std::string hash;
  };

  static FileStat stat_of(const fs::path& path) {
    struct ::stat st {};
    if (::stat(path.c_str(), &st) != 0) return {};
    return {static_cast<unsigned long long>(st.st_size),
            static_cast<unsigned long long>(st.st_mtim.tv_sec) * 1000000000ull +
                static_cast<unsigned long long>(st.st_mtim.tv_nsec),
            static_cast<unsigned long long>(st.st_ino)};
  }
  fs::path dir_;
  std::map<std::string, Entry> previous_;
  std::map<std::string, Entry> current_;
};

}  // namespace

bool write_plan(const Plan& plan, const Tools& tools) {
  SpecDirWriter requests(plan.foley_dir() / "requests");
  for (const auto& [key, req] : plan.generations)
    requests.write(plan.request_spec_path(key).filename().string(), req.to_json().dump() + "\n");
  requests.finish();
  SpecDirWriter renders(plan.foley_dir() / "renders");
  for (const auto& c : plan.cues)
    renders.write(plan.render_spec_path(c).filename().string(), c.render.to_json().dump() + "\n");
  renders.finish();
  return write_file_if_changed(plan.build_ninja(), ninja_file_for(plan, tools));
}

}  // namespace foley::plan
