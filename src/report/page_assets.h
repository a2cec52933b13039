#pragma once

namespace foley::report {

// The page's style sheet and script, inlined into every report: it must open
// from a file or an artifact store with no server and no network.
extern const char* const kPageStyle;
// Filters: a row shows when it matches every <select> of form#filters (an empty
// value matches all); a manifest section with no row showing hides; span#shown
// counts the rows showing.
extern const char* const kPageScript;

}  // namespace foley::report
