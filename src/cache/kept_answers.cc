#include "cache/kept_answers.h"

#include <algorithm>

#include <nlohmann/json.hpp>

#include "common/hash.h"
#include "cache/object_meta.h"
#include "common/atomic_file.h"
#include "common/error.h"

namespace foley::cache {
namespace fs = std::filesystem;
using nlohmann::json;

namespace {

// n of "answer-<n>.json", or 0.
int answer_number(const std::string& name) {
  constexpr std::string_view kPrefix = "answer-", kSuffix = ".json";
  if (name.size() <= kPrefix.size() + kSuffix.size() || name.compare(0, kPrefix.size(), kPrefix) != 0 ||
      name.compare(name.size() - kSuffix.size(), kSuffix.size(), kSuffix) != 0)
    return 0;
  const std::string digits = name.substr(kPrefix.size(), name.size() - kPrefix.size() - kSuffix.size());
  if (digits.empty() || digits.size() > 6 || !std::all_of(digits.begin(), digits.end(), ::isdigit)) return 0;
  return std::stoi(digits);
}

}  // namespace

fs::path kept_answers_dir(const fs::path& cache_dir, const std::string& gen_key) {
  return cache_dir / "quarantine" / "unusable" / gen_key;
}

KeptAnswer keep_unusable_answer(const fs::path& cache_dir, const ObjectRecord& call, std::string_view bytes,
                                const std::string& reason) {
  const fs::path dir = kept_answers_dir(cache_dir, call.gen_key);
  int n = 1;
  for (const KeptAnswer& k : kept_answers(cache_dir, call.gen_key))
    n = std::max(n, answer_number(k.bytes_path.stem().string() + ".json") + 1);
  std::error_code ec;
  while (fs::exists(dir / ("answer-" + std::to_string(n) + ".json"), ec)) ++n;
  KeptAnswer kept;
  kept.call = call;
  kept.call.size = static_cast<int64_t>(bytes.size());
  kept.call.checksum = xxh3_128(bytes).hex();
  kept.reason = reason;
  const std::string stem = "answer-" + std::to_string(n);
  kept.bytes_path = dir / (stem + "." + (call.ext.empty() ? "bin" : call.ext));
  write_file_atomic(kept.bytes_path, bytes);
  json record = object_record_to_json(kept.call);
  record["reason"] = reason;
  record["bytes_file"] = kept.bytes_path.filename().string();
  write_file_atomic(dir / (stem + ".json"), record.dump(2) + "\n");
  return kept;
}

std::vector<KeptAnswer> kept_answers(const fs::path& cache_dir, const std::string& gen_key) {
  std::vector<std::pair<int, KeptAnswer>> found;
  const fs::path dir = kept_answers_dir(cache_dir, gen_key);
  std::error_code ec;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    const std::string name = it->path().filename().string();
    const int n = answer_number(name);
    if (n == 0) continue;
    try {
      json j = json::parse(read_file(it->path()));
      KeptAnswer k;
      k.call = object_record_from_json(j, it->path().string());
      k.reason = j.value("reason", std::string());
      k.bytes_path = dir / j.value("bytes_file", std::string());
      found.emplace_back(n, std::move(k));
    } catch (const std::exception&) {
      // An unreadable record still leaves its bytes; the key stays refused
      // only by the records that can be read.
    }
  }
  std::sort(found.begin(), found.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  std::vector<KeptAnswer> out;
  for (auto& [n, k] : found) out.push_back(std::move(k));
  return out;
}

}  // namespace foley::cache
