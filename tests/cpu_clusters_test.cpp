// CPU clusters from /sys (issue 14): a fake /sys tree of a Snapdragon 855 (Pixel 4: one
// 2.84 GHz core, three at 2.42, four at 1.79), a two-cluster board, a single-cluster CPU and a
// VM without cpufreq; the phone datasets' core-set names, and the targets they resolve to.
#include "nnlat/measure/cpu_clusters.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "nnlat/backends/registry.hpp"

namespace nnlat::measure {
namespace {

namespace fs = std::filesystem;

// A /sys tree whose cpuN reports max_khz[N] (0: no cpufreq folder, as on a VM).
class FakeSys {
 public:
  explicit FakeSys(const std::vector<int>& max_khz) {
    root_ =
        fs::temp_directory_path() / ("nnlat-sys-" + std::to_string(::testing::UnitTest::GetInstance()->random_seed()) +
                                     "-" + ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(root_);
    for (size_t cpu = 0; cpu < max_khz.size(); ++cpu) {
      const fs::path dir = root_ / "devices/system/cpu" / ("cpu" + std::to_string(cpu));
      fs::create_directories(dir);
      if (max_khz[cpu] == 0) continue;
      fs::create_directories(dir / "cpufreq");
      std::ofstream(dir / "cpufreq/cpuinfo_max_freq") << max_khz[cpu] << "\n";
    }
    fs::create_directories(root_ / "devices/system/cpu/cpufreq");  // not a CPU: ignored
  }
  ~FakeSys() { fs::remove_all(root_); }
  std::string root() const { return root_.string(); }

 private:
  fs::path root_;
};

const std::vector<int> kPixel4 = {1785600, 1785600, 1785600, 1785600, 2419200, 2419200, 2419200, 2841600};

TEST(CpuClusters, ThreeTiersAreLargeMedSmallFastestFirst) {
  FakeSys sys(kPixel4);
  const auto clusters = cpu_clusters(sys.root());
  ASSERT_EQ(clusters.size(), 3u);
  EXPECT_EQ(clusters[0], (CpuCluster{"large", 2841.6, {7}}));
  EXPECT_EQ(clusters[1], (CpuCluster{"med", 2419.2, {4, 5, 6}}));
  EXPECT_EQ(clusters[2], (CpuCluster{"small", 1785.6, {0, 1, 2, 3}}));
  EXPECT_EQ(describe_clusters(clusters),
            "large: cpu7 (2842 MHz)\nmed: cpu4 cpu5 cpu6 (2419 MHz)\n"
            "small: cpu0 cpu1 cpu2 cpu3 (1786 MHz)\n");
}

TEST(CpuClusters, TwoTiersAreLargeAndSmallAndFourGetLettersInTheMiddle) {
  FakeSys board({1800000, 1800000, 2400000, 2400000});
  const auto two = cpu_clusters(board.root());
  ASSERT_EQ(two.size(), 2u);
  EXPECT_EQ(two[0].name, "large");
  EXPECT_EQ(two[0].cpus, (std::vector<int>{2, 3}));
  EXPECT_EQ(two[1].name, "small");
}

TEST(CpuClusters, FourTiersNameTheMiddleOnesMedAndMedb) {
  FakeSys sys({1000000, 2000000, 3000000, 2500000});
  const auto clusters = cpu_clusters(sys.root());
  ASSERT_EQ(clusters.size(), 4u);
  EXPECT_EQ(clusters[0].name, "large");
  EXPECT_EQ(clusters[1].name, "med");
  EXPECT_EQ(clusters[1].cpus, std::vector<int>{3});
  EXPECT_EQ(clusters[2].name, "medb");
  EXPECT_EQ(clusters[3].name, "small");
}

TEST(CpuClusters, OneClusterOrNoFrequenciesMeansNoNames) {
  FakeSys uniform({2000000, 2000000});
  EXPECT_TRUE(cpu_clusters(uniform.root()).empty());
  FakeSys vm({0, 0});
  EXPECT_TRUE(cpu_clusters(vm.root()).empty());
  EXPECT_TRUE(cpu_clusters("/nonexistent").empty());
}

TEST(CoreSets, ParseCountsAndNames) {
  auto parts = parse_core_set("1large2med");
  ASSERT_TRUE(parts.ok()) << parts.error().message;
  EXPECT_EQ(*parts, (std::vector<CoreSetPart>{{1, "large"}, {2, "med"}}));
  EXPECT_EQ(*parse_core_set("4small"), (std::vector<CoreSetPart>{{4, "small"}}));
  for (const char* bad : {"", "large", "0large", "1", "1Large", "1large2", "1large-2med", "1000large"}) {
    auto r = parse_core_set(bad);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument) << bad;
    EXPECT_NE(r.error().message.find("core set '" + std::string(bad) + "'"), std::string::npos) << r.error().message;
  }
}

TEST(CoreSets, PinTheFirstCpusOfEachClusterInOrder) {
  FakeSys sys(kPixel4);
  const auto clusters = cpu_clusters(sys.root());
  EXPECT_EQ(*core_set_cpus("1large2med", clusters), (std::vector<int>{7, 4, 5}));
  EXPECT_EQ(*core_set_cpus("4small", clusters), (std::vector<int>{0, 1, 2, 3}));
  auto too_many = core_set_cpus("2large", clusters);
  ASSERT_FALSE(too_many.ok());
  EXPECT_NE(too_many.error().message.find("the large cluster has 1 CPUs, not 2"), std::string::npos)
      << too_many.error().message;
  auto unknown = core_set_cpus("1huge", clusters);
  ASSERT_FALSE(unknown.ok());
  EXPECT_NE(unknown.error().message.find("clusters: large (1 CPUs), med (3 CPUs), small (4 CPUs)"), std::string::npos)
      << unknown.error().message;
  auto twice = core_set_cpus("1med2med", clusters);
  ASSERT_FALSE(twice.ok());
  EXPECT_NE(twice.error().message.find("named twice"), std::string::npos) << twice.error().message;
  auto none = core_set_cpus("1large", {});
  ASSERT_FALSE(none.ok());
  EXPECT_NE(none.error().message.find("none here"), std::string::npos) << none.error().message;
}

TEST(CoreSets, ResolveToAnXnnpackTargetPinnedToTheSet) {
  FakeSys sys(kPixel4);
  const auto clusters = cpu_clusters(sys.root());
  auto t = backends::resolve_local_target("local:xnnpack-1large2med:quant", clusters);
  ASSERT_TRUE(t.ok()) << t.error().message;
  EXPECT_EQ(t->backend, "xnnpack");
  EXPECT_EQ(t->config.threads, 3);
  EXPECT_EQ(t->config.affinity, (std::vector<int>{7, 4, 5}));
  EXPECT_EQ(t->config.precision, backends::Precision::kInt8);
  auto here = backends::resolve_local_target("local:xnnpack-1large:float", {});
  ASSERT_FALSE(here.ok());
  EXPECT_NE(here.error().message.find("local:xnnpack-1large:float"), std::string::npos) << here.error().message;
  // Thread-count targets are unchanged.
  auto threads = backends::resolve_local_target("local:xnnpack-t1:float", clusters);
  ASSERT_TRUE(threads.ok()) << threads.error().message;
  EXPECT_TRUE(threads->config.affinity.empty());
}

}  // namespace
}  // namespace nnlat::measure
