// Registered remote devices (issue 14): ssh destinations, device names, the command that starts
// each transport's runner, the devices file, and deployment: the commands that read and push a
// bundle on each transport, the bundle id, and adb's answers (no phone is reachable where these
// run, so adb is tested here, by its commands and its real messages).
#include "nnlat/backends/remote_device.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "nnlat/backends/bundle_id.hpp"
#include "nnlat/backends/deploy_commands.hpp"

namespace nnlat {
namespace {

using backends::RemoteDevice;
using backends::Transport;

TEST(RemoteDevice, SshDestinations) {
  auto plain = backends::parse_ssh_destination("pi@192.168.1.7");
  ASSERT_TRUE(plain.ok());
  EXPECT_EQ(plain->first, "pi@192.168.1.7");
  EXPECT_EQ(plain->second, 0);
  auto with_port = backends::parse_ssh_destination("root@127.0.0.1:2222");
  ASSERT_TRUE(with_port.ok());
  EXPECT_EQ(with_port->first, "root@127.0.0.1");
  EXPECT_EQ(with_port->second, 2222);
  EXPECT_TRUE(backends::parse_ssh_destination("board").ok());
  for (const char* bad : {"", "pi@", "@host", "host:0", "host:70000", "host:22x", "-oProxyCommand=x", "a b"}) {
    auto r = backends::parse_ssh_destination(bad);
    EXPECT_FALSE(r.ok()) << bad;
    if (!r.ok()) {
      EXPECT_NE(r.error().message.find("ssh destination"), std::string::npos) << r.error().message;
    }
  }
}

TEST(RemoteDevice, ARunnersTargetsAreNamedAfterTheDevice) {
  EXPECT_EQ(backends::device_target_name("pi4", "local:xnnpack-t4:float"), "pi4:xnnpack-t4:float");
  EXPECT_EQ(backends::device_target_name("pi4", "odd"), "pi4:odd");
}

TEST(RemoteDevice, NamesAreTheFirstPartOfATarget) {
  EXPECT_TRUE(backends::validate_device_name("pixel7").ok());
  EXPECT_TRUE(backends::validate_device_name("rpi-4_b").ok());
  for (const char* bad : {"", "Pixel", "a:b", "local", "a b", "p/x"}) {
    EXPECT_FALSE(backends::validate_device_name(bad).ok()) << bad;
  }
}

TEST(RemoteDevice, TheCommandThatStartsEachTransportsRunner) {
  RemoteDevice ssh{"pi4", Transport::kSsh, "pi@10.0.0.2", 2222, "/keys/id", "nnlat/nnlat-device", {}};
  EXPECT_EQ(backends::runner_command(ssh),
            (std::vector<std::string>{"ssh", "-o", "BatchMode=yes", "-o", "ConnectTimeout=10", "-o",
                                      "ServerAliveInterval=15", "-o", "ServerAliveCountMax=4", "-p", "2222", "-i",
                                      "/keys/id", "pi@10.0.0.2", "nnlat/nnlat-device"}));
  ssh.port = 0;
  ssh.identity.clear();
  EXPECT_EQ(
      backends::runner_command(ssh),
      (std::vector<std::string>{"ssh", "-o", "BatchMode=yes", "-o", "ConnectTimeout=10", "-o", "ServerAliveInterval=15",
                                "-o", "ServerAliveCountMax=4", "pi@10.0.0.2", "nnlat/nnlat-device"}));
  RemoteDevice adb{"pixel", Transport::kAdb, "ZX1G22", 0, "", backends::default_runner_path(Transport::kAdb), {}};
  EXPECT_EQ(backends::runner_command(adb),
            (std::vector<std::string>{"adb", "-s", "ZX1G22", "shell", "/data/local/tmp/nnlat/nnlat-device"}));
  RemoteDevice local{"lo", Transport::kLocal, "", 0, "", "/opt/bundle/nnlat-device", {}};
  EXPECT_EQ(backends::runner_command(local), (std::vector<std::string>{"/opt/bundle/nnlat-device"}));
}

TEST(RemoteDevice, SshOptionsGoBeforeTheDestination) {
  RemoteDevice ssh{"lo",
                   Transport::kSsh,
                   "root@127.0.0.1",
                   2222,
                   "/k",
                   "nnlat/nnlat-device",
                   {"StrictHostKeyChecking=no", "UserKnownHostsFile=/dev/null"}};
  EXPECT_EQ(backends::runner_command(ssh),
            (std::vector<std::string>{"ssh", "-o", "BatchMode=yes", "-o", "ConnectTimeout=10", "-o",
                                      "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null", "-o",
                                      "ServerAliveInterval=15", "-o", "ServerAliveCountMax=4", "-p", "2222", "-i", "/k",
                                      "root@127.0.0.1", "nnlat/nnlat-device"}));
  EXPECT_TRUE(backends::validate_ssh_option("ControlMaster=auto").ok());
  for (const char* bad : {"", "=x", "-oProxyCommand=x", "NoValue", "A=b\nc"}) {
    EXPECT_FALSE(backends::validate_ssh_option(bad).ok()) << bad;
  }
}

TEST(RemoteDevice, OnlyMissingOrOtherVersionRunnersGetTheDeployAdvice) {
  const Error missing{ErrorCode::kNotFound, "pi4: cannot start the runner"};
  const auto advised = backends::with_deploy_advice(missing, "pi4", backends::kDefaultDevicesFile);
  EXPECT_EQ(advised.code, ErrorCode::kNotFound);
  EXPECT_NE(advised.message.find("nnlat devices deploy pi4 [--bundle DIR]"), std::string::npos) << advised.message;
  const auto other_file =
      backends::with_deploy_advice({ErrorCode::kUnsupported, "protocol version 2"}, "pi4", "/x/devs.json");
  EXPECT_NE(other_file.message.find("nnlat devices deploy pi4 --devices /x/devs.json"), std::string::npos)
      << other_file.message;
  const Error silent{ErrorCode::kIoError, "pi4: the runner did not answer within 60 s"};
  EXPECT_EQ(backends::with_deploy_advice(silent, "pi4", "d.json").message, silent.message);
}

TEST(Deploy, TheBundleGoesIntoTheRunnersFolder) {
  const auto dir = [](const std::string& runner) {
    return backends::remote_bundle_dir({"pi4", Transport::kSsh, "pi@h", 0, "", runner, {}});
  };
  EXPECT_EQ(*dir("nnlat/nnlat-device"), "nnlat");
  EXPECT_EQ(*dir("~/nnlat/nnlat-device"), "nnlat");  // relative to the home folder either way
  EXPECT_EQ(*dir("/data/local/tmp/nnlat/nnlat-device"), "/data/local/tmp/nnlat");
  EXPECT_EQ(*dir("/opt/a/b/nnlat-device"), "/opt/a/b");
  for (const char* bad : {"nnlat-device", "/nnlat-device", "~/nnlat-device", "./nnlat-device"}) {
    auto r = dir(bad);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_NE(r.error().message.find("pi4"), std::string::npos) << r.error().message;
  }
}

TEST(Deploy, ShellQuotingSurvivesQuotes) {
  EXPECT_EQ(backends::shell_quote("nnlat"), "'nnlat'");
  EXPECT_EQ(backends::shell_quote("it's here"), "'it'\\''s here'");
}

TEST(Deploy, TheInstalledIdIsReadOnEachTransport) {
  const RemoteDevice ssh{"pi4", Transport::kSsh, "pi@h", 2222, "", "nnlat/nnlat-device", {}};
  EXPECT_EQ(
      backends::bundle_id_query(ssh, "nnlat").argv,
      (std::vector<std::string>{"ssh", "-o", "BatchMode=yes", "-o", "ConnectTimeout=10", "-o", "ServerAliveInterval=15",
                                "-o", "ServerAliveCountMax=4", "-p", "2222", "pi@h", "cat 'nnlat/BUNDLE-ID'"}));
  const RemoteDevice adb{"pixel", Transport::kAdb, "ZX1G22", 0, "", "/data/local/tmp/nnlat/nnlat-device", {}};
  EXPECT_EQ(backends::bundle_id_query(adb, "/data/local/tmp/nnlat").argv,
            (std::vector<std::string>{"adb", "-s", "ZX1G22", "shell", "cat '/data/local/tmp/nnlat/BUNDLE-ID'"}));
  const RemoteDevice local{"lo", Transport::kLocal, "", 0, "", "/opt/b/nnlat-device", {}};
  EXPECT_EQ(backends::bundle_id_query(local, "/opt/b").argv, (std::vector<std::string>{"cat", "/opt/b/BUNDLE-ID"}));
  for (const auto* q : {&ssh, &adb, &local}) EXPECT_TRUE(backends::bundle_id_query(*q, "d").input_from.empty());

  EXPECT_EQ(backends::parse_bundle_id("0123456789abcdef\n"), "0123456789abcdef");
  EXPECT_EQ(backends::parse_bundle_id("  0123456789abcdef\r\n"), "0123456789abcdef");  // adb's old pty
  for (const char* none : {"", "0123456789abcde\n", "0123456789ABCDEF", "0123456789abcdef0",
                           "cat: nnlat/BUNDLE-ID: No such file or directory"}) {
    EXPECT_FALSE(backends::parse_bundle_id(none).has_value()) << none;
  }
}

TEST(Deploy, EachTransportPushesTheBundleAndWritesItsIdLast) {
  const std::vector<std::string> entries = {"README.txt", "bin", "lib", "nnlat-device"};
  const RemoteDevice ssh{"pi4", Transport::kSsh, "pi@h", 0, "/k", "nnlat/nnlat-device", {"ControlMaster=no"}};
  const auto over_ssh = backends::push_commands(ssh, "/b", entries, "nnlat", "0123456789abcdef");
  ASSERT_EQ(over_ssh.size(), 1u);
  EXPECT_EQ(over_ssh[0].input_from, (std::vector<std::string>{"tar", "cf", "-", "-C", "/b", "."}));
  EXPECT_EQ(over_ssh[0].argv,
            (std::vector<std::string>{"ssh", "-o", "BatchMode=yes", "-o", "ConnectTimeout=10", "-o", "ControlMaster=no",
                                      "-o", "ServerAliveInterval=15", "-o", "ServerAliveCountMax=4", "-i", "/k", "pi@h",
                                      "mkdir -p 'nnlat' && rm -f 'nnlat/BUNDLE-ID' && tar xf - -C 'nnlat' && "
                                      "echo 0123456789abcdef >'nnlat/BUNDLE-ID'"}));

  const RemoteDevice adb{"pixel", Transport::kAdb, "ZX1G22", 0, "", "/data/local/tmp/nnlat/nnlat-device", {}};
  const auto over_adb = backends::push_commands(adb, "/b", entries, "/data/local/tmp/nnlat", "0123456789abcdef");
  ASSERT_EQ(over_adb.size(), 3u);
  EXPECT_EQ(over_adb[0].argv,
            (std::vector<std::string>{"adb", "-s", "ZX1G22", "shell",
                                      "rm -f '/data/local/tmp/nnlat/BUNDLE-ID' && mkdir -p '/data/local/tmp/nnlat'"}));
  EXPECT_EQ(over_adb[1].argv, (std::vector<std::string>{"adb", "-s", "ZX1G22", "push", "/b/README.txt", "/b/bin",
                                                        "/b/lib", "/b/nnlat-device", "/data/local/tmp/nnlat/"}));
  EXPECT_EQ(over_adb[2].argv, (std::vector<std::string>{"adb", "-s", "ZX1G22", "shell",
                                                        "echo 0123456789abcdef >'/data/local/tmp/nnlat/BUNDLE-ID'"}));
  for (const auto& c : over_adb) EXPECT_TRUE(c.input_from.empty());

  const RemoteDevice local{"lo", Transport::kLocal, "", 0, "", "/opt/x y/nnlat-device", {}};
  const auto copied = backends::push_commands(local, "/b", entries, "/opt/x y", "0123456789abcdef");
  ASSERT_EQ(copied.size(), 1u);
  ASSERT_EQ(copied[0].argv.size(), 7u);
  EXPECT_EQ(copied[0].argv[0], "sh");
  // The paths travel as positional parameters, never through the shell's parser.
  EXPECT_EQ(std::vector<std::string>(copied[0].argv.begin() + 4, copied[0].argv.end()),
            (std::vector<std::string>{"/b", "/opt/x y", "0123456789abcdef"}));
}

TEST(Deploy, AdbDevicesListingsAreRead) {
  // adb 29's output, with its daemon notes, a -l line, and the states a phone goes through.
  const std::string listing =
      "* daemon not running; starting now at tcp:5037\n"
      "* daemon started successfully\n"
      "List of devices attached\n"
      "ZX1G22\tdevice\n"
      "emulator-5554\toffline\n"
      "R58M\tunauthorized\n"
      "0123456789ABCDEF\tno permissions (user in plugdev group; are your udev rules wrong?); see "
      "[http://developer.android.com/tools/device.html]\n"
      "9B0Y  device usb:1-1 product:sunfish model:Pixel_4a device:sunfish transport_id:2\n"
      "H3\trecovery\n"
      "\n";
  const auto devices = backends::parse_adb_devices(listing);
  ASSERT_EQ(devices.size(), 6u);
  EXPECT_EQ(devices[0], (backends::AdbDevice{"ZX1G22", "device"}));
  EXPECT_EQ(devices[1], (backends::AdbDevice{"emulator-5554", "offline"}));
  EXPECT_EQ(devices[2], (backends::AdbDevice{"R58M", "unauthorized"}));
  EXPECT_EQ(devices[3].serial, "0123456789ABCDEF");
  EXPECT_EQ(devices[3].state.rfind("no permissions (user in plugdev group", 0), 0u) << devices[3].state;
  EXPECT_EQ(devices[4], (backends::AdbDevice{"9B0Y", "device"}));
  EXPECT_EQ(devices[5], (backends::AdbDevice{"H3", "recovery"}));
  EXPECT_TRUE(backends::parse_adb_devices("List of devices attached\n\n").empty());
  EXPECT_EQ(backends::adb_devices_command(), (std::vector<std::string>{"adb", "devices"}));

  EXPECT_EQ(backends::adb_device_problem(devices, "ZX1G22"), "");
  EXPECT_EQ(backends::adb_device_problem(devices, "9B0Y"), "");
  const auto expect_problem = [&](const std::string& serial, const std::string& words) {
    const auto p = backends::adb_device_problem(devices, serial);
    EXPECT_NE(p.find(words), std::string::npos) << serial << ": " << p;
  };
  expect_problem("emulator-5554", "offline");
  expect_problem("R58M", "accept the USB debugging prompt");
  expect_problem("0123456789ABCDEF", "no permission");
  expect_problem("H3", "'recovery' mode");
  expect_problem("NOPE", "connected: ZX1G22, emulator-5554");
  EXPECT_NE(backends::adb_device_problem({}, "NOPE").find("no device connected"), std::string::npos);
}

TEST(Deploy, AdbsOwnFailuresAreToldApartFromTheDevicesCommand) {
  // adb 29's stderr, as printed here for a serial that is not connected (shell, push) and with
  // no device at all; unauthorized and offline as adb words them.
  EXPECT_NE(backends::adb_failure_reason("error: device 'NOSUCH' not found\n").find("does not see the device"),
            std::string::npos);
  EXPECT_NE(backends::adb_failure_reason("* daemon started successfully\n"
                                         "adb: error: failed to get feature set: device 'NOSUCH' not found\n")
                .find("device 'NOSUCH' not found"),
            std::string::npos);
  EXPECT_NE(backends::adb_failure_reason("error: no devices/emulators found\n").find("no device is connected"),
            std::string::npos);
  EXPECT_NE(backends::adb_failure_reason("error: device unauthorized.\nThis adb server's $ADB_VENDOR_KEYS is not set\n")
                .find("USB debugging prompt"),
            std::string::npos);
  EXPECT_NE(backends::adb_failure_reason("error: device offline\n").find("offline"), std::string::npos);
  const std::string other = "adb: error: failed to copy 'x' to '/system/x': remote Read-only file system";
  EXPECT_EQ(backends::adb_failure_reason(other + "\n"), other);
  // The device's own command failing (cat of a missing id) is not adb's failure.
  EXPECT_EQ(backends::adb_failure_reason("cat: /data/local/tmp/nnlat/BUNDLE-ID: No such file or directory\n"), "");
  EXPECT_EQ(backends::adb_failure_reason(""), "");
}

class BundleId : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("nnlat-bundle-" + std::string(::testing::UnitTest::GetInstance()->current_test_info()->name()));
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_ / "lib");
    write("nnlat-device", "#!/bin/sh\n");
    write("lib/libx.so", "library bytes");
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  void write(const std::string& rel, const std::string& text) { std::ofstream(dir_ / rel) << text; }
  std::string id() {
    auto b = backends::read_bundle(dir_.string(), "nnlat-device");
    EXPECT_TRUE(b.ok()) << b.error().message;
    return b.ok() ? b->id : "";
  }
  std::filesystem::path dir_;
};

