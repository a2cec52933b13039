#pragma once

#include <filesystem>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "cache/records.h"

// Every object carries its record beside it, so that the index is a cache of
// facts and not their only copy: <cache>/meta/<k[0:2]>/<gen_key>.json holds
// the ObjectRecord (provenance, checksum, credits, pinned, paid), written
// atomically whenever the index records the object or its pin. A lost or
// damaged index is rebuilt from these (`foley cache repair`), pins and paid
// flags included. The same record is what a team cache stores next to an object.
namespace foley::cache {

std::filesystem::path object_meta_path(const std::filesystem::path& cache_dir, const std::string& gen_key);

nlohmann::json object_record_to_json(const ObjectRecord& rec);
// Throws foley::Error naming `origin` when a field is missing or mistyped.
ObjectRecord object_record_from_json(const nlohmann::json& j, const std::string& origin);

// Writes the record atomically (temp file, rename).
void write_object_meta(const std::filesystem::path& cache_dir, const ObjectRecord& rec);
// The record of `gen_key`, or nothing when there is none or it cannot be read.
std::optional<ObjectRecord> read_object_meta(const std::filesystem::path& cache_dir, const std::string& gen_key);
// Removes the record (with its object: gc). Missing is fine.
void remove_object_meta(const std::filesystem::path& cache_dir, const std::string& gen_key);

}  // namespace foley::cache
