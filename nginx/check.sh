#!/usr/bin/env bash
# Checks nginx/devtinder.conf with `nginx -t`, using a throwaway self-signed
# certificate in place of the real one. Used by .ci/run.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj "/CN=api.example.com" \
  -keyout "$tmp/privkey.pem" -out "$tmp/fullchain.pem" >/dev/null 2>&1
sed "s#/etc/letsencrypt/live/api.example.com#$tmp#g" "$here/devtinder.conf" > "$tmp/site.conf"
mkdir -p "$tmp/logs"
cat > "$tmp/nginx.conf" <<CONF
pid $tmp/nginx.pid;
error_log $tmp/logs/error.log;
events {}
http {
  access_log off;
  include $tmp/site.conf;
}
CONF
nginx -t -p "$tmp" -c "$tmp/nginx.conf"
