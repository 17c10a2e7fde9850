#include "nnlat/campaigns/profiler.hpp"

#include <sys/wait.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "nnlat/backends/deploy.hpp"
#include "nnlat/backends/graph_measurement.hpp"
#include "nnlat/backends/registry.hpp"
#include "nnlat/backends/remote_device.hpp"
#include "nnlat/backends/runner_client.hpp"
#include "nnlat/backends/ssh_multiplexing.hpp"
#include "nnlat/formats/json_format.hpp"
#include "nnlat/fusion/fusion.hpp"
#include "nnlat/ir/cost.hpp"
#include "nnlat/measure/environment.hpp"
#include "nnlat/models/model_ref.hpp"
#include "nnlat/models/stored_network.hpp"

namespace nnlat::campaigns {
namespace {

using WallClock = std::chrono::steady_clock;

using backends::CacheFlusher;

struct Session {
  backends::LocalTarget target;
  std::unique_ptr<backends::Backend> backend;
  int64_t target_id = 0;
  measure::Environment environment;
  measure::Clock clock = measure::Clock::steady();
  // A registered device (issue 14): its runner measures, under its own target name; `backend`
  // and `target.config` are then unused.
  std::unique_ptr<backends::RunnerClient> runner;
  std::string runner_target;
  std::string ssh_destination;  // an ssh device's [USER@]HOST[:PORT], to explain ssh's exit status 255
  std::string redeployed;       // the bundle deployed again because the device's runner did not fit
};

// How long a remote runner may take to start (ssh, adb) and to answer one item; how long each
// command of a re-deployment may take (a push of tens of MB over a slow link).
constexpr auto kRunnerStartTimeout = std::chrono::seconds(60);
constexpr auto kRedeployCommandTimeout = std::chrono::minutes(10);
constexpr auto kRunnerItemTimeout = std::chrono::minutes(10);

// DEVICE:CONFIG:PRECISION on the device registered as DEVICE: its runner, started now, must
// offer local:CONFIG:PRECISION.
Result<Session> open_remote_session(store::Store& store, const ProfileRequest& request,
                                    const measure::TargetName& name) {
  NNLAT_ASSIGN_OR_RETURN(auto devices, backends::load_devices(request.devices_file));
  const auto device =
      std::find_if(devices.begin(), devices.end(), [&](const auto& d) { return d.name == name.device; });
  if (device == devices.end()) {
    return make_error(ErrorCode::kNotFound, "target '" + request.target + "': no device '" + name.device + "' in " +
                                                request.devices_file + " (nnlat devices add " + name.device + " ...)");
  }
  Session s;
  s.target.name = name;
  if (device->transport == backends::Transport::kSsh) {
    s.ssh_destination = device->address + (device->port > 0 ? ":" + std::to_string(device->port) : "");
  }
  // The runner goes through the device's one ssh connection of this process (ssh_multiplexing.hpp).
  const auto shared = backends::SshMasters::of_process().share(*device);
  auto runner = backends::RunnerClient::start(backends::runner_command(shared), name.device, kRunnerStartTimeout);
  // No runner there, or one of another protocol version: the bundle last deployed to the device
  // goes there again (pushed only where it differs), once.
  const bool unfit =
      !runner.ok() && (runner.error().code == ErrorCode::kNotFound || runner.error().code == ErrorCode::kUnsupported);
  if (unfit && !device->bundle.empty()) {
    auto deployed = backends::deploy_bundle(shared, device->bundle, kRedeployCommandTimeout);
    if (!deployed.ok()) {
      return backends::with_deploy_advice(
          Error{runner.error().code, runner.error().message + "; deploying " + device->bundle +
                                         " again failed: " + deployed.error().message},
          name.device, request.devices_file);
    }
    s.redeployed = device->bundle;
    runner = backends::RunnerClient::start(backends::runner_command(shared), name.device, kRunnerStartTimeout);
  }
  if (!runner.ok()) return backends::with_deploy_advice(runner.error(), name.device, request.devices_file);
  s.runner = std::move(*runner);
  s.runner_target = "local:" + name.config + ":" + name.precision;
  const auto& offered = s.runner->hello().targets;
  const auto target =
      std::find_if(offered.begin(), offered.end(), [&](const auto& t) { return t.name == s.runner_target; });
  if (target == offered.end()) {
    std::string list;
    for (const auto& t : offered)
      list += (list.empty() ? "" : ", ") + backends::device_target_name(name.device, t.name);
    return make_error(ErrorCode::kNotFound, "target '" + request.target + "': device '" + name.device +
                                                "' does not offer it (it offers " + list + ")");
  }
  s.target.backend = target->backend;
  NNLAT_ASSIGN_OR_RETURN(s.target_id, store.upsert_target(name, target->backend));
  s.environment = s.runner->hello().environment;
  s.environment.backend = target->backend;
  return s;
}

Result<Session> open_session(store::Store& store, const ProfileRequest& request) {
  NNLAT_RETURN_IF_ERROR(measure::validate(request.protocol));
  NNLAT_RETURN_IF_ERROR(measure::validate(request.schedule));
  if (!request.hooks.backend) {
    NNLAT_ASSIGN_OR_RETURN(auto name, measure::parse_target_name(request.target));
    if (name.device != "local") return open_remote_session(store, request, name);
  }
  Session s;
  NNLAT_ASSIGN_OR_RETURN(s.target, backends::resolve_local_target(request.target));
  s.target.config.weight_seed = request.weight_seed;
  s.backend = request.hooks.backend ? request.hooks.backend() : backends::make_backend(s.target);
  if (!s.backend) return make_error(ErrorCode::kInternal, "backend " + s.target.backend + " is not registered");
  if (request.hooks.clock) s.clock = *request.hooks.clock;
  NNLAT_ASSIGN_OR_RETURN(s.target_id, store.upsert_target(s.target.name, s.backend->name()));
  s.environment = measure::capture_environment();
  s.environment.threads = s.target.config.threads;
  s.environment.affinity = s.target.config.affinity;
  s.environment.backend = s.backend->name();
  s.environment.backend_version = s.backend->version();
  return s;
}

// One item of a campaign: a graph to measure and how to store it.
struct Item {
  std::string key;
  std::string label;
  ir::Graph graph;
  std::function<Result<int64_t>(const store::MeasurementRecord&)> store_measurement;
  bool network = false;  // a network item stores its per-kernel breakdown (kernel_timings)
};

// One planned measurement: an item (or a reference network) in a round.
struct Step {
  std::string key;
  size_t item = 0;  // index into the items or, for a reference, into the references
  int round = 0;    // 0-based
  bool reference = false;
  bool end_of_round = false;
};

// Rounds in order; in each, the references, the items in the round's shuffled order, the
// references again. A single pass without references keeps the plain item keys of campaigns
// stored before rounds existed, so their commands still resume them.
std::vector<Step> plan_steps(const std::vector<Item>& items, const std::vector<Item>& references,
                             const measure::ScheduleOptions& schedule) {
  std::vector<Step> steps;
  const bool plain = schedule.rounds == 1 && references.empty();
  for (int r = 0; r < schedule.rounds; ++r) {
    const std::string tag = "@r" + std::to_string(r + 1);
    auto add_references = [&](bool end) {
      for (size_t j = 0; j < references.size(); ++j) {
        steps.push_back({"ref:" + references[j].key + tag + (end ? ":end" : ":start"), j, r, true, end});
      }
    };
    add_references(false);
    for (size_t i : measure::round_order(items.size(), r, schedule.order_seed)) {
      steps.push_back({plain ? items[i].key : items[i].key + tag, i, r, false, false});
    }
    add_references(true);
  }
  return steps;
}

// Measures one prepared graph and stores it as `step`.
struct Measured {
  double median_ms = 0;
  double device_ms = -1;
  std::string state_unstable;  // why the device's state flagged it unstable; empty: it did not
  measure::SteadyWarmup warmup;
};

// What a measurement brings back, here or from a device's runner.
struct Taken {
  measure::Measurement measurement;
  measure::Environment environment;  // the session's, with kernels and device state filled
  measure::SteadyWarmup warmup;      // the steady warm-up run before it; windows 0: none
};

// How an item is measured, here and on a device alike. `warm_up`: the campaign's steady warm-up
// goes first (once per run, with its first item, on accelerators).
backends::MeasureSettings settings_of(const ProfileRequest& request, bool warm_up, CacheFlusher* flusher) {
  backends::MeasureSettings settings;
  settings.protocol = request.protocol;
  settings.steady_warmup_s = warm_up ? request.schedule.steady_warmup_s : 0;
  settings.steady_tolerance = request.schedule.steady_tolerance;
  settings.cold_cache = flusher;
  // What ran, per kernel (implementation, device time), for backends that report it.
  settings.kernel_timing_runs = kKernelTimingRuns;
  return settings;
}

Result<Taken> take_locally(Session& session, const ProfileRequest& request, const Item& item, CacheFlusher* flusher,
                           bool warm_up) try {
  auto prepared = session.backend->prepare(item.graph, session.target.config);
  if (!prepared.ok()) return prepared.error().with_context(item.label);
  auto m = backends::measure_prepared(**prepared, settings_of(request, warm_up, flusher), session.clock);
  if (!m.ok()) return m.error().with_context(item.label);
  Taken t;
  t.environment = session.environment;
  t.environment.state_before = std::move(m->state_before);
  t.environment.state_after = std::move(m->state_after);
  t.environment.kernels = std::move(m->kernels);
  t.measurement = std::move(m->measurement);
  t.warmup = m->warmup;
  return t;
} catch (const std::bad_alloc&) {
  // A network (or a resolution typed with a zero too many) whose tensors do not fit in memory:
  // an error naming it, not "std::bad_alloc" from the top level.
  const auto cost = ir::graph_cost(item.graph).total;
  const double megabytes = (double(cost.input_bytes) + double(cost.weight_bytes) + double(cost.output_bytes)) / 1e6;
  return make_error(ErrorCode::kInvalidArgument,
                    item.label + ": out of memory on " + session.target.name.str() + " (its ops read and write " +
                        std::to_string(std::llround(megabytes)) + " MB of tensors in all)");
}

// On a device: its runner measures with the same protocol, steady warm-up and cold cache, and
// reports its own environment. A request the runner refuses is kUnsupported (the caller skips
// the item); a runner that is gone is kIoError.
Result<Taken> take_remotely(Session& session, const ProfileRequest& request, const Item& item, const std::string& key,
                            bool warm_up) {
  // No flusher here: the request says "flush" and the runner flushes its own caches.
  const auto settings = settings_of(request, warm_up, nullptr);
  backends::MeasureRequest r;
  r.id = key;
  r.target = session.runner_target;
  r.graph = nlohmann::json::parse(formats::graph_to_json(item.graph));
  r.protocol = settings.protocol;
  r.weight_seed = request.weight_seed;
  r.kernel_timing_runs = settings.kernel_timing_runs;
  r.cold_cache = request.cold_cache;
  r.steady_warmup_s = settings.steady_warmup_s;
  r.steady_tolerance = settings.steady_tolerance;
  auto result = session.runner->measure(r, kRunnerItemTimeout);
  if (!result.ok()) {
    Error e = result.error();
    // Through a shared ssh connection ssh's own message of a dropped link ("Connection ... closed
    // by remote host") is printed by the master, in the background: say what 255 means here.
    const int st = session.runner->exit_status();
    if (!session.ssh_destination.empty() && st != -1 && WIFEXITED(st) && WEXITSTATUS(st) == 255) {
      e.message += ": ssh lost (or could not make) its connection to " + session.ssh_destination;
    }
    return e.with_context(item.label);
  }
  return Taken{std::move(result->measurement), std::move(result->environment), result->warmup};
}

Result<Measured> measure_and_store(Session& session, const ProfileRequest& request, int64_t campaign_id,
                                   const Item& item, const std::string& key, CacheFlusher* flusher, bool warm_up) {
  NNLAT_ASSIGN_OR_RETURN(Taken taken, session.runner ? take_remotely(session, request, item, key, warm_up)
                                                     : take_locally(session, request, item, flusher, warm_up));
  // The host judges the device's state for local and remote measurements alike, on the CPUs
  // the run was pinned to (the runner reports them).
  const auto& env = taken.environment;
  const auto state_unstable =
      measure::state_change_beyond(env.state_before, env.state_after, request.protocol.max_freq_drop,
                                   request.protocol.max_temp_rise_c, env.affinity);
  if (state_unstable) taken.measurement.unstable = true;
  store::MeasurementRecord record;
  record.environment = std::move(taken.environment);
  const auto& kernels = record.environment.kernels;
  double device_ms = kernels.empty() ? -1.0 : 0.0;
  for (const auto& k : kernels) device_ms = k.device_ms < 0 || device_ms < 0 ? -1.0 : device_ms + k.device_ms;
  record.target_id = session.target_id;
  record.campaign_id = campaign_id;
  record.item_key = key;
  record.protocol = request.protocol;
  record.measurement = std::move(taken.measurement);
  // A network's per-kernel device times are its breakdown (store schema v2), which
  // predictors train on as in-network kernel rows; only when every kernel has a time.
  if (item.network && device_ms >= 0) {
    for (size_t i = 0; i < kernels.size(); ++i) {
      const auto& k = kernels[i];
      record.kernel_timings.push_back({static_cast<int>(i), k.name, k.implementation, k.device_ms});
    }
  }
  // Only the time and the device state change between measurements; the rest was captured
  // once per campaign.
  record.environment.time_utc = measure::iso8601_utc(
      std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count());
  NNLAT_RETURN_IF_ERROR(item.store_measurement(record));
  return Measured{record.measurement.median_ms, device_ms, state_unstable.value_or(""), taken.warmup};
}

// Drift seen in this run: round factors over the items measured in two rounds or more, and
// the references' last end-of-round figure over their first start-of-round figure.
DriftReport drift_of_run(const std::vector<std::vector<double>>& per_round,
                         const std::map<size_t, std::pair<double, double>>& reference_first_last) {
  DriftReport d;
  size_t measured_rounds = 0;
  for (const auto& r : per_round) {
    if (std::any_of(r.begin(), r.end(), [](double v) { return std::isfinite(v); })) ++measured_rounds;
  }
  if (measured_rounds >= 2) d.round_factors = measure::round_drift_factors(per_round);
  double log_sum = 0;
  for (const auto& [ref, fl] : reference_first_last) {
    if (fl.first > 0 && fl.second > 0) {
      log_sum += std::log(fl.second / fl.first);
      ++d.reference_pairs;
    }
  }
  if (d.reference_pairs > 0) d.reference_ratio = std::exp(log_sum / d.reference_pairs);
  return d;
}

Result<ProfileSummary> run_campaign(store::Store& store, Session& session, const ProfileRequest& request,
                                    const std::string& kind, const nlohmann::json& arguments, std::vector<Item> items,
                                    std::vector<Item> references, const ProgressFn& progress) {
  const auto start = WallClock::now();
  const std::vector<Step> steps = plan_steps(items, references, request.schedule);
  std::vector<std::string> keys;
  for (const auto& step : steps) keys.push_back(step.key);
  NNLAT_ASSIGN_OR_RETURN(auto campaign, store.open_campaign(store::campaign_key(kind, arguments), kind,
                                                            session.target_id, arguments, keys));
  NNLAT_ASSIGN_OR_RETURN(auto completed, store.completed_items(campaign.id));
  std::set<std::string> done(completed.begin(), completed.end());

  ProfileSummary summary;
  summary.campaign_id = campaign.id;
  summary.resumed = campaign.resumed;
  summary.items = items.size();
  summary.rounds = request.schedule.rounds;
  summary.planned = steps.size();
  summary.already_done = completed.size();
  summary.redeployed = session.redeployed;
  // A device's runner flushes its own caches.
  std::unique_ptr<CacheFlusher> flusher;
  if (request.cold_cache && !session.runner) flusher = std::make_unique<CacheFlusher>();

  // Unsupported items are skipped in every round (and the campaign stays unfinished). Here
  // the backend says so up front; a device's runner says so when asked to measure the item.
  std::vector<bool> unsupported(items.size(), false);
  size_t finished = completed.size();
  auto skip = [&](size_t i, const std::string& why) {
    unsupported[i] = true;
    ++summary.skipped;
    summary.skipped_reasons.push_back(items[i].label + ": " + why);
    ProfileEvent event;
    event.done = finished;
    event.total = steps.size();
    event.item = items[i].label;
    event.skipped = true;
    event.message = why;
    if (progress) progress(event);
  };
  const auto reference_refused = [&](const Item& r, const Error& e) {
    return e.with_context("reference network " + r.label + " (choose others with --references, or none)");
  };
  if (!session.runner) {
    for (size_t i = 0; i < items.size(); ++i) {
      if (auto st = session.backend->supports(items[i].graph, session.target.config); !st.ok()) {
        skip(i, st.error().message);
      }
    }
    for (const auto& r : references) {
      if (auto st = session.backend->supports(r.graph, session.target.config); !st.ok()) {
        return reference_refused(r, st.error());
      }
    }
  }

  std::vector<std::vector<double>> per_round(static_cast<size_t>(request.schedule.rounds),
                                             std::vector<double>(items.size(), std::nan("")));
  std::map<size_t, std::pair<double, double>> reference_first_last;
  // An accelerator (a GPU's clock ramps up from idle over seconds) is warmed until steady with
  // the first item measured in this run, here or by a device's runner alike.
  bool warmed = request.schedule.steady_warmup_s <= 0 || session.target.backend != "opencl";
  int previous_round = -1;
  for (const Step& step : steps) {
    if (done.contains(step.key)) continue;
    if (!step.reference && unsupported[step.item]) continue;
    const Item& item = step.reference ? references[step.item] : items[step.item];
    if (previous_round >= 0 && step.round != previous_round && request.schedule.round_cooldown_s > 0) {
      session.clock.sleep(std::chrono::duration_cast<std::chrono::nanoseconds>(
          std::chrono::duration<double>(request.schedule.round_cooldown_s)));
    }
    previous_round = step.round;
    auto measured = measure_and_store(session, request, campaign.id, item, step.key, flusher.get(), !warmed);
    if (!measured.ok() && session.runner && measured.error().code == ErrorCode::kUnsupported) {
      if (step.reference) return reference_refused(item, measured.error());
      skip(step.item, measured.error().message);
      continue;
    }
    if (!measured.ok()) return measured.error();
    const Measured m = *measured;
    if (!warmed) {
      summary.steady_warmup_windows = m.warmup.windows;
      summary.steady = m.warmup.steady;
      warmed = true;
    }
    done.insert(step.key);
    ++summary.measured;
    ++finished;
    if (step.reference) {
      auto [it, first] = reference_first_last.try_emplace(step.item, m.median_ms, m.median_ms);
      if (!first) it->second.second = m.median_ms;
    } else {
      per_round[static_cast<size_t>(step.round)][step.item] = m.median_ms;
    }
    ProfileEvent event;
    event.done = finished;
    event.total = steps.size();
    event.item = item.label;
    event.round = step.round + 1;
    event.reference = step.reference;
    event.median_ms = m.median_ms;
    event.device_ms = m.device_ms;
    event.message = m.state_unstable;
    if (!m.state_unstable.empty()) summary.state_unstable.push_back(item.label + ": " + m.state_unstable);
    if (progress) progress(event);
  }
  summary.drift = drift_of_run(per_round, reference_first_last);
  if (summary.skipped == 0) NNLAT_RETURN_IF_ERROR(store.finish_campaign(campaign.id));
  summary.elapsed_s = std::chrono::duration<double>(WallClock::now() - start).count();
  return summary;
}

nlohmann::json base_arguments(const ProfileRequest& request) {
  nlohmann::json args = {{"target", request.target},
                         {"protocol", protocol_to_json(request.protocol)},
                         {"weight_seed", request.weight_seed}};
  // The device-state bounds judge a measurement, they do not change how it is taken: not part
  // of the resume key (and so the keys of campaigns from before them hold).
  args["protocol"].erase("max_freq_drop");
  args["protocol"].erase("max_temp_rise_c");
  if (!request.repeat_tag.empty()) args["repeat"] = request.repeat_tag;  // absent: keys of older campaigns hold
  // Absent for a single pass without references: the keys of campaigns from before rounds.
  if (request.schedule.rounds != 1 || !request.references.empty()) {
    args["schedule"] = measure::schedule_to_json(request.schedule);
    args["references"] = request.references;
  }
  return args;
}

Result<std::vector<ir::Graph>> load_all(const std::vector<std::string>& refs) {
  std::vector<ir::Graph> graphs;
  for (const auto& ref : refs) {
    NNLAT_ASSIGN_OR_RETURN(ir::Graph g, models::load_model(ref));
    if (g.metadata.find("source") == g.metadata.end()) g.metadata["source"] = ref;
    graphs.push_back(std::move(g));
  }
  return graphs;
}

// How the store keeps the network a reference loads: a NAS encoding as its space and encoding
// (load_model builds those with default options), anything else as its graph.
Result<store::NetworkInfo> stored_as(const std::string& reference) {
  store::NetworkInfo info;
  NNLAT_ASSIGN_OR_RETURN(auto nas, models::space_reference(reference));
  if (nas) info.space = nas->space;
  return info;
}

// The reference networks as network items of the campaign (stored like any network).
Result<std::vector<Item>> reference_items(store::Store& store, const ProfileRequest& request) {
  std::vector<Item> items;
  NNLAT_ASSIGN_OR_RETURN(auto graphs, load_all(request.references));
  for (size_t i = 0; i < graphs.size(); ++i) {
    ir::Graph& g = graphs[i];
    if (g.metadata.find("family") == g.metadata.end()) g.metadata["family"] = "reference";
    NNLAT_ASSIGN_OR_RETURN(auto info, stored_as(request.references[i]));
    NNLAT_ASSIGN_OR_RETURN(int64_t network_id, store.upsert_network(g, info));
    const std::string label = g.name + " (reference)";
    items.push_back({"network:" + std::to_string(network_id), label, std::move(g),
                     [&store, network_id](const store::MeasurementRecord& r) {
                       return store.add_network_measurement(network_id, r);
                     },
                     true});
  }
  return items;
}

}  // namespace

std::vector<std::string> default_reference_networks() {
  return {"zoo:mobilenet_v2?width=0.5&res=96", "zoo:resnet18?width=0.25&res=64"};
}

std::string kernel_features_json(const ir::Graph& kernel_graph) {
  nlohmann::ordered_json j;
  const auto cost = ir::graph_cost(kernel_graph);
  const ir::Node& anchor = kernel_graph.nodes().front();
  j["type"] = ir::op_name(anchor.op);
  nlohmann::ordered_json ops = nlohmann::ordered_json::array();
  for (const auto& n : kernel_graph.nodes()) ops.push_back(ir::op_name(n.op));
  j["ops"] = ops;
  nlohmann::ordered_json inputs = nlohmann::ordered_json::array();
  for (auto v : kernel_graph.inputs()) inputs.push_back(kernel_graph.value(v).shape);
  j["input_shapes"] = inputs;
  j["output_shape"] = kernel_graph.value(kernel_graph.outputs().front()).shape;
  nlohmann::ordered_json attrs = nlohmann::ordered_json::object();
  for (const auto& [k, v] : anchor.attrs) {
    auto& slot = attrs[k];  // not captured as a binding: clang 14 (the fuzz build) cannot
    std::visit([&](const auto& x) { slot = x; }, v);
  }
  j["attrs"] = attrs;
  j["macs"] = cost.total.macs;
  j["params"] = cost.total.params;
  j["input_bytes"] = cost.total.input_bytes;
  j["weight_bytes"] = cost.total.weight_bytes;
  j["output_bytes"] = cost.total.output_bytes;
  return j.dump();
}

Result<ProfileSummary> profile_networks(store::Store& store, const ProfileRequest& request,
                                        const ProgressFn& progress) {
  NNLAT_ASSIGN_OR_RETURN(Session session, open_session(store, request));
  NNLAT_ASSIGN_OR_RETURN(auto graphs, load_all(request.models));
  std::vector<Item> items;
  std::map<std::string, bool> seen;
  for (size_t i = 0; i < graphs.size(); ++i) {
    ir::Graph& g = graphs[i];
    NNLAT_ASSIGN_OR_RETURN(auto info, stored_as(request.models[i]));
    NNLAT_ASSIGN_OR_RETURN(int64_t network_id, store.upsert_network(g, info));
    const std::string key = "network:" + std::to_string(network_id);
    if (seen[key]) continue;  // the same network given twice is measured once
    seen[key] = true;
    const std::string label = g.name;
    items.push_back({key, label, std::move(g),
                     [&store, network_id](const store::MeasurementRecord& r) {
                       return store.add_network_measurement(network_id, r);
                     },
                     true});
  }
  NNLAT_ASSIGN_OR_RETURN(auto references, reference_items(store, request));
  nlohmann::json args = base_arguments(request);
  args["models"] = request.models;
  return run_campaign(store, session, request, "profile-networks", args, std::move(items), std::move(references),
                      progress);
}

Result<ProfileSummary> profile_kernel_graphs(store::Store& store, const ProfileRequest& request,
                                             const std::vector<ir::Graph>& kernels, const std::string& label,
                                             const ProgressFn& progress) {
  NNLAT_ASSIGN_OR_RETURN(Session session, open_session(store, request));
  std::vector<Item> items;
  std::map<std::string, bool> seen;
  for (const auto& kg : kernels) {
    const std::string hash = fusion::kernel_hash(kg);
    if (seen[hash]) continue;
    seen[hash] = true;
    NNLAT_ASSIGN_OR_RETURN(int64_t kernel_id,
                           store.upsert_kernel(hash, std::string(ir::op_name(kg.nodes().front().op)),
                                               kernel_features_json(kg), formats::graph_to_json(kg)));
    const std::string item_label =
        kg.name + " " + ir::shape_to_string(kg.value(kg.outputs().front()).shape) + " [" + hash.substr(0, 8) + "]";
    items.push_back(
        {"kernel:" + hash, item_label, kg,
         [&store, kernel_id](const store::MeasurementRecord& r) { return store.add_kernel_measurement(kernel_id, r); },
         false});
  }
  nlohmann::json args = base_arguments(request);
  args["source"] = label;
  args["rules"] = request.rules;
  args["cold_cache"] = request.cold_cache;
  NNLAT_ASSIGN_OR_RETURN(auto references, reference_items(store, request));
  return run_campaign(store, session, request, "profile-kernels", args, std::move(items), std::move(references),
                      progress);
}

Result<ProfileSummary> profile_kernels(store::Store& store, const ProfileRequest& request, const ProgressFn& progress) {
  NNLAT_ASSIGN_OR_RETURN(auto rules, fusion::load_rule_set(request.rules));
  NNLAT_ASSIGN_OR_RETURN(auto graphs, load_all(request.models));
  std::vector<ir::Graph> kernels;
  for (const auto& g : graphs) {
    NNLAT_ASSIGN_OR_RETURN(auto ks, fusion::detect_kernels(g, rules));
    for (const auto& k : ks) {
      auto kg = fusion::kernel_graph(g, k);
      if (!kg.ok()) return kg.error().with_context(g.name);
      kernels.push_back(std::move(*kg));
    }
  }
  nlohmann::json models = request.models;
  return profile_kernel_graphs(store, request, kernels, "from:" + models.dump(), progress);
}

}  // namespace nnlat::campaigns
