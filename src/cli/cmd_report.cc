#include <CLI/CLI.hpp>

#include <algorithm>
#include <cstdio>
#include <iostream>

#include "cli/commands.h"
#include "cli/cue_state.h"
#include "cli/project_context.h"
#include "cli/take_list.h"
#include "common/error.h"
#include "common/subprocess.h"
#include "report/report_builder.h"
#include "report/report_json.h"
#include "report/write_report.h"

namespace foley::cli {
namespace fs = std::filesystem;

namespace {

struct ReportOptions {
  std::string out_dir;  // default: <output_dir>/report
  bool open = false;
  bool json = false;
};

// A cue's takes as `foley takes` lists them, the rendered one first.
std::vector<report::Take> page_takes(const ProjectContext& ctx, const plan::PlannedCue& c) {
  std::vector<report::Take> out;
  if (c.take_keys.size() <= 1) return out;
  TakeListing listing = list_takes(ctx.plan, c, *ctx.index);
  for (const TakeRow& row : listing.rows) {
    report::Take t;
    t.gen_key = row.gen_key;
    t.object = row.object.lexically_relative(ctx.plan.project.config.root).generic_string();
    t.present = row.present;
    t.picked = row.rendered;
    t.score = row.score;
    t.credits = row.credits.value_or(0.0);
    t.credits_estimated = row.credits_estimated;
    t.duration_seconds = row.duration;
    out.push_back(std::move(t));
  }
  std::stable_partition(out.begin(), out.end(), [](const report::Take& t) { return t.picked; });
  return out;
}

// What `foley status` says of each cue, in plan order: the page shows it.
std::vector<report::CueVerdict> verdicts(ProjectContext& ctx) {
  std::vector<report::CueVerdict> out;
  for (const auto& c : ctx.plan.cues) {
    CueState s = cue_state(ctx.plan, c, *ctx.index);
    out.push_back({{s.fresh, s.fresh ? "" : s.reason, s.credits}, s.engine, s.profile, page_takes(ctx, c)});
  }
  return out;
}

int run_report(const fs::path& dir, const ReportOptions& o) {
  ProjectContext ctx = load_and_plan(dir);
  report::Report r = report::build_report(ctx.plan, *ctx.index, verdicts(ctx));
  if (o.json) {
    std::cout << report::report_json(r).dump(2) << "\n";
    return 0;
  }
  const fs::path& root = ctx.plan.project.config.root;
  fs::path out = o.out_dir.empty() ? ctx.plan.project.config.output_dir / "report" : fs::absolute(o.out_dir);
  report::ImageStats images = report::write_report(r, root, out);
  const fs::path page = out / "index.html";
  if (images.failed > 0)
    std::fprintf(stderr, "foley: warning: %d sound(s) could not be decoded and have no pictures\n", images.failed);
  std::printf("report: %s (%lld cue(s), %lld stale; %d sound(s) pictured, %d reused, %d old picture(s) removed)\n",
              page.string().c_str(), static_cast<long long>(r.summary.cues), static_cast<long long>(r.summary.stale),
              images.drawn, images.reused, images.removed);
  if (o.open) {
    // The desktop's opener; a page that cannot be opened is still written.
    SubprocessResult opened = run_subprocess({"xdg-open", page.string()}, /*capture=*/true);
    if (opened.exit_code != 0)
      throw Error::failure("could not open " + page.string() + " with xdg-open: " + opened.output);
  }
  return 0;
}

}  // namespace

void register_report(CLI::App& app, GlobalOptions& g, int& exit_code) {
  auto* cmd = app.add_subcommand("report", "Write a static HTML page to look at and listen to every cue");
  auto o = std::make_shared<ReportOptions>();
  cmd->add_option("-o,--output", o->out_dir, "Folder of the report (default: <output_dir>/report)");
  cmd->add_flag("--open", o->open, "Open the page in the desktop's browser (xdg-open)");
  cmd->add_flag("--json", o->json, "Print the report's data as JSON instead of writing the page");
  cmd->callback([&g, o, &exit_code] { exit_code = run_report(g.root(), *o); });
}

}  // namespace foley::cli
