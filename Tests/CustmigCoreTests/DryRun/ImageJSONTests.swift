import Foundation
import Testing

@testable import CustmigCore

@Suite("Images as stored JSON")
struct ImageJSONTests {
    static let tricky: [String] = [
        "Müller & Söhne GmbH", "say \"hello\"", "back\\slash", "line\nbreak\ttab\r", "emoji 🧾 and 北京",
        "bracket ] inside", "", "control \u{01}\u{1F}", "€ 1.000,00",
    ]

    /// Images with every kind of path (customer row, child rows with `]` in their id) and awkward values.
    static func images() -> [CustomerImage] {
        var images: [CustomerImage] = [CustomerImage()]
        var generator = SystemRandomNumberGenerator()
        for round in 0..<200 {
            var values: [String: String] = ["external_id": "K\(round)"]
            for _ in 0..<Int.random(in: 0...12, using: &generator) {
                let value = tricky.randomElement(using: &generator)! + String(Int.random(in: 0...9, using: &generator))
                switch Int.random(in: 0...3, using: &generator) {
                case 0: values["name\(Int.random(in: 1...4, using: &generator))"] = value
                case 1: values["address[legal-\(round % 3)].street"] = value
                case 2: values["contact[\(CustomerImage.safe("c]\(round)"))].email"] = value
                default: values["sales_area[1000/10/0\(round % 2)].incoterms"] = value
                }
            }
            images.append(CustomerImage(values: values))
        }
        return images
    }

    @Test("an image's rows have the image's fingerprint and make the same image again")
    func fingerprintFromRows() {
        for image in Self.images() {
            #expect(image.rows.fingerprint == image.fingerprint, "\(image.values)")
            #expect(CustomerImage(rows: image.rows) == image)
        }
        #expect(CustomerImage(values: ["name1": "A"]).rows.fingerprint != CustomerImage(values: ["name1": "B"]).rows.fingerprint)
    }

    @Test("the fingerprint of an image's stored JSON equals the image's own; the JSON reads back to the same values")
    func fingerprintFromJSON() {
        for image in Self.images() {
            let json = image.jsonText
            #expect(CustomerImage.imageFingerprint(json: json) == image.fingerprint, "\(json)")
            #expect(CustomerImage(json: json) == image, "\(json)")
        }
    }

    @Test("escapes JSON writers produce (\\u, surrogate pairs, \\/) read as the characters they stand for")
    func escapes() throws {
        let json = #"{"name1":"caf\u00e9 \ud83e\uddfe \/ \"q\"","name2":"a\\b"}"#
        let values = try #require(FlatJSON.parse(json))
        #expect(values == ["name1": "café 🧾 / \"q\"", "name2": "a\\b"])
        #expect(CustomerImage.imageFingerprint(json: json) == CustomerImage(values: values).fingerprint)
    }

    @Test(
        "text that is not a flat object of strings is refused",
        arguments: ["", "[]", "{\"a\":1}", "{\"a\":\"b\"", "{\"a\" \"b\"}", "{\"a\":\"b\",}"])
    func refused(_ json: String) {
        #expect(FlatJSON.parse(json) == nil)
        #expect(CustomerImage.imageFingerprint(json: json) == nil)
    }
}
