//! Street, building and place names for the synthetic town, the origins
//! people's names come from, and the nicknames people go by. People's names
//! themselves, and how often each is drawn, are in `naming.rs`.

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Origin {
    English,
    Welsh,
    Irish,
    SouthAsian,
    BlackAfrican,
    BlackCaribbean,
    EastEuropean,
    Chinese,
    Arab,
}

/// Known nicknames, short forms and variant spellings (transliterations,
/// dropped accents, anglicised forms), keyed by the name as registered.
static NICKNAMES: &[(&str, &[&str])] = &[
    // English and Caribbean
    ("William", &["Bill", "Will", "Billy", "Liam"]),
    ("Robert", &["Bob", "Rob", "Bobby", "Robbie"]),
    ("Richard", &["Rich", "Rick", "Dick", "Richie"]),
    ("James", &["Jim", "Jimmy", "Jamie"]),
    ("John", &["Jack", "Johnny", "Jon"]),
    ("Michael", &["Mike", "Mick", "Micky"]),
    ("Christopher", &["Chris", "Kit"]),
    ("Daniel", &["Dan", "Danny"]),
    ("David", &["Dave", "Davy"]),
    ("Anthony", &["Tony", "Ant", "Antony"]),
    ("Andrew", &["Andy", "Drew"]),
    ("Jonathan", &["Jon", "Jonny"]),
    ("Matthew", &["Matt", "Mathew"]),
    ("Stephen", &["Steve", "Steven"]),
    ("Thomas", &["Tom", "Tommy"]),
    ("Edward", &["Ed", "Eddie", "Ted"]),
    ("Joseph", &["Joe", "Joey"]),
    ("Samuel", &["Sam", "Sammy"]),
    ("Benjamin", &["Ben", "Benny"]),
    ("Alexander", &["Alex", "Alec", "Sandy"]),
    ("Nicholas", &["Nick", "Nicky"]),
    ("Peter", &["Pete"]),
    ("Terence", &["Terry", "Terrence"]),
    ("Raymond", &["Ray"]),
    ("Kenneth", &["Ken", "Kenny"]),
    ("Joshua", &["Josh"]),
    ("Nathan", &["Nate", "Nat"]),
    ("Callum", &["Cal", "Calum"]),
    ("Harry", &["Harold", "Henry"]),
    ("Charlie", &["Charles"]),
    ("Jacob", &["Jake"]),
    ("Alfie", &["Alfred", "Alf"]),
    ("Oliver", &["Ollie", "Olly"]),
    ("Ian", &["Iain"]),
    ("Lee", &["Leigh"]),
    ("Kevin", &["Kev"]),
    ("Gary", &["Garry", "Gaz"]),
    ("Simon", &["Si"]),
    ("Mark", &["Marc"]),
    ("Kieran", &["Kieron", "Ciaran"]),
    ("Brian", &["Bryan"]),
    ("Alan", &["Allan", "Allen", "Al"]),
    ("Colin", &["Col"]),
    ("Derek", &["Del", "Derrick"]),
    ("Malcolm", &["Mal"]),
    ("Tyrone", &["Ty"]),
    ("Jermaine", &["Jermain"]),
    ("Marcus", &["Marc"]),
    ("Curtis", &["Curt"]),
    ("Dwayne", &["Duane", "Dwane"]),
    ("Elizabeth", &["Liz", "Beth", "Betty", "Lizzie", "Eliza"]),
    ("Margaret", &["Maggie", "Peggy", "Meg", "Marge"]),
    ("Katherine", &["Kate", "Kath", "Cathy", "Katie", "Kathy"]),
    ("Catherine", &["Kate", "Kath", "Cathy", "Cath", "Katherine"]),
    ("Sarah", &["Sara"]),
    ("Emma", &["Em"]),
    ("Claire", &["Clare"]),
    ("Nicola", &["Nicky", "Nikki", "Nic"]),
    ("Susan", &["Sue", "Susie", "Suzy"]),
    ("Rachel", &["Rach", "Rachael"]),
    ("Rebecca", &["Becky", "Becca", "Rebekah"]),
    ("Amy", &["Aimee"]),
    ("Jessica", &["Jess", "Jessie"]),
    ("Hannah", &["Hanna"]),
    ("Charlotte", &["Charlie", "Lottie"]),
    ("Sophie", &["Soph", "Sophia"]),
    ("Emily", &["Em", "Millie"]),
    ("Olivia", &["Liv", "Livvy"]),
    ("Amelia", &["Millie", "Amy"]),
    ("Grace", &["Gracie"]),
    ("Lucy", &["Lou"]),
    ("Chloe", &["Chloë"]),
    ("Zoe", &["Zoë"]),
    ("Zoë", &["Zoe"]),
    ("Victoria", &["Vicky", "Tori"]),
    ("Jennifer", &["Jen", "Jenny"]),
    ("Joanne", &["Jo", "Joanna"]),
    ("Michelle", &["Shelley"]),
    ("Tracey", &["Tracy"]),
    ("Deborah", &["Debbie", "Deb", "Debra"]),
    ("Patricia", &["Pat", "Patsy", "Trish"]),
    ("Barbara", &["Barb", "Babs"]),
    ("Christine", &["Chris", "Chrissie"]),
    ("Janet", &["Jan"]),
    ("Carol", &["Carole"]),
    ("Sandra", &["Sandy"]),
    ("Gemma", &["Jemma"]),
    ("Stacey", &["Stacy"]),
    ("Danielle", &["Dani"]),
    ("Natalie", &["Nat", "Nathalie"]),
    ("Samantha", &["Sam", "Sammy"]),
    ("Beverley", &["Bev", "Beverly"]),
    ("Dorothy", &["Dot", "Dottie", "Dolly"]),
    ("Irene", &["Rene"]),
    ("Sheila", &["Shelagh"]),
    // Welsh: short forms, dropped circumflexes, English equivalents
    ("Dafydd", &["Dai", "Dave", "David"]),
    ("Dewi", &["David", "Dai"]),
    ("Rhys", &["Rees", "Reece"]),
    ("Huw", &["Hugh"]),
    ("Owain", &["Owen"]),
    ("Ieuan", &["Ifan", "Evan"]),
    ("Rhodri", &["Rhod"]),
    ("Gwilym", &["Gwil", "William"]),
    ("Hywel", &["Howell", "Hywell"]),
    ("Llyr", &["Llŷr"]),
    ("Tomos", &["Tom", "Thomas"]),
    ("Steffan", &["Stefan", "Steven"]),
    ("Siôn", &["Sion", "John"]),
    ("Gethin", &["Geth"]),
    ("Gareth", &["Gaz", "Gar"]),
    ("Gruffydd", &["Griff", "Gruff"]),
    ("Llywelyn", &["Llew", "Llewellyn"]),
    ("Siân", &["Sian", "Shan"]),
    ("Gwenllian", &["Gwen"]),
    ("Gwyneth", &["Gwen"]),
    ("Myfanwy", &["Myf"]),
    ("Catrin", &["Cat", "Catherine"]),
    ("Bethan", &["Beth"]),
    ("Eluned", &["Luned"]),
    ("Cerys", &["Ceri"]),
    ("Lowri", &["Laura"]),
    ("Megan", &["Meg"]),
    ("Elin", &["Ellen"]),
    // Irish: fadas dropped, anglicised spellings
    ("Seán", &["Sean", "Shaun", "Shawn"]),
    ("Sean", &["Shaun", "Shawn"]),
    ("Pádraig", &["Padraig", "Patrick", "Paddy"]),
    ("Patrick", &["Pat", "Paddy"]),
    ("Ciarán", &["Ciaran", "Kieran"]),
    ("Oisín", &["Oisin"]),
    ("Éamon", &["Eamon", "Eamonn"]),
    ("Conor", &["Connor"]),
    ("Declan", &["Dec"]),
    ("Gerard", &["Gerry", "Ger"]),
    ("Francis", &["Frank", "Frankie"]),
    ("Desmond", &["Des"]),
    ("Dermot", &["Diarmuid"]),
    ("Brendan", &["Bren"]),
    ("Siobhán", &["Siobhan", "Shiv"]),
    ("Róisín", &["Roisin", "Rosheen"]),
    ("Sinéad", &["Sinead"]),
    ("Gráinne", &["Grainne", "Grania"]),
    ("Áine", &["Aine"]),
    ("Niamh", &["Neve"]),
    ("Aoife", &["Eva"]),
    ("Caoimhe", &["Keeva"]),
    ("Saoirse", &["Seersha"]),
    ("Mairead", &["Mairéad"]),
    ("Fionnuala", &["Nuala", "Finola"]),
    ("Bridget", &["Bridie", "Biddy", "Brigid"]),
    ("Kathleen", &["Kath", "Kathy", "Cathleen"]),
    ("Theresa", &["Teresa", "Tess", "Terri"]),
    ("Teresa", &["Theresa", "Tess"]),
    ("Bernadette", &["Bernie"]),
    ("Geraldine", &["Gerry"]),
    ("Maureen", &["Mo"]),
    // South Asian: transliterations and short forms
    (
        "Mohammed",
        &["Mohammad", "Muhammad", "Mohamed", "Muhammed", "Mohd"],
    ),
    ("Muhammad", &["Mohammed", "Mohammad", "Mohamed", "Muhammed"]),
    ("Mohamed", &["Mohammed", "Muhammad", "Mohamud"]),
    ("Ahmed", &["Ahmad", "Ahmet"]),
    ("Hassan", &["Hasan"]),
    ("Hussain", &["Hussein", "Husain"]),
    ("Hussein", &["Hussain", "Husain"]),
    ("Yusuf", &["Yousef", "Youssef", "Yusef"]),
    ("Ibrahim", &["Ebrahim", "Ibraheem"]),
    ("Usman", &["Osman", "Uthman"]),
    ("Hamza", &["Hamzah"]),
    ("Imran", &["Imraan"]),
    ("Faisal", &["Faysal"]),
    ("Zubair", &["Zubayr"]),
    ("Rahim", &["Raheem"]),
    ("Karim", &["Kareem"]),
    ("Kareem", &["Karim"]),
    ("Rajesh", &["Raj"]),
    ("Sanjay", &["Sanj"]),
    ("Vikram", &["Vik", "Vicky"]),
    ("Gurpreet", &["Preet", "Gary"]),
    ("Jaswinder", &["Jas", "Jassi"]),
    ("Sukhdev", &["Sukhi", "Dev"]),
    ("Rajinder", &["Raj"]),
    ("Ayesha", &["Aisha", "Aysha"]),
    ("Aisha", &["Ayesha", "Aishah"]),
    ("Fatima", &["Fatimah", "Fatma"]),
    ("Mariam", &["Maryam", "Miriam"]),
    ("Maryam", &["Mariam", "Mariyam"]),
    ("Zainab", &["Zaynab"]),
    ("Khadija", &["Khadijah", "Khadeeja"]),
    ("Amina", &["Aminah", "Ameena"]),
    ("Yasmin", &["Yasmine", "Yasmeen", "Jasmine"]),
    ("Nasreen", &["Nasrin"]),
    ("Parveen", &["Parvin", "Perveen"]),
    ("Ruksana", &["Rukhsana"]),
    ("Tasnim", &["Tasneem"]),
    ("Noor", &["Nour", "Nur"]),
    ("Safia", &["Safiya"]),
    ("Aaliyah", &["Aaliya", "Aliyah"]),
    ("Simran", &["Simi"]),
    // Black African: Yoruba and Igbo short forms, Somali spellings
    ("Oluwaseun", &["Seun"]),
    ("Babatunde", &["Tunde"]),
    ("Chukwuemeka", &["Emeka"]),
    ("Olumide", &["Mide"]),
    ("Ayodele", &["Ayo", "Dele"]),
    ("Chinedu", &["Nedu"]),
    ("Obinna", &["Obi"]),
    ("Ikenna", &["Ike"]),
    ("Emmanuel", &["Manny"]),
    ("Funmilayo", &["Funmi"]),
    ("Temitope", &["Tope", "Temi"]),
    ("Oluwakemi", &["Kemi"]),
    ("Bukola", &["Bukky"]),
    ("Adaeze", &["Ada"]),
    ("Fadumo", &["Faduma"]),
    ("Sahra", &["Sara", "Zahra"]),
    ("Fatuma", &["Fatima"]),
    // East European: diminutives and English equivalents
    ("Krzysztof", &["Chris", "Christopher", "Krzys"]),
    ("Piotr", &["Peter"]),
    ("Tomasz", &["Tom", "Tomek"]),
    ("Pawel", &["Paul"]),
    ("Michal", &["Michael"]),
    ("Jakub", &["Kuba", "Jacob"]),
    ("Lukasz", &["Luke"]),
    ("Andrzej", &["Andrew"]),
    ("Grzegorz", &["Greg"]),
    ("Mateusz", &["Matthew", "Mat"]),
    ("Wojciech", &["Voytek", "Wojtek"]),
    ("Marcin", &["Martin"]),
    ("Stanislaw", &["Stan"]),
    ("Bartosz", &["Bart", "Bartek"]),
    ("Dawid", &["David"]),
    ("Jan", &["John"]),
    ("Marek", &["Mark"]),
    ("Katarzyna", &["Kasia", "Kate"]),
    ("Malgorzata", &["Gosia", "Margaret"]),
    ("Agnieszka", &["Aga", "Agnes"]),
    ("Magdalena", &["Magda"]),
    ("Aleksandra", &["Ola", "Alex", "Alexandra"]),
    ("Joanna", &["Asia", "Jo"]),
    ("Zofia", &["Zosia", "Sophia"]),
    ("Alexandru", &["Alex"]),
    ("Andrei", &["Andrew", "Andrey"]),
    ("Mihai", &["Michael"]),
    ("Gheorghe", &["George"]),
    ("Ion", &["John"]),
    ("Ioana", &["Joanna"]),
    ("Mihaela", &["Michaela"]),
    ("Oleksandr", &["Alex", "Sasha", "Alexander"]),
    ("Dmitri", &["Dmitry", "Dima"]),
    ("Sergei", &["Sergey", "Serhii"]),
    ("Viktor", &["Victor"]),
    ("Tetiana", &["Tatiana", "Tanya"]),
    ("Olena", &["Elena", "Lena"]),
    ("Natalja", &["Natalia", "Natasha"]),
    ("Svetlana", &["Sveta", "Lana"]),
    ("Irina", &["Iryna"]),
    // Chinese: two-syllable given names run together or hyphenated
    ("Ka Wai", &["Kawai", "Ka-Wai"]),
    ("Chi Ming", &["Chiming", "Chi-Ming"]),
    ("Ka Yan", &["Kayan", "Ka-Yan"]),
    ("Wai Man", &["Waiman", "Wai-Man"]),
    ("Siu Ling", &["Siuling", "Siu-Ling"]),
    ("Mei Ling", &["Meiling", "Mei-Ling"]),
    ("Suk Yee", &["Sukyee", "Suk-Yee"]),
    // Arabic: transliterations
    ("Omar", &["Umar"]),
    ("Khalid", &["Khaled"]),
    ("Mustafa", &["Mostafa", "Mustapha"]),
    ("Mahmoud", &["Mahmud", "Mahmood"]),
    ("Abdullah", &["Abdallah"]),
    ("Youssef", &["Yusuf", "Yousef"]),
    ("Samir", &["Sameer"]),
    ("Walid", &["Waleed"]),
    ("Faris", &["Fares"]),
    ("Majid", &["Majed"]),
    ("Yasser", &["Yasir"]),
    ("Saeed", &["Said", "Sayed"]),
    ("Osama", &["Usama"]),
    ("Zaid", &["Zayd", "Zeid"]),
    ("Qasim", &["Qassim", "Kassim"]),
    ("Rashid", &["Rasheed"]),
    ("Jamal", &["Gamal"]),
    ("Layla", &["Leila", "Laila"]),
    ("Leila", &["Layla", "Laila"]),
    ("Huda", &["Houda"]),
    ("Iman", &["Eman"]),
    ("Hiba", &["Heba"]),
    ("Heba", &["Hiba"]),
    ("Reem", &["Rim"]),
    ("Sara", &["Sarah"]),
    ("Nadia", &["Nadiya"]),
    ("Samira", &["Sameera"]),
    ("Salma", &["Selma"]),
    ("Zahra", &["Zahraa"]),
    ("Mona", &["Muna"]),
    ("Asma", &["Asmaa"]),
    ("Nour", &["Noor"]),
];

