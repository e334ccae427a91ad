import CustmigCore
import Foundation
import GRDB
import Synchronization
import Testing

/// A rehearsal copy that replays as the target's own until batch `failAt`, which fails as a full disk
/// would: not a refusal of one customer but a failure of the replay itself.
final class FailingCopy: RehearsalCopy {
    let base: any RehearsalCopy
    let failAt: Int
    let replayed = Mutex<[Int]>([])
    let closed = Mutex(false)

    init(base: any RehearsalCopy, failAt: Int) {
        self.base = base
        self.failAt = failAt
    }

    func replay(batch: Int, actions: [TargetAction]) throws -> [RefusedAction] {
        replayed.withLock { $0.append(batch) }
        if batch == failAt {
            throw CustmigError(
                .unreadableInput, code: "TEST-COPY-FULL", "the rehearsal copy's disk is full.", fix: "free some space.")
        }
        return try base.replay(batch: batch, actions: actions)
    }

    func close() {
        closed.withLock { $0 = true }
        base.close()
    }
}

@Suite("Rehearsal failures")
struct RehearsalFailureTests {
    @Test(
        "a first-load rehearsal whose copy fails mid-plan: the dry run stops with that error (no hang), keeps no plan, deletes the copy and leaves the target as it was; a rerun plans"
    )
    func copyFailsBesidePlanning() async throws {
        let scenario = try DryRunScenario()
        try await scenario.map()
        let before = try CutoverTests.dump(scenario.targetPath)
        let failing = LimitedTarget(scenario.target, capabilities: scenario.target.capabilities)
        let made = Mutex<FailingCopy?>(nil)
        failing.copy = { folder in
            guard let base = try scenario.target.rehearsalCopy(in: folder) else { return nil }
            let copy = FailingCopy(base: base, failAt: 1)
            made.withLock { $0 = copy }
            return copy
        }
        var options = DryRunOptions(command: "test")
        options.rehearsal = .onCopy
        options.batchSize = 20
        do {
            let summary = try await DryRunStage.run(workspace: scenario.workspace, target: failing, options: options)
            Issue.record("the dry run went through: plan \(summary.plan)")
        } catch let error as CustmigError {
            #expect(error.code == "TEST-COPY-FULL", "\(error)")
        }
        let copy = try #require(made.withLock { $0 })
        #expect(copy.replayed.withLock { $0 }.contains(1), "the copy replayed up to its failing batch")
        #expect(copy.closed.withLock { $0 }, "the copy is closed")
        let left = try FileManager.default.contentsOfDirectory(atPath: scenario.workspace.path).filter {
            $0.hasPrefix("rehearsal-")
        }
        #expect(left.isEmpty, "the copy's file is deleted: \(left)")
        #expect(try CutoverTests.dump(scenario.targetPath) == before, "the target is as it was")
        let statuses = try await scenario.workspace.ledger.database.read { db in
            try String.fetchAll(db, sql: "SELECT status FROM plan")
        }
        #expect(!statuses.contains("current"), "no plan is kept: \(statuses)")
        let rerun = try await scenario.dryRun { $0.batchSize = 20 }
        #expect((rerun.counts["insert"] ?? 0) > 20, "the rerun plans every batch: \(rerun.counts)")
    }
}
