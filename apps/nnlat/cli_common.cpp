#include "cli_common.hpp"

#include <fmt/core.h>

namespace nnlat::cli {
namespace {

std::string& program_path_storage() {
  static std::string path;
  return path;
}

}  // namespace

void set_program_path(const char* argv0) { program_path_storage() = argv0 ? argv0 : ""; }
const std::string& program_path() { return program_path_storage(); }

int report(const Error& error) {
  fmt::print(stderr, "nnlat: error: {}\n", error.message);
  return error.code == ErrorCode::kInternal ? kExitInternal : kExitBadInput;
}

int print_report(const Result<app::ReportResult>& result) {
  if (!result.ok()) return report(result.error());
  fmt::print(stderr, "{}", result->to_text());
  return kExitOk;
}

}  // namespace nnlat::cli
