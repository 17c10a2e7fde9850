#include "nnlat/backends/opencl_backend.hpp"

#include <map>
#include <mutex>

#include "backends/opencl/opencl_half.hpp"
#include "backends/opencl/opencl_lower.hpp"
#include "backends/opencl/opencl_plan.hpp"
#include "backends/opencl/opencl_runtime.hpp"
#include "nnlat/backends/weights.hpp"
#include "nnlat/measure/measurement.hpp"

namespace nnlat::backends {

using opencl::Runtime;

// One runtime (context, queue, program cache) per device selector, shared by every graph
// this backend prepares, so that programs are built once per backend.
struct OpenClBackend::Impl {
  std::mutex mutex;
  std::map<std::string, std::shared_ptr<Runtime>> runtimes;

  Result<std::shared_ptr<Runtime>> runtime(const std::string& selector) {
    std::lock_guard lock(mutex);
    if (auto it = runtimes.find(selector); it != runtimes.end()) return it->second;
    NNLAT_ASSIGN_OR_RETURN(opencl::DeviceHandle device, opencl::find_device(selector));
    NNLAT_ASSIGN_OR_RETURN(std::shared_ptr<Runtime> rt, Runtime::create(device));
    runtimes[selector] = rt;
    return rt;
  }
};

namespace {

size_t usize(int64_t v) { return static_cast<size_t>(v); }

class PreparedOpenCl final : public OpenClPreparedGraph {
 public:
  PreparedOpenCl(std::shared_ptr<Runtime> rt, const ir::Graph& graph, opencl::Plan plan, opencl::DeviceGraph dg)
      : rt_(std::move(rt)), plan_(std::move(plan)), dg_(std::move(dg)) {
    for (ir::ValueId v : graph.inputs()) {
      inputs_.push_back({plan_.storage[v.index], ir::num_elements(graph.value(v).shape)});
    }
    for (ir::ValueId v : graph.outputs()) {
      outputs_.push_back({plan_.storage[v.index], ir::num_elements(graph.value(v).shape)});
    }
    // Reported per detected kernel (the rule file's list), see opencl::DetectedKernel.
    launches_per_kernel_.assign(plan_.detected.size(), 0);
    for (const auto& l : dg_.launches) ++launches_per_kernel_[detected_of(l)];
  }
  ~PreparedOpenCl() override { release_events(); }

  Status run() override {
    if (timing_) release_events();
    cl_command_queue q = rt_->queue();
    for (size_t i = 0; i < dg_.launches.size(); ++i) {
      const opencl::Launch& l = dg_.launches[i];
      cl_event* ev = timing_ ? &events_[i] : nullptr;
      const cl_int err =
          clEnqueueNDRangeKernel(q, l.kernel.get(), l.dims, nullptr, l.global.data(), l.local.data(), 0, nullptr, ev);
      if (err != CL_SUCCESS) {
        return error(
            "clEnqueueNDRangeKernel of kernel " + plan_.kernels[l.planned].name + " (launch " + std::to_string(i) + ")",
            err);
      }
    }
    if (const cl_int err = clFinish(q); err != CL_SUCCESS) return error("clFinish", err);
    has_events_ = timing_;
    return Status::Ok();
  }

  std::vector<std::vector<float>> outputs() const override {
    std::vector<std::vector<float>> out;
    for (const auto& [v, n] : outputs_) {
      std::vector<float> values(usize(n));
      std::vector<uint16_t> halves(plan_.half_storage ? usize(n) : 0);
      void* dst = plan_.half_storage ? static_cast<void*>(halves.data()) : static_cast<void*>(values.data());
      // A failed read leaves NaNs, which every comparison reports.
      if (clEnqueueReadBuffer(rt_->queue(), dg_.values[v.index].get(), CL_TRUE, 0, usize(n) * element_size(), dst, 0,
                              nullptr, nullptr) != CL_SUCCESS) {
        std::fill(values.begin(), values.end(), std::numeric_limits<float>::quiet_NaN());
      } else if (plan_.half_storage) {
        values = opencl::from_half(halves);
      }
      out.push_back(std::move(values));
    }
    return out;
  }

