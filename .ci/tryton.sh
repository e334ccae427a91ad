#!/usr/bin/env bash
# Starts a throwaway Tryton server (trytond 8.0, SQLite backend) on 127.0.0.1 and a free port, from a
# template database prepared once and kept under the git-ignored folder .tryton/ (venv and template
# are reused by later local runs; CI builds them from PyPI each time, in about 4 minutes).
#   source .ci/tryton.sh      # exports CUSTMIG_TEST_TRYTON (a tryton:// URI), CUSTMIG_TRYTON_PASSWORD,
#                             # CUSTMIG_TRYTON_DIR, CUSTMIG_TRYTON_VENV
#   custmig_tryton_stop       # stops it and deletes its folder
set -euo pipefail

custmig_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
CUSTMIG_TRYTON_HOME="$custmig_root/.tryton"
CUSTMIG_TRYTON_VENV="$CUSTMIG_TRYTON_HOME/venv"
tryton_pins=(
    'trytond[postgresql]==8.0.12' 'trytond-party[phonenumbers]==8.0.4' 'trytond-country[data]==8.0.0'
    'trytond-currency[data]==8.0.0' 'trytond-company==8.0.1' 'trytond-bank==8.0.0' 'trytond-account==8.0.4'
    'trytond-product==8.0.2' 'trytond-account-product==8.0.1' 'trytond-account-invoice==8.0.2'
)
mkdir -p "$CUSTMIG_TRYTON_HOME"
if [ ! -x "$CUSTMIG_TRYTON_VENV/bin/trytond" ]; then
    echo "tryton.sh: installing trytond 8.0 into $CUSTMIG_TRYTON_VENV"
    rm -rf "$CUSTMIG_TRYTON_VENV"
    python3 -m venv "$CUSTMIG_TRYTON_VENV"
    "$CUSTMIG_TRYTON_VENV/bin/pip" install -q --disable-pip-version-check "${tryton_pins[@]}"
fi

tryton_free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
tryton_config() { # DIR PORT
    cat >"$1/trytond.conf" <<CONF
[database]
uri = sqlite://
path = $1
[web]
listen = 127.0.0.1:$2
[session]
timeout = 3600
max_attempt = 50
CONF
}

# The template: modules activated, countries and currencies imported, a company set up (~3 min once).
template="$CUSTMIG_TRYTON_HOME/template"
if [ ! -s "$template/custmig.sqlite" ] || [ ! -f "$template/ready" ]; then
    echo "tryton.sh: preparing the template database in $template"
    rm -rf "$template" && mkdir -p "$template"
    tryton_config "$template" 0
    : >"$template/custmig.sqlite"
    printf '%s\n' 'custmig-tryton-secret' >"$template/password"
    TRYTONPASSFILE="$template/password" "$CUSTMIG_TRYTON_VENV/bin/trytond-admin" -c "$template/trytond.conf" \
        -d custmig -u party company bank account_invoice --activate-dependencies --email admin@example.com \
        </dev/null >"$template/admin.log" 2>&1
    "$CUSTMIG_TRYTON_VENV/bin/trytond_import_countries" -c "$template/trytond.conf" -d custmig >"$template/countries.log" 2>&1
    "$CUSTMIG_TRYTON_VENV/bin/trytond_import_currencies" -c "$template/trytond.conf" -d custmig >"$template/currencies.log" 2>&1
    "$CUSTMIG_TRYTON_VENV/bin/python" "$custmig_root/.ci/tryton_setup.py" "$template/trytond.conf" custmig
    touch "$template/ready"
fi

CUSTMIG_TRYTON_DIR=$(mktemp -d /tmp/custmig-tryton.XXXXXX)
cp "$template/custmig.sqlite" "$CUSTMIG_TRYTON_DIR/custmig.sqlite"
tryton_port=$(tryton_free_port)
tryton_config "$CUSTMIG_TRYTON_DIR" "$tryton_port"
"$CUSTMIG_TRYTON_VENV/bin/trytond" -c "$CUSTMIG_TRYTON_DIR/trytond.conf" -d custmig >"$CUSTMIG_TRYTON_DIR/server.log" 2>&1 &
echo $! >"$CUSTMIG_TRYTON_DIR/pid"
for _ in $(seq 1 120); do
    kill -0 "$(cat "$CUSTMIG_TRYTON_DIR/pid")" 2>/dev/null || { tail -5 "$CUSTMIG_TRYTON_DIR/server.log" >&2; echo "tryton.sh: trytond did not start" >&2; return 1 2>/dev/null || exit 1; }
    python3 - "$tryton_port" <<'PY' >/dev/null 2>&1 && break
import sys, urllib.error, urllib.request
try:
    urllib.request.urlopen(urllib.request.Request(
        f"http://127.0.0.1:{sys.argv[1]}/custmig/rpc/", data=b'{"id":1,"method":"common.server.version","params":[]}',
        headers={"Content-Type": "application/json"}), timeout=2).read()
except urllib.error.HTTPError:
    pass  # any HTTP answer: the server is up
PY
    sleep 0.5
done
export CUSTMIG_TRYTON_DIR CUSTMIG_TRYTON_VENV
export CUSTMIG_TRYTON_PASSWORD=custmig-tryton-secret
export CUSTMIG_TEST_TRYTON="tryton://admin@127.0.0.1:$tryton_port/custmig?company=1"
echo "Tryton $("$CUSTMIG_TRYTON_VENV/bin/python" -c 'import trytond; print(trytond.__version__)') on 127.0.0.1:$tryton_port (data in $CUSTMIG_TRYTON_DIR)"

custmig_tryton_stop() {
    kill "$(cat "$CUSTMIG_TRYTON_DIR/pid")" 2>/dev/null || true
    sleep 0.2
    rm -rf "$CUSTMIG_TRYTON_DIR"
}
