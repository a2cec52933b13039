#include "manifest/field_checks.h"

#include <algorithm>
#include <cmath>

#include "common/suggest.h"
#include "engines/setting_checks.h"
#include "audio/delivery_formats.h"
#include "manifest/loudness_presets.h"
#include "manifest/ucs_categories.h"

namespace foley::manifest {
namespace {

// The longest playback length foley renders: a day. Guards against a typo
// (clip = 36000000) turning into a multi-gigabyte render.
constexpr double kMaxClipSeconds = 86400.0;

// Numbers in messages as the user wrote them (1.0000001, not 1).
std::string format_number(double v) { return engines::format_setting_number(v); }

class Checker {
 public:
  Checker(const FieldContext& ctx, Diagnostics& diags) : ctx_(ctx), diags_(diags) {}

  template <typename T>
  void fail(Field<T>& f, const std::string& name, const std::string& message) {
    f.bad = true;
    diags_.error(f.where, ctx_.cue, ctx_.prefix + name, message);
  }

  void range(Field<double>& f, const std::string& name, double lo, bool lo_inclusive, double hi) {
    if (!f.usable()) return;
    double v = *f.value;
    if (std::isfinite(v) && (lo_inclusive ? v >= lo : v > lo) && v <= hi) return;
    std::string bounds = lo_inclusive ? "between " + format_number(lo) + " and " + format_number(hi)
                                      : "greater than " + format_number(lo);
    if (!lo_inclusive && std::isfinite(hi)) bounds += " and at most " + format_number(hi);
    fail(f, name, "must be " + bounds + ", got " + format_number(v));
  }

  void range(Field<long long>& f, const std::string& name, long long lo, long long hi) {
    if (!f.usable()) return;
    long long v = *f.value;
    if (v >= lo && v <= hi) return;
    fail(f, name, "must be between " + std::to_string(lo) + " and " + std::to_string(hi) + ", got " +
                      std::to_string(v));
  }

  void choice(Field<long long>& f, const std::string& name, const std::vector<long long>& allowed) {
    if (!f.usable()) return;
    if (std::find(allowed.begin(), allowed.end(), *f.value) != allowed.end()) return;
    std::vector<std::string> text;
    for (long long a : allowed) text.push_back(std::to_string(a));
    fail(f, name, "must be " + one_of(text) + ", got " + std::to_string(*f.value));
  }

  void choice(Field<std::string>& f, const std::string& name, const std::vector<std::string>& allowed,
              const std::string& what) {
    if (!f.usable()) return;
    if (std::find(allowed.begin(), allowed.end(), *f.value) != allowed.end()) return;
    fail(f, name, "unknown " + what + " `" + *f.value + "`" + did_you_mean(*f.value, allowed) +
                      "; expected " + one_of(allowed));
  }

