#include "nnlat/store/export.hpp"

#include <fmt/format.h>

#include <nlohmann/json.hpp>
#include <sstream>

#include "nnlat/core/file_io.hpp"

namespace nnlat::store {
namespace {

constexpr const char* kCsvHeader =
    "kind,id,target,backend,name,source,encoding,family,hash,macs,params,median_ms,mean_ms,std_ms,cv,min_ms,"
    "n_samples,unstable,remeasures,campaign,item_key,created";

// Shortest text that reads back as the same double.
std::string number(double v) { return fmt::format("{}", v); }

std::string optional_number(const std::optional<int64_t>& v) { return v ? std::to_string(*v) : std::string(); }

std::string csv_row(const MeasurementRow& r) {
  std::string line;
  auto add = [&](std::string_view field) {
    if (!line.empty()) line += ',';
    line += csv_field(field);
  };
  line = measurement_kind_name(r.kind);
  add(std::to_string(r.id));
  add(r.target);
  add(r.backend);
  add(r.name);
  add(r.source);
  add(r.encoding);
  add(r.family);
  add(r.hash);
  add(optional_number(r.macs));
  add(optional_number(r.params));
  add(number(r.median_ms));
  add(number(r.mean_ms));
  add(number(r.std_ms));
  add(number(r.cv));
  add(number(r.min_ms));
  add(std::to_string(r.samples_ms.size()));
  add(r.unstable ? "1" : "0");
  add(std::to_string(r.remeasures));
  add(r.campaign_key);
  add(r.item_key);
  add(r.created);
  return line;
}

nlohmann::json parse_or_string(const std::string& text) {
  auto j = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  return j.is_discarded() ? nlohmann::json(text) : j;
}

std::string jsonl_row(const MeasurementRow& r) {
  nlohmann::ordered_json j;
  j["kind"] = measurement_kind_name(r.kind);
  j["id"] = r.id;
  j["target"] = r.target;
  j["backend"] = r.backend;
  j["name"] = r.name;
  j["source"] = r.source;
  j["encoding"] = r.encoding;
  j["family"] = r.family;
  j["hash"] = r.hash;
  j["macs"] = r.macs ? nlohmann::ordered_json(*r.macs) : nlohmann::ordered_json(nullptr);
  j["params"] = r.params ? nlohmann::ordered_json(*r.params) : nlohmann::ordered_json(nullptr);
  j["median_ms"] = r.median_ms;
  j["mean_ms"] = r.mean_ms;
  j["std_ms"] = r.std_ms;
  j["cv"] = r.cv;
  j["min_ms"] = r.min_ms;
  j["n_samples"] = r.samples_ms.size();
  j["unstable"] = r.unstable;
  j["remeasures"] = r.remeasures;
  j["campaign"] = r.campaign_key;
  j["item_key"] = r.item_key;
  j["created"] = r.created;
  j["samples_ms"] = r.samples_ms;
  j["protocol"] = parse_or_string(r.protocol_json);
  j["environment"] = parse_or_string(r.environment_json);
  if (!r.kernel_timings.empty()) {
    nlohmann::ordered_json timings = nlohmann::ordered_json::array();
    for (const auto& t : r.kernel_timings) {
      timings.push_back({{"position", t.position},
                         {"name", t.name},
                         {"implementation", t.implementation},
                         {"latency_ms", t.latency_ms}});
    }
    j["kernel_timings"] = timings;
  }
  // Invalid UTF-8 in a name must not throw: replace it.
  return j.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
}

}  // namespace

std::string csv_field(std::string_view text) {
  if (text.find_first_of(",\"\r\n") == std::string_view::npos) return std::string(text);
  std::string out = "\"";
  for (char c : text) {
    if (c == '"') out += '"';
    out += c;
  }
  out += '"';
  return out;
}

Result<ExportFormat> parse_export_format(std::string_view name) {
  if (name == "csv") return ExportFormat::kCsv;
  if (name == "jsonl") return ExportFormat::kJsonl;
  return make_error(ErrorCode::kInvalidArgument, "unknown export format '" + std::string(name) + "' (csv or jsonl)");
}

Result<int64_t> export_measurements(const Store& store, const ExportOptions& options, std::ostream& out) {
  int64_t rows = 0;
  if (options.format == ExportFormat::kCsv) out << kCsvHeader << '\n';
  NNLAT_RETURN_IF_ERROR(store.for_each_measurement(options.target, [&](const MeasurementRow& r) -> Status {
    out << (options.format == ExportFormat::kCsv ? csv_row(r) : jsonl_row(r)) << '\n';
    if (!out) return make_error(ErrorCode::kIoError, store.path() + ": export: write failed");
    ++rows;
    return Status::Ok();
  }));
  out.flush();
  if (!out) return make_error(ErrorCode::kIoError, store.path() + ": export: write failed");
  return rows;
}

Result<int64_t> export_measurements(const Store& store, const ExportOptions& options, const std::string& path) {
  std::ostringstream buffer;
  NNLAT_ASSIGN_OR_RETURN(int64_t rows, export_measurements(store, options, buffer));
  NNLAT_RETURN_IF_ERROR(write_file_atomic(path, buffer.str()));
  return rows;
}

}  // namespace nnlat::store
