// Lowering of planned kernels to OpenCL launches: device buffers, weights re-laid out for
// the chosen implementation (batch norm folded, Winograd filter transform), kernel objects
// with every argument set once, global and work-group sizes. Everything here happens in
// prepare(); run() only enqueues the launches.
#pragma once

#include <array>
#include <memory>
#include <vector>

#include "backends/opencl/opencl_plan.hpp"
#include "backends/opencl/opencl_runtime.hpp"
#include "nnlat/backends/weights.hpp"

namespace nnlat::backends::opencl {

struct MemRelease {
  void operator()(cl_mem m) const { clReleaseMemObject(m); }
};
struct KernelRelease {
  void operator()(cl_kernel k) const { clReleaseKernel(k); }
};
using Mem = std::unique_ptr<std::remove_pointer_t<cl_mem>, MemRelease>;
using KernelObject = std::unique_ptr<std::remove_pointer_t<cl_kernel>, KernelRelease>;

struct Launch {
  KernelObject kernel;
  cl_uint dims = 1;
  std::array<size_t, 3> global{1, 1, 1};
  std::array<size_t, 3> local{1, 1, 1};
  size_t planned = 0;  // index of the planned kernel it belongs to (Plan::kernels)
};

// Device state of one prepared graph.
struct DeviceGraph {
  std::vector<Mem> values;     // by ValueId.index; null for aliases (see Plan::storage)
  std::vector<Mem> constants;  // weights, biases, batch-norm scale/shift, Winograd scratch
  std::vector<Launch> launches;
};

// Allocates a buffer for every value that owns its storage.
Status allocate_values(Runtime& rt, const ir::Graph& graph, const Plan& plan, DeviceGraph& dg);

// Appends the launches of planned kernel `index` (its main op and linked tail).
Status lower_kernel(Runtime& rt, const ir::Graph& graph, const Plan& plan, size_t index, const GraphWeights& weights,
                    DeviceGraph& dg);

}  // namespace nnlat::backends::opencl
