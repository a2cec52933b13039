// The audioldm2 engine: request validation, the WAV it writes, and the real
// pipeline in-process on the tiny random-weight model.
#include <catch2/catch.hpp>
#include <cmath>

#include "audio/audio_reader.h"
#include "engines/audioldm2/audioldm2_engine.h"
#include "engines/audioldm2/audioldm2_params.h"
#include "engines/audioldm2/audioldm2_pipeline_generator.h"
#include "engines/registry.h"
#include "common/atomic_file.h"
#include "engines/audioldm2_fake_generator.h"
#include "models/poisoned_model.h"
#include "tensor/cuda/select_device.h"

using namespace foley;
using namespace foley::testing;

namespace {

engines::AudioLdm2EngineOptions in_process(engines::GeneratorLoader loader) {
  engines::AudioLdm2EngineOptions o;
  o.loader = std::move(loader);
  o.use_server = false;
  o.handle_signals = false;
  return o;
}

std::string validation_error(const GenRequest& r) {
  try {
    engines::resolve_audioldm2_request(r);
  } catch (const Error& e) {
    CHECK(e.exit_code() == 2);
    return e.what();
  }
  return "";
}

}  // namespace

TEST_CASE("audioldm2 requests are validated field by field", "[audioldm2]") {
  GenRequest base = fake_request("/tmp/c", 1);
  CHECK(validation_error(base).empty());

  auto with = [&](const char* field, nlohmann::json value, bool setting = false) {
    GenRequest r = base;
    (setting ? r.settings : r.key_fields)[field] = std::move(value);
    return validation_error(r);
  };
  CHECK_THAT(with("duration", 0.0), Catch::Contains("duration") && Catch::Contains("(0, 150]"));
  CHECK_THAT(with("duration", 150.5), Catch::Contains("duration"));
  CHECK(with("duration", 150.0).empty());
  CHECK(with("duration", "auto").empty());
  CHECK_THAT(with("steps", 0), Catch::Contains("steps"));
  CHECK_THAT(with("guidance", -1.0), Catch::Contains("guidance"));
  CHECK_THAT(with("scheduler", "euler"), Catch::Contains("scheduler") && Catch::Contains("euler"));
  CHECK_THAT(with("seed", -3), Catch::Contains("seed"));
  CHECK_THAT(with("device", "tpu", true), Catch::Contains("tpu"));
  // No CUDA in this build: a clear error naming the profile.
  std::string cuda = with("device", "cuda", true);
  CHECK_THAT(cuda, Catch::Contains("CUDA") && Catch::Contains("profile \"local\"") && Catch::Contains("test:cue1"));
  CHECK_THAT(with("device", "cuda:1", true), Catch::Contains("CUDA"));
  // prompt_influence is accepted and ignored.
  CHECK(with("prompt_influence", 0.7).empty());

  GenRequest r = base;
  r.settings["device"] = "auto";
  r.key_fields["duration"] = "auto";
  engines::AudioLdm2Request p = engines::resolve_audioldm2_request(r);
  CHECK(p.model.device == "cpu");
  CHECK(p.params.duration_s == Approx(10.24));
  CHECK(p.model.model_dir == "/fake/model");
  CHECK(p.params.negative_prompt == "low quality");

  GenRequest no_model = base;
  no_model.settings.erase("model");
  CHECK_THAT(validation_error(no_model), Catch::Contains("model"));
}

TEST_CASE("make_engine knows audioldm2", "[audioldm2]") {
  auto engine = engines::make_engine("audioldm2");
  CHECK(engine->name() == "audioldm2");
}

