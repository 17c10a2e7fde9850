#include "progress.hpp"

#include <fmt/core.h>
#include <unistd.h>

#include <algorithm>

namespace nnlat::cli {

ProgressPrinter::ProgressPrinter(bool quiet)
    : quiet_(quiet), tty_(::isatty(STDERR_FILENO) == 1), start_(std::chrono::steady_clock::now()) {}

void ProgressPrinter::operator()(const campaigns::ProfileEvent& e) {
  if (quiet_) return;
  if (first_done_ == SIZE_MAX) first_done_ = e.done - (e.skipped ? 0 : 1);
  const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  const size_t done_now = e.done > first_done_ ? e.done - first_done_ : 0;
  const size_t left = e.total > e.done ? e.total - e.done : 0;
  const double eta = done_now > 0 ? elapsed / static_cast<double>(done_now) * static_cast<double>(left) : 0;
  const std::string status = e.skipped ? "skipped: " + e.message : fmt::format("{:.3f} ms", e.median_ms);
  if (!tty_) {
    fmt::print(stderr, "[{}/{}] {} {}\n", e.done, e.total, e.item, status);
    return;
  }
  constexpr int kWidth = 30;
  const int filled = e.total ? static_cast<int>(kWidth * e.done / e.total) : kWidth;
  std::string label = e.item.substr(0, 40);
  fmt::print(stderr, "\r[{}{}] {}/{} ETA {:02d}:{:02d} {:<40} {:<14}", std::string(filled, '#'),
             std::string(kWidth - filled, ' '), e.done, e.total, static_cast<int>(eta) / 60, static_cast<int>(eta) % 60,
             label, e.skipped ? "skipped" : status.substr(0, 14));
  bar_open_ = true;
  if (e.skipped) {
    fmt::print(stderr, "\n  skipped {}: {}\n", e.item, e.message);
    bar_open_ = false;
  }
}

void ProgressPrinter::finish() {
  if (bar_open_) fmt::print(stderr, "\n");
  bar_open_ = false;
}

}  // namespace nnlat::cli
