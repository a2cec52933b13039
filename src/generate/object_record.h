#pragma once

#include "cache/records.h"
#include "request/request_spec.h"
#include "request/result.h"

namespace foley::generate {

// The index row of a request's object as it lies on disk now: identity from the
// request, size and XXH3-128 checksum from the file, `paid` for API engines.
// Callers add what only they know (duration, credits, provenance details).
cache::ObjectRecord object_record_for(const GenRequest& request);

// object_record_for with what the engine reported: duration, generation time,
// credits, request id, attempts, details (and the foley version that made it).
cache::ObjectRecord generated_object_record(const GenRequest& request, const GenerationResult& result);

}  // namespace foley::generate
