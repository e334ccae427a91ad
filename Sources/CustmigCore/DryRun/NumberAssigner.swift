/// Gives customers new to the target their target number, by the mapping's numbering policy.
/// Deterministic: customers are numbered in canonical-key order, so the same plan gives the same numbers.
struct NumberAssigner {
    let numbering: Numbering
    let codes: CodeLists
    /// Ids the target has now (a new number must not collide with one of them).
    let taken: Set<String>

    /// Canonical key -> target id, or the reason it cannot be numbered.
    func assign(_ members: [(key: String, accountGroup: String?)]) -> [String: Result<String, NumberingProblem>] {
        // Sized at once: growing a million entries from empty rehashed them ~20 times on one core before
        // planning could start.
        var result = [String: Result<String, NumberingProblem>](minimumCapacity: members.count)
        var used = Set<String>(minimumCapacity: members.count)
        var next: [String: UInt64] = [:]
        for member in members.sorted(by: { $0.key < $1.key }) {
            var id: String
            switch numbering {
            case .legacy:
                id = member.key
            case .external(let prefix, let offset, let width):
                if offset == 0 {
                    id = prefix + member.key
                } else {
                    guard let number = UInt64(member.key) else {
                        result[member.key] = .failure(
                            NumberingProblem("key \(member.key) is not a number, so it cannot be offset by \(offset)"))
                        continue
                    }
                    let digits = String(number + offset)
                    id = prefix + String(repeating: "0", count: max(0, width - digits.count)) + digits
                }
            case .internal:
                guard let group = member.accountGroup else {
                    result[member.key] = .failure(
                        NumberingProblem("it has no account group, so the target cannot number it"))
                    continue
                }
                guard let range = codes.entries["account_group"]?[group].flatMap({ NumberRange($0.detail) }) else {
                    result[member.key] = .failure(
                        NumberingProblem("account group \(group) has no number range in the target's code lists"))
                    continue
                }
                var number = next[group] ?? firstFree(in: range)
                while number <= range.to, taken.contains(range.format(number)) || used.contains(range.format(number)) {
                    number += 1
                }
                guard number <= range.to else {
                    result[member.key] = .failure(
                        NumberingProblem("the number range of account group \(group) is exhausted"))
                    continue
                }
                next[group] = number + 1
                id = range.format(number)
            }
            if used.contains(id) {
                result[member.key] = .failure(
                    NumberingProblem("its target number \(id) is also given to another customer of this plan"))
                continue
            }
            used.insert(id)
            result[member.key] = .success(id)
        }
        return result
    }

    private func firstFree(in range: NumberRange) -> UInt64 {
        var highest: UInt64?
        for id in taken where range.contains(id) {
            let number = UInt64(id)!
            if highest == nil || number > highest! { highest = number }
        }
        return highest.map { $0 + 1 } ?? range.from
    }
}

struct NumberingProblem: Error, Hashable {
    var message: String
    init(_ message: String) { self.message = message }
}

/// The load order: customers referenced by others first (parent, partner functions), by level, then
/// by target id; customers in (or behind) a reference cycle last, loaded in two passes.
enum LoadOrder {
    static func order(
        keys: [String], references: (Int) -> [Int], sortKey: (Int) -> String
    ) -> (ordered: [Int], cyclic: [Int]) {
        let count = keys.count
        var dependents = [[Int]](repeating: [], count: count)
        var pending = [Int](repeating: 0, count: count)
        for node in 0..<count {
            for target in Set(references(node)) where target != node {
                dependents[target].append(node)
                pending[node] += 1
            }
        }
        var level = [Int](repeating: 0, count: count)
        var queue = (0..<count).filter { pending[$0] == 0 }
        var done = [Bool](repeating: false, count: count)
        var head = 0
        while head < queue.count {
            let node = queue[head]
            head += 1
            done[node] = true
            for dependent in dependents[node] {
                level[dependent] = max(level[dependent], level[node] + 1)
                pending[dependent] -= 1
                if pending[dependent] == 0 { queue.append(dependent) }
            }
        }
        // Each node's sort key once (a lookup per comparison was most of the ordering's time at 1M).
        let sortKeys = (0..<count).map(sortKey)
        let ordered = queue.sorted { (level[$0], sortKeys[$0]) < (level[$1], sortKeys[$1]) }
        let cyclic = (0..<count).filter { !done[$0] }.sorted { sortKeys[$0] < sortKeys[$1] }
        return (ordered, cyclic)
    }
}
