//! What linkage knows about forenames beyond their spelling: short forms
//! that could stand for several names, short forms taken from a name's end,
//! and one name written the way another language writes it. Ingest already
//! maps the unambiguous nicknames to one formal form
//! (`upstream_ingest::standardise::forename`: BILL becomes WILLIAM); what is
//! here cannot be mapped without inventing a fact ("VICKY" is Victoria or
//! Vikram), so it is only allowed to fit, and the model learns how much that
//! is worth. Written from common knowledge of English, Welsh, Irish, South
//! Asian, West African and Eastern European naming in Britain, not from any
//! one source system.

use std::collections::HashMap;
use std::sync::OnceLock;
use strsim::osa_distance;
use upstream_ingest::standardise::nickname_table;

/// One forename is a short form of the other: its start ("VIK" for
/// "VIKRAM", "MEI" for "MEI LING"), a known ending ("PREET" for
/// "GURPREET"), a short form of several names ("SAMMY": Samuel or
/// Samantha), the same name in another language ("PIOTR" and "PETER"), or
/// a nickname ingest turns into its formal form ("JACK" for "JOHN", "NED"
/// for "EDWARD"). Two forenames are both formal already, so the last
/// matters where one side was not a forename field: a name typed surname
/// first ("STEINERT JACK" for Jack Steinert, whose forename became JOHN).
pub fn short_form(x: &str, y: &str) -> bool {
    let (short, long) = if x.len() <= y.len() { (x, y) } else { (y, x) };
    if short.len() >= 2 && long.starts_with(short) {
        return true;
    }
    if ENDINGS.contains(&short) && long.len() >= short.len() + 2 && long.ends_with(short) {
        return true;
    }
    let k = known();
    k.short_forms
        .get(short)
        .is_some_and(|longs| longs.contains(&long))
        || matches!((k.group.get(x), k.group.get(y)), (Some(a), Some(b)) if a == b)
        || k.forms.get(x).is_some_and(|f| f.contains(&y))
        || k.forms.get(y).is_some_and(|f| f.contains(&x))
}

/// A forename typed one letter wrong where spelling similarity cannot see
/// it: a short name ("AJY" for "AMY": three letters leave no room for a
/// slip to look small) or a nickname ("JAC" for Jack, which is John). The
/// slipped form must be far rarer in the data than the name it is a slip
/// of (`x_count`, `y_count`: records holding each), or "TOM" and "TIM",
/// "JOHN" and "JOAN", "PAUL" and "PAULA" would fit, often two people in one
/// home.
pub fn slipped(x: &str, x_count: u32, y: &str, y_count: u32) -> bool {
    let rarer = |a: u32, b: u32| a.saturating_mul(SLIP_RARITY) <= b;
    let (y_slipped, x_slipped) = (rarer(y_count, x_count), rarer(x_count, y_count));
    if !y_slipped && !x_slipped {
        return false;
    }
    let one_off = |a: &str, b: &str| {
        a.len() >= 3 && b.len() >= 3 && a.len().max(b.len()) <= 5 && osa_distance(a, b) == 1
    };
    if one_off(x, y) {
        return true;
    }
    // Either side may be the formal form and the other a slipped nickname.
    let forms = |formal: &str| known().forms.get(formal).map_or(&[][..], Vec::as_slice);
    (y_slipped && forms(x).iter().any(|f| one_off(f, y)))
        || (x_slipped && forms(y).iter().any(|f| one_off(f, x)))
}

/// How many times rarer a slipped forename must be than the name it is a
/// slip of.
const SLIP_RARITY: u32 = 20;

/// Whether a lone initial could stand for this (formal) forename: its own
/// first letter, or that of a name its holder may go by ("L" for William,
/// called Liam; "T" for Edward, called Ted; "C" for Katherine, spelt
/// Catherine).
pub fn initial_fits(initial: u8, name: &str) -> bool {
    let starts = |s: &str| s.as_bytes().first() == Some(&initial);
    let k = known();
    starts(name)
        || k.forms
            .get(name)
            .is_some_and(|f| f.iter().any(|f| starts(f)))
        || k.group
            .get(name)
            .is_some_and(|&g| SAME_NAME[g].iter().any(|f| starts(f)))
        || ENDINGS
            .iter()
            .any(|e| name.len() >= e.len() + 2 && name.ends_with(e) && starts(e))
}

