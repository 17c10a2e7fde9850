// The kind table, the factory and loader that dispatch on it, and the checks every kind
// shares (training data, options, the saved options block, JSON field readers).
#include "nnlat/predictors/regressor.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <string>
#include <utility>

#include "nnlat/core/options_json.hpp"
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

namespace {

using Field = options::Field<RegressorOptions>;
using R = RegressorOptions;
constexpr auto kWording = options::Wording::kWords;
constexpr options::Bounds kAtLeastOne = {.min = 1};
constexpr options::Bounds kNonNegative = {.min = 0};
constexpr options::Bounds kPositive = {.min = 0, .min_exclusive = true};
constexpr options::Bounds kFraction = {.min = 0, .min_exclusive = true, .max = 1};

// Groups are kind names: a kind validates, saves and loads only its own fields (ridge+gbdt
// validates through its parts, which save their own). Keys are part of the file format.
const auto kFields = std::to_array<Field>({
    {.key = "gbdt_rounds",
     .member = &R::gbdt_rounds,
     .help = "Boosting rounds",
     .bounds = kAtLeastOne,
     .groups = "gbdt"},
    {.key = "gbdt_max_depth",
     .member = &R::gbdt_max_depth,
     .help = "Depth of each tree, at most",
     .bounds = kAtLeastOne,
     .groups = "gbdt"},
    {.key = "gbdt_learning_rate",
     .member = &R::gbdt_learning_rate,
     .help = "Shrinkage of each round",
     .bounds = kPositive,
     .groups = "gbdt"},
    {.key = "gbdt_subsample",
     .member = &R::gbdt_subsample,
     .help = "Fraction of the rows each tree sees",
     .bounds = kFraction,
     .groups = "gbdt"},
    {.key = "gbdt_min_child_weight",
     .member = &R::gbdt_min_child_weight,
     .help = "Hessian weight a leaf needs, at least",
     .bounds = kNonNegative,
     .groups = "gbdt"},
    {.key = "rf_trees", .member = &R::rf_trees, .help = "Trees of the forest", .bounds = kAtLeastOne, .groups = "rf"},
    {.key = "rf_max_depth",
     .member = &R::rf_max_depth,
     .help = "Depth of each tree, at most",
     .bounds = kAtLeastOne,
     .groups = "rf"},
    {.key = "rf_subsample",
     .member = &R::rf_subsample,
     .help = "Fraction of the rows each tree sees",
     .bounds = kFraction,
     .groups = "rf"},
    {.key = "rf_colsample",
     .member = &R::rf_colsample,
     .help = "Fraction of the features each tree sees",
     .bounds = kFraction,
     .groups = "rf"},
    {.key = "ridge_lambda",
     .member = &R::ridge_lambda,
     .help = "L2 penalty on standardised features",
     .bounds = kNonNegative,
     .groups = "ridge"},
    {.key = "lasso_lambda",
     .member = &R::lasso_lambda,
     .help = "L1 penalty on standardised features",
     .bounds = kNonNegative,
     .groups = "lasso"},
    {.key = "mlp_hidden",
     .member = &R::mlp_hidden,
     .help = "Sizes of the hidden layers",
     .bounds = kAtLeastOne,
     .groups = "mlp"},
    {.key = "mlp_epochs",
     .member = &R::mlp_epochs,
     .help = "Passes over the training rows",
     .bounds = kAtLeastOne,
     .groups = "mlp"},
    {.key = "mlp_learning_rate",
     .member = &R::mlp_learning_rate,
     .help = "Adam step size",
     .bounds = kPositive,
     .groups = "mlp"},
    {.key = "mlp_weight_decay",
     .member = &R::mlp_weight_decay,
     .help = "L2 penalty on the weights",
     .bounds = kNonNegative,
     .groups = "mlp"},
    {.key = "mlp_batch",
     .member = &R::mlp_batch,
     .help = "Rows per mini-batch",
     .bounds = kAtLeastOne,
     .groups = "mlp"},
    {.key = "seed", .member = &R::seed, .help = "Seed of the randomised kinds", .groups = "gbdt rf mlp"},
    {.key = "threads",
     .member = &R::threads,
     .help = "Training threads (XGBoost nthread)",
     .bounds = kAtLeastOne,
     .stored = false},
});

}  // namespace

std::span<const Field> regressor_option_fields() { return kFields; }

std::string regressor_options_markdown() { return options::markdown_table(regressor_option_fields(), kWording); }

Status validate_regressor_options(const RegressorOptions& options) {
  return options::validate(options, regressor_option_fields(), kWording, "regressor options");
}

Status validate_options(RegressorKind kind, const RegressorOptions& o) {
  if (kind == RegressorKind::kRidgeGbdt) {  // its parts check their own fields, under their names
    NNLAT_RETURN_IF_ERROR(validate_options(RegressorKind::kRidge, o));
    return validate_options(RegressorKind::kGbdt, o);
  }
  const std::string name = kind_prefix(kind);
  return options::validate(o, regressor_option_fields(), kWording, name, name);
}

nlohmann::json options_to_json(RegressorKind kind, const RegressorOptions& o) {
  // ridge+gbdt has no fields of its own: its parts save their own options.
  return options::to_json(o, regressor_option_fields(), regressor_kind_name(kind));
}

Result<RegressorOptions> options_from_json(RegressorKind kind, const nlohmann::json& parent) {
  if (!parent.contains("options")) return make_error(ErrorCode::kParseError, "options is missing");
  RegressorOptions o;
  NNLAT_RETURN_IF_ERROR(options::from_json(parent["options"], o, regressor_option_fields(),
                                           kind_prefix(kind) + " options", options::Missing::kError,
                                           regressor_kind_name(kind)));
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
