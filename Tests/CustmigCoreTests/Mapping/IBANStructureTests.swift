import Foundation
import Testing

@testable import CustmigCore

@Suite struct IBANStructureTests {
    @Test func publishedIBANsPassAndWrongLayoutsOrNationalDigitsFail() {
        for valid in [
            "GB82 WEST 1234 5698 7654 32", "NL91 ABNA 0417 1643 00", "ES91 2100 0418 4502 0005 1332",
            "BE68 5390 0754 7034", "NO93 8601 1117 947", "DE89 3704 0044 0532 0130 00",
            "IT60 X054 2811 1010 0000 0123 456",
            "FR14 2004 1010 0505 0001 3M02 606", "ME25 5050 0001 2345 6789 51",
        ] {
            #expect(IBANNormalizer.normalize(valid).isMapped, "\(valid)")
        }
        // The bank code of a Dutch IBAN is letters: digits there pass mod 97 yet are no Dutch IBAN.
        let dutch = IBANNormalizer.normalize("NL38 0673 5882 0620 61")
        #expect(!dutch.isMapped)
        guard case .invalid(let reason) = dutch.verdict else { Issue.record("\(dutch.verdict)"); return }
        #expect(reason.contains("4 letters, 10 digits"), "\(reason)")
        // Spain: mod 97 recomputed for a changed account, so only the CCC's own check digits are wrong.
        #expect(!IBANNormalizer.normalize(withCheckDigits("ES", "21000418450200051333")).isMapped)
        #expect(!IBANNormalizer.normalize(withCheckDigits("BE", "539007547035")).isMapped)
        #expect(!IBANNormalizer.normalize(withCheckDigits("NO", "86011117948")).isMapped)
        #expect(IBANNormalizer.normalize(withCheckDigits("NO", "86011117947")).isMapped)
        #expect(IBANStructure.length(of: "NL") == 18 && IBANStructure.length(of: "LC") == 32)
        #expect(IBANStructure.length(of: "nl") == nil && IBANStructure.length(of: "N") == nil)
        #expect(IBANStructure.length(of: "NLD") == nil && IBANStructure.length(of: "US") == nil)
    }

    @Test("every registry country is found by its two letters, with its layout; nothing else is")
    func layoutsByLetters() {
        for (country, runs) in IBANStructure.layouts {
            let letters = Array(country.utf8)
            let layout = IBANStructure.layout(letters[0], letters[1])
            #expect(layout?.country == country && layout?.runs == runs, "\(country)")
            #expect(layout?.length == 4 + runs.reduce(0) { $0 + $1.count }, "\(country)")
        }
        var found = 0
        for first in UInt8(0)...UInt8(255) {
            for second in UInt8(0)...UInt8(255) where IBANStructure.layout(first, second) != nil { found += 1 }
        }
        #expect(found == IBANStructure.layouts.count)
    }

    /// Tryton validates IBANs with python-stdnum (`iban.is_valid`): custmig's verdict must be the same,
    /// or a map run passes an IBAN that Tryton refuses at cutover. Numbers of every registry country,
    /// most with valid mod-97 digits so that the layout and the national checks decide. One deviation is
    /// known and excluded: stdnum also looks Belgian bank codes up in a list custmig does not carry.
    @Test func agreesWithPythonStdnumOnRandomIBANs() throws {
        guard let python = StdnumOracle.python(comparing: "IBAN layouts") else { return }
        var generator = SystemRandomNumberGenerator()
        let digits = Array("0123456789"), letters = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZ")
        var numbers: [String] = []
        for (country, runs) in IBANStructure.layouts.sorted(by: { $0.key < $1.key }) {
            for sample in 0..<400 {
                var bban = ""
                for run in runs {
                    for _ in 0..<run.count {
                        let pool =
                            run.kind == UInt8(ascii: "n")
                            ? digits : run.kind == UInt8(ascii: "a") ? letters : digits + letters
                        bban.append(pool.randomElement(using: &generator)!)
                    }
                }
                var characters = Array(bban)
                if sample % 5 == 1 {  // one character of the other kind
                    let index = Int.random(in: 0..<characters.count, using: &generator)
                    characters[index] = characters[index].isNumber ? letters.randomElement()! : digits.randomElement()!
                }
                if sample % 3 == 0, ["ES", "BE", "NO", "ME"].contains(country) {
                    characters = Array(IBANStructure.settingNationalCheckDigits(country, String(characters)))
                }
                var iban = withCheckDigits(country, String(characters))
                if sample % 10 == 9 {  // a wrong mod-97 digit
                    let check = Int(iban.dropFirst(2).prefix(2))!
                    iban = country + String(format: "%02d", (check + 1) % 100) + iban.dropFirst(4)
                }
                numbers.append(iban)
            }
        }
        let script = """
            import sys
            from stdnum import iban
            from stdnum.be import iban as be
            for line in open(sys.argv[1]):
                n = line.strip()
                if n.startswith('BE'):
                    ok = iban.is_valid(n, check_country=False) and n[-2:] == be._calc_check_digits(n[4:-2])
                else:
                    ok = iban.is_valid(n)
                print('1' if ok else '0')
            """
        let (disagreements, validCount) = try StdnumOracle.disagreements(numbers, script: script, python: python) {
            let result = IBANNormalizer.normalize($0)
            return (result.isMapped, "\(result.verdict)")
        }
        #expect(disagreements.isEmpty, "\(disagreements.count) disagreements, e.g. \(disagreements.prefix(10))")
        #expect(
            validCount > numbers.count / 3 && validCount < numbers.count * 9 / 10,
            "\(validCount) of \(numbers.count) valid")
    }
}

/// `country`, the mod-97 check digits that make `bban` a valid IBAN, and `bban`.
private func withCheckDigits(_ country: String, _ bban: String) -> String {
    let check = 98 - SampleTaxIDs.mod97(bban + country + "00")
    return country + String(format: "%02d", check) + bban
}
