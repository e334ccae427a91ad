import Foundation

/// The plan rows of customers the planner does not load: those a full extract no longer has
/// (deactivations) and those the map run rejected or holds for review.
extension Planner {
    /// Customers custmig loaded before that a full-scope extract no longer has, capped by the mapping.
    func deactivations(writer: inout PlanWriter, outcome: inout Outcome) async throws {
        guard set.scope == "full" else { return }
        let gone = crosswalk.entries(
            notIn: [
                AnySequence(set.members.lazy.map(\.key)), AnySequence(set.notLoaded.lazy.map(\.key)),
                AnySequence(set.mergedAway),
            ]
        ).sorted { $0.id < $1.id }
        let images = try target.images(ids: gone.map(\.id))
        var rows: [ActionRow] = []
        for (key, id) in gone {
            guard case .success(let their)? = images[id], their.values["status"] != "inactive" else { continue }
            var after = their
            after.values["status"] = "inactive"
            var row = ActionRow(key: key, customerId: id, action: .deactivate, applyKind: .deactivate)
            row.reason = "loaded before, absent from this full extract"
            row.before = their
            row.image = after
            row.fingerprint = their.fingerprint
            row.name = their.values["name1"]
            row.country = ControlTotals.country(of: their)
            row.changes = [
                FieldChange(
                    path: "status", outcome: .change, ours: "inactive", theirs: their.values["status"],
                    after: "inactive")
            ]
            rows.append(row)
        }
        let threshold = settings.maxDeactivations
        outcome.deactivationCap =
            threshold.count ?? threshold.share.map { Int((Double(crosswalk.count) * $0).rounded(.down)) }
        outcome.gateFailed = threshold.isExceeded(rejects: rows.count, of: crosswalk.count)
        for row in rows {
            outcome.counts[.deactivate, default: 0] += 1
            try await writer.append(row)
        }
    }

    /// Rejected and held customers with their name and country, so an owner reading the plan knows whom
    /// each reject is about (only those two parts of each stored record are decoded).
    func notLoadedRows(
        _ part: ArraySlice<(key: String, legacyKey: String, reason: String)>, ledger: Ledger
    ) async throws -> [ActionRow] {
        let texts = try set.data(
            part.map {
                CustomerSet.Member(
                    key: $0.key, legacyKey: $0.legacyKey, references: [], isSurvivor: false, dataHash: nil)
            }[...], ledger: ledger)
        let entries = Array(part)
        // The planner's own reader first (JSONDecoder took ~3 s of a 1M dry run's 170,000 rejects, on
        // its main thread), the lenient one for a record that is not whole.
        let shown = await ParallelWork.map(entries.indices) { index -> (name: String?, country: String?)? in
            guard let text = texts[entries[index].key] else { return nil }
            if let customer = text.customer {
                return (customer.names.first, customer.mainAddress?.country)
            }
            guard CompactRecord.isJSON(text.bytes),
                let shown = try? JSONDecoder().decode(NameAndCountry.self, from: Data(text.bytes))
            else { return nil }
            let address = shown.addresses?.first { $0.kind == .legal } ?? shown.addresses?.first
            return (shown.names?.first, address?.country)
        }
        return zip(entries, shown).map { entry, shown in
            var row = ActionRow(key: entry.key, legacyKey: entry.legacyKey, action: .reject)
            row.reason = entry.reason
            row.customerId = crosswalk[entry.key]
            row.name = shown?.name
            row.country = shown?.country
            return row
        }
    }
}

/// The part of a stored canonical customer a reject's plan row shows.
private struct NameAndCountry: Decodable {
    struct Place: Decodable {
        var kind: Address.Kind?
        var country: String?
    }

    var names: [String]?
    var addresses: [Place]?
}
