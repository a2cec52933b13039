#include "audio/delivery_metadata.h"

#include <chrono>
#include <ctime>
#include <filesystem>

#include "common/version.h"

namespace foley::audio {
namespace {

// A provenance value as tag text: strings as they are, anything else as JSON.
std::string tag_text(const nlohmann::json& provenance, const char* key) {
  if (!provenance.is_object()) return {};
  auto it = provenance.find(key);
  if (it == provenance.end() || it->is_null()) return {};
  return it->is_string() ? it->get<std::string>() : it->dump();
}

constexpr const char* kKeyFields[] = {"engine", "profile", "seed", "gen_key", "render_key"};

std::string xml_escape(const std::string& text) {
  std::string out;
  for (char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      default:
        // XML 1.0 has no place for other control characters.
        if (static_cast<unsigned char>(c) >= 0x20 || c == '\t' || c == '\n') out += c;
    }
  }
  return out;
}

// The UCS blocks of a file named by UCS, as iXML <USER> elements (the names
// UCS-aware library tools read: CATID, CATEGORY, SUBCATEGORY, CATEGORYFULL,
// FXNAME, and the CreatorID and SourceID blocks); "" otherwise.
std::string ucs_user_elements(const nlohmann::json& provenance) {
  if (!provenance.is_object() || !provenance.contains("ucs")) return {};
  const nlohmann::json& u = provenance["ucs"];
  auto element = [&](const char* tag, const std::string& value) {
    return std::string("<") + tag + ">" + xml_escape(value) + "</" + tag + ">";
  };
  const std::string category = tag_text(u, "category"), subcategory = tag_text(u, "subcategory");
  return element("CATID", tag_text(u, "cat_id")) + element("CATEGORY", category) +
         element("SUBCATEGORY", subcategory) + element("CATEGORYFULL", category + "-" + subcategory) +
         element("FXNAME", tag_text(u, "fx_name")) + element("CREATORID", tag_text(u, "creator_id")) +
         element("SOURCEID", tag_text(u, "source_id"));
}

std::string render_key_of(const RenderRequest& request) {
  std::string key = tag_text(request.provenance, "render_key");
  return key.empty() ? request.render_key : key;
}

}  // namespace

AudioMetadata tags_for(const RenderRequest& request) {
  const nlohmann::json& p = request.provenance;
  AudioMetadata m;
  m.title = tag_text(p, "prompt");
  if (m.title.empty()) m.title = request.cue;
  m.artist = tag_text(p, "engine");
  m.album = request.cue;
  m.genre = tag_text(p, "category");
  m.software = std::string("foley ") + foley_version();
  std::string comment = "foley cue=" + request.cue;
  for (const char* key : kKeyFields) {
    std::string v = key == std::string("render_key") ? render_key_of(request) : tag_text(p, key);
    if (!v.empty()) comment += std::string(" ") + key + "=" + v;
  }
  m.comment = comment;
  return m;
}

BroadcastInfo broadcast_info_for(const RenderRequest& request, const RenderResult& result) {
  BroadcastInfo b;
  b.description = tag_text(request.provenance, "prompt");
  if (b.description.empty()) b.description = request.cue;
  // Under UCS naming the originator is the CreatorID block.
  b.originator = "foley";
  if (request.provenance.is_object() && request.provenance.contains("ucs"))
    b.originator = tag_text(request.provenance["ucs"], "creator_id");
  b.originator_reference = render_key_of(request).substr(0, 32);
  std::error_code ec;
  if (!request.input_path.empty()) {
    auto written = std::filesystem::last_write_time(request.input_path, ec);
    if (!ec) {
      const std::time_t t = std::chrono::system_clock::to_time_t(
          std::chrono::time_point_cast<std::chrono::system_clock::duration>(
              std::chrono::file_clock::to_sys(written)));
      std::tm utc{};
      gmtime_r(&t, &utc);
      char date[16], time[16];
      std::strftime(date, sizeof date, "%Y-%m-%d", &utc);
      std::strftime(time, sizeof time, "%H:%M:%S", &utc);
      b.origination_date = date;
      b.origination_time = time;
    }
  }
  const RenderSettings& s = result.settings;
  const int channels = result.source_channels > 0 && s.channels == 0 ? result.source_channels : s.channels;
  std::string mode = channels == 1 ? "mono" : channels == 2 ? "stereo" : "multichannel";
  b.coding_history = "A=PCM,F=" + std::to_string(s.sample_rate) + ",W=" + std::to_string(s.bit_depth) +
                     ",M=" + mode + ",T=foley " + foley_version() + "\r\n";
  b.loudness_lufs = result.integrated_lufs;
  b.loudness_range_lu = result.loudness_range_lu;
  b.max_true_peak_dbtp = result.true_peak_dbtp;
  b.max_momentary_lufs = result.momentary_max_lufs;
  b.max_short_term_lufs = result.short_term_max_lufs;
  return b;
}

std::string ixml_for(const RenderRequest& request) {
  const nlohmann::json& p = request.provenance;
  std::string take = tag_text(p, "take");
  if (take.empty()) take = "1";
  std::string user = "foley cue=" + request.cue;
  std::string foley = "<CUE>" + xml_escape(request.cue) + "</CUE>";
  for (const char* key : kKeyFields) {
    std::string v = key == std::string("render_key") ? render_key_of(request) : tag_text(p, key);
    if (v.empty()) continue;
    user += std::string(" ") + key + "=" + v;
    std::string tag = key;
    for (char& c : tag) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    foley += "<" + tag + ">" + xml_escape(v) + "</" + tag + ">";
  }
  std::string note = tag_text(p, "prompt");
  return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<BWFXML>\n<IXML_VERSION>2.10</IXML_VERSION>\n<PROJECT>" +
         xml_escape(request.project) + "</PROJECT>\n<SCENE>" + xml_escape(tag_text(p, "manifest")) +
         "</SCENE>\n<TAKE>" + xml_escape(take) + "</TAKE>\n<NOTE>" + xml_escape(note) + "</NOTE>\n<USER>" +
         xml_escape(user) + ucs_user_elements(p) + "</USER>\n<FOLEY>" + foley + "</FOLEY>\n</BWFXML>\n";
}

}  // namespace foley::audio
