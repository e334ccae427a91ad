/// What the sample generator knows of one country: spellings, cities, phone and tax-id shapes.
struct SampleCountry {
    let iso2: String
    let iso3: String
    let numeric: String
    let names: [String]
    /// (city, postal code prefix, phone area code without trunk prefix)
    let cities: [(String, String, String)]
    let postalDigits: Int
    let callingCode: String
    let trunkPrefix: String
    /// Digits of a national number after the calling code (area code and subscriber), as numbering plans
    /// have them for the cities listed.
    let phoneDigits: Int
    let streets: [String]
    let legalForms: [String]
    let language: String
    let currency: String
    /// Makes a VAT id of the country's shape (check digits are set by `SampleTaxIDs`).
    let vat: @Sendable (inout SampleRandom) -> String
    let ibanLength: Int

    static let all: [SampleCountry] = [
        SampleCountry(
            iso2: "DE", iso3: "DEU", numeric: "276", names: ["Germany", "Deutschland", "ALLEMAGNE", "germany"],
            cities: [
                ("Berlin", "10", "30"), ("Hamburg", "20", "40"), ("München", "80", "89"), ("Köln", "50", "221"),
                ("Frankfurt am Main", "60", "69"), ("Düsseldorf", "40", "211"), ("Stuttgart", "70", "711"),
                ("Nürnberg", "90", "911"), ("Leipzig", "04", "341"), ("Bremen", "28", "421"),
            ],
            postalDigits: 5, callingCode: "49", trunkPrefix: "0", phoneDigits: 10,
            streets: [
                "Hauptstraße", "Bahnhofstraße", "Gartenweg", "Industriestraße", "Schillerstraße", "Lindenallee",
                "Am Markt", "Goethestraße", "Mühlenweg", "Königsallee",
            ],
            legalForms: ["GmbH", "AG", "GmbH & Co. KG", "KG", "e.K."], language: "DE", currency: "EUR",
            vat: { "DE" + $0.digits(9) }, ibanLength: 22),
        SampleCountry(
            iso2: "AT", iso3: "AUT", numeric: "040", names: ["Austria", "Österreich", "AUSTRIA"],
            cities: [("Wien", "1", "1"), ("Graz", "8", "316"), ("Linz", "4", "732"), ("Salzburg", "5", "662")],
            postalDigits: 4, callingCode: "43", trunkPrefix: "0", phoneDigits: 10,
            streets: ["Mariahilfer Straße", "Landstraße", "Herrengasse", "Ringstraße"],
            legalForms: ["GmbH", "AG", "OG"], language: "DE", currency: "EUR",
            vat: { "ATU" + $0.digits(8) }, ibanLength: 20),
        SampleCountry(
            iso2: "CH", iso3: "CHE", numeric: "756", names: ["Switzerland", "Schweiz", "Suisse"],
            cities: [("Zürich", "80", "44"), ("Basel", "40", "61"), ("Genève", "12", "22"), ("Bern", "30", "31")],
            postalDigits: 4, callingCode: "41", trunkPrefix: "0", phoneDigits: 9,
            streets: ["Bahnhofstrasse", "Rue du Rhône", "Marktgasse", "Seestrasse"],
            legalForms: ["AG", "GmbH", "SA", "Sàrl"], language: "DE", currency: "CHF",
            vat: { "CHE" + $0.digits(9) }, ibanLength: 21),
        SampleCountry(
            iso2: "FR", iso3: "FRA", numeric: "250", names: ["France", "Frankreich", "FRANCE", "france"],
            cities: [
                ("Paris", "75", "1"), ("Lyon", "69", "4"), ("Marseille", "13", "4"), ("Toulouse", "31", "5"),
                ("Lille", "59", "3"),
            ],
            postalDigits: 5, callingCode: "33", trunkPrefix: "0", phoneDigits: 9,
            streets: ["Rue de la République", "Avenue des Champs", "Boulevard Voltaire", "Rue Victor Hugo"],
            legalForms: ["SARL", "SA", "SAS", "S.A.R.L."], language: "FR", currency: "EUR",
            vat: { "FR" + $0.digits(11) }, ibanLength: 27),
        SampleCountry(
            iso2: "IT", iso3: "ITA", numeric: "380", names: ["Italy", "Italien", "Italia"],
            cities: [("Roma", "00", "06"), ("Milano", "20", "02"), ("Torino", "10", "011"), ("Napoli", "80", "081")],
            postalDigits: 5, callingCode: "39", trunkPrefix: "", phoneDigits: 10,
            streets: ["Via Roma", "Corso Italia", "Via Garibaldi", "Piazza Duomo"],
            legalForms: ["S.r.l.", "S.p.A.", "S.n.c."], language: "IT", currency: "EUR",
            vat: { "IT" + $0.digits(11) }, ibanLength: 27),
        SampleCountry(
            iso2: "ES", iso3: "ESP", numeric: "724", names: ["Spain", "España", "Spanien"],
            cities: [
                ("Madrid", "28", "91"), ("Barcelona", "08", "93"), ("Valencia", "46", "96"), ("Sevilla", "41", "95"),
            ],
            postalDigits: 5, callingCode: "34", trunkPrefix: "", phoneDigits: 9,
            streets: ["Calle Mayor", "Gran Vía", "Avenida de la Constitución", "Calle Real"],
            legalForms: ["S.L.", "S.A."], language: "ES", currency: "EUR",
            vat: { "ES" + "B" + $0.digits(8) }, ibanLength: 24),
        SampleCountry(
            iso2: "NL", iso3: "NLD", numeric: "528", names: ["Netherlands", "Niederlande", "Holland", "Nederland"],
            cities: [("Amsterdam", "10", "20"), ("Rotterdam", "30", "10"), ("Utrecht", "35", "30")],
            postalDigits: 4, callingCode: "31", trunkPrefix: "0", phoneDigits: 9,
            streets: ["Kerkstraat", "Dorpsstraat", "Stationsweg", "Prinsengracht"],
            legalForms: ["B.V.", "N.V."], language: "NL", currency: "EUR",
            vat: { "NL" + $0.digits(9) + "B01" }, ibanLength: 18),
        SampleCountry(
            iso2: "GB", iso3: "GBR", numeric: "826", names: ["United Kingdom", "Great Britain", "UK", "England"],
            cities: [("London", "EC", "20"), ("Manchester", "M", "161"), ("Birmingham", "B", "121")],
            postalDigits: 0, callingCode: "44", trunkPrefix: "0", phoneDigits: 10,
            streets: ["High Street", "Station Road", "Church Lane", "Victoria Road"],
            legalForms: ["Ltd", "Ltd.", "PLC", "LLP"], language: "EN", currency: "GBP",
            vat: { "GB" + $0.digits(9) }, ibanLength: 22),
        SampleCountry(
            iso2: "US", iso3: "USA", numeric: "840", names: ["United States", "USA", "U.S.A.", "Vereinigte Staaten"],
            cities: [
                ("New York", "100", "212"), ("Chicago", "606", "312"), ("Houston", "770", "713"),
                ("San Francisco", "941", "415"),
            ],
            postalDigits: 5, callingCode: "1", trunkPrefix: "1", phoneDigits: 10,
            streets: ["Main Street", "Oak Avenue", "Park Avenue", "Broadway"],
            legalForms: ["Inc.", "LLC", "Corp.", "Co."], language: "EN", currency: "USD",
            vat: { _ in "" }, ibanLength: 0),
        SampleCountry(
            iso2: "PL", iso3: "POL", numeric: "616", names: ["Poland", "Polen", "Polska"],
            cities: [("Warszawa", "00", "22"), ("Kraków", "30", "12"), ("Łódź", "90", "42"), ("Gdańsk", "80", "58")],
            postalDigits: 5, callingCode: "48", trunkPrefix: "", phoneDigits: 9,
            streets: ["ul. Marszałkowska", "ul. Długa", "ul. Piotrkowska"],
            legalForms: ["Sp. z o.o.", "S.A."], language: "PL", currency: "PLN",
            vat: { "PL" + $0.digits(10) }, ibanLength: 28),
        SampleCountry(
            iso2: "SE", iso3: "SWE", numeric: "752", names: ["Sweden", "Schweden", "Sverige"],
            cities: [("Stockholm", "11", "8"), ("Göteborg", "41", "31"), ("Malmö", "21", "40")],
            postalDigits: 5, callingCode: "46", trunkPrefix: "0", phoneDigits: 9,
            streets: ["Drottninggatan", "Storgatan", "Kungsgatan"],
            legalForms: ["AB"], language: "SV", currency: "SEK",
            vat: { "SE" + $0.digits(10) + "01" }, ibanLength: 24),
        SampleCountry(
            iso2: "GR", iso3: "GRC", numeric: "300", names: ["Greece", "Griechenland", "Hellas"],
            cities: [("Athína", "10", "21"), ("Thessaloníki", "54", "231")],
            postalDigits: 5, callingCode: "30", trunkPrefix: "", phoneDigits: 10,
            streets: ["Odos Ermou", "Leoforos Syngrou"],
            legalForms: ["A.E.", "E.P.E."], language: "EL", currency: "EUR",
            vat: { "EL" + $0.digits(9) }, ibanLength: 27),
    ]
}

extension SampleCountry {
    /// A subscriber number that makes a number of the plan's length after `area`, starting with 3 or 7
    /// (0 and 1 are prefixes in most plans; London and Birmingham give out 3 and 7, not every 8 or 2).
    func subscriber(after area: String, _ random: inout SampleRandom) -> String {
        random.pick(["3", "7"]) + random.digits(max(3, phoneDigits - area.count) - 1)
    }
}
