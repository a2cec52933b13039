#include "manifest/cue_resolver.h"

#include <algorithm>
#include <cstdint>


#include "common/prompt_text.h"
#include "common/suggest.h"
#include "engines/catalog.h"
#include "engines/setting_checks.h"
#include "manifest/engine_rules.h"
#include "manifest/field_checks.h"
#include "manifest/ucs_categories.h"

namespace foley::manifest {
namespace {

// Numbers in messages as the user wrote them (1.0000001, not 1).
std::string format_number(double v) { return engines::format_setting_number(v); }

bool is_blank(const std::string& s) {
  for (char c : s) {
    if (c != ' ' && c != '\t' && c != '\n' && c != '\r' && c != '\f' && c != '\v') return false;
  }
  return true;
}

bool inside(const std::filesystem::path& path, const std::filesystem::path& dir) {
  std::filesystem::path rel = path.lexically_relative(dir);
  return !rel.empty() && *rel.begin() != "..";
}

// Resolves a source file written relative to the project root. Returns the
// absolute path, or sets `problem`.
std::optional<std::filesystem::path> resolve_source(const std::string& written, const std::filesystem::path& root,
                                                    std::string& problem) {
  namespace fs = std::filesystem;
  for (char c : written)
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7F) {
      problem = "the path holds a control character (a NUL, a line break, ...)";
      return std::nullopt;
    }
  fs::path p(written);
  if (p.has_root_path()) {
    problem = "`" + written + "` must be a path relative to the project root";
    return std::nullopt;
  }
  fs::path normal = p.lexically_normal();
  if (normal.empty() || *normal.begin() == ".." || normal == ".") {
    problem = "`" + written + "` escapes the project root through `..`";
    return std::nullopt;
  }
  fs::path full = root / normal;
  std::error_code ec;
  fs::path real = fs::canonical(full, ec);
  if (ec) {
    problem = "source file `" + written + "` does not exist (looked at " + full.string() + ")";
    return std::nullopt;
  }
  fs::path real_root = fs::canonical(root, ec);
  if (ec || !inside(real, real_root)) {
    problem = "`" + written + "` leads outside the project root through a symbolic link (to " + real.string() +
              ")";
    return std::nullopt;
  }
  if (!fs::is_regular_file(real, ec)) {
    problem = "`" + written + "` is not a regular file";
    return std::nullopt;
  }
  return full;
}

class Resolver {
 public:
  Resolver(const RawCue& raw, const CueContext& ctx, Diagnostics& diags) : raw_(raw), ctx_(ctx), diags_(diags) {}

  template <typename T>
  void fail(const Field<T>& f, const std::string& field, const std::string& message) {
    diags_.error(f.present() ? f.where : raw_.where, raw_.id, field, message);
  }