TEST_F(BundleId, SameFilesSameIdAndAnyChangeANewOne) {
  auto b = backends::read_bundle(dir_.string(), "nnlat-device");
  ASSERT_TRUE(b.ok()) << b.error().message;
  EXPECT_EQ(b->files, 2u);
  EXPECT_EQ(b->entries, (std::vector<std::string>{"lib", "nnlat-device"}));
  EXPECT_TRUE(backends::parse_bundle_id(b->id).has_value()) << b->id;
  const std::string first = b->id;
  EXPECT_EQ(id(), first);
  write("BUNDLE-ID", "0123456789abcdef\n");  // a deployed copy hashes as its source
  EXPECT_EQ(id(), first);
  write("lib/libx.so", "library bytez");  // same size, one byte
  const std::string changed = id();
  EXPECT_NE(changed, first);
  std::filesystem::permissions(dir_ / "lib/libx.so", std::filesystem::perms::owner_exec,
                               std::filesystem::perm_options::add);
  EXPECT_NE(id(), changed);  // a mode is part of a bundle (the loader and wrappers must run)
  write("lib/liby.so", "");
  EXPECT_NE(id(), changed);
}

TEST_F(BundleId, AFolderWithoutTheRunnerIsNotABundle) {
  auto b = backends::read_bundle(dir_.string(), "nnlat-runner");
  ASSERT_FALSE(b.ok());
  EXPECT_NE(b.error().message.find(dir_.string()), std::string::npos) << b.error().message;
  EXPECT_NE(b.error().message.find("nnlat-runner"), std::string::npos) << b.error().message;
  EXPECT_FALSE(backends::read_bundle((dir_ / "missing").string(), "nnlat-device").ok());
}

