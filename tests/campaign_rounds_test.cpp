// The rounds protocol of profiling campaigns (issue 13) against a fake backend on a fake
// clock: a slow phase planted in one round moves no stored figure (the median over rounds
// removes it, while a single pass keeps it), a campaign killed mid-round resumes with nothing
// lost and nothing measured twice, and reference networks bracket every round.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <map>
#include <memory>

#include "nnlat/backends/backend.hpp"
#include "nnlat/campaigns/profiler.hpp"
#include "nnlat/ir/cost.hpp"
#include "nnlat/measure/schedule.hpp"
#include "nnlat/models/model_ref.hpp"
#include "nnlat/store/store.hpp"

namespace nnlat {
namespace {

using std::chrono::nanoseconds;

// Time on the fake clock, and the planted drift: a run that starts inside [slow_from,
// slow_until) takes `slow_factor` times its cost.
struct FakeDevice {
  double now_ms = 0;
  double slow_from_ms = 0;
  double slow_until_ms = 0;
  double slow_factor = 1;
  long runs = 0;
  long fail_at_run = -1;  // the run that fails (a dropped device), -1: none
  struct Window {
    double from_ms, until_ms, factor;
  };
  std::vector<Window> more_slow_phases;
  // Runs that cost less than this are not slowed by the first phase (a small network that
  // fits in cache does not feel a neighbour taking memory bandwidth).
  double slow_min_cost_ms = 0;

  double factor(double cost_ms) const {
    double f = now_ms >= slow_from_ms && now_ms < slow_until_ms && cost_ms >= slow_min_cost_ms ? slow_factor : 1.0;
    for (const auto& w : more_slow_phases) f *= now_ms >= w.from_ms && now_ms < w.until_ms ? w.factor : 1.0;
    return f;
  }
};

// A network's true cost on the fake device: proportional to its MACs.
double true_cost_ms(const ir::Graph& g) { return 1e-6 * static_cast<double>(ir::graph_cost(g).total.macs); }

class FakePrepared : public backends::PreparedGraph {
 public:
  FakePrepared(FakeDevice& device, double cost_ms) : device_(device), cost_ms_(cost_ms) {}
  Status run() override {
    if (device_.runs++ == device_.fail_at_run) return make_error(ErrorCode::kInternal, "device went away");
    device_.now_ms += cost_ms_ * device_.factor(cost_ms_);
    return Status::Ok();
  }
  std::vector<std::vector<float>> outputs() const override { return {}; }
  Status set_input(size_t, const std::vector<float>&) override { return Status::Ok(); }

 private:
  FakeDevice& device_;
  double cost_ms_;
};

class FakeBackend : public backends::Backend {
 public:
  explicit FakeBackend(FakeDevice& device) : device_(device) {}
  std::string name() const override { return "fake"; }
  std::string version() const override { return "1"; }
  Status supports(const ir::Graph&, const backends::RunConfig&) const override { return Status::Ok(); }
  Result<std::unique_ptr<backends::PreparedGraph>> prepare(const ir::Graph& g, const backends::RunConfig&) override {
    return std::unique_ptr<backends::PreparedGraph>(std::make_unique<FakePrepared>(device_, true_cost_ms(g)));
  }

