// gbdt and rf: XGBoost trains, our compiled evaluator predicts. The booster lives only for
// the duration of fit(); what is kept (and saved) is our own flat tree arrays, so predicting
// and loading never touch XGBoost.
#include "predictors/xgboost_regressor.hpp"

#include <xgboost/c_api.h>

#include <charconv>
#include <cmath>
#include <cstdio>
#include <limits>
#include <memory>
#include <string>

#include "predictors/regressor_impl.hpp"

namespace nnlat::predictors {

namespace {

Status xgb_check(int rc, const char* what) {
  if (rc == 0) return Status::Ok();
  const char* last = XGBGetLastError();
  std::string message = last != nullptr ? last : "unknown error";
  // XGBoost appends a multi-line native stack trace; our errors are one line.
  if (const size_t end = message.find('\n'); end != std::string::npos) message.resize(end);
  return make_error(ErrorCode::kInternal, std::string("XGBoost ") + what + " failed: " + message);
}

struct DMatrixDeleter {
  void operator()(void* handle) const { XGDMatrixFree(handle); }
};
struct BoosterDeleter {
  void operator()(void* handle) const { XGBoosterFree(handle); }
};
using DMatrixPtr = std::unique_ptr<void, DMatrixDeleter>;
using BoosterPtr = std::unique_ptr<void, BoosterDeleter>;

Result<DMatrixPtr> make_dmatrix(const FeatureMatrix& x) {
  DMatrixHandle handle = nullptr;
  NNLAT_RETURN_IF_ERROR(xgb_check(
      XGDMatrixCreateFromMat(x.values.data(), x.rows, x.cols, std::numeric_limits<float>::quiet_NaN(), &handle),
      "XGDMatrixCreateFromMat"));
  return DMatrixPtr(handle);
}

// Every parameter goes through XGBoost's string interface; 17 digits keep doubles exact.
std::string number(double v) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.17g", v);
  return buffer;
}

Status set_param(BoosterHandle booster, const char* name, const std::string& value) {
  const int rc = XGBoosterSetParam(booster, name, value.c_str());
  if (rc == 0) return Status::Ok();
  return xgb_check(rc, (std::string("XGBoosterSetParam ") + name).c_str());
}

Status set_params(BoosterHandle b, RegressorKind kind, const RegressorOptions& o, double base_score) {
  // verbosity first, so that nothing later prints.
  NNLAT_RETURN_IF_ERROR(set_param(b, "verbosity", "0"));
  NNLAT_RETURN_IF_ERROR(set_param(b, "objective", "reg:squarederror"));
  NNLAT_RETURN_IF_ERROR(set_param(b, "tree_method", "hist"));
  NNLAT_RETURN_IF_ERROR(set_param(b, "nthread", std::to_string(o.threads)));
  // XGBoost's seed is a signed integer parameter; fold ours into a range any version accepts.
  NNLAT_RETURN_IF_ERROR(set_param(b, "seed", std::to_string(o.seed % 2147483647u)));
  // XGBoost 1.7 starts from 0.5 whatever the target; a log latency of -5 would spend the
  // first trees just walking there.
  NNLAT_RETURN_IF_ERROR(set_param(b, "base_score", number(base_score)));
  if (kind == RegressorKind::kGbdt) {
    NNLAT_RETURN_IF_ERROR(set_param(b, "max_depth", std::to_string(o.gbdt_max_depth)));
    NNLAT_RETURN_IF_ERROR(set_param(b, "learning_rate", number(o.gbdt_learning_rate)));
    NNLAT_RETURN_IF_ERROR(set_param(b, "subsample", number(o.gbdt_subsample)));
    NNLAT_RETURN_IF_ERROR(set_param(b, "min_child_weight", number(o.gbdt_min_child_weight)));
  } else {
    // A random forest is one boosting round of num_parallel_tree trees, each grown on a row
    // sample with a column sample per split; XGBoost divides the round's learning rate by the
    // tree count, so the leaves come out averaged. The near-zero L2 term is XGBoost's own
    // XGBRFRegressor default: the default 1 would shrink small leaves towards zero.
    NNLAT_RETURN_IF_ERROR(set_param(b, "num_parallel_tree", std::to_string(o.rf_trees)));
    NNLAT_RETURN_IF_ERROR(set_param(b, "max_depth", std::to_string(o.rf_max_depth)));
    NNLAT_RETURN_IF_ERROR(set_param(b, "learning_rate", "1"));
    NNLAT_RETURN_IF_ERROR(set_param(b, "subsample", number(o.rf_subsample)));
    NNLAT_RETURN_IF_ERROR(set_param(b, "colsample_bynode", number(o.rf_colsample)));
    NNLAT_RETURN_IF_ERROR(set_param(b, "lambda", "1e-5"));
    // Split finding over 256 bins per feature dominates a forest's deep trees (~1000 nodes
    // each): on 10k rows x 25 features 64 bins fit in 3.6 s instead of 10.1 s, with held-out
    // R^2 0.979 instead of 0.980.
    NNLAT_RETURN_IF_ERROR(set_param(b, "max_bin", "64"));
  }
  return Status::Ok();
}

Result<std::vector<double>> xgboost_predict(BoosterHandle booster, const FeatureMatrix& x) {
  NNLAT_ASSIGN_OR_RETURN(DMatrixPtr dm, make_dmatrix(x));
  const char* config = R"({"type": 0, "training": false, "iteration_begin": 0, "iteration_end": 0,
                           "strict_shape": false})";
  const bst_ulong* shape = nullptr;
  bst_ulong dim = 0;
  const float* result = nullptr;
  NNLAT_RETURN_IF_ERROR(xgb_check(XGBoosterPredictFromDMatrix(booster, dm.get(), config, &shape, &dim, &result),
                                  "XGBoosterPredictFromDMatrix"));
  return std::vector<double>(result, result + x.rows);
}

