import Foundation
import GRDB

/// Decides one action per customer — numbers, links, the three-way merge, code-list and reference
/// checks, deactivations — and writes the plan's actions to the ledger in load order, chunk by chunk,
/// so memory holds keys and references, not customers.
struct Planner {
    let set: CustomerSet
    let settings: LoadSettings
    let resolutions: ConflictResolutions
    let target: any Target
    let codes: CodeLists
    /// Canonical key -> target id and last-loaded hashes, for every customer custmig loaded.
    let crosswalk: LoadedCrosswalk
    let existingIds: Set<String>
    /// Canonical key -> target id for members the crosswalk does not know: links and new numbers.
    private(set) var assignedIds: [String: String] = [:]
    private(set) var links: [String: (id: String, score: Double)] = [:]
    private(set) var numberingProblems: [String: String] = [:]
    /// Legacy key -> canonical key, for every referenced legacy key that resolves.
    private(set) var referenced: [String: String] = [:]
    private(set) var order: (ordered: [Int], cyclic: [Int]) = ([], [])
    private(set) var duplicateKeys: Set<Int> = []
    /// At most this many members can be new in the target: those the crosswalk does not know, and those
    /// it knows by an id the target no longer has.
    private var insertsAtMost = Int.max

    init(
        set: CustomerSet, settings: LoadSettings, resolutions: ConflictResolutions, target: any Target,
        ledger: Ledger,
        matcher: CustomerMatcher
    ) throws {
        self.set = set
        self.settings = settings
        self.resolutions = resolutions
        self.target = target
        codes = try target.codeLists()
        crosswalk = try target.loadedCrosswalk()
        existingIds = Set(try target.customerIds())
        var allReferences = Set<String>()
        for member in set.members { allReferences.formUnion(member.references) }
        referenced = try set.resolveReferences(allReferences, ledger: ledger)
        try assignTargetIds(ledger: ledger, matcher: matcher)
        let members = set.members
        // Repeated keys by sorting positions (no dictionary of every key); positions only for the
        // keys something refers to.
        let byKey = members.indices.sorted { (members[$0].key, $0) < (members[$1].key, $1) }
        let targets = Set(referenced.values)
        var index: [String: Int] = [:]
        for (rank, position) in byKey.enumerated() {
            if rank > 0 && members[byKey[rank - 1]].key == members[position].key {
                duplicateKeys.insert(position)
            } else if targets.contains(members[position].key) {
                index[members[position].key] = position
            }
        }
        let referenced = referenced
        let (crosswalk, assignedIds) = (crosswalk, assignedIds)
        order = LoadOrder.order(
            keys: members.map(\.key),
            references: { node in members[node].references.compactMap { referenced[$0].flatMap { index[$0] } } },
            sortKey: { node in crosswalk[members[node].key] ?? assignedIds[members[node].key] ?? members[node].key })
    }

    /// Customers that would be new in the target (numbered, not there yet): what decides, before
    /// planning, whether a first load's rehearsal runs on a copy beside it.
    var expectedInserts: Int {
        // A delta, every member known and still there: nothing to count (a million lookups at 1M).
        guard insertsAtMost > 0 else { return 0 }
        return self.set.members.reduce(0) { count, member in
            guard let id = targetId(member.key), !existingIds.contains(id) else { return count }
            return count + 1
        }
    }

    /// The target id of a canonical key: the crosswalk's, else the one this plan assigns.
    func targetId(_ key: String) -> String? { crosswalk[key] ?? assignedIds[key] }

