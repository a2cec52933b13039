# The manifest parser + validator fuzzer (docs/testing.md has the run commands;
# tests/fixtures/manifests/seeds is its seed corpus, fuzz.dict its dictionary).
foley_fuzzer(manifest DEPS foley_manifest)
# Coverage feedback needs the code under test instrumented, not only the
# fuzzer's own file. This file is read only in the fuzz build (FOLEY_FUZZ=ON).
target_compile_options(foley_manifest PRIVATE -fsanitize=fuzzer-no-link,address,undefined)
