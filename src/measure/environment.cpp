#include "nnlat/measure/environment.hpp"

#include <sys/utsname.h>
#include <unistd.h>

#include <chrono>
#include <ctime>
#include <fstream>
#include <limits>
#include <nlohmann/json.hpp>
#include <sstream>

namespace nnlat::measure {
namespace {

std::string trim(std::string_view s) {
  const auto first = s.find_first_not_of(" \t\r\n");
  if (first == std::string_view::npos) return "";
  const auto last = s.find_last_not_of(" \t\r\n");
  return std::string(s.substr(first, last - first + 1));
}

// The whole file, or "" when it cannot be read.
std::string read_text(const char* path) {
  std::ifstream in(path);
  if (!in) return "";
  std::ostringstream buf;
  buf << in.rdbuf();
  return buf.str();
}

std::string or_unknown(std::string s) { return s.empty() ? std::string(kUnknown) : s; }

// The first value of `key` ("key<tabs/spaces>: value") in cpuinfo text; "" when absent.
// Keys compare case-sensitively and exactly ("cpu" does not match "cpu MHz").
std::string cpuinfo_field(std::string_view text, std::string_view key) {
  size_t pos = 0;
  while (pos < text.size()) {
    size_t end = text.find('\n', pos);
    if (end == std::string_view::npos) end = text.size();
    const std::string_view line = text.substr(pos, end - pos);
    pos = end + 1;
    const size_t colon = line.find(':');
    if (colon == std::string_view::npos) continue;
    if (trim(line.substr(0, colon)) != key) continue;
    std::string value = trim(line.substr(colon + 1));
    if (!value.empty()) return value;
  }
  return "";
}

}  // namespace

std::string cpu_model_from_cpuinfo(std::string_view cpuinfo) {
  // Android/ARM kernels often print a generic "model name" (ARMv8 Processor rev 14) next to
  // the SoC in "Hardware"; keep both then.
  const std::string model = cpuinfo_field(cpuinfo, "model name");
  const std::string hardware = cpuinfo_field(cpuinfo, "Hardware");
  if (!model.empty() && !hardware.empty()) return hardware + " (" + model + ")";
  for (const char* key : {"model name", "Hardware", "Processor", "cpu model", "cpu"}) {
    std::string v = cpuinfo_field(cpuinfo, key);
    if (!v.empty()) return v;
  }
  const std::string implementer = cpuinfo_field(cpuinfo, "CPU implementer");
  const std::string part = cpuinfo_field(cpuinfo, "CPU part");
  if (!implementer.empty() || !part.empty()) {
    return "CPU implementer " + or_unknown(implementer) + " part " + or_unknown(part);
  }
  return kUnknown;
}

int64_t memory_total_mb_from_meminfo(std::string_view meminfo) {
  // "MemTotal:       16314024 kB"
  std::istringstream in(cpuinfo_field(meminfo, "MemTotal"));
  int64_t kb = 0;
  std::string unit;
  if (!(in >> kb >> unit) || unit != "kB" || kb <= 0) return 0;
  return kb / 1024;
}

int64_t capture_memory_total_mb() { return memory_total_mb_from_meminfo(read_text("/proc/meminfo")); }

std::string iso8601_utc(long long unix_seconds) {
  const std::time_t t = static_cast<std::time_t>(unix_seconds);
  std::tm tm{};
  if (gmtime_r(&t, &tm) == nullptr) return kUnknown;
  char buf[32];
  if (std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0) return kUnknown;
  return buf;
}

Environment capture_environment() {
  Environment env;
  env.cpu_model = cpu_model_from_cpuinfo(read_text("/proc/cpuinfo"));
  const long cores = sysconf(_SC_NPROCESSORS_ONLN);
  env.cpu_cores = cores > 0 ? static_cast<int>(cores) : 0;
  env.cpu_governor = or_unknown(trim(read_text("/sys/devices/system/cpu/cpu0/cpufreq/scaling_governor")));
  struct utsname u {};
  if (uname(&u) == 0) {
    env.kernel = or_unknown(trim(std::string(u.sysname) + " " + u.release));
    env.machine = or_unknown(trim(u.machine));
  }
  char host[256] = {};
  if (gethostname(host, sizeof host - 1) == 0) env.hostname = or_unknown(trim(host));
#ifdef NNLAT_VERSION
  env.nnlat_version = NNLAT_VERSION;
#endif
  env.time_utc = iso8601_utc(
      std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count());
  return env;
}

nlohmann::json environment_to_json(const Environment& e) {
  nlohmann::json j;
  j["cpu_model"] = e.cpu_model;
  j["cpu_cores"] = e.cpu_cores;
  j["cpu_governor"] = e.cpu_governor;
  j["kernel"] = e.kernel;
  j["machine"] = e.machine;
  j["hostname"] = e.hostname;
  j["nnlat_version"] = e.nnlat_version;
  j["time_utc"] = e.time_utc;
  j["threads"] = e.threads;
  j["affinity"] = e.affinity;
  j["backend"] = e.backend;
  j["backend_version"] = e.backend_version;
  if (!e.kernels.empty()) {
    nlohmann::json kernels = nlohmann::json::array();
    for (const auto& k : e.kernels) {
      kernels.push_back({{"name", k.name}, {"implementation", k.implementation}, {"device_ms", k.device_ms}});
    }
    j["kernels"] = std::move(kernels);
  }
  if (!e.state_before.empty()) j["state_before"] = device_state_to_json(e.state_before);
  if (!e.state_after.empty()) j["state_after"] = device_state_to_json(e.state_after);
  return j;
}

Result<Environment> environment_from_json(const nlohmann::json& j) {
  auto fail = [](const std::string& why) { return make_error(ErrorCode::kParseError, "environment: " + why); };
  if (!j.is_object()) return fail("must be a JSON object");
  Environment e;
  auto get_string = [&](const char* key, std::string& out) -> Status {
    if (!j.contains(key)) return Status::Ok();
    if (!j[key].is_string()) return fail(std::string(key) + " must be a string");
    out = j[key].get<std::string>();
    return Status::Ok();
  };
  auto get_int = [&](const char* key, int& out) -> Status {
    if (!j.contains(key)) return Status::Ok();
    if (!j[key].is_number_integer() || j[key].get<int64_t>() < std::numeric_limits<int>::min() ||
        j[key].get<int64_t>() > std::numeric_limits<int>::max()) {
      return fail(std::string(key) + " must be an integer");
    }
    out = static_cast<int>(j[key].get<int64_t>());
    return Status::Ok();
  };
  NNLAT_RETURN_IF_ERROR(get_string("cpu_model", e.cpu_model));
  NNLAT_RETURN_IF_ERROR(get_int("cpu_cores", e.cpu_cores));
  NNLAT_RETURN_IF_ERROR(get_string("cpu_governor", e.cpu_governor));
  NNLAT_RETURN_IF_ERROR(get_string("kernel", e.kernel));
  NNLAT_RETURN_IF_ERROR(get_string("machine", e.machine));
  NNLAT_RETURN_IF_ERROR(get_string("hostname", e.hostname));
  NNLAT_RETURN_IF_ERROR(get_string("nnlat_version", e.nnlat_version));
  NNLAT_RETURN_IF_ERROR(get_string("time_utc", e.time_utc));
  NNLAT_RETURN_IF_ERROR(get_int("threads", e.threads));
  if (j.contains("affinity")) {
    if (!j["affinity"].is_array()) return fail("affinity must be an array of CPU ids");
    for (const auto& c : j["affinity"]) {
      if (!c.is_number_integer() || c.get<int64_t>() < 0 || c.get<int64_t>() > std::numeric_limits<int>::max()) {
        return fail("affinity must be an array of CPU ids");
      }
      e.affinity.push_back(static_cast<int>(c.get<int64_t>()));
    }
  }
  NNLAT_RETURN_IF_ERROR(get_string("backend", e.backend));
  NNLAT_RETURN_IF_ERROR(get_string("backend_version", e.backend_version));
  if (j.contains("kernels")) {
    const std::string what = "kernels must be an array of {name, implementation, device_ms}";
    if (!j["kernels"].is_array()) return fail(what);
    for (const auto& k : j["kernels"]) {
      if (!k.is_object() || !k.contains("name") || !k["name"].is_string() || !k.contains("implementation") ||
          !k["implementation"].is_string() || !k.contains("device_ms") || !k["device_ms"].is_number()) {
        return fail(what);
      }
      e.kernels.push_back(
          {k["name"].get<std::string>(), k["implementation"].get<std::string>(), k["device_ms"].get<double>()});
    }
  }
  for (auto [key, out] : {std::pair{"state_before", &e.state_before}, std::pair{"state_after", &e.state_after}}) {
    if (!j.contains(key)) continue;
    auto state = device_state_from_json(j[key]);
    if (!state.ok()) return fail(std::string(key) + ": " + state.error().message);
    *out = std::move(*state);
  }
  return e;
}

}  // namespace nnlat::measure
