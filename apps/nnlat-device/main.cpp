// `nnlat-device`: the runner a host starts on a phone or a board (over adb or ssh) to measure
// graphs there. It speaks the line-delimited JSON protocol of
// include/nnlat/backends/runner_protocol.hpp on stdin/stdout; diagnostics go to stderr.
#include <cstring>
#include <iostream>

#include "nnlat/backends/device_runner.hpp"

#ifndef NNLAT_VERSION
#define NNLAT_VERSION "unknown"
#endif

int main(int argc, char** argv) {
  if (argc > 1 && (std::strcmp(argv[1], "--help") == 0 || std::strcmp(argv[1], "-h") == 0)) {
    std::cout << "nnlat-device " << NNLAT_VERSION << ": measures graphs for a host nnlat.\n"
              << "Speaks line-delimited JSON (protocol version " << nnlat::backends::kRunnerProtocolVersion
              << ") on stdin/stdout; started by nnlat, not by hand (docs/remote.md).\n"
              << "nnlat starts it locally, over ssh or over adb (nnlat devices add) and puts it on a device with "
                 "nnlat devices deploy.\n";
    return 0;
  }
  if (argc > 1) {
    std::cerr << "nnlat-device: no arguments expected (try --help)\n";
    return 2;
  }
  std::ios::sync_with_stdio(false);
  const auto status = nnlat::backends::serve_device_runner(
      std::cin, std::cout, NNLAT_VERSION, nnlat::backends::runner_build_id(argc > 0 ? argv[0] : nullptr));
  if (!status.ok()) {
    std::cerr << "nnlat-device: " << status.error().message << "\n";
    return 1;
  }
  return 0;
}
