#include <CLI/CLI.hpp>

#include <cmath>
#include <cstdio>
#include <ctime>
#include <set>

#include "cache/gc.h"
#include "cache/object_store.h"
#include "cache/repair.h"
#include "cache/stats_format.h"
#include "cache/verify.h"
#include "cli/commands.h"
#include "cli/project_context.h"
#include "common/error.h"
#include "common/log.h"
#include "common/atomic_file.h"
#include "manifest/config_parser.h"

namespace foley::cli {
namespace fs = std::filesystem;

namespace {

std::string when(int64_t ms) {
  if (ms <= 0) return "-";
  std::time_t t = static_cast<std::time_t>(ms / 1000);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M", std::localtime(&t));
  return buf;
}

// A cache key or a cue name (whose current gen key is used).
std::string resolve_key(const fs::path& dir, cache::Index& index, const std::string& name) {
  if (index.find_object(name)) return name;
  // A unique prefix of a gen key, as git takes one of a commit (4 hex digits at least).
  if (name.size() >= 4 && name.find_first_not_of("0123456789abcdef") == std::string::npos) {
    std::vector<std::string> matches;
    for (const cache::ObjectRecord& o : index.list_objects())
      if (o.gen_key.compare(0, name.size(), name) == 0) matches.push_back(o.gen_key);
    if (matches.size() == 1) return matches[0];
    if (matches.size() > 1)
      throw Error("gen key prefix " + name + " is ambiguous: " + std::to_string(matches.size()) +
                  " objects start with it (" + matches[0] + ", " + matches[1] + (matches.size() > 2 ? ", ..." : "") + ")");
  }
  ProjectContext ctx = load_and_plan(dir);
  const plan::PlannedCue* cue = ctx.plan.find_cue(name);
  if (cue == nullptr)
    throw Error("\"" + name + "\" is neither a cached gen key nor a cue of this project" +
                ctx.plan.cue_suggestion(name));
  if (cue->gen_key.empty()) throw Error("cue \"" + name + "\" is a " + cue->cue.type + " cue: it has no object");
  return cue->gen_key;
}

// Opens the index of the project in `dir` without planning.
std::unique_ptr<cache::Index> open_index(const fs::path& dir, fs::path* cache_dir = nullptr) {
  // Only foley.toml is read: the cache stays inspectable while a manifest is broken.
  fs::path root = fs::absolute(dir).lexically_normal();
  manifest::Diagnostics diags;
  manifest::ProjectConfig config = manifest::parse_config(root, read_file(root / "foley.toml"), diags).config;
  diags.throw_if_any();
  if (cache_dir) *cache_dir = config.cache_dir;
  return std::make_unique<cache::Index>(config.cache_dir);
}

int cache_stats(const fs::path& dir, bool zero) {
  fs::path cache_dir;
  auto index = open_index(dir, &cache_dir);
  if (zero) {
    index->zero_stats();
    std::printf("Statistics zeroed\n");
  }
  cache::StatsFormatOptions opts;
  opts.cache_dir = cache_dir;
  std::fputs(cache::format_stats(index->stats(), opts).c_str(), stdout);
  return 0;
}

int cache_ls(const fs::path& dir) {
  auto index = open_index(dir);
  std::printf("%-32s %-10s %-12s %9s %7s %5s %-6s %s\n", "gen key", "engine", "profile", "bytes", "seconds", "hits",
              "pinned", "last used");
  for (const auto& o : index->list_objects())
    std::printf("%-32s %-10s %-12s %9lld %7.2f %5lld %-6s %s\n", o.gen_key.c_str(), o.engine.c_str(),
                o.profile.c_str(), static_cast<long long>(o.size), o.duration_seconds,
                static_cast<long long>(o.hit_count), o.is_protected() ? (o.paid ? "paid" : "yes") : "no",
                when(o.last_used_at).c_str());
  return 0;
}

int cache_show(const fs::path& dir, const std::string& name) {
  auto index = open_index(dir);
  std::string key = resolve_key(dir, *index, name);
  auto o = index->find_object(key);
  if (!o) throw Error("gen key " + key + " is not in the cache (not built yet)");
  nlohmann::json j = {{"gen_key", o->gen_key},
                      {"engine", o->engine},
                      {"profile", o->profile},
                      {"ext", o->ext},
                      {"request", o->request},
                      {"size", o->size},
                      {"checksum", o->checksum},
                      {"duration_seconds", o->duration_seconds},
                      {"generation_seconds", o->generation_seconds},
                      {"credits", o->credits},
                      {"credits_estimated", o->credits_estimated},
                      {"request_id", o->request_id},
                      {"attempts", o->attempts},
                      {"pinned", o->pinned},
                      {"paid", o->paid},
                      {"created_at", when(o->created_at)},
                      {"last_used_at", when(o->last_used_at)},
                      {"hit_count", o->hit_count},
                      {"details", o->details}};
  // What rank edges scored it (a take), per scoring model and prompt.
  nlohmann::json scores = nlohmann::json::array();
  for (const cache::TakeScore& t : index->take_scores(key))
    scores.push_back({{"scorer", t.scorer}, {"prompt", t.prompt}, {"score", t.score}, {"scored_at", when(t.scored_at)}});
  j["take_scores"] = std::move(scores);
  std::printf("%s\n", j.dump(2).c_str());
  return 0;
}

// Rebuilds a lost or damaged index from the objects and their records, then
// the cue history from the delivered files' sidecars (each names the render
// key it was rendered from), so that status and ninja agree again.
int cache_repair(const fs::path& dir) {
  fs::path root = fs::absolute(dir).lexically_normal();
  manifest::Diagnostics diags;
  manifest::ProjectConfig config = manifest::parse_config(root, read_file(root / "foley.toml"), diags).config;
  diags.throw_if_any();
  cache::RepairReport report = cache::repair_index(config.cache_dir);
  std::fputs(report.summary().c_str(), stdout);
  int restored = 0;
  try {
    ProjectContext ctx = load_and_plan(dir);
    for (const plan::PlannedCue& c : ctx.plan.cues) {
      std::optional<cache::CueBuild> last = ctx.index->last_cue_build(ctx.plan.project.config.history(), c.cue.qualified_id());
      if (last && last->render_key == c.render_key) continue;
      std::error_code ec;
      fs::path sidecar = c.render.output_path;
      sidecar += ".json";
      if (!fs::exists(c.render.output_path, ec) || !fs::exists(sidecar, ec)) continue;
      if (!c.stale_pick.empty()) continue;
      bool takes_there = true;
      for (const std::string& key : c.take_keys)
        takes_there = takes_there && fs::exists(ctx.plan.generations.at(key).object_path, ec);
      if (!takes_there) continue;
      nlohmann::json side = nlohmann::json::parse(read_file(sidecar), nullptr, false);
      if (!side.is_object() || !side.contains("provenance") ||
          side["provenance"].value("render_key", std::string()) != c.render_key)
        continue;
      cache::CueBuild b;
      b.cue = c.cue.qualified_id();
      b.project = ctx.plan.project.config.history();
      b.gen_key = c.gen_key;
      b.render_key = c.render_key;
      b.fields = c.fields;
      ctx.index->record_cue_build(b);
      ++restored;
    }
  } catch (const Error& e) {
    // The objects are safe already; a broken manifest only stops the history.
    log_warning(std::string("cue history not restored: ") + e.what());
  }
  std::printf("cue records restored from the delivered files' sidecars: %d\n", restored);
  return report.damaged.empty() ? 0 : 1;
}

int cache_verify(const fs::path& dir, bool report_only) {
  fs::path cache_dir;
  auto index = open_index(dir, &cache_dir);
  cache::ObjectStore store(cache_dir);
  cache::VerifyOptions opts;
  opts.repair = !report_only;
  cache::VerifyReport report = cache::verify(*index, store, opts);
  std::fputs(report.summary().c_str(), stdout);
  return report.issues.empty() ? 0 : 1;
}

int64_t parse_size(const std::string& text) {
  size_t pos = 0;
  double v = 0;
  try {
    v = std::stod(text, &pos);
  } catch (const std::exception&) {
    throw Error("--max-size: `" + text + "` is not a size (a number with an optional unit: 500M, 2G, 1.5GiB)");
  }
  if (!std::isfinite(v) || v < 0)
    throw Error("--max-size: `" + text + "` is not a size (a number ≥ 0 with an optional unit: 500M, 2G)");
  std::string unit = text.substr(pos);
  double mult = 1;
  if (unit == "K" || unit == "KB" || unit == "k") mult = 1e3;
  else if (unit == "M" || unit == "MB") mult = 1e6;
  else if (unit == "G" || unit == "GB") mult = 1e9;
  else if (unit == "KiB") mult = 1024.0;
  else if (unit == "MiB") mult = 1024.0 * 1024;
  else if (unit == "GiB") mult = 1024.0 * 1024 * 1024;
  else if (!unit.empty()) throw Error("--max-size: unknown unit \"" + unit + "\" (use K, M, G, KiB, MiB, GiB)");
  return static_cast<int64_t>(v * mult);
}

struct GcArgs {
  std::string max_size;
  bool unreferenced = false;
  bool include_pinned = false;
  bool dry_run = false;
};

int cache_gc(const fs::path& dir, const GcArgs& a) {
  cache::GcOptions opts;
  if (!a.max_size.empty()) opts.max_size = parse_size(a.max_size);
  opts.unreferenced_only = a.unreferenced;
  opts.include_pinned = a.include_pinned;
  opts.dry_run = a.dry_run;
  fs::path cache_dir;
  std::unique_ptr<cache::Index> index;
  if (a.unreferenced) {
    ProjectContext ctx = load_and_plan(dir);
    for (const auto& [key, req] : ctx.plan.generations) opts.referenced.insert(key);
    cache_dir = ctx.plan.project.config.cache_dir;
    index = std::move(ctx.index);
    // Every other project planned into this cache keeps what it uses, as long
    // as its folder is there; one that is gone is named, and its keys kept
    // until its .refs file is removed.
    for (const plan::ProjectReferences& other : plan::read_project_references(cache_dir)) {
      if (other.root == ctx.plan.project.config.root) continue;
      opts.referenced.insert(other.gen_keys.begin(), other.gen_keys.end());
      std::printf("keeping the %zu object(s) of project %s%s\n", other.gen_keys.size(), other.root.c_str(),
                  other.live ? "" : (" (its folder is gone: remove " + other.file.string() +
                                     " to let gc free them)").c_str());
    }
  } else {
    index = open_index(dir, &cache_dir);
  }
  cache::ObjectStore store(cache_dir);
  cache::GcResult r = cache::gc(*index, store, opts);
  for (const auto& e : r.removed)
    std::printf("%s %s.%s (%lld bytes)\n", r.dry_run ? "would remove" : "removed", e.gen_key.c_str(), e.ext.c_str(),
                static_cast<long long>(e.size));
  std::printf("%s %lld object(s), %lld bytes; cache %lld -> %lld bytes; %lld pinned/paid object(s) kept%s\n",
              r.dry_run ? "would free" : "freed", static_cast<long long>(r.count), static_cast<long long>(r.bytes),
              static_cast<long long>(r.bytes_before), static_cast<long long>(r.bytes_after),
              static_cast<long long>(r.protected_kept),
              r.protected_kept > 0 && !a.include_pinned ? " (use --include-pinned to remove them)" : "");
  return 0;
}

int cache_pin(const fs::path& dir, const std::vector<std::string>& names, bool pin) {
  auto index = open_index(dir);
  for (const auto& n : names) {
    std::string key = resolve_key(dir, *index, n);
    if (!index->set_pinned(key, pin)) throw Error("gen key " + key + " is not in the cache");
    auto o = index->find_object(key);
    std::printf("%s %s%s\n", pin ? "pinned" : "unpinned", key.c_str(),
                !pin && o && o->paid ? " (paid: still protected from gc without --include-pinned)" : "");
  }
  return 0;
}

}  // namespace

void register_cache(CLI::App& app, GlobalOptions& g, int& exit_code) {
  auto* cmd = app.add_subcommand("cache", "Inspect and maintain the cache");
  cmd->require_subcommand(1);
  auto* stats = cmd->add_subcommand("stats", "Totals, hits and misses, credits spent and saved (like ccache -s)");
  auto zero = std::make_shared<bool>(false);
  stats->add_flag("-z,--zero", *zero, "Zero the statistics counters first (like ccache -z); objects and pins stay");
  stats->callback([&g, zero, &exit_code] { exit_code = cache_stats(g.root(), *zero); });
  cmd->add_subcommand("ls", "List cached objects, least recently used first")
      ->callback([&] { exit_code = cache_ls(g.root()); });

  auto show_name = std::make_shared<std::string>();
  auto* show = cmd->add_subcommand("show", "Show one object's provenance");
  show->add_option("key_or_cue", *show_name, "A gen key or a cue id")->required();
  show->callback([&g, show_name, &exit_code] { exit_code = cache_show(g.root(), *show_name); });

  auto report_only = std::make_shared<bool>(false);
  cmd->add_subcommand("repair", "Rebuild a lost or damaged index from the objects and their records (pins and paid "
                                "flags included), and the cue history from the delivered files")
      ->callback([&g, &exit_code] { exit_code = cache_repair(g.root()); });
  auto* verify = cmd->add_subcommand("verify", "Check every object's checksum; move corrupt ones aside");
  verify->add_flag("--report-only", *report_only, "Do not move anything");
  verify->callback([&g, report_only, &exit_code] { exit_code = cache_verify(g.root(), *report_only); });

  auto gc_args = std::make_shared<GcArgs>();
  auto* gc = cmd->add_subcommand("gc", "Free space: LRU down to --max-size, or --unreferenced objects");
  gc->add_option("--max-size", gc_args->max_size, "Evict least recently used objects until under SIZE (e.g. 2G)");
  gc->add_flag("--unreferenced", gc_args->unreferenced, "Remove objects no cue of the current manifests uses");
  gc->add_flag("--include-pinned", gc_args->include_pinned, "Also remove pinned and paid objects");
  gc->add_flag("-n,--dry-run", gc_args->dry_run, "Report what would be removed; remove nothing");
  gc->callback([&g, gc_args, &exit_code] { exit_code = cache_gc(g.root(), *gc_args); });

  for (bool pin : {true, false}) {
    auto names = std::make_shared<std::vector<std::string>>();
    auto* sub = cmd->add_subcommand(pin ? "pin" : "unpin", pin ? "Protect objects from gc" : "Remove an explicit pin");
    sub->add_option("keys_or_cues", *names, "Gen keys or cue ids")->required();
    sub->callback([&g, names, pin, &exit_code] { exit_code = cache_pin(g.root(), *names, pin); });
  }
  register_cache_remote(*cmd, g, exit_code);
}

}  // namespace foley::cli
