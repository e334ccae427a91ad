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
