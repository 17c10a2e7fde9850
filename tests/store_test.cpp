#include "nnlat/store/store.hpp"

#include <gtest/gtest.h>
#include <sqlite3.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <random>
#include <sstream>

#include "nnlat/core/hash.hpp"
#include "nnlat/formats/json_format.hpp"
#include "nnlat/ir/builder.hpp"
#include "nnlat/ir/cost.hpp"
#include "nnlat/store/export.hpp"
#include "store/schema.hpp"
#include "store_test_util.hpp"

namespace nnlat::store {
namespace {

namespace fs = std::filesystem;

ir::Graph small_net(int64_t channels, const std::string& name = "small") {
  ir::GraphBuilder b(name);
  auto x = b.input({1, 3, 16, 16});
  auto y = b.conv_bn_act(x, channels, 3, 1, 1, ir::Act::kRelu);
  ir::Graph g = b.finish({b.classifier(y, 10)});
  g.metadata["source"] = "test";
  g.metadata["family"] = "tiny";
  return g;
}

MeasurementRecord record(int64_t target_id, std::vector<double> samples) {
  MeasurementRecord r;
  r.target_id = target_id;
  r.measurement = measure::measurement_from_samples(std::move(samples));
  r.environment.backend = "fake";
  r.environment.threads = 1;
  return r;
}

// RFC 4180 reader for the export test.
std::vector<std::vector<std::string>> parse_csv(const std::string& text) {
  std::vector<std::vector<std::string>> rows(1);
  std::string field;
  bool quoted = false;
  bool field_started = false;
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (quoted) {
      if (c == '"' && i + 1 < text.size() && text[i + 1] == '"') {
        field += '"';
        ++i;
      } else if (c == '"') {
        quoted = false;
      } else {
        field += c;
      }
    } else if (c == '"' && !field_started) {
      quoted = true;
      field_started = true;
    } else if (c == ',') {
      rows.back().push_back(field);
      field.clear();
      field_started = false;
    } else if (c == '\n') {
      rows.back().push_back(field);
      field.clear();
      field_started = false;
      rows.emplace_back();
    } else {
      field += c;
      field_started = true;
    }
  }
  if (rows.back().empty()) rows.pop_back();
  return rows;
}

// ---- schema

TEST(StoreSchema, CreatesTablesVersionAndWal) {
  TempDir dir;
  const std::string path = dir.file("m.db");
  { Store store = open_or_die(path); }
  RawDb raw(path);
  for (const char* table : {"schema_version", "targets", "networks", "kernels", "campaigns", "campaign_items",
                            "json_texts", "network_measurements", "kernel_measurements"}) {
    EXPECT_EQ(raw.text(std::string("SELECT count(*) FROM sqlite_schema WHERE type='table' AND name='") + table + "'"),
              "1")
        << table;
  }
  EXPECT_EQ(raw.text("SELECT max(version) FROM schema_version"), std::to_string(kSchemaVersion));
  EXPECT_EQ(raw.text("PRAGMA journal_mode"), "wal");
  EXPECT_EQ(raw.text("PRAGMA application_id"), std::to_string(kApplicationId));
}

TEST(StoreSchema, ReopenKeepsDataAndIds) {
  TempDir dir;
  const std::string path = dir.file("m.db");
  int64_t target = 0, network = 0;
  {
    Store store = open_or_die(path);
    target = target_or_die(store);
    auto n = store.upsert_network(small_net(8));
    ASSERT_TRUE(n.ok()) << n.error().message;
    network = *n;
    ASSERT_TRUE(store.add_network_measurement(network, record(target, {1, 2, 3})).ok());
  }
  Store store = open_or_die(path);
  EXPECT_EQ(target_or_die(store), target);
  EXPECT_EQ(*store.upsert_network(small_net(8)), network);
  auto stats = store.stats();
  ASSERT_TRUE(stats.ok());
  EXPECT_EQ(stats->targets, 1);
  EXPECT_EQ(stats->networks, 1);
  EXPECT_EQ(stats->network_measurements, 1);
}

TEST(StoreSchema, NewerSchemaVersionIsClearError) {
  TempDir dir;
  const std::string path = dir.file("m.db");
  { Store store = open_or_die(path); }
  {
    RawDb raw(path);
    ASSERT_EQ(raw.exec("INSERT INTO schema_version (version, nnlat_version) VALUES (99, '9.9')"), "");
  }
  auto s = Store::open(path);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code, ErrorCode::kUnsupported);
  EXPECT_NE(s.error().message.find(path), std::string::npos) << s.error().message;
  EXPECT_NE(s.error().message.find("99 is newer"), std::string::npos) << s.error().message;
}

