// libFuzzer target for the safetensors header validator (the in-memory twin of
// SafetensorsFile::open). Properties checked on every input:
// - parse_safetensors_header never crashes: it accepts or throws foley::Error;
// - an accepted header's spans lie inside the data section and do not overlap,
//   and every supported tensor can be viewed, re-serialised and parsed back.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <map>
#include <string>
#include <string_view>

#include "common/error.h"
#include "tensor/safetensors.h"

using namespace foley::tensor;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  // Copy into an 8-byte aligned buffer, as an mmap would be page aligned.
  std::string bytes(reinterpret_cast<const char*>(data), size);
  SafetensorsHeader header;
  try {
    header = parse_safetensors_header(bytes, "fuzz.safetensors");
  } catch (const foley::Error&) {
    return 0;
  }
  const uint64_t data_size = size - header.data_offset;
  uint64_t previous_end = 0;
  std::map<std::string, Tensor> tensors;
  auto storage = Storage::borrow(bytes.data(), bytes.size(), nullptr);
  for (const SafetensorsEntry& e : header.entries) {
    if (e.end > data_size || e.begin > e.end) std::abort();
    if (e.begin != e.end) {
      if (e.begin < previous_end) std::abort();
      previous_end = e.end;
    }
    if (!e.supported) continue;
    Tensor view = Tensor::from_storage(storage, header.data_offset + e.begin, e.shape, e.dtype).clone();
    if (view.nbytes() != e.end - e.begin) std::abort();
    tensors[e.name] = view;
  }
  if (tensors.size() > 64) return 0;  // keep the round trip cheap
  try {
    const std::string again = serialize_safetensors(tensors, header.metadata);
    const SafetensorsHeader reparsed = parse_safetensors_header(again, "roundtrip");
    if (reparsed.entries.size() != tensors.size()) std::abort();
  } catch (const foley::Error&) {
    // Names the writer refuses (e.g. "__metadata__" cannot occur here) are fine.
  }
  return 0;
}