// XGBoost writes numbers inside its parameter blocks as strings ("5E-1").
Result<double> string_number(const nlohmann::json& j, const char* key) {
  const auto text = j.at(key).get<std::string>();
  double v = 0.0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || end != text.data() + text.size() || !std::isfinite(v)) {
    return make_error(ErrorCode::kInternal, std::string("XGBoost model: bad ") + key + " '" + text + "'");
  }
  return v;
}

Result<TreeEnsemble> convert_xgboost_json(const nlohmann::json& j, size_t num_features) {
  const nlohmann::json& learner = j.at("learner");
  const nlohmann::json& param = learner.at("learner_model_param");
  NNLAT_ASSIGN_OR_RETURN(const double base_score, string_number(param, "base_score"));
  NNLAT_ASSIGN_OR_RETURN(const double model_features, string_number(param, "num_feature"));
  if (model_features != static_cast<double>(num_features)) {
    return make_error(ErrorCode::kInternal, "XGBoost model: unexpected num_feature");
  }
  const nlohmann::json& booster = learner.at("gradient_booster");
  if (booster.at("name").get<std::string>() != "gbtree") {
    return make_error(ErrorCode::kInternal, "XGBoost model: booster is not gbtree");
  }
  const nlohmann::json& model = booster.at("model");
  for (const auto& group : model.at("tree_info")) {
    if (group.get<int>() != 0) return make_error(ErrorCode::kInternal, "XGBoost model: more than one output");
  }
  // XGBoost adds base_score to the margin as a float; keep that rounding so that the sum
  // starts where XGBoost's does.
  TreeEnsemble ensemble(num_features, static_cast<double>(static_cast<float>(base_score)));
  for (const auto& tree : model.at("trees")) {
    for (const auto& type : tree.at("split_type")) {
      if (type.get<int>() != 0) return make_error(ErrorCode::kInternal, "XGBoost model: categorical split");
    }
    TreeArrays t;
    tree.at("left_children").get_to(t.left);
    tree.at("right_children").get_to(t.right);
    tree.at("split_indices").get_to(t.feature);
    // A leaf's output is its split_conditions entry: XGBoost keeps a split's threshold and a
    // leaf's value in one slot, and its own predictor reads it from there. base_weights agrees
    // on leaves in 1.7 but holds unshrunk (not learning-rate scaled) weights on inner nodes.
    tree.at("split_conditions").get_to(t.value);
    for (const auto& d : tree.at("default_left")) {
      // Integers in 1.7's JSON; booleans in some other versions.
      t.default_left.push_back(d.is_boolean() ? static_cast<uint8_t>(d.get<bool>())
                                              : static_cast<uint8_t>(d.get<int>()));
    }
    for (size_t i = 0; i < t.left.size() && i < t.feature.size(); ++i) {
      if (t.left[i] == -1) t.feature[i] = -1;
    }
    if (auto status = ensemble.add_tree(t); !status.ok()) {
      return make_error(ErrorCode::kInternal, "XGBoost model: " + status.error().message);
    }
  }
  return ensemble;
}

class XgboostRegressor final : public Regressor {
 public:
  XgboostRegressor(RegressorKind kind, const RegressorOptions& options) : kind_(kind), options_(options) {}

  RegressorKind kind() const override { return kind_; }
  size_t num_features() const override { return ensemble_.num_features(); }

  Status fit(const FeatureMatrix& x, std::span<const double> y) override {
    NNLAT_RETURN_IF_ERROR(validate_training_data(kind_, x, y));
    NNLAT_ASSIGN_OR_RETURN(ensemble_, train_xgboost_ensemble(kind_, options_, x, y));
    return Status::Ok();
  }

  double predict(std::span<const float> row) const override {
    if (row.size() != ensemble_.num_features() || ensemble_.num_trees() == 0) return invalid_prediction();
    return ensemble_.predict(row);
  }

