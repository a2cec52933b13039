// main() of op_table_tests. Catch2 2.x has no SKIP, so the CUDA column gets its
// own CTest entry: `op_table_tests --cuda-column` runs only that column, and
// without a usable GPU prints why and exits 77, which CTest reports as Skipped.
// Without the flag the CPU column and the coverage check run (the CUDA column
// is a hidden test case, "[cuda]" selects it).
#define CATCH_CONFIG_RUNNER
#include <catch2/catch.hpp>
#include <cstdio>
#include <cstring>
#include <vector>

#include "op_table/op_table_column.h"

int main(int argc, char** argv) {
  std::vector<char*> args;
  bool cuda_column = false;
  for (int i = 0; i < argc; ++i) {
    if (std::strcmp(argv[i], "--cuda-column") == 0)
      cuda_column = true;
    else
      args.push_back(argv[i]);
  }
  char cuda_tag[] = "[cuda]";
  const std::string reason = foley::tensor::op_table::cuda_column_skip_reason();
  if (!reason.empty()) std::printf("CUDA column: SKIPPED (%s)\n", reason.c_str());
  if (cuda_column) {
    if (!reason.empty()) return 77;
    args.push_back(cuda_tag);
  }
  return Catch::Session().run(static_cast<int>(args.size()), args.data());
}
