#include "ipc/farm_auth.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include <nlohmann/json.hpp>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include "common/atomic_file.h"
#include "common/error.h"
#include "ipc/protocol.h"

namespace foley::ipc {
namespace fs = std::filesystem;

namespace {

constexpr const char* kProofContext = "foley-farm-v1\n";

std::string hex(const unsigned char* bytes, size_t n) {
  static const char* digits = "0123456789abcdef";
  std::string out;
  out.reserve(n * 2);
  for (size_t i = 0; i < n; ++i) {
    out += digits[bytes[i] >> 4];
    out += digits[bytes[i] & 15];
  }
  return out;
}

std::string random_hex(size_t bytes) {
  unsigned char buf[64];
  if (bytes > sizeof buf || RAND_bytes(buf, static_cast<int>(bytes)) != 1)
    throw Error::failure("cannot draw random bytes for the farm's secret");
  return hex(buf, bytes);
}

void make_private_dir(const fs::path& dir) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) throw Error::failure("cannot create " + dir.string() + ": " + ec.message());
  ::chmod(dir.c_str(), 0700);
}

}  // namespace

fs::path farm_dir(const fs::path& cache_dir) { return fs::absolute(cache_dir) / "farm"; }
fs::path farm_secret_path(const fs::path& cache_dir) { return farm_dir(cache_dir) / "secret"; }

std::string ensure_farm_secret(const fs::path& cache_dir) {
  const fs::path path = farm_secret_path(cache_dir);
  std::error_code ec;
  if (fs::exists(path, ec)) return read_farm_secret(cache_dir);
  make_private_dir(path.parent_path());
  // A reader never sees a partial secret; of two `farm up` racing, the first wins.
  write_file_exclusive(path, random_hex(32) + "\n", 0600);
  return read_farm_secret(cache_dir);
}

std::string read_farm_secret(const fs::path& cache_dir) {
  const fs::path path = farm_secret_path(cache_dir);
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0)
    throw Error(path.string() + ": cannot read the farm's secret (" + std::strerror(errno) +
                "); `foley farm up` creates it");
  struct stat st {};
  ::fstat(fd, &st);
  if (!S_ISREG(st.st_mode) || st.st_uid != ::getuid() || (st.st_mode & 077) != 0) {
    ::close(fd);
    char mode[8];
    std::snprintf(mode, sizeof mode, "%04o", static_cast<unsigned>(st.st_mode & 07777));
    throw Error(path.string() + ": the farm's secret must be a file of this user with mode 0600 (it has mode " +
                mode + "); remove it and run `foley farm up` again");
  }
  char buf[256];
  ssize_t n = ::read(fd, buf, sizeof buf);
  ::close(fd);
  std::string secret(buf, n > 0 ? static_cast<size_t>(n) : 0);
  while (!secret.empty() && (secret.back() == '\n' || secret.back() == ' ')) secret.pop_back();
  if (secret.size() < 32) throw Error(path.string() + ": the farm's secret is too short (32 characters at least)");
  return secret;
}

std::string new_auth_challenge() { return random_hex(16); }

std::string auth_proof(const std::string& secret, const std::string& challenge) {
  const std::string message = kProofContext + challenge;
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()),
           reinterpret_cast<const unsigned char*>(message.data()), message.size(), mac, &len) == nullptr)
    throw Error::failure("HMAC-SHA256 failed");
  return hex(mac, len);
}

bool auth_proof_matches(const std::string& expected, const std::string& received) {
  return expected.size() == received.size() && CRYPTO_memcmp(expected.data(), received.data(), expected.size()) == 0;
}

UniqueFd connect_farm_server(const std::string& host, int port, const std::string& secret, std::string* reason) {
  const std::string where = host + ":" + std::to_string(port);
  int err = 0;
  UniqueFd fd = connect_tcp(host, port, &err);
  if (!fd.valid()) {
    *reason = "the farm server " + where + " does not answer (" + std::strerror(err) + ")";
    return {};
  }
  LineReader reader(fd.get());
  std::string line;
  if (reader.read_line(line, 10000) != LineReader::Status::kLine) {
    *reason = "the farm server " + where + " sent no challenge";
    return {};
  }
  nlohmann::json challenge = nlohmann::json::parse(line, nullptr, false);
  if (!challenge.is_object() || !challenge.contains("challenge") || !challenge["challenge"].is_string()) {
    *reason = "the farm server " + where + " sent no challenge";
    return {};
  }
  if (!send_all(fd.get(), protocol_line({{"auth", auth_proof(secret, challenge["challenge"].get<std::string>())}}))) {
    *reason = "the farm server " + where + " hung up";
    return {};
  }
  return fd;
}

}  // namespace foley::ipc
