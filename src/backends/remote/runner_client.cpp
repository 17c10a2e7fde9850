#include "nnlat/backends/runner_client.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <thread>

extern char** environ;

namespace nnlat::backends {
namespace {

using Clock = std::chrono::steady_clock;

std::string seconds(std::chrono::milliseconds d) {
  return std::to_string(static_cast<double>(d.count()) / 1000.0) + " s";
}

std::string describe_status(int status) {
  if (WIFEXITED(status)) return "exited with status " + std::to_string(WEXITSTATUS(status));
  if (WIFSIGNALED(status)) return std::string("was killed by signal ") + strsignal(WTERMSIG(status));
  return "stopped";
}

void close_fd(int& fd) {
  if (fd >= 0) ::close(fd);
  fd = -1;
}

// Writes all of `text`; false when the runner closed its input.
bool write_all(int fd, const std::string& text) {
  size_t done = 0;
  while (done < text.size()) {
    const ssize_t n = ::write(fd, text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    done += static_cast<size_t>(n);
  }
  return true;
}

}  // namespace

Result<std::unique_ptr<RunnerClient>> RunnerClient::start(const std::vector<std::string>& command,
                                                          const std::string& label, std::chrono::milliseconds timeout) {
  if (command.empty()) return make_error(ErrorCode::kInvalidArgument, label + ": no runner command");
  // A runner that dies while we write to it must be an error, not a SIGPIPE that ends nnlat.
  ::signal(SIGPIPE, SIG_IGN);
  int in[2], out[2], err[2];
  if (::pipe2(in, O_CLOEXEC) != 0 || ::pipe2(out, O_CLOEXEC) != 0 || ::pipe2(err, O_CLOEXEC) != 0) {
    return make_error(ErrorCode::kIoError, label + ": cannot create pipes: " + std::strerror(errno));
  }
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, in[0], STDIN_FILENO);
  posix_spawn_file_actions_adddup2(&actions, out[1], STDOUT_FILENO);
  posix_spawn_file_actions_adddup2(&actions, err[1], STDERR_FILENO);
  std::vector<char*> argv;
  for (const auto& a : command) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  pid_t pid = -1;
  const int rc = ::posix_spawnp(&pid, argv[0], &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  for (int fd : {in[0], out[1], err[1]}) ::close(fd);
  if (rc != 0) {
    for (int fd : {in[1], out[0], err[0]}) ::close(fd);
    return make_error(ErrorCode::kNotFound,
                      label + ": cannot start the runner '" + command[0] + "': " + std::strerror(rc));
  }
  std::unique_ptr<RunnerClient> client(new RunnerClient());
  client->label_ = label;
  client->pid_ = pid;
  client->to_runner_ = in[1];
  client->from_runner_ = out[0];
  client->runner_stderr_ = err[0];
  auto first = client->read_message(timeout);
  if (!first.ok()) {
    const int st = client->exit_status_;
    if (st != -1 && WIFEXITED(st) && (WEXITSTATUS(st) == 126 || WEXITSTATUS(st) == 127)) {
      return make_error(ErrorCode::kNotFound,
                        first.error().message + " (no runner to run at '" + command.back() + "')");
    }
    return first.error();
  }
  // The version first: another version's hello may lack fields this one requires.
  const auto version = first->is_object() ? first->find("version") : first->end();
  if (version != first->end() && version->is_number_integer() && version->get<int>() != kRunnerProtocolVersion) {
    const auto runner = first->find("runner_version");
    Error e = client->failure("speaks protocol version " + std::to_string(version->get<int>()) + ", this nnlat " +
                              std::to_string(kRunnerProtocolVersion) + " (runner " +
                              (runner != first->end() && runner->is_string() ? runner->get<std::string>() : "unknown") +
                              "): deploy the runner of this build");
    e.code = ErrorCode::kUnsupported;
    return e;
  }
  auto hello = hello_from_json(*first);
  if (!hello.ok()) return client->failure("did not greet with a hello (" + hello.error().message + ")");
  client->hello_ = std::move(*hello);
  return client;
}

RunnerClient::~RunnerClient() {
  if (alive()) {
    write_all(to_runner_, "{\"type\":\"bye\"}\n");
    close_fd(to_runner_);
    // Give it a moment to finish on its own, then make sure it is gone.
    for (int i = 0; i < 100; ++i) {
      if (::waitpid(pid_, nullptr, WNOHANG) == pid_) {
        pid_ = -1;
        break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    if (pid_ > 0) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, nullptr, 0);
    }
  }
  close_fd(to_runner_);
  close_fd(from_runner_);
  close_fd(runner_stderr_);
}

Error RunnerClient::failure(const std::string& what) {
  std::string message = label_ + ": the runner " + what;
  if (pid_ > 0 && !dead_) {
    int status = 0;
    // A runner that closed its output is usually exiting: give it a moment to be reaped, so
    // its exit status can be reported, before killing it.
    pid_t reaped = ::waitpid(pid_, &status, WNOHANG);
    for (int i = 0; reaped == 0 && i < 50; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
      reaped = ::waitpid(pid_, &status, WNOHANG);
    }
    if (reaped == 0) {
      ::kill(pid_, SIGKILL);
      reaped = ::waitpid(pid_, &status, 0);
      message += " (killed)";
    } else if (reaped == pid_) {
      exit_status_ = status;
      message += " (it " + describe_status(status) + ")";
    }
  }
  dead_ = true;
  // The end of what it said on stderr, which usually names the cause.
  if (runner_stderr_ >= 0) {
    ::fcntl(runner_stderr_, F_SETFL, O_NONBLOCK);
    std::string err;
    char buf[4096];
    for (ssize_t n; (n = ::read(runner_stderr_, buf, sizeof buf)) > 0;) err.append(buf, static_cast<size_t>(n));
    while (!err.empty() && (err.back() == '\n' || err.back() == '\r')) err.pop_back();
    if (err.size() > 400) err = "..." + err.substr(err.size() - 400);
    if (!err.empty()) message += "; its stderr: " + err;
  }
  return make_error(ErrorCode::kIoError, message);
}

Result<nlohmann::json> RunnerClient::read_message(std::chrono::milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  for (;;) {
    if (const size_t end = buffer_.find('\n'); end != std::string::npos) {
      const std::string line = buffer_.substr(0, end);
      buffer_.erase(0, end + 1);
      if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
      auto json = nlohmann::json::parse(line, nullptr, /*allow_exceptions=*/false);
      if (json.is_discarded()) return failure("sent a line that is not JSON: " + line.substr(0, 120));
      return json;
    }
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    if (left.count() <= 0) return failure("did not answer within " + seconds(timeout));
    pollfd p{from_runner_, POLLIN, 0};
    const int ready = ::poll(&p, 1, static_cast<int>(left.count()));
    if (ready < 0 && errno == EINTR) continue;
    if (ready < 0) return failure(std::string("could not be read: ") + std::strerror(errno));
    if (ready == 0) return failure("did not answer within " + seconds(timeout));
    char buf[65536];
    const ssize_t n = ::read(from_runner_, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return failure("closed its output");
    buffer_.append(buf, static_cast<size_t>(n));
  }
}

template <typename Answer, typename Parse>
Result<Answer> RunnerClient::exchange(const nlohmann::json& request, const std::string& id, Parse parse,
                                      std::chrono::milliseconds timeout) {
  if (!alive()) return make_error(ErrorCode::kIoError, label_ + ": the runner is gone");
  if (!write_all(to_runner_, request.dump() + "\n")) return failure("closed its input");
  NNLAT_ASSIGN_OR_RETURN(auto answer, read_message(timeout));
  NNLAT_ASSIGN_OR_RETURN(auto type, message_type(answer));
  if (type == "error") {
    NNLAT_ASSIGN_OR_RETURN(auto e, runner_error_from_json(answer));
    return make_error(ErrorCode::kUnsupported, label_ + ": " + e.message);
  }
  Result<Answer> result = parse(answer);
  if (!result.ok()) return failure("answered with an unexpected message (" + result.error().message + ")");
  if (result->id != id) return failure("answered item '" + result->id + "' when asked for '" + id + "'");
  return result;
}

Result<MeasureResult> RunnerClient::measure(const MeasureRequest& request, std::chrono::milliseconds timeout) {
  return exchange<MeasureResult>(to_json(request), request.id, measure_result_from_json, timeout);
}

Result<CheckResult> RunnerClient::check(const CheckRequest& request, std::chrono::milliseconds timeout) {
  return exchange<CheckResult>(to_json(request), request.id, check_result_from_json, timeout);
}

}  // namespace nnlat::backends
