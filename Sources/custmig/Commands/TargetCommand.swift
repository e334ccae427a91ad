import ArgumentParser
import CustmigCore
import Foundation

extension Custmig {
    struct TargetCommand: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "target",
            abstract: "Create and inspect targets (the cloud ERP's customer master, or a sandbox standing for it).",
            subcommands: [Init.self, Check.self])
    }
}

extension Custmig.TargetCommand {
    struct Init: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create an empty target (a sandbox file or a PostgreSQL schema) with its code lists.",
            discussion: HelpText.flowing(
                """
                Creates the business-partner tables (customer, addresses, contacts, bank accounts, sales
                areas with partner functions, company codes) in a new SQLite file, or in a PostgreSQL schema
                that is empty or absent (one holding other tables is refused), with the code lists the ERP
                is configured with
                (payment terms, sales organizations, channels, divisions, company codes, reconciliation
                accounts, account groups with number ranges, countries, currencies, Incoterms) and custmig's
                bookkeeping tables (custmig_*). The code-list file has the columns kind,code,description,detail.

                Examples:
                  custmig target init sqlite:sandbox.db --codes Samples/target-codes.csv
                  custmig target init 'postgresql://migration@127.0.0.1:5432/erp?schema=wave1' --codes Samples/target-codes.csv
                """))

        @Argument(
            help: "The target to create: sqlite:PATH or postgresql://USER@HOST:PORT/DB?schema=NAME.",
            transform: { try TargetLocation(parsing: $0) })
        var target: TargetLocation

        @Option(help: "A code-list file (CSV: kind,code,description,detail).")
        var codes: String?

        func run() throws {
            try runReportingErrors {
                let lists = try codes.map { try CodeLists.read(path: $0) } ?? CodeLists()
                let created = try TargetRegistry.initialize(target, codes: lists)
                defer { try? created.close() }
                Terminal.out(
                    "created \(created.location) (target schema \(TargetSchema.version), instance \(created.instance.prefix(8)))"
                )
                let counts = lists.entries.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value.count)" }
                Terminal.out(
                    lists.count == 0
                        ? "no code lists loaded: every coded value will be rejected; pass --codes FILE"
                        : "code lists: " + counts.joined(separator: ", "))
                Terminal.out("capabilities: \(created.capabilities.names.joined(separator: ", "))")
            }
        }
    }
}

extension Custmig.TargetCommand {
    struct Check: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Say what a target offers and whether it has what custmig needs.",
            discussion: HelpText.flowing(
                """
                Opens the target (for Tryton: logs in and reads its countries, languages, payment terms,
                the company's receivable accounts and identifier types) and prints its capabilities and
                code lists. Exits 64 when something custmig needs is missing, naming it.

                Examples:
                  custmig target check sqlite:sandbox.db
                  CUSTMIG_TARGET_PASSWORD=... custmig target check 'tryton://admin@127.0.0.1:8000/erp?company=1'
                """))

        @Argument(
            help:
                "The target: sqlite:PATH, postgresql://USER@HOST:PORT/DB?schema=NAME or tryton://USER@HOST:PORT/DB?company=ID.",
            transform: { try TargetLocation(parsing: $0) })
        var target: TargetLocation

        @Option(help: "A file whose first line is the target's password (Tryton; wins over CUSTMIG_TARGET_PASSWORD).")
        var passwordFile: String?

        @OptionGroup var workspace: WorkspaceOptions

        func run() throws {
            try runReportingErrors {
                if let passwordFile { TargetPassword.file = passwordFile }
                let space = try workspace.open(command: RecordedCommand.current, writer: false)
                let opened = try TargetRegistry.open(target, workspace: space.ledger.folder)
                defer { try? opened.close() }
                Terminal.out("\(opened.location) (instance \(opened.instance.prefix(8)))")
                Terminal.out(
                    "capabilities: \(opened.capabilities.names.isEmpty ? "none (no transactions, rehearsal or snapshots)" : opened.capabilities.names.joined(separator: ", "))"
                )
                let lists = try opened.codeLists()
                Terminal.out(
                    "code lists: "
                        + lists.entries.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value.count)" }
                        .joined(separator: ", "))
                var missing: [String] = []
                if let tryton = opened as? TrytonTarget {
                    for line in tryton.check() { Terminal.out(line) }
                    missing = tryton.missing()
                }
                guard missing.isEmpty else {
                    throw CustmigError(
                        .usage, code: "TARGET-NOT-READY",
                        "\(opened.location) lacks what custmig needs: \(missing.joined(separator: "; ")).",
                        fix: "set it up in the target, then check again.")
                }
                Terminal.out("ready")
            }
        }
    }
}
