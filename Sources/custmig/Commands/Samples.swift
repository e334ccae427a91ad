import ArgumentParser
import CustmigCore
import Foundation

extension Custmig {
    struct Samples: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Generate realistic, dirty legacy customer extracts of any size.",
            discussion: HelpText.flowing(
                """
                Writes into DIR: customers.csv (a flat AS/400-style export: windows-1252, ';',
                decimal commas, dd.mm.yyyy dates, CRLF), debmas07.xml (SAP DEBMAS07 IDocs with
                EDI_DC40 control records and nested segments) and ground-truth.csv (which records
                are near-duplicates of which); with --format tables also SAP table downloads as SE16N
                writes them (KNA1, KNVV, KNVP, KNB1, KNBK, KNVK .txt: tab-separated, UTF-8),
                for Mappings/sap-tables; with --format persons also persons.csv (person customers:
                names, birth dates, identity numbers; a tenth keyed again with typos, nicknames,
                swapped names, moves) and persons-ground-truth.csv, for Mappings/person-csv.
                The same seed gives the same bytes.

                Examples:
                  custmig samples --rows 300 --out Samples
                  custmig samples --rows 1000000 --out bench --encoding utf-8 --delimiter , --format csv
                  custmig samples --rows 400 --out Samples/sap-tables --format tables
                  custmig samples --rows 100000 --out persons --format persons
                """))

        @Option(help: "Number of customer records to write (per file).")
        var rows: Int

        @Option(help: "Output folder (created if missing).")
        var out: String

        @Option(help: "Seed; the same seed gives the same bytes.")
        var seed: UInt64 = 1

        @Option(
            help:
                "Comma-separated formats to write: csv, xml, tables (SAP table downloads), persons (person customers).")
        var format: String = "csv,xml"

        @Option(help: "Encoding of the CSV: windows-1252 or utf-8.")
        var encoding: String = "windows-1252"

        @Option(help: "CSV delimiter.")
        var delimiter: String = ";"

        @Option(help: "Share of customers that get a near-duplicate (0...1).")
        var duplicateShare: Double = 0.03

        @Option(help: "Share of records that are outright broken (0...1).")
        var brokenShare: Double = 0.002

        func validate() throws {
            guard (0...1).contains(duplicateShare), (0...1).contains(brokenShare) else {
                throw ValidationError("--duplicate-share and --broken-share take a share between 0 and 1.")
            }
            if rows < 0 { throw ValidationError("--rows must be 0 or more.") }
        }

        @OptionGroup var progress: ProgressOptions

        func run() throws {
            try runReportingErrors {
                var formats = Set<ExtractFormat>()
                var tables = false
                var persons = false
                for name in format.split(separator: ",") {
                    let trimmed = name.trimmingCharacters(in: .whitespaces).lowercased()
                    if trimmed == "tables" {
                        tables = true
                        continue
                    }
                    if trimmed == "persons" {
                        persons = true
                        continue
                    }
                    guard let parsed = ExtractFormat(rawValue: trimmed)
                    else { throw ValidationError("--format takes csv, xml, tables and/or persons, not \"\(name)\".") }
                    formats.insert(parsed)
                }
                guard let csvEncoding = TextEncoding(name: encoding),
                    csvEncoding == .utf8 || csvEncoding == .windows1252
                        || csvEncoding == .iso8859_1 || csvEncoding == .iso8859_15
                else { throw ValidationError("--encoding takes utf-8, windows-1252, iso-8859-1 or iso-8859-15.") }
                guard let csvDelimiter = CSVDialect.parseDelimiter(delimiter) else {
                    throw ValidationError("--delimiter must be one ASCII character or tab.")
                }
                try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
                var options = SampleOptions(
                    rows: rows, seed: seed, formats: formats, csvEncoding: csvEncoding, csvDelimiter: csvDelimiter,
                    duplicateShare: duplicateShare, brokenShare: brokenShare)
                options.sapTables = tables
                options.persons = persons
                let line = progress.start()
                let result = try SampleGenerator(options: options).write(
                    to: out, command: RecordedCommand.current, progress: line.handler)
                line.finish()
                for file in result.files {
                    Terminal.out("\(file.path): \(file.records) records, \(file.bytes) bytes")
                }
                Terminal.out("near-duplicates: \(result.duplicates), broken records: \(result.broken)")
            }
        }
    }
}
