#include "plan/planner.h"

#include <set>

#include "common/atomic_file.h"
#include "common/error.h"
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

// Removes *.json specs in `dir` that are not in `keep` (file names).
void prune_specs(const fs::path& dir, const std::set<std::string>& keep) {
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) return;
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    std::string name = entry.path().filename().string();
    if (entry.path().extension() == ".json" && !keep.count(name)) fs::remove(entry.path(), ec);
  }
}

}  // namespace

bool write_plan(const Plan& plan, const Tools& tools) {
  std::set<std::string> requests, renders;
  for (const auto& [key, req] : plan.generations) {
    fs::path path = plan.request_spec_path(key);
    write_file_if_changed(path, req.to_json().dump(2) + "\n");
    requests.insert(path.filename().string());
  }
  for (const auto& c : plan.cues) {
    fs::path path = plan.render_spec_path(c);
    write_file_if_changed(path, c.render.to_json().dump(2) + "\n");
    renders.insert(path.filename().string());
  }
  prune_specs(plan.foley_dir() / "requests", requests);
  prune_specs(plan.foley_dir() / "renders", renders);
  return write_file_if_changed(plan.build_ninja(), ninja_file_for(plan, tools));
}

}  // namespace foley::plan
