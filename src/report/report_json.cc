#include "report/report_json.h"

namespace foley::report {
namespace {

using nlohmann::json;

template <typename T>
json or_null(const std::optional<T>& v) {
  return v ? json(*v) : json(nullptr);
}

json str_or_null(const std::string& s) { return s.empty() ? json(nullptr) : json(s); }

json images_json(const Images& i) {
  return {{"spectrogram", str_or_null(i.spectrogram)}, {"waveform", str_or_null(i.waveform)}};
}

json take_json(const Take& t) {
  return {{"gen_key", t.gen_key},
          {"object", t.object},
          {"present", t.present},
          {"picked", t.picked},
          {"score", or_null(t.score)},
          {"credits", t.credits},
          {"credits_estimated", t.credits_estimated},
          {"duration_seconds", or_null(t.duration_seconds)},
          {"images", images_json(t.images)}};
}

json cue_json(const CueRow& c) {
  json takes = json::array();
  for (const Take& t : c.takes) takes.push_back(take_json(t));
  return {{"id", c.id},
          {"cue", c.qualified_id},
          {"manifest", c.manifest},
          {"type", c.type},
          {"category", c.category},
          {"tags", c.tags},
          {"prompt", c.prompt},
          {"engine", str_or_null(c.engine)},
          {"profile", str_or_null(c.profile)},
          {"duration", or_null(c.duration)},
          {"status",
           {{"fresh", c.status.fresh},
            {"reason", str_or_null(c.status.reason)},
            {"estimated_credits", or_null(c.status.estimated_credits)}}},
          {"credits", c.credits},
          {"render_key", c.render_key},
          {"delivered",
           {{"path", c.delivered.path},
            {"present", c.delivered.present},
            {"duration_seconds", or_null(c.delivered.duration_seconds)},
            {"integrated_lufs", or_null(c.delivered.integrated_lufs)},
            {"true_peak_dbtp", or_null(c.delivered.true_peak_dbtp)}}},
          {"takes", takes},
          {"last_built", c.last_built ? take_json(*c.last_built) : json(nullptr)},
          {"images", images_json(c.images)},
          {"images_stale", c.images_stale}};
}

}  // namespace

json report_json(const Report& r) {
  const Summary& s = r.summary;
  const int64_t requests = s.hits + s.misses;
  json out = {{"project", r.project},
              {"foley_version", r.foley_version},
              {"generated_at", r.generated_at_ms},
              {"summary",
               {{"cues", s.cues},
                {"stale", s.stale},
                {"credits_spent", s.credits_spent},
                {"credits_saved", s.credits_saved},
                {"estimated_credits", s.estimated_credits},
                {"hits", s.hits},
                {"misses", s.misses},
                {"hit_rate", requests > 0 ? json(static_cast<double>(s.hits) / static_cast<double>(requests))
                                          : json(nullptr)}}},
              {"manifests", json::array()}};
  for (const ManifestSection& m : r.manifests) {
    json cues = json::array();
    for (const CueRow& c : m.cues) cues.push_back(cue_json(c));
    out["manifests"].push_back({{"name", m.name}, {"cues", cues}});
  }
  return out;
}

}  // namespace foley::report
