#include "cli/build_display.h"

#include <poll.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>

#include "common/subprocess.h"
#include "request/object_link.h"

namespace foley::cli {
namespace {

constexpr const char* kBold = "\033[1m";
constexpr const char* kDim = "\033[2m";
constexpr const char* kReset = "\033[0m";

std::string seconds_text(double s) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1fs", s);
  return buf;
}

// Lines foley-gen prints for every generation: the display already says it.
bool is_summary_line(const std::string& line) {
  return line.rfind("foley-gen: generated ", 0) == 0 ||
         (line.rfind("foley-gen: ", 0) == 0 && line.find(" already cached (") != std::string::npos);
}

void write_all(const std::string& text) {
  if (text.empty()) return;
  std::fwrite(text.data(), 1, text.size(), stdout);
  std::fflush(stdout);
}

}  // namespace

BuildDisplay::BuildDisplay(const plan::Plan& plan, DisplayOptions options)
    : options_(options), finished_(plan, Clock::now()) {
  for (const auto& [key, req] : plan.generations) {
    gen_cues_[object_link_path(key, req.ext).generic_string()] = cue_names(req.cues);
  }
}

std::string BuildDisplay::rewrite(const std::string& line) const {
  // "[3/8] GEN .foley/objects/ab/ab12….wav (ldm)" -> "[3/8] GEN ep1:door (ldm)"
  size_t gen = line.find("] GEN ");
  if (line.empty() || line[0] != '[' || gen == std::string::npos) return line;
  size_t path_start = gen + 6;
  size_t path_end = line.find(" (", path_start);
  std::string path = line.substr(path_start, path_end == std::string::npos ? std::string::npos : path_end - path_start);
  auto it = gen_cues_.find(path);
  if (it == gen_cues_.end()) return line;
  return line.substr(0, path_start) + it->second + (path_end == std::string::npos ? "" : line.substr(path_end));
}

std::string BuildDisplay::fit(const std::string& text) const {
  // Cut to the terminal's width counting code points (escape sequences are
  // added after), so a line never wraps and the block's height stays known.
  const int max = std::max(10, options_.width - 1);
  int points = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    if ((static_cast<unsigned char>(text[i]) & 0xC0) != 0x80 && ++points > max) return text.substr(0, i);
  }
  return text;
}

std::string BuildDisplay::erase_block() {
  if (drawn_lines_ == 0) return "";
  std::string out = "\033[" + std::to_string(drawn_lines_) + "F\033[J";
  drawn_lines_ = 0;
  return out;
}

std::string BuildDisplay::draw_block(Clock::time_point now) {
  std::string out;
  for (const auto& [key, r] : running_) {
    const double elapsed = std::chrono::duration<double>(now - r.started).count();
    const std::string engine = r.last.engine + " (" + r.last.profile + ")";
    // Plain text first, cut to width; then the colours around its parts.
    std::string plain = "  " + r.last.cues + "  " + engine + "  " + r.last.what + "  " + seconds_text(elapsed);
    plain = fit(plain);
    if (options_.color && plain.size() > 2 + r.last.cues.size()) {
      std::string cues = plain.substr(2, r.last.cues.size());
      std::string rest = plain.substr(2 + r.last.cues.size());
      size_t time_at = rest.rfind("  ");
      std::string time = time_at == std::string::npos ? "" : rest.substr(time_at);
      if (time_at != std::string::npos) rest.resize(time_at);
      plain = "  " + std::string(kBold) + cues + kReset + rest + kDim + time + kReset;
    }
    out += plain + "\n";
    ++drawn_lines_;
  }
  return out;
}

std::string BuildDisplay::ninja_line(const std::string& line, Clock::time_point now) {
  if (!options_.live && !options_.dry_run) return finished_.ninja_line(line, now);
  if (options_.quiet && is_summary_line(line)) return "";
  std::string text = rewrite(line);
  if (!options_.live) return text + "\n";
  std::string out = erase_block();
  out += text + "\n";
  out += draw_block(now);
  return out;
}

std::string BuildDisplay::progress(const ProgressEvent& e, Clock::time_point now) {
  finished_.progress(e, now);
  auto it = running_.begin();
  while (it != running_.end() && it->first != e.key) ++it;
  if (e.done) {
    if (it != running_.end()) running_.erase(it);
  } else if (it == running_.end()) {
    running_.push_back({e.key, {e, now}});
  } else {
    it->second.last = e;
  }
  if (!options_.live || options_.quiet) return "";
  std::string out = erase_block();
  return out + draw_block(now);
}

std::string BuildDisplay::tick(Clock::time_point now) {
  if (!options_.live || options_.quiet || running_.empty()) return "";
  std::string out = erase_block();
  return out + draw_block(now);
}

std::string BuildDisplay::finish() {
  running_.clear();
  return erase_block();
}

DisplayOptions display_options_for_stdout(bool quiet) {
  DisplayOptions o;
  o.quiet = quiet;
  o.live = ::isatty(1) == 1;
  const char* no_color = std::getenv("NO_COLOR");
  o.color = o.live && !(no_color && *no_color);
  winsize ws{};
  if (o.live && ::ioctl(1, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0) o.width = ws.ws_col;
  return o;
}

int run_ninja_displayed(const std::vector<std::string>& argv, const plan::Plan& plan, const DisplayOptions& options,
                        ProgressReceiver& receiver) {
  BuildDisplay display(plan, options);
  PipedProcess ninja = spawn_piped(argv);

  std::string pending;
  bool open = true;
  while (open) {
    pollfd fds[2] = {{ninja.output_fd, POLLIN, 0}, {receiver.fd(), POLLIN, 0}};
    int n = ::poll(fds, 2, 200);
    if (n < 0 && errno != EINTR) break;
    const auto now = BuildDisplay::Clock::now();
    for (const ProgressEvent& e : receiver.drain()) write_all(display.progress(e, now));
    if (n > 0 && (fds[0].revents & (POLLIN | POLLHUP | POLLERR))) {
      char buf[8192];
      ssize_t got = ::read(ninja.output_fd, buf, sizeof buf);
      if (got < 0 && errno == EINTR) continue;
      if (got <= 0) {
        open = false;
      } else {
        pending.append(buf, static_cast<size_t>(got));
        for (size_t nl; (nl = pending.find('\n')) != std::string::npos; pending.erase(0, nl + 1))
          write_all(display.ninja_line(pending.substr(0, nl), now));
      }
    }
    if (n == 0) write_all(display.tick(now));
  }
  if (!pending.empty()) write_all(display.ninja_line(pending, BuildDisplay::Clock::now()));
  ::close(ninja.output_fd);
  write_all(display.finish());
  return wait_for_exit(ninja.pid);
}

}  // namespace foley::cli
