// The transfer source model is fitted once per input and shared across fits (eval's splits,
// repeats and calibration folds): a shared model must be the very model a fresh fit gives, and
// another input must never get a stale one.
#include <gtest/gtest.h>

#include <cmath>
#include <numeric>

#include "nnlat/predictors/synthetic.hpp"
#include "predictors/transfer.hpp"

namespace nnlat::predictors {
namespace {

// A synthetic target with a source that measured most networks (every fourth one it did not:
// the source model predicts those, so it matters for the predictions compared below).
TrainingSet with_source(double factor) {
  auto s = make_synthetic_training_set(SyntheticTarget{}, 30, 10, 200, 5);
  if (!s.ok()) std::abort();
  TrainingSet data = std::move(*s);
  data.source_targets = {"synthetic:source:float"};
  for (size_t i = 0; i < data.networks.size(); ++i) {
    auto& n = data.networks[i];
    n.kernels.sources_ms = {i % 4 == 3 ? 0 : n.latency_ms / factor * (1.0 + 0.05 * std::sin(static_cast<double>(i)))};
  }
  return data;
}

std::vector<double> predictions(const TransferModel& m, const TrainingSet& data) {
  std::vector<double> out;
  for (const auto& n : data.networks) out.push_back(m.predict_ms(n.kernels));
  return out;
}

TEST(TransferSourceModel, SharedAcrossFitsIdenticalToAFreshFitAndNeverStale) {
  const TrainingSet data = with_source(2.0);
  const std::vector<size_t> rows_a = {0, 1, 2, 4, 5, 6, 8, 9, 10, 12};
  const std::vector<size_t> rows_b = {13, 14, 16, 17, 18, 20, 21, 22, 24, 25};
  RegressorOptions options;
  auto a = TransferModel::fit(data, rows_a, options);
  ASSERT_TRUE(a.ok()) << a.error().message;
  auto b = TransferModel::fit(data, rows_b, options);
  ASSERT_TRUE(b.ok()) << b.error().message;
  // Other splits of one training set: one source model.
  EXPECT_EQ(a->to_json().at("source_model"), b->to_json().at("source_model"));

  // Other inputs get their own source model: other source latencies, another seed.
  auto other_source = TransferModel::fit(with_source(3.0), rows_a, options);
  ASSERT_TRUE(other_source.ok());
  EXPECT_NE(other_source->to_json().at("source_model"), a->to_json().at("source_model"));
  RegressorOptions seeded = options;
  seeded.seed = 99;
  auto other_seed = TransferModel::fit(data, rows_a, seeded);
  ASSERT_TRUE(other_seed.ok());
  EXPECT_NE(other_seed->to_json().at("source_model"), a->to_json().at("source_model"));

  // Evict `data`'s model (a few inputs are kept) and fit again: the fresh fit is the model
  // that was shared, and predicts exactly the same.
  for (double factor : {4.0, 5.0, 6.0, 7.0}) ASSERT_TRUE(TransferModel::fit(with_source(factor), rows_a, options).ok());
  auto fresh = TransferModel::fit(data, rows_a, options);
  ASSERT_TRUE(fresh.ok());
  EXPECT_EQ(fresh->to_json(), a->to_json());
  EXPECT_EQ(predictions(*fresh, data), predictions(*a, data));
}

TEST(TransferSourceModel, TooFewSharedNetworksIsStillAnError) {
  TrainingSet data = with_source(2.0);
  for (size_t i = 1; i < data.networks.size(); ++i) data.networks[i].kernels.sources_ms = {0.0};
  const std::vector<size_t> rows = {0, 1, 2};
  auto m = TransferModel::fit(data, rows, RegressorOptions{});
  ASSERT_FALSE(m.ok());
  EXPECT_NE(m.error().message.find("shares 1 networks"), std::string::npos) << m.error().message;
}

}  // namespace
}  // namespace nnlat::predictors
