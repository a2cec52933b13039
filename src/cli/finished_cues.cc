#include "cli/finished_cues.h"

#include <cstdio>

#include "request/object_link.h"

namespace foley::cli {
namespace {

// The path an edge's description names, as build.ninja writes it: relative
// to the project root.
std::string as_ninja_names(const std::filesystem::path& root, const std::filesystem::path& p) {
  return p.lexically_relative(root).generic_string();
}

// ninja prints a path with a space or a shell metacharacter in it the way it
// hands it to a shell: in single quotes, a quote inside as '\''. Reads one
// such word from `from`; an unquoted path runs to " (" or the end.
std::string path_at(const std::string& line, size_t from) {
  if (from >= line.size() || line[from] != '\'') {
    size_t end = line.find(" (", from);
    return line.substr(from, end == std::string::npos ? std::string::npos : end - from);
  }
  std::string out;
  bool quoted = false;
  for (size_t i = from; i < line.size(); ++i) {
    const char c = line[i];
    if (c == '\'') quoted = !quoted;
    else if (!quoted && c == '\\' && i + 1 < line.size()) out += line[++i];
    else if (!quoted && c == ' ') break;
    else out += c;
  }
  return out;
}

// "[3/8] GEN .foley/objects/…wav (ldm)" -> ("GEN", ".foley/objects/…wav");
// ("", "") for a line that is not an edge's status.
std::pair<std::string, std::string> edge_of(const std::string& line) {
  if (line.empty() || line[0] != '[') return {};
  size_t close = line.find("] ");
  if (close == std::string::npos) return {};
  size_t verb_end = line.find(' ', close + 2);
  if (verb_end == std::string::npos) return {};
  return {line.substr(close + 2, verb_end - close - 2), path_at(line, verb_end + 1)};
}

// What a summary line of foley-gen says happened to its generation; "" for
// any other line (generate/generate_request.cc writes them).
std::string outcome_of(const std::string& line) {
  if (line.rfind("foley-gen: ", 0) != 0) return "";
  if (line.rfind("foley-gen: generated ", 0) == 0) return "generated";
  if (line.find(" already cached (") != std::string::npos) return "cached";
  if (line.find(" fetched from the team cache (") != std::string::npos) return "team cache";
  return "";
}

}  // namespace

FinishedCues::FinishedCues(const plan::Plan& plan, Clock::time_point build_started) : build_started_(build_started) {
  const auto& root = plan.project.config.root;
  for (const auto& [key, req] : plan.generations) object_keys_[object_link_path(key, req.ext).generic_string()] = key;
  for (const plan::PlannedCue& c : plan.cues) {
    Cue cue;
    cue.name = c.cue.qualified_id();
    // The sounds its delivered file may read: every take when a ranking
    // chooses, else the one take it renders.
    if (!c.rank_key.empty()) cue.gen_keys = c.take_keys;
    else if (!c.render.gen_key.empty()) cue.gen_keys = {c.render.gen_key};
    else if (!c.gen_key.empty()) cue.gen_keys = {c.gen_key};
    auto gen = c.gen_key.empty() ? plan.generations.end() : plan.generations.find(c.gen_key);
    cue.engine = gen != plan.generations.end() ? gen->second.engine + " (" + gen->second.profile + ")" : c.cue.type;
    for (const RenderRequest& take : c.take_renders) {
      Cue one = cue;
      one.name += " take " + std::to_string(take.take + 1);
      one.gen_keys = {take.gen_key};
      outputs_[as_ninja_names(root, take.output_path)] = std::move(one);
    }
    if (c.rank_key.empty())
      for (size_t t = 0; t < c.take_keys.size(); ++t) {
        if (static_cast<int>(t) == c.rendered_take) continue;
        Cue one = cue;
        one.name += " take " + std::to_string(t + 1);
        one.gen_keys = {c.take_keys[t]};
        side_takes_[c.take_keys[t]] = {std::move(one),
                                       as_ninja_names(root, plan.generations.at(c.take_keys[t]).object_path)};
      }
    outputs_[as_ninja_names(root, c.render.output_path)] = std::move(cue);
  }
}

void FinishedCues::progress(const ProgressEvent& event, Clock::time_point now) {
  gen_started_.emplace(event.key, now);
}

std::string FinishedCues::cue_line(const Cue& cue, const std::string& output, Clock::time_point now) const {
  // The strongest thing that happened to any of its takes in this build.
  std::string outcome = "rendered";
  Clock::time_point started = build_started_;
  bool any_started = false;
  for (const std::string& key : cue.gen_keys) {
    auto o = gen_outcome_.find(key);
    if (o != gen_outcome_.end() && (outcome == "rendered" || o->second == "generated" ||
                                    (o->second == "team cache" && outcome == "cached")))
      outcome = o->second;
    auto s = gen_started_.find(key);
    if (s != gen_started_.end() && (!any_started || s->second < started)) {
      started = s->second;
      any_started = true;
    }
  }
  char elapsed[32];
  std::snprintf(elapsed, sizeof elapsed, "%.1fs", std::chrono::duration<double>(now - started).count());
  return cue.name + "  " + cue.engine + "  " + outcome + "  " + elapsed + "  " + output + "\n";
}

std::string FinishedCues::ninja_line(const std::string& line, Clock::time_point now) {
  if (std::string outcome = outcome_of(line); !outcome.empty()) {
    if (last_gen_key_.empty()) return "";
    gen_outcome_[last_gen_key_] = outcome;
    auto side = side_takes_.find(last_gen_key_);
    return side == side_takes_.end() ? "" : cue_line(side->second.first, side->second.second, now);
  }
  // ninja's greeting for -C, which `foley build` always passes.
  if (line.rfind("ninja: Entering directory ", 0) == 0) return "";
  const auto [verb, path] = edge_of(line);
  if (verb == "GEN") {
    auto it = object_keys_.find(path);
    last_gen_key_ = it == object_keys_.end() ? "" : it->second;
    return "";
  }
  // foley-gen's output (warnings, then its summary line) follows its edge's
  // status line; another edge's status line ends it.
  if (!verb.empty()) last_gen_key_.clear();
  if (verb == "RANK" || verb == "PLAN") return "";
  if (verb == "RENDER") {
    auto it = outputs_.find(path);
    if (it != outputs_.end()) return cue_line(it->second, path, now);
  }
  return line + "\n";
}

}  // namespace foley::cli
