// The regressor library: every kind fits a known function, saves and loads exactly, is
// deterministic for a seed, and turns bad data and malformed files into errors. The tree
// evaluator is checked against XGBoost's own predictions.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <nlohmann/json.hpp>
#include <random>
#include <string>
#include <vector>

#include "nnlat/predictors/regressor.hpp"
#include "predictors/tree_ensemble.hpp"
#include "predictors/xgboost_regressor.hpp"

namespace nnlat::predictors {
namespace {

struct Dataset {
  FeatureMatrix x;
  std::vector<double> y;
};

FeatureMatrix uniform_matrix(size_t rows, size_t cols, uint32_t seed, float lo, float hi) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> u(lo, hi);
  FeatureMatrix x(rows, cols);
  for (float& v : x.values) v = u(rng);
  return x;
}

// y = 2 x0 - 3 x1 + 1; x2 is irrelevant.
Dataset linear_data(size_t rows, uint32_t seed, double noise = 0.0) {
  Dataset d{uniform_matrix(rows, 3, seed, -1.0f, 1.0f), {}};
  std::mt19937 rng(seed + 1000);
  std::normal_distribution<double> n(0.0, 1.0);
  for (size_t i = 0; i < rows; ++i) {
    d.y.push_back(2.0 * d.x.at(i, 0) - 3.0 * d.x.at(i, 1) + 1.0 + noise * n(rng));
  }
  return d;
}

// The log latency of a roofline kernel: max(macs / peak_compute, bytes / bandwidth), with the
// features in log space as kernel predictors see them, plus an irrelevant third feature.
Dataset roofline_data(size_t rows, uint32_t seed) {
  Dataset d{FeatureMatrix(rows, 3), {}};
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> log_macs(10.0f, 20.0f), log_bytes(8.0f, 18.0f), other(0.0f, 1.0f);
  for (size_t i = 0; i < rows; ++i) {
    d.x.at(i, 0) = log_macs(rng);
    d.x.at(i, 1) = log_bytes(rng);
    d.x.at(i, 2) = other(rng);
    const double macs = std::exp(static_cast<double>(d.x.at(i, 0)));
    const double bytes = std::exp(static_cast<double>(d.x.at(i, 1)));
    d.y.push_back(std::log(std::max(macs / 2e9, bytes / 1e8)));
  }
  return d;
}

// Small settings so that the whole suite stays well under a few seconds.
RegressorOptions fast_options() {
  RegressorOptions o;
  o.gbdt_rounds = 120;
  o.gbdt_max_depth = 4;
  o.gbdt_learning_rate = 0.15;
  o.rf_trees = 40;
  o.rf_max_depth = 8;
  o.mlp_hidden = {32, 32};
  o.mlp_epochs = 150;
  o.seed = 7;
  return o;
}

std::unique_ptr<Regressor> make(RegressorKind kind, const RegressorOptions& o = fast_options()) {
  auto r = make_regressor(kind, o);
  EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().message);
  return std::move(r).value();
}

std::vector<double> predictions(const Regressor& r, const FeatureMatrix& x) {
  std::vector<double> out(x.rows);
  r.predict_many(x, out);
  return out;
}

double r_squared(const std::vector<double>& predicted, const std::vector<double>& actual) {
  double mean = 0.0;
  for (double v : actual) mean += v;
  mean /= static_cast<double>(actual.size());
  double residual = 0.0, total = 0.0;
  for (size_t i = 0; i < actual.size(); ++i) {
    residual += (predicted[i] - actual[i]) * (predicted[i] - actual[i]);
    total += (actual[i] - mean) * (actual[i] - mean);
  }
  return 1.0 - residual / total;
}

std::string kind_label(RegressorKind kind) { return std::string(regressor_kind_name(kind)); }

TEST(RegressorTest, KindNamesRoundTrip) {
  EXPECT_EQ(all_regressor_kinds().size(), 7u);
  for (RegressorKind kind : all_regressor_kinds()) {
    auto parsed = parse_regressor_kind(regressor_kind_name(kind));
    ASSERT_TRUE(parsed.ok()) << kind_label(kind);
    EXPECT_EQ(*parsed, kind);
  }
  auto bad = parse_regressor_kind("xgboost");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.error().message.find("xgboost"), std::string::npos);
}

