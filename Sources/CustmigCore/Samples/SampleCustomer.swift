/// One generated customer before any mess is applied: the truth a sample is rendered from.
struct SampleCustomer {
    var key: Int
    var name: String
    var name2: String
    var street: String
    var houseNumber: String
    var postalCode: String
    var city: String
    var country: SampleCountry
    var phoneSubscriber: String
    var areaCode: String
    var email: String
    var vat: String
    var paymentTerm: String
    var creditLimit: Int
    var created: (year: Int, month: Int, day: Int)
    var blocked: Bool
    var deleted: Bool
    var parent: Int?
    var accountGroup: String
    var salesAreas: [(org: String, channel: String, division: String)]
    var incoterms: String
    var iban: String
    var contacts: [(first: String, last: String, phone: String, email: String)]
    var industry: String
    /// Set on a near-duplicate: the key of the customer it duplicates.
    var duplicateOf: Int?
    var variation: String = ""
}

enum SampleVocabulary {
    static let syllables = [
        "al", "be", "ca", "do", "el", "fa", "gi", "ho", "in", "ka", "lu", "me", "no", "pa", "ri", "so", "ta", "ve", "xa",
        "zo", "tec", "tron", "lux", "med", "bau", "log", "trans", "sys", "net", "plan", "ber", "dor", "fin", "gra", "hel",
        "kor", "lin", "mar", "nor", "ost", "pro", "quan", "ros", "sil", "tor", "ul", "vin", "wes", "yo", "zen",
    ]
    static let surnames = [
        "Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Meyer", "Wagner", "Becker", "Schulz", "Hoffmann",
        "Dubois", "Martin", "Rossi", "Bianchi", "García", "López", "Jansen", "de Vries", "Smith", "Johnson", "Nowak",
        "Kowalski", "Andersson", "Papadopoulos", "Bauer", "Koch", "Richter", "Klein", "Wolf", "Schröder", "Neumann",
        "Schwarz", "Zimmermann", "Braun", "Krüger", "Hartmann", "Lange", "Schmitt", "Lefèvre", "Moreau", "Ferrari",
        "Esposito", "Fernández", "Martínez", "Bakker", "Visser", "Taylor", "Brown", "Wiśniewski", "Lindqvist",
    ]
    static let firstNames = [
        "Anna", "Peter", "Thomas", "Maria", "Stefan", "Julia", "Michael", "Sabine", "Jean", "Claire", "Marco", "Giulia",
        "Carlos", "Lucía", "Jan", "Sophie", "James", "Emma", "Piotr", "Agnieszka", "Erik", "Ingrid", "Nikos", "Eleni",
        "Jürgen", "Renée", "François", "Søren", "José", "Zoë",
    ]
    static let industries = [
        ("Maschinenbau", "MECH"), ("Logistik", "TRAN"), ("Handel", "RETL"), ("Elektrotechnik", "ELEC"), ("Bau", "CONS"),
        ("Software", "HITE"), ("Chemie", "CHEM"), ("Lebensmittel", "FOOD"), ("Automotive", "AUTO"), ("Textil", "TEXT"),
        ("Engineering", "MECH"), ("Trading", "RETL"), ("Systems", "HITE"), ("Foods", "FOOD"), ("Transport", "TRAN"),
    ]
    static let legacyPaymentTerms = ["14T", "30N", "NT30", "Z030", "2/10N30", "60N", "0001", "SOFORT", "30 Tage netto", "Z014"]
    static let accountGroups = ["KUNA", "KUNA", "KUNA", "CPD", "Z001", "Z002"]
    static let incoterms = ["EXW", "FCA", "DAP", "DDP", "CIF", "FOB", "CPT"]
    static let sapLanguage: [String: String] = [
        "DE": "D", "EN": "E", "FR": "F", "IT": "I", "ES": "S", "NL": "N", "PL": "L", "SV": "V", "EL": "G",
    ]
}
