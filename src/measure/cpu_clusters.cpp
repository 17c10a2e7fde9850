#include "nnlat/measure/cpu_clusters.hpp"

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <map>

namespace nnlat::measure {
namespace {

namespace fs = std::filesystem;

// cpuinfo_max_freq is in kHz; 0 when not readable.
double max_khz(const fs::path& cpu_dir) {
  std::ifstream in(cpu_dir / "cpufreq" / "cpuinfo_max_freq");
  double khz = 0;
  if (!(in >> khz) || khz <= 0) return 0;
  return khz;
}

std::string cluster_list(const std::vector<CpuCluster>& clusters) {
  if (clusters.empty()) return "none here: the CPUs report a single maximum frequency or none";
  std::string out;
  for (const auto& c : clusters) {
    out += (out.empty() ? "" : ", ") + c.name + " (" + std::to_string(c.cpus.size()) + " CPUs)";
  }
  return out;
}

}  // namespace

std::vector<CpuCluster> cpu_clusters(const std::string& sys_root) {
  const fs::path cpu_root = fs::path(sys_root) / "devices" / "system" / "cpu";
  std::error_code ec;
  std::map<double, std::vector<int>, std::greater<>> by_frequency;
  for (const auto& entry : fs::directory_iterator(cpu_root, ec)) {
    const std::string name = entry.path().filename().string();
    if (name.size() < 4 || name.rfind("cpu", 0) != 0 ||
        !std::all_of(name.begin() + 3, name.end(), [](unsigned char c) { return std::isdigit(c); })) {
      continue;
    }
    const double khz = max_khz(entry.path());
    if (khz > 0) by_frequency[khz].push_back(std::stoi(name.substr(3)));
  }
  if (by_frequency.size() < 2) return {};
  std::vector<CpuCluster> clusters;
  size_t rank = 0;
  for (auto& [khz, cpus] : by_frequency) {
    std::sort(cpus.begin(), cpus.end());
    std::string name = rank == 0                         ? "large"
                       : rank + 1 == by_frequency.size() ? "small"
                       : rank == 1                       ? "med"
                                                         : "med" + std::string(1, static_cast<char>('a' + rank - 1));
    clusters.push_back({std::move(name), khz / 1000.0, cpus});
    ++rank;
  }
  return clusters;
}

Result<std::vector<CoreSetPart>> parse_core_set(std::string_view text) {
  const auto bad = [&](const std::string& why) {
    return make_error(ErrorCode::kInvalidArgument,
                      "core set '" + std::string(text) + "': " + why + " (e.g. 1large, 4small, 1large2med)");
  };
  std::vector<CoreSetPart> parts;
  size_t i = 0;
  while (i < text.size()) {
    const size_t digits_start = i;
    while (i < text.size() && std::isdigit(static_cast<unsigned char>(text[i]))) ++i;
    if (i == digits_start) return bad("a count must come before each cluster name");
    if (i - digits_start > 3) return bad("count too large");
    const int count = std::stoi(std::string(text.substr(digits_start, i - digits_start)));
    if (count == 0) return bad("a count of 0 CPUs");
    const size_t name_start = i;
    while (i < text.size() && std::islower(static_cast<unsigned char>(text[i]))) ++i;
    if (i == name_start) return bad("a cluster name must follow each count");
    parts.push_back({count, std::string(text.substr(name_start, i - name_start))});
  }
  if (parts.empty()) return bad("empty");
  return parts;
}

Result<std::vector<int>> core_set_cpus(std::string_view text, const std::vector<CpuCluster>& clusters) {
  NNLAT_ASSIGN_OR_RETURN(auto parts, parse_core_set(text));
  std::vector<int> cpus;
  for (const auto& part : parts) {
    const auto it =
        std::find_if(clusters.begin(), clusters.end(), [&](const auto& c) { return c.name == part.cluster; });
    if (it == clusters.end()) {
      return make_error(ErrorCode::kNotFound, "core set '" + std::string(text) + "': no cluster '" + part.cluster +
                                                  "' on this CPU (clusters: " + cluster_list(clusters) + ")");
    }
    if (static_cast<size_t>(part.count) > it->cpus.size()) {
      return make_error(ErrorCode::kNotFound, "core set '" + std::string(text) + "': the " + part.cluster +
                                                  " cluster has " + std::to_string(it->cpus.size()) + " CPUs, not " +
                                                  std::to_string(part.count));
    }
    for (const auto& previous : cpus) {
      if (std::find(it->cpus.begin(), it->cpus.end(), previous) != it->cpus.end()) {
        return make_error(ErrorCode::kInvalidArgument,
                          "core set '" + std::string(text) + "': the " + part.cluster + " cluster is named twice");
      }
    }
    cpus.insert(cpus.end(), it->cpus.begin(), it->cpus.begin() + part.count);
  }
  return cpus;
}

std::string describe_clusters(const std::vector<CpuCluster>& clusters) {
  std::string out;
  for (const auto& c : clusters) {
    out += c.name + ":";
    for (int cpu : c.cpus) out += " cpu" + std::to_string(cpu);
    out += " (" + std::to_string(static_cast<int>(c.max_mhz + 0.5)) + " MHz)\n";
  }
  return out;
}

}  // namespace nnlat::measure