TEST(RegressorTest, FeatureMatrixAppendAndSelect) {
  FeatureMatrix m;
  const std::vector<float> a = {1, 2, 3}, b = {4, 5, 6};
  m.append_row(a);
  m.append_row(b);
  EXPECT_EQ(m.rows, 2u);
  EXPECT_EQ(m.cols, 3u);
  const std::vector<size_t> pick = {1, 1, 0};
  const FeatureMatrix s = m.select_rows(pick);
  EXPECT_EQ(s.rows, 3u);
  EXPECT_EQ(s.at(0, 0), 4.0f);
  EXPECT_EQ(s.at(1, 2), 6.0f);
  EXPECT_EQ(s.at(2, 1), 2.0f);
}

TEST(RegressorTest, LinearKindsFitALinearFunctionExactly) {
  const Dataset train = linear_data(200, 1);
  const Dataset test = linear_data(50, 2);
  RegressorOptions o;
  o.ridge_lambda = 1e-12;
  o.lasso_lambda = 1e-12;
  for (RegressorKind kind : {RegressorKind::kLinear, RegressorKind::kRidge, RegressorKind::kLasso}) {
    auto r = make(kind, o);
    ASSERT_TRUE(r->fit(train.x, train.y).ok()) << kind_label(kind);
    EXPECT_EQ(r->num_features(), 3u);
    const auto p = predictions(*r, test.x);
    for (size_t i = 0; i < p.size(); ++i) EXPECT_NEAR(p[i], test.y[i], 1e-6) << kind_label(kind) << " row " << i;
    // Back to raw units: coefficient / std, intercept less the centring.
    const nlohmann::json j = r->to_json();
    double intercept = j["intercept"].get<double>();
    std::vector<double> raw(3);
    for (size_t c = 0; c < 3; ++c) {
      raw[c] = j["coefficients"][c].get<double>() / j["feature_std"][c].get<double>();
      intercept -= raw[c] * j["feature_mean"][c].get<double>();
    }
    EXPECT_NEAR(raw[0], 2.0, 1e-8) << kind_label(kind);
    EXPECT_NEAR(raw[1], -3.0, 1e-8) << kind_label(kind);
    EXPECT_NEAR(raw[2], 0.0, 1e-8) << kind_label(kind);
    EXPECT_NEAR(intercept, 1.0, 1e-8) << kind_label(kind);
  }
  // The default penalties shrink a little but still fit closely.
  for (RegressorKind kind : {RegressorKind::kRidge, RegressorKind::kLasso}) {
    auto r = make(kind, RegressorOptions{});
    ASSERT_TRUE(r->fit(train.x, train.y).ok());
    EXPECT_GT(r_squared(predictions(*r, test.x), test.y), 0.999) << kind_label(kind);
  }
}

TEST(RegressorTest, LassoZeroesAnIrrelevantFeature) {
  const Dataset train = linear_data(500, 3, 0.05);
  RegressorOptions o;
  o.lasso_lambda = 0.05;
  auto lasso = make(RegressorKind::kLasso, o);
  ASSERT_TRUE(lasso->fit(train.x, train.y).ok());
  const nlohmann::json j = lasso->to_json();
  EXPECT_GT(j["coefficients"][0].get<double>(), 0.5);
  EXPECT_LT(j["coefficients"][1].get<double>(), -0.5);
  EXPECT_EQ(j["coefficients"][2].get<double>(), 0.0);
  // Least squares, for contrast, gives the noise a (small) non-zero weight.
  auto ols = make(RegressorKind::kLinear, o);
  ASSERT_TRUE(ols->fit(train.x, train.y).ok());
  EXPECT_NE(ols->to_json()["coefficients"][2].get<double>(), 0.0);
}

TEST(RegressorTest, NonlinearKindsFitARooflineLatency) {
  const Dataset train = roofline_data(600, 11);
  const Dataset test = roofline_data(200, 12);
  // Linear models miss the kink of the max; the nonlinear kinds must do clearly better.
  auto linear = make(RegressorKind::kLinear);
  ASSERT_TRUE(linear->fit(train.x, train.y).ok());
  const double linear_r2 = r_squared(predictions(*linear, test.x), test.y);
  for (RegressorKind kind :
       {RegressorKind::kGbdt, RegressorKind::kRandomForest, RegressorKind::kMlp, RegressorKind::kRidgeGbdt}) {
    auto r = make(kind);
    ASSERT_TRUE(r->fit(train.x, train.y).ok()) << kind_label(kind);
    const double r2 = r_squared(predictions(*r, test.x), test.y);
    EXPECT_GT(r2, 0.97) << kind_label(kind);
    EXPECT_GT(r2, linear_r2) << kind_label(kind);
  }
}

