#pragma once

#include <functional>

#include <nlohmann/json.hpp>

namespace foley::server {

// The resident server's API work (`foley-gen serve`; the model jobs are
// server/jobs.h): what `foley-gen-client` and `foley build` ask.
//
// {"op": "call", "spec", "origin", "build_id", "env_key"}: one ElevenLabs
//   generate edge, run to the end (generate::generate_request, pooled index
//   connections). Answers {"exit", "stdout" (the summary line), "stderr" (the
//   messages logged meanwhile)}. A key a prefetch of this build made is
//   answered with that prefetch's line, not counted as a hit. With "remote"
//   (the team cache's settings) and "remote_env" (the edge's credentials for
//   it), a stale key is looked up in the team cache before it is paid for,
//   and a new object uploaded after, as foley-gen does.
// {"op": "prefetch", "pool", "depth", "calls": [{"spec", "origin"}...],
//   "env_key", "build_id"}: `foley build` hands over every stale generation of
//   one API profile before ninja starts, so that the server makes the calls
//   back to back, `depth` at a time, while ninja's clients only pick the
//   results up: no process start stands between two paid calls. Items not yet
//   started are dropped when the connection closes (ninja done or interrupted).
//
// The pool's `depth` is a limit on every call to that profile, prefetched or
// not (slots shared by all), so the API never sees more than the pool allows.
// `client_gone` says when to start no new request: a call not yet sent then
// answers {"cancelled": true} (its client makes the call itself), a prefetch
// stops taking items.
// The key travels with each message, as the asker's environment has it.
nlohmann::json serve_api_call(const nlohmann::json& msg, const std::function<bool()>& client_gone);

}  // namespace foley::server