TEST(StoreSchema, ForeignSqliteDatabaseIsRejected) {
  TempDir dir;
  const std::string path = dir.file("other.db");
  {
    RawDb raw(path);
    ASSERT_EQ(raw.exec("CREATE TABLE photos (id INTEGER PRIMARY KEY)"), "");
  }
  auto s = Store::open(path);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.error().message.find(path + ": not an nnlat store"), std::string::npos) << s.error().message;
}

TEST(StoreSchema, CorruptedFileIsCleanErrorNamingThePath) {
  TempDir dir;
  const std::string path = dir.file("random.db");
  {
    std::mt19937 rng(42);
    std::ofstream out(path, std::ios::binary);
    for (int i = 0; i < 8192; ++i) out.put(static_cast<char>(rng() & 0xff));
  }
  auto s = Store::open(path);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code, ErrorCode::kParseError);
  EXPECT_EQ(s.error().message.rfind(path + ": ", 0), 0u) << s.error().message;
  EXPECT_NE(s.error().message.find("not a database"), std::string::npos) << s.error().message;

  // A file truncated inside the header.
  const std::string truncated = dir.file("truncated.db");
  { Store store = open_or_die(truncated); }
  fs::resize_file(truncated, 50);
  fs::remove(truncated + "-wal");
  fs::remove(truncated + "-shm");
  auto t = Store::open(truncated);
  ASSERT_FALSE(t.ok());
  EXPECT_EQ(t.error().message.rfind(truncated + ": ", 0), 0u) << t.error().message;

  const std::string missing_dir = dir.file("no/such/dir/m.db");
  auto m = Store::open(missing_dir);
  ASSERT_FALSE(m.ok());
  EXPECT_EQ(m.error().code, ErrorCode::kIoError);
  EXPECT_EQ(m.error().message.rfind(missing_dir + ": ", 0), 0u) << m.error().message;
}

// ---- upserts

TEST(StoreUpsert, NetworkIdentityAndCosts) {
  TempDir dir;
  Store store = open_or_die(dir.file("m.db"));
  const ir::Graph g = small_net(8);
  auto a = store.upsert_network(g);
  auto b = store.upsert_network(g);
  auto c = store.upsert_network(small_net(16));
  ASSERT_TRUE(a.ok() && b.ok() && c.ok());
  EXPECT_EQ(*a, *b);
  EXPECT_NE(*a, *c);

  RawDb raw(dir.file("m.db"));
  const auto cost = ir::graph_cost(g);
  EXPECT_EQ(raw.text("SELECT hash FROM networks WHERE id=" + std::to_string(*a)),
            stable_hash_hex(formats::graph_to_json(g)));
  EXPECT_EQ(raw.text("SELECT macs FROM networks WHERE id=" + std::to_string(*a)), std::to_string(cost.total.macs));
  EXPECT_EQ(raw.text("SELECT params FROM networks WHERE id=" + std::to_string(*a)), std::to_string(cost.total.params));
  EXPECT_EQ(raw.text("SELECT source || '/' || family || '/' || name FROM networks WHERE id=" + std::to_string(*a)),
            "test/tiny/small");
  EXPECT_EQ(raw.text("SELECT graph_json FROM networks WHERE id=" + std::to_string(*a)), formats::graph_to_json(g));
}

TEST(StoreUpsert, NetworkInfoOverridesMetadata) {
  TempDir dir;
  Store store = open_or_die(dir.file("m.db"));
  auto id = store.upsert_network(small_net(4), NetworkInfo{"renamed", "zoo:x", "enc-1", "fam", ""});
  ASSERT_TRUE(id.ok());
  RawDb raw(dir.file("m.db"));
  EXPECT_EQ(raw.text("SELECT name || '|' || source || '|' || encoding || '|' || family FROM networks"),
            "renamed|zoo:x|enc-1|fam");
}

