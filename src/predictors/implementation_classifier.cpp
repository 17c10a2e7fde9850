#include "predictors/implementation_classifier.hpp"

namespace nnlat::predictors {

Result<ImplementationClassifier> ImplementationClassifier::fit(const FeatureMatrix& x, std::span<const size_t> labels,
                                                               std::vector<std::string> names,
                                                               const RegressorOptions& options) {
  if (names.empty() || labels.size() != x.rows) {
    return make_error(ErrorCode::kInvalidArgument, "implementation classifier: no labels or a row count mismatch");
  }
  ImplementationClassifier c;
  c.names_ = std::move(names);
  if (c.names_.size() == 1) return c;
  // Shallow trees: the choice is a threshold policy on a few shape features.
  RegressorOptions o = options;
  o.gbdt_rounds = 60;
  o.gbdt_max_depth = 4;
  o.gbdt_learning_rate = 0.2;
  std::vector<double> y(x.rows);
  for (size_t k = 0; k < c.names_.size(); ++k) {
    for (size_t r = 0; r < x.rows; ++r) y[r] = labels[r] == k ? 1.0 : 0.0;
    NNLAT_ASSIGN_OR_RETURN(auto scorer, make_regressor(RegressorKind::kGbdt, o));
    NNLAT_RETURN_IF_ERROR(scorer->fit(x, y));
    c.scorers_.push_back(std::move(scorer));
  }
  return c;
}

size_t ImplementationClassifier::predict(std::span<const float> row) const {
  size_t best = 0;
  double best_score = -1e300;
  for (size_t k = 0; k < scorers_.size(); ++k) {
    const double s = scorers_[k]->predict(row);
    if (s > best_score) {
      best_score = s;
      best = k;
    }
  }
  return best;
}

nlohmann::json ImplementationClassifier::to_json() const {
  nlohmann::json scorers = nlohmann::json::array();
  for (const auto& s : scorers_) scorers.push_back(s->to_json());
  return {{"names", names_}, {"scorers", scorers}};
}

Result<ImplementationClassifier> ImplementationClassifier::from_json(const nlohmann::json& j,
                                                                     const std::string& source) {
  auto fail = [&](const std::string& what) {
    return make_error(ErrorCode::kParseError, source + ": implementation classifier: " + what);
  };
  if (!j.is_object() || !j.contains("names") || !j.contains("scorers")) return fail("needs names and scorers");
  ImplementationClassifier c;
  try {
    c.names_ = j.at("names").get<std::vector<std::string>>();
  } catch (const nlohmann::json::exception& e) {
    return fail(e.what());
  }
  if (c.names_.empty()) return fail("no names");
  for (const auto& s : j.at("scorers")) {
    NNLAT_ASSIGN_OR_RETURN(auto scorer, regressor_from_json(s, source + ": implementation scorer"));
    c.scorers_.push_back(std::move(scorer));
  }
  if (c.names_.size() > 1 && c.scorers_.size() != c.names_.size()) return fail("one scorer per name expected");
  if (c.names_.size() == 1 && !c.scorers_.empty()) return fail("a single name takes no scorers");
  return c;
}

}  // namespace nnlat::predictors