  nlohmann::json to_json() const override {
    return {{"kind", regressor_kind_name(kind_)},
            {"version", kRegressorFormatVersion},
            {"options", options_to_json(kind_, options_)},
            {"num_features", ensemble_.num_features()},
            {"ensemble", ensemble_.to_json()}};
  }

  Status load(const nlohmann::json& j) {
    NNLAT_ASSIGN_OR_RETURN(options_, options_from_json(kind_, j));
    NNLAT_ASSIGN_OR_RETURN(const size_t d, read_num_features(j));
    NNLAT_ASSIGN_OR_RETURN(ensemble_, TreeEnsemble::from_json(j.at("ensemble")));
    if (ensemble_.num_features() != d) {
      return make_error(ErrorCode::kParseError, "ensemble num_features differs from the regressor's");
    }
    if (ensemble_.num_trees() == 0) return make_error(ErrorCode::kParseError, "ensemble has no trees");
    return Status::Ok();
  }

 private:
  RegressorKind kind_;
  RegressorOptions options_;
  TreeEnsemble ensemble_;
};

}  // namespace

Result<TreeEnsemble> ensemble_from_xgboost_json(std::string_view model_json, size_t num_features) {
  try {
    // Per-node training statistics make up half of the dump and are never read; dropping
    // them while parsing saves building (and freeing) millions of values for a forest.
    const auto skip_statistics = [](int /*depth*/, nlohmann::json::parse_event_t event, nlohmann::json& parsed) {
      if (event != nlohmann::json::parse_event_t::key) return true;
      const auto& key = parsed.get_ref<const std::string&>();
      return key != "loss_changes" && key != "sum_hessian" && key != "parents" && key != "base_weights";
    };
    return convert_xgboost_json(nlohmann::json::parse(model_json, skip_statistics), num_features);
  } catch (const nlohmann::json::exception& e) {
    return make_error(ErrorCode::kInternal, std::string("XGBoost model JSON: ") + e.what());
  }
}

Result<TreeEnsemble> train_xgboost_ensemble(RegressorKind kind, const RegressorOptions& options, const FeatureMatrix& x,
                                            std::span<const double> y, XgboostCheck* check) {
  if (kind != RegressorKind::kGbdt && kind != RegressorKind::kRandomForest) {
    return make_error(ErrorCode::kInternal, "train_xgboost_ensemble: not a tree ensemble kind");
  }
  if (x.rows == 0 || x.cols == 0 || y.size() != x.rows) {
    return make_error(ErrorCode::kInvalidArgument, "train_xgboost_ensemble: empty or mismatched data");
  }
  NNLAT_ASSIGN_OR_RETURN(DMatrixPtr train, make_dmatrix(x));
  std::vector<float> labels(y.begin(), y.end());
  double mean = 0.0;
  for (double v : y) mean += v;
  mean /= static_cast<double>(y.size());
  NNLAT_RETURN_IF_ERROR(xgb_check(XGDMatrixSetFloatInfo(train.get(), "label", labels.data(), labels.size()),
                                  "XGDMatrixSetFloatInfo(label)"));

  DMatrixHandle train_handle = train.get();
  BoosterHandle booster_handle = nullptr;
  NNLAT_RETURN_IF_ERROR(xgb_check(XGBoosterCreate(&train_handle, 1, &booster_handle), "XGBoosterCreate"));
  BoosterPtr booster(booster_handle);
  NNLAT_RETURN_IF_ERROR(set_params(booster.get(), kind, options, mean));
  const int rounds = kind == RegressorKind::kGbdt ? options.gbdt_rounds : 1;
  for (int i = 0; i < rounds; ++i) {
    NNLAT_RETURN_IF_ERROR(xgb_check(XGBoosterUpdateOneIter(booster.get(), i, train.get()), "XGBoosterUpdateOneIter"));
  }

  bst_ulong length = 0;
  const char* buffer = nullptr;
  NNLAT_RETURN_IF_ERROR(xgb_check(XGBoosterSaveModelToBuffer(booster.get(), R"({"format": "json"})", &length, &buffer),
                                  "XGBoosterSaveModelToBuffer"));
  NNLAT_ASSIGN_OR_RETURN(TreeEnsemble ensemble, ensemble_from_xgboost_json(std::string_view(buffer, length), x.cols));
  if (check != nullptr) {
    NNLAT_ASSIGN_OR_RETURN(check->xgboost_predictions, xgboost_predict(booster.get(), check->x));
  }
  return ensemble;
}

std::unique_ptr<Regressor> make_xgboost_regressor(RegressorKind kind, const RegressorOptions& options) {
  return std::make_unique<XgboostRegressor>(kind, options);
}

Result<std::unique_ptr<Regressor>> xgboost_regressor_from_json(RegressorKind kind, const nlohmann::json& j) {
  auto model = std::make_unique<XgboostRegressor>(kind, RegressorOptions{});
  NNLAT_RETURN_IF_ERROR(model->load(j));
  return std::unique_ptr<Regressor>(std::move(model));
}

}  // namespace nnlat::predictors