TEST(StoreUpsert, TargetAndKernelConflictsAreErrors) {
  TempDir dir;
  const std::string path = dir.file("m.db");
  Store store = open_or_die(path);
  const int64_t t = target_or_die(store);
  EXPECT_EQ(*store.target_id("local:fake-t1:float"), t);
  auto missing = store.target_id("nope:x:float");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code, ErrorCode::kNotFound);

  auto other_backend = store.upsert_target(*measure::parse_target_name("local:fake-t1:float"), "xnnpack");
  ASSERT_FALSE(other_backend.ok());
  EXPECT_NE(other_backend.error().message.find(path), std::string::npos);

  auto k1 = store.upsert_kernel("abc", "conv2d", R"({"macs": 10})", "{}");
  auto k2 = store.upsert_kernel("abc", "conv2d", R"({"macs": 10})", "{}");
  ASSERT_TRUE(k1.ok() && k2.ok());
  EXPECT_EQ(*k1, *k2);
  EXPECT_FALSE(store.upsert_kernel("abc", "dwconv2d", "{}", "{}").ok());
  EXPECT_FALSE(store.upsert_kernel("def", "conv2d", "not json", "{}").ok());
  EXPECT_FALSE(store.upsert_kernel("", "conv2d", "{}", "{}").ok());
}

// ---- measurements

TEST(StoreAppendOnly, ReAddingAppendsAndSqlCannotRewrite) {
  TempDir dir;
  const std::string path = dir.file("m.db");
  Store store = open_or_die(path);
  const int64_t t = target_or_die(store);
  const int64_t n = *store.upsert_network(small_net(8));
  const int64_t k = *store.upsert_kernel("k1", "conv2d", "{}", "{}");
  const MeasurementRecord r = record(t, {1.0, 1.1, 0.9});
  auto a = store.add_network_measurement(n, r);
  auto b = store.add_network_measurement(n, r);
  auto c = store.add_kernel_measurement(k, r);
  auto d = store.add_kernel_measurement(k, r);
  ASSERT_TRUE(a.ok() && b.ok() && c.ok() && d.ok());
  EXPECT_NE(*a, *b);
  EXPECT_NE(*c, *d);
  auto stats = store.stats();
  ASSERT_TRUE(stats.ok());
  EXPECT_EQ(stats->network_measurements, 2);
  EXPECT_EQ(stats->kernel_measurements, 2);

  RawDb raw(path);
  EXPECT_NE(raw.exec("UPDATE network_measurements SET median_ms = 0").find("append-only"), std::string::npos);
  EXPECT_NE(raw.exec("DELETE FROM network_measurements").find("append-only"), std::string::npos);
  EXPECT_NE(raw.exec("UPDATE kernel_measurements SET median_ms = 0").find("append-only"), std::string::npos);
  EXPECT_NE(raw.exec("DELETE FROM kernel_measurements").find("append-only"), std::string::npos);
  EXPECT_EQ(raw.text("SELECT count(*) FROM network_measurements"), "2");
}

TEST(StoreMeasurement, InvalidRecordsAreRejected) {
  TempDir dir;
  Store store = open_or_die(dir.file("m.db"));
  const int64_t t = target_or_die(store);
  const int64_t n = *store.upsert_network(small_net(8));
  EXPECT_EQ(store.add_network_measurement(n + 100, record(t, {1})).error().code, ErrorCode::kNotFound);
  EXPECT_EQ(store.add_network_measurement(n, record(t + 100, {1})).error().code, ErrorCode::kNotFound);
  MeasurementRecord nan = record(t, {1, 2});
  nan.measurement.samples_ms.push_back(std::nan(""));
  EXPECT_FALSE(store.add_network_measurement(n, nan).ok());
  MeasurementRecord item_without_campaign = record(t, {1});
  item_without_campaign.item_key = "x";
  EXPECT_FALSE(store.add_network_measurement(n, item_without_campaign).ok());
  MeasurementRecord bad_protocol = record(t, {1});
  bad_protocol.protocol.min_repeats = 0;
  EXPECT_FALSE(store.add_network_measurement(n, bad_protocol).ok());
  EXPECT_EQ(store.stats()->network_measurements, 0);
}

