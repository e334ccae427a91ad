/// Common short forms of given names (English, German, French, Italian, Spanish, Dutch), so that
/// `Bill` and `William` or `Sepp` and `Josef` compare as the same first name. Deliberately small: a
/// nickname pair is evidence, not proof, and the learned weights decide how much it counts.
enum Nicknames {
    /// Folded short form -> folded full forms. Built in a fixed order: iterating the dictionary below
    /// follows the process's hash seed, and a short form of two names mapped to either, so the learned
    /// weights and the merges changed from one run of the same workspace to the next.
    static let formal: [String: [String]] = {
        let groups: [String: [String]] = [
            "william": ["bill", "billy", "will", "willy", "willie", "liam"],
            "robert": ["bob", "bobby", "rob", "robbie", "bert"],
            "richard": ["dick", "rick", "ricky", "rich", "richie"],
            "james": ["jim", "jimmy", "jamie"], "joseph": ["joe", "joey", "jo", "josef", "sepp", "beppe", "pepe"],
            "thomas": ["tom", "tommy"], "michael": ["mike", "mick", "mickey", "micha"],
            "david": ["dave", "davey"], "daniel": ["dan", "danny"], "christopher": ["chris", "kit"],
            "christine": ["chris", "tina", "christa"],
            "katherine": ["kate", "katie", "kathy", "cathy", "kathryn", "catherine", "kathrin", "katrin"],
            "elizabeth": ["liz", "lizzie", "beth", "betty", "eliza", "elisabeth", "lisa", "liese"],
            "margaret": ["maggie", "meg", "peggy", "greta", "margarete", "grete"], "susan": ["sue", "suzy", "susanne"],
            "jennifer": ["jen", "jenny"], "anthony": ["tony", "toni", "anton", "antonio"],
            "stephen": ["steve", "stevie", "steven", "stefan", "stephan"], "samuel": ["sam", "sammy"],
            "alexander": ["alex", "sascha", "sandro", "alessandro"], "andrew": ["andy", "drew", "andreas", "andre"],
            "benjamin": ["ben", "benny"], "charles": ["charlie", "chuck", "karl", "carl", "carlos"],
            "edward": ["ed", "eddie", "ted", "teddy", "eduard"],
            "frederick": ["fred", "freddie", "fritz", "friedrich"],
            "gregory": ["greg"], "henry": ["harry", "hal", "hank", "heinz", "heinrich", "enrico", "henri"],
            "john": ["jack", "johnny", "jon", "hans", "johannes", "jan", "johann", "jean", "juan", "giovanni"],
            "lawrence": ["larry", "laurence"], "matthew": ["matt", "matthias", "mathias"],
            "nicholas": ["nick", "nicky", "klaus", "nikolaus", "nicolas"], "patrick": ["pat", "paddy"],
            "peter": ["pete", "piet", "pierre", "pietro", "pedro"], "philip": ["phil", "philipp", "phillip"],
            "ronald": ["ron", "ronnie"], "timothy": ["tim", "timmy"], "victoria": ["vicky", "vicki"],
            "abigail": ["abby", "abbie"], "rebecca": ["becky", "becca"], "deborah": ["debbie", "deb"],
            "amanda": ["mandy"], "patricia": ["patty", "pat", "tricia", "trish"], "sarah": ["sally", "sara"],
            "francis": ["frank", "franz", "francesco", "francois", "franky"], "gerald": ["gerry", "jerry"],
            "josephine": ["josie", "jo", "fina"], "madeleine": ["maddie", "madeline", "magdalena", "lena"],
            "nathan": ["nate", "nat"], "zachary": ["zach", "zack"], "jacob": ["jake", "jakob"],
            "joshua": ["josh"], "jessica": ["jess", "jessie"], "alexandra": ["alex", "sandra", "sandy", "alexa"],
            "wolfgang": ["wolf"], "walter": ["walt", "wally"], "albert": ["al", "bert", "berti"],
            "leonard": ["leo", "len", "lenny"], "raymond": ["ray"], "donald": ["don", "donnie"],
            "kenneth": ["ken", "kenny"], "douglas": ["doug"], "isabel": ["isabelle", "bella", "izzy"],
        ]
        // A short form may stand for several names (`bert`: Albert, Robert); each is kept, in order.
        var table: [String: [String]] = [:]
        for (full, shorts) in groups.sorted(by: { $0.key < $1.key }) {
            for short in shorts { table[short, default: []].append(full) }
        }
        return table
    }()

    /// The name's formal forms (itself when it has none).
    static func formal(_ name: String) -> [String] { formal[name] ?? [name] }

    /// Whether two first names may be one: they share a formal form (`Bill` and `William`, `Bert` and
    /// `Robert` or `Albert`).
    static func related(_ a: String, _ b: String) -> Bool {
        let forms = formal(a)
        return formal(b).contains { forms.contains($0) }
    }
}