/// Nicknames and variants for a forename, or an empty slice. Case-insensitive,
/// since some systems key names in capitals.
pub fn nicknames(forename: &str) -> &'static [&'static str] {
    let name = forename.trim();
    NICKNAMES
        .iter()
        .find(|(n, _)| *n == name)
        .or_else(|| NICKNAMES.iter().find(|(n, _)| same_ignoring_case(n, name)))
        .map(|(_, v)| *v)
        .unwrap_or(&[])
}

fn same_ignoring_case(a: &str, b: &str) -> bool {
    a.chars()
        .flat_map(char::to_lowercase)
        .eq(b.chars().flat_map(char::to_lowercase))
}

pub static TITLES_MALE: &[&str] = &["Mr"];
pub static TITLES_FEMALE: &[&str] = &["Mrs", "Miss", "Ms"];

pub static STREET_STEMS: &[&str] = &[
    "Oak",
    "Church",
    "Victoria",
    "Station",
    "Mill",
    "Albert",
    "Coventry",
    "Moseley",
    "Park",
    "High",
    "Queen",
    "King",
    "Manor",
    "School",
    "Green",
    "Alexandra",
    "Windsor",
    "York",
    "Grange",
    "Springfield",
    "Highfield",
    "Stanley",
    "Chester",
    "Warwick",
    "Stratford",
    "Alcester",
    "Bristol",
    "Pershore",
    "Soho",
    "Dudley",
    "Hagley",
    "Harborne",
    "Bordesley",
    "Stoney",
    "Ladypool",
    "Walford",
    "Anderton",
    "Clifton",
    "Grovelands",
    "Cedar",
    "Elm",
    "Ash",
    "Beech",
    "Birch",
    "Chestnut",
    "Hawthorn",
    "Holly",
    "Laurel",
    "Maple",
    "Willow",
    "Poplar",
    "Sycamore",
    "Rowan",
    "Hazel",
    "Heather",
    "Lavender",
    "Rosemary",
    "Primrose",
    "Bluebell",
    "Foxglove",
    "Meadow",
    "Orchard",
    "Brook",
    "River",
    "Canal",
    "Bridge",
    "Wharf",
    "Lock",
    "Forge",
    "Foundry",
    "Factory",
    "Market",
    "Chapel",
    "Abbey",
    "Priory",
    "Castle",
    "Tower",
    "Hall",
    "Courtfield",
    "Farm",
    "Field",
    "Mead",
    "Heath",
    "Common",
    "Hill",
    "Vale",
    "Dale",
    "Valley",
    "Ridge",
    "Edge",
    "Crest",
    "Summit",
    "Western",
    "Eastern",
    "Northern",
    "Southern",
    "Central",
    "Union",
    "Jubilee",
    "Coronation",
    "Empire",
    "Regent",
    "Prince",
    "Princess",
    "Duke",
    "Earl",
    "Lord",
    "Bishop",
    "Dean",
    "Rectory",
    "Vicarage",
    "Nelson",
    "Wellington",
    "Gladstone",
    "Churchill",
    "Shakespeare",
    "Milton",
    "Chaucer",
    "Tennyson",
    "Byron",
    "Wordsworth",
    "Dickens",
    "Austen",
    "Bronte",
    "Darwin",
    "Newton",
    "Faraday",
    "Watt",
    "Boulton",
    "Murdoch",
    "Cadbury",
    "Chamberlain",
    "Attwood",
    "Lozells",
    "Handsworth",
    "Aston",
    "Nechells",
    "Saltley",
    "Washwood",
    "Erdington",
    "Kingstanding",
    "Perry",
    "Witton",
    "Yardley",
    "Acocks",
    "Sparkbrook",
    "Balsall",
    "Edgbaston",
    "Selly",
    "Bournville",
    "Northfield",
    "Longbridge",
    "Rubery",
    "Weoley",
    "Quinton",
    "Bartley",
    "Frankley",
    "Kings",
    "Hall Green",
    "Sheldon",
    "Shard End",
];

