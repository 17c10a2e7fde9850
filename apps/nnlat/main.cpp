// nnlat command-line entry point: a thin layer that registers the subcommands.
#include <CLI/CLI.hpp>
#include <exception>

#include "cli_common.hpp"

int main(int argc, char** argv) {
  CLI::App app{"nnlat " NNLAT_VERSION
               " - predict the inference latency of neural networks on target devices.\n"
               "Model references: FILE.onnx | FILE.tflite | FILE.json | zoo:NAME[?width=W&res=R] | nb201:ARCH | "
               "nb101:SPEC.json | space:mbv2:ENCODING\n"
               "Not built yet: int8 and fp16 arithmetic on OpenCL targets (their fp16 is storage only)."};
  app.require_subcommand(1);
  app.set_version_flag("--version", NNLAT_VERSION);
  int exit_code = nnlat::cli::kExitOk;
  nnlat::cli::set_program_path(argc > 0 ? argv[0] : nullptr);
  nnlat::cli::add_info_command(app, exit_code);
  nnlat::cli::add_zoo_command(app, exit_code);
  nnlat::cli::add_sample_command(app, exit_code);
  nnlat::cli::add_export_command(app, exit_code);
  nnlat::cli::add_kernels_command(app, exit_code);
  nnlat::cli::add_devices_command(app, exit_code);
  nnlat::cli::add_profile_command(app, exit_code);
  nnlat::cli::add_db_command(app, exit_code);
  nnlat::cli::add_train_command(app, exit_code);
  nnlat::cli::add_predict_command(app, exit_code);
  nnlat::cli::add_predictors_command(app, exit_code);
  nnlat::cli::add_eval_command(app, exit_code);
  nnlat::cli::add_learning_curve_command(app, exit_code);
  nnlat::cli::add_analyze_command(app, exit_code);
  nnlat::cli::add_import_command(app, exit_code);
  nnlat::cli::add_report_command(app, exit_code);
  nnlat::cli::add_help_options_command(app, exit_code);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);
    return code == 0 ? 0 : nnlat::cli::kExitBadInput;
  } catch (const std::exception& e) {
    // Library code returns errors as values; reaching this is a bug, still never a crash.
    return nnlat::cli::report(nnlat::make_error(nnlat::ErrorCode::kInternal, e.what()));
  }
  return exit_code;
}
