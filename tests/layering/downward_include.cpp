// The control for upward_include.cpp: the same layer (src/store's include views) reaching
// down to ir must compile, so that a failure of the upward probe means the layering and not
// a broken probe.
#include "nnlat/ir/graph.hpp"

int nnlat_layering_probe_downward() { return 0; }
