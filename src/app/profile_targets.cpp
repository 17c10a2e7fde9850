#include "nnlat/app/profile_targets.hpp"

#include <algorithm>
#include <map>
#include <thread>

namespace nnlat::app {

std::string device_of_target(const std::string& target) { return target.substr(0, target.find(':')); }

std::vector<std::vector<size_t>> targets_by_device(const std::vector<std::string>& targets) {
  std::vector<std::vector<size_t>> groups;
  std::map<std::string, size_t> group_of;
  for (size_t i = 0; i < targets.size(); ++i) {
    const auto [it, fresh] = group_of.try_emplace(device_of_target(targets[i]), groups.size());
    if (fresh) groups.emplace_back();
    groups[it->second].push_back(i);
  }
  return groups;
}

std::vector<TargetOutcome> profile_targets(const ProfileJob& job, const std::vector<std::string>& targets,
                                           const ProfileCall& call, const TargetProgressFn& progress,
                                           const TargetDoneFn& done) {
  std::vector<TargetOutcome> outcomes;
  for (const auto& t : targets) outcomes.push_back({t, std::nullopt});
  // The outcomes' indices per device, fixed before any worker starts: each worker then writes
  // only its own slots, so the vector needs no lock.
  const auto groups = targets_by_device(targets);
  const auto run_device = [&](const std::vector<size_t>& slots) {
    bool failed = false;
    for (const size_t i : slots) {
      const std::string& target = targets[i];
      if (failed) {
        outcomes[i].result = make_error(ErrorCode::kNotFound, target + ": not started, an earlier target of device " +
                                                                  device_of_target(target) + " failed");
        if (done) done(target, *outcomes[i].result);
        continue;
      }
      ProfileJob target_job = job;
      target_job.target = target;
      outcomes[i].result = call(target_job, [&](const campaigns::ProfileEvent& e) {
        if (progress) progress(target, e);
      });
      failed = !outcomes[i].result->ok();
      if (done) done(target, *outcomes[i].result);
    }
  };
  if (groups.size() == 1) {
    run_device(groups.front());
    return outcomes;
  }
  std::vector<std::thread> workers;
  workers.reserve(groups.size());
  for (const auto& group : groups) workers.emplace_back(run_device, std::cref(group));
  for (auto& w : workers) w.join();
  return outcomes;
}

}  // namespace nnlat::app
