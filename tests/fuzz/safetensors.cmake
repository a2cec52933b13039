foley_fuzzer(safetensors DEPS foley_tensor)
# Instrument the loader itself so libFuzzer sees its branches.
target_compile_options(foley_tensor PRIVATE -fsanitize=fuzzer-no-link,address,undefined)
