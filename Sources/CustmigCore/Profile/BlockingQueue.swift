import Foundation

/// A small bounded queue between one producer and one consumer thread; `nil` ends the stream.
/// Sendable by hand: `items` is read and changed only with `condition` locked.
final class BlockingQueue<Element: Sendable>: @unchecked Sendable {
    private let condition = NSCondition()
    private var items: [Element?] = []
    private let capacity: Int

    init(capacity: Int) { self.capacity = capacity }

    func push(_ item: Element?) {
        condition.lock()
        while items.count >= capacity { condition.wait() }
        items.append(item)
        condition.broadcast()
        condition.unlock()
    }

    func pop() -> Element? {
        condition.lock()
        while items.isEmpty { condition.wait() }
        let item = items.removeFirst()
        condition.broadcast()
        condition.unlock()
        return item
    }
}

/// Runs `work` on `count` threads, each fed its own queue, and waits for all of them.
/// Sendable by hand: only the producer's thread calls `submit` and `finish` (the one user of `next`);
/// the workers reach the pool only through their queues.
final class WorkerPool<Element: Sendable>: @unchecked Sendable {
    let queues: [BlockingQueue<Element>]
    private let group = DispatchGroup()
    private var next = 0

    init(count: Int, capacity: Int = 2, work: @escaping @Sendable (Int, BlockingQueue<Element>) -> Void) {
        queues = (0..<count).map { _ in BlockingQueue(capacity: capacity) }
        for index in 0..<count {
            group.enter()
            let queue = queues[index]
            let thread = Thread { [group] in
                work(index, queue)
                group.leave()
            }
            thread.stackSize = 8 << 20
            thread.start()
        }
    }

    /// Hands an item to the next worker in turn (round robin keeps results deterministic).
    func submit(_ item: Element) {
        queues[next].push(item)
        next = (next + 1) % queues.count
    }

    /// Ends every worker's stream and waits for them to finish.
    func finish() {
        for queue in queues { queue.push(nil) }
        group.wait()
    }
}
