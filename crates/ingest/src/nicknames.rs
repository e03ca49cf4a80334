//! English nicknames, short forms and common variant spellings of forenames,
//! each mapped to one formal form, so "Bill" in one system and "William" in
//! another compare equal. Written from common knowledge, not from any one
//! source system.
//!
//! Deliberately absent: short forms shared by men's and women's names (ALEX,
//! SAM, CHRIS, JO, FRANKIE, CHARLIE, BILLIE, NICKY, TERRY, PAT, JACKIE, GERRY,
//! JAN, VAL, SANDY, KIM, LOU, NAT, FRAN, STEVIE, GEORGIE) and short forms of
//! several different names (HARRY: Henry or Harold; BERT: Albert, Herbert or
//! Robert; VICKY: Victoria or Vikram; ELLIE, NELL, SALLY), because mapping
//! them would invent a fact. Linkage still lets those fit their names.

use std::collections::HashMap;
use std::sync::OnceLock;

/// Each formal form with its nicknames, short forms and variant spellings.
pub(super) const TABLE: &[(&str, &[&str])] = &[
    // Men's names.
    (
        "WILLIAM",
        &["BILL", "BILLY", "WILL", "WILLY", "WILLIE", "LIAM"],
    ),
    ("ROBERT", &["BOB", "BOBBY", "ROB", "ROBBIE", "ROBBY", "RAB"]),
    ("JAMES", &["JIM", "JIMMY", "JIMMIE", "JAMIE"]),
    ("JOHN", &["JOHNNY", "JOHNNIE", "JACK"]),
    ("DAVID", &["DAVE", "DAVY", "DAVIE", "DAI"]),
    (
        "MICHAEL",
        &["MIKE", "MIKEY", "MICK", "MICKY", "MICKEY", "MICHEAL"],
    ),
    ("THOMAS", &["TOM", "TOMMY", "TOMMIE"]),
    ("DANIEL", &["DAN", "DANNY"]),
    ("STEPHEN", &["STEVE", "STEVEN"]),
    ("ANTHONY", &["TONY", "ANTONY"]),
    ("NICHOLAS", &["NICK", "NICOLAS"]),
    (
        "RICHARD",
        &["RICH", "RICK", "RICKY", "RICHIE", "DICK", "DICKY"],
    ),
    ("EDWARD", &["ED", "EDDIE", "EDDY", "TED", "TEDDY", "NED"]),
    ("CHARLES", &["CHAS", "CHUCK"]),
    ("FREDERICK", &["FRED", "FREDDIE", "FREDDY", "FREDRICK"]),
    ("ANDREW", &["ANDY"]),
    ("PETER", &["PETE"]),
    ("PATRICK", &["PADDY"]),
    ("TIMOTHY", &["TIM", "TIMMY"]),
    ("PHILIP", &["PHIL", "PHILLIP"]),
    ("MATTHEW", &["MATT", "MATTY", "MAT", "MATHEW"]),
    ("JOSEPH", &["JOE", "JOEY"]),
    ("BENJAMIN", &["BEN", "BENNY"]),
    ("KENNETH", &["KEN", "KENNY"]),
    ("RAYMOND", &["RAY"]),
    ("RONALD", &["RON", "RONNIE"]),
    ("DONALD", &["DON", "DONNIE"]),
    ("LEONARD", &["LEN", "LENNY"]),
    ("ALFRED", &["ALF", "ALFIE"]),
    ("ARTHUR", &["ARTIE"]),
    ("ALEXANDER", &["ALEC"]),
    ("CHRISTOPHER", &["KIT"]),
    ("GREGORY", &["GREG"]),
    ("DOUGLAS", &["DOUG"]),
    ("LAWRENCE", &["LARRY", "LAURENCE"]),
    ("GEOFFREY", &["GEOFF"]),
    ("JEFFREY", &["JEFF", "JEFFERY"]),
    ("GRAHAM", &["GRAHAME", "GRAEME"]),
    ("BRIAN", &["BRYAN"]),
    ("NEIL", &["NEAL"]),
    ("SEAN", &["SHAUN", "SHAWN"]),
    ("MARK", &["MARC"]),
    ("DOMINIC", &["DOM"]),
    ("JOSHUA", &["JOSH"]),
    ("ZACHARY", &["ZAC", "ZACK", "ZAK"]),
    ("OLIVER", &["OLLIE", "OLLY"]),
    ("VINCENT", &["VINCE", "VINNY"]),
    ("NORMAN", &["NORM"]),
    ("REGINALD", &["REG", "REGGIE"]),
    ("STANLEY", &["STAN"]),
    ("ABRAHAM", &["ABE"]),
    ("GERARD", &["GED"]),
    ("EUGENE", &["GENE"]),
    ("WALTER", &["WALT", "WALLY"]),
    ("WILFRED", &["WILF"]),
    ("ERNEST", &["ERNIE"]),
    ("HERBERT", &["HERB", "HERBIE"]),
    ("GARY", &["GARRY"]),
    ("DEREK", &["DERRICK"]),
    ("STUART", &["STEWART"]),
    ("IAN", &["IAIN"]),
    ("ALAN", &["ALLAN", "ALLEN"]),
    // Transliterations of Arabic names.
    (
        "MUHAMMAD",
        &[
            "MOHAMED", "MOHAMMAD", "MOHAMMED", "MUHAMMED", "MUHAMAD", "MOHAMAD", "MOHAMUD", "MOHD",
        ],
    ),
    ("AHMED", &["AHMAD", "AHMET"]),
    ("MUSTAFA", &["MUSTAPHA"]),
    ("YUSUF", &["YOUSUF", "YUSSUF"]),
    // Women's names.
    (
        "KATHERINE",
        &[
            "KATE",
            "KATIE",
            "KATY",
            "KATHY",
            "KAT",
            "CATH",
            "CATHY",
            "KITTY",
            "CATHERINE",
            "CATHARINE",
            "KATHARINE",
            "KATHRYN",
            "CATHRYN",
        ],
    ),
    (
        "ELIZABETH",
        &[
            "LIZ",
            "LIZZIE",
            "LIZZY",
            "BETH",
            "BETTY",
            "BETSY",
            "BESS",
            "BESSIE",
            "LIBBY",
            "ELIZA",
            "ELISABETH",
        ],
    ),
    ("SUSAN", &["SUE", "SUSIE", "SUZIE", "SUZY"]),
    (
        "MARGARET",
        &["MAGGIE", "MEG", "PEGGY", "PEG", "MAGS", "MADGE"],
    ),
    ("JENNIFER", &["JENNY", "JENNIE", "JENNI", "JEN"]),
    ("REBECCA", &["BECKY", "BECKIE", "BECCA"]),
    ("DEBORAH", &["DEBBIE", "DEBBY", "DEB", "DEBRA"]),
    ("AMANDA", &["MANDY"]),
    ("VICTORIA", &["TORI"]),
    ("PATRICIA", &["PATSY", "PATTY", "TRISH", "TRISHA", "TRICIA"]),
    ("BARBARA", &["BARB", "BABS"]),
    ("JACQUELINE", &["JACQUI"]),
    ("DOROTHY", &["DOT", "DOTTIE", "DOLLY"]),
    ("ABIGAIL", &["ABBY", "ABBIE", "ABI"]),
    ("CHARLOTTE", &["LOTTIE"]),
    ("GILLIAN", &["GILL"]),
    ("JESSICA", &["JESS"]),
    ("JOSEPHINE", &["JOSIE"]),
    ("PAMELA", &["PAM"]),
    ("PENELOPE", &["PENNY"]),
    ("THERESA", &["TESS", "TERESA"]),
    ("ANNE", &["ANN", "ANNIE"]),
    ("JUDITH", &["JUDY"]),
    ("SARAH", &["SARA"]),
    ("CLAIRE", &["CLARE"]),
    ("TRACY", &["TRACEY"]),
    ("STEPHANIE", &["STEPH"]),
    ("HARRIET", &["HATTIE"]),
    ("FLORENCE", &["FLO", "FLOSSIE"]),
    ("ANGELA", &["ANGIE"]),
    ("PRISCILLA", &["CILLA"]),
];

