#!/bin/sh
# docker-compose edge: runs from /docker-entrypoint.d/ in the official nginx image before nginx
# starts. Provisions this container from the control plane alone: registers the origin and this
# edge as nodes (a 409 means they exist), fetches the njs modules and the edge config rendered from
# the nodes table, then keeps the config current: re-fetch, nginx -t, graceful reload, and the
# last good config back if nginx refuses the new one.
set -eu
: "${HLS_CONTROL_PLANE:=http://control-plane:3000}"
: "${HLS_EDGE_NAME:=edge-1}"
: "${HLS_EDGE_URL:=http://localhost:8081}"
: "${HLS_EDGE_INTERNAL_URL:=http://edge:8081}"
: "${HLS_ORIGIN_URL:=http://origin:8080}"
: "${HLS_EDGE_REFRESH_SECONDS:=10}"
: "${HLS_ADMIN_TOKEN:?the edge needs HLS_ADMIN_TOKEN to fetch its config}"
auth="Authorization: Bearer ${HLS_ADMIN_TOKEN}"
api="${HLS_CONTROL_PLANE}/api/v1"
conf=/etc/nginx/conf.d/default.conf

until curl -fsS -o /dev/null "${HLS_CONTROL_PLANE}/readyz"; do echo "edge: waiting for the control plane"; sleep 2; done
register() {
  curl -sS -o /dev/null -H "$auth" -H 'Content-Type: application/json' -X POST "$api/nodes" \
    -d "{\"name\":\"$1\",\"role\":\"$2\",\"baseUrl\":\"$3\",\"internalUrl\":\"$4\"}" || true
}
register origin-1 origin "$HLS_ORIGIN_URL" "$HLS_ORIGIN_URL"
register "$HLS_EDGE_NAME" edge "$HLS_EDGE_URL" "$HLS_EDGE_INTERNAL_URL"
mkdir -p /etc/nginx/njs /var/cache/nginx/hls
for file in $(curl -fsS -H "$auth" "$api/edge-files" | tr -d '[]"' | tr ',' ' '); do
  curl -fsS -H "$auth" -o "/etc/nginx/njs/$file" "$api/edge-files/$file"
done
fetch() { curl -fsS -H "$auth" -o "$1" "$api/nodes/$HLS_EDGE_NAME/nginx-config"; }
fetch "$conf"

(
  while sleep "$HLS_EDGE_REFRESH_SECONDS"; do
    fetch /tmp/edge.conf.next || continue
    cmp -s /tmp/edge.conf.next "$conf" && continue
    cp "$conf" /tmp/edge.conf.good
    cp /tmp/edge.conf.next "$conf"
    if nginx -t -q; then nginx -s reload; else echo "edge: new config refused by nginx -t; keeping the last good one"; cp /tmp/edge.conf.good "$conf"; fi
  done
) &
