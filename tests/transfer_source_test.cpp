// Matching a transfer source's measurements to a target's networks (transfer_source.cpp): by
// identity, else by a name the source measured under one network, else not at all. The store
// is synthetic: two "frameworks" (network sources) with their own graphs of one model name.
#include <gtest/gtest.h>

#include <algorithm>
#include <optional>

#include "cli_test_util.hpp"
#include "nnlat/ir/builder.hpp"
#include "nnlat/measure/measurement.hpp"
#include "nnlat/measure/target.hpp"
#include "nnlat/predictors/training_set.hpp"

namespace nnlat {
namespace {

using testing::TempDir;

// A small network whose graph (hence identity) depends on `channels`.
ir::Graph net(const std::string& name, int64_t channels) {
  ir::GraphBuilder b(name);
  auto x = b.input({1, 3, 16, 16});
  auto y = b.conv_bn_act(x, channels, 3, 1, 1, ir::Act::kRelu);
  return b.finish({b.classifier(y, 10)});
}

class TransferSourceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto s = store::Store::open(dir_.file("t.db"));
    ASSERT_TRUE(s.ok()) << s.error().message;
    store_.emplace(std::move(*s));
  }

  int64_t network(const std::string& name, int64_t channels, const std::string& source) {
    auto id = store_->upsert_network(net(name, channels), {name, source, "", "tiny", ""});
    EXPECT_TRUE(id.ok()) << id.error().message;
    return id.ok() ? *id : -1;
  }

  void measure(const std::string& target, int64_t network_id, double ms) {
    auto t = measure::parse_target_name(target);
    ASSERT_TRUE(t.ok());
    auto target_id = store_->upsert_target(*t, "replay");
    ASSERT_TRUE(target_id.ok()) << target_id.error().message;
    store::MeasurementRecord r;
    r.target_id = *target_id;
    r.measurement = measure::measurement_from_samples({ms, ms, ms});
    r.environment.backend = "replay";
    ASSERT_TRUE(store_->add_network_measurement(network_id, r).ok());
  }

  double source_ms_of(const predictors::TrainingSet& data, const std::string& name) {
    for (const auto& n : data.networks) {
      if (n.name == name) return predictors::source_latency_ms(n.kernels, 0);
    }
    ADD_FAILURE() << "no network " << name;
    return -1;
  }

  TempDir dir_{"transfer_source"};
  std::optional<store::Store> store_;
};

constexpr const char* kSource = "phone:fwa-cpu:float";
constexpr const char* kTarget = "phone:fwb-cpu:float";

TEST_F(TransferSourceTest, MatchesByIdThenByUniqueNameElsePredicts) {
  // "net-a": one model, a graph per framework; the source measured fw-a's, the target fw-b's.
  measure(kSource, network("net-a", 8, "fw-a"), 4.0);
  measure(kTarget, network("net-a", 12, "fw-b"), 9.0);
  // "net-b": the very same graph measured on both.
  const int64_t shared = network("net-b", 16, "fw-a");
  measure(kSource, shared, 6.0);
  measure(kTarget, shared, 13.0);
  // "net-c": only the target measured it, under any name.
  measure(kTarget, network("net-c", 20, "fw-b"), 20.0);
  // "net-d": the source measured two graphs of this name, so the target's cannot pick one.
  measure(kSource, network("net-d", 24, "fw-a"), 7.0);
  measure(kSource, network("net-d", 28, "fw-c"), 8.0);
  measure(kTarget, network("net-d", 32, "fw-b"), 30.0);

  auto data = predictors::load_training_set(*store_, kTarget, "xnnpack");
  ASSERT_TRUE(data.ok()) << data.error().message;
  ASSERT_EQ(data->networks.size(), 4u);
  ASSERT_TRUE(predictors::attach_transfer_source(*data, *store_, kSource).ok());
  ASSERT_EQ(data->source_targets, std::vector<std::string>{kSource});
  EXPECT_DOUBLE_EQ(source_ms_of(*data, "net-a"), 4.0);
  EXPECT_DOUBLE_EQ(source_ms_of(*data, "net-b"), 6.0);
  EXPECT_EQ(source_ms_of(*data, "net-c"), 0.0);
  EXPECT_EQ(source_ms_of(*data, "net-d"), 0.0);
  EXPECT_EQ(data->source_matches.at(0).by_id, 1u);
  EXPECT_EQ(data->source_matches.at(0).by_name, 1u);
  EXPECT_EQ(data->source_matches.at(0).predicted, 2u);
  EXPECT_EQ(data->source_matches.at(0).ambiguous, 1u);
}

