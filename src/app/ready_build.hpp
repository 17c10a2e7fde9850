// Building ready predictors (docs/ready-predictors.md): the shipped data imported once into a
// scratch store private to this process, then per target the recipe's method trained,
// cross-validated on the same data, and written to the cache with its figures.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "app/ready_recipe.hpp"
#include "nnlat/core/status.hpp"

namespace nnlat::app {

// The cache file of `target` in a key's cache folder.
std::string ready_predictor_file(const std::string& cache_folder, const std::string& target);
// The CNN-only model of a core set trained with the transformers (recipe 4), named by the
// main file's ready section (`cnn_model`).
std::string ready_cnn_predictor_file(const std::string& cache_folder, const std::string& target);

// Builds every target of `targets` into `cache_folder` (created when absent). Each file is
// written whole under a temporary name and renamed, the predictor with a top-level ready
// section (predictors::kReadySection: key, method, networks, the CV figures, the command
// that reproduces them). `progress` (may be empty) gets one line per step.
Status build_ready_targets(const ReadyData& data, const std::string& cache_folder,
                           const std::vector<ReadyTarget>& targets,
                           const std::function<void(const std::string&)>& progress);

}  // namespace nnlat::app
