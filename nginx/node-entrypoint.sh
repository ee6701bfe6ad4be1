#!/bin/sh
# docker-compose origin and edge: runs from /docker-entrypoint.d/ in the official nginx image before
# nginx starts. Provisions this container from the control plane alone: registers it as a node
# (a 409 means it exists), fetches the njs modules and the config rendered from the database (an
# origin's holds the signed streams and the edges it trusts; an edge's its origins too), then keeps
# the config current: re-fetch, nginx -t, graceful reload, and the last good config back if nginx
# refuses the new one.
set -eu
: "${HLS_NODE_ROLE:?set HLS_NODE_ROLE to origin or edge}"
: "${HLS_CONTROL_PLANE:=http://control-plane:3000}"
: "${HLS_NODE_NAME:?set HLS_NODE_NAME, the node this container is}"
: "${HLS_NODE_URL:?set HLS_NODE_URL, where players (edge) or edges (origin) reach this container}"
: "${HLS_NODE_INTERNAL_URL:=$HLS_NODE_URL}"
: "${HLS_REFRESH_SECONDS:=10}"
: "${HLS_ADMIN_TOKEN:?the node needs HLS_ADMIN_TOKEN to fetch its config}"
auth="Authorization: Bearer ${HLS_ADMIN_TOKEN}"
api="${HLS_CONTROL_PLANE}/api/v1"
conf=/etc/nginx/conf.d/default.conf

until curl -fsS -o /dev/null "${HLS_CONTROL_PLANE}/readyz"; do echo "$HLS_NODE_ROLE: waiting for the control plane"; sleep 2; done
curl -sS -o /dev/null -H "$auth" -H 'Content-Type: application/json' -X POST "$api/nodes" \
  -d "{\"name\":\"$HLS_NODE_NAME\",\"role\":\"$HLS_NODE_ROLE\",\"baseUrl\":\"$HLS_NODE_URL\",\"internalUrl\":\"$HLS_NODE_INTERNAL_URL\"}" || true
mkdir -p /etc/nginx/njs /var/cache/nginx/hls
for file in $(curl -fsS -H "$auth" "$api/edge-files" | tr -d '[]"' | tr ',' ' '); do
  curl -fsS -H "$auth" -o "/etc/nginx/njs/$file" "$api/edge-files/$file"
done
fetch() { curl -fsS -H "$auth" -o "$1" "$api/nodes/$HLS_NODE_NAME/nginx-config"; }
fetch "$conf"

(
  while sleep "$HLS_REFRESH_SECONDS"; do
    fetch /tmp/node.conf.next || continue
    cmp -s /tmp/node.conf.next "$conf" && continue
    cp "$conf" /tmp/node.conf.good
    cp /tmp/node.conf.next "$conf"
    if nginx -t -q; then nginx -s reload; else echo "$HLS_NODE_ROLE: new config refused by nginx -t; keeping the last good one"; cp /tmp/node.conf.good "$conf"; fi
  done
) &
