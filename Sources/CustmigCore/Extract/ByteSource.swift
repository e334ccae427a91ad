#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Reads a file's bytes in large blocks with `read(2)`: no mapping, so memory stays bounded.
public final class FileByteSource {
    public let path: String
    private let descriptor: Int32
    public let size: Int64
    public private(set) var offset: Int64 = 0

    public init(path: String) throws {
        self.path = path
        let descriptor = open(path, O_RDONLY)
        guard descriptor >= 0 else {
            if errno == ENOENT { throw CustmigError.missingFile(path) }
            throw CustmigError.unreadable(path, errno: errno)
        }
        var info = stat()
        guard fstat(descriptor, &info) == 0 else {
            let code = errno
            close(descriptor)
            throw CustmigError.unreadable(path, errno: code)
        }
        if (info.st_mode & S_IFMT) == S_IFDIR {
            close(descriptor)
            throw CustmigError(
                .unreadableInput, code: "IO-DIR", "\"\(path)\" is a directory, not an extract file.",
                fix: "name the CSV or XML file inside it.")
        }
        self.descriptor = descriptor
        self.size = Int64(info.st_size)
        posix_fadvise(descriptor, 0, 0, Int32(POSIX_FADV_SEQUENTIAL))
    }

    deinit { close(descriptor) }

    /// Appends up to `count` bytes to `buffer`; returns how many were read (0 at the end).
    @discardableResult
    public func read(appendingTo buffer: inout [UInt8], count: Int) throws -> Int {
        let start = buffer.count
        buffer.reserveCapacity(start + count)
        var got = 0
        buffer.append(contentsOf: repeatElement(0, count: count))
        try buffer.withUnsafeMutableBytes { raw in
            while got < count {
                let result = Glibc.read(descriptor, raw.baseAddress! + start + got, count - got)
                if result < 0 {
                    if errno == EINTR { continue }
                    throw CustmigError.unreadable(path, errno: errno)
                }
                if result == 0 { break }
                got += result
            }
        }
        buffer.removeLast(count - got)
        offset += Int64(got)
        return got
    }

    /// Reads the first `count` bytes without moving the read position.
    public func peek(count: Int) throws -> [UInt8] {
        var buffer = [UInt8](repeating: 0, count: count)
        let got = buffer.withUnsafeMutableBytes { pread(descriptor, $0.baseAddress!, count, 0) }
        if got < 0 { throw CustmigError.unreadable(path, errno: errno) }
        buffer.removeLast(count - got)
        return buffer
    }

    /// Moves the read position (a resumed stage seeks to its checkpoint).
    public func seek(to position: Int64) throws {
        guard lseek(descriptor, off_t(position), SEEK_SET) >= 0 else { throw CustmigError.unreadable(path, errno: errno) }
        offset = position
    }
}