/// The tables below, indexed once: pairs are compared by the million.
struct Known {
    /// Each formal form's nicknames, from ingest and from the short forms here.
    forms: HashMap<&'static str, Vec<&'static str>>,
    /// Each ambiguous short form's names.
    short_forms: HashMap<&'static str, &'static [&'static str]>,
    /// Each name's group in `SAME_NAME`.
    group: HashMap<&'static str, usize>,
}

fn known() -> &'static Known {
    static KNOWN: OnceLock<Known> = OnceLock::new();
    KNOWN.get_or_init(|| {
        let mut forms: HashMap<&'static str, Vec<&'static str>> = HashMap::new();
        for (short, longs) in AMBIGUOUS_SHORT_FORMS {
            for long in *longs {
                forms.entry(long).or_default().push(short);
            }
        }
        for (name, nicknames) in nickname_table() {
            let f = forms.entry(name).or_default();
            for n in *nicknames {
                if !f.contains(n) {
                    f.push(n);
                }
            }
        }
        let group = SAME_NAME
            .iter()
            .enumerate()
            .flat_map(|(g, names)| names.iter().map(move |n| (*n, g)))
            .collect();
        Known {
            forms,
            short_forms: AMBIGUOUS_SHORT_FORMS.iter().copied().collect(),
            group,
        }
    })
}

/// Endings that are used on their own as a short form of the whole name:
/// "PREET" (Gurpreet, Manpreet), "DEV" (Sukhdev), "KEMI" (Oluwakemi),
/// "TUNDE" (Babatunde), "LANA" (Svetlana), "LENA" (Olena, Helena). Only
/// these: a general "ends with" rule would let "ANNE" fit "LEANNE" and
/// "ELLA" fit "STELLA", often two people in one home.
const ENDINGS: &[&str] = &[
    "PREET", "DEEP", "JEET", "JIT", "DEV", "KEMI", "FEMI", "TUNDE", "EMEKA", "DELE", "MIDE",
    "NEDU", "TOPE", "SEUN", "LANA", "LENA",
];

