// The OpenCL GPU backend: runs an IR graph as OpenCL 1.2 kernels, the way TFLite's GPU
// delegate runs a network on a phone's GPU (Adreno, Mali, PowerVR): one kernel per fused
// group of ops (the `tflite-gpu` rule set: element-wise tails linked into the previous
// kernel), a per-kernel implementation chosen by a fixed policy (Winograd F(4x4,3x3), 1x1
// convolution as a matrix product, direct convolution, ...), programs built in prepare().
// Tensors stay in the IR layout (NCHW; fp32, or fp16 storage) in device buffers; reshapes
// are aliases.
// docs/gpu.md describes the backend, the selection policy and the error bounds.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "nnlat/backends/backend.hpp"

namespace nnlat::backends {

// One OpenCL device as `nnlat devices` lists it.
struct OpenClDevice {
  int platform_index = 0;
  int device_index = 0;          // within its platform
  std::string platform;          // CL_PLATFORM_NAME, "Portable Computing Language"
  std::string platform_short;    // "pocl", "nvidia", "intel", "amd", "mali", "adreno", ...
  std::string platform_version;  // CL_PLATFORM_VERSION
  std::string name;              // CL_DEVICE_NAME
  std::string type;              // "gpu", "cpu", "accelerator", "other"
  std::string driver_version;    // CL_DRIVER_VERSION
  std::string opencl_version;    // CL_DEVICE_VERSION
  bool fp16 = false;             // cl_khr_fp16
  int compute_units = 0;
  uint64_t global_memory_bytes = 0;
  // The selector a RunConfig carries for this device ("pocl/0") and the target config that
  // names it ("opencl-pocl" for device 0 of a platform, "opencl-pocl-d1" for device 1).
  std::string selector;
  std::string target_config;
};

// Every device of every OpenCL platform; empty (never an error) when there is no OpenCL
// platform or the ICD loader finds none.
std::vector<OpenClDevice> list_opencl_devices();

class OpenClBackend final : public Backend {
 public:
  // `selector`: "<platform_short>/<device index>" as in OpenClDevice::selector; empty: the
  // first GPU device, else the first device of any type. RunConfig::device, when set,
  // overrides it in supports()/prepare().
  explicit OpenClBackend(std::string selector = "");
  ~OpenClBackend() override;
  std::string name() const override { return "opencl"; }
  // "opencl-1.2 host; <platform version>; <device name>; driver <driver version>", or
  // "opencl-1.2 host; no device (<why>)" when the selected device does not exist.
  std::string version() const override;
  // Ok, or kUnsupported listing every node (name, op, reason) the backend cannot run;
  // float32, and float16 (Precision::kFloat16: activations stored as half through
  // vload_half / vstore_half, weights and arithmetic float; any device); int8 is refused.
  Status supports(const ir::Graph& graph, const RunConfig& config) const override;
  // Builds (or takes from the backend's cache) every program, uploads weights, allocates
  // buffers and runs the graph once so that lazily compiling drivers (pocl compiles per
  // work-group size at the first launch) do that outside any timed run. Errors name the
  // device and the kernel.
  Result<std::unique_ptr<PreparedGraph>> prepare(const ir::Graph& graph, const RunConfig& config) override;
  // OpenCL programs this backend has built (clBuildProgram calls) on all its devices so far:
  // a kernel shape seen before costs no build.
  size_t programs_built() const;

  struct Impl;

 private:
  std::string selector_;
  std::shared_ptr<Impl> impl_;  // device, context, queue, program cache; created lazily
};

// The PreparedGraph that OpenClBackend returns: run() enqueues every OpenCL kernel on an
// in-order queue and waits with clFinish.
class OpenClPreparedGraph : public PreparedGraph {
 public:
  // One entry per detected kernel (tflite-gpu rules, exactly the rule file's list), named
  // after its IR nodes joined by '+' ("conv1+bn1+relu1"), in execution order. The methods
  // below report per detected kernel too.
  virtual std::vector<std::string> kernel_names() const = 0;
  // The implementation chosen for each kernel, same order: "conv2d_winograd4x4",
  // "conv2d_1x1_gemm", "conv2d_direct", "depthwise_conv2d", "fully_connected_gemm", ...
  virtual std::vector<std::string> kernel_implementations() const = 0;
  // OpenCL kernel launches per detected kernel (Winograd: 3, concat: one per input, a
  // squeeze-excite gate whose multiply broadcasts: one more, ...).
  virtual std::vector<int> kernel_launches() const = 0;
  // With kernel timing on, run() records a profiling event per launch and
  // last_kernel_times_ms() returns each detected kernel's device time (sum over its
  // launches, CL_PROFILING_COMMAND_START..END) of the last run. Off by default: the events
  // cost a little host time.
  virtual void set_kernel_timing(bool on) = 0;
  virtual Result<std::vector<double>> last_kernel_times_ms() const = 0;
};

}  // namespace nnlat::backends
