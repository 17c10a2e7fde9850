#include "backends/remote/subprocess.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

extern char** environ;

namespace nnlat::backends {
namespace {

using Clock = std::chrono::steady_clock;

std::string status_text(int status) {
  if (WIFEXITED(status)) return "exited with status " + std::to_string(WEXITSTATUS(status));
  if (WIFSIGNALED(status)) return std::string("was killed by signal ") + strsignal(WTERMSIG(status));
  return "stopped";
}

bool exited_ok(int status) { return WIFEXITED(status) && WEXITSTATUS(status) == 0; }

// Spawns argv with the given stdin/stdout/stderr (each -1: /dev/null). Returns the pid or the
// posix_spawn error.
Result<pid_t> spawn(const std::vector<std::string>& argv, int in, int out, int err) {
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  const int fds[3] = {in, out, err};
  for (int target = 0; target < 3; ++target) {
    if (fds[target] >= 0) {
      posix_spawn_file_actions_adddup2(&actions, fds[target], target);
    } else {
      posix_spawn_file_actions_addopen(&actions, target, "/dev/null", target == 0 ? O_RDONLY : O_WRONLY, 0);
    }
  }
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  pid_t pid = -1;
  const int rc = ::posix_spawnp(&pid, args[0], &actions, nullptr, args.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) {
    return make_error(ErrorCode::kNotFound, "cannot start '" + argv[0] + "': " + std::strerror(rc));
  }
  return pid;
}

void close_all(std::initializer_list<int> fds) {
  for (int fd : fds) {
    if (fd >= 0) ::close(fd);
  }
}

}  // namespace

bool CommandOutcome::ok() const {
  return !timed_out && exited_ok(status) && (input_status == -1 || exited_ok(input_status));
}

std::string CommandOutcome::describe() const {
  std::string text;
  if (timed_out) {
    text = "did not finish in time (killed)";
  } else if (!exited_ok(status)) {
    text = status_text(status);
  } else {
    text = "read its input from a command that " + status_text(input_status);
  }
  std::string tail = err;
  while (!tail.empty() && (tail.back() == '\n' || tail.back() == '\r')) tail.pop_back();
  if (tail.size() > 400) tail = "..." + tail.substr(tail.size() - 400);
  if (!tail.empty()) text += "; its stderr: " + tail;
  return text;
}

Result<CommandOutcome> run_command(const DeployCommand& command, std::chrono::milliseconds timeout) {
  if (command.argv.empty()) return make_error(ErrorCode::kInvalidArgument, "an empty command");
  // ssh dying while tar writes to it must be its error, not a SIGPIPE that ends nnlat (tar is a
  // child: it gets its own default disposition back at exec).
  ::signal(SIGPIPE, SIG_IGN);
  int out[2], err[2], link[2] = {-1, -1};
  if (::pipe2(out, O_CLOEXEC) != 0 || ::pipe2(err, O_CLOEXEC) != 0 ||
      (!command.input_from.empty() && ::pipe2(link, O_CLOEXEC) != 0)) {
    return make_error(ErrorCode::kIoError, std::string("cannot create pipes: ") + std::strerror(errno));
  }
  pid_t producer = -1;
  if (!command.input_from.empty()) {
    auto p = spawn(command.input_from, -1, link[1], err[1]);
    if (!p.ok()) {
      close_all({out[0], out[1], err[0], err[1], link[0], link[1]});
      return p.error();
    }
    producer = *p;
  }
  auto c = spawn(command.argv, link[0], out[1], err[1]);
  close_all({out[1], err[1], link[0], link[1]});
  if (!c.ok()) {
    close_all({out[0], err[0]});
    if (producer > 0) {
      ::kill(producer, SIGKILL);
      ::waitpid(producer, nullptr, 0);
    }
    return c.error();
  }
  const pid_t consumer = *c;

  CommandOutcome outcome;
  const auto deadline = Clock::now() + timeout;
  pollfd fds[2] = {{out[0], POLLIN, 0}, {err[0], POLLIN, 0}};
  std::string* sinks[2] = {&outcome.out, &outcome.err};
  int open_fds = 2;
  while (open_fds > 0) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    if (left.count() <= 0) {
      outcome.timed_out = true;
      break;
    }
    const int ready = ::poll(fds, 2, static_cast<int>(left.count()));
    if (ready < 0 && errno == EINTR) continue;
    if (ready <= 0) {
      outcome.timed_out = ready == 0;
      break;
    }
    for (int i = 0; i < 2; ++i) {
      if (fds[i].fd < 0 || fds[i].revents == 0) continue;
      char buf[8192];
      const ssize_t n = ::read(fds[i].fd, buf, sizeof buf);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) {
        ::close(fds[i].fd);
        fds[i].fd = -1;
        --open_fds;
      } else {
        sinks[i]->append(buf, static_cast<size_t>(n));
      }
    }
  }
  for (const auto& p : fds) close_all({p.fd});
  if (outcome.timed_out) {
    ::kill(consumer, SIGKILL);
    if (producer > 0) ::kill(producer, SIGKILL);
  }
  ::waitpid(consumer, &outcome.status, 0);
  if (producer > 0) ::waitpid(producer, &outcome.input_status, 0);
  return outcome;
}

}  // namespace nnlat::backends
