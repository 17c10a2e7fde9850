// The progress board of several targets measured at once (issue 14): the exact frames drawn on
// a terminal, the plain lines written elsewhere, the outcome a finished target's row keeps, and
// whole lines when workers update it from their own threads.
#include "nnlat/app/progress_board.hpp"

#include <gtest/gtest.h>

#include <sstream>
#include <thread>

namespace nnlat::app {
namespace {

campaigns::ProfileEvent measured(size_t done, size_t total, const std::string& item, double ms) {
  campaigns::ProfileEvent e;
  e.done = done;
  e.total = total;
  e.item = item;
  e.median_ms = ms;
  return e;
}

Result<ProfileResult> finished(size_t measured_now, size_t earlier) {
  ProfileResult r;
  r.summary.measured = measured_now;
  r.summary.already_done = earlier;
  return r;
}

// Two devices' updates and outcomes, in the order parallel workers might send them.
void play(ProgressBoard& board) {
  board.update("pi4:xnnpack-t4:float", measured(1, 4, "mobilenet_v2", 12.5));
  board.update("lo:xnnpack-t1:float", measured(3, 4, "resnet18", 2.25));
  board.finish("pi4:xnnpack-t4:float", outcome_text(make_error(ErrorCode::kIoError, "pi4: the runner is gone")));
  board.finish("lo:xnnpack-t1:float", outcome_text(finished(4, 2)));
}

TEST(ProgressBoard, OnATerminalEachFrameRedrawsOneRowPerTargetInPlace) {
  std::ostringstream out;
  ProgressBoard board(out, /*terminal=*/true, {"pi4:xnnpack-t4:float", "lo:xnnpack-t1:float"});
  play(board);
  const std::string up = "\x1b[2A", clear = "\x1b[2K";
  const std::string first =
      clear + "pi4:xnnpack-t4:float [1/4] mobilenet_v2 12.500 ms\n" + clear + "lo:xnnpack-t1:float waiting\n";
  const std::string second = up + clear + "pi4:xnnpack-t4:float [1/4] mobilenet_v2 12.500 ms\n" + clear +
                             "lo:xnnpack-t1:float [3/4] resnet18 2.250 ms\n";
  const std::string third = up + clear + "pi4:xnnpack-t4:float failed: pi4: the runner is gone\n" + clear +
                            "lo:xnnpack-t1:float [3/4] resnet18 2.250 ms\n";
  const std::string fourth = up + clear + "pi4:xnnpack-t4:float failed: pi4: the runner is gone\n" + clear +
                             "lo:xnnpack-t1:float done: 4 measured now, 2 earlier, 0 skipped\n";
  EXPECT_EQ(out.str(), first + second + third + fourth);
}

TEST(ProgressBoard, ElsewhereEachUpdateIsAPlainLinePrefixedWithItsTarget) {
  std::ostringstream out;
  ProgressBoard board(out, /*terminal=*/false, {"pi4:xnnpack-t4:float", "lo:xnnpack-t1:float"});
  play(board);
  EXPECT_EQ(out.str(),
            "pi4:xnnpack-t4:float [1/4] mobilenet_v2 12.500 ms\n"
            "lo:xnnpack-t1:float [3/4] resnet18 2.250 ms\n"
            "pi4:xnnpack-t4:float failed: pi4: the runner is gone\n"
            "lo:xnnpack-t1:float done: 4 measured now, 2 earlier, 0 skipped\n");
  EXPECT_EQ(out.str().find('\x1b'), std::string::npos);
}

TEST(ProgressBoard, SkippedAndUnstableItemsSayWhy) {
  auto skipped = measured(2, 9, "vit", 0);
  skipped.skipped = true;
  skipped.message = "op gelu is not supported";
  EXPECT_EQ(ProgressBoard::event_text(skipped), "[2/9] vit skipped: op gelu is not supported");
  auto throttled = measured(5, 9, "net", 3);
  throttled.message = "clock dropped 20%";
  EXPECT_EQ(ProgressBoard::event_text(throttled), "[5/9] net 3.000 ms unstable: clock dropped 20%");
}

TEST(ProgressBoard, RowsAreCutToTheTerminalWidthAndAnUnnamedTargetGetsARowBelow) {
  std::ostringstream out;
  ProgressBoard board(out, /*terminal=*/true, {"a:x:float"}, /*width=*/12);
  board.update("a:x:float", measured(1, 2, "mobilenet", 1));
  board.update("b:x:float", measured(1, 2, "resnet", 1));
  const std::string clear = "\x1b[2K";
  EXPECT_EQ(out.str(), clear + "a:x:float [1" + "\n" +  // first frame, one row
                           "\x1b[1A" + clear + "a:x:float [1\n" + clear + "b:x:float [1\n");
}

TEST(ProgressBoard, WorkersOnSeveralThreadsWriteWholeLines) {
  std::ostringstream out;
  ProgressBoard board(out, /*terminal=*/false, {"a:x:float", "b:x:float"});
  constexpr size_t kUpdates = 300;
  const auto worker = [&](const std::string& target) {
    for (size_t i = 1; i <= kUpdates; ++i) board.update(target, measured(i, kUpdates, "net", 1));
  };
  std::thread a(worker, "a:x:float"), b(worker, "b:x:float");
  a.join();
  b.join();
  std::istringstream lines(out.str());
  size_t count = 0;
  for (std::string line; std::getline(lines, line); ++count) {
    EXPECT_TRUE(line.rfind("a:x:float [", 0) == 0 || line.rfind("b:x:float [", 0) == 0) << line;
    EXPECT_EQ(line.substr(line.size() - 12), "net 1.000 ms") << line;
  }
  EXPECT_EQ(count, 2 * kUpdates);
}

}  // namespace
}  // namespace nnlat::app