  Cue resolve(const RawFields& defaults) {
    const ProjectConfig& config = ctx_.config.config;
    Cue c;
    c.id = raw_.id;
    c.manifest = ctx_.manifest;
    c.where = raw_.where;
    if (!is_valid_cue_id(raw_.id)) {
      diags_.error(raw_.id_where, raw_.id, "",
                   "invalid cue id: use 1-128 characters of [A-Za-z0-9_.-], starting with a letter or digit, "
                   "without `..`");
    }

    RawFields own = raw_.fields;
    std::vector<std::string> engine_names;
    for (const auto& [name, _] : config.engines) engine_names.push_back(name);
    check_field_values(own, FieldContext{ctx_.display_file, raw_.id, ""},
                       ctx_.config.parsed ? &engine_names : nullptr, diags_);
    collect_locations(defaults, c.field_where);
    collect_locations(own, c.field_where);

    RawFields m = ctx_.config.render;
    overlay(m, defaults);
    overlay(m, own);

    if (m.type.usable()) c.type = *m.type.value;
    if (m.category.usable()) c.category = *m.category.value;
    if (m.prompt.usable()) c.prompt = *m.prompt.value;
    if (m.negative_prompt.usable()) c.negative_prompt = m.negative_prompt.value;
    if (m.duration.usable()) c.duration = m.duration.value;
    if (m.seed.usable()) c.seed = m.seed.value;
    if (m.prompt_influence.usable()) c.prompt_influence = m.prompt_influence.value;
    if (m.loop.usable()) c.loop = *m.loop.value;
    if (m.clip.usable()) c.clip = m.clip.value;
    if (m.tags.usable()) c.tags = *m.tags.value;
    if (m.fx_name.usable()) c.fx_name = *m.fx_name.value;
    if (m.engine.usable()) {
      c.engine = *m.engine.value;
    } else if (!m.engine.bad) {
      c.engine = config.default_engine;
    }
    apply_render(m, c.render);
    check_render_combination(m, c.render, raw_.id, "", diags_);
    check_bit_depth_applies({&ctx_.config.render, &defaults, &own}, m, c.render, raw_.id, "", diags_);
    if (!c.render.loudness) {
      // A ceiling or a measure without a target would do nothing. (foley.toml
      // may set them for the cues that do have a target.)
      auto manifest_set = [&](auto member) { return (own.*member).usable() || (defaults.*member).usable(); };
      if (manifest_set(&RawFields::true_peak))
        fail(m.true_peak, "true_peak", "sets the limiter's ceiling for a loudness target, and this cue has none: "
                                       "set `loudness` too");
      if (manifest_set(&RawFields::loudness_measure))
        fail(m.loudness_measure, "loudness_measure", "says how a loudness target is measured, and this cue has "
                                                     "none: set `loudness` too");
    }

    check_naming(m, own, defaults, c);

    if (m.type.bad) return c;  // the type decides every rule below
    // Defaults by type: a source keeps its layout and is left unfiltered; a
    // generation is mono and gets the DC guard.
    if (!c.render.channels) c.render.channels = c.type == "source" ? 0 : 1;
    if (!c.render.highpass) c.render.highpass = c.type == "generated" ? 20.0 : 0.0;
    if (c.type == "generated") check_generated(m, c);
    if (c.type != "generated" && m.takes.present())
      fail(m.takes, "takes", "only generated cues have takes (this cue's type is \"" + c.type + "\")");
    if (c.type == "silence" && !m.clip.present()) {
      fail(m.clip, "clip", "required for silence cues: the length of the silence in seconds");
    }
    if (c.type == "source") {
      if (!m.source.present()) {
        fail(m.source, "source", "required for source cues: a file path relative to the project root");
      } else if (m.source.usable()) {
        std::string problem;
        c.source = resolve_source(*m.source.value, config.root, problem);
        if (!problem.empty()) fail(m.source, "source", problem);
      }
    } else if (m.source.present()) {
      fail(m.source, "source", "only cues of type \"source\" take a source file (this cue's type is \"" +
                                   c.type + "\")");
    }
    return c;
  }

 private:
  // naming = "ucs" needs a CatID (from the category); the UCS blocks written
  // in a manifest for a cue that is not named by UCS would do nothing.
  void check_naming(const RawFields& m, const RawFields& own, const RawFields& defaults, Cue& c) {
    if (m.naming.bad || m.category.bad) return;
    if (c.render.naming == "ucs") {
      std::string problem;
      if (std::optional<std::string> id = ucs_cat_id_for(c.category, problem)) {
        c.ucs_cat_id = *id;
      } else if (m.category.present()) {
        fail(m.category, "category", problem);
      } else {
        fail(m.naming, "naming", "\"ucs\" names files by their UCS category, and this cue has none: " + problem);
      }
      return;
    }
    auto manifest_set = [&](auto member) { return (own.*member).present() || (defaults.*member).present(); };
    for (auto [member, name] : {std::pair{&RawFields::fx_name, "fx_name"},
                                std::pair{&RawFields::creator_id, "creator_id"},
                                std::pair{&RawFields::source_id, "source_id"}})
      if (manifest_set(member) && !(m.*member).bad)
        fail(m.*member, name, "is a block of UCS file names, and this cue is named by its id: set `naming = "
                              "\"ucs\"` too");
  }

