//! English nicknames, short forms and common variant spellings of forenames,
//! each mapped to one formal form, so "Bill" in one system and "William" in
//! another compare equal. Written from common knowledge, not from any one
//! source system.
//!
//! Deliberately absent: short forms shared by men's and women's names (ALEX,
//! SAM, CHRIS, JO, FRANKIE, CHARLIE, BILLIE, NICKY, TERRY, PAT, JACKIE, GERRY,
//! JAN, VAL, SANDY, KIM, LOU, NAT, FRAN, STEVIE, GEORGIE) and short forms of
//! several different names (HARRY: Henry or Harold; BERT: Albert, Herbert or
//! Robert; ELLIE, NELL, SALLY), because mapping them would invent a fact.

/// The formal form of an upper-case forename token, if it is a known
/// nickname or variant spelling.
pub(super) fn formal(token: &str) -> Option<&'static str> {
    Some(match token {
        // Men's names.
        "BILL" | "BILLY" | "WILL" | "WILLY" | "WILLIE" | "LIAM" => "WILLIAM",
        "BOB" | "BOBBY" | "ROB" | "ROBBIE" | "ROBBY" | "RAB" => "ROBERT",
        "JIM" | "JIMMY" | "JIMMIE" | "JAMIE" => "JAMES",
        "JOHNNY" | "JOHNNIE" | "JACK" => "JOHN",
        "DAVE" | "DAVY" | "DAVIE" | "DAI" => "DAVID",
        "MIKE" | "MIKEY" | "MICK" | "MICKY" | "MICKEY" | "MICHEAL" => "MICHAEL",
        "TOM" | "TOMMY" | "TOMMIE" => "THOMAS",
        "DAN" | "DANNY" => "DANIEL",
        "STEVE" | "STEVEN" => "STEPHEN",
        "TONY" | "ANTONY" => "ANTHONY",
        "NICK" | "NICOLAS" => "NICHOLAS",
        "RICH" | "RICK" | "RICKY" | "RICHIE" | "DICK" | "DICKY" => "RICHARD",
        "ED" | "EDDIE" | "EDDY" | "TED" | "TEDDY" | "NED" => "EDWARD",
        "CHAS" | "CHUCK" => "CHARLES",
        "FRED" | "FREDDIE" | "FREDDY" | "FREDRICK" => "FREDERICK",
        "ANDY" => "ANDREW",
        "PETE" => "PETER",
        "PADDY" => "PATRICK",
        "TIM" | "TIMMY" => "TIMOTHY",
        "PHIL" | "PHILLIP" => "PHILIP",
        "MATT" | "MATTY" | "MAT" | "MATHEW" => "MATTHEW",
        "JOE" | "JOEY" => "JOSEPH",
        "BEN" | "BENNY" => "BENJAMIN",
        "KEN" | "KENNY" => "KENNETH",
        "RAY" => "RAYMOND",
        "RON" | "RONNIE" => "RONALD",
        "DON" | "DONNIE" => "DONALD",
        "LEN" | "LENNY" => "LEONARD",
        "ALF" | "ALFIE" => "ALFRED",
        "ARTIE" => "ARTHUR",
        "ALEC" => "ALEXANDER",
        "KIT" => "CHRISTOPHER",
        "GREG" => "GREGORY",
        "DOUG" => "DOUGLAS",
        "LARRY" | "LAURENCE" => "LAWRENCE",
        "GEOFF" => "GEOFFREY",
        "JEFF" | "JEFFERY" => "JEFFREY",
        "GRAHAME" | "GRAEME" => "GRAHAM",
        "BRYAN" => "BRIAN",
        "NEAL" => "NEIL",
        "SHAUN" | "SHAWN" => "SEAN",
        "MARC" => "MARK",
        "DOM" => "DOMINIC",
        "JOSH" => "JOSHUA",
        "ZAC" | "ZACK" | "ZAK" => "ZACHARY",
        "OLLIE" | "OLLY" => "OLIVER",
        "VINCE" | "VINNY" => "VINCENT",
        "NORM" => "NORMAN",
        "REG" | "REGGIE" => "REGINALD",
        "STAN" => "STANLEY",
        "ABE" => "ABRAHAM",
        "GED" => "GERARD",
        "GENE" => "EUGENE",
        "WALT" | "WALLY" => "WALTER",
        "WILF" => "WILFRED",
        "ERNIE" => "ERNEST",
        "HERB" | "HERBIE" => "HERBERT",
        "GARRY" => "GARY",
        "DERRICK" => "DEREK",
        "STEWART" => "STUART",
        "IAIN" => "IAN",
        "ALLAN" | "ALLEN" => "ALAN",
        // Transliterations of Arabic names.
        "MOHAMED" | "MOHAMMAD" | "MOHAMMED" | "MUHAMMED" | "MUHAMAD" | "MOHAMAD" | "MOHAMUD"
        | "MOHD" => "MUHAMMAD",
        "AHMAD" | "AHMET" => "AHMED",
        "MUSTAPHA" => "MUSTAFA",
        "YOUSUF" | "YUSSUF" => "YUSUF",
        // Women's names.
        "KATE" | "KATIE" | "KATY" | "KATHY" | "KAT" | "CATH" | "CATHY" | "KITTY" | "CATHERINE"
        | "CATHARINE" | "KATHARINE" | "KATHRYN" | "CATHRYN" => "KATHERINE",
        "LIZ" | "LIZZIE" | "LIZZY" | "BETH" | "BETTY" | "BETSY" | "BESS" | "BESSIE" | "LIBBY"
        | "ELIZA" | "ELISABETH" => "ELIZABETH",
        "SUE" | "SUSIE" | "SUZIE" | "SUZY" => "SUSAN",
        "MAGGIE" | "MEG" | "PEGGY" | "PEG" | "MAGS" | "MADGE" => "MARGARET",
        "JENNY" | "JENNIE" | "JENNI" | "JEN" => "JENNIFER",
        "BECKY" | "BECKIE" | "BECCA" => "REBECCA",
        "DEBBIE" | "DEBBY" | "DEB" | "DEBRA" => "DEBORAH",
        "MANDY" => "AMANDA",
        "VICKY" | "VICKI" | "VIKKI" | "TORI" => "VICTORIA",
        "PATSY" | "PATTY" | "TRISH" | "TRISHA" | "TRICIA" => "PATRICIA",
        "BARB" | "BABS" => "BARBARA",
        "JACQUI" => "JACQUELINE",
        "DOT" | "DOTTIE" | "DOLLY" => "DOROTHY",
        "ABBY" | "ABBIE" | "ABI" => "ABIGAIL",
        "LOTTIE" => "CHARLOTTE",
        "GILL" => "GILLIAN",
        "JESS" => "JESSICA",
        "JOSIE" => "JOSEPHINE",
        "PAM" => "PAMELA",
        "PENNY" => "PENELOPE",
        "TESS" | "TERESA" => "THERESA",
        "ANN" | "ANNIE" => "ANNE",
        "JUDY" => "JUDITH",
        "SARA" => "SARAH",
        "CLARE" => "CLAIRE",
        "TRACEY" => "TRACY",
        "STEPH" => "STEPHANIE",
        "HATTIE" => "HARRIET",
        "FLO" | "FLOSSIE" => "FLORENCE",
        "ANGIE" => "ANGELA",
        "CILLA" => "PRISCILLA",
        _ => return None,
    })
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
            "JACKIE", "HARRY",
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
            "MANDY", "VICKY", "MOHD", "AHMAD", "ANN", "TERESA", "GRAEME", "IAIN",
        ];
        for s in samples {
            let f = formal(s).unwrap_or_default();
            assert!(!f.is_empty(), "{s} should map");
            assert_eq!(formal(f), None, "{s} -> {f} maps again");
        }
    }
}
