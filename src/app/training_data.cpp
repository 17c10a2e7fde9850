#include "nnlat/app/training_data.hpp"

#include <filesystem>

#include "nnlat/store/store.hpp"

namespace nnlat::app {

Result<predictors::TrainingSet> load_training_set_from(const std::string& db, const std::string& target,
                                                       const std::string& rules, const std::string& transfer_source,
                                                       bool correct_drift) {
  std::error_code ec;
  if (!std::filesystem::exists(db, ec)) return make_error(ErrorCode::kNotFound, db + ": no such store");
  NNLAT_ASSIGN_OR_RETURN(auto store, store::Store::open(db));
  NNLAT_ASSIGN_OR_RETURN(
      auto data, predictors::load_training_set(
                     store, target, rules.empty() ? predictors::default_rules_for(target) : rules, correct_drift));
  if (!transfer_source.empty()) NNLAT_RETURN_IF_ERROR(predictors::attach_transfer_source(data, store, transfer_source));
  return data;
}

}  // namespace nnlat::app
