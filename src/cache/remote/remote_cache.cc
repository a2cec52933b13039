#include "cache/remote/remote_cache.h"

#include <fcntl.h>
#include <unistd.h>

#include "cache/object_meta.h"
#include "cache/object_store.h"
#include "common/atomic_file.h"
#include "common/clock.h"
#include "common/error.h"
#include "common/hash.h"
#include "common/log.h"
#include "request/canonical_key.h"

namespace foley::cache::remote {
namespace fs = std::filesystem;
using nlohmann::json;

namespace {

// A record is a few kilobytes; anything much larger is not one.
constexpr int64_t kMaxMetaBytes = 1 << 20;

bool is_checksum(const std::string& s) { return is_valid_gen_key(s); }  // the same shape: 32 lowercase hex

// Why the remote's record cannot describe the object of `gen_key` with `ext`, or "".
std::string record_problem(const ObjectRecord& r, const std::string& gen_key, const std::string& ext,
                           int64_t max_bytes) {
  if (r.gen_key != gen_key) return "its record names another key (" + r.gen_key.substr(0, 40) + ")";
  if (!is_valid_ext(r.ext) || r.ext != ext) return "its record names another extension";
  if (r.size <= 0 || r.size > max_bytes) return "its record gives a size out of bounds (" + std::to_string(r.size) + ")";
  if (!is_checksum(r.checksum)) return "its record has no valid checksum";
  if (!r.request.is_object() || compute_key("gen", r.request) != gen_key)
    return "its record's request fields do not hash to the key";
  return "";
}

}  // namespace

std::string remote_object_path(const std::string& gen_key, const std::string& ext) {
  return "objects/" + gen_key.substr(0, 2) + "/" + gen_key + "." + ext;
}

std::string remote_meta_path(const std::string& gen_key) { return "meta/" + gen_key + ".json"; }

RemoteCache::RemoteCache(RemoteConfig config, fs::path cache_dir, int64_t build_id)
    : config_(std::move(config)),
      cache_dir_(std::move(cache_dir)),
      build_id_(build_id),
      store_(config_, load_remote_credentials(config_)) {}

RemoteCache::RemoteCache(RemoteConfig config, RemoteCredentials credentials, fs::path cache_dir, int64_t build_id)
    : config_(std::move(config)),
      cache_dir_(std::move(cache_dir)),
      build_id_(build_id),
      store_(config_, std::move(credentials)) {}

void RemoteCache::remove_off_marks(const fs::path& cache_dir, const std::function<bool(int64_t)>& running) {
  const std::string prefix = "off-";
  std::error_code ec;
  for (fs::directory_iterator it(cache_dir / "remote", ec), end; !ec && it != end; it.increment(ec)) {
    const std::string name = it->path().filename().string();
    if (name.rfind(prefix, 0) != 0 || name.size() == prefix.size() ||
        name.find_first_not_of("0123456789", prefix.size()) != std::string::npos)
      continue;
    int64_t id = 0;
    try {
      id = std::stoll(name.substr(prefix.size()));
    } catch (const std::exception&) {
      continue;
    }
    if (running(id)) continue;
    std::error_code rm;
    fs::remove(it->path(), rm);
  }
}

fs::path RemoteCache::off_mark() const { return cache_dir_ / "remote" / ("off-" + std::to_string(build_id_)); }

bool RemoteCache::disabled() {
  if (disabled_.load()) return true;
  if (build_id_ != 0) {
    std::error_code ec;
    if (fs::exists(off_mark(), ec)) {
      disabled_.store(true);
      return true;
    }
  }
  return false;
}

void RemoteCache::fail(const std::string& what, const RemoteReply& reply) {
  if (disabled_.exchange(true)) return;
  if (build_id_ != 0) {
    // Another process of this build may have failed first: it warned and counted.
    std::error_code ec;
    fs::create_directories(off_mark().parent_path(), ec);
    int fd = ::open(off_mark().c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    if (fd < 0 && errno == EEXIST) return;
    if (fd >= 0) ::close(fd);
  }
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (reply.status == RemoteStatus::kTimeout)
      ++counters_.timeouts;
    else
      ++counters_.errors;
  }
  log_warning("team cache " + config_.url + ": " + what + " failed: " + reply.message +
              "; the remote is off for the rest of this build, which goes on locally");
}

void RemoteCache::corrupt(const std::string& gen_key, const std::string& why) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    ++counters_.corrupt;
  }
  log_warning("team cache " + config_.url + ": entry " + gen_key + " not used: " + why +
              "; treated as a miss (generated here)");
}

RemoteCounters RemoteCache::take_counters() {
  std::lock_guard<std::mutex> lock(mu_);
  RemoteCounters out = counters_;
  counters_ = RemoteCounters{};
  return out;
}

