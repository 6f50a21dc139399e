# QA (insp): compare the collector's read API with the ground truth of _qa_insp_visitors.mjs
import json, sys, urllib.request, collections
U = sys.argv[1] if len(sys.argv) > 1 else 'http://127.0.0.1:18431'
Q = sys.argv[2] if len(sys.argv) > 2 else ''
gt = [g for g in json.load(open('/tmp/qa_insp/ground_truth.json')) if not g.get('reject')]
def get(p):
    with urllib.request.urlopen(U + p + ('&' if '?' in p else '?') + Q if Q else U + p) as r: return json.load(r)
ids = {g['sessionId']: g for g in gt}
reached = lambda g: {'browse': 0, 'cart': 1, 'checkout': 2, 'abandon': 2, 'purchase': 3}[g['flow']]
print('GT sessions', len(gt), 'add', sum(reached(g) >= 1 for g in gt), 'checkout', sum(reached(g) >= 2 for g in gt), 'purchase', sum(reached(g) >= 3 for g in gt))
print('API funnel', [(s['step'], s['sessions'], s['dropoff']) for s in get('/api/funnel?site=demo-shop')['steps']])
ov = get('/api/overview?site=demo-shop'); print('API overview', ov)
ss = get('/api/sessions?site=demo-shop&limit=200')['sessions']
print('API sessions', len(ss), 'unknown:', [s['sessionId'] for s in ss if s['sessionId'] not in ids])
for s in ss:
    g = ids.get(s['sessionId'])
    if not g: continue
    exp_m = ['add_to_cart', 'begin_checkout', 'purchase'][:reached(g)]
    bad = []
    if s['moments'] != exp_m: bad.append(f"moments {s['moments']} != {exp_m}")
    if s['channel'] != g['ch']: bad.append(f"channel {s['channel']} != {g['ch']}")
    if s['campaign'] != g['camp']: bad.append(f"campaign {s['campaign']!r} != {g['camp']!r}")
    if s['device'] != g['vp']: bad.append(f"device {s['device']} != {g['vp']}")
    print(g['id'], g['flow'], g.get('coupon', ''), g.get('via', ''), 'fr=', s['frictionByType'], 'score', s['score'], 'entry', s['entryPath'], 'last', s['lastPath'], ' BAD: ' + '; '.join(bad) if bad else '')
for g in gt:
    if g['sessionId'] not in {s['sessionId'] for s in ss}: print('MISSING', g['id'], g['sessionId'])
for by in ['channel', 'device', 'campaign']:
    c = get(f'/api/channels?site=demo-shop&by={by}')
    key = {'channel': 'ch', 'device': 'vp', 'campaign': 'camp'}[by]
    exp = collections.Counter(g[key] for g in gt); conv = collections.Counter(g[key] for g in gt if reached(g) == 3)
    print('BY', by, 'expected', dict(exp), 'purchases', dict(conv))
    for r in c['channels']:
        print('   ', r.get(by), r['sessions'], 'conv', r['converted'], r['conversionRate'], 'withFr', r['sessionsWithFriction'])
print('LEADERBOARD')
for r in get('/api/friction?site=demo-shop')['rows']:
    print('   ', r['type'], r['path'], r['selector'], r['count'], r['sessions'], r['share'], r['trend'])
