// main() of the CUDA test binaries: runs the Catch2 session only when a CUDA
// device this build can use is present; otherwise prints why on stdout and
// exits 77, which CTest reports as "Skipped" (SKIP_RETURN_CODE), so a
// missing GPU is visible in every `make test` and never counts as a pass.
#define CATCH_CONFIG_RUNNER
#include <catch2/catch.hpp>

#include <cstdio>
#include <string>

#ifdef FOLEY_HAVE_CUDA
#include "tensor/cuda/runtime.h"
#endif

int main(int argc, char** argv) {
#ifdef FOLEY_HAVE_CUDA
  const std::string problem = foley::tensor::cuda::device_problem(0);
  if (!problem.empty()) {
    std::printf("SKIPPED: no usable CUDA device: cuda:0: %s\n", problem.c_str());
    return 77;
  }
  return Catch::Session().run(argc, argv);
#else
  (void)argc;
  (void)argv;
  std::printf("SKIPPED: this build has no CUDA backend (configured with FOLEY_CUDA=OFF or without nvcc)\n");
  return 77;
#endif
}
