// Whether a network computes attention, from its IR alone: the rule that routes a graph to the
// ready core-set model trained with the vision transformers rather than the CNN-only one
// (docs/ready-predictors.md, recipe 4).
#pragma once

#include "nnlat/ir/graph.hpp"

namespace nnlat::ir {

// True when some matmul multiplies two activations: both operands are produced by nodes of
// the graph (Q·Kᵀ and softmax(·)·V of self-attention). A matmul against a graph input, and
// every dense / conv layer (weights are attributes, not operands), does not count, so a CNN
// with layer norms or a classifier head (ConvNeXt, MobileNet) is not an attention network,
// while a ViT, DeiT, Swin or a hybrid such as MobileViT / LeViT is.
bool has_attention(const Graph& graph);

}  // namespace nnlat::ir
