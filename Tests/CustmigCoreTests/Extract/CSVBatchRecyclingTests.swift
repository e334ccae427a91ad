import CustmigCore
import Foundation
import Testing

/// A batch's memory is reused for later batches once it is released (``CSVBatchReader``'s recycler):
/// the fields a batch shows must not change while it is held, nor differ when batches are released
/// one by one, also past records longer than the buffers kept.
@Suite("CSV batches reuse released memory")
struct CSVBatchRecyclingTests {
    /// Rows of three fields: a key, a value of varying length (some several blocks long, some with a
    /// quote inside), and the key again.
    static func rows(_ count: Int) -> [[String]] {
        (0..<count).map { index in
            let length = index % 97 == 0 ? 1_500 : (index * 37) % 60
            var value = String(repeating: Character(UnicodeScalar(UInt8(97 + index % 26))), count: length)
            if index % 11 == 0 { value += "\"x" }
            return ["k\(index)", value, "k\(index)"]
        }
    }

    static func write(_ rows: [[String]]) throws -> String {
        var text = "key,value,again\n"
        for row in rows {
            text +=
                row.map { $0.contains("\"") ? "\"" + $0.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : $0 }
                .joined(separator: ",") + "\n"
        }
        let path = try Paths.scratch() + "/recycled.csv"
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    static func fields(of batch: CSVBatch, reader: CSVBatchReader) -> [[String]] {
        var scratch: [UInt8] = []
        return batch.bytes.withUnsafeBufferPointer { buffer in
            (0..<batch.recordCount).map { record in
                batch.fieldRange(record: record).map { field in
                    reader.decodeField(
                        base: buffer.baseAddress!, start: Int(batch.fieldStart[field]), end: Int(batch.fieldEnd[field]),
                        flags: batch.fieldFlags[field], scratch: &scratch)
                }
            }
        }
    }

    @Test("batches held together and batches released one by one show the same fields as written")
    func heldAndReleased() throws {
        let rows = Self.rows(3_000)
        let path = try Self.write(rows)

        // Released one by one: every batch after the first few is read into memory another batch had.
        let released = try CSVBatchReader(path: path, blockSize: 512)
        var readReleased: [[String]] = []
        var batches = 0
        while let batch = try released.nextBatch() {
            readReleased += Self.fields(of: batch, reader: released)
            batches += 1
        }
        #expect(batches > 100)
        #expect(readReleased == rows)

        // Held: no batch's memory may be reused while it is alive.
        let holding = try CSVBatchReader(path: path, blockSize: 512)
        var held: [CSVBatch] = []
        while let batch = try holding.nextBatch() { held.append(batch) }
        #expect(held.flatMap { Self.fields(of: $0, reader: holding) } == rows)
    }
}
