#include "plan/planner.h"

#include <sys/stat.h>

#include <algorithm>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <sstream>

#include "common/atomic_file.h"
#include "common/error.h"
#include "common/hash.h"
#include "common/parallel_for.h"
#include "common/suggest.h"
#include "engines/catalog.h"
#include "request/canonical_key.h"
#include "plan/delivery_names.h"
#include "plan/gen_fields.h"
#include "plan/ninja_writer.h"
#include "plan/output_record.h"
#include "plan/spec_dir_writer.h"
#include "plan/text_normalize.h"
#include "request/object_link.h"
#include "request/spec_pack.h"

namespace foley::plan {
namespace fs = std::filesystem;
using nlohmann::json;

namespace {

json render_fields(const manifest::Cue& cue) {
  const auto& r = cue.render;
  return {{"sample_rate", r.sample_rate},
          {"bit_depth", r.bit_depth},
          {"format", r.format},
          {"channels", r.channels.value_or(1) == 0 ? json("source") : json(r.channels.value_or(1))},
          {"loudness", r.loudness ? json(*r.loudness) : json(nullptr)},
          {"gain_db", r.gain_db},
          {"fade_in", r.fade_in},
          {"fade_out", r.fade_out},
          {"clip", cue.clip ? json(*cue.clip) : json(nullptr)},
          {"loudness_measure", r.loudness_measure},
          {"true_peak", r.true_peak},
          {"highpass", r.highpass.value_or(0.0)},
          {"loop", cue.loop},
          {"bitrate", r.bitrate ? json(*r.bitrate) : json(nullptr)},
          {"quality", r.quality ? json(*r.quality) : json(nullptr)}};
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

std::string request_spec_entry(const std::string& gen_key) { return gen_key; }

size_t Plan::unavailable_cues() const {
  size_t n = 0;
  for (const PlannedCue& c : cues) n += c.unavailable.empty() ? 0 : 1;
  return n;
}

std::string render_spec_entry(const PlannedCue& c) { return c.render_key + ":" + c.cue.qualified_id(); }

std::string render_spec_entry(const RenderRequest& take_render) {
  return take_render.render_key + ":" + take_render.cue + "#" + std::to_string(take_render.take);
}

const PlannedCue* Plan::find_cue(const std::string& name) const {
  for (const auto& c : cues)
    if (c.cue.id == name || c.cue.qualified_id() == name) return &c;
  return nullptr;
}

std::string Plan::cue_suggestion(const std::string& name) const {
  std::vector<std::string> ids;
  for (const auto& c : cues) ids.push_back(c.cue.qualified_id());
  for (const auto& c : cues) ids.push_back(c.cue.id);
  return did_you_mean(name, ids);
}

std::vector<std::string> ignored_fields_of(const Plan& plan, const PlannedCue& c) {
  std::vector<std::string> ignored;
  if (c.gen_key.empty()) return ignored;
  const manifest::EngineProfile& profile = plan.project.config.engines.at(c.cue.engine);
  const engines::EngineRow& row = engines::engine_row(profile.engine);
  if (!row.ignored_cue_fields) return ignored;
  const manifest::Cue& cue = c.cue;
  for (const std::string& field : row.ignored_cue_fields(profile_view(profile))) {
    bool set = (field == "prompt" && !cue.prompt.empty()) ||
               (field == "negative_prompt" && cue.negative_prompt.has_value()) ||
               (field == "duration" && cue.duration.has_value()) || (field == "seed" && cue.seed.has_value()) ||
               (field == "prompt_influence" && cue.prompt_influence.has_value());
    if (set) ignored.push_back(field);
  }
  return ignored;
}

std::vector<std::string> ignored_field_notes(const Plan& plan) {
  std::map<std::string, std::set<std::string>> set_by_profile;  // profile -> ignored fields its cues set
  for (const PlannedCue& c : plan.cues)
    for (const std::string& field : ignored_fields_of(plan, c)) set_by_profile[c.cue.engine].insert(field);
  std::vector<std::string> notes;
  for (const auto& [name, fields] : set_by_profile) {
    std::string list;
    for (const std::string& f : fields) list += (list.empty() ? "" : ", ") + f;
    const manifest::EngineProfile& profile = plan.project.config.engines.at(name);
    notes.push_back("engine profile `" + name + "` (" + profile.engine + ") does not use the cue field(s) " + list +
                    ": they do not reach the generation, and cues differing only in them share one object");
  }
  return notes;
}

namespace {

// Serialises and memoises a ContentHasher for the planning threads: the
// index-backed hasher is not thread-safe, and every audioldm2 cue asks for the
// same model folder.
class SharedHasher : public ContentHasher {
 public:
  explicit SharedHasher(ContentHasher& inner) : inner_(inner) {}
  std::string file_hash(const fs::path& path) override { return memo(files_, path, &ContentHasher::file_hash); }
  std::string folder_hash(const fs::path& dir) override { return memo(folders_, dir, &ContentHasher::folder_hash); }

 private:
  std::string memo(std::map<fs::path, std::string>& cache, const fs::path& path,
                   std::string (ContentHasher::*hash)(const fs::path&)) {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = cache.find(path);
    if (it == cache.end()) it = cache.emplace(path, (inner_.*hash)(path)).first;
    return it->second;
  }
  ContentHasher& inner_;
  std::mutex mu_;
  std::map<fs::path, std::string> files_, folders_;
};

// One cue planned on its own (no shared state but the hasher); `gens` holds
// its takes' generation fields when it has any.
struct CuePlan {
  PlannedCue planned;
  std::vector<GenFields> gens;
  std::optional<RankRequest> rank;
  std::string profile, engine;
};

std::string take_output_name(const manifest::Cue& cue, const DeliveryName& name, int take) {
  return name.stem + "." + std::to_string(take) + "." + cue.render.format;
}

json ucs_fields(const UcsName& u) {
  return {{"cat_id", u.cat_id},         {"category", u.category},     {"subcategory", u.subcategory},
          {"fx_name", u.fx_name},       {"creator_id", u.creator_id}, {"source_id", u.source_id}};
}

// Which take the render reads: the pick foley.lock holds (when it still names
// one of the takes), else the ranking's best (takes > 1 and a rank model),
// else take 0.
void choose_take(PlannedCue& p, const std::map<std::string, manifest::TakePick>& picks) {
  auto it = picks.find(p.cue.qualified_id());
  if (it != picks.end()) {
    p.pick = it->second;
    auto found = std::find(p.take_keys.begin(), p.take_keys.end(), it->second.gen_key);
    if (found != p.take_keys.end()) {
      p.rendered_take = static_cast<int>(found - p.take_keys.begin());
      return;
    }
    p.rendered_take = 0;
    p.stale_pick = it->second.where.str() + ": cue \"" + p.cue.qualified_id() + "\": foley.lock picks take " +
                   std::to_string(it->second.take) + " (gen key " + it->second.gen_key +
                   "), which is no longer one of its " + std::to_string(p.take_keys.size()) +
                   " take(s): its inputs changed. Nothing replaces a pick silently: list the takes with `foley "
                   "takes " + p.cue.qualified_id() + "` and pick again with `foley pick " + p.cue.qualified_id() +
                   " N`";
    return;
  }
  p.rendered_take = p.rank_key.empty() ? 0 : -1;
}

CuePlan plan_cue(manifest::Cue&& moved, const DeliveryName& name, const manifest::ProjectConfig& config,
                 const std::map<std::string, manifest::TakePick>& picks, ContentHasher& hasher) {
  CuePlan out;
  PlannedCue& p = out.planned;
  p.cue = std::move(moved);
  const manifest::Cue& cue = p.cue;
  RenderRequest& r = p.render;
  r.render = render_fields(cue);
  json rfields = r.render;
  rfields["type"] = cue.type;
  // Only under UCS naming: the keys of cues named by their id stay as they were.
  // The name's blocks are in the file's metadata: the whole name is a render input.
  if (name.ucs) rfields["ucs_name"] = name.stem;
  const fs::path output = config.output_dir / cue.manifest / (name.stem + "." + cue.render.format);
  fs::path input;
  std::string ext;
  if (cue.type == "generated") {
    auto it = config.engines.find(cue.engine);
    if (it == config.engines.end())
      throw Error(cue.where.str() + ": cue \"" + cue.id + "\": unknown engine profile \"" + cue.engine + "\"");
    const auto& profile = it->second;
    if (!profile.unavailable.empty()) {
      // No key without the model's fingerprint: the cue waits for its model.
      p.unavailable = profile.unavailable;
      p.fields["gen"] = nullptr;
      rfields["input"] = "unavailable";
      out.profile = profile.name;
      out.engine = profile.engine;
      p.render_key = compute_key("render", rfields);
      p.fields["render"] = std::move(rfields);
      r.render_key = p.render_key;
      r.cue = cue.qualified_id();
      r.type = cue.type;
      r.output_path = output;
      r.cache_dir = config.cache_dir;
      r.project = config.name;
      r.project_id = config.history();
      return out;
    }
    GenFields g = gen_fields_for(cue, profile, hasher);
    // Take 0 keeps the key a one-take cue has; take i > 0 adds its index.
    for (int t = 0; t < cue.takes; ++t) {
      GenFields take = g;
      if (t > 0) take.key_fields[engines::kTakeKeyField] = t;
      p.take_keys.push_back(compute_key("gen", take.key_fields));
      out.gens.push_back(std::move(take));
    }
    p.gen_key = p.take_keys[0];
    p.fields["gen"] = g.key_fields;
    if (cue.takes > 1) p.fields["gen"]["takes"] = cue.takes;
    out.profile = profile.name;
    out.engine = profile.engine;
    ext = g.ext;
    const engines::EngineRow& row = engines::engine_row(profile.engine);
    std::optional<fs::path> rank_model = row.rank_model ? row.rank_model(profile.settings) : std::nullopt;
    if (cue.takes > 1 && rank_model) {
      RankRequest rank;
      json rank_fields = {{"take_keys", p.take_keys},
                          {"prompt", normalize_prompt(cue.prompt)},
                          {"rank_model", hasher.folder_hash(*rank_model)}};
      rank.rank_key = compute_key("rank", rank_fields);
      rank.cue = cue.qualified_id();
      rank.prompt = cue.prompt;
      rank.rank_model = *rank_model;
      rank.device = profile.settings.value("device", std::string("cpu"));
      rank.take_keys = p.take_keys;
      for (const std::string& key : p.take_keys) rank.take_objects.push_back(cache_object_path(config.cache_dir, key, ext));
      rank.cache_dir = config.cache_dir;
      p.rank_key = rank.rank_key;
      out.rank = std::move(rank);
    }
    choose_take(p, picks);
    if (!p.stale_pick.empty()) {
      rfields["input"] = "stale pick";
    } else if (p.rendered_take >= 0) {
      rfields["input"] = p.take_keys[static_cast<size_t>(p.rendered_take)];
      input = cache_object_path(config.cache_dir, p.take_keys[static_cast<size_t>(p.rendered_take)], ext);
    } else {
      rfields["input"] = "best take of ranking " + p.rank_key;
      r.ranking = config.root / ranking_path(p.rank_key);
    }
  } else if (cue.type == "source") {
    p.fields["gen"] = nullptr;
    rfields["input"] = hasher.file_hash(*cue.source);
    input = *cue.source;
  } else {
    p.fields["gen"] = nullptr;
    rfields["input"] = "silence";
  }
  p.render_key = compute_key("render", rfields);
  p.fields["render"] = rfields;

  r.render_key = p.render_key;
  r.gen_key = input.empty() || cue.type != "generated" ? std::string() : p.take_keys[static_cast<size_t>(p.rendered_take)];
  r.cue = cue.qualified_id();
  r.type = cue.type;
  r.input_path = input;
  r.output_path = output;
  r.cache_dir = config.cache_dir;
  r.project = config.name;
  r.project_id = config.history();
  r.provenance = provenance(p, out.profile, out.engine);
  if (name.ucs) r.provenance["ucs"] = ucs_fields(*name.ucs);
  if (!r.gen_key.empty()) r.provenance["gen_key"] = r.gen_key;
  if (p.take_keys.size() > 1) {
    r.provenance["takes"] = p.take_keys;
    if (p.rendered_take >= 0) r.provenance["take"] = p.rendered_take;
  }
  r.provenance["fields"] = p.fields;

  // One render per take for `--all-takes`: the take's own object, rendered
  // with the cue's settings.
  for (size_t t = 0; p.take_keys.size() > 1 && t < p.take_keys.size(); ++t) {
    RenderRequest tr = r;
    json tfields = rfields;
    tfields["input"] = p.take_keys[t];
    tr.render_key = compute_key("render", tfields);
    tr.gen_key = p.take_keys[t];
    tr.input_path = cache_object_path(config.cache_dir, p.take_keys[t], ext);
    tr.ranking.clear();
    tr.take = static_cast<int>(t);
    tr.output_path = config.output_dir / cue.manifest / take_output_name(cue, name, static_cast<int>(t));
    tr.provenance["gen_key"] = tr.gen_key;
    tr.provenance["take"] = static_cast<int>(t);
    tr.provenance["render_key"] = tr.render_key;
    p.take_renders.push_back(std::move(tr));
  }
  return out;
}

}  // namespace

Plan make_plan(manifest::Project project, ContentHasher& hasher) {
  Plan plan;
  plan.project = std::move(project);
  const auto& config = plan.project.config;
  // The cues move into the plan (plan.project.cues is left empty).
  auto& cues = plan.project.cues;
  // Keys per cue on every core (hashing, normalising and building the spec
  // fields are independent per cue), then the shared generations in order.
  std::vector<CuePlan> planned(cues.size());
  const std::vector<DeliveryName> names = delivery_names(cues, config.name);
  SharedHasher shared(hasher);
  parallel_for(cues.size(), 256, [&](size_t begin, size_t end) {
    for (size_t i = begin; i < end; ++i)
      planned[i] = plan_cue(std::move(cues[i]), names[i], config, plan.project.picks, shared);
  });
  cues.clear();
  plan.cues.reserve(planned.size());
  for (CuePlan& c : planned) {
    PlannedCue& p = c.planned;
    for (size_t t = 0; t < c.gens.size(); ++t) {
      const std::string& key = p.take_keys[t];
      auto [gen_it, inserted] = plan.generations.try_emplace(key);
      GenRequest& req = gen_it->second;
      if (inserted) {
        req.gen_key = key;
        req.engine = c.engine;
        req.profile = c.profile;
        req.key_fields = std::move(c.gens[t].key_fields);
        req.settings = std::move(c.gens[t].settings);
        req.ext = c.gens[t].ext;
        req.cache_dir = config.cache_dir;
        req.object_path = cache_object_path(config.cache_dir, key, req.ext);
      }
      req.cues.push_back(p.cue.qualified_id());
    }
    if (c.rank) plan.rankings.try_emplace(c.rank->rank_key, std::move(*c.rank));
    plan.cues.push_back(std::move(p));
  }
  // `--all-takes` writes <cue>.<n>.<format>: never over another cue's file
  // (cue ids may hold dots).
  std::map<fs::path, const PlannedCue*> outputs;
  for (const PlannedCue& c : plan.cues) {
    auto [it, added] = outputs.emplace(c.render.output_path, &c);
    // A UCS name may be another cue's id (or the same UCS name numbered).
    if (!added)
      throw Error(c.cue.where.str() + ": cue \"" + c.cue.id + "\" would be delivered as " +
                  c.render.output_path.filename().string() + ", the file of cue \"" + it->second->cue.id + "\" (" +
                  it->second->cue.where.str() + "); set `fx_name` on one of them");
  }
  for (const PlannedCue& c : plan.cues)
    for (const RenderRequest& take : c.take_renders)
      if (auto it = outputs.find(take.output_path); it != outputs.end())
        throw Error(c.cue.where.str() + ": cue \"" + c.cue.id + "\": its take " + std::to_string(take.take) +
                    " would render to " + take.output_path.filename().string() + ", the file of cue \"" +
                    it->second->cue.id + "\" (" + it->second->cue.where.str() + "); rename one of them");
  return plan;
}

namespace {

// Writes one directory of spec packs: entries (name, text) sorted by name are
// grouped by pack, each pack assembled and hashed on every core, then written
// only where it changed.
void write_packs(const fs::path& dir, const std::vector<std::string>& names, std::vector<std::string>& texts) {
  std::vector<size_t> order(names.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::sort(order.begin(), order.end(), [&](size_t a, size_t b) { return names[a] < names[b]; });
  std::vector<std::pair<size_t, size_t>> ranges;  // [begin, end) into order, one per pack
  for (size_t i = 0; i < order.size();) {
    size_t j = i + 1;
    while (j < order.size() && names[order[j]].compare(0, 2, names[order[i]], 0, 2) == 0) ++j;
    ranges.emplace_back(i, j);
    i = j;
  }
  std::vector<std::string> packs(ranges.size()), hashes(ranges.size());
  parallel_for(ranges.size(), 1, [&](size_t begin, size_t end) {
    for (size_t r = begin; r < end; ++r) {
      size_t bytes = 0;
      for (size_t i = ranges[r].first; i < ranges[r].second; ++i)
        bytes += names[order[i]].size() + texts[order[i]].size() + 1;
      packs[r].reserve(bytes);
      for (size_t i = ranges[r].first; i < ranges[r].second; ++i) {
        append_spec_entry(packs[r], names[order[i]], texts[order[i]]);
        std::string().swap(texts[order[i]]);
      }
      hashes[r] = spec_hash(packs[r]);
    }
  });
  SpecDirWriter writer(dir);
  for (size_t r = 0; r < ranges.size(); ++r)
    writer.write(spec_pack_name(names[order[ranges[r].first]]), packs[r], std::move(hashes[r]));
  writer.finish();
}

}  // namespace

bool write_plan(const Plan& plan, const Tools& tools) {
  // Specs are serialised on every core, then packed (request/spec_pack.h).
  std::vector<const GenRequest*> generations;
  generations.reserve(plan.generations.size());
  for (const auto& [key, req] : plan.generations) generations.push_back(&req);
  std::vector<std::string> request_name(generations.size()), request_text(generations.size());
  std::vector<std::string> render_name(plan.cues.size()), render_text(plan.cues.size());
  std::vector<std::string> rank_name, rank_text;
  for (const auto& [key, rank] : plan.rankings) {
    rank_name.push_back(key);
    rank_text.push_back(rank.spec_text());
  }
  parallel_for(generations.size(), 256, [&](size_t begin, size_t end) {
    for (size_t i = begin; i < end; ++i) {
      request_name[i] = request_spec_entry(generations[i]->gen_key);
      request_text[i] = generations[i]->spec_text();
    }
  });
  parallel_for(plan.cues.size(), 256, [&](size_t begin, size_t end) {
    for (size_t i = begin; i < end; ++i) {
      render_name[i] = render_spec_entry(plan.cues[i]);
      render_text[i] = plan.cues[i].render.spec_text();
    }
  });
  for (const PlannedCue& c : plan.cues)
    for (const RenderRequest& take : c.take_renders) {
      render_name.push_back(render_spec_entry(take));
      render_text.push_back(take.spec_text());
    }
  write_packs(plan.requests_dir(), request_name, request_text);
  write_packs(plan.renders_dir(), render_name, render_text);
  write_packs(plan.rankings_dir(), rank_name, rank_text);
  write_project_references(plan);
  remember_outputs(plan);
  write_object_links_cache(plan.project.config.root, plan.project.config.cache_dir);
  return write_file_if_changed(plan.build_ninja(), ninja_file_for(plan, tools));
}

std::filesystem::path project_references_path(const std::filesystem::path& cache_dir,
                                              const std::filesystem::path& root) {
  return cache_dir / "projects" / (xxh3_128(root.string()).hex() + ".refs");
}

void write_project_references(const Plan& plan) {
  // One line the project's root, then one gen key a line (sorted: the map's order).
  std::string text = plan.project.config.root.string() + "\n";
  text.reserve(text.size() + plan.generations.size() * 33);
  for (const auto& [key, req] : plan.generations) text += key + "\n";
  const std::filesystem::path path = project_references_path(plan.project.config.cache_dir, plan.project.config.root);
  std::filesystem::create_directories(path.parent_path());
  write_file_if_changed(path, text);
}

std::vector<ProjectReferences> read_project_references(const std::filesystem::path& cache_dir) {
  std::vector<ProjectReferences> all;
  std::error_code ec;
  for (std::filesystem::directory_iterator it(cache_dir / "projects", ec), end; !ec && it != end; it.increment(ec)) {
    if (it->path().extension() != ".refs") continue;
    std::string text;
    try {
      text = read_file(it->path());
    } catch (const Error&) {
      continue;
    }
    ProjectReferences refs;
    size_t pos = text.find('\n');
    if (pos == std::string::npos) continue;
    refs.root = text.substr(0, pos);
    for (size_t start = pos + 1; start < text.size();) {
      size_t end = text.find('\n', start);
      if (end == std::string::npos) end = text.size();
      if (end > start) refs.gen_keys.insert(text.substr(start, end - start));
      start = end + 1;
    }
    std::error_code exists;
    refs.live = std::filesystem::exists(refs.root / "foley.toml", exists);
    refs.file = it->path();
    all.push_back(std::move(refs));
  }
  return all;
}

}  // namespace foley::plan
