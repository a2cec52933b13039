#pragma once

#include <filesystem>
#include <string>

#include "report/report_model.h"

namespace foley::report {

// The report page: a summary header, the filters (manifest, category, tag,
// status), one section per manifest with one row per cue (prompt, engine,
// length, status and why, credits, loudness and true peak as delivered, a
// player of the delivered file, its spectrogram and waveform, its takes). One
// self-contained file: style and script inline, sounds and pictures linked by
// paths relative to `report_dir` (where the page is written), nothing fetched
// from a network.
std::string render_html(const Report& report, const std::filesystem::path& project_root,
                        const std::filesystem::path& report_dir);

// `text` escaped for HTML text and quoted attribute values.
std::string html_escape(const std::string& text);

// A relative file path as a URL path: each segment percent-encoded except
// unreserved characters, so names with spaces, '#' or '?' still load.
std::string url_path(const std::filesystem::path& relative);

}  // namespace foley::report
