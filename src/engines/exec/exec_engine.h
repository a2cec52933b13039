#pragma once

#include <map>
#include <string>
#include <vector>

#include "engines/engine.h"

namespace foley::engines {

// Runs a user command template per generation: `command` (argv) with
// {out} {prompt} {negative_prompt} {duration} {seed} {prompt_influence} {loop}
// {cue} {sample_rate}. Arguments are passed as argv — no shell — unless the
// profile sets `shell = true`; then the template is joined into one `sh -c`
// script in which every placeholder reads an environment variable, so a prompt
// can never inject shell syntax. The command writes {out} (a temp file next to
// the object); foley checks it decodes as audio and renames it into place.
class ExecEngine : public Engine {
 public:
  std::string name() const override { return "exec"; }
  void validate(const GenRequest& request) const override;
  GenerationResult generate(const GenRequest& request, const std::filesystem::path& out_path,
                            const ProgressFn& progress) override;
};

// The placeholder values of a request ("prompt" → text, ...), {out} excluded.
std::map<std::string, std::string> exec_placeholder_values(const GenRequest& request);

// Substitutes every {name} of `arg` from `values`; throws foley::Error naming
// an unknown placeholder.
std::string expand_placeholders(const std::string& arg, const std::map<std::string, std::string>& values);

}  // namespace foley::engines
