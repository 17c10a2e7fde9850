// The cross-built aarch64 runner (issue 14, `make runner-aarch64`) run under qemu-user: its
// bundle starts through its own loader, greets as an aarch64 machine, and its XNNPACK targets
// compute what the reference loops compute — every op case and a few zoo networks, checked by
// the runner itself (the protocol's "check") so the arm64 kernels are the ones compared. Timings
// under emulation mean nothing and are not looked at. `make test` builds the bundle first; a
// bare ctest without it skips these tests, saying so.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

#include "backend_op_cases.hpp"
#include "nnlat/backends/registry.hpp"
#include "nnlat/backends/runner_client.hpp"
#include "nnlat/backends/xnnpack_backend.hpp"
#include "nnlat/formats/json_format.hpp"
#include "nnlat/ir/builder.hpp"
#include "nnlat/models/model_ref.hpp"

namespace nnlat::backends {
namespace {

using namespace std::chrono_literals;
namespace fs = std::filesystem;

const char* const kQemu = "qemu-aarch64-static";

// Why the bundle cannot be run here, or "" when it can.
std::string unavailable() {
  const fs::path bundle = NNLAT_AARCH64_BUNDLE;
  if (!fs::exists(bundle / "bin" / "nnlat-device")) {
    return "no aarch64 runner bundle at " + bundle.string() + " (make runner-aarch64 builds it; make test does)";
  }
  for (const char* dir : {"/usr/bin", "/usr/local/bin"}) {
    if (::access((fs::path(dir) / kQemu).c_str(), X_OK) == 0) return "";
  }
  return std::string(kQemu) + " is not installed (qemu-user-static; scripts/install-deps.sh installs it)";
}

// qemu-user runs the bundle's loader, which runs the runner with the bundle's libraries only.
std::vector<std::string> runner_under_qemu() {
  const fs::path bundle = NNLAT_AARCH64_BUNDLE;
  return {kQemu, (bundle / "lib" / "ld-linux-aarch64.so.1").string(), "--library-path", (bundle / "lib").string(),
          (bundle / "bin" / "nnlat-device").string()};
}

class Aarch64Runner : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    if (!unavailable().empty()) return;
    auto started = RunnerClient::start(runner_under_qemu(), "aarch64-under-qemu", 120s);
    if (started.ok()) {
      client_ = std::move(*started);
    } else {
      start_error_ = started.error().message;
    }
  }
  static void TearDownTestSuite() { client_.reset(); }
  void SetUp() override {
    if (const std::string why = unavailable(); !why.empty()) GTEST_SKIP() << why;
    ASSERT_TRUE(client_) << start_error_;
    ASSERT_TRUE(client_->alive()) << "the runner died in an earlier test";
  }

  // The runner's check of `graph` on `target`, or its error.
  static Result<CheckResult> check(const ir::Graph& graph, const std::string& target, float lo, float hi) {
    CheckRequest request;
    request.id = graph.name;
    request.target = target;
    request.graph = nlohmann::json::parse(formats::graph_to_json(graph));
    request.weight_seed = 7;
    request.input_seed = 1000;
    request.input_lo = lo;
    request.input_hi = hi;
    return client_->check(request, 300s);
  }

  static inline std::unique_ptr<RunnerClient> client_;
  static inline std::string start_error_;
};

TEST_F(Aarch64Runner, GreetsAsAnAarch64MachineWithXnnpackTargets) {
  const RunnerHello& hello = client_->hello();
  EXPECT_EQ(hello.version, kRunnerProtocolVersion);
  EXPECT_EQ(hello.environment.machine, "aarch64");
  std::vector<std::string> names;
  for (const auto& t : hello.targets) names.push_back(t.name);
  EXPECT_NE(std::find(names.begin(), names.end(), "local:xnnpack-t1:float"), names.end())
      << ::testing::PrintToString(names);
  EXPECT_NE(std::find(names.begin(), names.end(), "local:xnnpack-t1:quant"), names.end())
      << ::testing::PrintToString(names);
}

struct CheckedTarget {
  std::string target;
  Precision precision;
  double tolerance;  // as the native suite's (backend_ops_test.cpp)
};

const CheckedTarget kCheckedTargets[] = {
    {"local:xnnpack-t1:float", Precision::kFloat32, 1e-4},
    {"local:xnnpack-t1:quant", Precision::kInt8, 0.05},
};

// Every op case: where this build's XNNPACK (the same Debian version for amd64 and arm64)
// refuses the case, the arm64 runner refuses it too; everything else matches the reference.
TEST_F(Aarch64Runner, EveryOpCaseMatchesTheReferenceOrIsRefusedAsHere) {
  XnnpackBackend here;
  int checked = 0;
  for (const auto& p : kCheckedTargets) {
    for (const auto& c : testing_cases::op_cases()) {
      SCOPED_TRACE(p.target + " " + c.name);
      auto graph = ir::GraphBuilder::run(c.build);
      ASSERT_TRUE(graph.ok()) << graph.error().message;
      RunConfig config;
      config.precision = p.precision;
      const Status supported_here = here.supports(*graph, config);
      auto result = check(*graph, p.target, c.lo, c.hi);
      if (!supported_here.ok()) {
        EXPECT_FALSE(result.ok()) << "refused here (" << supported_here.error().message << ") but run on aarch64";
        continue;
      }
      ASSERT_TRUE(result.ok()) << result.error().message;
      EXPECT_EQ(result->outputs, static_cast<int>(graph->outputs().size()));
      EXPECT_LE(result->max_relative_error, p.tolerance);
      ++checked;
    }
  }
  EXPECT_GT(checked, 100);  // most cases run; a wholesale refusal is a failure, not a pass
}

TEST_F(Aarch64Runner, ZooNetworksMatchTheReference) {
  for (const char* ref : {"zoo:mobilenet_v2?width=0.35&res=64&classes=10", "zoo:resnet18?width=0.35&res=64&classes=10",
                          "zoo:squeezenet1_1?width=0.35&res=64&classes=10"}) {
    SCOPED_TRACE(ref);
    auto graph = models::load_model(ref);
    ASSERT_TRUE(graph.ok()) << graph.error().message;
    auto result = check(*graph, "local:xnnpack-t1:float", -1, 1);
    ASSERT_TRUE(result.ok()) << result.error().message;
    EXPECT_LE(result->max_relative_error, 1e-4);
  }
}

}  // namespace
}  // namespace nnlat::backends
