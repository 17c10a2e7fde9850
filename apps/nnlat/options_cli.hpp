// Command-line flags of options declared with nnlat/core/options.hpp: one flag per field,
// under the field's declared spelling, its help and its default shown by `--help`.
#pragma once

#include <CLI/CLI.hpp>
#include <span>
#include <string>
#include <vector>

#include "nnlat/core/options.hpp"
#include "nnlat/measure/measurement.hpp"
#include "nnlat/measure/schedule.hpp"
#include "nnlat/predictors/regressor.hpp"
#include "nnlat/predictors/training_set.hpp"

namespace nnlat::cli {

// Adds a flag for every field. A flag the command already declares stays the command's (e.g.
// `train --seed`), so an options struct can be added to a command that predates it. Bounds
// are not checked here: the library validates the struct and names the JSON key.
template <class S>
void add_option_flags(CLI::App& cmd, S& values, std::span<const options::Field<S>> fields) {
  for (const auto& f : fields) {
    const std::string flag = f.flag_name();
    if (cmd.get_option_no_throw(flag) != nullptr) continue;
    std::visit([&](auto member) { cmd.add_option(flag, values.*member, std::string(f.help))->capture_default_str(); },
               f.member);
  }
}

// --warmup, --min-repeats, --min-time, --max-repeats, --cv-threshold, --max-remeasure, --cooldown.
inline void add_protocol_flags(CLI::App& cmd, measure::ProtocolOptions& protocol) {
  add_option_flags(cmd, protocol, measure::protocol_option_fields());
}

// --rounds, --order-seed, --round-cooldown, --steady-warmup, --steady-tolerance.
inline void add_schedule_flags(CLI::App& cmd, measure::ScheduleOptions& schedule) {
  add_option_flags(cmd, schedule, measure::schedule_option_fields());
}

// --drift-correct of train, eval and learning-curve.
inline void add_drift_flag(CLI::App& cmd, bool& correct_drift) {
  cmd.add_flag("--drift-correct", correct_drift,
               "Divide each measurement by its campaign's drift (its reference networks' figure over their usual "
               "one) and its round's (the campaign's items in that round over their median) before training "
               "(`nnlat db drift` shows both)");
}

// --from and --from-all of train, eval and learning-curve: the transfer sources, as
// predictors::attach_transfer_sources takes them ("all" for --from-all); and
// --encoding-features, an option of the multi-source model.
inline void add_transfer_source_flags(CLI::App& cmd, std::string& transfer_from, bool& encoding_features) {
  auto* from =
      cmd.add_option("--from", transfer_from,
                     "Transfer source target(s) (--method transfer, transfer-single, transfer-select, transfer-gbdt), "
                     "separated by commas: "
                     "their latencies of each network are mapped to the target on its training networks");
  cmd.add_flag_callback(
         "--from-all", [&transfer_from] { transfer_from = predictors::kAllSources; },
         "Every other target of the store that shares measured networks with the target is a transfer source")
      ->excludes(from);
  cmd.add_flag("--encoding-features", encoding_features,
               "Multi-source transfer on a NAS dataset (every network of one space: nb201): the encoding's own "
               "features (per-edge op one-hot) join the architecture terms. Off by default: on the local NB201 "
               "targets it changed mean Spearman by -0.0007..+0.0000 (docs/transfer.md)");
}

// --gbdt-rounds, --rf-trees, --mlp-hidden, ... of train, eval and learning-curve. Not `seed`
// and `threads`: app::TrainingFlags owns those (one --seed drives the folds and the regressors
// alike), so a regressor flag of the same name would be overwritten by make_train_options.
inline void add_regressor_flags(CLI::App& cmd, predictors::RegressorOptions& regressor) {
  const auto all = predictors::regressor_option_fields();
  std::vector<options::Field<predictors::RegressorOptions>> hyperparameters;
  for (const auto& f : all) {
    if (f.key != "seed" && f.key != "threads") hyperparameters.push_back(f);
  }
  add_option_flags(cmd, regressor, std::span<const options::Field<predictors::RegressorOptions>>(hyperparameters));
}

}  // namespace nnlat::cli