// Beyond the training range trees are flat; ridge+gbdt follows the ridge trend there.
TEST(RegressorTest, RidgeGbdtExtrapolatesTheTrend) {
  FeatureMatrix x;
  std::vector<double> y;
  for (int i = 0; i < 200; ++i) {
    const float v = static_cast<float>(i) / 200.0f;  // 0 .. 1
    x.append_row(std::vector<float>{v});
    y.push_back(3.0 * v);
  }
  auto trees = make(RegressorKind::kGbdt);
  auto hybrid = make(RegressorKind::kRidgeGbdt);
  ASSERT_TRUE(trees->fit(x, y).ok());
  ASSERT_TRUE(hybrid->fit(x, y).ok());
  const std::vector<float> far = {2.0f};  // the truth is 6
  EXPECT_LT(trees->predict(far), 3.2);
  EXPECT_NEAR(hybrid->predict(far), 6.0, 0.3);
}

// Below 50 rows the MLP keeps no validation split and trains on every row.
TEST(RegressorTest, MlpTrainsOnFewRows) {
  const Dataset train = linear_data(30, 71);
  auto r = make(RegressorKind::kMlp);
  ASSERT_TRUE(r->fit(train.x, train.y).ok());
  EXPECT_GT(r_squared(predictions(*r, train.x), train.y), 0.95);
}

TEST(RegressorTest, SaveLoadPredictsBitForBit) {
  const Dataset train = roofline_data(300, 21);
  const Dataset test = roofline_data(100, 22);
  for (RegressorKind kind : all_regressor_kinds()) {
    auto r = make(kind);
    ASSERT_TRUE(r->fit(train.x, train.y).ok()) << kind_label(kind);
    const nlohmann::json saved = r->to_json();
    EXPECT_EQ(saved["kind"], kind_label(kind));
    // Through text, as a model file would go.
    auto loaded = regressor_from_json(nlohmann::json::parse(saved.dump()), "model.json");
    ASSERT_TRUE(loaded.ok()) << kind_label(kind) << ": " << loaded.error().message;
    EXPECT_EQ((*loaded)->kind(), kind);
    EXPECT_EQ((*loaded)->num_features(), 3u);
    const auto before = predictions(*r, test.x);
    const auto after = predictions(**loaded, test.x);
    for (size_t i = 0; i < before.size(); ++i) EXPECT_EQ(before[i], after[i]) << kind_label(kind) << " row " << i;
    EXPECT_EQ((*loaded)->to_json(), saved) << kind_label(kind);
  }
}

TEST(RegressorTest, SameSeedSameModel) {
  const Dataset train = roofline_data(300, 31);
  for (RegressorKind kind : {RegressorKind::kGbdt, RegressorKind::kRandomForest, RegressorKind::kMlp}) {
    RegressorOptions o = fast_options();
    auto a = make(kind, o);
    auto b = make(kind, o);
    ASSERT_TRUE(a->fit(train.x, train.y).ok());
    ASSERT_TRUE(b->fit(train.x, train.y).ok());
    EXPECT_EQ(a->to_json(), b->to_json()) << kind_label(kind);
    o.seed = 8;
    auto c = make(kind, o);
    ASSERT_TRUE(c->fit(train.x, train.y).ok());
    const char* model = kind == RegressorKind::kMlp ? "layers" : "ensemble";
    EXPECT_NE(a->to_json().at(model), c->to_json().at(model)) << kind_label(kind);
  }
}

