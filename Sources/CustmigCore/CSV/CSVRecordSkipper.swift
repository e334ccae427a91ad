/// Finds where a record ends without keeping it: for a record larger than the reader's limit, which
/// is skipped as one malformed record however long it runs.
///
/// Before, the limit cut such a record and the tokenizer called its quote unterminated; every line
/// after the cut became a record of its own (a field holding 35M line breaks gave 36.7M "malformed"
/// records and 10.7 GB). The rules are the tokenizer's: a quote opens a field only at its start, a
/// doubled quote inside is a quote, text after the closing quote belongs to the field, and a record
/// ends at LF, CR or CRLF outside quotes. State carries across buffers.
struct CSVRecordSkipper {
    private enum State {
        case fieldStart
        case unquoted
        case quoted
        /// A quote seen inside a quoted field: doubled, or the field's end.
        case quoteInQuoted
    }

    let delimiter: UInt8
    let quote: UInt8
    private var state = State.fieldStart
    /// Line breaks inside quoted fields so far.
    private(set) var linesInside = 0
    /// True once the record has opened a quoted field.
    private(set) var sawQuote = false

    init(delimiter: UInt8, quote: UInt8) {
        self.delimiter = delimiter
        self.quote = quote
    }

    /// The index just past the record's line break (a CR's LF is taken when it is in `buffer`), or nil
    /// when the record goes on past the buffer.
    mutating func end(in buffer: UnsafeBufferPointer<UInt8>) -> Int? {
        var index = 0
        while index < buffer.count {
            let byte = buffer[index]
            index += 1
            switch state {
            case .quoted:
                if byte == quote {
                    state = .quoteInQuoted
                } else if byte == 10 {
                    linesInside += 1
                }
                continue
            case .quoteInQuoted:
                if byte == quote {
                    state = .quoted
                    continue
                }
                state = .unquoted
            case .fieldStart:
                if byte == quote {
                    state = .quoted
                    sawQuote = true
                    continue
                }
                state = .unquoted
            case .unquoted:
                break
            }
            // Outside quotes.
            if byte == delimiter {
                state = .fieldStart
            } else if byte == 10 {
                return index
            } else if byte == 13 {
                return index < buffer.count && buffer[index] == 10 ? index + 1 : index
            }
        }
        return nil
    }
}