/// The formal form of an upper-case forename token, if it is a known
/// nickname or variant spelling.
pub(super) fn formal(token: &str) -> Option<&'static str> {
    static FORMAL: OnceLock<HashMap<&'static str, &'static str>> = OnceLock::new();
    FORMAL
        .get_or_init(|| {
            TABLE
                .iter()
                .flat_map(|(formal, forms)| forms.iter().map(move |f| (*f, *formal)))
                .collect()
        })
        .get(token)
        .copied()
}

#[cfg(test)]
mod tests {
    use super::formal;

    #[test]
    fn known_forms_map_and_formal_forms_are_fixed_points() {
        assert_eq!(formal("BILL"), Some("WILLIAM"));
        assert_eq!(formal("MOHAMED"), Some("MUHAMMAD"));
        assert_eq!(formal("CATHERINE"), Some("KATHERINE"));
        // A formal form never maps on, so applying the table twice is harmless.
        for t in ["WILLIAM", "MUHAMMAD", "KATHERINE", "ELIZABETH", "STEPHEN"] {
            assert_eq!(formal(t), None, "{t}");
        }
    }

    #[test]
    fn ambiguous_short_forms_are_left_alone() {
        for t in [
            "ALEX", "SAM", "CHRIS", "JO", "FRANKIE", "CHARLIE", "BILLIE", "NICKY", "TERRY", "PAT",
            "JACKIE", "HARRY", "VICKY",
        ] {
            assert_eq!(formal(t), None, "{t}");
        }
    }

    #[test]
    fn no_formal_form_is_itself_a_nickname() {
        // Chains (A -> B -> C) would make the result depend on how often
        // the table is applied.
        let samples = [
            "BILL", "BOB", "JIM", "JACK", "DAVE", "MIKE", "TOM", "DAN", "STEVE", "TONY", "NICK",
            "RICK", "TED", "FRED", "ANDY", "KATE", "LIZ", "SUE", "MEG", "JENNY", "BECKY", "DEBBIE",
            "MANDY", "TORI", "MOHD", "AHMAD", "ANN", "TERESA", "GRAEME", "IAIN",
        ];
        for s in samples {
            let f = formal(s).unwrap_or_default();
            assert!(!f.is_empty(), "{s} should map");
            assert_eq!(formal(f), None, "{s} -> {f} maps again");
        }
    }
}
