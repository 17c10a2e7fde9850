// Where the ready predictors' data and cache live (docs/ready-predictors.md): environment
// variables first, then the build-time and XDG defaults.
#pragma once

#include <string>

#include "nnlat/core/status.hpp"

namespace nnlat::app {

// The folder of the shipped phone data: `data_dir` if given, else $NNLAT_DATA_DIR, else the
// source tree's data/ as configured at build time; plus "/mobile-ml-benchmark". kNotFound,
// naming the folder and how to point nnlat elsewhere, when its end-to-end file is missing.
Result<std::string> ready_data_folder(const std::string& data_dir);

// The user's cache folder for nnlat: `cache_dir` if given, else $NNLAT_CACHE_DIR, else
// $XDG_CACHE_HOME/nnlat, else $HOME/.cache/nnlat. kNotFound when none of them is set.
Result<std::string> user_cache_folder(const std::string& cache_dir);

}  // namespace nnlat::app
