// NAS search spaces: NAS-Bench-101 cells, NAS-Bench-201 cells, a MobileNetV2-style block
// space, and the block spaces (random small networks of the blocks single zoo families bring:
// src/models/nas/block_space.hpp). Each space has a seeded sampler, a canonical encoding (two encodings of the
// same architecture are equal strings) and a stable hash of that encoding.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "nnlat/core/status.hpp"
#include "nnlat/ir/graph.hpp"
#include "nnlat/ir/skeleton.hpp"

namespace nnlat::models {

struct SpaceOptions {
  int64_t resolution = 0;  // 0: the space's default input size (32 for NB101/NB201, 224 for mbv2,
                           // the encoding's for the block spaces)
  // NAS-Bench-101 skeleton
  int64_t nb101_stem_channels = 128;
  int64_t nb101_stacks = 3;
  int64_t nb101_cells_per_stack = 3;
  // NAS-Bench-201 skeleton
  int64_t nb201_channels = 16;
  int64_t nb201_cells_per_stage = 5;
  int64_t num_classes = 0;  // 0: the space's default (10 for the CIFAR spaces, 1000 for the others)
};

// Space names: "nb101", "nb201", "mbv2", then the block spaces "shuffle", "grouped", "fire",
// "dense", "inception", "se", "largedw" (stages of one block kind) and "mixed" (any kind).
std::vector<std::string> space_names();
// The family a space's networks are stored under: the space name, "blocks-NAME" for the
// block spaces (so that "blocks-shuffle" is not read as the ShuffleNetV2 family).
std::string space_family(std::string_view space);

// Canonical form of an encoding; an error names what is wrong with it.
Result<std::string> canonicalize_encoding(std::string_view space, std::string_view encoding);
// Graph of one architecture, named after the space and its canonical encoding, with
// metadata {"space", "family", "encoding", "hash", "source"}; verified.
Result<ir::Graph> build_space_graph(std::string_view space, std::string_view encoding, const SpaceOptions& options);
// Segments, for predicting encodings without building whole networks
// (predictors/encoding_predictor.hpp): a space whose networks (default options) are a chain of
// parts, each a function of its position and its own choice only, lists an encoding's parts
// as keys ("stem", "3:k5e3se", "head" for mbv2), and builds each part alone as a graph whose
// input has the shape it has inside the network. The network's kernels are then its parts'
// kernels in order, as long as the fusion rules fuse nothing across a part's border (a
// caller checks that for its rules). An empty list: the space has no segments (nb201, nb101:
// their cells fuse with their neighbours, and all cells of a network are alike). A malformed
// encoding is the error build_space_graph gives.
bool space_has_segments(std::string_view space);
// Spaces whose builder can also emit an op skeleton (ir/skeleton.hpp) of an encoding's
// network, ops in the graph's order: the encoding predictor's graph-free path. nb201 only.
bool space_has_skeleton(std::string_view space);
// The skeleton of `encoding`'s network (default options), into `out`; validates the encoding
// as build_space_graph does.
// `abridged`: repeated cells built three times and listed in `out.repeats` (faster; the
// encoding predictor expands them, or builds the whole skeleton where it cannot).
Status build_space_skeleton(std::string_view space, std::string_view encoding, ir::OpSkeleton& out,
                            bool abridged = false);
// The graph whose ops an abridged skeleton holds: the same network with each repeated cell
// built three times (nb201: three cells a stage). Its kernels are the abridged skeleton's, in
// the same order, so a first-sight kernel costs the smaller graph.
Result<ir::Graph> build_abridged_space_graph(std::string_view space, std::string_view encoding);
Result<std::vector<std::string>> space_segments(std::string_view space, std::string_view encoding);
Result<ir::Graph> build_segment_graph(std::string_view space, std::string_view segment);

// `n` distinct canonical encodings drawn with a generator seeded by `seed` (the same
// arguments always give the same list, in the same order).
Result<std::vector<std::string>> sample_space(std::string_view space, int64_t n, uint64_t seed);
// An encoding's own features beside a graph's aggregates (multi-source transfer's
// architecture terms): where a choice sits, which op counts cannot tell. nb201: the one-hot
// of each edge's op (6 edges × 5 ops, named "nb201:3<-0:nor_conv_3x3"). Empty names: the
// space has none (every space but nb201 today). A malformed encoding is the error
// canonicalize_encoding gives.
std::vector<std::string> encoding_feature_names(std::string_view space);
Result<std::vector<float>> encoding_features(std::string_view space, std::string_view encoding);

// Stable hash of a canonical encoding, including the space name.
std::string encoding_hash(std::string_view space, std::string_view canonical_encoding);

// NAS-Bench-101 specs are JSON files {"matrix": [[0,1,...],...], "ops": ["input", ...,
// "output"]} as in the benchmark's API; this reads one into an encoding for "nb101".
Result<std::string> nb101_encoding_from_spec_json(std::string_view json_text, const std::string& source);

}  // namespace nnlat::models
