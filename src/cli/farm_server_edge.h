#pragma once

#include <filesystem>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "cache/pending_record.h"

namespace foley::cli {

// A farmed generate edge sent to one of the farm's resident servers (`foley
// farm up`, ipc/farm_registry.h) instead of a job step of its own: the model
// stays loaded on each GPU, and requests arriving together are batched there.
//
// Only for engines whose generations run on the resident model server (the
// catalog's `model_server`). The server is picked on the submit host: a free
// one first (claims under <cache>/farm/claims, one per request in flight,
// taken in an order that starts at a different server for each key), then a
// second request on each, and so on, so requests spread across servers before
// they batch. A server that does not answer is passed over.
//
// Returns the record to write into the index (the server wrote the object
// atomically into the shared cache), or nullopt when the caller should run
// the edge's own job step: no server is registered or answers, or the server
// died mid-request (its temp file is removed; no partial object is ever left).
// Throws foley::Error for what the server refused (a request without the
// farm's secret, a bad request) or failed to generate.
std::optional<cache::PendingRecord> generate_on_farm_server(const nlohmann::json& spec, const std::string& origin);

}  // namespace foley::cli
