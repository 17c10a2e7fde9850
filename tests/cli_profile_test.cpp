// `nnlat profile` and `nnlat db` end to end, including the kill-and-resume guarantee: a
// campaign killed with SIGKILL and started again with the same arguments ends with exactly
// one measurement per item, none lost and none duplicated.
#include <gtest/gtest.h>
#include <signal.h>

#include <chrono>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>

#include "cli_test_util.hpp"
#include "nnlat/store/store.hpp"

namespace nnlat {
namespace {

using testing::run_cli;
using testing::TempDir;

// Fast protocol: these tests check bookkeeping, not timing quality. A single pass without
// reference networks (the old mode) keeps one measurement per item; the rounds default is
// checked by KilledCampaignResumesWithoutLossOrDuplicates and DefaultRoundsAndReferences.
constexpr const char* kFastProtocol = " --warmup 1 --min-repeats 3 --min-time 0 --max-remeasure 0 --quiet";
const std::string kFast = std::string(kFastProtocol) + " --rounds 1 --references none";

std::string tiny_models(int n) {
  std::string refs;
  for (int i = 0; i < n; ++i) refs += " 'zoo:mobilenet_v2?width=0.35&res=" + std::to_string(32 + 16 * i) + "'";
  return refs;
}

TEST(CliProfile, NetworksAreStoredAndASecondRunMeasuresNothing) {
  TempDir dir("profile");
  const std::string db = dir.file("m.db");
  const std::string cmd =
      "profile networks --target local:xnnpack-t1:float --db " + db + tiny_models(2) + kFast + " --json";
  auto first = run_cli(cmd);
  ASSERT_EQ(first.exit_code, 0) << first.err;
  auto j = nlohmann::json::parse(first.out);
  EXPECT_EQ(j["measured"], 2);
  EXPECT_EQ(j["resumed"], false);
  for (const auto& item : j["items"]) EXPECT_GT(item["median_ms"].get<double>(), 0.0);

  auto second = run_cli(cmd);
  ASSERT_EQ(second.exit_code, 0) << second.err;
  auto k = nlohmann::json::parse(second.out);
  EXPECT_EQ(k["measured"], 0);
  EXPECT_EQ(k["already_done"], 2);
  EXPECT_EQ(k["resumed"], true);

  auto stats = run_cli("db stats --db " + db + " --json");
  ASSERT_EQ(stats.exit_code, 0) << stats.err;
  auto s = nlohmann::json::parse(stats.out);
  EXPECT_EQ(s["targets"], 1);
  EXPECT_EQ(s["networks"], 2);
  EXPECT_EQ(s["network_measurements"], 2);
  EXPECT_EQ(s["kernel_measurements"], 0);
  EXPECT_EQ(s["per_target"][0]["target"], "local:xnnpack-t1:float");
}

TEST(CliProfile, KernelsFromANetworkAndFromTheSampler) {
  TempDir dir("profile_kernels");
  const std::string db = dir.file("k.db");
  auto from = run_cli("profile kernels --target local:xnnpack-t1:float --db " + db + " --from" + tiny_models(1) +
                      kFast + " --json");
  ASSERT_EQ(from.exit_code, 0) << from.err;
  const int measured = nlohmann::json::parse(from.out)["measured"];
  EXPECT_GT(measured, 10);  // distinct kernels of MobileNetV2 after XNNPACK fusion
  auto sampled = run_cli("profile kernels --target local:xnnpack-t1:float --db " + db +
                         " --sample depthwise_conv2d --n 4 --seed 3" + kFast + " --json");
  ASSERT_EQ(sampled.exit_code, 0) << sampled.err;
  EXPECT_EQ(nlohmann::json::parse(sampled.out)["measured"], 4);
  auto s = nlohmann::json::parse(run_cli("db stats --db " + db + " --json").out);
  EXPECT_EQ(s["kernel_measurements"], measured + 4);

  auto csv = run_cli("db export --db " + db + " --format csv");
  ASSERT_EQ(csv.exit_code, 0) << csv.err;
  EXPECT_EQ(std::count(csv.out.begin(), csv.out.end(), '\n'), measured + 4 + 1);  // rows + header
}

// `db kernel-sum` takes a directory like the other commands, and compares summed isolated
// kernels with the end-to-end time of every network in it.
TEST(CliProfile, KernelSumExpandsADirectory) {
  TempDir dir("kernel_sum");
  const std::string db = dir.file("k.db");
  const std::string nets = dir.file("nb201");
  ASSERT_EQ(run_cli("sample nb201 --n 2 --seed 5 --out " + nets).exit_code, 0);
  const std::string target = " --target local:xnnpack-t1:float --db " + db + " ";
  ASSERT_EQ(run_cli("profile networks" + target + nets + kFast).exit_code, 0);
  ASSERT_EQ(run_cli("profile kernels" + target + "--from " + nets + kFast).exit_code, 0);
  auto sum = run_cli("db kernel-sum" + target + nets);
  ASSERT_EQ(sum.exit_code, 0) << sum.err;
  size_t rows = 0;
  for (size_t at = sum.out.find("nb201"); at != std::string::npos; at = sum.out.find("nb201", at + 1)) ++rows;
  EXPECT_EQ(rows, 2u) << sum.out;
}

TEST(CliProfile, UnsupportedOpsAreSkippedByName) {
  TempDir dir("profile_unsupported");
  // A lone batch norm on a rank-3 tensor: no XNNPACK node and no host step runs it (tanh,
  // which this test used before, now runs as a host step).
  const std::string model = dir.file("bn3.json");
  std::ofstream(model) << R"({"format": "nnlat-graph", "version": 1, "name": "t",
    "inputs": [{"name": "x", "shape": [1, 8, 4]}],
    "nodes": [{"name": "my_bn", "op": "batch_norm", "inputs": ["x"], "outputs": ["y"], "attrs": {}}],
    "outputs": ["y"]})";
  auto r = run_cli("profile networks --target local:xnnpack-t1:float --db " + dir.file("u.db") + " " + model + kFast +
                   " --json");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["skipped"], 1);
  EXPECT_NE(j["items"][0]["reason"].get<std::string>().find("my_bn"), std::string::npos) << j.dump();
}

