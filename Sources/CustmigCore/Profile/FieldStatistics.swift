/// Accumulates the statistics of one field in bounded memory; one per field per worker, merged at the end.
///
/// The first ``Limits/cacheLimit`` distinct values are analysed once and then only counted (most ERP columns
/// are codes with few values, so most values cost one table lookup). Later distinct values are
/// analysed each time and go to bounded top-value and pattern sketches. Distinct values are counted
/// exactly up to ``Limits/exactBound`` (a fingerprint table), and beyond it by HyperLogLog (made only then,
/// from the table's fingerprints: a record may have 100,000 fields, most with one value), except for
/// key-like fields (HyperLogLog sees under 3% repeats): their 8-byte fingerprints are kept in an
/// append-only list, counted at the end (``DistinctCount``), which gives exact distinct and
/// repeated-value counts.
struct FieldStatistics {
    static let topCapacity = 64
    static let keyCheckInterval = 65_536

    /// How many distinct values one field analyses once and counts exactly (``cacheLimit``), and up to how
    /// many it counts distinct values exactly (``exactBound``).
    struct Limits: Sendable {
        var cacheLimit = 8192
        var exactBound = 65_536

        /// The defaults up to 200 fields; for wider extracts, a budget per worker shared by the fields: with
        /// the defaults, 500 columns of unique values (40,000 rows, 217 MB) took 1.57 GB, ~1.4 MB per field
        /// and worker for its cached values, their counts and its exact distinct set.
        static func forFields(_ count: Int) -> Limits {
            guard count > 200 else { return Limits() }
            // ~120 bytes per cached value (its facts, string and count entry), ~21 per exact fingerprint.
            return Limits(
                cacheLimit: min(8192, max(256, (96 << 20) / 120 / count)),
                exactBound: min(65_536, max(4096, (64 << 20) / 21 / count)))
        }
    }

    struct CachedValue {
        var facts: ValueFacts
        var value: String
    }

    var name: String
    private(set) var limits: Limits
    var present = 0
    var empty = 0
    private(set) var hll = HyperLogLog()
    private(set) var exact: FingerprintTable? = FingerprintTable(keysOnly: true)
    /// Fingerprints of every non-empty value while the field looks like a key.
    private(set) var keyPrints: KeyPrintList? = KeyPrintList()
    /// Set when the fingerprints were given up for memory (``KeyPrintBudget``), not because values repeat.
    private(set) var keyCheckDropped = false
    /// Starts small and grows: sized for ``Limits/cacheLimit`` up front it took 256 KB per field.
    private var cacheCounts = ValueCountTable(capacity: 16)
    private(set) var cache: [CachedValue] = []
    private(set) var counters = FieldCounters()
    private(set) var overflowTop = SpaceSaving(capacity: topCapacity)
    private(set) var overflowPatterns = PatternCounter()
    private(set) var topFrozen = false
    /// Occurrences another worker counted in its top-value sketch of values this field has cached, by
    /// fingerprint: they add to the value's shown count only. Their facts are in that worker's counters
    /// already, so adding them to the cached count would count their type, length and pattern twice (a ZIP
    /// column of 1M rows showed 1,040,899 codes with two workers).
    private var topOnly: [UInt64: (count: Int, estimated: Bool)] = [:]

    init(name: String, limits: Limits = Limits()) {
        self.name = name
        self.limits = limits
    }

    /// Set for a repeated segment: the values are its counts per parent (see ``FieldProfile/isSegmentCount``).
    var isSegmentCount = false

    private var nonEmpty: Int { present - empty }

    mutating func add(_ base: UnsafePointer<UInt8>, _ count: Int) {
        present += 1
        if count == 0 {
            empty += 1
            return
        }
        let hash = ValueHash.hash(base, count)
        if keyPrints != nil { keyPrints!.append(hash) }
        if nonEmpty % FieldStatistics.keyCheckInterval == 0 { reviewCardinality() }
        if cacheCounts.increment(hash) { return }
        if exact != nil {
            exact!.insert(hash)
            if exact!.count > limits.exactBound { dropExact() }
        } else {
            hll.insert(hash: hash)
        }
        var facts = ValueAnalyzer.analyze(base, count)
        facts.hash = hash
        if cache.count < limits.cacheLimit {
            cacheCounts.add(hash, slot: Int32(cache.count), count: 1)
            cache.append(CachedValue(facts: facts, value: FieldStatistics.decode(base, count)))
            return
        }
        counters.apply(facts, times: 1)
        overflowPatterns.add(facts.pattern)
        if !topFrozen {
            // Mostly unique values: the top values say nothing, and tracking them is the costliest part.
            overflowTop.add(key: hash, bytes: base, length: count)
        }
    }

