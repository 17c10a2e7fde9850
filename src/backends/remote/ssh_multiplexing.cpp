#include "nnlat/backends/ssh_multiplexing.hpp"

#include <stdlib.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <filesystem>

#include "backends/remote/subprocess.hpp"

namespace nnlat::backends {
namespace {

std::string lowercase(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(), [](unsigned char c) { return std::tolower(c); });
  return text;
}

}  // namespace

std::vector<std::string> ssh_multiplexing_options(const std::string& control_folder) {
  return {"ControlMaster=auto", "ControlPath=" + control_folder + "/%C",
          "ControlPersist=" + std::to_string(kSshControlPersistSeconds)};
}

bool ssh_options_choose_multiplexing(const std::vector<std::string>& options) {
  return std::any_of(options.begin(), options.end(), [](const std::string& o) {
    const std::string key = lowercase(o.substr(0, o.find('=')));
    return key == "controlmaster" || key == "controlpath" || key == "controlpersist";
  });
}

RemoteDevice multiplexed_device(RemoteDevice device, const std::string& control_folder) {
  if (device.transport != Transport::kSsh || ssh_options_choose_multiplexing(device.ssh_options)) return device;
  auto options = ssh_multiplexing_options(control_folder);
  options.insert(options.end(), device.ssh_options.begin(), device.ssh_options.end());
  device.ssh_options = std::move(options);
  return device;
}

std::vector<std::string> ssh_master_exit_command(const RemoteDevice& multiplexed) {
  auto argv = ssh_command(multiplexed);
  argv.insert(argv.end() - 1, {"-O", "exit"});
  return argv;
}

std::vector<std::string> ssh_control_base_candidates(const char* runtime_dir, const char* tmpdir) {
  std::vector<std::string> out;
  for (const char* c : {runtime_dir, tmpdir, "/tmp"}) {
    if (c == nullptr) continue;
    std::string base = c;
    while (base.size() > 1 && base.back() == '/') base.pop_back();
    // The socket's path is BASE/nnlat-ssh-XXXXXX/%C (40 characters) plus the 17 characters of the
    // temporary name ssh binds before renaming it: 28 characters of BASE keep it within the 104
    // bytes of the smallest sun_path (BSD, macOS; Linux has 108).
    const bool usable = !base.empty() && base.front() == '/' && base.size() <= kMaxControlBaseLength &&
                        base.find_first_of("% \t\n") == std::string::npos;
    if (usable && std::find(out.begin(), out.end(), base) == out.end()) out.push_back(base);
  }
  return out;
}

size_t remove_stale_control_folders(const std::string& base, std::chrono::seconds min_age) {
  namespace fs = std::filesystem;
  std::error_code ec;
  size_t removed = 0;
  const auto now = fs::file_time_type::clock::now();
  for (fs::directory_iterator it(base, ec), end; !ec && it != end; it.increment(ec)) {
    const std::string name = it->path().filename().string();
    if (!name.starts_with("nnlat-ssh-") || !it->is_directory(ec) || !fs::is_empty(it->path(), ec) || ec) {
      ec.clear();
      continue;
    }
    const auto changed = fs::last_write_time(it->path(), ec);
    if (ec || now - changed < min_age) {
      ec.clear();
      continue;
    }
    // remove() of a folder is rmdir: it fails rather than deleting a socket made meanwhile.
    if (fs::remove(it->path(), ec)) ++removed;
    ec.clear();
  }
  return removed;
}

SshMasters& SshMasters::of_process() {
  // Destroyed when the process exits normally: the masters are closed then.
  static SshMasters masters;
  return masters;
}

RemoteDevice SshMasters::share(const RemoteDevice& device) {
  if (device.transport != Transport::kSsh || ssh_options_choose_multiplexing(device.ssh_options)) return device;
  std::lock_guard<std::mutex> lock(mutex_);
  if (!folder_tried_) {
    folder_tried_ = true;
    for (const auto& base : ssh_control_base_candidates(std::getenv("XDG_RUNTIME_DIR"), std::getenv("TMPDIR"))) {
      (void)remove_stale_control_folders(base, kStaleControlFolderAge);
      std::string pattern = base + "/nnlat-ssh-XXXXXX";
      if (::mkdtemp(pattern.data()) != nullptr) {  // mode 0700: the sockets are this user's alone
        folder_ = pattern;
        break;
      }
    }
  }
  if (folder_.empty()) return device;
  RemoteDevice shared = multiplexed_device(device, folder_);
  const bool known = std::any_of(shared_.begin(), shared_.end(), [&](const auto& d) { return d.name == device.name; });
  if (!known) shared_.push_back(shared);
  return shared;
}

void SshMasters::close() {
  std::lock_guard<std::mutex> lock(mutex_);
  // A device whose master already ended (its link dropped, it was never reached) answers with
  // ssh's "Control socket connect(...): No such file or directory" at once: nothing to report.
  for (const auto& d : shared_) (void)run_command({ssh_master_exit_command(d), {}}, kExitTimeout);
  shared_.clear();
  if (!folder_.empty()) {
    std::error_code ec;
    std::filesystem::remove_all(folder_, ec);
    folder_.clear();
  }
}

SshMasters::~SshMasters() { close(); }

}  // namespace nnlat::backends