TEST(StoreMeasurement, InvalidUtf8IsStoredNotThrown) {
  TempDir dir;
  Store store = open_or_die(dir.file("m.db"));
  const int64_t t = target_or_die(store);
  const int64_t n = *store.upsert_network(small_net(8));
  MeasurementRecord r = record(t, {1});
  r.environment.hostname = "host\xff\xfe";
  ASSERT_TRUE(store.add_network_measurement(n, r).ok());
  std::ostringstream out;
  EXPECT_EQ(*export_measurements(store, ExportOptions{ExportFormat::kJsonl, std::nullopt}, out), 1);
  EXPECT_FALSE(nlohmann::json::parse(out.str(), nullptr, false).is_discarded());
}

TEST(StoreMeasurement, TwoConnectionsInterleave) {
  TempDir dir;
  const std::string path = dir.file("m.db");
  Store a = open_or_die(path);
  Store b = open_or_die(path);
  const int64_t t = target_or_die(a);
  const int64_t n = *a.upsert_network(small_net(8));
  for (int i = 0; i < 5; ++i) {
    ASSERT_TRUE(a.add_network_measurement(n, record(t, {1.0 + i})).ok());
    ASSERT_TRUE(b.add_network_measurement(n, record(t, {2.0 + i})).ok());
  }
  EXPECT_EQ(a.stats()->network_measurements, 10);
  EXPECT_EQ(b.stats()->network_measurements, 10);
}

// ---- campaigns

TEST(StoreCampaign, ResumeSkipsCompletedItems) {
  TempDir dir;
  const std::string path = dir.file("m.db");
  const nlohmann::json args = {{"models", {"a", "b"}}, {"threads", 2}};
  const std::string key = campaign_key("measure-networks", args);
  const std::vector<std::string> plan{"net-0", "net-1", "net-2", "net-3", "net-4"};
  int64_t campaign_id = 0;
  {
    Store store = open_or_die(path);
    const int64_t t = target_or_die(store);
    auto c = store.open_campaign(key, "measure-networks", t, args, plan);
    ASSERT_TRUE(c.ok()) << c.error().message;
    EXPECT_FALSE(c->resumed);
    EXPECT_EQ(c->planned_items, plan);
    campaign_id = c->id;
    const int64_t n = *store.upsert_network(small_net(8));
    for (const char* item : {"net-3", "net-0"}) {  // out of plan order on purpose
      MeasurementRecord r = record(t, {1, 2});
      r.campaign_id = c->id;
      r.item_key = item;
      ASSERT_TRUE(store.add_network_measurement(n, r).ok());
    }
  }  // "killed" here
  Store store = open_or_die(path);
  const int64_t t = target_or_die(store);
  auto c = store.open_campaign(key, "measure-networks", t, args, {"ignored"});
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_TRUE(c->resumed);
  EXPECT_EQ(c->id, campaign_id);
  EXPECT_EQ(c->planned_items, plan);  // the stored plan wins
  EXPECT_EQ(c->arguments_json, args.dump());
  EXPECT_EQ(*store.completed_items(c->id), (std::vector<std::string>{"net-0", "net-3"}));
  EXPECT_EQ(*store.pending_items(c->id), (std::vector<std::string>{"net-1", "net-2", "net-4"}));

  const int64_t n = *store.upsert_network(small_net(8));
  MeasurementRecord again = record(t, {1});
  again.campaign_id = c->id;
  again.item_key = "net-0";
  auto dup = store.add_network_measurement(n, again);
  ASSERT_FALSE(dup.ok());
  EXPECT_NE(dup.error().message.find("already measured"), std::string::npos) << dup.error().message;
  again.item_key = "net-99";
  auto unplanned = store.add_network_measurement(n, again);
  ASSERT_FALSE(unplanned.ok());
  EXPECT_NE(unplanned.error().message.find("not planned"), std::string::npos) << unplanned.error().message;

  const auto pending = store.pending_items(c->id);
  ASSERT_TRUE(pending.ok());
  for (const auto& item : *pending) {
    MeasurementRecord r = record(t, {1});
    r.campaign_id = c->id;
    r.item_key = item;
    ASSERT_TRUE(store.add_network_measurement(n, r).ok());
  }
  EXPECT_EQ(*store.completed_items(c->id), plan);
  EXPECT_TRUE(store.pending_items(c->id)->empty());
  EXPECT_EQ(store.stats()->network_measurements, 5);  // no lost and no duplicated item
  ASSERT_TRUE(store.finish_campaign(c->id).ok());
  EXPECT_TRUE(store.check_integrity().ok()) << store.check_integrity().error().message;
  auto finished = store.open_campaign(key, "measure-networks", t, args, plan);
  ASSERT_TRUE(finished.ok());
  EXPECT_TRUE(finished->finished.has_value());
}

