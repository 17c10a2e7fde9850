// `nnlat db drift`: how a target's device drifted across the campaigns of a store (issue 13),
// from the reference networks every campaign re-measures, and the run-to-run noise floor of
// the networks measured in two campaigns or more, as stored and after drift correction.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "nnlat/core/status.hpp"
#include "nnlat/eval/metrics.hpp"
#include "nnlat/store/store.hpp"

namespace nnlat::app {

struct DriftResult {
  std::string db;
  std::string target;
  std::vector<store::CampaignDrift> campaigns;     // with reference networks or rounds
  std::vector<store::ReferenceFigure> references;  // their figures over the whole store
  // Networks measured in two campaigns or more: the second campaign's figure taken as a
  // "prediction" of the first's (the floor `eval` reports), as stored and drift-corrected.
  eval::Metrics noise_floor;
  eval::Metrics noise_floor_corrected;

  nlohmann::ordered_json to_json() const;
  std::string to_text() const;
};

Result<DriftResult> drift_report(const std::string& db, const std::string& target);

}  // namespace nnlat::app
