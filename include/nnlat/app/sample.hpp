// `nnlat sample SPACE --n N --seed S --out DIR`: N distinct architectures of a NAS or block space as
// JSON graphs, plus index.json with their encodings and hashes.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "nnlat/core/status.hpp"

namespace nnlat::app {

struct SampleRequest {
  std::string space;  // a name of models::space_names(): nb101, nb201, mbv2, shuffle, ..., mixed
  int64_t n = 10;     // distinct architectures
  uint64_t seed = 0;  // same seed, same list
  std::string out;    // directory, created if missing
};

struct SampledArchitecture {
  std::string file;  // "nb201_000000_HASH.json", in the output directory
  std::string encoding;
  std::string hash;
};

struct SampleResult {
  SampleRequest request;
  std::vector<SampledArchitecture> architectures;  // in sampling order

  // The index.json document: {space, seed, n, architectures: [{file, space, family, encoding,
  // hash}]}.
  nlohmann::ordered_json to_json() const;
  std::string to_text() const;  // "wrote N SPACE architectures and index.json to DIR"
};

// Writes each architecture's graph and then index.json (to_json()) into request.out.
Result<SampleResult> sample_architectures(const SampleRequest& request);

}  // namespace nnlat::app
