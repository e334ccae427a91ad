import Foundation
import Testing

@testable import CustmigCore

/// The planner, cutover and rollback through the seam, in this process, on every kind of target: the
/// in-memory one (fast, no I/O), SQLite, and PostgreSQL when a server is there.
@Suite("Targets through the seam", .serialized)
struct TargetSeamTests {
    /// A workspace and a new in-memory target with the sample code lists.
    struct Setup {
        let folder: String
        let workspace: Workspace
        let target: any Target

        init(folder: String, workspace: Workspace, target: any Target) {
            self.folder = folder
            self.workspace = workspace
            self.target = target
        }

        init(_ kind: TargetKind = .memory) throws {
            folder = try Paths.scratch()
            workspace = try Workspace(path: folder + "/w", command: "test", writer: true)
            target = try TargetRegistry.initialize(
                try TargetLocation(parsing: try kind.newLocation(in: folder)),
                codes: try CodeLists.read(path: Paths.samples("target-codes.csv")))
        }

        /// Maps the sample extract after `edit`, then plans against the target.
        func plan(_ edit: (String) -> String = { $0 }) async throws -> PlanSummary {
            let original = try String(contentsOfFile: Paths.samples("customers.csv"), encoding: .windowsCP1252)
            let path = folder + "/customers-\(UUID().uuidString.prefix(8)).csv"
            try edit(original).write(toFile: path, atomically: true, encoding: .windowsCP1252)
            _ = try await MapStage.run(
                MapOptions(
                    mappingPath: MappingLoaderTests.shipped("legacy-flat-csv"), extracts: [path], command: "test",
                    custmigVersion: CustmigVersion.current), workspace: workspace)
            var options = DryRunOptions(command: "test")
            options.batchSize = 5
            return try await DryRunStage.run(workspace: workspace, target: target, options: options)
        }

        func cutover(skipStale: Bool = false) async throws -> CutoverSummary {
            var options = CutoverOptions(command: "test")
            options.allowUnapproved = true
            options.skipStale = skipStale
            return try await CutoverStage.run(plan: "latest", workspace: workspace, target: target, options: options)
        }

        func rollback(_ mode: RollbackMode) throws -> RollbackSummary {
            try RollbackStage.run(plan: "latest", mode: mode, workspace: workspace, target: target)
        }

        /// Every customer's image and the crosswalk: the target as a person would compare it.
        func state() throws -> String {
            let ids = try target.customerIds()
            let images = try target.images(ids: ids)
            var text = ids.map { id in "\(id) \((try? images[id]?.get())?.jsonText ?? "?")" }.joined(separator: "\n")
            try target.forEachCrosswalkEntry { key, id, how in text += "\n\(key) -> \(id) \(how)" }
            return text
        }
    }

    @Test(
        "the fingerprint reader works beside the target: read on a child task while this one reads images, the same fingerprints as the target gives alone",
        arguments: TargetKind.inProcess)
    func fingerprintReaderBeside(kind: TargetKind) async throws {
        let setup = try Setup(kind)
        _ = try await setup.plan()
        _ = try await setup.cutover()
        let ids = try setup.target.customerIds()
        #expect(ids.count > 200, "enough customers for the readers' parallel path: \(ids.count)")
        let expected = try setup.target.fingerprints(ids: ids)
        #expect(expected.count == ids.count)
        let read = try setup.target.fingerprintReader()
        // The dry run's pattern: the next chunk's fingerprints on a child task while the planner reads
        // full images through the target (on PostgreSQL they once shared a connection).
        for round in 0..<20 {
            async let beside = read(ids)
            let images = try setup.target.images(ids: ids)
            #expect(images.count == ids.count, "round \(round)")
            #expect(try await beside == expected, "round \(round)")
        }
    }

