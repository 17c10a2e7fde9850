// Runs one deployment command (deploy_commands.hpp) to its end, its output captured, within a
// deadline: ssh to a board that stopped answering, or adb waiting for a phone, is killed rather
// than waited on forever. The runner itself is spoken to by RunnerClient instead (a long-lived
// conversation, not a command).
#pragma once

#include <chrono>
#include <string>

#include "nnlat/backends/deploy_commands.hpp"
#include "nnlat/core/status.hpp"

namespace nnlat::backends {

struct CommandOutcome {
  int status = -1;        // wait status of the command (of argv, not of input_from)
  int input_status = -1;  // wait status of input_from, when there is one
  bool timed_out = false;
  std::string out;  // its stdout
  std::string err;  // its stderr and input_from's
  bool ok() const;  // both exited with status 0 in time
  // "exited with status 255", "was killed by signal ...", "did not finish within N s", with
  // the end of stderr.
  std::string describe() const;
};

// argv[0] is looked up in PATH; a command that cannot be started is an error naming it.
Result<CommandOutcome> run_command(const DeployCommand& command, std::chrono::milliseconds timeout);

}  // namespace nnlat::backends
