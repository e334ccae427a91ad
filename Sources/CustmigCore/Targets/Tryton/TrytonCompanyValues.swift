import Foundation
import Synchronization

/// A party's company-dependent fields (language, customer payment term, receivable account) read the
/// cheap way. Asked for by name, Tryton computes them one party at a time (0.7 s per 1,000 parties
/// here, two thirds of a page's read); the value records the party lists (`langs`, `payment_terms`,
/// `accounts`) come with the page as nested reads at about a third of that, and custmig picks the
/// value as Tryton's getter does: the first record for the company (or for no company), else the
/// default. The first page of a run is checked against Tryton's own answer on a sample; a server
/// that answers differently (a module that overrides the getter) is asked by name from then on.
///
/// Sendable by hand: `fields` (and a first `agreed`) are set while it is made, before any other
/// task sees it; after that only `checking` changes, behind its Mutex, and `defaults` (JSON values
/// typed `Any`, which is why the compiler cannot check it) never changes.
final class TrytonCompanyValues: @unchecked Sendable {
    /// One company-dependent field and the value records behind it.
    struct Field {
        /// The party field (`lang`) and the key custmig keeps it under (`lang`, `payment_term`, `account`).
        let name: String
        let key: String
        /// The party's one2many of value records and the record's field holding the value.
        let records: String
        /// Whether the value records carry a company (`party.party.payment_term` does not, here).
        var hasCompany: Bool
    }

    private(set) var fields: [Field] = [
        Field(name: "lang", key: "lang", records: "langs", hasCompany: true),
        Field(name: "customer_payment_term", key: "payment_term", records: "payment_terms", hasCompany: true),
        Field(name: "account_receivable", key: "account", records: "accounts", hasCompany: true),
    ]
    private let company: Int
    private let defaults: [String: Any]
    /// `agreed`: nil until enough parties were checked against Tryton's getter, then whether the nested
    /// reads agreed; `parties`: how many were checked.
    private let checking = Mutex<(agreed: Bool?, parties: Int)>((nil, 0))
    /// Parties compared with Tryton's getter before the nested reads are trusted for the run.
    static let sample = 20

    init(company: Int, defaults: [String: Any]) {
        self.company = company
        self.defaults = defaults
    }

    /// Probes which value records carry a company (three to six one-party reads).
    convenience init(client: JSONRPCClient, company: Int, defaults: [String: Any]) {
        self.init(company: company, defaults: defaults)
        for index in fields.indices {
            let probe = ["\(fields[index].records).company", "\(fields[index].records).\(fields[index].name)"]
            if (try? client.call("party.party", "search_read", [[], 0, 1, NSNull(), probe])) == nil {
                fields[index].hasCompany = false
                if (try? client.call("party.party", "search_read", [[], 0, 1, NSNull(), Array(probe.suffix(1))]))
                    == nil
                {
                    checking.withLock { $0.agreed = false }  // no value records to read: ask for the fields by name
                }
            }
        }
    }

    /// The party fields a page asks for.
    var partyFields: [String] {
        if checking.withLock({ $0.agreed == false }) { return fields.map(\.name) }
        return fields.flatMap { field in
            (field.hasCompany ? ["\(field.records).company"] : []) + ["\(field.records).\(field.name)"]
        }
    }

    /// Each field's value for a party of a page read with ``partyFields`` (keyed by ``Field/key``).
    func values(of record: TrytonRecord) -> [String: Any] {
        var result: [String: Any] = [:]
        for field in fields {
            if let value = record.values[field.name] {
                result[field.key] = value
                continue
            }
            guard let records = record.values["\(field.records)."] as? [[String: Any]] else { continue }
            result[field.key] = pick(field, from: records)
        }
        return result
    }

    /// Tryton's `get_multivalue`: records with a company before those without, the first whose company
    /// is ours or none; without one, the field's default.
    private func pick(_ field: Field, from records: [[String: Any]]) -> Any {
        func companyOf(_ record: [String: Any]) -> Int? { (record["company"] as? NSNumber)?.intValue }
        let ordered =
            field.hasCompany
            ? records.filter { companyOf($0) != nil } + records.filter { companyOf($0) == nil } : records
        guard let first = ordered.first(where: { companyOf($0) == nil || companyOf($0) == company }) else {
            return defaults[field.name] ?? NSNull()
        }
        return first[field.name] ?? NSNull()
    }

    /// Until ``sample`` parties were: compares the picked values of a page's first parties with
    /// Tryton's getter. When they differ, every later page asks by name, and the answer here replaces
    /// the page's values.
    func check(_ page: [TrytonRecord], client: JSONRPCClient) throws -> [Int: [String: Any]]? {
        let wanted = checking.withLock { $0.agreed == nil ? Self.sample - $0.parties : 0 }
        guard wanted > 0, !page.isEmpty else { return nil }
        let sample = page.prefix(wanted).compactMap(\.id)
        let truth = try TrytonRead.read(client, "party.party", sample, fields.map(\.name))
        let picked = Dictionary(page.compactMap { record in record.id.map { ($0, values(of: record)) } }) { a, _ in a }
        let same = truth.allSatisfy { record in
            guard let id = record.id, let mine = picked[id] else { return false }
            return fields.allSatisfy { field in
                Self.id(record.values[field.name]) == Self.id(mine[field.key])
            }
        }
        checking.withLock { checking in
            checking.parties += sample.count
            if !same || checking.parties >= Self.sample { checking.agreed = same }
        }
        if same { return nil }
        let ids = page.compactMap(\.id)
        var answer: [Int: [String: Any]] = [:]
        for record in try TrytonRead.read(client, "party.party", ids, fields.map(\.name)) {
            guard let id = record.id else { continue }
            answer[id] = Dictionary(uniqueKeysWithValues: fields.map { ($0.key, record.values[$0.name] ?? NSNull()) })
        }
        return answer
    }

    private static func id(_ value: Any?) -> Int? { (value as? NSNumber)?.intValue }
}
