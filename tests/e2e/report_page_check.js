// Evaluated in the report page by cdp_page.py after its load event: waits for
// every player's metadata and every picture, then works the filters, and
// returns what it saw for the test to judge.
(async () => {
  const settle = (el, ok, bad) => new Promise((resolve) => {
    el.addEventListener(ok, resolve, { once: true });
    el.addEventListener(bad, resolve, { once: true });
  });
  const players = Array.from(document.querySelectorAll('audio'));
  await Promise.all(players.map((a) => (a.readyState >= 1 || a.error) ? null : settle(a, 'loadedmetadata', 'error')));
  const images = Array.from(document.images);
  // Pictures below the fold load lazily: ask for all of them now.
  images.forEach((i) => { i.loading = 'eager'; });
  await Promise.all(images.map((i) => i.complete ? null : settle(i, 'load', 'error')));

  const visibleRows = () => Array.from(document.querySelectorAll('tr.cue'))
    .filter((r) => r.getClientRects().length > 0).map((r) => r.id);
  const choose = (name, value) => {
    const s = document.querySelector('form#filters select[name="' + name + '"]');
    s.value = value;
    s.dispatchEvent(new Event('change', { bubbles: true }));
    return visibleRows();
  };
  const all = visibleRows();
  const filters = {
    manifest_sfx: choose('manifest', 'sfx'),
    manifest_all: choose('manifest', ''),
    category_ambience: choose('category', 'ambience'),
    tag_ui: (choose('category', ''), choose('tag', 'ui')),
    status_stale: (choose('tag', ''), choose('status', 'stale')),
  };
  choose('status', '');
  return {
    rows: all,
    players: players.map((a) => ({ src: decodeURIComponent(new URL(a.src).pathname), duration: a.duration,
                                   error: a.error ? a.error.code : null, cls: a.className })),
    images: images.map((i) => ({ src: i.getAttribute('src'), complete: i.complete, natural: [i.naturalWidth, i.naturalHeight],
                                 declared: [Number(i.getAttribute('width')), Number(i.getAttribute('height'))] })),
    filters,
    shown: document.getElementById('shown').textContent,
  };
})()