class DevicesFile : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ =
        (std::filesystem::temp_directory_path() /
         ("nnlat-devices-" + std::string(::testing::UnitTest::GetInstance()->current_test_info()->name()) + ".json"))
            .string();
    std::filesystem::remove(path_);
  }
  void TearDown() override { std::filesystem::remove(path_); }
  void write(const std::string& text) { std::ofstream(path_) << text; }
  std::string path_;
};

TEST_F(DevicesFile, RoundTripsAndAMissingFileIsEmpty) {
  auto none = backends::load_devices(path_);
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->empty());
  const std::vector<RemoteDevice> devices = {
      {"pi4", Transport::kSsh, "pi@10.0.0.2", 2222, "/keys/id", "nnlat/nnlat-device", {}},
      {"pixel", Transport::kAdb, "ZX1G22", 0, "", "/data/local/tmp/nnlat/nnlat-device", {}},
      {"lo", Transport::kLocal, "", 0, "", "/opt/bundle/nnlat-device", {}},
      {"lo2",
       Transport::kSsh,
       "root@127.0.0.1",
       0,
       "",
       "nnlat/nnlat-device",
       {"StrictHostKeyChecking=no"},
       "/src/build-aarch64/bundle"}};  // the bundle last deployed
  ASSERT_TRUE(backends::save_devices(path_, devices).ok());
  auto back = backends::load_devices(path_);
  ASSERT_TRUE(back.ok()) << back.error().message;
  EXPECT_EQ(*back, devices);
}

