// Progress reporting for long campaigns: a bar with ETA on a terminal, plain lines otherwise.
#pragma once

#include <chrono>
#include <string>

#include "nnlat/campaigns/profiler.hpp"

namespace nnlat::cli {

class ProgressPrinter {
 public:
  // Writes to stderr; `quiet` prints nothing.
  explicit ProgressPrinter(bool quiet);
  void operator()(const campaigns::ProfileEvent& event);
  void finish();

 private:
  bool quiet_;
  bool tty_;
  bool bar_open_ = false;
  size_t first_done_ = SIZE_MAX;  // progress already made when this run started
  std::chrono::steady_clock::time_point start_;
};

}  // namespace nnlat::cli
