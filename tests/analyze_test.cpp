// The analyses of `nnlat analyze` (eval/analysis.hpp) on small synthetic stores with planted
// answers: a misranked network, an overhead share, a speed-up that stops, an implementation
// switch, a framework ratio, a noisy network.
#include "nnlat/app/analyze.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <map>

#include "nnlat/eval/analysis.hpp"
#include "nnlat/ir/builder.hpp"
#include "nnlat/predictors/training_set.hpp"

namespace nnlat::eval {
namespace {

namespace fs = std::filesystem;

// A store file in a fresh directory, removed afterwards.
class SyntheticStore {
 public:
  SyntheticStore() {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    dir_ = fs::temp_directory_path() / ("nnlat_analyze_" + std::to_string(::getpid()) + "_" + info->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    auto opened = store::Store::open(path());
    EXPECT_TRUE(opened.ok()) << opened.error().message;
    store_ = std::make_unique<store::Store>(std::move(*opened));
  }
  ~SyntheticStore() {
    store_.reset();
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }
  std::string path() const { return (dir_ / "s.db").string(); }
  store::Store& store() { return *store_; }

  // A network of 3x3 convolutions on `channels` input channels (then a 1x1 convolution and a
  // classifier), named `name`, of family `family`.
  static ir::Graph network(const std::string& name, const std::string& family, int64_t channels, int convs = 1) {
    ir::GraphBuilder b(name);
    auto x = b.input({1, channels, 16, 16});
    for (int i = 0; i < convs; ++i) x = b.conv(x, channels, 3);
    x = b.conv(x, 8, 1);
    ir::Graph g = b.finish({b.classifier(x, 10)});
    g.metadata["family"] = family;
    g.metadata["source"] = "test";
    return g;
  }

  // Measures `graph` on `target` at `samples_ms`; with `implementation`, a per-kernel breakdown
  // under the target's rule set: each kernel gets `kernel_ms(class)` and the implementation
  // `implementation(kernel)`.
  void measure(const std::string& target, const ir::Graph& graph, std::vector<double> samples_ms,
               const std::function<std::string(const TimedKernel&)>& implementation = nullptr,
               const std::function<double(const TimedKernel&)>& kernel_ms = nullptr) {
    auto name = *measure::parse_target_name(target);
    const int64_t t = *store_->upsert_target(name, "fake");
    const int64_t n = *store_->upsert_network(graph);
    store::MeasurementRecord r;
    r.target_id = t;
    r.measurement = measure::measurement_from_samples(std::move(samples_ms));
    r.environment.backend = "fake";
    r.environment.threads = 1;
    if (implementation) {
      auto rules = *fusion::load_rule_set(predictors::default_rules_for(target));
      auto d = *predictors::decompose(graph, rules, features::target_context_from_config(name.config), false, false);
      for (size_t i = 0; i < d.features.size(); ++i) {
        TimedKernel k;
        k.kernel_class = kernel_class(d.features[i]);
        k.in_channels = static_cast<int64_t>(d.features[i].values[9]);  // conv's in_channels (schema order)
        r.kernel_timings.push_back(
            {static_cast<int>(i), "k" + std::to_string(i), implementation(k), kernel_ms ? kernel_ms(k) : 0.1});
      }
    }
    ASSERT_TRUE(store_->add_network_measurement(n, r).ok());
  }

 private:
  fs::path dir_;
  std::unique_ptr<store::Store> store_;
};

std::vector<TargetData> load(SyntheticStore& s, const std::vector<std::string>& targets = {}) {
  auto data = load_target_data(s.store(), targets);
  EXPECT_TRUE(data.ok()) << data.error().message;
  return data.ok() ? *data : std::vector<TargetData>{};
}

TEST(Analyze, KernelClassSplitsConvolutionsByKernelSize) {
  SyntheticStore s;
  s.measure("d:gpu:float", SyntheticStore::network("n", "f", 16), {1.0}, [](const TimedKernel&) { return "x"; });
  auto data = load(s);
  ASSERT_EQ(data.size(), 1u);
  std::vector<std::string> classes;
  for (const auto& k : data[0].networks[0].timed) classes.push_back(k.kernel_class);
  ASSERT_GE(classes.size(), 3u);
  EXPECT_EQ(classes[0], "convkxk");
  EXPECT_EQ(classes[1], "conv1x1");
  EXPECT_EQ(data[0].networks[0].timed[0].kernel_size, 3);
  EXPECT_EQ(data[0].networks[0].timed[0].in_channels, 16);
}

TEST(Analyze, FlopsFindsThePlantedMisrankedNetwork) {
  SyntheticStore s;
  // Latency proportional to MACs, except "slowpoke": the fewest MACs, the largest latency.
  const std::vector<std::pair<int64_t, double>> nets = {{8, 40.0}, {16, 2.0}, {32, 8.0}, {64, 32.0}};
  for (const auto& [c, ms] : nets) {
    s.measure("d:1large:float", SyntheticStore::network(c == 8 ? "slowpoke" : "n" + std::to_string(c), "f", c), {ms});
  }
  auto data = load(s);
  auto f = analyze_flops(data[0], 2);
  EXPECT_EQ(f.all.networks, 4u);
  ASSERT_EQ(f.misranked.size(), 2u);
  EXPECT_EQ(f.misranked[0].name, "slowpoke");
  EXPECT_DOUBLE_EQ(f.misranked[0].displacement, 3.0);  // MACs rank 1, latency rank 4
  EXPECT_LT(f.all.spearman, 0.5);
  ASSERT_EQ(f.families.size(), 1u);
  EXPECT_EQ(f.families[0].family, "f");
}

TEST(Analyze, BreakdownFindsThePlantedOverheadAndShares) {
  SyntheticStore s;
  // Kernels: the 3x3 convolution 6 ms, the 1x1 2 ms, the rest 0; end to end 10 ms.
  s.measure(
      "d:gpu:float", SyntheticStore::network("n", "f", 16), {10.0}, [](const TimedKernel&) { return "x"; },
      [](const TimedKernel& k) { return k.kernel_class == "convkxk"   ? 6.0
                                        : k.kernel_class == "conv1x1" ? 2.0
                                                                      : 0; });
  auto data = load(s);
  auto b = analyze_breakdown(data[0]);
  ASSERT_TRUE(b.has_value());
  EXPECT_EQ(b->networks, 1u);
  EXPECT_NEAR(b->overhead_share_median, 0.2, 1e-9);
  EXPECT_NEAR(b->overhead_share_pooled, 0.2, 1e-9);
  ASSERT_GE(b->pooled.size(), 2u);
  EXPECT_EQ(b->pooled[0].kernel_class, "convkxk");
  EXPECT_NEAR(b->pooled[0].share, 0.75, 1e-9);
  EXPECT_EQ(b->pooled[1].kernel_class, "conv1x1");
  EXPECT_NEAR(b->pooled[1].share, 0.25, 1e-9);
  // A target without breakdowns has no analysis rather than zeros.
  s.measure("d:1large:float", SyntheticStore::network("n", "f", 16), {10.0});
  EXPECT_FALSE(analyze_breakdown(load(s, {"d:1large:float"})[0]).has_value());
}

TEST(Analyze, ThreadsFindThePlantedSpeedupAndWhereItStops) {
  SyntheticStore s;
  // Large cores: 1.9x on two, 2.0x on four (the step 2 -> 4 brings 5%: stops after 2).
  // Small cores: 3.6x on four, every step helps.
  const std::map<std::string, double> divisor = {{"1large", 1.0}, {"2large", 1.9}, {"4large", 2.0},
                                                 {"1small", 1.0}, {"2small", 1.8}, {"4small", 3.6}};
  for (const auto& [set, d] : divisor) {
    for (int64_t c : {8, 16, 32}) {
      const double base = set.find("small") != std::string::npos ? 3.0 * c : 1.0 * c;
      s.measure("p:" + set + ":float", SyntheticStore::network("n" + std::to_string(c), "f", c), {base / d});
    }
  }
  s.measure("p:gpu:float", SyntheticStore::network("n8", "f", 8), {1.0});  // not a core set
  auto threads = analyze_threads(load(s));
  ASSERT_EQ(threads.size(), 1u);
  EXPECT_EQ(threads[0].framework, "tflite");
  ASSERT_EQ(threads[0].points.size(), 4u);
  EXPECT_EQ(threads[0].points[0].core_set, "2large");
  EXPECT_NEAR(threads[0].points[0].speedup, 1.9, 1e-9);
  EXPECT_NEAR(threads[0].points[0].efficiency, 0.95, 1e-9);
  EXPECT_EQ(threads[0].points[0].networks, 3u);
  EXPECT_EQ(threads[0].points[0].baseline, "p:1large:float");
  ASSERT_EQ(threads[0].clusters.size(), 2u);
  EXPECT_EQ(threads[0].clusters[0].cluster, "large");
  EXPECT_EQ(threads[0].clusters[0].saturates_at, 2);
  EXPECT_EQ(threads[0].clusters[1].cluster, "small");
  EXPECT_EQ(threads[0].clusters[1].saturates_at, 0);
  EXPECT_NEAR(threads[0].clusters[1].speedups.back(), 3.6, 1e-9);
}

TEST(Analyze, CoreSetsAreReadFromEveryFrameworksConfig) {
  auto torch = parse_config_core_set("torch-1large2med");
  ASSERT_TRUE(torch.has_value());
  EXPECT_EQ(torch->framework, "torch");
  EXPECT_EQ(torch->threads, 3);
  auto local = parse_config_core_set("xnnpack-t2-a0.1");
  ASSERT_TRUE(local.has_value());
  EXPECT_EQ(local->framework, "xnnpack");
  EXPECT_EQ(local->threads, 2);
  EXPECT_EQ(local->suffix, "a0.1");
  EXPECT_FALSE(parse_config_core_set("gpu").has_value());
  EXPECT_FALSE(parse_config_core_set("torch-vulkan").has_value());
}

TEST(Analyze, ImplementationsFindThePlantedSwitchAndTheDisagreement) {
  SyntheticStore s;
  // Device a: 3x3 convolutions on 64 channels or more use "winograd", below "direct".
  // Device b: "direct" everywhere.
  auto a_impl = [](const TimedKernel& k) {
    return k.kernel_class == "convkxk" ? (k.in_channels >= 64 ? "winograd" : "direct") : "other";
  };
  auto b_impl = [](const TimedKernel& k) { return k.kernel_class == "convkxk" ? "direct" : "other"; };
  for (int64_t c : {8, 16, 64, 128}) {
    const auto g = SyntheticStore::network("n" + std::to_string(c), "f", c, 2);
    s.measure("a:gpu:float", g, {1.0}, a_impl);
    s.measure("b:gpu:float", g, {1.0}, b_impl);
  }
  auto data = load(s);
  auto impl = analyze_implementations(data[0]);
  ASSERT_TRUE(impl.has_value());
  const ClassImplementations* conv = nullptr;
  for (const auto& c : impl->classes) conv = c.kernel_class == "convkxk" ? &c : conv;
  ASSERT_NE(conv, nullptr);
  EXPECT_EQ(conv->kernels, 8u);
  ASSERT_EQ(conv->implementations.size(), 2u);
  EXPECT_NEAR(conv->implementations[0].share, 0.5, 1e-9);
  ASSERT_EQ(conv->buckets.size(), 4u);  // 8, 16, 64-127, 128-255 channels
  for (const auto& b : conv->buckets) {
    ASSERT_EQ(b.implementations.size(), 1u);
    EXPECT_EQ(b.implementations[0].implementation, b.in_channels_min >= 64 ? "winograd" : "direct");
    EXPECT_EQ(b.kernels, 2u);
  }
  auto d = analyze_disagreements(data);
  ASSERT_EQ(d.size(), 1u);
  EXPECT_EQ(d[0].networks, 4u);
  EXPECT_EQ(d[0].differing, 4u);  // the 3x3 convolutions of the 64- and 128-channel networks
  bool found = false;
  for (const auto& c : d[0].classes) {
    if (c.kernel_class != "convkxk") continue;
    found = true;
    EXPECT_EQ(c.shared, 8u);
    ASSERT_EQ(c.pairs.size(), 1u);
    EXPECT_EQ(c.pairs[0].a, "winograd");
    EXPECT_EQ(c.pairs[0].b, "direct");
  }
  EXPECT_TRUE(found);
}

TEST(Analyze, FrameworksFindThePlantedRatio) {
  SyntheticStore s;
  for (int64_t c : {8, 16}) {
    const std::string name = "n" + std::to_string(c);
    s.measure("d:gpu:float", SyntheticStore::network(name, "f", c), {1.0 * c});
    // PyTorch's graph of the same model differs (here: one more convolution); matched by name.
    s.measure("d:torch-vulkan:float", SyntheticStore::network(name, "f", c, 2), {2.5 * c});
  }
  s.measure("d:1large:float", SyntheticStore::network("n8", "f", 8), {1.0});  // no PyTorch twin
  auto f = analyze_frameworks(load(s));
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].target_a, "d:gpu:float");
  EXPECT_EQ(f[0].target_b, "d:torch-vulkan:float");
  EXPECT_EQ(f[0].all.networks, 2u);
  EXPECT_NEAR(f[0].all.latency_ratio, 2.5, 1e-9);
  EXPECT_FALSE(f[0].timed_kernels);
}

TEST(Analyze, NoiseFindsThePlantedNoisyNetwork) {
  SyntheticStore s;
  s.measure("d:1large:float", SyntheticStore::network("calm", "f", 8), {1.0, 1.0, 1.0});
  s.measure("d:1large:float", SyntheticStore::network("noisy", "f", 16), {1.0, 2.0, 3.0});
  auto n = analyze_noise(load(s)[0], 1);
  EXPECT_EQ(n.networks, 2u);
  ASSERT_EQ(n.noisiest.size(), 1u);
  EXPECT_EQ(n.noisiest[0].name, "noisy");
  EXPECT_GT(n.max_cv, 0.3);
  EXPECT_DOUBLE_EQ(n.max_cv, n.noisiest[0].cv);
}

TEST(Analyze, UnknownTargetAndMissingStoreAreErrorsNamingThem) {
  SyntheticStore s;
  s.measure("d:1large:float", SyntheticStore::network("n", "f", 8), {1.0});
  auto r = app::analyze({s.path(), {"nope:1large:float"}, 5});
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("nope:1large:float"), std::string::npos) << r.error().message;
  auto missing = app::analyze({s.path() + ".missing", {}, 5});
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.error().message.find(".missing"), std::string::npos);
}

}  // namespace
}  // namespace nnlat::eval