 private:
  FakeDevice& device_;
};

class CampaignRounds : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("nnlat-rounds-" + std::to_string(::testing::UnitTest::GetInstance()->random_seed()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  campaigns::ProfileRequest request(int rounds) {
    campaigns::ProfileRequest r;
    r.target = "local:xnnpack-t1:float";
    for (int res : {32, 48, 64, 80, 96, 112}) {
      r.models.push_back("zoo:mobilenet_v2?width=0.35&res=" + std::to_string(res));
    }
    r.protocol.warmup_runs = 0;
    r.protocol.min_repeats = 3;
    r.protocol.max_repeats = 3;
    r.protocol.min_time_s = 0;
    r.protocol.max_remeasure = 0;
    r.schedule.rounds = rounds;
    r.references.clear();
    r.hooks.backend = [this] { return std::make_unique<FakeBackend>(device_); };
    r.hooks.clock = measure::Clock{[this] { return nanoseconds(static_cast<long long>(device_.now_ms * 1e6)); },
                                   [this](nanoseconds d) { device_.now_ms += 1e-6 * static_cast<double>(d.count()); }};
    return r;
  }

  // The same with one small reference network bracketing every round.
  campaigns::ProfileRequest request_with_reference(int rounds) {
    auto r = request(rounds);
    r.references = {"zoo:mobilenet_v2?width=0.35&res=40"};
    return r;
  }

  // Time one round takes at full speed: every model's cost, three timed runs each.
  double round_ms(const campaigns::ProfileRequest& r) {
    double total = 0;
    for (const auto& ref : r.models) total += 3 * true_cost_ms(*models_by_ref(ref));
    return total;
  }
  static Result<ir::Graph> models_by_ref(const std::string& ref) { return models::load_model(ref); }

  // Stored figure / true cost, per network.
  std::map<std::string, double> stored_over_true(store::Store& store) {
    auto subjects = store.subject_latencies("local:xnnpack-t1:float", store::MeasurementKind::kNetwork);
    EXPECT_TRUE(subjects.ok());
    std::map<std::string, double> out;
    for (const auto& s : *subjects) {
      auto g = models_by_ref(s.source);
      EXPECT_TRUE(g.ok()) << s.source;
      out[s.source] = s.median_ms / true_cost_ms(*g);
    }
    return out;
  }

  std::filesystem::path dir_;
  FakeDevice device_;
};

TEST_F(CampaignRounds, ASlowPhaseInOneRoundMovesNoStoredFigure) {
  auto store = store::Store::open((dir_ / "m.db").string());
  ASSERT_TRUE(store.ok()) << store.error().message;
  auto r = request(3);
  const double round = round_ms(r);
  // The whole of round 2 runs 50% slow (it then lasts 1.5 rounds).
  device_.slow_from_ms = round;
  device_.slow_until_ms = round + 1.5 * round;
  device_.slow_factor = 1.5;
  auto summary = campaigns::profile_networks(*store, r, {});
  ASSERT_TRUE(summary.ok()) << summary.error().message;
  EXPECT_EQ(summary->planned, 18u);
  EXPECT_EQ(summary->measured, 18u);
  for (const auto& [source, ratio] : stored_over_true(*store)) EXPECT_NEAR(ratio, 1.0, 1e-6) << source;
  ASSERT_EQ(summary->drift.round_factors.size(), 3u);
  EXPECT_NEAR(summary->drift.round_factors[0], 1.0, 1e-6);
  EXPECT_NEAR(summary->drift.round_factors[1], 1.5, 1e-6);
  EXPECT_NEAR(summary->drift.round_factors[2], 1.0, 1e-6);
}

TEST_F(CampaignRounds, ASinglePassKeepsTheSlowPhase) {
  // The control: the same planted drift over the middle of a single pass shows in the store,
  // so the test above fails if rounds stop being used.
  auto store = store::Store::open((dir_ / "m.db").string());
  ASSERT_TRUE(store.ok()) << store.error().message;
  auto r = request(1);
  const double round = round_ms(r);
  device_.slow_from_ms = round / 5;  // items 4-6 of 6 (cost grows with resolution)
  device_.slow_until_ms = 10 * round;
  device_.slow_factor = 1.5;
  auto summary = campaigns::profile_networks(*store, r, {});
  ASSERT_TRUE(summary.ok()) << summary.error().message;
  int off = 0;
  for (const auto& [source, ratio] : stored_over_true(*store)) off += std::fabs(ratio - 1.0) > 0.4 ? 1 : 0;
  EXPECT_GE(off, 3);
}

TEST_F(CampaignRounds, RoundsVisitItemsInDifferentSeededOrders) {
  const auto first = measure::round_order(20, 0, 1);
  const auto second = measure::round_order(20, 1, 1);
  const auto third = measure::round_order(20, 2, 1);
  EXPECT_EQ(first[0], 0u);
  EXPECT_NE(second, first);
  EXPECT_NE(third, second);
  EXPECT_EQ(measure::round_order(20, 1, 1), second);  // seeded: the same again
  EXPECT_NE(measure::round_order(20, 1, 2), second);
  auto sorted = third;
  std::sort(sorted.begin(), sorted.end());
  EXPECT_EQ(sorted, first);  // a permutation
}

TEST_F(CampaignRounds, AKillMidRoundResumesWithNothingLostOrDuplicated) {
  const std::string path = (dir_ / "m.db").string();
  auto r = request_with_reference(3);
  // Plan: per round 1 reference + 6 networks + 1 reference = 8; 24 measurements, 3 runs each.
  // The device drops at run 40: 13 measurements are complete, the 14th (round 2) is lost.
  device_.fail_at_run = 40;
  {
    auto store = store::Store::open(path);
    ASSERT_TRUE(store.ok());
    auto failed = campaigns::profile_networks(*store, r, {});
    ASSERT_FALSE(failed.ok());
    EXPECT_NE(failed.error().message.find("device went away"), std::string::npos);
  }
  device_.fail_at_run = -1;
  auto store = store::Store::open(path);
  ASSERT_TRUE(store.ok());
  auto resumed = campaigns::profile_networks(*store, r, {});
  ASSERT_TRUE(resumed.ok()) << resumed.error().message;
  EXPECT_TRUE(resumed->resumed);
  EXPECT_EQ(resumed->planned, 24u);
  EXPECT_EQ(resumed->already_done, 13u);
  EXPECT_EQ(resumed->measured, 11u);
  auto pending = store->pending_items(resumed->campaign_id);
  ASSERT_TRUE(pending.ok());
  EXPECT_TRUE(pending->empty());
  auto stats = store->stats();
  ASSERT_TRUE(stats.ok());
  EXPECT_EQ(stats->network_measurements, 24);  // one row per planned measurement, none twice
  EXPECT_EQ(stats->networks, 7);               // six networks and the reference
  // One figure per network for this campaign (its rounds' median), so no false repeats.
  auto subjects = store->subject_latencies("local:xnnpack-t1:float", store::MeasurementKind::kNetwork);
  ASSERT_TRUE(subjects.ok());
  ASSERT_EQ(subjects->size(), 6u);  // the reference is the yardstick, not a subject
  for (const auto& s : *subjects) {
    EXPECT_EQ(s.medians_ms.size(), 1u) << s.source;
    EXPECT_EQ(s.measurements, 3) << s.source;
  }
  // The same command once more measures nothing.
  auto again = campaigns::profile_networks(*store, r, {});
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->measured, 0u);
}

TEST_F(CampaignRounds, ReferencesReportTheDriftAcrossTheCampaign) {
  auto store = store::Store::open((dir_ / "m.db").string());
  ASSERT_TRUE(store.ok());
  auto r = request_with_reference(2);
  // Everything after the first round's items runs 20% slow: the closing reference sees it.
  device_.slow_from_ms = round_ms(r) * 0.99;
  device_.slow_until_ms = 1e12;
  device_.slow_factor = 1.2;
  auto summary = campaigns::profile_networks(*store, r, {});
  ASSERT_TRUE(summary.ok()) << summary.error().message;
  EXPECT_EQ(summary->drift.reference_pairs, 1);
  EXPECT_NEAR(summary->drift.reference_ratio, 1.2, 1e-6);
}

TEST_F(CampaignRounds, DriftCorrectionRemovesASlowPhaseThatOutvotesTheMedian) {
  // What a 2-minute slow phase on a shared VM did (docs/measurements.md): in a repeat campaign
  // the second half of round 1 and all of round 2 ran slow, so for half the networks two of
  // three rounds were slow and the median kept it. The stored figures disagree between the
  // campaigns; divided by the round factors (from the items) and the campaign factors (from
  // the reference network), they agree.
  auto store = store::Store::open((dir_ / "m.db").string());
  ASSERT_TRUE(store.ok());
  auto r = request_with_reference(3);
  ASSERT_TRUE(campaigns::profile_networks(*store, r, {}).ok());

  r.repeat_tag = "2";
  const double reference_ms = 3 * true_cost_ms(*models_by_ref(r.references[0]));
  double first_half_ms = 0;  // round 1 keeps the plan's order: 32, 48, 64 | 80, 96, 112
  for (size_t i = 0; i < 3; ++i) first_half_ms += 3 * true_cost_ms(*models_by_ref(r.models[i]));
  const double round = 2 * reference_ms + round_ms(r);
  const double t0 = device_.now_ms;
  device_.slow_from_ms = t0 + reference_ms + first_half_ms - 1e-6;
  // Up to the end of round 2, which the slow phase itself makes 1.5 times longer.
  device_.slow_until_ms = device_.slow_from_ms + 1.5 * (2 * round - reference_ms - first_half_ms);
  device_.slow_factor = 1.5;
  ASSERT_TRUE(campaigns::profile_networks(*store, r, {}).ok());
  auto off_by_more_than_10_percent = [&](bool corrected) {
    auto subjects = store->subject_latencies("local:xnnpack-t1:float", store::MeasurementKind::kNetwork, corrected);
    EXPECT_TRUE(subjects.ok());
    int off = 0;
    for (const auto& s : *subjects) {
      EXPECT_EQ(s.medians_ms.size(), 2u) << s.source;
      if (s.medians_ms.size() == 2) off += std::fabs(s.medians_ms[1] / s.medians_ms[0] - 1) > 0.1 ? 1 : 0;
    }
    return off;
  };
  EXPECT_EQ(off_by_more_than_10_percent(false), 3);
  EXPECT_EQ(off_by_more_than_10_percent(true), 0);

  auto drift = store->campaign_drift("local:xnnpack-t1:float");
  ASSERT_TRUE(drift.ok()) << drift.error().message;
  ASSERT_EQ(drift->size(), 2u);
  EXPECT_EQ((*drift)[0].reference_networks, 1);
  ASSERT_EQ((*drift)[1].round_factors.size(), 3u);
  for (double f : (*drift)[0].round_factors) EXPECT_NEAR(f, 1.0, 1e-9);
  EXPECT_NEAR((*drift)[1].round_factors[0], 1.0, 1e-9);
  EXPECT_NEAR((*drift)[1].round_factors[1], 1.25, 1e-9);  // slow for half the networks' medians
  EXPECT_GT((*drift)[1].factor, (*drift)[0].factor * 1.1);
}

TEST_F(CampaignRounds, ItemsSharedBetweenCampaignsSetTheirLevelWhereTheReferenceDidNotFeelTheDrift) {
  // A repeat campaign that runs 30% slow throughout for every network but the smallest (the
  // reference at 40 px and the 32 and 48 px models): the reference alone would call the
  // campaigns level. The networks both campaigns measured say otherwise (four of six slow),
  // and the median over the witnesses sets the second campaign's level: afterwards the four
  // slowed networks agree, and the two spared ones are the disagreements left (one factor per
  // campaign cannot fit both kinds).
  auto store = store::Store::open((dir_ / "m.db").string());
  ASSERT_TRUE(store.ok());
  auto r = request_with_reference(3);
  ASSERT_TRUE(campaigns::profile_networks(*store, r, {}).ok());
  r.repeat_tag = "2";
  device_.slow_from_ms = device_.now_ms;
  device_.slow_until_ms = 1e12;
  device_.slow_factor = 1.3;
  device_.slow_min_cost_ms = 1.001 * true_cost_ms(*models_by_ref("zoo:mobilenet_v2?width=0.35&res=48"));
  ASSERT_TRUE(campaigns::profile_networks(*store, r, {}).ok());

  auto drift = store->campaign_drift("local:xnnpack-t1:float");
  ASSERT_TRUE(drift.ok()) << drift.error().message;
  ASSERT_EQ(drift->size(), 2u);
  for (const auto& d : *drift) {
    EXPECT_EQ(d.reference_networks, 1);
    EXPECT_EQ(d.shared_items, 6);
    for (double f : d.round_factors) EXPECT_NEAR(f, 1.0, 1e-9);
  }
  EXPECT_NEAR((*drift)[1].factor / (*drift)[0].factor, 1.3, 1e-6);  // the fake clock counts whole ns

  std::map<std::string, double> ratio;  // second campaign / first, per network
  for (bool corrected : {false, true}) {
    auto subjects = store->subject_latencies("local:xnnpack-t1:float", store::MeasurementKind::kNetwork, corrected);
    ASSERT_TRUE(subjects.ok());
    int off = 0;
    for (const auto& s : *subjects) {
      ASSERT_EQ(s.medians_ms.size(), 2u) << s.source;
      ratio[s.source] = s.medians_ms[1] / s.medians_ms[0];
      off += std::fabs(ratio[s.source] - 1) > 0.1 ? 1 : 0;
    }
    EXPECT_EQ(off, corrected ? 2 : 4) << (corrected ? "drift-corrected" : "as stored");
  }
  EXPECT_NEAR(ratio.at("zoo:mobilenet_v2?width=0.35&res=32"), 1 / 1.3, 1e-6);
  EXPECT_NEAR(ratio.at("zoo:mobilenet_v2?width=0.35&res=112"), 1.0, 1e-6);
}

TEST_F(CampaignRounds, ACampaignCutShortGetsNoReferenceFactor) {
  // The references at the start of a campaign that stops right after are one measurement
  // each: too little to rescale a campaign by (one cold run would move all its figures).
  auto store = store::Store::open((dir_ / "m.db").string());
  ASSERT_TRUE(store.ok());
  auto r = request_with_reference(3);
  ASSERT_TRUE(campaigns::profile_networks(*store, r, {}).ok());
  r.repeat_tag = "2";
  device_.fail_at_run = device_.runs + 3 + 2;  // the opening reference (3 runs), then the first network fails
  device_.slow_from_ms = device_.now_ms;       // and the reference ran slow
  device_.slow_until_ms = 1e12;
  device_.slow_factor = 1.3;
  EXPECT_FALSE(campaigns::profile_networks(*store, r, {}).ok());
  auto drift = store->campaign_drift("local:xnnpack-t1:float");
  ASSERT_TRUE(drift.ok());
  ASSERT_EQ(drift->size(), 1u);  // the first campaign only: the second has no round and one reference run
  // The reference then counts in no other campaign, so the first has no witness of its level.
  EXPECT_EQ((*drift)[0].reference_networks, 0);
  EXPECT_NEAR((*drift)[0].factor, 1.0, 1e-9);
}

TEST(Schedule, RoundOfItemKey) {
  EXPECT_EQ(store::round_of_item_key("network:12@r1"), 0);
  EXPECT_EQ(store::round_of_item_key("k:abc@r10"), 9);
  EXPECT_EQ(store::round_of_item_key("network:12"), -1);
  EXPECT_EQ(store::round_of_item_key("ref:network:3@r2:start"), -1);
  EXPECT_EQ(store::round_of_item_key("x@r0"), -1);
  EXPECT_EQ(store::round_of_item_key("x@r"), -1);
}

TEST(Schedule, DriftFactorsAndSteadyWarmUp) {
  // Round 2 is 10% slow for every item; item 3 was measured once and does not count.
  const double nan = std::nan("");
  const std::vector<std::vector<double>> per_round = {{1, 2, 3, 4}, {1.1, 2.2, 3.3, nan}, {1, 2, 3, nan}};
  const auto f = measure::round_drift_factors(per_round);
  ASSERT_EQ(f.size(), 3u);
  EXPECT_NEAR(f[0], 1.0, 1e-12);
  EXPECT_NEAR(f[1], 1.1, 1e-12);
  EXPECT_NEAR(f[2], 1.0, 1e-12);

  // A device that ramps up: each run is faster until it settles at 1 ms.
  double now_ms = 0;
  int calls = 0;
  measure::Clock clock{[&] { return nanoseconds(static_cast<long long>(now_ms * 1e6)); },
                       [&](nanoseconds d) { now_ms += 1e-6 * static_cast<double>(d.count()); }};
  auto ramp = [&] {
    now_ms += std::max(1.0, 4.0 - 0.2 * calls++);
    return Status::Ok();
  };
  auto w = measure::warm_until_steady(ramp, 5, 0.02, 1000, clock);
  ASSERT_TRUE(w.ok());
  EXPECT_TRUE(w->steady);
  EXPECT_NEAR(w->last_median_ms, 1.0, 1e-9);
  EXPECT_GE(w->windows, 3);
  // Never steady: bounded by time.
  calls = 0;
  auto noisy = [&] {
    now_ms += (calls++ % 10 < 5) ? 1.0 : 2.0;
    return Status::Ok();
  };
  auto bounded = measure::warm_until_steady(noisy, 5, 0.02, 0.03, clock);  // 30 ms
  ASSERT_TRUE(bounded.ok());
  EXPECT_FALSE(bounded->steady);
  EXPECT_LE(bounded->windows, 6);
}

}  // namespace
}  // namespace nnlat
