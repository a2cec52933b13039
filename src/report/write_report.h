#pragma once

#include <filesystem>

#include "report/report_images.h"
#include "report/report_model.h"

namespace foley::report {

// Writes the report into `report_dir`: its pictures (drawn only for sounds
// not pictured yet, report_images.h), then index.html, atomically. Returns what
// happened to the pictures. The page itself is the last thing written, so it
// never links a picture that is not there.
ImageStats write_report(Report& report, const std::filesystem::path& project_root,
                        const std::filesystem::path& report_dir);

}  // namespace foley::report
