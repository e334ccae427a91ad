import Foundation
import GRDB

/// The SQLite target: a file standing for the cloud ERP's customer master (a sandbox tenant or the
/// staging tables of its import), with its code lists and custmig's bookkeeping (`custmig_` tables).
public final class SQLiteTarget: Target {
    public let path: String
    public let database: DatabaseQueue
    public let instance: String
    public var location: TargetLocation { .sqlite(path: path) }
    public var capabilities: TargetCapabilities { [.transactionalBatches, .savepoints, .snapshots, .rowFingerprints] }

    static func configuration() -> Configuration {
        var configuration = Configuration()
        configuration.foreignKeysEnabled = true
        configuration.busyMode = .timeout(10)
        configuration.prepareDatabase { db in
            try db.execute(sql: "PRAGMA cache_size = -65536")
        }
        return configuration
    }

    /// Creates an empty sandbox target at `path` with `codes` loaded; refuses an existing file.
    @discardableResult
    public static func initialize(path: String, codes: CodeLists) throws -> SQLiteTarget {
        guard !FileManager.default.fileExists(atPath: path) else {
            throw CustmigError(
                .usage, code: "TARGET-EXISTS", "\(path) exists already.",
                fix: "choose a new file, or delete it first if it is a sandbox you mean to reset.")
        }
        let folder = (path as NSString).deletingLastPathComponent
        if !folder.isEmpty, !FileManager.default.fileExists(atPath: folder) {
            throw CustmigError(
                .usage, code: "TARGET-FOLDER", "the folder \(folder) does not exist.", fix: "create it first.")
        }
        do {
            let database = try DatabaseQueue(path: path, configuration: configuration())
            try database.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA journal_mode = WAL") }
            try database.write { db in
                try TargetSchema.create(
                    db, instance: UUID().uuidString.lowercased(), createdAt: ISO8601DateFormatter().string(from: Date())
                )
                for kind in TargetSchema.codeKinds {
                    for (code, entry) in (codes.entries[kind.name] ?? [:]).sorted(by: { $0.key < $1.key }) {
                        try db.execute(
                            sql: "INSERT INTO \(kind.table) (code, description, detail) VALUES (?, ?, ?)",
                            arguments: [
                                code, entry.description.isEmpty ? nil : entry.description,
                                entry.detail.isEmpty ? nil : entry.detail,
                            ])
                    }
                }
            }
            try database.close()
        } catch let error as DatabaseError {
            throw CustmigError(
                .unreadableInput, code: "TARGET-CREATE", "cannot create \(path): \(error.message ?? "\(error)").")
        }
        return try SQLiteTarget(path: path)
    }

    /// Opens an initialized target; a missing file, a file that is not SQLite, a database without
    /// custmig's schema or with another schema version is refused with the reason and the fix.
    public init(path: String) throws {
        self.path = path
        guard FileManager.default.fileExists(atPath: path) else {
            throw CustmigError(
                .unreadableInput, code: "TARGET-MISSING", "there is no target at \(path).",
                fix:
                    "create a sandbox with custmig target init sqlite:\(path) --codes Samples/target-codes.csv, or check the path."
            )
        }
        let meta: [String: String]
        do {
            database = try DatabaseQueue(path: path, configuration: Self.configuration())
            meta = try database.read { db -> [String: String] in
                guard try db.tableExists("custmig_meta") else { return [:] }
                return Dictionary(
                    try Row.fetchAll(db, sql: "SELECT key, value FROM custmig_meta").map { ($0["key"], $0["value"]) },
                    uniquingKeysWith: { a, _ in a })
            }
        } catch let error as DatabaseError {
            throw CustmigError(
                .unreadableInput, code: "TARGET-UNREADABLE",
                "cannot read \(path) as SQLite: \(error.message ?? "\(error)").",
                fix:
                    "check that it is the target's database file (sqlite3 \(path) .tables) and that it is not locked or damaged."
            )
        }
        guard meta["schema"] == TargetSchema.name else {
            throw CustmigError(
                .usage, code: "TARGET-FOREIGN",
                "\(path) is not a custmig target (it has no custmig_meta schema entry).",
                fix:
                    "point --target at a database made by custmig target init; custmig does not write into foreign schemas."
            )
        }
        guard meta["schema_version"] == String(TargetSchema.version) else {
            throw CustmigError(
                .usage, code: "TARGET-VERSION",
                "\(path) has target schema version \(meta["schema_version"] ?? "?"); this custmig knows version \(TargetSchema.version).",
                fix: "use the custmig version that created it, or initialize a new sandbox.")
        }
        instance = meta["instance"] ?? ""
    }

