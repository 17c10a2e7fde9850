// The method registry (predictors/methods.inc): every method listed once under a unique
// name, and every method round-trips train → save → load → the same file and predictions.
#include <gtest/gtest.h>

#include <filesystem>
#include <set>

#include "nnlat/predictors/predictor.hpp"
#include "nnlat/predictors/synthetic.hpp"

namespace nnlat {
namespace {

using predictors::Method;

TEST(MethodRegistry, ListsEveryMethodOnceUnderAUniqueName) {
  const auto methods = predictors::all_methods();
  ASSERT_EQ(methods.size(), predictors::kNumMethods);
  std::set<std::string_view> names;
  for (size_t i = 0; i < methods.size(); ++i) {
    EXPECT_EQ(static_cast<size_t>(methods[i]), i);
    const auto name = predictors::method_name(methods[i]);
    EXPECT_FALSE(name.empty());
    EXPECT_TRUE(names.insert(name).second) << "duplicate method name " << name;
    auto parsed = predictors::parse_method(name);
    ASSERT_TRUE(parsed.ok()) << name;
    EXPECT_EQ(*parsed, methods[i]);
  }
  EXPECT_FALSE(predictors::parse_method("opwise").ok());
}

TEST(MethodRegistry, BaselinesAndTraits) {
  EXPECT_EQ(predictors::baseline_methods(), (std::vector<Method>{Method::kFlops, Method::kLut, Method::kE2eRidge}));
  for (Method m : predictors::all_methods()) {
    const auto t = predictors::method_traits(m);
    EXPECT_EQ(predictors::is_opwise(m), t.opwise) << predictors::method_name(m);
    if (t.opwise) {
      EXPECT_TRUE(t.needs_kernels) << predictors::method_name(m);
    }
  }
  EXPECT_TRUE(predictors::method_traits(Method::kLut).needs_hashes);
  EXPECT_TRUE(predictors::method_traits(Method::kLut).needs_kernels);
  EXPECT_FALSE(predictors::method_traits(Method::kLut).opwise);
  EXPECT_FALSE(predictors::method_traits(Method::kFlops).needs_kernels);
}

TEST(MethodRegistry, EveryMethodRoundTripsThroughItsFile) {
  auto made = predictors::make_synthetic_training_set({}, 12, 4, 220, 5);
  ASSERT_TRUE(made.ok());
  predictors::TrainingSet data = std::move(*made);
  data.source_targets = {"synthetic:source:float"};  // transfer needs a source
  for (size_t i = 0; i < data.networks.size(); ++i)
    data.networks[i].kernels.sources_ms = {data.networks[i].latency_ms * (1.5 + 0.1 * static_cast<double>(i % 4))};
  const auto path = (std::filesystem::temp_directory_path() / "nnlat_registry_test.json").string();
  for (Method m : predictors::all_methods()) {
    const std::string name(predictors::method_name(m));
    predictors::TrainOptions o;
    o.method = m;
    o.calibrate = m == Method::kFlops;  // one calibrated interval travels too
    o.regressor.gbdt_rounds = 30;
    o.regressor.rf_trees = 15;
    o.regressor.mlp_epochs = 20;
    auto p = predictors::LatencyPredictor::train(data, o);
    ASSERT_TRUE(p.ok()) << name << ": " << p.error().message;
    EXPECT_EQ(p->needs_hashes(), predictors::method_traits(m).needs_hashes) << name;
    ASSERT_TRUE(p->save(path).ok()) << name;
    auto q = predictors::LatencyPredictor::load(path);
    ASSERT_TRUE(q.ok()) << name << ": " << q.error().message;
    EXPECT_EQ(q->method(), m);
    EXPECT_EQ(q->to_json(), p->to_json()) << name << ": saving a loaded file changes it";
    for (const auto& net : data.networks) {
      const auto a = p->predict(net.kernels);
      const auto b = q->predict(net.kernels);
      EXPECT_EQ(a.latency_ms, b.latency_ms) << name << " " << net.name;
      EXPECT_EQ(a.low_ms, b.low_ms) << name << " " << net.name;
      EXPECT_EQ(a.kernel_sum_ms, b.kernel_sum_ms) << name << " " << net.name;
      EXPECT_EQ(a.kernels.size(), b.kernels.size()) << name << " " << net.name;
    }
  }
  std::filesystem::remove(path);
}

}  // namespace
}  // namespace nnlat
