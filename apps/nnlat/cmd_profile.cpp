// `nnlat profile networks|kernels`: measure on a local target, or on a registered device
// through its runner, and store every measurement.
// Killed and started again with the same arguments, a campaign resumes where it stopped.
#include "cli_common.hpp"
#include "nnlat/app/profile.hpp"
#include "options_cli.hpp"
#include "progress.hpp"

namespace nnlat::cli {
namespace {

struct ProfileFlags {
  app::ProfileJob job;
  bool json = false;
  bool quiet = false;
};

void add_common_options(CLI::App* cmd, ProfileFlags& o) {
  cmd->add_option("--target", o.job.target,
                  "Target device:config:precision: local:... on this machine, or NAME:... on a device registered "
                  "with `nnlat devices add` (see `nnlat devices`)")
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

// Runs one profile call with a progress printer on stderr, then prints its result.
template <class Call>
int run_and_print(const ProfileFlags& o, Call&& call) {
  ProgressPrinter printer(o.quiet || o.json);
  Result<app::ProfileResult> result = call([&](const campaigns::ProfileEvent& e) { printer(e); });
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
    exit_code = run_and_print(*nets, [&](const campaigns::ProgressFn& progress) {
      return app::profile_networks(nets->job, *models, progress);
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
  kernels->add_flag("--cold-cache", kern->job.campaign.cold_cache, "Flush the caches before every timed run");
  add_common_options(kernels, *kern);
  kernels->callback([kern, sel, &exit_code] {
    exit_code = run_and_print(
        *kern, [&](const campaigns::ProgressFn& progress) { return app::profile_kernels(kern->job, *sel, progress); });
  });
}

}  // namespace nnlat::cli
