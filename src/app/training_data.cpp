#include "nnlat/app/training_data.hpp"

#include <fmt/core.h>

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
  if (!transfer_source.empty())
    NNLAT_RETURN_IF_ERROR(predictors::attach_transfer_sources(data, store, transfer_source));
  return data;
}

std::string transfer_match_text(const std::vector<std::string>& sources,
                                const std::vector<predictors::TransferMatch>& matches) {
  std::string s;
  for (size_t i = 0; i < sources.size() && i < matches.size(); ++i) {
    const auto& match = matches[i];
    s += fmt::format("transfer source {}: {} networks matched by id, {} by name, {} predicted by the source model",
                     sources[i], match.by_id, match.by_name, match.predicted);
    if (match.ambiguous > 0)
      s += fmt::format(" ({} of them: a name the source measured under several networks)", match.ambiguous);
    s += "\n";
  }
  return s;
}

nlohmann::json transfer_match_json(const std::vector<std::string>& sources,
                                   const std::vector<predictors::TransferMatch>& matches) {
  nlohmann::json all = nlohmann::json::array();
  for (size_t i = 0; i < sources.size() && i < matches.size(); ++i) {
    const auto& match = matches[i];
    all.push_back({{"source", sources[i]},
                   {"matched_by_id", match.by_id},
                   {"matched_by_name", match.by_name},
                   {"predicted_by_source_model", match.predicted},
                   {"ambiguous_names", match.ambiguous}});
  }
  return all.size() == 1 ? all.front() : all;
}

}  // namespace nnlat::app
