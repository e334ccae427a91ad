import Testing

@testable import CustmigCore

/// The planner names each field (its code list, its ownership name) through the shape of its path:
/// child rows' ids do not count, everything else does, however many shapes a run sees.
@Suite("Path shapes: one value per shape, made once")
struct PathShapeCacheTests {
    static func lookUp(_ path: String, in cache: inout PathShapeCache<String>, made: inout [String]) -> String {
        var bytes = path
        return bytes.withUTF8 { buffer in
            cache.value(for: buffer) { path in
                made.append(path)
                return "value of " + path
            }
        }
    }

    @Test("paths that differ only in their row ids share a value; 1,000 other shapes each get their own")
    func shapes() {
        var cache = PathShapeCache<String>()
        var made: [String] = []
        #expect(Self.lookUp("address[bill-1].city", in: &cache, made: &made) == "value of address[bill-1].city")
        #expect(Self.lookUp("address[ship-2].city", in: &cache, made: &made) == "value of address[bill-1].city")
        #expect(Self.lookUp("address[x].country", in: &cache, made: &made) == "value of address[x].country")
        #expect(Self.lookUp("city", in: &cache, made: &made) == "value of city")
        #expect(
            Self.lookUp("sales_area[1000/10/00].partner_function[SP].role", in: &cache, made: &made)
                == Self.lookUp("sales_area[2000/20/01].partner_function[SH].role", in: &cache, made: &made))
        #expect(made.count == 4, "\(made)")
        // Enough shapes to grow the table several times; each keeps its own value, asked again or not.
        for number in 0..<1_000 {
            #expect(Self.lookUp("t\(number)[id].c", in: &cache, made: &made) == "value of t\(number)[id].c")
        }
        for number in stride(from: 999, through: 0, by: -7) {
            #expect(Self.lookUp("t\(number)[other].c", in: &cache, made: &made) == "value of t\(number)[id].c")
        }
        #expect(made.count == 1_004)
        #expect(Self.lookUp("address[9].city", in: &cache, made: &made) == "value of address[bill-1].city")
        #expect(Self.lookUp("", in: &cache, made: &made) == "value of ")
        #expect(Self.lookUp("", in: &cache, made: &made) == "value of ")
        #expect(made.count == 1_005)
    }
}