TEST_CASE("the engine writes a float32 16 kHz mono WAV with provenance details", "[audioldm2]") {
  TempDir tmp;
  FakeModel m;
  m.load_log = tmp.path / "loads";
  engines::AudioLdm2Engine engine(in_process(fake_loader(m)));
  GenRequest req = fake_request(tmp.path / "cache", 5, /*steps=*/3, /*duration=*/0.5);
  std::vector<double> fractions;
  GenerationResult r =
      engine.generate(req, req.object_path, [&](double f, const std::string&) { fractions.push_back(f); });
  audio::AudioInfo info = audio::probe_audio(req.object_path);
  CHECK(info.sample_rate == 16000);
  CHECK(info.channels == 1);
  CHECK(info.frames == 8000);
  CHECK(info.encoding == "float");
  CHECK(r.duration_seconds == Approx(0.5));
  CHECK(r.generation_seconds > 0.0);
  CHECK(r.details["model_fingerprint"] == "f00d");
  CHECK(r.details["seed"] == 5);
  CHECK(r.details["steps"] == 3);
  CHECK(r.details["scheduler"] == "ddim");
  CHECK(r.details["guidance"] == 3.5);
  CHECK(r.details["device"] == "cpu");
  REQUIRE(fractions.size() >= 3);
  CHECK(fractions.back() == 1.0);

  // A second request on the same model reuses the loaded generator.
  GenRequest again = fake_request(tmp.path / "cache", 6, 3, 0.5);
  engine.generate(again, again.object_path, {});
  CHECK(count_lines(m.load_log) == 1);
}

TEST_CASE("a failed generation leaves nothing at the object path", "[audioldm2]") {
  TempDir tmp;
  engines::AudioLdm2Engine engine(in_process([](const engines::ModelKey&) -> std::shared_ptr<engines::Generator> {
    struct Failing : engines::Generator {
      std::vector<models::CueOutcome> generate(const std::vector<models::Cue>& cues) override {
        if (cues.front().progress) cues.front().progress(1, 2);
        throw Error::failure("out of memory in step 2");
      }
    };
    return std::make_shared<Failing>();
  }));
  GenRequest req = fake_request(tmp.path / "cache", 9);
  CHECK_THROWS_WITH(engine.generate(req, req.object_path, {}), Catch::Contains("out of memory"));
  CHECK_FALSE(fs::exists(req.object_path));
  CHECK(temp_files_under(tmp.path / "cache") == 0);
}

namespace {

GenRequest tiny_request(const fs::path& cache, uint64_t seed) {
  GenRequest r = fake_request(cache, seed, /*steps=*/5, /*duration=*/1.0);
  r.key_fields["scheduler"] = "dpmsolver++";
  r.key_fields["prompt"] = "a dog barking in the distance";
  r.settings["model"] = std::string(FOLEY_SOURCE_DIR) + "/tests/fixtures/tiny-audioldm2";
  return r;
}

}  // namespace

TEST_CASE("the real pipeline on the tiny model: length, rate, reproducible from the seed", "[audioldm2][tiny]") {
  TempDir tmp;
  engines::AudioLdm2Engine engine(in_process(engines::pipeline_generator_loader()));
  GenRequest a = tiny_request(tmp.path / "a", 42);
  GenRequest b = tiny_request(tmp.path / "b", 42);
  GenRequest c = tiny_request(tmp.path / "c", 43);
  int steps_seen = 0;
  engine.generate(a, a.object_path, [&](double f, const std::string& what) {
    if (what.rfind("step ", 0) == 0) steps_seen++;
  });
  CHECK(steps_seen == 5);
  engine.generate(b, b.object_path, {});
  engine.generate(c, c.object_path, {});

  audio::AudioInfo info = audio::probe_audio(a.object_path);
  CHECK(info.sample_rate == 16000);
  CHECK(info.channels == 1);
  CHECK(info.frames == 16000);  // int(1.0 * 16000), after the vocoder's trim
  CHECK(info.encoding == "float");
  std::string bytes_a = read_file(a.object_path);
  CHECK(bytes_a == read_file(b.object_path));  // same seed → identical bytes
  CHECK(bytes_a != read_file(c.object_path));  // another seed → other audio
}

