/*
 * Touchpoint inspector: where customers struggle, on which element, in which journey.
 * Reads the collector's query API (same origin; the read token, if any, is in an HttpOnly
 * cookie set when the page was opened with ?token=...). Filters live in the address (shareable
 * links). Everything from the API is untrusted text: textContent only, never innerHTML.
 * Charts: uPlot (npm `uplot`, served by the collector at /inspector/vendor/).
 */
(function () {
  'use strict';

  var POLL_MS = 5000;
  var RANGES = { '1h': 3600e3, '6h': 6 * 3600e3, '24h': 24 * 3600e3, '7d': 7 * 86400e3, '30d': 30 * 86400e3, '90d': 90 * 86400e3 };
  var FRICTION_TYPES = ['rage_click', 'dead_click', 'error_click', 'slow_interaction', 'quick_back', 'scroll_thrash',
    'field_error', 'form_abandon', 'js_error', 'failed_request', 'poor_vital'];
  var COLORS = ['#c2410c', '#2563eb', '#9333ea', '#0891b2', '#ca8a04', '#db2777', '#4d7c0f', '#7c2d12', '#475569',
    '#0f766e', '#be123c', '#6d28d9'];

  // What the channels table can group sessions by (the API's `by`): its column title, the name of
  // sessions without one, how the sessions list says it, and its plural.
  var SEGMENTS = {
    channel: { title: 'Channel', none: '(unknown)', prefix: 'from ', plural: 'channels' },
    device: { title: 'Device', none: '(unknown)', prefix: 'on ', plural: 'devices' },
    campaign: { title: 'Campaign', none: '(no campaign)', prefix: 'of campaign ', plural: 'campaigns' },
    // (GA4's "Session source / medium": the API names it `google / cpc`, a missing part `(not set)`.)
    source: { title: 'Source / medium', none: '(no source / medium)', prefix: 'from ', plural: 'sources / mediums' },
    // (Read by the collector from each request's User-Agent: a family and its major version,
    // `Safari 17`, an in-app browser by its app, `Instagram`; the OS's family alone, `iOS`.)
    browser: { title: 'Browser', none: '(unknown)', prefix: 'on ', plural: 'browsers' },
    os: { title: 'OS', none: '(unknown)', prefix: 'on ', plural: 'operating systems', file: 'oses' },
  };
  var $ = function (id) { return document.getElementById(id); };
  var state = {};
  // The site of the session row picked (see refresh); not in the address.
  var sessionSite = '';
  var chart = null, chartKeys = '', funnelChart = null, vitalsChart = null, tagsSig = '', tagsFor = '', tagsAt = 0;
  var inFlight = false, again = false, timer = null;
  // Where the focus goes once the refresh a row's pick asked for has drawn what it opened:
  // { id, from } (the heading of the session view or of the sessions list; the table of the row).
  var focusNext = null;
  // The sessions listed by the last refresh (a session id's start typed or pasted is looked up there).
  var listed = [];
  // What the live region (#status) says now: '' nothing, 'error' a failed refresh, 'offline', or
  // 'note' (back, live switched on or off), and the timer that lets a note go.
  var statusKind = '', statusTimer = null;
  // A filter changed by the reader: the refresh that applies it says the main figures (#figures-said).
  var sayFigures = false;
  // For tests and the curious: how many refreshes completed.
  var info = window.__inspector = { refreshes: 0, errors: 0 };

  // A range of whole days of the viewer's calendar ('custom'): 'YYYY-MM-DD' from and to, both
  // included (a campaign's week, the days before and after a release), for reading the past
  // rather than polling the present.
  var DAY_RE = /^\d{4}-\d{2}-\d{2}$/;
  function dayStart(s, plus) {
    var p = s.split('-');
    return new Date(+p[0], +p[1] - 1, +p[2] + (plus || 0)).getTime();
  }
  function isoDay(ms) {
    var d = new Date(ms), two = function (n) { return (n < 10 ? '0' : '') + n; };
    return d.getFullYear() + '-' + two(d.getMonth() + 1) + '-' + two(d.getDate());
  }
  // The days given, or the last 7 (today included) when they are missing or do not make a range;
  // at most 91 days, ending on `to` (the collector reads at most 92 days, and a day of a clock
  // change is 25 hours long).
  function days(from, to) {
    var today = isoDay(Date.now());
    if (!DAY_RE.test(to || '')) to = today;
    if (!DAY_RE.test(from || '') || dayStart(from) > dayStart(to)) from = isoDay(dayStart(to, -6));
    if (dayStart(from) < dayStart(to, -90)) from = isoDay(dayStart(to, -90));
    return { from: from, to: to };
  }
  // A page path as the collector stores it, from what a person typed: `cart.html`, a whole URL
  // copied from the address bar (its path; the query and fragment are never part of it), typed
  // as it reads (`/商品/123`) or percent-encoded. One with what a browser's location.pathname
  // never holds (non-ASCII, spaces) is encoded as the browser encodes it, the way the SDK sent
  // it (an escape already there is kept); printable ASCII is kept as typed. (Parsed after a
  // fixed origin, not against one: `//cart` stays a path, not a host.)
  function pagePath(v) {
    v = (v || '').trim();
    if (!v) return '';
    var m = /^[a-z][a-z0-9+.-]*:\/\/[^/?#]*(.*)$/i.exec(v);
    if (m) v = m[1] || '/';
    v = v.replace(/[?#].*$/, '');
    v = v.charAt(0) === '/' ? v : '/' + v;
    if (!/[^\x21-\x7e]/.test(v)) return v;
    try { return new URL('http://h' + v).pathname; } catch (e) { return v; }
  }
  // A path as it reads (`/商品/123`, not `/%E5%95%86%E5%93%81/123`), for the eye only: what is sent
  // back to the API is the path as stored. An escape that is not UTF-8 (or a path cut inside a
  // character) leaves it as stored; reserved characters (%2F, %3F, ...) stay escaped.
  function readable(p) {
    try { return decodeURI(p); } catch (e) { return p; }
  }
  // The Page field's text for a path: as it reads, when reading it back gives that path again
  // (the field is read at every filter change), else as stored (`%7E`, lower-case escapes).
  function pathField(p) {
    var r = readable(p);
    return pagePath(r) === p ? r : p;
  }
  // A text cut to `n` characters (code points: never half of an emoji, a lone surrogate shown as
  // U+FFFD), with '…' when cut (`mark`).
  function clip(s, n, mark) {
    var chars = Array.from(String(s));
    return chars.length > n ? chars.slice(0, n).join('') + (mark ? '…' : '') : String(s);
  }

  function readUrl() {
    var q = new URLSearchParams(location.search);
    var custom = q.get('range') === 'custom' ? days(q.get('from'), q.get('to')) : { from: '', to: '' };
    state = {
      site: q.get('site') || '',
      range: RANGES[q.get('range')] || q.get('range') === 'custom' ? q.get('range') : '24h',
      from: custom.from, to: custom.to,
      path: pagePath(q.get('path')),
      type: q.get('type') || '',
      // The moment of truth the friction panels are narrowed to (its event name; '' none).
      during: q.get('during') || '',
      live: q.get('live') !== '0',
      steps: q.get('steps') || '',
      // The leaderboard row whose sessions are listed.
      elType: q.get('el_type') || '', elPath: q.get('el_path') || '', elSel: q.get('el_sel'),
      // What the channels table groups sessions by: 'channel', 'device', 'campaign', 'source',
      // 'browser' or 'os'.
      by: SEGMENTS[q.get('by')] ? q.get('by') : 'channel',
      // The channel (or device, campaign, source / medium, browser, OS) whose sessions are listed (null: none picked; '' those without).
      channel: q.get(SEGMENTS[q.get('by')] ? q.get('by') : 'channel'),
      // The customer whose sessions are listed (a userId; '' none).
      user: q.get('user') || '',
      // The page tag every panel is narrowed to ('key:value'; '' none).
      tag: q.get('tag') || '',
      // The device class every panel but the pages is narrowed to ('' all). (Written as
      // `device_class`: `device` is the channels table's click-through when it groups by device;
      // otherwise a hand-written `&device=mobile`, the read API's name, is read as this filter
      // rather than ignored with every session shown.)
      device: q.get('device_class') || (q.get('by') !== 'device' && q.get('device')) || '',
      session: q.get('session') || '',
      // The pages' order: 'friction' (most first) or 'views'.
      pagesBy: ['views', 'vitals'].indexOf(q.get('pages')) >= 0 ? q.get('pages') : 'friction',
    };
    // The site of the session opened from a row: in the address, so that Back, Forward and a
    // shared link read the same journey as the click did (not another site's under its id).
    sessionSite = state.session && q.get('session_site') || '';
  }

  function writeUrl(push) {
    var q = new URLSearchParams();
    if (state.site) q.set('site', state.site);
    if (state.range !== '24h') q.set('range', state.range);
    if (state.range === 'custom') { q.set('from', state.from); q.set('to', state.to); }
    if (state.path) q.set('path', state.path);
    if (state.type) q.set('type', state.type);
    if (state.during) q.set('during', state.during);
    if (!state.live) q.set('live', '0');
    if (state.steps) q.set('steps', state.steps);
    if (state.elType) { q.set('el_type', state.elType); q.set('el_path', state.elPath); q.set('el_sel', state.elSel || ''); }
    if (state.by !== 'channel') q.set('by', state.by);
    if (state.channel !== null) q.set(state.by, state.channel);
    if (state.user) q.set('user', state.user);
    if (state.tag) q.set('tag', state.tag);
    if (state.device) q.set('device_class', state.device);
    if (state.session) q.set('session', state.session);
    if (state.session && sessionSite) q.set('session_site', sessionSite);
    if (state.pagesBy !== 'friction') q.set('pages', state.pagesBy);
    var url = location.pathname + (q.toString() ? '?' + q.toString() : '');
    if (push) history.pushState(null, '', url); else history.replaceState(null, '', url);
  }

  // The date fields as the state has them, shown only for a range of days.
  function syncDays() {
    $('f-dates').hidden = state.range !== 'custom';
    $('f-from').value = state.from;
    $('f-to').value = state.to;
  }

  function syncForm() {
    $('f-site').value = state.site;
    if ($('f-site').value !== state.site) { addOption($('f-site'), state.site); $('f-site').value = state.site; }
    $('f-range').value = state.range;
    syncDays();
    $('f-path').value = pathField(state.path);
    $('f-type').value = state.type;
    if (state.during) addOption($('f-during'), state.during);
    $('f-during').value = state.during;
    $('f-device').value = state.device;
    $('f-live').checked = state.live;
    $('f-user').value = state.user;
    $('f-session').value = state.session;
    if (state.tag) addOption($('f-tag'), state.tag, tagName(state.tag));
    $('f-tag').value = state.tag;
    $('pages-sort').value = state.pagesBy;
    $('seg-by').value = state.by;
  }

  // 'key:value' (as the API takes it) as the inspector shows it: 'key=value'.
  function tagName(t) { var i = t.indexOf(':'); return t.slice(0, i) + '=' + t.slice(i + 1); }

  // (The values offered kept in an object: a scan of the options at each call made a refresh
  // quadratic in them, 35 s for 10,000 sites posted by anyone.)
  // The sites the Site filter offers: the MAX_SITES with the most events, by name. Anyone may
  // post a batch for any site id: tens of thousands of them must not make a select no one can use.
  var MAX_SITES = 500;
  function sitesOffered(bySite) {
    return Object.keys(bySite).sort(function (a, b) { return bySite[b] - bySite[a]; }).slice(0, MAX_SITES).sort();
  }

  function addOption(select, value, label) {
    var seen = select.seen || (select.seen = {});
    if (seen['=' + value]) return;
    seen['=' + value] = 1;
    var o = document.createElement('option');
    o.value = value; o.textContent = label || value;
    select.appendChild(o);
  }

  // A read answered 429 (the collector's reads per client IP and second: a team behind one
  // office address, or several inspector tabs opened at once, each refresh a dozen reads) is
  // asked again after its Retry-After, up to 3 times, rather than failing the whole refresh.
  function api(path, params, tries) {
    var q = new URLSearchParams();
    Object.keys(params || {}).forEach(function (k) {
      if (params[k] !== '' && params[k] !== null && params[k] !== undefined) q.set(k, params[k]);
    });
    return fetch(path + (q.toString() ? (path.indexOf('?') < 0 ? '?' : '&') + q.toString() : ''), { cache: 'no-store', credentials: 'same-origin' })
      .then(function (r) {
        if (r.status === 429 && (tries || 0) < 3) {
          var wait = Math.min(10, Number(r.headers.get('Retry-After')) || 1) * 1000 * (1 + Math.random());
          return new Promise(function (go) { setTimeout(go, wait); }).then(function () { return api(path, params, (tries || 0) + 1); });
        }
        return r.text().then(function (t) { return JSON.parse(t, plain); }).catch(function () { return {}; }).then(function (body) {
          if (!r.ok) throw new Error(path + ': ' + (body.error || 'HTTP ' + r.status));
          return body;
        });
      });
  }

  // Visitor text may hold Unicode's direction overrides and isolates (U+202A-U+202E,
  // U+2066-U+2069): one left open turns the rest of its line backwards, the inspector's own words
  // and figures with it (a session's "12 friction" read "21"). Every string the API answers has
  // them shown as U+FFFD instead.
  function plain(k, v) { return typeof v === 'string' ? v.replace(/[\u202a-\u202e\u2066-\u2069]/g, '\ufffd') : v; }

  function base() {
    if (state.range === 'custom') return { site: state.site, from: dayStart(state.from), to: dayStart(state.to, 1) };
    var to = Date.now();
    return { site: state.site, from: to - RANGES[state.range], to: to };
  }
  // The range as chosen (what the tags offered were counted for).
  function rangeKey() { return state.range === 'custom' ? state.from + '..' + state.to : state.range; }

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined && text !== null) e.textContent = String(text);
    return e;
  }

  // A cell's text longer than 160 characters (a visitor's 300-character campaign name, a
  // 1,024-character path) is cut on screen, whole in its tooltip and the CSV: it pushed every
  // figure of its table out of view, or made its row hundreds of pixels tall.
  function cell(tr, text, cls) {
    var td = el('td', cls, text), long = text != null && Array.from(String(text)).length > 160;
    if (long) { td.textContent = clip(text, 160, 1); td.title = text; td.setAttribute('data-csv', text); }
    tr.appendChild(td);
    return td;
  }
  // A page path's cell: as it reads, as stored in its tooltip when that differs (`none`: no path).
  function pathCell(tr, p, none, cls) {
    var td = cell(tr, p ? readable(p) : none, cls);
    if (p && readable(p) !== p) td.title = p;
    return td;
  }

  function fmt(n, digits) {
    if (n === null || n === undefined) return '–';
    return Number(n).toLocaleString('en', { maximumFractionDigits: digits || 0 });
  }
  function pct(x) { return x == null ? '–' : (x * 100).toLocaleString('en', { maximumFractionDigits: 1 }) + ' %'; }
  // In the reader's time zone, named (the CSVs say UTC: a time without its zone was read as
  // either).
  // Times in the reader's zone, named (the CSVs are UTC). The fields spelt out: with a zone name
  // alone, en-GB writes the hour after midnight as "0:37:21".
  function clock(date) {
    var o = { hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23', timeZoneName: 'short' };
    if (date) { o.year = 'numeric'; o.month = '2-digit'; o.day = '2-digit'; }
    return o;
  }
  function time(iso) { var d = new Date(iso); return isNaN(d) ? String(iso) : d.toLocaleString('en-GB', clock(true)); }
  // "1 touchpoint", "3 touchpoints".
  function touchpoints(n) { return fmt(n) + (n === 1 ? ' touchpoint' : ' touchpoints'); }
  // Counts per bucket as steps (each bucket's value across its width), for every chart.
  function stepPaths() { return uPlot.paths && uPlot.paths.stepped ? uPlot.paths.stepped({ align: 1 }) : undefined; }
  function scoreClass(s) { return s >= 75 ? 'good' : s >= 50 ? 'mid' : 'bad'; }
  // A web vital's badge, coloured by its rating ('good', 'mid': needs improvement, 'bad': poor),
  // and not by its colour alone (WCAG 1.4.1: an accessibility audit): a rating that is not good
  // says so in a word after its figure, " · fair" or " · poor", seen and read out alike.
  function ratedBadge(text, rating) {
    var span = el('span', 'score ' + rating, text);
    if (rating !== 'good') span.appendChild(el('span', 'rating', ' · ' + (rating === 'bad' ? 'poor' : 'fair')));
    return span;
  }

  function emptyRow(tbody, cols, text) {
    var tr = el('tr', 'empty'); var td = el('td', '', text); td.colSpan = cols; tr.appendChild(td); tbody.appendChild(tr);
  }

  // --- overview -------------------------------------------------------------------------------

  // Sessions kept by a sample (the SDK's data-sample-rate): every count here is then a share of
  // the visits, which a product team must know before reading them as totals.
  // Sessions of pages without a sample (another part of the site, the days before the sample was
  // set) are counted whole: the "1 in N" holds only when every session was sampled at one rate.
  function sampledText(o) {
    var s = o.sampled || {}, kept = 0;
    var rates = Object.keys(s).map(Number).filter(function (r) { return r > 0 && r < 100; })
      .sort(function (a, b) { return a - b; });
    if (!rates.length) return '';
    var parts = rates.map(function (r) { kept += s[r]; return fmt(s[r]) + ' kept at ' + r + ' %'; });
    var whole = Math.max(0, (o.sessionsBegun || 0) - kept);
    if (whole) parts.push(fmt(whole) + ' not sampled');
    var text = 'Sampled: of the sessions begun in this range, ' + parts.join(', ') +
      ' (data-sample-rate). Counts here are of the kept sessions only';
    return (rates.length === 1 && !whole ? text + ': about 1 in ' + fmt(100 / rates[0], 1) + ' visits.' : text + '.') +
      ' ≈: estimated for all visits' + (rates.length > 1 || whole ? ', as if every session had as many events' : '') + '.';
  }

  // How many visits each kept session stands for, over the sessions begun in the range: those
  // kept at r % count 100/r each, the others (not sampled) 1. null when no sample kept any. The
  // shares, averages and per-session figures need no estimate: a sample keeps whole sessions.
  function visitsPerSession(o) {
    var s = o.sampled || {}, kept = 0, all = 0;
    Object.keys(s).forEach(function (r) { if (r > 0 && r < 100) { kept += s[r]; all += s[r] * 100 / r; } });
    return kept && o.sessionsBegun >= kept ? (o.sessionsBegun - kept + all) / o.sessionsBegun : null;
  }

  function renderOverview(o) {
    // The cards and the funnel count every page and friction type (the Page and Friction
    // filters narrow the friction chart and the leaderboard): said while one is set, or a
    // reader takes "Friction events 120" for the rage clicks picked.
    var wide = (state.path ? ['every page'] : []).concat(state.type ? ['every friction type'] : []);
    $('overview-scope').textContent = wide.length ? 'cards and funnel: ' + wide.join(', ') : '';
    var note = $('sampled'), text = sampledText(o);
    note.textContent = text;
    note.hidden = !text;
    var scale = visitsPerSession(o);
    document.querySelectorAll('#overview [data-est]').forEach(function (e) {
      var v = o[e.getAttribute('data-est')];
      e.textContent = scale && v != null ? '≈ ' + fmt(v * scale) : '';
      e.hidden = !scale || v == null;
    });
    var cards = document.querySelectorAll('#overview [data-k]');
    cards.forEach(function (c) {
      var k = c.getAttribute('data-k'), v = o[k];
      // (Shares and figures per session of no session: none, not 0.)
      if (!o.sessions && (k === 'sessionsWithFrictionShare' || k === 'frictionPerSession')) v = null;
      c.textContent = k === 'sessionsWithFrictionShare' ? pct(v) : k === 'frictionPerSession' ? fmt(v, 2) :
        k === 'averageScore' ? (v === null ? '–' : fmt(v, 0)) : fmt(v);
    });
  }

  // A type's colour, the same whatever else the range holds or the filter keeps: the detectors'
  // by their place in FRICTION_TYPES, the page's own friction types by their name.
  function typeIndex(k) {
    var i = FRICTION_TYPES.indexOf(k), h = 0;
    if (i < 0) for (var j = 0; j < k.length; j++) h = (h * 31 + k.charCodeAt(j)) >>> 0;
    return i < 0 ? FRICTION_TYPES.length + h : i;
  }
  function typeColor(k) { return COLORS[typeIndex(k) % COLORS.length]; }
  // ... and its line's dash, so that types read apart by their lines' patterns too, not by their
  // colours alone (WCAG 1.4.1: an accessibility audit): solid, dashed, dotted, dash-dot, ...
  // (As many as the colours: each detector's type a pattern of its own.)
  var DASHES = [[], [10, 4], [2, 3], [10, 3, 2, 3], [5, 5], [18, 4], [10, 3, 2, 3, 2, 3], [2, 7], [18, 4, 2, 4],
    [6, 2], [18, 4, 6, 4], [1, 2]];
  function typeDash(k) { return DASHES[typeIndex(k) % DASHES.length]; }
  // A dash in CSS px as the canvas draws it (in device pixels: uPlot does not scale it).
  function canvasDash(dash) { var r = window.devicePixelRatio || 1; return dash.map(function (d) { return d * r; }); }
  // The legend's marker of a series: a short line of its colour and dash, not a square of its
  // colour (uPlot's).
  function markers(patterns) {
    return { width: 0, fill: function (u, i) {
      var p = patterns[i - 1], at = 0;
      if (!p || !p[1].length) return p ? p[0] : '';
      return 'repeating-linear-gradient(90deg, ' + p[1].map(function (d, j) {
        var stop = (j % 2 ? 'transparent ' : p[0] + ' ') + at + 'px ' + (at + d) + 'px';
        at += d;
        return stop;
      }).join(', ') + ')';
    } };
  }

  // A chart's figures as a table (its <details>, `id`), for a reader who cannot tell its lines
  // apart or cannot see them: a row for each bucket that has something to say, a column for each
  // series. Kept as data at each refresh, drawn while its <details> is open.
  var FIGURES_MAX = 300;
  var figures = {};
  function bucketSpan(ms) {
    var n = function (v, one, many) { return v + (v === 1 ? one : many); };
    return ms >= 864e5 ? n(Math.round(ms / 864e5), ' day', ' days') : ms >= 36e5 ? n(Math.round(ms / 36e5), ' hour', ' hours')
      : n(Math.round(ms / 6e4), ' minute', ' minutes');
  }
  function bucketTime(ms, span) {
    var o = { day: 'numeric', month: 'short' };
    if (span < 864e5) { o.hour = '2-digit'; o.minute = '2-digit'; o.hourCycle = 'h23'; } else o.year = 'numeric';
    return new Date(ms).toLocaleString('en-GB', o);
  }
  function drawFigures(id) {
    var d = $(id), box = d.querySelector('.figures-box'), f = figures[id];
    box.textContent = '';
    if (!d.open || !f) return;
    var rows = f.rows.slice(-FIGURES_MAX);
    box.appendChild(el('p', 'hint', f.caption + (f.rows.length > rows.length ? ' The last ' + FIGURES_MAX + ' of ' + fmt(f.rows.length) + '.' : '')));
    if (!rows.length) return;
    var table = el('table', 'compact figures-table'), head = table.appendChild(el('thead')).appendChild(el('tr'));
    f.head.forEach(function (h, i) { head.appendChild(el('th', i ? 'n' : '', h)).scope = 'col'; });
    var body = table.appendChild(el('tbody'));
    rows.forEach(function (r) {
      var tr = body.appendChild(el('tr'));
      tr.appendChild(el('th', '', r[0])).scope = 'row';
      r.slice(1).forEach(function (v) { tr.appendChild(el('td', 'n', v)); });
    });
    box.appendChild(table);
  }
  function setFigures(id, f) { figures[id] = f; drawFigures(id); }

  // The charts follow their boxes' width: a window resized, or a scrollbar appearing once the
  // page grew longer, left a chart at the width it was drawn with, past its box's edge (and the
  // pointer over its right end read no bucket).
  var resized = typeof ResizeObserver === 'function' ? new ResizeObserver(function (entries) {
    entries.forEach(function (e) {
      var box = e.target, u = box.id === 'chart' ? chart : box.id === 'vitals-chart' ? vitalsChart : funnelChart;
      var w = Math.max(box.id === 'chart' ? 300 : 260, box.clientWidth);
      if (u && box.clientWidth && u.width !== w) u.setSize({ width: w, height: u.height });
    });
  }) : null;
  function follow(box) { if (resized) resized.observe(box); }

  // Steps hold each bucket's value across its width, up to the next bucket's start: the last
  // bucket (the one filling now, in a live range) needs an end of its own, its value again one
  // bucket later, or it is drawn as a hairline at the chart's right edge.
  function stepData(ts, columns) {
    var xs = ts.buckets.map(function (b) { return b / 1000; });
    if (!xs.length) return [xs].concat(columns);
    xs.push(xs[xs.length - 1] + (ts.bucketMs || 60000) / 1000);
    return [xs].concat(columns.map(function (c) { return c.concat([c[c.length - 1]]); }));
  }
  // The time axes in the tables' order, day then month, and on a 24-hour clock ("2 Dec", "14:00"),
  // not uPlot's American defaults ("12/2", "2pm") beside tables that say 02/12/2026.
  function fmtDate(tpl) {
    return uPlot.fmtDate(tpl.replace('{M}/{D}/{YY}', '{D} {MMM} {YYYY}').replace('{M}/{D}', '{D} {MMM}')
      .replace('{h}:{mm}{aa}', '{HH}:{mm}').replace('{h}{aa}', '{HH}:00'));
  }
  // Counts are whole: no 0.25 ticks on a count axis, and at least 0 to 1.
  var COUNT_INCRS = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1e3, 2e3, 5e3, 1e4, 2e4, 5e4, 1e5, 2e5, 5e5, 1e6];
  // Count ticks short enough for the axis's 50 px: 50k, 1.2M (a week's funnel of a real shop
  // showed 50,000 as "0,000", cut: an operator's QA).
  function countTicks(u, vs) {
    return vs.map(function (v) { return v >= 1e6 ? v / 1e6 + 'M' : v >= 1e4 ? v / 1e3 + 'k' : String(v); });
  }

  function renderChart(ts, unseen) {
    var keys = Object.keys(ts.series).sort();
    // The page's own friction types (touchpoint('friction', ...)) can be picked too, once seen.
    keys.forEach(function (k) { addOption($('f-type'), k); });
    if (state.type) keys = keys.filter(function (k) { return k === state.type; });
    // (A page filter of a page not seen: said so, not "no friction"; the pages like it offered
    // under the chart, whose box is an image to a screen reader.)
    unseen = keys.length ? null : unseen;
    var none = unseen ? unseen.text : 'No friction in this range.';
    var note = $('chart-note');
    note.textContent = '';
    if (unseen) offerPages(note, unseen, 'h-overview');
    note.hidden = !note.firstChild;
    var data = stepData(ts, keys.map(function (k) { return ts.series[k]; }));
    var box = $('chart');
    var span = ts.bucketMs || 60000;
    setFigures('chart-figures', {
      caption: keys.length ? 'Friction events of each type in the ' + bucketSpan(span) + ' from the time shown (in your time zone); times without friction left out.' : none,
      head: ['From'].concat(keys),
      rows: ts.buckets.map(function (b, i) {
        return [bucketTime(b, span)].concat(keys.map(function (k) { return ts.series[k][i] || 0; }));
      }).filter(function (r) { return r.slice(1).some(function (v) { return v > 0; }); }).map(function (r) {
        return [r[0]].concat(r.slice(1).map(function (v) { return fmt(v); }));
      }),
    });
    // What the chart shows, for a screen reader (role=img): the count of each type in the range.
    var total = function (k) { return ts.series[k].reduce(function (a, v) { return a + (v || 0); }, 0); };
    box.setAttribute('aria-label', 'Friction events by type over time: ' + (keys.length
      ? keys.map(function (k) { return k + ' ' + fmt(total(k)); }).join(', ') + ' in this range; the leaderboard below lists them by element'
      : none));
    var width = Math.max(300, box.clientWidth || 600);
    var sig = keys.join(',');
    if (chart && chartKeys === sig) { chart.setData(data); if (box.querySelector('p.hint')) box.querySelector('p.hint').textContent = none; return; }
    if (chart) { chart.destroy(); chart = null; }
    box.textContent = '';
    chartKeys = sig;
    if (typeof uPlot !== 'function') { box.textContent = 'chart library not loaded'; return; }
    // Counts per bucket, drawn as steps (each bucket's count across its width): a line from one
    // bucket's count to the next drew a lone friction event as a triangle spanning two buckets.
    var series = [{}].concat(keys.map(function (k, i) {
      return { label: k, stroke: typeColor(k), dash: canvasDash(typeDash(k)), width: 2, points: { show: false }, paths: stepPaths() };
    }));
    if (keys.length === 0) box.appendChild(el('p', 'hint', none));
    chart = new uPlot({
      width: width, height: 240, series: series, fmtDate: fmtDate,
      scales: { x: { time: true }, y: { range: function (u, min, max) { return [0, Math.max(1, max)]; } } },
      axes: [{}, { label: 'events', size: 50, incrs: COUNT_INCRS, values: countTicks }],
      // Live: the legend gives each type's count in the bucket under the pointer. Lines of types
      // with the same count lie on each other (five types once each read as one line at 1:
      // analyst QA); the legend tells them apart.
      legend: { live: true, markers: markers(keys.map(function (k) { return [typeColor(k), typeDash(k)]; })) },
    }, data, box);
    follow(box);
  }

  // The Core Web Vitals over time (`metric=vitals`): per bucket, the share of the measured page
  // views rated good on LCP, INP and CLS (a gap where none measured it: no point, not a 0 %), of
  // the page picked, on the device class chosen, of the events carrying the tag chosen. Did the
  // deploy at 14:00 make INP worse? Did variant B?
  var VITALS = [['lcp', 'LCP', '#2563eb', DASHES[0]], ['inp', 'INP', '#9333ea', DASHES[1]], ['cls', 'CLS', '#0891b2', DASHES[2]]];
  function renderVitals(ts, failed) {
    var box = $('vitals-chart'), note = $('vitals-note');
    $('vitals-of').textContent = [readable(state.path), state.device].filter(Boolean).join(', ');
    var measured = false;
    var share = function (k) {
      var n = ts.series[k + '_n'] || [], good = ts.series[k + '_good'] || [];
      return ts.buckets.map(function (_, i) {
        if (!n[i]) return null;
        measured = true;
        return good[i] * 100 / n[i];
      });
    };
    var data = stepData(ts, VITALS.map(function (v) { return share(v[0]); }));
    // What the chart shows, for a screen reader (role=img): each vital's share of good views
    // over the whole range (rounded down, as the badges).
    var sum = function (k) { return (ts.series[k] || []).reduce(function (a, v) { return a + (v || 0); }, 0); };
    box.setAttribute('aria-label', 'Share of page views with a good LCP, INP and CLS over time' +
      ($('vitals-of').textContent ? ' (' + $('vitals-of').textContent + ')' : '') + '; over the range: ' +
      VITALS.map(function (v) {
        var n = sum(v[0] + '_n');
        return v[1] + ' ' + (n ? Math.floor(sum(v[0] + '_good') * 100 / n) + ' % good' : 'not measured');
      }).join(', '));
    note.textContent = measured ? '' : failed || 'No web vitals measured in this range.';
    note.hidden = measured;
    var span = ts.bucketMs || 60000;
    $('vitals-figures').hidden = !measured;
    setFigures('vitals-figures', {
      caption: 'Of the page views in the ' + bucketSpan(span) + ' from the time shown (in your time zone) that measured it, the share with a good LCP, INP and CLS, and of how many; times without a measure left out.',
      head: ['From'].concat(VITALS.map(function (v) { return v[1]; })),
      rows: ts.buckets.map(function (b, i) {
        var any = false, cells = VITALS.map(function (v) {
          var n = (ts.series[v[0] + '_n'] || [])[i], good = (ts.series[v[0] + '_good'] || [])[i] || 0;
          if (!n) return '–';
          any = true;
          return Math.floor(good * 100 / n) + ' % of ' + fmt(n);
        });
        return any ? [bucketTime(b, span)].concat(cells) : null;
      }).filter(Boolean),
    });
    // (Nothing to draw: no empty grid above the pages.)
    box.hidden = !measured;
    if (!measured) {
      if (vitalsChart) { vitalsChart.destroy(); vitalsChart = null; }
      return;
    }
    if (vitalsChart) { vitalsChart.setData(data); return; }
    box.textContent = '';
    if (typeof uPlot !== 'function') { box.textContent = 'chart library not loaded'; return; }
    // (Rounded down, as the pages' badges: "82 %".)
    var value = function (u, v) { return v == null ? '–' : Math.floor(v) + ' %'; };
    vitalsChart = new uPlot({
      width: Math.max(260, box.clientWidth || 400), height: 180, fmtDate: fmtDate,
      // (Steps, as the friction chart: a bucket's share across its width; one measured bucket
      // was a lone dot.)
      series: [{}].concat(VITALS.map(function (v) {
        return { label: v[1], stroke: v[2], dash: canvasDash(v[3]), width: 2, value: value,
          paths: stepPaths() };
      })),
      legend: { markers: markers(VITALS.map(function (v) { return [v[2], v[3]]; })) },
      scales: { x: { time: true }, y: { auto: false, range: [0, 100] } },
      axes: [{}, { size: 60, values: function (u, ticks) { return ticks.map(function (t) { return t + ' %'; }); } }],
    }, data, box);
    follow(box);
  }

  function renderFunnel(f) {
    var tbody = $('funnel').querySelector('tbody');
    tbody.textContent = '';
    f.steps.forEach(function (s, i) {
      var tr = el('tr'); tr.setAttribute('data-step', s.step);
      cell(tr, s.step);
      cell(tr, fmt(s.sessions), 'n');
      cell(tr, i === 0 ? '' : pct(s.dropoff), 'n');
      tbody.appendChild(tr);
    });
    $('funnel-skipped').textContent = f.skipped && f.skipped.length ? 'Left out, as no session reached it though sessions reached a step after it: ' + f.skipped.join(', ') : '';
    if (typeof uPlot !== 'function') return;
    var xs = f.steps.map(function (_, i) { return i; });
    var ys = f.steps.map(function (s) { return s.sessions; });
    var labels = f.steps.map(function (s) { return s.step; });
    var box = $('funnel-chart');
    if (funnelChart) { funnelChart.destroy(); funnelChart = null; }
    funnelChart = new uPlot({
      width: Math.max(260, box.clientWidth || 400), height: 200,
      scales: { x: { time: false, range: [-0.5, xs.length - 0.5] }, y: { range: [0, Math.max(1, Math.max.apply(null, ys))] } },
      series: [{}, { label: 'sessions', fill: 'rgba(161,98,7,.35)', stroke: '#a16207',
        paths: uPlot.paths.bars({ size: [0.7, 80] }), points: { show: false } }],
      axes: [{ splits: function () { return xs; }, values: function (u, v) { return v.map(function (i) { return labels[i] || ''; }); } },
        { size: 50, incrs: COUNT_INCRS, values: countTicks }],
      legend: { show: false },
    }, [xs, ys], box);
    follow(box);
  }

  // --- money ----------------------------------------------------------------------------------

  // A currency as the collector counts it: trimmed, three ASCII letters upper-cased (" eur " is
  // EUR); '' for anything else (not three letters: `€`, none), which revenue does not count.
  function currencyCode(c) {
    var t = typeof c === 'string' ? c.trim() : '';
    return /^[A-Za-z]{3}$/.test(t) ? t.toUpperCase() : '';
  }
  // The largest value the collector counts (10^15 units).
  var MAX_VALUE = 1e15;
  // How many decimals a number has as JavaScript writes it (1.299: 3; 1.5e-7: 8), at most 6:
  // the collector counts millionths.
  function decimals(v) {
    var m = /(?:\.(\d+))?(?:e([+-]\d+))?$/i.exec(String(v));
    return Math.min(6, Math.max(0, (m[1] ? m[1].length : 0) - (m[2] ? Number(m[2]) : 0)));
  }
  var moneyFormats = {};
  // An amount in an ISO currency, in its own minor digits as Intl knows them (JPY none, EUR 2,
  // KWD 3; a code Intl does not know, 2), and more where the amount has more: the collector
  // counts to the millionth, so EUR 1.299 is EUR 1.299, not 1.30. `plain`: without grouping
  // (the CSV, for a spreadsheet).
  function amount(v, code, plain) {
    var d = decimals(v), key = code + ' ' + d + (plain ? ' plain' : '');
    if (!(key in moneyFormats)) {
      try {
        var minor = new Intl.NumberFormat('en', { style: 'currency', currency: code }).resolvedOptions().minimumFractionDigits;
        moneyFormats[key] = new Intl.NumberFormat('en', { style: 'currency', currency: code, currencyDisplay: 'code',
          minimumFractionDigits: minor, maximumFractionDigits: Math.max(minor, d), useGrouping: !plain });
      } catch (e) { moneyFormats[key] = null; }
    }
    var f = moneyFormats[key];
    return f ? f.format(v).replace(/\u00a0/g, ' ') : code + ' ' + (plain ? String(v) : fmt(v, 6));
  }
  // Each currency's amount of a map (`{"EUR": 12.5}`), in code order.
  function amounts(map, plain) {
    return Object.keys(map || {}).sort().map(function (c) { return amount(map[c], c, plain); });
  }

  // --- channels -------------------------------------------------------------------------------

  // A session's channel as the SDK names it (snake_case); '' when its events carried none.
  function channelName(c) { return c ? String(c).replace(/_/g, ' ') : '(unknown)'; }

  // A table row that is picked by a click anywhere on it, or by its button: its first cell's
  // text (`name`: a string, or an element) made a button, the row's one stop of Tab, named by that
  // text (a focusable <tr> had no name, role or state for a screen reader: an accessibility
  // audit), described by what it does (`does`: the id of a hidden sentence). Enter or Space on it
  // picks (Space not scrolling the page). The row picked is marked by its colour and a bar, and
  // on its button by aria-pressed (`toggle`: picked again, it is let go) or else aria-current.
  // `key`: the row's identity (a session id, ...), by which the focus goes back to it when a
  // refresh draws its table again. `cls`: the first cell's class.
  function clickableRow(selected, pick, key, o) {
    var tr = el('tr', 'clickable' + (selected ? ' selected' : ''));
    tr.setAttribute('data-key', key);
    tr.addEventListener('click', pick);
    var td = cell(tr, typeof o.name === 'string' ? o.name : '', o.cls);
    var b = el('button', 'pick');
    b.type = 'button';
    while (td.firstChild) b.appendChild(td.firstChild);
    if (typeof o.name !== 'string') b.appendChild(o.name);
    td.appendChild(b);
    if (o.toggle) b.setAttribute('aria-pressed', selected ? 'true' : 'false');
    else if (selected) b.setAttribute('aria-current', 'true');
    b.setAttribute('aria-describedby', o.does);
    // (Picked at the key's press, its click that would follow prevented: its click bubbles to the
    // row's. A key held down: one pick, not a row picked and let go again at each repeat.)
    b.addEventListener('keydown', function (e) {
      if ((e.key !== 'Enter' && e.key !== ' ') || e.altKey || e.ctrlKey || e.metaKey || e.shiftKey) return;
      e.preventDefault();
      if (!e.repeat) pick();
    });
    return tr;
  }
  // A row's button (what has the focus when its row has it).
  function rowButton(tr) { return tr.querySelector('button.pick') || tr; }

  // After a row's pick: the focus to what it opened, once drawn (`id`: a heading).
  function focusAfter(id, tr) {
    focusNext = { id: id, from: tr.closest('table') || document.body };
  }

  // The row of a table that has the focus, by its identity and place, before a refresh draws
  // the tables again (emptied, the row focused is gone and the focus falls to the page).
  function focusedRow() {
    var a = document.activeElement, tr = a && a.closest ? a.closest('tbody tr[data-key]') : null;
    if (!tr) return null;
    var rows = [].slice.call(tr.parentNode.querySelectorAll('tr[data-key]'));
    return { tbody: tr.parentNode, key: tr.getAttribute('data-key'), index: rows.indexOf(tr) };
  }

  // ... and back to the row of the same identity once drawn (or the one in its place when it is
  // no longer listed), without scrolling: a keyboard or screen reader user stays where they were.
  function refocus(f) {
    var a = document.activeElement;
    if (!f || (a && a !== document.body && a !== document.documentElement)) return;
    var rows = [].slice.call(f.tbody.querySelectorAll('tr[data-key]'));
    var to = rows.filter(function (tr) { return tr.getAttribute('data-key') === f.key; })[0] ||
      rows[Math.min(f.index, rows.length - 1)];
    if (to) rowButton(to).focus({ preventScroll: true });
  }

  // The focus moved to what a pick opened, if it is still where the pick left it (on the row's
  // table, or fallen to the page when the table was drawn again); otherwise given back to its row.
  function moveFocus(to, kept) {
    var target = to && $(to.id), a = document.activeElement;
    var still = target && (!a || a === document.body || a === document.documentElement || to.from.contains(a));
    if (still && !target.closest('[hidden]')) {
      // (`top`: brought to the top, below the sticky header, as a skip link does.)
      target.focus({ preventScroll: !!to.top });
      if (to.top) target.scrollIntoView({ block: 'start' });
    } else refocus(kept);
  }

  // The sessions listed are picked one way at a time: a channel, a leaderboard element or a
  // customer (`set` sets the one), never two (the API refuses a customer or a channel with an
  // element). The session shown is closed.
  function listBy(set) {
    state.channel = null; state.elType = ''; state.elPath = ''; state.elSel = null; state.user = ''; state.session = '';
    set();
    syncForm();
    writeUrl(true);
    refresh();
  }

  // A session's browser and OS as its header says them ("Safari 17 on iOS"; '' when neither is
  // known: a session from before the collector kept them, or from a sender without a User-Agent).
  function browserOn(s) {
    var b = s.browser === 'Other' ? 'another browser' : s.browser, o = s.os === 'Other' ? 'another OS' : s.os;
    if (!b && !o) return '';
    return ' · ' + (b || 'a browser not known') + (o ? ' on ' + o : '');
  }

  // A row's name: a channel as channelName says, a device class, a campaign, a source / medium, a
  // browser or an OS as it is.
  function segmentName(by, v) { return by === 'channel' ? channelName(v) : v || SEGMENTS[by].none; }

  function renderChannels(ch) {
    var tbody = $('channel-list').querySelector('tbody'), by = ch.by || 'channel';
    tbody.textContent = '';
    $('channel-goal').textContent = 'Reached ' + ch.goal;
    $('seg-name').textContent = SEGMENTS[by].title;
    document.querySelector('button.csv[data-table="channel-list"]').setAttribute('aria-label', 'Download the ' + SEGMENTS[by].plural + ' as CSV');
    if (!ch.channels.length) { emptyRow(tbody, CHANNEL_COLUMNS, 'No sessions in this range.'); return; }
    ch.channels.forEach(function (c) {
      var name = c[by];
      // (Picked again: none picked, the most recent sessions listed again.)
      var picked = state.by === by && state.channel === name;
      var tr = clickableRow(picked, function () {
        if (!picked) focusAfter('h-sessions', tr);
        listBy(function () { if (!picked) state.channel = name; });
      }, by + ':' + name, { name: segmentName(by, name), toggle: true, does: 'does-list' });
      tr.setAttribute('data-' + by, name);
      segmentFigures(tr, c);
      tbody.appendChild(tr);
    });
    // Past the first 100 (campaigns from many URLs): the rest summed, not clickable.
    var o = ch.others;
    if (o) {
      var tr = el('tr', 'others');
      cell(tr, fmt(o.count) + ' more ' + SEGMENTS[by].plural);
      segmentFigures(tr, o);
      tbody.appendChild(tr);
    }
  }

  // The channels table's columns.
  var CHANNEL_COLUMNS = 13;

  // A channels table row's figures, after its name; its purchases and their money (the API's
  // revenue=1, see moneyCells); last the Core Web Vitals of its sessions' page views, coloured as
  // the pages' are (a channel landing on slow pages reads at a glance).
  function segmentFigures(tr, c) {
    cell(tr, fmt(c.sessions), 'n');
    cell(tr, pct(c.sessionsWithFrictionShare), 'n');
    cell(tr, fmt(c.frictionPerSession, 2), 'n');
    var sc = cell(tr, '', 'n'); sc.appendChild(el('span', 'score ' + scoreClass(c.averageScore), fmt(c.averageScore, 0)));
    cell(tr, fmt(c.converted) + ' (' + pct(c.conversionRate) + ')', 'n');
    moneyCells(tr, c);
    vitalCells(tr, c.vitals);
  }

  // A cell of amounts (one per currency, apart by commas, each kept on one line), then `note`
  // (what the collector did not count, in words); '–' when neither. Its CSV field: the amounts
  // without grouping, apart by semicolons, then the note.
  function amountsCell(tr, map, note, noteCsv) {
    var td = cell(tr, '', 'n money'), shown = amounts(map);
    shown.forEach(function (a, i) {
      if (i) td.appendChild(document.createTextNode(', '));
      td.appendChild(el('span', 'amount', a));
    });
    if (note) td.appendChild(el('span', 'uncounted', (shown.length ? ' · ' : '') + note));
    if (!shown.length && !note) td.textContent = '–';
    var csv = amounts(map, true).concat(noteCsv ? [noteCsv] : []).join('; ');
    td.setAttribute('data-csv', csv || '–');
    return td;
  }

  // A row's purchases and money, as the collector counts them (README, "Revenue"): the purchases
  // made in the range and how many had no value it could count (text such as "59.90", or none);
  // the revenue, gross, per currency, and the values in no currency code, not counted; the
  // refunds and their amounts (how many without one); the net revenue (revenue less refunds).
  function moneyCells(tr, c) {
    if (c.purchases === undefined) { for (var i = 0; i < 4; i++) cell(tr, '–', 'n'); return; }
    cell(tr, fmt(c.purchases) + (c.unvalued ? ' (' + fmt(c.unvalued) + ' without a usable value)' : ''), 'n');
    // (Those with no currency last.)
    var unknown = Object.keys(c.unknownCurrency || {}).sort(function (a, b) { return !a - !b || (a < b ? -1 : a > b ? 1 : 0); }).map(function (k) {
      var v = c.unknownCurrency[k];
      return { shown: fmt(v, 6) + (k ? ' in “' + k + '”' : ' with no currency'), csv: String(v) + (k ? ' ' + k : ' (no currency)') };
    });
    amountsCell(tr, c.revenue, unknown.length ? 'not counted: ' + unknown.map(function (u) { return u.shown; }).join(', ') : '',
      unknown.length ? 'not counted: ' + unknown.map(function (u) { return u.csv; }).join(', ') : '');
    var refunds = cell(tr, '', 'n money');
    var told = amounts(c.refunded), csv = amounts(c.refunded, true);
    var without = c.refundsUnvalued ? fmt(c.refundsUnvalued) + ' without an amount' : '';
    refunds.appendChild(document.createTextNode(fmt(c.refunds) + (told.length ? ': ' : '')));
    told.forEach(function (a, i) {
      if (i) refunds.appendChild(document.createTextNode(', '));
      refunds.appendChild(el('span', 'amount', a));
    });
    if (without) refunds.appendChild(el('span', 'uncounted', ' (' + without + ')'));
    refunds.setAttribute('data-csv', fmt(c.refunds) + (csv.length ? ': ' + csv.join('; ') : '') + (without ? ' (' + without + ')' : ''));
    amountsCell(tr, c.netRevenue, '', '');
  }

  // --- pages ----------------------------------------------------------------------------------

  // Milliseconds as the pages show engaged time: "42 s", "3 min 5 s".
  function duration(ms) {
    if (ms == null) return '–';
    var s = Math.round(ms / 1000);
    return s < 60 ? s + ' s' : Math.floor(s / 60) + ' min ' + (s % 60) + ' s';
  }

  // A Core Web Vital of a page: the share of its measured views that were good, coloured as
  // CrUX assesses a page at the 75th percentile (good when at least 75 % of the views were good,
  // poor when more than 25 % were poor, needs improvement otherwise); the counts as its title.
  function vitalBadge(v, label) {
    var ni = v.n - v.good - v.poor;
    var rating = v.good / v.n >= 0.75 ? 'good' : v.poor / v.n > 0.25 ? 'bad' : 'mid';
    // (Rounded down: a share shown as 75 % is one that was coloured good.)
    var span = ratedBadge(label + Math.floor(v.good * 100 / v.n) + ' % good', rating);
    span.title = fmt(v.good) + ' of ' + fmt(v.n) + (v.n === 1 ? ' view' : ' views') + ' good, ' +
      fmt(ni) + (ni === 1 ? ' needs' : ' need') + ' improvement, ' + fmt(v.poor) + ' poor';
    return span;
  }
  function vitalCell(tr, v) {
    var td = cell(tr, '', 'n');
    if (!v || !v.n) { td.textContent = '–'; return td; }
    var badge = td.appendChild(vitalBadge(v, ''));
    td.title = badge.title;
    // (The CSV as before: the share alone, which a spreadsheet rates again as it likes.)
    td.setAttribute('data-csv', badge.firstChild.textContent);
    return td;
  }
  // The LCP, INP and CLS cells of a row (of the pages or the channels), in the tables' order.
  function vitalCells(tr, vitals) {
    ['lcp', 'inp', 'cls'].forEach(function (k) { vitalCell(tr, (vitals || {})[k]).setAttribute('data-vital', k); });
  }
  // Every page of the range together, above the table: the site's share of good views.
  function siteVitals(all) {
    var p = $('pages-vitals');
    p.textContent = '';
    var measured = ['lcp', 'inp', 'cls'].filter(function (k) { return all && all[k] && all[k].n; });
    p.hidden = !measured.length;
    if (!measured.length) return;
    p.appendChild(document.createTextNode('All pages: '));
    measured.forEach(function (k) {
      p.appendChild(vitalBadge(all[k], k.toUpperCase() + ' ')).setAttribute('data-vital', k);
      p.appendChild(document.createTextNode(' '));
    });
  }

  function renderPages(pg, failed) {
    var tbody = $('page-list').querySelector('tbody');
    tbody.textContent = '';
    $('pages-note').textContent = pg.totalPages > pg.pages.length ? 'the first ' + pg.pages.length + ' of ' + fmt(pg.totalPages) : '';
    siteVitals(pg.vitals);
    if (!pg.pages.length) { emptyRow(tbody, 10, failed || 'No page views or friction in this range.'); return; }
    pg.pages.forEach(function (p) {
      var tr = clickableRow(state.path === p.path, function () {
        state.path = state.path === p.path ? '' : p.path;
        syncForm();
        writeUrl(true);
        refresh();
      }, p.path, { name: p.path ? readable(p.path) : '(no path)', cls: 'sel', toggle: true, does: 'does-page' });
      tr.setAttribute('data-path', p.path);
      if (p.path && readable(p.path) !== p.path) tr.cells[0].title = p.path;
      cell(tr, fmt(p.views), 'n');
      cell(tr, duration(p.engagedMsPerView), 'n');
      cell(tr, p.averageScrollPct == null ? '–' : fmt(p.averageScrollPct, 0) + ' %', 'n');
      vitalCells(tr, p.vitals);
      cell(tr, fmt(p.friction), 'n' + (p.friction ? ' hot' : ''));
      cell(tr, p.frictionPerView == null ? '–' : fmt(p.frictionPerView, 2), 'n');
      // Most first: what kind of struggle the page is known for.
      var types = p.frictionByType || {};
      cell(tr, Object.keys(types).sort(function (a, b) { return types[b] - types[a] || (a < b ? -1 : 1); })
        .map(function (t) { return t + ' ' + fmt(types[t]); }).join(', '), 'types');
      tbody.appendChild(tr);
    });
  }

  // Whether the Page filter's `path` is a page of the range, `pg.seen` (true, false, or null: not
  // known), and the pages read to tell (`pg.all`): the table's first 50, or when the range has
  // more and it is not among them, the first 500 by views read once more (what the leaderboard
  // and the chart read for the path is of the same tag and device as the pages).
  function withSeen(pg, path, wide) {
    var has = function (pages) { return pages.some(function (p) { return p.path === path; }); };
    pg.all = pg.pages;
    pg.path = path;
    pg.seen = !path ? null : has(pg.pages) ? true : pg.totalPages <= pg.pages.length ? false : null;
    if (pg.seen !== null || !path) return pg;
    // (Read once a minute for the same filters: the polling read 500 pages every 5 s while such
    // a filter was on, the closing note's leftover.)
    var key = [wide.site, rangeKey(), wide.tag, wide.device].join('|');
    var read = key === wideKey && Date.now() - wideAt < 60e3 ? Promise.resolve(wideAnswer) : api('/api/pages', wide).then(function (w) {
      wideKey = key; wideAt = Date.now(); wideAnswer = w;
      return w;
    });
    return read.then(function (w) {
      pg.all = w.pages;
      pg.seen = has(w.pages) ? true : w.totalPages <= w.pages.length ? false : null;
      return pg;
    }, function () { return pg; });
  }
  var wideKey = '', wideAt = 0, wideAnswer = null;

  // A Page filter of a page not seen in the range (`checkout` typed is `/checkout`, the site's
  // page /checkout.html): the chart and the leaderboard said "no friction", and an analyst read
  // the checkout as fine while the Pages table showed its friction (QA). `{text, near}`: that
  // said plainly, and the pages seen whose path holds the typed text (shortest first: the
  // closest), or null.
  function unseenPage(pg) {
    // (Of the path asked for: one typed while the read was under way is refreshed for next.)
    if (!state.path || pg.path !== state.path || pg.seen !== false) return null;
    var typed = readable(state.path).replace(/^\/+|\/+$/g, ''), lower = typed.toLowerCase();
    var near = !typed ? [] : pg.all.filter(function (p) { return p.path && readable(p.path).toLowerCase().indexOf(lower) >= 0; })
      .sort(function (a, b) { return a.path.length - b.path.length || b.friction - a.friction || b.views - a.views; })
      .slice(0, 3).map(function (p) { return p.path; });
    return { text: 'No page ' + readable(state.path) + ' was seen in this range' + (state.tag || state.device ? ' with these filters' : '') + '.',
      typed: typed, near: near };
  }
  // The pages like it, each a button that narrows to it (as a row of the Pages table does), the
  // focus then on `focusId` (the button is gone with the empty state).
  function offerPages(parent, unseen, focusId, lead) {
    if (!unseen.near.length) return;
    parent.appendChild(document.createTextNode((lead || '') + 'Pages seen with “' + clip(unseen.typed, 80, true) + '” in their path:'));
    unseen.near.forEach(function (path) {
      parent.appendChild(document.createTextNode(' '));
      var b = parent.appendChild(el('button', 'inline', clip(readable(path), 120, true)));
      b.type = 'button';
      b.title = 'Narrow the leaderboard and the charts to ' + readable(path);
      b.addEventListener('click', function () {
        state.path = path;
        sayFigures = true;
        focusNext = { id: focusId, from: parent.closest('section, figure, table') || document.body };
        syncForm();
        writeUrl(true);
        refresh();
      });
    });
  }

  // --- tags -----------------------------------------------------------------------------------

  // The Tag filter's choices: the tags seen in the range, most events first, with their friction
  // (the one chosen stays listed even when the range has none). Rebuilt only when they change.
  function renderTags(t) {
    // (At most 64 characters each, as the API counts them: code points, not UTF-16 units.)
    var chars = function (x) { return Array.from(x).length; };
    var usable = t.tags.filter(function (v) { return v.key.indexOf(':') < 0 && chars(v.key) <= 64 && chars(v.value) <= 64; });
    var sig = JSON.stringify(usable) + state.tag;
    if (sig === tagsSig) return;
    tagsSig = sig;
    var sel = $('f-tag');
    while (sel.options.length > 1) sel.remove(1);
    sel.seen = null; // (addOption's record of the options: all but the first are gone)
    usable.forEach(function (v) {
      addOption(sel, v.key + ':' + v.value, v.key + '=' + v.value + ' (' + fmt(v.friction) + ' friction)');
    });
    if (state.tag) addOption(sel, state.tag, tagName(state.tag));
    sel.value = state.tag;
  }

  function onTag() {
    state.tag = $('f-tag').value;
    sayFigures = true;
    writeUrl(true);
    refresh();
  }

  // A step's tags that differ from the step before's (new or changed keys), as 'key=value'.
  function tagChanges(tags, before) {
    return Object.keys(tags || {}).filter(function (k) { return !before || before[k] !== tags[k]; })
      .map(function (k) { return k + '=' + asText(tags[k]); });
  }

  // --- leaderboard ----------------------------------------------------------------------------

  function renderBoard(fr, unseen) {
    var tbody = $('leaderboard').querySelector('tbody');
    tbody.textContent = '';
    // (Read 50 at most: said, so that the CSV of them is not taken for all of them.)
    // (During a moment of truth, the share is of the sessions that reached it: said with it.)
    $('board-note').textContent = [fr.rows.length >= 50 ? 'the top 50' : '',
      state.during ? 'during ' + state.during + ', a share of the ' + fmt(fr.sessions) + ' sessions that reached it' : ''].filter(Boolean).join('; ');
    if (!fr.rows.length && unseen) {
      emptyRow(tbody, 7, unseen.text);
      offerPages(tbody.querySelector('td'), unseen, 'h-board', ' ');
      return;
    }
    if (!fr.rows.length) { emptyRow(tbody, 7, state.path || state.tag || state.device || state.during ? 'No friction matches the filters in this range.' : 'No friction in this range.'); return; }
    fr.rows.forEach(function (r) {
      var selected = state.elType === r.type && state.elPath === r.path && (state.elSel || '') === r.selector;
      var tr = clickableRow(selected, function () {
        if (!selected) focusAfter('h-sessions', tr);
        listBy(function () { if (!selected) { state.elType = r.type; state.elPath = r.path; state.elSel = r.selector; } });
      }, [r.type, r.path, r.selector].join('\n'), { name: el('span', 'badge friction', r.type), toggle: true, does: 'does-list' });
      tr.setAttribute('data-type', r.type);
      tr.setAttribute('data-selector', r.selector);
      pathCell(tr, r.path, '–');
      var s = cell(tr, ''); s.appendChild(el('code', 'sel', r.selector || '(page)'));
      var label = elementLabel(r);
      // (The CSV's Element is the selector alone: the text is a column of its own.)
      if (label) { s.appendChild(label.node); s.setAttribute('data-csv', r.selector || '(page)'); }
      tr.setAttribute('data-csv-extra', label ? label.csv : '');
      cell(tr, fmt(r.count), 'n');
      cell(tr, fmt(r.sessions), 'n');
      cell(tr, pct(r.share), 'n');
      // (No change is "same", not "=": a CSV field starting with = needed the formula guard.)
      // What it is compared with, for a screen reader too (it was in the title alone), not in
      // the CSV.
      var arrow = r.trend > 0 ? '▲ ' + r.trend : r.trend < 0 ? '▼ ' + (-r.trend) : 'same';
      var trend = cell(tr, arrow, 'n ' + (r.trend > 0 ? 'trend-up' : r.trend < 0 ? 'trend-down' : ''));
      trend.title = 'previous period: ' + r.previous;
      trend.appendChild(el('span', 'visually-hidden', ' (previous period: ' + fmt(r.previous) + ')'));
      trend.setAttribute('data-csv', arrow);
      tbody.appendChild(tr);
    });
  }

  // A row's element named by its text (`text`: its latest event's label as the SDK sent it,
  // scrubbed and cut), under its selector: "#grid > li.card > span.save" told nothing of which
  // product's Save it was (analyst QA). The rows stay one per selector (a text like "Cart (3)"
  // would split an element's rows), so when its events carry several texts (two product cards'
  // Save buttons) it says how many others, and lists the first few (`topTexts`, most events
  // first) on hover and, visually hidden, to a screen reader; the CSV gets the whole of it.
  // null: no event of the row has a text (an error's row, an unlabelled element).
  function elementLabel(r) {
    var top = r.topTexts || [], n = r.texts || 0;
    var shown = r.text || (top[0] && top[0].text);
    if (!shown) return null;
    var others = n - 1;
    var more = others > 0 ? ' and ' + fmt(others) + (others === 1 ? ' other' : ' others') : '';
    var node = el('span', 'el-text');
    node.appendChild(document.createTextNode('“'));
    // (Isolated: a right-to-left label does not reorder the words around it.)
    node.appendChild(el('bdi', null, shown));
    node.appendChild(document.createTextNode('”' + more));
    var csv = shown + more;
    if (others > 0) {
      var list = top.map(function (t) { return t.text + ' (' + fmt(t.count) + (t.count === 1 ? ' event' : ' events') + ')'; });
      var told = 'texts of its events: ' + list.join(', ') + (n > top.length ? ' and ' + fmt(n - top.length) + ' more' : '');
      node.title = told.charAt(0).toUpperCase() + told.slice(1);
      node.appendChild(el('span', 'visually-hidden', ' (' + told + ')'));
      csv += ' (' + told + ')';
    }
    return { node: node, csv: csv };
  }

  // --- sessions -------------------------------------------------------------------------------

  function renderSessions(list) {
    var tbody = $('session-list').querySelector('tbody');
    tbody.textContent = '';
    $('sessions-filter').textContent = (state.elType
      // (A failed request's or an error's row names what failed, not an element: quoted.)
      ? 'with ' + state.elType + (/^(failed_request|js_error)$/.test(state.elType) && state.elSel ? ' “' + state.elSel + '”' : ' on ' + (state.elSel || '(page)')) + ' at ' + (state.elPath ? readable(state.elPath) : '–') +
        (state.during ? ' during ' + state.during : '')
      : state.channel !== null ? SEGMENTS[state.by].prefix + segmentName(state.by, state.channel)
      : state.user ? 'of customer ' + state.user : 'most recent') + (state.tag ? ' tagged ' + tagName(state.tag) : '') +
      (state.device && !(state.by === 'device' && state.channel !== null && !state.elType) ? ' (' + state.device + ')' : '') +
      (state.user && !state.elType && state.channel === null ? customerSummary(list.sessions) : '') +
      ' (click a session, or Enter on it, for its journey' + (state.elType || state.channel !== null ? '; the row picked again: the most recent' : '') + ')' +
      // (Read 50 at most: said, so that the CSV of them is not taken for all of them.)
      (list.sessions.length >= 50 ? '; the 50 most recent only (every event: /api/export)' : '');
    listed = list.sessions;
    if (!list.sessions.length && state.user && !state.elType && state.channel === null) { noCustomerSessions(tbody); return; }
    if (!list.sessions.length) { emptyRow(tbody, 11, 'No sessions in this range.'); return; }
    list.sessions.forEach(function (s) {
      // (The moments of truth the site configured beyond the defaults: offered by the During filter.)
      (s.moments || []).forEach(function (m) { addOption($('f-during'), m); });
      var tr = clickableRow(s.sessionId === state.session, function () {
        focusAfter('h-session', tr);
        state.session = s.sessionId;
        sessionSite = s.site;
        writeUrl(true);
        refresh();
      // (Shortened on screen; whole in the tooltip and the CSV, where it is looked up again.)
      // (With '…' when cut: a cut id pasted in the Session field found no session, unexplained.)
      }, s.sessionId, { name: el('code', '', clip(s.sessionId, 13, true)), does: 'does-session' });
      tr.setAttribute('data-session', s.sessionId);
      var id = tr.cells[0];
      id.title = s.sessionId;
      id.setAttribute('data-csv', s.sessionId);
      cell(tr, s.site);
      // (In the CSV: ISO 8601 in UTC, which a spreadsheet reads the same in every locale.)
      var seen = new Date(s.end);
      cell(tr, time(s.end)).setAttribute('data-csv', isNaN(seen) ? String(s.end) : seen.toISOString());
      pathCell(tr, s.entryPath, '–');
      cell(tr, channelName(s.channel)).title = s.campaign ? 'campaign: ' + s.campaign : '';
      cell(tr, s.userId || '', 'user');
      cell(tr, s.device || '');
      cell(tr, fmt(s.touchpoints), 'n');
      cell(tr, fmt(s.friction), 'n');
      var m = cell(tr, '');
      s.moments.forEach(function (name) { m.appendChild(el('span', 'badge moment', name)); });
      spaced(m);
      m.setAttribute('data-csv', s.moments.join(' > '));
      var sc = cell(tr, '', 'n'); sc.appendChild(el('span', 'score ' + scoreClass(s.score), s.score));
      tbody.appendChild(tr);
    });
  }

  // A customer with no session in the range (a ticket about last week, read with the last 24
  // hours): said so, with the longest range offered a click away.
  function noCustomerSessions(tbody) {
    var tr = el('tr', 'empty'), td = el('td', '', 'No sessions for this customer in this range' + (state.tag || state.device ? ' with these filters' : '') + '.');
    td.colSpan = 11;
    if (state.range !== '90d') {
      td.appendChild(document.createTextNode(' '));
      var wider = td.appendChild(el('button', 'inline', 'Search the last 90 days'));
      wider.type = 'button';
      wider.addEventListener('click', function () {
        state.range = '90d'; state.from = ''; state.to = '';
        sayFigures = true;
        focusNext = { id: 'h-sessions', from: $('session-list') };
        syncForm();
        writeUrl(true);
        schedule();
        refresh();
      });
    }
    tr.appendChild(td);
    tbody.appendChild(tr);
  }

  // What a support agent asks first about one customer: how often they came, when, what they
  // went through and how far they got (the moments of truth reached, by how many sessions).
  // From the sessions listed (the 50 most recent in the range: "at least" beyond that).
  function customerSummary(ss) {
    if (!ss.length) return '';
    var tp = 0, fr = 0, reached = {}, first = ss[0].start, last = ss[0].end;
    ss.forEach(function (s) {
      tp += s.touchpoints; fr += s.friction;
      s.moments.forEach(function (m) { reached[m] = (reached[m] || 0) + 1; });
      if (s.start < first) first = s.start;
      if (s.end > last) last = s.end;
    });
    var moments = Object.keys(reached).map(function (m) { return m + (reached[m] > 1 ? ' ×' + reached[m] : ''); });
    return ': ' + (ss.length >= 50 ? 'at least ' : '') + ss.length + (ss.length > 1 ? ' sessions' : ' session') +
      ' from ' + time(first) + ' to ' + time(last) + ', ' + touchpoints(tp) + ', ' + fmt(fr) + ' friction, reached ' +
      (moments.length ? moments.join(', ') : 'no moment of truth') + '.';
  }

  // What a page view was like, on its page_leave: engaged time, depth, and the web vitals the
  // browser measured, each coloured by web-vitals' rating (the collector's thresholds).
  function leaveFigures(li, p) {
    var bits = [];
    if (typeof p.engaged_ms === 'number') bits.push('engaged ' + duration(p.engaged_ms));
    if (typeof p.max_scroll_pct === 'number') bits.push('scrolled ' + p.max_scroll_pct + ' %');
    if (bits.length) li.appendChild(el('span', 'path', bits.join(' · ')));
    var rate = function (v, good, poor) { return v <= good ? 'good' : v > poor ? 'bad' : 'mid'; };
    var vital = function (text, rating) { li.appendChild(ratedBadge(text, rating)); };
    if (typeof p.lcp_ms === 'number') vital('LCP ' + fmt(p.lcp_ms / 1000, 1) + ' s', rate(p.lcp_ms, 2500, 4000));
    if (typeof p.inp === 'string') {
      var inpRating = { good: 'good', 'needs-improvement': 'mid', poor: 'bad' }[p.inp] || 'mid';
      vital('INP ' + (typeof p.inp_ms === 'number' ? fmt(p.inp_ms) + ' ms' : p.inp), inpRating);
    }
    if (typeof p.cls_milli === 'number') vital('CLS ' + fmt(p.cls_milli / 1000, 2), rate(p.cls_milli, 100, 250));
  }

  // A quick_back is sent from the page the visitor went back to (its path, `/`): the journey said
  // `quick_back friction /`, read as a bounce off the home page (analyst QA). It names the page
  // fled, where the leaderboard and the Pages count it, and the time spent there, as a rage
  // click says its clicks: "from /product.html after 1.9 s, back to /". false when the event
  // does not say the page fled (a restore from the back/forward cache whose page left had no
  // Touchpoint): quickBackAway then.
  var BACK_VIA = { reload: 'the page loaded again', bfcache: 'from the back/forward cache' };
  function quickBackFigures(li, e) {
    var p = e.properties || {};
    if (typeof p.from_path !== 'string' || !p.from_path) return false;
    li.appendChild(el('span', 'path', 'from ' + clip(readable(p.from_path), 120, true)));
    var back = [dwellSaid(p.dwell_ms) && 'after ' + dwellSaid(p.dwell_ms), e.path && 'back to ' + readable(String(e.path))].filter(Boolean);
    var via = BACK_VIA[p.via];
    if (back.length || via) li.appendChild(el('span', 'path figures', ' ' + back.join(', ') + (via ? ' (' + via + ')' : '')));
    return true;
  }
  // ... one that does not: its `dwell_ms` is the time away (README's friction table).
  function quickBackAway(li, p) {
    var away = dwellSaid(p.dwell_ms), via = BACK_VIA[p.via];
    var said = [away && 'back after ' + away + ' away', via && '(' + via + '; the page left not known)'].filter(Boolean);
    if (said.length) li.appendChild(el('span', 'path figures', ' ' + said.join(' ')));
  }
  function dwellSaid(ms) { return typeof ms === 'number' && isFinite(ms) && ms >= 0 ? fmt(ms / 1000, 1) + ' s' : ''; }

  // The property a touchpoint's line in a journey shows (see renderSession).
  var TOLD = { site_search: 'term', element_view: 'name', outbound_click: 'host', file_download: 'url', scroll_depth: 'percent',
    form_start: 'form', form_submit: 'form', form_abandon: 'last_field' };

  // A page view's `navigation` where it tells a story (a sign-out, an idle timeout, Back): how
  // the journey says it; the others (load, push, replace, hash, manual) go unsaid.
  var NAVIGATION = { reset: 'new session after sign-out (reset)', resume: 'back after the session idled out (resume)',
    restore: 'from the back/forward cache (restore)', back_forward: 'Back/Forward' };
  // ... and a session begun by one, in its header.
  var BEGAN = { reset: 'Began as a new session after a sign-out (reset): the visit before it is another session.',
    resume: 'Began when the visitor came back after the session before idled out (30 minutes without use, or 24 hours): the visit before it is another session (resume).' };

  // A commerce step's figures (the README's commerce vocabulary): the list or promotion it was
  // seen or picked in, the order, its value, its items and coupon, so that two orders of one
  // session, or an add to cart and its removal, read apart.
  var COMMERCE = ['view_item_list', 'select_item', 'view_promotion', 'select_promotion', 'view_item', 'add_to_cart',
    'remove_from_cart', 'view_cart', 'add_to_wishlist', 'begin_checkout', 'add_shipping_info', 'add_payment_info', 'purchase',
    'refund'];
  // A step's value and currency as the collector counts them in revenue (README, "Revenue"): a
  // JSON number in an ISO currency (the currency trimmed and upper-cased as the collector does:
  // " eur " is EUR) in that currency's own digits; anything else said as given and marked, so
  // that the journey and the revenue read alike (a value "59.90" was shown as EUR 59.90, which
  // revenue never counted; " EUR ", which revenue counts, was shown as not a currency).
  // `counted`: a purchase or refund, whose value revenue counts.
  function money(value, currency, counted) {
    var code = currencyCode(currency), given = typeof currency === 'string' ? clip(currency.trim(), 16, true) : '';
    var not = counted ? ': not counted in revenue)' : ')';
    if (typeof value === 'string') return '"' + clip(value, 24, true) + '"' + (code || given ? ' ' + (code || given) : '') + ' (text' + not;
    if (typeof value !== 'number' || !isFinite(value)) return '';
    if (Math.abs(value) > MAX_VALUE) return fmt(value) + (code || given ? ' ' + (code || given) : '') + ' (too large' + not;
    if (code) return amount(value, code);
    return fmt(value, 6) + (given ? ' ' + given + ' (not a currency code' : ' (no currency') + not;
  }
  function commerceFigures(p, event) {
    var bits = [];
    // (A list or a promotion by its name, else its id.)
    var named = function (name, id) {
      var v = [p[name], p[id]].filter(function (x) { return (typeof x === 'string' && x) || typeof x === 'number'; })[0];
      return v === undefined ? '' : clip(asText(v), 60, true);
    };
    var list = named('item_list_name', 'item_list_id'), promotion = named('promotion_name', 'promotion_id');
    if (list) bits.push('list ' + list);
    if (promotion) bits.push('promotion ' + promotion);
    if (p.transaction_id !== undefined && p.transaction_id !== null && p.transaction_id !== '') bits.push('order ' + clip(asText(p.transaction_id), 40, true));
    var counted = event === 'purchase' || event === 'refund';
    var m = money(p.value, p.currency, counted);
    if (m) bits.push(m);
    // (Revenue counts a purchase without a value as one; a refund without one is of the whole
    // order, its purchase's value.)
    else if (event === 'purchase') bits.push('no value (not counted in revenue)');
    else if (event === 'refund') bits.push('the whole order');
    if (Array.isArray(p.items)) {
      // (Units: an entry's quantity, 1 without one.)
      var n = p.items.reduce(function (a, it) { var q = it && typeof it.quantity === 'number' && it.quantity > 0 ? it.quantity : 1; return a + q; }, 0);
      bits.push(fmt(n) + (n === 1 ? ' item' : ' items'));
    }
    if (typeof p.coupon === 'string' && p.coupon) bits.push('coupon ' + clip(p.coupon, 40, true));
    return bits.join(' · ');
  }

  // A property's value as a journey says it: an element descriptor (`{selector, tag, text?}`: a
  // form_abandon's last_field) by its selector and its label, any other object as JSON, the rest
  // as text (an object's String() said "[object Object]": a support lead's report).
  function asText(v) {
    if (v && typeof v === 'object' && !Array.isArray(v) && typeof v.selector === 'string') {
      return v.selector + (typeof v.text === 'string' && v.text ? ' “' + clip(v.text, 60, true) + '”' : '');
    }
    return v !== null && typeof v === 'object' ? JSON.stringify(v) : String(v);
  }

  // A space between a step's parts where none is (their gaps were margins alone): a screen reader
  // and a copy read "+0.0 spage_view", "scrolled 77 %LCP 2.8 s" (an accessibility audit).
  function spaced(parent) {
    var parts = [].slice.call(parent.children);
    parts.forEach(function (part, i) {
      var before = part.previousSibling;
      if (!i || !before || before.nodeType !== 1 || /\s$/.test(before.textContent) || /^\s/.test(part.textContent)) return;
      parent.insertBefore(document.createTextNode(' '), part);
    });
    return parent;
  }

  function renderSession(j) {
    var sec = $('session');
    if (document.activeElement !== $('f-session')) $('f-session').value = state.session;
    if (!j) { sec.hidden = true; return; }
    sec.hidden = false;
    var ol = $('timeline');
    ol.textContent = '';
    $('session-copy').hidden = !!j.missing;
    if (j.missing) {
      $('session-id').textContent = j.missing;
      $('session-score').textContent = '';
      $('session-began').hidden = true;
      var sum = $('session-summary');
      sum.textContent = 'No session with this id here: mistyped, cut (a session needs its whole id: the sessions list shows ids cut; a session\'s Copy id, the row\'s tooltip and the CSV give the whole one), of another collector, erased, or none of its events sent (no analytics consent).';
      // (The start of one session listed: offered, from a shared link or Back as from the field.)
      var like = startOf(j.missing);
      if (like) {
        sum.appendChild(document.createTextNode(' '));
        var open = sum.appendChild(el('button', 'inline', 'Open session ' + like.sessionId));
        open.type = 'button';
        open.addEventListener('click', function () { openListed(like); });
      }
      return;
    }
    var s = j.session;
    $('session-id').textContent = s.sessionId;
    var score = $('session-score');
    score.textContent = 'score ' + s.score;
    score.className = 'score ' + scoreClass(s.score);
    $('session-summary').textContent = s.site + ' · ' + time(s.start) + ' → ' + time(s.end) + (s.device ? ' · on ' + s.device : '') + browserOn(s) +
      (s.userId ? ' · customer ' + s.userId : '') + ' · from ' + channelName(s.channel) + (s.campaign ? ' (campaign ' + s.campaign + ')' : '') + ' · ' + touchpoints(s.touchpoints) +
      ', ' + s.friction + ' friction · moments of truth: ' + (s.moments.length ? s.moments.join(' → ') : 'none') +
      (j.truncated ? ' · (journey truncated)' : '') + (j.order ? ' · the session of order ' + j.order + repeatsSaid(j.repeats, s.sessionId) : '') +
      (j.automated ? ' · automated traffic (an event of it said context.automated: a browser a program drove): in none of the figures' : '');
    // The customer's own time zone, where the events carry it (not the viewer's, in which times show).
    var zoned = j.events.filter(function (e) { return typeof e.timezone === 'string'; })[0];
    if (zoned) $('session-summary').textContent += ' · customer\'s time zone ' + zoned.timezone;
    var first = j.events.filter(function (e) { return e.type === 'page'; })[0];
    var began = first && first.properties && BEGAN[first.properties.navigation];
    $('session-began').textContent = began || '';
    $('session-began').hidden = !began;
    var t0 = j.events.length ? Date.parse(j.events[0].timestamp) : 0;
    var tagsBefore = null;
    j.events.forEach(function (e) {
      var li = el('li', e.category === 'friction' ? 'friction' : e.moment ? 'moment' : 'touchpoint');
      li.setAttribute('data-event', e.event);
      var dt = Date.parse(e.timestamp) - t0;
      // Its time of day in the reader's zone, as the rest of the page (the whole date and the
      // zone on hover): what a customer's ticket says ("at about 14:05 the payment failed").
      var at = new Date(e.timestamp);
      var clockAt = li.appendChild(el('time', 'clock', isNaN(at) ? '' : at.toLocaleTimeString('en-GB',
        { hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' })));
      if (!isNaN(at)) { clockAt.dateTime = at.toISOString(); clockAt.title = time(e.timestamp); }
      li.appendChild(el('span', 't', isNaN(dt) ? '' : '+' + (dt / 1000).toFixed(1) + ' s'));
      li.appendChild(el('span', 'ev', e.event));
      if (e.category === 'friction') li.appendChild(el('span', 'badge friction', 'friction'));
      if (e.moment) li.appendChild(el('span', 'badge moment', 'moment of truth'));
      if (e.during) li.appendChild(el('span', 'badge moment', 'during ' + asText(e.during)));
      // The page named its customer (identify): which one.
      if (e.type === 'identify' && e.userId) li.appendChild(el('span', 'badge', 'customer ' + e.userId));
      // The page's tags (an experiment's variant, ...) where they begin or change.
      tagChanges(e.tags, tagsBefore).forEach(function (t) { li.appendChild(el('span', 'badge tag', t)); });
      tagsBefore = e.tags;
      // (A quick_back names the page fled in the path's place: see quickBackFigures.)
      var fled = e.event === 'quick_back' && quickBackFigures(li, e);
      if (e.path && !fled) li.appendChild(el('span', 'path', readable(String(e.path))));
      if (e.event === 'quick_back' && !fled) quickBackAway(li, e.properties || {});
      // How the view came (a sign-out's new session, a return after an idle timeout, Back).
      var nav = e.type === 'page' && e.properties && NAVIGATION[e.properties.navigation];
      if (nav) { li.appendChild(el('span', 'badge nav', nav)); li.setAttribute('data-navigation', e.properties.navigation); }
      // A view's title: the product or step a single-page app's views of one path showed.
      if (e.type === 'page' && e.title) li.appendChild(el('span', 'path', ' “' + clip(asText(e.title), 80, true) + '”'));
      if (e.element && e.element.selector) li.appendChild(el('code', 'sel', asText(e.element.selector)));
      // What the visitor read on it (a button's label, scrubbed): two "Buy" buttons of a page
      // have one selector when their template gives them no id.
      if (e.element && e.element.text) li.appendChild(el('span', 'path', ' “' + clip(asText(e.element.text), 60, true) + '”'));
      var p = e.properties || {};
      // A touchpoint's one telling figure: what was searched for, which banner was seen, ...
      // (a search-driven shop's journey said `site_search /` and nothing of the term: QA).
      var told = TOLD[e.event];
      if (told && p[told] !== undefined && p[told] !== null && p[told] !== '') li.appendChild(el('span', 'path', told + ' ' + clip(asText(p[told]), 80, true)));
      // The page's own friction (touchpoint('friction', ...)): what it said of it, as the
      // detectors' figures are known to the reader and these are not (a search's term, a reason).
      if (e.category === 'friction' && FRICTION_TYPES.indexOf(e.event) < 0) {
        var said = Object.keys(p).filter(function (k) { return ['category', 'during', 'element', 'message'].indexOf(k) < 0; })
          .map(function (k) { return k + ' ' + (typeof p[k] === 'object' ? JSON.stringify(p[k]) : String(p[k])); });
        if (said.length) li.appendChild(el('span', 'path', ' ' + clip(said.join(', '), 160, true)));
      }
      // The SDK's summary at a page view's end (`repeats`): the failures of a path, or the errors
      // of a message, past the first 5 of the view, counted rather than sent one by one (`(others)`:
      // those past the 20 paths or messages). Not a new failure, and no answer of its own: it was
      // shown as "no answer" although every request had been answered 502 (a support lead).
      var summary = (e.event === 'failed_request' || e.event === 'js_error') && typeof p.repeats === 'number';
      if (summary) li.setAttribute('data-repeats', p.repeats);
      if (summary && e.event === 'js_error') {
        li.appendChild(el('span', 'path', p.message === '(others)'
          ? ' ' + fmt(p.repeats) + ' more ' + (p.repeats === 1 ? 'error' : 'errors') + ' with other messages'
          : ' “' + clip(asText(p.message), 120, true) + '”: ' + fmt(p.repeats) + ' more ' + (p.repeats === 1 ? 'time' : 'times')));
        li.title = 'Counted at the page view\'s end: the errors past the first 5 of a message (or past 20 messages) in one page view';
      } else if (p.message) li.appendChild(el('span', 'path', ' “' + clip(asText(p.message), 120, true) + '”'));
      // A request that failed: which one and its answer (the journey said `failed_request` and
      // the page only; an AJAX theme's diagnosis is the endpoint: a theme developer's QA).
      if (summary && e.event === 'failed_request') {
        var more = fmt(p.repeats) + ' more ' + (p.repeats === 1 ? 'failure' : 'failures');
        // (Its method: that of the failures of the path sent before it; the summary has none.)
        var method = (j.events.filter(function (b) {
          return b.event === 'failed_request' && b.id !== e.id && Date.parse(b.timestamp) <= Date.parse(e.timestamp) &&
            b.properties && b.properties.path === p.path && typeof b.properties.repeats !== 'number';
        }).pop() || { properties: {} }).properties.method;
        li.appendChild(el('span', 'path', ' ' + (p.path === '(others)' ? more + ' on other paths'
          : [method && asText(method), clip(asText(p.path), 80, true)].filter(Boolean).join(' ') + ': ' + more)));
        li.title = 'Counted at the page view\'s end: the failures past the first 5 of a path (or past 20 paths) in one page view, whatever their answers';
      } else if (e.event === 'failed_request' && p.path) {
        li.appendChild(el('span', 'path', ' ' + [p.method && asText(p.method), clip(asText(p.path), 80, true), p.status ? asText(p.status) : 'no answer'].filter(Boolean).join(' ')));
      }
      // A rage click's clicks, a dead click's wait: how bad it was (README's friction table).
      var num = function (v) { return typeof v === 'number' && isFinite(v) && v >= 0; };
      var secs = function (ms) { return fmt(ms / 1000, 1) + ' s'; };
      var how = [];
      if (e.event === 'rage_click' && num(p.count)) how.push(fmt(p.count) + ' clicks' + (num(p.duration_ms) ? ' in ' + secs(p.duration_ms) : ''));
      if (e.event === 'dead_click') {
        if (num(p.waited_ms)) how.push('no response for ' + secs(p.waited_ms));
        if (num(p.clicks) && p.clicks > 1) how.push(fmt(p.clicks) + ' clicks');
        if (num(p.pending_requests) && p.pending_requests > 0) how.push(fmt(p.pending_requests) + (p.pending_requests === 1 ? ' request' : ' requests') + ' still pending');
      }
      // A scroll thrash's reversals, a form given up's progress (the journey showed neither: an
      // electronics store's QA).
      if (e.event === 'scroll_thrash' && num(p.reversals)) how.push(fmt(p.reversals) + ' reversals' + (num(p.duration_ms) ? ' in ' + secs(p.duration_ms) : ''));
      if (e.event === 'form_abandon' && num(p.fields_completed)) {
        how.push(fmt(p.fields_completed) + (num(p.fields) ? ' of ' + fmt(p.fields) : '') + ' fields completed' + (num(p.time_ms) ? ' in ' + duration(p.time_ms) : ''));
      }
      // A slow interaction's time, and where it went: the input delay (the page busy before its
      // handlers ran), the handlers' processing, the presentation of the next frame.
      if (e.event === 'slow_interaction' && num(p.duration_ms)) {
        var split = [['input delay', p.input_delay_ms], ['processing', p.processing_ms], ['presentation', p.presentation_ms]]
          .filter(function (x) { return num(x[1]); }).map(function (x) { return x[0] + ' ' + fmt(x[1]) + ' ms'; });
        how.push((typeof p.interaction === 'string' && p.interaction ? clip(p.interaction, 20, true) + ' ' : '') +
          'took ' + fmt(p.duration_ms) + ' ms' + (split.length ? ': ' + split.join(', ') : ''));
      }
      if (how.length) li.appendChild(el('span', 'path figures', ' ' + how.join(', ')));
      var shop = COMMERCE.indexOf(e.event) >= 0 ? commerceFigures(p, e.event) : '';
      if (shop) li.appendChild(el('span', 'path figures', ' ' + shop));
      // A rage click on a disabled control (the visitor pressing a button they cannot use yet).
      if (p.disabled === true) li.appendChild(el('span', 'badge friction', 'disabled'));
      if (e.event === 'page_leave') leaveFigures(li, p);
      ol.appendChild(spaced(li));
    });
  }

  // --- refresh --------------------------------------------------------------------------------

  // The live region says what changed for the reader (a refresh failed, offline, back, live on
  // or off), once: the same text again is not written (nor read out again at every poll). A note
  // goes after a while, silently.
  function say(text, kind) {
    clearTimeout(statusTimer);
    statusKind = kind || '';
    var s = $('status');
    s.className = kind === 'error' || kind === 'offline' ? 'error' : '';
    if (s.textContent !== text) s.textContent = text;
    if (kind === 'note') {
      statusTimer = setTimeout(function () { if (statusKind === 'note') { statusKind = ''; $('status').textContent = ''; } }, 15000);
    }
  }

  // What a filter changed gave, in one sentence, for a screen reader (polite: after what it is
  // reading). Written only for a change the reader made, so a poll is never read out.
  function figuresSaid(o, fr, list) {
    var count = function (n, one, many) { return fmt(n) + ' ' + (n === 1 ? one : many); };
    $('figures-said').textContent = 'Updated: ' + count(o.sessions || 0, 'session', 'sessions') + ', ' +
      count(o.friction || 0, 'friction event', 'friction events') + '; ' +
      count(fr.rows.length, 'element', 'elements') + ' on the friction leaderboard; ' +
      count(list.sessions.length, 'session', 'sessions') + ' listed.';
  }

  // A change made while a refresh is in flight (a filter picked, a row clicked) is refreshed for
  // right after it: that refresh read the filters as they were.
  function refresh() {
    if (inFlight) { again = true; return Promise.resolve(); }
    inFlight = true;
    again = false;
    // (A pick made while a refresh was in flight: for the refresh after it, which draws it.)
    var moveTo = focusNext;
    focusNext = null;
    var tell = sayFigures;
    sayFigures = false;
    var b = base();
    var dev = state.device;
    var frictionParams = { site: b.site, from: b.from, to: b.to, type: state.type, path: state.path, tag: state.tag, device: dev, during: state.during, limit: 50 };
    var sessionParams = state.elType
      ? { site: b.site, from: b.from, to: b.to, type: state.elType, path: state.elPath, selector: state.elSel || '', tag: state.tag, device: dev, during: state.during, limit: 50 }
      : { site: b.site, from: b.from, to: b.to, user: state.user, tag: state.tag, device: dev, limit: 50 };
    // (api() leaves out empty values: the unattributed channel is asked for in the address.)
    var picked = !state.elType && state.channel !== null;
    var sessionsUrl = '/api/sessions' + (picked ? '?' + state.by + '=' + encodeURIComponent(state.channel) : '');
    // (A device row of the channels table picked: that device, in the address.)
    if (picked && state.by === 'device') sessionParams.device = '';
    // The pages and the vitals chart: a failure there (a read past the collector's time limit)
    // is said in their place and leaves the rest of the refresh alone.
    var own = function (p) {
      return p.catch(function (e) { return { failed: String(e.message || e) }; });
    };
    var jobs = [
      api('/api/overview', { site: b.site, from: b.from, to: b.to, tag: state.tag, device: dev }),
      api('/api/timeseries', { site: b.site, from: b.from, to: b.to, metric: 'friction', path: state.path, tag: state.tag, device: dev, during: state.during }),
      api('/api/funnel', { site: b.site, from: b.from, to: b.to, steps: state.steps, tag: state.tag, device: dev }),
      api('/api/friction', frictionParams),
      api(sessionsUrl, sessionParams),
      // (The session of the site chosen, or of the row picked among all sites': another site may
      // send events under the same id.)
      // A session opened by its id is asked for explicitly: one of automated traffic (the shop's
      // own end-to-end test, in none of the figures) is shown too, and said so.
      state.session ? api('/api/sessions/' + encodeURIComponent(state.session), { site: b.site || sessionSite, automated: 1 }).catch(function () { return byOrder(state.session, b.site || sessionSite); })
        : Promise.resolve(null),
      api('/api/stats', {}),
      // (With their purchases and revenue: each purchasing session's events read once by the
      // collector, then kept with it.)
      api('/api/channels', { site: b.site, from: b.from, to: b.to, tag: state.tag, by: state.by, device: dev, revenue: 1 }),
      // The tags offered: counted over the range (kept between polls by the collector, but the
      // first count of a range is slow: up to a second for a week), so once a minute or when
      // the site or range changes, and never failing the refresh (a slow answer keeps the last
      // choices).
      tagsFor !== b.site + '|' + rangeKey() || Date.now() - tagsAt > 60e3
        ? api('/api/tags', b).catch(function () { return null; }) : Promise.resolve(null),
      // The pages, and the web vitals over time of the page picked.
      own(api('/api/pages', { site: b.site, from: b.from, to: b.to, sort: state.pagesBy, limit: 50, tag: state.tag, device: dev })
        .then(function (pg) { return withSeen(pg, state.path, { site: b.site, from: b.from, to: b.to, sort: 'views', limit: 500, tag: state.tag, device: dev }); })),
      own(api('/api/timeseries', { site: b.site, from: b.from, to: b.to, metric: 'vitals', path: state.path, tag: state.tag, device: dev })),
    ];
    return Promise.all(jobs).then(function (r) {
      var kept = focusedRow();
      var unseen = r[9].failed ? null : unseenPage(r[9]);
      renderOverview(r[0]);
      renderChart(r[1], unseen);
      renderFunnel(r[2]);
      renderBoard(r[3], unseen);
      renderSessions(r[4]);
      renderSession(r[5]);
      renderChannels(r[7]);
      var failed = function (x) { return x.failed && 'Not read now: ' + x.failed; };
      renderPages(r[9].failed ? { pages: [], totalPages: 0, vitals: null } : r[9], failed(r[9]));
      renderVitals(r[10].failed ? { buckets: [], series: {} } : r[10], failed(r[10]) || (unseen && unseen.text));
      if (r[8]) { tagsFor = b.site + '|' + rangeKey(); tagsAt = Date.now(); renderTags(r[8]); }
      sitesOffered(r[6].bySite || {}).forEach(function (s) { addOption($('f-site'), s); });
      moveFocus(moveTo, kept);
      if (tell) figuresSaid(r[0], r[3], r[4]);
      // (Not in the live region: a screen reader read it out at every poll.)
      $('updated').textContent = 'updated ' + new Date().toLocaleTimeString('en-GB', clock()) + (polling() ? ' · live' : '');
      if (statusKind === 'error' || statusKind === 'offline') say('Updated again: the figures are current.', 'note');
      document.body.classList.remove('stale');
      $('stale-note').hidden = true;
      info.refreshes++;
    }).catch(function (e) {
      info.errors++;
      var msg = String(e.message || e);
      // (Offline: that, rather than each read's "Failed to fetch".)
      if (!(statusKind === 'offline' && navigator.onLine === false)) say(msg, 'error');
      // What is on screen is of the filters before: greyed, so that it is not read as an answer.
      document.body.classList.add('stale');
      $('stale-note').hidden = false;
      // The collector counts a long range for the first time in the background (a few seconds
      // to a few minutes): ask again soon even when not polled (live off, or days all past), as
      // its message says.
      if (/counting this range/.test(msg) && !polling()) setTimeout(function () { if (!polling()) refresh(); }, POLL_MS);
    }).then(function () {
      inFlight = false;
      if (again) return refresh();
    });
  }

  // A table as shown, as CSV (RFC 4180: every field quoted, quotes doubled), for a spreadsheet or
  // a report: the header row, then each row of data (not the "nothing here" row); a cell whose
  // text is shortened or made of badges gives its whole value (`data-csv`). A field that
  // starts like a formula (=, +, -, @) gets a leading apostrophe, so that a spreadsheet shows an
  // element's text or a page path that a visitor's input could have made, and never runs it
  // (the inspector's own texts never start so). Times are ISO 8601 UTC; page paths as they read.
  // A row may add a field after its cells (`data-csv-extra`; its header's row names it): the
  // leaderboard's element text, shown inside the Element cell, is a column of its own there, last,
  // so that a spreadsheet reading the columns before by place reads them as before.
  function tableCsv(table) {
    var head = table.querySelector('thead tr');
    var rows = [[].map.call(table.querySelectorAll('thead th'), cellText).concat(extra(head))];
    table.querySelectorAll('tbody tr').forEach(function (tr) {
      if (!tr.classList.contains('empty')) rows.push([].map.call(tr.cells, cellText).concat(extra(tr)));
    });
    function cellText(c) { return c.hasAttribute('data-csv') ? c.getAttribute('data-csv') : c.textContent.trim(); }
    function extra(tr) { return tr && tr.hasAttribute('data-csv-extra') ? [tr.getAttribute('data-csv-extra')] : []; }
    return rows.map(function (fields) {
      return fields.map(function (t) {
        if (/^[=+\-@\t\r]/.test(t)) t = "'" + t;
        return '"' + t.replace(/"/g, '""') + '"';
      }).join(',');
    }).join('\r\n') + '\r\n';
  }

  function downloadCsv(id) {
    var b = base(), stamp = function (ms) { return new Date(ms).toISOString().slice(0, 16).replace(/[-:]/g, ''); };
    var a = el('a');
    // (With a byte order mark: Excel reads a CSV without one in the system's code page, and
    // Japanese campaigns and paths came out garbled.)
    a.href = URL.createObjectURL(new Blob(['\uFEFF' + tableCsv($(id))], { type: 'text/csv;charset=utf-8' }));
    // (The sessions' table by device, campaign, source / medium, browser or OS is named so
    // (devices, campaigns, sources, browsers, oses): it was channel-list whatever it held.)
    var name = id === 'channel-list' ? SEGMENTS[state.by].file || state.by + 's' : id;
    a.download = 'touchpoint-' + name + '-' + stamp(b.from) + '-' + stamp(b.to) + '.csv';
    document.body.appendChild(a);
    a.click();
    a.remove();
    setTimeout(function () { URL.revokeObjectURL(a.href); }, 10000);
  }

  // Live: polled every 5 s, unless the days picked are all past (nothing new comes into them but
  // a late batch; a refresh shows it).
  function polling() { return state.live && (state.range !== 'custom' || dayStart(state.to, 1) > Date.now()); }

  function schedule() {
    clearInterval(timer);
    if (polling()) timer = setInterval(function () { if (!document.hidden) refresh(); }, POLL_MS);
  }

  function onFilter() {
    state.site = $('f-site').value;
    state.range = $('f-range').value;
    var custom = state.range === 'custom' ? days($('f-from').value, $('f-to').value) : { from: '', to: '' };
    state.from = custom.from;
    state.to = custom.to;
    syncDays();
    // (The field as it was filled: the path as it is, even one that reads back otherwise.)
    if ($('f-path').value !== pathField(state.path)) state.path = pagePath($('f-path').value);
    $('f-path').value = pathField(state.path);
    state.type = $('f-type').value;
    state.during = $('f-during').value;
    state.device = $('f-device').value;
    var wasLive = state.live;
    state.live = $('f-live').checked;
    if (state.live === wasLive) sayFigures = true;
    else {
      say(!state.live ? 'Live off: the figures are updated when a filter changes.'
        : polling() ? 'Live: the figures are updated every 5 seconds.' : 'Live, but the days picked are past: nothing new comes into them.', 'note');
    }
    writeUrl(true);
    schedule();
    refresh();
  }

  // The one session listed whose id starts with `id` (at least 4 characters, a '…' of the list's
  // cut ids left out), unless `id` is itself one listed; null otherwise. (Any session's id by its
  // start, listed or not, would need the API.)
  function startOf(id) {
    id = id.replace(/…$/, '');
    if (id.length < 4 || listed.some(function (s) { return s.sessionId === id; })) return null;
    var hits = listed.filter(function (s) { return s.sessionId.indexOf(id) === 0; });
    return hits.length === 1 ? hits[0] : null;
  }
  function openListed(s) {
    focusNext = { id: 'h-session', from: $('session') };
    state.session = s.sessionId;
    sessionSite = s.site;
    $('f-session').value = s.sessionId;
    writeUrl(true);
    refresh();
  }

  // An order number in the Session field (a "charged twice" ticket names the order, not the
  // visit: a support lead's report): the journey of the session its purchase was made in, and
  // how often its purchase came again (the envelope's `repeats`: not counted, but recorded).
  function byOrder(id, site) {
    return api('/api/events', { order: id, site: site, envelope: 1 }).then(function (ev) {
      var found = Array.isArray(ev) && ev[0], p = found && found.event;
      if (!p || typeof p.sessionId !== 'string') return { missing: id };
      return api('/api/sessions/' + encodeURIComponent(p.sessionId), { site: p.site, automated: 1 }).then(function (j) {
        j.order = id;
        j.repeats = found.repeats;
        return j;
      });
    }).catch(function () { return { missing: id }; });
  }

  // The purchases of an order that came again after the one counted (its thanks page reloaded or
  // opened again), as the session's header says them: "was it charged twice?" ('' when none).
  function repeatsSaid(r, session) {
    if (!r || !(r.count > 0)) return '';
    var where = !r.lastSessionId ? '' : r.lastSessionId === session ? ' in this session' : ' in session ' + clip(r.lastSessionId, 13, true);
    return ' · its purchase arrived ' + (r.count === 1 ? 'once more, at ' : fmt(r.count) + ' more times, last at ') +
      time(r.lastAt) + where + ', not counted';
  }

  // The session field opens one session's journey by its id (as a click in the list does); the
  // start of one listed (its id as the list shows it, cut) opens that one.
  function onSession() {
    var id = $('f-session').value.trim();
    if (id === state.session) return;
    var like = id && startOf(id);
    if (like) { if (like.sessionId !== state.session) openListed(like); return; }
    state.session = id;
    sessionSite = '';
    writeUrl(true);
    refresh();
  }

  // The session's whole id to the clipboard (the list shows it cut); where the Clipboard API is
  // refused (an inspector over plain HTTP on another machine), the id is selected for Ctrl+C.
  function copySessionId() {
    var code = $('session-id'), id = code.textContent;
    var selectIt = function () {
      var r = document.createRange(); r.selectNodeContents(code);
      var sel = window.getSelection(); sel.removeAllRanges(); sel.addRange(r);
      var done = false;
      try { done = document.execCommand('copy'); } catch (e) { done = false; }
      say(done ? 'Session id copied.' : 'Session id selected: press Ctrl+C (⌘C) to copy it.', 'note');
    };
    if (navigator.clipboard && navigator.clipboard.writeText) {
      navigator.clipboard.writeText(id).then(function () { say('Session id copied.', 'note'); }, selectIt);
    } else selectIt();
  }

  // The session's journey closed (its Close button, or Escape within it): out of the address,
  // and the focus back on its row in the sessions list (the one that opened it, when listed), or
  // on the list's heading, rather than left to fall to the top of the page.
  function closeSession() {
    if (!state.session) return;
    var id = state.session;
    state.session = '';
    sessionSite = '';
    $('session').hidden = true;
    $('f-session').value = '';
    writeUrl(true);
    var row = [].filter.call($('session-list').querySelectorAll('tbody tr[data-key]'), function (tr) {
      return tr.getAttribute('data-key') === id;
    })[0];
    (row ? rowButton(row) : $('h-sessions')).focus();
    refresh();
  }

  // The customer filter lists one customer's sessions (instead of a channel's or an element's).
  function onUser() {
    var user = $('f-user').value.trim();
    if (user === state.user) return;
    sayFigures = true;
    if (user) listBy(function () { state.user = user; });
    else { state.user = ''; state.session = ''; writeUrl(true); refresh(); }
  }

  // The sticky header's height, as it is now (it wraps to more lines as the window narrows; 0 when
  // a short or narrow window has it scroll away): the page's scroll-padding-top (inspector.css),
  // so that what the focus or a skip link scrolls into view is never hidden under it.
  function headerHeight() {
    var top = document.querySelector('.top');
    var h = getComputedStyle(top).position === 'sticky' ? Math.ceil(top.getBoundingClientRect().height) : 0;
    document.documentElement.style.setProperty('--top-h', h + 'px');
  }

  function start() {
    headerHeight();
    if (typeof ResizeObserver === 'function') new ResizeObserver(headerHeight).observe(document.querySelector('.top'));
    window.addEventListener('resize', headerHeight);
    FRICTION_TYPES.forEach(function (t) { addOption($('f-type'), t); });
    // The SDK's default moments of truth (others are added as sessions show them).
    ['add_to_cart', 'begin_checkout', 'purchase'].forEach(function (m) { addOption($('f-during'), m); });
    readUrl();
    if (state.type) addOption($('f-type'), state.type);
    syncForm();
    // A link to a session (shared, or from an order's back office): its journey, at the bottom of
    // a long page, brought into view and its heading focused, as a click on its row does; unless
    // the reader has moved the focus somewhere before the first refresh is drawn.
    if (state.session) focusNext = { id: 'h-session', from: el('div'), top: true };
    ['f-site', 'f-range', 'f-from', 'f-to', 'f-type', 'f-during', 'f-device', 'f-live'].forEach(function (id) { $(id).addEventListener('change', onFilter); });
    $('f-path').addEventListener('change', onFilter);
    $('filters').addEventListener('submit', function (e) { e.preventDefault(); onFilter(); });
    // (search: Enter, or the field's clear button.)
    ['change', 'search'].forEach(function (t) { $('f-user').addEventListener(t, onUser); });
    ['change', 'search'].forEach(function (t) { $('f-session').addEventListener(t, onSession); });
    $('user-filter').addEventListener('submit', function (e) { e.preventDefault(); (document.activeElement === $('f-session') ? onSession : onUser)(); });
    $('f-tag').addEventListener('change', onTag);
    $('session-close').addEventListener('click', closeSession);
    ['chart-figures', 'vitals-figures'].forEach(function (id) { $(id).addEventListener('toggle', function () { drawFigures(id); }); });
    $('session-copy').addEventListener('click', copySessionId);
    // A skip link moves the focus to its panel's heading (the next Tab goes on from there), without
    // a #fragment in the address (which holds the filters only).
    document.querySelectorAll('#skip a').forEach(function (a) {
      a.addEventListener('click', function (e) {
        var h = $(a.getAttribute('href').slice(1));
        if (!h) return;
        e.preventDefault();
        h.focus({ preventScroll: true });
        h.scrollIntoView({ block: 'start' });
      });
    });
    $('session').addEventListener('keydown', function (e) {
      if (e.key !== 'Escape' || e.altKey || e.ctrlKey || e.metaKey || e.shiftKey || e.defaultPrevented) return;
      e.preventDefault();
      closeSession();
    });
    // Grouping by the other: a channel picked is let go (its sessions are no device's).
    $('seg-by').addEventListener('change', function () {
      state.by = $('seg-by').value;
      state.channel = null;
      writeUrl(true);
      refresh();
    });
    $('pages-sort').addEventListener('change', function () { state.pagesBy = $('pages-sort').value; writeUrl(true); refresh(); });
    document.querySelectorAll('button.csv').forEach(function (b) {
      b.addEventListener('click', function () { downloadCsv(b.getAttribute('data-table')); });
    });
    window.addEventListener('popstate', function () { readUrl(); syncForm(); schedule(); refresh(); });
    document.addEventListener('visibilitychange', function () { if (!document.hidden && polling()) refresh(); });
    window.addEventListener('offline', function () { say('Offline: the figures shown are not updated until the connection is back.', 'offline'); });
    window.addEventListener('online', function () { say('Back online: updating.', 'note'); refresh(); });
    schedule();
    refresh();
  }

  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start); else start();
})();
