// The device backend interface (DESIGN.md principle 6): a backend prepares an IR graph for
// repeated execution on its device, runs it, and reports which ops it cannot run. Backends
// are listed in one explicit registry (backend_registry.hpp). Timing is not the backend's
// job: the measurement protocol (measurement.hpp) calls `run()` repeatedly.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "nnlat/core/status.hpp"
#include "nnlat/ir/graph.hpp"
#include "nnlat/measure/environment.hpp"

namespace nnlat::backends {

enum class Precision { kFloat32, kFloat16, kInt8 };

struct RunConfig {
  Precision precision = Precision::kFloat32;
  int threads = 1;
  std::vector<int> affinity;  // CPU ids the worker threads may run on; empty: no pinning
  uint64_t weight_seed = 0;   // random but valid weights
  // Backend-specific device selector; empty: the backend's default. OpenCL:
  // "<platform short name>/<device index>", e.g. "pocl/0" (registry.hpp).
  std::string device;
};

// A graph ready to run: weights packed, buffers allocated, everything that must not be
// inside a timed region already done.
class PreparedGraph {
 public:
  virtual ~PreparedGraph() = default;
  // One inference, synchronous: returns when the outputs are ready.
  virtual Status run() = 0;
  // Output tensors after run(), flattened, in the IR layout (NCHW), as float (dequantised
  // for int8); for tests that compare against the reference implementation.
  virtual std::vector<std::vector<float>> outputs() const = 0;
  // Inputs the next run() reads, in IR layout (NCHW); tests write them.
  virtual Status set_input(size_t index, const std::vector<float>& values) = 0;
  // The kernels this graph runs, with the implementation chosen for each and, when
  // `timing_runs` > 0 and the device can time kernels, each kernel's median device time over
  // that many extra runs (outside any timed region). Empty for backends that do not report
  // their kernels (the default).
  virtual Result<std::vector<measure::KernelRun>> kernel_runs(int timing_runs) {
    (void)timing_runs;
    return std::vector<measure::KernelRun>{};
  }
};

class Backend {
 public:
  virtual ~Backend() = default;
  virtual std::string name() const = 0;     // "xnnpack"
  virtual std::string version() const = 0;  // library version recorded with measurements
  // Ok, or an error listing every op (by node name and op) the backend cannot run.
  virtual Status supports(const ir::Graph& graph, const RunConfig& config) const = 0;
  virtual Result<std::unique_ptr<PreparedGraph>> prepare(const ir::Graph& graph, const RunConfig& config) = 0;
};

}  // namespace nnlat::backends
