//! Placing addresses on a hand-made gazetteer: a few streets of Birmingham
//! and of Ceredigion, written as an LLPG holds them, and addresses written
//! the ways people, forms, PAF-based systems and call-centre notes write
//! them.

mod fixture {
    use upstream_address::{Aon, Gazetteer, Language, LogicalStatus, Lpi};

    pub struct Street {
        pub name: &'static str,
        pub usrn: u32,
        pub locality: Option<&'static str>,
        pub town: &'static str,
        pub admin: &'static str,
        pub language: Language,
    }

    pub const WARWICK_ROAD: Street = Street {
        name: "WARWICK ROAD",
        usrn: 2700101,
        locality: Some("ACOCKS GREEN"),
        town: "BIRMINGHAM",
        admin: "BIRMINGHAM",
        language: Language::Eng,
    };
    pub const OAK_ROAD: Street = Street {
        name: "OAK ROAD",
        usrn: 2700102,
        ..WARWICK_ROAD
    };
    pub const OAK_AVENUE: Street = Street {
        name: "OAK AVENUE",
        usrn: 2700103,
        ..WARWICK_ROAD
    };
    pub const LOZELLS_CLOSE: Street = Street {
        name: "LOZELLS CLOSE",
        usrn: 2700104,
        ..WARWICK_ROAD
    };
    /// An LLPG that leaves this street's locality blank.
    pub const GREEN_LANE: Street = Street {
        name: "GREEN LANE",
        usrn: 2700110,
        locality: None,
        ..WARWICK_ROAD
    };
    pub const YARDLEY_ROAD: Street = Street {
        name: "YARDLEY ROAD",
        usrn: 2500105,
        ..WARWICK_ROAD
    };
    pub const ST_MARYS_ROAD: Street = Street {
        name: "ST MARYS ROAD",
        usrn: 1700106,
        locality: Some("HARBORNE"),
        ..WARWICK_ROAD
    };
    pub const HIGH_STREET_HARBORNE: Street = Street {
        name: "HIGH STREET",
        usrn: 1700107,
        locality: Some("HARBORNE"),
        ..WARWICK_ROAD
    };
    pub const HIGH_STREET_ASTON: Street = Street {
        name: "HIGH STREET",
        usrn: 600108,
        locality: Some("ASTON"),
        ..WARWICK_ROAD
    };
    pub const MOSELEY_ROAD: Street = Street {
        name: "MOSELEY ROAD",
        usrn: 1200109,
        locality: Some("BALSALL HEATH"),
        ..WARWICK_ROAD
    };

    pub const BRIDGE_STREET: Street = Street {
        name: "BRIDGE STREET",
        usrn: 40000001,
        locality: None,
        town: "ABERYSTWYTH",
        admin: "CEREDIGION",
        language: Language::Eng,
    };
    pub const HEOL_Y_BONT: Street = Street {
        name: "HEOL Y BONT",
        language: Language::Cym,
        ..BRIDGE_STREET
    };
    pub const LON_CAE_NEWYDD: Street = Street {
        name: "LÔN CAE NEWYDD",
        usrn: 40000002,
        language: Language::Cym,
        ..BRIDGE_STREET
    };
    pub const LON_CAE_NEWYDD_ENG: Street = Street {
        name: "LON CAE NEWYDD",
        language: Language::Eng,
        ..LON_CAE_NEWYDD
    };
    pub const NORTH_PARADE: Street = Street {
        name: "NORTH PARADE",
        usrn: 40000003,
        ..BRIDGE_STREET
    };
    pub const HEOL_ALBAN: Street = Street {
        name: "HEOL ALBAN",
        usrn: 40000004,
        town: "LLANON",
        ..BRIDGE_STREET
    };
    pub const ALBAN_SQUARE: Street = Street {
        name: "ALBAN SQUARE",
        usrn: 40000005,
        town: "ABERAERON",
        ..BRIDGE_STREET
    };
    pub const MASONS_ROAD: Street = Street {
        name: "MASONS ROAD",
        usrn: 40000006,
        town: "ABERAERON",
        ..BRIDGE_STREET
    };

    /// UPRNs the tests refer to.
    pub mod uprn {
        pub const WARWICK: u64 = 100070001000;
        pub const WARWICK_21_SHELL: u64 = 100070001021;
        pub const WARWICK_21_GROUND: u64 = 100070001121;
        pub const WARWICK_21_FIRST: u64 = 100070001221;
        pub const OAK_ROAD: u64 = 100070002000;
        pub const OAK_AVENUE: u64 = 100070003000;
        pub const LOZELLS: u64 = 100070004000;
        pub const YARDLEY: u64 = 100070005000;
        pub const GREEN_LANE: u64 = 100070005500;
        pub const ST_MARYS: u64 = 100070006000;
        pub const ST_MARYS_12A: u64 = 100070006112;
        pub const ST_MARYS_14_SHELL: u64 = 100070006014;
        pub const ST_MARYS_14_FLAT_A: u64 = 100070006114;
        pub const ST_MARYS_14_FLAT_B: u64 = 100070006214;
        pub const OLD_VICARAGE: u64 = 100070006500;
        pub const HIGH_HARBORNE: u64 = 100070007000;
        pub const HIGH_ASTON: u64 = 100070008000;
        pub const MOSELEY: u64 = 100070009000;
        pub const OAK_COURT_SHELL: u64 = 100070009005;
        pub const OAK_COURT_FLAT: u64 = 100070009100;
        pub const ROSE_HOUSE_SHELL: u64 = 100070009200;
        pub const ROSE_HOUSE_FLAT: u64 = 100070009200;
        pub const BRIDGE: u64 = 10009001000;
        pub const CAE_NEWYDD: u64 = 10009002000;
        pub const NORTH_PARADE: u64 = 10009003000;
        pub const NORTH_PARADE_10_12: u64 = 10009003010;
        pub const NORTH_PARADE_22_SHELL: u64 = 10009003022;
        pub const NORTH_PARADE_22_FLAT: u64 = 10009003100;
        pub const TY_GWYN: u64 = 10009004001;
        pub const BRYN_AWEL: u64 = 10009004002;
        pub const ROSE_COTTAGE_LLANON: u64 = 10009004003;
        pub const ASHFIELDS: u64 = 10009004004;
        pub const ASHFIELDS_ANNEXE: u64 = 10009004104;
        pub const HEOL_ALBAN: u64 = 10009004010;
        pub const ALBAN_SQUARE: u64 = 10009005000;
        pub const ROSE_COTTAGE_ABERAERON: u64 = 10009005100;
    }

    pub fn lpi(uprn: u64, sao: Aon, pao: Aon, street: &Street, postcode: &str, class: &str) -> Lpi {
        let n = match street.language {
            Language::Eng => 1,
            Language::Cym => 2,
        };
        Lpi {
            lpi_key: format!("{uprn}L{n}"),
            uprn,
            parent_uprn: None,
            usrn: Some(street.usrn),
            sao,
            pao,
            street: street.name.to_string(),
            locality: street.locality.map(str::to_string),
            town: Some(street.town.to_string()),
            administrative_area: Some(street.admin.to_string()),
            postcode: Some(postcode.to_string()),
            x: None,
            y: None,
            logical_status: LogicalStatus::Approved,
            classification: class.to_string(),
            language: street.language,
        }
    }

