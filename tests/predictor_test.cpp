// Predictors on a synthetic target whose kernel latencies follow a known roofline and whose
// networks add a known dispatch overhead: the learners must recover what was put in. No
// latency here is a measurement; real-data accuracy is in docs/accuracy.md.
#include "nnlat/predictors/predictor.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <map>
#include <set>

#include "nnlat/core/file_io.hpp"
#include "nnlat/eval/evaluation.hpp"
#include "nnlat/predictors/synthetic.hpp"
#include "predictors/composition.hpp"
#include "predictors/overhead_json.hpp"

namespace nnlat {
namespace {

using predictors::Method;

const predictors::SyntheticTarget kTarget;

double synthetic_kernel_ms(const features::KernelFeatures& f) { return kTarget.kernel_ms(f); }

const predictors::TrainingSet& synthetic_set() {
  static const predictors::TrainingSet set = [] {
    auto s = predictors::make_synthetic_training_set(kTarget, 24, 8, 600, 11);
    if (!s.ok()) std::abort();
    return std::move(*s);
  }();
  return set;
}

TEST(Predictor, HeldOutNetworksKernelsAreExcluded) {
  const auto& data = synthetic_set();
  const std::vector<size_t> held = {0, 3, 30};
  const auto rows = predictors::kernel_rows_excluding(data, held);
  std::set<std::string> banned;
  for (size_t n : held) banned.insert(data.networks[n].kernels.hashes.begin(), data.networks[n].kernels.hashes.end());
  ASSERT_FALSE(banned.empty());
  EXPECT_LT(rows.size(), data.kernels.size());
  for (size_t r : rows) EXPECT_FALSE(banned.contains(data.kernels[r].hash));
}

TEST(Predictor, OverheadModelRecoversTheDispatchCost) {
  // Given the true kernel latencies, the overhead fit must reproduce the networks that the
  // synthetic target generated as constant + per-kernel cost + scale × sum.
  const auto& data = synthetic_set();
  std::vector<predictors::FamilyTotals> totals;
  std::vector<double> measured;
  for (const auto& net : data.networks) {
    predictors::FamilyTotals t;
    for (const auto& f : net.kernels.features) t.add(f, synthetic_kernel_ms(f));
    totals.push_back(t);
    measured.push_back(net.latency_ms);
  }
  const auto model = predictors::fit_overhead(totals, measured);
  EXPECT_EQ(model.networks, data.networks.size());
  for (size_t i = 0; i < totals.size(); ++i) {
    EXPECT_NEAR(model.apply(totals[i]), measured[i], 1e-6 * measured[i]) << data.networks[i].name;
  }
  EXPECT_NEAR(model.scale[static_cast<size_t>(features::KernelFamily::kConv)], kTarget.scale, 1e-6);
  // Through training, with predicted kernels: the file records the fitted model.
  predictors::TrainOptions o;
  o.method = Method::kOpwiseGbdt;
  o.calibrate = false;
  auto p = predictors::LatencyPredictor::train(data, o);
  ASSERT_TRUE(p.ok()) << p.error().message;
  EXPECT_EQ(p->to_json()["overhead"]["networks"].get<size_t>(), data.networks.size());
}

TEST(Predictor, OverheadModelKeepsANetworkUnlikeItsTrainingOnesAtOrAboveItsKernelSum) {
  // Training networks of 5-50 ms whose end to end is 1.2 x their kernel sum minus 0.5 ms: the
  // fit finds the negative constant. A network of a hundred tiny kernels (0.6 ms in all) would
  // be predicted at 0.22 ms by those terms; every training network ran above its kernel sum,
  // so the model predicts it no lower than its kernel sum. Where training networks ran below
  // theirs (0.8 x), that is the floor instead.
  const auto conv = static_cast<size_t>(features::KernelFamily::kConv);
  for (double slope : {1.2, 0.8}) {
    std::vector<predictors::FamilyTotals> totals;
    std::vector<double> measured;
    for (int i = 0; i < 20; ++i) {
      predictors::FamilyTotals t;
      t.sum_ms[conv] = 5.0 + 2.4 * i;
      t.count[conv] = 10 + i % 7;
      totals.push_back(t);
      measured.push_back(slope * t.sum_ms[conv] - (slope > 1 ? 0.5 : 0.0));
    }
    const auto model = predictors::fit_overhead(totals, measured);
    predictors::FamilyTotals tiny;
    tiny.sum_ms[conv] = 0.6;
    tiny.count[conv] = 100;
    if (slope > 1) {
      EXPECT_LT(model.constant_ms + 100 * model.per_kernel_ms[conv] + model.scale[conv] * 0.6, 0.6);
      EXPECT_EQ(model.min_ratio, 1.0);
      EXPECT_NEAR(model.apply(tiny), 0.6, 1e-12);
    } else {
      EXPECT_NEAR(model.min_ratio, 0.8, 1e-9);
      EXPECT_GE(model.apply(tiny), 0.8 * 0.6 - 1e-12);
    }
    for (size_t i = 0; i < totals.size(); ++i) EXPECT_NEAR(model.apply(totals[i]), measured[i], 0.02 * measured[i]);
  }
}

TEST(Predictor, OverheadFloorTravelsInThePredictorFile) {
  predictors::OverheadModel model;
  model.min_ratio = 1.0;
  const predictors::KernelModels kernels;
  auto j = predictors::overhead_to_json(model, kernels);
  auto back = predictors::overhead_from_json(j, kernels, "p.json");
  ASSERT_TRUE(back.ok()) << back.error().message;
  EXPECT_EQ(back->min_ratio, 1.0);
  j.erase("min_ratio");  // a file from before the floor keeps its 0.2
  back = predictors::overhead_from_json(j, kernels, "p.json");
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->min_ratio, 0.2);
  j["min_ratio"] = -1.0;
  back = predictors::overhead_from_json(j, kernels, "p.json");
  ASSERT_FALSE(back.ok());
  EXPECT_NE(back.error().message.find("p.json"), std::string::npos);
  EXPECT_NE(back.error().message.find("min_ratio"), std::string::npos);
}

TEST(Predictor, OverheadModelLearnsAPerImplementationCost) {
  // Networks whose conv kernels are partly "Winograd" (slot 1), each such kernel costing an
  // extra 0.05 ms inside the network: the fit must find that cost and predict the networks.
  const auto& data = synthetic_set();
  std::vector<predictors::FamilyTotals> totals;
  std::vector<double> measured;
  for (size_t n = 0; n < data.networks.size(); ++n) {
    predictors::FamilyTotals t;
    double e2e = 0;
    size_t convs = 0;
    for (const auto& f : data.networks[n].kernels.features) {
      const double ms = synthetic_kernel_ms(f);
      t.add(f, ms);
      e2e += ms;
      if (f.family == features::KernelFamily::kConv && (convs++ + n) % 3 == 0) {
        t.add_implementation(f.family, 1);
        e2e += 0.05;
      }
    }
    totals.push_back(t);
    measured.push_back(e2e);
  }
  const auto model = predictors::fit_overhead(totals, measured);
  const size_t slot = static_cast<size_t>(features::KernelFamily::kConv) * predictors::kImplementationSlots + 1;
  EXPECT_NEAR(model.per_implementation_ms[slot], 0.05, 0.01);
  double worst = 0;
  for (size_t i = 0; i < totals.size(); ++i) {
    worst = std::max(worst, std::abs(model.apply(totals[i]) / measured[i] - 1));
  }
  EXPECT_LT(worst, 0.02);
}

TEST(Predictor, TransferLearnsTheCorrectionFromFiveNetworks) {
  // The target runs every network 2.5x slower than the source: five target networks must
  // be enough to predict the others from their source latencies.
  predictors::TrainingSet data = synthetic_set();
  data.source_targets = {"synthetic:source:float"};
  for (auto& n : data.networks) n.kernels.sources_ms = {n.latency_ms / 2.5};
  const std::vector<size_t> train = {0, 1, 2, 3, 4};
  predictors::TrainOptions o;
  o.method = Method::kTransfer;
  o.calibrate = false;
  auto p = predictors::LatencyPredictor::train(data, {}, train, o);
  ASSERT_TRUE(p.ok()) << p.error().message;
  for (size_t i = 5; i < data.networks.size(); ++i) {
    EXPECT_NEAR(p->predict(data.networks[i].kernels).latency_ms / data.networks[i].latency_ms, 1.0, 0.02)
        << data.networks[i].name;
  }
  // Without a source: an error that says what is missing.
  predictors::TrainingSet no_source = synthetic_set();
  auto missing = predictors::LatencyPredictor::train(no_source, {}, train, o);
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.error().message.find("--from"), std::string::npos) << missing.error().message;
}

