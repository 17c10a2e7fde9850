// The ssh transport against a real OpenSSH server (issue 14): each test starts its own sshd on
// a loopback port with a generated host key, user key and config in a temporary folder, deploys
// a bundle made by scripts/make-bundle.sh through it, and profiles there. Faults: nnlat killed
// with SIGKILL, and sshd killed (the link drops) mid-campaign; the same command resumes with no
// measurement lost or taken twice. Skipped, saying why, where sshd or the ssh client is absent.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <pwd.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <future>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <thread>

#include "cli_test_util.hpp"
#include "nnlat/store/store.hpp"

namespace nnlat {
namespace {

namespace fs = std::filesystem;
using testing::run_cli;
using testing::TempDir;

constexpr const char* kSshd = "/usr/sbin/sshd";

bool on_path(const std::string& program) {
  return std::system(("command -v " + program + " >/dev/null 2>&1").c_str()) == 0;
}

// A port free now on 127.0.0.1 (the kernel's choice), for sshd to listen on.
int free_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof a;
  int port = -1;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0 &&
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len) == 0) {
    port = ntohs(a.sin_port);
  }
  ::close(fd);
  return port;
}

bool accepts_connections(int port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(static_cast<uint16_t>(port));
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  const bool ok = ::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0;
  ::close(fd);
  return ok;
}

// `pid` and every process below it (sshd forks one process per connection, each in a session of
// its own, so a process group would miss them), children first.
std::vector<int> process_tree(int pid) {
  std::multimap<int, int> children;
  for (const auto& e : fs::directory_iterator("/proc")) {
    const std::string name = e.path().filename().string();
    if (name.find_first_not_of("0123456789") != std::string::npos) continue;
    std::ifstream stat(e.path() / "stat");
    std::string line;
    if (!std::getline(stat, line)) continue;
    // pid (comm) state ppid ...: comm may hold spaces, so read after its closing parenthesis.
    std::istringstream rest(line.substr(line.rfind(')') + 1));
    std::string state;
    int ppid = 0;
    rest >> state >> ppid;
    children.emplace(ppid, std::stoi(name));
  }
  std::vector<int> out;
  std::vector<int> todo = {pid};
  while (!todo.empty()) {
    const int p = todo.back();
    todo.pop_back();
    out.insert(out.begin(), p);
    for (auto [it, end] = children.equal_range(p); it != end; ++it) todo.push_back(it->second);
  }
  return out;
}

int64_t network_measurements(const std::string& db) {
  auto store = store::Store::open(db);
  if (!store.ok()) return -1;
  auto s = store->stats();
  return s.ok() ? s->network_measurements : -1;
}

// Waits until `db` holds at least `n` network measurements (false after `limit`).
bool wait_for_measurements(const std::string& db, int64_t n, std::chrono::seconds limit = std::chrono::seconds(60)) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (network_measurements(db) < n) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return true;
}

// A fresh folder with a short path (/tmp/nnlat-rt-XXXXXX), removed by the destructor.
struct ShortFolder {
  std::string path;
  ShortFolder() {
    std::string pattern = "/tmp/nnlat-rt-XXXXXX";
    if (::mkdtemp(pattern.data()) != nullptr) path = pattern;
  }
  ~ShortFolder() {
    std::error_code ec;
    if (!path.empty()) fs::remove_all(path, ec);
  }
  ShortFolder(const ShortFolder&) = delete;
  ShortFolder& operator=(const ShortFolder&) = delete;
};

int folders_in(const std::string& path) {
  std::error_code ec;
  int n = 0;
  for (const auto& e : fs::directory_iterator(path, ec)) n += e.is_directory();
  return n;
}