  Status set_input(size_t index, const std::vector<float>& values) override {
    if (index >= inputs_.size()) {
      return make_error(ErrorCode::kInvalidArgument, "opencl: input index " + std::to_string(index) +
                                                         " out of range (" + std::to_string(inputs_.size()) +
                                                         " inputs)");
    }
    const auto& [v, n] = inputs_[index];
    if (static_cast<int64_t>(values.size()) != n) {
      return make_error(ErrorCode::kInvalidArgument, "opencl: input " + std::to_string(index) + " needs " +
                                                         std::to_string(n) + " values, got " +
                                                         std::to_string(values.size()));
    }
    const std::vector<uint16_t> halves = plan_.half_storage ? opencl::to_half(values) : std::vector<uint16_t>{};
    const void* src = plan_.half_storage ? static_cast<const void*>(halves.data()) : values.data();
    const cl_int err = clEnqueueWriteBuffer(rt_->queue(), dg_.values[v.index].get(), CL_TRUE, 0,
                                            values.size() * element_size(), src, 0, nullptr, nullptr);
    if (err != CL_SUCCESS) return error("clEnqueueWriteBuffer of input " + std::to_string(index), err);
    return Status::Ok();
  }

  std::vector<std::string> kernel_names() const override {
    std::vector<std::string> names;
    for (const auto& k : plan_.detected) names.push_back(k.name);
    return names;
  }
  std::vector<std::string> kernel_implementations() const override {
    std::vector<std::string> names;
    for (const auto& k : plan_.detected) names.emplace_back(opencl::impl_name(k.impl));
    return names;
  }
  std::vector<int> kernel_launches() const override { return launches_per_kernel_; }

  Result<std::vector<measure::KernelRun>> kernel_runs(int timing_runs) override {
    std::vector<measure::KernelRun> runs;
    for (const auto& k : plan_.detected) runs.push_back({k.name, opencl::impl_name(k.impl), -1.0});
    if (timing_runs <= 0) return runs;
    const bool was_timing = timing_;
    set_kernel_timing(true);
    std::vector<std::vector<double>> samples(runs.size());
    for (int r = 0; r < timing_runs; ++r) {
      if (Status st = run(); !st.ok()) {
        set_kernel_timing(was_timing);
        return st.error();
      }
      auto ms = last_kernel_times_ms();
      if (!ms.ok()) {  // a driver without profiling information: kernels stay untimed
        set_kernel_timing(was_timing);
        return runs;
      }
      for (size_t i = 0; i < ms->size(); ++i) samples[i].push_back((*ms)[i]);
    }
    set_kernel_timing(was_timing);
    for (size_t i = 0; i < runs.size(); ++i) runs[i].device_ms = measure::compute_stats(samples[i]).median_ms;
    return runs;
  }

  void set_kernel_timing(bool on) override {
    release_events();
    timing_ = on;
    events_.assign(on ? dg_.launches.size() : 0, nullptr);
  }

  Result<std::vector<double>> last_kernel_times_ms() const override {
    if (!has_events_) {
      return make_error(ErrorCode::kInvalidArgument,
                        "opencl: no kernel times: call set_kernel_timing(true) and run() first");
    }
    std::vector<double> ms(plan_.detected.size(), 0.0);
    for (size_t i = 0; i < events_.size(); ++i) {
      cl_ulong start = 0, end = 0;
      cl_int err = clGetEventProfilingInfo(events_[i], CL_PROFILING_COMMAND_START, sizeof start, &start, nullptr);
      if (err == CL_SUCCESS) {
        err = clGetEventProfilingInfo(events_[i], CL_PROFILING_COMMAND_END, sizeof end, &end, nullptr);
      }
      if (err != CL_SUCCESS) return error("clGetEventProfilingInfo", err);
      ms[detected_of(dg_.launches[i])] += static_cast<double>(end - start) * 1e-6;
    }
    return ms;
  }

