// The transfer sources' latency of each target network: the same graph if a source measured
// it, else the source's one network of the same name. The second rule is what makes transfer
// across frameworks work: one model imported from TFLite's and from PyTorch Mobile's files is
// two graphs of one name (their kernels differ), so a TFLite target never measured the
// PyTorch graph, but it measured the model.
#include <algorithm>
#include <unordered_map>

#include "nnlat/core/csv.hpp"
#include "nnlat/predictors/training_set.hpp"

namespace nnlat::predictors {
Status attach_transfer_source(TrainingSet& data, const store::Store& store, const std::string& source_target) {
  if (source_target == data.target) {
    return make_error(ErrorCode::kInvalidArgument, "transfer source and target are both " + source_target);
  }
  if (std::find(data.source_targets.begin(), data.source_targets.end(), source_target) != data.source_targets.end()) {
    return make_error(ErrorCode::kInvalidArgument, "transfer source " + source_target + " is given twice");
  }
  auto source = store.subject_latencies(source_target, store::MeasurementKind::kNetwork);
  if (!source.ok()) return source.error().with_context("transfer source " + source_target);
  std::unordered_map<std::string, double> by_hash;
  // Name → the source's latency of its networks of that name; several distinct networks of
  // one name make it ambiguous (no rule could say which the target's graph stands for).
  struct Named {
    std::string hash;
    double ms = 0;
    bool ambiguous = false;
  };
  std::unordered_map<std::string, Named> by_name;
  for (const auto& n : *source) {
    by_hash[n.hash] = n.median_ms;
    auto [it, inserted] = by_name.try_emplace(n.name, Named{n.hash, n.median_ms, false});
    if (!inserted && it->second.hash != n.hash) it->second.ambiguous = true;
  }
  TransferMatch match;
  std::vector<double> found(data.networks.size(), 0.0);
  for (size_t i = 0; i < data.networks.size(); ++i) {
    const auto& n = data.networks[i];
    if (auto it = by_hash.find(n.hash); it != by_hash.end()) {
      found[i] = it->second;
      ++match.by_id;
    } else if (auto named = by_name.find(n.name); named != by_name.end() && !named->second.ambiguous) {
      found[i] = named->second.ms;
      ++match.by_name;
    } else {
      ++match.predicted;
      if (named != by_name.end()) ++match.ambiguous;
    }
  }
  if (match.by_id + match.by_name == 0) {
    return make_error(ErrorCode::kInvalidArgument, store.path() + ": target " + data.target +
                                                       " shares no measured network (by identity or by name) with "
                                                       "the transfer source " +
                                                       source_target);
  }
  for (size_t i = 0; i < data.networks.size(); ++i) data.networks[i].kernels.sources_ms.push_back(found[i]);
  data.source_targets.push_back(source_target);
  data.source_matches.push_back(match);
  return Status::Ok();
}

Status attach_transfer_sources(TrainingSet& data, const store::Store& store, const std::string& spec) {
  if (spec != kAllSources) {
    for (const auto& source : split_on(spec, ',')) {
      if (source.empty()) {
        return make_error(ErrorCode::kInvalidArgument,
                          "--from '" + spec + "': an empty source target name (targets are separated by commas)");
      }
      NNLAT_RETURN_IF_ERROR(attach_transfer_source(data, store, source));
    }
    return Status::Ok();
  }
  NNLAT_ASSIGN_OR_RETURN(const auto stats, store.stats());
  for (const auto& t : stats.per_target) {
    if (t.target == data.target || t.networks == 0) continue;
    // Every other target is a candidate: one that shares no network with the target has
    // nothing to say about it and is left out (a source named explicitly would be an error).
    if (auto attached = attach_transfer_source(data, store, t.target); !attached.ok()) {
      if (attached.error().code != ErrorCode::kInvalidArgument) return attached;
    }
  }
  if (data.source_targets.empty()) {
    return make_error(ErrorCode::kInvalidArgument, store.path() +
                                                       ": --from-all: no other target of the store shares "
                                                       "a measured network with " +
                                                       data.target);
  }
  return Status::Ok();
}

}  // namespace nnlat::predictors