class SshDevice : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!fs::exists(kSshd)) GTEST_SKIP() << kSshd << " is not installed (Debian: openssh-server)";
    for (const char* p : {"ssh", "ssh-keygen", "tar"}) {
      if (!on_path(p)) GTEST_SKIP() << p << " is not installed (Debian: openssh-client, tar)";
    }
    // sshd refuses to start without its privilege separation folder ("Missing privilege
    // separation directory"); a fresh container has none.
    std::error_code ec;
    fs::create_directories("/run/sshd", ec);
    if (!fs::is_directory("/run/sshd")) GTEST_SKIP() << "/run/sshd is missing and cannot be made: " << ec.message();
    const passwd* pw = ::getpwuid(::getuid());
    ASSERT_NE(pw, nullptr);
    user_ = pw->pw_name;

    dir_ = std::make_unique<TempDir>("ssh");
    const std::string d = dir_->path().string();
    ASSERT_EQ(
        std::system(("ssh-keygen -q -t ed25519 -N '' -f " + d + "/host_key && ssh-keygen -q -t ed25519 -N '' -f " + d +
                     "/user_key && cp " + d + "/user_key.pub " + d + "/authorized_keys")
                        .c_str()),
        0);
    std::ofstream(dir_->file("sshd_config")) << "ListenAddress 127.0.0.1\n"
                                             << "HostKey " << d << "/host_key\n"
                                             << "AuthorizedKeysFile " << d << "/authorized_keys\n"
                                             << "PidFile " << d << "/sshd.pid\n"
                                             << "StrictModes no\nUsePAM no\nPasswordAuthentication no\n"
                                             << "KbdInteractiveAuthentication no\nPermitRootLogin prohibit-password\n";
    port_ = free_port();
    ASSERT_GT(port_, 0);
    start_sshd();
    if (HasFatalFailure()) return;

    // The bundle a user makes with `make bundle`, of the runner only.
    bundle_ = dir_->file("bundle");
    const std::string device_binary = NNLAT_DEVICE_BINARY;
    ASSERT_EQ(std::system((std::string(NNLAT_SOURCE_DIR) + "/scripts/make-bundle.sh " +
                           fs::path(device_binary).parent_path().string() + " " + bundle_ + " " + device_binary +
                           " >/dev/null")
                              .c_str()),
              0);
    devices_ = " --devices " + dir_->file("devices.json");
    add_device("lo");
  }

  // Registers this sshd as device `name` with `--ssh-option`s `options` (" --ssh-option K=V...").
  // The runner goes to the temporary folder, not to the login's home: an absolute --runner.
  // Host keys of a throw-away server are neither checked nor remembered.
  void add_device(const std::string& name, const std::string& options = "") {
    auto added = run_cli("devices add " + name + " --ssh " + user_ + "@127.0.0.1:" + std::to_string(port_) +
                         " --identity " + dir_->file("user_key") + " --runner " + dir_->file("remote/nnlat-device") +
                         options + " --ssh-option StrictHostKeyChecking=no" +
                         " --ssh-option UserKnownHostsFile=/dev/null --ssh-option LogLevel=ERROR" + devices_);
    ASSERT_EQ(added.exit_code, 0) << added.err;
  }

  // Runs the campaign `args` again with sshd up: it finds `stored` measurements done and
  // measures the other `total - stored`.
  void expect_resumed(const std::string& args, int64_t stored, int64_t total) {
    auto resumed = run_cli(args + " --json");
    ASSERT_EQ(resumed.exit_code, 0) << resumed.err;
    const auto j = nlohmann::json::parse(resumed.out);
    EXPECT_EQ(j["already_done"].get<int64_t>(), stored);
    EXPECT_EQ(j["measured"].get<int64_t>(), total - stored);
  }

  void TearDown() override { stop_sshd(); }

  void start_sshd() {
    const std::string cmd = std::string(kSshd) + " -D -e -f " + dir_->file("sshd_config") + " -p " +
                            std::to_string(port_) + " >>" + dir_->file("sshd.log") + " 2>&1 & echo $! >" +
                            dir_->file("sshd.started");
    ASSERT_EQ(std::system(cmd.c_str()), 0);
    std::ifstream(dir_->file("sshd.started")) >> sshd_pid_;
    ASSERT_GT(sshd_pid_, 0);
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (!accepts_connections(port_)) {
      int status = 0;
      if (::waitpid(sshd_pid_, &status, WNOHANG) == sshd_pid_) {
        sshd_pid_ = -1;
        FAIL() << "sshd exited: " << read(dir_->file("sshd.log"));
      }
      ASSERT_LT(std::chrono::steady_clock::now(), deadline) << "sshd does not listen: " << read(dir_->file("sshd.log"));
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  }

  // SIGKILL to sshd and every process it started: the connections drop as if the board died.
  void stop_sshd() {
    if (sshd_pid_ <= 0) return;
    for (int p : process_tree(sshd_pid_)) ::kill(p, SIGKILL);
    ::waitpid(sshd_pid_, nullptr, 0);
    sshd_pid_ = -1;
  }

  static std::string read(const std::string& path) {
    std::ifstream f(path);
    return std::string(std::istreambuf_iterator<char>(f), {});
  }

  // How many lines of sshd's log hold `text`: sshd logs "Accepted publickey for USER from
  // 127.0.0.1 port N" for every authenticated connection and "Disconnected from user USER
  // 127.0.0.1 port N" when one ends.
  int sshd_log_lines(const std::string& text) const {
    std::ifstream f(dir_->file("sshd.log"));
    int n = 0;
    for (std::string line; std::getline(f, line);) n += line.find(text) != std::string::npos;
    return n;
  }
  int connections() const { return sshd_log_lines("Accepted publickey for " + user_); }
  // Waits (sshd logs the end of a connection a moment after the client closed it) until every
  // connection accepted so far has ended; false after 10 s.
  bool every_connection_ended() const {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (sshd_log_lines("Disconnected from user " + user_) < connections()) {
      if (std::chrono::steady_clock::now() > deadline) return false;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return true;
  }

  nlohmann::json deploy() {
    auto r = run_cli("devices deploy lo --bundle " + bundle_ + devices_ + " --json");
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return r.exit_code == 0 ? nlohmann::json::parse(r.out) : nlohmann::json::object();
  }

  std::unique_ptr<TempDir> dir_;
  std::string user_;
  int port_ = -1;
  int sshd_pid_ = -1;
  std::string bundle_;
  std::string devices_;
};

constexpr const char* kFast = " --warmup 1 --min-repeats 3 --min-time 0 --max-remeasure 0 --quiet";
const std::string kSinglePass = std::string(kFast) + " --rounds 1 --references none";

std::string tiny_models(int n) {
  std::string refs;
  for (int i = 0; i < n; ++i) refs += " 'zoo:mobilenet_v2?width=0.35&res=" + std::to_string(32 + 16 * i) + "'";
  return refs;
}

TEST_F(SshDevice, DeployPushesOnceAndProfilesThroughSshd) {
  const std::string db = dir_->file("m.db");
  const std::string profile =
      "profile networks --target lo:xnnpack-t1:float --db " + db + devices_ + tiny_models(2) + kSinglePass;
  // No runner on the device yet: the error says how to put it there.
  auto missing = run_cli(profile);
  EXPECT_EQ(missing.exit_code, 2);
  EXPECT_NE(missing.err.find("nnlat devices deploy lo"), std::string::npos) << missing.err;

  const auto first = deploy();
  EXPECT_EQ(first.value("pushed", false), true) << first.dump();
  EXPECT_EQ(first.value("previous_id", "?"), "");
  const std::string id = first.value("bundle_id", "");
  EXPECT_EQ(read(dir_->file("remote/BUNDLE-ID")), id + "\n");
  EXPECT_TRUE(fs::exists(dir_->file("remote/lib")));
  const auto again = deploy();
  EXPECT_EQ(again.value("pushed", true), false) << again.dump();
  EXPECT_EQ(again.value("previous_id", ""), id);
  auto text = run_cli("devices deploy lo --bundle " + bundle_ + devices_);
  EXPECT_NE(text.out.find("up to date"), std::string::npos) << text.out << text.err;
  // Another bundle (one file changed) is pushed, over the one there.
  std::ofstream(bundle_ + "/README.txt", std::ios::app) << "rebuilt\n";
  const auto changed = deploy();
  EXPECT_EQ(changed.value("pushed", false), true) << changed.dump();
  EXPECT_EQ(changed.value("previous_id", ""), id);
  EXPECT_NE(changed.value("bundle_id", id), id);

  auto listed = run_cli("devices --json" + devices_);
  ASSERT_EQ(listed.exit_code, 0) << listed.err;
  const auto lo = nlohmann::json::parse(listed.out)["remote_devices"][0];
  EXPECT_TRUE(lo.value("reachable", false)) << lo.dump();
  EXPECT_NE(lo["targets"].dump().find("lo:xnnpack-t1:float"), std::string::npos) << lo.dump();

  auto measured = run_cli(profile + " --json");
  ASSERT_EQ(measured.exit_code, 0) << measured.err;
  const auto j = nlohmann::json::parse(measured.out);
  EXPECT_EQ(j["measured"], 2);
  for (const auto& item : j["items"]) EXPECT_GT(item["median_ms"].get<double>(), 0.0) << item.dump();
  auto resumed = nlohmann::json::parse(run_cli(profile + " --json").out);
  EXPECT_EQ(resumed["measured"], 0);
  auto stats = nlohmann::json::parse(run_cli("db stats --json --db " + db).out);
  EXPECT_EQ(stats["per_target"][0]["target"], "lo:xnnpack-t1:float");
  EXPECT_EQ(stats["network_measurements"], 2);

  // An older runner on the board (protocol version 1, another bundle id): the profile deploys the
  // bundle last deployed to it again, over ssh, and measures.
  std::ofstream(dir_->file("remote/nnlat-device"))
      << "#!/bin/sh\necho '{\"type\":\"hello\",\"version\":1,\"runner_version\":\"0.0.1\"}'\ncat >/dev/null\n";
  std::ofstream(dir_->file("remote/BUNDLE-ID")) << "0000000000000000\n";
  auto redeployed = run_cli("profile networks --target lo:xnnpack-t1:float --db " + db + devices_ + tiny_models(3) +
                            kSinglePass + " --json");
  ASSERT_EQ(redeployed.exit_code, 0) << redeployed.err;
  const auto r = nlohmann::json::parse(redeployed.out);
  EXPECT_EQ(r["redeployed"], bundle_);
  EXPECT_EQ(r["measured"], 3);  // another list of networks: a campaign of its own
  EXPECT_EQ(read(dir_->file("remote/BUNDLE-ID")), changed.value("bundle_id", "") + "\n");
}

// `--cold-cache` over ssh: the request lines that a local runner gets travel through sshd, and
// the runner flushes before every timed run, so every kernel is measured (protocol version 2
// skipped each as unsupported).
TEST_F(SshDevice, AColdCacheKernelCampaignIsMeasuredThroughSshd) {
  deploy();
  auto r = run_cli("profile kernels --from 'zoo:mobilenet_v2?width=0.35&res=32' --target lo:xnnpack-t1:float --db " +
                   dir_->file("m.db") + devices_ + kSinglePass + " --cold-cache --json");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto j = nlohmann::json::parse(r.out);
  EXPECT_GT(j["measured"].get<int>(), 0);
  EXPECT_EQ(j["measured"], j["planned"]);
  EXPECT_EQ(j["skipped"], 0);
}

// One multiplexed connection per device (ssh_multiplexing.hpp): every ssh command of one nnlat run
// goes through one master, which nnlat closes when it exits.
TEST_F(SshDevice, EachCommandOpensOneConnectionToTheDeviceAndClosesIt) {
  // A deploy that pushes runs three ssh commands: the id read, the push, the id read back.
  int before = connections();
  const auto pushed = deploy();
  ASSERT_EQ(pushed.value("pushed", false), true) << pushed.dump();
  EXPECT_EQ(connections(), before + 1) << read(dir_->file("sshd.log"));
  EXPECT_TRUE(every_connection_ended()) << "the master outlived nnlat: " << read(dir_->file("sshd.log"));

  // Two targets of the device in one profile: two runner sessions, one after the other.
  before = connections();
  const std::string db = dir_->file("m.db");
  auto measured = run_cli("profile networks --target lo:xnnpack-t1:float --target lo:reference:float --db " + db +
                          devices_ + tiny_models(1) + kSinglePass + " --json");
  ASSERT_EQ(measured.exit_code, 0) << measured.err;
  EXPECT_EQ(network_measurements(db), 2);
  EXPECT_EQ(connections(), before + 1) << read(dir_->file("sshd.log"));
  EXPECT_TRUE(every_connection_ended()) << "the master outlived nnlat: " << read(dir_->file("sshd.log"));

  // The user's own choice holds: with ControlPath=none every command connects anew.
  add_device("plain", " --ssh-option ControlPath=none");
  ASSERT_FALSE(HasFatalFailure());
  before = connections();
  auto up_to_date = run_cli("devices deploy plain --bundle " + bundle_ + devices_ + " --json");
  ASSERT_EQ(up_to_date.exit_code, 0) << up_to_date.err;
  EXPECT_EQ(nlohmann::json::parse(up_to_date.out).value("pushed", true), false);
  EXPECT_EQ(connections(), before + 1);  // the id read only: nothing to push
  auto pushed_plain = run_cli("profile networks --target plain:xnnpack-t1:float --target plain:reference:float --db " +
                              dir_->file("p.db") + devices_ + tiny_models(1) + kSinglePass + " --json");
  ASSERT_EQ(pushed_plain.exit_code, 0) << pushed_plain.err;
  EXPECT_EQ(connections(), before + 3);  // one per runner session
}

TEST_F(SshDevice, KilledNnlatAndKilledSshdLoseNothingAndTheCampaignResumes) {
  ASSERT_EQ(deploy().value("pushed", false), true);
  const std::string db = dir_->file("m.db");
  const int kModels = 10;
  // Slow enough per item (0.1 s of timed runs) that both faults land mid-campaign.
  const std::string args = "profile networks --target lo:xnnpack-t1:float --db " + db + devices_ +
                           tiny_models(kModels) + " --warmup 1 --min-repeats 3 --min-time 0.1 --max-remeasure 0" +
                           " --rounds 1 --references none --quiet";

  // Where each nnlat run keeps its ssh control socket (ssh_multiplexing.hpp): a folder of the
  // test, short enough for a socket path (the test's own folder is too long).
  const ShortFolder killed_runtime;
  const ShortFolder cut_runtime;
  ASSERT_FALSE(killed_runtime.path.empty() || cut_runtime.path.empty());

  // 1. kill -9 nnlat after two measurements.
  const std::string pid_file = dir_->file("nnlat.pid");
  ASSERT_EQ(std::system(("XDG_RUNTIME_DIR=" + killed_runtime.path + " " + NNLAT_BINARY + " " + args +
                         " >/dev/null 2>&1 & echo $! >" + pid_file)
                            .c_str()),
            0);
  int pid = 0;
  std::ifstream(pid_file) >> pid;
  ASSERT_GT(pid, 0);
  ASSERT_TRUE(wait_for_measurements(db, 2));
  ASSERT_EQ(::kill(pid, SIGKILL), 0);
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  const int64_t after_kill = network_measurements(db);
  ASSERT_GE(after_kill, 2);
  ASSERT_LT(after_kill, kModels) << "the campaign finished before the kill; the test proves nothing";

  // 2. The same command again; sshd (and every connection it serves) killed after two more.
  auto cut = std::async(std::launch::async,
                        [&] { return testing::run_cli_with_env("XDG_RUNTIME_DIR=" + cut_runtime.path + " ", args); });
  ASSERT_TRUE(wait_for_measurements(db, after_kill + 2));
  stop_sshd();
  const auto cut_run = cut.get();
  const int64_t after_cut = network_measurements(db);
  ASSERT_LT(after_cut, kModels) << "the campaign finished before sshd was killed; the test proves nothing";
  EXPECT_NE(cut_run.exit_code, 0);
  EXPECT_NE(cut_run.err.find("lo: the runner"), std::string::npos) << cut_run.err;  // the device
  EXPECT_NE(cut_run.err.find("mobilenet_v2"), std::string::npos) << cut_run.err;    // the item
  // The runner's ssh was a client of the device's shared connection, whose master printed ssh's
  // own message in the background: nnlat says what ssh's 255 means.
  EXPECT_NE(cut_run.err.find("ssh lost (or could not make) its connection to " + user_ +
                             "@127.0.0.1:" + std::to_string(port_)),
            std::string::npos)
      << cut_run.err;

  // nnlat closed its master and removed its socket's folder on the way out, even with an error;
  // only the killed one could not (its master ends by itself once idle, ControlPersist).
  EXPECT_EQ(folders_in(cut_runtime.path), 0);
  EXPECT_EQ(folders_in(killed_runtime.path), 1);

  // 3. sshd back: the same command measures exactly what is left.
  start_sshd();
  ASSERT_FALSE(HasFatalFailure());
  expect_resumed(args, after_cut, kModels);

  auto store = store::Store::open(db);
  ASSERT_TRUE(store.ok());
  ASSERT_TRUE(store->check_integrity().ok());
  std::map<std::string, int> per_key;
  ASSERT_TRUE(store
                  ->for_each_measurement(std::nullopt,
                                         [&](const store::MeasurementRow& row) {
                                           ++per_key[row.item_key];
                                           return Status::Ok();
                                         })
                  .ok());
  EXPECT_EQ(per_key.size(), static_cast<size_t>(kModels));
  for (const auto& [key, n] : per_key) EXPECT_EQ(n, 1) << key;
}

// A device that stops answering (sshd and the runner frozen with SIGSTOP, as a board that hangs
// or drops off the network) is given up by ssh's keep-alive, not waited on for the campaign's
// 10-minute bound on an item; the device here probes every second, twice.
TEST_F(SshDevice, ADeviceThatStopsAnsweringIsGivenUpAndTheCampaignResumes) {
  ASSERT_EQ(deploy().value("pushed", false), true);
  add_device("ka", " --ssh-option ServerAliveInterval=1 --ssh-option ServerAliveCountMax=2");
  ASSERT_FALSE(HasFatalFailure());
  const std::string db = dir_->file("m.db");
  const int kModels = 10;
  const std::string args = "profile networks --target ka:xnnpack-t1:float --db " + db + devices_ +
                           tiny_models(kModels) + " --warmup 1 --min-repeats 3 --min-time 0.1 --max-remeasure 0" +
                           " --rounds 1 --references none --quiet";
  auto frozen = std::async(std::launch::async, [&] { return run_cli(args); });
  ASSERT_TRUE(wait_for_measurements(db, 2));
  for (int p : process_tree(sshd_pid_)) ::kill(p, SIGSTOP);
  const auto stopped_at = std::chrono::steady_clock::now();
  const auto run = frozen.get();
  const double waited_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - stopped_at).count();
  const int64_t stored = network_measurements(db);
  ASSERT_LT(stored, kModels) << "the campaign finished before the device froze; the test proves nothing";
  EXPECT_NE(run.exit_code, 0);
  EXPECT_NE(run.err.find("ka: the runner"), std::string::npos) << run.err;
  EXPECT_NE(run.err.find("mobilenet_v2"), std::string::npos) << run.err;
  EXPECT_NE(run.err.find("ssh lost (or could not make) its connection"), std::string::npos) << run.err;
  // About 3 s of keep-alive; far below the 10 minutes an item may take.
  EXPECT_LT(waited_s, 60.0);

  stop_sshd();
  start_sshd();
  ASSERT_FALSE(HasFatalFailure());
  expect_resumed(args, stored, kModels);
}

