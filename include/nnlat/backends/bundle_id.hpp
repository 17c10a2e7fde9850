// The identity of a runner bundle (issue 14: "pushed once per version, hash checked"): a hash of
// every file's path, mode and bytes, so that a rebuilt runner, a changed library or a changed
// wrapper is a new bundle, and an identical one is recognised on the device and not pushed again.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "nnlat/core/status.hpp"

namespace nnlat::backends {

struct BundleContents {
  std::string dir;
  std::string id;                    // 16 hex digits (core/hash.hpp's FNV-1a over the manifest)
  std::vector<std::string> entries;  // the top-level names, sorted (BUNDLE-ID left out)
  size_t files = 0;
  uintmax_t bytes = 0;
};

// Reads the bundle folder `dir`, which must hold the runner `runner_name` (nnlat-device). The
// id hashes a manifest of "PATH MODE SIZE CONTENT-HASH" lines in path order, BUNDLE-ID left out
// (a deployed copy hashes as its source). Errors name the folder and the file.
Result<BundleContents> read_bundle(const std::string& dir, const std::string& runner_name);

}  // namespace nnlat::backends