    /// Lowers the limits of a field made before its extract turned out wide (XML paths are found as they
    /// come): its cache stops growing past the new limit, and an exact set already past the new bound
    /// gives way to the HyperLogLog now. Limits never rise.
    mutating func lower(to newer: Limits) {
        limits = Limits(
            cacheLimit: min(limits.cacheLimit, newer.cacheLimit), exactBound: min(limits.exactBound, newer.exactBound))
        if let exact, exact.count > limits.exactBound { dropExact() }
    }

    /// Key fingerprints kept so far, and the room their list holds (what they cost: it grows by doubling).
    var keyPrintCount: Int { keyPrints?.count ?? 0 }
    var keyPrintCapacity: Int { keyPrints?.capacity ?? 0 }

    /// Gives up the exact key check to free its fingerprints; distinct values are then estimated (the
    /// HyperLogLog or the exact set has seen every value).
    mutating func dropKeyPrints() {
        guard keyPrints != nil else { return }
        keyPrints = nil
        keyCheckDropped = true
    }

    /// Every ``keyCheckInterval`` values: stop keeping key fingerprints when values repeat (not a key),
    /// and stop tracking top values when nearly every value is new (they would all count 1).
    private mutating func reviewCardinality() {
        let estimate = Double(distinctEstimate)
        let seen = Double(nonEmpty)
        if keyPrints != nil && estimate < 0.97 * seen { keyPrints = nil }
        if !topFrozen && estimate > 0.5 * seen { topFrozen = true }
    }

    mutating func add(_ text: String) {
        var text = text
        text.withUTF8 { buffer in
            if let base = buffer.baseAddress {
                add(base, buffer.count)
            } else {
                present += 1
                empty += 1
            }
        }
    }

    private static func decode(_ base: UnsafePointer<UInt8>, _ count: Int) -> String {
        // Cut where the top-value sketch cuts the values it keeps: a value shows the same from either.
        String(decoding: UnsafeBufferPointer(start: base, count: min(count, SpaceSaving.valueBytes)), as: UTF8.self)
    }

    /// Adds another worker's statistics of the same field.
    mutating func merge(_ other: FieldStatistics) {
        isSegmentCount = isSegmentCount || other.isSegmentCount
        present += other.present
        empty += other.empty
        if var mine = exact, let theirs = other.exact {
            exact = nil
            theirs.forEachKey { mine.insert($0) }
            exact = mine
            if mine.count > limits.exactBound { dropExact() }
        } else {
            dropExact()
            hll.merge(other.hll)
            other.exact?.forEachKey { hll.insert(hash: $0) }
        }
        keyCheckDropped = keyCheckDropped || other.keyCheckDropped
        if keyPrints != nil, let theirs = other.keyPrints {
            keyPrints!.merge(theirs)
        } else {
            keyPrints = nil
        }
        counters.merge(other.counters)
        topFrozen = topFrozen || other.topFrozen
        for counted in other.cacheCounts.all {
            let entry = other.cache[Int(counted.slot)]
            let extra = other.topOnly[counted.key]
            if cacheCounts.entry(counted.key) != nil {
                cacheCounts.add(counted.key, slot: 0, count: counted.count)
                if let extra { addTopOnly(counted.key, extra.count, estimated: extra.estimated) }
            } else if cache.count < limits.cacheLimit {
                cacheCounts.add(counted.key, slot: Int32(cache.count), count: counted.count)
                cache.append(entry)
                if let extra { addTopOnly(counted.key, extra.count, estimated: extra.estimated) }
            } else {
                let times = Int(counted.count)
                counters.apply(entry.facts, times: times)
                overflowPatterns.add(entry.facts.pattern, times: times)
                overflowTop.add(key: entry.facts.hash, count: times + (extra?.count ?? 0)) { entry.value }
            }
        }
        for item in other.overflowTop.heap {
            if cacheCounts.entry(item.key) != nil {
                addTopOnly(item.key, item.count, estimated: item.error > 0)
            } else {
                var single = SpaceSaving(capacity: 1)
                single.add(key: item.key, count: item.count) { item.value }
                overflowTop.merge(single)
            }
        }
        overflowPatterns.merge(other.overflowPatterns)
    }

    /// The field's profile; `records` is the number of records read, `mask` masks shown values.
    func profile(records: Int, isPerRecord: Bool, mask: Bool, maskNames: Set<String>) -> FieldProfile {
        var totals = counters
        var patternCounts: [UInt64: (String, Int)] = [:]
        var top: [ValueCount] = []
        for counted in cacheCounts.all {
            let entry = cache[Int(counted.slot)]
            let times = Int(counted.count)
            totals.apply(entry.facts, times: times)
            patternCounts[entry.facts.pattern.hash, default: (entry.facts.pattern.text, 0)].1 += times
            let extra = topOnly[counted.key]
            top.append(
                ValueCount(value: entry.value, count: times + (extra?.count ?? 0), estimated: extra?.estimated ?? false)
            )
        }
        var patternTotals: [String: Int] = [:]
        for (_, pattern) in patternCounts { patternTotals[pattern.0, default: 0] += pattern.1 }
        for (text, count) in overflowPatterns.all() { patternTotals[text, default: 0] += count }
        top += overflowTop.heap.map { ValueCount(value: $0.value, count: $0.count, estimated: $0.error > 0) }
        top.sort { $0.count != $1.count ? $0.count > $1.count : $0.value < $1.value }
        let patterns = patternTotals.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }
            .prefix(12).map { ValueCount(value: $0.key, count: $0.value, estimated: false) }

