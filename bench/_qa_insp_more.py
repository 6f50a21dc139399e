# QA (insp): 600 one-event sites + 2400 events in the last hour, posted straight to /v1/batch; then times reads.
import json, sys, time, uuid, urllib.request, datetime, random
U = sys.argv[1]
ISO = lambda ms: datetime.datetime.fromtimestamp(ms / 1000, datetime.timezone.utc).strftime('%Y-%m-%dT%H:%M:%S.%f')[:-3] + 'Z'
now = int(time.time() * 1000); rnd = random.Random(3)
def ev(site, sid, name, ts, path, props):
    return {'type': 'page' if name == 'page_view' else 'track', 'event': name, 'messageId': str(uuid.uuid4()), 'timestamp': ISO(ts),
            'sessionId': sid, 'site': site, 'properties': props,
            'context': {'page': {'url': 'https://x.example' + path, 'path': path, 'title': '', 'referrer': ''},
                        'library': {'name': 'touchpoint', 'version': '0.1.0'}, 'device': 'desktop', 'channel': 'direct'}}
evs = [ev(f'spam-{i:03d}', f'spam-s-{i}', 'page_view', now - rnd.randint(0, 3_600_000), '/', {}) for i in range(600)]
for i in range(2400):
    sid = f'burst-{i % 400}'
    typ = rnd.choice(['page_view', 'click', 'dead_click', 'rage_click'])
    props = {'category': 'friction', 'element': {'selector': f'#btn-{rnd.randint(0, 300)}'}} if 'click' in typ and typ != 'click' else {'category': 'touchpoint'}
    evs.append(ev('load-shop', sid, typ, now - rnd.randint(0, 3_500_000), f'/p/{rnd.randint(0, 120)}', props))
for k in range(0, len(evs), 500):
    body = json.dumps({'sentAt': ISO(int(time.time() * 1000)), 'batch': evs[k:k + 500]}).encode()
    print(json.load(urllib.request.urlopen(urllib.request.Request(U + '/v1/batch', data=body, method='POST')))['accepted'], end=' ')
print()
for p in ['/api/stats', '/api/overview?range=x' if False else '/api/overview', '/api/friction?limit=200', '/api/friction?from=%d&limit=200' % (now - 90 * 86400000),
          '/api/sessions?limit=200', '/api/pages?limit=500', '/api/tags', '/api/channels?by=campaign', '/api/timeseries?metric=friction&from=%d' % (now - 90 * 86400000)]:
    t0 = time.time(); r = urllib.request.urlopen(U + p); b = r.read(); print(f'{p[:60]:60s} {r.status} {len(b):8d} B {1000*(time.time()-t0):6.0f} ms')