    pub fn house(uprn: u64, n: u16, street: &Street, postcode: &str) -> Lpi {
        lpi(
            uprn,
            Aon::default(),
            Aon::number(n),
            street,
            postcode,
            "RD04",
        )
    }

    pub fn named(uprn: u64, name: &str, street: &Street, postcode: &str) -> Lpi {
        lpi(
            uprn,
            Aon::default(),
            Aon::text(name),
            street,
            postcode,
            "RD02",
        )
    }

    fn flat(uprn: u64, parent: u64, sao: Aon, pao: Aon, street: &Street, postcode: &str) -> Lpi {
        Lpi {
            parent_uprn: Some(parent),
            ..lpi(uprn, sao, pao, street, postcode, "RD06")
        }
    }

    fn shell(uprn: u64, pao: Aon, street: &Street, postcode: &str) -> Lpi {
        lpi(uprn, Aon::default(), pao, street, postcode, "PP")
    }

    pub fn lpis() -> Vec<Lpi> {
        let mut v: Vec<Lpi> = Vec::new();

        // Warwick Road, Acocks Green: a terrace; odd and even sides have
        // their own postcodes, as is usual on a long road. Number 21 was
        // converted into a ground-floor and a first-floor flat, unnumbered.
        for n in 1..=20 {
            let pc = if n % 2 == 1 { "B27 6AA" } else { "B27 6AB" };
            v.push(house(uprn::WARWICK + u64::from(n), n, &WARWICK_ROAD, pc));
        }
        v.push(shell(
            uprn::WARWICK_21_SHELL,
            Aon::number(21),
            &WARWICK_ROAD,
            "B27 6AA",
        ));
        for (uprn, text) in [
            (uprn::WARWICK_21_GROUND, "GROUND FLOOR FLAT"),
            (uprn::WARWICK_21_FIRST, "FIRST FLOOR FLAT"),
        ] {
            v.push(flat(
                uprn,
                uprn::WARWICK_21_SHELL,
                Aon::text(text),
                Aon::number(21),
                &WARWICK_ROAD,
                "B27 6AA",
            ));
        }

        // Oak Road and Oak Avenue: two streets of one name in one place.
        // 3 Oak Road has a name as well as a number.
        for n in 1..=10 {
            let mut l = house(uprn::OAK_ROAD + u64::from(n), n, &OAK_ROAD, "B27 7AA");
            if n == 3 {
                l.pao.text = Some("IVY COTTAGE".into());
            }
            v.push(l);
            v.push(house(
                uprn::OAK_AVENUE + u64::from(n),
                n,
                &OAK_AVENUE,
                "B27 7AB",
            ));
        }

        // Lozells Close: no 14 (never built); 17 is a new build, still
        // provisional.
        for n in (1..=16).filter(|n| *n != 14) {
            v.push(house(
                uprn::LOZELLS + u64::from(n),
                n,
                &LOZELLS_CLOSE,
                "B27 7BD",
            ));
        }
        v.push(Lpi {
            logical_status: LogicalStatus::Provisional,
            ..house(uprn::LOZELLS + 17, 17, &LOZELLS_CLOSE, "B27 7BD")
        });

        // Green Lane: a street type that begins a name.
        for n in 1..=6 {
            v.push(house(
                uprn::GREEN_LANE + u64::from(n),
                n,
                &GREEN_LANE,
                "B27 7BE",
            ));
        }

        // Yardley Road: recoded from B27 6LR to B25 8AA; records still
        // carry the old postcode.
        for n in 1..=8 {
            v.push(house(
                uprn::YARDLEY + u64::from(n),
                n,
                &YARDLEY_ROAD,
                "B25 8AA",
            ));
        }

        // St Marys Road, Harborne: 12A is a house of its own (infill), 14
        // is two flats lettered A and B in a shell, and the Old Vicarage
        // was demolished (historical).
        for n in 1..=12 {
            v.push(house(
                uprn::ST_MARYS + u64::from(n),
                n,
                &ST_MARYS_ROAD,
                "B17 0AA",
            ));
        }
        v.push(lpi(
            uprn::ST_MARYS_12A,
            Aon::default(),
            Aon {
                start_number: Some(12),
                start_suffix: Some('A'),
                ..Aon::default()
            },
            &ST_MARYS_ROAD,
            "B17 0AA",
            "RD02",
        ));
        v.push(shell(
            uprn::ST_MARYS_14_SHELL,
            Aon::number(14),
            &ST_MARYS_ROAD,
            "B17 0AA",
        ));
        for (uprn, text) in [
            (uprn::ST_MARYS_14_FLAT_A, "FLAT A"),
            (uprn::ST_MARYS_14_FLAT_B, "FLAT B"),
        ] {
            v.push(flat(
                uprn,
                uprn::ST_MARYS_14_SHELL,
                Aon::text(text),
                Aon::number(14),
                &ST_MARYS_ROAD,
                "B17 0AA",
            ));
        }
        v.push(Lpi {
            logical_status: LogicalStatus::Historical,
            ..named(
                uprn::OLD_VICARAGE,
                "THE OLD VICARAGE",
                &ST_MARYS_ROAD,
                "B17 0AA",
            )
        });

        // Two High Streets in one city.
        for n in 1..=20 {
            v.push(house(
                uprn::HIGH_HARBORNE + u64::from(n),
                n,
                &HIGH_STREET_HARBORNE,
                "B17 9NE",
            ));
            v.push(house(
                uprn::HIGH_ASTON + u64::from(n),
                n,
                &HIGH_STREET_ASTON,
                "B6 4AA",
            ));
        }

        // Moseley Road: Oak Court, a numbered block of six flats; Rose
        // House, a named block of four; and a shop at 7.
        for n in [1, 3, 9] {
            v.push(house(
                uprn::MOSELEY + u64::from(n),
                n,
                &MOSELEY_ROAD,
                "B12 0AA",
            ));
        }
        v.push(lpi(
            uprn::MOSELEY + 7,
            Aon::default(),
            Aon::number(7),
            &MOSELEY_ROAD,
            "B12 0AA",
            "CR",
        ));
        let oak_court = Aon {
            text: Some("OAK COURT".into()),
            ..Aon::number(5)
        };
        v.push(shell(
            uprn::OAK_COURT_SHELL,
            oak_court.clone(),
            &MOSELEY_ROAD,
            "B12 0AA",
        ));
        for n in 1..=6 {
            v.push(flat(
                uprn::OAK_COURT_FLAT + u64::from(n),
                uprn::OAK_COURT_SHELL,
                Aon::number(n),
                oak_court.clone(),
                &MOSELEY_ROAD,
                "B12 0AA",
            ));
        }
        v.push(shell(
            uprn::ROSE_HOUSE_SHELL,
            Aon::text("ROSE HOUSE"),
            &MOSELEY_ROAD,
            "B12 0AB",
        ));
        for n in 1..=4u16 {
            v.push(flat(
                uprn::ROSE_HOUSE_FLAT + u64::from(n),
                uprn::ROSE_HOUSE_SHELL,
                Aon::text(&format!("FLAT {n}")),
                Aon::text("ROSE HOUSE"),
                &MOSELEY_ROAD,
                "B12 0AB",
            ));
        }

        // Aberystwyth: Bridge Street has an English and a Welsh LPI for
        // every property; Lôn Cae Newydd has only a Welsh name, exported
        // with and without its circumflex.
        for n in 1..=20 {
            let u = uprn::BRIDGE + u64::from(n);
            v.push(house(u, n, &BRIDGE_STREET, "SY23 1PZ"));
            v.push(house(u, n, &HEOL_Y_BONT, "SY23 1PZ"));
        }
        for n in 1..=8 {
            let u = uprn::CAE_NEWYDD + u64::from(n);
            v.push(house(u, n, &LON_CAE_NEWYDD, "SY23 3JZ"));
            v.push(house(u, n, &LON_CAE_NEWYDD_ENG, "SY23 3JZ"));
        }

        // North Parade: houses, a shop over two plots (10-12), and two
        // flats over the shop at 22.
        for n in (1..=9).chain([24]) {
            v.push(house(
                uprn::NORTH_PARADE + u64::from(n),
                n,
                &NORTH_PARADE,
                "SY23 2JN",
            ));
        }
        v.push(lpi(
            uprn::NORTH_PARADE_10_12,
            Aon::default(),
            Aon {
                end_number: Some(12),
                ..Aon::number(10)
            },
            &NORTH_PARADE,
            "SY23 2JN",
            "CR",
        ));
        v.push(shell(
            uprn::NORTH_PARADE_22_SHELL,
            Aon::number(22),
            &NORTH_PARADE,
            "SY23 2JN",
        ));
        for n in 1..=2 {
            v.push(flat(
                uprn::NORTH_PARADE_22_FLAT + u64::from(n) * 100 + 22,
                uprn::NORTH_PARADE_22_SHELL,
                Aon {
                    text: Some("FLAT".into()),
                    ..Aon::number(n)
                },
                Aon::number(22),
                &NORTH_PARADE,
                "SY23 2JN",
            ));
        }

        // Llanon: named houses on Heol Alban, one with a granny annexe.
        v.push(named(uprn::TY_GWYN, "TY GWYN", &HEOL_ALBAN, "SY23 5HJ"));
        v.push(named(uprn::BRYN_AWEL, "BRYN AWEL", &HEOL_ALBAN, "SY23 5HJ"));
        v.push(named(
            uprn::ROSE_COTTAGE_LLANON,
            "ROSE COTTAGE",
            &HEOL_ALBAN,
            "SY23 5HJ",
        ));
        v.push(named(uprn::ASHFIELDS, "ASHFIELDS", &HEOL_ALBAN, "SY23 5HJ"));
        v.push(lpi(
            uprn::ASHFIELDS_ANNEXE,
            Aon::text("THE ANNEXE"),
            Aon::text("ASHFIELDS"),
            &HEOL_ALBAN,
            "SY23 5HJ",
            "RD06",
        ));
        for n in 1..=4 {
            v.push(house(
                uprn::HEOL_ALBAN + u64::from(n),
                n,
                &HEOL_ALBAN,
                "SY23 5HJ",
            ));
        }

        // Aberaeron: another Rose Cottage.
        for n in 1..=10 {
            v.push(house(
                uprn::ALBAN_SQUARE + u64::from(n),
                n,
                &ALBAN_SQUARE,
                "SA46 0AJ",
            ));
        }
        v.push(named(
            uprn::ROSE_COTTAGE_ABERAERON,
            "ROSE COTTAGE",
            &MASONS_ROAD,
            "SA46 0AL",
        ));
        v
    }

