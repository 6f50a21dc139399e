# QA (insp): posts ~3000 synthetic events (site load-shop, last 6.5 days) straight to /v1/batch,
# keeps the ground truth, then compares the read API's answers with it.
# usage: python3 bench/_qa_insp_load.py URL post|check
import json, random, sys, time, uuid, urllib.request, collections, math, datetime

U, MODE = sys.argv[1], sys.argv[2]
GT = '/tmp/qa_insp/load_truth.json'
SITE = 'load-shop'
WEIGHT = {'rage_click': 10, 'error_click': 10, 'form_abandon': 8, 'dead_click': 6, 'js_error': 6, 'failed_request': 6,
          'field_error': 4, 'quick_back': 4, 'slow_interaction': 3, 'scroll_thrash': 3, 'poor_vital': 2}
MOM = ['add_to_cart', 'begin_checkout', 'purchase']
LONG = '/' + 'very-long-category-name/' * 40 + 'end'  # ~1000 chars
UNI = '/%E5%95%86%E5%93%81/123'
PATHS = ['/', '/product.html', '/cart.html', '/checkout.html', LONG, UNI]
FR = [('dead_click', '/cart.html', '#apply-coupon'), ('rage_click', '/cart.html', '#apply-coupon'),
      ('form_abandon', '/checkout.html', ''), ('error_click', '/product.html', '#broken-button'),
      ('dead_click', LONG, '#x'), ('rage_click', UNI, 'button.buy'), ('search_no_results', '/', '')]
CAMP = {'email': ['spring_sale', 'winter'], 'paid_search': ['grinders', '=HYPERLINK("http://x.example")'], 'social': ['latte_art'], 'direct': [''], '': ['']}
ISO = lambda ms: datetime.datetime.fromtimestamp(ms / 1000, datetime.timezone.utc).strftime('%Y-%m-%dT%H:%M:%S.%f')[:-3] + 'Z'

def ev(s, name, ts, path, props, typ='track'):
    ctx = {'page': {'url': 'https://load.example' + path, 'path': path, 'title': 't', 'referrer': ''},
           'library': {'name': 'touchpoint', 'version': '0.1.0'}, 'device': s['device']}
    if s['channel']: ctx['channel'] = s['channel']
    if s['campaign']: ctx['campaign'] = s['campaign']
    return {'type': typ, 'event': name, 'messageId': str(uuid.uuid4()), 'timestamp': ISO(ts), 'sessionId': s['id'],
            'site': SITE, 'properties': props, 'context': ctx}

def post():
    rnd = random.Random(7)
    now = int(time.time() * 1000)
    sessions, events = [], []
    for i in range(300):
        start = now - rnd.randint(5 * 60_000, int(6.5 * 86_400_000))
        # keep sessions clear of the 24 h boundary (+-15 min) for an exact check
        if abs(start - (now - 86_400_000)) < 15 * 60_000: start -= 40 * 60_000
        ch = rnd.choice(['direct', 'direct', 'email', 'paid_search', 'social', ''])
        s = {'id': f'load-{i:04d}-{uuid.uuid4().hex[:8]}', 'start': start, 'device': rnd.choice(['mobile', 'desktop', 'desktop', 'tablet']),
             'channel': ch, 'campaign': rnd.choice(CAMP[ch])}
        flow = rnd.random()
        if flow < 0.05: moms = ['begin_checkout', 'add_to_cart', 'purchase']
        elif flow < 0.08: moms = ['begin_checkout', 'add_to_cart', 'begin_checkout', 'purchase']
        elif flow < 0.10: moms = ['purchase']
        else: moms = MOM[:rnd.choice([0, 0, 1, 1, 2, 3])]
        t = start
        evs = [ev(s, 'page_view', t, '/', {'category': 'touchpoint', 'navigation': 'load'}, 'page')]
        fr = []
        seq = []  # (kind, name, during)
        last_m = None
        for m in moms:
            for _ in range(rnd.choice([0, 0, 1])):
                f = rnd.choice(FR); seq.append(('f', f, last_m))
            for _ in range(rnd.randint(1, 4)):
                seq.append(('v', rnd.choice(PATHS), None))
            seq.append(('m', m, None)); last_m = m
        for _ in range(rnd.choice([0, 0, 1, 2])):
            f = rnd.choice(FR); seq.append(('f', f, last_m))
        for kind, x, during in seq:
            t += rnd.randint(1000, 20_000)
            if kind == 'v':
                evs.append(ev(s, 'page_view', t, x, {'category': 'touchpoint', 'navigation': 'load'}, 'page'))
            elif kind == 'm':
                evs.append(ev(s, x, t, '/checkout.html', {'moment': True}))
            else:
                typ, path, sel = x
                props = {'category': 'friction'}
                if sel: props['element'] = {'selector': sel, 'tag': 'button'}
                if during: props['during'] = during
                evs.append(ev(s, typ, t, path, props))
                fr.append({'type': typ, 'path': path, 'selector': sel, 'during': during, 'ts': t})
        s.update(moms=moms, fr=fr, end=t, n=len(evs))
        sessions.append(s); events += evs
    rnd.shuffle(events)
    acc = 0
    for k in range(0, len(events), 500):
        body = json.dumps({'sentAt': ISO(int(time.time() * 1000)), 'batch': events[k:k + 500]}).encode()
        with urllib.request.urlopen(urllib.request.Request(U + '/v1/batch', data=body, method='POST')) as r:
            a = json.load(r); acc += a['accepted']
            if a['rejected']: print('rejected', a['rejected'][:3])
    print('posted', len(events), 'accepted', acc, 'sessions', len(sessions))
    json.dump({'now': now, 'sessions': sessions}, open(GT, 'w'))