    /// Crosswalk first; then links to hand-made target customers; then the numbering policy.
    private mutating func assignTargetIds(ledger: Ledger, matcher: CustomerMatcher) throws {
        var fresh: [CustomerSet.Member] = []
        fresh.reserveCapacity(set.members.count)
        for member in set.members {
            if crosswalk[member.key] == nil { fresh.append(member) }
        }
        // Target customers custmig did not load (made by hand): none when every one is in the crosswalk.
        let known = crosswalk.targetIds.reduce(0) { $0 + (existingIds.contains($1) ? 1 : 0) }
        insertsAtMost = fresh.count + (crosswalk.targetIds.count - known)
        var unlinked = Set<String>()
        if known < existingIds.count {
            let linked = Set(crosswalk.targetIds)
            unlinked = existingIds.filter { !linked.contains($0) }
        }
        if !fresh.isEmpty, !unlinked.isEmpty {
            var candidates: [String: CustomerImage] = [:]
            for (id, read) in try target.images(ids: Array(unlinked)) {
                if case .success(let image) = read { candidates[id] = image }
            }
            var linker = TargetLinker(matcher: matcher, candidates: candidates)
            for chunk in fresh.chunked(2_000) {
                for customer in try set.customers(chunk, ledger: ledger).values { linker.consider(customer) }
            }
            links = linker.links
            for (key, link) in links { assignedIds[key] = link.id }
        }
        let needing = fresh.filter { links[$0.key] == nil }
        // Only the target's own numbering goes by account group; reading a million customers' groups
        // took a 1M first load's dry run ~3 s on one core before planning could start.
        let groups =
            settings.numbering == .internal
            ? try set.accountGroups(needing, ledger: ledger) : [String?](repeating: nil, count: needing.count)
        let toNumber = zip(needing, groups).map { (key: $0.key, accountGroup: $1) }
        let assigner = NumberAssigner(numbering: settings.numbering, codes: codes, taken: existingIds)
        assignedIds.reserveCapacity(assignedIds.count + toNumber.count)
        for (key, result) in assigner.assign(toNumber) {
            switch result {
            case .success(let id): assignedIds[key] = id
            case .failure(let problem): numberingProblems[key] = problem.message
            }
        }
    }

    // MARK: Planning

    /// Plans every customer into `plan`, its rows written (and, with `rehearsal`, its batches replayed
    /// on the target's copy) as planning goes on. Returns the outcome and what the copy refused.
    func plan(
        into plan: Int64, ledger: Ledger, digest: PlanDigest, rehearsal: BesideRehearsal? = nil,
        progress: ProgressHandler? = nil, resume: String = ""
    ) async throws -> (Outcome, refused: [RefusedAction]) {
        try await PlanWriter.writing(
            plan: plan, ledger: ledger, batchSize: settings.batchSize, digest: digest, rehearsal: rehearsal
        ) { writer in
            try await planRows(writer: &writer, ledger: ledger, progress: progress, resume: resume)
        }
    }