 private:
  const FieldContext& ctx_;
  Diagnostics& diags_;
};

// foley's own categories, then the UCS list, both without case. The field is
// rewritten to its canonical form (`Foley` -> `FOLEY`, `doors-wood` ->
// `DOORWood`), which is what the cue, its tags and UCS file names then use.
void check_category(Field<std::string>& f, Checker& c) {
  if (!f.usable()) return;
  std::string folded = *f.value;
  for (char& ch : folded) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  const std::vector<std::string>& own = cue_categories();
  if (std::find(own.begin(), own.end(), folded) != own.end()) {
    f.value = folded;
    return;
  }
  std::string problem;
  if (std::optional<std::string> ucs = ucs_canonical(*f.value, problem)) {
    f.value = *ucs;
    return;
  }
  if (!problem.empty()) {
    c.fail(f, "category", problem);
    return;
  }
  std::vector<std::string> candidates = own;
  candidates.insert(candidates.end(), ucs_names().begin(), ucs_names().end());
  c.fail(f, "category", "unknown category `" + *f.value + "`" + did_you_mean(*f.value, candidates) + "; expected " +
                            one_of(own) + ", or a UCS " + kUcsVersion +
                            " category, CatID or CATEGORY-SUBCATEGORY (e.g. `FOLEY`, `DOORWood`, `DOORS-WOOD`)");
}

// A UCS name block (FXName, CreatorID, SourceID) as written by the user: kept
// as it is, so it must already be one: `_` separates the blocks, and the file
// name must be valid on every system the file travels to.
void check_ucs_block(Field<std::string>& f, const std::string& name, size_t max_chars, Checker& c) {
  if (!f.usable()) return;
  const std::string& v = *f.value;
  const std::string problem = ucs_block_problem(v, max_chars);
  if (!problem.empty()) c.fail(f, name, problem);
}

}  // namespace

std::string ucs_block_problem(const std::string& v, size_t max_chars) {
  size_t chars = 0;
  for (unsigned char ch : v) chars += (ch & 0xC0) != 0x80;
  if (v.find_first_not_of(' ') == std::string::npos) return "must not be empty";
  if (v.front() == ' ' || v.back() == ' ' || v.front() == '.' || v.back() == '.')
    return "must not start or end with a space or a dot (`" + v + "`)";
  if (chars > max_chars)
    return "is " + std::to_string(chars) + " characters long; a UCS name block here takes at most " +
           std::to_string(max_chars);
  for (unsigned char ch : v) {
    if (ch < 0x20 || ch == 0x7F)
      return "holds a control character";
    if (std::string_view("_/\\:*?\"<>|").find(static_cast<char>(ch)) != std::string_view::npos)
      return "holds `" + std::string(1, static_cast<char>(ch)) +
             "`: UCS file names separate their blocks with `_`, and `/ \\ : * ? \" < > |` are not allowed in "
             "file names everywhere";
  }
  return "";
}

const std::vector<std::string>& cue_types() {
  static const std::vector<std::string> v = {"generated", "silence", "source"};
  return v;
}

const std::vector<std::string>& cue_categories() {
  static const std::vector<std::string> v = {"sfx", "ambience", "music", "beat"};
  return v;
}

const std::vector<std::string>& render_formats() {
  static const std::vector<std::string> v = [] {
    std::vector<std::string> names;
    for (const audio::DeliveryFormat& f : audio::kDeliveryFormats) names.emplace_back(f.name);
    return names;
  }();
  return v;
}

void check_field_values(RawFields& f, const FieldContext& ctx, const std::vector<std::string>* engine_names,
                        Diagnostics& diags) {
  Checker c(ctx, diags);
  c.choice(f.type, "type", cue_types(), "cue type");
  check_category(f.category, c);
  c.range(f.duration, "duration", 0.0, false, INFINITY);
  if (engine_names != nullptr && f.engine.usable()) {
    if (engine_names->empty()) {
      c.fail(f.engine, "engine", "no engine profile `" + *f.engine.value +
                                     "`: foley.toml defines no [engines.<name>] table");
    } else {
      c.choice(f.engine, "engine", *engine_names, "engine profile");
    }
  }
  if (f.seed.usable() && *f.seed.value < 0) {
    c.fail(f.seed, "seed", "must be ≥ 0, got " + std::to_string(*f.seed.value));
  }
  c.range(f.prompt_influence, "prompt_influence", 0.0, true, 1.0);
  // The engine's own bound (its catalog row) is checked once the profile is known.
  if (f.takes.usable() && *f.takes.value < 1)
    c.fail(f.takes, "takes", "must be ≥ 1, got " + std::to_string(*f.takes.value));
  c.range(f.clip, "clip", 0.0, false, kMaxClipSeconds);
  if (f.tags.usable()) {
    for (const std::string& tag : *f.tags.value) {
      if (tag.empty()) {
        c.fail(f.tags, "tags", "tags must not be empty strings");
        break;
      }
    }
  }
  if (f.source.usable() && f.source.value->empty()) c.fail(f.source, "source", "must not be empty");
  c.range(f.sample_rate, "sample_rate", 8000, 192000);
  c.choice(f.bit_depth, "bit_depth", {16, 24, 32});
  c.choice(f.format, "format", render_formats(), "format");
  c.range(f.quality, "quality", 0.0, true, 10.0);
  if (f.bitrate.usable() && *f.bitrate.value <= 0)
    c.fail(f.bitrate, "bitrate", "must be a positive number of kbps, got " + std::to_string(*f.bitrate.value));
  if (f.channels.usable()) {
    const NumberOrName& ch = *f.channels.value;
    if (ch.number ? (*ch.number != 1.0 && *ch.number != 2.0) : ch.name != "source")
      c.fail(f.channels, "channels",
             "must be `1`, `2` or `\"source\"` (keep the source's layout), got " +
                 (ch.number ? format_number(*ch.number) : "\"" + ch.name + "\""));
  }
  if (f.loudness.usable()) {
    const NumberOrName& l = *f.loudness.value;
    if (l.number && !(std::isfinite(*l.number) && *l.number >= -70.0 && *l.number <= 0.0)) {
      c.fail(f.loudness, "loudness", "must be between -70 and 0, got " + format_number(*l.number));
    } else if (!l.number && find_loudness_preset(l.name) == nullptr) {
      const std::vector<std::string> names = loudness_preset_names();
      c.fail(f.loudness, "loudness", "unknown loudness preset `" + l.name + "`" + did_you_mean(l.name, names) +
                                         "; expected a number of LUFS or " + one_of(names));
    }
  }
  c.choice(f.loudness_measure, "loudness_measure", loudness_measures(), "loudness measure");
  c.range(f.true_peak, "true_peak", -20.0, true, 0.0);
  c.range(f.highpass, "highpass", 0.0, true, 200.0);
  if (f.highpass.usable() && *f.highpass.value > 0.0 && *f.highpass.value < 5.0)
    c.fail(f.highpass, "highpass", "must be 0 (off) or between 5 and 200 Hz, got " + format_number(*f.highpass.value));
  c.range(f.gain_db, "gain_db", -60.0, true, 24.0);
  c.range(f.fade_in, "fade_in", 0.0, true, 600.0);
  c.range(f.fade_out, "fade_out", 0.0, true, 600.0);
  c.choice(f.naming, "naming", {"cue", "ucs"}, "naming");
  check_ucs_block(f.fx_name, "fx_name", kUcsFxNameChars, c);
  check_ucs_block(f.creator_id, "creator_id", kUcsIdChars, c);
  check_ucs_block(f.source_id, "source_id", kUcsIdChars, c);
}

void apply_render(const RawFields& f, RenderSettings& s) {
  if (f.sample_rate.usable()) s.sample_rate = static_cast<int>(*f.sample_rate.value);
  if (f.bit_depth.usable()) s.bit_depth = static_cast<int>(*f.bit_depth.value);
  if (f.format.usable()) s.format = *f.format.value;
  if (f.bitrate.usable()) s.bitrate = static_cast<int>(*f.bitrate.value);
  if (f.quality.usable()) s.quality = *f.quality.value;
  if (f.channels.usable()) {
    const NumberOrName& ch = *f.channels.value;
    s.channels = ch.number ? static_cast<int>(*ch.number) : 0;
  }
  if (f.loudness.usable()) {
    const NumberOrName& l = *f.loudness.value;
    if (l.number) {
      s.loudness = *l.number;
      s.loudness_preset.reset();
    } else if (const LoudnessPreset* preset = find_loudness_preset(l.name)) {
      s.loudness = preset->lufs;
      s.loudness_preset = preset->name;
      s.loudness_measure = preset->measure;
      s.true_peak = preset->true_peak;
    }
  }
  // Written out, these refine a preset (a -2 dBTP podcast).
  if (f.loudness_measure.usable()) s.loudness_measure = *f.loudness_measure.value;
  if (f.true_peak.usable()) s.true_peak = *f.true_peak.value;
  if (f.highpass.usable()) s.highpass = *f.highpass.value;
  if (f.gain_db.usable()) s.gain_db = *f.gain_db.value;
  if (f.fade_in.usable()) s.fade_in = *f.fade_in.value;
  if (f.fade_out.usable()) s.fade_out = *f.fade_out.value;
  if (f.naming.usable()) s.naming = *f.naming.value;
  if (f.creator_id.usable()) s.creator_id = *f.creator_id.value;
  if (f.source_id.usable()) s.source_id = *f.source_id.value;
}

void check_render_combination(RawFields& merged, const RenderSettings& settings, const std::string& cue,
                              const std::string& prefix, Diagnostics& diags) {
  if (merged.format.bad || merged.bit_depth.bad || merged.sample_rate.bad || merged.bitrate.bad ||
      merged.quality.bad || merged.channels.bad)
    return;
  std::optional<audio::DeliveryProblem> problem = audio::check_delivery(
      settings.format, settings.bit_depth, settings.sample_rate, settings.channels.value_or(0),
      settings.bitrate ? std::optional<double>(*settings.bitrate) : std::nullopt, settings.quality);
  if (!problem) return;
  // Point at the more specific of the two fields involved: a project-wide
  // setting from foley.toml is not what a manifest's `format = ...` should blame.
  auto location = [&](const std::string& field) -> std::pair<const SourceLocation*, bool*> {
    if (field == "bit_depth") return {&merged.bit_depth.where, &merged.bit_depth.bad};
    if (field == "sample_rate") return {&merged.sample_rate.where, &merged.sample_rate.bad};
    if (field == "bitrate") return {&merged.bitrate.where, &merged.bitrate.bad};
    if (field == "quality") return {&merged.quality.where, &merged.quality.bad};
    return {&merged.format.where, &merged.format.bad};
  };
  auto [where, bad] = location(problem->field);
  std::string field = problem->field;
  const bool other_present = field == "bit_depth"     ? merged.bit_depth.present()
                             : field == "sample_rate" ? merged.sample_rate.present()
                             : field == "bitrate"     ? merged.bitrate.present()
                             : field == "quality"     ? merged.quality.present()
                                                      : true;
  const bool blame_format = merged.format.present() &&
                            (!other_present || (where->file != merged.format.where.file && where->file == "foley.toml"));
  if (blame_format) std::tie(where, bad) = location("format"), field = "format";
  *bad = true;
  diags.error(*where, cue, prefix + field, problem->message);
}

void check_bit_depth_applies(const std::vector<const RawFields*>& layers, RawFields& merged,
                             const RenderSettings& settings, const std::string& cue, const std::string& prefix,
                             Diagnostics& diags) {
  if (merged.format.bad || merged.bit_depth.bad || !merged.bit_depth.usable()) return;
  const audio::DeliveryFormat* format = audio::find_delivery_format(settings.format);
  if (format == nullptr || !format->lossy) return;
  int format_layer = -1, bit_depth_layer = -1;
  for (size_t i = 0; i < layers.size(); ++i) {
    if (layers[i]->format.present()) format_layer = static_cast<int>(i);
    if (layers[i]->bit_depth.present()) bit_depth_layer = static_cast<int>(i);
  }
  if (bit_depth_layer < format_layer) return;
  merged.bit_depth.bad = true;
  diags.error(merged.bit_depth.where, cue, prefix + "bit_depth",
              std::string(format->name) + " has no bit depth (its encoder is fed floating-point samples), so " +
                  "bit_depth would do nothing: remove it, or deliver wav or flac");
}

}  // namespace foley::manifest
