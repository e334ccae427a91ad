import ArgumentParser
import CustmigCore

/// How to read extracts; shared by `peek`, `profile` and later stages.
struct ExtractReadingOptions: ParsableArguments {
    @Option(help: "csv or xml (default: detected from the content).")
    var format: ExtractFormat?

    @Option(help: "Text encoding: \(TextEncoding.acceptedNames) (default: detected).")
    var encoding: String?

    @Option(help: "CSV delimiter: one character, or tab (default: sniffed among , ; | tab).")
    var delimiter: String?

    @Flag(help: "The CSV has no header row; columns are called column_1, column_2, …")
    var noHeader = false

    @Option(help: "CSV lines to skip before the header: a report title, an export date.")
    var skipLines = 0

    @Option(help: "XML record element path, e.g. /DEBMAS07/IDOC/E1KNA1M (default: detected).")
    var recordPath: String?

    func extractOptions() throws -> ExtractOptions {
        var options = ExtractOptions(format: format, recordPath: recordPath)
        if let encoding {
            guard let known = TextEncoding(name: encoding) else {
                throw ValidationError("unknown encoding \"\(encoding)\"; use one of \(TextEncoding.acceptedNames).")
            }
            options.encoding = known
        }
        if let delimiter {
            guard let byte = CSVDialect.parseDelimiter(delimiter) else {
                throw ValidationError("--delimiter must be one ASCII character (not a quote or newline) or tab.")
            }
            options.delimiter = byte
        }
        options.hasHeader = !noHeader
        guard (0...1000).contains(skipLines) else { throw ValidationError("--skip-lines must be 0 to 1,000.") }
        options.skipLines = skipLines
        return options
    }
}

extension ExtractFormat: ExpressibleByArgument {}
