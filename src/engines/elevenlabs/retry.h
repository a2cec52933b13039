#pragma once

#include <optional>
#include <string>

#include "engines/elevenlabs/clock.h"

namespace foley::engines {

// How often and how long to retry a transient failure: linear backoff
// `backoff_seconds × attempt` plus a uniform jitter in [0, jitter_seconds] —
// the old pipeline's 10 s × attempt, made configurable. A profile's values
// (and their defaults) come from its settings: elevenlabs_row.cc.
struct RetryPolicy {
  int max_attempts = 1;             // total attempts, the first one included (>= 1)
  double backoff_seconds = 0.0;     // base of the linear backoff
  double jitter_seconds = 0.0;      // upper bound of the added uniform jitter
  double max_retry_after = 0.0;     // a server's Retry-After is capped at this many seconds

  // The wait after failed attempt number `attempt` (1-based), given a uniform
  // random number `u` in [0, 1).
  double backoff_delay(int attempt, double u) const;

  // The wait after a 429 (or 503) carrying `retry_after` (the header's value,
  // possibly empty): the server's wait when it parses (capped at
  // max_retry_after), else backoff_delay(attempt, u).
  double delay_after_rate_limit(const std::string& retry_after, int attempt, double u, const Clock& clock) const;
};

// Parses a Retry-After value: delay-seconds ("7", "2.5") or an HTTP date
// ("Wed, 21 Oct 2015 07:28:00 GMT", also the obsolete RFC 850 and asctime forms).
// A date is turned into seconds from clock.now(), clamped at 0. Returns nothing
// when the value is neither.
std::optional<double> parse_retry_after(const std::string& value, const Clock& clock);

}  // namespace foley::engines
