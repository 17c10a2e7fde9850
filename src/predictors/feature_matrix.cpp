#include <cstdio>
#include <cstdlib>

#include "nnlat/predictors/regressor.hpp"

namespace nnlat::predictors {

namespace {

// A row of the wrong width or an index past the end is a bug in the caller, not bad input;
// like Result::value() on an error, it stops the program rather than corrupting the matrix.
[[noreturn]] void misuse(const char* what) {
  std::fprintf(stderr, "nnlat: FeatureMatrix misuse: %s\n", what);
  std::abort();
}

}  // namespace

void FeatureMatrix::append_row(std::span<const float> r) {
  // An empty matrix takes its width from the first row, so callers can build one row by row
  // without knowing the feature count up front.
  if (rows == 0) {
    cols = r.size();
    values.clear();
  } else if (r.size() != cols) {
    misuse("append_row with a row of the wrong width");
  }
  values.insert(values.end(), r.begin(), r.end());
  ++rows;
}

FeatureMatrix FeatureMatrix::select_rows(std::span<const size_t> indices) const {
  FeatureMatrix out;
  out.rows = indices.size();
  out.cols = cols;
  out.values.reserve(indices.size() * cols);
  for (size_t i : indices) {
    if (i >= rows) misuse("select_rows with an index past the last row");
    const auto r = row(i);
    out.values.insert(out.values.end(), r.begin(), r.end());
  }
  return out;
}

}  // namespace nnlat::predictors