TEST(StoreCampaign, MismatchesAndBadPlansAreErrors) {
  TempDir dir;
  Store store = open_or_die(dir.file("m.db"));
  const int64_t t1 = target_or_die(store, "local:a:float");
  const int64_t t2 = target_or_die(store, "local:b:float");
  ASSERT_TRUE(store.open_campaign("k", "measure-networks", t1, nlohmann::json::object(), {"x"}).ok());
  EXPECT_FALSE(store.open_campaign("k", "profile-kernels", t1, nlohmann::json::object(), {"x"}).ok());
  EXPECT_FALSE(store.open_campaign("k", "measure-networks", t2, nlohmann::json::object(), {"x"}).ok());
  EXPECT_FALSE(store.open_campaign("k2", "measure-networks", t1, nlohmann::json::object(), {"x", "x"}).ok());
  EXPECT_FALSE(store.open_campaign("k3", "measure-networks", t1, nlohmann::json::object(), {""}).ok());
  EXPECT_FALSE(store.open_campaign("k4", "measure-networks", t1 + 100, nlohmann::json::object(), {"x"}).ok());
  EXPECT_EQ(store.completed_items(12345).error().code, ErrorCode::kNotFound);

  // A measurement for a campaign must be on the campaign's target.
  auto c = store.open_campaign("k", "measure-networks", t1, nlohmann::json::object(), {"x"});
  MeasurementRecord r = record(t2, {1});
  r.campaign_id = c->id;
  r.item_key = "x";
  EXPECT_FALSE(store.add_network_measurement(*store.upsert_network(small_net(8)), r).ok());
  EXPECT_EQ(store.stats()->campaigns, 1);
}

TEST(StoreCampaign, KeyIsStableHashOfArguments) {
  nlohmann::json a;
  a["threads"] = 2;
  a["models"] = {"x", "y"};
  nlohmann::json b;
  b["models"] = {"x", "y"};
  b["threads"] = 2;
  EXPECT_EQ(campaign_key("measure", a), campaign_key("measure", b));
  EXPECT_NE(campaign_key("measure", a), campaign_key("profile", a));
  b["threads"] = 4;
  EXPECT_NE(campaign_key("measure", a), campaign_key("measure", b));
  EXPECT_EQ(campaign_key("measure", a).size(), 16u);
}

// ---- stats and export

TEST(StoreStats, CountsAndPerTargetBreakdown) {
  TempDir dir;
  Store store = open_or_die(dir.file("m.db"));
  const int64_t cpu = target_or_die(store, "local:fake-t1:float");
  const int64_t gpu = target_or_die(store, "local:fake-gpu:float");
  const int64_t n1 = *store.upsert_network(small_net(8));
  const int64_t n2 = *store.upsert_network(small_net(16));
  const int64_t k1 = *store.upsert_kernel("k1", "conv2d", "{}", "{}");
  ASSERT_TRUE(store.add_network_measurement(n1, record(cpu, {1})).ok());
  ASSERT_TRUE(store.add_network_measurement(n1, record(cpu, {1})).ok());
  ASSERT_TRUE(store.add_network_measurement(n2, record(cpu, {1})).ok());
  MeasurementRecord unstable = record(gpu, {1, 5});
  unstable.measurement.unstable = true;
  ASSERT_TRUE(store.add_network_measurement(n2, unstable).ok());
  ASSERT_TRUE(store.add_kernel_measurement(k1, record(gpu, {1})).ok());

  auto s = store.stats();
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->targets, 2);
  EXPECT_EQ(s->networks, 2);
  EXPECT_EQ(s->kernels, 1);
  EXPECT_EQ(s->campaigns, 0);
  EXPECT_EQ(s->network_measurements, 4);
  EXPECT_EQ(s->kernel_measurements, 1);
  ASSERT_EQ(s->per_target.size(), 2u);
  const TargetStats& g = s->per_target[0];  // sorted by name: fake-gpu < fake-t1
  EXPECT_EQ(g.target, "local:fake-gpu:float");
  EXPECT_EQ(g.backend, "fake");
  EXPECT_EQ(g.networks, 1);
  EXPECT_EQ(g.kernels, 1);
  EXPECT_EQ(g.network_measurements, 1);
  EXPECT_EQ(g.kernel_measurements, 1);
  EXPECT_EQ(g.unstable, 1);
  const TargetStats& c = s->per_target[1];
  EXPECT_EQ(c.networks, 2);
  EXPECT_EQ(c.network_measurements, 3);
  EXPECT_EQ(c.kernel_measurements, 0);
  EXPECT_EQ(c.unstable, 0);
}

