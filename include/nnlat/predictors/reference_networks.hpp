// The hardware embedding's reference networks (docs/transfer.md): a small fixed set of
// networks whose latencies tell the most about which sources a new target resembles, chosen
// from the sources' data alone (the target's latencies play no part).
#pragma once

#include <cstddef>
#include <vector>

#include "nnlat/core/status.hpp"
#include "nnlat/predictors/training_set.hpp"

namespace nnlat::predictors {

// The rule: over the networks that every source measured, the matrix of log latencies
// (network × source) is double-centred (each network's mean over the sources and each
// source's mean over the networks removed), leaving how the sources disagree about each
// network beyond its size. The first pick is the network with the largest such disagreement
// (row norm); each next pick the network whose disagreement is least explained by those
// already picked (the largest row norm after projecting out their span; pivoted
// Gram-Schmidt). `count` indices into data.networks, in pick order. Errors: fewer than two
// sources, or fewer than `count` networks that every source measured.
Result<std::vector<size_t>> choose_reference_networks(const TrainingSet& data, size_t count);

}  // namespace nnlat::predictors
