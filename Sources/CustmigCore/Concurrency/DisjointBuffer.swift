/// Memory several workers write at once, each only at indices no other worker touches, and read only
/// after every worker has finished (a task group returns after its last child). The one place the
/// parallel helpers step outside the compiler's checks; why it is safe:
/// - no index is shared, so no two threads access the same memory;
/// - the buffer outlives the workers (it is allocated before the task group and freed after it);
/// - the elements are `Sendable`, so handing them from the workers to the caller is safe.
struct DisjointBuffer<Element: Sendable>: @unchecked Sendable {
    let buffer: UnsafeMutableBufferPointer<Element>

    /// Assigns an initialized element.
    func set(_ index: Int, _ value: Element) { buffer[index] = value }

    /// Initializes an element of uninitialized memory.
    func initialize(_ index: Int, to value: Element) { (buffer.baseAddress! + index).initialize(to: value) }

    /// The elements in `range`, for one worker to sort in place.
    func slice(_ range: Range<Int>) -> UnsafeMutableBufferPointer<Element> {
        UnsafeMutableBufferPointer(rebasing: buffer[range])
    }
}

/// Memory many workers read and none writes while they run: the matcher's profiles, read by index
/// without retaining an array per access. Sendable by hand because nothing writes the elements while
/// the view exists (it is made inside `withUnsafeBufferPointer`, which lasts longer than the workers)
/// and the elements are `Sendable`.
struct ReadOnlyBuffer<Element: Sendable>: @unchecked Sendable {
    private let buffer: UnsafeBufferPointer<Element>

    init(_ buffer: UnsafeBufferPointer<Element>) { self.buffer = buffer }

    var count: Int { buffer.count }

    subscript(index: Int) -> Element { buffer[index] }
}