/// Short forms that may stand for several names, and the names they may
/// stand for. Only those that are not simply the start of the name: the
/// prefix rule above already covers "CHRIS", "ALEX", "JO" and the like.
const AMBIGUOUS_SHORT_FORMS: &[(&str, &[&str])] = &[
    ("SAMMY", &["SAMUEL", "SAMANTHA"]),
    ("SANDY", &["ALEXANDER", "ALEXANDRA", "SANDRA"]),
    ("LOU", &["LOUISE", "LOUISA", "LUCY", "LUKE"]),
    ("LULU", &["LOUISE", "LUCY"]),
    ("NICKY", &["NICOLA", "NICHOLAS", "NICOLE"]),
    ("NIKKI", &["NICOLA", "NICOLE"]),
    ("JONNY", &["JONATHAN", "JOHN"]),
    ("JOHNNY", &["JONATHAN", "JOHN"]),
    ("JAKE", &["JACOB", "JACK"]),
    ("HARRY", &["HENRY", "HAROLD"]),
    ("VICKY", &["VICTORIA", "VIKRAM"]),
    ("VICKI", &["VICTORIA", "VIKRAM"]),
    ("VIKKI", &["VICTORIA", "VIKRAM"]),
    ("MILLIE", &["EMILY", "AMELIA", "MILDRED", "CAMILLA"]),
    ("MANNY", &["EMMANUEL", "MANUEL"]),
    ("NATE", &["NATHAN", "NATHANIEL"]),
    ("DREW", &["ANDREW"]),
    ("FRANK", &["FRANCIS", "FRANKLIN"]),
    ("BERNIE", &["BERNARD", "BERNADETTE"]),
    ("MARGE", &["MARGARET", "MARJORIE"]),
    ("GAZ", &["GARY", "GARETH"]),
    // Sikh men named Gurpreet or Gurdeep often go by Gary at work.
    ("GARY", &["GURPREET", "GURDEEP", "GURINDER"]),
    ("DEL", &["DEREK"]),
    ("SHELLEY", &["MICHELLE", "RACHEL"]),
    ("SHELLY", &["MICHELLE", "RACHEL"]),
    ("LIV", &["OLIVIA"]),
    ("LIVVY", &["OLIVIA"]),
    ("LIVY", &["OLIVIA"]),
    ("JESS", &["JESSICA"]),
    ("JESSIE", &["JESSICA"]),
    ("JEAN", &["JENNIFER"]),
    ("JEN", &["JENNIFER"]),
    ("JENNY", &["JENNIFER"]),
    ("AMY", &["AIMEE", "AMELIA"]),
    ("BRIDIE", &["BRIDGET"]),
    ("BIDDY", &["BRIDGET"]),
    ("SHIV", &["SIOBHAN"]),
    ("NUALA", &["FIONNUALA"]),
    ("FINOLA", &["FIONNUALA"]),
    ("BUKKY", &["BUKOLA", "OLUWABUKOLA"]),
    ("FUNMI", &["FUNMILAYO", "OLUWAFUNMILAYO"]),
    ("TEMI", &["TEMITOPE", "TEMILOLUWA"]),
    ("SUKHI", &["SUKHDEV", "SUKHJINDER", "SUKHWINDER"]),
    ("JASSI", &["JASWINDER", "JASPREET", "JASVINDER"]),
    ("SIMI", &["SIMRAN"]),
    ("RAJ", &["RAJESH", "RAJINDER", "RAJVINDER"]),
    ("KIRAN", &["KIRANJIT"]),
    ("TY", &["TYRONE", "TYLER"]),
    ("BEV", &["BEVERLEY", "BEVERLY"]),
    ("VAL", &["VALERIE"]),
    ("PAT", &["PATRICIA", "PATRICK"]),
    ("PATSY", &["PATRICIA"]),
    ("TRISH", &["PATRICIA"]),
    ("TERRY", &["TERENCE", "TERESA"]),
    ("GERRY", &["GERALD", "GERALDINE"]),
    ("JACKIE", &["JACQUELINE"]),
    ("CHARLIE", &["CHARLES", "CHARLOTTE"]),
    ("FRANKIE", &["FRANCIS", "FRANCES", "FRANCESCA"]),
    ("BILLIE", &["WILLIAM", "WILHELMINA"]),
    ("STEVIE", &["STEPHEN", "STEVEN", "STEPHANIE"]),
    ("GEORGIE", &["GEORGE", "GEORGINA"]),
    ("MO", &["MUHAMMAD", "MOHAMMED", "MAUREEN"]),
    (
        "SASHA",
        &["ALEXANDER", "ALEXANDRA", "OLEKSANDR", "OLEKSANDRA"],
    ),
    ("TANYA", &["TATIANA", "TETIANA"]),
    ("DIMA", &["DMITRI", "DMITRY"]),
    ("SVETA", &["SVETLANA"]),
    ("KASIA", &["KATARZYNA"]),
    ("GOSIA", &["MALGORZATA"]),
    ("BASIA", &["BARBARA"]),
    ("KUBA", &["JAKUB"]),
    ("TOMEK", &["TOMASZ"]),
    ("BARTEK", &["BARTOSZ"]),
    ("WOJTEK", &["WOJCIECH"]),
    ("AGA", &["AGNIESZKA"]),
    ("ASIA", &["JOANNA"]),
    ("ZOSIA", &["ZOFIA"]),
    ("TOSIA", &["ANTONINA"]),
    ("DAI", &["DAVID", "DAFYDD", "DEWI"]),
    ("GRIFF", &["GRUFFYDD", "GRIFFITH"]),
    ("LLEW", &["LLYWELYN", "LLEWELLYN"]),
    ("CERI", &["CERYS"]),
    ("LUNED", &["ELUNED"]),
    ("IOLO", &["IORWERTH"]),
];

