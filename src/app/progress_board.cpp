#include "nnlat/app/progress_board.hpp"

#include <fmt/core.h>

#include <algorithm>

namespace nnlat::app {
namespace {

// ESC [ n A moves the cursor n lines up; ESC [ 2 K clears the line it is on.
std::string cursor_up(size_t lines) { return fmt::format("\x1b[{}A", lines); }
constexpr const char* kClearLine = "\x1b[2K";

// The first `width` bytes of `text`, not splitting a UTF-8 character; all of it for width 0.
std::string cut(const std::string& text, size_t width) {
  if (width == 0 || text.size() <= width) return text;
  size_t end = width;
  while (end > 0 && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80) --end;
  return text.substr(0, end);
}

}  // namespace

std::string outcome_text(const Result<ProfileResult>& result) {
  if (!result.ok()) return "failed: " + result.error().message;
  const auto& s = result->summary;
  return fmt::format("done: {} measured now, {} earlier, {} skipped", s.measured, s.already_done, s.skipped);
}

ProgressBoard::ProgressBoard(std::ostream& out, bool terminal, std::vector<std::string> targets, size_t width)
    : out_(out), terminal_(terminal), width_(width), targets_(std::move(targets)), rows_(targets_.size(), "waiting") {}

std::string ProgressBoard::event_text(const campaigns::ProfileEvent& e) {
  return fmt::format("[{}/{}] {} {}", e.done, e.total, e.item,
                     e.skipped
                         ? "skipped: " + e.message
                         : fmt::format("{:.3f} ms{}", e.median_ms, e.message.empty() ? "" : " unstable: " + e.message));
}

void ProgressBoard::update(const std::string& target, const campaigns::ProfileEvent& event) {
  const std::lock_guard guard(lock_);
  show(target, event_text(event));
}

void ProgressBoard::finish(const std::string& target, const std::string& outcome) {
  const std::lock_guard guard(lock_);
  show(target, outcome);
}

void ProgressBoard::show(const std::string& target, const std::string& text) {
  if (!terminal_) {
    out_ << target << ' ' << text << '\n';
    out_.flush();
    return;
  }
  auto row = std::find(targets_.begin(), targets_.end(), target);
  if (row == targets_.end()) {
    // A target not named up front gets a row of its own below the others.
    targets_.push_back(target);
    rows_.emplace_back();
    row = targets_.end() - 1;
  }
  rows_[static_cast<size_t>(row - targets_.begin())] = text;
  out_ << frame();
  out_.flush();
  drawn_rows_ = targets_.size();
}

std::string ProgressBoard::frame() const {
  // Over the previous frame: up by its rows (a row added since is drawn below them).
  std::string f;
  if (drawn_rows_ > 0) f += cursor_up(drawn_rows_);
  for (size_t i = 0; i < targets_.size(); ++i) f += kClearLine + cut(targets_[i] + " " + rows_[i], width_) + "\n";
  return f;
}

}  // namespace nnlat::app
