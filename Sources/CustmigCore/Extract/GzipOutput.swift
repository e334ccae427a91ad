import CZlib

#if canImport(Glibc)
    import Glibc
#endif

/// A file written through gzip (deflate at level 6), for exports whose name ends in `.gz`: a
/// field-level plan export of a million customers is gigabytes of CSV and compresses about tenfold.
final class GzipOutput {
    let output: FileOutput
    private var stream = z_stream()
    private var chunk = [UInt8](repeating: 0, count: 1 << 18)
    private var pending: [UInt8] = []

    init(path: String, mode: mode_t) throws {
        output = try FileOutput(path: path, mode: mode)
        // 16 + MAX_WBITS: a gzip header and trailer, not a raw zlib stream.
        let status = deflateInit2_(
            &stream, 6, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY, ZLIB_VERSION,
            Int32(MemoryLayout<z_stream>.size))
        guard status == Z_OK else {
            throw CustmigError(
                .internalFailure, code: "IO-GZIP", "zlib could not start compressing \"\(path)\" (status \(status)).",
                fix: "write the export without .gz.")
        }
        pending.reserveCapacity(1 << 20)
    }

    deinit { deflateEnd(&stream) }

    func write(_ text: String) throws {
        pending.append(contentsOf: text.utf8)
        if pending.count >= 1 << 20 { try deflatePending(finish: false) }
    }

    func close() throws {
        try deflatePending(finish: true)
        try output.close()
    }

    private func deflatePending(finish: Bool) throws {
        try pending.withUnsafeMutableBufferPointer { source in
            stream.next_in = source.baseAddress
            stream.avail_in = uInt(source.count)
            while true {
                let status = chunk.withUnsafeMutableBufferPointer { target -> Int32 in
                    stream.next_out = target.baseAddress
                    stream.avail_out = uInt(target.count)
                    return deflate(&stream, finish ? Z_FINISH : Z_NO_FLUSH)
                }
                let produced = chunk.count - Int(stream.avail_out)
                if produced > 0 { try output.write(bytes: Array(chunk[0..<produced])) }
                if finish ? status == Z_STREAM_END : stream.avail_in == 0 && stream.avail_out > 0 { break }
                guard status == Z_OK || status == Z_BUF_ERROR else {
                    throw CustmigError(
                        .internalFailure, code: "IO-GZIP",
                        "zlib failed compressing \"\(output.path)\" (status \(status)).",
                        fix: "write the export without .gz.")
                }
            }
        }
        pending.removeAll(keepingCapacity: true)
    }
}

/// Text written to a file, plainly or through gzip when the name ends in `.gz`.
final class TextOutput {
    private let plain: FileOutput?
    private let gzip: GzipOutput?

    init(path: String, mode: mode_t = 0o600) throws {
        if path.hasSuffix(".gz") {
            gzip = try GzipOutput(path: path, mode: mode)
            plain = nil
        } else {
            plain = try FileOutput(path: path, mode: mode)
            gzip = nil
        }
    }

    func write(_ text: String) throws {
        if let gzip { try gzip.write(text) } else { try plain!.write(text) }
    }

    func close() throws {
        if let gzip { try gzip.close() } else { try plain!.close() }
    }
}
