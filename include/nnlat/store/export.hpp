// Exports the store's measurements as a flat dataset: one row per measurement.
//
// CSV (RFC 4180 quoting) columns, in this order:
//   kind,id,target,backend,name,source,encoding,family,hash,macs,params,
//   median_ms,mean_ms,std_ms,cv,min_ms,n_samples,unstable,remeasures,campaign,item_key,created
// JSONL: one object per line with the same fields plus samples_ms (array), protocol and
// environment (objects). Empty macs/params (a kernel whose features carry none) are an
// empty CSV field and null in JSONL.
#pragma once

#include <cstdint>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>

#include "nnlat/core/status.hpp"
#include "nnlat/store/store.hpp"

namespace nnlat::store {

enum class ExportFormat { kCsv, kJsonl };

// "csv" or "jsonl".
Result<ExportFormat> parse_export_format(std::string_view name);

struct ExportOptions {
  ExportFormat format = ExportFormat::kCsv;
  std::optional<std::string> target;  // only this target (device:config:precision)
};

// Writes the rows to `out` and returns how many were written.
Result<int64_t> export_measurements(const Store& store, const ExportOptions& options, std::ostream& out);
// Writes to `path` atomically (a failed export leaves no partial file).
Result<int64_t> export_measurements(const Store& store, const ExportOptions& options, const std::string& path);

// One CSV field, quoted when it holds a comma, a quote, CR or LF (quotes doubled).
std::string csv_field(std::string_view text);

}  // namespace nnlat::store
