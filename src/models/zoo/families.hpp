// Internal: the zoo is assembled from slices so that families can be added without
// touching one shared file. Each family lives in its own file under src/models/zoo/.
#pragma once

#include <span>

#include "nnlat/models/zoo.hpp"

namespace nnlat::models {

std::span<const ZooEntry> mobile_zoo_entries();              // zoo_entries_mobile.cpp
std::span<const ZooEntry> classic_zoo_entries();             // zoo_entries_classic.cpp
std::span<const ZooEntry> transformer_zoo_entries();         // zoo_entries_transformer.cpp
std::span<const ZooEntry> hybrid_transformer_zoo_entries();  // zoo_entries_hybrid_transformer.cpp

// Resolution to build at: the requested one, or the entry's reference resolution.
inline int64_t resolution_or(const ZooParams& p, int64_t reference) {
  return p.resolution > 0 ? p.resolution : reference;
}

}  // namespace nnlat::models