pub static STREET_SUFFIXES: &[&str] = &[
    "Road", "Road", "Road", "Street", "Street", "Avenue", "Close", "Lane", "Drive", "Grove",
    "Crescent", "Way", "Place", "Gardens", "Court", "Walk", "Terrace", "Rise", "Mews",
];

pub static WELSH_STREETS: &[&str] = &[
    "Heol y Bont",
    "Stryd Fawr",
    "Ffordd Penglais",
    "Lôn Glan Môr",
    "Maes y Deri",
    "Rhodfa'r Gogledd",
    "Heol y Wig",
    "Stryd y Bont",
    "Ffordd y Gogledd",
    "Heol Alecsandra",
    "Stryd y Popty",
    "Stryd y Baddon",
    "Rhodfa'r Môr",
    "Heol y Frenhines",
    "Ffordd Llanbadarn",
    "Heol Dinas",
    "Maes Ceiro",
    "Cefn Esgair",
    "Heol Tregaron",
    "Stryd y Farchnad",
    "Ffordd yr Orsaf",
    "Heol y Capel",
    "Lôn yr Eglwys",
    "Heol y Felin",
    "Maes yr Ysgol",
    "Bro Teifi",
    "Heol Llandysul",
    "Stryd y Cei",
    "Rhiw Goch",
    "Lôn Fach",
    "Heol Aberteifi",
    "Maes Glas",
    "Ffordd Pendinas",
    "Heol Rheidol",
    "Rhes Trefechan",
    "Heol Penparcau",
    "Bryn Hafod",
    "Maes Afallon",
    "Heol y Brenin",
    "Stryd Portland",
    "Rhes y Cambria",
    "Heol Llanon",
    "Lôn Tanyfron",
    "Ffordd Ystwyth",
    "Maes Lowri",
    "Heol Penrhyn",
    "Cae Gwyn",
    "Bryn y Môr",
    "Heol Newydd",
    "Lôn Gron",
    "Stryd y Castell",
    "Heol y Gaer",
    "Ffordd y Parc",
    "Pant y Celyn",
    "Tan y Cae",
    "Heol Dewi",
    "Maes Dewi",
    "Heol Ceredig",
    "Lôn Cilgwyn",
    "Ffordd Bryncastell",
    "Heol Cwmcou",
    "Maes Aeron",
    "Lôn Aeron",
    "Stryd Alban",
    "Heol y Llan",
    "Cwrt y Gamlas",
    "Pen y Graig",
    "Heol Glanrafon",
    "Lôn y Ffynnon",
    "Maes Hyfryd",
    "Heol Waunfawr",
    "Ffordd Comins Coch",
    "Bryn Ystwyth",
    "Heol Cefnllan",
    "Heol y Gorlan",
    "Maes Mieri",
    "Lôn Gwenog",
    "Heol Tyglyn",
    "Llys Teifi",
    "Heol Emlyn",
    "Ffordd Gogerddan",
    "Bro Cynin",
    "Heol Pontarfynach",
    "Lôn Hir",
    "Maes y Garn",
    "Heol Llwyncelyn",
    "Stryd Glyndwr",
    "Heol Dyfed",
    "Maes Maelgwn",
    "Lôn Tregerddi",
    "Heol Ffynnon Fair",
    "Bryn Rhos",
    "Cae Morfa",
    "Heol Pen y Banc",
    "Maes Ceredig",
    "Lôn Goch",
    "Heol Pantycelyn",
    "Stryd Morfa",
    "Heol y Dderwen",
    "Maes Tawel",
    "Llain y Dintir",
    "Heol Ffosyffin",
];

