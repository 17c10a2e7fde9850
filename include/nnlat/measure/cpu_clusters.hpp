// The CPU's clusters (big.LITTLE and its three-tier successors), read from the maximum
// frequency each CPU reports in /sys, and the phone datasets' names for core sets built from
// them: `1large`, `2med`, `4small`, `1large2med` (issue 14). A core set is a thread count plus
// the CPUs its threads are pinned to, so `xnnpack-1large` on a phone measures what the
// datasets' `pixel4:1large:float` measured.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "nnlat/core/status.hpp"

namespace nnlat::measure {

struct CpuCluster {
  std::string name;       // "large", "med", "small" (see cpu_clusters)
  double max_mhz = 0;     // cpuinfo_max_freq of its CPUs
  std::vector<int> cpus;  // ascending ids

  friend bool operator==(const CpuCluster&, const CpuCluster&) = default;
};

// CPUs grouped by cpuinfo_max_freq under `sys_root`/devices/system/cpu, fastest first, named
// by rank: the fastest "large", the slowest "small", those between "med", "medb", "medc", ...
// in descending order (letters only, so a core set reads unambiguously). Empty when the CPU has a single cluster or no
// CPU reports a frequency (a VM, an x86 server): core sets then have no names and threads are pinned by CPU id (-a).
std::vector<CpuCluster> cpu_clusters(const std::string& sys_root = "/sys");

struct CoreSetPart {
  int count = 0;
  std::string cluster;
  friend bool operator==(const CoreSetPart&, const CoreSetPart&) = default;
};

// "1large2med" -> {{1, "large"}, {2, "med"}}: counts and lowercase names, alternating;
// kInvalidArgument for anything else (a count of zero, a missing count or name).
Result<std::vector<CoreSetPart>> parse_core_set(std::string_view text);

// The CPUs a core set pins its threads to: the first `count` CPUs of each named cluster, in
// the order given. Errors name the set and list the clusters there are.
Result<std::vector<int>> core_set_cpus(std::string_view text, const std::vector<CpuCluster>& clusters);

// One line per cluster for humans: "large: cpu7 (2842 MHz)".
std::string describe_clusters(const std::vector<CpuCluster>& clusters);

}  // namespace nnlat::measure
