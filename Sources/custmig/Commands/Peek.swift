import ArgumentParser
import CustmigCore

extension Custmig {
    struct Peek: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print an extract's records as custmig reads them, as JSON Lines.",
            discussion: HelpText.flowing(
                """
                One JSON object per record on stdout, in custmig's record shape: a CSV record is
                column -> string; an XML record is its element's children (leaf -> string, an element
                with children -> always a list, attributes -> "@name"). Values are the decoded strings
                exactly as read. Detected format, encoding and delimiter, and every malformed record
                (file:line, reason, fix), go to stderr.

                Examples:
                  custmig peek Samples/customers.csv --limit 2
                  custmig peek Samples/debmas07.xml --limit 1 --with-position
                  custmig peek big.csv --count        # reading cost only: record and malformed counts
                """))

        @Argument(help: "The extract file (CSV or XML).")
        var extract: String

        @OptionGroup var reading: ExtractReadingOptions

        @Option(help: "Print at most N records.")
        var limit: Int?

        @Flag(help: "Read everything, print only the record and malformed counts.")
        var count = false

        @Flag(help: "Wrap each record with its source position and control-record fields.")
        var withPosition = false

        func validate() throws {
            if let limit, limit < 0 { throw ValidationError("--limit must be 0 or more.") }
        }

        func run() throws {
            try runReportingErrors {
                var shown = 0
                if count {
                    let (description, counts) = try ExtractCounter.count(
                        path: extract, options: reading.extractOptions()
                    ) {
                        Terminal.report($0, alreadyShown: &shown)
                    }
                    Terminal.error(ExtractSummary.describe(description))
                    Terminal.out("records: \(counts.records)\nmalformed: \(counts.malformed)")
                    return
                }
                let reader = try ExtractOpener.open(path: extract, options: reading.extractOptions())
                Terminal.error(ExtractSummary.describe(reader.description))
                var printed = 0
                let out = FileHandleWriter.standardOutput
                while true {
                    if let limit, printed >= limit { break }
                    guard let record = try reader.next() else { break }
                    Terminal.report(reader.drainFindings(), alreadyShown: &shown)
                    out.write(RecordJSON.render(record, withPosition: withPosition) + "\n")
                    printed += 1
                }
                Terminal.report(reader.drainFindings(), alreadyShown: &shown)
                out.flush()
                Terminal.error("\(printed) records printed; \(reader.malformedCount) malformed so far.")
            }
        }
    }
}
