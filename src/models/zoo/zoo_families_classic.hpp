// Internal: builders of the classic (server-era) zoo families (one file each).
#pragma once

#include "nnlat/models/zoo.hpp"

namespace nnlat::models {}  // namespace nnlat::models