// A store with one awkwardly named network and one kernel on two targets.
struct ExportFixture {
  explicit ExportFixture(const std::string& path) : store(open_or_die(path)) {
    cpu = target_or_die(store, "local:fake-t1:float");
    gpu = target_or_die(store, "local:fake-gpu:float");
    net = small_net(8, "net, \"quoted\"\nname");
    network = *store.upsert_network(net, NetworkInfo{"", "", "enc,1", "", ""});
    kernel = *store.upsert_kernel("kh", "conv2d", R"({"macs": 1234, "params": 56})", "{}");
    EXPECT_TRUE(store.add_network_measurement(network, record(cpu, {1.5, 2.25, 1.75})).ok());
    EXPECT_TRUE(store.add_kernel_measurement(kernel, record(cpu, {0.125})).ok());
    EXPECT_TRUE(store.add_network_measurement(network, record(gpu, {0.1, 0.30000000000000004})).ok());
  }
  Store store;
  int64_t cpu = 0, gpu = 0, network = 0, kernel = 0;
  ir::Graph net;
};

TEST(StoreExport, CsvParsesBack) {
  TempDir dir;
  ExportFixture f(dir.file("m.db"));
  std::ostringstream out;
  auto rows = export_measurements(f.store, ExportOptions{ExportFormat::kCsv, std::nullopt}, out);
  ASSERT_TRUE(rows.ok()) << rows.error().message;
  EXPECT_EQ(*rows, 3);
  const auto table = parse_csv(out.str());
  ASSERT_EQ(table.size(), 4u);
  const auto& header = table[0];
  auto col = [&](const char* name) {
    const auto it = std::find(header.begin(), header.end(), name);
    EXPECT_NE(it, header.end()) << name;
    return static_cast<size_t>(it - header.begin());
  };
  for (const auto& row : table) ASSERT_EQ(row.size(), header.size());
  const auto& net = table[1];
  EXPECT_EQ(net[col("kind")], "network");
  EXPECT_EQ(net[col("target")], "local:fake-t1:float");
  EXPECT_EQ(net[col("name")], "net, \"quoted\"\nname");
  EXPECT_EQ(net[col("encoding")], "enc,1");
  EXPECT_EQ(net[col("hash")], stable_hash_hex(formats::graph_to_json(f.net)));
  EXPECT_EQ(net[col("macs")], std::to_string(ir::graph_cost(f.net).total.macs));
  EXPECT_EQ(net[col("params")], std::to_string(ir::graph_cost(f.net).total.params));
  EXPECT_EQ(std::stod(net[col("median_ms")]), 1.75);
  EXPECT_EQ(std::stod(net[col("min_ms")]), 1.5);
  EXPECT_EQ(net[col("n_samples")], "3");
  EXPECT_EQ(net[col("unstable")], "0");
  const auto& kernel = table[3];  // network rows first, then kernel rows
  EXPECT_EQ(kernel[col("kind")], "kernel");
  EXPECT_EQ(kernel[col("name")], "conv2d");
  EXPECT_EQ(kernel[col("macs")], "1234");
  EXPECT_EQ(kernel[col("params")], "56");
  const auto& gpu = table[2];
  EXPECT_EQ(gpu[col("target")], "local:fake-gpu:float");
  EXPECT_EQ(std::stod(gpu[col("mean_ms")]), (0.1 + 0.30000000000000004) / 2);  // full precision

  std::ostringstream filtered;
  ASSERT_EQ(*export_measurements(f.store, ExportOptions{ExportFormat::kCsv, "local:fake-gpu:float"}, filtered), 1);
  EXPECT_EQ(parse_csv(filtered.str()).size(), 2u);
  std::ostringstream none;
  auto unknown = export_measurements(f.store, ExportOptions{ExportFormat::kCsv, "nope:x:float"}, none);
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(unknown.error().code, ErrorCode::kNotFound);
  EXPECT_NE(unknown.error().message.find(dir.file("m.db")), std::string::npos);
}

