// `nnlat db stats|export`: what a measurement store holds, and its rows for pandas.
#include <fmt/core.h>

#include <algorithm>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>

#include "cli_common.hpp"
#include "nnlat/core/hash.hpp"
#include "nnlat/formats/json_format.hpp"
#include "nnlat/fusion/fusion.hpp"
#include "nnlat/models/model_ref.hpp"
#include "nnlat/store/export.hpp"
#include "nnlat/store/store.hpp"

namespace nnlat::cli {

void add_db_command(CLI::App& app, int& exit_code) {
  auto* cmd = app.add_subcommand("db", "Inspect and export a measurement store");
  cmd->require_subcommand(1);

  struct StatsOptions {
    std::string db;
    bool json = false;
  };
  auto so = std::make_shared<StatsOptions>();
  auto* stats = cmd->add_subcommand("stats", "Counts of targets, networks, kernels and measurements (per target too)");
  stats->add_option("--db", so->db, "SQLite store")->required();
  stats->add_flag("--json", so->json, "Print JSON");
  stats->callback([so, &exit_code] {
    auto store = store::Store::open(so->db);
    if (!store.ok()) {
      exit_code = report(store.error());
      return;
    }
    auto s = store->stats();
    if (!s.ok()) {
      exit_code = report(s.error());
      return;
    }
    if (so->json) {
      nlohmann::ordered_json per = nlohmann::ordered_json::array();
      for (const auto& t : s->per_target) {
        per.push_back({{"target", t.target},
                       {"backend", t.backend},
                       {"networks", t.networks},
                       {"kernels", t.kernels},
                       {"network_measurements", t.network_measurements},
                       {"kernel_measurements", t.kernel_measurements},
                       {"unstable", t.unstable}});
      }
      nlohmann::ordered_json doc{{"targets", s->targets},
                                 {"networks", s->networks},
                                 {"kernels", s->kernels},
                                 {"campaigns", s->campaigns},
                                 {"network_measurements", s->network_measurements},
                                 {"kernel_measurements", s->kernel_measurements},
                                 {"per_target", per}};
      fmt::print("{}\n", doc.dump(2));
      return;
    }
    fmt::print(
        "{}: {} targets, {} networks, {} kernels, {} campaigns, {} network measurements, {} kernel measurements\n",
        so->db, s->targets, s->networks, s->kernels, s->campaigns, s->network_measurements, s->kernel_measurements);
    fmt::print("{:<32} {:<10} {:>9} {:>8} {:>10} {:>10} {:>9}\n", "target", "backend", "networks", "kernels",
               "net meas", "kern meas", "unstable");
    for (const auto& t : s->per_target) {
      fmt::print("{:<32} {:<10} {:>9} {:>8} {:>10} {:>10} {:>9}\n", t.target, t.backend, t.networks, t.kernels,
                 t.network_measurements, t.kernel_measurements, t.unstable);
    }
  });

  auto to = std::make_shared<StatsOptions>();
  auto* table =
      cmd->add_subcommand("table", "Networks x targets: median end-to-end latency (ms) of the latest measurement");
  table->add_option("--db", to->db, "SQLite store")->required();
  table->callback([to, &exit_code] {
    auto store = store::Store::open(to->db);
    if (!store.ok()) {
      exit_code = report(store.error());
      return;
    }
    std::vector<std::string> targets;
    std::vector<std::pair<std::string, int64_t>> networks;  // name, MACs, in first-seen order
    std::map<std::pair<std::string, std::string>, double> median;
    auto st = store->for_each_measurement(std::nullopt, [&](const store::MeasurementRow& row) {
      if (row.kind != store::MeasurementKind::kNetwork) return Status::Ok();
      if (std::find(targets.begin(), targets.end(), row.target) == targets.end()) targets.push_back(row.target);
      if (std::none_of(networks.begin(), networks.end(), [&](const auto& n) { return n.first == row.name; })) {
        networks.emplace_back(row.name, row.macs.value_or(0));
      }
      median[{row.name, row.target}] = row.median_ms;  // rows come oldest first: keep the latest
      return Status::Ok();
    });
    if (!st.ok()) {
      exit_code = report(st.error());
      return;
    }
    fmt::print("{:<36} {:>9}", "network", "MMACs");
    for (const auto& t : targets) fmt::print(" {:>24}", t);
    fmt::print("\n");
    for (const auto& [name, macs] : networks) {
      fmt::print("{:<36} {:>9.1f}", name.substr(0, 36), static_cast<double>(macs) / 1e6);
      for (const auto& t : targets) {
        auto it = median.find({name, t});
        if (it == median.end()) {
          fmt::print(" {:>24}", "-");
        } else {
          fmt::print(" {:>24.3f}", it->second);
        }
      }
      fmt::print("\n");
    }
  });

  struct KernelSumOptions {
    std::string db;
    std::string target = "local:xnnpack-t1:float";
    std::string rules = "xnnpack";
    std::vector<std::string> models;
  };
  auto ko = std::make_shared<KernelSumOptions>();
  auto* ksum = cmd->add_subcommand(
      "kernel-sum", "Per network: sum of its kernels' isolated medians vs its end-to-end median, from the store");
  ksum->add_option("--db", ko->db, "SQLite store")->required();
  ksum->add_option("--target", ko->target, "Target")->capture_default_str();
  ksum->add_option("--rules", ko->rules, "Fusion rules that define the kernels")->capture_default_str();
  ksum->add_option("models", ko->models, "Model references (a directory: every model in it)")->required();
  ksum->callback([ko, &exit_code] {
    auto rules = fusion::load_rule_set(ko->rules);
    if (!rules.ok()) {
      exit_code = report(rules.error());
      return;
    }
    auto store = store::Store::open(ko->db);
    if (!store.ok()) {
      exit_code = report(store.error());
      return;
    }
    std::map<std::string, double> kernel_ms;   // by kernel hash, latest
    std::map<std::string, double> network_ms;  // by network hash, latest
    auto st = store->for_each_measurement(ko->target, [&](const store::MeasurementRow& row) {
      (row.kind == store::MeasurementKind::kKernel ? kernel_ms : network_ms)[row.hash] = row.median_ms;
      return Status::Ok();
    });
    if (!st.ok()) {
      exit_code = report(st.error());
      return;
    }
    fmt::print("{:<28} {:>8} {:>9} {:>14} {:>14} {:>8}\n", "network", "kernels", "missing", "sum kernels ms",
               "end-to-end ms", "ratio");
    auto refs = models::expand_model_references(ko->models);  // a directory: every model in it
    if (!refs.ok()) {
      exit_code = report(refs.error());
      return;
    }
    for (const auto& ref : *refs) {
      auto g = models::load_model(ref);
      if (!g.ok()) {
        exit_code = report(g.error());
        return;
      }
      auto kernels = fusion::detect_kernels(*g, *rules);
      if (!kernels.ok()) {
        exit_code = report(kernels.error().with_context(ref));
        return;
      }
      double sum = 0;
      int missing = 0;
      for (const auto& k : *kernels) {
        auto kg = fusion::kernel_graph(*g, k);
        auto it = kg.ok() ? kernel_ms.find(fusion::kernel_hash(*kg)) : kernel_ms.end();
        if (it == kernel_ms.end()) {
          ++missing;
        } else {
          sum += it->second;
        }
      }
      auto e2e = network_ms.find(stable_hash_hex(formats::graph_to_json(*g)));
      const std::string e2e_text = e2e == network_ms.end() ? "-" : fmt::format("{:.3f}", e2e->second);
      const std::string ratio =
          (e2e == network_ms.end() || missing > 0) ? "-" : fmt::format("{:.3f}", sum / e2e->second);
      fmt::print("{:<28} {:>8} {:>9} {:>14.3f} {:>14} {:>8}\n", g->name.substr(0, 28), kernels->size(), missing, sum,
                 e2e_text, ratio);
    }
  });

  struct ExportCliOptions {
    std::string db;
    std::string format = "csv";
    std::string target;
    std::string out;
  };
  auto eo = std::make_shared<ExportCliOptions>();
  auto* exp = cmd->add_subcommand("export", "One row per measurement (network and kernel) as CSV or JSON Lines");
  exp->add_option("--db", eo->db, "SQLite store")->required();
  exp->add_option("--format", eo->format, "csv or jsonl")->capture_default_str();
  exp->add_option("--target", eo->target, "Only this target");
  exp->add_option("-o,--out", eo->out, "Output file (default: stdout)");
  exp->callback([eo, &exit_code] {
    auto format = store::parse_export_format(eo->format);
    if (!format.ok()) {
      exit_code = report(format.error());
      return;
    }
    auto store = store::Store::open(eo->db);
    if (!store.ok()) {
      exit_code = report(store.error());
      return;
    }
    store::ExportOptions options{*format, std::nullopt};
    if (!eo->target.empty()) options.target = eo->target;
    auto rows = eo->out.empty() ? store::export_measurements(*store, options, std::cout)
                                : store::export_measurements(*store, options, eo->out);
    if (!rows.ok()) {
      exit_code = report(rows.error());
      return;
    }
    if (!eo->out.empty()) fmt::print(stderr, "wrote {} rows to {}\n", *rows, eo->out);
  });
}

}  // namespace nnlat::cli
