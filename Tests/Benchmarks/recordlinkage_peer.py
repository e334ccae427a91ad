"""The duplicates benchmark's peer: Python recordlinkage on the same legacy CSV, configured like custmig's
matcher as far as the library allows (the same normalization of names, blocking on VAT id, postal code
+ name prefix and city + name prefix, graded name and street similarity, exact VAT id, postal code,
city, phone and e-mail domain), scored against the ground truth `custmig samples` writes.

    python3 recordlinkage_peer.py customers.csv ground-truth.csv

Prints one line: records, candidate pairs, predicted pairs, precision, recall, F1. Pairs are counted
as they come out of the classifier (recordlinkage does not cluster)."""
import re
import sys
import unicodedata

import pandas as pd
import recordlinkage

LEGAL_FORMS = re.compile(
    r"\b(gmbh|g m b h|ag|kg|ohg|ug|ltd|limited|llc|inc|corp|plc|sarl|s a r l|sa|s a|srl|s r l|spa|s p a|bv|b v|"
    r"nv|n v|ab|as|a s|oy|sp z o o|sl|s l|co|und|and|&)\b"
)


def plain(text):
    text = unicodedata.normalize("NFKD", str(text)).encode("ascii", "ignore").decode().lower()
    return re.sub(r"\s+", " ", re.sub(r"[^a-z0-9 ]", " ", text)).strip()


def name(text):
    return re.sub(r"\s+", " ", LEGAL_FORMS.sub(" ", plain(text))).strip()


def main(csv_path, truth_path):
    frame = pd.read_csv(
        csv_path, sep=";", encoding="cp1252", dtype=str, keep_default_na=False, on_bad_lines="skip"
    )
    frame = frame[frame["CUSTNO"].str.strip() != ""].drop_duplicates("CUSTNO").set_index("CUSTNO")
    unique = pd.Series(["#" + key for key in frame.index], index=frame.index)

    def blank_unique(series):
        # A blank never blocks or matches with another blank.
        return series.where(series != "", unique)

    data = pd.DataFrame(index=frame.index)
    data["name"] = frame["NAME1"].map(name)
    data["prefix"] = data["name"].str[:4]
    data["vat"] = blank_unique(frame["VAT_ID"].str.upper().str.replace(r"[^A-Z0-9]", "", regex=True))
    data["zip"] = blank_unique(frame["ZIP"].str.replace(r"\s", "", regex=True))
    data["city"] = blank_unique(frame["CITY"].map(plain))
    data["street"] = frame["STREET"].map(plain)
    data["phone"] = blank_unique(frame["PHONE"].str.replace(r"\D", "", regex=True).str[-8:])
    data["domain"] = blank_unique(frame["EMAIL"].str.lower().str.split("@").str[-1])

    indexer = recordlinkage.Index()
    indexer.block("vat")
    indexer.block(["zip", "prefix"])
    indexer.block(["city", "prefix"])
    candidates = indexer.index(data)

    compare = recordlinkage.Compare()
    compare.string("name", "name", method="jarowinkler", threshold=0.9, label="name")
    compare.string("street", "street", method="jarowinkler", threshold=0.85, label="street")
    compare.exact("vat", "vat", label="vat")
    compare.exact("zip", "zip", label="zip")
    compare.exact("city", "city", label="city")
    compare.exact("phone", "phone", label="phone")
    compare.exact("domain", "domain", label="domain")
    features = compare.compute(candidates, data)
    # A match: similar names and two more agreeing identifiers or address parts beyond the block's own
    # (city alone is what the block already shares), or the same VAT id with a similar name.
    # Two different VAT ids, or two different streets, speak against a match (custmig weighs them
    # negatively too).
    vat = frame["VAT_ID"].str.upper().str.replace(r"[^A-Z0-9]", "", regex=True)
    street = data["street"]
    first, second = candidates.get_level_values(0), candidates.get_level_values(1)
    vat_a, vat_b = vat.reindex(first).to_numpy(), vat.reindex(second).to_numpy()
    street_a, street_b = street.reindex(first).to_numpy(), street.reindex(second).to_numpy()
    conflict = pd.Series(
        ((vat_a != "") & (vat_b != "") & (vat_a != vat_b))
        | ((street_a != "") & (street_b != "") & (features["street"].to_numpy() == 0)),
        index=features.index,
    )
    evidence = features[["vat", "street", "zip", "phone", "domain"]].sum(axis=1)
    matches = features[
        ~conflict & (((features["name"] == 1) & (evidence >= 2)) | ((features["vat"] == 1) & (features["name"] == 1)))
    ]

    predicted = {tuple(sorted(pair)) for pair in matches.index}
    clusters = {}
    truth_frame = pd.read_csv(truth_path, dtype=str)
    for duplicate, original in zip(truth_frame["duplicate_key"], truth_frame["original_key"]):
        clusters.setdefault(original, {original}).add(duplicate)
    known = set(frame.index)
    truth = set()
    for members in clusters.values():
        members = sorted(member for member in members if member in known)
        for index, first in enumerate(members):
            for second in members[index + 1:]:
                truth.add((first, second))
    hits = len(predicted & truth)
    precision = hits / len(predicted) if predicted else 0.0
    recall = hits / len(truth) if truth else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    print(
        f"recordlinkage: {len(frame)} records, {len(candidates)} candidate pairs, {len(predicted)} predicted, "
        f"truth {len(truth)}, precision {precision:.3f}, recall {recall:.3f}, F1 {f1:.3f}"
    )


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
