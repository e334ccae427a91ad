"""The peer of custmig's Tryton cutover and dry run: a minimal JSON-RPC client that sends the same
parties (the images of a custmig plan, with the same nested values and the same call size) straight to
party.party.create, or pages through the parties with search_read and reads their children.

    python3 tryton_peer.py create LEDGER PLAN URI PASSWORD [CALL_SIZE [CONNECTIONS]]
    python3 tryton_peer.py read URI PASSWORD       (every party, its children and its IBANs)
    python3 tryton_peer.py reset URI PASSWORD      (deletes every party but the company's, and bank accounts)
"""
import base64
import gzip
import json
import sqlite3
import sys
import time
import urllib.error
import urllib.parse
import urllib.request


class Client:
    def __init__(self, uri, password):
        parts = urllib.parse.urlsplit(uri)
        self.endpoint = f"http://{parts.hostname}:{parts.port}{parts.path}/rpc/"
        self.company = int(urllib.parse.parse_qs(parts.query).get("company", ["1"])[0])
        uid, token = self.post("common.db.login", [parts.username, {"password": password}, "en"])[:2]
        self.auth = "Session " + base64.b64encode(f"{parts.username}:{uid}:{token}".encode()).decode()

    def post(self, method, params, auth=None):
        # Accepting gzip, as Tryton's own clients do: trytond then writes a large answer in a few
        # compressed pieces instead of one chunk per JSON token (custmig accepts it too).
        request = urllib.request.Request(
            self.endpoint, data=json.dumps({"id": 1, "method": method, "params": params}).encode(),
            headers={"Content-Type": "application/json", "Accept-Encoding": "gzip",
                     **({"Authorization": auth} if auth else {})})
        for attempt in range(8):  # trytond answers 503 while SQLite is locked by a parallel call
            try:
                with urllib.request.urlopen(request, timeout=600) as response:
                    body = response.read()
                break
            except urllib.error.HTTPError as error:
                if error.code not in (429, 503) or attempt == 7:
                    raise
                time.sleep(0.5 * 2 ** attempt)
        if body[:2] == b"\x1f\x8b":  # trytond labels uncompressed answers gzip too: the magic bytes decide
            body = gzip.decompress(body)
        answer = json.loads(body)
        if answer.get("error"):
            raise RuntimeError(answer["error"])
        return answer["result"]

    def call(self, model, method, *params, **context):
        return self.post(f"model.{model}.{method}", list(params) + [{"company": self.company, **context}], self.auth)


EU_VAT = set("AT BE BG CY CZ DE DK EE EL ES FI FR HR HU IE IT LT LU LV MT NL PL PT RO SE SI SK XI".split())


def codes(client, model, field, domain=()):
    return {r[field]: r["id"] for r in client.call(model, "search_read", list(domain), 0, None, None, [field])}


