#include "nnlat/campaigns/profiler.hpp"

#include <chrono>
#include <map>
#include <nlohmann/json.hpp>

#include "nnlat/backends/registry.hpp"
#include "nnlat/formats/json_format.hpp"
#include "nnlat/fusion/fusion.hpp"
#include "nnlat/ir/cost.hpp"
#include "nnlat/measure/environment.hpp"
#include "nnlat/models/model_ref.hpp"

namespace nnlat::campaigns {
namespace {

using WallClock = std::chrono::steady_clock;

// Writes a buffer larger than any last-level cache so the next run starts cold.
class CacheFlusher {
 public:
  CacheFlusher() : buffer_(64u << 20, 1) {}
  void flush() {
    for (size_t i = 0; i < buffer_.size(); i += 64) buffer_[i] = static_cast<char>(buffer_[i] + 1);
  }

 private:
  std::vector<char> buffer_;
};

struct Session {
  backends::LocalTarget target;
  std::unique_ptr<backends::Backend> backend;
  int64_t target_id = 0;
  measure::Environment environment;
};

Result<Session> open_session(store::Store& store, const ProfileRequest& request) {
  Session s;
  NNLAT_ASSIGN_OR_RETURN(s.target, backends::resolve_local_target(request.target));
  s.target.config.weight_seed = request.weight_seed;
  s.backend = backends::make_backend(s.target);
  if (!s.backend) return make_error(ErrorCode::kInternal, "backend " + s.target.backend + " is not registered");
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

Result<ProfileSummary> run_campaign(store::Store& store, Session& session, const ProfileRequest& request,
                                    const std::string& kind, const nlohmann::json& arguments, std::vector<Item> items,
                                    const ProgressFn& progress) {
  const auto start = WallClock::now();
  std::vector<std::string> keys;
  for (const auto& item : items) keys.push_back(item.key);
  NNLAT_ASSIGN_OR_RETURN(auto campaign, store.open_campaign(store::campaign_key(kind, arguments), kind,
                                                            session.target_id, arguments, keys));
  NNLAT_ASSIGN_OR_RETURN(auto completed, store.completed_items(campaign.id));
  std::map<std::string, bool> done;
  for (const auto& k : completed) done[k] = true;

  ProfileSummary summary;
  summary.campaign_id = campaign.id;
  summary.resumed = campaign.resumed;
  summary.planned = items.size();
  summary.already_done = completed.size();
  CacheFlusher* flusher = nullptr;
  std::unique_ptr<CacheFlusher> owned_flusher;
  if (request.cold_cache) {
    owned_flusher = std::make_unique<CacheFlusher>();
    flusher = owned_flusher.get();
  }
  size_t finished = completed.size();
  for (auto& item : items) {
    if (done.contains(item.key)) continue;
    ProfileEvent event{finished, items.size(), item.label, 0, false, ""};
    if (auto st = session.backend->supports(item.graph, session.target.config); !st.ok()) {
      ++summary.skipped;
      summary.skipped_reasons.push_back(item.label + ": " + st.error().message);
      event.skipped = true;
      event.message = st.error().message;
      if (progress) progress(event);
      continue;
    }
    auto prepared = session.backend->prepare(item.graph, session.target.config);
    if (!prepared.ok()) return prepared.error().with_context(item.label);
    std::function<void()> before;
    if (flusher) before = [flusher] { flusher->flush(); };
    auto m = measure::measure([&] { return (*prepared)->run(); }, request.protocol, measure::Clock::steady(), before);
    if (!m.ok()) return m.error().with_context(item.label);
    // What ran, per kernel (implementation, device time), for backends that report it.
    auto kernels = (*prepared)->kernel_runs(kKernelTimingRuns);
    if (!kernels.ok()) return kernels.error().with_context(item.label);
    double device_ms = kernels->empty() ? -1.0 : 0.0;
    for (const auto& k : *kernels) device_ms = k.device_ms < 0 || device_ms < 0 ? -1.0 : device_ms + k.device_ms;
    store::MeasurementRecord record;
    record.target_id = session.target_id;
    record.campaign_id = campaign.id;
    record.item_key = item.key;
    record.protocol = request.protocol;
    record.measurement = *m;
    record.environment = session.environment;
    // A network's per-kernel device times are its breakdown (store schema v2), which
    // predictors train on as in-network kernel rows; only when every kernel has a time.
    if (item.network && device_ms >= 0) {
      for (size_t i = 0; i < kernels->size(); ++i) {
        const auto& k = (*kernels)[i];
        record.kernel_timings.push_back({static_cast<int>(i), k.name, k.implementation, k.device_ms});
      }
    }
    record.environment.kernels = std::move(*kernels);
    // Only the time changes between measurements; the rest was captured once per campaign.
    record.environment.time_utc = measure::iso8601_utc(
        std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count());
    NNLAT_RETURN_IF_ERROR(item.store_measurement(record));
    done[item.key] = true;
    ++summary.measured;
    ++finished;
    event.done = finished;
    event.median_ms = m->median_ms;
    event.device_ms = device_ms;
    if (progress) progress(event);
  }
  if (summary.skipped == 0) NNLAT_RETURN_IF_ERROR(store.finish_campaign(campaign.id));
  summary.elapsed_s = std::chrono::duration<double>(WallClock::now() - start).count();
  return summary;
}

nlohmann::json base_arguments(const ProfileRequest& request) {
  nlohmann::json args = {{"target", request.target},
                         {"protocol", protocol_to_json(request.protocol)},
                         {"weight_seed", request.weight_seed}};
  if (!request.repeat_tag.empty()) args["repeat"] = request.repeat_tag;  // absent: keys of older campaigns hold
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

}  // namespace

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
    std::visit([&](const auto& x) { attrs[k] = x; }, v);
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
  for (auto& g : graphs) {
    NNLAT_ASSIGN_OR_RETURN(int64_t network_id, store.upsert_network(g));
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
  nlohmann::json args = base_arguments(request);
  args["models"] = request.models;
  return run_campaign(store, session, request, "profile-networks", args, std::move(items), progress);
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
  return run_campaign(store, session, request, "profile-kernels", args, std::move(items), progress);
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
