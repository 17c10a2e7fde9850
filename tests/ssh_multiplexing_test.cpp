// One multiplexed ssh connection per device (issue 14): the options that share an OpenSSH
// master, the command that closes it, where its private folder may go (a Unix socket's path is
// short), and the process's masters making that folder and removing it. The master itself,
// against a real sshd, is tested in tests/cli_ssh_test.cpp.
#include "nnlat/backends/ssh_multiplexing.hpp"

#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/stat.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <optional>

#include "nnlat/backends/deploy_commands.hpp"

namespace nnlat {
namespace {

namespace fs = std::filesystem;
using backends::RemoteDevice;
using backends::Transport;

const RemoteDevice kBoard{
    "pi4", Transport::kSsh, "pi@10.0.0.2", 2222, "/keys/id", "nnlat/nnlat-device", {"StrictHostKeyChecking=no"}};

// What ssh_command makes of `options` (the device's -o list), followed by `rest`.
std::vector<std::string> ssh_argv(const std::vector<std::string>& options, const std::vector<std::string>& rest) {
  std::vector<std::string> argv = {"ssh", "-o", "BatchMode=yes", "-o", "ConnectTimeout=10"};
  for (const auto& o : options) argv.insert(argv.end(), {"-o", o});
  argv.insert(argv.end(), {"-o", "ServerAliveInterval=15", "-o", "ServerAliveCountMax=4"});
  argv.insert(argv.end(), rest.begin(), rest.end());
  return argv;
}

TEST(SshMultiplexing, TheRunnerAndTheDeployGoThroughOneMaster) {
  const auto shared = backends::multiplexed_device(kBoard, "/run/user/1000/nnlat-ssh-abc123");
  const std::vector<std::string> options = {"ControlMaster=auto", "ControlPath=/run/user/1000/nnlat-ssh-abc123/%C",
                                            "ControlPersist=60", "StrictHostKeyChecking=no"};
  const std::vector<std::string> destination = {"-p", "2222", "-i", "/keys/id", "pi@10.0.0.2"};
  const auto head = ssh_argv(options, destination);
  EXPECT_EQ(backends::runner_command(shared),
            ssh_argv(options, {"-p", "2222", "-i", "/keys/id", "pi@10.0.0.2", "nnlat/nnlat-device"}));
  // Every deploy command of the device uses the same options (and so the same master).
  EXPECT_EQ(backends::bundle_id_query(shared, "nnlat").argv,
            ssh_argv(options, {"-p", "2222", "-i", "/keys/id", "pi@10.0.0.2", "cat 'nnlat/BUNDLE-ID'"}));
  const auto push = backends::push_commands(shared, "/b", {"nnlat-device"}, "nnlat", "0123456789abcdef");
  ASSERT_EQ(push.size(), 1u);
  ASSERT_EQ(push[0].argv.size(), head.size() + 1);
  EXPECT_TRUE(std::equal(head.begin(), head.end(), push[0].argv.begin())) << push[0].argv.back();
  // BatchMode, the port, the key and the user's own options are kept; the device is not changed.
  EXPECT_EQ(shared.name, kBoard.name);
  EXPECT_EQ(shared.runner_path, kBoard.runner_path);
}

TEST(SshMultiplexing, TheMasterIsClosedByTheSameControlPath) {
  const auto shared = backends::multiplexed_device(kBoard, "/tmp/nnlat-ssh-abc123");
  EXPECT_EQ(backends::ssh_master_exit_command(shared),
            ssh_argv({"ControlMaster=auto", "ControlPath=/tmp/nnlat-ssh-abc123/%C", "ControlPersist=60",
                      "StrictHostKeyChecking=no"},
                     {"-p", "2222", "-i", "/keys/id", "-O", "exit", "pi@10.0.0.2"}));
}

TEST(SshMultiplexing, TheUsersOwnMultiplexingAndOtherTransportsAreLeftAlone) {
  for (const char* own : {"ControlPath=none", "controlmaster=no", "ControlPersist=yes"}) {
    RemoteDevice d = kBoard;
    d.ssh_options.push_back(own);
    EXPECT_TRUE(backends::ssh_options_choose_multiplexing(d.ssh_options)) << own;
    EXPECT_EQ(backends::multiplexed_device(d, "/tmp/x"), d) << own;
  }
  EXPECT_FALSE(backends::ssh_options_choose_multiplexing({"StrictHostKeyChecking=no", "ControlPathX=1"}));
  const RemoteDevice phone{"pixel", Transport::kAdb, "ZX1G22", 0, "", "/data/local/tmp/nnlat/nnlat-device", {}};
  EXPECT_EQ(backends::multiplexed_device(phone, "/tmp/x"), phone);
  const RemoteDevice here{"lo", Transport::kLocal, "", 0, "", "/opt/bundle/nnlat-device", {}};
  EXPECT_EQ(backends::multiplexed_device(here, "/tmp/x"), here);
}

TEST(SshMultiplexing, TheSocketFolderHasAShortPath) {
  using V = std::vector<std::string>;
  EXPECT_EQ(backends::ssh_control_base_candidates("/run/user/1000", "/var/tmp/"),
            (V{"/run/user/1000", "/var/tmp", "/tmp"}));
  EXPECT_EQ(backends::ssh_control_base_candidates(nullptr, nullptr), (V{"/tmp"}));
  EXPECT_EQ(backends::ssh_control_base_candidates("", "/tmp"), (V{"/tmp"}));
  // Too long for a socket path, a '%' that ssh would expand, white space, a relative path.
  EXPECT_EQ(backends::ssh_control_base_candidates("/home/someone/with/a/rather/long/path", "/tmp/a%b"), (V{"/tmp"}));
  EXPECT_EQ(backends::ssh_control_base_candidates("/tmp/a b", "tmp"), (V{"/tmp"}));
  // The longest accepted base still leaves room for the socket: BASE/nnlat-ssh-XXXXXX/%C (40 hex
  // characters) and ssh's 17-character temporary suffix within 104 bytes.
  const std::string longest = "/" + std::string(backends::kMaxControlBaseLength - 1, 'a');
  ASSERT_EQ(backends::ssh_control_base_candidates(longest.c_str(), nullptr).front(), longest);
  EXPECT_LT((longest + "/nnlat-ssh-XXXXXX/" + std::string(40, 'f') + ".0123456789abcdef").size(), 104u);
}

// Sets an environment variable for one scope.
class ScopedEnv {
 public:
  ScopedEnv(const char* name, const std::string& value) : name_(name) {
    if (const char* old = std::getenv(name)) old_ = old;
    ::setenv(name, value.c_str(), 1);
  }
  ~ScopedEnv() {
    if (old_) {
      ::setenv(name_, old_->c_str(), 1);
    } else {
      ::unsetenv(name_);
    }
  }