pub static BUILDING_NAMES: &[&str] = &[
    "Rose Cottage",
    "Bryn Awel",
    "The Old Forge",
    "Ty Newydd",
    "Glan yr Afon",
    "Pen y Bryn",
    "Ty Gwyn",
    "Hafod",
    "Brynhyfryd",
    "Ty Coch",
    "Awelfryd",
    "Bryn Teg",
    "Gwynfa",
    "Llety",
    "Maes y Coed",
    "Nant y Felin",
    "Pant Glas",
    "Penlan",
    "Tregroes",
    "Ty Isaf",
    "Ty Uchaf",
    "Yr Hen Ysgol",
    "The Old Rectory",
    "The Old Post Office",
    "Chapel House",
    "Mill House",
    "Orchard Cottage",
    "Ivy Cottage",
    "Fern Cottage",
    "Sunnyside",
    "Hillside",
    "Brookside",
    "The Willows",
    "The Laurels",
    "Glasfryn",
    "Tyn y Coed",
    "Cae Mawr",
    "Blaenwern",
    "Dolau",
    "Frongoch",
    "Bron Haul",
    "Gorwel",
    "Min y Môr",
    "Llwyn Onn",
    "Bryn Celyn",
    "Tŷ Capel",
    "Yr Hen Efail",
    "Yew Tree Cottage",
    "The Coach House",
    "Meadow View",
];

