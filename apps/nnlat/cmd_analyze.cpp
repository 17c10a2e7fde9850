// `nnlat analyze`: what makes networks slow on the store's targets, from measurements alone.
#include "cli_common.hpp"
#include "nnlat/app/analyze.hpp"

namespace nnlat::cli {

void add_analyze_command(CLI::App& app, int& exit_code) {
  auto request = std::make_shared<app::AnalyzeRequest>();
  auto json = std::make_shared<bool>(false);
  auto* cmd = app.add_subcommand("analyze",
                                 "Characterise targets from their measurements (never predictions): FLOPs vs "
                                 "latency, where the time goes, threads and core sets, GPU implementation choice, "
                                 "frameworks, noise (docs/analyze.md)");
  cmd->add_option("--db", request->db, "SQLite store")->required();
  cmd->add_option("--target", request->targets,
                  "Target to analyse (repeatable; default: every target with network measurements). Cross-target "
                  "analyses (threads, devices, frameworks) compare the targets given");
  cmd->add_option("--top", request->top, "Misranked and noisiest networks listed per target")
      ->capture_default_str()
      ->check(CLI::Range(size_t{1}, size_t{1000}));
  cmd->add_flag("--json", *json, "Print JSON (layout: docs/analyze.md)");
  cmd->callback([request, json, &exit_code] { exit_code = print_result(app::analyze(*request), *json); });
}

}  // namespace nnlat::cli