    @Test(
        "a first load plans inserts, loads them, reconciles, and a second cutover is a no-op",
        arguments: TargetKind.inProcess)
    func firstLoad(kind: TargetKind) async throws {
        let setup = try Setup(kind)
        let plan = try await setup.plan()
        #expect((plan.counts["insert"] ?? 0) > 0, "\(plan.counts)")
        let cut = try await setup.cutover()
        #expect(cut.actionsApplied == plan.counts["insert"], "\(cut)")
        let reconciled = try await ReconcileStage.run(plan: "latest", workspace: setup.workspace, target: setup.target)
        #expect(
            reconciled.matches,
            "\(reconciled.mismatches.prefix(3)) \(reconciled.targetTotals) \(reconciled.expectedTotals)")
        #expect(try await setup.cutover().outcome == "already applied")
        #expect(try setup.target.crosswalkCount(planHash: cut.contentHash) == cut.actionsApplied)
    }

    @Test(
        "a delta wave keeps a target-only edit, holds a two-sided change as a conflict, and rolls back surgically",
        arguments: TargetKind.inProcess)
    func deltaWave(kind: TargetKind) async throws {
        let setup = try Setup(kind)
        _ = try await setup.plan()
        _ = try await setup.cutover()
        // Someone edits the target: a field custmig does not change, and one it does.
        try Self.edit(setup.target, kind, "0000100004", "search_term", "HAND")
        try Self.edit(setup.target, kind, "0000100001", "name1", "Finbe by hand")
        let afterEdits = try setup.state()
        let delta = try await setup.plan { text in
            text.replacingLine("100001") { $0.field(1, "Finbe Automotive AG") }
                .replacingLine("100002") { $0.field(2, "Zweigniederlassung") }
                .replacingLine("100005") { _ in nil }
        }
        #expect(
            delta.counts["conflict"] == 1 && delta.counts["update"] == 1 && delta.counts["deactivate"] == 1,
            "\(delta.counts)")
        _ = try await setup.cutover()
        let now = try setup.target.images(ids: ["0000100004", "0000100005"])
        #expect((try now["0000100004"]?.get())?.values["search_term"] == "HAND", "the target-only edit is kept")
        #expect((try now["0000100005"]?.get())?.values["status"] == "inactive")
        let undone = try setup.rollback(.surgical)
        #expect(undone.restored == 2 && undone.deleted == 0 && undone.kept.isEmpty, "\(undone)")
        #expect(try setup.state() == afterEdits)
    }

    @Test(
        "a row changed after the plan is stale: the batch stops unapplied, or is skipped and reported",
        arguments: TargetKind.inProcess)
    func staleness(kind: TargetKind) async throws {
        let setup = try Setup(kind)
        _ = try await setup.plan()
        _ = try await setup.cutover()
        _ = try await setup.plan { $0.replacingLine("100002") { $0.field(2, "Zweigniederlassung") } }
        try Self.edit(setup.target, kind, "0000100002", "search_term", "EDITED AFTER THE PLAN")
        let stopped = try await setup.cutover()
        #expect(stopped.outcome == "stopped on stale rows" && stopped.stale.map(\.customerId) == ["0000100002"])
        let skipped = try await setup.cutover(skipStale: true)
        #expect(skipped.outcome == "done" && skipped.stale.count == 1, "\(skipped)")
        #expect(
            try setup.target.images(ids: ["0000100002"])["0000100002"]?.get().values["search_term"]
                == "EDITED AFTER THE PLAN")
    }

    @Test(
        "what the target refuses comes back typed, with the field, and the rehearsal changes nothing",
        arguments: TargetKind.inProcess)
    func refusals(kind: TargetKind) throws {
        let setup = try Setup(kind)
        let before = try setup.state()
        var limit = TargetAction(
            kind: .upsert, canonicalKey: "9", customerId: "9",
            image: CustomerImage(values: ["name1": "N", "credit_limit": "12,50"]))
        limit.crosswalk = "inserted"
        let orphan = TargetAction(
            kind: .upsert, canonicalKey: "8", customerId: "8",
            image: CustomerImage(values: ["name1": "O", "parent_id": "404"]))
        let unnamed = TargetAction(kind: .upsert, canonicalKey: "7", customerId: "7", image: CustomerImage(values: [:]))
        let refused = try setup.target.rehearse(batchCount: 1, copyFolder: nil) { _ in [limit, orphan, unnamed] }
        #expect(refused.map(\.kind) == [.constraint, .reference, .constraint], "\(refused)")
        #expect(refused[0].field == "credit_limit" && refused[2].field == "name1", "\(refused.map(\.field))")
        #expect(try setup.state() == before)
        #expect { try setup.target.apply(batch: 0, actions: [limit], planHash: "h", skipStale: false) } throws: {
            ($0 as? RefusedAction)?.field == "credit_limit"
        }
        #expect(
            try setup.target.committedBatches(planHash: "h").isEmpty,
            "a refused batch leaves nothing, not even its checkpoint")
    }

    @Test(
        "a snapshot rollback restores every customer and the journal as they were before the cutover",
        arguments: TargetKind.inProcess)
    func snapshotRollback(kind: TargetKind) async throws {
        let setup = try Setup(kind)
        _ = try await setup.plan { text in
            let lines = text.components(separatedBy: "\r\n")
            return lines.prefix(1 + (lines.count - 1) / 2).joined(separator: "\r\n")
        }
        _ = try await setup.cutover()
        let afterWave1 = try setup.state()
        _ = try await setup.plan()
        _ = try await setup.cutover()
        #expect(try setup.state() != afterWave1)
        let restored = try setup.rollback(.snapshot)
        #expect(restored.safetySnapshot != nil, "\(restored)")
        #expect(try setup.state() == afterWave1)
    }

    @Test(
        "a target without rehearsal or snapshots: the plan says it was not rehearsed, no snapshot is taken, a snapshot rollback is refused naming the capability",
        arguments: TargetKind.inProcess)
    func absentCapabilities(kind: TargetKind) async throws {
        let full = try Setup(kind)
        let setup = Setup(
            folder: full.folder, workspace: full.workspace,
            target: LimitedTarget(full.target, capabilities: [.transactionalBatches, .rowFingerprints]))
        let plan = try await setup.plan()
        #expect(plan.rehearsed == false)
        let html = try String(
            contentsOfFile: try #require(plan.reports.first { $0.hasSuffix(".html") }), encoding: .utf8)
        #expect(html.contains("Not rehearsed on the target"))
        let cut = try await setup.cutover()
        #expect(cut.snapshot == nil && cut.outcome == "done", "\(cut)")
        #expect { try setup.rollback(.snapshot) } throws: { ($0 as? CustmigError)?.code == "TARGET-CAPABILITY" }
        let undone = try setup.rollback(.surgical)
        #expect(undone.deleted == cut.actionsApplied)
        #expect(try full.target.customerIds().isEmpty)
        #expect(try await Setup(kind).plan().rehearsed == true, "a target with rehearsal rehearses")
    }

    @Test(
        "customer ids and keys with quotes, backslashes, commas, braces and spaces are found again",
        arguments: TargetKind.inProcess)
    func awkwardKeys(kind: TargetKind) throws {
        let setup = try Setup(kind)
        let ids = ["a\"b", "c\\d", "e,f", "{g}", "NULL", " h ", "ü-ß", "i'j"]
        let actions = ids.map { id in
            TargetAction(
                kind: .upsert, canonicalKey: "k" + id, customerId: id,
                image: CustomerImage(values: ["name1": id, "status": "active"]))
        }
        let result = try setup.target.apply(batch: 0, actions: actions, planHash: "awkward", skipStale: false)
        #expect(result.applied == ids.count)
        #expect(try setup.target.existing(ids: ids + ["absent"]) == Set(ids))
        #expect(Set(try setup.target.fingerprints(ids: ids).keys) == Set(ids))
        #expect(
            try setup.target.images(ids: ids).mapValues { try $0.get().values["name1"] }
                == Dictionary(uniqueKeysWithValues: ids.map { ($0, $0) }))
        #expect(
            Set(try setup.target.loaded(keys: ids.map { "k" + $0 }, images: false).keys) == Set(ids.map { "k" + $0 }))
        #expect(try setup.target.crosswalkEntry("ka\"b")?.customerId == "a\"b")
        let undone = try setup.target.undo(batch: 0, planHash: "awkward", isLast: true)
        #expect(undone.deleted == ids.count && undone.kept.isEmpty, "\(undone)")
        #expect(try setup.target.customerIds().isEmpty)
    }

    /// Changes one customer column as another application would (no journal).
    static func edit(_ target: any Target, _ kind: TargetKind, _ id: String, _ column: String, _ value: String) throws {
        if let memory = target as? InMemoryTarget {
            var image = try #require(try target.images(ids: [id])[id]?.get())
            image.values[column] = value
            memory.edit(customerId: id, image: image)
        } else {
            try kind.sql(
                "UPDATE customer SET \(column) = '\(value)' WHERE customer_id = '\(id)'",
                at: target.location.description)
        }
    }
}
