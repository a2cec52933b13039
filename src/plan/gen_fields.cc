#include "plan/gen_fields.h"

#include "engines/catalog.h"
#include "plan/text_normalize.h"

namespace foley::plan {

engines::ProfileView profile_view(const manifest::EngineProfile& profile) {
  return engines::ProfileView{profile.name, profile.settings, profile.concurrency};
}

engines::PoolSpec profile_pool(const manifest::EngineProfile& profile) {
  const engines::EngineRow& row = engines::engine_row(profile.engine);
  return row.pool ? row.pool(profile_view(profile)) : engines::PoolSpec{};
}

GenFields gen_fields_for(const manifest::Cue& cue, const manifest::EngineProfile& profile, ContentHasher& hasher) {
  const engines::EngineRow* row = engines::find_engine(profile.engine);
  if (row == nullptr)
    throw Error(profile.where.str() + ": unknown engine \"" + profile.engine + "\"");
  engines::CueInputs in;
  in.id = cue.id;
  in.prompt = cue.prompt;
  in.negative_prompt = cue.negative_prompt;
  in.duration = cue.duration;
  in.seed = cue.seed;
  in.prompt_influence = cue.prompt_influence;
  in.loop = cue.loop;
  in.sample_rate = cue.render.sample_rate;
  engines::KeyContext ctx;
  ctx.normalize_prompt = [](const std::string& text) { return normalize_prompt(text); };
  ctx.folder_hash = [&hasher](const std::filesystem::path& dir) { return hasher.folder_hash(dir); };
  engines::KeyInputs key = row->key(in, profile_view(profile), ctx);
  GenFields g;
  g.key_fields = std::move(key.fields);
  g.ext = std::move(key.ext);
  g.settings = profile.settings;
  // A paid engine's pool travels with the request: its depth limits the calls
  // in flight across every process that uses this cache, not only this build.
  if (row->paid) {
    const engines::PoolSpec pool = profile_pool(profile);
    if (!pool.name.empty()) g.settings["pool"] = {{"name", pool.name}, {"depth", pool.depth}};
  }
  return g;
}

}  // namespace foley::plan
