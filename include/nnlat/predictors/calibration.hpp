// Calibration against device drift (issue 13): a device's speed drifts between the day a
// predictor's data was measured and the day it is used (clocks, thermal state, background
// load), and cross-validation inside one store cannot see it. Every campaign re-measures a
// few reference networks (campaigns/profiler.hpp); a predictor keeps their figures from its
// training store, and a store measured later gives their figures now. Their ratio is the
// machine's state, not the networks', so predictions can be scaled by it on request.
#pragma once

#include <nlohmann/json_fwd.hpp>
#include <string>
#include <vector>

#include "nnlat/core/status.hpp"
#include "nnlat/store/store.hpp"

namespace nnlat::predictors {

using store::ReferenceFigure;

struct Calibration {
  double factor = 1;  // multiply predictions by this (> 1: the device is slower now)
  int networks = 0;   // reference networks present in both
  // Per matched network: now / then, to show how much the references agree.
  std::vector<double> ratios;
};

// The geometric mean of now/then over the networks present in both (by hash). An error naming
// what is missing when they share no network.
Result<Calibration> calibrate(const std::vector<ReferenceFigure>& trained, const std::vector<ReferenceFigure>& now);

nlohmann::json references_to_json(const std::vector<ReferenceFigure>& references);
Result<std::vector<ReferenceFigure>> references_from_json(const nlohmann::json& json);

}  // namespace nnlat::predictors
