#pragma once

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include <unistd.h>

namespace foley::manifest::testing {

// A project root in a fresh temp directory, removed with everything in it.
class TempProject {
 public:
  TempProject() {
    std::string pattern = (std::filesystem::temp_directory_path() / "foley-manifest-test-XXXXXX").string();
    if (mkdtemp(pattern.data()) == nullptr) std::abort();
    root_ = pattern;
  }
  ~TempProject() {
    std::error_code ec;
    std::filesystem::remove_all(root_, ec);
  }
  TempProject(const TempProject&) = delete;
  TempProject& operator=(const TempProject&) = delete;

  const std::filesystem::path& root() const { return root_; }

  // Writes `text` to root/rel, creating folders.
  void write(const std::string& rel, const std::string& text) const {
    std::filesystem::path p = root_ / rel;
    std::filesystem::create_directories(p.parent_path());
    std::ofstream(p, std::ios::binary) << text;
  }
  void mkdir(const std::string& rel) const { std::filesystem::create_directories(root_ / rel); }

 private:
  std::filesystem::path root_;
};

// foley.toml with one profile of each engine; "synth" (exec) is the default.
// The audioldm2 profile needs the folder "model" (see with_engines()).
inline const char* kThreeEngines = R"([project]
name = "t"
default_engine = "synth"
[engines.synth]
engine = "exec"
command = ["gen", "{out}", "{prompt}"]
[engines.api]
engine = "elevenlabs"
[engines.local]
engine = "audioldm2"
model = "model"
)";

}  // namespace foley::manifest::testing
