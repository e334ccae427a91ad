import Foundation

/// Given names, surname parts, nicknames and street abbreviations for generated person customers.
enum SamplePersonNames {
    static let femaleFirst = [
        "Anna", "Maria", "Julia", "Sabine", "Claire", "Giulia", "Lucía", "Sophie", "Emma", "Agnieszka", "Ingrid",
        "Eleni", "Renée", "Zoë", "Katharina", "Elisabeth", "Margarete", "Susanne", "Christine", "Jennifer", "Rebecca",
        "Victoria", "Laura", "Sarah", "Hannah", "Lena", "Lea", "Mia", "Charlotte", "Amélie", "Chiara", "Francesca",
        "Carmen", "Isabel", "Marta", "Ewa", "Katarzyna", "Astrid", "Karin", "Birgit", "Ursula", "Monika", "Petra",
        "Helena", "Olivia", "Chloé", "Manon", "Inès", "Paula", "Alba", "Femke", "Sanne", "Eva", "Nora",
    ]
    static let maleFirst = [
        "Peter", "Thomas", "Stefan", "Michael", "Jean", "Marco", "Carlos", "Jan", "James", "Piotr", "Erik", "Nikos",
        "Jürgen", "François", "Søren", "José", "William", "Robert", "Richard", "Joseph", "David", "Daniel",
        "Christopher", "Anthony", "Alexander", "Andrew", "Benjamin", "Charles", "Edward", "Frederick", "Henry",
        "John", "Matthew", "Nicholas", "Patrick", "Philip", "Timothy", "Lukas", "Felix", "Jonas", "Maximilian",
        "Paul", "Luca", "Matteo", "Giuseppe", "Antoine", "Louis", "Hugo", "Pablo", "Javier", "Sven", "Lars",
        "Tomasz", "Krzysztof", "Dimitrios", "Georgios", "Wolfgang", "Klaus", "Dieter",
    ]
    /// Short forms a clerk types instead of the given name.
    static let nicknames: [String: [String]] = [
        "William": ["Bill", "Will"], "Robert": ["Bob", "Rob"], "Richard": ["Rick", "Dick"], "Joseph": ["Joe", "Sepp"],
        "David": ["Dave"], "Daniel": ["Dan"], "Christopher": ["Chris"], "Anthony": ["Tony"], "Alexander": ["Alex"],
        "Andrew": ["Andy"], "Benjamin": ["Ben"], "Charles": ["Charlie"], "Edward": ["Ed", "Ted"],
        "Frederick": ["Fred"], "Henry": ["Harry"], "John": ["Jack"], "Matthew": ["Matt"], "Nicholas": ["Nick"],
        "Patrick": ["Pat"], "Philip": ["Phil"], "Timothy": ["Tim"], "Thomas": ["Tom"], "Michael": ["Mike"],
        "Peter": ["Pete"], "Maximilian": ["Max"], "Katharina": ["Kathrin", "Kathi"], "Elisabeth": ["Lisa", "Liz"],
        "Margarete": ["Grete", "Greta"], "Susanne": ["Susi"], "Christine": ["Tina", "Christa"],
        "Jennifer": ["Jenny"], "Rebecca": ["Becky"], "Victoria": ["Vicky"], "Francesca": ["Franca"],
        "Katarzyna": ["Kasia"], "Giuseppe": ["Beppe"], "Wolfgang": ["Wolf"], "Dimitrios": ["Dimitris"],
    ]
    static let stems = [
        "berg", "brand", "eck", "feld", "hof", "holz", "lind", "mar", "ost", "ro", "san", "stein", "val", "wald",
        "win", "kra", "nov", "pet", "ander", "hal", "kor", "lau", "mor", "bel", "dal", "fon", "gar", "jor",
    ]
    static let endings = [
        "er", "mann", "son", "sen", "ini", "etti", "ez", "ski", "icz", "ová", "ou", "akis", "ström", "hagen", "inger",
        "ner", "dorf", "berg", "ier", "eau",
    ]

    /// Letters only, without accents, lower-cased (for e-mail addresses).
    static func ascii(_ text: String) -> String {
        String(
            text.folding(options: [.diacriticInsensitive, .caseInsensitive], locale: nil).lowercased()
                .unicodeScalars.filter { $0.isASCII && $0.properties.isAlphabetic }.map(Character.init))
    }

    /// A street name as a clerk abbreviates it, or the name itself when nothing applies.
    static func abbreviate(_ street: String) -> String {
        let forms = [
            ("straße", "str."), ("strasse", "str."), ("Street", "St"), ("Road", "Rd"), ("Avenue", "Ave"),
            ("Lane", "Ln"), ("Boulevard", "Bd"), ("Rue ", "R. "), ("Via ", "V. "), ("Calle ", "C/ "), ("weg", "wg."),
        ]
        for (long, short) in forms where street.contains(long) {
            return street.replacingOccurrences(of: long, with: short)
        }
        return street
    }
}