TEST_F(DevicesFile, MalformedFilesAreErrorsNamingTheFile) {
  for (
      const char* bad : {
          "not json",
          R"({"format": "something-else", "version": 1, "devices": []})",
          R"({"format": 1, "version": 1, "devices": []})",  // not a string: was a std::terminate
          R"({"format": "nnlat-devices", "version": 2, "devices": []})",
          R"({"format": "nnlat-devices", "version": 1, "devices": [{"name": "x", "transport": "ftp", "runner": "r"}]})",
          R"({"format": "nnlat-devices", "version": 1, "devices": [{"name": "x", "transport": "ssh", "runner": "r"}]})",
          R"({"format": "nnlat-devices", "version": 1, "devices": [{"name": "x", "transport": "ssh", "runner": "r",
                                                                  "address": "h", "ssh_options": ["-oX=y"]}]})",
          R"({"format": "nnlat-devices", "version": 1, "devices": [{"name": "x", "transport": "local", "runner": "r"},
                                                                  {"name": "x", "transport": "local", "runner": "r"}]})",
          R"({"format": "nnlat-devices", "version": 1, "devices": [{"name": "x", "transport": "local", "runner": "r",
                                                                  "bundle": 7}]})",
      }) {
    write(bad);
    auto r = backends::load_devices(path_);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.error().code, ErrorCode::kParseError) << bad;
    EXPECT_NE(r.error().message.find(path_), std::string::npos) << r.error().message;
  }
}

}  // namespace
}  // namespace nnlat
