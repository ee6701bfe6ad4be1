#!/bin/sh
# docker-compose origin and edge: runs from /docker-entrypoint.d/ in the official nginx image before
# nginx starts. Provisions this container from the control plane alone: registers it as a node
# (a 409 means it exists), fetches the njs modules and the config rendered from the database (an
# origin's holds the signed streams and the edges it trusts; an edge's its origins too), then keeps
# the config current: it asks again with the generation it runs (If-None-Match) and
# "Prefer: wait=N", so the control plane answers the moment the config changes (a new edge to
# trust, a stream that became signed) or with 304 after N seconds; then nginx -t, graceful reload,
# and the last good config back if nginx refuses the new one.
set -eu
: "${HLS_NODE_ROLE:?set HLS_NODE_ROLE to origin or edge}"
: "${HLS_CONTROL_PLANE:=http://control-plane:3000}"
: "${HLS_NODE_NAME:?set HLS_NODE_NAME, the node this container is}"
: "${HLS_NODE_URL:?set HLS_NODE_URL, where players (edge) or edges (origin) reach this container}"
: "${HLS_NODE_INTERNAL_URL:=$HLS_NODE_URL}"
: "${HLS_WAIT_SECONDS:=25}"
: "${HLS_ADMIN_TOKEN:?the node needs HLS_ADMIN_TOKEN to fetch its config}"
# Where the official nginx image keeps things (settable so the script can run outside it, as in its test).
: "${HLS_NGINX_CONF:=/etc/nginx/conf.d/default.conf}"
: "${HLS_NJS_DIR:=/etc/nginx/njs}"
: "${HLS_CACHE_DIR:=/var/cache/nginx/hls}"
: "${HLS_WORK_DIR:=/tmp}"
auth="Authorization: Bearer ${HLS_ADMIN_TOKEN}"
api="${HLS_CONTROL_PLANE}/api/v1"
conf="$HLS_NGINX_CONF"
next="$HLS_WORK_DIR/node.conf.next"
good="$HLS_WORK_DIR/node.conf.good"

until curl -fsS -o /dev/null "${HLS_CONTROL_PLANE}/readyz"; do echo "$HLS_NODE_ROLE: waiting for the control plane"; sleep 2; done
curl -sS -o /dev/null -H "$auth" -H 'Content-Type: application/json' -X POST "$api/nodes" \
  -d "{\"name\":\"$HLS_NODE_NAME\",\"role\":\"$HLS_NODE_ROLE\",\"baseUrl\":\"$HLS_NODE_URL\",\"internalUrl\":\"$HLS_NODE_INTERNAL_URL\"}" || true
mkdir -p "$HLS_NJS_DIR" "$HLS_CACHE_DIR"
for file in $(curl -fsS -H "$auth" "$api/edge-files" | tr -d '[]"' | tr ',' ' '); do
  curl -fsS -H "$auth" -o "$HLS_NJS_DIR/$file" "$api/edge-files/$file"
done
fetch() { curl -fsS -H "$auth" -o "$1" "$api/nodes/$HLS_NODE_NAME/nginx-config"; }
fetch "$conf"

generation() { sed -n 's/.*X-HLS-Config-Generation "\([0-9a-f]*\)".*/\1/p' "$conf" | head -n 1; }

(
  while :; do
    status=$(curl -sS -o "$next" -w '%{http_code}' --max-time $((HLS_WAIT_SECONDS + 10)) -H "$auth" \
      -H "If-None-Match: \"$(generation)\"" -H "Prefer: wait=$HLS_WAIT_SECONDS" "$api/nodes/$HLS_NODE_NAME/nginx-config") || status=000
    [ "$status" = 304 ] && continue
    if [ "$status" != 200 ]; then sleep 2; continue; fi
    cmp -s "$next" "$conf" && continue
    cp "$conf" "$good"
    cp "$next" "$conf"
    if nginx -t -q; then nginx -s reload; else echo "$HLS_NODE_ROLE: new config refused by nginx -t; keeping the last good one"; cp "$good" "$conf"; fi
  done
) &
