// The host side of remote profiling (issue 14): a device runner started by a command — the
// runner's path here, or the same behind `ssh HOST` or `adb -s SERIAL shell` — spoken to over
// its stdin and stdout (runner_protocol.hpp). Every wait is bounded: a runner that stops
// answering is timed out and killed, never waited on forever.
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "nnlat/backends/runner_protocol.hpp"
#include "nnlat/core/status.hpp"

namespace nnlat::backends {

class RunnerClient {
 public:
  // Starts `command` (argv[0] looked up in PATH), reads its hello within `timeout` and checks
  // its protocol version. Errors name `label` (the device) and say what happened: the command
  // could not start, exited (with its status and the last of its stderr), sent something that
  // is not a hello, speaks another protocol version, or said nothing in time. Two errors mean
  // that the device lacks this build's runner, which deploying it fixes: kNotFound (it could not
  // start, or exited with 126 or 127 before its hello: the shell's "cannot execute" and "not
  // found", over ssh and adb too) and kUnsupported (another protocol version).
  static Result<std::unique_ptr<RunnerClient>> start(const std::vector<std::string>& command, const std::string& label,
                                                     std::chrono::milliseconds timeout);
  ~RunnerClient();  // says bye, closes the pipes, and reaps the runner (killing it if it lingers)
  RunnerClient(const RunnerClient&) = delete;
  RunnerClient& operator=(const RunnerClient&) = delete;

  const RunnerHello& hello() const { return hello_; }

  // Sends one request and waits up to `timeout` for its answer. The runner's error message
  // comes back as an error naming the device; a runner that exits or falls silent is an error
  // and this client is then unusable (alive() is false).
  Result<MeasureResult> measure(const MeasureRequest& request, std::chrono::milliseconds timeout);
  // The same for a check against the runner's reference loops (runner_protocol.hpp).
  Result<CheckResult> check(const CheckRequest& request, std::chrono::milliseconds timeout);
  bool alive() const { return pid_ > 0 && !dead_; }
  // The runner's wait status once it ended and was reaped after an error; -1 before (or when it
  // had to be killed). Over ssh, an exit status of 255 is ssh's own: the connection failed.
  int exit_status() const { return exit_status_; }

 private:
  RunnerClient() = default;
  Result<nlohmann::json> read_message(std::chrono::milliseconds timeout);
  // Sends `request` and reads its answer of type Answer (parsed by `parse`, matched by `id`).
  template <typename Answer, typename Parse>
  Result<Answer> exchange(const nlohmann::json& request, const std::string& id, Parse parse,
                          std::chrono::milliseconds timeout);
  Error failure(const std::string& what);  // kills the runner, marks it dead, adds its stderr

  std::string label_;
  int pid_ = -1;
  int to_runner_ = -1;
  int from_runner_ = -1;
  int runner_stderr_ = -1;
  bool dead_ = false;
  int exit_status_ = -1;  // the runner's wait status, once failure() reaped it
  std::string buffer_;    // bytes read past the last complete line
  RunnerHello hello_;
};

}  // namespace nnlat::backends
