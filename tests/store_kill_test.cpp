// A real crash: a child process appends measurements as fast as it can and is killed with
// SIGKILL; the parent then reopens the store and checks that it is consistent, that every
// committed measurement is complete, and that the campaign resumes with no lost and no
// duplicated item.
#include <gtest/gtest.h>
#include <signal.h>
#include <sqlite3.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <nlohmann/json.hpp>

#include "nnlat/ir/builder.hpp"
#include "nnlat/store/store.hpp"

namespace nnlat::store {
namespace {

namespace fs = std::filesystem;

constexpr int kPlanned = 2000;
constexpr int kKillAfter = 40;  // committed measurements the parent waits for
constexpr const char* kKind = "measure-networks";

ir::Graph kill_net() {
  ir::GraphBuilder b("kill");
  auto x = b.input({1, 3, 8, 8});
  return b.finish({b.classifier(b.conv_bn_act(x, 4, 3, 1, 1, ir::Act::kRelu), 2)});
}

std::vector<std::string> plan() {
  std::vector<std::string> items;
  for (int i = 0; i < kPlanned; ++i) items.push_back("item-" + std::to_string(i));
  return items;
}

MeasurementRecord kill_record(int64_t target, int i) {
  MeasurementRecord r;
  r.target_id = target;
  std::vector<double> samples;
  for (int s = 0; s < 200; ++s) samples.push_back(1.0 + 0.001 * ((i + s) % 17));
  r.measurement = measure::measurement_from_samples(std::move(samples));
  r.environment.backend = "fake";
  return r;
}

// Runs in the child: never returns.
[[noreturn]] void child_main(const std::string& path, const std::string& key, int progress_fd) {
  auto store = Store::open(path);
  if (!store.ok()) _exit(2);
  auto target = store->target_id("local:kill:float");
  auto network = store->upsert_network(kill_net());
  auto campaign = store->open_campaign(key, kKind, target.ok() ? *target : 0, nlohmann::json::object(), plan());
  if (!target.ok() || !network.ok() || !campaign.ok()) _exit(3);
  for (int i = 0;; ++i) {
    MeasurementRecord r = kill_record(*target, i);
    if (i < kPlanned) {  // then keep appending outside the campaign until killed
      r.campaign_id = campaign->id;
      r.item_key = "item-" + std::to_string(i);
    }
    if (!store->add_network_measurement(*network, r).ok()) _exit(4);
    const char byte = 'x';
    if (write(progress_fd, &byte, 1) != 1) _exit(5);
  }
}

std::string query_text(sqlite3* db, const char* sql) {
  sqlite3_stmt* stmt = nullptr;
  EXPECT_EQ(sqlite3_prepare_v2(db, sql, -1, &stmt, nullptr), SQLITE_OK) << sqlite3_errmsg(db);
  std::string out;
  if (sqlite3_step(stmt) == SQLITE_ROW && sqlite3_column_text(stmt, 0) != nullptr) {
    out = reinterpret_cast<const char*>(sqlite3_column_text(stmt, 0));
  }
  sqlite3_finalize(stmt);
  return out;
}

TEST(StoreKill, SigkillDuringAppendsLosesNothingCommitted) {
  const fs::path dir = fs::temp_directory_path() / ("nnlat_store_kill_" + std::to_string(getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  struct Cleanup {
    fs::path dir;
    ~Cleanup() {
      std::error_code ec;
      fs::remove_all(dir, ec);
    }
  } cleanup{dir};  // declared before the store below, so it runs after the store closes
  const std::string path = (dir / "m.db").string();
  const std::string key = campaign_key(kKind, nlohmann::json::object());

  {  // Set up in the parent, closed before fork (an SQLite connection must not cross fork).
    auto store = Store::open(path);
    ASSERT_TRUE(store.ok()) << store.error().message;
    ASSERT_TRUE(store->upsert_target(*measure::parse_target_name("local:kill:float"), "fake").ok());
  }

  int fds[2];
  ASSERT_EQ(pipe(fds), 0);
  const pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    close(fds[0]);
    child_main(path, key, fds[1]);
  }
  close(fds[1]);
  int committed = 0;
  char buf[64];
  while (committed < kKillAfter) {
    const ssize_t n = read(fds[0], buf, sizeof buf);
    if (n <= 0) break;  // the child died on its own
    committed += static_cast<int>(n);
  }
  kill(pid, SIGKILL);
  int status = 0;
  ASSERT_EQ(waitpid(pid, &status, 0), pid);
  close(fds[0]);
  ASSERT_TRUE(WIFSIGNALED(status)) << "child exited with " << (WIFEXITED(status) ? WEXITSTATUS(status) : -1);
  EXPECT_EQ(WTERMSIG(status), SIGKILL);
  ASSERT_GE(committed, kKillAfter);

  // Reopen: WAL recovery, integrity, complete rows.
  auto store = Store::open(path);
  ASSERT_TRUE(store.ok()) << store.error().message;
  ASSERT_TRUE(store->check_integrity().ok()) << store->check_integrity().error().message;
  {
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
    EXPECT_EQ(query_text(db, "PRAGMA integrity_check"), "ok");
    const std::string rows = query_text(db, "SELECT count(*) FROM network_measurements");
    EXPECT_GE(std::stoi(rows), committed);
    EXPECT_EQ(query_text(db,
                         "SELECT count(*) FROM network_measurements WHERE target_id IS NULL OR network_id IS NULL "
                         "OR median_ms IS NULL OR mean_ms IS NULL OR std_ms IS NULL OR cv IS NULL OR min_ms IS NULL "
                         "OR n_samples <> 200 OR json_valid(samples_json) = 0 "
                         "OR json_array_length(samples_json) <> n_samples "
                         "OR json_valid((SELECT text FROM json_texts WHERE id = protocol_ref)) IS NOT 1 "
                         "OR json_valid((SELECT text FROM json_texts WHERE id = environment_ref)) IS NOT 1 "
                         "OR unstable IS NULL OR created IS NULL"),
              "0");
    sqlite3_close(db);
  }

  // The campaign: completed items are exactly a prefix of the plan (the child went in order).
  auto target = store->target_id("local:kill:float");
  ASSERT_TRUE(target.ok());
  auto campaign = store->open_campaign(key, kKind, *target, nlohmann::json::object(), plan());
  ASSERT_TRUE(campaign.ok()) << campaign.error().message;
  EXPECT_TRUE(campaign->resumed);
  auto done = store->completed_items(campaign->id);
  ASSERT_TRUE(done.ok());
  const auto planned = plan();
  ASSERT_GE(done->size(), static_cast<size_t>(std::min(committed, kPlanned)));
  for (size_t i = 0; i < done->size(); ++i) ASSERT_EQ((*done)[i], planned[i]);

  // Resume: measure what is pending; every planned item ends with exactly one measurement.
  auto network = store->upsert_network(kill_net());
  ASSERT_TRUE(network.ok());
  auto pending = store->pending_items(campaign->id);
  ASSERT_TRUE(pending.ok());
  EXPECT_EQ(done->size() + pending->size(), planned.size());
  for (size_t i = 0; i < std::min<size_t>(pending->size(), 5); ++i) {  // a few suffice; then check the rest stays
    MeasurementRecord r = kill_record(*target, 0);
    r.campaign_id = campaign->id;
    r.item_key = (*pending)[i];
    ASSERT_TRUE(store->add_network_measurement(*network, r).ok());
  }
  auto after = store->completed_items(campaign->id);
  ASSERT_TRUE(after.ok());
  EXPECT_EQ(after->size(), done->size() + std::min<size_t>(pending->size(), 5));
  {
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
    EXPECT_EQ(query_text(db,
                         "SELECT count(*) FROM (SELECT item_key FROM network_measurements WHERE campaign_id IS NOT "
                         "NULL GROUP BY campaign_id, item_key HAVING count(*) > 1)"),
              "0");
    sqlite3_close(db);
  }
}

}  // namespace
}  // namespace nnlat::store
