#include "plan/ninja_writer.h"

#include <algorithm>
#include <map>
#include <set>
#include <sstream>

#include "common/error.h"
#include "common/parallel_for.h"
#include "engines/catalog.h"
#include "plan/farm.h"
#include "plan/gen_fields.h"
#include "plan/planner.h"
#include "request/object_link.h"
#include "request/rank_request.h"

namespace foley::plan {
namespace fs = std::filesystem;

std::string ninja_escape_path(std::string_view path) {
  std::string out;
  for (char c : path) {
    if (c == '\n' || c == '\r') throw Error("path contains a newline: " + std::string(path));
    if (c == '$' || c == ' ' || c == ':') out += '$';
    out += c;
  }
  return out;
}

std::string ninja_escape_value(std::string_view value) {
  std::string out;
  for (char c : value) {
    if (c == '\n' || c == '\r') throw Error("value contains a newline: " + std::string(value));
    if (c == '$') out += '$';
    out += c;
  }
  return out;
}

std::string shell_quote(std::string_view arg) {
  bool plain = !arg.empty();
  for (char c : arg)
    if (!(isalnum(static_cast<unsigned char>(c)) || c == '/' || c == '.' || c == '_' || c == '-' || c == '+' ||
          c == '=' || c == ',' || c == ':'))
      plain = false;
  if (plain) return std::string(arg);
  std::string out = "'";
  for (char c : arg) {
    if (c == '\'') out += "'\\''";
    else out += c;
  }
  return out + "'";
}

namespace {

constexpr const char* kLockFileName = "foley.lock";

// Paths in build.ninja are relative to the project root when inside it, so the
// file stays readable and a moved checkout keeps working.
std::string rel(const fs::path& root, const fs::path& p) {
  // A plain prefix test: root and p are both absolute and normalised, and
  // lexically_relative is a measurable cost over 10k cues.
  const std::string& r = root.native();
  const std::string& s = p.native();
  if (s.size() > r.size() + 1 && s.compare(0, r.size(), r) == 0 && (r.back() == '/' || s[r.size()] == '/'))
    return s.substr(r.back() == '/' ? r.size() : r.size() + 1);
  return s;
}

void collect_plan_inputs(const Plan& plan, std::set<std::string>& inputs, const Tools& tools) {
  const auto& cfg = plan.project.config;
  inputs.insert(rel(cfg.root, cfg.config_path));
  // A changed or removed pick re-plans: the render reads another take. Only
  // when the lock exists: a missing input of a phony edge would be dirty on
  // every build. `foley pick` re-plans itself when it creates the file.
  std::error_code lock_ec;
  if (fs::exists(cfg.root / kLockFileName, lock_ec)) inputs.insert(kLockFileName);
  for (const auto& m : plan.project.manifest_files) inputs.insert(rel(cfg.root, m));
  // Directories too: adding or removing a manifest changes its directory's mtime.
  std::error_code ec;
  if (fs::is_directory(cfg.manifest_dir, ec)) {
    inputs.insert(rel(cfg.root, cfg.manifest_dir));
    for (auto it = fs::recursive_directory_iterator(cfg.manifest_dir, ec); it != fs::recursive_directory_iterator();
         it.increment(ec))
      if (it->is_directory(ec)) inputs.insert(rel(cfg.root, it->path()));
  }
  for (const auto& c : plan.cues)
    if (c.cue.source) inputs.insert(rel(cfg.root, *c.cue.source));
  for (const auto& [name, profile] : cfg.engines) {
    const engines::EngineRow& row = engines::engine_row(profile.engine);
    if (!row.plan_inputs) continue;
    for (const fs::path& file : row.plan_inputs(profile.settings)) inputs.insert(rel(cfg.root, file));
  }
  // A rank model's files: a new CLAP re-ranks.
  std::set<fs::path> rank_models;
  for (const auto& [key, rank] : plan.rankings) rank_models.insert(rank.rank_model);
  for (const fs::path& model : rank_models) {
    std::error_code walk;
    for (auto it = fs::recursive_directory_iterator(model, walk); it != fs::recursive_directory_iterator();
         it.increment(walk))
      if (it->is_regular_file(walk)) inputs.insert(rel(cfg.root, it->path()));
  }
  if (!tools.foley.empty()) inputs.insert(tools.foley.generic_string());
}

}  // namespace

std::map<std::string, int> pool_depths(const manifest::ProjectConfig& config) {
  std::map<std::string, int> depths;
  for (const auto& [name, profile] : config.engines) {
    engines::PoolSpec pool = profile_pool(profile);
    if (pool.name.empty()) continue;
    // Profiles sharing a pool (the accelerator's) give it the deepest depth.
    auto [it, added] = depths.emplace(pool.name, pool.depth);
    if (!added) it->second = std::max(it->second, pool.depth);
  }
  if (config.gpu_slots) depths[engines::kAcceleratorPool] = *config.gpu_slots;
  return depths;
}

std::string ninja_file_for(const Plan& plan, const Tools& tools) {
  return ninja_file_for(plan, tools, resolve_farm(plan.project.config));
}

std::string ninja_file_for(const Plan& plan, const Tools& tools, const std::optional<Farm>& farm) {
  const auto& cfg = plan.project.config;
  if (farm && tools.foley_gen_client.empty())
    throw Error::failure("the farm's generate edges run foley-gen-client, which is not installed next to foley");
  const fs::path& root = cfg.root;
  std::ostringstream out;
  out << "# Generated by `foley plan` from " << rel(root, cfg.config_path) << " and "
      << plan.project.manifest_files.size() << " manifest(s). Do not edit: it is rewritten.\n"
      << "ninja_required_version = 1.10\n"
      << "builddir = .foley\n\n"
      << "foley = " << ninja_escape_value(shell_quote(tools.foley.string())) << "\n"
      << "foley_gen = " << ninja_escape_value(shell_quote(tools.foley_gen.string())) << "\n";
  if (!tools.foley_render.empty())
    out << "foley_render = " << ninja_escape_value(shell_quote(tools.foley_render.string())) << "\n";
  if (!tools.foley_gen_client.empty())
    out << "foley_gen_client = " << ninja_escape_value(shell_quote(tools.foley_gen_client.string())) << "\n";
  if (farm) {
    std::string words;
    for (const std::string& w : farm->launcher) words += (words.empty() ? "" : " ") + shell_quote(w);
    out << "farm_launcher = " << ninja_escape_value(words) << "\n";
  }
  out << "\n";

  // Pools.
  for (const auto& [pool, depth] : pool_depths(cfg)) out << "pool " << pool << "\n  depth = " << depth << "\n\n";
  if (farm) out << "pool " << kFarmPool << "\n  depth = " << farm->slots << "\n\n";

  // Rules.
  // The plan runs in place (ninja runs in the project's folder): a copied or
  // moved project re-plans itself, never the folder it was copied from.
  out << "rule plan\n  command = $foley plan --quiet\n  description = PLAN build.ninja\n  generator = 1\n"
         "  restat = 1\n\n";
  // One generate rule per profile, carrying its pool, so an edge needs no
  // variable at all. foley-gen finds the spec from the object
  // path ($out ends in <gen key>.<ext>); restat: foley-gen leaves an object it
  // finds already present untouched, so nothing downstream reruns.
  // API profiles go through the resident server's small client, which makes
  // an edge one light process instead of a full foley-gen start.
  // The output is the object's link in the project (request/object_link.h),
  // never the object itself: every ninja cleaning tool then removes a link
  // and no object. generator = 1 keeps plain `ninja -t clean` from removing
  // even the links (no rerun of every edge after it); its other effect, no
  // rerun when only the command changes, is what a content-addressed output
  // wants: its path is its key.
  // A farmed profile's edge: the client records into the index here, and
  // runs the generation behind the launcher (a job step) unless the object is
  // already there (cli/farm_edge.h).
  for (const auto& [name, profile] : cfg.engines) {
    if (farm && farm->profiles.count(name)) {
      out << "rule gen_" << name << "\n  command = exec $foley_gen_client --object $out --farm -- $farm_launcher\n"
          << "  description = GEN $out (" << name << ", farm)\n  restat = 1\n  generator = 1\n  pool = " << kFarmPool
          << "\n\n";
      continue;
    }
    bool client = engines::engine_row(profile.engine).via_server && !tools.foley_gen_client.empty();
    // `exec`: the shell ninja starts becomes the command instead of forking
    // it (dash forks otherwise): one process less on every edge.
    out << "rule gen_" << name << "\n  command = exec " << (client ? "$foley_gen_client" : "$foley_gen generate")
        << " --object $out\n  description = GEN $out (" << name << ")\n  restat = 1\n  generator = 1\n";
    std::string pool = profile_pool(profile).name;
    if (!pool.empty()) out << "  pool = " << pool << "\n";
    out << "\n";
  }
  // The render entry ($spec: render key, ':', cue) is in the command, so a
  // settings change changes the command and ninja re-runs it.
  if (tools.foley_render.empty())
    out << "rule render\n  command = exec $foley_gen render .foley/renders $spec\n  description = RENDER $out\n\n";
  else
    out << "rule render\n  command = exec $foley_render .foley/renders $spec\n  description = RENDER $out\n\n";

  // Ranking a cue's takes loads a CLAP model: one at a time bounds the
  // memory. restat: a ranking that comes out the same re-renders nothing.
  if (!plan.rankings.empty())
    out << "pool rank\n  depth = 1\n\nrule rank\n  command = exec $foley_gen rank --ranking $out\n"
           "  description = RANK $out\n  restat = 1\n  pool = rank\n\n";
  // A cue whose pick in foley.lock names a take it no longer has: its render
  // fails with the reason ($why), never renders another take silently.
  bool any_stale_pick = false;
  for (const PlannedCue& c : plan.cues) any_stale_pick = any_stale_pick || !c.stale_pick.empty();
  if (any_stale_pick)
    out << "rule stale_pick\n  command = printf '%s\\n' $why >&2; exit 1\n  description = STALE PICK $out\n\n";

  // A profile this machine cannot run (its model folder is absent): its cues'
  // edges fail with the reason, and only they (`foley build` builds the
  // `available` target, then says which cues are waiting and why).
  std::set<std::string> unavailable_profiles;
  for (const PlannedCue& c : plan.cues)
    if (!c.unavailable.empty() && unavailable_profiles.insert(c.cue.engine).second)
      out << "rule unavailable_" << c.cue.engine << "\n  command = printf '%s\\n' "
          << ninja_escape_value(shell_quote(c.unavailable)) << " >&2; exit 1\n  description = UNAVAILABLE $out\n\n";

  // The generator edge.
  std::set<std::string> plan_inputs;
  collect_plan_inputs(plan, plan_inputs, tools);
  out << "build build.ninja: plan |";
  for (const auto& in : plan_inputs) out << " " << ninja_escape_path(in);
  out << "\n\n";
  // A phony edge for the lock, as CMake writes for headers that may go: when
  // it is deleted, ninja re-plans instead of stopping at a missing input.
  if (plan_inputs.count(kLockFileName)) out << "build " << kLockFileName << ": phony\n\n";

  // Generate edges, one per distinct gen key; the edges' text is built on
  // every core and written in order.
  std::vector<const GenRequest*> generations;
  generations.reserve(plan.generations.size());
  for (const auto& [key, req] : plan.generations) generations.push_back(&req);
  std::vector<std::string> edges(generations.size());
  parallel_for(generations.size(), 256, [&](size_t begin, size_t end) {
    for (size_t i = begin; i < end; ++i) {
      const GenRequest& req = *generations[i];
      // No dependency on the spec pack: every node ninja must stat slows the
      // no-op build, and the object's path already names its key.
      // No variable either (each costs ninja's parser on every no-op build):
      // the description shows the object, foley-gen's summary line the cues.
      edges[i] = "build " + ninja_escape_path(object_link_path(req.gen_key, req.ext).string()) + ": gen_" +
                 req.profile + "\n\n";
    }
  });
  for (const auto& e : edges) out << e;

  // Rank edges, one per distinct ranking: they read every take of a cue.
  for (const auto& [key, rank] : plan.rankings) {
    out << "build " << ninja_escape_path(ranking_path(key).string()) << ": rank";
    for (size_t t = 0; t < rank.take_keys.size(); ++t) {
      std::string ext = rank.take_objects[t].extension().string().substr(1);
      out << " " << ninja_escape_path(object_link_path(rank.take_keys[t], ext).string());
    }
    out << "\n\n";
  }

  // Render edges, one per cue, grouped per manifest for the phony targets.
  std::vector<std::string> outputs(plan.cues.size());
  edges.assign(plan.cues.size(), {});
  parallel_for(plan.cues.size(), 256, [&](size_t begin, size_t end) {
    for (size_t i = begin; i < end; ++i) {
      const PlannedCue& c = plan.cues[i];
      outputs[i] = rel(root, c.render.output_path);
      // The JSON sidecar is written with the output but not declared: as an
      // implicit output it made the 10k-cue no-op build ~35 % slower (one more
      // node to stat per cue). `ninja -t clean` leaves it; the next render
      // rewrites it.
      std::string& e = edges[i];
      if (!c.unavailable.empty()) {
        e = "build " + ninja_escape_path(outputs[i]) + ": unavailable_" + c.cue.engine + "\n\n";
        continue;
      }
      if (!c.stale_pick.empty()) {
        e = "build " + ninja_escape_path(outputs[i]) + ": stale_pick\n  why = " +
            ninja_escape_value(shell_quote(c.stale_pick)) + "\n\n";
        continue;
      }
      e = "build " + ninja_escape_path(outputs[i]) + ": render";
      if (!c.render.ranking.empty()) {
        e += " " + ninja_escape_path(ranking_path(c.rank_key).string());
      } else if (!c.render.gen_key.empty()) {
        const GenRequest& g = plan.generations.at(c.render.gen_key);
        e += " " + ninja_escape_path(object_link_path(g.gen_key, g.ext).string());
      } else if (!c.render.input_path.empty()) {
        e += " " + ninja_escape_path(rel(root, c.render.input_path));
      }
      e += "\n  spec = " + ninja_escape_value(shell_quote(render_spec_entry(c))) + "\n\n";
    }
  });
  std::map<std::string, std::vector<std::string>> per_manifest;
  for (size_t i = 0; i < plan.cues.size(); ++i) {
    out << edges[i];
    per_manifest[plan.cues[i].cue.manifest].push_back(std::move(outputs[i]));
  }
  // Every take is built, whichever one the render reads (a pick reads one,
  // a ranking all), and so is every ranking (`foley takes` shows its scores).
  std::vector<std::string> take_outputs;
  for (const PlannedCue& c : plan.cues) {
    if (c.take_keys.size() < 2 || !c.unavailable.empty()) continue;
    std::vector<std::string>& targets = per_manifest[c.cue.manifest];
    const GenRequest& first = plan.generations.at(c.take_keys[0]);
    for (const std::string& key : c.take_keys) targets.push_back(object_link_path(key, first.ext).string());
    if (!c.rank_key.empty()) targets.push_back(ranking_path(c.rank_key).string());
    for (const RenderRequest& take : c.take_renders) {
      std::string output = rel(root, take.output_path);
      out << "build " << ninja_escape_path(output) << ": render "
          << ninja_escape_path(object_link_path(take.gen_key, first.ext).string())
          << "\n  spec = " << ninja_escape_value(shell_quote(render_spec_entry(take))) << "\n\n";
      take_outputs.push_back(std::move(output));
    }
  }
  out << "build " << kAllTakesTarget << ": phony";
  for (const auto& o : take_outputs) out << " " << ninja_escape_path(o);
  out << "\n";

  std::vector<std::string> all;
  for (const auto& [manifest, outputs] : per_manifest) {
    out << "build " << ninja_escape_path(manifest) << ": phony";
    for (const auto& o : outputs) out << " " << ninja_escape_path(o);
    out << "\n";
    all.push_back(manifest);
  }
  if (!unavailable_profiles.empty()) {
    out << "build available: phony";
    for (size_t i = 0; i < plan.cues.size(); ++i)
      if (plan.cues[i].unavailable.empty()) out << " " << ninja_escape_path(rel(root, plan.cues[i].render.output_path));
    out << "\n";
  }
  out << "build all: phony";
  for (const auto& m : all) out << " " << ninja_escape_path(m);
  out << "\n\ndefault all\n";
  return out.str();
}

}  // namespace foley::plan