    private func planRows(
        writer: inout PlanWriter, ledger: Ledger, progress: ProgressHandler?, resume: String
    ) async throws -> Outcome {
        var outcome = Outcome()
        var willNotExist = Set<String>()
        let ownedNames = settings.targetOwned
        let members = set.members
        var filled = FieldTally()
        var codeKinds = PathShapeCache<String?>()
        func record(_ row: consuming ActionRow) async throws {
            outcome.counts[row.action, default: 0] += 1
            if row.action == .insert, let image = row.image { row.fieldSize = filled.add(image) }
            if row.action == .insert, let image = row.newImage { row.fieldSize = filled.add(image) }
            for change in row.changes {
                if change.outcome == .change || change.outcome == .resolvedOurs {
                    outcome.fieldChanges[CustomerImage.ownershipName(change.path), default: 0] += 1
                } else if change.outcome == .keptTarget || change.outcome == .keptOwned {
                    outcome.keptTarget += 1
                }
            }
            try await writer.append(row)
        }
        let sequence = order.ordered.map { ($0, false) } + order.cyclic.map { ($0, true) }
        var cyclicWrites: [ActionRow] = []
        let chunks = sequence.chunked(1_000)
        // The next chunk's target fingerprints are read while this one is planned, and the canonical
        // records of the customers the fast path will likely not settle (those whose record hash, and
        // references, and target row are not as last loaded): an unchanged customer's record is not read.
        let readFingerprints = try target.fingerprintReader()
        let (crosswalk, assignedIds) = (crosswalk, assignedIds)
        /// The target id of a canonical key (``targetId(_:)``), for the closures that run on other tasks.
        @Sendable func targetId(_ key: String) -> String? { crosswalk[key] ?? assignedIds[key] }
        var nextChunk = 0
        let readChunk = { [set, existingIds, referenced] () async throws -> (number: Int, reads: ChunkReads)? in
            guard nextChunk < chunks.count else { return nil }
            let number = nextChunk
            nextChunk += 1
            let chunkMembers = chunks[number].map { set.members[$0.0] }
            let existing = chunkMembers.compactMap { member -> String? in
                guard let id = targetId(member.key), existingIds.contains(id) else { return nil }
                return id
            }
            let fingerprints = try await readFingerprints(existing)
            let likelySlow = chunkMembers.filter { member in
                guard let dataHash = member.dataHash, let id = crosswalk[member.key],
                    let base = crosswalk.hashes(member.key),
                    let source = base.source, base.image == Hash128(hex: fingerprints[id])
                else { return true }
                var references: [String] = []
                for legacy in member.references {
                    guard let key = referenced[legacy], let id = targetId(key) else { return true }
                    references.append(id)
                }
                return Hash128(
                    hex: CustomerSet.sourceHash(key: member.key, id: id, references: references, dataHash: dataHash))
                    != source
            }
            return (
                number, ChunkReads(texts: try set.data(likelySlow[...], ledger: ledger), fingerprints: fingerprints)
            )
        }
        var planned: Int64 = 0
        try await ReadAhead.forEach(read: readChunk) { number, read in
            let chunk = chunks[number]
            // A safe point: the plan being built is discarded by the next dry run, the target is untouched.
            try Interruption.check(
                kept: "nothing (the plan being built is discarded; the target was not changed)",
                resume: resume)
            progress?(StageProgress("planning", done: planned, total: Int64(members.count), unit: .customers))
            planned += Int64(chunk.count)
            let chunkMembers = chunk.map { members[$0.0] }
            var texts = read.texts
            let fingerprints = read.fingerprints

            // References as they resolve now, then the source hashes.
            var resolvedReferences: [[String]?] = []
            for member in chunkMembers {
                var ids: [String]? = []
                for legacy in member.references {
                    if let key = referenced[legacy], let target = targetId(key),
                        !willNotExist.contains(target)
                    {
                        ids?.append(target)
                    } else {
                        ids = nil
                        break
                    }
                }
                resolvedReferences.append(ids)
            }
            let referenceIds = resolvedReferences
            let readTexts = read.texts
            // Each member's hashes, and whether the fast path settles it unless a customer it refers to will
            // not exist (worked out once: the planner asks that several times per customer).
            let hashes = await ParallelWork.map(chunkMembers.indices) {
                index -> (source: String?, their: String?, settled: Bool) in
                let member = chunkMembers[index]
                guard let id = targetId(member.key),
                    let dataHash = member.dataHash
                        ?? readTexts[member.key].flatMap(\.recordHash)
                else { return (nil, nil, false) }
                let source = referenceIds[index].map {
                    CustomerSet.sourceHash(key: member.key, id: id, references: $0, dataHash: dataHash)
                }
                let their = fingerprints[id]
                guard crosswalk[member.key] == id, let source, let base = crosswalk.hashes(member.key),
                    base.source == Hash128(hex: source), let their, base.image == Hash128(hex: their)
                else { return (source, their, false) }
                return (source, their, true)
            }
            /// Whether the fast path settles a member, given the target ids that will not exist.
            @Sendable func isFast(_ index: Int, _ member: CustomerSet.Member, notExisting: Set<String>) -> Bool {
                guard hashes[index].settled, let references = referenceIds[index] else { return false }
                return notExisting.isEmpty || !references.contains(where: notExisting.contains)
            }
            // Records the prefetch did not foresee needing (a reference that will not exist after all).
            let unread = chunkMembers.enumerated().filter {
                !isFast($0.offset, $0.element, notExisting: willNotExist) && texts[$0.element.key] == nil
            }
            if !unread.isEmpty {
                texts.merge(try set.data(unread.map(\.element)[...], ledger: ledger)) { a, _ in a }
            }
            // Full images only for the customers the fast path cannot settle.
            var slow: [String] = []
            var slowKeys: [String] = []
            for (index, member) in chunkMembers.enumerated() where !isFast(index, member, notExisting: willNotExist) {
                guard let id = targetId(member.key), existingIds.contains(id) else { continue }
                slow.append(id)
                if crosswalk.hashes(member.key) != nil { slowKeys.append(member.key) }
            }
            var theirs = try target.images(ids: slow)
            var baseImages = try target.loaded(keys: slowKeys)
            // The chunk's canonical records decoded on every core (decoding took a tenth of a first load's
            // dry run on one).
            let textsRead = texts
            // …and their images built there too, each resolving its references as if every customer
            // referred to will exist; the loop below keeps an image only when none of the ids it
            // consulted turned out not to (a customer of this plan rejected before it).
            let referenced = referenced
            let notExistingBefore = willNotExist
            let byPosition = target.takesImagesAsTheyAre
            let decodedRecords = await ParallelWork.map(chunkMembers.indices) { [existingIds] index -> Prebuilt? in
                let member = chunkMembers[index]
                guard !isFast(index, member, notExisting: notExistingBefore), let text = textsRead[member.key],
                    let customer = text.customer
                else { return nil }
                var (consulted, resolved, unresolved) = ([String](), [String: String](), [String]())
                let resolve = { (legacy: String) -> String? in
                    guard let key = referenced[legacy] ?? (legacy == customer.legacyKey ? member.key : nil),
                        let id = targetId(key)
                    else { return nil }
                    consulted.append(id)
                    resolved[legacy] = id
                    return id
                }
                // A customer new to the target (inserted by reference to its record) by position.
                if byPosition, let id = targetId(member.key), !existingIds.contains(id),
                    crosswalk[member.key] == nil, member.dataHash ?? text.recordHash != nil,
                    let image = NewCustomerImage(
                        customer, externalId: member.key, resolve: resolve, unresolved: &unresolved)
                {
                    return Prebuilt(
                        customer: customer, newImage: image, consulted: consulted, resolved: resolved,
                        unresolved: unresolved)
                }
                (consulted, resolved, unresolved) = ([], [:], [])
                let image = CustomerImage(customer, externalId: member.key, resolve: resolve, unresolved: &unresolved)
                return Prebuilt(
                    customer: customer, image: image, consulted: consulted, resolved: resolved, unresolved: unresolved)
            }
            for (offset, (position, cyclic)) in chunk.enumerated() {
                let member = members[position]
                var row = ActionRow(key: member.key, legacyKey: member.legacyKey, action: .reject)
                row.customerId = targetId(member.key)
                guard !duplicateKeys.contains(position) else {
                    row.reason = "another customer of this run has the same canonical key \(member.key)"
                    try await record(row)
                    continue
                }
                guard let id = targetId(member.key) else {
                    row.reason = "it cannot be numbered: \(numberingProblems[member.key] ?? "no number")"
                    try await record(row)
                    continue
                }
                // The fast path: the same canonical record (and references) as last loaded, and a target
                // row nobody touched since, is unchanged without reading, decoding or merging anything.
                row.sourceHash = hashes[offset].source
                if isFast(offset, member, notExisting: willNotExist) {
                    row.action = .unchanged
                    row.fingerprint = hashes[offset].their
                    try await record(row)
                    continue
                }
                guard let text = try texts[member.key] ?? set.data([member][...], ledger: ledger)[member.key] else {
                    row.reason = "its canonical record cannot be read from the ledger"
                    try await record(row)
                    continue
                }
                guard
                    let customer = decodedRecords[offset]?.customer
                        ?? text.customer
                else {
                    row.reason = "its canonical record cannot be decoded from the ledger"
                    try await record(row)
                    continue
                }
                row.name = customer.names.first
                row.country = customer.mainAddress?.country
                let exists = existingIds.contains(id)
                if exists, theirs[id] == nil { theirs.merge(try target.images(ids: [id])) { a, _ in a } }
                if !exists { willNotExist.insert(id) }
                var unresolved: [String] = []
                var resolved: [String: String] = [:]
                var wanted = CustomerImage()
                var newImage: NewCustomerImage?
                if let prebuilt = decodedRecords[offset],
                    !prebuilt.consulted.contains(where: { $0 != id && willNotExist.contains($0) })
                {
                    (newImage, unresolved, resolved) = (prebuilt.newImage, prebuilt.unresolved, prebuilt.resolved)
                    wanted = prebuilt.image ?? wanted
                } else {
                    wanted = CustomerImage(
                        customer, externalId: member.key,
                        resolve: { legacy in
                            guard let key = referenced[legacy] ?? (legacy == customer.legacyKey ? member.key : nil),
                                let id = targetId(key)
                            else { return nil }
                            let result = willNotExist.contains(id) && id != targetId(member.key) ? nil : id
                            resolved[legacy] = result
                            return result
                        }, unresolved: &unresolved)
                }
                // What the target has no place for is not planned, and is listed per field (a new customer's
                // image by position is made only for a target that holds every field).
                let (ours, notLoaded) = newImage == nil ? target.holdable(wanted) : (wanted, [])
                for name in Set(notLoaded.map(CustomerImage.ownershipName)) { outcome.notLoaded[name, default: 0] += 1 }
                if !unresolved.isEmpty {
                    row.reason =
                        "it refers to customer \(Set(unresolved).sorted().joined(separator: ", ")), which will not exist in the target "
                        + "(not in this extract, rejected, or never loaded)"
                    try await record(row)
                    continue
                }
                var their: CustomerImage?
                if exists {
                    switch theirs[id] {
                    case .success(let image)?: their = image
                    case .failure(let problem)?:
                        row.reason = "the target row cannot be read: \(problem.description)"
                        try await record(row)
                        continue
                    case nil: break
                    }
                }
                let isLink = links[member.key] != nil
                if crosswalk[member.key] != nil, their == nil {
                    row.action = .conflict
                    row.reason = "custmig loaded it as \(id) before, and it has since been deleted in the target"
                    try await record(row)
                    continue
                }
                if let newImage {
                    // New to the target (so no merge): its rows checked by position, the plan row referring to
                    // its record.
                    row.expectAbsent = true
                    if let problem = newImage.codeProblem(codes: codes) {
                        row.reason = problem
                        try await record(row)
                        continue
                    }
                    row.action = .insert
                    if let hash = member.dataHash ?? text.recordHash {
                        row.reference = RecordReference(
                            source: member.isSurvivor ? .golden : .map, hash: hash, resolved: resolved)
                        row.newImage = newImage
                    } else {
                        row.image = newImage.image
                    }
                    row.applyKind = cyclic ? .upsertWithoutReferences : .upsert
                    if cyclic { cyclicWrites.append(row) }
                    willNotExist.remove(id)
                    try await record(row)
                    continue
                }
                if !isLink, crosswalk[member.key] == nil, their != nil {
                    row.reason =
                        "its target number \(id) is already used by a target customer custmig did not load "
                        + "(\(their?.values["name1"] ?? "no name")); the matcher did not find them to be the same — "
                        + "change the numbering policy or merge them in the target"
                    try await record(row)
                    continue
                }
                if crosswalk.hashes(member.key) != nil, baseImages[member.key] == nil {
                    baseImages.merge(try target.loaded(keys: [member.key])) { a, _ in a }
                }
                let base = baseImages[member.key].flatMap { CustomerImage(storedText: $0.image) }
                let resolution = resolutions.byKey[member.key] ?? [:]
                let merged = ThreeWayMerge.merge(
                    ours: ours, theirs: their, base: isLink ? nil : base,
                    isTargetOwned: { path in
                        ownedNames.contains(CustomerImage.ownershipName(path))
                    },
                    resolution: { resolution[$0] })
                row.changes = merged.changes
                row.image = merged.desired
                row.before = their
                row.fingerprint = their == nil ? nil : hashes[offset].their ?? their?.fingerprint
                row.expectAbsent = their == nil
                if let problem = try codeProblem(in: merged.desired, before: their, kinds: &codeKinds)
                    ?? target.predictedRefusal(merged.desired, before: their)
                {
                    row.reason = problem
                    row.image = nil
                    try await record(row)
                    continue
                }
                if merged.hasConflict {
                    row.action = .conflict
                    let fields = merged.changes.filter { $0.outcome == .conflict }.map(\.path)
                    row.reason =
                        "changed in the target since the last load and differently in ours: \(fields.joined(separator: ", "))"
                        + " — settle each in conflict-resolutions.csv (ours or theirs)"
                } else if their == nil {
                    row.action = .insert
                    // Stored by reference when the image is the record's as it is (the target holds all of
                    // it): the plan keeps the record's hash and the resolved references, not the image.
                    if notLoaded.isEmpty,
                        let hash = member.dataHash ?? text.recordHash
                    {
                        row.reference = RecordReference(
                            source: member.isSurvivor ? .golden : .map, hash: hash, resolved: resolved)
                    }
                } else if isLink {
                    row.action = .link
                    row.reason = String(format: "matched target customer %@ (score %.1f)", id, links[member.key]!.score)
                } else {
                    row.action = merged.writes ? .update : .unchanged
                }
                if row.action == .insert || row.action == .update || row.action == .link {
                    row.applyKind = cyclic ? .upsertWithoutReferences : .upsert
                    if cyclic { cyclicWrites.append(row) }
                    willNotExist.remove(id)
                }
                try await record(row)
            }
        }
        for var row in cyclicWrites {
            row.applyKind = .references
            try await writer.append(row)
        }
        try await deactivations(writer: &writer, outcome: &outcome)
        for part in set.notLoaded.chunked(2_000) {
            for row in try await notLoadedRows(part, ledger: ledger) { try await record(row) }
        }
        outcome.fieldsFilled = filled.byName
        outcome.batches = writer.batchCount
        return outcome
    }
}