/// Streets with an English and a Welsh name, English first. In a Welsh
/// gazetteer each has two Approved Preferred LPIs, one per language (GeoPlace
/// DEC-Addresses 7.3.4.2: "an Approved Preferred LPI ... for each language
/// used"), and residents and staff write either. Several pairs are on the
/// bilingual street signs of Aberystwyth (Bridge Street / Heol y Bont, North
/// Road / Ffordd y Gogledd, Mill Street / Stryd y Felin, Market Street / Stryd
/// y Farchnad, Baker Street / Stryd y Popty, Bath Street / Stryd y Baddon,
/// Queen's Road / Ffordd y Frenhines, Portland Street / Stryd Portland); the
/// rest are the usual Welsh forms of common street names.
pub static BILINGUAL_STREETS: &[(&str, &str)] = &[
    ("High Street", "Stryd Fawr"),
    ("Bridge Street", "Heol y Bont"),
    ("Church Street", "Stryd yr Eglwys"),
    ("Station Road", "Ffordd yr Orsaf"),
    ("North Road", "Ffordd y Gogledd"),
    ("South Road", "Ffordd y De"),
    ("Chapel Street", "Stryd y Capel"),
    ("Castle Street", "Stryd y Castell"),
    ("New Street", "Stryd Newydd"),
    ("Mill Street", "Stryd y Felin"),
    ("Market Street", "Stryd y Farchnad"),
    ("Baker Street", "Stryd y Popty"),
    ("Bath Street", "Stryd y Baddon"),
    ("Queen's Road", "Ffordd y Frenhines"),
    ("Portland Street", "Stryd Portland"),
    ("Alexandra Road", "Ffordd Alexandra"),
    ("Quay Street", "Stryd y Cei"),
    ("School Road", "Ffordd yr Ysgol"),
    ("Church Road", "Ffordd yr Eglwys"),
    ("Mill Lane", "Lôn y Felin"),
    ("Chapel Lane", "Lôn y Capel"),
    ("Park Road", "Ffordd y Parc"),
    ("Hill Street", "Stryd y Bryn"),
    ("King Street", "Stryd y Brenin"),
    ("Queen Street", "Stryd y Frenhines"),
    ("Water Street", "Stryd y Dŵr"),
    ("Castle Terrace", "Rhes y Castell"),
    ("Marine Terrace", "Rhodfa'r Môr"),
];

