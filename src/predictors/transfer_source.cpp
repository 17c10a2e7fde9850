// The transfer source's latency of each target network: the same graph if the source measured
// it, else the source's one network of the same name. The second rule is what makes transfer
// across frameworks work: one model imported from TFLite's and from PyTorch Mobile's files is
// two graphs of one name (their kernels differ), so a TFLite target never measured the
// PyTorch graph, but it measured the model.
#include <unordered_map>

#include "nnlat/predictors/training_set.hpp"

namespace nnlat::predictors {

Status attach_transfer_source(TrainingSet& data, const store::Store& store, const std::string& source_target) {
  if (source_target == data.target) {
    return make_error(ErrorCode::kInvalidArgument, "transfer source and target are both " + source_target);
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
  for (auto& n : data.networks) {
    n.kernels.source_ms = 0;
    if (auto it = by_hash.find(n.hash); it != by_hash.end()) {
      n.kernels.source_ms = it->second;
      ++match.by_id;
    } else if (auto named = by_name.find(n.name); named != by_name.end() && !named->second.ambiguous) {
      n.kernels.source_ms = named->second.ms;
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
  data.source_target = source_target;
  data.transfer_match = match;
  return Status::Ok();
}

}  // namespace nnlat::predictors