TEST(StoreExport, JsonlParsesBackToFile) {
  TempDir dir;
  ExportFixture f(dir.file("m.db"));
  const std::string out_path = dir.file("out.jsonl");
  auto rows = export_measurements(f.store, ExportOptions{ExportFormat::kJsonl, "local:fake-t1:float"}, out_path);
  ASSERT_TRUE(rows.ok()) << rows.error().message;
  EXPECT_EQ(*rows, 2);
  std::ifstream in(out_path);
  std::vector<nlohmann::json> lines;
  for (std::string line; std::getline(in, line);) {
    auto j = nlohmann::json::parse(line, nullptr, false);
    ASSERT_FALSE(j.is_discarded()) << line;
    lines.push_back(j);
  }
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(lines[0]["kind"], "network");
  EXPECT_EQ(lines[0]["name"], "net, \"quoted\"\nname");
  EXPECT_EQ(lines[0]["samples_ms"], nlohmann::json({1.5, 2.25, 1.75}));
  EXPECT_EQ(lines[0]["median_ms"], 1.75);
  EXPECT_EQ(lines[0]["n_samples"], 3);
  EXPECT_EQ(lines[0]["protocol"]["min_repeats"], 10);
  EXPECT_EQ(lines[0]["environment"]["backend"], "fake");
  EXPECT_EQ(lines[1]["kind"], "kernel");
  EXPECT_EQ(lines[1]["macs"], 1234);
  EXPECT_EQ(lines[1]["hash"], "kh");

  EXPECT_EQ(parse_export_format("csv").value(), ExportFormat::kCsv);
  EXPECT_EQ(parse_export_format("jsonl").value(), ExportFormat::kJsonl);
  EXPECT_FALSE(parse_export_format("xml").ok());
}

TEST(StoreExport, CsvFieldQuoting) {
  EXPECT_EQ(csv_field("plain"), "plain");
  EXPECT_EQ(csv_field(""), "");
  EXPECT_EQ(csv_field("a,b"), "\"a,b\"");
  EXPECT_EQ(csv_field("say \"hi\""), "\"say \"\"hi\"\"\"");
  EXPECT_EQ(csv_field("two\nlines"), "\"two\nlines\"");
  EXPECT_EQ(csv_field("cr\r"), "\"cr\r\"");
}

// ---- per-kernel timings (schema v2)

TEST(StoreKernelTimings, StoredWithTheMeasurementAndAppendOnly) {
  TempDir dir;
  Store store = open_or_die(dir.file("m.db"));
  const int64_t target = target_or_die(store, "phone:gpu:float");
  auto net = store.upsert_network(small_net(8));
  ASSERT_TRUE(net.ok());
  MeasurementRecord r = record(target, {2.0, 2.1, 2.2});
  r.kernel_timings = {{0, "convolution_2d_0_linked_:_relu_1", "convolution_2d", 1.25},
                      {1, "fully_connected_2", "fully_connected", 0.0}};
  ASSERT_TRUE(store.add_network_measurement(*net, r).ok());
  // A second measurement of the same network with another breakdown: the first one wins.
  MeasurementRecord second = record(target, {2.0});
  second.kernel_timings = {{0, "x", "other", 9.0}, {1, "y", "other", 9.0}};
  ASSERT_TRUE(store.add_network_measurement(*net, second).ok());
  auto timings = store.kernel_timings("phone:gpu:float");
  ASSERT_TRUE(timings.ok()) << timings.error().message;
  ASSERT_EQ(timings->size(), 1u);
  const auto& t = timings->begin()->second;
  ASSERT_EQ(t.size(), 2u);
  EXPECT_EQ(t[0].implementation, "convolution_2d");
  EXPECT_DOUBLE_EQ(t[0].latency_ms, 1.25);
  EXPECT_EQ(t[1].name, "fully_connected_2");

  // The JSONL export carries each network measurement's breakdown.
  std::ostringstream out;
  ASSERT_EQ(*export_measurements(store, ExportOptions{ExportFormat::kJsonl, std::nullopt}, out), 2);
  std::istringstream lines(out.str());
  std::string first;
  std::getline(lines, first);
  const auto row = nlohmann::json::parse(first);
  ASSERT_EQ(row["kernel_timings"].size(), 2u);
  EXPECT_EQ(row["kernel_timings"][0]["implementation"], "convolution_2d");
  EXPECT_DOUBLE_EQ(row["kernel_timings"][0]["latency_ms"].get<double>(), 1.25);

  RawDb raw(dir.file("m.db"));
  EXPECT_NE(raw.exec("UPDATE kernel_timings SET latency_ms = 0"), "");
  EXPECT_NE(raw.exec("DELETE FROM kernel_timings"), "");
}

