#pragma once

#include <filesystem>
#include <string>

namespace foley {

// ninja never names a cache object. A generate edge's output is a link in the
// project, .foley/objects/<k[0:2]>/<gen key>.<ext>, to the object in the cache,
// and the render edges depend on the link. Every ninja cleaning tool (`-t clean`
// with or without targets, `-g`, `-r RULE`, `-t cleandead`) removes outputs by
// unlinking them, so it removes a link and never an object — paid ones are
// irreplaceable. ninja stats through the link: a link into a deleted cache reads
// as missing, so "output exists" still means "object cached", and the next
// build relinks a removed link without generating anything.
inline constexpr const char* kObjectLinksDir = ".foley/objects";

// The link's path relative to the project root (where ninja runs).
std::filesystem::path object_link_path(const std::string& gen_key, const std::string& ext);

// Makes `link` point to `object`, atomically (a temp link renamed over it),
// unless it already does. The target is relative when the object lies inside
// `root` (a copied or moved project keeps working links into its own cache),
// else absolute. A relative `link` is taken from `root`. Throws foley::Error.
void link_object(const std::filesystem::path& root, const std::filesystem::path& link,
                 const std::filesystem::path& object);

// The file in kObjectLinksDir naming the cache its links point into, as
// write_object_links_cache records it.
inline constexpr const char* kObjectLinksCacheFile = ".foley/objects/cache";

// Records which cache the links of the project at `root` point into; when it
// was another one, removes every link first (a link into the old cache would
// make ninja see an object the configured cache lacks).
void write_object_links_cache(const std::filesystem::path& root, const std::filesystem::path& cache_dir);

}  // namespace foley
