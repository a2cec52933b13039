#include "engines/elevenlabs/elevenlabs_settings.h"

#include <cctype>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include "common/error.h"
#include "engines/catalog.h"

namespace foley::engines {
namespace {

// `s` holds every key with a default (with_row_defaults).
double number_setting(const nlohmann::json& s, const char* key, double min, const std::string& context) {
  const auto& v = s.at(key);
  if (!v.is_number()) throw Error(context + ": setting `" + key + "` must be a number");
  double d = v.get<double>();
  if (d < min) {
    std::ostringstream m;
    m << context << ": setting `" << key << "` must be at least " << min << ", not " << d;
    throw Error(m.str());
  }
  return d;
}

std::string trim(const std::string& s) {
  size_t b = 0, e = s.size();
  while (b < e && std::isspace(static_cast<unsigned char>(s[b]))) ++b;
  while (e > b && std::isspace(static_cast<unsigned char>(s[e - 1]))) --e;
  return s.substr(b, e - b);
}

// The given settings over the catalog row's defaults.
nlohmann::json with_row_defaults(const nlohmann::json& given) {
  nlohmann::json s = nlohmann::json::object();
  for (const SettingSpec& spec : engine_row("elevenlabs").settings)
    if (!spec.fallback.is_null()) s[spec.name] = spec.fallback;
  if (given.is_object())
    for (const auto& [key, value] : given.items())
      if (!value.is_null()) s[key] = value;
  return s;
}

}  // namespace

ElevenLabsSettings parse_elevenlabs_settings(const nlohmann::json& given, const std::string& context) {
  if (!given.is_null() && !given.is_object()) throw Error(context + ": settings must be an object");
  const nlohmann::json s = with_row_defaults(given);
  ElevenLabsSettings out;
  if (!s.at("base_url").is_string() || s.at("base_url").get<std::string>().empty())
    throw Error(context + ": setting `base_url` must be a non-empty string");
  out.base_url = s.at("base_url").get<std::string>();
  while (!out.base_url.empty() && out.base_url.back() == '/') out.base_url.pop_back();
  if (!s.at("tier").is_string()) throw Error(context + ": setting `tier` must be a string");
  out.tier = s.at("tier").get<std::string>();
  if (s.contains("api_key_file")) {
    if (!s.at("api_key_file").is_string()) throw Error(context + ": setting `api_key_file` must be a path");
    out.api_key_file = s.at("api_key_file").get<std::string>();
  }
  double attempts = number_setting(s, "max_attempts", 1, context);
  out.retry.max_attempts = static_cast<int>(attempts);
  out.retry.backoff_seconds = number_setting(s, "backoff_seconds", 0, context);
  out.retry.jitter_seconds = number_setting(s, "jitter_seconds", 0, context);
  out.retry.max_retry_after = number_setting(s, "max_retry_after", 0, context);
  out.connect_timeout = number_setting(s, "connect_timeout", 0.001, context);
  out.timeout = number_setting(s, "timeout", 0, context);
  out.stall_seconds = number_setting(s, "stall_seconds", 0, context);
  out.credits_per_second = number_setting(s, "credits_per_second", 0, context);
  out.credits_per_generation = number_setting(s, "credits_per_generation", 0, context);
  if (s.contains("pool")) {
    const auto& p = s.at("pool");
    if (!p.is_object() || !p.contains("name") || !p.at("name").is_string() || !p.contains("depth") ||
        !p.at("depth").is_number_integer() || p.at("depth").get<int>() < 1)
      throw Error(context + ": setting `pool` must be {name, depth >= 1} (re-run `foley plan`)");
    out.pool_name = p.at("name").get<std::string>();
    out.pool_depth = p.at("depth").get<int>();
  }
  return out;
}

std::string resolve_elevenlabs_api_key(const ElevenLabsSettings& settings, const std::string& profile,
                                      const std::optional<std::string>& caller_env) {
  std::string where = profile.empty() ? "the elevenlabs profile" : "profile \"" + profile + "\"";
  std::string key;
  const char* env = caller_env ? caller_env->c_str() : std::getenv("ELEVENLABS_API_KEY");
  if (env != nullptr && env[0] != '\0') {
    key = trim(env);
  } else if (!settings.api_key_file.empty()) {
    std::ifstream in(settings.api_key_file, std::ios::binary);
    if (!in)
      throw Error("cannot read the ElevenLabs API key file " + settings.api_key_file.string() + " named by " + where +
                  " (api_key_file)");
    std::ostringstream ss;
    ss << in.rdbuf();
    key = trim(ss.str());
    if (key.empty())
      throw Error("the ElevenLabs API key file " + settings.api_key_file.string() + " named by " + where +
                  " is empty");
  } else {
    throw Error("no ElevenLabs API key for " + where +
                ": set ELEVENLABS_API_KEY in the environment, or name a key file with `api_key_file` in its "
                "[engines.<name>] table of foley.toml; or generate locally with an `audioldm2` profile instead");
  }
  for (char c : key) {
    if (c == '\r' || c == '\n' || c == '\0')
      throw Error("the ElevenLabs API key for " + where + " contains a line break or NUL; check its source");
  }
  return key;
}

}  // namespace foley::engines