TEST_F(TransferSourceTest, TheSameGraphWinsOverAnotherOfItsName) {
  // The source measured both graphs of "net-a"; the target's own graph is matched by id.
  const int64_t a_fw_a = network("net-a", 8, "fw-a");
  const int64_t a_fw_b = network("net-a", 12, "fw-b");
  measure(kSource, a_fw_a, 4.0);
  measure(kSource, a_fw_b, 5.0);
  measure(kTarget, a_fw_b, 9.0);
  auto data = predictors::load_training_set(*store_, kTarget, "xnnpack");
  ASSERT_TRUE(data.ok()) << data.error().message;
  ASSERT_TRUE(predictors::attach_transfer_source(*data, *store_, kSource).ok());
  EXPECT_DOUBLE_EQ(source_ms_of(*data, "net-a"), 5.0);
  EXPECT_EQ(data->source_matches.at(0).by_id, 1u);
  EXPECT_EQ(data->source_matches.at(0).by_name, 0u);
}

TEST_F(TransferSourceTest, NothingSharedIsAnErrorNamingBothTargets) {
  measure(kSource, network("net-a", 8, "fw-a"), 4.0);
  measure(kTarget, network("net-z", 12, "fw-b"), 9.0);
  auto data = predictors::load_training_set(*store_, kTarget, "xnnpack");
  ASSERT_TRUE(data.ok()) << data.error().message;
  const Status s = predictors::attach_transfer_source(*data, *store_, kSource);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.error().message.find(kTarget), std::string::npos) << s.error().message;
  EXPECT_NE(s.error().message.find(kSource), std::string::npos) << s.error().message;
  EXPECT_NE(s.error().message.find("by name"), std::string::npos) << s.error().message;
  EXPECT_TRUE(data->source_targets.empty());
}

TEST_F(TransferSourceTest, SeveralSourcesByCommasOrAllSkippingThoseThatShareNothing) {
  constexpr const char* kOther = "phone:fwc-cpu:float";
  constexpr const char* kStranger = "phone:fwd-cpu:float";
  const int64_t shared = network("net-b", 16, "fw-a");
  measure(kSource, shared, 6.0);
  measure(kOther, shared, 3.0);
  measure(kTarget, shared, 13.0);
  measure(kStranger, network("net-z", 40, "fw-d"), 1.0);  // shares nothing with the target

  auto data = predictors::load_training_set(*store_, kTarget, "xnnpack");
  ASSERT_TRUE(data.ok()) << data.error().message;
  auto listed = *data;
  ASSERT_TRUE(predictors::attach_transfer_sources(listed, *store_, std::string(kOther) + "," + kSource).ok());
  ASSERT_EQ(listed.source_targets, (std::vector<std::string>{kOther, kSource}));
  EXPECT_EQ(listed.networks.at(0).kernels.sources_ms, (std::vector<double>{3.0, 6.0}));

  auto all = *data;
  ASSERT_TRUE(predictors::attach_transfer_sources(all, *store_, predictors::kAllSources).ok());
  ASSERT_EQ(all.source_targets.size(), 2u) << "the target itself and the stranger are no sources";
  EXPECT_TRUE(std::find(all.source_targets.begin(), all.source_targets.end(), kStranger) == all.source_targets.end());

  auto named_stranger = *data;
  const Status s = predictors::attach_transfer_sources(named_stranger, *store_, std::string(kSource) + "," + kStranger);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.error().message.find(kStranger), std::string::npos) << s.error().message;

  auto twice = *data;
  const Status t = predictors::attach_transfer_sources(twice, *store_, std::string(kSource) + "," + kSource);
  ASSERT_FALSE(t.ok());
  EXPECT_NE(t.error().message.find("twice"), std::string::npos) << t.error().message;

  auto empty = *data;
  const Status e = predictors::attach_transfer_sources(empty, *store_, std::string(kSource) + ",");
  ASSERT_FALSE(e.ok());
  EXPECT_NE(e.error().message.find("empty source target"), std::string::npos) << e.error().message;
}

}  // namespace
}  // namespace nnlat
