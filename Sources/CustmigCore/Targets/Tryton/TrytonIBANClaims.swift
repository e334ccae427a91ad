/// Tryton keeps each active IBAN once (an exclusion constraint on `bank.account.number`): a party whose
/// bank account repeats an IBAN another party holds is refused at cutover ("IBAN must be unique"). The
/// dry run predicts it from the IBANs already in Tryton (read once, when the first write with an IBAN is
/// planned) and those that earlier writes of the same plan claim: the first in plan order keeps it.
final class TrytonIBANClaims {
    private var inTryton: Set<String>?
    /// IBAN → the customer of this plan that writes it first.
    private var claimed: [String: String] = [:]

    /// Why Tryton will refuse `image` for its IBANs, or nil; a write that passes claims its IBANs.
    func refusal(_ image: CustomerImage, before: CustomerImage?, client: JSONRPCClient) throws -> String? {
        let ibans = Self.ibans(of: image)
        guard !ibans.isEmpty else { return nil }
        let customer = image.values["external_id"] ?? "?"
        let own = Set(before.map(Self.ibans) ?? [])
        var seen = Set<String>()
        for iban in ibans {
            guard seen.insert(iban).inserted else {
                return "Tryton will refuse it: IBAN \(iban) is on two of its bank accounts (Tryton keeps each "
                    + "active IBAN once) — remove the repeated bank account from the extract"
            }
            guard !own.contains(iban) else { continue }
            if let holder = claimed[iban], holder != customer {
                return "Tryton will refuse it: IBAN \(iban) is also customer \(holder)'s, loaded earlier in this "
                    + "plan (Tryton keeps each active IBAN once) — merge the two customers (custmig duplicates) or "
                    + "remove the bank account from one of them in the extract"
            }
            if try existing(client).contains(iban) {
                return "Tryton will refuse it: IBAN \(iban) is already on another party's bank account in Tryton "
                    + "(Tryton keeps each active IBAN once) — link the customer to that party, or deactivate the "
                    + "bank account in Tryton, or remove it from the extract"
            }
        }
        for iban in ibans where claimed[iban] == nil { claimed[iban] = customer }
        return nil
    }

    /// The active IBANs in Tryton, compact (read on first use, in pages).
    private func existing(_ client: JSONRPCClient) throws -> Set<String> {
        if let inTryton { return inTryton }
        let rows = try TrytonRead.searchRead(
            client, "bank.account.number", [["type", "=", "iban"]], ["number_compact"])
        let read = Set(rows.compactMap { $0.string("number_compact")?.uppercased() })
        inTryton = read
        return read
    }

    /// The compact IBANs of an image's bank account rows, in row order.
    static func ibans(of image: CustomerImage) -> [String] {
        image.values.filter { $0.key.hasPrefix("bank_account[") && $0.key.hasSuffix("].iban") }
            .sorted { $0.key < $1.key }
            .map { $0.value.uppercased().filter { $0 != " " } }
            .filter { !$0.isEmpty }
    }
}
