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
        var failure: Int32 = 0
        let block = [UInt8](unsafeUninitializedCapacity: count) { storage, initialized in
            var got = 0
            while got < count {
                let result = Glibc.read(descriptor, storage.baseAddress! + got, count - got)
                if result < 0 {
                    if errno == EINTR { continue }
                    failure = errno
                    break
                }
                if result == 0 { break }
                got += result
            }
            initialized = got
        }
        if failure != 0 { throw CustmigError.unreadable(path, errno: failure) }
        if buffer.isEmpty {
            buffer = block
        } else {
            buffer.append(contentsOf: block)
        }
        offset += Int64(block.count)
        return block.count
    }

    /// Reads the first `count` bytes without moving the read position.
    public func peek(count: Int) throws -> [UInt8] {
        let wanted = Int(min(Int64(count), size))
        var failure: Int32 = 0
        let head = [UInt8](unsafeUninitializedCapacity: wanted) { storage, initialized in
            let got = wanted == 0 ? 0 : pread(descriptor, storage.baseAddress!, wanted, 0)
            if got < 0 { failure = errno }
            initialized = max(got, 0)
        }
        if failure != 0 { throw CustmigError.unreadable(path, errno: failure) }
        return head
    }

    /// Moves the read position (a resumed stage seeks to its checkpoint).
    public func seek(to position: Int64) throws {
        guard lseek(descriptor, off_t(position), SEEK_SET) >= 0 else { throw CustmigError.unreadable(path, errno: errno) }
        offset = position
    }
}
