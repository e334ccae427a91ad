/// Splits ASCII-compatible CSV bytes into records and fields (RFC 4180, leniently).
///
/// It works on raw bytes with a class table and never makes strings. Quoted fields may hold
/// delimiters, doubled quotes, CR and LF. A quote inside an unquoted field is kept as text; text
/// after a closing quote is kept too (and flagged). A record still open at the end of the buffer is
/// left for the next call unless `final` is set; a quote still open at the end is an unterminated
/// quote: that record's first line is reported malformed and tokenizing resumes on the next line.
final class CSVTokenizer {
    let delimiter: UInt8
    let quote: UInt8
    /// 0: ordinary, 1: delimiter, 2: quote, 3: LF, 4: CR, 5: NUL.
    private let classes: UnsafeMutablePointer<UInt8>

    init(delimiter: UInt8, quote: UInt8 = 0x22) {
        self.delimiter = delimiter
        self.quote = quote
        classes = .allocate(capacity: 256)
        classes.initialize(repeating: 0, count: 256)
        classes[Int(delimiter)] = 1
        classes[Int(quote)] = 2
        classes[10] = 3
        classes[13] = 4
        classes[0] = 5
    }

    deinit { classes.deallocate() }

    /// What the tokenizer found for one record.
    enum Outcome {
        case record
        case blankLine
        case unterminatedQuote
    }

    /// The result of asking for the next record.
    enum Step {
        /// The buffer ends inside a record (or is used up): read more, or call again with `final`.
        case needMore
        /// A record (or a blank line, or an unterminated quote) from `start`; go on at `next`.
        case done(Outcome, start: Int, line: Int, next: Int)
    }

    /// Tokenizes one record at `position`, appending its fields to `fields`.
    ///
    /// Fields are appended only for `.record`; for any other step `fields` is left as it was.
    /// `line` is the physical line at `position` and is advanced past the record.
    func next(
        _ base: UnsafePointer<UInt8>, count: Int, at position: Int, final: Bool, line: inout Int,
        fields: inout FieldSpans
    ) -> Step {
        guard position < count else { return .needMore }
        let classOf = classes
        let recordStart = position
        let recordLine = line
        let firstField = fields.count
        var index = position
        var newlinesInside = 0
        fieldLoop: while true {
            let fieldStart = index
            var flags: UInt8 = 0
            var contentStart = index
            var contentEnd = index
            if index < count && base[index] == quote {
                flags = CSVField.quoted
                index += 1
                contentStart = index
                quoted: while true {
                    while index < count && classOf[Int(base[index])] < 2 { index += 1 }
                    if index >= count {
                        fields.truncate(to: firstField)
                        if !final { return .needMore }
                        // Unterminated quote: drop the record's first line, resume after it.
                        var resume = recordStart
                        while resume < count && base[resume] != 10 && base[resume] != 13 { resume += 1 }
                        if resume < count && base[resume] == 13 && resume + 1 < count && base[resume + 1] == 10 {
                            resume += 1
                        }
                        if resume < count { resume += 1 }
                        line = recordLine + 1
                        return .done(.unterminatedQuote, start: recordStart, line: recordLine, next: resume)
                    }
                    switch classOf[Int(base[index])] {
                    case 2:
                        if index + 1 < count && base[index + 1] == quote {
                            flags |= CSVField.needsUnescape
                            index += 2
                            continue quoted
                        }
                        if index + 1 >= count && !final {
                            fields.truncate(to: firstField)
                            return .needMore
                        }
                        contentEnd = index
                        index += 1
                        break quoted
                    case 3:
                        newlinesInside += 1
                        index += 1
                    case 5:
                        flags |= CSVField.nul
                        index += 1
                    default:
                        index += 1
                    }
                }
                if flags & CSVField.needsUnescape != 0 {
                    // Doubled quotes inside: keep the outer quotes in the span for the unescaper.
                    contentStart = fieldStart
                    contentEnd = index
                }
                // After the closing quote: anything up to the delimiter is kept as text.
                if index < count {
                    let kind = classOf[Int(base[index])]
                    if kind != 1 && kind != 3 && kind != 4 {
                        flags |= CSVField.needsUnescape
                        while index < count {
                            let kind = classOf[Int(base[index])]
                            if kind == 1 || kind == 3 || kind == 4 { break }
                            if kind == 5 { flags |= CSVField.nul }
                            index += 1
                        }
                        contentStart = fieldStart
                        contentEnd = index
                    }
                }
            } else {
                while true {
                    while index < count && classOf[Int(base[index])] == 0 { index += 1 }
                    if index < count {
                        let kind = classOf[Int(base[index])]
                        if kind == 2 {
                            index += 1
                            continue
                        }
                        if kind == 5 {
                            flags |= CSVField.nul
                            index += 1
                            continue
                        }
                    }
                    break
                }
                contentStart = fieldStart
                contentEnd = index
            }
            fields.append(Int32(truncatingIfNeeded: contentStart), Int32(truncatingIfNeeded: contentEnd), flags)
            if index >= count {
                if !final {
                    fields.truncate(to: firstField)
                    return .needMore
                }
                break fieldLoop
            }
            switch classOf[Int(base[index])] {
            case 1:
                index += 1
                if index >= count {
                    if !final {
                        fields.truncate(to: firstField)
                        return .needMore
                    }
                    fields.append(Int32(truncatingIfNeeded: index), Int32(truncatingIfNeeded: index), 0)
                    break fieldLoop
                }
                continue fieldLoop
            case 4:
                if index + 1 < count {
                    index += base[index + 1] == 10 ? 2 : 1
                } else if !final {
                    fields.truncate(to: firstField)
                    return .needMore
                } else {
                    index += 1
                }
                break fieldLoop
            default:
                index += 1
                break fieldLoop
            }
        }
        line = recordLine + 1 + newlinesInside
        if fields.count - firstField == 1 && fields.end[firstField] == fields.start[firstField]
            && fields.flags[firstField] == 0
        {
            fields.truncate(to: firstField)
            return .done(.blankLine, start: recordStart, line: recordLine, next: index)
        }
        return .done(.record, start: recordStart, line: recordLine, next: index)
    }
}

