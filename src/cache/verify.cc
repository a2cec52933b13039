#include "cache/verify.h"

#include <set>
#include <sstream>

#include "cache/index.h"
#include "cache/object_store.h"
#include "common/error.h"

namespace foley::cache {
namespace fs = std::filesystem;

namespace {

const char* kind_text(VerifyIssue::Kind kind) {
  switch (kind) {
    case VerifyIssue::Kind::kTruncated: return "truncated";
    case VerifyIssue::Kind::kSizeMismatch: return "size differs from the index";
    case VerifyIssue::Kind::kChecksumMismatch: return "checksum mismatch";
    case VerifyIssue::Kind::kMissing: return "missing";
  }
  return "?";
}

std::string format_credits(double credits) {
  std::ostringstream os;
  os << credits;
  return os.str();
}

}  // namespace

std::string VerifyIssue::message() const {
  std::ostringstream os;
  os << (paid ? "paid object " : "object ") << gen_key << "." << ext;
  if (kind == Kind::kMissing) {
    os << " is missing (" << path.string() << ")";
  } else {
    os << " is corrupt: " << kind_text(kind);
    if (kind != Kind::kChecksumMismatch) os << " (" << actual_size << " bytes, index says " << expected_size << ")";
  }
  if (!quarantined_to.empty()) os << "; moved to " << quarantined_to.string();
  if (paid) {
    os << "; regenerating will cost " << format_credits(credits) << " credits";
  } else if (row_removed) {
    os << "; the next build regenerates it";
  }
  return os.str();
}

double VerifyReport::paid_credits_lost() const {
  double total = 0;
  for (const auto& issue : issues)
    if (issue.paid) total += issue.credits;
  return total;
}

std::string VerifyReport::summary() const {
  std::ostringstream os;
  os << "Checked " << checked << " objects: " << ok << " ok, " << issues.size() << " damaged or missing, "
     << unknown.size() << " unknown to the index\n";
  for (const auto& issue : issues) os << "  " << issue.message() << "\n";
  for (const auto& path : unknown) os << "  unknown object " << path.string() << " (not in the index)\n";
  for (const auto& path : foreign) os << "  foreign file " << path.string() << "\n";
  if (paid_credits_lost() > 0)
    os << "Paid objects lost: regenerating them will cost " << format_credits(paid_credits_lost()) << " credits\n";
  return os.str();
}

VerifyReport verify(Index& index, const ObjectStore& store, const VerifyOptions& options) {
  VerifyReport report;
  std::set<std::pair<std::string, std::string>> indexed;
  for (const auto& rec : index.list_objects()) {
    indexed.emplace(rec.gen_key, rec.ext);
    ++report.checked;
    VerifyIssue issue;
    issue.gen_key = rec.gen_key;
    issue.ext = rec.ext;
    issue.path = store.path_for(rec.gen_key, rec.ext);
    issue.expected_size = rec.size;
    issue.paid = rec.paid;
    issue.credits = rec.credits;

    std::error_code ec;
    if (!fs::is_regular_file(issue.path, ec)) {
      issue.kind = VerifyIssue::Kind::kMissing;
    } else {
      issue.actual_size = static_cast<int64_t>(fs::file_size(issue.path, ec));
      if (issue.actual_size < rec.size) {
        issue.kind = VerifyIssue::Kind::kTruncated;
      } else if (issue.actual_size > rec.size) {
        issue.kind = VerifyIssue::Kind::kSizeMismatch;
      } else if (!rec.checksum.empty() && ObjectStore::checksum(issue.path) != rec.checksum) {
        issue.kind = VerifyIssue::Kind::kChecksumMismatch;
      } else {
        ++report.ok;
        continue;
      }
    }
    if (options.repair) {
      if (issue.kind != VerifyIssue::Kind::kMissing) issue.quarantined_to = store.quarantine(issue.path);
      issue.row_removed = index.remove_object(rec.gen_key);
    }
    report.issues.push_back(std::move(issue));
  }
  for (const auto& obj : store.list_objects())
    if (!indexed.count({obj.gen_key, obj.ext})) report.unknown.push_back(obj.path);
  report.foreign = store.list_foreign_files();
  return report;
}

}  // namespace foley::cache