TEST(Predictor, OpwiseBeatsTheBaselinesOnHeldOutNetworks) {
  const auto& data = synthetic_set();
  auto splits = eval::kfold_splits(data.networks.size(), 4, 1);
  ASSERT_TRUE(splits.ok());
  std::map<Method, eval::MethodReport> reports;
  for (Method m : {Method::kOpwiseGbdt, Method::kOpwiseLinear, Method::kFlops, Method::kLut, Method::kE2eRidge}) {
    predictors::TrainOptions o;
    o.method = m;
    o.calibrate = m == Method::kOpwiseGbdt;
    auto r = eval::evaluate_splits(data, *splits, o, false);
    ASSERT_TRUE(r.ok()) << predictors::method_name(m) << ": " << r.error().message;
    EXPECT_EQ(r->overall.n, data.networks.size());
    reports[m] = *r;
  }
  const auto& gbdt = reports[Method::kOpwiseGbdt].overall;
  EXPECT_LT(gbdt.mape, 0.08);
  EXPECT_GT(gbdt.kendall_tau, 0.8);
  EXPECT_LT(gbdt.mape, reports[Method::kFlops].overall.mape);
  // The lookup table has no entry for a held-out network's kernels and no overhead model.
  EXPECT_LT(gbdt.mape, reports[Method::kLut].overall.mape);
  EXPECT_GT(reports[Method::kOpwiseGbdt].interval_coverage, 0.6);
}

