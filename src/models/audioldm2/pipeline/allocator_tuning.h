#pragma once

namespace foley::models {

// Keeps freed activation buffers in the process heap instead of handing them
// back to the kernel (glibc: mmap threshold raised to its 32 MB maximum, trim
// threshold 1 GB). Every op returns a fresh tensor, so without this each
// multi-megabyte activation is an mmap + page faults + munmap: measured ~13 %
// of the VAE decode's CPU time in clear_page (docs/performance.md). Idempotent;
// a no-op outside glibc. Called when a generation pipeline is loaded.
void tune_allocator_for_inference();

}  // namespace foley::models
