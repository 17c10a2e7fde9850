// The predictor file's "overhead" section: the op-wise methods' overhead model, with its
// per-implementation costs named by family and implementation (the classifiers' names).
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "nnlat/core/status.hpp"
#include "predictors/composition.hpp"
#include "predictors/kernel_models.hpp"

namespace nnlat::predictors {

nlohmann::json overhead_to_json(const OverheadModel& model, const KernelModels& kernels);
Result<OverheadModel> overhead_from_json(const nlohmann::json& o, const KernelModels& kernels,
                                         const std::string& source);

}  // namespace nnlat::predictors
