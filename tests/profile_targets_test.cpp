// Several targets in one profile command (issue 14): grouping by device, one worker per device
// running at the same time, and a failure that stops only its own device's later targets. The
// profile call is a stand-in: no backend, no store.
#include "nnlat/app/profile_targets.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <map>
#include <mutex>

namespace nnlat::app {
namespace {

TEST(ProfileTargets, GroupsByDeviceInOrderOfFirstMention) {
  EXPECT_EQ(device_of_target("pi4:xnnpack-t4:float"), "pi4");
  EXPECT_EQ(device_of_target("local:opencl-pocl:float"), "local");
  const auto groups = targets_by_device(
      {"pi4:xnnpack-t1:float", "local:xnnpack-t1:float", "pi4:xnnpack-t4:float", "pixel:xnnpack-1large:float"});
  EXPECT_EQ(groups, (std::vector<std::vector<size_t>>{{0, 2}, {1}, {3}}));
}

TEST(ProfileTargets, DevicesRunAtTheSameTime) {
  // Each device's first call waits until every device has started one: with workers running
  // one after another it would time out (a generous bound, never reached when they overlap).
  std::mutex m;
  std::condition_variable cv;
  int started = 0;
  const ProfileCall call = [&](const ProfileJob& job, const campaigns::ProgressFn&) -> Result<ProfileResult> {
    std::unique_lock lock(m);
    ++started;
    cv.notify_all();
    if (!cv.wait_for(lock, std::chrono::seconds(30), [&] { return started >= 3; })) {
      return make_error(ErrorCode::kInternal, job.target + " ran alone");
    }
    return ProfileResult{.what = "network", .target = job.target, .db = job.db};
  };
  const auto outcomes =
      profile_targets({}, {"a:xnnpack-t1:float", "b:xnnpack-t1:float", "c:xnnpack-t1:float"}, call, nullptr);
  ASSERT_EQ(outcomes.size(), 3u);
  for (const auto& o : outcomes) {
    ASSERT_TRUE(o.result.has_value());
    ASSERT_TRUE(o.result->ok()) << o.result->error().message;
    EXPECT_EQ((*o.result)->target, o.target);
  }
}

TEST(ProfileTargets, AFailedTargetStopsOnlyItsOwnDevice) {
  std::mutex m;
  std::vector<std::string> called;
  const ProfileCall call = [&](const ProfileJob& job, const campaigns::ProgressFn& progress) -> Result<ProfileResult> {
    {
      const std::lock_guard lock(m);
      called.push_back(job.target);
    }
    if (job.target == "a:xnnpack-t1:float") return make_error(ErrorCode::kIoError, "a: the runner is gone");
    campaigns::ProfileEvent event;
    event.item = "net";
    progress(event);
    return ProfileResult{.what = "network", .target = job.target, .db = job.db};
  };
  std::vector<std::string> progressed;
  std::map<std::string, bool> ended_ok;  // the done callback, for a progress line's outcome
  const auto outcomes = profile_targets(
      {}, {"a:xnnpack-t1:float", "b:xnnpack-t1:float", "a:xnnpack-t2:float"}, call,
      [&](const std::string& target, const campaigns::ProfileEvent&) {
        const std::lock_guard lock(m);
        progressed.push_back(target);
      },
      [&](const std::string& target, const Result<ProfileResult>& result) {
        const std::lock_guard lock(m);
        ended_ok[target] = result.ok();
      });
  EXPECT_EQ(ended_ok, (std::map<std::string, bool>{
                          {"a:xnnpack-t1:float", false}, {"b:xnnpack-t1:float", true}, {"a:xnnpack-t2:float", false}}));
  ASSERT_EQ(outcomes.size(), 3u);
  EXPECT_FALSE(outcomes[0].result->ok());
  EXPECT_TRUE(outcomes[1].result->ok());
  ASSERT_FALSE(outcomes[2].result->ok());
  EXPECT_NE(outcomes[2].result->error().message.find("not started"), std::string::npos);
  EXPECT_EQ(std::count(called.begin(), called.end(), "a:xnnpack-t2:float"), 0);
  EXPECT_EQ(progressed, std::vector<std::string>{"b:xnnpack-t1:float"});
}

}  // namespace
}  // namespace nnlat::app
