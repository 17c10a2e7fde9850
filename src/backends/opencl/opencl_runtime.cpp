#include "backends/opencl/opencl_runtime.hpp"

#include <algorithm>
#include <cctype>
#include <utility>

namespace nnlat::backends::opencl {
namespace {

std::string platform_string(cl_platform_id p, cl_platform_info what) {
  size_t n = 0;
  if (clGetPlatformInfo(p, what, 0, nullptr, &n) != CL_SUCCESS || n == 0) return "unknown";
  std::string s(n, '\0');
  if (clGetPlatformInfo(p, what, n, s.data(), nullptr) != CL_SUCCESS) return "unknown";
  while (!s.empty() && (s.back() == '\0' || s.back() == ' ')) s.pop_back();
  return s;
}

std::string device_string(cl_device_id d, cl_device_info what) {
  size_t n = 0;
  if (clGetDeviceInfo(d, what, 0, nullptr, &n) != CL_SUCCESS || n == 0) return "unknown";
  std::string s(n, '\0');
  if (clGetDeviceInfo(d, what, n, s.data(), nullptr) != CL_SUCCESS) return "unknown";
  while (!s.empty() && (s.back() == '\0' || s.back() == ' ')) s.pop_back();
  return s;
}

template <typename T>
T device_value(cl_device_id d, cl_device_info what) {
  T v{};
  if (clGetDeviceInfo(d, what, sizeof(T), &v, nullptr) != CL_SUCCESS) return T{};
  return v;
}

std::string type_name(cl_device_type t) {
  if (t & CL_DEVICE_TYPE_GPU) return "gpu";
  if (t & CL_DEVICE_TYPE_CPU) return "cpu";
  if (t & CL_DEVICE_TYPE_ACCELERATOR) return "accelerator";
  return "other";
}

Error cl_failure(const DeviceHandle& d, const std::string& call, cl_int code) {
  return make_error(ErrorCode::kInternal, "OpenCL device '" + d.info.name + "' (" + d.info.selector + "): " + call +
                                              " failed: " + cl_error_name(code));
}

}  // namespace

std::string cl_error_name(cl_int code) {
  const char* name = "unknown OpenCL error";
  switch (code) {
    case CL_DEVICE_NOT_FOUND:
      name = "CL_DEVICE_NOT_FOUND";
      break;
    case CL_DEVICE_NOT_AVAILABLE:
      name = "CL_DEVICE_NOT_AVAILABLE";
      break;
    case CL_COMPILER_NOT_AVAILABLE:
      name = "CL_COMPILER_NOT_AVAILABLE";
      break;
    case CL_MEM_OBJECT_ALLOCATION_FAILURE:
      name = "CL_MEM_OBJECT_ALLOCATION_FAILURE";
      break;
    case CL_OUT_OF_RESOURCES:
      name = "CL_OUT_OF_RESOURCES";
      break;
    case CL_OUT_OF_HOST_MEMORY:
      name = "CL_OUT_OF_HOST_MEMORY";
      break;
    case CL_PROFILING_INFO_NOT_AVAILABLE:
      name = "CL_PROFILING_INFO_NOT_AVAILABLE";
      break;
    case CL_BUILD_PROGRAM_FAILURE:
      name = "CL_BUILD_PROGRAM_FAILURE";
      break;
    case CL_INVALID_VALUE:
      name = "CL_INVALID_VALUE";
      break;
    case CL_INVALID_DEVICE:
      name = "CL_INVALID_DEVICE";
      break;
    case CL_INVALID_CONTEXT:
      name = "CL_INVALID_CONTEXT";
      break;
    case CL_INVALID_COMMAND_QUEUE:
      name = "CL_INVALID_COMMAND_QUEUE";
      break;
    case CL_INVALID_MEM_OBJECT:
      name = "CL_INVALID_MEM_OBJECT";
      break;
    case CL_INVALID_PROGRAM:
      name = "CL_INVALID_PROGRAM";
      break;
    case CL_INVALID_PROGRAM_EXECUTABLE:
      name = "CL_INVALID_PROGRAM_EXECUTABLE";
      break;
    case CL_INVALID_KERNEL_NAME:
      name = "CL_INVALID_KERNEL_NAME";
      break;
    case CL_INVALID_KERNEL:
      name = "CL_INVALID_KERNEL";
      break;
    case CL_INVALID_ARG_INDEX:
      name = "CL_INVALID_ARG_INDEX";
      break;
    case CL_INVALID_ARG_VALUE:
      name = "CL_INVALID_ARG_VALUE";
      break;
    case CL_INVALID_ARG_SIZE:
      name = "CL_INVALID_ARG_SIZE";
      break;
    case CL_INVALID_KERNEL_ARGS:
      name = "CL_INVALID_KERNEL_ARGS";
      break;
    case CL_INVALID_WORK_DIMENSION:
      name = "CL_INVALID_WORK_DIMENSION";
      break;
    case CL_INVALID_WORK_GROUP_SIZE:
      name = "CL_INVALID_WORK_GROUP_SIZE";
      break;
    case CL_INVALID_WORK_ITEM_SIZE:
      name = "CL_INVALID_WORK_ITEM_SIZE";
      break;
    case CL_INVALID_GLOBAL_WORK_SIZE:
      name = "CL_INVALID_GLOBAL_WORK_SIZE";
      break;
    case CL_INVALID_EVENT:
      name = "CL_INVALID_EVENT";
      break;
    case CL_INVALID_BUFFER_SIZE:
      name = "CL_INVALID_BUFFER_SIZE";
      break;
    case -1001:
      name = "CL_PLATFORM_NOT_FOUND_KHR";
      break;  // cl_ext.h, returned by ICD loaders
    default:
      break;
  }
  return std::string(name) + " (" + std::to_string(code) + ")";
}

std::string platform_short_name(std::string_view platform_name) {
  // Known vendors first: their platform names are long and not self-explanatory.
  const std::pair<std::string_view, std::string_view> known[] = {{"Portable Computing Language", "pocl"},
                                                                 {"NVIDIA", "nvidia"},
                                                                 {"AMD", "amd"},
                                                                 {"Intel", "intel"},
                                                                 {"ARM", "mali"},
                                                                 {"QUALCOMM", "adreno"},
                                                                 {"Apple", "apple"},
                                                                 {"rusticl", "rusticl"},
                                                                 {"Clover", "clover"}};
  for (const auto& [needle, short_name] : known) {
    if (platform_name.find(needle) != std::string_view::npos) return std::string(short_name);
  }
  std::string s;
  for (char c : platform_name) {
    if (std::isalnum(static_cast<unsigned char>(c))) {
      s.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
    } else if (!s.empty()) {
      break;
    }
  }
  return s.empty() ? "other" : s;
}

std::vector<DeviceHandle> enumerate_devices() {
  std::vector<DeviceHandle> out;
  cl_uint num_platforms = 0;
  // No ICD, no platform: clGetPlatformIDs fails (ocl-icd returns CL_PLATFORM_NOT_FOUND_KHR).
  if (clGetPlatformIDs(0, nullptr, &num_platforms) != CL_SUCCESS || num_platforms == 0) return out;
  std::vector<cl_platform_id> platforms(num_platforms);
  if (clGetPlatformIDs(num_platforms, platforms.data(), nullptr) != CL_SUCCESS) return out;
  std::map<std::string, int> seen_short;  // two platforms of one vendor: the second gets "-p<i>"
  for (cl_uint p = 0; p < num_platforms; ++p) {
    cl_uint num_devices = 0;
    if (clGetDeviceIDs(platforms[p], CL_DEVICE_TYPE_ALL, 0, nullptr, &num_devices) != CL_SUCCESS) continue;
    std::vector<cl_device_id> devices(num_devices);
    if (clGetDeviceIDs(platforms[p], CL_DEVICE_TYPE_ALL, num_devices, devices.data(), nullptr) != CL_SUCCESS) {
      continue;
    }
    const std::string pname = platform_string(platforms[p], CL_PLATFORM_NAME);
    std::string short_name = platform_short_name(pname);
    if (seen_short[short_name]++ > 0) short_name += "p" + std::to_string(p);
    for (cl_uint d = 0; d < num_devices; ++d) {
      DeviceHandle h;
      h.platform = platforms[p];
      h.device = devices[d];
      h.max_work_group_size = std::max<size_t>(1, device_value<size_t>(devices[d], CL_DEVICE_MAX_WORK_GROUP_SIZE));
      OpenClDevice& i = h.info;
      i.platform_index = static_cast<int>(p);
      i.device_index = static_cast<int>(d);
      i.platform = pname;
      i.platform_short = short_name;
      i.platform_version = platform_string(platforms[p], CL_PLATFORM_VERSION);
      i.name = device_string(devices[d], CL_DEVICE_NAME);
      i.type = type_name(device_value<cl_device_type>(devices[d], CL_DEVICE_TYPE));
      i.driver_version = device_string(devices[d], CL_DRIVER_VERSION);
      i.opencl_version = device_string(devices[d], CL_DEVICE_VERSION);
      i.fp16 = device_string(devices[d], CL_DEVICE_EXTENSIONS).find("cl_khr_fp16") != std::string::npos;
      i.compute_units = static_cast<int>(device_value<cl_uint>(devices[d], CL_DEVICE_MAX_COMPUTE_UNITS));
      i.global_memory_bytes = device_value<cl_ulong>(devices[d], CL_DEVICE_GLOBAL_MEM_SIZE);
      i.selector = short_name + "/" + std::to_string(d);
      i.target_config = "opencl-" + short_name + (d == 0 ? "" : "-d" + std::to_string(d));
      out.push_back(std::move(h));
    }
  }
  return out;
}

Result<DeviceHandle> find_device(std::string_view selector) {
  auto devices = enumerate_devices();
  if (devices.empty()) {
    return make_error(ErrorCode::kNotFound,
                      "no OpenCL platform found (is an ICD installed, e.g. pocl-opencl-icd, and listed in "
                      "/etc/OpenCL/vendors?)");
  }
  if (selector.empty()) {
    for (const auto& d : devices) {
      if (d.info.type == "gpu") return d;
    }
    return devices.front();
  }
  std::string known;
  for (const auto& d : devices) {
    if (d.info.selector == selector) return d;
    known += (known.empty() ? "" : ", ") + d.info.selector + " (" + d.info.name + ")";
  }
  return make_error(ErrorCode::kNotFound, "no OpenCL device '" + std::string(selector) + "'; devices here: " + known);
}

Result<std::shared_ptr<Runtime>> Runtime::create(const DeviceHandle& device) {
  std::shared_ptr<Runtime> rt(new Runtime());
  rt->device_ = device;
  cl_int err = CL_SUCCESS;
  const cl_context_properties props[] = {CL_CONTEXT_PLATFORM, reinterpret_cast<cl_context_properties>(device.platform),
                                         0};
  rt->context_ = clCreateContext(props, 1, &device.device, nullptr, nullptr, &err);
  if (err != CL_SUCCESS) return cl_failure(device, "clCreateContext", err);
  // In order, as a GPU delegate's queue; profiling on so that kernel times can be read when
  // asked for (events are only requested then).
  rt->queue_ = clCreateCommandQueue(rt->context_, device.device, CL_QUEUE_PROFILING_ENABLE, &err);
  if (err != CL_SUCCESS) return cl_failure(device, "clCreateCommandQueue", err);
  return rt;
}

Runtime::~Runtime() {
  for (auto& [source, program] : programs_) clReleaseProgram(program);
  if (queue_) clReleaseCommandQueue(queue_);
  if (context_) clReleaseContext(context_);
}

Result<cl_kernel> Runtime::make_kernel(const std::string& source, const std::string& entry) {
  std::lock_guard lock(mutex_);
  auto it = programs_.find(source);
  if (it == programs_.end()) {
    cl_int err = CL_SUCCESS;
    const char* text = source.c_str();
    const size_t length = source.size();
    cl_program program = clCreateProgramWithSource(context_, 1, &text, &length, &err);
    if (err != CL_SUCCESS) return cl_failure(device_, "clCreateProgramWithSource", err);
    err = clBuildProgram(program, 1, &device_.device, "-cl-std=CL1.2", nullptr, nullptr);
    if (err != CL_SUCCESS) {
      size_t n = 0;
      clGetProgramBuildInfo(program, device_.device, CL_PROGRAM_BUILD_LOG, 0, nullptr, &n);
      std::string log(n, '\0');
      clGetProgramBuildInfo(program, device_.device, CL_PROGRAM_BUILD_LOG, n, log.data(), nullptr);
      clReleaseProgram(program);
      Error e = cl_failure(device_, "clBuildProgram of kernel " + entry, err);
      e.message += "; build log:\n" + log;
      return e;
    }
    ++programs_built_;
    it = programs_.emplace(source, program).first;
  }
  cl_int err = CL_SUCCESS;
  cl_kernel kernel = clCreateKernel(it->second, entry.c_str(), &err);
  if (err != CL_SUCCESS) return cl_failure(device_, "clCreateKernel " + entry, err);
  return kernel;
}

}  // namespace nnlat::backends::opencl
