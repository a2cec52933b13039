#pragma once

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "cache/records.h"

// Paid answers that could not be used (a 200 whose body does not decode):
// charged, so never thrown away and never silently paid for again. Each is kept
// for inspection as <cache>/quarantine/unusable/<gen_key>/answer-<n>.<ext>
// (the bytes as they came) beside answer-<n>.json (its ledger record: the
// ObjectRecord fields of the call, plus "reason" and "bytes_file"). The folder
// is the truth for "this key was paid for and came back unusable": the
// generate step reads it before any call, without the index.
namespace foley::cache {

struct KeptAnswer {
  ObjectRecord call;                 // credits, request id, attempts, details of the paid call
  std::string reason;                // what is wrong with the bytes
  std::filesystem::path bytes_path;  // where they are kept
};

std::filesystem::path kept_answers_dir(const std::filesystem::path& cache_dir, const std::string& gen_key);

// Keeps `bytes` and the record as the next answer-<n> of the key (never
// overwriting an earlier one), each written atomically. Returns what it kept.
KeptAnswer keep_unusable_answer(const std::filesystem::path& cache_dir, const ObjectRecord& call,
                                std::string_view bytes, const std::string& reason);

// The kept answers of `gen_key`, oldest first; records that cannot be read are
// skipped (their bytes stay where they are).
std::vector<KeptAnswer> kept_answers(const std::filesystem::path& cache_dir, const std::string& gen_key);

}  // namespace foley::cache
