#include "app/ready_locations.hpp"

#include <cstdlib>
#include <filesystem>

#include "app/ready_recipe.hpp"

#ifndef NNLAT_BUILD_DATA_DIR
#error "NNLAT_BUILD_DATA_DIR (the source tree's data/) is defined by CMakeLists.txt"
#endif

namespace nnlat::app {
namespace {

// An environment variable, or "" when unset or empty (an empty value means "not set", as for
// XDG_CACHE_HOME in the XDG base directory specification).
std::string env(const char* name) {
  const char* value = std::getenv(name);
  return value == nullptr ? std::string() : std::string(value);
}

}  // namespace

Result<std::string> ready_data_folder(const std::string& data_dir) {
  std::string root = data_dir;
  std::string from = "given";
  if (root.empty()) {
    root = env("NNLAT_DATA_DIR");
    from = "from $NNLAT_DATA_DIR";
  }
  if (root.empty()) {
    root = NNLAT_BUILD_DATA_DIR;
    from = "the source tree's data/ this nnlat was built from";
  }
  const std::string folder = (std::filesystem::path(root) / kReadyDatasetFolder).string();
  // The required pair: TFLite's end-to-end file.
  const std::string e2e = (std::filesystem::path(folder) / kReadySourceFiles[0].e2e_file).string();
  std::error_code ec;
  if (!std::filesystem::is_regular_file(e2e, ec)) {
    return make_error(ErrorCode::kNotFound,
                      e2e +
                          ": not found; ready predictors are trained from the phone data shipped in the source tree's "
                          "data/" +
                          std::string(kReadyDatasetFolder) + " (data folder " + root + ", " + from +
                          "): set NNLAT_DATA_DIR to the folder that holds " + std::string(kReadyDatasetFolder) + "/");
  }
  return folder;
}

Result<std::string> user_cache_folder(const std::string& cache_dir) {
  if (!cache_dir.empty()) return cache_dir;
  if (auto own = env("NNLAT_CACHE_DIR"); !own.empty()) return own;
  if (auto xdg = env("XDG_CACHE_HOME"); !xdg.empty()) return (std::filesystem::path(xdg) / "nnlat").string();
  if (auto home = env("HOME"); !home.empty()) return (std::filesystem::path(home) / ".cache" / "nnlat").string();
  return make_error(ErrorCode::kNotFound,
                    "no cache folder for ready predictors: set NNLAT_CACHE_DIR (or XDG_CACHE_HOME or HOME)");
}

}  // namespace nnlat::app
