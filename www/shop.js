/*
 * Demo Shop – storefront logic.
 *
 * Privacy by design: this file stores nothing in the browser. The cart lives only
 * in the URL query string (?cart=mug,grinder,mug) and is carried from page to page
 * by rewriting the href of shop links on load.
 */
(function () {
  'use strict';

  var PRODUCTS = [
    { sku: 'mug', name: 'Stoneware Mug', price: 12.00,
      blurb: 'Hand-glazed 300 ml mug that keeps a flat white warm.',
      features: ['300 ml capacity', 'Dishwasher safe', 'Thick walls hold heat'] },
    { sku: 'grinder', name: 'Burr Grinder', price: 89.00,
      blurb: 'Conical steel burrs with 30 grind settings, espresso to French press.',
      features: ['30 grind settings', 'Conical steel burrs', 'Quiet low-speed motor'] },
    { sku: 'kettle', name: 'Gooseneck Kettle', price: 45.00,
      blurb: 'Precise pour with a slim spout and built-in thermometer.',
      features: ['1 litre', 'Works on all hobs', 'Built-in thermometer'] },
    { sku: 'dripper', name: 'Pour-over Dripper', price: 18.50,
      blurb: 'Ceramic cone dripper for a clean, bright cup.',
      features: ['Fits size 02 filters', 'Ceramic', 'Brews 1-4 cups'] },
    { sku: 'beans', name: 'House Espresso Beans', price: 9.75,
      blurb: '250 g of medium-roast beans with notes of chocolate and cherry.',
      features: ['250 g bag', 'Roasted weekly', 'Whole bean'] },
    { sku: 'scale', name: 'Brew Scale', price: 29.99,
      blurb: 'Weighs to 0.1 g with a built-in timer for repeatable brews.',
      features: ['0.1 g precision', 'Built-in timer', 'USB-C rechargeable'] }
  ];

  var BY_SKU = {};
  PRODUCTS.forEach(function (p) { BY_SKU[p.sku] = p; });

  var MAX_UNITS = 99;
  /* Pages whose links carry the cart along. */
  var SHOP_PATHS = ['/catalog.html', '/', '/index.html', '/product.html', '/cart.html', '/checkout.html', '/thanks.html'];

  /* ---------- product pictures (inline SVG, no external assets) ---------- */
  var S = 'stroke="#2b1d14" stroke-width="3" stroke-linejoin="round" stroke-linecap="round"';
  var ART = {
    mug: '<path d="M30 40h48v44a12 12 0 0 1-12 12H42a12 12 0 0 1-12-12z" fill="#d98c52" ' + S + '/>' +
      '<path d="M78 50h6a10 10 0 0 1 0 20h-6" fill="none" ' + S + '/>' +
      '<path d="M44 30c-4-6 4-8 0-14M56 30c-4-6 4-8 0-14M68 30c-4-6 4-8 0-14" fill="none" stroke="#8a6d5a" stroke-width="3" stroke-linecap="round"/>' +
      '<path d="M36 52h36" stroke="#f3c9a4" stroke-width="4" stroke-linecap="round"/>',
    grinder: '<path d="M38 14h44l-8 26H46z" fill="#9fb2bd" ' + S + '/>' +
      '<rect x="36" y="40" width="48" height="56" rx="8" fill="#4f6470" ' + S + '/>' +
      '<rect x="46" y="70" width="28" height="18" rx="3" fill="#cfd9de" ' + S + '/>' +
      '<path d="M60 14V6h24" fill="none" ' + S + '/><circle cx="88" cy="6" r="4" fill="#c8773a" ' + S + '/>' +
      '<circle cx="60" cy="54" r="5" fill="#cfd9de" ' + S + '/>',
    kettle: '<path d="M34 50c0-10 10-16 26-16s26 6 26 16v38H34z" fill="#7f9b6e" ' + S + '/>' +
      '<path d="M34 62C22 62 18 46 8 40" fill="none" ' + S + ' stroke-width="5"/>' +
      '<path d="M86 50c12 0 14 8 14 18s-4 16-14 16" fill="none" ' + S + '/>' +
      '<rect x="54" y="24" width="12" height="10" rx="3" fill="#2b1d14"/>' +
      '<rect x="30" y="88" width="60" height="8" rx="4" fill="#2b1d14"/>' +
      '<circle cx="60" cy="64" r="8" fill="#e9efe4" ' + S + '/>',
    dripper: '<path d="M28 26h64L74 64H46z" fill="#f1e4cf" ' + S + '/>' +
      '<rect x="36" y="64" width="48" height="6" rx="3" fill="#f1e4cf" ' + S + '/>' +
      '<path d="M40 74h40v16a10 10 0 0 1-10 10H50a10 10 0 0 1-10-10z" fill="#fff" ' + S + '/>' +
      '<path d="M44 84h32v6a6 6 0 0 1-6 6H50a6 6 0 0 1-6-6z" fill="#6b3a1f"/>' +
      '<path d="M60 66v8" stroke="#6b3a1f" stroke-width="3" stroke-dasharray="2 3"/>',
    beans: '<path d="M34 22h52l6 74H28z" fill="#b8574b" ' + S + '/>' +
      '<path d="M34 22l6 8h40l6-8" fill="none" ' + S + '/>' +
      '<rect x="40" y="44" width="40" height="30" rx="4" fill="#fbf3e8" ' + S + '/>' +
      '<ellipse cx="60" cy="59" rx="8" ry="11" fill="#6b3a1f" transform="rotate(20 60 59)"/>' +
      '<path d="M57 50c6 5 0 13 6 18" fill="none" stroke="#fbf3e8" stroke-width="2"/>',
    scale: '<rect x="16" y="52" width="88" height="34" rx="8" fill="#55516e" ' + S + '/>' +
      '<rect x="22" y="44" width="76" height="10" rx="4" fill="#9d99b8" ' + S + '/>' +
      '<rect x="30" y="62" width="40" height="16" rx="3" fill="#c6f0d3" ' + S + '/>' +
      '<text x="50" y="75" font-family="monospace" font-size="12" text-anchor="middle" fill="#1d3b27">18.0</text>' +
      '<circle cx="86" cy="70" r="6" fill="#c8773a" ' + S + '/>'
  };

  function artSvg(sku) {
    return '<svg viewBox="0 0 120 104" role="img" aria-hidden="true" focusable="false" xmlns="http://www.w3.org/2000/svg">' +
      (ART[sku] || '') + '</svg>';
  }

  /* ---------- helpers ---------- */
  function $(sel, root) { return (root || document).querySelector(sel); }
  function $all(sel, root) { return Array.prototype.slice.call((root || document).querySelectorAll(sel)); }

  function round2(n) { return Math.round(n * 100) / 100; }
  function money(n) { return '\u00a3' + round2(n).toFixed(2); }

  /* ---------- commerce events: GA4's names and parameters (README, "The commerce vocabulary") ---------- */
  var CURRENCY = 'GBP';

  /* One product as a GA4 item. */
  function gaItem(p, qty) {
    return { item_id: p.sku, item_name: p.name, price: p.price, quantity: qty };
  }

  /* `currency`, `value` and `items` of some units of one product. */
  function gaProduct(p, qty) {
    return { currency: CURRENCY, value: round2(p.price * qty), items: [gaItem(p, qty)] };
  }

  /* Safe call into the Touchpoint SDK (or its queue stub). */
  function tp() {
    var f = window.touchpoint;
    if (typeof f !== 'function') return;
    try { f.apply(window, arguments); } catch (e) {
      if (window.console) console.error('touchpoint call failed', e);
    }
  }

  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    if (attrs) {
      Object.keys(attrs).forEach(function (k) {
        if (k === 'text') node.textContent = attrs[k];
        else if (k === 'html') node.innerHTML = attrs[k];
        else if (k === 'className') node.className = attrs[k];
        else node.setAttribute(k, attrs[k]);
      });
    }
    (children || []).forEach(function (c) {
      if (c == null) return;
      node.appendChild(typeof c === 'string' ? document.createTextNode(c) : c);
    });
    return node;
  }

  /* ---------- cart (URL only) ---------- */
  function parseCart(value) {
    if (!value) return [];
    return String(value).split(',')
      .map(function (s) { return s.trim().toLowerCase(); })
      .filter(function (s) { return Object.prototype.hasOwnProperty.call(BY_SKU, s); })
      .slice(0, MAX_UNITS);
  }

  var params = new URLSearchParams(window.location.search);
  var cart = parseCart(params.get('cart'));

  function cartString(list) { return (list || cart).join(','); }

  function cartLines(list) {
    var order = [];
    var counts = {};
    (list || cart).forEach(function (sku) {
      if (!counts[sku]) { counts[sku] = 0; order.push(sku); }
      counts[sku] += 1;
    });
    return order.map(function (sku) {
      var p = BY_SKU[sku];
      return { product: p, qty: counts[sku], total: round2(p.price * counts[sku]) };
    });
  }

  function cartTotal(list) {
    return round2((list || cart).reduce(function (sum, sku) { return sum + BY_SKU[sku].price; }, 0));
  }

  /* `currency`, `value` and `items` of a cart (GA4). */
  function gaCart(list) {
    return {
      currency: CURRENCY, value: cartTotal(list),
      items: cartLines(list).map(function (line) { return gaItem(line.product, line.qty); })
    };
  }

  /* Return `href` with its cart parameter set to `list` (commas kept literal). */
  function withCart(href, list) {
    var url;
    try { url = new URL(href, window.location.href); } catch (e) { return href; }
    var parts = [];
    url.searchParams.forEach(function (v, k) {
      if (k !== 'cart') parts.push(encodeURIComponent(k) + '=' + encodeURIComponent(v));
    });
    if (list.length) parts.push('cart=' + list.map(encodeURIComponent).join(','));
    url.search = parts.length ? '?' + parts.join('&') : '';
    if (url.origin === window.location.origin) return url.pathname + url.search + url.hash;
    return url.href;
  }

  function isShopLink(a) {
    if (a.hasAttribute('data-no-cart')) return false;
    var url;
    try { url = new URL(a.getAttribute('href'), window.location.href); } catch (e) { return false; }
    return url.origin === window.location.origin && SHOP_PATHS.indexOf(url.pathname) !== -1;
  }

  /* Rewrite every same-site shop link so the cart travels with the visitor. */
  function propagateCart() {
    var carry = document.body.getAttribute('data-cart-mode') === 'clear' ? [] : cart;
    $all('a[href]').forEach(function (a) {
      if (isShopLink(a)) a.setAttribute('href', withCart(a.getAttribute('href'), carry));
    });
  }

  function updateCount() {
    var n = document.body.getAttribute('data-cart-mode') === 'clear' ? 0 : cart.length;
    $all('.cart-count').forEach(function (c) { c.textContent = String(n); });
    var nav = $('#nav-cart');
    if (nav) nav.setAttribute('aria-label', 'Cart, ' + n + (n === 1 ? ' item' : ' items'));
  }

  /* Persist the cart into the current URL only, and refresh links. */
  function setCart(list) {
    cart = list.slice(0, MAX_UNITS);
    try {
      var next = withCart(window.location.href, cart);
      window.history.replaceState(window.history.state, '', next);
    } catch (e) { /* non-fatal: links still carry the cart */ }
    updateCount();
    propagateCart();
  }

  // `declared`: the button carries data-tp-event="add_to_cart", which Touchpoint tracks itself.
  function addToCart(sku, qty, declared) {
    var p = BY_SKU[sku];
    if (!p) return false;
    qty = Math.max(1, Math.min(parseInt(qty, 10) || 1, MAX_UNITS - cart.length));
    if (cart.length >= MAX_UNITS) return false;
    var next = cart.slice();
    for (var i = 0; i < qty; i++) next.push(sku);
    setCart(next);
    if (!declared) tp('track', 'add_to_cart', gaProduct(p, qty));
    return true;
  }

  function announce(target, message) {
    if (!target) return;
    target.textContent = '';
    // Re-set after a tick so screen readers announce repeated messages.
    window.setTimeout(function () { target.textContent = message; }, 30);
  }

  /* ---------- shared header: consent banner + nav ---------- */
  function initConsent() {
    var banner = $('#consent-banner');
    if (!banner) return;
    function choose(choice) {
      return function () {
        tp('consent', choice);
        banner.hidden = true;
      };
    }
    var accept = $('#consent-accept');
    var reject = $('#consent-reject');
    var all = $('#consent-marketing');
    if (accept) accept.addEventListener('click', choose({ analytics: true }));
    if (reject) reject.addEventListener('click', choose({ analytics: false }));
    if (all) all.addEventListener('click', choose({ analytics: true, marketing: true }));
    // The banner starts hidden and is shown only to a visitor who has not chosen yet: the script
    // tag has data-remember-consent, so one who already chose is not asked again (nor shown the
    // banner for a moment on every page while the SDK loads).
    tp('getConsent', function (c) { banner.hidden = !(c && c.analytics === 'pending'); });
    // A choice made in another tab of the shop applies here at once (data-remember-consent):
    // its banner goes too.
    window.addEventListener('touchpoint:consent', function (e) {
      if (e.detail && e.detail.analytics !== 'pending') banner.hidden = true;
    });
  }

  function markCurrentNav() {
    var page = document.body.getAttribute('data-page');
    var id = page === 'home' ? 'nav-home' : page === 'cart' ? 'nav-cart' : null;
    if (id && $('#' + id)) $('#' + id).setAttribute('aria-current', 'page');
  }

  /* ---------- pages ---------- */
  function initHome() {
    $all('.thumb[data-art]').forEach(function (t) { t.innerHTML = artSvg(t.getAttribute('data-art')); });

    var status = $('#cart-status');
    $all('button.add-to-cart[data-sku]').forEach(function (btn) {
      btn.addEventListener('click', function () {
        var sku = btn.getAttribute('data-sku');
        if (addToCart(sku, 1)) announce(status, BY_SKU[sku].name + ' added to your cart (' + cart.length + ' item' + (cart.length === 1 ? '' : 's') + ').');
      });
    });

    var form = $('#search');
    if (!form) return;
    var input = form.querySelector('input[name="q"]');
    var searchStatus = $('#search-status');
    var cards = $all('.product-card');
    var empty = $('#no-results');

    function filter() {
      var q = (input.value || '').trim().toLowerCase();
      var shown = 0;
      cards.forEach(function (card) {
        var hay = (card.getAttribute('data-name') + ' ' + card.textContent).toLowerCase();
        var match = !q || hay.indexOf(q) !== -1;
        card.hidden = !match;
        if (match) shown++;
      });
      if (empty) empty.hidden = shown !== 0;
      if (searchStatus) {
        searchStatus.textContent = q
          ? shown + ' product' + (shown === 1 ? '' : 's') + ' match \u201c' + input.value.trim() + '\u201d'
          : '';
      }
      return q && !shown ? q : '';
    }
    // A search that found nothing is friction only the shop knows of (reported when the visitor
    // asks, not at each keystroke).
    function search() {
      var none = filter();
      if (none) tp('friction', 'search_no_results', { term: none });
    }

    form.addEventListener('submit', function (e) { e.preventDefault(); search(); });
    input.addEventListener('input', filter);
    input.addEventListener('search', filter);
    var initial = params.get('q');
    if (initial) { input.value = initial; search(); }
  }

  function initProduct() {
    var root = $('#product');
    if (!root) return;
    var sku = (params.get('sku') || '').toLowerCase();
    var p = Object.prototype.hasOwnProperty.call(BY_SKU, sku) ? BY_SKU[sku] : null;

    if (!p) {
      document.title = 'Product not found \u2013 Demo Shop';
      root.innerHTML = '';
      root.appendChild(el('div', { className: 'panel', style: 'margin:2rem 0' }, [
        el('h1', { text: 'Product not found' }),
        el('p', { text: 'We couldn\u2019t find that product. It may have sold out.' }),
        el('a', { href: '/', className: 'btn btn-primary', text: 'Back to the shop' })
      ]));
      propagateCart();
      return;
    }

    document.title = p.name + ' \u2013 Demo Shop';
    $('#product-name').textContent = p.name;
    $('#crumb-name').textContent = p.name;
    $('#product-price').textContent = money(p.price);
    $('#product-price').setAttribute('data-price', String(p.price));
    $('#product-blurb').textContent = p.blurb;
    $('#product-sku').textContent = 'SKU: ' + p.sku;
    var art = $('#product-art');
    art.setAttribute('data-art', p.sku);
    art.innerHTML = artSvg(p.sku);
    var feats = $('#product-features');
    feats.innerHTML = '';
    p.features.forEach(function (f) { feats.appendChild(el('li', { text: f })); });

    var qtySel = $('#qty');
    var addBtn = $('#add-to-cart');
    var buyNow = $('#buy-now');
    var notice = $('#product-notice');
    addBtn.setAttribute('data-sku', p.sku);

    function qty() { return Math.max(1, parseInt(qtySel.value, 10) || 1); }
    function updateBuyNow() {
      // Buy now: check out the current cart, adding this product if it is not in it yet.
      var list = cart.slice();
      if (list.indexOf(p.sku) === -1) for (var i = 0; i < qty(); i++) list.push(p.sku);
      buyNow.setAttribute('href', withCart('/checkout.html', list.slice(0, MAX_UNITS)));
    }

    addBtn.addEventListener('click', function () {
      var n = qty();
      if (addToCart(p.sku, n)) {
        announce(notice, 'Added ' + n + ' \u00d7 ' + p.name + ' to your cart.');
        updateBuyNow();
      }
    });
    qtySel.addEventListener('change', updateBuyNow);
    updateBuyNow();

    // Deliberately broken: demonstrates error-click detection.
    $('#broken-button').addEventListener('click', function () {
      throw new Error('stock service unavailable');
    });
  }

  function renderCart() {
    var list = $('#cart-lines');
    var totalEl = $('#cart-total');
    var emptyEl = $('#cart-empty');
    var checkout = $('#checkout-link');
    var summary = $('#cart-summary');
    if (!list) return;
    list.innerHTML = '';
    var lines = cartLines();
    lines.forEach(function (line) {
      var p = line.product;
      var thumb = el('div', { className: 'thumb', 'data-art': p.sku, html: artSvg(p.sku) });
      var remove = el('button', {
        type: 'button', className: 'btn btn-secondary btn-small remove', 'data-sku': p.sku,
        'aria-label': 'Remove ' + p.name + ' from cart', text: 'Remove'
      });
      remove.addEventListener('click', function () {
        // Every unit of the product leaves the cart.
        tp('track', 'remove_from_cart', gaProduct(p, line.qty));
        setCart(cart.filter(function (s) { return s !== p.sku; }));
        renderCart();
        announce($('#cart-status'), p.name + ' removed from your cart.');
        var next = $('button.remove') || $('#continue-shopping');
        if (next) next.focus();
      });
      list.appendChild(el('li', { className: 'cart-line', 'data-sku': p.sku }, [
        thumb,
        el('div', null, [
          el('a', { className: 'name', href: withCart('/product.html?sku=' + p.sku, cart), text: p.name }),
          el('div', { className: 'meta', text: line.qty + ' \u00d7 ' + money(p.price) })
        ]),
        el('span', { className: 'line-total', text: money(line.total) }),
        remove
      ]));
    });
    var empty = lines.length === 0;
    if (emptyEl) emptyEl.hidden = !empty;
    if (summary) summary.hidden = empty;
    list.hidden = empty;
    if (totalEl) {
      totalEl.textContent = money(cartTotal());
      totalEl.setAttribute('data-total', String(cartTotal()));
    }
    if (checkout) {
      checkout.hidden = empty;
      checkout.setAttribute('href', withCart('/checkout.html', cart));
    }
  }

  function renderSummary(listEl, totalEl, countEl, list) {
    if (listEl) {
      listEl.innerHTML = '';
      cartLines(list).forEach(function (line) {
        listEl.appendChild(el('li', null, [
          el('span', { text: line.qty + ' \u00d7 ' + line.product.name }),
          el('span', { text: money(line.total) })
        ]));
      });
      if (!list.length) listEl.appendChild(el('li', null, [el('span', { text: 'Your cart is empty.' })]));
    }
    if (totalEl) totalEl.textContent = money(cartTotal(list));
    if (countEl) countEl.textContent = String(list.length);
  }

  /* ---------- catalogue: a single-page section (history.pushState) ---------- */
  function initCatalog() {
    var list = $('#catalog-list'), view = $('#catalog-product'), grid = $('#catalog-grid');
    if (!list || !view || !grid) return;
    var add = $('#catalog-add'), crumb = $('#crumb-product'), notice = $('#catalog-notice');
    PRODUCTS.forEach(function (p) {
      var a = el('a', { className: 'product-link', href: '/catalog.html?sku=' + p.sku, 'data-sku': p.sku }, [
        el('div', { className: 'thumb', html: artSvg(p.sku) }),
        el('div', { className: 'info' }, [el('h2', { text: p.name }), el('p', { className: 'blurb', text: money(p.price) })])
      ]);
      grid.appendChild(el('li', { className: 'product-card' }, [a]));
    });
    function render() {
      var sku = (new URLSearchParams(window.location.search).get('sku') || '').toLowerCase();
      var p = Object.prototype.hasOwnProperty.call(BY_SKU, sku) ? BY_SKU[sku] : null;
      list.hidden = !!p;
      view.hidden = !p;
      crumb.textContent = p ? ' / ' + p.name : '';
      document.title = (p ? p.name : 'Catalogue') + ' \u2013 Demo Shop';
      notice.textContent = '';
      if (!p) {
        tp('track', 'view_item_list', {
          item_list_id: 'catalogue', item_list_name: 'Catalogue',
          items: PRODUCTS.map(function (q, i) { return { item_id: q.sku, item_name: q.name, price: q.price, index: i }; })
        });
        return;
      }
      $('#catalog-name').textContent = p.name;
      $('#catalog-price').textContent = money(p.price);
      $('#catalog-blurb').textContent = p.blurb;
      $('#catalog-art').innerHTML = artSvg(p.sku);
      // The declarative event's properties: set here because they depend on the product shown.
      add.setAttribute('data-tp-props', JSON.stringify(gaProduct(p, 1)));
      tp('track', 'view_item', gaProduct(p, 1));
    }
    function go(href) {
      window.history.pushState(null, '', href);
      render();
      window.scrollTo(0, 0);
    }
    document.addEventListener('click', function (e) {
      var a = e.target.closest && e.target.closest('#catalog-grid a[data-sku], #crumb-catalog');
      if (!a || e.button !== 0 || e.ctrlKey || e.metaKey || e.shiftKey) return;
      e.preventDefault();
      go(a.getAttribute('href'));
    });
    window.addEventListener('popstate', render);
    add.addEventListener('click', function () {
      var sku = (new URLSearchParams(window.location.search).get('sku') || '').toLowerCase();
      if (BY_SKU[sku] && addToCart(sku, 1, true)) {
        announce(notice, 'Added ' + BY_SKU[sku].name + ' to your cart.');
        $('#catalog-checkout').setAttribute('href', withCart('/checkout.html', cart));
      }
    });
    $('#catalog-checkout').setAttribute('href', withCart('/checkout.html', cart));
    render();
  }

  function initCheckout() {
    renderSummary($('#summary-lines'), $('#summary-total'), $('#summary-count'), cart);
    if (cart.length) tp('track', 'begin_checkout', gaCart(cart));
    var emptyWarn = $('#checkout-empty');
    if (emptyWarn) emptyWarn.hidden = cart.length !== 0;

    var toggle = $('#create-account');
    var pwWrap = $('#password-field');
    var pw = $('#password');
    function syncPassword() {
      var on = !!(toggle && toggle.checked);
      if (pwWrap) pwWrap.classList.toggle('is-collapsed', !on);
      if (pw) { if (on) pw.setAttribute('aria-required', 'true'); else pw.removeAttribute('aria-required'); }
    }
    if (toggle) { toggle.addEventListener('change', syncPassword); syncPassword(); }

    // The payment step: add_payment_info once the card fields are all filled in (sent when one of
    // them changes, i.e. when the visitor leaves it). Never their values: only the cart.
    var card = [$('#card-number'), $('#card-exp'), $('#card-cvc')].filter(Boolean);
    var paymentSent = false;
    card.forEach(function (input) {
      input.addEventListener('change', function () {
        if (paymentSent || !cart.length) return;
        if (!card.every(function (f) { return f.value.trim() !== ''; })) return;
        paymentSent = true;
        var props = gaCart(cart);
        props.payment_type = 'card';
        tp('track', 'add_payment_info', props);
      });
    });

    var form = $('#checkout-form');
    if (!form) return;
    // The order's number: made here, shown on the thanks page (carried in its URL). It is the
    // purchase's transaction_id, unique per order so that a purchase sent twice can be dropped.
    var orderId = 'DS-' + Date.now().toString(36).toUpperCase() + '-' +
      Math.floor(Math.random() * 1679616).toString(36).toUpperCase();
    // Declarative: the purchase event fires on submit (after the browser's own validation).
    // data-tp-props, not data-tp-prop-*: `items` is an array, which only JSON can say.
    if (cart.length) {
      var purchase = gaCart(cart);
      purchase.transaction_id = orderId;
      purchase.shipping = 0; // delivery is free
      form.setAttribute('data-tp-event', 'purchase');
      form.setAttribute('data-tp-props', JSON.stringify(purchase));
    }
    var submitted = false;
    form.addEventListener('submit', function (e) {
      e.preventDefault();
      if (submitted) return;
      submitted = true;
      var btn = $('#place-order');
      if (btn) { btn.disabled = true; btn.textContent = 'Placing order\u2026'; }
      // A new account: the shop now knows this customer, by its own id (never the email typed),
      // and the rest of the visit carries it (the inspector lists a customer's sessions).
      // (Its trait is not named `account`: a key named like a bank account is dropped at capture.)
      if (toggle && toggle.checked) tp('identify', 'C-' + orderId.slice(3), { signed_up: 'checkout' });
      // (The purchase event is the form's own: data-tp-event above. Never any field values.)
      var dest = withCart('/thanks.html?order=' + encodeURIComponent(orderId), cart);
      // A short pause lets the tracker hand the event off before we navigate.
      window.setTimeout(function () { window.location.assign(dest); }, 120);
    });
  }

  function initThanks() {
    renderSummary($('#order-lines'), $('#order-total'), $('#order-count'), cart);
    var ref = $('#order-ref');
    var order = params.get('order') || '';
    if (ref && /^DS-[A-Z0-9-]{1,24}$/.test(order)) ref.textContent = order;
    else if (ref) {
      var n = 0;
      cart.forEach(function (s) { for (var i = 0; i < s.length; i++) n = (n * 31 + s.charCodeAt(i)) % 1000000; });
      ref.textContent = 'DS-' + String(100000 + n).slice(-6);
    }
  }

  // A site-wide sale countdown that changes the page every second, as many shops have. It is
  // marked data-tp-ambient: its changes answer no click outside it, so the visitor's dead and
  // rage clicks elsewhere are still seen (without the mark, each tick would answer them).
  function initSaleTimer() {
    var header = $('.header-inner');
    if (!header) return;
    var el = document.createElement('p'), end = new Date();
    el.className = 'sale-timer';
    el.setAttribute('data-tp-ambient', '');
    end.setHours(24, 0, 0, 0);
    function two(n) { return (n < 10 ? '0' : '') + n; }
    function tick() {
      var s = Math.max(0, Math.floor((end - Date.now()) / 1000));
      el.textContent = 'Winter sale ends in ' + two(Math.floor(s / 3600)) + ':' + two(Math.floor(s / 60) % 60) + ':' + two(s % 60);
    }
    tick();
    setInterval(tick, 1000);
    header.appendChild(el);
  }

  function init() {
    initConsent();
    markCurrentNav();
    initSaleTimer();
    var page = document.body.getAttribute('data-page');
    if (page === 'home') initHome();
    else if (page === 'product') initProduct();
    else if (page === 'cart') renderCart();
    else if (page === 'checkout') initCheckout();
    else if (page === 'catalog') initCatalog();
    else if (page === 'thanks') initThanks();
    updateCount();
    propagateCart();
  }

  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', init);
  else init();
})();
