// Classic zoo families with the figures their papers publish.
#include "models/zoo/families.hpp"
#include "models/zoo/zoo_families_classic.hpp"

namespace nnlat::models {

std::span<const ZooEntry> classic_zoo_entries() { return {}; }

}  // namespace nnlat::models
