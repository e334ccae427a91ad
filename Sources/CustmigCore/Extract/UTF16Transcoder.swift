/// Turns UTF-16 bytes into UTF-8 as they stream in, carrying a split code unit or surrogate pair.
///
/// Unpaired surrogates become U+FFFD and are counted, so a report can say how many were replaced.
struct UTF16Transcoder {
    let bigEndian: Bool
    private var pendingByte: UInt8?
    private var pendingHigh: UInt32?
    private(set) var replacements = 0

    init(bigEndian: Bool) { self.bigEndian = bigEndian }

    mutating func transcode(_ input: UnsafeBufferPointer<UInt8>, into out: inout [UInt8], final: Bool) {
        var index = 0
        let count = input.count
        out.reserveCapacity(out.count + count + count / 2)
        func unit(_ first: UInt8, _ second: UInt8) -> UInt32 {
            bigEndian ? UInt32(first) << 8 | UInt32(second) : UInt32(second) << 8 | UInt32(first)
        }
        while true {
            var value: UInt32
            if let first = pendingByte {
                guard index < count else { break }
                value = unit(first, input[index])
                pendingByte = nil
                index += 1
            } else {
                guard index + 1 < count else {
                    if index < count { pendingByte = input[index] }
                    break
                }
                value = unit(input[index], input[index + 1])
                index += 2
            }
            if let high = pendingHigh {
                pendingHigh = nil
                if value >= 0xDC00 && value <= 0xDFFF {
                    append(0x10000 + ((high - 0xD800) << 10) + (value - 0xDC00), to: &out)
                    continue
                }
                replacements += 1
                append(0xFFFD, to: &out)
            }
            if value >= 0xD800 && value <= 0xDBFF {
                pendingHigh = value
            } else if value >= 0xDC00 && value <= 0xDFFF {
                replacements += 1
                append(0xFFFD, to: &out)
            } else {
                append(value, to: &out)
            }
        }
        if final {
            if pendingHigh != nil || pendingByte != nil {
                replacements += 1
                append(0xFFFD, to: &out)
            }
            pendingHigh = nil
            pendingByte = nil
        }
    }

    private func append(_ scalar: UInt32, to out: inout [UInt8]) {
        switch scalar {
        case ..<0x80:
            out.append(UInt8(scalar))
        case ..<0x800:
            out.append(UInt8(0xC0 | (scalar >> 6)))
            out.append(UInt8(0x80 | (scalar & 0x3F)))
        case ..<0x10000:
            out.append(UInt8(0xE0 | (scalar >> 12)))
            out.append(UInt8(0x80 | ((scalar >> 6) & 0x3F)))
            out.append(UInt8(0x80 | (scalar & 0x3F)))
        default:
            out.append(UInt8(0xF0 | (scalar >> 18)))
            out.append(UInt8(0x80 | ((scalar >> 12) & 0x3F)))
            out.append(UInt8(0x80 | ((scalar >> 6) & 0x3F)))
            out.append(UInt8(0x80 | (scalar & 0x3F)))
        }
    }
}
