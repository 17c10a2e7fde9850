// The device side of remote profiling (issue 14): what `nnlat-device` runs. It greets the
// host with a hello (runner_protocol.hpp), then answers measure requests one by one, each
// answer written and flushed as soon as it is measured, until a "bye" or the end of input.
#pragma once

#include <iosfwd>
#include <string>

#include "nnlat/backends/runner_protocol.hpp"
#include "nnlat/core/status.hpp"

namespace nnlat::backends {

// This machine as the hello describes it: environment and the targets it can measure.
RunnerHello local_hello(const std::string& runner_version);

// Serves `in` -> `out`. A bad request (unreadable line, unknown type, malformed field, unknown
// or unsupported target, graph the backend refuses, a failed run) is answered by an error
// message naming the request and the problem, and serving goes on. Returns an error only when
// `out` can no longer be written (the host is gone).
Status serve_device_runner(std::istream& in, std::ostream& out, const std::string& runner_version);

}  // namespace nnlat::backends