def create(ledger, plan, uri, password, call_size=100, connections=1):
    client = Client(uri, password)
    countries = codes(client, "country.country", "code")
    langs = codes(client, "ir.lang", "code", [["active", "=", True]])
    terms = codes(client, "account.invoice.payment_term", "name")
    accounts = codes(client, "account.account", "code", [["type.receivable", "=", True]])
    # The parties custmig's cutover loaded (those Tryton refused would stop this client at its first call).
    rows = sqlite3.connect(ledger).execute(
        "SELECT customer_id, image FROM plan_action WHERE plan_id = ? AND action = 'insert' AND canonical_key NOT IN "
        "(SELECT canonical_key FROM cutover_refusal WHERE plan_id = ?) ORDER BY seq", (plan, plan))
    parties = []
    for code, image in rows:
        values = json.loads(image)
        party = {"code": code, "name": values.get("name1", code), "active": values.get("status", "active") == "active"}
        if "language" in values:
            party["lang"] = langs.get(values["language"]) or langs.get(values["language"].lower())
        if "payment_terms" in values and values["payment_terms"] in terms:
            party["customer_payment_term"] = terms[values["payment_terms"]]
        children = {}
        for path, value in values.items():
            if "[" in path:
                table, rest = path.split("[", 1)
                row, column = rest.split("].", 1)
                children.setdefault(table, {}).setdefault(row, {})[column] = value
        account = children.get("company_code", {}).get("1000", {}).get("reconciliation_account")
        if account in accounts:
            party["account_receivable"] = accounts[account]
        addresses = []
        for _, a in sorted(children.get("address", {}).items()):
            address = {k2: a[k1] for k1, k2 in [("street", "street_name"), ("house_number", "building_number"),
                                                ("postal_code", "postal_code"), ("city", "city"), ("po_box", "post_box")]
                       if k1 in a}
            if "country" in a:
                address["country"] = countries[a["country"]]
            addresses.append(address)
        mechanisms = []
        for _, c in sorted(children.get("contact", {}).items()):
            name = " ".join(v for v in (c.get("first_name"), c.get("last_name")) if v)
            for kind in ("phone", "email"):
                if kind in c:
                    mechanisms.append({"type": kind, "value": c[kind], **({"name": name} if name else {})})
        identifiers = [{"code": values[f]} for f in ("tax_number_1", "tax_number_2") if f in values]
        if "vat_id" in values:  # typed as custmig types it, so that Tryton validates the same way
            vat = values["vat_id"]
            if vat[:2] in EU_VAT:
                identifiers.insert(0, {"type": "eu_vat", "code": vat})
            elif vat[:2] in ("CH", "GB", "NO"):
                kind = {"CH": "ch_vat", "GB": "gb_vat", "NO": "no_mva"}[vat[:2]]
                identifiers.insert(0, {"type": kind, "code": vat + ("MWST" if kind == "ch_vat" else "")})
            else:
                identifiers.insert(0, {"code": vat})
        banks = [{"numbers": [["create", [{"type": "iban", "number": b["iban"]}]]]}
                 for _, b in sorted(children.get("bank_account", {}).items()) if "iban" in b]
        party.update({"addresses": [["create", addresses]], "contact_mechanisms": [["create", mechanisms]],
                      "identifiers": [["create", identifiers]], "bank_accounts": [["create", banks]]})
        parties.append(party)
    # CONNECTIONS > 1 sends that many calls at once (does the server gain from parallel calls?).
    from concurrent.futures import ThreadPoolExecutor
    chunks = [parties[start:start + call_size] for start in range(0, len(parties), call_size)]
    with ThreadPoolExecutor(max_workers=connections) as pool:
        created = sum(len(ids) for ids in pool.map(lambda chunk: client.call("party.party", "create", chunk), chunks))
    print(created)


def reset(uri, password):
    client = Client(uri, password)
    ids = client.call("party.party", "search", [["code", "!=", "1000"]], active_test=False)
    for start in range(0, len(ids), 1000):
        client.call("party.party", "delete", ids[start:start + 1000])
    accounts = client.call("bank.account", "search", [])
    if accounts:
        client.call("bank.account", "delete", accounts)


def read(uri, password):
    client = Client(uri, password)
    offset, count = 0, 0
    fields = ["code", "name", "active", "lang", "customer_payment_term", "account_receivable", "addresses",
              "contact_mechanisms", "identifiers", "bank_accounts"]
    while True:
        page = client.call("party.party", "search_read", [], offset, 1000, [["id", "ASC"]], fields, active_test=False)
        if not page:
            break
        for model, field, names in [("party.address", "addresses", ["street_name", "city", "country"]),
                                    ("party.contact_mechanism", "contact_mechanisms", ["type", "value", "name"]),
                                    ("party.identifier", "identifiers", ["type", "code"])]:
            ids = [i for p in page for i in p[field]]
            if ids:
                client.call(model, "read", ids, names)
        # The IBANs too: custmig reads them to tell an edited bank account from one it loaded.
        accounts = [i for p in page for i in p["bank_accounts"]]
        if accounts:
            client.call("bank.account.number", "search_read", [["account", "in", accounts]], 0, None, None,
                        ["account", "type", "number"])
        count += len(page)
        offset += 1000
    print(count)


if __name__ == "__main__":
    if sys.argv[1] == "create":
        create(sys.argv[2], int(sys.argv[3]), sys.argv[4], sys.argv[5], int(sys.argv[6]) if len(sys.argv) > 6 else 100,
               int(sys.argv[7]) if len(sys.argv) > 7 else 1)
    elif sys.argv[1] == "reset":
        reset(sys.argv[2], sys.argv[3])
    else:
        read(sys.argv[2], sys.argv[3])
