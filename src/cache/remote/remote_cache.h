#pragma once

#include <atomic>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <mutex>
#include <optional>
#include <string>

#include "cache/records.h"
#include "cache/remote/remote_store.h"
#include "request/remote_config.h"

namespace foley::cache::remote {

// Where an entry lives on a remote, relative to its root:
//   objects/<k[0:2]>/<gen_key>.<ext>   the object's bytes
//   meta/<gen_key>.json                its record (cache/object_meta.h), written after the object: the commit mark
std::string remote_object_path(const std::string& gen_key, const std::string& ext);
std::string remote_meta_path(const std::string& gen_key);

// The team cache, as one build (or one command) talks to it.
//
// fetch: a verified object or a miss. An entry is used only when its record
// names this key, its request fields hash to it, its extension is the one
// asked for and its bytes match the record's size and XXH3-128 checksum;
// anything else (a record without an object, a truncated or altered object,
// bytes the caller's check refuses) is a miss with a warning, counted as corrupt, and nothing is left behind.
// An object without a record (an interrupted upload) is a miss with a warning.
//
// upload: HEAD, then PUT the object, then its record; an entry already there
// is never replaced (a paid one least of all): only a half of it that is
// missing is put back, when the other half describes (or is) exactly these
// bytes. Nothing in read-only mode.
//
// The first failure or timeout (a refused request, an HTTP error, a
// connection refused, a stall) disables the remote for the rest of the
// build, with one warning: in this process, and for the other processes of
// the same build through a mark in <cache>/remote/ (`build_id` non-zero).
// Nothing here throws for the remote's sake: it never fails a build.
class RemoteCache {
 public:
  // Reads the credentials (remote_credentials.h): throws foley::Error when a
  // named key file cannot be read. Contacts nothing.
  RemoteCache(RemoteConfig config, std::filesystem::path cache_dir, int64_t build_id);
  // With credentials read elsewhere (the resident server: from what the
  // calling edge sent over its socket).
  RemoteCache(RemoteConfig config, RemoteCredentials credentials, std::filesystem::path cache_dir,
              int64_t build_id);

  const RemoteConfig& config() const { return config_; }
  // The remote's URL, as messages and the index show it.
  const std::string& url() const { return config_.url; }

  // Why downloaded bytes (complete, checksum verified, still in their temp
  // file) cannot be used, or "" when they can: the caller's last word (the
  // generate step checks that they open as audio).
  using ObjectCheck = std::function<std::string(const std::filesystem::path& temp_path)>;

  // Brings the object of `gen_key` to `object_path` (atomically: temp file,
  // rename), writes its record beside it (cache/object_meta.h) and returns
  // that record, or nothing. The caller holds the key's lock and has found
  // the object absent.
  std::optional<ObjectRecord> fetch(const std::string& gen_key, const std::string& ext,
                                    const std::filesystem::path& object_path, const ObjectCheck& check = {});

  // Stores the local object `object_path` described by `rec` (its record)
  // unless the remote holds the key already. True when this call stored it.
  bool upload(const ObjectRecord& rec, const std::filesystem::path& object_path);

  // Whether the remote holds a complete entry of `gen_key` (its record and its
  // object, by HEAD; nothing is verified), or nothing when it cannot tell
  // (disabled, or it failed now).
  std::optional<bool> holds(const std::string& gen_key, const std::string& ext);

  // True once a failure disabled the remote for this build.
  bool disabled();

  // What was counted since the last call (hits are counted by the index).
  RemoteCounters take_counters();

  // The marks of builds that turned the remote off (<cache>/remote/off-<id>):
  // removes every mark of a build that `running` says is over. Best effort.
  static void remove_off_marks(const std::filesystem::path& cache_dir,
                               const std::function<bool(int64_t build_id)>& running);

 private:
  // Disables the remote; the first to do so (in this build) warns and counts.
  void fail(const std::string& what, const RemoteReply& reply);
  void corrupt(const std::string& gen_key, const std::string& why);
  // upload() of an entry whose record is there: puts back a lost object
  // when the record describes exactly `bytes`.
  bool complete_entry(const ObjectRecord& rec, const std::string& bytes);
  std::filesystem::path off_mark() const;

  RemoteConfig config_;
  std::filesystem::path cache_dir_;
  int64_t build_id_;
  RemoteStore store_;
  std::atomic<bool> disabled_{false};
  std::mutex mu_;
  RemoteCounters counters_;
};

}  // namespace foley::cache::remote
