#include "nnlat/backends/bundle_id.hpp"

#include <algorithm>
#include <filesystem>

#include "nnlat/backends/deploy_commands.hpp"
#include "nnlat/core/file_io.hpp"
#include "nnlat/core/hash.hpp"

namespace nnlat::backends {

namespace fs = std::filesystem;

Result<BundleContents> read_bundle(const std::string& dir, const std::string& runner_name) {
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) {
    return make_error(ErrorCode::kNotFound, "bundle '" + dir + "' is not a folder (make bundle builds build/bundle)");
  }
  if (!fs::is_regular_file(fs::path(dir) / runner_name, ec)) {
    return make_error(ErrorCode::kNotFound, "bundle '" + dir + "' holds no " + runner_name +
                                                " (make bundle puts nnlat-device in build/bundle)");
  }
  BundleContents b;
  b.dir = dir;
  std::vector<std::string> paths;
  for (auto it = fs::recursive_directory_iterator(dir, ec); !ec && it != fs::recursive_directory_iterator();
       it.increment(ec)) {
    const std::string rel = fs::relative(it->path(), dir, ec).generic_string();
    if (ec) break;
    if (it.depth() == 0 && rel != kBundleIdFile) b.entries.push_back(rel);
    if (it->is_regular_file(ec) && rel != kBundleIdFile) paths.push_back(rel);
  }
  if (ec) return make_error(ErrorCode::kIoError, "bundle '" + dir + "': cannot list it: " + ec.message());
  std::sort(paths.begin(), paths.end());
  std::sort(b.entries.begin(), b.entries.end());
  std::string manifest;
  for (const auto& rel : paths) {
    const fs::path path = fs::path(dir) / rel;
    NNLAT_ASSIGN_OR_RETURN(auto bytes, read_file(path.string()));
    const auto perms = fs::status(path, ec).permissions();
    const bool executable = (perms & fs::perms::owner_exec) != fs::perms::none;
    manifest +=
        rel + " " + (executable ? "x" : "-") + " " + std::to_string(bytes.size()) + " " + stable_hash_hex(bytes) + "\n";
    ++b.files;
    b.bytes += bytes.size();
  }
  b.id = stable_hash_hex(manifest);
  return b;
}

}  // namespace nnlat::backends
