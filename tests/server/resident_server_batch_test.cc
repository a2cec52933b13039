// Batching across cues in the resident model server: the job runner groups
// queued compatible requests (same model, steps, scheduler, latent length)
// into one Generator::generate call, up to max_batch; each client gets
// its own file and result. The last case runs the real tiny model behind a
// real socket with concurrent clients.
#include <catch2/catch.hpp>

#include <cmath>
#include <thread>

#include "audio/audio_reader.h"
#include "engines/audioldm2_fake_generator.h"
#include "engines/audioldm2/audioldm2_pipeline_generator.h"
#include "engines/audioldm2/audioldm2_run.h"
#include "server/jobs.h"
#include "server/memory_ledger.h"

using namespace foley;
using namespace foley::testing;
using foley::server::JobRunner;
using foley::server::ServerJob;

namespace {

std::shared_ptr<ServerJob> make_job(const fs::path& cache, uint64_t seed, int steps) {
  auto job = std::make_shared<ServerJob>();
  job->request = fake_request(cache, seed, steps);
  job->resolved = engines::resolve_audioldm2_request(job->request);
  job->out_path = job->request.object_path;
  return job;
}

// Waits for the job's final message.
nlohmann::json final_of(ServerJob& job) {
  nlohmann::json final_message;
  std::vector<nlohmann::json> events;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (!job.wait(std::chrono::milliseconds(50), events, final_message))
    REQUIRE(std::chrono::steady_clock::now() < deadline);
  return final_message;
}

// The dominant frequency the fake generator encodes (200 Hz + seed % 1000),
// from the zero crossings of the file's samples.
double crossings_per_second(const fs::path& wav) {
  audio::AudioBuffer b = audio::read_audio(wav);
  int crossings = 0;
  for (size_t i = 1; i < b.samples.size(); ++i)
    if ((b.samples[i - 1] < 0) != (b.samples[i] < 0)) crossings++;
  return crossings / (2.0 * b.duration_seconds());
}

}  // namespace

TEST_CASE("queued compatible jobs run as one batch, up to max_batch; others wait their turn", "[model_server][batching]") {
  TempDir tmp;
  fs::path cache = tmp.path / "cache";
  FakeModel m;
  m.step_ms = 20;
  m.step_marker = tmp.path / "steps";
  server::BatchingOptions batching;
  batching.max_batch = 3;
  JobRunner runner(fake_loader(m), 2, batching);

  // Seeds 100..600: the fake's pitches 300..800 Hz tell the outputs apart.
  auto first = make_job(cache, 100, 10);  // runs alone while the others queue up
  runner.submit(first);
  // Its batch is formed once it steps ("running" is set when it leaves the
  // queue, before the batch is gathered: a loaded machine let others join).
  REQUIRE(eventually([&] { return count_lines(m.step_marker) >= 1; }));
  std::vector<std::shared_ptr<ServerJob>> rest{make_job(cache, 200, 10), make_job(cache, 300, 10),
                                               make_job(cache, 400, 4),  // other steps: its own batch
                                               make_job(cache, 500, 10), make_job(cache, 600, 10)};
  for (auto& job : rest) runner.submit(job);

  std::map<uint64_t, int> batch_size_of;
  for (auto& job : std::vector<std::shared_ptr<ServerJob>>{first, rest[0], rest[1], rest[2], rest[3], rest[4]}) {
    nlohmann::json final_message = final_of(*job);
    INFO(final_message.dump());
    REQUIRE(final_message.contains("result"));
    batch_size_of[job->resolved.params.seed] = final_message["result"]["details"]["batch_size"].get<int>();
    // Each job got its own audio: the pitch its own seed gives.
    CHECK(crossings_per_second(job->out_path) == Approx(200.0 + static_cast<double>(job->resolved.params.seed % 1000)).epsilon(0.02));
  }
  CHECK(batch_size_of[100] == 1);
  // 200, 300 and 500 are compatible (10 steps) and queued together: one batch of 3 (max_batch);
  // 400 (4 steps) cannot join; 600 is past the limit and runs after.
  CHECK(batch_size_of[200] == 3);
  CHECK(batch_size_of[300] == 3);
  CHECK(batch_size_of[500] == 3);
  CHECK(batch_size_of[400] == 1);
  CHECK(batch_size_of[600] == 1);
  nlohmann::json status = runner.status();
  CHECK(status["batches"]["largest"] == 3);
  CHECK(status["batches"]["sizes"]["3"] == 1);
  CHECK(status["batches"]["count"] == 4);
  CHECK(status["served"] == 6);
  CHECK(temp_files_under(cache / "objects") == 0);
}

TEST_CASE("a request's max_batch setting of 1 turns batching off for the batch it starts", "[model_server][batching]") {
  TempDir tmp;
  fs::path cache = tmp.path / "cache";
  FakeModel m;
  m.step_ms = 20;
  m.step_marker = tmp.path / "steps";
  JobRunner runner(fake_loader(m), 2, {});
  auto first = make_job(cache, 1, 10);
  runner.submit(first);
  REQUIRE(eventually([&] { return count_lines(m.step_marker) >= 1; }));  // its batch is formed
  auto a = make_job(cache, 2, 10), b = make_job(cache, 3, 10);
  a->request.settings["max_batch"] = 1;
  runner.submit(a);
  runner.submit(b);
  for (auto& job : {first, a, b}) {
    nlohmann::json final_message = final_of(*job);
    REQUIRE(final_message.contains("result"));
    CHECK(final_message["result"]["details"]["batch_size"] == 1);
  }
}

