// `nnlat devices add|remove` and the probe of registered devices (issue 14), with a runner on
// this machine standing in for a phone, and devices that cannot be reached.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "cli_test_util.hpp"
#include "nnlat/backends/opencl_backend.hpp"

namespace nnlat {
namespace {

using testing::run_cli;
using testing::TempDir;

TEST(CliDevices, AddProbeAndRemove) {
  TempDir dir("devices");
  const std::string file = " --devices " + dir.file("devices.json");
  ASSERT_EQ(run_cli("devices add lo --local " + std::string(NNLAT_DEVICE_BINARY) + file).exit_code, 0);
  ASSERT_EQ(run_cli("devices add pixel --adb NO-SUCH-SERIAL --runner /nonexistent/nnlat-device" + file).exit_code, 0);
  auto twice = run_cli("devices add lo --adb x" + file);
  EXPECT_EQ(twice.exit_code, 2);
  EXPECT_NE(twice.err.find("already registered"), std::string::npos) << twice.err;

  auto listed = run_cli("devices --json" + file);
  ASSERT_EQ(listed.exit_code, 0) << listed.err;
  const auto j = nlohmann::json::parse(listed.out);
  ASSERT_EQ(j["remote_devices"].size(), 2u);
  const auto& lo = j["remote_devices"][0];
  EXPECT_EQ(lo["name"], "lo");
  EXPECT_TRUE(lo["reachable"].get<bool>()) << lo.dump();
  bool has_t1 = false;
  for (const auto& t : lo["targets"]) has_t1 = has_t1 || t == "lo:xnnpack-t1:float";
  EXPECT_TRUE(has_t1) << lo.dump();
  // The hello's build (a hash of the runner's executable) and memory.
  EXPECT_EQ(lo["build"].get<std::string>().size(), 16u) << lo.dump();
  EXPECT_GT(lo["memory_mb"].get<int64_t>(), 0) << lo.dump();
  const auto& pixel = j["remote_devices"][1];
  EXPECT_FALSE(pixel["reachable"].get<bool>());
  EXPECT_NE(pixel["error"].get<std::string>().find("pixel"), std::string::npos) << pixel.dump();

  auto text = run_cli("devices" + file);
  ASSERT_EQ(text.exit_code, 0) << text.err;
  EXPECT_NE(text.out.find("NOT REACHABLE"), std::string::npos) << text.out;
  EXPECT_NE(text.out.find("lo:xnnpack-t1:float"), std::string::npos) << text.out;

  ASSERT_EQ(run_cli("devices remove pixel" + file).exit_code, 0);
  auto gone = run_cli("devices remove pixel" + file);
  EXPECT_EQ(gone.exit_code, 2);
  auto after = nlohmann::json::parse(run_cli("devices --json" + file).out);
  EXPECT_EQ(after["remote_devices"].size(), 1u);
}

constexpr const char* kFast = " --warmup 1 --min-repeats 3 --min-time 0 --max-remeasure 0 --quiet";
constexpr const char* kTwoNetworks = " 'zoo:mobilenet_v2?width=0.35&res=32' 'zoo:mobilenet_v2?width=0.35&res=48'";

TEST(CliDevices, ProfileOnARegisteredDeviceThroughItsRunner) {
  TempDir dir("devices_profile");
  const std::string file = " --devices " + dir.file("devices.json");
  const std::string db = dir.file("m.db");
  ASSERT_EQ(run_cli("devices add lo --local " + std::string(NNLAT_DEVICE_BINARY) + file).exit_code, 0);
  const std::string profile = "profile networks --target lo:xnnpack-t1:float --db " + db + file + kTwoNetworks + kFast;
  auto first = run_cli(profile + " --json");
  ASSERT_EQ(first.exit_code, 0) << first.err;
  const auto j = nlohmann::json::parse(first.out);
  EXPECT_EQ(j["planned"], 3 * (2 + 2 * 2));  // three rounds of two networks and two references twice
  EXPECT_EQ(j["measured"], j["planned"]);
  auto again = nlohmann::json::parse(run_cli(profile + " --json").out);
  EXPECT_EQ(again["measured"], 0);  // resumed: nothing twice
  auto stats = nlohmann::json::parse(run_cli("db stats --json --db " + db).out);
  EXPECT_EQ(stats["per_target"][0]["target"], "lo:xnnpack-t1:float");
  EXPECT_EQ(stats["network_measurements"], 18);

  auto unknown = run_cli("profile networks --target zz:xnnpack-t1:float --db " + db + file + kTwoNetworks + kFast);
  EXPECT_EQ(unknown.exit_code, 2);
  EXPECT_NE(unknown.err.find("no device 'zz'"), std::string::npos) << unknown.err;
  auto not_offered = run_cli("profile networks --target lo:xnnpack-t77:float --db " + db + file + kTwoNetworks + kFast);
  EXPECT_EQ(not_offered.exit_code, 2);
  EXPECT_NE(not_offered.err.find("does not offer it"), std::string::npos) << not_offered.err;
}

TEST(CliDevices, ARunnerThatDiesMidCampaignLosesNothingAndTheCampaignResumes) {
  TempDir dir("devices_dies");
  const std::string file = " --devices " + dir.file("devices.json");
  const std::string db = dir.file("m.db");
  // A runner that hangs up after its third request, like a dropped link.
  const std::string flaky = dir.file("flaky-runner.sh");
  {
    std::ofstream script(flaky);
    script << "#!/bin/sh\nsed -u 3q | " << NNLAT_DEVICE_BINARY << "\n";
  }
  std::filesystem::permissions(flaky, std::filesystem::perms::owner_all);
  ASSERT_EQ(run_cli("devices add lo --local " + flaky + file).exit_code, 0);
  const std::string profile = "profile networks --target lo:xnnpack-t1:float --db " + db + file + kTwoNetworks + kFast;
  auto cut = run_cli(profile);
  EXPECT_NE(cut.exit_code, 0);
  EXPECT_NE(cut.err.find("lo: the runner"), std::string::npos) << cut.err;
  EXPECT_EQ(nlohmann::json::parse(run_cli("db stats --json --db " + db).out)["network_measurements"], 3);

  ASSERT_EQ(run_cli("devices remove lo" + file).exit_code, 0);
  ASSERT_EQ(run_cli("devices add lo --local " + std::string(NNLAT_DEVICE_BINARY) + file).exit_code, 0);
  auto resumed = run_cli(profile + " --json");
  ASSERT_EQ(resumed.exit_code, 0) << resumed.err;
  const auto j = nlohmann::json::parse(resumed.out);
  EXPECT_EQ(j["already_done"], 3);
  EXPECT_EQ(j["measured"], 15);
  EXPECT_EQ(nlohmann::json::parse(run_cli("db stats --json --db " + db).out)["network_measurements"], 18);
}

// Several targets at once: one worker per device into one store; a device that cannot be
// reached fails alone, the others' measurements are stored, and the same command resumes.
TEST(CliDevices, SeveralDevicesAreProfiledInOneCommand) {
  TempDir dir("devices_parallel");
  const std::string file = " --devices " + dir.file("devices.json");
  const std::string db = dir.file("m.db");
  for (const char* name : {"lo1", "lo2"}) {
    ASSERT_EQ(run_cli("devices add " + std::string(name) + " --local " + NNLAT_DEVICE_BINARY + file).exit_code, 0);
  }
  ASSERT_EQ(run_cli("devices add gone --adb NNLAT-NO-SUCH-SERIAL" + file).exit_code, 0);
  const std::string profile =
      "profile networks --target lo1:xnnpack-t1:float --target gone:xnnpack-t1:float "
      "--target lo2:xnnpack-t1:float --target local:xnnpack-t1:float --db " +
      db + file + kTwoNetworks + kFast;
  auto first = run_cli(profile + " --json");
  EXPECT_NE(first.exit_code, 0);
  EXPECT_NE(first.err.find("gone: "), std::string::npos) << first.err;
  const auto results = nlohmann::json::parse(first.out);
  ASSERT_EQ(results.size(), 4u);  // one entry per target, in the order given
  EXPECT_EQ(results[0]["target"], "lo1:xnnpack-t1:float");
  EXPECT_EQ(results[1]["target"], "gone:xnnpack-t1:float");
  EXPECT_TRUE(results[1].contains("error"));
  for (int i : {0, 2, 3}) {
    EXPECT_EQ(results[i]["measured"], results[i]["planned"]) << results[i].dump();
    EXPECT_GT(results[i]["measured"].get<int>(), 0);
  }
  const auto stats = nlohmann::json::parse(run_cli("db stats --json --db " + db).out);
  EXPECT_EQ(stats["per_target"].size(), 3u) << stats.dump();
  EXPECT_EQ(stats["network_measurements"], 3 * results[0]["planned"].get<int>());

  auto again = run_cli(profile + " --json");
  const auto resumed = nlohmann::json::parse(again.out);
  for (int i : {0, 2, 3}) EXPECT_EQ(resumed[i]["measured"], 0) << resumed[i].dump();
  EXPECT_EQ(nlohmann::json::parse(run_cli("db stats --json --db " + db).out)["network_measurements"],
            stats["network_measurements"]);
}

TEST(CliDevices, DeployToALocalDevicePushesOnceAndAgainAfterAChange) {
  TempDir dir("devices_deploy");
  const std::string file = " --devices " + dir.file("devices.json");
  // A stand-in bundle: a runner wrapper that starts the build's runner, and a library folder.
  const std::string bundle = dir.file("bundle");
  std::filesystem::create_directories(bundle + "/lib");
  {
    std::ofstream(bundle + "/nnlat-device") << "#!/bin/sh\nexec " << NNLAT_DEVICE_BINARY << " \"$@\"\n";
    std::ofstream(bundle + "/lib/libfake.so") << "bytes";
  }
  std::filesystem::permissions(bundle + "/nnlat-device", std::filesystem::perms::owner_all);
  const std::string installed = dir.file("installed");
  ASSERT_EQ(run_cli("devices add lo --local " + installed + "/nnlat-device" + file).exit_code, 0);
  const std::string profile = "profile networks --target lo:xnnpack-t1:float --db " + dir.file("m.db") + file +
                              " 'zoo:mobilenet_v2?width=0.35&res=32'" + kFast + " --rounds 1 --references none";
  auto before = run_cli(profile);
  EXPECT_EQ(before.exit_code, 2);
  EXPECT_NE(before.err.find("nnlat devices deploy lo --devices"), std::string::npos) << before.err;

  const std::string deploy = "devices deploy lo --bundle " + bundle + file;
  auto first = run_cli(deploy + " --json");
  ASSERT_EQ(first.exit_code, 0) << first.err;
  const auto j = nlohmann::json::parse(first.out);
  EXPECT_TRUE(j["pushed"].get<bool>());
  EXPECT_EQ(j["previous_id"], "");
  EXPECT_EQ(j["files"], 2);
  std::ifstream id_file(installed + "/BUNDLE-ID");
  std::string id;
  id_file >> id;
  EXPECT_EQ(id, j["bundle_id"]);
  auto again = run_cli(deploy);
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_NE(again.out.find("up to date"), std::string::npos) << again.out;
  { std::ofstream(bundle + "/lib/libfake.so") << "other bytes"; }
  auto changed = nlohmann::json::parse(run_cli(deploy + " --json").out);
  EXPECT_TRUE(changed["pushed"].get<bool>());
  EXPECT_EQ(changed["previous_id"], j["bundle_id"]);
  auto measured = run_cli(profile + " --json");
  ASSERT_EQ(measured.exit_code, 0) << measured.err;
  EXPECT_EQ(nlohmann::json::parse(measured.out)["measured"], 1);

  auto no_bundle = run_cli("devices deploy lo --bundle " + dir.file("nowhere") + file);
  EXPECT_EQ(no_bundle.exit_code, 2);
  EXPECT_NE(no_bundle.err.find("device 'lo'"), std::string::npos) << no_bundle.err;
  EXPECT_NE(no_bundle.err.find("nowhere"), std::string::npos) << no_bundle.err;
  auto unknown = run_cli("devices deploy zz --bundle " + bundle + file);
  EXPECT_EQ(unknown.exit_code, 2);
  EXPECT_NE(unknown.err.find("no device 'zz'"), std::string::npos) << unknown.err;
}

// A device whose runner is gone or speaks another protocol version gets the bundle last deployed
// to it again, once, when a profile starts (the issue: "refuses a runner of another protocol
// version with a clear message and re-deploys it"); without a bundle to deploy, the error says
// which command fixes it.
TEST(CliDevices, ARunnerOfAnotherVersionOrNoneIsReplacedByTheBundleLastDeployed) {
  TempDir dir("devices_redeploy");
  const std::string file = " --devices " + dir.file("devices.json");
  const std::string bundle = dir.file("bundle");
  std::filesystem::create_directories(bundle);
  std::ofstream(bundle + "/nnlat-device") << "#!/bin/sh\nexec " << NNLAT_DEVICE_BINARY << " \"$@\"\n";
  std::filesystem::permissions(bundle + "/nnlat-device", std::filesystem::perms::owner_all);
  const std::string installed = dir.file("installed");
  ASSERT_EQ(run_cli("devices add lo --local " + installed + "/nnlat-device" + file).exit_code, 0);
  auto deployed = run_cli("devices deploy lo --bundle " + bundle + file + " --json");
  ASSERT_EQ(deployed.exit_code, 0) << deployed.err;
  const std::string id = nlohmann::json::parse(deployed.out)["bundle_id"];
  const auto devices = nlohmann::json::parse(std::ifstream(dir.file("devices.json")));
  EXPECT_EQ(devices["devices"][0]["bundle"], bundle) << devices.dump();

  // An older bundle on the device: its id differs, its runner speaks protocol version 1.
  const auto install_older_runner = [&] {
    std::ofstream(installed + "/nnlat-device")
        << "#!/bin/sh\necho '{\"type\":\"hello\",\"version\":1,\"runner_version\":\"0.0.1\"}'\ncat >/dev/null\n";
    std::ofstream(installed + "/BUNDLE-ID") << "0000000000000000\n";
  };
  install_older_runner();
  const auto profile_of = [&](const std::string& networks) {
    return "profile networks --target lo:xnnpack-t1:float --db " + dir.file("m.db") + file + networks + kFast +
           " --rounds 1 --references none --json";
  };
  const std::string profile = profile_of(" 'zoo:mobilenet_v2?width=0.35&res=32'");
  auto replaced = run_cli(profile);
  ASSERT_EQ(replaced.exit_code, 0) << replaced.err;
  const auto j = nlohmann::json::parse(replaced.out);
  EXPECT_EQ(j["measured"], 1);
  EXPECT_EQ(j["redeployed"], bundle);
  std::string now;
  std::ifstream(installed + "/BUNDLE-ID") >> now;
  EXPECT_EQ(now, id);

  // No runner at all: the same.
  std::filesystem::remove_all(installed);
  auto reinstalled = run_cli(profile_of(kTwoNetworks));
  ASSERT_EQ(reinstalled.exit_code, 0) << reinstalled.err;
  const auto again = nlohmann::json::parse(reinstalled.out);
  EXPECT_EQ(again["redeployed"], bundle);
  EXPECT_EQ(again["measured"], 2);  // another list of networks: a campaign of its own
  // A runner that fits is left alone.
  auto fitting = run_cli(profile);
  ASSERT_EQ(fitting.exit_code, 0) << fitting.err;
  EXPECT_EQ(nlohmann::json::parse(fitting.out)["redeployed"], "");

  // The remembered bundle is gone: the runner's version is named, and the command that fixes it.
  install_older_runner();
  std::filesystem::remove_all(bundle);
  auto refused = run_cli(profile);
  EXPECT_EQ(refused.exit_code, 2);
  EXPECT_NE(refused.err.find("protocol version 1"), std::string::npos) << refused.err;
  EXPECT_NE(refused.err.find("again failed"), std::string::npos) << refused.err;
  EXPECT_NE(refused.err.find("nnlat devices deploy lo"), std::string::npos) << refused.err;
}

// A device that throttles during a measurement: the runner's reply is rewritten on its way
// to the host so that the fastest CPU's clock halves between just before and just after each
// item. The host flags every such measurement unstable and says why; with the bounds at 0
// it does not look.
TEST(CliDevices, AMeasurementDuringWhichTheDeviceThrottledIsFlaggedUnstable) {
  TempDir dir("devices_throttle");
  const std::string file = " --devices " + dir.file("devices.json");
  const std::string throttling = dir.file("throttling-runner.sh");
  {
    std::ofstream script(throttling);
    script << "#!/bin/sh\n"
           << NNLAT_DEVICE_BINARY << " | sed -u -e '/\"type\":\"result\"/{s/,\"state_\\(after\\|before\\)\":{[^}]*}//g;"
           << "s/\"environment\":{/\"environment\":{\"state_after\":{\"cpu_mhz\":[1200.0]},"
           << "\"state_before\":{\"cpu_mhz\":[2400.0]},/}'\n";
  }
  std::filesystem::permissions(throttling, std::filesystem::perms::owner_all);
  ASSERT_EQ(run_cli("devices add lo --local " + throttling + file).exit_code, 0);
  const std::string network = " 'zoo:mobilenet_v2?width=0.35&res=32' --references none --rounds 1";
  const std::string db = dir.file("m.db");
  auto flagged =
      run_cli("profile networks --target lo:xnnpack-t1:float --db " + db + file + network + kFast + " --json");
  ASSERT_EQ(flagged.exit_code, 0) << flagged.err;
  const auto j = nlohmann::json::parse(flagged.out);
  ASSERT_EQ(j["measured"], 1);
  ASSERT_EQ(j["state_unstable"].size(), 1u) << j.dump();
  EXPECT_NE(j["state_unstable"][0].get<std::string>().find("fell from 2400 to 1200 MHz"), std::string::npos);
  EXPECT_EQ(nlohmann::json::parse(run_cli("db stats --json --db " + db).out)["per_target"][0]["unstable"], 1);

  const std::string unchecked_db = dir.file("u.db");
  auto unchecked = run_cli("profile networks --target lo:xnnpack-t1:float --db " + unchecked_db + file + network +
                           kFast + " --max-freq-drop 0 --json");
  ASSERT_EQ(unchecked.exit_code, 0) << unchecked.err;
  EXPECT_TRUE(nlohmann::json::parse(unchecked.out)["state_unstable"].empty());
  auto bad = run_cli("profile networks --target lo:xnnpack-t1:float --db " + unchecked_db + file + network + kFast +
                     " --max-freq-drop 1.5");
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_NE(bad.err.find("max_freq_drop"), std::string::npos) << bad.err;
}

// Registers device "lo" in `file` as this machine's runner behind `tee`, which logs every
// request line it receives to the returned path.
std::string add_logging_device(const TempDir& dir, const std::string& file) {
  const std::string logging = dir.file("logging-runner.sh"), requests = dir.file("requests.log");
  std::ofstream(logging) << "#!/bin/sh\ntee -a " << requests << " | " << NNLAT_DEVICE_BINARY << "\n";
  std::filesystem::permissions(logging, std::filesystem::perms::owner_all);
  EXPECT_EQ(run_cli("devices add lo --local " + logging + file).exit_code, 0);
  return requests;
}

// The measure requests a logging runner received, one JSON object each.
std::vector<nlohmann::json> measure_requests(const std::string& log_path) {
  std::vector<nlohmann::json> requests;
  std::ifstream log(log_path);
  for (std::string line; std::getline(log, line);) {
    auto request = nlohmann::json::parse(line);
    if (request["type"] == "measure") requests.push_back(std::move(request));
  }
  return requests;
}

// `--cool-down S` on a device: the protocol sent with every item carries it, and the runner rests
// that long before measuring each item (a phone cools on its own side of the link).
TEST(CliDevices, TheCoolDownGoesToTheRunnerWhichRestsBeforeEachItem) {
  TempDir dir("devices_cooldown");
  const std::string file = " --devices " + dir.file("devices.json");
  const std::string requests = add_logging_device(dir, file);
  auto r = run_cli("profile networks --target lo:xnnpack-t1:float --db " + dir.file("m.db") + file + kTwoNetworks +
                   kFast + " --references none --rounds 1 --cool-down 0.4 --json");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["measured"], 2);
  EXPECT_GE(j["elapsed_s"].get<double>(), 2 * 0.4);  // two items, each after 0.4 s of rest
  const auto sent = measure_requests(requests);
  EXPECT_EQ(sent.size(), 2u);
  for (const auto& request : sent) EXPECT_EQ(request["protocol"]["cooldown_s"], 0.4) << request["protocol"].dump();
}

// `--cold-cache` on a device: every request carries it and the runner flushes before each timed
// run, so every kernel is measured (until protocol version 3 each was skipped as unsupported).
// A CPU target gets no steady warm-up, here or there.
TEST(CliDevices, TheColdCacheGoesToTheRunnerWithEveryItem) {
  TempDir dir("devices_cold");
  const std::string file = " --devices " + dir.file("devices.json");
  const std::string requests = add_logging_device(dir, file);
  auto r = run_cli("profile kernels --from 'zoo:mobilenet_v2?width=0.35&res=32' --target lo:xnnpack-t1:float --db " +
                   dir.file("m.db") + file + kFast + " --references none --rounds 1 --cold-cache --json");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto j = nlohmann::json::parse(r.out);
  EXPECT_GT(j["measured"].get<int>(), 0);
  EXPECT_EQ(j["measured"], j["planned"]);
  EXPECT_EQ(j["skipped"], 0);
  EXPECT_EQ(j["steady_warmup_windows"], 0);
  const auto sent = measure_requests(requests);
  EXPECT_EQ(static_cast<int>(sent.size()), j["measured"].get<int>());
  for (const auto& request : sent) {
    EXPECT_EQ(request["cold_cache"], true) << request["id"];
    EXPECT_EQ(request["steady_warmup"]["max_s"], 0.0) << request["id"];
  }
}

// The steady warm-up on a device's accelerator: the first item's request asks for it, the
// runner warms until two windows agree and says how many it ran, as a local run of the same
// target does on this machine.
TEST(CliDevices, TheSteadyWarmupOfAnAcceleratorRunsOnTheDeviceAsItDoesLocally) {
  const auto devices = backends::list_opencl_devices();
  if (devices.empty()) GTEST_SKIP() << "no OpenCL platform/device on this machine (install pocl-opencl-icd)";
  const std::string config = devices.front().target_config;
  TempDir dir("devices_steady");
  const std::string file = " --devices " + dir.file("devices.json");
  const std::string requests = add_logging_device(dir, file);
  const std::string flags = file + kTwoNetworks + kFast + " --references none --rounds 1 --steady-warmup 30 " +
                            "--steady-tolerance 0.9 --json --db ";
  for (const std::string device : {"lo", "local"}) {
    auto r =
        run_cli("profile networks --target " + device + ":" + config + ":float" + flags + dir.file(device + ".db"));
    ASSERT_EQ(r.exit_code, 0) << r.err;
    const auto j = nlohmann::json::parse(r.out);
    EXPECT_EQ(j["measured"], 2) << device;
    // Windows agree within 90% from the second on: exactly two, on either side.
    EXPECT_EQ(j["steady_warmup_windows"], 2) << device << " " << j.dump();
    EXPECT_EQ(j["steady"], true) << device;
  }
  const auto sent = measure_requests(requests);
  ASSERT_EQ(sent.size(), 2u);
  EXPECT_EQ(sent[0]["steady_warmup"]["max_s"], 30.0);  // once per run, with its first item
  EXPECT_EQ(sent[0]["steady_warmup"]["tolerance"], 0.9);
  EXPECT_EQ(sent[1]["steady_warmup"]["max_s"], 0.0);
  EXPECT_EQ(sent[0]["cold_cache"], false);
}

TEST(CliDevices, AMalformedDevicesFileIsACleanError) {
  TempDir dir("devices_bad");
  const std::string path = dir.file("devices.json");
  { std::ofstream(path) << "{\"format\": \"nnlat-devices\", \"version\": 1, \"devices\": 3}"; }
  auto r = run_cli("devices --devices " + path);
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find(path), std::string::npos) << r.err;
}

}  // namespace
}  // namespace nnlat