// Leave-one-family-out on the synthetic set (NB201 and mbv2 networks): each family is
// predicted only by the model trained on the other, every network once.
TEST(Predictor, LeaveOneFamilyOutPredictsEachFamilyFromTheOthers) {
  const auto& data = synthetic_set();
  std::vector<std::string> families;
  for (const auto& n : data.networks) families.push_back(n.family);
  auto splits = eval::family_splits(families);
  ASSERT_TRUE(splits.ok()) << splits.error().message;
  ASSERT_EQ(splits->size(), 2u);
  predictors::TrainOptions o;
  o.method = Method::kOpwiseGbdt;
  o.calibrate = false;
  auto r = eval::evaluate_splits(data, *splits, o, false);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->overall.n, data.networks.size());
  std::multiset<std::string> predicted;
  for (const auto& res : r->results) {
    predicted.insert(res.name);
    EXPECT_EQ((*splits)[static_cast<size_t>(res.repeat)].held_out_family, res.family) << res.name;
  }
  EXPECT_EQ(predicted.size(), std::set<std::string>(predicted.begin(), predicted.end()).size());
  EXPECT_EQ(r->per_family.size(), 2u);
  EXPECT_EQ(r->per_family.at("nb201").n + r->per_family.at("mbv2").n, data.networks.size());
}

TEST(Predictor, EvaluationSplitsTheErrorIntoKernelsAndOverhead) {
  // Network 0 gets per-kernel timings inside its run (as a phone dataset's per-op rows): its
  // result carries their sum; networks without such rows carry the sum of their kernels'
  // isolated times when all were measured (a local target), none when one was not (network 1
  // loses one). Kernel-wise methods report their kernel sum, whole-network methods none.
  predictors::TrainingSet data = synthetic_set();
  const std::string unmeasured = data.networks[1].kernels.hashes.at(0);
  std::erase_if(data.kernels, [&](const predictors::KernelExample& k) { return k.hash == unmeasured; });
  std::map<std::string, double> isolated_ms;
  for (const auto& k : data.kernels) isolated_ms.emplace(k.hash, k.latency_ms);
  std::map<std::string, double> expected_isolated_sum;  // 0: some kernel unmeasured
  for (const auto& net : data.networks) {
    double sum = 0;
    bool complete = true;
    for (const auto& h : net.kernels.hashes) {
      const auto it = isolated_ms.find(h);
      complete = complete && it != isolated_ms.end();
      if (complete) sum += it->second;
    }
    expected_isolated_sum[net.name] = complete ? sum : 0.0;
  }
  ASSERT_EQ(expected_isolated_sum.at(data.networks[1].name), 0.0);
  ASSERT_GT(std::count_if(expected_isolated_sum.begin(), expected_isolated_sum.end(),
                          [](const auto& e) { return e.second > 0; }),
            5);
  double timed_sum = 0;
  for (const auto& f : data.networks[0].kernels.features) {
    const double ms = 1.5 * synthetic_kernel_ms(f);
    data.kernels.push_back({"in-network-" + std::to_string(data.kernels.size()), f, ms, size_t{0}, std::string()});
    timed_sum += ms;
  }
  auto splits = eval::kfold_splits(data.networks.size(), 4, 1);
  ASSERT_TRUE(splits.ok());
  for (Method m : {Method::kOpwiseGbdt, Method::kFlops}) {
    predictors::TrainOptions o;
    o.method = m;
    o.calibrate = false;
    o.regressor.gbdt_rounds = 60;
    auto r = eval::evaluate_splits(data, *splits, o, false);
    ASSERT_TRUE(r.ok()) << r.error().message;
    ASSERT_EQ(r->results.size(), data.networks.size());
    for (const auto& res : r->results) {
      if (res.name == data.networks[0].name) {
        EXPECT_NEAR(res.measured_kernel_sum_ms, timed_sum, 1e-9 * timed_sum);
      } else {
        const double expected = expected_isolated_sum.at(res.name);
        EXPECT_NEAR(res.measured_kernel_sum_ms, expected, 1e-9 * expected) << res.name;
      }
      if (m == Method::kFlops) {
        EXPECT_EQ(res.kernel_sum_ms, 0.0) << res.name;
      } else {
        EXPECT_GT(res.kernel_sum_ms, 0.0) << res.name;
        EXPECT_NE(res.kernel_sum_ms, res.predicted_ms) << res.name;  // the overhead model sits between
      }
    }
  }
}

