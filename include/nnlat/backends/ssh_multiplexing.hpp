// One multiplexed ssh connection per device (issue 14): every ssh command nnlat runs to a device
// in one process — the deploy's id read, push and read back, the runner sessions of `nnlat
// devices` and of a campaign's targets — goes through one OpenSSH master connection
// (ControlMaster), so a campaign pays one TCP connection and one authentication per device, not
// one per command. The control socket lives in a private folder (mode 0700) with a short path
// (Unix socket paths are limited to ~104 bytes); at exit nnlat closes every master it opened
// (`ssh -O exit`) and removes the folder. docs/remote.md, "One ssh connection per device".
#pragma once

#include <chrono>
#include <mutex>
#include <string>
#include <vector>

#include "nnlat/backends/remote_device.hpp"

namespace nnlat::backends {

// How long a master outlives its last command: the bound on a master left behind by an nnlat
// that was killed (one that exits closes its masters at once). Long enough to bridge the gaps
// between the commands of one nnlat run (a deploy's steps, a device's targets one after another).
inline constexpr int kSshControlPersistSeconds = 60;

// The ssh options that share one master: ControlMaster=auto (the first command becomes the
// master, later ones use it, and a master that died is replaced by the next command),
// ControlPath=FOLDER/%C (%C: a hash of the local host, the remote host, port and user, 40 hex
// characters whatever their length) and ControlPersist (the master goes to the background and
// outlives the command that started it).
std::vector<std::string> ssh_multiplexing_options(const std::string& control_folder);

// Whether the device's own --ssh-option list already says how to multiplex (ControlMaster,
// ControlPath or ControlPersist, any case): then nnlat adds nothing and the user's choice holds
// (ssh takes the first value of an option, and nnlat's would come first).
bool ssh_options_choose_multiplexing(const std::vector<std::string>& options);

// `device` whose ssh commands share the master under `control_folder`: the options above go
// before its own --ssh-options. Devices of other transports, and ssh devices whose options
// choose their own multiplexing, are returned as they are.
RemoteDevice multiplexed_device(RemoteDevice device, const std::string& control_folder);

// Closes the master of a multiplexed device: ssh_command(device) with `-O exit` before the
// destination (ssh finds the master by the same ControlPath; nothing goes over the network).
std::vector<std::string> ssh_master_exit_command(const RemoteDevice& multiplexed);

// Where the private folder may go, best first: $XDG_RUNTIME_DIR (per user, tmpfs), $TMPDIR,
// /tmp; a candidate is kept when it is absolute, at most kMaxControlBaseLength characters long and
// holds no '%' (ssh expands % in ControlPath) and no white space. Null or empty variables are
// skipped.
inline constexpr size_t kMaxControlBaseLength = 28;
std::vector<std::string> ssh_control_base_candidates(const char* runtime_dir, const char* tmpdir);

// Removes the private folders that killed nnlat processes left in `base` (SIGKILL runs no
// exit code: the master ends ControlPersist seconds later and removes its socket, but its
// folder stays): every `nnlat-ssh-*` folder there that is empty and was last changed more than
// `min_age` ago (a live nnlat's folder holds its sockets, or was made moments ago). Folders it
// may not remove (another user's) are skipped. Returns how many it removed.
inline constexpr std::chrono::minutes kStaleControlFolderAge{10};
size_t remove_stale_control_folders(const std::string& base, std::chrono::seconds min_age);

// The process's masters: share() gives the device its multiplexed form, creating the private
// folder on first use (and clearing stale ones from the same base first); close() (also run
// when the process exits) sends `ssh -O exit` to each device shared, within `kExitTimeout`
// each, and removes the folder. Thread safe: a profile's workers share their devices at the
// same time. When no folder can be made, devices are returned as they are (one connection per
// command, as without multiplexing).
class SshMasters {
 public:
  static SshMasters& of_process();
  static constexpr std::chrono::seconds kExitTimeout{10};

  RemoteDevice share(const RemoteDevice& device);
  void close();
  ~SshMasters();

  SshMasters() = default;
  SshMasters(const SshMasters&) = delete;
  SshMasters& operator=(const SshMasters&) = delete;

 private:
  std::mutex mutex_;
  bool folder_tried_ = false;
  std::string folder_;                // the private folder; empty: none (yet, or it cannot be made)
  std::vector<RemoteDevice> shared_;  // multiplexed forms of the devices shared, one per name
};

}  // namespace nnlat::backends
