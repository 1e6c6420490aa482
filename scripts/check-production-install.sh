#!/usr/bin/env bash
# Proves a production install is lean and complete: dist/ with `npm ci --omit=dev` (no
# embedded database, stand-ins, pm2 or doc generators) boots, answers /readyz and serves the
# built web client.
# Used by .ci/run after the build; needs MONGODB_URI (a database to reach) and REDIS_URL.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
tmp="$(mktemp -d)"
port="${PRODUCTION_CHECK_PORT:-3990}"
trap 'kill "$pid" 2>/dev/null || true; rm -rf "$tmp"' EXIT
pid=""
cp -r "$root/dist" "$root/package.json" "$root/package-lock.json" "$tmp/"
(cd "$tmp" && npm ci --omit=dev --no-audit --no-fund --loglevel=error)
for dev in mongodb-memory-server aws-ses-v2-local pm2 typescript-json-schema mocha; do
  if [ -d "$tmp/node_modules/$dev" ]; then echo "production install carries the dev package $dev" >&2; exit 1; fi
done
cd "$tmp"
NODE_ENV=production PORT="$port" HOST=127.0.0.1 MONGODB_URI="$MONGODB_URI" REDIS_URL="$REDIS_URL" \
  JWT_ACCESS_SECRET="$(openssl rand -hex 32)" CHAT_KEYS="k1:$(openssl rand -base64 32)" \
  CORS_ORIGINS=https://app.example.com MAIL_PROVIDER=ses AWS_REGION=us-east-1 \
  RAZORPAY_KEY_ID=rzp_check RAZORPAY_KEY_SECRET="$(openssl rand -hex 16)" RAZORPAY_WEBHOOK_SECRET="$(openssl rand -hex 16)" \
  ENABLE_JOBS=false LOG_LEVEL=warn STORAGE_LOCAL_DIR="$tmp/media" node dist/server.js &
pid=$!
for _ in $(seq 1 60); do
  if [ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/readyz")" = 200 ]; then
    echo "production install: $(du -sh node_modules | cut -f1) of node_modules, /readyz 200"
    # The web client is served from dist/web at /, under a policy that allows Razorpay's real checkout
    # and no stand-in of it.
    page="$(curl -s -D "$tmp/headers" "http://127.0.0.1:$port/chat")"
    grep -q 'id="root"' <<<"$page" || { echo "GET /chat did not answer the web client" >&2; exit 1; }
    grep -qi "^content-security-policy:.*script-src 'self' https://checkout.razorpay.com" "$tmp/headers" \
      || { echo "the web client's CSP does not allow Razorpay's checkout" >&2; exit 1; }
    code="$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/api/v1/payments/local-checkout.js")"
    [ "$code" = 404 ] || { echo "the local checkout stand-in answered $code in production" >&2; exit 1; }
    echo "production install: the web client at /, the local checkout absent"
    exit 0
  fi
  sleep 0.5
done
echo "dist/server.js from a production install did not become ready" >&2
exit 1