TEST(Predictor, SavedFilesPredictExactlyTheSame) {
  // Transfer needs a source: a synthetic one whose latencies are the target's, scaled.
  predictors::TrainingSet data = synthetic_set();
  data.source_targets = {"synthetic:source:float"};
  for (size_t i = 0; i < data.networks.size(); ++i)
    data.networks[i].kernels.sources_ms = {data.networks[i].latency_ms * (2.0 + 0.1 * static_cast<double>(i % 3))};
  const auto path = (std::filesystem::temp_directory_path() / "nnlat_predictor_test.json").string();
  for (Method m : predictors::all_methods()) {
    predictors::TrainOptions o;
    o.method = m;
    o.calibrate = m == Method::kOpwiseGbdt || m == Method::kFlops || m == Method::kOpwiseEnsemble;
    o.regressor.gbdt_rounds = 60;
    o.regressor.rf_trees = 30;
    o.regressor.mlp_epochs = 40;
    auto p = predictors::LatencyPredictor::train(data, o);
    ASSERT_TRUE(p.ok()) << predictors::method_name(m) << ": " << p.error().message;
    ASSERT_TRUE(p->save(path).ok());
    auto q = predictors::LatencyPredictor::load(path);
    ASSERT_TRUE(q.ok()) << q.error().message;
    EXPECT_EQ(q->method(), m);
    for (const auto& net : data.networks) {
      const auto a = p->predict(net.kernels);
      const auto b = q->predict(net.kernels);
      ASSERT_GT(a.latency_ms, 0) << predictors::method_name(m);
      EXPECT_DOUBLE_EQ(a.latency_ms, b.latency_ms) << predictors::method_name(m) << " " << net.name;
      EXPECT_LE(a.low_ms, a.latency_ms);
      EXPECT_GE(a.high_ms, a.latency_ms);
    }
  }
  std::filesystem::remove(path);
}

TEST(Predictor, LookupTableSumsMeasuredKernels) {
  const auto& data = synthetic_set();
  predictors::TrainOptions o;
  o.method = Method::kLut;
  o.calibrate = false;
  auto p = predictors::LatencyPredictor::train(data, o);
  ASSERT_TRUE(p.ok());
  const auto& net = data.networks.front();
  double sum = 0;
  for (const auto& f : net.kernels.features) sum += synthetic_kernel_ms(f);
  EXPECT_NEAR(p->predict(net.kernels).latency_ms, sum, 1e-9 * sum);
}

TEST(Predictor, FilesFromAnotherSchemaOrMalformedAreRejected) {
  const auto& data = synthetic_set();
  predictors::TrainOptions o;
  o.method = Method::kFlops;
  auto p = predictors::LatencyPredictor::train(data, o);
  ASSERT_TRUE(p.ok());
  auto j = p->to_json();
  j["feature_schema"]["hash"] = "0000000000000000";
  auto r = predictors::LatencyPredictor::from_json(j, "old.json");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("old.json"), std::string::npos);
  EXPECT_NE(r.error().message.find("feature schema"), std::string::npos);
  j = p->to_json();
  j.erase("overhead");
  EXPECT_FALSE(predictors::LatencyPredictor::from_json(j, "cut.json").ok());
  j = p->to_json();
  j["method"] = "magic";
  EXPECT_FALSE(predictors::LatencyPredictor::from_json(j, "m.json").ok());
  EXPECT_FALSE(predictors::LatencyPredictor::load("/nonexistent/p.json").ok());
}

TEST(Predictor, MethodsWithoutTheirDataSayWhatIsMissing) {
  predictors::TrainingSet empty;
  empty.target = "t:c:float";
  predictors::TrainOptions o;
  o.method = Method::kOpwiseGbdt;
  auto r = predictors::LatencyPredictor::train(empty, o);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("profile kernels"), std::string::npos);
  o.method = Method::kFlops;
  r = predictors::LatencyPredictor::train(empty, o);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("profile networks"), std::string::npos);
}

}  // namespace
}  // namespace nnlat
