// The last blend of the multi-source transfer (predictors/multi_source_transfer.hpp): how much
// weight a FLOPs map (log t = a + b · log MACs, fitted on the target's K networks) gets beside
// the model, in log space. Where no source resembles the target (CPU core sets as the sources
// of a GPU), MACs order its networks better than the sources do, and the two err differently.
#pragma once

#include <span>

namespace nnlat::predictors {

// The weights tried (ties: the smaller). At most ½: the sources always keep half; the FLOPs
// map alone is the `flops` baseline trained on the K networks, not a transfer.
inline constexpr double kFlopsBlendWeights[] = {0.0, 0.5};

// The FLOPs map's weight, from the K log latencies `y` and both models' leave-one-out
// predictions of them (equal lengths), by mean absolute error: the FLOPs map of a GPU misses
// a few networks by a lot (small networks sit on the GPU's latency floor) while it orders
// the rest well, and squared error would let those few outvote the rest (docs/transfer.md).
double vote_flops_weight(std::span<const double> y, std::span<const double> model_loo,
                         std::span<const double> flops_loo);

}  // namespace nnlat::predictors