TEST(CliProfile, BadTargetsAndStoresAreCleanErrors) {
  TempDir dir("profile_bad");
  for (const std::string target : {"pixel4:gpu:float", "local:xnnpack-tx:float", "local:xnnpack-t1:fp64", "nonsense"}) {
    auto r = run_cli("profile networks --target " + target + " --db " + dir.file("b.db") + " zoo:mobilenet_v2");
    EXPECT_EQ(r.exit_code, 2) << target << ": " << r.err;
    EXPECT_NE(r.err.find(target), std::string::npos) << r.err;
  }
  const std::string junk = dir.file("junk.db");
  std::ofstream(junk) << std::string(4096, 'x');
  auto r = run_cli("db stats --db " + junk);
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find(junk), std::string::npos) << r.err;
}

int64_t network_measurements(const std::string& db) {
  auto store = store::Store::open(db);
  if (!store.ok()) return -1;
  auto s = store->stats();
  return s.ok() ? s->network_measurements : -1;
}

TEST(CliProfile, DefaultRoundsAndReferences) {
  TempDir dir("profile_rounds");
  const std::string db = dir.file("r.db");
  auto r = run_cli("profile networks --target local:xnnpack-t1:float --db " + db + tiny_models(2) + kFastProtocol +
                   " --json");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["rounds"], 3);
  EXPECT_EQ(j["distinct_items"], 2);
  EXPECT_EQ(j["planned"], 3 * (2 + 2 * 2));  // per round: 2 networks, 2 references twice
  EXPECT_EQ(j["measured"], j["planned"]);
  EXPECT_EQ(j["drift"]["round_factors"].size(), 3u);
  EXPECT_EQ(j["drift"]["reference_networks"], 2);
  // Round 1 keeps the plan's order; each network appears once per round.
  std::map<std::string, int> rounds_seen;
  for (const auto& item : j["items"]) {
    if (!item["reference"].get<bool>()) ++rounds_seen[item["item"].get<std::string>()];
  }
  EXPECT_EQ(rounds_seen.size(), 2u);
  for (const auto& [name, n] : rounds_seen) EXPECT_EQ(n, 3) << name;
  // The store holds one figure per network for this campaign: the median over its rounds.
  auto store = store::Store::open(db);
  ASSERT_TRUE(store.ok());
  auto subjects = store->subject_latencies("local:xnnpack-t1:float", store::MeasurementKind::kNetwork);
  ASSERT_TRUE(subjects.ok());
  EXPECT_EQ(subjects->size(), 2u);  // the references are the yardstick, not data
  for (const auto& s : *subjects) EXPECT_EQ(s.medians_ms.size(), 1u) << s.name;
  auto refs = store->reference_figures("local:xnnpack-t1:float");
  ASSERT_TRUE(refs.ok());
  ASSERT_EQ(refs->size(), 2u);
  for (const auto& f : *refs) EXPECT_EQ(f.measurements, 6) << f.name;
}

