// Op-wise transfer (predictors/opwise_transfer.hpp): the per-family kernel map recovers
// planted per-family scales, shrinks a thin family toward the global line, falls back to one
// scale with few kernels, and bad input is an error; end to end on a synthetic target whose
// one family runs 3x slower than the source predicts.
#include "nnlat/predictors/opwise_transfer.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "nnlat/predictors/synthetic.hpp"

namespace nnlat::predictors {
namespace {

using features::KernelFamily;

constexpr auto kFamilyA = static_cast<KernelFamily>(0);
constexpr auto kFamilyB = static_cast<KernelFamily>(1);
constexpr auto kFamilyThin = static_cast<KernelFamily>(2);
constexpr auto kFamilyUnseen = static_cast<KernelFamily>(3);

// `n` kernels of `family` with source estimates log-uniform on [0.01, 10] ms and target
// times scale · s^slope, times a few percent of noise.
void add_pairs(std::vector<KernelPair>& pairs, KernelFamily family, size_t n, double scale, double slope,
               std::mt19937& rng) {
  std::uniform_real_distribution<double> log_s(std::log(0.01), std::log(10.0));
  std::normal_distribution<double> noise(0.0, 0.03);
  for (size_t i = 0; i < n; ++i) {
    const double s = std::exp(log_s(rng));
    pairs.push_back({family, -1, s, scale * std::pow(s, slope) * std::exp(noise(rng))});
  }
}

TEST(OpwiseTransfer, KernelMapRecoversPlantedPerFamilyScales) {
  std::mt19937 rng(7);
  std::vector<KernelPair> pairs;
  add_pairs(pairs, kFamilyA, 300, 2.0, 1.0, rng);
  add_pairs(pairs, kFamilyB, 300, 0.5, 1.1, rng);
  auto map = KernelFamilyMap::fit(pairs);
  ASSERT_TRUE(map.ok()) << map.error().message;
  for (double s : {0.05, 0.5, 5.0}) {
    EXPECT_NEAR(map->map_ms(kFamilyA, -1, s) / (2.0 * s), 1.0, 0.03) << s;
    EXPECT_NEAR(map->map_ms(kFamilyB, -1, s) / (0.5 * std::pow(s, 1.1)), 1.0, 0.05) << s;
  }
  // A family never seen takes the global line, between the two.
  EXPECT_FALSE(map->family(kFamilyUnseen).has_value());
  const double unseen = map->map_ms(kFamilyUnseen, -1, 1.0);
  EXPECT_GT(unseen, 0.5);
  EXPECT_LT(unseen, 2.0);
  // A fused kernel (0 ms) stays 0.
  EXPECT_EQ(map->map_ms(kFamilyA, -1, 0.0), 0.0);
}

TEST(OpwiseTransfer, ThinFamilyIsShrunkTowardTheGlobalLine) {
  std::mt19937 rng(11);
  std::vector<KernelPair> pairs;
  add_pairs(pairs, kFamilyA, 200, 1.0, 1.0, rng);
  add_pairs(pairs, kFamilyThin, 2, 10.0, 1.0, rng);  // two kernels 10x slower
  auto map = KernelFamilyMap::fit(pairs);
  ASSERT_TRUE(map.ok());
  const double thin = map->map_ms(kFamilyThin, -1, 1.0);
  EXPECT_GT(thin, 1.5);         // moved toward its own kernels
  EXPECT_LT(thin, 10.0 * 0.6);  // but not all the way with two kernels
}

TEST(OpwiseTransfer, FewKernelsGiveOneScaleAndBadInputIsAnError) {
  std::vector<KernelPair> pairs = {{kFamilyA, -1, 1.0, 3.0}, {kFamilyA, -1, 2.0, 5.0}, {kFamilyA, -1, 4.0, 14.0}};
  auto map = KernelFamilyMap::fit(pairs);
  ASSERT_TRUE(map.ok());
  EXPECT_DOUBLE_EQ(map->global().b, 1.0);  // below kMinPairsForSlope: a pure scale
  EXPECT_DOUBLE_EQ(map->family(kFamilyA)->b, 1.0);

  EXPECT_FALSE(KernelFamilyMap::fit(std::vector<KernelPair>{}).ok());
  const std::vector<KernelPair> no_time = {
      {kFamilyA, -1, 0.0, 1.0}, {kFamilyA, -1, 1.0, 0.0}, {kFamilyA, -1, std::nan(""), 1.0}};
  auto bad = KernelFamilyMap::fit(no_time);
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.error().message.find("positive time"), std::string::npos);
}

// The source: a synthetic target; the target: the same networks with every kernel of the
// most common family 3x slower, timed inside the networks, and networks at 1.2x their kernel
// sum plus 0.05 ms.
struct Pair {
  TrainingSet source;
  TrainingSet target;
  KernelFamily slowed{};
};

Pair make_pair_of_targets() {
  SyntheticTarget truth;
  auto s = make_synthetic_training_set(truth, 40, 16, 400, 3);
  if (!s.ok()) std::abort();
  Pair p{std::move(*s), {}, {}};
  std::array<size_t, features::kNumFamilies> count{};
  for (const auto& n : p.source.networks) {
    for (const auto& f : n.kernels.features) ++count[static_cast<size_t>(f.family)];
  }
  p.slowed = static_cast<KernelFamily>(std::max_element(count.begin(), count.end()) - count.begin());
  p.target = p.source;
  p.target.target = "synthetic:other:float";
  p.target.kernels.clear();
  for (size_t i = 0; i < p.target.networks.size(); ++i) {
    auto& n = p.target.networks[i];
    double sum = 0;
    for (const auto& f : n.kernels.features) {
      const double ms = truth.kernel_ms(f) * (f.family == p.slowed ? 3.0 : 1.0);
      p.target.kernels.push_back({"", f, ms, i, ""});
      sum += ms;
    }
    n.latency_ms = 1.2 * sum + 0.05;
  }
  return p;
}

TEST(OpwiseTransfer, AdaptsASourcePredictorToATargetWithOneSlowerFamily) {
  const Pair p = make_pair_of_targets();
  TrainOptions options;
  options.calibrate = false;
  auto source = LatencyPredictor::train(p.source, options);
  ASSERT_TRUE(source.ok()) << source.error().message;
  const std::vector<size_t> k = {0, 3, 6, 9, 12, 15, 18, 21, 24, 27};
  auto model = OpwiseTransfer::fit(*source, p.target, k);
  ASSERT_TRUE(model.ok()) << model.error().message;
  EXPECT_GT(model->kernel_pairs(), 0u);
  // The slowed family's kernels map to about 3x what the other families' map to.
  const KernelFamily other = p.slowed == kFamilyA ? kFamilyB : kFamilyA;
  if (model->kernel_map().family(other)) {
    const double ratio = model->kernel_map().map_ms(p.slowed, -1, 0.1) / model->kernel_map().map_ms(other, -1, 0.1);
    EXPECT_NEAR(ratio, 3.0, 0.6);
  }
  // Held-out networks: within 10% on average; the source predictor alone, scaled by one
  // factor, cannot follow the family's change as well.
  double error = 0;
  double held_out = 0;
  for (size_t i = 0; i < p.target.networks.size(); ++i) {
    if (std::find(k.begin(), k.end(), i) != k.end()) continue;
    const auto& n = p.target.networks[i];
    error += std::abs(model->predict_ms(n.kernels) / n.latency_ms - 1.0);
    held_out += 1;
  }
  EXPECT_LT(error / held_out, 0.10);

  // Bad input: a network row out of range, none, a source that does not predict kernels.
  const std::vector<size_t> out_of_range = {0, 1000};
  EXPECT_FALSE(OpwiseTransfer::fit(*source, p.target, out_of_range).ok());
  EXPECT_FALSE(OpwiseTransfer::fit(*source, p.target, std::vector<size_t>{}).ok());
  TrainOptions flops = options;
  flops.method = Method::kFlops;
  auto whole = LatencyPredictor::train(p.source, flops);
  ASSERT_TRUE(whole.ok());
  auto refused = OpwiseTransfer::fit(*whole, p.target, k);
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.error().message.find("does not predict kernels"), std::string::npos);
}

}  // namespace
}  // namespace nnlat::predictors