TEST(RegressorTest, FitRejectsBadData) {
  const Dataset good = linear_data(60, 41);
  for (RegressorKind kind : all_regressor_kinds()) {
    auto r = make(kind);
    auto expect_invalid = [&](const Status& s, const std::string& what) {
      ASSERT_FALSE(s.ok()) << kind_label(kind) << ": " << what;
      EXPECT_EQ(s.error().code, ErrorCode::kInvalidArgument) << kind_label(kind) << ": " << what;
      EXPECT_EQ(s.error().message.rfind(kind_label(kind) + ":", 0), 0u) << s.error().message;
    };
    expect_invalid(r->fit(FeatureMatrix{}, std::vector<double>{}), "no rows");
    expect_invalid(r->fit(good.x, std::span<const double>(good.y).first(59)), "length mismatch");
    std::vector<double> nan_y = good.y;
    nan_y[5] = std::numeric_limits<double>::quiet_NaN();
    expect_invalid(r->fit(good.x, nan_y), "NaN in y");
    FeatureMatrix inf_x = good.x;
    inf_x.at(3, 1) = std::numeric_limits<float>::infinity();
    expect_invalid(r->fit(inf_x, good.y), "inf in x");
    // Unfitted, and a row of the wrong width: NaN, never a silent number.
    EXPECT_TRUE(std::isnan(r->predict(good.x.row(0)))) << kind_label(kind);
    ASSERT_TRUE(r->fit(good.x, good.y).ok()) << kind_label(kind);
    EXPECT_FALSE(std::isnan(r->predict(good.x.row(0)))) << kind_label(kind);
    EXPECT_TRUE(std::isnan(r->predict(good.x.row(0).first(2)))) << kind_label(kind);
  }
}

TEST(RegressorTest, MakeRejectsBadOptions) {
  RegressorOptions o;
  o.gbdt_rounds = 0;
  EXPECT_FALSE(make_regressor(RegressorKind::kGbdt, o).ok());
  o = {};
  o.rf_subsample = 1.5;
  EXPECT_FALSE(make_regressor(RegressorKind::kRandomForest, o).ok());
  o = {};
  o.mlp_hidden = {};
  auto r = make_regressor(RegressorKind::kMlp, o);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument);
  o = {};
  o.ridge_lambda = -1;
  EXPECT_FALSE(make_regressor(RegressorKind::kRidge, o).ok());
}

TEST(RegressorTest, MalformedJsonIsAParseErrorNamingTheSource) {
  const Dataset train = linear_data(80, 51);
  auto expect_parse_error = [](const nlohmann::json& j, const std::string& what) {
    auto r = regressor_from_json(j, "bad_model.json");
    ASSERT_FALSE(r.ok()) << what;
    EXPECT_EQ(r.error().code, ErrorCode::kParseError) << what;
    EXPECT_EQ(r.error().message.rfind("bad_model.json: ", 0), 0u) << what << ": " << r.error().message;
  };
  expect_parse_error(nlohmann::json::array(), "not an object");
  expect_parse_error({{"version", 1}}, "no kind");
  expect_parse_error({{"kind", "svm"}, {"version", 1}}, "unknown kind");

  // One missing field per kind.
  const std::vector<std::pair<RegressorKind, std::string>> required = {
      {RegressorKind::kLinear, "coefficients"},       {RegressorKind::kRidge, "options"},
      {RegressorKind::kLasso, "feature_std"},         {RegressorKind::kGbdt, "ensemble"},
      {RegressorKind::kRandomForest, "num_features"}, {RegressorKind::kMlp, "layers"}};
  for (const auto& [kind, field] : required) {
    auto r = make(kind);
    ASSERT_TRUE(r->fit(train.x, train.y).ok());
    nlohmann::json j = r->to_json();
    ASSERT_TRUE(j.contains(field)) << field;
    j.erase(field);
    expect_parse_error(j, kind_label(kind) + " without " + field);
  }

  auto linear = make(RegressorKind::kLinear);
  ASSERT_TRUE(linear->fit(train.x, train.y).ok());
  const nlohmann::json good = linear->to_json();
  nlohmann::json j = good;
  j["version"] = 99;
  expect_parse_error(j, "future version");
  j = good;
  j["kind"] = "mlp";  // a linear model's fields under the wrong kind
  expect_parse_error(j, "wrong kind");
  j = good;
  j["coefficients"].erase(0);
  expect_parse_error(j, "short array");
  j = good;
  j["intercept"] = "zero";
  expect_parse_error(j, "wrong type");

  auto gbdt = make(RegressorKind::kGbdt);
  ASSERT_TRUE(gbdt->fit(train.x, train.y).ok());
  const nlohmann::json good_trees = gbdt->to_json();
  j = good_trees;
  j["ensemble"]["trees"][0]["left"][0] = 0;  // the root as its own child: a cycle
  expect_parse_error(j, "cyclic tree");
  j = good_trees;
  j["ensemble"]["trees"][0]["feature"][0] = 3;  // only features 0..2 exist
  expect_parse_error(j, "feature out of range");
  j = good_trees;
  j["ensemble"]["trees"][0]["right"][0] = 100000;
  expect_parse_error(j, "child out of range");
}