TEST(CliProfile, KilledCampaignResumesWithoutLossOrDuplicates) {
  TempDir dir("profile_kill");
  const std::string db = dir.file("kill.db");
  const int kModels = 6;
  const int kPlanned = 3 * (kModels + 2 * 2);  // 3 rounds of the networks and two references twice
  // Slow enough per item that the kill lands mid-campaign. The default schedule: rounds and
  // reference networks.
  const std::string args = "profile networks --target local:xnnpack-t1:float --db " + db + tiny_models(kModels) +
                           " --warmup 1 --min-repeats 3 --min-time 0.1 --max-remeasure 0 --quiet";
  const std::string pid_file = dir.file("pid");
  ASSERT_EQ(std::system((std::string(NNLAT_BINARY) + " " + args + " >/dev/null 2>&1 & echo $! > " + pid_file).c_str()),
            0);
  int pid = 0;
  std::ifstream(pid_file) >> pid;
  ASSERT_GT(pid, 0);
  // Kill with SIGKILL in the second round.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(120);
  while (network_measurements(db) < kPlanned / 3 + 2 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  ASSERT_EQ(::kill(pid, SIGKILL), 0);
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  const int64_t before = network_measurements(db);
  ASSERT_GE(before, kPlanned / 3 + 2);
  ASSERT_LT(before, kPlanned) << "the campaign finished before the kill; the test proves nothing";

  auto resumed = run_cli(args + " --json");
  ASSERT_EQ(resumed.exit_code, 0) << resumed.err;
  auto j = nlohmann::json::parse(resumed.out);
  EXPECT_EQ(j["resumed"], true);
  EXPECT_EQ(j["already_done"].get<int64_t>(), before);
  EXPECT_EQ(j["measured"].get<int64_t>(), kPlanned - before);

  // Exactly one measurement per planned item: three per network, six per reference.
  auto store = store::Store::open(db);
  ASSERT_TRUE(store.ok());
  ASSERT_TRUE(store->check_integrity().ok());
  std::map<std::string, int> per_key;
  std::map<std::string, int> per_network;
  ASSERT_TRUE(store
                  ->for_each_measurement(std::nullopt,
                                         [&](const store::MeasurementRow& row) {
                                           ++per_key[row.item_key];
                                           ++per_network[row.hash];
                                           return Status::Ok();
                                         })
                  .ok());
  EXPECT_EQ(per_key.size(), static_cast<size_t>(kPlanned));
  for (const auto& [key, n] : per_key) EXPECT_EQ(n, 1) << key;
  EXPECT_EQ(per_network.size(), static_cast<size_t>(kModels + 2));
  int references = 0;
  for (const auto& [hash, n] : per_network) {
    EXPECT_TRUE(n == 3 || n == 6) << hash << ": " << n;
    references += n == 6 ? 1 : 0;
  }
  EXPECT_EQ(references, 2);
}

}  // namespace
}  // namespace nnlat
