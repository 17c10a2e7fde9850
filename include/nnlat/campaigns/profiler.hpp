// Profiling campaigns: measure networks or their distinct kernels on a local target with the
// measurement protocol, storing every measurement as it is taken. A campaign is keyed by its
// arguments, so running the same command again after a kill resumes it: items already
// measured are skipped, nothing is measured twice.
//
// A campaign measures its items in interleaved rounds (measure/schedule.hpp): each round
// visits every item in its own shuffled order, and each round of an item is one stored
// measurement (item key "network:7@r2"), so the store's figure for the campaign is the median
// over its rounds and a killed run resumes mid-round. Reference networks are measured at the
// start and the end of every round (item keys "ref:network:3@r2:start"): their figures over
// time are the device's drift, which `profile` reports and predictors can calibrate against.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "nnlat/backends/remote_device.hpp"
#include "nnlat/ir/graph.hpp"
#include "nnlat/measure/measurement.hpp"
#include "nnlat/measure/schedule.hpp"
#include "nnlat/store/store.hpp"

namespace nnlat::backends {
class Backend;
}

namespace nnlat::campaigns {

// The reference networks a campaign re-measures at the start and end of every round unless
// told otherwise: small, quick, and the same in every store, so stores can be compared.
std::vector<std::string> default_reference_networks();

// Test seams: a backend and a clock other than the target's and the steady clock.
struct ProfileHooks {
  std::function<std::unique_ptr<backends::Backend>()> backend;
  std::optional<measure::Clock> clock;
};

struct ProfileRequest {
  // local:xnnpack-t1:float, or DEVICE:CONFIG:PRECISION for a device registered in
  // `devices_file` (backends/remote_device.hpp), measured by its runner
  std::string target;
  std::vector<std::string> models;  // model references (directories already expanded)
  measure::ProtocolOptions protocol;
  measure::ScheduleOptions schedule;
  std::vector<std::string> references = default_reference_networks();  // empty: none
  std::string rules = "xnnpack";  // kernel campaigns: the fusion rule set that defines kernels
  bool cold_cache = false;        // kernel campaigns: flush the caches before each timed run
  uint64_t weight_seed = 0;
  // Non-empty: a separate campaign over the same items (a deliberate re-measurement, e.g.
  // for the run-to-run noise floor that `nnlat eval` reports).
  std::string repeat_tag;
  // Where remote devices are registered; how a device is reached is not part of a campaign's
  // key, only what is measured.
  std::string devices_file = backends::kDefaultDevicesFile;
  ProfileHooks hooks;
};

struct ProfileEvent {
  size_t done = 0;   // items finished in this campaign so far (including earlier runs)
  size_t total = 0;  // items planned
  std::string item;  // what was just handled
  int round = 0;     // 1-based
  bool reference = false;
  double median_ms = 0;
  bool skipped = false;
  std::string message;  // why it was skipped, or why it was flagged unstable (device state)
  // Backends that time kernels on the device (OpenCL): the sum of the kernels' median
  // device times; median_ms - device_ms is the gap (dispatch, synchronisation). < 0: none.
  double device_ms = -1;
};

// How the device drifted during a run, from the measurements taken in it.
struct DriftReport {
  // Per round (1-based index - 1): median over items of (figure in this round / median over
  // rounds); 1.05: the round ran 5% slow. Empty with fewer than two rounds measured now.
  std::vector<double> round_factors;
  // Reference networks: geometric mean over them of (last end-of-round figure / first
  // start-of-round figure) measured now; 0 when no reference was measured twice.
  double reference_ratio = 0;
  int reference_pairs = 0;
};

struct ProfileSummary {
  int64_t campaign_id = 0;
  bool resumed = false;
  size_t items = 0;  // distinct networks or kernels
  int rounds = 1;
  size_t planned = 0;             // measurements planned: items x rounds + reference measurements
  size_t already_done = 0;        // measured by an earlier run of the same campaign
  size_t measured = 0;            // measured now
  size_t skipped = 0;             // items unsupported on this target (reasons in `skipped_reasons`)
  int steady_warmup_windows = 0;  // accelerator warm-up windows run before the first round
  bool steady = true;             // the warm-up ended with two agreeing windows (or none ran)
  DriftReport drift;
  std::vector<std::string> skipped_reasons;
  // Measurements flagged unstable because the device throttled or warmed during them
  // (ProtocolOptions::max_freq_drop, max_temp_rise_c): "item: why", in the order measured.
  std::vector<std::string> state_unstable;
  // On a registered device: the bundle deployed again before measuring, because the device's
  // runner was missing or of another protocol version; empty: none.
  std::string redeployed;
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