std::optional<ObjectRecord> RemoteCache::fetch(const std::string& gen_key, const std::string& ext,
                                               const fs::path& object_path, const ObjectCheck& check) {
  if (disabled() || !is_valid_gen_key(gen_key) || !is_valid_ext(ext)) return std::nullopt;
  auto count = [&](int64_t RemoteCounters::*field, int64_t n) {
    std::lock_guard<std::mutex> lock(mu_);
    counters_.*field += n;
  };

  std::string meta_text;
  RemoteReply meta = store_.get(remote_meta_path(gen_key), kMaxMetaBytes,
                                [&](std::string_view chunk) { meta_text.append(chunk); });
  count(&RemoteCounters::bytes_down, static_cast<int64_t>(meta_text.size()));
  if (meta.status == RemoteStatus::kNotFound) {
    // No record: a plain miss, unless an object lies there without one.
    RemoteReply object = store_.head(remote_object_path(gen_key, ext));
    if (object.status == RemoteStatus::kOk) {
      corrupt(gen_key, "an object without its record (an interrupted upload?)");
      return std::nullopt;
    }
    if (object.status != RemoteStatus::kNotFound) {
      fail("looking up " + gen_key, object);
      return std::nullopt;
    }
    count(&RemoteCounters::misses, 1);
    return std::nullopt;
  }
  if (meta.status == RemoteStatus::kTooLarge) {
    corrupt(gen_key, "its record is larger than " + std::to_string(kMaxMetaBytes) + " bytes");
    return std::nullopt;
  }
  if (meta.status != RemoteStatus::kOk) {
    fail("looking up " + gen_key, meta);
    return std::nullopt;
  }
  ObjectRecord rec;
  try {
    json j = json::parse(meta_text);
    rec = object_record_from_json(j, remote_meta_path(gen_key));
  } catch (const std::exception&) {
    corrupt(gen_key, "its record is not a valid object record");
    return std::nullopt;
  }
  if (std::string why = record_problem(rec, gen_key, ext, config_.max_object_bytes); !why.empty()) {
    corrupt(gen_key, why);
    return std::nullopt;
  }

  std::error_code ec;
  fs::create_directories(object_path.parent_path(), ec);
  TempFile temp(object_path);
  Hasher128 hash;
  int64_t bytes = 0;
  RemoteReply object = store_.get(remote_object_path(gen_key, ext), rec.size, [&](std::string_view chunk) {
    temp.write(chunk);
    hash.update(chunk);
    bytes += static_cast<int64_t>(chunk.size());
  });
  count(&RemoteCounters::bytes_down, bytes);
  if (object.status == RemoteStatus::kNotFound) {
    corrupt(gen_key, "its record is there but its object is not");
    return std::nullopt;
  }
  if (object.status == RemoteStatus::kTooLarge) {
    corrupt(gen_key, "its object is larger than its record says (" + std::to_string(rec.size) + " bytes)");
    return std::nullopt;
  }
  if (object.status != RemoteStatus::kOk) {
    // Includes a body cut short by a dropped connection: a failure of the
    // remote, not of the entry.
    fail("fetching " + gen_key, object);
    return std::nullopt;
  }
  if (bytes != rec.size) {
    corrupt(gen_key, "its object has " + std::to_string(bytes) + " bytes, its record says " +
                         std::to_string(rec.size));
    return std::nullopt;
  }
  if (hash.digest().hex() != rec.checksum) {
    corrupt(gen_key, "its object's XXH3-128 checksum does not match its record");
    return std::nullopt;
  }
  if (check)
    if (std::string why = check(temp.path()); !why.empty()) {
      corrupt(gen_key, "its object " + why);
      return std::nullopt;
    }
  temp.commit();
  // Its record here: the remote's, pinned only when paid, saying where it came from.
  rec.pinned = rec.paid;
  rec.hit_count = 0;
  rec.details["remote_hit"] = {{"from", config_.url}, {"at", unix_millis(real_clock())}};
  write_object_meta(cache_dir_, rec);
  return rec;
}

