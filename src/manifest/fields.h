#pragma once

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <toml++/toml.h>

#include "manifest/diagnostics.h"
#include "manifest/source_location.h"

namespace foley::manifest {

// A field as written in one table: its value (when set, with the right type)
// and where it was written. `bad` marks a field that was written but already
// reported (wrong type or range), so later checks neither repeat the error nor
// call it missing.
template <typename T>
struct Field {
  std::optional<T> value;
  SourceLocation where;
  bool bad = false;

  bool present() const { return value.has_value() || bad; }
  bool usable() const { return value.has_value() && !bad; }
};

// A field that takes a number or a name: `loudness = -16` or
// `loudness = "podcast"`, `channels = 2` or `channels = "source"`.
struct NumberOrName {
  std::optional<double> number;
  std::string name;  // set when the field was written as a string
};

// The cue fields of one table ([cue.<id>], [defaults], or [render] in
// foley.toml), typed but not yet range-checked: the parsing half of
// validation. Integers are accepted where numbers are expected.
struct RawFields {
  Field<std::string> type, category, prompt, negative_prompt, engine, source, format, loudness_measure;
  Field<std::string> fx_name, naming, creator_id, source_id;  // UCS file names
  Field<double> duration, prompt_influence, clip, gain_db, fade_in, fade_out, true_peak, highpass, quality;
  Field<NumberOrName> loudness, channels;
  Field<long long> seed, takes, sample_rate, bit_depth, bitrate;
  Field<bool> loop;
  Field<std::vector<std::string>> tags;
};

// Which keys a table may hold: kRender = the render settings only ([render]),
// kCue = every cue field ([cue.<id>] and [defaults]).
enum class FieldScope { kRender, kCue };

// Names messages use: the file, the cue (may be empty), and a prefix for the
// field ("defaults.", "render.", or "" inside a cue).
struct FieldContext {
  std::filesystem::path file;
  std::string cue;
  std::string prefix;
};

// The field names accepted in `scope`, in documentation order.
const std::vector<std::string>& field_names(FieldScope scope);

// Reads every key of `table` into `out`. Unknown keys (with a "did you mean"
// suggestion) and wrong types are reported to `diags`; those fields stay unset.
void read_fields(const toml::table& table, FieldScope scope, const FieldContext& ctx, RawFields& out,
                 Diagnostics& diags);

// Fields present in `over` replace the same fields of `base`.
void overlay(RawFields& base, const RawFields& over);

// Adds the location of every present field to `where`, keyed by field name.
void collect_locations(const RawFields& fields, std::map<std::string, SourceLocation>& where);

}  // namespace foley::manifest
