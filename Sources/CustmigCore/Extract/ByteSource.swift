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
    ///
    /// The bytes are read straight into `buffer`'s spare capacity: a caller that keeps one buffer (its
    /// capacity reserved) reads every block into the same memory. A block read into an array of its own
    /// and then appended was one more copy and one more set of fresh pages (page faults) per block.
    @discardableResult
    public func read(appendingTo buffer: inout [UInt8], count: Int) throws -> Int {
        var failure: Int32 = 0
        var got = 0
        buffer.append(addingCapacity: count) { span in
            span.withUnsafeMutableBufferPointer { storage, initialized in
                guard let base = storage.baseAddress else { return }
                while got < count {
                    let result = Glibc.read(descriptor, base + got, count - got)
                    if result < 0 {
                        if errno == EINTR { continue }
                        failure = errno
                        break
                    }
                    if result == 0 { break }
                    got += result
                }
                // A failed read leaves `buffer` as it was.
                initialized = failure == 0 ? got : 0
            }
        }
        if failure != 0 { throw CustmigError.unreadable(path, errno: failure) }
        offset += Int64(got)
        return got
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
        guard lseek(descriptor, off_t(position), SEEK_SET) >= 0 else {
            throw CustmigError.unreadable(path, errno: errno)
        }
        offset = position
    }
}