bool RemoteCache::complete_entry(const ObjectRecord& rec, const std::string& bytes) {
  // The entry's record is there: it is never replaced. Only a lost object is
  // put back, and only when the record describes exactly these bytes.
  const std::string object_remote = remote_object_path(rec.gen_key, rec.ext);
  RemoteReply object = store_.head(object_remote);
  if (object.status == RemoteStatus::kOk) return false;
  if (object.status != RemoteStatus::kNotFound) {
    fail("uploading " + rec.gen_key, object);
    return false;
  }
  std::string meta_text;
  RemoteReply meta = store_.get(remote_meta_path(rec.gen_key), kMaxMetaBytes,
                                [&](std::string_view chunk) { meta_text.append(chunk); });
  if (meta.status != RemoteStatus::kOk) return false;
  try {
    ObjectRecord theirs = object_record_from_json(json::parse(meta_text), remote_meta_path(rec.gen_key));
    if (theirs.gen_key != rec.gen_key || theirs.ext != rec.ext || theirs.size != rec.size ||
        theirs.checksum != rec.checksum)
      return false;
  } catch (const std::exception&) {
    return false;
  }
  RemoteReply put = store_.put(object_remote, bytes, /*if_none_match=*/true);
  if (put.status == RemoteStatus::kExists) return false;
  if (put.status != RemoteStatus::kOk) {
    fail("uploading " + rec.gen_key, put);
    return false;
  }
  std::lock_guard<std::mutex> lock(mu_);
  counters_.bytes_up += static_cast<int64_t>(bytes.size());
  ++counters_.uploads;
  return true;
}

std::optional<bool> RemoteCache::holds(const std::string& gen_key, const std::string& ext) {
  if (disabled() || !is_valid_gen_key(gen_key) || !is_valid_ext(ext)) return std::nullopt;
  for (const std::string& path : {remote_meta_path(gen_key), remote_object_path(gen_key, ext)}) {
    RemoteReply reply = store_.head(path);
    if (reply.status == RemoteStatus::kNotFound) return false;
    if (reply.status != RemoteStatus::kOk) {
      fail("asking for " + gen_key, reply);
      return std::nullopt;
    }
  }
  return true;
}

bool RemoteCache::upload(const ObjectRecord& rec, const fs::path& object_path) {
  if (config_.read_only() || disabled()) return false;
  if (!is_valid_gen_key(rec.gen_key) || !is_valid_ext(rec.ext)) return false;
  const std::string meta_path = remote_meta_path(rec.gen_key);
  const std::string object_remote = remote_object_path(rec.gen_key, rec.ext);

  RemoteReply meta = store_.head(meta_path);
  if (meta.status != RemoteStatus::kOk && meta.status != RemoteStatus::kNotFound) {
    fail("uploading " + rec.gen_key, meta);
    return false;
  }
  std::string bytes;
  try {
    bytes = read_file(object_path);
  } catch (const std::exception& e) {
    log_warning(std::string("team cache: not uploading ") + rec.gen_key + ": " + e.what());
    return false;
  }
  if (static_cast<int64_t>(bytes.size()) != rec.size || xxh3_128(bytes).hex() != rec.checksum) {
    log_warning("team cache: not uploading " + rec.gen_key + ": the local object does not match its record");
    return false;
  }
  if (static_cast<int64_t>(bytes.size()) > config_.max_object_bytes) return false;
  if (meta.status == RemoteStatus::kOk) return complete_entry(rec, bytes);

  int64_t sent = 0;
  RemoteReply object = store_.head(object_remote);
  if (object.status == RemoteStatus::kOk) {
    // An object without its record: an upload cut between the two PUTs. It is
    // completed only when its bytes are exactly ours; it is never replaced.
    std::string theirs;
    RemoteReply got = store_.get(object_remote, rec.size, [&](std::string_view c) { theirs.append(c); });
    if (got.status != RemoteStatus::kOk && got.status != RemoteStatus::kTooLarge) {
      fail("uploading " + rec.gen_key, got);
      return false;
    }
    if (theirs != bytes) {
      corrupt(rec.gen_key, "the remote holds other bytes for it without a record; they are left as they are");
      return false;
    }
  } else if (object.status == RemoteStatus::kNotFound) {
    RemoteReply put = store_.put(object_remote, bytes, /*if_none_match=*/true);
    if (put.status == RemoteStatus::kExists) return false;  // stored by someone else meanwhile
    if (put.status != RemoteStatus::kOk) {
      fail("uploading " + rec.gen_key, put);
      return false;
    }
    sent += static_cast<int64_t>(bytes.size());
  } else {
    fail("uploading " + rec.gen_key, object);
    return false;
  }

  ObjectRecord published = rec;
  published.hit_count = 0;
  published.last_used_at = 0;
  const std::string meta_text = object_record_to_json(published).dump(1) + "\n";
  RemoteReply put = store_.put(meta_path, meta_text, /*if_none_match=*/true);
  if (put.status == RemoteStatus::kExists) return false;
  if (put.status != RemoteStatus::kOk) {
    fail("uploading " + rec.gen_key, put);
    return false;
  }
  sent += static_cast<int64_t>(meta_text.size());
  std::lock_guard<std::mutex> lock(mu_);
  counters_.bytes_up += sent;
  ++counters_.uploads;
  return true;
}

}  // namespace foley::cache::remote
