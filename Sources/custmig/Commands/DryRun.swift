import ArgumentParser
import CustmigCore
import Foundation

extension Custmig {
    struct DryRun: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "dry-run",
            abstract: "Plan the load against a target and write the diff report; the target is not changed.",
            discussion: HelpText.flowing(
                """
                Compares the latest survivors (or the customers of map run --run) with the target, three-way:
                base = what custmig loaded last time, ours = the new canonical record, theirs = the target now.
                Per customer one action: insert, link, update, unchanged, conflict, deactivate, reject. Replays
                the cutover's batches on the target in one transaction that is rolled back, so what the target
                would refuse shows up as rejects now. Stores the plan (id + content hash) in the workspace and
                writes plan.html, plan.csv and plan.json under WORKSPACE/reports/plan-N/.

                Exit code 0 whenever a plan was stored; 3 when the plan fails its deactivation cap, or has an
                action named by --fail-on.

                Examples:
                  custmig dry-run --target sqlite:sandbox.db
                  custmig dry-run --target sqlite:sandbox.db --fail-on conflict,reject --mask-pii
                """))

        @OptionGroup var target: TargetOptions

        @OptionGroup var workspace: WorkspaceOptions

        @Option(name: .customLong("run"), help: "The map run to plan (default: the latest finished one).")
        var mapRun: Int64?

        @Option(help: "Comma-separated actions that fail the run with exit code 3 (conflict,reject,deactivate…).")
        var failOn: String?

        @Option(help: "Customers per batch (default: the mapping's load.batch_size, else 1000).")
        var batchSize: Int?

        @Option(help: "The conflict-resolution file (default: conflict-resolutions.csv beside the mapping).")
        var resolutions: String?

        @Flag(help: "Mask emails, phones, tax ids and IBANs in the reports.")
        var maskPii = false

        @Option(help: "Customers shown per report section (all are in plan.csv and plan.json).")
        var reportLimit: Int = 500

        @Option(
            help: """
                Where the plan is replayed to find what the target refuses: in-place (one transaction, \
                rolled back), copy (a scratch copy of the target in the workspace), or automatic (a copy \
                when the plan writes more than the target holds, e.g. a first load).
                """)
        var rehearsal: Rehearsal = .automatic

        @OptionGroup var progress: ProgressOptions

        func validate() throws {
            if let batchSize, !(1...1_000_000).contains(batchSize) {
                throw ValidationError("--batch-size must be from 1 to 1,000,000.")
            }
            _ = try failActions()
        }

        func failActions() throws -> Set<PlanAction> {
            var actions = Set<PlanAction>()
            for name in (failOn ?? "").split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces) })
            where !name.isEmpty {
                guard let action = PlanAction(rawValue: name) else {
                    throw ValidationError(
                        "--fail-on: \"\(name)\" is not an action (\(PlanAction.allCases.map(\.rawValue).joined(separator: ", ")))."
                    )
                }
                actions.insert(action)
            }
            return actions
        }

        func run() async throws {
            try await runReportingErrors {
                let command = RecordedCommand.current
                guard target.location != nil else {
                    throw CustmigError(
                        .usage, code: "TARGET-MISSING", "dry-run needs --target.",
                        fix: "pass --target sqlite:PATH or --target postgresql://USER@HOST:PORT/DB?schema=NAME.")
                }
                let space = try workspace.open(command: command, writer: true)
                let opened = try target.open(plan: nil, ledger: space.ledger)
                defer { try? opened.close() }
                var options = DryRunOptions(command: command)
                options.mapRun = mapRun
                options.batchSize = batchSize
                options.rehearsal = rehearsal
                options.resolutionsFile = resolutions
                options.maskPII = maskPii
                options.reportLimit = reportLimit
                options.progress = progress.start().handler
                let summary = try await CustmigCore.DryRunStage.run(workspace: space, target: opened, options: options)
                ProgressLine.shared.finish()
                Terminal.out(PlanSummaryText.render(summary, workspace: space.path))
                if summary.deactivationGateFailed {
                    throw CustmigError(
                        .qualityGate, code: "PLAN-DEACTIVATIONS",
                        "plan \(summary.plan) deactivates \(summary.counts["deactivate"] ?? 0) customers, above max_deactivations (\(summary.deactivationCap ?? 0)).",
                        fix:
                            "check that the extract is complete; if the deactivations are right, raise load.max_deactivations in a new mapping version."
                    )
                }
                let failing = try failActions().filter { (summary.counts[$0.rawValue] ?? 0) > 0 }
                if !failing.isEmpty {
                    throw CustmigError(
                        .qualityGate, code: "PLAN-FAIL-ON",
                        "plan \(summary.plan) has "
                            + failing.map { "\(summary.counts[$0.rawValue] ?? 0) \($0.rawValue)" }.sorted().joined(
                                separator: ", ") + ".",
                        fix: "read the report; the plan is stored either way.")
                }
            }
        }
    }

    struct Approve: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Record who approved a plan (its content hash) and when.",
            discussion: HelpText.flowing(
                """
                The cutover refuses a plan nobody approved (unless --allow-unapproved). An approval belongs to
                the plan's content hash: a re-plan that finds the same plan keeps it, a different plan needs a
                new one.

                Examples:
                  custmig approve latest --by "Maria Keller (Finance)" --note "checked control totals"
                """))

        @Argument(help: "The plan id, or latest.")
        var plan: String

        @Option(help: "Who approves.")
        var by: String

        @Option(help: "A note kept with the approval.")
        var note: String?

        @OptionGroup var workspace: WorkspaceOptions

        func run() throws {
            try runReportingErrors {
                let command = RecordedCommand.current
                let space = try workspace.open(command: command, writer: true)
                let id = try PlanStore.resolve(plan, ledger: space.ledger)
                let hash = try PlanStore.approve(plan: id, by: by, note: note, ledger: space.ledger)
                Terminal.out("plan \(id) (hash \(hash.prefix(16))…) approved by \(by)")
                // The plan's page shows the approval from now on.
                Terminal.out("report: \(try PlanReport.rewritePage(plan: id, workspace: space))")
            }
        }
    }
}

extension Rehearsal: ExpressibleByArgument {}
