// The library calls behind the CLI subcommands and the Python module (DESIGN.md principle
// 14): each takes plain arguments, returns a result with to_json() or an error, and prints
// nothing. This file: opening a store's training set the way every training command does.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "nnlat/core/status.hpp"
#include "nnlat/predictors/training_set.hpp"

namespace nnlat::app {

// Opens an existing store (a missing file is an error, never a fresh empty store) and loads
// the target's training set. `rules` empty: the target's default rule set. A non-empty
// `transfer_source` attaches that target's latencies for `--method transfer`.
// `transfer_source` is what `--from` takes: one target, several separated by commas, or "all"
// (`--from-all`; predictors::attach_transfer_sources).
// `correct_drift`: see predictors::load_training_set.
Result<predictors::TrainingSet> load_training_set_from(const std::string& db, const std::string& target,
                                                       const std::string& rules,
                                                       const std::string& transfer_source = "",
                                                       bool correct_drift = false);

// How the transfer sources' latencies were found for the target's networks, as `eval` and
// `train` report it: a line of text per source, and the JSON under "transfer" (one source: its
// object, as before several sources were allowed; several: an array of them).
std::string transfer_match_text(const std::vector<std::string>& sources,
                                const std::vector<predictors::TransferMatch>& matches);
nlohmann::json transfer_match_json(const std::vector<std::string>& sources,
                                   const std::vector<predictors::TransferMatch>& matches);

}  // namespace nnlat::app
