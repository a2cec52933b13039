#include "report/report_html.h"

#include <cstdio>
#include <ctime>
#include <set>
#include <sstream>

#include <nlohmann/json.hpp>

#include "cache/stats_format.h"
#include "report/page_assets.h"
#include "report/report_images.h"

namespace foley::report {
namespace fs = std::filesystem;

namespace {

std::string fixed(double v, int decimals) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
  return buf;
}

std::string when(int64_t ms) {
  std::time_t t = static_cast<std::time_t>(ms / 1000);
  char buf[64];
  std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S UTC", std::gmtime(&t));
  return buf;
}

// <select name=NAME> with "all" first, then each value.
void filter_select(std::ostringstream& os, const char* name, const char* label, const std::set<std::string>& values) {
  os << "<label>" << label << " <select name=\"" << name << "\"><option value=\"\">all</option>";
  for (const auto& v : values) os << "<option value=\"" << html_escape(v) << "\">" << html_escape(v) << "</option>";
  os << "</select></label>\n";
}

void image_tag(std::ostringstream& os, const std::string& src, const char* cls, int w, int h, const std::string& alt) {
  if (src.empty()) return;
  os << "<img class=\"" << cls << "\" src=\"" << url_path(src) << "\" width=\"" << w << "\" height=\"" << h
     << "\" alt=\"" << html_escape(alt) << "\" loading=\"lazy\">";
}

void summary(std::ostringstream& os, const Report& r) {
  const Summary& s = r.summary;
  auto item = [&](const char* label, const std::string& value, const char* id) {
    os << "<div><dt>" << label << "</dt><dd id=\"" << id << "\">" << html_escape(value) << "</dd></div>";
  };
  os << "<dl class=\"summary\">";
  item("Cues", std::to_string(s.cues), "sum-cues");
  item("Stale", std::to_string(s.stale), "sum-stale");
  item("Credits spent", fixed(s.credits_spent, 0), "sum-spent");
  item("Credits saved by hits", fixed(s.credits_saved, 0), "sum-saved");
  item("To build (estimated credits)", fixed(s.estimated_credits, 0), "sum-estimated");
  item("Cache hits", cache::format_ratio(s.hits, s.hits + s.misses), "sum-hits");
  os << "</dl>\n";
}

void filters(std::ostringstream& os, const Report& r) {
  std::set<std::string> manifests, categories, tags;
  for (const auto& m : r.manifests) {
    manifests.insert(m.name);
    for (const auto& c : m.cues) {
      categories.insert(c.category);
      tags.insert(c.tags.begin(), c.tags.end());
    }
  }
  os << "<form id=\"filters\">\n";
  filter_select(os, "manifest", "Manifest", manifests);
  filter_select(os, "category", "Category", categories);
  filter_select(os, "tag", "Tag", tags);
  filter_select(os, "status", "Status", {"fresh", "stale"});
  os << "<button type=\"reset\">Show all</button> <span id=\"shown\"></span></form>\n";
}

void takes_list(std::ostringstream& os, const CueRow& c) {
  // One take is the cue's object: the row already shows it.
  if (c.takes.size() < 2) return;
  os << "<ol class=\"takes\">";
  for (const Take& t : c.takes) {
    os << "<li class=\"take" << (t.picked ? " picked" : "") << "\" data-gen-key=\"" << t.gen_key << "\">"
       << (t.picked ? "picked · " : "") << "<code>" << t.gen_key.substr(0, 12) << "</code>";
    if (t.score) os << " score " << fixed(*t.score, 3);
    if (!t.present) os << " (not built)";
    os << "</li>";
  }
  os << "</ol>";
}

void cue_row(std::ostringstream& os, const CueRow& c, const fs::path& project_root, const fs::path& report_dir) {
  const char* status = c.status.fresh ? "fresh" : "stale";
  os << "<tr class=\"cue\" id=\"cue-" << html_escape(c.qualified_id) << "\" data-manifest=\""
     << html_escape(c.manifest) << "\" data-category=\"" << html_escape(c.category) << "\" data-status=\"" << status
     << "\" data-tags=\"" << html_escape(nlohmann::json(c.tags).dump()) << "\">";
  // Cue, category and tags.
  os << "<td><strong>" << html_escape(c.id) << "</strong><div class=\"meta\">" << html_escape(c.category);
  if (c.type != "generated") os << " · " << html_escape(c.type);
  os << "</div><div>";
  for (const auto& t : c.tags) os << "<span class=\"tag\">" << html_escape(t) << "</span>";
  os << "</div></td>";
  // Prompt and engine.
  os << "<td>" << html_escape(c.prompt);
  if (!c.engine.empty())
    os << "<div class=\"meta\">" << html_escape(c.engine) << " (" << html_escape(c.profile) << ")</div>";
  takes_list(os, c);
  os << "</td>";
  // Length: requested, then delivered.
  os << "<td class=\"num\">";
  if (c.duration) os << fixed(*c.duration, 2) << " s";
  if (c.delivered.duration_seconds)
    os << "<div class=\"meta\">delivered " << fixed(*c.delivered.duration_seconds, 2) << " s</div>";
  os << "</td>";
  // Status and why.
  os << "<td><span class=\"status " << status << "\">" << status << "</span>";
  if (!c.status.reason.empty()) os << "<div class=\"meta\">" << html_escape(c.status.reason) << "</div>";
  os << "</td>";
  // Credits: spent, and what a build would pay.
  os << "<td class=\"num\">" << fixed(c.credits, 0);
  if (c.status.estimated_credits) os << "<div class=\"meta\">~" << fixed(*c.status.estimated_credits, 0) << " to build</div>";
  os << "</td>";
  // Loudness as delivered.
  os << "<td class=\"num\">";
  if (c.delivered.integrated_lufs) os << fixed(*c.delivered.integrated_lufs, 1) << " LUFS";
  if (c.delivered.true_peak_dbtp) os << "<div class=\"meta\">" << fixed(*c.delivered.true_peak_dbtp, 1) << " dBTP</div>";
  os << "</td>";
  // The delivered file and its pictures.
  os << "<td class=\"media\">";
  if (c.delivered.present) {
    fs::path rel = (project_root / c.delivered.path).lexically_normal().lexically_relative(report_dir);
    os << "<audio class=\"delivered\" controls preload=\"metadata\" src=\"" << url_path(rel) << "\"></audio>";
  } else {
    os << "<div class=\"meta\">not delivered yet</div>";
  }
  // A stale cue not built yet keeps the pictures of the take it last
  // delivered, dimmed and said to be old.
  std::string of = c.qualified_id;
  if (c.images_stale) {
    os << "<div class=\"meta stale-pictures\">pictures of the last build (stale)</div>";
    of += ", last build (stale)";
  }
  image_tag(os, c.images.spectrogram, c.images_stale ? "spectrogram stale" : "spectrogram", spectrogram_width(),
            spectrogram_height(), "spectrogram of " + of);
  image_tag(os, c.images.waveform, c.images_stale ? "waveform stale" : "waveform", waveform_width(), waveform_height(),
            "waveform of " + of);
  os << "</td></tr>\n";
}

}  // namespace

