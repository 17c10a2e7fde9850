// Profiling campaigns: measure networks or their distinct kernels on a local target with the
// measurement protocol, storing every measurement as it is taken. A campaign is keyed by its
// arguments, so running the same command again after a kill resumes it: items already
// measured are skipped, nothing is measured twice.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "nnlat/ir/graph.hpp"
#include "nnlat/measure/measurement.hpp"
#include "nnlat/store/store.hpp"

namespace nnlat::campaigns {

struct ProfileRequest {
  std::string target;               // local target name, e.g. local:xnnpack-t1:float
  std::vector<std::string> models;  // model references (directories already expanded)
  measure::ProtocolOptions protocol;
  std::string rules = "xnnpack";  // kernel campaigns: the fusion rule set that defines kernels
  bool cold_cache = false;        // kernel campaigns: flush the caches before each timed run
  uint64_t weight_seed = 0;
  // Non-empty: a separate campaign over the same items (a deliberate re-measurement, e.g.
  // for the run-to-run noise floor that `nnlat eval` reports).
  std::string repeat_tag;
};

struct ProfileEvent {
  size_t done = 0;   // items finished in this campaign so far (including earlier runs)
  size_t total = 0;  // items planned
  std::string item;  // what was just handled
  double median_ms = 0;
  bool skipped = false;
  std::string message;  // why it was skipped
  // Backends that time kernels on the device (OpenCL): the sum of the kernels' median
  // device times; median_ms - device_ms is the gap (dispatch, synchronisation). < 0: none.
  double device_ms = -1;
};

struct ProfileSummary {
  int64_t campaign_id = 0;
  bool resumed = false;
  size_t planned = 0;
  size_t already_done = 0;  // measured by an earlier run of the same campaign
  size_t measured = 0;      // measured now
  size_t skipped = 0;       // unsupported on this target (reasons in `skipped_reasons`)
  std::vector<std::string> skipped_reasons;
  double elapsed_s = 0;
};

using ProgressFn = std::function<void(const ProfileEvent&)>;

// Extra untimed runs per item, after its measurement, that give the per-kernel device times
// stored with it (Environment::kernels) on backends that report kernels.
inline constexpr int kKernelTimingRuns = 5;

// One end-to-end measurement per distinct network.
Result<ProfileSummary> profile_networks(store::Store& store, const ProfileRequest& request, const ProgressFn& progress);
// One measurement per distinct kernel (fusion rules `request.rules`) of the given networks.
Result<ProfileSummary> profile_kernels(store::Store& store, const ProfileRequest& request, const ProgressFn& progress);
// One measurement per given standalone kernel graph (e.g. sampled kernel configurations);
// `label` names the campaign's source in its key.
Result<ProfileSummary> profile_kernel_graphs(store::Store& store, const ProfileRequest& request,
                                             const std::vector<ir::Graph>& kernels, const std::string& label,
                                             const ProgressFn& progress);

// Features stored with a kernel: its ops, shapes, anchor attributes and costs (JSON text).
std::string kernel_features_json(const ir::Graph& kernel_graph);

}  // namespace nnlat::campaigns
