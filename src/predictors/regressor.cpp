// The kind table, the factory and loader that dispatch on it, and the checks every kind
// shares (training data, options, the saved options block, JSON field readers).
#include "nnlat/predictors/regressor.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <string>
#include <utility>

#include "predictors/regressor_impl.hpp"

namespace nnlat::predictors {

namespace {

struct KindName {
  RegressorKind kind;
  std::string_view name;
};
// The one list of kinds and their saved names; names are part of the file format.
constexpr std::array<KindName, 7> kKinds = {{
    {RegressorKind::kLinear, "linear"},
    {RegressorKind::kRidge, "ridge"},
    {RegressorKind::kLasso, "lasso"},
    {RegressorKind::kGbdt, "gbdt"},
    {RegressorKind::kRandomForest, "rf"},
    {RegressorKind::kMlp, "mlp"},
    {RegressorKind::kRidgeGbdt, "ridge+gbdt"},
}};

std::string kind_prefix(RegressorKind kind) { return std::string(regressor_kind_name(kind)); }

Error invalid(RegressorKind kind, const std::string& message) {
  return make_error(ErrorCode::kInvalidArgument, kind_prefix(kind) + ": " + message);
}

bool is_fraction(double v) { return v > 0.0 && v <= 1.0; }

}  // namespace

std::string_view regressor_kind_name(RegressorKind kind) {
  for (const auto& k : kKinds) {
    if (k.kind == kind) return k.name;
  }
  return "unknown";
}

Result<RegressorKind> parse_regressor_kind(std::string_view name) {
  for (const auto& k : kKinds) {
    if (k.name == name) return k.kind;
  }
  return make_error(ErrorCode::kInvalidArgument, "unknown regressor kind '" + std::string(name) +
                                                     "' (expected linear, ridge, lasso, gbdt, rf, mlp or ridge+gbdt)");
}

std::vector<RegressorKind> all_regressor_kinds() {
  std::vector<RegressorKind> out;
  for (const auto& k : kKinds) out.push_back(k.kind);
  return out;
}

void Regressor::predict_many(const FeatureMatrix& x, std::span<double> out) const {
  const size_t n = std::min(x.rows, out.size());
  for (size_t i = 0; i < n; ++i) out[i] = predict(x.row(i));
}

double invalid_prediction() { return std::numeric_limits<double>::quiet_NaN(); }

Status validate_training_data(RegressorKind kind, const FeatureMatrix& x, std::span<const double> y) {
  if (x.rows == 0) return invalid(kind, "no training rows");
  if (x.cols == 0) return invalid(kind, "training rows have no features");
  if (x.values.size() != x.rows * x.cols) {
    return invalid(kind, "feature matrix holds " + std::to_string(x.values.size()) + " values for " +
                             std::to_string(x.rows) + " x " + std::to_string(x.cols));
  }
  if (y.size() != x.rows) {
    return invalid(kind, "y has " + std::to_string(y.size()) + " values for " + std::to_string(x.rows) + " rows");
  }
  for (size_t i = 0; i < x.rows; ++i) {
    if (!std::isfinite(y[i])) return invalid(kind, "y[" + std::to_string(i) + "] is not finite");
    const auto r = x.row(i);
    for (size_t c = 0; c < x.cols; ++c) {
      if (!std::isfinite(r[c])) {
        return invalid(kind, "feature " + std::to_string(c) + " of row " + std::to_string(i) + " is not finite");
      }
    }
  }
  return Status::Ok();
}

Status validate_options(RegressorKind kind, const RegressorOptions& o) {
  if (o.threads < 1) return invalid(kind, "threads must be at least 1");
  switch (kind) {
    case RegressorKind::kLinear:
      break;
    case RegressorKind::kRidge:
      if (!(o.ridge_lambda >= 0.0) || !std::isfinite(o.ridge_lambda)) {
        return invalid(kind, "ridge_lambda must be finite and >= 0");
      }
      break;
    case RegressorKind::kLasso:
      if (!(o.lasso_lambda >= 0.0) || !std::isfinite(o.lasso_lambda)) {
        return invalid(kind, "lasso_lambda must be finite and >= 0");
      }
      break;
    case RegressorKind::kRidgeGbdt:
      NNLAT_RETURN_IF_ERROR(validate_options(RegressorKind::kRidge, o));
      return validate_options(RegressorKind::kGbdt, o);
    case RegressorKind::kGbdt:
      if (o.gbdt_rounds < 1) return invalid(kind, "gbdt_rounds must be at least 1");
      if (o.gbdt_max_depth < 1) return invalid(kind, "gbdt_max_depth must be at least 1");
      if (!(o.gbdt_learning_rate > 0.0) || !std::isfinite(o.gbdt_learning_rate)) {
        return invalid(kind, "gbdt_learning_rate must be finite and > 0");
      }
      if (!is_fraction(o.gbdt_subsample)) return invalid(kind, "gbdt_subsample must be in (0, 1]");
      if (!(o.gbdt_min_child_weight >= 0.0) || !std::isfinite(o.gbdt_min_child_weight)) {
        return invalid(kind, "gbdt_min_child_weight must be finite and >= 0");
      }
      break;
    case RegressorKind::kRandomForest:
      if (o.rf_trees < 1) return invalid(kind, "rf_trees must be at least 1");
      if (o.rf_max_depth < 1) return invalid(kind, "rf_max_depth must be at least 1");
      if (!is_fraction(o.rf_subsample)) return invalid(kind, "rf_subsample must be in (0, 1]");
      if (!is_fraction(o.rf_colsample)) return invalid(kind, "rf_colsample must be in (0, 1]");
      break;
    case RegressorKind::kMlp:
      if (o.mlp_hidden.empty()) return invalid(kind, "mlp_hidden must list at least one layer");
      for (int h : o.mlp_hidden) {
        if (h < 1) return invalid(kind, "mlp_hidden layer sizes must be at least 1");
      }
      if (o.mlp_epochs < 1) return invalid(kind, "mlp_epochs must be at least 1");
      if (o.mlp_batch < 1) return invalid(kind, "mlp_batch must be at least 1");
      if (!(o.mlp_learning_rate > 0.0) || !std::isfinite(o.mlp_learning_rate)) {
        return invalid(kind, "mlp_learning_rate must be finite and > 0");
      }
      if (!(o.mlp_weight_decay >= 0.0) || !std::isfinite(o.mlp_weight_decay)) {
        return invalid(kind, "mlp_weight_decay must be finite and >= 0");
      }
      break;
  }
  return Status::Ok();
}

nlohmann::json options_to_json(RegressorKind kind, const RegressorOptions& o) {
  nlohmann::json j = nlohmann::json::object();
  switch (kind) {
    case RegressorKind::kLinear:
    case RegressorKind::kRidgeGbdt:  // its parts save their own options
      break;
    case RegressorKind::kRidge:
      j["ridge_lambda"] = o.ridge_lambda;
      break;
    case RegressorKind::kLasso:
      j["lasso_lambda"] = o.lasso_lambda;
      break;
    case RegressorKind::kGbdt:
      j["gbdt_rounds"] = o.gbdt_rounds;
      j["gbdt_max_depth"] = o.gbdt_max_depth;
      j["gbdt_learning_rate"] = o.gbdt_learning_rate;
      j["gbdt_subsample"] = o.gbdt_subsample;
      j["gbdt_min_child_weight"] = o.gbdt_min_child_weight;
      j["seed"] = o.seed;
      break;
    case RegressorKind::kRandomForest:
      j["rf_trees"] = o.rf_trees;
      j["rf_max_depth"] = o.rf_max_depth;
      j["rf_subsample"] = o.rf_subsample;
      j["rf_colsample"] = o.rf_colsample;
      j["seed"] = o.seed;
      break;
    case RegressorKind::kMlp:
      j["mlp_hidden"] = o.mlp_hidden;
      j["mlp_epochs"] = o.mlp_epochs;
      j["mlp_learning_rate"] = o.mlp_learning_rate;
      j["mlp_weight_decay"] = o.mlp_weight_decay;
      j["mlp_batch"] = o.mlp_batch;
      j["seed"] = o.seed;
      break;
  }
  return j;
}

Result<RegressorOptions> options_from_json(RegressorKind kind, const nlohmann::json& parent) {
  const nlohmann::json& j = parent.at("options");
  RegressorOptions o;
  switch (kind) {
    case RegressorKind::kLinear:
    case RegressorKind::kRidgeGbdt:
      break;
    case RegressorKind::kRidge:
      o.ridge_lambda = j.at("ridge_lambda").get<double>();
      break;
    case RegressorKind::kLasso:
      o.lasso_lambda = j.at("lasso_lambda").get<double>();
      break;
    case RegressorKind::kGbdt:
      o.gbdt_rounds = j.at("gbdt_rounds").get<int>();
      o.gbdt_max_depth = j.at("gbdt_max_depth").get<int>();
      o.gbdt_learning_rate = j.at("gbdt_learning_rate").get<double>();
      o.gbdt_subsample = j.at("gbdt_subsample").get<double>();
      o.gbdt_min_child_weight = j.at("gbdt_min_child_weight").get<double>();
      o.seed = j.at("seed").get<uint64_t>();
      break;
    case RegressorKind::kRandomForest:
      o.rf_trees = j.at("rf_trees").get<int>();
      o.rf_max_depth = j.at("rf_max_depth").get<int>();
      o.rf_subsample = j.at("rf_subsample").get<double>();
      o.rf_colsample = j.at("rf_colsample").get<double>();
      o.seed = j.at("seed").get<uint64_t>();
      break;
    case RegressorKind::kMlp:
      o.mlp_hidden = j.at("mlp_hidden").get<std::vector<int>>();
      o.mlp_epochs = j.at("mlp_epochs").get<int>();
      o.mlp_learning_rate = j.at("mlp_learning_rate").get<double>();
      o.mlp_weight_decay = j.at("mlp_weight_decay").get<double>();
      o.mlp_batch = j.at("mlp_batch").get<int>();
      o.seed = j.at("seed").get<uint64_t>();
      break;
  }
  // Out-of-range values in a file are a malformed file, not a bad flag.
  if (auto status = validate_options(kind, o); !status.ok()) {
    return make_error(ErrorCode::kParseError, status.error().message);
  }
  return o;
}

Result<size_t> read_num_features(const nlohmann::json& j) {
  const int64_t n = j.at("num_features").get<int64_t>();
  // A generous bound: it only guards the allocations sized by it against a corrupt file.
  if (n < 1 || n > (int64_t{1} << 24)) {
    return make_error(ErrorCode::kParseError, "num_features " + std::to_string(n) + " is out of range");
  }
  return static_cast<size_t>(n);
}

Result<std::vector<double>> read_finite_array(const nlohmann::json& j, const char* key, size_t expected_size) {
  const nlohmann::json& a = j.at(key);
  if (!a.is_array()) return make_error(ErrorCode::kParseError, std::string("'") + key + "' is not an array");
  if (a.size() != expected_size) {
    return make_error(ErrorCode::kParseError, std::string("'") + key + "' has " + std::to_string(a.size()) +
                                                  " values, expected " + std::to_string(expected_size));
  }
  std::vector<double> out;
  out.reserve(a.size());
  for (const auto& v : a) {
    const double d = v.get<double>();
    if (!std::isfinite(d)) {
      return make_error(ErrorCode::kParseError, std::string("'") + key + "' holds a non-finite value");
    }
    out.push_back(d);
  }
  return out;
}

Result<double> read_finite_number(const nlohmann::json& j, const char* key) {
  const double d = j.at(key).get<double>();
  if (!std::isfinite(d)) return make_error(ErrorCode::kParseError, std::string("'") + key + "' is not finite");
  return d;
}

Result<std::unique_ptr<Regressor>> make_regressor(RegressorKind kind, const RegressorOptions& options) {
  NNLAT_RETURN_IF_ERROR(validate_options(kind, options));
  switch (kind) {
    case RegressorKind::kLinear:
    case RegressorKind::kRidge:
    case RegressorKind::kLasso:
      return make_linear_regressor(kind, options);
    case RegressorKind::kGbdt:
    case RegressorKind::kRandomForest:
      return make_xgboost_regressor(kind, options);
    case RegressorKind::kMlp:
      return make_mlp_regressor(options);
    case RegressorKind::kRidgeGbdt:
      return make_ridge_gbdt_regressor(options);
  }
  return make_error(ErrorCode::kInternal, "unhandled regressor kind");
}

namespace {

Result<std::unique_ptr<Regressor>> load_by_kind(const nlohmann::json& j) {
  if (!j.is_object()) return make_error(ErrorCode::kParseError, "a regressor must be a JSON object");
  const auto kind_name = j.at("kind").get<std::string>();
  auto kind = parse_regressor_kind(kind_name);
  if (!kind.ok()) return make_error(ErrorCode::kParseError, kind.error().message);
  const int version = j.at("version").get<int>();
  if (version != kRegressorFormatVersion) {
    return make_error(ErrorCode::kParseError, kind_name + " regressor has format version " + std::to_string(version) +
                                                  ", this build reads version " +
                                                  std::to_string(kRegressorFormatVersion));
  }
  switch (*kind) {
    case RegressorKind::kLinear:
    case RegressorKind::kRidge:
    case RegressorKind::kLasso:
      return linear_regressor_from_json(*kind, j);
    case RegressorKind::kGbdt:
    case RegressorKind::kRandomForest:
      return xgboost_regressor_from_json(*kind, j);
    case RegressorKind::kMlp:
      return mlp_regressor_from_json(j);
    case RegressorKind::kRidgeGbdt:
      return ridge_gbdt_regressor_from_json(j);
  }
  return make_error(ErrorCode::kInternal, "unhandled regressor kind");
}

}  // namespace

Result<std::unique_ptr<Regressor>> regressor_from_json(const nlohmann::json& j, const std::string& source) {
  // Type errors and missing fields surface as nlohmann exceptions, whose messages name the
  // key; they stop here so that no exception crosses the public API.
  try {
    auto loaded = load_by_kind(j);
    if (!loaded.ok()) return loaded.error().with_context(source);
    return loaded;
  } catch (const nlohmann::json::exception& e) {
    return make_error(ErrorCode::kParseError, source + ": malformed regressor: " + e.what());
  }
}

}  // namespace nnlat::predictors