std::string html_escape(const std::string& text) {
  std::string out;
  out.reserve(text.size());
  for (char ch : text) {
    switch (ch) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out += ch;
    }
  }
  return out;
}

std::string url_path(const fs::path& relative) {
  static const char* kHex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char ch : relative.generic_string()) {
    if (std::isalnum(ch) || ch == '-' || ch == '_' || ch == '.' || ch == '~' || ch == '/') {
      out += static_cast<char>(ch);
    } else {
      out += '%';
      out += kHex[ch >> 4];
      out += kHex[ch & 15];
    }
  }
  return out;
}

std::string render_html(const Report& r, const fs::path& project_root, const fs::path& report_dir) {
  const fs::path root = fs::absolute(project_root).lexically_normal();
  const fs::path dir = fs::absolute(report_dir).lexically_normal();
  std::ostringstream os;
  os << "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
     << "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
     // Nothing may come from a network: the page works from a file or an artifact store.
     << "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; img-src 'self' file:; "
        "media-src 'self' file:; style-src 'unsafe-inline'; script-src 'unsafe-inline'\">\n"
     << "<title>" << html_escape(r.project) << " — foley report</title>\n<style>" << kPageStyle << "</style>\n</head>\n<body>\n";
  os << "<header>\n<h1>" << html_escape(r.project) << "</h1>\n<p class=\"generated\">foley " << html_escape(r.foley_version)
     << " · " << when(r.generated_at_ms) << "</p>\n";
  summary(os, r);
  filters(os, r);
  os << "</header>\n<main>\n";
  for (const ManifestSection& m : r.manifests) {
    os << "<section class=\"manifest\" data-manifest=\"" << html_escape(m.name) << "\">\n<h2>" << html_escape(m.name)
       << "</h2>\n<table>\n<thead><tr><th>Cue</th><th>Prompt</th><th>Length</th><th>Status</th><th>Credits</th>"
          "<th>Loudness</th><th>Listen</th></tr></thead>\n<tbody>\n";
    for (const CueRow& c : m.cues) cue_row(os, c, root, dir);
    os << "</tbody>\n</table>\n</section>\n";
  }
  os << "</main>\n<script>" << kPageScript << "</script>\n</body>\n</html>\n";
  return os.str();
}

}  // namespace foley::report
