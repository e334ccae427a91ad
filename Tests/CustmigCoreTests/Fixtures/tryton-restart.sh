#!/bin/sh
# Kills the test trytond with SIGKILL once it holds THRESHOLD parties, keeps it down SECONDS, then
# starts it again on the same port and database (the fault tests' "server killed mid-cutover").
#   tryton-restart.sh TRYTON_DIR VENV THRESHOLD SECONDS
dir=$1 venv=$2 threshold=$3 down=$4
i=0
while [ $i -lt 600 ]; do
    count=$(python3 -c "import sqlite3,sys; print(sqlite3.connect('file:$dir/custmig.sqlite?mode=ro', uri=True, timeout=5).execute('select count(*) from party_party').fetchone()[0])" 2>/dev/null || echo 0)
    [ "$count" -ge "$threshold" ] && break
    sleep 0.1
    i=$((i + 1))
done
kill -9 "$(cat "$dir/pid")"
echo "killed at $count parties"
sleep "$down"
setsid "$venv/bin/trytond" -c "$dir/trytond.conf" -d custmig >>"$dir/server.log" 2>&1 </dev/null &
echo $! >"$dir/pid"
echo "restarted"
