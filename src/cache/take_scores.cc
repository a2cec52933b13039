// The take_scores table: what a rank edge scored, per object and scoring model.
#include "cache/index.h"
#include "cache/sqlite_db.h"

namespace foley::cache {

void Index::record_take_score(const TakeScore& score) {
  const int64_t t = now();
  with_write([&] {
    Statement s(*db_, R"sql(INSERT OR REPLACE INTO take_scores (gen_key, scorer, prompt, score, scored_at)
      VALUES (?1, ?2, ?3, ?4, ?5))sql");
    s.bind(1, score.gen_key).bind(2, score.scorer).bind(3, score.prompt).bind(4, score.score).bind(5, t).run();
  });
}

std::optional<double> Index::find_take_score(const std::string& gen_key, const std::string& scorer,
                                             const std::string& prompt) {
  std::optional<double> found;
  with_read([&] {
    Statement s(*db_, "SELECT score FROM take_scores WHERE gen_key = ?1 AND scorer = ?2 AND prompt = ?3");
    s.bind(1, gen_key).bind(2, scorer).bind(3, prompt);
    if (s.step()) found = s.column_double(0);
  });
  return found;
}

std::vector<TakeScore> Index::take_scores(const std::string& gen_key) {
  std::vector<TakeScore> out;
  with_read([&] {
    Statement s(*db_, R"sql(SELECT gen_key, scorer, prompt, score, scored_at FROM take_scores
      WHERE gen_key = ?1 ORDER BY scored_at DESC, scorer)sql");
    s.bind(1, gen_key);
    while (s.step())
      out.push_back(TakeScore{s.column_text(0), s.column_text(1), s.column_text(2), s.column_double(3),
                              s.column_int(4)});
  });
  return out;
}

}  // namespace foley::cache
