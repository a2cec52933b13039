#include <catch2/catch.hpp>

#include "cli/build_display.h"
#include "common/progress_channel.h"
#include "request/object_link.h"

using namespace foley;
using namespace foley::cli;

namespace {

const std::string kKey = "0123456789abcdef0123456789abcdef";

plan::Plan one_generation() {
  plan::Plan p;
  GenRequest r;
  r.gen_key = kKey;
  r.engine = "audioldm2";
  r.profile = "ldm";
  r.ext = "wav";
  r.cues = {"ep1:door", "ep1:door2"};
  p.generations[kKey] = r;
  return p;
}

ProgressEvent step(const std::string& what, bool done = false) {
  ProgressEvent e;
  e.key = kKey;
  e.cues = "ep1:door, ep1:door2";
  e.engine = "audioldm2";
  e.profile = "ldm";
  e.what = what;
  e.done = done;
  return e;
}

}  // namespace

TEST_CASE("on a terminal, GEN lines name the cues instead of the object") {
  DisplayOptions live;
  live.live = true;
  BuildDisplay d(one_generation(), live);
  const auto now = BuildDisplay::Clock::now();
  const std::string line = "[1/4] GEN " + object_link_path(kKey, "wav").generic_string() + " (ldm)";
  CHECK(d.ninja_line(line, now) == "[1/4] GEN ep1:door, ep1:door2 (ldm)\n");
  CHECK(d.ninja_line("[2/4] RENDER out/ep1/door.wav", now) == "[2/4] RENDER out/ep1/door.wav\n");
  // An object the plan does not know stays as it is.
  CHECK(d.ninja_line("[3/4] GEN .foley/objects/ff/ff.wav (ldm)", now) == "[3/4] GEN .foley/objects/ff/ff.wav (ldm)\n");
}

TEST_CASE("off a terminal, progress prints nothing; -q drops foley-gen's summary lines") {
  DisplayOptions quiet;
  quiet.quiet = true;
  BuildDisplay d(one_generation(), quiet);
  const auto now = BuildDisplay::Clock::now();
  CHECK(d.progress(step("step 1/20"), now).empty());
  CHECK(d.tick(now).empty());
  CHECK(d.ninja_line("foley-gen: generated ep1:door with ldm in 1.00 s (1.00 s of audio) -> x.wav", now).empty());
  CHECK(d.ninja_line("foley-gen: ep1:door already cached (" + kKey + ")", now).empty());
  CHECK(d.ninja_line("foley-gen: error: the model folder is missing", now) ==
        "foley-gen: error: the model folder is missing\n");
}

TEST_CASE("off a terminal, one line per finished cue: name, engine, outcome, elapsed, file") {
  plan::Plan p = one_generation();
  p.project.config.root = "/proj";
  plan::PlannedCue door;
  door.cue.id = "door";
  door.cue.manifest = "ep1";
  door.gen_key = kKey;
  door.take_keys = {kKey};
  door.render.output_path = "/proj/out/ep1/door.wav";
  plan::PlannedCue door2 = door;
  door2.cue.id = "door2";
  door2.render.output_path = "/proj/out/ep1/door2.flac";
  plan::PlannedCue hush;
  hush.cue.id = "hush";
  hush.cue.manifest = "ep1";
  hush.cue.type = "silence";
  hush.render.output_path = "/proj/out/ep1/hush.wav";
  p.cues = {door, door2, hush};

  BuildDisplay d(p, DisplayOptions{});
  const auto t0 = BuildDisplay::Clock::now();
  CHECK(d.progress(step("starting"), t0).empty());
  const auto t1 = t0 + std::chrono::milliseconds(1500);
  // The generate edge, its warning and its summary line: only the warning shows.
  CHECK(d.ninja_line("[1/4] GEN " + object_link_path(kKey, "wav").generic_string() + " (ldm)", t1).empty());
  CHECK(d.ninja_line("foley-gen: warning: something to know", t1) == "foley-gen: warning: something to know\n");
  CHECK(d.ninja_line("foley-gen: generated ep1:door, ep1:door2 with ldm in 1.50 s (1.00 s of audio) -> x.wav", t1)
            .empty());
  CHECK(d.progress(step("done", true), t1).empty());
  const auto t2 = t0 + std::chrono::milliseconds(2000);
  CHECK(d.ninja_line("[2/4] RENDER out/ep1/door.wav", t2) == "ep1:door  audioldm2 (ldm)  generated  2.0s  out/ep1/door.wav\n");
  CHECK(d.ninja_line("[3/4] RENDER out/ep1/door2.flac", t2) ==
        "ep1:door2  audioldm2 (ldm)  generated  2.0s  out/ep1/door2.flac\n");
  // No generation for it: rendered, timed from the build's start.
  std::string hush_line = d.ninja_line("[4/4] RENDER out/ep1/hush.wav", t2);
  CHECK(hush_line.rfind("ep1:hush  silence  rendered  ", 0) == 0);
  CHECK(hush_line.ends_with("s  out/ep1/hush.wav\n"));
  // ninja's failures pass through as they are.
  CHECK(d.ninja_line("FAILED: out/ep1/x.wav", t2) == "FAILED: out/ep1/x.wav\n");
  CHECK(d.finish().empty());

  // A hit says so.
  BuildDisplay hit(p, DisplayOptions{});
  CHECK(hit.ninja_line("[1/2] GEN " + object_link_path(kKey, "wav").generic_string() + " (ldm)", t1).empty());
  CHECK(hit.ninja_line("foley-gen: ep1:door, ep1:door2 already cached (" + kKey + ")", t1).empty());
  CHECK(hit.ninja_line("[2/2] RENDER out/ep1/door.wav", t1).find("  cached  ") != std::string::npos);
}