 private:
  Error error(const std::string& call, cl_int code) const {
    return make_error(ErrorCode::kInternal, "opencl device '" + rt_->device().info.name + "': " + call +
                                                " failed: " + opencl::cl_error_name(code));
  }
  size_t detected_of(const opencl::Launch& l) const { return plan_.kernels[l.planned].detected; }
  size_t element_size() const { return plan_.half_storage ? sizeof(uint16_t) : sizeof(float); }
  void release_events() {
    for (cl_event& e : events_) {
      if (e) clReleaseEvent(e);
      e = nullptr;
    }
    has_events_ = false;
  }

  std::shared_ptr<Runtime> rt_;
  opencl::Plan plan_;
  opencl::DeviceGraph dg_;
  std::vector<std::pair<ir::ValueId, int64_t>> inputs_, outputs_;  // storage value, elements
  std::vector<int> launches_per_kernel_;
  bool timing_ = false, has_events_ = false;
  std::vector<cl_event> events_;
};

}  // namespace

std::vector<OpenClDevice> list_opencl_devices() {
  std::vector<OpenClDevice> out;
  for (const auto& d : opencl::enumerate_devices()) out.push_back(d.info);
  return out;
}

OpenClBackend::OpenClBackend(std::string selector) : selector_(std::move(selector)), impl_(std::make_shared<Impl>()) {}

OpenClBackend::~OpenClBackend() = default;

std::string OpenClBackend::version() const {
  auto device = opencl::find_device(selector_);
  if (!device.ok()) return "opencl-1.2 host; no device (" + device.error().message + ")";
  const OpenClDevice& d = device->info;
  return "opencl-1.2 host; " + d.platform_version + "; " + d.name + "; driver " + d.driver_version;
}

size_t OpenClBackend::programs_built() const {
  std::lock_guard lock(impl_->mutex);
  size_t n = 0;
  for (const auto& [selector, rt] : impl_->runtimes) n += rt->programs_built();
  return n;
}

Status OpenClBackend::supports(const ir::Graph& graph, const RunConfig& config) const {
  NNLAT_RETURN_IF_ERROR(opencl::make_plan(graph, config));
  return Status::Ok();
}

Result<std::unique_ptr<PreparedGraph>> OpenClBackend::prepare(const ir::Graph& graph, const RunConfig& config) {
  NNLAT_ASSIGN_OR_RETURN(opencl::Plan plan, opencl::make_plan(graph, config));
  NNLAT_ASSIGN_OR_RETURN(std::shared_ptr<Runtime> rt,
                         impl_->runtime(config.device.empty() ? selector_ : config.device));
  NNLAT_ASSIGN_OR_RETURN(GraphWeights weights, make_weights(graph, config.weight_seed));
  opencl::DeviceGraph dg;
  NNLAT_RETURN_IF_ERROR(opencl::allocate_values(*rt, graph, plan, dg));
  for (size_t i = 0; i < plan.kernels.size(); ++i) {
    NNLAT_RETURN_IF_ERROR(opencl::lower_kernel(*rt, graph, plan, i, weights, dg));
  }
  auto prepared = std::make_unique<PreparedOpenCl>(rt, graph, std::move(plan), std::move(dg));
  for (size_t i = 0; i < graph.inputs().size(); ++i) {
    const auto n = usize(ir::num_elements(graph.value(graph.inputs()[i]).shape));
    NNLAT_RETURN_IF_ERROR(prepared->set_input(i, random_uniform(n, config.weight_seed + 1000 + i, -1.0f, 1.0f)));
  }
  // One untimed run: drivers that compile lazily (pocl specialises each kernel for its
  // work-group size at the first launch) do so here, not in the measurement.
  NNLAT_RETURN_IF_ERROR(prepared->run());
  return std::unique_ptr<PreparedGraph>(std::move(prepared));
}

}  // namespace nnlat::backends
