#include "report/write_report.h"

#include "common/atomic_file.h"
#include "report/report_html.h"

namespace foley::report {

ImageStats write_report(Report& report, const std::filesystem::path& project_root,
                        const std::filesystem::path& report_dir) {
  std::filesystem::create_directories(report_dir / "img");
  ImageStats stats = make_images(report, project_root, report_dir);
  write_file_atomic(report_dir / "index.html", render_html(report, project_root, report_dir), Durability::kDerived);
  return stats;
}

}  // namespace foley::report