 private:
  const char* name_;
  std::optional<std::string> old_;
};

TEST(SshMultiplexing, TheMastersFolderIsPrivateAndRemovedWhenClosed) {
  std::string base_pattern = "/tmp/nnlat-mux-XXXXXX";
  ASSERT_NE(::mkdtemp(base_pattern.data()), nullptr);
  const fs::path base = base_pattern;
  {
    ScopedEnv runtime("XDG_RUNTIME_DIR", base.string());
    backends::SshMasters masters;
    const RemoteDevice phone{"pixel", Transport::kAdb, "ZX1G22", 0, "", "/data/local/tmp/nnlat/nnlat-device", {}};
    EXPECT_EQ(masters.share(phone), phone);
    EXPECT_TRUE(fs::is_empty(base)) << "no folder for a device that is not reached over ssh";

    const auto shared = masters.share(kBoard);
    ASSERT_EQ(shared.ssh_options.size(), 4u);
    const std::string path_option = shared.ssh_options[1];
    ASSERT_EQ(path_option.rfind("ControlPath=" + base.string() + "/nnlat-ssh-", 0), 0u) << path_option;
    const fs::path folder = fs::path(path_option.substr(std::string("ControlPath=").size())).parent_path();
    struct stat st {};
    ASSERT_EQ(::stat(folder.c_str(), &st), 0) << folder;
    EXPECT_TRUE(S_ISDIR(st.st_mode));
    EXPECT_EQ(st.st_mode & 0777, 0700u) << "the control sockets are the user's alone";
    // The same device again, and a second device, share the one folder.
    EXPECT_EQ(masters.share(kBoard), shared);
    RemoteDevice other = kBoard;
    other.name = "jetson";
    other.address = "nvidia@10.0.0.3";
    EXPECT_EQ(masters.share(other).ssh_options[1], path_option);

    // Nothing was started (no master to close: ssh says so at once, or is not installed); the
    // folder goes.
    masters.close();
    EXPECT_FALSE(fs::exists(folder));
  }
  fs::remove_all(base);
}

// A killed nnlat leaves its empty folder behind; the next one clears such folders once they
// are old, and leaves alone a fresh one (an nnlat starting beside it), one that holds a
// socket (a live master) and folders of other names.
TEST(SshMultiplexing, StaleFoldersOfKilledRunsAreRemoved) {
  std::string base_pattern = "/tmp/nnlat-mux-XXXXXX";
  ASSERT_NE(::mkdtemp(base_pattern.data()), nullptr);
  const fs::path base = base_pattern;
  const auto make = [&](const std::string& name, bool old) {
    fs::create_directory(base / name);
    if (old) fs::last_write_time(base / name, fs::file_time_type::clock::now() - std::chrono::hours(2));
    return base / name;
  };
  const fs::path stale = make("nnlat-ssh-AAAAAA", true);
  const fs::path fresh = make("nnlat-ssh-BBBBBB", false);
  const fs::path busy = make("nnlat-ssh-CCCCCC", false);
  std::ofstream(busy / "0123abcd") << "";
  fs::last_write_time(busy, fs::file_time_type::clock::now() - std::chrono::hours(2));
  const fs::path other = make("my-own-folder", true);

  EXPECT_EQ(backends::remove_stale_control_folders(base.string(), backends::kStaleControlFolderAge), 1u);
  EXPECT_FALSE(fs::exists(stale));
  EXPECT_TRUE(fs::exists(fresh));
  EXPECT_TRUE(fs::exists(busy / "0123abcd"));
  EXPECT_TRUE(fs::exists(other));

  // share() clears them from the base it makes its own folder in.
  make("nnlat-ssh-DDDDDD", true);
  {
    ScopedEnv runtime("XDG_RUNTIME_DIR", base.string());
    backends::SshMasters masters;
    (void)masters.share(kBoard);
    EXPECT_FALSE(fs::exists(base / "nnlat-ssh-DDDDDD"));
    masters.close();
  }
  EXPECT_EQ(backends::remove_stale_control_folders(base.string() + "/missing", std::chrono::seconds(0)), 0u);
  fs::remove_all(base);
}

}  // namespace
}  // namespace nnlat
