#include "request/request_spec.h"

#include "common/error.h"
#include "request/spec_field.h"

namespace foley {
namespace {

void check_version(const nlohmann::json& j, int expected, const std::string& origin) {
  if (!j.is_object()) throw Error(origin + ": not a JSON object");
  int v = spec_field<int>(j, "spec_version", origin);
  if (v != expected)
    throw Error(origin + ": spec_version " + std::to_string(v) + " is not " + std::to_string(expected) +
                " (re-run `foley plan`)");
}

}  // namespace

std::filesystem::path cache_object_path(const std::filesystem::path& cache_dir, const std::string& gen_key,
                                        const std::string& ext) {
  return cache_dir / "objects" / gen_key.substr(0, 2) / (gen_key + "." + ext);
}

nlohmann::json GenRequest::to_json() const {
  return {{"spec_version", kSpecVersion},
          {"gen_key", gen_key},
          {"engine", engine},
          {"profile", profile},
          {"key_fields", key_fields},
          {"settings", settings},
          {"ext", ext},
          {"cache_dir", cache_dir.string()},
          {"object_path", object_path.string()},
          {"cues", cues}};
}

namespace {

// Writes one JSON object member by member, in the order given. Callers list
// keys in byte order, the order nlohmann::json (a std::map) dumps them in, so
// the text equals to_json().dump().
class ObjectWriter {
 public:
  explicit ObjectWriter(std::string& out) : out_(out) { out_ += '{'; }
  ~ObjectWriter() { out_ += '}'; }
  ObjectWriter& member(std::string_view key, const nlohmann::json& value) {
    start(key);
    out_ += value.dump();
    return *this;
  }
  ObjectWriter& string(std::string_view key, const std::string& value) {
    return member(key, nlohmann::json(value));
  }

 private:
  void start(std::string_view key) {
    if (!first_) out_ += ',';
    first_ = false;
    out_ += '"';
    out_ += key;  // keys here are plain identifiers: nothing to escape
    out_ += "\":";
  }
  std::string& out_;
  bool first_ = true;
};

}  // namespace

std::string GenRequest::spec_text() const {
  std::string out;
  {
    ObjectWriter w(out);
    w.string("cache_dir", cache_dir.string())
        .member("cues", cues)
        .string("engine", engine)
        .string("ext", ext)
        .string("gen_key", gen_key)
        .member("key_fields", key_fields)
        .string("object_path", object_path.string())
        .string("profile", profile)
        .member("settings", settings)
        .member("spec_version", kSpecVersion);
  }
  out += '\n';
  return out;
}

std::string RenderRequest::spec_text() const {
  std::string out;
  {
    ObjectWriter w(out);
    w.string("cache_dir", cache_dir.string())
        .string("cue", cue)
        .string("gen_key", gen_key)
        .string("input_path", input_path.string())
        .string("output_path", output_path.string())
        .string("project", project)
        .string("project_id", project_id)
        .member("provenance", provenance);
    if (!ranking.empty()) w.string("ranking", ranking.string());
    w.member("render", render).string("render_key", render_key).member("spec_version", kSpecVersion);
    if (take >= 0) w.member("take", take);
    w.string("type", type);
  }
  out += '\n';
  return out;
}

GenRequest GenRequest::from_json(const nlohmann::json& j, const std::string& origin) {
  check_version(j, kSpecVersion, origin);
  GenRequest r;
  r.gen_key = spec_field<std::string>(j, "gen_key", origin);
  r.engine = spec_field<std::string>(j, "engine", origin);
  r.profile = spec_field<std::string>(j, "profile", origin);
  r.key_fields = spec_field<nlohmann::json>(j, "key_fields", origin);
  r.settings = spec_field<nlohmann::json>(j, "settings", origin);
  r.ext = spec_field<std::string>(j, "ext", origin);
  r.cache_dir = spec_field<std::string>(j, "cache_dir", origin);
  r.object_path = spec_field<std::string>(j, "object_path", origin);
  r.cues = spec_field<std::vector<std::string>>(j, "cues", origin);
  if (!r.key_fields.is_object()) throw Error(origin + ": key_fields must be an object");
  if (!r.settings.is_object()) throw Error(origin + ": settings must be an object");
  return r;
}

nlohmann::json RenderRequest::to_json() const {
  nlohmann::json j = {{"spec_version", kSpecVersion},
          {"render_key", render_key},
          {"gen_key", gen_key},
          {"cue", cue},
          {"type", type},
          {"input_path", input_path.string()},
          {"output_path", output_path.string()},
          {"cache_dir", cache_dir.string()},
          {"project", project},
          {"project_id", project_id},
          {"render", render},
          {"provenance", provenance}};
  if (!ranking.empty()) j["ranking"] = ranking.string();
  if (take >= 0) j["take"] = take;
  return j;
}

RenderRequest RenderRequest::from_json(const nlohmann::json& j, const std::string& origin) {
  check_version(j, kSpecVersion, origin);
  RenderRequest r;
  r.render_key = spec_field<std::string>(j, "render_key", origin);
  r.gen_key = spec_field<std::string>(j, "gen_key", origin);
  r.cue = spec_field<std::string>(j, "cue", origin);
  r.type = spec_field<std::string>(j, "type", origin);
  r.input_path = spec_field<std::string>(j, "input_path", origin);
  r.output_path = spec_field<std::string>(j, "output_path", origin);
  r.cache_dir = spec_field<std::string>(j, "cache_dir", origin);
  // Absent in specs an older foley wrote: their rows count for every project.
  r.project = j.value("project", std::string());
  r.project_id = j.value("project_id", r.project);
  r.render = spec_field<nlohmann::json>(j, "render", origin);
  r.provenance = spec_field<nlohmann::json>(j, "provenance", origin);
  if (j.contains("ranking")) r.ranking = spec_field<std::string>(j, "ranking", origin);
  if (j.contains("take")) r.take = spec_field<int>(j, "take", origin);
  return r;
}

std::string cue_names(const std::vector<std::string>& cues) {
  std::string s;
  for (const auto& c : cues) s += (s.empty() ? "" : ", ") + c;
  return s;
}

}  // namespace foley
