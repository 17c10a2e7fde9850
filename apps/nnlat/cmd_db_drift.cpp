// `nnlat db drift`: the device's drift across a store's campaigns and the noise floor.
#include "cli_common.hpp"
#include "nnlat/app/drift.hpp"

namespace nnlat::cli {

void add_db_drift_command(CLI::App& db, int& exit_code) {
  struct Flags {
    std::string db;
    std::string target = "local:xnnpack-t1:float";
    bool json = false;
  };
  auto o = std::make_shared<Flags>();
  auto* cmd = db.add_subcommand("drift",
                                "Per campaign, how slow the device ran (from the reference networks it re-measured); "
                                "the run-to-run noise floor as stored and drift-corrected");
  cmd->add_option("--db", o->db, "SQLite store")->required();
  cmd->add_option("--target", o->target, "Target")->capture_default_str();
  cmd->add_flag("--json", o->json, "Print JSON");
  cmd->callback([o, &exit_code] { exit_code = print_result(app::drift_report(o->db, o->target), o->json); });
}

}  // namespace nnlat::cli