TEST_CASE("the memory ledger limits a batch to the budget by what the shape took", "[model_server][batching]") {
  server::MemoryLedger ledger;
  ledger.set_baseline(1000);
  CHECK(ledger.batch_limit("s", 8, 0) == 8);     // no budget: max_batch
  CHECK(ledger.batch_limit("s", 8, 5000) == 1);  // unknown shape under a budget: alone first, to measure it
  ledger.record("s", 1, 1000 + 1200);            // one request of "s" took 1200 bytes above the baseline
  CHECK(ledger.per_member_bytes("s") == 1200);
  CHECK(ledger.batch_limit("s", 8, 5000) == 4);
  CHECK(ledger.batch_limit("s", 3, 5000) == 3);
  ledger.record("s", 4, 1000 + 4 * 1500);  // a batch of 4 took more per member: the worst counts
  CHECK(ledger.batch_limit("s", 8, 5000) == 3);
  CHECK(ledger.batch_limit("s", 8, 100) == 1);
  CHECK(ledger.to_json().size() == 2);
  CHECK(server::current_rss_bytes() > 0);
  CHECK(server::peak_rss_bytes() >= server::current_rss_bytes() / 2);
}

TEST_CASE("concurrent clients of a real server share a UNet batch and each get their own cue", "[model_server][batching]") {
  TempDir tmp;
  fs::path cache = tmp.path / "cache";
  const char* src = std::getenv("FOLEY_SOURCE_DIR");
  const fs::path model = fs::path(src ? src : FOLEY_SOURCE_DIR) / "tests/fixtures/tiny-audioldm2";
  auto real_request = [&](uint64_t seed, const std::string& prompt) {
    GenRequest r = fake_request(cache, seed, 6, 0.64);
    r.key_fields["prompt"] = prompt;
    r.key_fields["scheduler"] = "dpmsolver++";
    r.settings["model"] = model.string();
    return r;
  };
  const std::vector<GenRequest> requests{real_request(11, "rain on a tin roof"),
                                         real_request(12, "a dog barks twice in a large empty hall"),
                                         real_request(13, "thunder"), real_request(14, "footsteps on gravel")};

  server::ModelServerOptions options;
  options.cache_dir = cache;
  options.idle_timeout_seconds = 60;
  options.batching.max_batch = 4;
  options.batching.batch_window_seconds = 5.0;  // ends as soon as the 4th request arrives
  server::ModelServer server(options, engines::pipeline_generator_loader());
  std::thread server_thread([&] { server.run(/*handle_signals=*/false); });
  ipc::ModelServerClientOptions co;
  co.cache_dir = cache;
  REQUIRE(eventually([&] { return ipc::ModelServerClient(co).status().has_value(); }));

  std::vector<ipc::ServerAttempt> attempts(requests.size());
  std::vector<std::thread> clients;
  for (size_t i = 0; i < requests.size(); ++i)
    clients.emplace_back([&, i] {
      ipc::ModelServerClient client(co);
      CancelFlag cancel{false};
      attempts[i] = client.generate(requests[i], requests[i].object_path, {}, cancel);
    });
  for (auto& t : clients) t.join();
  auto status = ipc::ModelServerClient(co).status();
  server.request_stop();
  server_thread.join();

  REQUIRE(status);
  INFO(status->dump());
  CHECK((*status)["batches"]["largest"] == 4);
  REQUIRE((*status)["memory"]["shapes"].size() >= 1);
  CHECK((*status)["memory"]["shapes"][0]["peak_rss_mib"].get<double>() > 0);

  // Each cue equals the same request generated alone, in-process.
  auto alone = engines::load_pipeline_generator(engines::resolve_audioldm2_request(requests[0]).model);
  for (size_t i = 0; i < requests.size(); ++i) {
    INFO("request " << i);
    REQUIRE(attempts[i].outcome == ipc::ServerAttempt::Outcome::kDone);
    CHECK(attempts[i].result.details["batch_size"] == 4);
    models::Cue cue;
    cue.params = engines::resolve_audioldm2_request(requests[i]).params;
    std::vector<models::CueOutcome> out = alone->generate({cue});
    REQUIRE(!out.front().error);
    const std::vector<float> w = out.front().waveform.to_vector_f32();
    audio::AudioBuffer got = audio::read_audio(requests[i].object_path);
    REQUIRE(got.samples.size() == w.size());
    double worst = 0;
    for (size_t k = 0; k < w.size(); ++k)
      worst = std::max(worst, std::fabs(static_cast<double>(got.samples[k]) - w[k]));
    CHECK(worst <= 2e-6);  // the tolerance of pipeline_batched_generation_test.cc
  }
  // Different requests, different audio.
  audio::AudioBuffer a = audio::read_audio(requests[0].object_path), b = audio::read_audio(requests[1].object_path);
  double diff = 0;
  for (size_t k = 0; k < std::min(a.samples.size(), b.samples.size()); ++k)
    diff = std::max(diff, std::fabs(static_cast<double>(a.samples[k]) - b.samples[k]));
  CHECK(diff > 1e-3);
  CHECK(temp_files_under(cache / "objects") == 0);
}