    pub fn gazetteer() -> Gazetteer {
        Gazetteer::build(lpis())
    }

    /// The flat UPRN of North Parade flat `n` at 22.
    pub const fn north_parade_flat(n: u64) -> u64 {
        uprn::NORTH_PARADE_22_FLAT + n * 100 + 22
    }
}

mod table {
    //! Real-world-style inputs and where they must land.

    use super::fixture::{self, north_parade_flat, uprn::*};
    use upstream_address::{Gazetteer, How, Placement, Query, Unplaced};
    use upstream_ingest::standardise;

    #[derive(Debug, Clone, Copy, PartialEq)]
    enum Want {
        /// Placed on this UPRN (exactly or fuzzily).
        At(u64),
        /// Placed exactly on this UPRN.
        Exact(u64),
        /// Not placed: building named without its flat.
        BuildingOnly,
        /// Not placed: two or more properties fit.
        Ambiguous,
        /// Not placed, for whatever reason (no candidate, too weak).
        NotPlaced,
    }
    use Want::*;

    /// (address text, postcode field, expected).
    const CASES: &[(&str, Option<&str>, Want)] = &[
        // A house, as PAF writes it, as a council form gets it, and as ingest
        // leaves it.
        (
            "13 Lozells Close, Acocks Green, Birmingham, B27 7BD",
            None,
            Exact(LOZELLS + 13),
        ),
        (
            "13 LOZELLS CLOSE ACOCKS GREEN",
            Some("B27 7BD"),
            Exact(LOZELLS + 13),
        ),
        (
            "13 LOZELLS CLOSE ACOCKS GREEN BIRMINGHAM",
            Some("B27 7BD"),
            Exact(LOZELLS + 13),
        ),
        ("13 Lozells Close", Some("b277bd"), Exact(LOZELLS + 13)),
        (
            "13 lozells cl, acocks grn, bham B27 7BD",
            None,
            At(LOZELLS + 13),
        ),
        (
            "13, Lozells Close, Acocks Green, Birmingham, West Midlands, B27 7BD",
            None,
            Exact(LOZELLS + 13),
        ),
        // Slips: a letter dropped from the street, a missing street type, a
        // transposed postcode, no postcode at all.
        ("13 Lozels Close", Some("B27 7BD"), At(LOZELLS + 13)),
        ("13 Lozells", Some("B27 7BD"), At(LOZELLS + 13)),
        ("13 Lozells Close", Some("B27 7DB"), At(LOZELLS + 13)),
        ("13 Lozells Close, Acocks Green", None, At(LOZELLS + 13)),
        ("13 Lozells Close, Birmingham", None, At(LOZELLS + 13)),
        ("13 Lozells Close Acocks Green B27", None, At(LOZELLS + 13)),
        // A type word that begins a street's name; and one that ends
        // another name, which is not that street.
        ("4 Green Lane, Acocks Green", None, At(GREEN_LANE + 4)),
        ("4 Green Ln B27 7BE", None, Exact(GREEN_LANE + 4)),
        ("4 Lozell Green, Acocks Green", None, NotPlaced),
        ("5 New Oak Road, Acocks Green", None, NotPlaced),
        // A provisional new build is a property records already use.
        ("17 Lozells Close", Some("B27 7BD"), Exact(LOZELLS + 17)),
        // A recoded postcode: the record keeps the old one.
        (
            "4 Yardley Road, Acocks Green, Birmingham B27 6LR",
            None,
            At(YARDLEY + 4),
        ),
        ("4 Yardley Rd", Some("B25 8AA"), Exact(YARDLEY + 4)),
        // Residents name their neighbourhood as they please.
        (
            "4 Yardley Road, Yardley, Birmingham",
            Some("B25 8AA"),
            At(YARDLEY + 4),
        ),
        // Two streets named Oak: the type decides; without it, nothing does.
        ("5 Oak Road", Some("B27 7AA"), Exact(OAK_ROAD + 5)),
        ("5 Oak Avenue, Acocks Green", None, At(OAK_AVENUE + 5)),
        ("5 Oak Ave B27 7AB", None, Exact(OAK_AVENUE + 5)),
        ("5 Oak, Acocks Green, Birmingham", None, Ambiguous),
        // A house known by name and number.
        (
            "Ivy Cottage, 3 Oak Road, B27 7AA",
            None,
            Exact(OAK_ROAD + 3),
        ),
        ("3 Oak Road B27 7AA", None, At(OAK_ROAD + 3)),
        (
            "Ivy Cottage, Oak Road, Acocks Green",
            None,
            At(OAK_ROAD + 3),
        ),
        // Saint and Street; 12 and 12A are different houses.
        (
            "12 St Mary's Road, Harborne, B17 0AA",
            None,
            Exact(ST_MARYS + 12),
        ),
        (
            "12 Saint Marys Rd Harborne Birmingham",
            None,
            At(ST_MARYS + 12),
        ),
        (
            "12A St Marys Road, Harborne B17 0AA",
            None,
            Exact(ST_MARYS_12A),
        ),
        (
            "12 A ST MARYS ROAD HARBORNE",
            Some("B17 0AA"),
            Exact(ST_MARYS_12A),
        ),
        // Flats lettered A and B at 14, however written.
        (
            "Flat A, 14 St Marys Road, Harborne, B17 0AA",
            None,
            Exact(ST_MARYS_14_FLAT_A),
        ),
        ("14A St Marys Road B17 0AA", None, At(ST_MARYS_14_FLAT_A)),
        (
            "14 St Marys Road, Flat B",
            Some("B17 0AA"),
            At(ST_MARYS_14_FLAT_B),
        ),
        ("14 St Marys Road", Some("B17 0AA"), BuildingOnly),
        // A demolished house is still where old records point.
        (
            "The Old Vicarage, St Marys Road, Harborne",
            None,
            At(OLD_VICARAGE),
        ),
        // Two High Streets: the locality or postcode decides.
        ("12 High Street, Harborne", None, At(HIGH_HARBORNE + 12)),
        ("12 High St, Aston, Birmingham", None, At(HIGH_ASTON + 12)),
        ("12 High St B17 9NE", None, Exact(HIGH_HARBORNE + 12)),
        ("12 High Street, Birmingham", None, Ambiguous),
        // Oak Court, a numbered block of flats.
        (
            "Flat 3, Oak Court, 5 Moseley Road, Balsall Heath, Birmingham B12 0AA",
            None,
            Exact(OAK_COURT_FLAT + 3),
        ),
        ("3/5 Moseley Rd B12 0AA", None, At(OAK_COURT_FLAT + 3)),
        (
            "5 Moseley Road, Flat 3",
            Some("B12 0AA"),
            At(OAK_COURT_FLAT + 3),
        ),
        (
            "Apartment 2 Oak Court Moseley Road Balsall Heath",
            None,
            At(OAK_COURT_FLAT + 2),
        ),
        (
            "flat 4 oak ct 5 moseley rd b120aa",
            None,
            At(OAK_COURT_FLAT + 4),
        ),
        (
            "2 Oak Court, Moseley Road",
            Some("B12 0AA"),
            At(OAK_COURT_FLAT + 2),
        ),
        (
            "2 5 MOSELEY ROAD BALSALL HEATH",
            Some("B12 0AA"),
            At(OAK_COURT_FLAT + 2),
        ),
        ("Oak Court, 5 Moseley Road, B12 0AA", None, BuildingOnly),
        ("5 Moseley Road, Balsall Heath", None, BuildingOnly),
        ("Oak Court, Moseley Road, Birmingham", None, BuildingOnly),
        // Rose House, a named block whose flats have text SAOs.
        (
            "Flat 2, Rose House, Moseley Road, B12 0AB",
            None,
            Exact(ROSE_HOUSE_FLAT + 2),
        ),
        ("2 Rose House Moseley Rd", None, At(ROSE_HOUSE_FLAT + 2)),
        ("Rose House, Moseley Road", Some("B12 0AB"), BuildingOnly),
        // A shop with a trading name in front of its number.
        (
            "Burger Palace, 7 Moseley Road, Birmingham B12 0AA",
            None,
            At(MOSELEY + 7),
        ),
        // A house converted into flats known by floor.
        (
            "Ground Floor Flat, 21 Warwick Road, Acocks Green, B27 6AA",
            None,
            Exact(WARWICK_21_GROUND),
        ),
        (
            "GROUND FLOOR FLAT 21 WARWICK ROAD",
            Some("B27 6AA"),
            Exact(WARWICK_21_GROUND),
        ),
        (
            "1st Floor Flat 21 Warwick Rd Acocks Green",
            None,
            At(WARWICK_21_FIRST),
        ),
        (
            "21 Warwick Road (first floor flat)",
            Some("B27 6AA"),
            At(WARWICK_21_FIRST),
        ),
        (
            "21 Warwick Road, Acocks Green",
            Some("B27 6AA"),
            BuildingOnly,
        ),
        // Bilingual Aberystwyth: either language, with or without accents.
        (
            "5 Bridge Street, Aberystwyth, SY23 1PZ",
            None,
            Exact(BRIDGE + 5),
        ),
        (
            "5 Heol y Bont, Aberystwyth, Ceredigion SY23 1PZ",
            None,
            Exact(BRIDGE + 5),
        ),
        ("5 Heol-y-Bont Aberystwyth", None, At(BRIDGE + 5)),
        (
            "3 Lôn Cae Newydd, Aberystwyth",
            Some("SY23 3JZ"),
            Exact(CAE_NEWYDD + 3),
        ),
        ("3 LON CAE NEWYDD ABERYSTWYTH", None, At(CAE_NEWYDD + 3)),
        ("3 Lon Cae Newyd, Aberystwyth", None, At(CAE_NEWYDD + 3)),
        // A shop over two plots and the flats above another.
        (
            "10-12 North Parade, Aberystwyth",
            Some("SY23 2JN"),
            Exact(NORTH_PARADE_10_12),
        ),
        (
            "10 12 NORTH PARADE ABERYSTWYTH",
            Some("SY23 2JN"),
            At(NORTH_PARADE_10_12),
        ),
        (
            "Flat 2, 22 North Parade, Aberystwyth SY23 2JN",
            None,
            Exact(north_parade_flat(2)),
        ),
        ("22 North Parade, Aberystwyth", None, BuildingOnly),
        // Named houses in villages: the place is the street.
        ("Ty Gwyn, Llanon, Ceredigion, SY23 5HJ", None, At(TY_GWYN)),
        ("Ty Gwyn, Heol Alban, Llanon", None, At(TY_GWYN)),
        (
            "Bryn Awel Heol Alban Llanon SY23 5HJ",
            None,
            Exact(BRYN_AWEL),
        ),
        ("Rose Cottage, Llanon", None, At(ROSE_COTTAGE_LLANON)),
        (
            "Rose Cottage, Masons Road, Aberaeron",
            None,
            At(ROSE_COTTAGE_ABERAERON),
        ),
        ("Rose Cottage, Ceredigion", None, NotPlaced),
        (
            "Ashfields, Heol Alban, Llanon SY23 5HJ",
            None,
            Exact(ASHFIELDS),
        ),
        (
            "The Annexe, Ashfields, Heol Alban, Llanon",
            Some("SY23 5HJ"),
            At(ASHFIELDS_ANNEXE),
        ),
        ("2 Heol Alban, Llanon", None, At(HEOL_ALBAN + 2)),
        // More of how forms and notes write them: a postcode with a letter O
        // for its zero, a Welsh name run together or hyphenated, a name and
        // a postcode alone, floor shorthand, a flat after its building, a
        // care-of, the street before the number (two form fields joined in
        // the wrong order), a flat and house number in either order.
        (
            "12 St Marys Road, Harborne, Birmingham B17 OAA",
            None,
            Exact(ST_MARYS + 12),
        ),
        ("Brynawel, Llanon", None, At(BRYN_AWEL)),
        ("Bryn-Awel, Heol Alban", Some("SY23 5HJ"), Exact(BRYN_AWEL)),
        ("Rose Cottage", Some("SY23 5HJ"), At(ROSE_COTTAGE_LLANON)),
        (
            "GFF, 21 Warwick Rd",
            Some("B27 6AA"),
            Exact(WARWICK_21_GROUND),
        ),
        (
            "21 Warwick Road, Ground Floor Flat",
            None,
            At(WARWICK_21_GROUND),
        ),
        (
            "Oak Court Flat 3 Moseley Road",
            None,
            At(OAK_COURT_FLAT + 3),
        ),
        ("Apt 5, Oak Ct, Moseley Rd", None, At(OAK_COURT_FLAT + 5)),
        ("c/o Mrs Smith, 5 Oak Road, B27 7AA", None, At(OAK_ROAD + 5)),
        ("Heol y Bont 5", Some("SY23 1PZ"), Exact(BRIDGE + 5)),
        (
            "2/22 North Parade, Aberystwyth",
            None,
            At(north_parade_flat(2)),
        ),
        // A floor the building does not have, and a block's name with no
        // street or postcode (Oak Courts are everywhere).
        (
            "Top Floor Flat, 21 Warwick Road",
            Some("B27 6AA"),
            NotPlaced,
        ),
        ("Flat 3 Oak Court", None, NotPlaced),
        // Numbers that do not exist are not placed on a neighbour.
        ("14 Lozells Close, Acocks Green, B27 7BD", None, NotPlaced),
        ("99 Lozells Close", Some("B27 7BD"), NotPlaced),
        ("25 Bridge Street, Aberystwyth SY23 1PZ", None, NotPlaced),
        ("11 North Parade, Aberystwyth SY23 2JN", None, NotPlaced),
        (
            "Flat 9, Oak Court, 5 Moseley Road, B12 0AA",
            None,
            NotPlaced,
        ),
        ("Flat C, 14 St Marys Road, B17 0AA", None, NotPlaced),
        ("Basement Flat, 21 Warwick Road, B27 6AA", None, NotPlaced),
        ("Flat 2, 13 Lozells Close, B27 7BD", None, NotPlaced),
        ("13B Lozells Close, B27 7BD", None, NotPlaced),
        // A street the postcode does not hold, and text that is no address.
        ("13 Elm Road, B27 7BD", None, NotPlaced),
        ("no fixed abode", None, NotPlaced),
        ("B27 7BD", None, NotPlaced),
    ];

