// `nnlat profile networks|kernels`: measure on a local target, or on a registered device
// through its runner, and store every measurement.
// Killed and started again with the same arguments, a campaign resumes where it stopped.
#include <fmt/core.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <algorithm>
#include <iostream>

#include "cli_common.hpp"
#include "nnlat/app/profile.hpp"
#include "nnlat/app/profile_targets.hpp"
#include "nnlat/app/progress_board.hpp"
#include "options_cli.hpp"
#include "progress.hpp"

namespace nnlat::cli {
namespace {

struct ProfileFlags {
  app::ProfileJob job;
  std::vector<std::string> targets = {app::ProfileJob{}.target};
  bool json = false;
  bool quiet = false;
};

void add_common_options(CLI::App* cmd, ProfileFlags& o) {
  cmd->add_option("--target", o.targets,
                  "Target device:config:precision: local:... on this machine, or NAME:... on a device registered "
                  "with `nnlat devices add` (see `nnlat devices`). Repeat it for several targets: one worker per "
                  "device, the devices measured at once, one progress line per device")
      ->capture_default_str();
  cmd->add_option("--devices", o.job.campaign.devices_file, "The devices file, for remote targets")
      ->capture_default_str();
  cmd->add_option("--db", o.job.db, "SQLite measurement store (created if missing)")->capture_default_str();
  add_protocol_flags(*cmd, o.job.campaign.protocol);
  add_schedule_flags(*cmd, o.job.campaign.schedule);
  cmd->add_option("--references", o.job.campaign.references,
                  "Networks re-measured at the start and end of every round (device drift); `none`: no references")
      ->capture_default_str();
  cmd->add_option("--weight-seed", o.job.campaign.weight_seed, "Seed of the random weights")->capture_default_str();
  cmd->add_option("--repeat", o.job.campaign.repeat_tag,
                  "Measure again as a separate campaign with this tag (e.g. 2): the noise floor `eval` reports");
  cmd->add_flag("--json", o.json, "Print a JSON summary on stdout");
  cmd->add_flag("--quiet", o.quiet, "No progress output");
}

// The terminal's width in columns, 0 when stderr is not a terminal or does not say.
size_t stderr_columns() {
  winsize size{};
  return ::ioctl(STDERR_FILENO, TIOCGWINSZ, &size) == 0 ? size.ws_col : 0;
}

// Several targets: one worker per device (app/profile_targets.hpp), progress on a board of one
// line per target (app/progress_board.hpp: redrawn in place on a terminal, plain lines prefixed
// with the target otherwise), then every target's result in the order given; a failed target
// is reported and makes the exit non-zero.
int run_targets_and_print(const ProfileFlags& o, const app::ProfileCall& call) {
  const bool show = !o.quiet && !o.json;
  app::ProgressBoard board(std::cerr, ::isatty(STDERR_FILENO) == 1, o.targets, stderr_columns());
  const auto outcomes = app::profile_targets(
      o.job, o.targets, call,
      [&](const std::string& target, const campaigns::ProfileEvent& e) {
        if (show) board.update(target, e);
      },
      [&](const std::string& target, const Result<app::ProfileResult>& result) {
        if (show) board.finish(target, app::outcome_text(result));
      });
  int exit_code = kExitOk;
  nlohmann::ordered_json all = nlohmann::ordered_json::array();
  for (const auto& outcome : outcomes) {
    const auto& result = *outcome.result;
    if (!result.ok()) {
      exit_code = report(result.error());
      if (o.json) all.push_back({{"target", outcome.target}, {"error", result.error().message}});
      continue;
    }
    if (o.json) {
      all.push_back(result->to_json());
    } else {
      const std::string text = outcome.target + ":\n" + result->to_text();
      std::fwrite(text.data(), 1, text.size(), stdout);
    }
  }
  if (o.json) std::fputs((all.dump(2) + "\n").c_str(), stdout);
  return exit_code;
}

// Runs the profile call on the target(s) with progress on stderr, then prints the result(s).
int run_and_print(ProfileFlags& o, const app::ProfileCall& call) {
  std::vector<std::string> unique;
  for (const auto& t : o.targets) {
    if (std::find(unique.begin(), unique.end(), t) == unique.end()) unique.push_back(t);
  }
  o.targets = unique;
  if (o.targets.size() > 1) return run_targets_and_print(o, call);
  o.job.target = o.targets.front();
  ProgressPrinter printer(o.quiet || o.json);
  Result<app::ProfileResult> result = call(o.job, [&](const campaigns::ProfileEvent& e) { printer(e); });
  printer.finish();
  return print_result(result, o.json);
}

}  // namespace

void add_profile_command(CLI::App& app, int& exit_code) {
  auto* cmd = app.add_subcommand("profile", "Measure networks or kernels on a local target into a store");
  cmd->require_subcommand(1);

  auto nets = std::make_shared<ProfileFlags>();
  auto models = std::make_shared<std::vector<std::string>>();
  auto* networks = cmd->add_subcommand("networks", "End-to-end latency of each network (zoo, directories, files)");
  networks->add_option("models", *models, "Model references or directories")->required();
  add_common_options(networks, *nets);
  networks->callback([nets, models, &exit_code] {
    exit_code = run_and_print(*nets, [&](const app::ProfileJob& job, const campaigns::ProgressFn& progress) {
      return app::profile_networks(job, *models, progress);
    });
  });

  auto kern = std::make_shared<ProfileFlags>();
  auto sel = std::make_shared<app::KernelSelection>();
  auto* kernels = cmd->add_subcommand(
      "kernels",
      "Isolated latency of every distinct kernel of some networks (--from) or of sampled kernels (--sample)");
  auto* from = kernels->add_option("--from", sel->from, "Networks whose distinct kernels are measured");
  auto* sample = kernels->add_option("--sample", sel->sample_family,
                                     "Kernel family to sample (conv2d, depthwise_conv2d, fully_connected, ...)");
  from->excludes(sample);
  auto* around = kernels->add_option("--around", sel->around,
                                     "Sample --n kernels near the kernels of these networks (adaptive sampling)");
  around->excludes(from);
  around->excludes(sample);
  kernels->add_option("--n", sel->n, "Sampled kernels")->capture_default_str();
  kernels->add_option("--seed", sel->seed, "Sampler seed")->capture_default_str();
  kernels->add_option("--rules", sel->rules,
                      "Fusion rules that define the kernels (default: xnnpack, tflite-gpu for GPU targets)");
  kernels->add_flag("--cold-cache", kern->job.campaign.cold_cache,
                    "Flush the caches before every timed run (on a registered device its runner flushes)");
  add_common_options(kernels, *kern);
  kernels->callback([kern, sel, &exit_code] {
    exit_code = run_and_print(*kern, [&](const app::ProfileJob& job, const campaigns::ProgressFn& progress) {
      return app::profile_kernels(job, *sel, progress);
    });
  });
}

}  // namespace nnlat::cli