TEST_F(SshDevice, LocalAndSshTransportsMeasureTheSameNetworkAlike) {
  ASSERT_EQ(deploy().value("pushed", false), true);
  const std::string db = dir_->file("m.db");
  // One network, a few ms, measured for 0.3 s on each transport in turn; the same CPU and the
  // same XNNPACK behind both, so only the transport differs. Loose bounds: two local runs on a
  // shared machine already differ by up to ~20%.
  const std::string rest = " --db " + db + devices_ +
                           " 'zoo:mobilenet_v2?width=0.5&res=96' --warmup 3 --min-repeats 10 --min-time 0.3"
                           " --rounds 1 --references none --quiet --json";
  auto median = [&](const std::string& target) {
    auto r = run_cli("profile networks --target " + target + rest);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    if (r.exit_code != 0) return -1.0;
    return nlohmann::json::parse(r.out)["items"][0]["median_ms"].get<double>();
  };
  const double local = median("local:xnnpack-t1:float");
  const double remote = median("lo:xnnpack-t1:float");
  ASSERT_GT(local, 0.0);
  ASSERT_GT(remote, 0.0);
  EXPECT_GT(remote / local, 0.5) << "local " << local << " ms, over ssh " << remote << " ms";
  EXPECT_LT(remote / local, 2.0) << "local " << local << " ms, over ssh " << remote << " ms";
}

}  // namespace
}  // namespace nnlat
