/*
 * Live event viewer for the product team.
 * Polls the collector's read API and renders the latest events. Everything coming
 * from the API is treated as untrusted text (textContent only, never innerHTML).
 */
(function () {
  'use strict';

  var POLL_MS = 1500;
  var TIMEOUT_MS = 5000;
  var LIMIT = 50;

  var body, statusEl, totalEl, sitesEl, filterEl, pauseBtn;
  var lastEvents = [];
  var paused = false;
  var timer = null;
  var inFlight = false;
  var hasLoaded = false;

  function $(id) { return document.getElementById(id); }

  function truncate(s, n) {
    s = String(s);
    return s.length > n ? s.slice(0, n - 1) + '\u2026' : s;
  }

  function scalar(v) {
    if (v === null || v === undefined) return String(v);
    if (typeof v === 'string') return v;
    if (typeof v === 'number' || typeof v === 'boolean') return String(v);
    try { return JSON.stringify(v); } catch (e) { return '[object]'; }
  }

  function fetchJson(url) {
    var ctrl = typeof AbortController === 'function' ? new AbortController() : null;
    var t = ctrl ? setTimeout(function () { ctrl.abort(); }, TIMEOUT_MS) : null;
    return fetch(url, { cache: 'no-store', headers: { Accept: 'application/json' }, signal: ctrl ? ctrl.signal : undefined })
      .then(function (res) {
        if (!res.ok) throw new Error('HTTP ' + res.status);
        return res.json();
      })
      .then(function (data) { if (t) clearTimeout(t); return data; },
        function (err) { if (t) clearTimeout(t); throw err; });
  }

  function toDate(ts) {
    if (ts === null || ts === undefined || ts === '') return null;
    var d = new Date(typeof ts === 'string' && /^\d+$/.test(ts) ? Number(ts) : ts);
    return isNaN(d.getTime()) ? null : d;
  }

  function pad(n, w) { n = String(n); while (n.length < (w || 2)) n = '0' + n; return n; }

  function formatTime(ts) {
    var d = toDate(ts);
    if (!d) return ts == null ? '' : String(ts);
    return pad(d.getHours()) + ':' + pad(d.getMinutes()) + ':' + pad(d.getSeconds()) + '.' + pad(d.getMilliseconds(), 3);
  }

  function pagePath(ev) {
    var page = ev && ev.context && ev.context.page;
    if (!page || typeof page !== 'object') return '';
    if (page.path) return String(page.path);
    if (page.url) {
      try { var u = new URL(String(page.url), location.href); return u.pathname; } catch (e) { return String(page.url); }
    }
    return '';
  }

  function eventName(ev) {
    if (ev.event) return String(ev.event);
    var p = ev.properties;
    if (ev.type === 'page') {
      var page = ev.context && ev.context.page;
      if (p && p.name) return String(p.name);
      if (page && page.title) return String(page.title);
    }
    return '';
  }

  /* "selector/properties summary": selector first, then the other properties. */
  function summary(ev) {
    var p = ev.properties;
    if (!p || typeof p !== 'object') return p == null ? '' : scalar(p);
    var parts = [];
    if (p.selector) parts.push(scalar(p.selector));
    Object.keys(p).forEach(function (k) {
      if (k === 'selector') return;
      parts.push(k + '=' + truncate(scalar(p[k]), 60));
    });
    return truncate(parts.join(' \u00b7 '), 200);
  }

  function fullJson(v) {
    try { return truncate(JSON.stringify(v, null, 2), 2000); } catch (e) { return ''; }
  }

  function cell(text, className, title) {
    var td = document.createElement('td');
    td.textContent = text;
    if (className) td.className = className;
    if (title) td.title = title;
    return td;
  }

  function badge(type) {
    var td = document.createElement('td');
    var span = document.createElement('span');
    var t = String(type || 'unknown');
    span.className = 'badge badge-' + t.replace(/[^a-z0-9_-]/gi, '');
    span.textContent = t;
    td.appendChild(span);
    return td;
  }

  function emptyRow(message) {
    var tr = document.createElement('tr');
    tr.id = 'events-empty';
    var td = document.createElement('td');
    td.colSpan = 6;
    td.className = 'empty-note';
    td.textContent = message;
    tr.appendChild(td);
    return tr;
  }

  function matches(ev, q) {
    if (!q) return true;
    var hay = [ev.type, eventName(ev), pagePath(ev), summary(ev), ev.site].join(' ').toLowerCase();
    return hay.indexOf(q) !== -1;
  }

  function sortNewestFirst(list) {
    return list
      .map(function (ev, i) { var d = toDate(ev.timestamp); return { ev: ev, i: i, t: d ? d.getTime() : -Infinity }; })
      .sort(function (a, b) { return b.t - a.t || a.i - b.i; })
      .map(function (x) { return x.ev; });
  }

  function render() {
    var q = (filterEl && filterEl.value || '').trim().toLowerCase();
    var rows = lastEvents.filter(function (ev) { return matches(ev, q); });
    var frag = document.createDocumentFragment();
    if (!rows.length) {
      frag.appendChild(emptyRow(lastEvents.length
        ? 'No events match the filter.'
        : 'No events yet. Open the shop in another tab and click around.'));
    }
    rows.forEach(function (ev) {
      var tr = document.createElement('tr');
      tr.className = 'event-row';
      if (ev.type) tr.setAttribute('data-type', String(ev.type));
      var id = ev.messageId == null ? '' : String(ev.messageId);
      var d = toDate(ev.timestamp);
      tr.appendChild(cell(formatTime(ev.timestamp), 'mono', d ? d.toISOString() : ''));
      tr.appendChild(badge(ev.type));
      tr.appendChild(cell(eventName(ev)));
      tr.appendChild(cell(pagePath(ev), 'mono', ev.context && ev.context.page && ev.context.page.url ? String(ev.context.page.url) : ''));
      tr.appendChild(cell(summary(ev), 'details', ev.properties ? fullJson(ev.properties) : ''));
      tr.appendChild(cell(id.slice(0, 8), 'mono', id));
      frag.appendChild(tr);
    });
    body.textContent = '';
    body.appendChild(frag);
  }

  function renderStats(stats) {
    if (!stats || typeof stats !== 'object') return;
    var n = Number(stats.events);
    totalEl.textContent = isFinite(n) ? String(n) : '\u2013';
    var by = stats.bySite && typeof stats.bySite === 'object' ? stats.bySite : {};
    var keys = Object.keys(by);
    sitesEl.textContent = keys.length
      ? keys.map(function (k) { return k + ': ' + scalar(by[k]); }).join(', ')
      : '\u2013';
  }

  function setStatus(text, isError) {
    statusEl.textContent = text;
    statusEl.classList.toggle('error', !!isError);
  }

  function normaliseEvents(data) {
    var list = Array.isArray(data) ? data
      : data && Array.isArray(data.events) ? data.events
      : [];
    return sortNewestFirst(list.filter(function (ev) { return ev && typeof ev === 'object'; }));
  }

  function poll() {
    timer = null;
    if (paused || inFlight) return schedule();
    if (document.hidden) return schedule();
    inFlight = true;
    var eventsReq = fetchJson('/api/events?limit=' + LIMIT).then(
      function (data) { return { ok: true, data: data }; },
      function (err) { return { ok: false, err: err }; });
    var statsReq = fetchJson('/api/stats').then(
      function (data) { return { ok: true, data: data }; },
      function (err) { return { ok: false, err: err }; });

    Promise.all([eventsReq, statsReq]).then(function (results) {
      var ev = results[0];
      var st = results[1];
      if (ev.ok) {
        lastEvents = normaliseEvents(ev.data);
        hasLoaded = true;
        render();
      }
      if (st.ok) renderStats(st.data);
      var now = new Date();
      var at = pad(now.getHours()) + ':' + pad(now.getMinutes()) + ':' + pad(now.getSeconds());
      if (paused) {
        setStatus('Paused.', false);
      } else if (ev.ok && st.ok) {
        setStatus('Showing ' + lastEvents.length + ' most recent event' + (lastEvents.length === 1 ? '' : 's') + ' \u00b7 updated ' + at, false);
      } else {
        var err = (!ev.ok ? ev.err : st.err);
        var msg = err && err.name === 'AbortError' ? 'timed out' : (err && err.message) || 'network error';
        setStatus('Could not reach the collector (' + msg + '). Retrying\u2026' +
          (hasLoaded ? ' Showing the last data received.' : ''), true);
        if (!hasLoaded && !ev.ok) {
          body.textContent = '';
          body.appendChild(emptyRow('No data yet: the collector is not responding.'));
        }
      }
    }).catch(function (err) {
      setStatus('Something went wrong while showing events: ' + ((err && err.message) || err), true);
    }).then(function () {
      inFlight = false;
      schedule();
    });
  }

  function schedule() {
    if (timer) clearTimeout(timer);
    timer = setTimeout(poll, POLL_MS);
  }

  function init() {
    body = $('events-body');
    statusEl = $('events-status');
    totalEl = $('stats-total');
    sitesEl = $('stats-sites');
    filterEl = $('events-filter');
    pauseBtn = $('events-pause');
    if (!body || !statusEl || !totalEl || !sitesEl) return;

    if (filterEl) filterEl.addEventListener('input', render);
    if (pauseBtn) {
      pauseBtn.addEventListener('click', function () {
        paused = !paused;
        pauseBtn.setAttribute('aria-pressed', String(paused));
        pauseBtn.textContent = paused ? 'Resume' : 'Pause';
        if (paused) setStatus('Paused.', false);
        else { if (timer) clearTimeout(timer); poll(); }
      });
    }
    document.addEventListener('visibilitychange', function () {
      if (!document.hidden && !paused && !inFlight) { if (timer) clearTimeout(timer); poll(); }
    });
    poll();
  }

  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', init);
  else init();
})();
