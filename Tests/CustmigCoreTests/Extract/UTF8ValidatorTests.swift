import Foundation
import Testing

@testable import CustmigCore

/// The validator that decides whether a UTF-8 extract's field is readable finds the same first bad byte
/// as a plain byte-by-byte scan, and calls valid exactly what Swift's own decoder calls valid.
@Suite("UTF-8 validator")
struct UTF8ValidatorTests {
    /// The first offset a byte-by-byte scan finds invalid (or truncated at the end), nil when valid.
    static func reference(_ bytes: [UInt8]) -> Int? {
        bytes.withUnsafeBufferPointer { buffer -> Int? in
            guard let base = buffer.baseAddress else { return nil }
            var index = 0
            while index < buffer.count {
                if base[index] < 0x80 {
                    index += 1
                    continue
                }
                let length = UTF8Validator.sequenceLength(base + index, buffer.count - index)
                if length <= 0 { return index }
                index += length
            }
            return nil
        }
    }

    static func firstInvalid(_ bytes: [UInt8]) -> Int? {
        bytes.withUnsafeBufferPointer { buffer in
            buffer.baseAddress.flatMap { UTF8Validator.firstInvalid($0, buffer.count) }
        }
    }

    @Test("random mixes of ASCII runs, accented letters, emoji and broken sequences")
    func randomMixes() {
        var generator = SampleRandom(seed: 20_261_206)  // seeded: a failure repeats
        let pieces: [[UInt8]] = [
            Array("Müller GmbH & Co. KG, Hauptstraße ".utf8), Array("ASCII only, long enough for a word or two".utf8),
            Array("é".utf8), Array("🇩🇪".utf8), Array("€".utf8), [0xC3], [0xFF], [0xED, 0xA0, 0x80], [0xC0, 0xAF],
            [0xF4, 0x90, 0x80, 0x80], [0xE2, 0x82], [0x80], Array("x".utf8),
        ]
        for _ in 0..<2_000 {
            var bytes: [UInt8] = []
            for _ in 0..<Int.random(in: 0...12, using: &generator) {
                bytes += pieces[Int.random(in: 0..<pieces.count, using: &generator)]
            }
            #expect(Self.firstInvalid(bytes) == Self.reference(bytes), "\(bytes)")
            #expect((Self.firstInvalid(bytes) == nil) == (String(validating: bytes, as: UTF8.self) != nil), "\(bytes)")
        }
    }

    @Test("a bad byte after long ASCII runs is found where it is")
    func badByteAfterASCII() {
        for prefix in 0..<40 {
            let bytes =
                Array(repeating: UInt8(ascii: "a"), count: prefix) + Array("é".utf8) + [0xFF] + Array("tail".utf8)
            #expect(Self.firstInvalid(bytes) == prefix + 2)
        }
    }
}