        let exactDistinct = keyDistinct() ?? exact?.count
        let distinct = exactDistinct ?? distinctEstimate
        let duplicates = exactDistinct.map { nonEmpty - $0 }
        let (type, conforming) = isSegmentCount ? (ValueType.integer, totals.nonBlank) : inferType(totals)
        let nonConforming = totals.nonBlank == 0 ? 0 : 1 - Double(conforming) / Double(totals.nonBlank)
        var typeCounts: [String: Int] = [:]
        for (index, kind) in ValueType.allCases.enumerated() where totals.typeCounts[index] > 0 && kind != .text {
            typeCounts[kind.rawValue] = totals.typeCounts[index]
        }
        var layouts: [String: Int] = [:]
        for (index, layout) in DateLayout.allCases.enumerated() where totals.layoutCounts[index] > 0 {
            layouts[layout.rawValue] = totals.layoutCounts[index]
        }
        let numeric: NumericSummary? =
            (type == .integer || type == .decimal) && totals.numericCount > 0
            ? NumericSummary(
                count: totals.numericCount, min: totals.numericMin, max: totals.numericMax,
                mean: totals.numericSum / Double(totals.numericCount)) : nil
        let isMasked =
            mask && (type.isPersonalData || maskNames.contains(name) || PersonalData.looksLikePersonName(name))
        let shownTop = top.prefix(10).map { value -> ValueCount in
            var value = value
            if isMasked { value.value = PersonalData.mask(value.value) }
            return value
        }
        return FieldProfile(
            name: name, present: present, empty: empty, blank: totals.blank, distinct: distinct,
            distinctIsEstimate: exactDistinct == nil, minLength: totals.minLength == .max ? nil : Int(totals.minLength),
            maxLength: totals.minLength == .max ? nil : Int(totals.maxLength), leadingWhitespace: totals.leading,
            trailingWhitespace: totals.trailing, nonASCII: totals.nonASCII, controlCharacters: totals.control,
            inferredType: type,
            nonConformingShare: nonConforming, typeCounts: typeCounts, dateLayouts: layouts,
            decimalCommaCount: totals.decimalComma, numeric: numeric,
            isCandidateKey: !isSegmentCount && isPerRecord && duplicates == 0 && empty == 0 && totals.blank == 0
                && present == records
                && records > 1,
            duplicateValues: duplicates, topValues: Array(shownTop), topValuesMeaningful: !topFrozen,
            patterns: Array(patterns), masked: isMasked, isSegmentCount: isSegmentCount ? true : nil)
    }

    private mutating func addTopOnly(_ key: UInt64, _ count: Int, estimated: Bool) {
        let known = topOnly[key]
        topOnly[key] = ((known?.count ?? 0) + count, estimated || (known?.estimated ?? false))
    }

    /// Distinct non-empty values: exact while the fingerprint table holds them, else estimated.
    private var distinctEstimate: Int { exact?.count ?? hll.estimate }

    /// Past ``Limits/exactBound``: the fingerprints go into a HyperLogLog, which counts from then on.
    private mutating func dropExact() {
        guard let table = exact else { return }
        exact = nil
        table.forEachKey { hll.insert(hash: $0) }
    }

    /// Exact distinct count from the key fingerprints, when the field stayed key-like.
    private func keyDistinct() -> Int? {
        guard let prints = keyPrints, prints.count == nonEmpty else { return nil }
        return DistinctCount.of(blocks: prints.allBlocks)
    }

    /// The most specific type that at least 90% of non-blank values fit; else the best fit over 50%; else text.
    private func inferType(_ totals: FieldCounters) -> (ValueType, Int) {
        guard totals.nonBlank > 0 else { return (.text, 0) }
        let order: [ValueType] = [.flag, .country, .date, .integer, .decimal, .email, .iban, .vatId, .phone, .code]
        func count(_ type: ValueType) -> Int { totals.typeCounts[ValueType.allCases.firstIndex(of: type)!] }
        let distinctValues = distinctEstimate
        for type in order where Double(count(type)) >= 0.9 * Double(totals.nonBlank) {
            if type == .flag && distinctValues > 8 { continue }
            return (type, count(type))
        }
        let best = order.filter { $0 != .flag }.max { count($0) < count($1) }!
        if Double(count(best)) >= 0.5 * Double(totals.nonBlank) { return (best, count(best)) }
        return (.text, totals.nonBlank)
    }
}
