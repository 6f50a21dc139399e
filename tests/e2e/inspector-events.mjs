// The events the inspector's e2e tests seed a collector with (inspector.test.mjs,
// inspector-a11y.test.mjs), as the SDK sends them: three sessions of the demo shop, sess-one
// and sess-two with the attribution and device class the SDK puts on every event's context,
// sess-three with neither.

// (Channel, campaign, then the landing's utm_source and utm_medium, as the SDK carries them.)
const CHANNELS = { 'sess-one': ['email', 'spring_sale', 'newsletter', 'email'], 'sess-two': ['paid_search', 'grinders', 'google', 'cpc'] };
const DEVICES = { 'sess-one': 'mobile', 'sess-two': 'desktop' };

/**
 * Builders of one test file's events: `prefix` starts their message ids (unique per file and
 * run); `anonymous` maps a session to its `anonymousId` (marketing consent), none when it gives
 * none. `ev(session, name, minutesAgo, pathname, props, context)`: an event of the session that
 * long ago, `context` added to its context (`sampleRate`); `fr(...)`: a friction event on an
 * element (`selector`, a button; none: the page's).
 */
export function eventBuilders({ prefix, anonymous }) {
  let n = 0;
  function ev(session, name, minutesAgo, pathname, props = {}, context = {}) {
    n += 1;
    const [channel, campaign, source, medium] = CHANNELS[session] || [];
    const id = anonymous(session);
    return {
      type: name === 'page_view' ? 'page' : 'track', event: name, messageId: `${prefix}-${Date.now()}-${n}`,
      timestamp: new Date(Date.now() - minutesAgo * 60_000).toISOString(), sessionId: session, site: 'demo-shop',
      properties: props,
      context: { page: { url: `http://127.0.0.1${pathname}`, path: pathname, title: 'Demo', referrer: '' },
        library: { name: 'touchpoint', version: '0.1.0' }, ...(channel ? { channel, campaign, source, medium } : {}),
        ...(DEVICES[session] ? { device: DEVICES[session] } : {}), ...context },
      ...(id ? { anonymousId: id } : {}),
    };
  }
  const fr = (session, name, minutesAgo, pathname, selector, extra = {}) =>
    ev(session, name, minutesAgo, pathname, { category: 'friction', ...(selector ? { element: { selector, tag: 'button' } } : {}), ...extra });
  return { ev, fr };
}
