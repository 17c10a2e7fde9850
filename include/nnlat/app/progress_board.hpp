// Progress of several targets measured at once (`nnlat profile ... --target A --target B`,
// issue 14): one line per target. On a terminal the board keeps one row per target and
// redraws the rows in place (ANSI cursor-up and clear-line), so N devices measured in parallel
// take N lines instead of interleaving; elsewhere (a log, a pipe, a test) each update is one
// plain line prefixed with its target, which stays readable when written one after another.
// Workers call it from their own threads: every method takes the board's lock, and each frame
// or line is written whole.
#pragma once

#include <cstddef>
#include <mutex>
#include <ostream>
#include <string>
#include <vector>

#include "nnlat/app/profile.hpp"
#include "nnlat/campaigns/profiler.hpp"

namespace nnlat::app {

// A finished target's last words on its row: "done: 12 measured now, 6 earlier, 0 skipped",
// or "failed: " and the error.
std::string outcome_text(const Result<ProfileResult>& result);

class ProgressBoard {
 public:
  // `targets`: the rows, in this order (one per target, shown as "waiting" until its first
  // update). `terminal`: redraw in place; otherwise plain lines. `width` > 0 cuts each row to
  // that many characters on a terminal, so that no row wraps and moves the rows below it.
  ProgressBoard(std::ostream& out, bool terminal, std::vector<std::string> targets, size_t width = 0);

  // A campaign event of `target`'s campaign.
  void update(const std::string& target, const campaigns::ProfileEvent& event);
  // `target` finished: its row keeps `outcome` (e.g. "done: 18 measured, 0 skipped" or
  // "failed: ...") for the rest of the run.
  void finish(const std::string& target, const std::string& outcome);

  // The text of one event after the target, as both modes print it: "[3/18] net 1.234 ms".
  static std::string event_text(const campaigns::ProfileEvent& event);

 private:
  void show(const std::string& target, const std::string& text);  // with the lock held
  std::string frame() const;

  std::mutex lock_;
  std::ostream& out_;
  bool terminal_;
  size_t width_;
  std::vector<std::string> targets_;
  std::vector<std::string> rows_;  // the text after each target
  size_t drawn_rows_ = 0;          // rows of the frame on the terminal, which the next one overwrites
};

}  // namespace nnlat::app
