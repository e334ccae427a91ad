import Foundation
import Testing

@testable import CustmigCore

/// A cutover builds a referred insert's rows straight from its canonical record; they must be what the
/// image made from the same record gives, fingerprint included, or the plan's approval would not bind
/// what is written (and every rebuilt insert would be refused as stale).
@Suite("Rows built straight from a canonical record")
struct DirectImageBuildTests {
    @Test("rows, last-loaded text, fingerprint and unresolved references equal the image's, on random customers")
    func sameAsTheImage() {
        var generator = SystemRandomNumberGenerator()
        var built = 0
        for round in 0..<500 {
            var customer = CanonicalRecordDecodingTests.random(round, using: &generator)
            if round % 4 != 0 {
                // Most rounds without the separator bytes the direct way leaves to the general one.
                customer = CanonicalCustomer.decode(
                    json: customer.jsonText.replacingOccurrences(of: "\\u001f", with: "?"))!
            }
            if round % 7 == 0, !customer.salesAreas.isEmpty {
                // A partner that is the customer itself, and a contact id with a `]`.
                customer.salesAreas[0].partners.append(PartnerFunction(role: .payer, customerKey: customer.legacyKey))
                var contact = Contact()
                contact.id = "c]\(round)"
                contact.email = "a@b.example"
                customer.contacts += [contact, contact]
            }
            let resolve: (String) -> String? = { legacy in
                legacy.hashValue % 3 == 0 ? nil : "T-" + legacy.uppercased()
            }
            var unresolvedImage: [String] = []
            let image = CustomerImage(
                customer, externalId: customer.key, resolve: resolve, unresolved: &unresolvedImage)
            var unresolvedBuilt: [String] = []
            let direct = DirectImage.build(
                customer, externalId: customer.key, resolve: resolve, unresolved: &unresolvedBuilt)
            #expect(unresolvedBuilt == unresolvedImage)
            let read = DirectImage.read(image: image)
            #expect((direct == nil) == (read == nil), "\(image.values)")
            guard let direct, let read else { continue }
            built += 1
            #expect(direct.fingerprint == image.fingerprint, "\(image.values)")
            #expect(direct.loadedText == read.loadedText)
            #expect(direct.bound == read.bound)
            #expect(direct.bound == BoundRows(image.rows))
            // A rehearsal's rows without the last-loaded text: the same rows, and the text when asked.
            let rehearsal = PreparedImages.rebuiltForRehearsal(image, fingerprint: image.fingerprint)
            #expect(rehearsal.bound == read.bound)
            #expect(rehearsal.loadedText == read.loadedText)
        }
        #expect(built > 100)
    }

    @Test("a rehearsal's rows of an image the direct way cannot read: the general path's, text included")
    func rehearsalFallsBack() {
        var image = CustomerImage()
        image.values = ["external_id": "K1", "name1": "A\u{1F}B", "address[bill-1].city": "Ulm"]
        #expect(DirectImage.bound(image: image) == nil, "a separator byte in a value")
        let rehearsal = PreparedImages.rebuiltForRehearsal(image, fingerprint: image.fingerprint)
        let general = PreparedImages(image: image, before: nil)
        #expect(rehearsal.bound == general.bound)
        #expect(rehearsal.loadedText == general.loadedText)
        #expect(rehearsal.fingerprint == general.fingerprint)
    }
}