  void check_generated(const RawFields& m, Cue& c) {
    const ProjectConfig& config = ctx_.config.config;
    if (!m.prompt.present()) {
      fail(m.prompt, "prompt", "required for generated cues");
    } else if (m.prompt.usable()) {
      std::string problem = prompt_problem(*m.prompt.value, SIZE_MAX);
      if (!problem.empty()) fail(m.prompt, "prompt", problem);
    }
    // A negative prompt may be empty, never unprintable.
    if (m.negative_prompt.usable() && !is_blank(*m.negative_prompt.value)) {
      std::string problem = prompt_problem(*m.negative_prompt.value, SIZE_MAX);
      if (!problem.empty()) fail(m.negative_prompt, "negative_prompt", problem);
    }
    if (!ctx_.config.parsed || m.engine.bad) return;  // foley.toml unreadable: nothing to check against
    if (c.engine.empty()) {
      if (config.engines.empty()) {
        fail(m.engine, "engine", "no engine to generate with: foley.toml defines no [engines.<name>] profile");
      } else {
        std::vector<std::string> names;
        for (const auto& [name, _] : config.engines) names.push_back(name);
        fail(m.engine, "engine",
             "no engine given and foley.toml has several profiles but no project.default_engine; set "
             "`engine` to one of " + one_of(names));
      }
      return;
    }
    auto profile = config.engines.find(c.engine);
    if (profile == config.engines.end() || profile->second.engine.empty()) return;  // reported already
    if (const engines::EngineRow* row = engines::find_engine(profile->second.engine);
        row != nullptr && m.prompt.usable() && prompt_problem(*m.prompt.value, SIZE_MAX).empty()) {
      std::string problem = prompt_problem(*m.prompt.value, row->max_prompt_chars);
      if (!problem.empty()) fail(m.prompt, "prompt", problem + " (engine `" + row->name + "`)");
    }
    check_takes(m, c, profile->second);
    if (m.duration.bad) return;
    DurationRule rule = duration_rule(profile->second);
    std::string which = "engine profile `" + c.engine + "` (" + profile->second.engine + ")";
    if (m.duration.usable()) {
      if (!rule.accepts(*m.duration.value)) {
        fail(m.duration, "duration", format_number(*m.duration.value) + " s is out of range for " + which +
                                         ": " + rule.describe());
      }
    } else if (rule.required) {
      fail(m.duration, "duration",
           "required by " + which + "; set it on the cue or in the manifest's [defaults]");
    }
  }

  // The cue's own takes, else its profile's, else one; at most what the
  // engine's row allows.
  void check_takes(const RawFields& m, Cue& c, const EngineProfile& profile) {
    if (m.takes.bad) return;
    if (m.takes.usable()) {
      c.takes = static_cast<int>(std::min<long long>(*m.takes.value, 1 << 20));
    } else if (profile.takes) {
      c.takes = *profile.takes;
    }
    const engines::EngineRow* row = engines::find_engine(profile.engine);
    if (row == nullptr || !m.takes.usable() || *m.takes.value <= row->max_takes) return;
    fail(m.takes, "takes",
         std::to_string(*m.takes.value) + " is more than engine profile `" + c.engine + "` (" + profile.engine +
             ") makes for one cue: at most " + std::to_string(row->max_takes));
  }

  const RawCue& raw_;
  const CueContext& ctx_;
  Diagnostics& diags_;
};

}  // namespace

bool is_valid_cue_id(std::string_view id) {
  if (id.empty() || id.size() > 128) return false;
  for (size_t i = 0; i < id.size(); ++i) {
    char c = id[i];
    bool alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
    if (i == 0 ? !alnum : !(alnum || c == '_' || c == '.' || c == '-')) return false;
  }
  return id.find("..") == std::string_view::npos;
}

Cue resolve_cue(const RawCue& raw, const RawFields& defaults, const CueContext& ctx, Diagnostics& diags) {
  return Resolver(raw, ctx, diags).resolve(defaults);
}

}  // namespace foley::manifest