/// One name as different languages write it, or as someone settled in
/// Britain may give it ("MATEUSZ" on a benefit claim, "MATTHEW" to the
/// council tax office). In ingest's formal forms (KATHERINE, not CATHERINE).
/// Names often given to two people in one family (JOHN and SEAN, JOHN and
/// IAN) are left out.
const SAME_NAME: &[&[&str]] = &[
    &["PETER", "PIOTR"],
    &["PAUL", "PAWEL"],
    &["MICHAEL", "MICHAL", "MIHAI"],
    &["JACOB", "JAKUB"],
    &["LUKE", "LUKASZ"],
    &["ANDREW", "ANDRZEJ", "ANDREI"],
    &["MATTHEW", "MATEUSZ"],
    &["MARK", "MAREK"],
    &["CHRISTOPHER", "KRZYSZTOF"],
    &["THOMAS", "TOMASZ", "TOMOS"],
    &["DAVID", "DAWID", "DAFYDD", "DEWI"],
    &["JOSEPH", "JOZEF"],
    &["GEORGE", "GHEORGHE"],
    &["JOHN", "ION", "SION"],
    &["WILLIAM", "GWILYM"],
    &["HUGH", "HUW"],
    &["OWEN", "OWAIN"],
    &["EVAN", "IEUAN", "IFAN"],
    &["PATRICK", "PADRAIG"],
    &["KIERAN", "CIARAN", "KIERON"],
    &["STEPHEN", "STEFAN", "STEFFAN"],
    &["JAMES", "SEAMUS"],
    &["ALEXANDER", "OLEKSANDR", "ALEKSANDR"],
    &["VICTOR", "VIKTOR"],
    &["SERGEI", "SERGEY", "SERHII"],
    &["DMITRI", "DMITRY"],
    &["USMAN", "UTHMAN", "OSMAN"],
    &["YUSUF", "YOUSEF", "YOUSSEF"],
    &["OMAR", "UMAR"],
    &["OSAMA", "USAMA"],
    &["QASIM", "KASSIM"],
    &["JAMAL", "GAMAL"],
    &["MARGARET", "MALGORZATA"],
    &["KATHERINE", "KATARZYNA", "CATRIN"],
    &["AGNES", "AGNIESZKA"],
    &["SOPHIA", "ZOFIA"],
    &["JOANNA", "IOANA"],
    &["MICHAELA", "MIHAELA"],
    &["ELENA", "OLENA"],
    &["TATIANA", "TETIANA"],
    &["NATALIA", "NATALJA", "NATALIYA"],
    &["IRINA", "IRYNA"],
    &["YASMIN", "JASMINE"],
    &["MARYAM", "MARIAM", "MIRIAM"],
    &["FATIMA", "FATUMA", "FATMA"],
    &["LAURA", "LOWRI"],
    &["ELLEN", "ELIN"],
    &["SIAN", "SHAN"],
    &["NIAMH", "NEVE"],
    &["CAOIMHE", "KEEVA"],
    &["SAOIRSE", "SEERSHA"],
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_forms_fit_their_names_only() {
        assert!(short_form("VIK", "VIKRAM"));
        assert!(short_form("SAMANTHA", "SAMMY"));
        assert!(short_form("PREET", "GURPREET"));
        assert!(short_form("KEMI", "OLUWAKEMI"));
        assert!(short_form("HARRY", "HAROLD"));
        assert!(short_form("VICKY", "VIKRAM"));
        assert!(short_form("MATEUSZ", "MATTHEW"));
        assert!(short_form("MATTHEW", "MATEUSZ"));
        // An ending that is not a known short form does not fit.
        assert!(!short_form("ANNE", "LEANNE"));
        assert!(!short_form("ELLA", "STELLA"));
        // A known ending must leave something before it.
        assert!(!short_form("PREET", "APREET"));
        assert!(!short_form("HARRY", "HENRIETTA"));
        assert!(!short_form("JOHN", "SEAN"));
        // A nickname ingest maps to one formal name fits it, either way
        // round; not another name.
        assert!(short_form("JOHN", "JACK"));
        assert!(short_form("NED", "EDWARD"));
        assert!(!short_form("JACK", "JAMES"));
    }

    #[test]
    fn slips_in_short_names_and_nicknames() {
        assert!(slipped("AMY", 300, "AJY", 1));
        assert!(slipped("JOHN", 900, "JAC", 2));
        assert!(slipped("JACCK", 1, "JOHN", 900));
        assert!(slipped("BEH", 1, "BENJAMIN", 200));
        // Two real names a letter apart are two people.
        assert!(!slipped("TOM", 400, "TIM", 300));
        assert!(!slipped("JOHN", 900, "JOAN", 300));
        // Two letters wrong, or too short to tell, is not a slip.
        assert!(!slipped("AMY", 300, "ABE", 1));
        assert!(!slipped("JO", 300, "JA", 1));
        assert!(!slipped("JOHN", 900, "JANE", 1));
    }

    #[test]
    fn an_initial_fits_the_names_its_holder_goes_by() {
        assert!(initial_fits(b'W', "WILLIAM"));
        assert!(initial_fits(b'L', "WILLIAM"));
        assert!(initial_fits(b'B', "WILLIAM"));
        assert!(initial_fits(b'T', "EDWARD"));
        assert!(initial_fits(b'C', "KATHERINE"));
        assert!(initial_fits(b'D', "SUKHDEV"));
        assert!(initial_fits(b'M', "EMMANUEL"));
        assert!(!initial_fits(b'P', "MATTHEW"));
        assert!(!initial_fits(b'Z', "WILLIAM"));
    }
}
