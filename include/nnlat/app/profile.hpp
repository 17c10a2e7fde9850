// `nnlat profile networks|kernels`: measure on a local target into a store, resumably. The
// campaign keys built here are part of the resume key: changing their text starts a new
// campaign instead of resuming the old one.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "nnlat/campaigns/profiler.hpp"
#include "nnlat/core/status.hpp"

namespace nnlat::app {

// What every profile command shares: where to measure, where to store, how to measure.
struct ProfileJob {
  std::string target = "local:xnnpack-t1:float";
  std::string db = "nnlat.db";  // created if missing
  // protocol, weight seed, repeat tag, cold cache; its target and models are filled here.
  campaigns::ProfileRequest campaign;
};

// Which kernels `profile kernels` measures: exactly one of the three selections.
struct KernelSelection {
  std::vector<std::string> from;    // every distinct kernel of these networks
  std::string sample_family;        // --n sampled kernels of this family
  std::vector<std::string> around;  // --n sampled kernels near the kernels of these networks
  int64_t n = 50;
  uint64_t seed = 0;
  std::string rules;  // the fusion rules that define kernels; empty: the target's default
};

struct ProfileResult {
  std::string what;  // "network" or "kernel": the items' noun
  std::string target;
  std::string db;
  campaigns::ProfileSummary summary = {};
  std::vector<campaigns::ProfileEvent> events = {};  // in the order they happened

  nlohmann::ordered_json to_json() const;  // the summary and one entry per item
  std::string to_text() const;             // a table of measured items and a summary line
};

// Every event is passed to `progress` (may be empty) as it happens and kept in the result.
Result<ProfileResult> profile_networks(const ProfileJob& job, const std::vector<std::string>& models,
                                       const campaigns::ProgressFn& progress);
Result<ProfileResult> profile_kernels(const ProfileJob& job, const KernelSelection& selection,
                                      const campaigns::ProgressFn& progress);

}  // namespace nnlat::app