    /// Opens the target a `--target` value names (`sqlite:PATH`).
    public convenience init(location text: String) throws {
        switch try TargetLocation(parsing: text) {
        case .sqlite(let path): try self.init(path: path)
        }
    }

    /// The database file's size in bytes (0 when it cannot be read).
    public var fileSize: Int64 {
        ((try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? NSNumber)?.int64Value ?? 0
    }

    public func close() throws {
        for reader in readerPool { try reader.close() }
        readerPool.removeAll()
        try database.close()
    }

    private var readerPool: [DatabaseQueue] = []

    /// Read-only connections for reading in parallel (the target is in WAL mode).
    func readers(_ count: Int) throws -> [DatabaseQueue] {
        while readerPool.count < count {
            var configuration = Self.configuration()
            configuration.readonly = true
            // Readers look rows up by key in chunks: a small page cache each is enough.
            configuration.prepareDatabase { db in try db.execute(sql: "PRAGMA cache_size = -8192") }
            readerPool.append(try DatabaseQueue(path: path, configuration: configuration))
        }
        return Array(readerPool.prefix(count))
    }

    // MARK: Reading

    public func codeLists() throws -> CodeLists {
        try database.read { db in
            var lists = CodeLists()
            for kind in TargetSchema.codeKinds {
                for row in try Row.fetchAll(db, sql: "SELECT code, description, detail FROM \(kind.table)") {
                    lists.entries[kind.name, default: [:]][row["code"]] = CodeLists.Entry(
                        description: row["description"] ?? "", detail: row["detail"] ?? "")
                }
            }
            return lists
        }
    }

    /// The fingerprint and source hash of what custmig loaded last, by canonical key, from the
    /// narrow crosswalk table (one sequential scan): the dry run's fast path compares against them.
    public func loadedHashes() throws -> [String: LoadedHashes] {
        try database.read { db in
            var result: [String: LoadedHashes] = [:]
            let cursor = try Row.fetchCursor(
                db, sql: "SELECT canonical_key, image_hash, source_hash FROM custmig_crosswalk")
            while let row = try cursor.next() {
                guard let image = Hash128(hex: row[1]) else { continue }
                result[row[0]] = LoadedHashes(image: image, source: Hash128(hex: row[2]))
            }
            return result
        }
    }

    public func crosswalk() throws -> [String: String] {
        try database.read { db in
            var result: [String: String] = [:]
            let cursor = try Row.fetchCursor(db, sql: "SELECT canonical_key, customer_id FROM custmig_crosswalk")
            while let row = try cursor.next() { result[row[0]] = row[1] }
            return result
        }
    }

    /// Every customer id in the target.
    public func customerIds() throws -> [String] {
        try database.read { db in try String.fetchAll(db, sql: "SELECT customer_id FROM customer ORDER BY customer_id")
        }
    }

    /// The images of the given customers as they are now; absent ids are missing from the result.
    public func images(ids: [String]) throws -> [String: Result<CustomerImage, UnreadableTargetRow>] {
        try database.read { db in try Self.images(ids: ids, db: db) }
    }

    /// What custmig loaded last time, by canonical key (image JSON).
    public func loaded(keys: [String], images: Bool = true) throws -> [String: LoadedCustomer] {
        try database.read { db in
            var result: [String: LoadedCustomer] = [:]
            for chunk in keys.chunked(500) {
                let marks = Array(repeating: "?", count: chunk.count).joined(separator: ",")
                for row in try Row.fetchAll(
                    db,
                    sql:
                        "SELECT canonical_key, \(images ? "image" : "''"), image_hash, source_hash FROM custmig_loaded WHERE canonical_key IN (\(marks))",
                    arguments: StatementArguments(chunk))
                {
                    result[row[0]] = LoadedCustomer(image: row[1], imageHash: row[2], sourceHash: row[3])
                }
            }
            return result
        }
    }

    static func images(ids: [String], db: Database) throws -> [String: Result<CustomerImage, UnreadableTargetRow>] {
        var images: [String: CustomerImage] = [:]
        var failures: [String: UnreadableTargetRow] = [:]
        func text(_ value: DatabaseValue, id: String, table: String, column: String) -> String? {
            switch value.storage {
            case .null: return nil
            case .string(let text): return text
            case .int64(let number): return String(number)
            case .double(let number): return String(number)
            case .blob:
                failures[id] =
                    failures[id]
                    ?? UnreadableTargetRow(
                        customerId: id, table: table, column: column,
                        problem: "holds binary data where text is expected")
                return nil
            }
        }
        for chunk in ids.chunked(500) {
            let marks = Array(repeating: "?", count: chunk.count).joined(separator: ",")
            let arguments = StatementArguments(chunk)
            let customerColumns = CustomerImage.customerColumns.joined(separator: ",")
            for row in try Row.fetchAll(
                db, sql: "SELECT customer_id, \(customerColumns) FROM customer WHERE customer_id IN (\(marks))",
                arguments: arguments)
            {
                let id: String = row[0]
                var image = CustomerImage()
                for (index, column) in CustomerImage.customerColumns.enumerated() {
                    if let value = text(row[index + 1] as DatabaseValue, id: id, table: "customer", column: column),
                        !value.isEmpty
                    {
                        image.values[column] = value
                    }
                }
                images[id] = image
            }
            for table in TargetSchema.childTables {
                let columns = CustomerImage.childColumns[table]!
                let identity = CustomerImage.rowIdentity[table]!
                for row in try Row.fetchAll(
                    db,
                    sql:
                        "SELECT customer_id, \(columns.joined(separator: ",")) FROM \(table) WHERE customer_id IN (\(marks))",
                    arguments: arguments)
                {
                    let id: String = row[0]
                    var values: [String: String] = [:]
                    for (index, column) in columns.enumerated() {
                        if let value = text(row[index + 1] as DatabaseValue, id: id, table: table, column: column),
                            !value.isEmpty
                        {
                            values[column] = value
                        }
                    }
                    let rowId = CustomerImage.safe(identity.map { values[$0] ?? "" }.joined(separator: "/"))
                    for (column, value) in values {
                        images[id, default: CustomerImage()].values["\(table)[\(rowId)].\(column)"] = value
                    }
                }
            }
        }
        var result: [String: Result<CustomerImage, UnreadableTargetRow>] = [:]
        for (id, image) in images { result[id] = .success(image) }
        for (id, failure) in failures { result[id] = .failure(failure) }
        return result
    }

    // MARK: Applying

    /// Applies one batch in one transaction, with the crosswalk, "last loaded" values, undo log
    /// (before- and after-images) and the batch's checkpoint: all of it or nothing. Rows changed since
    /// the plan read them are left alone: reported and skipped with `skipStale`, else the batch is not
    /// applied at all (``StaleBatch``). The first action the database refuses is thrown as ``RefusedAction``.
    @discardableResult
    public func apply(
        batch: Int, actions: [TargetAction], planHash: String, skipStale: Bool = false
    ) throws -> BatchResult {
        let now = ISO8601DateFormatter().string(from: Date())
        return try database.write { db in
            // A key the plan expected absent only needs an existence check (child rows cannot
            // exist without their customer); the others are fingerprinted.
            let checked = actions.filter { $0.kind != .references }
            let current = try Self.fingerprints(
                ids: checked.filter { $0.expectedFingerprint != nil }.map(\.customerId), db: db)
            let present = try Self.existing(
                ids: checked.filter { $0.expectedFingerprint == nil }.map(\.customerId), db: db)
            var stale: [StaleRow] = []
            var staleIds = Set<String>()
            for action in checked {
                if action.expectedFingerprint == nil, !present.contains(action.customerId) { continue }
                let now = current[action.customerId]
                guard now != action.expectedFingerprint || action.expectedFingerprint == nil else { continue }
                let problem =
                    action.expectedFingerprint == nil
                    ? "customer \(action.customerId) exists in the target now; the plan expected it absent"
                    : now == nil
                        ? "customer \(action.customerId) was deleted in the target since the plan (or cannot be read)"
                        : "customer \(action.customerId) changed in the target since the plan"
                stale.append(
                    StaleRow(
                        batch: batch, canonicalKey: action.canonicalKey, customerId: action.customerId, problem: problem
                    ))
                staleIds.insert(action.customerId)
            }
            if !stale.isEmpty, !skipStale { throw StaleBatch(stale: stale) }
            var applied = 0
            for (index, action) in actions.enumerated() where !staleIds.contains(action.customerId) {
                do {
                    // The undo log's before-image: the row as it is now (the plan's, verified by its
                    // fingerprint; a reference pass reads it, its first pass changed it).
                    var before = action.before
                    if action.kind == .references,
                        case .success(let image)? = try Self.images(ids: [action.customerId], db: db)[action.customerId]
                    {
                        before = image
                    }
                    let loaded = try Row.fetchOne(
                        db.cachedStatement(
                            sql: "SELECT image, image_hash, source_hash FROM custmig_loaded WHERE canonical_key = ?"),
                        arguments: [action.canonicalKey])
                    let crosswalked =
                        try Bool.fetchOne(
                            db.cachedStatement(sql: "SELECT 1 FROM custmig_crosswalk WHERE canonical_key = ?"),
                            arguments: [action.canonicalKey]) ?? false
                    try Self.apply(action, db: db)
                    let fingerprint = try Self.recordLoaded(action, planHash: planHash, at: now, db: db)
                    try RawStatement(
                        db,
                        sql: """
                            INSERT INTO custmig_undo (plan_hash, batch, seq, canonical_key, customer_id, before_image, after_hash,
                            crosswalk_created, loaded_before, loaded_before_hash, loaded_before_source)
                            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                            """
                    ).run { bind in
                        bind.text(planHash)
                        bind.int(batch)
                        bind.int(batch * Self.undoSeqStride + index)
                        bind.text(action.canonicalKey)
                        bind.text(action.customerId)
                        bind.text(before?.jsonText)
                        bind.text(fingerprint)
                        bind.bool(!crosswalked)
                        bind.text(loaded?["image"] as String?)
                        bind.text(loaded?["image_hash"] as String?)
                        bind.text(loaded?["source_hash"] as String?)
                    }
                    applied += 1
                } catch let error as DatabaseError {
                    throw RefusedAction(
                        batch: batch, canonicalKey: action.canonicalKey, customerId: action.customerId,
                        message: error.message ?? "\(error)")
                }
            }
            try db.execute(
                sql: "INSERT INTO custmig_checkpoint (plan_hash, batch, actions, committed_at) VALUES (?, ?, ?, ?)",
                arguments: [planHash, batch, applied, now])
            return BatchResult(applied: applied, stale: stale)
        }
    }

    /// Which of `ids` have a customer row.
    static func existing(ids: [String], db: Database) throws -> Set<String> {
        var found = Set<String>()
        for part in ids.chunked(500) {
            let marks = Array(repeating: "?", count: part.count).joined(separator: ",")
            found.formUnion(
                try String.fetchAll(
                    db, sql: "SELECT customer_id FROM customer WHERE customer_id IN (\(marks))",
                    arguments: StatementArguments(Array(part))))
        }
        return found
    }

    /// The batches of a plan already committed to this target.
    public func committedBatches(planHash: String) throws -> Set<Int> {
        try database.read { db in
            Set(
                try Int.fetchAll(
                    db, sql: "SELECT batch FROM custmig_checkpoint WHERE plan_hash = ?", arguments: [planHash]))
        }
    }

    /// Replays batches in one transaction with a savepoint per batch and rolls everything back: the
    /// dry run's fidelity check. A refused action is taken out and its batch replayed without it.
    public func rehearse(batchCount: Int, batch: (Int) throws -> [TargetAction]) throws -> [RefusedAction] {
        var refused: [RefusedAction] = []
        // The replay keeps a whole plan uncommitted: give it a large page cache so that pages are not
        // spilled to the WAL and looked up there again (the cache only grows as far as it is used).
        try database.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA cache_size = -524288") }
        defer { try? database.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA cache_size = -65536") } }
        try database.inTransaction(.immediate) { db in
            for number in 0..<batchCount {
                refused += try Self.replay(batch: number, actions: try batch(number), db: db)
            }
            return .rollback
        }
        return refused
    }

    /// The same replay on a copy of the target in `folder` (SQLite online backup), each batch committed
    /// there as the cutover would, the copy deleted afterwards. For plans that write more than the
    /// target holds (a first load): one rolled-back transaction of a million inserts spills to the WAL
    /// and costs gigabytes of memory and disk; a copy of a small target costs little.
    public func rehearseOnCopy(
        in folder: String, batchCount: Int, batch: (Int) throws -> [TargetAction]
    ) throws -> [RefusedAction] {
        let path = "\(folder)/rehearsal-\(UUID().uuidString.prefix(8)).sqlite"
        defer {
            for suffix in ["", "-wal", "-shm", "-journal"] { try? FileManager.default.removeItem(atPath: path + suffix) }
        }
        let copy = try DatabaseQueue(path: path, configuration: Self.configuration())
        defer { try? copy.close() }
        try database.backup(to: copy)
        // A scratch copy: no durability needed, a rollback journal in memory for the savepoints.
        try copy.writeWithoutTransaction { db in
            try db.execute(sql: "PRAGMA journal_mode = MEMORY")
            try db.execute(sql: "PRAGMA synchronous = OFF")
        }
        var refused: [RefusedAction] = []
        for number in 0..<batchCount {
            let actions = try batch(number)
            try copy.inTransaction(.immediate) { db in
                refused += try Self.replay(batch: number, actions: actions, db: db)
                return .commit
            }
        }
        return refused
    }

    /// One batch in a savepoint; an action the database refuses is recorded, taken out, and the batch
    /// replayed without it.
    static func replay(batch number: Int, actions: [TargetAction], db: Database) throws -> [RefusedAction] {
        var refused: [RefusedAction] = []
        var remaining = actions
        while true {
            try db.execute(sql: "SAVEPOINT batch")
            var failedAt: Int?
            for (index, action) in remaining.enumerated() {
                do {
                    try Self.apply(action, db: db)
                    try Self.recordLoaded(action, planHash: "rehearsal", at: "", db: db)
                } catch let error as DatabaseError {
                    refused.append(
                        RefusedAction(
                            batch: number, canonicalKey: action.canonicalKey, customerId: action.customerId,
                            message: error.message ?? "\(error)"))
                    failedAt = index
                    break
                }
            }
            guard let failedAt else {
                try db.execute(sql: "RELEASE SAVEPOINT batch")
                return refused
            }
            try db.execute(sql: "ROLLBACK TO SAVEPOINT batch")
            try db.execute(sql: "RELEASE SAVEPOINT batch")
            remaining.remove(at: failedAt)
        }
    }

    /// Undo entries are numbered `batch * undoSeqStride + index` (batches hold at most 1,000,000
    /// actions, two passes of a cycle included), so a batch's entries are a primary-key range.
    static let undoSeqStride = 2_000_000

    static let upsertCustomerSQL: String = {
        let columns = CustomerImage.customerColumns
        return """
            INSERT INTO customer (customer_id, \(columns.joined(separator: ", "))) VALUES (?\(String(repeating: ", ?", count: columns.count)))
            ON CONFLICT (customer_id) DO UPDATE SET \(columns.map { "\($0) = excluded.\($0)" }.joined(separator: ", "))
            """
    }()

    static let insertChildSQL: [String: String] = Dictionary(
        uniqueKeysWithValues: TargetSchema.childTables.map { table in
            let columns = CustomerImage.childColumns[table]!
            return (
                table,
                "INSERT INTO \(table) (customer_id, \(columns.joined(separator: ", "))) VALUES (?\(String(repeating: ", ?", count: columns.count)))"
            )
        })

    static let deleteChildSQL: [String: String] = Dictionary(
        uniqueKeysWithValues: TargetSchema.childTables.map { ($0, "DELETE FROM \($0) WHERE customer_id = ?") })

    /// Writes one action. With the row as the plan read it (`before`), only what differs is written:
    /// the customer row if one of its columns changes, a child table's rows if any of them change.
    static func apply(_ action: TargetAction, db: Database) throws {
        if action.kind == .deactivate {
            try db.execute(
                sql: "UPDATE customer SET status = 'inactive' WHERE customer_id = ?", arguments: [action.customerId])
            return
        }
        let rows = action.image.rows
        let withoutReferences = action.kind == .upsertWithoutReferences
        // A reference pass runs after its own first pass changed the row: rewrite it all.
        let before = action.kind == .upsert ? action.before?.rows : nil
        let fresh = action.kind == .upsert && action.before == nil
        if before == nil || before!.customer != rows.customer || withoutReferences {
            let customer = rows.customer
            try RawStatement(db, sql: Self.upsertCustomerSQL).run { bind in
                bind.text(action.customerId)
                for column in CustomerImage.customerColumns {
                    bind.text(
                        withoutReferences && column == "parent_id"
                            ? nil : column == "status" ? customer[column] ?? "active" : customer[column])
                }
            }
        }
        var changed = Set<String>()
        for table in TargetSchema.childTables where before == nil || before!.children[table] != rows.children[table] {
            changed.insert(table)
        }
        // Deleting a sales area cascades to its partner functions: rewrite those with it.
        if changed.contains("sales_area") || withoutReferences { changed.insert("partner_function") }
        if !fresh {
            for table in TargetSchema.childTables.reversed() where changed.contains(table) {
                try db.cachedStatement(sql: Self.deleteChildSQL[table]!).execute(arguments: [
                    action.customerId
                ])
            }
        }
        for table in TargetSchema.childTables where changed.contains(table) {
            guard let tableRows = rows.children[table] else { continue }
            let columns = CustomerImage.childColumns[table]!
            let insert = try RawStatement(db, sql: Self.insertChildSQL[table]!)
            for (_, row) in tableRows.sorted(by: { $0.key < $1.key }) {
                if withoutReferences, table == "partner_function", row["partner_id"] != action.customerId { continue }
                try insert.run { bind in
                    bind.text(action.customerId)
                    for column in columns { bind.text(row[column]) }
                }
            }
        }
    }

    /// Records the crosswalk entry and the "last loaded" image; returns the image's fingerprint.
    @discardableResult
    static func recordLoaded(_ action: TargetAction, planHash: String, at time: String, db: Database) throws -> String {
        let json = action.imageJSON ?? action.image.jsonText
        let fingerprint = action.image.fingerprint
        try RawStatement(
            db,
            sql: """
                INSERT INTO custmig_crosswalk (canonical_key, customer_id, how, image_hash, source_hash, plan_hash, loaded_at)
                VALUES (?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT (canonical_key) DO UPDATE SET image_hash = excluded.image_hash,
                source_hash = IFNULL(excluded.source_hash, source_hash)
                """
        ).run { bind in
            for value in [
                action.canonicalKey, action.customerId, action.crosswalk, fingerprint, action.sourceHash, planHash, time,
            ] { bind.text(value) }
        }
        try RawStatement(
            db,
            sql: """
                INSERT INTO custmig_loaded (canonical_key, image, image_hash, source_hash, plan_hash, loaded_at) VALUES (?, ?, ?, ?, ?, ?)
                ON CONFLICT (canonical_key) DO UPDATE SET image = excluded.image, image_hash = excluded.image_hash,
                source_hash = IFNULL(excluded.source_hash, source_hash), plan_hash = excluded.plan_hash, loaded_at = excluded.loaded_at
                """
        ).run { bind in
            for value in [action.canonicalKey, json, fingerprint, action.sourceHash, planHash, time] { bind.text(value) }
        }
        return fingerprint
    }
}

extension Array {
    func chunked(_ size: Int) -> [ArraySlice<Element>] {
        stride(from: 0, to: count, by: size).map { self[$0..<Swift.min($0 + size, count)] }
    }
}