TEST_CASE("off a terminal, a file name ninja quotes (spaces, quotes) still finds its cue") {
  plan::Plan p;
  p.project.config.root = "/proj";
  plan::PlannedCue slam;
  slam.cue.id = "slam";
  slam.cue.manifest = "lib";
  slam.cue.type = "silence";
  slam.render.output_path = "/proj/out/lib/DOORWood_door slam_JD_EP1.wav";
  plan::PlannedCue quote = slam;
  quote.cue.id = "quote";
  quote.render.output_path = "/proj/out/lib/it's (loud).wav";
  p.cues = {slam, quote};
  BuildDisplay d(p, DisplayOptions{});
  const auto now = BuildDisplay::Clock::now();
  std::string line = d.ninja_line("[1/2] RENDER 'out/lib/DOORWood_door slam_JD_EP1.wav'", now);
  CHECK(line.rfind("lib:slam  silence  rendered  ", 0) == 0);
  CHECK(line.ends_with("s  out/lib/DOORWood_door slam_JD_EP1.wav\n"));
  line = d.ninja_line("[2/2] RENDER 'out/lib/it'\\''s (loud).wav'", now);
  CHECK(line.rfind("lib:quote  silence  rendered  ", 0) == 0);
}

TEST_CASE("off a terminal, a take the delivered file does not read gets its own line once made") {
  const std::string take2 = "fedcba9876543210fedcba9876543210";
  plan::Plan p = one_generation();
  p.project.config.root = "/proj";
  GenRequest r2 = p.generations[kKey];
  r2.gen_key = take2;
  r2.object_path = "/proj/cache/objects/fe/" + take2 + ".wav";
  p.generations[take2] = r2;
  plan::PlannedCue door;
  door.cue.id = "door";
  door.cue.manifest = "ep1";
  door.gen_key = kKey;
  door.take_keys = {kKey, take2};
  door.render.gen_key = kKey;
  door.render.output_path = "/proj/out/ep1/door.wav";
  p.cues = {door};
  BuildDisplay d(p, DisplayOptions{});
  const auto t0 = BuildDisplay::Clock::now();
  CHECK(d.ninja_line("[1/1] GEN " + object_link_path(take2, "wav").generic_string() + " (ldm)", t0).empty());
  CHECK(d.ninja_line("foley-gen: generated ep1:door with ldm in 0.10 s (1.00 s of audio) -> x.wav", t0) ==
        "ep1:door take 2  audioldm2 (ldm)  generated  0.0s  cache/objects/fe/" + take2 + ".wav\n");
  // Its delivered file reads take 1, already there: rendered, not generated.
  CHECK(d.ninja_line("[2/2] RENDER out/ep1/door.wav", t0).rfind("ep1:door  audioldm2 (ldm)  rendered  ", 0) == 0);
}

TEST_CASE("on a terminal, running cues stay below the finished lines, redrawn in place") {
  DisplayOptions live;
  live.live = true;
  live.width = 200;
  BuildDisplay d(one_generation(), live);
  const auto t0 = BuildDisplay::Clock::now();
  CHECK(d.progress(step("starting"), t0) == "  ep1:door, ep1:door2  audioldm2 (ldm)  starting  0.0s\n");
  const auto t1 = t0 + std::chrono::milliseconds(2500);
  // The block (one line) is erased, then drawn again with the new step and time.
  CHECK(d.progress(step("step 3/20"), t1) == "\033[1F\033[J  ep1:door, ep1:door2  audioldm2 (ldm)  step 3/20  2.5s\n");
  // A finished edge's line goes above the block.
  CHECK(d.ninja_line("[1/4] RENDER out/x.wav", t1) ==
        "\033[1F\033[J[1/4] RENDER out/x.wav\n  ep1:door, ep1:door2  audioldm2 (ldm)  step 3/20  2.5s\n");
  CHECK(d.progress(step("done", true), t1) == "\033[1F\033[J");
  CHECK(d.tick(t1).empty());
  CHECK(d.finish().empty());
}

TEST_CASE("a running line is cut to the terminal's width, and coloured only when asked") {
  DisplayOptions live;
  live.live = true;
  live.width = 30;
  BuildDisplay narrow(one_generation(), live);
  const auto now = BuildDisplay::Clock::now();
  std::string line = narrow.progress(step("step 3/20"), now);
  CHECK(line == "  ep1:door, ep1:door2  audiol\n");  // 29 columns: one spare so the cursor never wraps
  live.width = 200;
  live.color = true;
  BuildDisplay coloured(one_generation(), live);
  line = coloured.progress(step("step 3/20"), now);
  CHECK(line == "  \033[1mep1:door, ep1:door2\033[0m  audioldm2 (ldm)  step 3/20\033[2m  0.0s\033[0m\n");
}

TEST_CASE("progress events survive the socket's encoding") {
  ProgressEvent e = step("step\t3/20\nx");
  e.fraction = 0.15;
  ProgressEvent back;
  REQUIRE(ProgressEvent::decode(e.encode(), back));
  CHECK(back.key == kKey);
  CHECK(back.cues == "ep1:door, ep1:door2");
  CHECK(back.what == "step 3/20 x");
  CHECK(back.fraction == Approx(0.15));
  CHECK_FALSE(back.done);
  CHECK_FALSE(ProgressEvent::decode("hello", back));
}
