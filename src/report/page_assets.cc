#include "report/page_assets.h"

namespace foley::report {

const char* const kPageStyle = R"CSS(
:root { font-family: system-ui, sans-serif; color: #222; background: #fff; }
body { margin: 1.5rem; }
h1 { margin: 0 0 .25rem; font-size: 1.5rem; }
.generated { color: #666; margin: 0 0 1rem; font-size: .85rem; }
dl.summary { display: flex; flex-wrap: wrap; gap: .5rem 2rem; margin: 0 0 1rem; }
dl.summary div { display: flex; flex-direction: column; }
dl.summary dt { color: #666; font-size: .8rem; }
dl.summary dd { margin: 0; font-size: 1.2rem; font-variant-numeric: tabular-nums; }
form#filters { display: flex; flex-wrap: wrap; gap: .75rem; align-items: center; margin-bottom: 1rem;
  padding: .5rem; background: #f4f4f4; border-radius: 4px; }
section.manifest h2 { font-size: 1.15rem; border-bottom: 1px solid #ddd; padding-bottom: .25rem; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; vertical-align: top; padding: .4rem .5rem; border-bottom: 1px solid #eee; font-size: .9rem; }
th { color: #666; font-weight: 600; font-size: .8rem; }
td.num { font-variant-numeric: tabular-nums; white-space: nowrap; }
.meta { color: #666; font-size: .8rem; }
.tag { display: inline-block; background: #eef; border-radius: 3px; padding: 0 .3rem; margin-right: .2rem; }
.status { font-weight: 600; }
.status.fresh { color: #1a7f37; }
.status.stale { color: #b35900; }
td.media img { display: block; max-width: 100%; height: auto; margin-top: .25rem; }
td.media img.stale { opacity: .55; }
.stale-pictures { color: #b35900; }
td.media audio { width: 100%; min-width: 16rem; }
ol.takes { margin: .25rem 0 0; padding-left: 1.2rem; }
ol.takes li.picked { font-weight: 600; }
[hidden] { display: none !important; }
)CSS";

const char* const kPageScript = R"JS(
(function () {
  'use strict';
  var form = document.getElementById('filters');
  function apply() {
    var want = {};
    Array.prototype.forEach.call(form.querySelectorAll('select'), function (s) { want[s.name] = s.value; });
    var shown = 0;
    Array.prototype.forEach.call(document.querySelectorAll('tr.cue'), function (row) {
      var tags = JSON.parse(row.getAttribute('data-tags'));
      var ok = (!want.manifest || row.getAttribute('data-manifest') === want.manifest) &&
               (!want.category || row.getAttribute('data-category') === want.category) &&
               (!want.status || row.getAttribute('data-status') === want.status) &&
               (!want.tag || tags.indexOf(want.tag) >= 0);
      row.hidden = !ok;
      if (ok) shown++;
    });
    Array.prototype.forEach.call(document.querySelectorAll('section.manifest'), function (s) {
      s.hidden = !s.querySelector('tr.cue:not([hidden])');
    });
    document.getElementById('shown').textContent = shown + ' of ' + document.querySelectorAll('tr.cue').length + ' cues shown';
  }
  form.addEventListener('change', apply);
  form.addEventListener('reset', function () { setTimeout(apply, 0); });
  apply();
})();
)JS";

}  // namespace foley::report