/// Growable field spans the tokenizer appends to, in storage it manages itself: three array appends
/// per field checked their arrays' uniqueness three times per field, ~8% of reading a CSV.
/// Owned by the reader while a batch is read, then by the ``CSVBatch``, which deallocates it (copies
/// share the storage).
///
/// Sendable by hand: its storage has one owner at a time (the reader filling it, the batch it is handed
/// to, or the ``CSVBatchRecycler`` that keeps it for the next batch), and passes from one to the next
/// without being written by the one before.
struct FieldSpans: @unchecked Sendable {
    private(set) var start: UnsafeMutablePointer<Int32>
    private(set) var end: UnsafeMutablePointer<Int32>
    private(set) var flags: UnsafeMutablePointer<UInt8>
    private(set) var count = 0
    private(set) var capacity: Int

    init(capacity: Int) {
        self.capacity = max(capacity, 16)
        start = .allocate(capacity: self.capacity)
        end = .allocate(capacity: self.capacity)
        flags = .allocate(capacity: self.capacity)
    }

    @inline(__always)
    mutating func append(_ from: Int32, _ to: Int32, _ flag: UInt8) {
        if count == capacity { grow() }
        start[count] = from
        end[count] = to
        flags[count] = flag
        count += 1
    }

    @inline(__always)
    mutating func truncate(to size: Int) {
        if count > size { count = size }
    }

    private mutating func grow() {
        let larger = capacity * 2
        func moved<T>(_ old: UnsafeMutablePointer<T>) -> UnsafeMutablePointer<T> {
            let new = UnsafeMutablePointer<T>.allocate(capacity: larger)
            new.moveInitialize(from: old, count: count)
            old.deallocate()
            return new
        }
        start = moved(start)
        end = moved(end)
        flags = moved(flags)
        capacity = larger
    }

    func deallocate() {
        start.deallocate()
        end.deallocate()
        flags.deallocate()
    }
}
