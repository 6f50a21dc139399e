// Touchpoint's debug overlay: loaded on demand (data-debug on the script tag, or
// ?touchpoint_debug=1 in the page URL) from next to the SDK, so a page without it downloads
// none of this. It lists events as they are captured and whether they left for the collector,
// shows the consent state per category, and outlines the element of each friction event.
//
// It must never capture itself nor disturb what it observes: it lives in a shadow root (the
// SDK's MutationObserver does not see changes inside it, so its rendering is never mistaken
// for a page's response to a click) under an element marked data-tp-ignore (clicks on it are
// not touchpoints), and it styles through the CSSOM only (works under a strict CSP).
(function () {
  var w = window, d = document;
  var MAX = 100;
  var events = []; // newest last: {id, name, time, friction, selector}
  var sent = {};
  // What the page's beforeSend hook did to an event (by id): 'd' dropped it, 'h' changed it.
  var hooked = {};
  var consent = { analytics: 'pending', marketing: 'pending' };
  var planned = false, root, list, state, count;

  function css(el, styles) { for (var k in styles) el.style[k] = styles[k]; return el; }
  function el(tag, styles, text) {
    var e = css(d.createElement(tag), styles || {});
    if (text != null) e.textContent = text;
    return e;
  }

  function mount() {
    var host = el('div', { position: 'fixed', right: '12px', bottom: '12px', zIndex: '2147483647' });
    host.setAttribute('data-tp-ignore', '');
    host.setAttribute('data-touchpoint-overlay', '');
    root = host.attachShadow ? host.attachShadow({ mode: 'open' }) : host;
    var panel = el('div', {
      font: '12px/1.4 ui-monospace, SFMono-Regular, Menlo, monospace', color: '#111', background: '#fffbe8',
      border: '1px solid #c9b458', borderRadius: '6px', boxShadow: '0 4px 16px rgba(0,0,0,.2)',
      width: '360px', maxHeight: '45vh', display: 'flex', flexDirection: 'column',
    });
    var head = el('div', { display: 'flex', justifyContent: 'space-between', padding: '6px 8px', borderBottom: '1px solid #e5d48a', fontWeight: 'bold' });
    head.appendChild(el('span', null, 'Touchpoint debug'));
    count = el('span', { fontWeight: 'normal' }, '');
    head.appendChild(count);
    var hide = el('button', { font: 'inherit', border: '0', background: 'none', cursor: 'pointer' }, '×');
    hide.setAttribute('aria-label', 'Hide the Touchpoint debug overlay');
    hide.addEventListener('click', function () { host.remove(); });
    head.appendChild(hide);
    state = el('div', { padding: '4px 8px', borderBottom: '1px solid #e5d48a' });
    state.setAttribute('data-part', 'consent');
    list = el('ol', { margin: '0', padding: '4px 8px 6px 28px', overflowY: 'auto' });
    list.setAttribute('data-part', 'events');
    panel.appendChild(head);
    panel.appendChild(state);
    panel.appendChild(list);
    root.appendChild(panel);
    (d.body || d.documentElement).appendChild(host);
  }

  function status(e) {
    if (hooked[e.id] === 'd') return 'dropped by beforeSend';
    if (sent[e.id]) return hooked[e.id] ? 'sent (changed by beforeSend)' : 'sent';
    if (consent.analytics === 'pending') return 'waiting for consent';
    if (consent.analytics === 'denied') return 'dropped (denied)';
    return 'queued';
  }

  function render() {
    planned = false;
    if (!root) mount();
    state.textContent = 'consent: analytics ' + consent.analytics + ' · marketing ' + consent.marketing;
    count.textContent = events.length + ' events';
    list.textContent = '';
    for (var i = events.length - 1; i >= 0; i--) {
      var e = events[i], s = status(e);
      var li = el('li', { color: e.friction ? '#a00' : '#111' });
      li.setAttribute('data-event', e.name);
      li.setAttribute('data-status', s);
      li.textContent = e.time + ' ' + e.name + (e.selector ? ' ' + e.selector : '') + ' — ' + s;
      list.appendChild(li);
    }
  }

  function later() {
    if (planned) return;
    planned = true;
    (w.requestAnimationFrame || setTimeout)(render);
  }

  // A friction event's element, outlined in the page (where it can still be found).
  function outline(selector) {
    try {
      var target = selector && d.querySelector(selector);
      if (target && target.style) {
        // (Marked first: the loader takes this outline for the overlay's, not for the page
        // answering a click; see host.js deco.)
        target.setAttribute('data-tp-outlined', '');
        target.style.outline = '3px solid #d33';
        target.style.outlineOffset = '2px';
      }
    } catch (_) { /* a selector the browser cannot parse */ }
  }

  function receive(msg) {
    try {
      if (msg.charAt(0) === 'c') {
        var e = JSON.parse(msg.slice(1)), p = e.properties || {}, friction = p.category === 'friction';
        var selector = p.element && p.element.selector;
        events.push({ id: e.messageId, name: e.event, time: (e.timestamp || '').slice(11, 23), friction: friction, selector: selector });
        if (events.length > MAX) events.shift();
        if (friction) outline(selector);
      } else if (msg.charAt(0) === 's') {
        msg.slice(1).split(',').forEach(function (id) { sent[id] = true; });
      } else if (msg.charAt(0) === 'd' || msg.charAt(0) === 'h') {
        hooked[msg.slice(1)] = msg.charAt(0);
      }
    } catch (_) { /* a message it does not understand: ignored */ }
    later();
  }

  function onConsent(c) {
    if (c && c.analytics) { consent = { analytics: c.analytics, marketing: c.marketing }; later(); }
  }
  w.addEventListener('touchpoint:consent', function (e) { onConsent(e.detail); });
  if (typeof w.touchpoint === 'function') w.touchpoint('getConsent', onConsent);

  var waiting = w.__tpDebug || [];
  w.__tpDebug = { push: receive };
  for (var i = 0; i < waiting.length; i++) receive(waiting[i]);
  later();
})();
