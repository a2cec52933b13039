#include "engines/elevenlabs/retry.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <chrono>
#include <cstring>
#include <ctime>

namespace foley::engines {
namespace {

std::string trim(const std::string& s) {
  size_t b = 0, e = s.size();
  while (b < e && std::isspace(static_cast<unsigned char>(s[b]))) ++b;
  while (e > b && std::isspace(static_cast<unsigned char>(s[e - 1]))) --e;
  return s.substr(b, e - b);
}

std::optional<double> parse_seconds(const std::string& s) {
  if (s.empty()) return std::nullopt;
  for (char c : s)
    if (!std::isdigit(static_cast<unsigned char>(c)) && c != '.') return std::nullopt;
  double v = 0;
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || ptr != s.data() + s.size()) return std::nullopt;
  return v;
}

// The three date forms of RFC 9110 §5.6.7, always GMT.
std::optional<std::time_t> parse_http_date(const std::string& s) {
  static const char* const kForms[] = {
      "%a, %d %b %Y %H:%M:%S GMT",  // IMF-fixdate
      "%A, %d-%b-%y %H:%M:%S GMT",  // RFC 850
      "%a %b %d %H:%M:%S %Y",       // asctime
  };
  for (const char* form : kForms) {
    std::tm tm{};
    const char* end = ::strptime(s.c_str(), form, &tm);
    if (end == nullptr || *end != '\0') continue;
    return ::timegm(&tm);
  }
  return std::nullopt;
}

}  // namespace

double RetryPolicy::backoff_delay(int attempt, double u) const {
  return backoff_seconds * attempt + std::clamp(u, 0.0, 1.0) * jitter_seconds;
}

double RetryPolicy::delay_after_rate_limit(const std::string& retry_after, int attempt, double u,
                                           const Clock& clock) const {
  if (auto server = parse_retry_after(retry_after, clock)) return std::min(*server, max_retry_after);
  return backoff_delay(attempt, u);
}

std::optional<double> parse_retry_after(const std::string& value, const Clock& clock) {
  std::string v = trim(value);
  if (auto seconds = parse_seconds(v)) return seconds;
  if (auto when = parse_http_date(v)) {
    auto now = std::chrono::system_clock::to_time_t(clock.now());
    return std::max(0.0, static_cast<double>(*when - now));
  }
  return std::nullopt;
}

}  // namespace foley::engines
