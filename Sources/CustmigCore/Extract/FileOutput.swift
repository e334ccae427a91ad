#if canImport(Glibc)
import Glibc
#endif

/// A buffered file writer for large generated or report files.
public final class FileOutput {
    public let path: String
    private let descriptor: Int32
    private var buffer: [UInt8] = []
    public private(set) var bytesWritten: Int64 = 0

    /// Creates (or truncates) the file with the given permissions.
    public init(path: String, mode: mode_t = 0o644) throws {
        self.path = path
        descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC, mode)
        guard descriptor >= 0 else {
            throw CustmigError(
                .unreadableInput, code: "IO-WRITE",
                "cannot write \"\(path)\": \(String(cString: strerror(errno))).",
                fix: "check that the folder exists and is writable.")
        }
        buffer.reserveCapacity(1 << 20)
    }

    deinit { Glibc.close(descriptor) }

    public func write(_ text: String) throws {
        buffer.append(contentsOf: text.utf8)
        if buffer.count >= 1 << 20 { try flush() }
    }

    public func write(bytes: [UInt8]) throws {
        buffer.append(contentsOf: bytes)
        if buffer.count >= 1 << 20 { try flush() }
    }

    public func flush() throws {
        var offset = 0
        try buffer.withUnsafeBytes { raw in
            while offset < raw.count {
                let written = Glibc.write(descriptor, raw.baseAddress! + offset, raw.count - offset)
                if written < 0 {
                    if errno == EINTR { continue }
                    throw CustmigError(
                        .unreadableInput, code: "IO-WRITE", "cannot write \"\(path)\": \(String(cString: strerror(errno))).",
                        fix: "free disk space or choose another output folder.")
                }
                offset += written
            }
        }
        bytesWritten += Int64(buffer.count)
        buffer.removeAll(keepingCapacity: true)
    }

    public func close() throws {
        try flush()
    }
}
