// Registered remote devices (issue 14): ssh destinations, device names, the command that starts
// each transport's runner, and the devices file.
#include "nnlat/backends/remote_device.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

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
  RemoteDevice ssh{"pi4", Transport::kSsh, "pi@10.0.0.2", 2222, "/keys/id", "nnlat/nnlat-device"};
  EXPECT_EQ(backends::runner_command(ssh),
            (std::vector<std::string>{"ssh", "-o", "BatchMode=yes", "-o", "ConnectTimeout=10", "-p", "2222", "-i",
                                      "/keys/id", "pi@10.0.0.2", "nnlat/nnlat-device"}));
  ssh.port = 0;
  ssh.identity.clear();
  EXPECT_EQ(backends::runner_command(ssh),
            (std::vector<std::string>{"ssh", "-o", "BatchMode=yes", "-o", "ConnectTimeout=10", "pi@10.0.0.2",
                                      "nnlat/nnlat-device"}));
  RemoteDevice adb{"pixel", Transport::kAdb, "ZX1G22", 0, "", backends::default_runner_path(Transport::kAdb)};
  EXPECT_EQ(backends::runner_command(adb),
            (std::vector<std::string>{"adb", "-s", "ZX1G22", "shell", "/data/local/tmp/nnlat/nnlat-device"}));
  RemoteDevice local{"lo", Transport::kLocal, "", 0, "", "/opt/bundle/nnlat-device"};
  EXPECT_EQ(backends::runner_command(local), (std::vector<std::string>{"/opt/bundle/nnlat-device"}));
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
      {"pi4", Transport::kSsh, "pi@10.0.0.2", 2222, "/keys/id", "nnlat/nnlat-device"},
      {"pixel", Transport::kAdb, "ZX1G22", 0, "", "/data/local/tmp/nnlat/nnlat-device"},
      {"lo", Transport::kLocal, "", 0, "", "/opt/bundle/nnlat-device"}};
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
          R"({"format": "nnlat-devices", "version": 2, "devices": []})",
          R"({"format": "nnlat-devices", "version": 1, "devices": [{"name": "x", "transport": "ftp", "runner": "r"}]})",
          R"({"format": "nnlat-devices", "version": 1, "devices": [{"name": "x", "transport": "ssh", "runner": "r"}]})",
          R"({"format": "nnlat-devices", "version": 1, "devices": [{"name": "x", "transport": "local", "runner": "r"},
                                                                  {"name": "x", "transport": "local", "runner": "r"}]})",
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
