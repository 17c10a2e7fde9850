// `nnlat profile ... --target A --target B ...`: several targets in one command (issue 14), one
// worker per device, all devices measured at once. A device's targets run one after another
// in its worker (they share its CPU or GPU); this machine's `local:` targets are one device.
// Each worker opens the store itself (SQLite in WAL mode with a busy timeout lets them write
// side by side), so one device failing — unreachable, unplugged, killed — stops only its own
// targets; what the others measured is stored, and the same command resumes every campaign.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "nnlat/app/profile.hpp"

namespace nnlat::app {

// The device part of a target: "pi4" for pi4:xnnpack-t4:float, "local" for local:...
std::string device_of_target(const std::string& target);

// Indices into `targets` grouped by device, each group in the order given, groups in order of
// first mention.
std::vector<std::vector<size_t>> targets_by_device(const std::vector<std::string>& targets);

// One profile call (profile_networks or profile_kernels with the job's target set).
using ProfileCall = std::function<Result<ProfileResult>(const ProfileJob& job, const campaigns::ProgressFn& progress)>;
// Progress of one target's campaign; called from the device's worker thread.
using TargetProgressFn = std::function<void(const std::string& target, const campaigns::ProfileEvent& event)>;
// A target's campaign ended (or was never started); called from the device's worker thread.
using TargetDoneFn = std::function<void(const std::string& target, const Result<ProfileResult>& result)>;

struct TargetOutcome {
  std::string target;
  std::optional<Result<ProfileResult>> result;  // empty only for a target never started
};

// Runs `call` for every target, one thread per device; outcomes in the order of `targets`.
// Errors are per target (a failed target does not stop the other devices; on its own device
// the targets after it are not started and say so). `done`, when set, hears of each target as
// soon as it ends, so a device's progress line can show its outcome while others still run.
std::vector<TargetOutcome> profile_targets(const ProfileJob& job, const std::vector<std::string>& targets,
                                           const ProfileCall& call, const TargetProgressFn& progress,
                                           const TargetDoneFn& done = nullptr);

}  // namespace nnlat::app