// A hand-built tree pins XGBoost's semantics: left when x < threshold, NaN to default_left.
TEST(RegressorTreeEnsembleTest, SplitSemantics) {
  TreeEnsemble e(2, 10.0);
  TreeArrays t;
  t.left = {1, -1, 3, -1, -1};
  t.right = {2, -1, 4, -1, -1};
  t.feature = {0, -1, 1, -1, -1};
  t.value = {0.5f, 1.0f, -2.0f, 2.0f, 3.0f};
  t.default_left = {1, 0, 0, 0, 0};
  ASSERT_TRUE(e.add_tree(t).ok());
  const float nan = std::numeric_limits<float>::quiet_NaN();
  auto at = [&](float a, float b) {
    const std::vector<float> row = {a, b};
    return e.predict(row);
  };
  EXPECT_EQ(at(0.49f, 0.0f), 11.0);
  EXPECT_EQ(at(0.5f, -3.0f), 12.0);  // equal to the threshold goes right
  EXPECT_EQ(at(0.5f, -2.0f), 13.0);
  EXPECT_EQ(at(nan, 5.0f), 11.0);  // default left
  EXPECT_EQ(at(0.9f, nan), 13.0);  // default right
  EXPECT_EQ(e.num_nodes(), 5u);

  // Unreachable nodes are dropped; a reachable one twice is an error.
  TreeArrays pruned = t;
  pruned.left[2] = pruned.right[2] = -1;
  TreeEnsemble small(2, 0.0);
  ASSERT_TRUE(small.add_tree(pruned).ok());
  EXPECT_EQ(small.num_nodes(), 3u);
  TreeArrays shared = t;
  shared.left[2] = 1;
  EXPECT_FALSE(TreeEnsemble(2, 0.0).add_tree(shared).ok());
}

// Our evaluator reproduces XGBoost's own predictions, missing values included.
TEST(RegressorTreeEnsembleTest, MatchesXgboostPredictions) {
  std::mt19937 rng(5);
  std::uniform_real_distribution<float> u(-2.0f, 2.0f);
  std::bernoulli_distribution missing(0.1);
  auto make_rows = [&](size_t rows) {
    FeatureMatrix x(rows, 6);
    for (float& v : x.values) v = missing(rng) ? std::numeric_limits<float>::quiet_NaN() : u(rng);
    return x;
  };
  const FeatureMatrix x = make_rows(500);
  std::vector<double> y;
  for (size_t i = 0; i < x.rows; ++i) {
    auto value = [&](size_t c, float if_missing) { return std::isnan(x.at(i, c)) ? if_missing : x.at(i, c); };
    y.push_back(std::sin(3.0 * value(0, 0.0f)) + value(1, 1.0f) * value(1, 1.0f) +
                0.5 * value(2, 0.0f) * (value(3, 0.0f) > 0 ? 1 : -1) - 4.0);
  }
  RegressorOptions o = fast_options();
  for (RegressorKind kind : {RegressorKind::kGbdt, RegressorKind::kRandomForest}) {
    // Training rows sit exactly on hist bin boundaries (the split thresholds), which pins the
    // x < threshold rule; fresh rows land between them.
    std::vector<size_t> first(200);
    for (size_t i = 0; i < first.size(); ++i) first[i] = i;
    XgboostCheck check{x.select_rows(first), {}};
    const FeatureMatrix fresh = make_rows(200);
    for (size_t i = 0; i < fresh.rows; ++i) check.x.append_row(fresh.row(i));
    auto ensemble = train_xgboost_ensemble(kind, o, x, y, &check);
    ASSERT_TRUE(ensemble.ok()) << ensemble.error().message;
    EXPECT_EQ(ensemble->num_trees(), static_cast<size_t>(kind == RegressorKind::kGbdt ? o.gbdt_rounds : o.rf_trees));
    ASSERT_EQ(check.xgboost_predictions.size(), check.x.rows);
    for (size_t i = 0; i < check.x.rows; ++i) {
      const double ours = ensemble->predict(check.x.row(i));
      const double theirs = check.xgboost_predictions[i];
      EXPECT_LE(std::abs(ours - theirs), 1e-5 * std::max(1.0, std::abs(theirs))) << kind_label(kind) << " row " << i;
    }
  }
}

}  // namespace
}  // namespace nnlat::predictors
