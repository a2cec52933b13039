#include <catch2/catch.hpp>

#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "common/error.h"
#include "tensor/safetensors.h"
#include "test_util.h"

using namespace foley::tensor;
namespace fs = std::filesystem;

namespace {

// A fresh empty directory under the system temp dir, removed at scope exit.
struct TempDir {
  fs::path path;
  TempDir() {
    path = fs::temp_directory_path() / ("foley-safetensors-" + std::to_string(::getpid()) + "-" +
                                        std::to_string(reinterpret_cast<uintptr_t>(this)));
    fs::remove_all(path);
    fs::create_directories(path);
  }
  ~TempDir() { fs::remove_all(path); }
};

void write_bytes(const fs::path& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

// 8-byte little-endian length + header + data.
std::string raw_file(const std::string& header, const std::string& data, uint64_t declared_len = UINT64_MAX) {
  const uint64_t len = declared_len == UINT64_MAX ? header.size() : declared_len;
  std::string out(8, '\0');
  for (int i = 0; i < 8; ++i) out[static_cast<size_t>(i)] = static_cast<char>((len >> (8 * i)) & 0xff);
  return out + header + data;
}

// Expects parse_safetensors_header to throw a foley::Error whose message has every fragment.
void expect_rejected(const std::string& bytes, const std::vector<std::string>& fragments) {
  try {
    parse_safetensors_header(bytes, "bad.safetensors");
    FAIL("accepted an invalid file");
  } catch (const foley::Error& e) {
    const std::string message = e.what();
    INFO(message);
    CHECK(message.rfind("bad.safetensors: ", 0) == 0);
    for (const std::string& f : fragments) CHECK(message.find(f) != std::string::npos);
  }
}

}  // namespace

TEST_CASE("save_safetensors -> SafetensorsFile round trip, zero-copy views") {
  TempDir dir;
  std::map<std::string, Tensor> tensors = {
      {"a.weight", testing::random_tensor({3, 4}, 1)},
      {"b.half", testing::random_tensor({5}, 2).to(DType::kF16)},
      {"c.bf16", testing::random_tensor({2, 2}, 3).to(DType::kBF16)},
      {"ids", Tensor::from_vector(std::vector<int64_t>{1, -2, 3})},
      {"mask", Tensor::from_vector(std::vector<int32_t>{1, 0})},
      {"empty", Tensor::zeros({0, 4})},
      {"scalar", Tensor::full({}, 4.5)},
  };
  const fs::path path = dir.path / "sub" / "w.safetensors";
  save_safetensors(path, tensors, {{"format", "pt"}});
  const SafetensorsFile file = SafetensorsFile::open(path);
  CHECK(file.header().metadata.at("format") == "pt");
  CHECK(file.names().size() == tensors.size());
  for (const auto& [name, t] : tensors) {
    INFO(name);
    const Tensor loaded = file.get(name);
    CHECK(loaded.dtype() == t.dtype());
    CHECK(loaded.shape() == t.shape());
    CHECK(std::string(static_cast<const char*>(loaded.raw_data()), loaded.nbytes()) ==
          std::string(static_cast<const char*>(t.raw_data()), t.nbytes()));
  }
  // Two tensors of one file share the mapping; the view outlives the file object.
  Tensor kept;
  {
    const SafetensorsFile again = SafetensorsFile::open(path);
    kept = again.get("a.weight");
    CHECK(kept.shares_storage(again.get("ids")));
    CHECK_FALSE(kept.storage()->owned());
  }
  CHECK(kept.to_vector_f32() == tensors["a.weight"].to_vector_f32());
  // The bytes are what the serializer produces; no temp files are left behind.
  std::ifstream in(path, std::ios::binary);
  const std::string on_disk((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  CHECK(on_disk == serialize_safetensors(tensors, {{"format", "pt"}}));
  CHECK(std::distance(fs::directory_iterator(path.parent_path()), fs::directory_iterator()) == 1);
  CHECK_THROWS_WITH(file.get("nope"), Catch::Contains("w.safetensors") && Catch::Contains("\"nope\""));
}

TEST_CASE("header validation rejects corrupt files with a message naming file and tensor") {
  const std::string ok_header = R"({"t":{"dtype":"F32","shape":[2,2],"data_offsets":[0,16]}})";
  const std::string data(16, '\x01');
  REQUIRE_NOTHROW(parse_safetensors_header(raw_file(ok_header, data), "ok"));

  SECTION("too short for the length") { expect_rejected("abc", {"too short"}); }
  SECTION("header length past the end") { expect_rejected(raw_file(ok_header, data, 4096), {"runs past the end"}); }
  SECTION("absurd header length") { expect_rejected(raw_file(ok_header, data, uint64_t{1} << 40), {"100 MB"}); }
  SECTION("truncated data") {
    expect_rejected(raw_file(ok_header, data.substr(0, 10)), {"\"t\"", "past the end of the data section"});
  }
  SECTION("bad JSON") { expect_rejected(raw_file(R"({"t":{"dtype":"F32",)", ""), {"not valid JSON"}); }
  SECTION("JSON that is not an object") { expect_rejected(raw_file("[1,2,3]", ""), {"not a JSON object"}); }
  SECTION("unknown dtype") {
    expect_rejected(raw_file(R"({"t":{"dtype":"Q4","shape":[4],"data_offsets":[0,4]}})", std::string(4, 0)),
                    {"\"t\"", "unknown dtype \"Q4\""});
  }
  SECTION("dtype/shape and byte span disagree") {
    expect_rejected(raw_file(R"({"t":{"dtype":"F16","shape":[2,2],"data_offsets":[0,16]}})", data),
                    {"\"t\"", "needs 8 bytes", "span 16"});
  }
  SECTION("overlapping spans") {
    expect_rejected(raw_file(R"({"a":{"dtype":"F32","shape":[3],"data_offsets":[0,12]},)"
                             R"("b":{"dtype":"F32","shape":[2],"data_offsets":[8,16]}})",
                             data),
                    {"\"b\"", "overlaps tensor \"a\""});
  }
  SECTION("negative dim") {
    expect_rejected(raw_file(R"({"t":{"dtype":"F32","shape":[-1,4],"data_offsets":[0,16]}})", data), {"\"t\"", "negative"});
  }
  SECTION("dims whose product overflows") {
    expect_rejected(raw_file(R"({"t":{"dtype":"F32","shape":[4294967296,4294967296,16],"data_offsets":[0,16]}})", data),
                    {"\"t\"", "overflows"});
  }
  SECTION("absurd single dim") {
    expect_rejected(raw_file(R"({"t":{"dtype":"U8","shape":[18446744073709551615],"data_offsets":[0,16]}})", data),
                    {"\"t\"", "absurd"});
  }
  SECTION("offsets out of order") {
    expect_rejected(raw_file(R"({"t":{"dtype":"F32","shape":[0],"data_offsets":[8,4]}})", data), {"end before"});
  }
  SECTION("missing fields") {
    expect_rejected(raw_file(R"({"t":{"dtype":"F32","shape":[4]}})", data), {"\"t\"", "data_offsets"});
    expect_rejected(raw_file(R"({"t":{"shape":[4],"data_offsets":[0,16]}})", data), {"\"t\"", "dtype"});
    expect_rejected(raw_file(R"({"t":{"dtype":"F32","data_offsets":[0,16]}})", data), {"\"t\"", "shape"});
    expect_rejected(raw_file(R"({"t":7})", data), {"\"t\"", "not a JSON object"});
  }
  SECTION("fractional offsets") {
    expect_rejected(raw_file(R"({"t":{"dtype":"F32","shape":[4],"data_offsets":[0,16.0]}})", data), {"data_offsets"});
  }
  SECTION("metadata must be an object") {
    expect_rejected(raw_file(R"({"__metadata__":"x"})", ""), {"__metadata__"});
  }
}

TEST_CASE("known but unsupported dtypes load, and get() names the dtype") {
  TempDir dir;
  const fs::path path = dir.path / "m.safetensors";
  write_bytes(path, raw_file(R"({"__metadata__":{"k":"v","n":3},"flag":{"dtype":"BOOL","shape":[4],"data_offsets":[0,4]},)"
                             R"("x":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}})",
                             std::string(8, '\0')));
  const SafetensorsFile file = SafetensorsFile::open(path);
  CHECK(file.header().metadata.at("n") == "3");
  CHECK_FALSE(file.entry("flag").supported);
  CHECK_THROWS_WITH(file.get("flag"), Catch::Contains("BOOL") && Catch::Contains("\"flag\""));
  CHECK(file.get("x").item() == 0.0);
}

TEST_CASE("misaligned tensor data is copied into aligned memory") {
  TempDir dir;
  const fs::path path = dir.path / "odd.safetensors";
  // Header of 61 bytes: data starts at offset 69, so the F32 tensor at data offset 1 is misaligned.
  std::string header = R"({"pad":{"dtype":"U8","shape":[1],"data_offsets":[0,1]},"x":{"dtype":"F32","shape":[1],"data_offsets":[1,5]}})";
  const float value = 2.5f;
  std::string data(1, '\0');
  data.append(reinterpret_cast<const char*>(&value), 4);
  write_bytes(path, raw_file(header, data));
  const SafetensorsFile file = SafetensorsFile::open(path);
  const Tensor x = file.get("x");
  CHECK(reinterpret_cast<uintptr_t>(x.raw_data()) % 4 == 0);
  CHECK(x.item() == 2.5);
}

TEST_CASE("SafetensorsFile::open errors name the path") {
  TempDir dir;
  CHECK_THROWS_WITH(SafetensorsFile::open(dir.path / "missing.safetensors"), Catch::Contains("missing.safetensors"));
  write_bytes(dir.path / "empty.safetensors", "");
  CHECK_THROWS_WITH(SafetensorsFile::open(dir.path / "empty.safetensors"),
                    Catch::Contains("empty.safetensors") && Catch::Contains("too short"));
  CHECK_THROWS_AS(SafetensorsFile::open(dir.path), foley::Error);
}

TEST_CASE("WeightMap loads single files, sharded indexes, and refuses bad folders") {
  TempDir dir;
  const Tensor w = testing::random_tensor({4, 3}, 1);
  const Tensor b = testing::random_tensor({4}, 2);

  const fs::path single = dir.path / "unet";
  save_safetensors(single / "diffusion_pytorch_model.safetensors", {{"w", w}, {"b", b}});
  const WeightMap unet = WeightMap::load_dir(single);
  CHECK(unet.names() == std::vector<std::string>{"b", "w"});
  CHECK(unet.get("w", {4, 3}).to_vector_f32() == w.to_vector_f32());
  CHECK(unet.total_bytes() == 64);
  CHECK_THROWS_WITH(unet.get("w", {3, 4}), Catch::Contains("\"w\"") && Catch::Contains("[4, 3]") && Catch::Contains("[3, 4]"));
  CHECK_THROWS_WITH(unet.get("missing"), Catch::Contains("unet") && Catch::Contains("\"missing\""));
  // f16 storage converted on request.
  save_safetensors(dir.path / "half" / "model.safetensors", {{"w", w.to(DType::kF16)}});
  CHECK(WeightMap::load_dir(dir.path / "half").get("w", {4, 3}).dtype() == DType::kF32);

  const fs::path sharded = dir.path / "text_encoder_2";
  save_safetensors(sharded / "model-00001-of-00002.safetensors", {{"w", w}});
  save_safetensors(sharded / "model-00002-of-00002.safetensors", {{"b", b}});
  write_bytes(sharded / "model.safetensors.index.json",
              R"({"metadata":{},"weight_map":{"w":"model-00001-of-00002.safetensors","b":"model-00002-of-00002.safetensors"}})");
  const WeightMap t5 = WeightMap::load_dir(sharded);
  CHECK(t5.contains("w"));
  CHECK(t5.get("b").to_vector_f32() == b.to_vector_f32());

  write_bytes(sharded / "model.safetensors.index.json", R"({"weight_map":{"w":"model-00002-of-00002.safetensors"}})");
  CHECK_THROWS_WITH(WeightMap::load_dir(sharded), Catch::Contains("\"w\""));
  write_bytes(sharded / "model.safetensors.index.json", R"({"weight_map":{"w":"../../etc/passwd"}})");
  CHECK_THROWS_WITH(WeightMap::load_dir(sharded), Catch::Contains("plain file name"));

  const fs::path dup = dir.path / "dup";
  save_safetensors(dup / "a.safetensors", {{"w", w}});
  save_safetensors(dup / "b.safetensors", {{"w", w}});
  CHECK_THROWS_WITH(WeightMap::load_dir(dup), Catch::Contains("appears in both"));

  const fs::path pickle = dir.path / "vocoder";
  fs::create_directories(pickle);
  write_bytes(pickle / "pytorch_model.bin", "not loaded");
  CHECK_THROWS_WITH(WeightMap::load_dir(pickle), Catch::Contains("pickle"));
  CHECK_THROWS_WITH(WeightMap::load_dir(dir.path / "nothing"), Catch::Contains("not a directory"));
}

TEST_CASE("a WeightMap places matrices in the placement's dtype, vectors and tables in f32") {
  TempDir dir;
  const Tensor w = testing::random_tensor({4, 3}, 1);
  const Tensor b = testing::random_tensor({4}, 2);
  const Tensor table = testing::random_tensor({5, 3}, 3);
  save_safetensors(dir.path / "m" / "model.safetensors", {{"w", w}, {"b", b}, {"table", table}});

  // The CPU placement: f32 zero-copy views of the mapping, as before placements.
  const WeightMap cpu = WeightMap::load_dir(dir.path / "m");
  CHECK(cpu.placement().device == Device::cpu());
  CHECK(cpu.get("w", {4, 3}).dtype() == DType::kF32);
  CHECK(cpu.get("w", {4, 3}).shares_storage(cpu.get("b", {4})));
  CHECK(cpu.get("w", {4, 3}).to_vector_f32() == w.to_vector_f32());

  // The rule, shown on the host: bf16 matrices, f32 everything else.
  const WeightMap half = WeightMap::load_dir(dir.path / "m", Placement{Device::cpu(), DType::kBF16});
  CHECK(half.get("w", {4, 3}).dtype() == DType::kBF16);
  CHECK(half.get("w", {4, 3}).to_vector_f32() == w.to(DType::kBF16).to_vector_f32());
  CHECK(half.get("w", {4, 3}, DType::kF32).dtype() == DType::kF32);
  CHECK(half.get("b", {4}).dtype() == DType::kF32);
  CHECK(half.get_table("table", {5, 3}).dtype() == DType::kF32);
  CHECK(half.get_table("table", {5, 3}).to_vector_f32() == table.to_vector_f32());
  CHECK_THROWS_WITH(half.get_table("table", {3, 5}), Catch::Contains("\"table\""));
  CHECK(half.place(w).dtype() == DType::kBF16);
  CHECK(half.place(b).dtype() == DType::kF32);
  // Another placement over the same files.
  CHECK(half.with_placement(Placement::cpu()).get("w", {4, 3}).dtype() == DType::kF32);
  CHECK(half.with_placement(Placement::cpu()).source() == half.source());
}
