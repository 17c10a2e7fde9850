// The encoding fast path (predictors/encoding_predictor.hpp) against the generic path: the
// same figure bit for bit for every space and kind of method, whatever the thread count and
// whether the memos are warm or cleared; malformed encodings are errors naming them.
#include "nnlat/predictors/encoding_predictor.hpp"

#include <gtest/gtest.h>

#include <cstdio>
#include <map>
#include <random>

#include "nnlat/fusion/fusion.hpp"
#include "nnlat/models/nas.hpp"
#include "nnlat/predictors/synthetic.hpp"

namespace nnlat {
namespace {

using predictors::EncodingPredictor;
using predictors::LatencyPredictor;
using predictors::Method;

const predictors::TrainingSet& synthetic_set() {
  static const predictors::TrainingSet set = [] {
    auto s = predictors::make_synthetic_training_set({}, 16, 8, 400, 7);
    if (!s.ok()) std::abort();
    return std::move(*s);
  }();
  return set;
}

// One trained predictor per method, shared by the tests (training is the slow part).
const LatencyPredictor& trained(Method method) {
  static std::map<Method, LatencyPredictor> cache;
  auto it = cache.find(method);
  if (it == cache.end()) {
    predictors::TrainOptions o;
    o.method = method;
    o.calibrate = false;
    auto p = LatencyPredictor::train(synthetic_set(), o);
    if (!p.ok()) std::abort();
    it = cache.emplace(method, std::move(*p)).first;
  }
  return it->second;
}

// What the generic path predicts: the built graph, decomposed and predicted.
double generic_ms(const LatencyPredictor& p, const std::string& space, const std::string& encoding) {
  auto graph = models::build_space_graph(space, encoding, {});
  EXPECT_TRUE(graph.ok()) << graph.error().message;
  auto prediction = p.predict(*graph);
  EXPECT_TRUE(prediction.ok()) << prediction.error().message;
  return prediction->latency_ms;
}

std::vector<std::string> sample(const std::string& space, int n, uint64_t seed) {
  auto s = models::sample_space(space, n, seed);
  EXPECT_TRUE(s.ok()) << s.error().message;
  return *s;
}

// Kernel-wise (op-wise), whole-network (e2e, flops), hash-based (lut) and composite
// (ensemble) methods: every kind the fast path treats differently.
class FastPathEqualsGeneric : public ::testing::TestWithParam<std::tuple<Method, std::string>> {};

TEST_P(FastPathEqualsGeneric, BitForBit) {
  const auto [method, space] = GetParam();
  const LatencyPredictor& p = trained(method);
  auto fast = EncodingPredictor::create(p, space);
  ASSERT_TRUE(fast.ok()) << fast.error().message;
  auto encodings = sample(space, 40, 3);
  // Repeats: the second sight of an encoding comes from the memo.
  const std::vector<std::string> repeats(encodings.begin(), encodings.begin() + 5);
  encodings.insert(encodings.end(), repeats.begin(), repeats.end());
  for (const auto& e : encodings) {
    auto r = fast->predict(e);
    ASSERT_TRUE(r.ok()) << r.error().message;
    EXPECT_EQ(r->latency_ms, generic_ms(p, space, e)) << space << " " << e;
  }
}

INSTANTIATE_TEST_SUITE_P(MethodsAndSpaces, FastPathEqualsGeneric,
                         ::testing::Combine(::testing::Values(Method::kOpwiseGbdt, Method::kOpwiseLinear,
                                                              Method::kE2eRidge, Method::kFlops, Method::kLut),
                                            ::testing::Values(std::string("nb201"), std::string("nb101"),
                                                              std::string("mbv2"))),
                         [](const auto& info) {
                           std::string name(predictors::method_name(std::get<0>(info.param)));
                           for (char& c : name) c = c == '-' ? '_' : c;
                           return name + "_" + std::get<1>(info.param);
                         });

TEST(EncodingPredictor, EnsembleFallsBackToItsMembersAndAgrees) {
  const LatencyPredictor& p = trained(Method::kOpwiseEnsemble);
  auto fast = EncodingPredictor::create(p, "nb201");
  ASSERT_TRUE(fast.ok());
  for (const auto& e : sample("nb201", 10, 8)) EXPECT_EQ(fast->predict(e)->latency_ms, generic_ms(p, "nb201", e));
}

TEST(EncodingPredictor, ThreadsAndClearedCachesGiveTheSameFigures) {
  const LatencyPredictor& p = trained(Method::kOpwiseGbdt);
  for (const std::string space : {"nb201", "mbv2"}) {
    auto fast = EncodingPredictor::create(p, space);
    ASSERT_TRUE(fast.ok());
    auto encodings = sample(space, space == "nb201" ? 600 : 150, 5);
    // Repeated encodings spread over the batch, as a search loop sends them.
    std::mt19937 rng(1);
    const size_t distinct = encodings.size();
    for (int i = 0; i < 200; ++i) encodings.push_back(std::string(encodings[rng() % distinct]));
    std::vector<double> one(encodings.size()), four(encodings.size()), cold(encodings.size());
    ASSERT_TRUE(fast->predict_batch(encodings, one, 1).ok());
    EXPECT_GT(fast->cached_kernels(), 0u);
    EXPECT_GT(fast->cached_encodings(), 0u);
    // A fresh path on 4 threads, each thread seeing first sights in its own order.
    auto fresh = EncodingPredictor::create(p, space);
    ASSERT_TRUE(fresh->predict_batch(encodings, four, 4).ok());
    EXPECT_EQ(one, four) << space;
    fast->clear_cache();
    EXPECT_EQ(fast->cached_kernels(), 0u);
    EXPECT_EQ(fast->cached_encodings(), 0u);
    ASSERT_TRUE(fast->predict_batch(encodings, cold, 0).ok());
    EXPECT_EQ(one, cold) << space;
    for (size_t i = 0; i < encodings.size(); i += 97) EXPECT_EQ(one[i], fast->predict(encodings[i])->latency_ms);
  }
}

TEST(EncodingPredictor, Mbv2IsSplicedFromSegmentsNb201IsNot) {
  const LatencyPredictor& p = trained(Method::kOpwiseGbdt);
  EXPECT_TRUE(EncodingPredictor::create(p, "mbv2")->splices_segments());
  EXPECT_FALSE(EncodingPredictor::create(p, "nb201")->splices_segments());
  EXPECT_FALSE(EncodingPredictor::create(p, "nb101")->splices_segments());
  // Every segment kind, skipped layers and the squeeze-excite/hard-swish variants included.
  auto fast = EncodingPredictor::create(p, "mbv2");
  for (const std::string e :
       {"k3e6-k3e6-k3e6-k3e6-k3e6-k3e6-k3e6-k3e6-k3e6-k3e6-k3e6-k3e6-k3e6-k3e6-k3e6-k3e6",
        "k7e1sehs-skip-k5e3se-skip-skip-k3e6hs-skip-skip-skip-k7e6sehs-skip-skip-k5e1-skip-skip-k3e3"}) {
    EXPECT_EQ(fast->predict(e)->latency_ms, generic_ms(p, "mbv2", e)) << e;
  }
}

// An op-wise linear predictor on the synthetic set under the rule set `rules`.
Result<LatencyPredictor> opwise_linear_under(const std::string& rules) {
  predictors::TrainingSet data = synthetic_set();
  data.rules = rules;
  predictors::TrainOptions o;
  o.method = Method::kOpwiseLinear;
  o.calibrate = false;
  return LatencyPredictor::train(data, o);
}

// Under every built-in rule set: an op-wise linear predictor, its NB201 fast path and that
// path's figures for `encodings` (a batch on 2 threads), handed to `check`.
template <class Check>
void for_every_rule_set_on_nb201(const std::vector<std::string>& encodings, const Check& check) {
  for (const auto& rules : fusion::builtin_rule_set_names()) {
    auto p = opwise_linear_under(rules);
    ASSERT_TRUE(p.ok()) << p.error().message;
    auto fast = EncodingPredictor::create(*p, "nb201");
    ASSERT_TRUE(fast.ok()) << fast.error().message;
    std::vector<double> batch(encodings.size());
    ASSERT_TRUE(fast->predict_batch(encodings, batch, 2).ok());
    check(rules, *p, *fast, batch);
  }
}

// Under every built-in rule set (GPU rules link element-wise tails, none fuses nothing) the
// fast path agrees with the generic one, whether or not it splices mbv2 from segments.
TEST(EncodingPredictor, EveryRuleSetAgrees) {
  for (const char* rules : {"tflite-gpu", "none"}) {
    auto p = opwise_linear_under(rules);
    ASSERT_TRUE(p.ok()) << p.error().message;
    for (const std::string space : {"nb201", "mbv2", "nb101"}) {
      auto fast = EncodingPredictor::create(*p, space);
      ASSERT_TRUE(fast.ok()) << fast.error().message;
      for (const auto& e : sample(space, 8, 21)) {
        EXPECT_EQ(fast->predict(e)->latency_ms, generic_ms(*p, space, e)) << rules << " " << space << " " << e;
      }
    }
  }
}

// NB201 plans come from op skeletons: under every built-in rule set, on a broad sample of
// cells (with the all-'none' cell and cells whose nodes are dead), the figures equal the
// generic path's, and no graph ever disagreed with its skeleton.
TEST(EncodingPredictor, Nb201SkeletonPlansAgreeUnderEveryRuleSet) {
  auto encodings = sample("nb201", 400, 77);
  encodings.push_back("|none~0|+|none~0|none~1|+|none~0|none~1|none~2|");
  encodings.push_back("|nor_conv_3x3~0|+|none~0|none~1|+|skip_connect~0|none~1|none~2|");
  encodings.push_back("|avg_pool_3x3~0|+|nor_conv_1x1~0|skip_connect~1|+|none~0|none~1|nor_conv_3x3~2|");
  for_every_rule_set_on_nb201(encodings, [&](const std::string& rules, const LatencyPredictor& p,
                                             const EncodingPredictor& fast, const std::vector<double>& batch) {
    for (size_t i = 0; i < encodings.size(); ++i) {
      EXPECT_EQ(batch[i], generic_ms(p, "nb201", encodings[i])) << rules << " " << encodings[i];
    }
    EXPECT_TRUE(fast.uses_skeletons()) << rules;
    // Far fewer distinct kernels than networks: most plans came from the skeleton alone.
    EXPECT_LT(fast.cached_kernels(), 200u) << rules;
  });
}

// Abridged skeletons (three cells a stage standing for five) on a fifth of the NB201 space
// under every built-in rule set: every cell's figure equals the generic path's built from the
// whole graph, and the abridged skeleton served most plans. (The whole space passes too; a
// fifth keeps the test's graph builds to seconds.)
TEST(EncodingPredictor, Nb201AbridgedSkeletonsAgreeWithWholeGraphs) {
  const auto encodings = sample("nb201", 3125, 5);
  for_every_rule_set_on_nb201(encodings, [&](const std::string& rules, const LatencyPredictor& p,
                                             const EncodingPredictor& fast, const std::vector<double>& batch) {
    size_t differ = 0;
    for (size_t i = 0; i < encodings.size(); ++i) {
      if (batch[i] != generic_ms(p, "nb201", encodings[i]) && ++differ <= 3) {
        ADD_FAILURE() << rules << " " << encodings[i] << ": " << batch[i];
      }
    }
    EXPECT_EQ(differ, 0u) << rules;
    EXPECT_TRUE(fast.uses_skeletons()) << rules;
    EXPECT_LT(fast.whole_skeletons(), encodings.size() / 10) << rules;
    std::printf("%s: %zu of %zu plans needed the whole skeleton\n", rules.c_str(), fast.whole_skeletons(),
                encodings.size());
  });
}

TEST(EncodingPredictor, IntervalsAreThePredictorsOwn) {
  const LatencyPredictor& p = trained(Method::kOpwiseGbdt);
  auto fast = EncodingPredictor::create(p, "nb201");
  const auto e = sample("nb201", 1, 2)[0];
  auto graph = models::build_space_graph("nb201", e, {});
  const auto generic = *p.predict(*graph);
  const auto r = *fast->predict(e);
  EXPECT_EQ(r.latency_ms, generic.latency_ms);
  EXPECT_EQ(r.low_ms, generic.low_ms);
  EXPECT_EQ(r.high_ms, generic.high_ms);
  EXPECT_EQ(r.kernel_sum_ms, generic.kernel_sum_ms);
  EXPECT_EQ(r.extrapolated_kernels, generic.extrapolated_kernels);
}

TEST(EncodingPredictor, MalformedEncodingsAreErrorsNamingThem) {
  const LatencyPredictor& p = trained(Method::kOpwiseGbdt);
  auto unknown = EncodingPredictor::create(p, "nb999");
  ASSERT_FALSE(unknown.ok());
  EXPECT_NE(unknown.error().message.find("nb999"), std::string::npos);

  auto fast = EncodingPredictor::create(p, "nb201");
  auto bad = fast->predict("|not_an_op~0|+|");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().code, ErrorCode::kInvalidArgument);