TEST_CASE("in-process generations of one cache run one at a time", "[audioldm2]") {
  // Without the model server, ninja's gpu pool may start several foley-gen
  // clients at once; each would load the model. They take turns instead.
  TempDir tmp;
  FakeModel m;
  m.step_ms = 40;
  std::atomic<int> running{0}, most{0};
  engines::GeneratorLoader counting = [&, inner = fake_loader(m)](const engines::ModelKey& key) {
    class Counting : public engines::Generator {
     public:
      Counting(std::shared_ptr<engines::Generator> g, std::atomic<int>& r, std::atomic<int>& mx)
          : g_(std::move(g)), r_(r), mx_(mx) {}
      std::vector<models::CueOutcome> generate(const std::vector<models::Cue>& cues) override {
        const int now = ++r_;
        int seen = mx_.load();
        while (now > seen && !mx_.compare_exchange_weak(seen, now)) {
        }
        std::vector<models::CueOutcome> w = g_->generate(cues);
        --r_;
        return w;
      }

     private:
      std::shared_ptr<engines::Generator> g_;
      std::atomic<int>& r_;
      std::atomic<int>& mx_;
    };
    return std::make_shared<Counting>(inner(key), running, most);
  };
  std::vector<std::thread> clients;
  std::vector<GenRequest> requests;
  for (int i = 0; i < 3; ++i) requests.push_back(fake_request(tmp.path / "cache", 10 + i, /*steps=*/5, 0.25));
  for (int i = 0; i < 3; ++i)
    clients.emplace_back([&, i] {
      engines::AudioLdm2Engine engine(in_process(counting));  // one engine per client, as one process each
      engine.generate(requests[i], requests[i].object_path, {});
    });
  for (auto& t : clients) t.join();
  CHECK(most.load() == 1);
  for (const auto& r : requests) CHECK(fs::exists(r.object_path));
  CHECK(fs::exists(tmp.path / "cache" / "in-process.lock"));
}

TEST_CASE("a generation that turns non-finite fails, exit 1, and leaves no object", "[audioldm2][tiny]") {
  TempDir tmp;
  models::testing::copy_tiny_model(tmp.path / "model");
  models::testing::poison_weight(tmp.path / "model/unet/diffusion_pytorch_model.safetensors", "conv_out.bias");
  engines::AudioLdm2Engine engine(in_process(engines::pipeline_generator_loader()));
  GenRequest req = tiny_request(tmp.path / "cache", 42);
  req.settings["model"] = (tmp.path / "model").string();
  try {
    engine.generate(req, req.object_path, {});
    FAIL("a NaN weight produced an object");
  } catch (const Error& e) {
    CHECK(e.exit_code() == 1);
    CHECK_THAT(e.what(), Catch::Contains("latents after dpmsolver++ step 1/5"));
  }
  CHECK_FALSE(fs::exists(req.object_path));
  CHECK(temp_files_under(tmp.path / "cache") == 0);
}

TEST_CASE("device = \"cuda\" fails with the reason where CUDA cannot run, and loads there where it can",
          "[audioldm2][device]") {
  GenRequest req = fake_request("/tmp/c", 1);
  req.settings["device"] = "cuda";
  req.settings["threads"] = 3;
  engines::ModelKey key;
  key.model_dir = std::string(FOLEY_SOURCE_DIR) + "/tests/fixtures/tiny-audioldm2";
  key.fingerprint = "f00d";
  key.device = "cuda:0";

  if (tensor::cuda_device_count() == 0) {
    // The reason select_device gives, not a failure from deep in the tensor
    // code ("CUDA is not built in") once weights start to move.
    const std::string reason = tensor::cuda_built() ? "no CUDA device" : "no CUDA backend";
    std::string message = validation_error(req);
    CHECK_THAT(message, Catch::Contains("test:cue1") && Catch::Contains("profile \"local\"") &&
                            Catch::Contains("cuda:0") && Catch::Contains(reason));
    CHECK_THAT(message, !Catch::Contains("is not built in"));
    // A key naming the device (a spec read elsewhere) fails the same way, at
    // load, before any weight is read.
    try {
      engines::load_pipeline_generator(key);
      FAIL("loading onto cuda:0 without a usable CUDA device succeeded");
    } catch (const Error& e) {
      CHECK_THAT(e.what(), Catch::Contains(reason) && !Catch::Contains("is not built in"));
    }
  } else {
    engines::ModelKey resolved = engines::resolve_audioldm2_request(req).model;
    CHECK(resolved.device == "cuda:0");
    CHECK(resolved.threads == 0);  // threads size the CPU's pools; one model per GPU
    // The tiny model loads onto the GPU and generates finite audio there.
    std::shared_ptr<engines::Generator> generator = engines::load_pipeline_generator(key);
    models::Cue cue;
    cue.params.prompt = "a dog barking in the distance";
    cue.params.duration_s = 1.0;
    cue.params.steps = 2;
    std::vector<models::CueOutcome> out = generator->generate({cue});
    REQUIRE(!out.front().error);
    const std::vector<float> samples = out.front().waveform.to(tensor::Device::cpu()).to_vector_f32();
    CHECK(samples.size() == 16000);  // 16 kHz
    for (float v : samples) REQUIRE(std::isfinite(v));
  }
}
