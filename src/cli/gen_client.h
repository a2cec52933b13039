#pragma once

#include <filesystem>

namespace foley::cli {

// `foley-gen-client --object OBJECT`: what ninja runs for a generate edge of an
// ElevenLabs profile. Hands the request to the resident server of the cache
// (`foley-gen serve`, started on first use, shared with the AudioLDM 2 model
// server), which makes the API call on a warm process, records the object and
// sends back the summary line and messages, printed here as foley-gen would.
// The client links no engine library, so a generate edge costs one small
// process instead of loading libcurl and the model runtime every time.
//
// Everything else is foley-gen's: an object already present (a hit), a
// non-API spec, FOLEY_API_SERVER=0, or a server that cannot be started or dies
// mid-call — then this process becomes `foley-gen generate --object OBJECT`
// (exec), which generates in-process. Returns the exit code.
int run_generate_client(const std::filesystem::path& object);

}  // namespace foley::cli