/// Places with a Welsh form used in Welsh-language addresses (Cardigan is
/// Aberteifi; Lampeter is Llanbedr Pont Steffan). Places not listed are the
/// same in both languages.
pub static WELSH_PLACE_NAMES: &[(&str, &str)] = &[
    ("Cardigan", "Aberteifi"),
    ("Lampeter", "Llanbedr Pont Steffan"),
    ("New Quay", "Cei Newydd"),
    ("Borth", "Y Borth"),
    ("Synod Inn", "Post-mawr"),
    ("Devil's Bridge", "Pontarfynach"),
];

/// The Welsh form of a place name, or the name itself.
pub fn welsh_place(name: &str) -> &str {
    WELSH_PLACE_NAMES
        .iter()
        .find(|(en, _)| en.eq_ignore_ascii_case(name))
        .map(|(_, cy)| *cy)
        .unwrap_or(name)
}

/// What blocks of flats are called after their first word ("Oak Court",
/// "Windsor House").
pub static BLOCK_SUFFIXES: &[&str] = &[
    "Court", "Court", "Court", "House", "House", "Lodge", "Heights", "Point", "Mansions", "Place",
    "Tower",
];

/// Welsh names of blocks of flats ("Llys" is a court).
pub static WELSH_BLOCK_NAMES: &[&str] = &[
    "Llys Teifi",
    "Llys Aeron",
    "Llys Ystwyth",
    "Llys Rheidol",
    "Llys Dewi",
    "Llys y Coleg",
    "Llys Glyndwr",
    "Llys Cadfan",
    "Llys Padarn",
    "Tŷ Glan yr Afon",
    "Tŷ Ceredig",
    "Llys Hywel",
    "Llys y Felin",
    "Llys Branwen",
    "Tŷ'r Harbwr",
];

