// The built-in zoo: real CNNs built in code, parametrised by width multiplier and input
// resolution. Each entry carries the figures its paper (or official release) publishes,
// and a test checks the built graph against them.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "nnlat/core/status.hpp"
#include "nnlat/ir/graph.hpp"

namespace nnlat::models {

struct ZooParams {
  double width = 1.0;      // channel width multiplier
  int64_t resolution = 0;  // input height = width; 0 means the entry's reference resolution
  int64_t num_classes = 1000;
  int64_t batch = 1;
};

struct ZooEntry {
  std::string_view name;         // "mobilenet_v2"
  std::string_view family;       // "MobileNetV2"
  std::string_view description;  // one line
  int64_t reference_resolution;  // the setting the published figures refer to (width 1.0)
  double published_mmacs;        // published multiply-adds at the reference setting, millions
  double published_mparams;      // published parameter count, millions
  std::string_view citation;     // where the figures come from (paper, table)
  Result<ir::Graph> (*build)(const ZooParams& params);
};

std::span<const ZooEntry> zoo_entries();
const ZooEntry* find_zoo_entry(std::string_view name);
// Builds, names ("mobilenet_v2" or "mobilenet_v2?width=0.5&res=160") and verifies.
Result<ir::Graph> build_zoo_model(std::string_view name, const ZooParams& params);

// The zoo reference (what follows `zoo:` in a model reference, e.g. "vit_base_patch16_224_in21k"
// or "deit_base_distilled_patch16_384") whose graph is what the public checkpoint named
// `checkpoint` in the mobile-ml-benchmark transformer tables ("vit-base-patch16-224-in21k")
// exports, or nullopt when the zoo has no such model. One table (zoo_checkpoints.cpp): the
// names differ from the zoo's in more than '-' for '_' (headless `-in21k` exports, resolution
// suffixes), so no rule derives one from the other.
std::optional<std::string> zoo_ref_for_checkpoint(std::string_view checkpoint);

// Channel rounding used by MobileNet-family width multipliers (as in the TF reference
// implementations): round to the nearest multiple of `divisor`, never below `min_value`
// (defaults to divisor) and never more than 10% below `value`.
int64_t make_divisible(double value, int64_t divisor = 8, int64_t min_value = 0);

}  // namespace nnlat::models
