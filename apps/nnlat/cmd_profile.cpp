// `nnlat profile networks|kernels`: measure on a local target and store every measurement.
// Killed and started again with the same arguments, a campaign resumes where it stopped.
#include <fmt/core.h>

#include <algorithm>
#include <nlohmann/json.hpp>

#include "cli_common.hpp"
#include "nnlat/campaigns/profiler.hpp"
#include "nnlat/models/kernel_sampler.hpp"
#include "nnlat/models/model_ref.hpp"
#include "nnlat/predictors/training_set.hpp"
#include "progress.hpp"

namespace nnlat::cli {
namespace {

struct ProfileOptions {
  std::string target = "local:xnnpack-t1:float";
  std::string db = "nnlat.db";
  std::vector<std::string> models;
  std::string sample_family;
  std::vector<std::string> around_models;
  int64_t n = 50;
  uint64_t seed = 0;
  bool json = false;
  bool quiet = false;
  campaigns::ProfileRequest request;
};

void add_common_options(CLI::App* cmd, ProfileOptions& o) {
  cmd->add_option("--target", o.target, "Local target device:config:precision (see `nnlat devices`)")
      ->capture_default_str();
  cmd->add_option("--db", o.db, "SQLite measurement store (created if missing)")->capture_default_str();
  auto& p = o.request.protocol;
  cmd->add_option("--warmup", p.warmup_runs, "Untimed runs first")->capture_default_str();
  cmd->add_option("--min-repeats", p.min_repeats, "Timed runs, at least")->capture_default_str();
  cmd->add_option("--min-time", p.min_time_s, "Seconds of timed runs, at least")->capture_default_str();
  cmd->add_option("--max-repeats", p.max_repeats, "Timed runs, at most")->capture_default_str();
  cmd->add_option("--cv-threshold", p.cv_threshold, "Re-measure when the CV is above this")->capture_default_str();
  cmd->add_option("--max-remeasure", p.max_remeasure, "Re-measurements, at most")->capture_default_str();
  cmd->add_option("--cooldown", p.cooldown_s, "Seconds of sleep before each item")->capture_default_str();
  cmd->add_option("--weight-seed", o.request.weight_seed, "Seed of the random weights")->capture_default_str();
  cmd->add_option("--repeat", o.request.repeat_tag,
                  "Measure again as a separate campaign with this tag (e.g. 2): the noise floor `eval` reports");
  cmd->add_flag("--json", o.json, "Print a JSON summary on stdout");
  cmd->add_flag("--quiet", o.quiet, "No progress output");
}

int print_summary(const Result<campaigns::ProfileSummary>& summary, const std::vector<campaigns::ProfileEvent>& events,
                  const ProfileOptions& o, const char* what) {
  if (!summary.ok()) return report(summary.error());
  const auto& s = *summary;
  if (o.json) {
    nlohmann::ordered_json items = nlohmann::ordered_json::array();
    for (const auto& e : events) {
      nlohmann::ordered_json item{{"item", e.item}, {"skipped", e.skipped}};
      if (e.skipped) {
        item["reason"] = e.message;
      } else {
        item["median_ms"] = e.median_ms;
        if (e.device_ms >= 0) {  // kernels timed on the device: their sum and the host-side gap
          item["device_ms"] = e.device_ms;
          item["gap_ms"] = e.median_ms - e.device_ms;
        }
      }
      items.push_back(item);
    }
    nlohmann::ordered_json doc{{"target", o.target},     {"db", o.db},           {"campaign_id", s.campaign_id},
                               {"resumed", s.resumed},   {"planned", s.planned}, {"already_done", s.already_done},
                               {"measured", s.measured}, {"skipped", s.skipped}, {"elapsed_s", s.elapsed_s},
                               {"items", items}};
    fmt::print("{}\n", doc.dump(2));
  } else {
    const bool device = std::any_of(events.begin(), events.end(), [](const auto& e) { return e.device_ms >= 0; });
    fmt::print("{:<60} {:>12}{}\n", what, "median ms", device ? "    device ms  gap ms" : "");
    for (const auto& e : events) {
      if (e.skipped) continue;
      fmt::print("{:<60} {:>12.4f}", e.item.substr(0, 60), e.median_ms);
      if (e.device_ms >= 0) fmt::print(" {:>12.4f} {:>7.4f}", e.device_ms, e.median_ms - e.device_ms);
      fmt::print("\n");
    }
    fmt::print("{} planned, {} measured now, {} measured earlier{}, {} skipped (unsupported), {:.1f} s -> {}\n",
               s.planned, s.measured, s.already_done, s.resumed ? " (resumed)" : "", s.skipped, s.elapsed_s, o.db);
    for (const auto& r : s.skipped_reasons) fmt::print("  skipped {}\n", r);
  }
  return kExitOk;
}

}  // namespace

void add_profile_command(CLI::App& app, int& exit_code) {
  auto* cmd = app.add_subcommand("profile", "Measure networks or kernels on a local target into a store");
  cmd->require_subcommand(1);

  auto nets = std::make_shared<ProfileOptions>();
  auto* networks = cmd->add_subcommand("networks", "End-to-end latency of each network (zoo, directories, files)");
  networks->add_option("models", nets->models, "Model references or directories")->required();
  add_common_options(networks, *nets);
  networks->callback([nets, &exit_code] {
    auto refs = models::expand_model_references(nets->models);
    if (!refs.ok()) {
      exit_code = report(refs.error());
      return;
    }
    auto store = store::Store::open(nets->db);
    if (!store.ok()) {
      exit_code = report(store.error());
      return;
    }
    nets->request.target = nets->target;
    nets->request.models = *refs;
    std::vector<campaigns::ProfileEvent> events;
    ProgressPrinter printer(nets->quiet || nets->json);
    auto summary = campaigns::profile_networks(*store, nets->request, [&](const campaigns::ProfileEvent& e) {
      events.push_back(e);
      printer(e);
    });
    printer.finish();
    exit_code = print_summary(summary, events, *nets, "network");
  });

  auto kern = std::make_shared<ProfileOptions>();
  auto* kernels = cmd->add_subcommand(
      "kernels",
      "Isolated latency of every distinct kernel of some networks (--from) or of sampled kernels (--sample)");
  auto* from = kernels->add_option("--from", kern->models, "Networks whose distinct kernels are measured");
  auto* sample = kernels->add_option("--sample", kern->sample_family,
                                     "Kernel family to sample (conv2d, depthwise_conv2d, fully_connected, ...)");
  from->excludes(sample);
  auto* around = kernels->add_option("--around", kern->around_models,
                                     "Sample --n kernels near the kernels of these networks (adaptive sampling)");
  around->excludes(from);
  around->excludes(sample);
  kernels->add_option("--n", kern->n, "Sampled kernels")->capture_default_str();
  kernels->add_option("--seed", kern->seed, "Sampler seed")->capture_default_str();
  auto* rules =
      kernels->add_option("--rules", kern->request.rules,
                          "Fusion rules that define the kernels (default: xnnpack, tflite-gpu for GPU targets)");
  kernels->add_flag("--cold-cache", kern->request.cold_cache, "Flush the caches before every timed run");
  add_common_options(kernels, *kern);
  kernels->callback([kern, rules, &exit_code] {
    if (kern->models.empty() && kern->sample_family.empty() && kern->around_models.empty()) {
      exit_code = report(make_error(ErrorCode::kInvalidArgument,
                                    "profile kernels needs --from MODEL..., --sample FAMILY or --around MODEL..."));
      return;
    }
    auto store = store::Store::open(kern->db);
    if (!store.ok()) {
      exit_code = report(store.error());
      return;
    }
    kern->request.target = kern->target;
    // Kernels are what the target's framework runs: GPU targets fuse as the GPU delegate.
    if (rules->count() == 0) kern->request.rules = predictors::default_rules_for(kern->target);
    std::vector<campaigns::ProfileEvent> events;
    ProgressPrinter printer(kern->quiet || kern->json);
    auto on_event = [&](const campaigns::ProfileEvent& e) {
      events.push_back(e);
      printer(e);
    };
    Result<campaigns::ProfileSummary> summary = campaigns::ProfileSummary{};
    if (!kern->sample_family.empty()) {
      auto graphs = models::sample_kernels(kern->sample_family, kern->n, kern->seed);
      if (!graphs.ok()) {
        exit_code = report(graphs.error());
        return;
      }
      summary = campaigns::profile_kernel_graphs(
          *store, kern->request, *graphs,
          fmt::format("sample:{}:n={}:seed={}", kern->sample_family, kern->n, kern->seed), on_event);
    } else if (!kern->around_models.empty()) {
      auto refs = models::expand_model_references(kern->around_models);
      if (!refs.ok()) {
        exit_code = report(refs.error());
        return;
      }
      std::vector<ir::Graph> networks;
      for (const auto& ref : *refs) {
        auto g = models::load_model(ref);
        if (!g.ok()) {
          exit_code = report(g.error());
          return;
        }
        networks.push_back(std::move(*g));
      }
      auto graphs = models::sample_kernels_around(networks, kern->request.rules, kern->n, kern->seed);
      if (!graphs.ok()) {
        exit_code = report(graphs.error());
        return;
      }
      nlohmann::json list = *refs;
      summary = campaigns::profile_kernel_graphs(
          *store, kern->request, *graphs, fmt::format("around:{}:n={}:seed={}", list.dump(), kern->n, kern->seed),
          on_event);
    } else {
      auto refs = models::expand_model_references(kern->models);
      if (!refs.ok()) {
        exit_code = report(refs.error());
        return;
      }
      kern->request.models = *refs;
      summary = campaigns::profile_kernels(*store, kern->request, on_event);
    }
    printer.finish();
    exit_code = print_summary(summary, events, *kern, "kernel");
  });
}

}  // namespace nnlat::cli
