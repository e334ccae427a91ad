import ArgumentParser
import CustmigCore
import Foundation

extension Custmig {
    struct TargetCommand: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "target",
            abstract: "Create and inspect targets (the cloud ERP's customer master, or a sandbox standing for it).",
            subcommands: [Init.self])
    }
}

extension Custmig.TargetCommand {
    struct Init: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create an empty target (a sandbox file or a PostgreSQL schema) with its code lists.",
            discussion: """
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
                """)

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