    fn check(
        g: &Gazetteer,
        address: &str,
        postcode: Option<&str>,
        want: Want,
    ) -> Result<(), String> {
        let q = Query {
            address,
            postcode,
            uprn: None,
        };
        let p = g.place(&q);
        let ok = match (want, &p) {
            (
                At(u),
                Placement {
                    uprn: Some(got), ..
                },
            ) => *got == u,
            (
                Exact(u),
                Placement {
                    uprn: Some(got),
                    how,
                    ..
                },
            ) => *got == u && *how == How::Exact,
            (BuildingOnly, p) => matches!(p.how, How::Unplaced(Unplaced::BuildingOnly { .. })),
            (Ambiguous, p) => matches!(p.how, How::Unplaced(Unplaced::Ambiguous { .. })),
            (NotPlaced, p) => !p.is_placed(),
            _ => false,
        };
        if ok {
            Ok(())
        } else {
            Err(format!(
                "{address:?} {postcode:?}: want {want:?}, got {p:?}"
            ))
        }
    }

    #[test]
    fn real_world_addresses_land_where_they_should() {
        let g = fixture::gazetteer();
        let failures: Vec<String> = CASES
            .iter()
            .filter_map(|&(a, pc, want)| check(&g, a, pc, want).err())
            .collect();
        assert!(
            failures.is_empty(),
            "{} of {} wrong:\n{}",
            failures.len(),
            CASES.len(),
            failures.join("\n")
        );
    }

