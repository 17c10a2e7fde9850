// Compiled with the include views of src/store (tests/CMakeLists section, cmake/tests.cmake):
// eval sits above store in the layer order, so this include must be "No such file or
// directory". The test `layering.upward_include_is_rejected` builds this file and expects
// exactly that error; it is never part of the library.
#include "nnlat/eval/metrics.hpp"

int nnlat_layering_probe_upward() { return 0; }
