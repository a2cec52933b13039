#include "engines/exec/exec_engine.h"

#include <chrono>
#include <cstdlib>
#include <sstream>

#include "audio/audio_reader.h"
#include "common/atomic_file.h"
#include "common/error.h"
#include "common/subprocess.h"
#include "engines/catalog.h"

namespace foley::engines {
namespace {

std::string cues_of(const GenRequest& r) {
  std::string s;
  for (const auto& c : r.cues) s += (s.empty() ? "" : ", ") + c;
  return s.empty() ? r.gen_key : s;
}

std::string number_text(const nlohmann::json& v) {
  if (v.is_string()) return v.get<std::string>();
  if (v.is_boolean()) return v.get<bool>() ? "true" : "false";
  if (v.is_number_integer()) return std::to_string(v.get<long long>());
  std::ostringstream ss;
  ss << v.get<double>();
  return ss.str();
}

std::string last_lines(const std::string& text, int n) {
  size_t pos = text.size();
  while (n-- > 0 && pos > 0) {
    pos = text.rfind('\n', pos - 1);
    if (pos == std::string::npos) return text;
  }
  return text.substr(pos + 1);
}

}  // namespace

std::map<std::string, std::string> exec_placeholder_values(const GenRequest& request) {
  std::map<std::string, std::string> values;
  for (const char* name : {"prompt", "negative_prompt", "duration", "seed", "prompt_influence", "loop", "cue",
                           "sample_rate"}) {
    auto it = request.key_fields.find(name);
    if (it != request.key_fields.end()) values[name] = number_text(*it);
  }
  // Take 0's key has no take field (a single take keeps its key).
  auto take = request.key_fields.find(kTakeKeyField);
  values["take"] = take != request.key_fields.end() ? number_text(*take) : "0";
  return values;
}

std::string expand_placeholders(const std::string& arg, const std::map<std::string, std::string>& values) {
  std::string out;
  size_t i = 0;
  while (i < arg.size()) {
    if (arg[i] == '{') {
      size_t close = arg.find('}', i);
      // Only `{` [a-z_]+ `}` is a placeholder (as the manifest validator reads it);
      // other braces, e.g. a shell group `{ a; b; }`, are literal.
      bool is_placeholder = close != std::string::npos && close > i + 1;
      for (size_t k = i + 1; is_placeholder && k < close; ++k)
        is_placeholder = (arg[k] >= 'a' && arg[k] <= 'z') || arg[k] == '_';
      if (is_placeholder) {
        std::string name = arg.substr(i + 1, close - i - 1);
        auto it = values.find(name);
        if (it == values.end()) throw Error("exec command: unknown placeholder {" + name + "}");
        out += it->second;
        i = close + 1;
        continue;
      }
    }
    out += arg[i++];
  }
  return out;
}

void ExecEngine::validate(const GenRequest& request) const {
  auto cmd = request.settings.find("command");
  if (cmd == request.settings.end() || !cmd->is_array() || cmd->empty())
    throw Error("cue " + cues_of(request) + ": exec profile \"" + request.profile + "\" has no command");
  auto values = exec_placeholder_values(request);
  values["out"] = "";
  for (const auto& arg : *cmd) expand_placeholders(arg.get<std::string>(), values);
}

GenerationResult ExecEngine::generate(const GenRequest& request, const std::filesystem::path& out_path,
                                      const ProgressFn& progress) {
  validate(request);
  auto start = std::chrono::steady_clock::now();
  TempFile tmp(out_path);
  auto values = exec_placeholder_values(request);
  values["out"] = tmp.path().string();

  std::vector<std::string> argv;
  const auto& command = request.settings["command"];
  if (request.settings.value("shell", false)) {
    // One script; every placeholder becomes a quoted environment variable.
    std::map<std::string, std::string> refs;
    for (const auto& [name, value] : values) {
      std::string var = "FOLEY_" + name;
      for (auto& ch : var) ch = static_cast<char>(toupper(static_cast<unsigned char>(ch)));
      ::setenv(var.c_str(), value.c_str(), 1);
      refs[name] = "\"$" + var + "\"";
    }
    std::string script;
    for (const auto& arg : command) script += (script.empty() ? "" : " ") + expand_placeholders(arg, refs);
    argv = {"/bin/sh", "-c", script};
  } else {
    for (const auto& arg : command) argv.push_back(expand_placeholders(arg.get<std::string>(), values));
  }
  if (progress) progress(0.0, "running " + argv[0]);
  SubprocessResult result = run_subprocess(argv, /*capture=*/true);
  if (result.exit_code != 0)
    throw Error::failure("cue " + cues_of(request) + ": exec command `" + command[0].get<std::string>() +
                         "` failed with exit code " + std::to_string(result.exit_code) + ":\n" +
                         last_lines(result.output, 8));
  std::error_code ec;
  if (std::filesystem::file_size(tmp.path(), ec) == 0 || ec)
    throw Error::failure("cue " + cues_of(request) + ": exec command wrote nothing to {out}");
  audio::AudioInfo info;
  try {
    info = audio::probe_audio(tmp.path());
  } catch (const Error& e) {
    throw Error::failure("cue " + cues_of(request) + ": exec command's output is not audio: " + e.what());
  }
  tmp.commit();
  GenerationResult r;
  r.duration_seconds = info.duration_seconds;
  r.generation_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  r.details = {{"command", argv[0]}};
  if (progress) progress(1.0, "done");
  return r;
}

}  // namespace foley::engines