    /// Records reach the matcher standardised by ingest (upper case,
    /// abbreviations expanded, commas gone, a trailing flat moved to the
    /// front, "3/12" turned into "FLAT 3 12"). Every case lands in the same
    /// place that way, apart from exactness: ingest's "12 14" no longer
    /// says it was a range.
    #[test]
    fn ingest_standardised_text_lands_in_the_same_place() {
        let g = fixture::gazetteer();
        let failures: Vec<String> = CASES
            .iter()
            .filter_map(|&(a, pc, want)| {
                let std = standardise::address(&[a]).unwrap_or_default();
                let want = match want {
                    Exact(u) => At(u),
                    w => w,
                };
                check(&g, &std, pc, want).err()
            })
            .collect();
        assert!(
            failures.is_empty(),
            "{} wrong:\n{}",
            failures.len(),
            failures.join("\n")
        );
    }

    #[test]
    fn a_given_uprn_in_the_gazetteer_is_taken() {
        let g = fixture::gazetteer();
        let u = (LOZELLS + 13).to_string();
        let p = g.place(&Query::new("whatever the text says").with_uprn(&u));
        assert_eq!((p.uprn, p.how), (Some(LOZELLS + 13), How::GivenUprn));
        // A spreadsheet's ".0" and leading zeros are the same UPRN.
        let p = g.place(&Query::new("").with_uprn("0100070004013.0"));
        assert_eq!(p.uprn, Some(LOZELLS + 13));
    }

