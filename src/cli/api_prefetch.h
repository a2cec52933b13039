#pragma once

#include <cstdint>
#include <vector>

#include "ipc/socket.h"
#include "plan/planner.h"

namespace foley::cli {

// `foley build` hands every stale generation of each ElevenLabs profile to the
// cache's resident server before it runs ninja ("prefetch", server/api_calls.h):
// the server makes the calls back to back, as many at a time as the profile's
// pool allows, and ninja's foley-gen-client edges pick the results up. Only
// when the edges do run that client (it is installed) and FOLEY_API_SERVER is
// not 0. Returns the open connections: keep them while ninja runs; when one
// closes, the server starts no further call of it. Best effort: anything that
// fails leaves the calls to ninja's edges, as without it.
std::vector<ipc::UniqueFd> start_api_prefetch(const plan::Plan& plan, const plan::Tools& tools,
                                                   int64_t build_id);

}  // namespace foley::cli
