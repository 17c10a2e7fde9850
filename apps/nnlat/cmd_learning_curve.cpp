// `nnlat learning-curve --db DB --target T [--method M]`: accuracy on held-out networks
// versus the number of profiled kernels and training networks, as a table and a CSV.
#include <fmt/core.h>

#include <fstream>

#include "cli_common.hpp"
#include "nnlat/eval/learning_curve.hpp"

namespace nnlat::cli {

void add_learning_curve_command(CLI::App& app, int& exit_code) {
  auto* cmd = app.add_subcommand("learning-curve",
                                 "Accuracy on held-out networks versus profiled kernels and training networks");
  struct Options {
    std::string db;
    std::string target;
    std::string method = "opwise-gbdt";
    std::string rules;
    std::vector<size_t> kernels = {50, 100, 200, 500, 1000, 0};
    std::vector<size_t> networks = {0};
    double test_fraction = 0.3;
    int repeats = 3;
    uint64_t seed = 0;
    std::string csv;
    bool json = false;
  };
  auto o = std::make_shared<Options>();
  cmd->add_option("--db", o->db, "SQLite store")->required();
  cmd->add_option("--target", o->target, "Target, device:config:precision")->required();
  cmd->add_option("--method", o->method, "Method (see `nnlat train --help`)")->capture_default_str();
  cmd->add_option("--rules", o->rules, "Fusion rules that define kernels (default: the target's)");
  cmd->add_option("--kernels", o->kernels, "Kernel budgets (0: all)")->delimiter(',')->capture_default_str();
  cmd->add_option("--networks", o->networks, "Training-network budgets (0: all not held out)")
      ->delimiter(',')
      ->capture_default_str();
  cmd->add_option("--test-fraction", o->test_fraction, "Share of networks held out")
      ->capture_default_str()
      ->check(CLI::Range(0.05, 0.9));
  cmd->add_option("--repeats", o->repeats, "Random test sets averaged")->capture_default_str();
  cmd->add_option("--seed", o->seed, "Seed")->capture_default_str();
  cmd->add_option("--csv", o->csv, "Also write the curve to this CSV file");
  cmd->add_flag("--json", o->json, "Print JSON");
  cmd->callback([o, &exit_code] {
    auto method = predictors::parse_method(o->method);
    if (!method.ok()) {
      exit_code = report(method.error());
      return;
    }
    auto data = app::load_training_set_from(o->db, o->target, o->rules);
    if (!data.ok()) {
      exit_code = report(data.error());
      return;
    }
    eval::LearningCurveOptions options;
    options.train.method = *method;
    options.train.calibrate = false;
    options.train.seed = o->seed;
    options.kernel_budgets = o->kernels;
    options.network_budgets = o->networks;
    options.test_fraction = o->test_fraction;
    options.repeats = o->repeats;
    options.seed = o->seed;
    auto curve = eval::learning_curve(*data, options);
    if (!curve.ok()) {
      exit_code = report(curve.error().with_context(o->target));
      return;
    }
    if (!o->csv.empty()) {
      std::ofstream out(o->csv);
      out << "method,kernels,networks,test_networks,repeats,mape,mape_std,rmspe,acc5,acc10,kendall_tau,spearman\n";
      for (const auto& p : curve->points) {
        out << fmt::format("{},{},{},{},{},{},{},{},{},{},{},{}\n", o->method, p.kernels, p.networks,
                           curve->test_networks, p.repeats, p.mean.mape, p.mape_std, p.mean.rmspe, p.mean.acc5,
                           p.mean.acc10, p.mean.kendall_tau, p.mean.spearman);
      }
      if (!out) {
        exit_code = report(make_error(ErrorCode::kIoError, o->csv + ": cannot write"));
        return;
      }
    }
    if (o->json) {
      nlohmann::json pts = nlohmann::json::array();
      for (const auto& p : curve->points) {
        nlohmann::json m = eval::metrics_to_json(p.mean);
        m["kernels"] = p.kernels;
        m["networks"] = p.networks;
        m["mape_std"] = p.mape_std;
        m["repeats"] = p.repeats;
        pts.push_back(m);
      }
      fmt::print(
          "{}\n",
          nlohmann::json{
              {"target", o->target}, {"method", o->method}, {"test_networks", curve->test_networks}, {"points", pts}}
              .dump());
      return;
    }
    fmt::print("{} {}: {} held-out networks per repeat, {} repeats; pool {} networks, {} kernels\n", o->target,
               o->method, curve->test_networks, o->repeats, curve->pool_networks, curve->pool_kernels);
    fmt::print("{:>8} {:>9} {:>8} {:>8} {:>7} {:>7} {:>6} {:>6}\n", "kernels", "networks", "MAPE", "+-std", "+-5%",
               "+-10%", "tau", "rho");
    for (const auto& p : curve->points) {
      fmt::print("{:>8} {:>9} {:>7.2f}% {:>7.2f}% {:>6.1f}% {:>6.1f}% {:>6.3f} {:>6.3f}\n", p.kernels, p.networks,
                 100 * p.mean.mape, 100 * p.mape_std, 100 * p.mean.acc5, 100 * p.mean.acc10, p.mean.kendall_tau,
                 p.mean.spearman);
    }
  });
}

}  // namespace nnlat::cli