    #[test]
    fn an_unknown_uprn_falls_back_to_the_text() {
        let g = fixture::gazetteer();
        let p = g.place(&Query::new("13 Lozells Close B27 7BD").with_uprn("999999999"));
        assert_eq!(p.uprn, Some(LOZELLS + 13));
        assert!(p.given_uprn_ignored);
        let p = g.place(&Query::new("").with_uprn("999999999"));
        assert_eq!(
            p.how,
            How::Unplaced(Unplaced::GivenUprnUnknown {
                given: "999999999".into()
            })
        );
        let p = g.place(&Query::new("").with_uprn("not a uprn"));
        assert!(matches!(
            p.how,
            How::Unplaced(Unplaced::GivenUprnUnknown { .. })
        ));
    }

    #[test]
    fn empty_text_is_empty() {
        let g = fixture::gazetteer();
        for s in ["", "   ", ", , ,", "-"] {
            assert_eq!(
                g.place(&Query::new(s)).how,
                How::Unplaced(Unplaced::Empty),
                "{s:?}"
            );
        }
    }

    #[test]
    fn the_motivating_pair_is_one_address() {
        // Keyed on text, these were two addresses and one family two
        // households.
        let g = fixture::gazetteer();
        let a = g.place(&Query::new("13 LOZELLS CLOSE ACOCKS GREEN").with_postcode("B27 7BD"));
        let b = g.place(
            &Query::new("13 LOZELLS CLOSE ACOCKS GREEN BIRMINGHAM").with_postcode("B27 7BD"),
        );
        assert_eq!(a.uprn, Some(LOZELLS + 13));
        assert_eq!(a.uprn, b.uprn);
    }
}

mod refusals {
    //! Checks that fail when they should: each names what a careless
    //! matcher would do.

    use super::fixture::{self, uprn::*};
    use upstream_address::{How, Query, Unplaced};

    #[test]
    fn a_house_number_that_does_not_exist_is_not_placed_on_a_neighbour() {
        let g = fixture::gazetteer();
        let p = g.place(&Query::new("14 Lozells Close, Acocks Green").with_postcode("B27 7BD"));
        assert_eq!(p.uprn, None, "{p:?}");
        assert!(
            matches!(p.how, How::Unplaced(Unplaced::NoCandidate)),
            "{p:?}"
        );
    }

    #[test]
    fn a_flat_is_never_placed_on_its_buildings_shell() {
        let g = fixture::gazetteer();
        let p = g.place(&Query::new("Flat 9, Oak Court, 5 Moseley Road").with_postcode("B12 0AA"));
        assert_ne!(p.uprn, Some(OAK_COURT_SHELL));
        assert_eq!(p.uprn, None);
        let p = g.place(&Query::new("Flat C 22 North Parade Aberystwyth"));
        assert_ne!(p.uprn, Some(NORTH_PARADE_22_SHELL));
        assert_eq!(p.uprn, None);
    }

    #[test]
    fn a_building_without_its_flat_says_so() {
        let g = fixture::gazetteer();
        let p = g.place(&Query::new("Oak Court, 5 Moseley Road").with_postcode("B12 0AA"));
        assert_eq!(
            p.how,
            How::Unplaced(Unplaced::BuildingOnly {
                building: Some(OAK_COURT_SHELL),
                units: 6
            })
        );
    }

