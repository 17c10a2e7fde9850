// The device side of remote profiling (issue 14): what `nnlat-device` runs. It greets the
// host with a hello (runner_protocol.hpp), then answers measure requests one by one, each
// answer written and flushed as soon as it is measured, until a "bye" or the end of input.
#pragma once

#include <iosfwd>
#include <string>

#include "nnlat/backends/runner_protocol.hpp"
#include "nnlat/core/status.hpp"

namespace nnlat::backends {

// This machine as the hello describes it: environment, memory, clusters, the CPUs' clocks,
// governors and temperatures now, and the targets it can measure; `build` identifies the runner.
RunnerHello local_hello(const std::string& runner_version, const std::string& build = "");

// The runner's build: a hash (16 hex digits) of its executable's bytes, so that two runners of
// one version built differently are told apart. The executable is /proc/self/exe, or `argv0`
// when that is the dynamic loader (a bundle starts the runner through its own loader); "" when
// neither can be read.
std::string runner_build_id(const char* argv0);

// Serves `in` -> `out`. A bad request (unreadable line, unknown type, malformed field, unknown
// or unsupported target, graph the backend refuses, a failed run) is answered by an error
// message naming the request and the problem, and serving goes on. Returns an error only when
// `out` can no longer be written (the host is gone).
Status serve_device_runner(std::istream& in, std::ostream& out, const std::string& runner_version,
                           const std::string& build = "");

}  // namespace nnlat::backends