TEST(StoreKernelTimings, BadTimingsAddNothing) {
  TempDir dir;
  Store store = open_or_die(dir.file("m.db"));
  const int64_t target = target_or_die(store, "phone:gpu:float");
  auto net = store.upsert_network(small_net(8));
  ASSERT_TRUE(net.ok());
  MeasurementRecord r = record(target, {2.0});
  r.kernel_timings = {{0, "a", "conv", 1.0}, {1, "b", "conv", -1.0}};
  EXPECT_FALSE(store.add_network_measurement(*net, r).ok());
  r.kernel_timings = {{0, "a", "conv", 1.0}, {0, "b", "conv", 1.0}};  // duplicate position
  EXPECT_FALSE(store.add_network_measurement(*net, r).ok());
  auto k = store.upsert_kernel("k1", "conv2d", "{}", "{}");
  ASSERT_TRUE(k.ok());
  r.kernel_timings = {{0, "a", "conv", 1.0}};
  EXPECT_FALSE(store.add_kernel_measurement(*k, r).ok());
  // The failed transactions left no measurement behind.
  auto stats = store.stats();
  ASSERT_TRUE(stats.ok());
  EXPECT_EQ(stats->network_measurements, 0);
  EXPECT_EQ(stats->kernel_measurements, 0);
}

TEST(StoreSchema, VersionOneStoreIsMigratedKeepingItsData) {
  TempDir dir;
  const std::string path = dir.file("m.db");
  const ir::Graph g = small_net(8);
  {
    // A version-1 store as an older nnlat wrote it: one network, one measurement.
    RawDb raw(path);
    ASSERT_EQ(raw.exec(schema_script(1)), "");
    ASSERT_EQ(raw.exec("INSERT INTO targets (name, device, config, precision, backend) "
                       "VALUES ('local:fake-t1:float', 'local', 'fake-t1', 'float', 'fake');"
                       "INSERT INTO networks (hash, name, source, encoding, family, macs, params, graph_json) "
                       "VALUES ('" +
                       stable_hash_hex(formats::graph_to_json(g)) + "', 'small', 'test', '', 'tiny', 1, 1, '" +
                       formats::graph_to_json(g) +
                       "');"
                       "INSERT INTO network_measurements (target_id, network_id, protocol_json, median_ms, mean_ms, "
                       "std_ms, cv, min_ms, n_samples, samples_json, unstable, remeasures, environment_json) "
                       "VALUES (1, 1, '{}', 1, 1, 0, 0, 1, 1, '[1]', 0, 0, '{\"backend\":\"fake\"}');"),
              "");
  }
  Store store = open_or_die(path);
  RawDb raw(path);
  EXPECT_EQ(raw.text("SELECT max(version) FROM schema_version"), std::to_string(kSchemaVersion));
  EXPECT_EQ(raw.text("SELECT count(*) FROM sqlite_schema WHERE name = 'kernel_timings'"), "1");
  EXPECT_EQ(raw.text("SELECT count(*) FROM network_measurements"), "1");
  // The network is the one stored: upserting its graph again finds it.
  auto net = store.upsert_network(g);
  ASSERT_TRUE(net.ok()) << net.error().message;
  EXPECT_EQ(*net, 1);
  EXPECT_TRUE(store.add_network_measurement(*net, record(1, {1.0, 1.1})).ok());
  EXPECT_TRUE(store.check_integrity().ok());
}

}  // namespace
}  // namespace nnlat::store