    #[test]
    fn a_flat_the_gazetteer_lacks_is_too_weak_for_the_house() {
        // 13 Lozells Close is a house; "Flat 2" may be a flat the
        // gazetteer does not know yet, or a mistake. Either way, not the
        // house.
        let g = fixture::gazetteer();
        let p = g.place(&Query::new("Flat 2, 13 Lozells Close").with_postcode("B27 7BD"));
        match p.how {
            How::Unplaced(Unplaced::TooWeak { best, score }) => {
                assert_eq!(best, LOZELLS + 13);
                assert!(score < upstream_address::ACCEPT);
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn a_different_street_in_the_right_postcode_is_no_candidate() {
        // The postcode holds a 13, on Lozells Close; the text says Elm
        // Road. Agreeing on the number alone names no candidate.
        let g = fixture::gazetteer();
        let p = g.place(&Query::new("13 Elm Road").with_postcode("B27 7BD"));
        assert_eq!(p.how, How::Unplaced(Unplaced::NoCandidate), "{p:?}");
    }

    #[test]
    fn a_suffix_the_gazetteer_lacks_is_too_weak_for_the_plain_number() {
        // "13B" is flat B at 13 or a house 13B; the gazetteer has neither,
        // only the house 13.
        let g = fixture::gazetteer();
        let p = g.place(&Query::new("13B Lozells Close").with_postcode("B27 7BD"));
        assert!(
            matches!(p.how, How::Unplaced(Unplaced::TooWeak { best, .. }) if best == LOZELLS + 13),
            "{p:?}"
        );
    }

    #[test]
    fn a_locality_the_gazetteer_leaves_blank_costs_little() {
        // Green Lane's LPIs give no locality; the record says Acocks
        // Green, which other streets' LPIs do give. Not a contradiction.
        let g = fixture::gazetteer();
        let p = g.place(&Query::new("4 Green Lane, Acocks Green").with_postcode("B27 7BE"));
        match p.how {
            How::Fuzzy { score } => assert!(score >= 0.95, "{score}"),
            other => panic!("{other:?}"),
        }
        // A different locality where the LPI has one is.
        let p = g.place(&Query::new("4 Lozells Close, Harborne").with_postcode("B27 7BD"));
        match p.how {
            How::Fuzzy { score } => assert!(score < 0.9, "{score}"),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn ambiguity_lists_the_properties() {
        let g = fixture::gazetteer();
        let p = g.place(&Query::new("12 High Street, Birmingham"));
        match p.how {
            How::Unplaced(Unplaced::Ambiguous { uprns }) => {
                let mut u = uprns.clone();
                u.sort_unstable();
                assert_eq!(u, [HIGH_HARBORNE + 12, HIGH_ASTON + 12]);
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn welsh_and_english_lpis_of_one_property_are_not_rivals() {
        // Both LPIs of 5 Bridge Street fit "5 BRIDGE STREET"; they are one
        // UPRN, so this is not ambiguous.
        let g = fixture::gazetteer();
        let p = g.place(&Query::new("5 Bridge Street").with_postcode("SY23 1PZ"));
        assert_eq!(p.uprn, Some(BRIDGE + 5));
        assert_eq!(g.lpis(BRIDGE + 5).len(), 2);
    }

    #[test]
    fn place_all_keeps_order_and_places_duplicates_once() {
        let g = fixture::gazetteer();
        let qs = [
            Query::new("13 Lozells Close").with_postcode("B27 7BD"),
            Query::new("12 High Street, Birmingham"),
            Query::new("13 Lozells Close").with_postcode("B27 7BD"),
            Query::new(""),
        ];
        let ps = g.place_all(&qs);
        assert_eq!(ps.len(), 4);
        for (q, p) in qs.iter().zip(&ps) {
            assert_eq!(*p, g.place(q));
        }
        assert_eq!(ps[0], ps[2]);
    }
}

mod properties {
    use super::fixture;
    use proptest::prelude::*;
    use std::sync::OnceLock;
    use upstream_address::{Gazetteer, Lpi, Query};

    fn gazetteer() -> &'static Gazetteer {
        static G: OnceLock<Gazetteer> = OnceLock::new();
        G.get_or_init(fixture::gazetteer)
    }

    /// Flats with a numbered SAO.
    fn flats() -> Vec<Lpi> {
        fixture::lpis()
            .into_iter()
            .filter(|l| l.sao.start_number.is_some() && l.pao.start_number.is_some())
            .collect()
    }

    fn houses() -> Vec<Lpi> {
        fixture::lpis()
            .into_iter()
            .filter(|l| {
                l.sao.is_empty()
                    && !l.is_parent_shell()
                    && l.pao.start_number.is_some()
                    && l.pao.end_number.is_none()
            })
            .collect()
    }

    proptest! {
        // No regression files: a failure prints its minimal input.
        #![proptest_config(ProptestConfig {
            failure_persistence: None,
            ..ProptestConfig::with_cases(400)
        })]

        #[test]
        fn place_never_panics_and_is_deterministic(
            address in "(?s).{0,160}",
            postcode in proptest::option::of("[A-Za-z0-9 ]{0,9}"),
            uprn in proptest::option::of("[0-9.]{0,14}"),
        ) {
            let g = gazetteer();
            let q = Query { address: &address, postcode: postcode.as_deref(), uprn: uprn.as_deref() };
            let a = g.place(&q);
            let b = g.place(&q);
            prop_assert_eq!(&a, &b);
            prop_assert_eq!(&g.place_all(&[q, q]), &vec![a.clone(), a]);
        }

        #[test]
        fn address_like_noise_never_panics(
            words in proptest::collection::vec(
                prop_oneof![
                    "[0-9]{1,5}[A-Z]?",
                    Just("FLAT".to_string()),
                    Just("GROUND FLOOR".to_string()),
                    Just("/".to_string()),
                    Just("-".to_string()),
                    Just(",".to_string()),
                    "[A-Z]{1,9}",
                    Just("B27 7BD".to_string()),
                    Just("LÔN".to_string()),
                ],
                0..20,
            )
        ) {
            let text = words.join(" ");
            let g = gazetteer();
            let q = Query::new(&text);
            prop_assert_eq!(g.place(&q), g.place(&q));
        }

        #[test]
        fn another_flat_number_is_never_the_same_flat(
            pick in any::<proptest::sample::Index>(),
            other in 0u16..30,
            slash in any::<bool>(),
        ) {
            let flats = flats();
            let l = &flats[pick.index(flats.len())];
            let n = l.sao.start_number.unwrap_or(0);
            let house = l.pao.start_number.unwrap_or(0);
            let pc = l.postcode.as_deref();
            let text = |f: u16| if slash {
                format!("{f}/{house} {}", l.street)
            } else {
                format!("Flat {f}, {house} {}, {}", l.street, l.town.as_deref().unwrap_or(""))
            };
            let p = gazetteer().place(&Query { address: &text(n), postcode: pc, uprn: None });
            prop_assert_eq!(p.uprn, Some(l.uprn), "{}", text(n));
            prop_assume!(other != n);
            let p = gazetteer().place(&Query { address: &text(other), postcode: pc, uprn: None });
            prop_assert_ne!(p.uprn, Some(l.uprn), "{}", text(other));
            // Nor its building's shell.
            prop_assert!(p.uprn.is_none() || p.uprn != l.parent_uprn, "{}", text(other));
        }

        #[test]
        fn another_house_number_is_never_the_same_property(
            pick in any::<proptest::sample::Index>(),
            delta in 1u16..40,
            up in any::<bool>(),
            with_postcode in any::<bool>(),
        ) {
            let houses = houses();
            let l = &houses[pick.index(houses.len())];
            let n = l.pao.start_number.unwrap_or(0);
            let other = if up { n.saturating_add(delta) } else { n.saturating_sub(delta) };
            prop_assume!(other != n);
            let text = format!(
                "{other} {}, {}, {}",
                l.street,
                l.locality.as_deref().unwrap_or(""),
                l.town.as_deref().unwrap_or(""),
            );
            let pc = l.postcode.as_deref().filter(|_| with_postcode);
            let p = gazetteer().place(&Query { address: &text, postcode: pc, uprn: None });
            prop_assert_ne!(p.uprn, Some(l.uprn), "{} placed on {}", text, l.uprn);
            // And the right number does find it.
            let suffix = l.pao.start_suffix.map(String::from).unwrap_or_default();
            let text = format!("{n}{suffix} {}, {}", l.street, l.town.as_deref().unwrap_or(""));
            let p = gazetteer().place(&Query { address: &text, postcode: l.postcode.as_deref(), uprn: None });
            prop_assert_eq!(p.uprn, Some(l.uprn), "{}", text);
        }
    }
}

mod bench {
    //! `cargo test --release -p upstream-address --test address -- --ignored --nocapture bench`
    //! builds a synthetic gazetteer of 500,000 LPIs and places 300,000
    //! distinct queries. It prints the time; it asserts nothing about it.

    use std::time::Instant;
    use upstream_address::{Aon, Gazetteer, Language, LogicalStatus, Lpi, Query};

    /// A small deterministic generator (64-bit LCG, high bits).
    struct Lcg(u64);
    impl Lcg {
        fn next(&mut self) -> u64 {
            self.0 = self
                .0
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            self.0 >> 33
        }
        fn below(&mut self, n: u64) -> u64 {
            self.next() % n.max(1)
        }
    }

    const NAMES: &[&str] = &[
        "OAK",
        "ASH",
        "ELM",
        "BIRCH",
        "WILLOW",
        "CHURCH",
        "MILL",
        "STATION",
        "VICTORIA",
        "ALBERT",
        "QUEENS",
        "KINGS",
        "PARK",
        "MANOR",
        "GROVE",
        "MEADOW",
        "ORCHARD",
        "HAWTHORN",
        "CHESTNUT",
        "SYCAMORE",
        "WARWICK",
        "YARDLEY",
        "LOZELLS",
        "MOSELEY",
        "HARBORNE",
        "STRATFORD",
        "COVENTRY",
        "WINDSOR",
        "GLADSTONE",
        "NELSON",
        "BRIDGE",
        "CASTLE",
        "ABBEY",
        "PRIORY",
        "BEECH",
        "CEDAR",
        "HOLLY",
        "IVY",
        "LAUREL",
        "MAPLE",
        "ROWAN",
        "HAZEL",
        "SPRING",
        "SUMMER",
        "WINTER",
        "NORTH",
        "SOUTH",
        "EAST",
        "WEST",
        "HIGH",
    ];
    const SECOND: &[&str] = &[
        "", "FIELD", "WOOD", "HILL", "BROOK", "FORD", "LEY", "TON", "BURY", "DALE", "MERE", "WELL",
    ];
    const TYPES: &[&str] = &[
        "ROAD", "STREET", "AVENUE", "CLOSE", "LANE", "DRIVE", "GROVE", "CRESCENT", "WAY", "GARDENS",
    ];
    const PLACES: &[&str] = &[
        "ACOCKS GREEN",
        "YARDLEY",
        "HARBORNE",
        "ASTON",
        "MOSELEY",
        "EDGBASTON",
        "ERDINGTON",
        "SELLY OAK",
        "KINGS HEATH",
        "HALL GREEN",
        "SPARKHILL",
        "SMALL HEATH",
        "NECHELLS",
        "HANDSWORTH",
        "LADYWOOD",
        "NORTHFIELD",
        "LONGBRIDGE",
        "STECHFORD",
        "SHARD END",
        "KINGSTANDING",
    ];

    struct Street {
        name: String,
        locality: &'static str,
        district: u32,
    }

    fn streets(rng: &mut Lcg, n: usize) -> Vec<Street> {
        let mut seen = std::collections::HashSet::new();
        let mut out = Vec::new();
        while out.len() < n {
            let name = format!(
                "{}{} {}",
                NAMES[rng.below(NAMES.len() as u64) as usize],
                SECOND[rng.below(SECOND.len() as u64) as usize],
                TYPES[rng.below(TYPES.len() as u64) as usize]
            );
            let locality = PLACES[rng.below(PLACES.len() as u64) as usize];
            if seen.insert((name.clone(), locality)) {
                out.push(Street {
                    name,
                    locality,
                    district: 1 + rng.below(60) as u32,
                });
            }
        }
        out
    }

    fn lpis(target: usize) -> (Vec<Lpi>, Vec<(String, String, u64)>) {
        let mut rng = Lcg(20240607);
        let streets = streets(&mut rng, 12_000);
        let mut lpis = Vec::with_capacity(target);
        // (text as a record would hold it, postcode) for every property.
        let mut addresses = Vec::with_capacity(target);
        let mut uprn = 100_000_000_000u64;
        'outer: for (si, s) in streets.iter().enumerate() {
            let houses = 20 + rng.below(40) as u16;
            for n in 1..=houses {
                if lpis.len() >= target {
                    break 'outer;
                }
                let pc = format!(
                    "B{} {}{}{}",
                    s.district,
                    1 + (n / 20) % 9,
                    (b'A' + (si % 26) as u8) as char,
                    (b'A' + ((si / 26) % 26) as u8) as char
                );
                uprn += 1;
                let base = Lpi {
                    lpi_key: format!("{uprn}L1"),
                    uprn,
                    usrn: Some(si as u32),
                    street: s.name.clone(),
                    locality: Some(s.locality.to_string()),
                    town: Some("BIRMINGHAM".into()),
                    administrative_area: Some("BIRMINGHAM".into()),
                    postcode: Some(pc.clone()),
                    logical_status: LogicalStatus::Approved,
                    classification: "RD04".into(),
                    language: Language::Eng,
                    pao: Aon::number(n),
                    ..Lpi::default()
                };
                if n % 10 == 0 {
                    // A block of flats: shell and four flats.
                    let shell = uprn;
                    lpis.push(Lpi {
                        classification: "PP".into(),
                        ..base.clone()
                    });
                    for f in 1..=4u16 {
                        uprn += 1;
                        lpis.push(Lpi {
                            lpi_key: format!("{uprn}L1"),
                            uprn,
                            parent_uprn: Some(shell),
                            sao: Aon::number(f),
                            classification: "RD06".into(),
                            ..base.clone()
                        });
                        addresses.push((
                            format!("Flat {f}, {n} {}, {}", s.name, s.locality),
                            pc.clone(),
                            uprn,
                        ));
                    }
                } else {
                    addresses.push((
                        format!("{n} {}, {}, Birmingham", s.name, s.locality),
                        pc.clone(),
                        uprn,
                    ));
                    lpis.push(base);
                }
            }
        }
        (lpis, addresses)
    }

    /// A record's version of an address: mostly as written, some with a
    /// slip in the street, a wrong or missing postcode, or lower case.
    fn query_text(rng: &mut Lcg, a: &(String, String, u64)) -> (String, Option<String>) {
        let (text, pc, _) = a;
        match rng.below(10) {
            0 => (text.to_lowercase(), Some(pc.clone())),
            1 => (text.clone(), None),
            2 => {
                // Drop one letter of the street's first long word.
                let mut t = text.clone();
                if let Some(i) = t.find(|c: char| c.is_ascii_uppercase()).map(|i| i + 2) {
                    if t.is_char_boundary(i) && i < t.len() {
                        t.remove(i);
                    }
                }
                (t, Some(pc.clone()))
            }
            3 => (text.clone(), Some(format!("{}X", &pc[..pc.len() - 1]))),
            _ => (text.clone(), Some(pc.clone())),
        }
    }

    #[test]
    #[ignore]
    fn bench_500k_lpis_300k_queries() {
        let t = Instant::now();
        let (lpis, addresses) = lpis(500_000);
        println!("generated {} LPIs in {:.1?}", lpis.len(), t.elapsed());

        let t = Instant::now();
        let g = Gazetteer::build(lpis);
        let built = t.elapsed();
        println!("built in {built:.1?} ({} properties)", g.properties());

        let mut rng = Lcg(7);
        let mut texts: Vec<(String, Option<String>)> = Vec::with_capacity(300_000);
        let mut truth: Vec<u64> = Vec::with_capacity(300_000);
        let mut seen = std::collections::HashSet::new();
        while texts.len() < 300_000 {
            let a = &addresses[rng.below(addresses.len() as u64) as usize];
            let q = query_text(&mut rng, a);
            if seen.insert(q.clone()) {
                texts.push(q);
                truth.push(a.2);
            }
        }
        let queries: Vec<Query> = texts
            .iter()
            .map(|(a, p)| Query {
                address: a,
                postcode: p.as_deref(),
                uprn: None,
            })
            .collect();
        let t = Instant::now();
        let placed = g.place_all(&queries);
        let elapsed = t.elapsed();
        let n_placed = placed.iter().filter(|p| p.is_placed()).count();
        let wrong: Vec<_> = placed
            .iter()
            .zip(&truth)
            .zip(&texts)
            .filter(|((p, t), _)| p.uprn.is_some_and(|u| u != **t))
            .map(|((p, t), q)| (q, p, *t))
            .collect();
        println!("placed on the wrong property: {}", wrong.len());
        for (q, p, t) in wrong.iter().take(5) {
            let show = |u: u64| {
                g.lpis(u)
                    .iter()
                    .map(|l| {
                        format!(
                            "{:?} {:?} {} {:?} {:?}",
                            l.sao.start_number,
                            l.pao.start_number,
                            l.street,
                            l.locality,
                            l.postcode
                        )
                    })
                    .collect::<Vec<_>>()
            };
            println!(
                "  {q:?} -> {:?} {:?}\n     truth {:?}",
                p.how,
                p.uprn.map(show),
                show(*t)
            );
        }

        println!(
            "placed {n_placed} of {} distinct queries in {elapsed:.1?} ({:.0} per second)",
            queries.len(),
            queries.len() as f64 / elapsed.as_secs_f64()
        );
        let total = built + elapsed;
        let met = if total.as_secs_f64() < 30.0 {
            "met"
        } else {
            "NOT met"
        };
        println!("build and place: {total:.1?}; target under 30 s {met}");
    }
}
