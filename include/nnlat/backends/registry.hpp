// The one explicit list of backends (DESIGN.md principle 6) and the local targets they
// offer. A local target name is `local:CONFIG:PRECISION` with
//   CONFIG    = xnnpack-t<threads>[-a<cpu>[.<cpu>...]]   e.g. xnnpack-t2, xnnpack-t1-a3
//               xnnpack-<core set>                       e.g. xnnpack-1large, xnnpack-1large2med:
//                                                        the phone datasets' core sets, on a
//                                                        CPU with clusters (cpu_clusters.hpp)
//               reference                                the naive reference (tests)
//               opencl-<platform>[-d<device>]            OpenCL device <device> (default 0) of
//                                                        the platform with that short name
//                                                        (pocl, nvidia, intel, amd, mali,
//                                                        adreno, ...; `nnlat devices` lists
//                                                        them), e.g. opencl-pocl, opencl-nvidia-d1
//   PRECISION = float | quant | fp16   (XNNPACK: float, quant; OpenCL: float, fp16 =
//               activations stored as half; reference: float)
// The `-a` suffix pins the threads to those CPUs: the phone "core configs" (1large, 2med)
// are exactly a thread count plus an affinity set.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "nnlat/backends/backend.hpp"
#include "nnlat/measure/cpu_clusters.hpp"
#include "nnlat/measure/target.hpp"

namespace nnlat::backends {

std::vector<std::string> backend_names();
// nullptr for an unknown name.
std::unique_ptr<Backend> make_backend(std::string_view name);

struct LocalTarget {
  measure::TargetName name;
  std::string backend;  // a name from backend_names()
  RunConfig config;
};

// The backend of a resolved target, bound to the target's device (RunConfig::device), so
// that version() names that device; nullptr for an unknown backend.
std::unique_ptr<Backend> make_backend(const LocalTarget& target);

// Errors name the target and say what is wrong (not local, unknown config, bad CPU id, no
// such OpenCL device).
Result<LocalTarget> resolve_local_target(std::string_view target);
// The same with the CPU's clusters given (tests: a phone's clusters on this machine).
Result<LocalTarget> resolve_local_target(std::string_view target, const std::vector<measure::CpuCluster>& clusters);

struct AvailableTarget {
  std::string name;
  std::string backend;
  std::string description;
};
// What `nnlat devices` lists: XNNPACK on every core set of every CPU cluster (none on a CPU
// of one cluster) and with 1..N threads, in both precisions, on this machine,
// then one float target per OpenCL device (none when there is no OpenCL platform).
std::vector<AvailableTarget> available_local_targets();

}  // namespace nnlat::backends
