/// Recognizes and masks personal data in what reports show.
public enum PersonalData {
    /// Column or field names that usually hold a person's name.
    public static func looksLikePersonName(_ name: String) -> Bool {
        let upper = name.uppercased()
        let hints = [
            "CONTACT_NAME", "CONTACTNAME", "FIRST_NAME", "FIRSTNAME", "LAST_NAME", "LASTNAME", "PERSON",
            "E1KNVKM/NAMEV", "E1KNVKM/NAME1", "SURNAME", "GIVEN",
        ]
        return hints.contains { upper.contains($0) }
    }

    /// Keeps the first character and the punctuation, hides every other letter and digit:
    /// `anna.meyer@firm.de` -> `a***.*****@****.**`.
    public static func mask(_ value: String) -> String {
        var result = ""
        for (index, character) in value.enumerated() {
            if index == 0 && character.isLetter {
                result.append(character)
            } else if character.isLetter || character.isNumber {
                result.append("*")
            } else {
                result.append(character)
            }
        }
        return result
    }
}
