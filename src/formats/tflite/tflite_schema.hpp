// The code flatc generates from tflite_subset.fbs (build/generated/), included through this
// wrapper so that the project's warning flags do not apply to generated code.
#pragma once

#if defined(__GNUC__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wpedantic"
#pragma GCC diagnostic ignored "-Wshadow"
#pragma GCC diagnostic ignored "-Wunused-parameter"
#pragma GCC diagnostic ignored "-Wsign-compare"
#endif

#include "tflite_subset_generated.h"

#if defined(__GNUC__)
#pragma GCC diagnostic pop
#endif
