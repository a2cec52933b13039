#include "server/farm_listener.h"

#include <unistd.h>

#include <climits>
#include <cstdlib>

#include <nlohmann/json.hpp>

#include "common/log.h"
#include "ipc/farm_auth.h"
#include "ipc/protocol.h"
#include "ipc/socket.h"

namespace foley::server {
namespace {

std::string env_or_empty(const char* name) {
  const char* v = std::getenv(name);
  return v != nullptr ? v : "";
}

void refuse(int fd, const std::string& why) {
  log_warning("refused a farm connection: " + why);
  ipc::send_all(fd, ipc::protocol_line({{"error", "farm server: " + why + " (the farm's secret, " +
                                                      std::string("<cache>/farm/secret, proves a client may use it)")},
                                        {"kind", "input"}}));
}

}  // namespace

ipc::FarmServer farm_server_identity(const FarmListen& listen, int port) {
  char name[HOST_NAME_MAX + 1] = "";
  ::gethostname(name, sizeof name);
  ipc::FarmServer s;
  s.node = name;
  s.host = listen.bind == "0.0.0.0" || listen.bind == "::" || listen.bind.empty() ? s.node : listen.bind;
  s.port = port;
  s.pid = ::getpid();
  s.job_id = env_or_empty("SLURM_JOB_ID");
  s.step_id = env_or_empty("SLURM_STEP_ID");
  s.gpus = env_or_empty("CUDA_VISIBLE_DEVICES");
  s.id = !s.job_id.empty() && !s.step_id.empty() ? s.job_id + "." + s.step_id : s.host + "-" + std::to_string(port);
  return s;
}

bool authenticate_client(int fd, ipc::LineReader& reader, const std::string& secret) {
  const std::string challenge = ipc::new_auth_challenge();
  if (!ipc::send_all(fd, ipc::protocol_line({{"challenge", challenge}}))) return false;
  std::string line;
  if (reader.read_line(line, 10000) != ipc::LineReader::Status::kLine) return false;
  nlohmann::json proof = nlohmann::json::parse(line, nullptr, false);
  if (!proof.is_object() || !proof.contains("auth") || !proof["auth"].is_string()) {
    refuse(fd, "authentication required: the first line must answer the challenge");
    return false;
  }
  if (!ipc::auth_proof_matches(ipc::auth_proof(secret, challenge), proof["auth"].get<std::string>())) {
    refuse(fd, "authentication failed: wrong proof of the farm's secret");
    return false;
  }
  return true;
}

}  // namespace foley::server
