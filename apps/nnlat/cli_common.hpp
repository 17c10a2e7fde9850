// Shared plumbing of the nnlat subcommands: error reporting and exit codes.
#pragma once

#include <CLI/CLI.hpp>
#include <string>

#include "nnlat/app/training_data.hpp"
#include "nnlat/core/status.hpp"

namespace nnlat::cli {

// Exit codes: 0 success, 1 internal failure, 2 bad input (file, reference, flag).
inline constexpr int kExitOk = 0;
inline constexpr int kExitInternal = 1;
inline constexpr int kExitBadInput = 2;

// Prints "nnlat: error: MESSAGE" on stderr and returns the exit code for the error.
int report(const Error& error);

// Each subcommand registers itself on the root app; its callback stores the exit code.
void add_info_command(CLI::App& app, int& exit_code);
void add_zoo_command(CLI::App& app, int& exit_code);
void add_sample_command(CLI::App& app, int& exit_code);
void add_export_command(CLI::App& app, int& exit_code);
void add_kernels_command(CLI::App& app, int& exit_code);
void add_devices_command(CLI::App& app, int& exit_code);
void add_profile_command(CLI::App& app, int& exit_code);
void add_db_command(CLI::App& app, int& exit_code);
void add_train_command(CLI::App& app, int& exit_code);
void add_predict_command(CLI::App& app, int& exit_code);
void add_eval_command(CLI::App& app, int& exit_code);
void add_learning_curve_command(CLI::App& app, int& exit_code);
void add_import_command(CLI::App& app, int& exit_code);

}  // namespace nnlat::cli
