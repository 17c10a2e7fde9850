// Shared plumbing of the nnlat subcommands: error reporting and exit codes.
#pragma once

#include <CLI/CLI.hpp>
#include <cstdio>
#include <string>

#include "nnlat/app/report.hpp"
#include "nnlat/app/training_data.hpp"
#include "nnlat/core/status.hpp"

namespace nnlat::cli {

// Exit codes: 0 success, 1 internal failure, 2 bad input (file, reference, flag).
inline constexpr int kExitOk = 0;
inline constexpr int kExitInternal = 1;
inline constexpr int kExitBadInput = 2;

// Prints "nnlat: error: MESSAGE" on stderr and returns the exit code for the error.
int report(const Error& error);

// Prints a library result (DESIGN.md principle 14): its to_json() when `json` (indented by
// `indent` spaces; -1: one line), its to_text() otherwise; an error is reported instead.
template <class T>
int print_result(const Result<T>& result, bool json, int indent = 2) {
  if (!result.ok()) return report(result.error());
  const std::string text = json ? result->to_json().dump(indent) + "\n" : result->to_text();
  std::fwrite(text.data(), 1, text.size(), stdout);
  return kExitOk;
}

// `eval --report` and `predict --report`: where the page went, on stderr (stdout holds the
// command's own output, JSON included), or the error.
int print_report(const Result<app::ReportResult>& result);

// The same for results whose text is laid out by the command (train's summary,
// learning-curve's tables): `print_text(result)` instead of to_json(); --json on one line.
template <class T, class PrintText>
int print_result(const Result<T>& result, bool json, PrintText print_text) {
  if (!result.ok()) return report(result.error());
  if (json) {
    const std::string line = result->to_json().dump() + "\n";
    std::fwrite(line.data(), 1, line.size(), stdout);
  } else {
    print_text(*result);
  }
  return kExitOk;
}

// argv[0] as main received it: `devices deploy` finds the bundle beside the binary.
void set_program_path(const char* argv0);
const std::string& program_path();

// Each subcommand registers itself on the root app; its callback stores the exit code.
void add_info_command(CLI::App& app, int& exit_code);
void add_zoo_command(CLI::App& app, int& exit_code);
void add_sample_command(CLI::App& app, int& exit_code);
void add_export_command(CLI::App& app, int& exit_code);
void add_kernels_command(CLI::App& app, int& exit_code);
void add_devices_command(CLI::App& app, int& exit_code);
void add_profile_command(CLI::App& app, int& exit_code);
void add_db_command(CLI::App& app, int& exit_code);
void add_db_drift_command(CLI::App& db, int& exit_code);  // cmd_db_drift.cpp
void add_train_command(CLI::App& app, int& exit_code);
void add_predict_command(CLI::App& app, int& exit_code);
void add_predictors_command(CLI::App& app, int& exit_code);
void add_eval_command(CLI::App& app, int& exit_code);
void add_learning_curve_command(CLI::App& app, int& exit_code);
void add_analyze_command(CLI::App& app, int& exit_code);
void add_import_command(CLI::App& app, int& exit_code);
void add_help_options_command(CLI::App& app, int& exit_code);
void add_report_command(CLI::App& app, int& exit_code);

}  // namespace nnlat::cli
