// The library calls behind `nnlat zoo`, `devices`, `sample` and `export` (src/app/): what
// their results hold, without the CLI.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <set>

#include "cli_test_util.hpp"
#include "nnlat/app/devices.hpp"
#include "nnlat/app/export.hpp"
#include "nnlat/app/sample.hpp"
#include "nnlat/app/zoo.hpp"
#include "nnlat/core/file_io.hpp"
#include "nnlat/models/zoo.hpp"

namespace nnlat::app {
namespace {

TEST(AppZoo, ListsEveryRegisteredNetworkWithItsCost) {
  auto listing = zoo_listing();
  ASSERT_TRUE(listing.ok()) << listing.error().message;
  const auto entries = models::zoo_entries();
  ASSERT_EQ(listing->networks.size(), entries.size());
  const auto json = listing->to_json();
  ASSERT_EQ(json.size(), entries.size());
  for (size_t i = 0; i < entries.size(); ++i) {
    EXPECT_EQ(json[i]["name"], std::string(entries[i].name));
    EXPECT_GT(listing->networks[i].cost.macs, 0) << entries[i].name;
  }
  // A header line and one line per network.
  const std::string text = listing->to_text();
  EXPECT_EQ(static_cast<size_t>(std::count(text.begin(), text.end(), '\n')), entries.size() + 1);
}

TEST(AppDevices, ListsTargetsWithTheirBackendVersions) {
  auto devices = list_devices();
  ASSERT_TRUE(devices.ok());
  ASSERT_FALSE(devices->targets.empty());
  const auto json = devices->to_json();
  EXPECT_EQ(json["targets"].size(), devices->targets.size());
  EXPECT_EQ(json["opencl_devices"].size(), devices->opencl_devices.size());
  for (const auto& t : devices->targets) EXPECT_FALSE(t.backend_version.empty()) << t.name;
}

TEST(AppSample, WritesNDistinctGraphsAndTheIndex) {
  testing::TempDir dir("app_sample");
  auto result = sample_architectures({.space = "nb201", .n = 4, .seed = 3, .out = dir.path().string()});
  ASSERT_TRUE(result.ok()) << result.error().message;
  ASSERT_EQ(result->architectures.size(), 4u);
  std::set<std::string> hashes;
  for (const auto& a : result->architectures) {
    hashes.insert(a.hash);
    EXPECT_TRUE(std::filesystem::exists(dir.path() / a.file)) << a.file;
  }
  EXPECT_EQ(hashes.size(), 4u);
  auto index = read_file(dir.file("index.json"));
  ASSERT_TRUE(index.ok());
  EXPECT_EQ(*index, result->to_json().dump(2) + "\n");
}

TEST(AppSample, UnknownSpaceIsAnError) {
  testing::TempDir dir("app_sample_bad");
  EXPECT_FALSE(sample_architectures({.space = "nb999", .n = 2, .seed = 0, .out = dir.path().string()}).ok());
}

TEST(AppExport, NamesTheFilesItWrote) {
  testing::TempDir dir("app_export");
  ExportRequest request;
  request.model = "zoo:mobilenet_v2";
  request.onnx = dir.file("m.onnx");
  request.json = dir.file("m.json");
  auto result = export_model(request);
  ASSERT_TRUE(result.ok()) << result.error().message;
  EXPECT_FALSE(result->failed);
  ASSERT_EQ(result->written.size(), 2u);
  EXPECT_EQ(result->written[0].format, "onnx");
  EXPECT_EQ(result->written[1].path, request.json);
  for (const auto& f : result->written) EXPECT_TRUE(std::filesystem::exists(f.path)) << f.path;
  EXPECT_EQ(result->to_text(), "wrote " + request.onnx + "\nwrote " + request.json + "\n");
}

TEST(AppExport, AFailureAfterAFileKeepsTheFilesWritten) {
  testing::TempDir dir("app_export_partial");
  ExportRequest request{.model = "zoo:mobilenet_v2",
                        .onnx = dir.file("m.onnx"),
                        .tflite = dir.file("missing/dir/m.tflite"),
                        .json = dir.file("m.json")};
  auto result = export_model(request);
  ASSERT_TRUE(result.ok()) << result.error().message;
  ASSERT_TRUE(result->failed);
  ASSERT_EQ(result->written.size(), 1u);  // the ONNX file; the JSON graph is not attempted
  EXPECT_EQ(result->written[0].path, request.onnx);
  EXPECT_FALSE(std::filesystem::exists(request.json));
}

TEST(AppExport, NothingAskedForIsAnError) {
  ExportRequest request;
  request.model = "zoo:mobilenet_v2";
  auto result = export_model(request);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().code, ErrorCode::kInvalidArgument);
}

}  // namespace
}  // namespace nnlat::app
