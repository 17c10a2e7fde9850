// NAS networks kept as space + encoding (schema version 3, docs/store.md "NAS networks"): the
// import round trip, the migration of stores written by older nnlat, the size of a NAS
// network's rows, and the errors of a malformed encoding.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "nnlat/campaigns/csv_measurements.hpp"
#include "nnlat/core/hash.hpp"
#include "nnlat/formats/json_format.hpp"
#include "nnlat/models/model_ref.hpp"
#include "nnlat/models/nas.hpp"
#include "nnlat/models/stored_network.hpp"
#include "nnlat/store/export.hpp"
#include "store/schema.hpp"
#include "store_test_util.hpp"

namespace nnlat::store {
namespace {

std::string hash_of(const ir::Graph& g) { return stable_hash_hex(formats::graph_to_json(g)); }

// A CSV of `encodings` (NB201 cells) with one column per target, made-up latencies.
std::string write_csv(const TempDir& dir, const std::vector<std::string>& encodings,
                      const std::vector<std::string>& targets, const std::string& name = "lat.csv") {
  const std::string path = dir.file(name);
  std::ofstream out(path);
  out << "arch";
  for (const auto& t : targets) out << "," << t;
  out << "\n";
  for (size_t i = 0; i < encodings.size(); ++i) {
    out << encodings[i];
    for (size_t t = 0; t < targets.size(); ++t) out << "," << 1.0 + 0.01 * static_cast<double>(i) + 0.1 * t;
    out << "\n";
  }
  return path;
}

campaigns::CsvImportOptions csv_options(const std::string& path, const std::vector<std::string>& targets,
                                        campaigns::ModelColumnFormat format = campaigns::ModelColumnFormat::kNb201) {
  campaigns::CsvImportOptions o;
  o.csv_path = path;
  o.model_column = "arch";
  o.format = format;
  o.target_columns = targets;
  return o;
}

std::vector<std::string> nb201_cells(int64_t n, uint64_t seed = 7) {
  auto cells = models::sample_space("nb201", n, seed);
  EXPECT_TRUE(cells.ok()) << cells.error().message;
  return cells.ok() ? *cells : std::vector<std::string>{};
}

TEST(StoreNas, ImportKeepsEncodingsAndReadersRebuildTheSameGraphs) {
  TempDir dir;
  const auto cells = nb201_cells(5);
  const std::string mbv2 = models::sample_space("mbv2", 1, 3).value().front();
  // A path column takes any model reference: NB201 cells, an mbv2 sample and a zoo network.
  std::vector<std::string> refs;
  for (const auto& c : cells) refs.push_back("nb201:" + c);
  refs.push_back("space:mbv2:" + mbv2);
  refs.push_back("zoo:mobilenet_v2?width=0.25&res=32");
  const std::string csv = write_csv(dir, refs, {"dev:cpu:float"});
  Store store = open_or_die(dir.file("s.db"));
  auto summary = campaigns::import_csv_measurements(
      store, csv_options(csv, {"dev:cpu:float"}, campaigns::ModelColumnFormat::kPath));
  ASSERT_TRUE(summary.ok()) << summary.error().message;
  EXPECT_EQ(summary->measurements, refs.size());

  auto subjects = store.subject_latencies("dev:cpu:float", MeasurementKind::kNetwork);
  ASSERT_TRUE(subjects.ok()) << subjects.error().message;
  ASSERT_EQ(subjects->size(), refs.size());
  for (size_t i = 0; i < refs.size(); ++i) {
    const SubjectLatency& s = (*subjects)[i];
    auto built = models::load_model(refs[i]);
    ASSERT_TRUE(built.ok());
    // The id is the hash the whole graph had when it was stored whole.
    EXPECT_EQ(s.hash, hash_of(*built)) << refs[i];
    const bool nas = i + 1 < refs.size();
    EXPECT_EQ(s.space, nas ? (i < cells.size() ? "nb201" : "mbv2") : "") << refs[i];
    EXPECT_EQ(s.graph_json.empty(), nas) << refs[i];
    auto read = models::stored_network_graph(s.space, s.encoding, s.graph_json, s.hash, "test");
    ASSERT_TRUE(read.ok()) << read.error().message;
    EXPECT_EQ(formats::graph_to_json(*read), formats::graph_to_json(*built)) << refs[i];
  }
  // Storing the same graph whole (as before schema 3) finds the same row.
  auto again = store.upsert_network(*models::load_model(refs[0]));
  ASSERT_TRUE(again.ok());
  RawDb raw(store.path());
  EXPECT_EQ(raw.text("SELECT count(*) FROM networks"), std::to_string(refs.size()));
}

TEST(StoreNas, ReImportAddsNothing) {
  TempDir dir;
  const std::vector<std::string> targets = {"a:cpu:float", "b:cpu:float"};
  const std::string csv = write_csv(dir, nb201_cells(20), targets);
  Store store = open_or_die(dir.file("s.db"));
  auto first = campaigns::import_csv_measurements(store, csv_options(csv, targets));
  ASSERT_TRUE(first.ok()) << first.error().message;
  EXPECT_EQ(first->measurements, 40u);
  RawDb raw(store.path());
  auto second = campaigns::import_csv_measurements(store, csv_options(csv, targets));
  ASSERT_TRUE(second.ok()) << second.error().message;
  EXPECT_EQ(second->measurements, 0u);
  EXPECT_EQ(second->already_imported, 40u);
  EXPECT_EQ(raw.text("SELECT count(*) FROM network_measurements"), "40");
  EXPECT_EQ(raw.text("SELECT count(*) FROM json_texts"), "2");  // one protocol, one environment
}

TEST(StoreNas, BytesPerNasNetworkStaySmall) {
  TempDir dir;
  const int64_t n = 400;
  const std::vector<std::string> targets = {"a:cpu:float", "b:cpu:float", "c:cpu:float"};
  const std::string csv = write_csv(dir, nb201_cells(n), targets);
  const std::string path = dir.file("s.db");
  auto file_bytes = [&] {
    RawDb raw(path);
    EXPECT_EQ(raw.exec("PRAGMA wal_checkpoint(TRUNCATE)"), "");
    return static_cast<double>(std::filesystem::file_size(path));
  };
  {
    Store store = open_or_die(path);
    for (const auto& t : targets) target_or_die(store, t, "dataset");  // as the import stores them
  }
  const double empty = file_bytes();
  {
    Store store = open_or_die(path);
    auto summary = campaigns::import_csv_measurements(store, csv_options(csv, targets));
    ASSERT_TRUE(summary.ok()) << summary.error().message;
  }
  // A whole NB201 graph is ~55 KB; its space, encoding, costs and three measurements (with
  // their campaign items) must fit in far less.
  const double per_network = (file_bytes() - empty) / static_cast<double>(n);
  EXPECT_LT(per_network, 1200.0);
  RawDb raw(path);
  EXPECT_EQ(raw.text("SELECT max(length(graph_json)) FROM networks"), "0");
}

TEST(StoreNas, MalformedEncodingIsAnErrorNamingFileAndLine) {
  TempDir dir;
  auto cells = nb201_cells(3);
  cells[1] = "|nor_conv_3x3~0|+|bogus_op~0|none~1|+|none~0|none~1|none~2|";
  const std::string csv = write_csv(dir, cells, {"a:cpu:float"});
  Store store = open_or_die(dir.file("s.db"));
  auto summary = campaigns::import_csv_measurements(store, csv_options(csv, {"a:cpu:float"}));
  ASSERT_FALSE(summary.ok());
  EXPECT_NE(summary.error().message.find(csv + ":3"), std::string::npos) << summary.error().message;
  RawDb raw(store.path());
  EXPECT_EQ(raw.text("SELECT count(*) FROM network_measurements"), "0");
}

TEST(StoreNas, RebuiltGraphOfAnotherHashIsAnError) {
  const std::string cell = nb201_cells(1).front();
  auto read = models::stored_network_graph("nb201", cell, "", "0123456789abcdef", "s.db: network x");
  ASSERT_FALSE(read.ok());
  EXPECT_NE(read.error().message.find("s.db: network x"), std::string::npos) << read.error().message;
  EXPECT_NE(read.error().message.find("builder changed"), std::string::npos) << read.error().message;
}

// A store as nnlat wrote it before schema 3: the NAS network's whole graph in graph_json, the
// protocol and environment inline in the measurement row, the CSV campaign's items keyed by
// the model column. Written by SQL, then opened by this nnlat.
TEST(StoreNas, VersionTwoStoreIsMigratedAndKeepsWorking) {
  TempDir dir;
  const std::string path = dir.file("old.db");
  const auto cells = nb201_cells(3);
  const std::string csv = write_csv(dir, cells, {"a:cpu:float"});
  auto graph = models::load_model("nb201:" + cells[0]);
  ASSERT_TRUE(graph.ok());
  const std::string graph_json = formats::graph_to_json(*graph);
  const std::string environment = R"({"backend":"dataset","hostname":"old"})";
  {
    RawDb raw(path);
    ASSERT_EQ(raw.exec(schema_script(2)), "");
    ASSERT_EQ(raw.exec("INSERT INTO targets (name, device, config, precision, backend) "
                       "VALUES ('a:cpu:float', 'a', 'cpu', 'float', 'dataset')"),
              "");
    ASSERT_EQ(raw.exec("INSERT INTO networks (hash, name, source, encoding, family, macs, params, graph_json) "
                       "VALUES ('" +
                       hash_of(*graph) + "', 'n', 'nb201', '" + graph->metadata.at("encoding") + "', 'nb201', 1, 1, '" +
                       graph_json + "')"),
              "");
    // The campaign an older `nnlat import csv` of this file planned, with one value written.
    std::ifstream in(csv);
    const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    const nlohmann::json args = {{"target", "a:cpu:float"}, {"file", stable_hash_hex(text)}, {"model_column", "arch"}};
    ASSERT_EQ(raw.exec("INSERT INTO campaigns (key, kind, target_id, arguments_json, planned_items) VALUES ('" +
                       campaign_key("import-csv", args) + "', 'import-csv', 1, '" + args.dump() + "', 3)"),
              "");
    for (int i = 0; i < 3; ++i) {
      ASSERT_EQ(raw.exec("INSERT INTO campaign_items (campaign_id, item_key, position) VALUES (1, '" +
                         cells[static_cast<size_t>(i)] + "', " + std::to_string(i) + ")"),
                "");
    }
    ASSERT_EQ(
        raw.exec("INSERT INTO network_measurements (target_id, network_id, campaign_id, item_key, "
                 "protocol_json, median_ms, mean_ms, std_ms, cv, min_ms, n_samples, samples_json, unstable, "
                 "remeasures, environment_json) VALUES (1, 1, 1, '" +
                 cells[0] + "', '{\"min_repeats\":10}', 1.0, 1.0, 0, 0, 1.0, 0, '[]', 0, 0, '" + environment + "')"),
        "");
  }
  Store store = open_or_die(path);
  RawDb raw(path);
  EXPECT_EQ(raw.text("SELECT max(version) FROM schema_version"), std::to_string(kSchemaVersion));
  // The old row reads as before: its whole graph, its inline environment.
  auto subjects = store.subject_latencies("a:cpu:float", MeasurementKind::kNetwork);
  ASSERT_TRUE(subjects.ok()) << subjects.error().message;
  ASSERT_EQ(subjects->size(), 1u);
  EXPECT_EQ((*subjects)[0].graph_json, graph_json);
  EXPECT_EQ((*subjects)[0].space, "");
  std::string exported_environment;
  ASSERT_TRUE(store
                  .for_each_measurement(std::nullopt,
                                        [&](const MeasurementRow& r) {
                                          exported_environment = r.environment_json;
                                          return Status::Ok();
                                        })
                  .ok());
  EXPECT_EQ(exported_environment, environment);
  // Re-importing the file resumes the old campaign under its old keys: the two values left,
  // the stored network found by its hash (same id), the new ones kept as encodings.
  auto summary = campaigns::import_csv_measurements(store, csv_options(csv, {"a:cpu:float"}));
  ASSERT_TRUE(summary.ok()) << summary.error().message;
  EXPECT_EQ(summary->measurements, 2u);
  EXPECT_EQ(summary->already_imported, 1u);
  EXPECT_EQ(raw.text("SELECT count(*) FROM networks"), "3");
  EXPECT_EQ(raw.text("SELECT count(*) FROM networks WHERE space = 'nb201'"), "2");
  EXPECT_EQ(raw.text("SELECT count(*) FROM network_measurements WHERE item_key LIKE 'network:%'"), "0");
  subjects = store.subject_latencies("a:cpu:float", MeasurementKind::kNetwork);
  ASSERT_TRUE(subjects.ok());
  ASSERT_EQ(subjects->size(), 3u);
  for (const auto& s : *subjects) {
    auto read = models::stored_network_graph(s.space, s.encoding, s.graph_json, s.hash, "test");
    EXPECT_TRUE(read.ok()) << s.name << ": " << read.error().message;
  }
  auto again = campaigns::import_csv_measurements(store, csv_options(csv, {"a:cpu:float"}));
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->measurements, 0u);
  EXPECT_TRUE(store.check_integrity().ok());
}

// A store with one target and one NB201 network, a record that fits them and one whose
// target does not exist.
struct OneNetwork {
  TempDir dir;
  Store store = open_or_die(dir.file("s.db"));
  int64_t net = store.upsert_network(*models::load_model("nb201:" + nb201_cells(1).front())).value();
  MeasurementRecord good;
  MeasurementRecord bad;
  OneNetwork() {
    good.target_id = target_or_die(store);
    good.measurement = measure::measurement_from_samples({1.0, 1.1});
    bad = good;
    bad.target_id = good.target_id + 100;
  }
};

TEST(StoreNas, BatchWithABadRecordAddsNothing) {
  OneNetwork f;
  Store& store = f.store;
  const auto net = &f.net;
  const MeasurementRecord& good = f.good;
  const MeasurementRecord& bad = f.bad;
  auto added = store.add_network_measurements({{*net, good}, {*net, good}, {*net, bad}});
  ASSERT_FALSE(added.ok());
  EXPECT_NE(added.error().message.find("no target"), std::string::npos) << added.error().message;
  RawDb raw(store.path());
  EXPECT_EQ(raw.text("SELECT count(*) FROM network_measurements"), "0");
  added = store.add_network_measurements({{*net, good}, {*net, good}});
  ASSERT_TRUE(added.ok()) << added.error().message;
  EXPECT_EQ(added->size(), 2u);
}

// A write that fails after others were made (here the second target, stored before with
// another backend, is refused once the networks and the first target's values are written)
// leaves the store as it was: the data stored before intact, nothing of this import.
TEST(StoreNas, FailedImportLeavesTheStoreAsItWas) {
  TempDir dir;
  const std::vector<std::string> targets = {"a:cpu:float", "b:cpu:float"};
  Store store = open_or_die(dir.file("s.db"));
  const auto cells = nb201_cells(30);
  const std::string before_csv = write_csv(dir, {cells.begin(), cells.begin() + 10}, {"a:cpu:float"}, "before.csv");
  ASSERT_TRUE(campaigns::import_csv_measurements(store, csv_options(before_csv, {"a:cpu:float"})).ok());
  target_or_die(store, "b:cpu:float");  // backend "fake", not the import's "dataset"
  RawDb raw(store.path());
  const std::string counts_sql =
      "SELECT (SELECT count(*) FROM networks) || '/' || (SELECT count(*) FROM network_measurements) || '/' || "
      "(SELECT count(*) FROM campaigns) || '/' || (SELECT count(*) FROM campaign_items) || '/' || "
      "(SELECT count(*) FROM json_texts) || '/' || (SELECT count(*) FROM targets)";
  const std::string before = raw.text(counts_sql);
  EXPECT_EQ(before, "10/10/1/10/2/2");

  const std::string csv = write_csv(dir, cells, targets);
  auto failed = campaigns::import_csv_measurements(store, csv_options(csv, targets));
  ASSERT_FALSE(failed.ok());
  EXPECT_NE(failed.error().message.find("b:cpu:float"), std::string::npos) << failed.error().message;
  EXPECT_EQ(raw.text(counts_sql), before);
  auto subjects = store.subject_latencies("a:cpu:float", MeasurementKind::kNetwork);
  ASSERT_TRUE(subjects.ok()) << subjects.error().message;
  EXPECT_EQ(subjects->size(), 10u);
  EXPECT_TRUE(store.check_integrity().ok());

  // The store is not left locked or inside a transaction: the next import writes.
  auto next = campaigns::import_csv_measurements(store, csv_options(csv, {"a:cpu:float"}));
  ASSERT_TRUE(next.ok()) << next.error().message;
  EXPECT_EQ(next->measurements, 30u);
  EXPECT_EQ(raw.text("SELECT count(*) FROM networks"), "30");
}

// Store::transaction: its work's writes commit together or not at all, and a write inside it
// that fails undoes only its own part (a savepoint), which the work may go on from.
TEST(StoreNas, TransactionCommitsAllOrNothing) {
  OneNetwork f;
  Store& store = f.store;
  const auto net = &f.net;
  const MeasurementRecord& good = f.good;
  const MeasurementRecord& bad = f.bad;
  RawDb raw(store.path());

  Status failed = store.transaction([&]() -> Status {
    NNLAT_RETURN_IF_ERROR(store.add_network_measurement(*net, good));
    return make_error(ErrorCode::kInvalidArgument, "stop");
  });
  ASSERT_FALSE(failed.ok());
  EXPECT_EQ(failed.error().message, "stop");
  EXPECT_EQ(raw.text("SELECT count(*) FROM network_measurements"), "0");

  Status ok = store.transaction([&]() -> Status {
    NNLAT_RETURN_IF_ERROR(store.add_network_measurement(*net, good));
    EXPECT_FALSE(store.add_network_measurements({{*net, good}, {*net, bad}}).ok());
    NNLAT_RETURN_IF_ERROR(store.add_network_measurement(*net, good));
    // Nothing is visible to another connection before the commit.
    EXPECT_EQ(raw.text("SELECT count(*) FROM network_measurements"), "0");
    return Status::Ok();
  });
  ASSERT_TRUE(ok.ok()) << ok.error().message;
  EXPECT_EQ(raw.text("SELECT count(*) FROM network_measurements"), "2");
  Status nested = store.transaction([&]() -> Status { return store.transaction([] { return Status::Ok(); }); });
  EXPECT_FALSE(nested.ok());
}

}  // namespace
}  // namespace nnlat::store
