#!/bin/bash
# QA (insp): a session's browser events (add_to_cart, begin_checkout) arrive after the server's
# webhook purchase (README "The visit's ids, for your server"). Funnel and moments follow arrival order.
# usage: bash bench/_qa_insp_order.sh http://127.0.0.1:18431
U=$1; S=order-$(date +%s%N); now=$(date +%s%3N)
iso(){ date -u -d @$(( $1/1000 )).$(printf %03d $(( $1%1000 ))) +%Y-%m-%dT%H:%M:%S.%3NZ; }
T1=$(iso $((now-60000))); T2=$(iso $((now-40000))); T3=$(iso $((now-20000)))
ctx='"context":{"page":{"url":"http://127.0.0.1/","path":"/checkout.html","title":"","referrer":""},"library":{"name":"touchpoint","version":"0.1.0"},"channel":"email","device":"desktop"}'
# 1. the payment provider's webhook: purchase (captured last, arrives first)
curl -s $U/v1/batch --data "{\"sentAt\":\"$(iso $now)\",\"batch\":[{\"type\":\"track\",\"event\":\"purchase\",\"messageId\":\"$S-p\",\"timestamp\":\"$T3\",\"sessionId\":\"$S\",\"site\":\"order-shop\",\"properties\":{\"transaction_id\":\"5521\",\"value\":24,\"currency\":\"EUR\"},\"context\":{\"page\":{\"url\":\"\",\"path\":\"\",\"title\":\"\",\"referrer\":\"\"},\"library\":{\"name\":\"shop-server\",\"version\":\"1\"}}}]}"; echo
# 2. the browser's batch, flushed later: add_to_cart and begin_checkout captured before the purchase
curl -s $U/v1/batch --data "{\"sentAt\":\"$(iso $now)\",\"batch\":[
 {\"type\":\"page\",\"event\":\"page_view\",\"messageId\":\"$S-v\",\"timestamp\":\"$T1\",\"sessionId\":\"$S\",\"site\":\"order-shop\",\"properties\":{\"category\":\"touchpoint\"},$ctx},
 {\"type\":\"track\",\"event\":\"add_to_cart\",\"messageId\":\"$S-a\",\"timestamp\":\"$T1\",\"sessionId\":\"$S\",\"site\":\"order-shop\",\"properties\":{\"moment\":true},$ctx},
 {\"type\":\"track\",\"event\":\"begin_checkout\",\"messageId\":\"$S-b\",\"timestamp\":\"$T2\",\"sessionId\":\"$S\",\"site\":\"order-shop\",\"properties\":{\"moment\":true},$ctx}]}"; echo
echo "funnel:"; curl -s "$U/api/funnel?site=order-shop"; echo
echo "session:"; curl -s "$U/api/sessions?site=order-shop" | python3 -c "import json,sys; [print(s['sessionId'], s['moments'], s['score'], s['channel']) for s in json.load(sys.stdin)['sessions'] if s['sessionId']=='$S']"
echo "channels converted:"; curl -s "$U/api/channels?site=order-shop" | python3 -c "import json,sys; [print(r['channel'], r['sessions'], r['converted']) for r in json.load(sys.stdin)['channels']]"
echo "timeline:"; curl -s "$U/api/sessions/$S" | python3 -c "import json,sys; d=json.load(sys.stdin); print([ (e.get('event'), e.get('timestamp')) for e in d.get('events', d.get('steps', []))] if isinstance(d, dict) else d)" 2>&1 | head -5
