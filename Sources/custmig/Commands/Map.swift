import ArgumentParser
import CustmigCore
import Foundation

extension Custmig {
    struct Map: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Cleanse and map extracts to canonical customers with a versioned mapping.",
            discussion: HelpText.flowing(
                """
                Reads the extracts, applies the mapping (transforms, value maps, rules) and writes canonical
                customers, rejects, review items and malformed records into the workspace ledger, with a
                checkpoint every --chunk records. Killed at any point, the same command resumes from the last
                checkpoint; run again after it finished, it does nothing and says so. Writes a reject report
                (HTML + CSV) under WORKSPACE/reports/run-N/. Exit code 3 when rejects exceed the mapping's
                reject_threshold.

                Examples:
                  custmig map --mapping Mappings/legacy-flat-csv/mapping.yaml Samples/customers.csv
                  custmig map --mapping Mappings/sap-debmas07/mapping.yaml Samples/debmas07.xml --workspace w
                """))

        @Option(help: "The mapping file (YAML).")
        var mapping: String

        @Argument(help: "The extract files.")
        var extracts: [String]

        @OptionGroup var workspace: WorkspaceOptions

        @Option(help: "full: the extract is the whole customer master; delta: only changes.")
        var scope: MapScope = .full

        @Option(help: "Records per checkpoint.")
        var chunk: Int = 5_000

        @Flag(
            help: "Mask emails, phones, tax ids, IBANs and contact names in the findings report (values and messages).")
        var maskPii = false

        @OptionGroup var progress: ProgressOptions

        func validate() throws {
            if extracts.isEmpty { throw ValidationError("name at least one extract file.") }
            if chunk < 1 { throw ValidationError("--chunk must be 1 or more.") }
        }

        func run() async throws {
            try await runReportingErrors {
                let command = RecordedCommand.current
                let space = try workspace.open(command: command, writer: true)
                var options = MapOptions(
                    mappingPath: mapping, extracts: extracts, scope: scope, chunkSize: chunk, command: command,
                    custmigVersion: CustmigVersion.current)
                options.maskPII = maskPii
                let line = progress.start()
                let sizes = extracts.map {
                    ((try? FileManager.default.attributesOfItem(atPath: $0))?[.size] as? NSNumber)?.int64Value
                }
                let summary = try await MapStage.run(options, workspace: space) { input, records, bytes in
                    let name = "map " + (extracts[input] as NSString).lastPathComponent
                    // Bytes of the extract read, against its size, where the reader can say; else records.
                    if let bytes, let size = sizes[input] ?? nil {
                        line.update(
                            StageProgress(name, done: bytes, total: size, unit: .bytes, detail: "\(records) records"))
                    } else {
                        line.update(StageProgress(name, done: Int64(records), total: nil, unit: .records))
                    }
                }
                line.finish()
                Terminal.out(MapSummaryText.render(summary))
                if summary.extractGateFailed {
                    throw CustmigError(
                        .qualityGate, code: "MAP-EXTRACT",
                        "an extract could not be read to its end, or the full-scope extracts hold no record "
                            + "(see \"problems with the extracts themselves\" above).",
                        fix:
                            "export the file again (or repair it at the line shown) and map the new file; an extract that "
                            + "holds only changes is mapped with --scope delta.")
                }
                if summary.rejectThresholdExceeded {
                    throw CustmigError(
                        .qualityGate, code: "MAP-THRESHOLD",
                        "\(summary.rejected + summary.malformed) of \(summary.read) records were rejected or malformed, "
                            + "above the mapping's reject_threshold.",
                        fix:
                            "fix the source data from the reject report, or raise reject_threshold in a new mapping version."
                    )
                }
            }
        }
    }
}

extension MapScope: ExpressibleByArgument {}