/// Street types given to new estates (closes, drives and mews, not high streets).
pub static NEW_STREET_SUFFIXES: &[&str] = &[
    "Close", "Close", "Drive", "Way", "Mews", "Gardens", "Grove", "Place", "Avenue", "Walk",
];

/// Only names reserved by RFC 2606 (the .example TLD and example.com/.net/.org),
/// so no address in the town can reach a real mailbox. (example.co.uk is not reserved.)
pub static EMAIL_DOMAINS: &[&str] = &[
    "mail.example",
    "inbox.example",
    "post.example",
    "email.example.org",
    "home.example.net",
    "webmail.example.com",
];

/// The usual written abbreviation of a street suffix ("Road" -> "Rd"), if it has one.
pub fn street_abbreviation(suffix: &str) -> Option<&'static str> {
    const ABBREVIATIONS: &[(&str, &str)] = &[
        ("Road", "Rd"),
        ("Street", "St"),
        ("Avenue", "Ave"),
        ("Close", "Cl"),
        ("Lane", "Ln"),
        ("Drive", "Dr"),
        ("Crescent", "Cres"),
        ("Gardens", "Gdns"),
        ("Place", "Pl"),
        ("Court", "Ct"),
        ("Terrace", "Terr"),
        ("Grove", "Gr"),
    ];
    ABBREVIATIONS
        .iter()
        .find(|(full, _)| full.eq_ignore_ascii_case(suffix))
        .map(|(_, short)| *short)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    fn distinct(list: &[&str]) -> usize {
        list.iter().collect::<HashSet<_>>().len()
    }

    #[test]
    fn names_have_no_stray_whitespace_and_no_empty_entries() {
        let mut all: Vec<&str> = Vec::new();
        for pool in crate::naming::all_pools() {
            all.extend(pool.names());
        }
        all.extend(STREET_STEMS);
        all.extend(WELSH_STREETS);
        all.extend(BUILDING_NAMES);
        all.extend(BLOCK_SUFFIXES);
        all.extend(WELSH_BLOCK_NAMES);
        for (en, cy) in BILINGUAL_STREETS.iter().chain(WELSH_PLACE_NAMES) {
            all.push(en);
            all.push(cy);
        }
        for n in all {
            assert!(!n.is_empty() && n.trim() == n && !n.contains("  "), "{n:?}");
        }
    }

    #[test]
    fn nicknames_are_known_for_common_names() {
        assert_eq!(nicknames("William"), ["Bill", "Will", "Billy", "Liam"]);
        for (name, nick) in [
            ("Robert", "Bob"),
            ("Elizabeth", "Betty"),
            ("Margaret", "Peggy"),
            ("Katherine", "Cathy"),
            ("Catherine", "Kate"),
            ("Mohammed", "Muhammad"),
            ("Mohammed", "Mohamed"),
            ("Dafydd", "Dai"),
            ("Siân", "Sian"),
            ("Gwenllian", "Gwen"),
        ] {
            assert!(nicknames(name).contains(&nick), "{name} -> {nick}");
        }
        assert!(nicknames("WILLIAM").contains(&"Bill"));
        assert!(nicknames("siân").contains(&"Sian"));
    }

    #[test]
    fn unknown_or_odd_names_have_no_nicknames() {
        assert!(nicknames("Zebedee").is_empty());
        assert!(nicknames("").is_empty());
        assert!(nicknames("Ŵ").is_empty());
    }

    #[test]
    fn the_nickname_table_is_large_and_never_maps_a_name_to_itself() {
        assert!(NICKNAMES.len() >= 60);
        let keys: HashSet<&str> = NICKNAMES.iter().map(|(k, _)| *k).collect();
        assert_eq!(keys.len(), NICKNAMES.len(), "a name is listed twice");
        for (k, v) in NICKNAMES {
            assert!(!v.is_empty(), "{k}");
            assert!(!v.contains(k), "{k}");
        }
    }

    #[test]
    fn street_lists_are_long_enough_and_distinct() {
        assert!(distinct(STREET_STEMS) >= 150 && distinct(STREET_STEMS) == STREET_STEMS.len());
        assert!(distinct(WELSH_STREETS) >= 100 && distinct(WELSH_STREETS) == WELSH_STREETS.len());
        assert!(distinct(BUILDING_NAMES) >= 40);
        // A stem equal to a suffix would make streets like "Grove Grove".
        for stem in STREET_STEMS {
            assert!(!STREET_SUFFIXES.contains(stem), "{stem}");
        }
    }

    #[test]
    fn email_domains_are_reserved_for_examples() {
        for d in EMAIL_DOMAINS {
            let reserved = d.ends_with(".example")
                || [".example.com", ".example.net", ".example.org"]
                    .iter()
                    .any(|r| d.ends_with(r));
            assert!(reserved, "{d} is not an RFC 2606 domain");
        }
    }

    #[test]
    fn common_suffixes_have_abbreviations() {
        assert_eq!(street_abbreviation("Road"), Some("Rd"));
        assert_eq!(street_abbreviation("GARDENS"), Some("Gdns"));
        assert_eq!(street_abbreviation("Mews"), None);
        assert_eq!(street_abbreviation(""), None);
        for s in STREET_SUFFIXES {
            if let Some(a) = street_abbreviation(s) {
                assert!(a.len() < s.len(), "{s}");
            }
        }
    }

    #[test]
    fn bilingual_streets_are_distinct_in_both_languages() {
        let en: HashSet<&str> = BILINGUAL_STREETS.iter().map(|(e, _)| *e).collect();
        let cy: HashSet<&str> = BILINGUAL_STREETS.iter().map(|(_, c)| *c).collect();
        assert_eq!(en.len(), BILINGUAL_STREETS.len());
        assert_eq!(cy.len(), BILINGUAL_STREETS.len());
        assert!(en.is_disjoint(&cy));
        assert_eq!(welsh_place("Cardigan"), "Aberteifi");
        assert_eq!(welsh_place("Aberystwyth"), "Aberystwyth");
    }
}
