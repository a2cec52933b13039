#include "ipc/launcher.h"

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <sstream>
#include <string_view>

#include "common/error.h"
#include "ipc/protocol.h"

namespace foley::ipc {
namespace fs = std::filesystem;

namespace {

// In the forked grandchild: detaches it from our terminal, pipes and fds.
void become_daemon(const fs::path& log, int keep_fd) {
  ::setsid();
  // Not holding the client's working directory (a project that may be deleted).
  if (::chdir("/") != 0) ::_exit(126);
  int null_fd = ::open("/dev/null", O_RDONLY);
  if (null_fd >= 0) {
    ::dup2(null_fd, 0);
    if (null_fd != 0) ::close(null_fd);
  }
  int log_fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0600);
  if (log_fd >= 0) {
    ::dup2(log_fd, 1);
    ::dup2(log_fd, 2);
    if (log_fd > 2) ::close(log_fd);
  }
  for (int fd = 3; fd < 1024; ++fd)
    if (fd != keep_fd) ::close(fd);
}

// Forks twice; the grandchild runs `child(error_pipe_write_end)` and never
// returns. Waits for the intermediate child, then reads what the grandchild
// wrote to the pipe before exec (an errno) or EOF (exec succeeded).
void double_fork(const std::function<void(int)>& child, const std::string& what) {
  int pipe_fds[2];
  if (::pipe2(pipe_fds, O_CLOEXEC) != 0) throw Error::failure(std::string("pipe: ") + std::strerror(errno));
  pid_t pid = ::fork();
  if (pid < 0) {
    int e = errno;
    ::close(pipe_fds[0]);
    ::close(pipe_fds[1]);
    throw Error::failure("cannot start " + what + ": fork: " + std::strerror(e));
  }
  if (pid == 0) {
    ::close(pipe_fds[0]);
    pid_t grandchild = ::fork();
    if (grandchild != 0) ::_exit(grandchild < 0 ? 1 : 0);
    child(pipe_fds[1]);
    ::_exit(127);
  }
  ::close(pipe_fds[1]);
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  int child_errno = 0;
  ssize_t n;
  do {
    n = ::read(pipe_fds[0], &child_errno, sizeof child_errno);
  } while (n < 0 && errno == EINTR);
  ::close(pipe_fds[0]);
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
    throw Error::failure("cannot start " + what + ": fork failed");
  if (n == static_cast<ssize_t>(sizeof child_errno))
    throw Error::failure("cannot start " + what + ": " + std::strerror(child_errno));
}

}  // namespace

std::vector<std::string> default_server_command(const fs::path& cache_dir, double idle_timeout_seconds) {
  std::error_code ec;
  fs::path self = fs::read_symlink("/proc/self/exe", ec);
  fs::path gen = self;
  if (ec || self.filename() != "foley-gen") gen = (ec ? fs::path() : self.parent_path()) / "foley-gen";
  std::ostringstream timeout;
  timeout << idle_timeout_seconds;
  return {gen.string(), "serve", "--cache", fs::absolute(cache_dir).string(), "--idle-timeout", timeout.str()};
}

void spawn_detached(const std::vector<std::string>& argv, const fs::path& log) {
  if (argv.empty()) throw Error::failure("cannot start the resident server: empty command");
  // Everything exec needs is built before fork: only async-signal-safe calls after it.
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  // The server's environment is ours, plus a bound on OpenMP's spinning unless the user chose a policy:
  // threads waiting at a barrier spin ~300 000 times by default before sleeping, the fastest on an idle
  // machine, but on a busy one (other ninja jobs, a second process) the spinning takes the cores the work
  // needs. Measured on the tiny model, 2 threads, two generations at once: 12-17 s each with the default,
  // 8.2 s with a 10 000 spin bound, 3.1 s passive; alone 1.89 s, 1.73 s and 3.3 s (docs/performance.md).
  // libgomp reads it once at start, hence the environment.
  static char spin_bound[] = "GOMP_SPINCOUNT=10000";
  std::vector<char*> env;
  bool user_policy = false;
  for (char** e = environ; *e != nullptr; ++e) {
    env.push_back(*e);
    user_policy = user_policy || std::strncmp(*e, "OMP_WAIT_POLICY=", 16) == 0 ||
                  std::strncmp(*e, "GOMP_SPINCOUNT=", 15) == 0;
  }
  if (!user_policy) env.push_back(spin_bound);
  env.push_back(nullptr);
  double_fork(
      [&](int error_fd) {
        become_daemon(log, error_fd);
        ::execvpe(args[0], args.data(), env.data());  // a launcher (srun) is found on PATH
        int e = errno;
        ssize_t ignored = ::write(error_fd, &e, sizeof e);
        (void)ignored;
      },
      "the resident server `" + argv[0] + "`");
}

void fork_detached(const std::function<int()>& body, const fs::path& log) {
  double_fork(
      [&](int error_fd) {
        become_daemon(log, -1);
        ::_exit(body());
      },
      "the resident server");
}

bool is_secret_variable(const std::string& name) {
  auto ends_with = [&name](std::string_view suffix) {
    return name.size() >= suffix.size() && name.compare(name.size() - suffix.size(), suffix.size(), suffix) == 0;
  };
  return name == kApiKeyVariable || ends_with("_API_KEY") || ends_with("_SECRET") || ends_with("_TOKEN") ||
         ends_with("_PASSWORD");
}

void unset_secret_variables() {
  std::vector<std::string> names;
  for (char** e = environ; *e != nullptr; ++e) {
    const char* eq = std::strchr(*e, '=');
    if (eq != nullptr && is_secret_variable(std::string(*e, static_cast<size_t>(eq - *e))))
      names.emplace_back(*e, static_cast<size_t>(eq - *e));
  }
  for (const auto& name : names) ::unsetenv(name.c_str());
}

}  // namespace foley::ipc
