import Foundation

/// Malformed records that need more than a message: one too large to keep (skipped to its end) and a
/// quote left open that joined whole records into one.
extension CSVBatchReader {
    /// Skips the record at the start of `pending`, larger than ``ExtractOptions/maxRecordBytes``, to its
    /// end (reading on as far as it goes, keeping nothing) and reports it as one malformed record.
    func skipOversizeRecord() throws -> Finding {
        var skipper = CSVRecordSkipper(delimiter: dialect.delimiter, quote: dialect.quote)
        let firstLine = line
        recordIndex += 1
        var skipped: Int64 = 0
        let limit = options.maxRecordBytes >> 20
        let location = SourceLocation(file: path, line: firstLine)
        let fix =
            "close the quote where it belongs in the source (a quote inside a value must be doubled: \"\"); "
            + "no customer field is \(limit) MB long."
        while true {
            if let end = pending.withUnsafeBufferPointer({ skipper.end(in: $0) }) {
                skipped += Int64(end)
                dropConsumed(end)
                let lastLine = firstLine + skipper.linesInside
                line = lastLine + 1
                let quoted =
                    skipper.linesInside > 0
                    ? ": a quoted field in it holds \(skipper.linesInside) line breaks (a quote that opens on line "
                        + "\(firstLine) and closes on line \(lastLine))" : ""
                return Finding(
                    .error, code: "CSV-TOO-LARGE",
                    "the record on lines \(firstLine)-\(lastLine) is \(skipped >> 20) MB, more than the \(limit) MB one "
                        + "record may take\(quoted); custmig skipped the whole record and read on after line \(lastLine).",
                    at: location, record: recordIndex, fix: fix)
            }
            skipped += Int64(pending.count)
            pendingOffset += Int64(pending.count)
            pending.removeAll(keepingCapacity: true)
            if endOfFile {
                let lastLine = firstLine + skipper.linesInside
                line = lastLine
                return Finding(
                    .error, code: "CSV-TOO-LARGE",
                    "the record from line \(firstLine) to the end of the file (line \(lastLine)) is \(skipped >> 20) MB, "
                        + "more than the \(limit) MB one record may take, and "
                        + (skipper.sawQuote ? "a quoted field in it never closes" : "it has no line break")
                        + "; custmig skipped it to the end of the file: the lines after line \(firstLine) were not read.",
                    at: location, record: recordIndex, fix: fix)
            }
            try fill()
        }
    }

    /// In a record on several lines: the first quoted field whose inner lines look like whole records (as
    /// many delimiters as the header has), and how many do. A multi-line address is normal; a value
    /// holding lines of `header.count` fields is a quote left open that swallowed the records after it.
    func swallowedRecords(
        base: UnsafePointer<UInt8>, fields: FieldSpans, from first: Int, count: Int
    ) -> (column: Int, lines: Int)? {
        guard header.count >= 2 else { return nil }
        for field in first..<(first + count) where fields.flags[field] & CSVField.quoted != 0 {
            var lines = 0
            var delimiters = 0
            var afterBreak = false
            for index in Int(fields.start[field])..<Int(fields.end[field]) {
                let byte = base[index]
                if byte == 10 {
                    // Only whole lines (between two breaks) count: the first and last are the record's own.
                    if afterBreak && delimiters == header.count - 1 { lines += 1 }
                    afterBreak = true
                    delimiters = 0
                } else if byte == dialect.delimiter {
                    delimiters += 1
                }
            }
            if lines >= 2 || (lines == 1 && header.count >= 4) { return (field - first, lines) }
        }
        return nil
    }
}
