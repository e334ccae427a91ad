/// Counters over analysed values, additive so that workers' counters can be merged.
struct FieldCounters: Sendable {
    var nonBlank = 0
    var blank = 0
    var leading = 0
    var trailing = 0
    var nonASCII = 0
    var control = 0
    var minLength = Int32.max
    var maxLength: Int32 = 0
    /// Per ``ValueType`` (in `allCases` order); fixed-size vectors keep the hot path off the heap.
    var typeCounts = SIMD16<Int>()
    var layoutCounts = SIMD8<Int>()
    var numericCount = 0
    var numericMin = Double.infinity
    var numericMax = -Double.infinity
    var numericSum = 0.0
    var decimalComma = 0

    mutating func apply(_ facts: ValueFacts, times: Int) {
        if facts.characters < minLength { minLength = facts.characters }
        if facts.characters > maxLength { maxLength = facts.characters }
        if facts.nonASCII { nonASCII += times }
        if facts.control { control += times }
        if facts.blank {
            blank += times
            return
        }
        nonBlank += times
        if facts.leadingSpace { leading += times }
        if facts.trailingSpace { trailing += times }
        // Every lane at once: adding to a lane picked by a variable index stores into the spilled
        // vector and reloads it whole, a stall per type bit of every value analysed.
        let lanes16 = SIMD16<Int>(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15)
        let lanes8 = SIMD8<Int>(0, 1, 2, 3, 4, 5, 6, 7)
        typeCounts &+= ((SIMD16(repeating: Int(facts.types)) &>> lanes16) & 1) &* times
        layoutCounts &+= ((SIMD8(repeating: Int(facts.dateLayouts)) &>> lanes8) & 1) &* times
        if facts.isNumber {
            numericCount += times
            numericSum += facts.number * Double(times)
            if facts.number < numericMin { numericMin = facts.number }
            if facts.number > numericMax { numericMax = facts.number }
            if facts.decimalComma { decimalComma += times }
        }
    }

    mutating func merge(_ other: FieldCounters) {
        nonBlank += other.nonBlank
        blank += other.blank
        leading += other.leading
        trailing += other.trailing
        nonASCII += other.nonASCII
        control += other.control
        minLength = min(minLength, other.minLength)
        maxLength = max(maxLength, other.maxLength)
        typeCounts &+= other.typeCounts
        layoutCounts &+= other.layoutCounts
        numericCount += other.numericCount
        numericMin = min(numericMin, other.numericMin)
        numericMax = max(numericMax, other.numericMax)
        numericSum += other.numericSum
        decimalComma += other.decimalComma
    }
}