def reached(moms, steps):
    # subsequence semantics: step k reached if steps[0..k] occur in order
    k, i = 0, 0
    for m in moms:
        if k < len(steps) and m == steps[k]: k += 1
    return k

def score(s):
    w = sum(WEIGHT.get(f['type'], 4) * (2 if f['during'] else 1) for f in s['fr'])
    return round(80 * 0.5 ** (w / 25) + 20 * min(len(set(m for m in s['moms'] if m in MOM)), 3) / 3)

def get(p):
    t0 = time.time()
    with urllib.request.urlopen(U + p) as r: d = json.load(r)
    return d, time.time() - t0

def check():
    g = json.load(open(GT)); now = g['now']; S = g['sessions']
    for label, frm in [('7d', now - 7 * 86_400_000), ('24h', now - 86_400_000)]:
        to = now + 60_000
        q = f'site={SITE}&from={frm}&to={to}'
        ss = [s for s in S if s['end'] >= frm]
        print(f'==== {label}: GT sessions {len(ss)} events {sum(s["n"] for s in S if s["start"] >= frm)} friction {sum(len(s["fr"]) for s in ss)}')
        ov, dt = get('/api/overview?' + q); print(f'overview ({dt*1000:.0f} ms)', {k: ov[k] for k in ['sessions', 'events', 'friction', 'sessionsWithFriction', 'averageScore']})
        exp_avg = sum(score(s) for s in ss) / len(ss)
        print('  GT sessionsWithFriction', sum(1 for s in ss if s['fr']), 'avg score', round(exp_avg, 3))
        fu, dt = get('/api/funnel?' + q)
        exp = [len(ss)] + [sum(1 for s in ss if reached(s['moms'], MOM) >= k) for k in (1, 2, 3)]
        print(f'funnel ({dt*1000:.0f} ms)', [x['sessions'] for x in fu['steps']], 'GT', exp,
              'GT(first-occurrence order)', [len(ss)] + [sum(1 for s in ss if reached(list(dict.fromkeys(s['moms'])), MOM) >= k) for k in (1, 2, 3)])
        for by, key in [('channel', 'channel'), ('device', 'device'), ('campaign', 'campaign')]:
            ch, dt = get(f'/api/channels?{q}&by={by}')
            got = {r[by]: (r['sessions'], r['converted']) for r in ch['channels']}
            expc = collections.defaultdict(lambda: [0, 0])
            for s in ss:
                expc[s[key]][0] += 1; expc[s[key]][1] += 'purchase' in s['moms']
            exps = {k: tuple(v) for k, v in expc.items()}
            print(f'{by} ({dt*1000:.0f} ms) OK' if got == exps else f'{by} MISMATCH got {got} GT {exps}')
        fr, dt = get(f'/api/friction?{q}&limit=200')
        got = {(r['type'], r['path'], r['selector']): (r['count'], r['sessions']) for r in fr['rows']}
        expf = collections.defaultdict(lambda: [0, set()])
        for s in ss:
            for f in s['fr']:
                if f['ts'] >= frm:
                    e = expf[(f['type'], f['path'], f['selector'])]; e[0] += 1; e[1].add(s['id'])
        expf = {k: (v[0], len(v[1])) for k, v in expf.items()}
        print(f'leaderboard ({dt*1000:.0f} ms) OK' if got == expf else f'leaderboard MISMATCH\n got {sorted(got.items())}\n GT  {sorted(expf.items())}')
        sl, dt = get(f'/api/sessions?{q}&limit=200')
        bad = 0
        by_id = {s['id']: s for s in S}
        for r in sl['sessions']:
            s = by_id[r['sessionId']]
            if r['score'] != score(s) or r['channel'] != s['channel'] or r['campaign'] != s['campaign'] or r['device'] != s['device']:
                bad += 1
                if bad <= 5: print('  session mismatch', r['sessionId'], r['score'], score(s), r['moments'], s['moms'], r['frictionByType'], [(f['type'], f['during']) for f in s['fr']])
        print(f'sessions ({dt*1000:.0f} ms) listed {len(sl["sessions"])} mismatches {bad}')
        for path in [LONG, UNI]:
            pr, dt = get(f'/api/friction?{q}&path={urllib.parse.quote(path)}')
            print(' path', path[:30], len(path), [(r['type'], r['count']) for r in pr['rows']], 'GT', {k[0]: v[0] for k, v in expf.items() if k[1] == path})
        pg, dt = get(f'/api/pages?{q}&limit=500')
        pv = collections.Counter()
        # page views (all in the range for 7d)
        print(f'pages ({dt*1000:.0f} ms)', [(p['path'][:25], p['views'], p['friction']) for p in pg['pages']])

import urllib.parse
post() if MODE == 'post' else check()
