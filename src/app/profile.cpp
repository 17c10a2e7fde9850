#include "nnlat/app/profile.hpp"

#include <fmt/core.h>

#include <algorithm>

#include "nnlat/models/kernel_sampler.hpp"
#include "nnlat/models/model_ref.hpp"
#include "nnlat/predictors/training_set.hpp"
#include "nnlat/store/store.hpp"

namespace nnlat::app {
namespace {

// Keeps every event and forwards it to the caller's progress.
campaigns::ProgressFn recorder(ProfileResult& result, const campaigns::ProgressFn& progress) {
  return [&result, progress](const campaigns::ProfileEvent& e) {
    result.events.push_back(e);
    if (progress) progress(e);
  };
}

Result<std::vector<ir::Graph>> load_models(const std::vector<std::string>& refs) {
  std::vector<ir::Graph> graphs;
  for (const auto& ref : refs) {
    NNLAT_ASSIGN_OR_RETURN(auto g, models::load_model(ref));
    graphs.push_back(std::move(g));
  }
  return graphs;
}

// The job's campaign request for its target; `--references none` means no references.
campaigns::ProfileRequest request_of(const ProfileJob& job) {
  campaigns::ProfileRequest request = job.campaign;
  request.target = job.target;
  if (request.references.size() == 1 && request.references.front() == "none") request.references.clear();
  return request;
}

}  // namespace

Result<ProfileResult> profile_networks(const ProfileJob& job, const std::vector<std::string>& models,
                                       const campaigns::ProgressFn& progress) {
  NNLAT_ASSIGN_OR_RETURN(auto refs, models::expand_model_references(models));
  NNLAT_ASSIGN_OR_RETURN(auto store, store::Store::open(job.db));
  campaigns::ProfileRequest request = request_of(job);
  request.models = std::move(refs);
  ProfileResult result{.what = "network", .target = job.target, .db = job.db};
  NNLAT_ASSIGN_OR_RETURN(result.summary, campaigns::profile_networks(store, request, recorder(result, progress)));
  return result;
}

Result<ProfileResult> profile_kernels(const ProfileJob& job, const KernelSelection& selection,
                                      const campaigns::ProgressFn& progress) {
  if (selection.from.empty() && selection.sample_family.empty() && selection.around.empty()) {
    return make_error(ErrorCode::kInvalidArgument,
                      "profile kernels needs --from MODEL..., --sample FAMILY or --around MODEL...");
  }
  NNLAT_ASSIGN_OR_RETURN(auto store, store::Store::open(job.db));
  campaigns::ProfileRequest request = request_of(job);
  // Kernels are what the target's framework runs: GPU targets fuse as the GPU delegate.
  request.rules = selection.rules.empty() ? predictors::default_rules_for(job.target) : selection.rules;
  ProfileResult result{.what = "kernel", .target = job.target, .db = job.db};
  const auto on_event = recorder(result, progress);
  // The campaign keys below name the sampled set; they are part of the resume key.
  if (!selection.sample_family.empty()) {
    NNLAT_ASSIGN_OR_RETURN(auto graphs, models::sample_kernels(selection.sample_family, selection.n, selection.seed));
    NNLAT_ASSIGN_OR_RETURN(
        result.summary,
        campaigns::profile_kernel_graphs(
            store, request, graphs,
            fmt::format("sample:{}:n={}:seed={}", selection.sample_family, selection.n, selection.seed), on_event));
  } else if (!selection.around.empty()) {
    NNLAT_ASSIGN_OR_RETURN(auto refs, models::expand_model_references(selection.around));
    NNLAT_ASSIGN_OR_RETURN(auto networks, load_models(refs));
    NNLAT_ASSIGN_OR_RETURN(auto graphs,
                           models::sample_kernels_around(networks, request.rules, selection.n, selection.seed));
    const nlohmann::json list = refs;
    NNLAT_ASSIGN_OR_RETURN(
        result.summary, campaigns::profile_kernel_graphs(
                            store, request, graphs,
                            fmt::format("around:{}:n={}:seed={}", list.dump(), selection.n, selection.seed), on_event));
  } else {
    NNLAT_ASSIGN_OR_RETURN(request.models, models::expand_model_references(selection.from));
    NNLAT_ASSIGN_OR_RETURN(result.summary, campaigns::profile_kernels(store, request, on_event));
  }
  return result;
}

nlohmann::ordered_json ProfileResult::to_json() const {
  nlohmann::ordered_json items = nlohmann::ordered_json::array();
  for (const auto& e : events) {
    nlohmann::ordered_json item{{"item", e.item}, {"skipped", e.skipped}};
    if (!e.skipped) {
      item["round"] = e.round;
      item["reference"] = e.reference;
    }
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
  const auto& s = summary;
  nlohmann::ordered_json drift{{"round_factors", s.drift.round_factors}};
  if (s.drift.reference_pairs > 0) {
    drift["reference_ratio"] = s.drift.reference_ratio;
    drift["reference_networks"] = s.drift.reference_pairs;
  }
  return {{"target", target},
          {"db", db},
          {"campaign_id", s.campaign_id},
          {"resumed", s.resumed},
          {"rounds", s.rounds},
          {"distinct_items", s.items},
          {"planned", s.planned},
          {"already_done", s.already_done},
          {"measured", s.measured},
          {"skipped", s.skipped},
          {"state_unstable", s.state_unstable},
          {"redeployed", s.redeployed},
          {"steady_warmup_windows", s.steady_warmup_windows},
          {"steady", s.steady},
          {"drift", drift},
          {"elapsed_s", s.elapsed_s},
          {"items", items}};
}

std::string ProfileResult::to_text() const {
  const bool device = std::any_of(events.begin(), events.end(), [](const auto& e) { return e.device_ms >= 0; });
  std::string out =
      fmt::format("{:<60} {:>5} {:>12}{}\n", what, "round", "median ms", device ? "    device ms  gap ms" : "");
  for (const auto& e : events) {
    if (e.skipped) continue;
    out += fmt::format("{:<60} {:>5} {:>12.4f}", e.item.substr(0, 60), e.round, e.median_ms);
    if (e.device_ms >= 0) out += fmt::format(" {:>12.4f} {:>7.4f}", e.device_ms, e.median_ms - e.device_ms);
    out += "\n";
  }
  const auto& s = summary;
  out += fmt::format(
      "{} {}s x {} rounds: {} measurements planned, {} measured now, {} measured earlier{}, {} skipped "
      "(unsupported), {:.1f} s -> {}\n",
      s.items, what, s.rounds, s.planned, s.measured, s.already_done, s.resumed ? " (resumed)" : "", s.skipped,
      s.elapsed_s, db);
  if (s.steady_warmup_windows > 0) {
    out += fmt::format("steady warm-up: {} windows{}\n", s.steady_warmup_windows,
                       s.steady ? "" : " (not steady within the bound)");
  }
  if (!s.drift.round_factors.empty()) {
    out += "drift per round (figure / median over rounds):";
    for (double f : s.drift.round_factors) out += fmt::format(" {:+.1f}%", 100 * (f - 1));
    out += "\n";
  }
  if (s.drift.reference_pairs > 0) {
    out += fmt::format("reference networks, last end-of-round / first start-of-round: {:+.1f}% ({} networks)\n",
                       100 * (s.drift.reference_ratio - 1), s.drift.reference_pairs);
  }
  for (const auto& r : s.skipped_reasons) out += fmt::format("  skipped {}\n", r);
  for (const auto& r : s.state_unstable) out += fmt::format("  unstable {}\n", r);
  if (!s.redeployed.empty()) {
    out += fmt::format("the device's runner was missing or of another protocol version: deployed {} again\n",
                       s.redeployed);
  }
  return out;
}

}  // namespace nnlat::app
