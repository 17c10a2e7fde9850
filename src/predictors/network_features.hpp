// Whole-network aggregated features for the e2e-* regressions (a baseline and the method for
// targets with only end-to-end measurements): per kernel family the kernel count and the
// family's MACs, plus total MACs, parameters, depth (kernels) and bytes.
#pragma once

#include <string>
#include <vector>

#include "nnlat/predictors/training_set.hpp"

namespace nnlat::predictors {

const std::vector<std::string>& network_feature_names();
std::vector<float> network_features(const NetworkKernels& network);

}  // namespace nnlat::predictors
