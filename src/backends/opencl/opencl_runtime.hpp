// OpenCL device discovery and the per-device runtime: context, in-order queue (profiling
// enabled so that per-kernel times can be read) and a cache of built programs keyed by
// their source, so that a kernel shape seen before is never compiled twice.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "backends/opencl/opencl_api.hpp"
#include "nnlat/backends/opencl_backend.hpp"
#include "nnlat/core/status.hpp"

namespace nnlat::backends::opencl {

// "pocl" for "Portable Computing Language", "nvidia" for "NVIDIA CUDA", ...; otherwise the
// platform name's first word, lower-cased, letters and digits only ("other" if none).
std::string platform_short_name(std::string_view platform_name);

struct DeviceHandle {
  OpenClDevice info;
  cl_platform_id platform = nullptr;
  cl_device_id device = nullptr;
  size_t max_work_group_size = 1;
};

std::vector<DeviceHandle> enumerate_devices();

// `selector` "<platform_short>/<index>", or empty: the first GPU, else the first device.
// kNotFound naming the selector and the devices that exist.
Result<DeviceHandle> find_device(std::string_view selector);

// A built kernel object; the runtime owns the program behind it.
class Runtime {
 public:
  static Result<std::shared_ptr<Runtime>> create(const DeviceHandle& device);
  ~Runtime();
  Runtime(const Runtime&) = delete;
  Runtime& operator=(const Runtime&) = delete;

  const DeviceHandle& device() const { return device_; }
  cl_context context() const { return context_; }
  cl_command_queue queue() const { return queue_; }

  // Builds `source` once (cached by its text) and creates a new kernel object `entry` from
  // it; the caller releases the kernel. Build errors carry the build log.
  Result<cl_kernel> make_kernel(const std::string& source, const std::string& entry);
  size_t programs_built() const { return programs_built_; }

 private:
  Runtime() = default;
  DeviceHandle device_;
  cl_context context_ = nullptr;
  cl_command_queue queue_ = nullptr;
  std::mutex mutex_;
  std::map<std::string, cl_program> programs_;
  size_t programs_built_ = 0;
};

}  // namespace nnlat::backends::opencl
