// End-to-end tests of `nnlat analyze` through the real binary: text and JSON on a small store,
// and clear errors for a missing store and an unknown target.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "cli_test_util.hpp"
#include "nnlat/ir/builder.hpp"
#include "nnlat/store/store.hpp"

namespace nnlat {
namespace {

using testing::run_cli;
using testing::TempDir;

// Two networks on a one-core and a two-core target of one phone: a planted 2x speed-up.
void write_store(const std::string& path) {
  auto store = store::Store::open(path);
  ASSERT_TRUE(store.ok()) << store.error().message;
  for (const auto& [config, divisor] : std::vector<std::pair<std::string, double>>{{"1large", 1.0}, {"2large", 2.0}}) {
    const int64_t t = *store->upsert_target({"phone", config, "float"}, "fake");
    for (int64_t c : {8, 16}) {
      ir::GraphBuilder b("net" + std::to_string(c));
      auto x = b.input({1, c, 16, 16});
      ir::Graph g = b.finish({b.classifier(b.conv(x, c, 3), 10)});
      g.metadata["family"] = "tiny";
      store::MeasurementRecord r;
      r.target_id = t;
      r.measurement = measure::measurement_from_samples({static_cast<double>(c) / divisor});
      r.environment.backend = "fake";
      ASSERT_TRUE(store->add_network_measurement(*store->upsert_network(g), r).ok());
    }
  }
}

TEST(CliAnalyze, TextAndJsonOnASmallStore) {
  TempDir dir("cli_analyze");
  const std::string db = dir.file("s.db");
  write_store(db);
  auto text = run_cli("analyze --db " + db);
  ASSERT_EQ(text.exit_code, 0) << text.err;
  EXPECT_NE(text.out.find("== FLOPs (MACs) vs latency"), std::string::npos) << text.out;
  EXPECT_NE(text.out.find("2large"), std::string::npos);
  EXPECT_NE(text.out.find("== Noise"), std::string::npos);

  auto json = run_cli("analyze --db " + db + " --json");
  ASSERT_EQ(json.exit_code, 0) << json.err;
  auto j = nlohmann::json::parse(json.out);
  EXPECT_EQ(j["schema"], "nnlat-analyze");
  EXPECT_EQ(j["version"], 1);
  ASSERT_EQ(j["targets"].size(), 2u);
  ASSERT_EQ(j["threads"].size(), 1u);
  ASSERT_EQ(j["threads"][0]["points"].size(), 1u);
  EXPECT_NEAR(j["threads"][0]["points"][0]["speedup"].get<double>(), 2.0, 1e-9);
  EXPECT_EQ(j["flops"][0]["all"]["networks"], 2);
  for (const char* key : {"breakdown", "implementations", "disagreements", "frameworks", "noise"}) {
    EXPECT_TRUE(j[key].is_array()) << key;
  }

  // --target restricts the analyses: one target, no baseline to scale against.
  auto one = run_cli("analyze --db " + db + " --target phone:2large:float --json");
  ASSERT_EQ(one.exit_code, 0) << one.err;
  EXPECT_EQ(nlohmann::json::parse(one.out)["threads"].size(), 0u);
}

TEST(CliAnalyze, MissingStoreAndUnknownTargetAreClearErrors) {
  TempDir dir("cli_analyze_bad");
  auto missing = run_cli("analyze --db " + dir.file("none.db"));
  EXPECT_EQ(missing.exit_code, 2);
  EXPECT_NE(missing.err.find("none.db: no such store"), std::string::npos) << missing.err;

  const std::string db = dir.file("s.db");
  write_store(db);
  auto unknown = run_cli("analyze --db " + db + " --target phone:9huge:float");
  EXPECT_EQ(unknown.exit_code, 2);
  EXPECT_NE(unknown.err.find("phone:9huge:float"), std::string::npos) << unknown.err;
  EXPECT_TRUE(unknown.out.empty());
}

}  // namespace
}  // namespace nnlat
