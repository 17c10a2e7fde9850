// Malformed, truncated and corrupted files of every format: one clear error line naming the
// file, exit code 2, never a crash (DEVELOPERS.md "Honest work").
#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <random>
#include <sstream>

#include "cli_test_util.hpp"

namespace nnlat {
namespace {

using testing::run_cli;
using testing::TempDir;

// conv + relu6 + depthwise + add + pool + fc: expressible in every format nnlat reads.
constexpr const char* kTinyGraph = R"({
  "format": "nnlat-graph", "version": 1, "name": "tiny",
  "inputs": [{"name": "input", "shape": [1, 3, 16, 16], "dtype": "float32"}],
  "nodes": [
    {"name": "c1", "op": "conv2d", "inputs": ["input"], "outputs": ["c1"],
     "attrs": {"out_channels": 8, "kernel": [3, 3], "stride": [1, 1], "pads": [1, 1, 1, 1], "bias": 1}},
    {"name": "a1", "op": "relu6", "inputs": ["c1"], "outputs": ["a1"], "attrs": {}},
    {"name": "d1", "op": "depthwise_conv2d", "inputs": ["a1"], "outputs": ["d1"],
     "attrs": {"kernel": [3, 3], "stride": [1, 1], "pads": [1, 1, 1, 1], "bias": 1}},
    {"name": "s1", "op": "add", "inputs": ["a1", "d1"], "outputs": ["s1"], "attrs": {}},
    {"name": "p1", "op": "avg_pool2d", "inputs": ["s1"], "outputs": ["p1"], "attrs": {"kernel": [2, 2], "stride": [2, 2]}},
    {"name": "g1", "op": "global_avg_pool", "inputs": ["p1"], "outputs": ["g1"], "attrs": {}},
    {"name": "f1", "op": "flatten", "inputs": ["g1"], "outputs": ["f1"], "attrs": {"axis": 1}},
    {"name": "fc", "op": "fully_connected", "inputs": ["f1"], "outputs": ["fc"], "attrs": {"out_features": 10, "bias": 1}}
  ],
  "outputs": ["fc"]
})";

std::string read_all(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

void write_all(const std::string& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << bytes;
}

// The run must end with success or a clean error: exit 0, or exit 2 with one line naming the file.
void expect_clean(const testing::CliRun& r, const std::string& file, const std::string& what) {
  ASSERT_TRUE(r.exit_code == 0 || r.exit_code == 2) << what << ": exit " << r.exit_code << "\n" << r.err;
  if (r.exit_code == 2) {
    EXPECT_EQ(r.err.rfind("nnlat: error: ", 0), 0u) << what << ": " << r.err;
    EXPECT_NE(r.err.find(file), std::string::npos) << what << ": error does not name the file: " << r.err;
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << what << ": " << r.err;
  }
}

class CliMalformed : public ::testing::TestWithParam<std::string> {};

TEST_P(CliMalformed, TruncatedAndCorruptedCopiesFailCleanly) {
  const std::string ext = GetParam();
  TempDir dir("malformed_" + ext);
  const std::string json = dir.file("tiny.json");
  write_all(json, kTinyGraph);
  std::string original = json;
  if (ext != "json") {
    original = dir.file("tiny." + ext);
    auto r = run_cli("export " + json + " --" + ext + " " + original);
    ASSERT_EQ(r.exit_code, 0) << r.err;
  }
  ASSERT_EQ(run_cli("info " + original).exit_code, 0);
  const std::string bytes = read_all(original);
  ASSERT_GT(bytes.size(), 64u);

  const std::string bad = dir.file("bad." + ext);
  int failures = 0;
  int truncations = 0;
  for (size_t cut : {size_t{0}, size_t{1}, size_t{3}, size_t{8}, bytes.size() / 5, bytes.size() / 3, bytes.size() / 2,
                     2 * bytes.size() / 3, bytes.size() - 9, bytes.size() - 2}) {
    write_all(bad, bytes.substr(0, cut));
    auto r = run_cli("info " + bad);
    expect_clean(r, bad, "truncated at " + std::to_string(cut));
    failures += r.exit_code == 2;
    ++truncations;
  }
  // A truncated file can occasionally still be well-formed (a protobuf cut at a field
  // boundary); nearly all must be rejected.
  EXPECT_GE(failures, truncations - 2);

  std::mt19937_64 rng(42);
  for (int i = 0; i < 12; ++i) {
    std::string corrupted = bytes;
    for (int k = 0; k < 4; ++k) corrupted[rng() % corrupted.size()] = static_cast<char>(rng() & 0xff);
    write_all(bad, corrupted);
    expect_clean(run_cli("info " + bad), bad, "corruption " + std::to_string(i));
  }

  // Wrong magic: the first bytes replaced.
  std::string wrong = bytes;
  for (size_t i = 0; i < 8; ++i) wrong[i] = 'X';
  write_all(bad, wrong);
  auto r = run_cli("info " + bad);
  expect_clean(r, bad, "wrong magic");
  EXPECT_EQ(r.exit_code, 2);
}

INSTANTIATE_TEST_SUITE_P(Formats, CliMalformed, ::testing::Values("json", "onnx", "tflite"));

TEST(CliMalformedGraph, CycleAndShapeMismatchAreReported) {
  TempDir dir("graph_errors");
  const std::string cycle = dir.file("cycle.json");
  write_all(cycle, R"({"format": "nnlat-graph", "version": 1, "name": "c",
    "inputs": [{"name": "x", "shape": [1, 4]}],
    "nodes": [{"name": "a", "op": "add", "inputs": ["x", "b"], "outputs": ["a"], "attrs": {}},
              {"name": "b", "op": "relu", "inputs": ["a"], "outputs": ["b"], "attrs": {}}],
    "outputs": ["b"]})");
  auto r = run_cli("info " + cycle);
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("cycle"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find(cycle), std::string::npos) << r.err;

  const std::string mismatch = dir.file("mismatch.json");
  write_all(mismatch, R"({"format": "nnlat-graph", "version": 1, "name": "m",
    "inputs": [{"name": "x", "shape": [1, 4, 8, 8]}, {"name": "y", "shape": [1, 5, 8, 8]}],
    "nodes": [{"name": "a", "op": "add", "inputs": ["x", "y"], "outputs": ["a"], "attrs": {}}],
    "outputs": ["a"]})");
  r = run_cli("info " + mismatch);
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("node a"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("broadcast"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace nnlat
