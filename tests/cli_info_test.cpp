// End-to-end tests of `nnlat info`, `nnlat zoo` and `nnlat export` through the real binary.
#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "cli_test_util.hpp"

namespace nnlat {
namespace {

using testing::run_cli;
using testing::TempDir;

TEST(CliInfo, JsonReportsNameMacsParamsAndOps) {
  auto r = run_cli("info zoo:mobilenet_v2 --json");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["name"], "mobilenet_v2");
  EXPECT_GT(j["macs"].get<int64_t>(), 0);
  EXPECT_GT(j["params"].get<int64_t>(), 0);
  ASSERT_TRUE(j["ops"].is_array());
  int64_t macs = 0;
  for (const auto& op : j["ops"]) macs += op["macs"].get<int64_t>();
  EXPECT_EQ(macs, j["macs"].get<int64_t>());  // totals are the sum of the per-op table
}

TEST(CliInfo, ZooParametersChangeTheNetwork) {
  auto full = run_cli("info zoo:mobilenet_v2 --json");
  auto small = run_cli("'info' 'zoo:mobilenet_v2?width=0.5&res=160' --json");
  ASSERT_EQ(full.exit_code, 0);
  ASSERT_EQ(small.exit_code, 0) << small.err;
  auto a = nlohmann::json::parse(full.out);
  auto b = nlohmann::json::parse(small.out);
  EXPECT_LT(b["macs"].get<int64_t>(), a["macs"].get<int64_t>());
  EXPECT_EQ(b["name"], "mobilenet_v2?width=0.5&res=160");
}

TEST(CliInfo, TableHasTotals) {
  auto r = run_cli("info zoo:mobilenet_v2");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("total:"), std::string::npos);
  EXPECT_NE(r.out.find("depthwise_conv2d"), std::string::npos);
}

TEST(CliInfo, BatchOfModelsFromADirectory) {
  TempDir dir("cli_batch");
  ASSERT_EQ(run_cli("export zoo:mobilenet_v2 --json " + dir.file("a.json")).exit_code, 0);
  ASSERT_EQ(run_cli("export 'zoo:mobilenet_v2?res=128' --json " + dir.file("b.json")).exit_code, 0);
  auto r = run_cli("info " + dir.path().string() + " --json");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::istringstream lines(r.out);
  std::string line;
  int n = 0;
  while (std::getline(lines, line)) {
    if (!line.empty()) ++n;
  }
  EXPECT_EQ(n, 2);
}

TEST(CliInfo, ExportedJsonReadsBackWithTheSameCost) {
  TempDir dir("cli_export");
  ASSERT_EQ(run_cli("export zoo:mobilenet_v2 --json " + dir.file("m.json")).exit_code, 0);
  auto a = nlohmann::json::parse(run_cli("info zoo:mobilenet_v2 --json").out);
  auto r = run_cli("info " + dir.file("m.json") + " --json");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto b = nlohmann::json::parse(r.out);
  EXPECT_EQ(a["macs"], b["macs"]);
  EXPECT_EQ(a["params"], b["params"]);
  EXPECT_EQ(a["ops"].size(), b["ops"].size());
}

TEST(CliInfo, BadReferencesFailWithOneLineAndExitCode2) {
  TempDir dir("cli_bad");
  const std::vector<std::string> refs = {
      "zoo:no_such_net",        "'zoo:mobilenet_v2?width=abc'", "'zoo:mobilenet_v2?depth=3'",
      dir.file("missing.json"), dir.file("model.xyz"),          "nb201:garbage"};
  for (const std::string& ref : refs) {
    auto r = run_cli("info " + ref);
    EXPECT_EQ(r.exit_code, 2) << ref << ": " << r.err;
    EXPECT_EQ(r.err.rfind("nnlat: error: ", 0), 0u) << r.err;
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
  }
}

TEST(CliZoo, ListsEveryEntryAsJson) {
  auto r = run_cli("zoo --json");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto j = nlohmann::json::parse(r.out);
  ASSERT_TRUE(j.is_array());
  ASSERT_FALSE(j.empty());
  for (const auto& e : j) {
    EXPECT_GT(e["macs"].get<int64_t>(), 0) << e["name"];
    EXPECT_FALSE(e["citation"].get<std::string>().empty()) << e["name"];
  }
}

}  // namespace
}  // namespace nnlat