  auto good = sample("nb201", 300, 1);
  good[170] = "|nor_conv_3x3~0|+|nor_conv_3x3~0|bogus~1|+|skip_connect~0|nor_conv_3x3~1|skip_connect~2|";
  good[250] = "";
  std::vector<double> out(good.size());
  size_t failed = 0;
  const Status s = fast->predict_batch(good, out, 3, &failed);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(failed, 170u);  // the first malformed one, whatever the thread that met it
  EXPECT_NE(s.error().message.find("encoding 170"), std::string::npos) << s.error().message;
  EXPECT_NE(s.error().message.find("bogus"), std::string::npos) << s.error().message;

  auto mbv2 = EncodingPredictor::create(p, "mbv2");
  auto short_one = mbv2->predict("k3e6-k5e3");
  ASSERT_FALSE(short_one.ok());
  EXPECT_NE(short_one.error().message.find("16 layer tokens"), std::string::npos) << short_one.error().message;

  std::vector<double> too_small(2);
  EXPECT_FALSE(fast->predict_batch(good, too_small, 1).ok());
  EXPECT_FALSE(fast->predict_batch(good, out, -1).ok());
}

// A predictor whose figure overflows (here a FLOPs slope edited to 1e306 ms per MAC) gives an
// error naming the encoding from predict and from predict_batch, never an infinite latency.
TEST(EncodingPredictor, ANonFinitePredictionIsAnErrorNamingTheEncoding) {
  auto j = trained(Method::kFlops).to_json();
  j["flops"]["ms_per_mac"] = 1e306;
  auto overflowing = LatencyPredictor::from_json(j, "edited.json");
  ASSERT_TRUE(overflowing.ok()) << overflowing.error().message;
  auto fast = EncodingPredictor::create(*overflowing, "nb201");
  ASSERT_TRUE(fast.ok()) << fast.error().message;
  const auto cells = sample("nb201", 40, 3);
  auto one = fast->predict(cells[0]);
  ASSERT_FALSE(one.ok());
  EXPECT_EQ(one.error().code, ErrorCode::kUnsupported);
  EXPECT_NE(one.error().message.find(cells[0]), std::string::npos) << one.error().message;
  EXPECT_NE(one.error().message.find("not a finite number"), std::string::npos) << one.error().message;

  std::vector<double> out(cells.size(), -1.0);
  size_t failed = cells.size();
  const Status s = fast->predict_batch(cells, out, 2, &failed);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(failed, 0u);
  EXPECT_NE(s.error().message.find("encoding 0"), std::string::npos) << s.error().message;
  EXPECT_NE(s.error().message.find("not a finite number"), std::string::npos) << s.error().message;
}

}  // namespace
}  // namespace nnlat
