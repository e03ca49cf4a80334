//! How people's names are drawn. Each origin's surnames, and its forenames by
//! sex (and, for English forenames, by birth cohort), are a *pool*: names in
//! order of how common they are, each rank weighted by a rank-frequency curve
//! taken from published name statistics where there are any, and an
//! assumption where there are none (every curve below says which).
//!
//! A pool has a *head*, the names listed as common (the lists this module
//! started from, weighted now), and a *tail*: rarer real names, spelling
//! variants and, for English, Welsh, Polish, Romanian, Ukrainian, Lithuanian
//! and Yoruba surnames, names built the way real ones were built (see
//! `english_constructed` and friends). The head keeps exactly the share of
//! people the curve gives its ranks; the tail takes all the rest, in the
//! curve's shape. So the share of people *outside* the head matches the
//! published figure even though the tail is far shorter than a real
//! country's (Great Britain has hundreds of thousands of surnames): the
//! rarest names in the town come up somewhat more often than real ones
//! would, which matters only at the scale of a whole city.
//!
//! Some pools *borrow*: a Welsh speaker's surname is an English one a share
//! of the time (centuries of intermarriage), a Black Caribbean family's often
//! is, and many families of every origin give English forenames. The
//! borrowed share is drawn from the English pool of the same sex and cohort.
//!
//! South Asian names come in three communities (Muslim, Hindu, Sikh), and a
//! family's forenames are its community's; some surnames go by sex (Singh
//! and Kaur, Begum). See `SOUTH_ASIAN_COMMUNITIES` and `family_name`.
//!
//! Everything is deterministic: the pools are built once from the lists
//! here, in a fixed order, and a draw takes a few uniform numbers from the
//! caller's generator.

use crate::names::Origin;
use rand::Rng;
use std::collections::{HashMap, HashSet};
use std::sync::OnceLock;

/// A rank-frequency curve: the share of people holding the name at each
/// rank, given at some ranks and interpolated in log-log between them (a
/// power law piece by piece, which is how name frequencies behave); past the
/// last point the last piece's slope carries on.
#[derive(Debug)]
pub struct Curve(&'static [(f64, f64)]);

impl Curve {
    /// The share of people at rank `r` (1 = the commonest name).
    pub fn at(&self, r: f64) -> f64 {
        let p = self.0;
        if p.is_empty() {
            return 0.0;
        }
        if r <= p[0].0 || p.len() == 1 {
            return p[0].1;
        }
        let seg = p
            .windows(2)
            .find(|w| r <= w[1].0)
            .map(|w| (w[0], w[1]))
            .unwrap_or((p[p.len() - 2], p[p.len() - 1]));
        let ((r0, f0), (r1, f1)) = seg;
        let t = (r.ln() - r0.ln()) / (r1.ln() - r0.ln());
        (f0.ln() + t * (f1.ln() - f0.ln())).exp()
    }

    /// The share of people at ranks 1 to `n`.
    pub fn cumulative(&self, n: usize) -> f64 {
        (1..=n).map(|r| self.at(r as f64)).sum()
    }
}

/// Names in rank order with cumulative shares; `borrow` is the share drawn
/// from the English pool instead.
#[derive(Debug)]
pub struct Pool {
    names: Vec<&'static str>,
    cum: Vec<f64>,
    head: usize,
    borrow: f64,
}

impl Pool {
    /// `head` keeps the curve's share at its ranks; `tail` (after dropping
    /// names already in the pool) shares what is left, in the curve's shape.
    fn build(
        head: impl IntoIterator<Item = &'static str>,
        tail: impl IntoIterator<Item = &'static str>,
        curve: &Curve,
        borrow: f64,
    ) -> Pool {
        let mut seen: HashSet<&'static str> = HashSet::new();
        let mut names: Vec<&'static str> = head.into_iter().filter(|n| seen.insert(n)).collect();
        let head_len = names.len();
        names.extend(tail.into_iter().filter(|n| seen.insert(n)));
        let own = 1.0 - borrow;
        let mut w: Vec<f64> = (0..names.len()).map(|i| curve.at(i as f64 + 1.0)).collect();
        let head_mass: f64 = w[..head_len].iter().sum();
        let tail_mass: f64 = w[head_len..].iter().sum();
        if tail_mass > 0.0 && head_mass < 0.999 {
            let scale = (1.0 - head_mass) / tail_mass;
            w[head_len..].iter_mut().for_each(|x| *x *= scale);
        }
        let total: f64 = w.iter().sum();
        let mut acc = 0.0;
        let cum = w
            .iter()
            .map(|x| {
                acc += x / total * own;
                acc
            })
            .collect();
        Pool {
            names,
            cum,
            head: head_len,
            borrow,
        }
    }

    /// A name, or `None` when the draw falls in the borrowed share.
    fn draw<R: Rng + ?Sized>(&self, rng: &mut R) -> Option<&'static str> {
        let x: f64 = rng.random();
        if x >= 1.0 - self.borrow || self.names.is_empty() {
            return None;
        }
        let i = self.cum.partition_point(|c| *c <= x);
        Some(self.names[i.min(self.names.len() - 1)])
    }

    /// Every name in the pool, commonest first.
    pub fn names(&self) -> &[&'static str] {
        &self.names
    }

    /// The listed common names (the head).
    pub fn head(&self) -> &[&'static str] {
        &self.names[..self.head]
    }

    /// The share of this pool's own draws (not borrowed) at each rank.
    pub fn shares(&self) -> Vec<f64> {
        let own = 1.0 - self.borrow;
        let mut prev = 0.0;
        self.cum
            .iter()
            .map(|c| {
                let s = (c - prev) / own;
                prev = *c;
                s
            })
            .collect()
    }

    pub fn borrowed_share(&self) -> f64 {
        self.borrow
    }
}

/// Birth cohorts for forenames: names go in and out of fashion, and older
/// people's names are more concentrated. ONS's historic top-100 lists turn
/// over around these years (John tops 1914 to 1944, David and Susan 1954
/// and 1964, Paul and Sarah 1974, Christopher and Sarah 1984, Thomas and
/// Rebecca 1994, Jack then Oliver and Olivia from the late 1990s).
pub fn cohort(born: i32) -> usize {
    if born < 1960 {
        0
    } else if born < 1985 {
        1
    } else {
        2
    }
}

const ORIGINS: [Origin; 9] = [
    Origin::English,
    Origin::Welsh,
    Origin::Irish,
    Origin::SouthAsian,
    Origin::BlackAfrican,
    Origin::BlackCaribbean,
    Origin::EastEuropean,
    Origin::Chinese,
    Origin::Arab,
];

fn origin_index(o: Origin) -> usize {
    ORIGINS.iter().position(|x| *x == o).unwrap_or(0)
}

/// British South Asian families' names differ by community far more than by
/// country: Singh and Kaur are Sikh, Patel mostly Gujarati Hindu, Khan and
/// Mohammed Muslim. A family's community follows its surname, so a man
/// called Singh is never Mohammed. Shares of British South Asians, derived
/// from Census 2021 (England and Wales) religion by ethnic group,
/// approximately: Muslim about 61% (nearly all Pakistani and Bangladeshi
/// people and some Indian), Hindu 26%, Sikh 13% of those three; Birmingham's
/// South Asians are more often Muslim than that, which this understates.
pub const SOUTH_ASIAN_COMMUNITIES: [(&str, f64); 3] =
    [("Muslim", 0.61), ("Hindu", 0.26), ("Sikh", 0.13)];

/// Surnames only women bear (Sikh women are Kaur where men are Singh; many
/// Bangladeshi and Pakistani women are Begum, Bibi, Khatun), and those only
/// men do.
static FEMALE_ONLY_SURNAMES: &[&str] = &[
    "Kaur", "Begum", "Bibi", "Khatun", "Khanom", "Akter", "Sultana", "Parveen", "Bano", "Begam",
    "Nessa", "Khatoon", "Kumari", "Devi", "Fatima",
];
static MALE_ONLY_SURNAMES: &[&str] = &["Singh", "Miah", "Mia", "Uddin", "Ullah"];

/// Whether a surname can be borne by someone of this sex.
pub fn fits_sex(surname: &str, female: bool) -> bool {
    if female {
        !MALE_ONLY_SURNAMES.contains(&surname)
    } else {
        !FEMALE_ONLY_SURNAMES.contains(&surname)
    }
}

fn communities(o: Origin) -> usize {
    if o == Origin::SouthAsian {
        SOUTH_ASIAN_COMMUNITIES.len()
    } else {
        1
    }
}

struct Pools {
    /// [origin][community]: the community's share of the origin and its
    /// surname pool.
    surnames: Vec<Vec<(f64, Pool)>>,
    /// [origin][community][female as usize][cohort]; only English differs by
    /// cohort, the others hold the same pool three times over (cheap: a few
    /// hundred names each).
    forenames: Vec<Vec<[[Pool; 3]; 2]>>,
    /// The community of each South Asian surname (the first that lists it).
    community: HashMap<&'static str, usize>,
}

fn pools() -> &'static Pools {
    static POOLS: OnceLock<Pools> = OnceLock::new();
    POOLS.get_or_init(|| {
        let surnames: Vec<Vec<(f64, Pool)>> = ORIGINS
            .iter()
            .map(|o| {
                (0..communities(*o))
                    .map(|c| {
                        let share = if *o == Origin::SouthAsian {
                            SOUTH_ASIAN_COMMUNITIES[c].1
                        } else {
                            1.0
                        };
                        (share, surname_pool_for(*o, c))
                    })
                    .collect()
            })
            .collect();
        let mut community = HashMap::new();
        for (c, (_, pool)) in surnames[origin_index(Origin::SouthAsian)]
            .iter()
            .enumerate()
        {
            for n in pool.names() {
                community.entry(*n).or_insert(c);
            }
        }
        Pools {
            surnames,
            forenames: ORIGINS
                .iter()
                .map(|o| {
                    (0..communities(*o))
                        .map(|k| {
                            [false, true].map(|female| {
                                [0, 1, 2].map(|c| forename_pool_for(*o, k, female, c))
                            })
                        })
                        .collect()
                })
                .collect(),
            community,
        }
    })
}

/// The surname pool of an origin (for South Asian names, the Muslim one).
pub fn surname_pool(origin: Origin) -> &'static Pool {
    &pools().surnames[origin_index(origin)][0].1
}

/// The forename pool of an origin, sex and cohort (see `cohort`); for South
/// Asian names, the Muslim one.
pub fn forename_pool(origin: Origin, female: bool, cohort: usize) -> &'static Pool {
    &pools().forenames[origin_index(origin)][0][female as usize][cohort.min(2)]
}

/// Every pool, surnames and forenames, of every origin and community.
pub fn all_pools() -> Vec<&'static Pool> {
    let p = pools();
    let mut v: Vec<&Pool> = p.surnames.iter().flatten().map(|(_, pool)| pool).collect();
    for origin in &p.forenames {
        for community in origin {
            v.extend(community.iter().flatten());
        }
    }
    v
}

/// The community a surname places its family in (0 unless South Asian).
/// Whether two names are one name spelt two ways (Ruksana and Rukhsana,
/// Jayden and Jaiden, Mohammed and Muhammad): the same consonants in the
/// same order, ignoring vowels, h, y, accents and doubled letters.
pub fn same_name(a: &str, b: &str) -> bool {
    fn skeleton(s: &str) -> String {
        let mut out = String::new();
        for c in crate::town::ascii_lower(s).chars() {
            if !"aeiouyh".contains(c) && !out.ends_with(c) {
                out.push(c);
            }
        }
        out
    }
    a == b || skeleton(a) == skeleton(b)
}

/// An index drawn with the given shares.
fn pick_share<R: Rng + ?Sized>(rng: &mut R, shares: &[f64]) -> usize {
    let mut x: f64 = rng.random::<f64>() * shares.iter().sum::<f64>();
    for (i, s) in shares.iter().enumerate() {
        if x < *s {
            return i;
        }
        x -= s;
    }
    shares.len() - 1
}

fn community_of(origin: Origin, surname: &str) -> usize {
    if origin == Origin::SouthAsian {
        pools().community.get(surname).copied().unwrap_or(0)
    } else {
        0
    }
}

fn draw_in<R: Rng + ?Sized>(origin: Origin, community: usize, rng: &mut R) -> &'static str {
    pools().surnames[origin_index(origin)][community]
        .1
        .draw(rng)
        .or_else(|| surname_pool(Origin::English).draw(rng))
        .unwrap_or("Smith")
}

/// A surname for someone of `origin` and sex whose family name is not
/// inherited (a household's first adult, a wife's own family name).
pub fn surname<R: Rng + ?Sized>(origin: Origin, female: bool, rng: &mut R) -> &'static str {
    let i = origin_index(origin);
    let community = if pools().surnames[i].len() > 1 {
        let shares: Vec<f64> = pools().surnames[i].iter().map(|(s, _)| *s).collect();
        pick_share(rng, &shares)
    } else {
        0
    };
    let mut name = draw_in(origin, community, rng);
    for _ in 0..8 {
        if fits_sex(name, female) {
            break;
        }
        name = draw_in(origin, community, rng);
    }
    name
}

/// The family name a person of this sex bears when their family's is
/// `surname`: the same, except where a name goes by sex (a Singh's
/// daughter is Kaur, a Kaur's son Singh; a Begum's son takes another name
/// of her community).
pub fn family_name<R: Rng + ?Sized>(
    origin: Origin,
    female: bool,
    surname: &'static str,
    rng: &mut R,
) -> &'static str {
    if fits_sex(surname, female) {
        return surname;
    }
    match (surname, female) {
        ("Singh", true) => "Kaur",
        ("Kaur", false) => "Singh",
        _ => {
            let community = community_of(origin, surname);
            let mut name = draw_in(origin, community, rng);
            for _ in 0..8 {
                if fits_sex(name, female) {
                    break;
                }
                name = draw_in(origin, community, rng);
            }
            name
        }
    }
}

/// A forename for someone of `origin` and sex born in `born`, whose family
/// name is `surname` (which places a South Asian family in its community).
pub fn forename<R: Rng + ?Sized>(
    origin: Origin,
    female: bool,
    born: i32,
    surname: &str,
    rng: &mut R,
) -> &'static str {
    let c = cohort(born);
    let k = community_of(origin, surname);
    pools().forenames[origin_index(origin)][k][female as usize][c]
        .draw(rng)
        .or_else(|| forename_pool(Origin::English, female, c).draw(rng))
        .unwrap_or(if female { "Sarah" } else { "John" })
}

fn surname_pool_for(o: Origin, community: usize) -> Pool {
    use Origin::*;
    let s = |v: &'static [String]| v.iter().map(String::as_str);
    match o {
        English => Pool::build(
            ENGLISH_SURNAMES.iter().copied(),
            s(english_constructed()).chain(s(english_surname_spellings())),
            &GB_SURNAMES,
            0.0,
        ),
        Welsh => Pool::build(
            WELSH_SURNAMES.iter().copied(),
            WELSH_SURNAME_TAIL
                .iter()
                .copied()
                .chain(s(welsh_patronymics())),
            &WELSH_SURNAME_CURVE,
            // Assumption: about one Welsh speaker in eight carries a surname
            // from England or elsewhere (centuries of intermarriage; Webber's
            // study for the Welsh Assembly found 35% of people in Wales with
            // a Welsh family name, against 19% who speak Welsh (Census 2011)
            // and many non-speakers with Welsh names, so the two overlap
            // heavily but not wholly).
            0.12,
        ),
        Irish => Pool::build(
            IRISH_SURNAMES.iter().copied(),
            IRISH_SURNAME_TAIL.iter().copied(),
            &IRISH_SURNAME_CURVE,
            // Assumption: Smith, Brown, Clarke and other English and Scottish
            // names are common in Ireland too, and among Irish families in Britain.
            0.30,
        ),
        SouthAsian => Pool::build(
            SOUTH_ASIAN_SURNAMES[community].iter().copied(),
            SOUTH_ASIAN_SURNAME_TAIL[community].iter().copied(),
            &SOUTH_ASIAN_SURNAME_CURVES[community],
            0.0,
        ),
        BlackAfrican => Pool::build(
            AFRICAN_SURNAMES.iter().copied(),
            AFRICAN_SURNAME_TAIL
                .iter()
                .copied()
                .chain(s(yoruba_constructed())),
            &AFRICAN_SURNAME_CURVE,
            0.0,
        ),
        BlackCaribbean => Pool::build(
            CARIBBEAN_SURNAMES.iter().copied(),
            CARIBBEAN_SURNAME_TAIL.iter().copied(),
            &CARIBBEAN_SURNAME_CURVE,
            // Caribbean surnames are British ones, at frequencies of their
            // own (Campbell, Brown, Williams lead): half the draws come from
            // the English pool. Assumption.
            0.5,
        ),
        EastEuropean => Pool::build(
            EAST_EUROPEAN_SURNAMES.iter().copied(),
            EAST_EUROPEAN_SURNAME_TAIL
                .iter()
                .copied()
                .chain(s(east_european_constructed())),
            &EAST_EUROPEAN_SURNAME_CURVE,
            0.0,
        ),
        Chinese => Pool::build(
            CHINESE_SURNAMES.iter().copied(),
            CHINESE_SURNAME_TAIL.iter().copied(),
            &CHINESE_SURNAME_CURVE,
            0.0,
        ),
        Arab => Pool::build(
            ARAB_SURNAMES.iter().copied(),
            ARAB_SURNAME_TAIL.iter().copied(),
            &ARAB_SURNAME_CURVE,
            0.0,
        ),
    }
}

fn forename_pool_for(o: Origin, community: usize, female: bool, cohort: usize) -> Pool {
    use Origin::*;
    let f = female as usize;
    let s = |v: &'static [String]| v.iter().map(String::as_str);
    match o {
        English => {
            // The cohort's own names first, then the other cohorts' (names
            // come back into fashion, and are given across the years), then
            // rarer names, then spelling variants.
            let own = ENGLISH_FORENAMES[f][cohort];
            let others = [[1, 2], [2, 0], [1, 0]][cohort];
            Pool::build(
                own.iter().copied(),
                ENGLISH_FORENAMES[f][others[0]]
                    .iter()
                    .chain(ENGLISH_FORENAMES[f][others[1]])
                    .chain(ENGLISH_FORENAME_TAIL[f])
                    // English families give Welsh and Irish names too
                    // (Rhys, Dylan, Megan, Niamh, Aoife).
                    .chain(WELSH_FORENAMES[f])
                    .chain(IRISH_FORENAMES[f])
                    .copied()
                    .chain(s(english_forename_variants(female)))
                    // Made-up and compound names, common only since the 1990s.
                    .chain(s(if cohort == 2 {
                        modern_forenames(female)
                    } else {
                        &[]
                    })),
                &ENGLISH_FORENAME_CURVES[f][cohort],
                0.0,
            )
        }
        Welsh => Pool::build(
            WELSH_FORENAMES[f].iter().copied(),
            WELSH_FORENAME_TAIL[f].iter().copied(),
            &OTHER_FORENAME_CURVE,
            // Assumption: a third of Welsh speakers' names are English or
            // international ones (ONS's top ten names for Wales are mostly
            // the same as England's, with Dylan, Rhys, Ffion, Seren, Megan
            // and a few other Welsh names among them).
            0.35,
        ),
        Irish => Pool::build(
            IRISH_FORENAMES[f].iter().copied(),
            IRISH_FORENAME_TAIL[f].iter().copied(),
            &OTHER_FORENAME_CURVE,
            0.40, // Assumption, as for Welsh.
        ),
        BlackCaribbean => Pool::build(
            CARIBBEAN_FORENAMES[f].iter().copied(),
            std::iter::empty(),
            &OTHER_FORENAME_CURVE,
            // Assumption: most British Caribbean people have the same
            // forenames as their English neighbours of the same age.
            0.75,
        ),
        SouthAsian => Pool::build(
            SOUTH_ASIAN_FORENAMES[community][f].iter().copied(),
            SOUTH_ASIAN_FORENAME_TAIL[community][f]
                .iter()
                .copied()
                .chain(s(transliterations(SouthAsian, community, female))),
            if community == 0 && !female {
                &MUSLIM_MALE_FORENAME_CURVE
            } else {
                &OTHER_FORENAME_CURVE
            },
            0.0,
        ),
        BlackAfrican => Pool::build(
            AFRICAN_FORENAMES[f].iter().copied(),
            AFRICAN_FORENAME_TAIL[f].iter().copied(),
            &OTHER_FORENAME_CURVE,
            0.15, // Assumption: English names given alongside Emmanuel, Blessing...
        ),
        EastEuropean => Pool::build(
            EAST_EUROPEAN_FORENAMES[f].iter().copied(),
            EAST_EUROPEAN_FORENAME_TAIL[f].iter().copied(),
            &OTHER_FORENAME_CURVE,
            0.0,
        ),
        Chinese => Pool::build(
            CHINESE_FORENAMES[f].iter().copied(),
            CHINESE_FORENAME_TAIL[f].iter().copied(),
            &OTHER_FORENAME_CURVE,
            // Assumption: many British Chinese people use an English given name.
            0.25,
        ),
        Arab => Pool::build(
            ARAB_FORENAMES[f].iter().copied(),
            ARAB_FORENAME_TAIL[f]
                .iter()
                .copied()
                .chain(s(transliterations(Arab, 0, female))),
            if female {
                &OTHER_FORENAME_CURVE
            } else {
                &MUSLIM_MALE_FORENAME_CURVE
            },
            0.0,
        ),
    }
}

// ---------------------------------------------------------------------------
// Curves. Shares of people at a rank, within the origin's own draws.

/// Great Britain's surnames. Ranks 1 to 21: the share of entries on the 1996
/// electoral register (Smith 1.20%, Jones 0.90%, Williams 0.62%, Brown
/// 0.58%, Taylor 0.56%, Davies 0.47%, ...; comparative table of leading
/// surnames, surnamestudies.org.uk/statistics). Ranks 43 to 16,554: people
/// per million with the surname and its rank in Great Britain (UCL Surname
/// Profiler, 1998 electoral register, Longley et al.), for James (43), Allen
/// (49), Barker (77), Powell (82), Fisher (93), Burton (128), Giles (390),
/// Whitehouse (563), Corbett (746), Hallam (788), York (1,318), Lewin
/// (1,942), Westcott (2,340), Benn (2,534), Tierney (3,176), Handy (3,680),
/// Macklin (4,435), Strain (5,799), Tidball (11,886) and Came (16,554), as
/// quoted on ing.iac.es/~crb/ftr/names.html. Worked forward, the curve puts
/// about 24% of people in the 100 commonest surnames, 45% in the 500
/// commonest and 58% in the 1,000 commonest: more than half of people have a
/// surname outside the few hundred commonest (derived).
#[rustfmt::skip]
pub static GB_SURNAMES: Curve = Curve(&[
    (1.0, 0.0120), (2.0, 0.0090), (3.0, 0.0062), (4.0, 0.0058), (5.0, 0.0056), (6.0, 0.0047),
    (7.0, 0.0042), (8.0, 0.0038), (9.0, 0.0034), (10.0, 0.0033), (11.0, 0.0032), (12.0, 0.0030),
    (14.0, 0.0029), (16.0, 0.0028), (17.0, 0.0026), (20.0, 0.0025), (21.0, 0.0025),
    (43.0, 0.002171), (49.0, 0.002082), (77.0, 0.001449), (82.0, 0.001380), (93.0, 0.001294),
    (128.0, 0.000942), (390.0, 0.000420), (563.0, 0.000288), (746.0, 0.000217),
    (788.0, 0.000206), (1318.0, 0.000146), (1942.0, 0.000086), (2340.0, 0.000073),
    (2534.0, 0.000063), (3176.0, 0.000045), (3680.0, 0.000038), (4435.0, 0.000031),
    (5799.0, 0.000022), (11886.0, 0.000009), (16554.0, 0.000005),
]);

/// Surnames of Welsh-speaking families. Derived: in Wales as a whole Jones
/// is about 5.75% of people, Williams 3.9%, Davies 3.7%, Evans about 2.6%
/// and Thomas 2.5% (the shares usually quoted from electoral-register
/// surname counts; approximately: a 2020 count gives Jones 170,633, Davies
/// 111,559, Williams 110,404, Evans 72,243 and Thomas 71,040, a little
/// lower); about 35% of people in Wales have a Welsh family name (Webber,
/// "The Welsh diaspora: analysis of the geography of Welsh names", UCL for
/// the Welsh Assembly Government: 718,000 people).
/// Taking the other 65% at Great Britain's rates, Welsh-named families hold
/// Jones at (5.75 − 0.65 × 0.90) / 0.35 = 14.8%, Williams 10.0%, Davies
/// 9.7%, Evans 6.7%, Thomas 6.5%. Ranks 6 to 10 (Roberts, Lewis, Hughes,
/// Morgan, Griffiths) and the rest are an assumption shaped on Rowlands and
/// Rowlands, The Surnames of Wales (1996): ten surnames above 2.5% of people
/// throughout Wales, eleven more at 0.7 to 2.5% (Edwards, James, Lloyd,
/// Morris, Owen, Parry, Phillips, Powell, Price, Rees, Richards), then
/// regional names above 0.3% and "several thousands of others" each rare.
/// The listed 55 names hold about 91% of these families' surnames, the top
/// ten about 65%.
#[rustfmt::skip]
pub static WELSH_SURNAME_CURVE: Curve = Curve(&[
    (1.0, 0.148), (2.0, 0.100), (3.0, 0.097), (4.0, 0.067), (5.0, 0.065), (6.0, 0.040),
    (7.0, 0.035), (8.0, 0.033), (9.0, 0.032), (10.0, 0.030), (11.0, 0.020), (21.0, 0.009),
    (45.0, 0.002), (100.0, 0.0006), (300.0, 0.0001),
]);

/// Assumption, after Irish frequencies (Murphy, Kelly, O'Sullivan, Walsh
/// each about 1% of people in Ireland; MacLysaght, The Surnames of Ireland):
/// the 42 listed names hold about a fifth of Irish families' own surnames.
#[rustfmt::skip]
pub static IRISH_SURNAME_CURVE: Curve = Curve(&[
    (1.0, 0.013), (10.0, 0.0065), (42.0, 0.003), (200.0, 0.0006),
]);

/// South Asian surnames by community (see `SOUTH_ASIAN_COMMUNITIES`).
/// Assumption, informed by the ranks of Khan, Singh, Patel, Begum, Ali,
/// Hussain and Ahmed among Great Britain's hundred commonest surnames (UCL
/// Surname Profiler) while British South Asians are about 7% of people
/// (Census 2021; about half that in 1998). Muslim families: Khan about 8%,
/// then Ahmed, Hussain, Ali, Begum (women), Akhtar; Hindu families: Patel
/// about a sixth (most British Hindus are Gujarati); Sikh families: Singh
/// (Kaur for women) about a third, the rest family names (Sandhu, Gill,
/// Dhillon).
#[rustfmt::skip]
pub static SOUTH_ASIAN_SURNAME_CURVES: [Curve; 3] = [
    Curve(&[(1.0, 0.08), (10.0, 0.025), (45.0, 0.005), (300.0, 0.0005)]),
    Curve(&[(1.0, 0.17), (2.0, 0.05), (10.0, 0.015), (60.0, 0.003), (300.0, 0.0004)]),
    Curve(&[(1.0, 0.33), (2.0, 0.04), (10.0, 0.015), (60.0, 0.003), (300.0, 0.0004)]),
];

/// Assumption: Yoruba, Igbo, Akan and Somali surnames are many and varied;
/// the ten commonest hold about a tenth of people.
#[rustfmt::skip]
pub static AFRICAN_SURNAME_CURVE: Curve = Curve(&[
    (1.0, 0.02), (10.0, 0.008), (42.0, 0.003), (1000.0, 0.0001),
]);

/// Assumption: Campbell, Brown and Williams lead among British Caribbean
/// families; the 41 listed names hold about a third of their own draws.
#[rustfmt::skip]
pub static CARIBBEAN_SURNAME_CURVE: Curve = Curve(&[
    (1.0, 0.03), (10.0, 0.012), (41.0, 0.004), (200.0, 0.001),
]);

/// Assumption, after Polish registers (Nowak, the commonest surname in
/// Poland, about half of one per cent of people; the ten commonest a few
/// per cent) and Romanian ones (Popa, Popescu, Pop similar): flat and long.
#[rustfmt::skip]
pub static EAST_EUROPEAN_SURNAME_CURVE: Curve = Curve(&[
    (1.0, 0.008), (10.0, 0.004), (42.0, 0.0025), (500.0, 0.0003),
]);

/// Assumption, after China's household registration figures for 2020
/// (Ministry of Public Security: Wang, Li, Zhang, Liu and Chen about 30% of
/// people, the hundred commonest about 86%), lowered at the top because
/// Cantonese and Mandarin spellings split one name in two (Chan and Chen,
/// Wong and Wang and Huang, Lee and Li, Cheung and Zhang).
#[rustfmt::skip]
pub static CHINESE_SURNAME_CURVE: Curve = Curve(&[
    (1.0, 0.08), (5.0, 0.04), (10.0, 0.025), (40.0, 0.006), (150.0, 0.001),
]);

/// Assumption: family names of Arab origin, many from forenames or a tribe
/// ("Al-"), fairly concentrated at the top.
#[rustfmt::skip]
pub static ARAB_SURNAME_CURVE: Curve = Curve(&[
    (1.0, 0.03), (10.0, 0.012), (40.0, 0.004), (200.0, 0.0008),
]);

/// English forenames by [sex][cohort]. Born 1985 on: ONS Baby names in
/// England and Wales 2008, the commonest boys' name (Jack) 2.21% of boys,
/// the ten commonest 16.4%, the hundred commonest 57.7%, 26,815 different
/// names registered; girls 1.54% (Olivia), 12.8%, 47.4% and 34,043 names.
/// The points at ranks 10 and 100 are derived so the curve gives those
/// shares. Earlier cohorts: assumption, more concentrated (ONS's historic
/// lists show a few names leading for decades, John from 1914 to 1944,
/// David from 1954 to 1964; the shares are not published): before 1960 the
/// ten commonest names about 35% of boys and 27% of girls, the hundred
/// commonest about 82% and 72%; 1960 to 1984 about 25% and 20%, 72% and 62%.
#[rustfmt::skip]
pub static ENGLISH_FORENAME_CURVES: [[Curve; 3]; 2] = [
    [
        Curve(&[(1.0, 0.060), (10.0, 0.0249), (100.0, 0.00174)]),
        Curve(&[(1.0, 0.040), (10.0, 0.0187), (100.0, 0.00229)]),
        Curve(&[(1.0, 0.0221), (10.0, 0.0138), (100.0, 0.00234)]),
    ],
    [
        Curve(&[(1.0, 0.045), (10.0, 0.0196), (100.0, 0.00202)]),
        Curve(&[(1.0, 0.030), (10.0, 0.0157), (100.0, 0.00217)]),
        Curve(&[(1.0, 0.0154), (10.0, 0.0115), (100.0, 0.00196)]),
    ],
];

/// Assumption for other origins' own forenames: shaped like ONS's figures
/// for all babies (the ten commonest names about a sixth of children), a
/// little more concentrated because each list is one community's.
#[rustfmt::skip]
pub static OTHER_FORENAME_CURVE: Curve = Curve(&[
    (1.0, 0.04), (10.0, 0.018), (100.0, 0.002),
]);

/// Muslim boys' names: Muhammad was the commonest boys' name registered in
/// England and Wales in 2023 (ONS Baby names 2023: 4,661 boys, about 1.5%
/// of all boys), with Mohammed and Mohammad registered separately besides,
/// while Muslim families have about a tenth of births: about a fifth of
/// Muslim boys get one of its spellings (derived, approximately). Many men
/// are registered with Mohammed first and known by their second name, which
/// is why records of British Pakistani and Bangladeshi men so often share a
/// first name. Past the top: assumption.
#[rustfmt::skip]
pub static MUSLIM_MALE_FORENAME_CURVE: Curve = Curve(&[
    (1.0, 0.12), (2.0, 0.07), (10.0, 0.02), (100.0, 0.002),
]);

// ---------------------------------------------------------------------------
// Surnames.

/// English (and Scottish and Irish-in-Britain) surnames in roughly the
/// order of their frequency in Great Britain: the first twenty-odd as on
/// the 1996 electoral register, the rest approximately (ONS and UCL Surname
/// Profiler rankings as remembered, not copied; names of South Asian and
/// Chinese origin, though among Great Britain's commonest, are left to
/// those origins' lists). Weighted by rank through `GB_SURNAMES`. The names
/// from about rank 600 on are real but rarer names from all over England,
/// many regional (Lancashire and Yorkshire, the Black Country, Cornwall),
/// including the Profiler's examples quoted above.
#[rustfmt::skip]
pub static ENGLISH_SURNAMES: &[&str] = &[
    "Smith", "Jones", "Williams", "Brown", "Taylor", "Davies", "Wilson", "Evans", "Thomas",
    "Johnson", "Roberts", "Wright", "Walker", "Robinson", "Thompson", "White", "Edwards", "Green",
    "Hall", "Wood", "Harris", "Hughes", "Lewis", "Clarke", "Jackson", "Turner", "Martin", "Cooper",
    "Hill", "Ward", "Morris", "Moore", "Clark", "Lee", "King", "Baker", "Harrison", "Morgan",
    "Allen", "James", "Scott", "Phillips", "Watson", "Davis", "Parker", "Price", "Bennett", "Young",
    "Griffiths", "Mitchell", "Kelly", "Cook", "Carter", "Richardson", "Bailey", "Collins", "Bell",
    "Shaw", "Murphy", "Miller", "Cox", "Richards", "Marshall", "Anderson", "Simpson", "Ellis",
    "Adams", "Wilkinson", "Foster", "Chapman", "Powell", "Webb", "Rogers", "Gray", "Mason", "Hunt",
    "Campbell", "Matthews", "Owen", "Palmer", "Holmes", "Mills", "Barnes", "Knight", "Lloyd",
    "Butler", "Russell", "Barker", "Fisher", "Stevens", "Jenkins", "Murray", "Dixon", "Harvey",
    "Graham", "Pearson", "Fletcher", "Walsh", "Gibson", "Howard", "Andrews", "Stewart", "Elliott",
    "Reynolds", "Saunders", "Payne", "Fox", "Ford", "Pearce", "Day", "Brooks", "West", "Lawrence",
    "Cole", "Atkinson", "Bradley", "Spencer", "Gill", "Dawson", "Ball", "Burton", "O'Brien", "Watts",
    "Rose", "Booth", "Perry", "Ryan", "Grant", "Wells", "Armstrong", "Francis", "Rees", "Hayes",
    "Hart", "Hudson", "Newman", "Barrett", "Webster", "Hunter", "Gregory", "Carr", "Lowe", "Page",
    "Marsh", "Riley", "Dunn", "Woods", "Parsons", "Berry", "Stone", "Reid", "Holland", "Hawkins",
    "Harding", "Porter", "Robertson", "Newton", "Oliver", "Reed", "Kennedy", "Williamson", "Bird",
    "Gardner", "Dean", "Lane", "Cooke", "Bates", "Henderson", "Parry", "Burgess", "Bishop",
    "Walton", "Burns", "Nicholson", "Shepherd", "Ross", "Cross", "Long", "Freeman", "Warren",
    "Nicholls", "Hamilton", "Byrne", "Sutton", "McDonald", "Yates", "Hodgson", "Robson", "Curtis",
    "Hopkins", "O'Connor", "Harper", "Coleman", "Watkins", "Moss", "McCarthy", "Chambers",
    "O'Neill", "Griffin", "Sharp", "Hardy", "Wheeler", "Potter", "Osborne", "Johnston", "Gordon",
    "Doyle", "Wallace", "George", "Jordan", "Hutchinson", "Rowe", "Burke", "May", "Pritchard",
    "Gilbert", "Willis", "Higgins", "Read", "Miles", "Stevenson", "Stephenson", "Hammond",
    "Arnold", "Buckley", "Walters", "Hewitt", "Barber", "Nelson", "Slater", "Austin", "Sullivan",
    "Whitehead", "Mann", "Frost", "Lambert", "Stephens", "Blake", "Lynch", "Goodwin", "Barton",
    "Woodward", "Thomson", "Cunningham", "Quinn", "Barnett", "Baxter", "Clayton", "Nash",
    "Greenwood", "Jennings", "Holt", "Kemp", "Poole", "Gallagher", "Bond", "Stokes", "Tucker",
    "Davidson", "Fowler", "Heath", "Norman", "Middleton", "Lawson", "Banks", "French", "Stanley",
    "Jarvis", "Gibbs", "Ferguson", "Hayward", "Carroll", "Douglas", "Dickinson", "Todd", "Barlow",
    "Peters", "Lucas", "Knowles", "Hartley", "Simmons", "Morton", "Alexander", "Field", "Morrison",
    "Norris", "Townsend", "Preston", "Hancock", "Thornton", "Baldwin", "Burrows", "Briggs",
    "Storey", "Dale", "Pierce", "Kirby", "Rhodes", "Lamb", "Dennis", "Parkinson", "Owens", "Hanson",
    "Marsden", "Vincent", "Tyler", "Whittaker", "Howe", "Bolton", "Sanders", "Farrell", "Cartwright",
    "Charlton", "Fuller", "Ingram", "Joyce", "Kirk", "Leach", "Lord", "Lyons", "Manning", "Mellor",
    "Moran", "Nicholas", "Nixon", "Pratt", "Rowley", "Summers", "Sykes", "Tomlinson", "Waters",
    "Weston", "Wade", "Warner", "Watt", "Welch", "Wilkins", "Winter", "Abbott", "Allan", "Archer",
    "Atkins", "Ashton", "Bentley", "Birch", "Black", "Blackburn", "Bowen", "Bradshaw", "Brady",
    "Bray", "Brennan", "Bryant", "Bull", "Bush", "Butcher", "Cameron", "Carpenter", "Coles",
    "Connolly", "Conway", "Coates", "Crawford", "Dyer", "Dobson", "Doherty", "Duncan", "Eaton",
    "Farmer", "Finch", "Fleming", "Flynn", "Forster", "Foley", "Fry", "Garner", "Glover", "Goddard",
    "Gould", "Gough", "Hale", "Hargreaves", "Harrington", "Hobbs", "Hodges", "Holden", "Horton",
    "Houghton", "Howell", "Hurst", "Hyde", "Jeffery", "Kay", "Kent", "Kerr", "Little", "Lowe",
    "Lucas", "Macdonald", "Mackenzie", "Marshall", "Metcalfe", "Moody", "Morley", "Mullen",
    "Myers", "Naylor", "Noble", "O'Donnell", "Oakley", "Parkes", "Parkin", "Pollard", "Quinn",
    "Randall", "Rawlings", "Ray", "Rich", "Rigby", "Roper", "Rowland", "Rush", "Sadler", "Sharpe",
    "Short", "Skinner", "Steele", "Stubbs", "Swift", "Talbot", "Taylor", "Thorpe", "Vaughan",
    "Wainwright", "Walsh", "Warburton", "Ware", "Whitaker", "Wilde", "Wiley", "Wiseman", "Woodcock",
    "Wyatt", "Young", "Ahern", "Ainsworth", "Aldridge", "Allsop", "Appleby", "Ashworth", "Aspinall",
    "Attwood", "Bagshaw", "Bainbridge", "Bancroft", "Barraclough", "Battersby", "Bayliss",
    "Beckett", "Bellamy", "Binns", "Birkett", "Blackwell", "Blundell", "Boothroyd", "Bottomley",
    "Bowker", "Bramwell", "Brierley", "Brindley", "Broadbent", "Brookes", "Buckingham", "Bunting",
    "Burnett", "Cadman", "Calvert", "Catchpole", "Chadwick", "Cheetham", "Clegg", "Clough",
    "Cockburn", "Crabtree", "Crowther", "Cutler", "Dakin", "Dalby", "Dearden", "Denton", "Dodd",
    "Duckworth", "Eastwood", "Eccles", "Entwistle", "Fairclough", "Fenwick", "Firth", "Foulkes",
    "Gaskell", "Greaves", "Grimshaw", "Hadfield", "Haigh", "Halliwell", "Haworth", "Heywood",
    "Higginbotham", "Hindle", "Hollis", "Horrocks", "Howarth", "Hulme", "Illingworth", "Ingham",
    "Kershaw", "Kitching", "Lightfoot", "Littlewood", "Marriott", "Mottram", "Nuttall", "Oldham",
    "Openshaw", "Ormerod", "Pickles", "Pilling", "Platt", "Priestley", "Ramsbottom", "Redfern",
    "Ripley", "Rothwell", "Schofield", "Shackleton", "Sharples", "Shuttleworth", "Smethurst",
    "Sowerby", "Stansfield", "Sutcliffe", "Swindells", "Tattersall", "Tetley", "Threlfall",
    "Unsworth", "Walmsley", "Whitworth", "Woolley", "Worsley", "Wragg", "Alcock", "Amos",
    "Baggott", "Beddoes", "Bevington", "Biddle", "Billingham", "Blakemore", "Bourne", "Brettell",
    "Bytheway", "Checketts", "Cotterill", "Darby", "Dudley", "Edgington", "Farley", "Felton",
    "Guest", "Hackett", "Hadley", "Haynes", "Hickman", "Hingley", "Homer", "Jukes", "Kendrick",
    "Lacey", "Malpass", "Millward", "Nock", "Oakes", "Onions", "Pargeter", "Parton", "Perks",
    "Pinches", "Plant", "Round", "Rudge", "Sankey", "Silvester", "Skidmore", "Southall", "Timmins",
    "Tonks", "Tranter", "Upton", "Wakeman", "Whitehouse", "Wilkes", "Willetts", "Woodhall",
    "Yardley", "Coombes", "Hosking", "Jewell", "Luscombe", "Pengelly", "Penrose", "Polglase",
    "Trelawny", "Tregear", "Trevithick", "Vosper", "Chapple", "Arrowsmith", "Bowyer", "Brewer",
    "Chandler", "Collier", "Draper", "Faulkner", "Glazier", "Hooper", "Lister", "Mercer",
    "Plummer", "Sawyer", "Shearer", "Spicer", "Tanner", "Thatcher", "Wheelwright", "Woodman",
    "Chaplin", "Falconer", "Forester", "Gardiner", "Palfreyman", "Stringer", "Paterson", "Fraser",
    "Mackay", "Johnstone", "McLean", "McKay", "Sinclair", "Munro", "Boyd", "Buchanan", "Drummond",
    "Forbes", "Lindsay", "Macleod", "Rennie", "Corbett", "Hallam", "York", "Lewin", "Westcott",
    "Benn", "Tierney", "Powis", "Handy", "Macklin", "Breese", "Strain", "Tidball", "Murby", "Came",
    "Giles", "Ackroyd", "Aston", "Bickerton", "Boswell", "Brightwell", "Cattell", "Clifford",
    "Cresswell", "Crockett", "Dewhurst", "Dunstan", "Eldridge", "Fairbairn", "Fenton", "Gascoigne",
    "Goodall", "Gosling", "Hadlow", "Hamblin", "Hanley", "Hardcastle", "Hemming", "Hepworth",
    "Hinchliffe", "Holloway", "Hornby", "Huxley", "Ibbotson", "Jowett", "Kettle", "Kingston",
    "Lambourne", "Langford", "Latham", "Leadbetter", "Lilley", "Lockwood", "Lumley", "Maddox",
    "Mallinson", "Mayhew", "Meadows", "Merritt", "Molyneux", "Mountford", "Neville", "Norton",
    "Ogden", "Orton", "Padgett", "Pemberton", "Penny", "Pickering", "Pike", "Prentice", "Pritchett",
    "Rackham", "Ramsey", "Rayner", "Redman", "Rowntree", "Sampson", "Scholes", "Seymour",
    "Shipley", "Simms", "Slack", "Snowden", "Spooner", "Stainton", "Standish", "Stott", "Street",
    "Swann", "Tennant", "Thackeray", "Thwaites", "Tindall", "Tolley", "Tovey", "Truman", "Tuckwell",
    "Turnbull", "Twigg", "Vickers", "Wadsworth", "Walford", "Warrington", "Wharton", "Whiteley",
    "Wigley", "Wilcox", "Willoughby", "Winstanley", "Witherspoon", "Womack", "Wolstenholme",
    "Worthington", "Yeomans", "Harper", "Nicholls", "Rodgers", "Sharp", "Tucker", "Whitehouse",
];

/// First elements of English place names (Old English and Norse: ash, broad,
/// cold, stone, thorn, white...), which make most of England's rarer
/// surnames: people took the name of the place they came from, and
/// England has tens of thousands of places named this way.
#[rustfmt::skip]
static TOPONYM_FIRST: &[&str] = &[
    "Ab", "Ack", "Ald", "Alder", "Ash", "Ather", "Bad", "Bar", "Barn", "Beck", "Bed", "Bel",
    "Bent", "Bick", "Bil", "Birk", "Black", "Bland", "Bol", "Brad", "Bram", "Bran", "Brent",
    "Brid", "Brom", "Brook", "Broom", "Bur", "Bux", "Cal", "Can", "Car", "Chad", "Char", "Chat",
    "Chel", "Ches", "Chil", "Chip", "Clay", "Cliff", "Cold", "Cot", "Craw", "Crom", "Dal", "Dar",
    "Den", "Dod", "Dun", "East", "Ed", "Elm", "Ever", "Far", "Farn", "Fen", "Ful", "Gar", "Glad",
    "Gold", "Good", "Graf", "Gran", "Green", "Grim", "Had", "Hal", "Ham", "Hamp", "Hard", "Hart",
    "Has", "Hat", "Haw", "Hay", "Hazel", "Heath", "Hen", "Hes", "Hey", "High", "Hol", "Holm", "Hors",
    "Hud", "Hun", "Ing", "Kel", "Ken", "Kers", "Kil", "King", "Kirk", "Lang", "Lath", "Lax", "Led",
    "Lid", "Lin", "Lit", "Lock", "Long", "Lud", "Man", "Mar", "Mel", "Mid", "Mil", "Mor", "Moss",
    "New", "Nor", "Oak", "Old", "Ot", "Pad", "Pen", "Pick", "Pil", "Pres", "Rad", "Ram",
    "Rav", "Red", "Rich", "Rid", "Rip", "Roch", "Rom", "Ros", "Row", "Rud", "Sal", "Sand", "Sax",
    "Scar", "Sel", "Shap", "Shel", "Sher", "Ship", "Shir", "Skel", "Snow", "South", "Stan", "Stap",
    "Stock", "Stow", "Sud", "Sut", "Swan", "Swin", "Tad", "Tam", "Thorn", "Thurs", "Tid", "Tod",
    "Up", "Wad", "Wake", "Wal", "War", "Wat", "Wel", "Wen", "West", "Whit", "Wick", "Wig", "Wil",
    "Win", "Wind", "Wol", "Wood", "Wor", "Yar",
];

/// Second elements of English place names: farm and village (-ton, -ham,
/// -by, -thorpe, -worth, -wick), clearing and field (-ley, -field,
/// -thwaite), crossing (-ford, -bridge), hill and valley (-don, -den,
/// -combe, -dale, -low, -head, -bottom), wood (-hurst, -shaw, -wood).
#[rustfmt::skip]
static TOPONYM_SECOND: &[&str] = &[
    "by", "bury", "combe", "croft", "dale", "den", "don", "field", "ford", "gate", "ham", "hurst",
    "ley", "leigh", "low", "more", "stead", "stone", "thorpe", "ton", "well", "wick", "wood",
    "worth", "bridge", "brook", "cliffe", "cote", "shaw", "land", "holme", "mere", "burn", "ridge",
    "hill", "hall", "ington", "bourne", "borough", "ney", "sey", "thwaite", "head", "bank", "side",
    "garth", "grave", "green", "lake", "house", "acre", "lea", "stow", "toft", "down", "hay",
    "fold", "brough", "church",
];

/// Medieval pet forms of forenames (Hob for Robert, Daw for David, Wilk for
/// William, Hodg for Roger...), which with -son, -s, -kin, -ett, -cox and
/// the like make England's many patronymic surnames: Hobson, Dawkins,
/// Wilkinson, Hodgetts, Simcox.
#[rustfmt::skip]
static PET_FORMS: &[&str] = &[
    "Ad", "Daw", "Dick", "Dob", "Gib", "Gil", "Hal", "Ham", "Han", "Haw", "Hew", "Hick", "Hitch",
    "Hob", "Hodg", "Hop", "Hud", "Hutch", "Jack", "Jen", "Jeff", "Lamb", "Law", "Mal", "Mat", "Nel",
    "Nick", "Par", "Perk", "Pet", "Phil", "Raw", "Rob", "Rodg", "Rog", "Ros", "Sand", "Sim", "Stev",
    "Tib", "Tim", "Tom", "Wat", "Wil", "Wilk", "Will",
];

#[rustfmt::skip]
static PET_SUFFIXES: &[&str] = &[
    "son", "s", "kin", "kins", "kinson", "ett", "etts", "in", "ins", "ings", "cox", "ey",
];

fn is_vowel(c: char) -> bool {
    matches!(c.to_ascii_lowercase(), 'a' | 'e' | 'i' | 'o' | 'u' | 'y')
}

/// A made name reads like a real one: no run of four consonants, no letter
/// three times running, not too long.
fn plausible(s: &str) -> bool {
    let chars: Vec<char> = s.chars().collect();
    let mut run = 0;
    for (i, c) in chars.iter().enumerate() {
        run = if c.is_ascii_alphabetic() && !is_vowel(*c) {
            run + 1
        } else {
            0
        };
        if run >= 4 {
            return false;
        }
        if i >= 2 {
            let (a, b) = (
                chars[i - 2].to_ascii_lowercase(),
                chars[i - 1].to_ascii_lowercase(),
            );
            if a == b && b == c.to_ascii_lowercase() {
                return false;
            }
        }
    }
    (4..=12).contains(&chars.len())
}

fn toponym(first: &str, second: &str) -> Option<String> {
    let a = first.chars().last()?;
    let b = second.chars().next()?;
    if is_vowel(a) && is_vowel(b) {
        return None;
    }
    if matches!(a, 'k' | 'c') && matches!(b, 'k' | 'c') {
        return None;
    }
    // Wind + don and Barn + ney pile three consonants up; Whit + ton is
    // Whitton, a real name.
    let before = first.chars().rev().nth(1).unwrap_or('a');
    if a == b && !is_vowel(before) {
        return None;
    }
    // Ash + hurst is Ashurst; Haw + well keeps both letters apart.
    let second = if a == b && matches!(a, 'h' | 'w' | 'y') {
        &second[1..]
    } else {
        second
    };
    let s = format!("{first}{second}");
    plausible(&s).then_some(s)
}

fn pet_surname(stem: &str, suffix: &str) -> Option<String> {
    let last = stem.chars().last()?;
    let first = suffix.chars().next()?;
    let ends_w = matches!(last, 'w');
    // Daw takes -son, -kins, -s; not -ett or -in.
    if ends_w && is_vowel(first) {
        return None;
    }
    // -cox only after a short stem ending in one consonant (Wilcox, Simcox, Hancox).
    if suffix == "cox" && !(stem.len() <= 3 && !ends_w && !stem.ends_with("ck")) {
        return None;
    }
    if (stem.ends_with("ck") || stem.ends_with("tch")) && matches!(first, 'k' | 'c') {
        return None;
    }
    let chars: Vec<char> = stem.chars().collect();
    let short_cvc = chars.len() == 3
        && !is_vowel(chars[0])
        && is_vowel(chars[1])
        && matches!(last, 'b' | 'd' | 'g' | 'm' | 'n' | 'p' | 't' | 'l');
    // Wills and Halls, but not Phils.
    if suffix == "s" && last == 'l' && !short_cvc {
        return None;
    }
    let s = if stem.ends_with('g') && (suffix == "s" || suffix == "ey") {
        // Hodg + s is Hodges.
        format!("{stem}e{suffix}")
    } else if short_cvc && (suffix == "s" || is_vowel(first)) {
        // Hob + s is Hobbs; Tib + etts is Tibbetts.
        format!("{stem}{last}{suffix}")
    } else {
        format!("{stem}{suffix}")
    };
    plausible(&s).then_some(s)
}

/// A stable order that is not alphabetical (FNV-1a), so a made name's rank,
/// and so its frequency, does not follow its spelling.
fn scramble(s: &str) -> u64 {
    s.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
        (h ^ b as u64).wrapping_mul(0x0100_0000_01b3)
    })
}

fn in_scrambled_order(mut v: Vec<String>) -> Vec<String> {
    let mut seen = HashSet::new();
    v.retain(|s| seen.insert(s.clone()));
    v.sort_by_key(|s| (scramble(s), s.clone()));
    v
}

/// The long tail of English surnames, built: place names (first element and
/// second: Bradwell, Ashcombe, Kelthorpe) and patronymics from pet forms
/// (Hobkins, Dawson, Wilcox). Real surnames were made exactly this way, so
/// the results read like English surnames, and a good share of them are
/// real ones. About 10,600 names.
pub fn english_constructed() -> &'static [String] {
    static NAMES: OnceLock<Vec<String>> = OnceLock::new();
    NAMES.get_or_init(|| {
        let mut v = Vec::new();
        for a in TOPONYM_FIRST {
            for b in TOPONYM_SECOND {
                v.extend(toponym(a, b));
            }
        }
        for a in PET_FORMS {
            for b in PET_SUFFIXES {
                v.extend(pet_surname(a, b));
            }
        }
        in_scrambled_order(v)
    })
}

/// Surnames of Welsh-speaking families, in order: Rowlands and Rowlands'
/// ten names found throughout Wales, their eleven found almost everywhere,
/// then regional names (Bevan, Bowen, Pugh, Prosser, Pritchard, ...).
#[rustfmt::skip]
pub static WELSH_SURNAMES: &[&str] = &[
    "Jones", "Williams", "Davies", "Evans", "Thomas", "Roberts", "Lewis", "Hughes", "Morgan",
    "Griffiths", "Edwards", "James", "Lloyd", "Morris", "Owen", "Parry", "Phillips", "Powell",
    "Price", "Rees", "Richards", "Jenkins", "Bowen", "Howells", "Pugh", "Vaughan", "Rowlands",
    "Harries", "Pritchard", "Prosser", "Bevan", "Beynon", "Llewellyn", "Meredith", "Humphreys",
    "Watkins", "Mathias", "Jenkin", "Gwynne", "Wynne", "Probert", "Gittins", "Prydderch", "Tudor",
    "ap Rhys", "Ellis", "Hopkins", "Nicholas", "Howell", "Griffith", "Rowland", "Walters",
    "Perkins", "Owens", "Harris",
];

/// Rarer Welsh surnames and the spellings registers show for the common
/// ones (Davis, Rhys and Rice for Rees, Pryce and Prys for Price, Ifans for
/// Evans, Llwyd and Floyd for Lloyd, Fychan for Vaughan), Welsh forms taken
/// up in the twentieth century (Dafis, Tomos, Wyn), and place names of
/// Wales used as surnames (Mostyn, Nanney, Pennant, Kyffin).
#[rustfmt::skip]
pub static WELSH_SURNAME_TAIL: &[&str] = &[
    "Davis", "Reece", "Rhys", "Rice", "Pryce", "Prys", "Ifans", "Evan", "Llwyd", "Floyd", "Loyd",
    "Fychan", "Vaughn", "Wyn", "Wynn", "Gwyn", "Gwynn", "Llywelyn", "Llewelyn", "Flewellen",
    "Howel", "Powel", "Pughe", "Prichard", "Prytherch", "Protheroe", "Beavan", "Baynon", "Bevin",
    "Humphries", "Humphrey", "Watkin", "Matthias", "Gittings", "Cadwaladr", "Cadwallader", "Tudur",
    "Morgans", "Owain", "Tomos", "Dafis", "Dafydd", "Gruffydd", "Gruffudd", "Siencyn", "Harry",
    "Parri", "Penry", "Bowden", "Eynon", "Einion", "Gravell", "Griffin", "Jervis", "Kyffin", "Lougher",
    "Maddock", "Maddocks", "Meyrick", "Mostyn", "Nanney", "Nicholl", "Peregrine", "Pennant",
    "Pickering", "Picton", "Preece", "Prothero", "Rosser", "Sayce", "Tanat", "Trevor", "Upton",
    "Voyle", "Wogan", "Yorath", "Bowens", "Cecil", "Craddock", "Dee", "Gethin", "Gough", "Goch",
    "Gwilym", "Gwillim", "Kemeys", "Landeg", "Lewys", "Llywarch", "Madog", "Moyle", "Parr",
    "Philpin", "Pumphrey", "Rhydderch", "Roderick", "Samuel",
    "Stradling", "Tew", "Trahearne", "Traherne", "Brace", "Francis", "Gibbon", "Isaac", "Jacob",
    "Jeremy", "Leyshon", "Mordecai", "Perrott", "Arthur", "Benjamin", "Daniel", "David", "Elias",
    "Enoch", "Hopkin",
    "Ieuan", "Ifan", "John", "Jeffreys", "Lodwick", "Marks", "Oliver", "Peters", "Phillip",
    "Roger", "Simon", "Stephen", "Thomson", "Walter", "William",
];

/// Patronymics revived by some Welsh-speaking families since the 1960s: ap
/// (ab before a vowel, "son of") and the father's name, as Welsh naming was
/// before fixed surnames (Rowlands and Rowlands; Dafydd ap Gwilym).
pub fn welsh_patronymics() -> &'static [String] {
    static NAMES: OnceLock<Vec<String>> = OnceLock::new();
    NAMES.get_or_init(|| {
        WELSH_FORENAMES[0]
            .iter()
            .take(60)
            .filter(|n| !n.contains(' ') && !ENGLISH_FORENAMES[0].iter().any(|l| l.contains(n)))
            .map(|n| {
                let ap = if n.starts_with(|c: char| "AEIOUaeiouÂ".contains(c)) {
                    "ab"
                } else {
                    "ap"
                };
                format!("{ap} {n}")
            })
            .collect()
    })
}

#[rustfmt::skip]
pub static IRISH_SURNAMES: &[&str] = &[
    "Murphy", "Kelly", "O'Sullivan", "Walsh", "O'Brien", "Byrne", "Ryan", "O'Connor", "O'Neill",
    "Doyle", "McCarthy", "Gallagher", "Doherty", "Kennedy", "Lynch", "Murray", "Quinn", "Moore",
    "McLaughlin", "Carroll", "Connolly", "Daly", "Connell", "Brennan", "Burke", "Collins",
    "Campbell", "Clarke", "Johnston", "Hughes", "O'Donnell", "Fitzgerald", "Brown", "Martin",
    "Maguire", "Nolan", "Flynn", "Thompson", "Callaghan", "O'Reilly", "Dunne", "Power",
];

#[rustfmt::skip]
pub static IRISH_SURNAME_TAIL: &[&str] = &[
    "Keane", "Kavanagh", "Whelan", "Sweeney", "Regan", "McGrath", "McMahon", "McNamara", "O'Shea",
    "O'Mahony", "Hogan", "Healy", "Farrell", "Foley", "Cullen", "Reilly", "Sheehan", "Mooney",
    "Moran", "Egan", "Hayes", "Mulligan", "Costello", "Dolan", "Hennessy", "Kearney", "Kirwan",
    "Lennon", "Lyons", "Madden", "Malone", "McCann", "McDermott", "McGee", "McGovern",
    "McGuinness", "McKenna", "McManus", "McNally", "Mulcahy", "Nugent", "O'Callaghan", "O'Dwyer",
    "O'Hara", "O'Keeffe", "O'Leary", "O'Rourke", "O'Toole", "Phelan", "Quigley", "Rooney",
    "Scanlon", "Shannon", "Tierney", "Tobin", "Twomey", "Boyle", "Brady", "Casey", "Coleman",
    "Conway", "Corcoran", "Cronin", "Crowley", "Cummins", "Curran", "Deegan", "Devlin", "Dillon",
    "Donnelly", "Donovan", "Duffy", "Duggan", "Dwyer", "Fahy", "Fallon", "Farrelly", "Finnegan",
    "Flanagan", "Gorman", "Hanley", "Harrington", "Higgins", "Horgan", "Hurley", "Kane", "Keating",
    "Keegan", "Kenny", "Leahy", "Loughlin", "Lucey", "Mahon", "Maher", "McAllister", "McBride",
    "McCabe", "McCormack", "McDonagh", "McElroy", "McEvoy", "McFadden", "McHugh", "McInerney",
    "McKeown", "Meehan", "Molloy", "Monaghan", "Moriarty", "Mullan", "Mullen", "Naughton",
    "O'Driscoll", "O'Farrell", "O'Gorman", "O'Grady", "O'Halloran", "O'Kelly", "O'Loughlin",
    "O'Malley", "O'Meara", "Prendergast", "Redmond", "Roche", "Ruane", "Shanahan", "Sheridan",
    "Slattery", "Sheehy", "Barry", "Buckley", "Cahill", "Clancy", "Coughlan", "Daly", "Delaney",
    "Desmond", "Dowling", "Fennelly", "Geraghty", "Hickey", "Hynes", "Joyce", "Kiely", "Lally",
    "Lawlor", "Lenihan", "Mangan", "Mannion", "Mulvaney", "Nagle", "O'Flaherty", "Riordan",
    "Spillane", "Treacy", "Walshe", "Ward",
];

/// South Asian surnames by community: [Muslim, Hindu, Sikh].
#[rustfmt::skip]
pub static SOUTH_ASIAN_SURNAMES: [&[&str]; 3] = [
    &[
        "Khan", "Ahmed", "Hussain", "Ali", "Begum", "Akhtar", "Iqbal", "Mahmood", "Bibi", "Rahman",
        "Islam", "Miah", "Uddin", "Malik", "Butt", "Rashid", "Chaudhry", "Mirza", "Qureshi", "Aslam",
        "Sheikh", "Raza", "Saleem", "Javed", "Anwar", "Nawaz", "Riaz", "Hassan", "Choudhury", "Shah",
        "Khatun", "Ullah", "Mohammed", "Ahmad", "Hussein", "Bashir", "Akram", "Mughal", "Abbasi",
        "Awan", "Hoque", "Hossain", "Alam", "Chowdhury", "Begam",
    ],
    &[
        "Patel", "Sharma", "Kumar", "Mistry", "Chauhan", "Parmar", "Solanki", "Joshi", "Mehta",
        "Desai", "Gupta", "Lad", "Makwana", "Chavda", "Rana", "Gohil", "Jadeja", "Kotecha", "Lakhani",
        "Modi", "Pandya", "Thakkar", "Thakur", "Rao", "Verma", "Agarwal", "Bhatt", "Das", "Jain",
        "Kapoor", "Malhotra", "Arora", "Bhatia", "Iyer", "Nair", "Pillai", "Reddy", "Menon",
        "Krishnan", "Mukherjee", "Ghosh", "Kumari", "Devi", "Vaghela", "Raval",
    ],
    &[
        "Singh", "Kaur", "Sandhu", "Gill", "Dhillon", "Sidhu", "Bains", "Johal", "Sahota", "Dhaliwal",
        "Grewal", "Atwal", "Bassi", "Virdi", "Sangha", "Randhawa", "Kang", "Mann", "Sohal", "Basra",
        "Bhamra", "Dosanjh", "Takhar", "Uppal", "Bal", "Chahal", "Deol", "Ghuman", "Hayer", "Khaira",
        "Nijjar", "Purewal", "Sanghera", "Sekhon", "Rai", "Kalsi", "Matharu", "Panesar", "Sohi",
        "Toor", "Bhogal", "Rehal", "Samra", "Dhami", "Heer",
    ],
];

#[rustfmt::skip]
pub static SOUTH_ASIAN_SURNAME_TAIL: [&[&str]; 3] = [
    &[
        "Abbas", "Afzal", "Akbar", "Amin", "Ansari", "Arshad", "Ashraf", "Azam", "Aziz", "Baig",
        "Bhatti", "Chohan", "Dar", "Farooq", "Farooqi", "Haq", "Jamil", "Janjua", "Kayani", "Kiani",
        "Latif", "Majeed", "Mian", "Mir", "Nazir", "Parveen", "Pathan", "Qadir", "Rafiq", "Raja",
        "Rehman", "Sadiq", "Sarwar", "Shafiq", "Sharif", "Siddiqui", "Syed", "Tahir", "Talukdar",
        "Yasin", "Zaman", "Zaheer", "Chaudhary", "Choudhry", "Husain", "Mia", "Khanom", "Akter",
        "Sultana", "Hamid", "Hameed", "Habib", "Kabir", "Karim", "Mahmud", "Masood", "Mehmood",
        "Mustafa", "Naqvi", "Rizvi", "Jafri", "Zaidi", "Bukhari", "Gilani", "Hashmi", "Qazi",
        "Memon", "Lodhi", "Yousaf", "Younis", "Zafar", "Anjum", "Asghar", "Bano", "Fatima", "Kausar",
        "Pervez", "Shabbir", "Sabir", "Rauf", "Jan", "Gul", "Khattak", "Afridi", "Sarkar", "Hoq",
        "Nessa", "Khatoon", "Rahim", "Mahmoud", "Sattar", "Ghani", "Hanif", "Ishaq", "Maqsood",
        "Mushtaq", "Nadeem", "Rasool", "Shahzad", "Tariq", "Zubair", "Amjad", "Arif", "Ayub",
        "Bhuiyan", "Mollah", "Sikder", "Munshi", "Khandaker", "Majumder", "Mridha", "Shikder",
        "Bhatt", "Sethi", "Bajwa", "Cheema", "Warraich", "Gondal", "Tarar", "Virk", "Ranjha",
        "Gujjar", "Minhas", "Kazmi", "Abidi", "Jaffery", "Hyder", "Mohammad", "Muhammad", "Khalid",
        "Saeed", "Sohail", "Waheed", "Yaqoob", "Zahid",
    ],
    &[
        "Bhachu", "Bose", "Dutta", "Sen", "Tiwari", "Trivedi", "Vyas", "Kaul", "Lal", "Ram",
        "Rathore", "Mandalia", "Pabari", "Rajani", "Ruparelia", "Savani", "Thaker", "Vadher",
        "Vekaria", "Amin", "Bhalla", "Chadha", "Kohli", "Saini", "Shah", "Dave", "Dholakia",
        "Gandhi", "Hirani", "Jethwa", "Kanani", "Karia", "Kerai", "Majithia", "Manek", "Morjaria",
        "Naik", "Pattni", "Popat", "Radia", "Raithatha", "Sachdev", "Sodha", "Tailor", "Tanna",
        "Unadkat", "Varsani", "Vara", "Bhandari", "Chopra", "Khanna", "Mehra", "Puri", "Sethi",
        "Sood", "Tandon", "Anand", "Bajaj", "Goel", "Mittal", "Singhal", "Bansal", "Garg",
        "Aggarwal", "Mishra", "Pandey", "Shukla", "Srivastava", "Yadav", "Chaudhari", "Kulkarni",
        "Patil", "Deshpande", "Naidu", "Rajan", "Subramanian", "Venkatesh", "Gopal", "Raman",
        "Srinivasan",
    ],
    &[
        "Jutla", "Kundi", "Lally", "Gahir", "Rayat", "Nagra", "Walia", "Kohli", "Chadha", "Bhachu",
        "Bajwa", "Sethi", "Sodhi", "Anand", "Ahluwalia", "Bhangal", "Bhullar", "Brar", "Chana",
        "Cheema", "Dhanda", "Dhanoa", "Gidda", "Hundal", "Jassal", "Jhutti", "Kalirai", "Kooner",
        "Lidder", "Mangat", "Manku", "Mattu", "Nahal", "Pannu", "Phull", "Rehill", "Riat", "Sagoo",
        "Sall", "Sandher", "Saroya", "Shergill", "Sihota", "Tatla", "Thandi", "Thind", "Tiwana",
        "Virk", "Ubhi", "Aujla", "Bhatti", "Dhesi", "Gakhal", "Kaler", "Mahal", "Minhas", "Nandra",
        "Parhar", "Sahi", "Sanghera", "Soor",
    ],
];

/// South Asian forenames by community [Muslim, Hindu, Sikh] and sex. Many
/// Sikh names are given to boys and girls alike (Harpreet, Gurpreet,
/// Jaswinder), as they are here.
#[rustfmt::skip]
pub static SOUTH_ASIAN_FORENAMES: [[&[&str]; 2]; 3] = [
    [
        &[
            "Mohammed", "Muhammad", "Ahmed", "Ali", "Mohammad", "Imran", "Hassan", "Hussain",
            "Abdul", "Amir", "Bilal", "Hamza", "Usman", "Yusuf", "Ibrahim", "Tariq", "Zubair", "Asif",
            "Rizwan", "Shahid", "Kamran", "Faisal", "Adnan", "Arif", "Nadeem", "Sajid", "Zahid",
            "Shahidul", "Abdur", "Rahim", "Karim", "Khalid", "Javed", "Naveed", "Irfan", "Omar",
            "Zain", "Ayaan", "Haris", "Saad", "Abdullah", "Ismail",
        ],
        &[
            "Fatima", "Ayesha", "Zainab", "Maryam", "Amina", "Khadija", "Sana", "Nadia", "Shazia",
            "Rubina", "Samina", "Nasreen", "Parveen", "Bushra", "Farzana", "Hina", "Saima", "Tahira",
            "Yasmin", "Zara", "Aaliyah", "Hafsa", "Iqra", "Mehreen", "Noor", "Safia", "Nusrat",
            "Rokeya", "Shirin", "Tasnim", "Ruksana", "Aisha", "Salma", "Sadia", "Rabia", "Asma",
            "Shabana", "Nazia", "Halima", "Maria",
        ],
    ],
    [
        &[
            "Rajesh", "Sanjay", "Amit", "Vikram", "Arjun", "Rohan", "Ravi", "Anil", "Deepak", "Manoj",
            "Mukesh", "Nikhil", "Pradeep", "Rakesh", "Ramesh", "Sunil", "Suresh", "Vijay", "Ajay",
            "Dilip", "Kunal", "Nitin", "Raj", "Rahul", "Sachin", "Varun", "Aryan", "Dev", "Jai",
            "Hitesh", "Jayesh", "Kamlesh", "Mahesh", "Nilesh", "Paresh", "Pravin", "Bharat", "Dinesh",
            "Harish", "Naresh", "Rajendra", "Vinod", "Ashok", "Krishna", "Vivek", "Ankit", "Karan",
            "Neil", "Krish", "Dhruv",
        ],
        &[
            "Priya", "Anjali", "Sunita", "Kiran", "Pooja", "Neha", "Deepa", "Anika", "Asha", "Divya",
            "Gita", "Hema", "Jyoti", "Kavita", "Komal", "Lakshmi", "Meera", "Nisha", "Payal", "Radhika",
            "Reena", "Ritu", "Shanti", "Tanvi", "Usha", "Meena", "Rani", "Sarita", "Seema", "Shilpa",
            "Sonia", "Bhavna", "Hetal", "Jayshree", "Kajal", "Minal", "Nita", "Pushpa", "Rekha",
            "Smita", "Sneha", "Trupti", "Varsha", "Yogita", "Aarti", "Mira", "Riya", "Diya", "Isha",
            "Anya",
        ],
    ],
    [
        &[
            "Harpreet", "Gurpreet", "Jaswinder", "Manjit", "Sukhdev", "Jaspal", "Kulwant", "Baljit",
            "Harjinder", "Gurdeep", "Hardeep", "Parminder", "Ranjit", "Satnam", "Balwinder", "Kuldip",
            "Harvinder", "Mandeep", "Navdeep", "Jagdeep", "Amarjit", "Davinder", "Inderjit", "Jasbir",
            "Karamjit", "Lakhbir", "Paramjit", "Rajinder", "Sukhwinder", "Tejinder", "Gurinder",
            "Jasvir", "Kulbir", "Amandeep", "Arjan", "Gurveer", "Jaskaran", "Manveer", "Simranjit",
            "Tejpal",
        ],
        &[
            "Harjit", "Manpreet", "Rajinder", "Simran", "Kiran", "Jaspreet", "Amandeep", "Baljit",
            "Balbir", "Gurdeep", "Kamaljit", "Kulwinder", "Surinder", "Sukhwinder", "Rupinder",
            "Jasleen", "Harpreet", "Gurpreet", "Manjit", "Parminder", "Jasbir", "Navjot", "Ravinder",
            "Sarbjit", "Satwant", "Amrit", "Gurleen", "Harleen", "Jasmeet", "Mandeep", "Narinder",
            "Paramjit", "Pardeep", "Rajwinder", "Sharan", "Simranjit", "Harkiran", "Japneet", "Anmol",
            "Inderpal",
        ],
    ],
];

#[rustfmt::skip]
pub static SOUTH_ASIAN_FORENAME_TAIL: [[&[&str]; 2]; 3] = [
    [
        &[
            "Mohamed", "Muhammed", "Mohamad", "Mohd", "Aamir", "Abid", "Adil", "Afzal", "Ahsan",
            "Anwar", "Arshad", "Asad", "Ashraf", "Atif", "Azhar", "Babar", "Bashir", "Danish", "Ehsan",
            "Farhan", "Farooq", "Fawad", "Ghulam", "Haider", "Hamid", "Haroon", "Ishaq", "Israr",
            "Jamil", "Junaid", "Kabir", "Kashif", "Mahmood", "Majid", "Mehmood", "Naeem", "Nasir",
            "Rafiq", "Raheel", "Rashid", "Rehan", "Sabir", "Sadiq", "Salman", "Sameer", "Shafiq",
            "Shakeel", "Shamsul", "Sohail", "Tahir", "Talha", "Tanvir", "Umar", "Waqar", "Waqas",
            "Yasin", "Zeeshan", "Zakir", "Ayub", "Akram", "Aslam", "Azam", "Shabir", "Mushtaq", "Nazir",
            "Rubel", "Saiful", "Shamim", "Mizanur", "Mahbub", "Jahangir", "Aminul", "Anisur", "Ataur",
            "Habibur", "Kamal", "Lutfur", "Mujibur", "Nurul", "Idris", "Musa", "Zakariya", "Ayman",
            "Rayyan", "Ibraheem", "Yahya", "Hamdan", "Ehtisham", "Fahad", "Moin", "Shoaib", "Wasim",
        ],
        &[
            "Alisha", "Amreen", "Anam", "Anisa", "Aysha", "Azra", "Fariha", "Farida", "Habiba",
            "Haleema", "Hajra", "Humaira", "Inaya", "Kausar", "Khalida", "Lubna", "Mahnoor", "Maya",
            "Mumtaz", "Nabila", "Naila", "Najma", "Nargis", "Nazma", "Nilufa", "Nimra", "Rahima",
            "Rashida", "Rehana", "Rukhsana", "Sabina", "Saira", "Sajida", "Samia", "Shahida",
            "Shamima", "Sharmin", "Sofia", "Sumaira", "Tahmina", "Tanzila", "Uzma", "Zahra", "Zaynab",
            "Zubaida", "Zoya", "Aleena", "Eman", "Hadiya", "Hania", "Inaaya", "Mariam", "Minahil",
            "Sumayyah", "Yusra", "Zunaira", "Afsana", "Jesmin", "Laila", "Momtaz", "Rumana", "Shanaz",
            "Sufia", "Tania", "Hira", "Kiran",
        ],
    ],
    [
        &[
            "Abhishek", "Aditya", "Akash", "Alok", "Anand", "Arun", "Ashwin", "Bhavesh", "Chetan",
            "Darshan", "Gaurav", "Hari", "Hemant", "Jatin", "Jignesh", "Kalpesh", "Ketan", "Kishan",
            "Mayur", "Mehul", "Milan", "Mitesh", "Navin", "Pankaj", "Parag", "Prakash", "Pranav",
            "Prashant", "Rajiv", "Rishi", "Rupesh", "Sandeep", "Sanjeev", "Shailesh", "Shyam",
            "Siddharth", "Sunny", "Tushar", "Umesh", "Vinay", "Yash", "Yogesh", "Jay", "Rohit", "Sai",
        ],
        &[
            "Alpa", "Amisha", "Ananya", "Aruna", "Bhavini", "Chandni", "Darshna", "Dipti", "Ekta",
            "Gauri", "Heena", "Hina", "Ila", "Jaya", "Kalpana", "Krupa", "Leela", "Manisha", "Mansi",
            "Nayna", "Nidhi", "Nikita", "Pallavi", "Pinal", "Prachi", "Rashmi", "Rina", "Roshni",
            "Rupal", "Sangeeta", "Shital", "Sonal", "Swati", "Tejal", "Urvashi", "Vaishali", "Vidya",
            "Zarna", "Kinjal", "Dhara",
        ],
    ],
    [
        &[
            "Balbir", "Bhupinder", "Charanjit", "Daljit", "Gurcharan", "Gurmeet", "Gurnam", "Harbans",
            "Harjit", "Jagjit", "Jaspreet", "Jatinder", "Kamaljit", "Kuldeep", "Kulwinder", "Makhan",
            "Malkit", "Mohinder", "Narinder", "Pritam", "Rajvinder", "Ravinder", "Sarbjit", "Surjit",
            "Tarlochan", "Ajit", "Amrik", "Avtar", "Darshan", "Gurbachan", "Harmeet", "Iqbal",
            "Jarnail", "Jasdeep", "Karanvir", "Lovepreet", "Navjot", "Prabhjot", "Ramandeep",
            "Sukhjinder",
        ],
        &[
            "Amarjit", "Balvinder", "Charanjit", "Daljit", "Gurmeet", "Gurminder", "Harbans",
            "Harminder", "Inderjit", "Jasvinder", "Jaswinder", "Kuldip", "Kulvinder", "Manjeet",
            "Nirmal", "Pritam", "Rajvinder", "Sukhdeep", "Surjit", "Tejinder", "Balwinder", "Davinder",
            "Gurjit", "Hardeep", "Jagdeep", "Karamjit", "Mandeep", "Navdeep", "Ramandeep", "Rupinder",
            "Gursharan", "Harjeet", "Jasvir", "Kamalpreet", "Lakhvinder", "Manveer", "Prabhjot",
            "Sukhpreet", "Taranjit", "Ekam",
        ],
    ],
];

#[rustfmt::skip]
pub static CARIBBEAN_SURNAMES: &[&str] = &[
    "Campbell", "Brown", "Williams", "Smith", "Johnson", "Thomas", "Francis", "Grant", "Henry",
    "Clarke", "Bailey", "Reid", "Lewis", "Thompson", "Robinson", "Walker", "Wright", "Morgan",
    "Edwards", "Phillips", "Gordon", "Stewart", "Samuels", "Spence", "McKenzie", "Anderson",
    "Harvey", "Richards", "Hamilton", "Bennett", "Allen", "Graham", "Powell", "Simpson", "Forbes",
    "Barrett", "Daley", "Ellis", "Morrison", "Bryan", "Blake",
];

#[rustfmt::skip]
pub static CARIBBEAN_SURNAME_TAIL: &[&str] = &[
    "Beckford", "Blackwood", "Brissett", "Chambers", "Christie", "Dacres", "Douglas", "Ebanks",
    "Facey", "Ferguson", "Gayle", "Gooden", "Green", "Hinds", "Hylton", "James", "Lawrence", "Levy",
    "Lindo", "McFarlane", "McLean", "Miller", "Mitchell", "Nelson", "Palmer", "Pinnock", "Rowe",
    "Russell", "Salmon", "Scarlett", "Shaw", "Sinclair", "Stephenson", "Watson", "Whyte", "Wilson",
    "Bartley", "Boothe", "Chin", "Cunningham", "Dixon", "Dunkley", "Gardner", "Haughton",
    "Johnston", "Malcolm", "Marshall", "Murray", "Nembhard", "Ormsby", "Peart", "Rhoden", "Sewell",
    "Smikle", "Tomlinson", "Wint", "Bromfield", "Clarke-Brown", "Cole", "Dawkins", "Denton",
    "Ennis", "Fagan", "Gentles", "Grizzle", "Henriques", "Jarrett", "Lumsden", "Maragh", "McCalla",
    "McDonald", "Minott", "Mullings", "Nugent", "Ricketts", "Rose", "Sterling", "Thorpe", "Tulloch",
    "Walters", "Weir", "Wedderburn", "Yap", "Alleyne", "Babb", "Best", "Bourne", "Cumberbatch",
    "Griffith", "Haynes", "Holder", "Jordan", "Maynard", "Nurse", "Skeete", "Small", "Springer",
    "Thorne", "Trotman", "Worrell", "Alexis", "Charles", "Joseph", "Pierre", "Baptiste",
    "St Louis", "Noel", "Felix", "Augustin", "Lake", "Hodge", "Fleming", "Richardson", "Peters",
];

#[rustfmt::skip]
pub static AFRICAN_SURNAMES: &[&str] = &[
    "Okafor", "Okonkwo", "Adeyemi", "Adebayo", "Olawale", "Oyelaran", "Mensah", "Owusu",
    "Boateng", "Asante", "Osei", "Appiah", "Darko", "Addo", "Nwosu", "Eze", "Obi", "Chukwu",
    "Okoro", "Balogun", "Ogunleye", "Adeleke", "Afolabi", "Bello", "Ibrahim", "Mohamed", "Abdi",
    "Hassan", "Ali", "Farah", "Warsame", "Yusuf", "Moyo", "Ncube", "Dube", "Sibanda", "Mutasa",
    "Chikwanha", "Kamara", "Sesay", "Conteh", "Koroma",
];

#[rustfmt::skip]
pub static AFRICAN_SURNAME_TAIL: &[&str] = &[
    "Abiodun", "Abubakar", "Adebisi", "Adeniyi", "Adewale", "Agyeman", "Ajayi", "Akande",
    "Akinola", "Akintola", "Alabi", "Amoah", "Amoako", "Annan", "Antwi", "Asamoah", "Babalola",
    "Bakare", "Danso", "Dlamini", "Egbe", "Ekwueme", "Ezeh", "Fashola", "Ibe", "Idowu", "Igwe",
    "Jalloh", "Kargbo", "Mahlangu", "Mbatha", "Mohamud", "Musa", "Mwangi", "Ndlovu", "Nkosi",
    "Nwachukwu", "Nwankwo", "Nyathi", "Obiora", "Odukoya", "Ofori", "Ogbonna", "Ogunbiyi",
    "Okeke", "Okoye", "Okwu", "Oladipo", "Olaniyan", "Olatunji", "Onyeka", "Opoku", "Oppong",
    "Osagie", "Quaye", "Sarpong", "Sithole", "Tetteh", "Turay", "Ugwu", "Umeh", "Yeboah",
    "Abdullahi", "Ahmed", "Aden", "Dualeh", "Egal", "Hersi", "Jama", "Nur", "Omar", "Osman",
    "Shire", "Adan", "Ismail", "Mpofu", "Nyoni", "Banda", "Phiri", "Zulu", "Kamau", "Otieno",
    "Ochieng", "Kiplagat", "Achebe", "Adjei", "Agbaje", "Akpan", "Amadi", "Anyanwu", "Asare",
    "Ayodele", "Bamidele", "Boakye", "Chinwe", "Danjuma", "Effiong", "Emenike", "Essien",
    "Fofanah", "Gyamfi", "Ikenna", "Iwu", "Kanu", "Kuffour", "Lartey", "Mbah", "Nnamdi",
    "Nwafor", "Nweke", "Obasi", "Obi-Okoye", "Odum", "Ogbu", "Ojo", "Okafor-Smith", "Okonjo",
    "Okpara", "Olowe", "Onuoha", "Orji", "Oyeleke", "Quarshie", "Sackey", "Sowah", "Tagoe",
    "Udoh", "Uzor", "Wiredu", "Acheampong", "Agyei", "Amponsah", "Bonsu", "Frimpong", "Gyasi",
    "Kyei", "Manu", "Nkrumah", "Ntim", "Oduro", "Poku", "Wiafe", "Yamoah", "Chanda", "Mumba",
    "Mulenga", "Tembo", "Chikore", "Gumbo", "Makoni", "Marufu", "Mushonga", "Nyamande",
    "Chiweshe", "Zvobgo", "Bangura", "Mansaray", "Bah", "Barrie", "Diallo", "Jallow", "Sillah",
];

/// Yoruba surnames are made from a first element (Ade "crown", Olu "lord",
/// Ogun, Akin "valour", Oye "title", Ayo "joy") and a second (-bayo,
/// -yemi, -wale, -tunde, -kunle), which is why they are so many: Adebayo,
/// Ogunleye, Akinwale, Oyetunde are all real. Built here the same way.
#[rustfmt::skip]
static YORUBA_FIRST: &[&str] = &[
    "Ade", "Olu", "Ola", "Oye", "Ogun", "Ayo", "Fola", "Akin", "Oyin", "Omo", "Ife", "Ibi",
];

#[rustfmt::skip]
static YORUBA_SECOND: &[&str] = &[
    "bayo", "yemi", "leke", "wale", "tunde", "kunle", "dipo", "sanya", "jobi", "bisi", "mide",
    "tola", "wumi", "yinka", "niyi", "toye", "seun", "dele", "sola", "femi", "lana", "ranti", "tayo",
];

pub fn yoruba_constructed() -> &'static [String] {
    static NAMES: OnceLock<Vec<String>> = OnceLock::new();
    NAMES.get_or_init(|| {
        let v = YORUBA_FIRST
            .iter()
            .flat_map(|a| YORUBA_SECOND.iter().map(move |b| format!("{a}{b}")))
            .collect();
        in_scrambled_order(v)
    })
}

#[rustfmt::skip]
pub static EAST_EUROPEAN_SURNAMES: &[&str] = &[
    "Nowak", "Kowalski", "Wisniewski", "Wojcik", "Kowalczyk", "Kaminski", "Lewandowski",
    "Zielinski", "Szymanski", "Wozniak", "Dabrowski", "Kozlowski", "Jankowski", "Mazur",
    "Kwiatkowski", "Krawczyk", "Piotrowski", "Grabowski", "Nowakowski", "Pawlowski", "Popescu",
    "Ionescu", "Popa", "Pop", "Dumitru", "Stan", "Stoica", "Gheorghe", "Matei", "Ciobanu", "Rusu",
    "Munteanu", "Kazlauskas", "Petrauskas", "Jankauskas", "Shevchenko", "Kovalenko", "Bondarenko",
    "Ivanov", "Petrov", "Horvath", "Nagy",
];

#[rustfmt::skip]
pub static EAST_EUROPEAN_SURNAME_TAIL: &[&str] = &[
    "Sikorski", "Michalski", "Krolikowski", "Wroblewski", "Jablonski", "Majewski", "Olszewski",
    "Malinowski", "Jaworski", "Adamczyk", "Dudek", "Zajac", "Wieczorek", "Krol", "Wrobel", "Pawlak",
    "Walczak", "Gorski", "Rutkowski", "Michalak", "Sikora", "Ostrowski", "Baran", "Duda",
    "Szewczyk", "Tomaszewski", "Pietrzak", "Marciniak", "Zalewski", "Jakubowski", "Jasinski",
    "Zawadzki", "Sadowski", "Bak", "Chmielewski", "Wlodarczyk", "Borkowski", "Czarnecki",
    "Sawicki", "Sokolowski", "Urbanski", "Kubiak", "Maciejewski", "Szczepanski", "Kucharski",
    "Wilk", "Kalinowski", "Lis", "Mazurek", "Wysocki", "Adamski", "Kazmierczak", "Wasilewski",
    "Sobczak", "Czerwinski", "Andrzejewski", "Cieslak", "Glowacki", "Zakrzewski", "Kolodziej",
    "Krajewski", "Gajewski", "Szymczak", "Szulc", "Baranowski", "Laskowski", "Brzezinski",
    "Makowski", "Ziolkowski", "Przybylski", "Constantin", "Stanciu", "Dinu", "Lazar", "Tudor",
    "Ene", "Moldovan", "Barbu", "Nistor", "Florea", "Dobre", "Radu", "Oprea", "Lungu", "Marin",
    "Tanase", "Voicu", "Enache", "Cristea", "Mocanu", "Vasile", "Sandu", "Toma", "Neagu", "Badea",
    "Vilkas", "Balciunas", "Zukauskas", "Paulauskas", "Urbonas", "Kavaliauskas", "Butkus",
    "Melnyk", "Tkachenko", "Kravchenko", "Boyko", "Kovalchuk", "Oliynyk", "Lysenko", "Marchenko",
    "Rudenko", "Savchenko", "Smirnov", "Kuznetsov", "Popov", "Sokolov", "Lebedev", "Kozlov",
    "Novak", "Svoboda", "Dvorak", "Cerny", "Prochazka", "Kucera", "Toth", "Szabo", "Kovacs",
    "Varga", "Molnar", "Dimitrov", "Georgiev", "Nikolov", "Todorov", "Berzins", "Kalnins", "Ozols",
    "Tamm", "Saar", "Sepp", "Kovac", "Horvat", "Juric",
];

/// Polish surnames are mostly a stem and an ending (-owski, -ewski, -inski,
/// -czyk, -czak, -iak, -ek); Romanian ones add -escu or -eanu; Lithuanian
/// -auskas or -evicius; Ukrainian -enko or -chuk. Built the same way from
/// common stems (Adamczyk, Borowski, Petrescu, Stankevicius, Savchuk).
#[rustfmt::skip]
static POLISH_STEMS: &[&str] = &[
    "Adam", "Bart", "Bor", "Brzez", "Chmiel", "Czarn", "Domin", "Gaj", "Gor", "Grab", "Jan",
    "Jaw", "Kal", "Kam", "Kacz", "Kos", "Krol", "Kub", "Lis", "Mak", "Mal", "Mar", "Mich", "Now",
    "Olsz", "Ostr", "Pal", "Paw", "Piotr", "Rud", "Rut", "Sad", "Sik", "Sob", "Sok", "Stan",
    "Szym", "Tom", "Urb", "Wal", "Wil", "Wis", "Wlod", "Wojt", "Zal", "Ziel",
];

#[rustfmt::skip]
static POLISH_ENDINGS: &[&str] = &["owski", "ewski", "inski", "czyk", "czak", "iak", "ek"];

#[rustfmt::skip]
static ROMANIAN_STEMS: &[&str] = &[
    "Pop", "Ion", "Stan", "Radul", "Dumitr", "Constantin", "Georg", "Marin", "Petr", "Vasil",
    "Tudor", "Lup", "Nistor", "Dobr", "Mihail", "Andre", "Barb", "Tom", "Flor", "Grigor", "Stef",
    "Dragom", "Manol", "Pavel", "Nicol",
];

#[rustfmt::skip]
static LITHUANIAN_STEMS: &[&str] = &[
    "Kazl", "Petr", "Jank", "Stank", "Butk", "Paul", "Vasil", "Rimk", "Grin", "Bal", "Mick", "Norv",
];

#[rustfmt::skip]
static UKRAINIAN_STEMS: &[&str] = &[
    "Shevch", "Koval", "Bondar", "Tkach", "Kravch", "Melnych", "Savch", "Lys", "Pavl", "Rud",
    "Marchen", "Kuzm", "Hryts",
];

pub fn east_european_constructed() -> &'static [String] {
    static NAMES: OnceLock<Vec<String>> = OnceLock::new();
    NAMES.get_or_init(|| {
        let mut v = Vec::new();
        let mut add = |stems: &[&str], ends: &[&str]| {
            for s in stems {
                for e in ends {
                    // Slavic and Baltic names run consonants together
                    // (Olszewski), so only the length is checked.
                    let n = format!("{s}{e}");
                    if n.len() <= 16 {
                        v.push(n);
                    }
                }
            }
        };
        add(POLISH_STEMS, POLISH_ENDINGS);
        add(ROMANIAN_STEMS, &["escu", "eanu"]);
        add(LITHUANIAN_STEMS, &["auskas", "evicius", "aitis"]);
        add(UKRAINIAN_STEMS, &["enko", "uk", "chuk"]);
        in_scrambled_order(v)
    })
}

#[rustfmt::skip]
pub static CHINESE_SURNAMES: &[&str] = &[
    "Wang", "Li", "Zhang", "Liu", "Chen", "Chan", "Wong", "Lee", "Yang", "Huang", "Cheung", "Lam",
    "Zhao", "Wu", "Zhou", "Leung", "Ng", "Xu", "Ho", "Lau", "Sun", "Ma", "Zhu", "Hu", "Guo", "He",
    "Lin", "Luo", "Gao", "Yeung", "Tang", "Cheng", "Chow", "Yip", "Tsang", "Kwok", "Lui", "Fung",
    "Mak", "Siu", "Tam",
];

#[rustfmt::skip]
pub static CHINESE_SURNAME_TAIL: &[&str] = &[
    "Au", "Chau", "Cheuk", "Chiu", "Choi", "Chong", "Chu", "Chung", "Fok", "Fong", "Fu", "Hon",
    "Hui", "Hung", "Ip", "Kam", "Kan", "Keung", "Ko", "Kong", "Kwan", "Kwong", "Lai", "Law", "Leong",
    "Liang", "Lo", "Loh", "Lok", "Lu", "Luk", "Man", "Mok", "Ngai", "Pang", "Poon", "Shek", "Shum",
    "Sin", "So", "Sze", "Szeto", "Tai", "Tan", "Tong", "Tse", "Tsui", "Tung", "Wan", "Wei", "Wen",
    "Woo", "Yan", "Yau", "Yee", "Yim", "Yiu", "Yu", "Yuen", "Zheng", "Xie", "Song", "Deng", "Feng",
    "Cao", "Peng", "Zeng", "Xiao", "Tian", "Dong", "Pan", "Yuan", "Cai", "Jiang", "Du", "Ye", "Su",
    "Ding", "Ren", "Shen", "Yao", "Cui", "Zhong", "Lim", "Goh", "Teo", "Koh", "Ong", "Chia",
];

#[rustfmt::skip]
pub static ARAB_SURNAMES: &[&str] = &[
    "Al-Sayed", "Hassan", "Hussein", "Ibrahim", "Mahmoud", "Ahmed", "Ali", "Mohamed", "Abdullah",
    "Khalil", "Saleh", "Haddad", "Mansour", "Nasser", "Youssef", "Aziz", "Karim", "Rahman",
    "Farouk", "Hamdan", "Qasim", "Darwish", "Suleiman", "Othman", "Jaber", "Al-Amin", "Al-Hashimi",
    "Al-Rashid", "Bakr", "Khoury", "Nassar", "Sabbagh", "Taha", "Zaki", "Awad", "Habib", "Hamid",
    "Issa", "Masri", "Omar",
];

#[rustfmt::skip]
pub static ARAB_SURNAME_TAIL: &[&str] = &[
    "Abbas", "Abdallah", "Abdelaziz", "Abdulla", "Abed", "Ahmad", "Al-Ali", "Al-Amiri",
    "Al-Azzawi", "Al-Baghdadi", "Al-Dulaimi", "Al-Hakim", "Al-Hassan", "Al-Jaburi", "Al-Janabi",
    "Al-Khatib", "Al-Masri", "Al-Najjar", "Al-Obaidi", "Al-Qadi", "Al-Saadi", "Al-Shami",
    "Al-Tamimi", "Al-Zubaidi", "Al-Shammari", "Al-Khafaji", "Al-Rubaie", "Al-Bayati", "Al-Kubaisi",
    "Al-Hilali", "Al-Harbi", "Al-Mutairi", "Al-Qahtani", "Al-Ghamdi", "Al-Zahrani", "Al-Otaibi",
    "Al-Mansouri", "Al-Husseini", "Ashour", "Atallah", "Attia", "Ayoub", "Badawi", "Barakat",
    "Bishara", "Daher", "Dajani", "Eid", "El-Sayed", "Elias", "Fadel", "Farah", "Fawzi", "Ghanem",
    "Habibi", "Halabi", "Hamdi", "Hariri", "Hijazi", "Husseini", "Jabbour", "Kassem", "Khalaf",
    "Khalifa", "Khatib", "Maalouf", "Makki", "Mansoor", "Mohammed", "Moussa", "Mustafa", "Nasr",
    "Nassif", "Rashid", "Sabry", "Saeed", "Said", "Salem", "Salim", "Sarraf", "Sayegh", "Shaheen",
    "Sharif", "Shehadeh", "Soliman", "Sultan", "Tahan", "Yassin", "Younes", "Zayed", "Zidan",
    "Abu-Zaid", "Ben Ali", "Bouzid", "Benali", "Haddou", "El Amrani", "Bakri", "Ismail", "Jamal",
    "Kamal", "Nour", "Rizk", "Salama", "Tawfik", "Yousef", "Zein",
];

// ---------------------------------------------------------------------------
// Forenames.

/// English forenames by [sex][cohort], each in roughly the order of its
/// cohort's popularity, from ONS's historic top-100 lists (1904 to 1994,
/// by decade) and annual lists since 1996, as remembered, not copied.
/// Weighted by rank through `ENGLISH_FORENAME_CURVES`.
#[rustfmt::skip]
pub static ENGLISH_FORENAMES: [[&[&str]; 3]; 2] = [
    [
        // Boys born before 1960.
        &[
            "John", "David", "Michael", "Peter", "William", "Robert", "Brian", "Anthony", "James",
            "Alan", "Kenneth", "Richard", "George", "Thomas", "Keith", "Roger", "Colin",
            "Christopher", "Terence", "Barry", "Ronald", "Raymond", "Derek", "Malcolm", "Geoffrey",
            "Trevor", "Graham", "Stephen", "Dennis", "Roy", "Frank", "Leslie", "Philip", "Edward",
            "Arthur", "Albert", "Frederick", "Harold", "Ernest", "Norman", "Stanley", "Eric",
            "Charles", "Douglas", "Donald", "Gordon", "Henry", "Leonard", "Walter", "Sidney",
            "Gerald", "Bernard", "Cyril", "Herbert", "Alfred", "Jack", "Joseph", "Patrick", "Francis",
            "Ian", "Martin", "Paul", "Tony", "Harry", "Victor", "Maurice", "Ralph", "Reginald",
            "Clifford", "Lawrence", "Howard", "Neil", "Nigel", "Clive", "Rodney", "Alec", "Allan",
            "Wilfred", "Percy", "Samuel", "Jeffrey", "Vincent", "Lionel", "Robin", "Andrew", "Hugh",
            "Ivor", "Leonard", "Gilbert", "Harvey", "Kevin", "Gary", "Mark", "Barrie", "Alfie",
        ],
        // Boys born 1960 to 1984.
        &[
            "David", "Paul", "Mark", "Andrew", "John", "Michael", "Stephen", "Richard",
            "Christopher", "Ian", "Robert", "Peter", "James", "Simon", "Gary", "Darren", "Anthony",
            "Kevin", "Martin", "Neil", "Jason", "Lee", "Steven", "Matthew", "Craig", "Daniel",
            "Jonathan", "Philip", "Nicholas", "Timothy", "Dean", "Wayne", "Carl", "Adam", "Thomas",
            "Scott", "Shaun", "Sean", "Stuart", "Graham", "Alan", "Colin", "Keith", "Nigel",
            "Russell", "Jeremy", "Julian", "Glen", "Karl", "Ricky", "Barry", "Brian", "Dominic",
            "Benjamin", "Alexander", "William", "Jamie", "Ryan", "Gareth", "Damian", "Trevor",
            "Terry", "Tony", "Robin", "Edward", "Antony", "Marc", "Justin", "Duncan", "Elliot",
            "Warren", "Leon", "Joseph", "Samuel", "Ben", "Luke", "Ashley", "Marcus", "Liam", "Kieran",
            "Nathan", "Gavin", "Clive", "Jeffrey", "Gregory", "Roger", "Derek", "Raymond", "Kenneth",
            "Malcolm", "George", "Patrick", "Francis", "Danny", "Stewart", "Matt", "Jon", "Tom",
        ],
        // Boys born 1985 on.
        &[
            "Jack", "Thomas", "Oliver", "James", "Joshua", "Harry", "William", "Daniel", "Samuel",
            "Charlie", "George", "Jacob", "Alfie", "Joseph", "Matthew", "Ryan", "Lewis", "Luke",
            "Benjamin", "Callum", "Liam", "Dylan", "Ethan", "Alexander", "Noah", "Adam", "Jake",
            "Oscar", "Max", "Leo", "Archie", "Henry", "Nathan", "Connor", "Kieran", "Jordan", "Reece",
            "Bradley", "Cameron", "Aaron", "Tyler", "Owen", "Harvey", "Finley", "Louis", "Mason",
            "Riley", "Logan", "Jayden", "Kai", "Toby", "Isaac", "Freddie", "Theo", "Arthur",
            "Edward", "Michael", "David", "Christopher", "Sam", "Ben", "Jamie", "Sebastian", "Lucas",
            "Elliot", "Zachary", "Jenson", "Rory", "Alex", "Josh", "Tom", "Ellis", "Hugo", "Frankie",
            "Bobby", "Teddy", "Reuben", "Albie", "Jude", "Ronnie", "Stanley", "Tommy", "Louie",
            "Rhys", "Aiden", "Morgan", "Jay", "Kyle", "Declan", "Brandon", "Shane", "Charles",
            "Harley", "Elijah", "Freddy", "Joel", "Dominic", "Mark", "Paul",
        ],
    ],
    [
        // Girls born before 1960.
        &[
            "Margaret", "Susan", "Patricia", "Christine", "Jean", "Mary", "Ann", "Elizabeth",
            "Janet", "Joan", "Maureen", "Sheila", "Carol", "Pauline", "Linda", "Pamela", "Sandra",
            "Barbara", "Valerie", "Brenda", "Kathleen", "Doris", "Dorothy", "Irene", "Joyce",
            "Jennifer", "Anne", "Gillian", "Shirley", "Marion", "June", "Audrey", "Eileen", "Betty",
            "Hilda", "Sylvia", "Norma", "Wendy", "Rita", "Marjorie", "Elsie", "Edna", "Gladys",
            "Vera", "Iris", "Beryl", "Lilian", "Ethel", "Florence", "Winifred", "Muriel", "Phyllis",
            "Rosemary", "Judith", "Diane", "Jacqueline", "Helen", "Angela", "Lesley", "Elaine",
            "Heather", "Yvonne", "Evelyn", "Josephine", "Frances", "Catherine", "Teresa", "Rose",
            "Hazel", "Alice", "Edith", "Annie", "Lynne", "Ruth", "Julia", "Gwendoline", "Mavis",
            "Olive", "Grace", "Jane", "Kathryn", "Ivy", "Maria", "Glenys", "Janice", "Sally",
            "Carole", "Lorna", "Marilyn", "Daphne", "Freda", "Jill", "Karen", "Julie", "Deborah",
        ],
        // Girls born 1960 to 1984.
        &[
            "Sarah", "Claire", "Emma", "Nicola", "Karen", "Julie", "Lisa", "Michelle", "Joanne",
            "Helen", "Susan", "Amanda", "Rachel", "Louise", "Tracey", "Samantha", "Kelly", "Deborah",
            "Alison", "Elizabeth", "Catherine", "Jane", "Victoria", "Rebecca", "Gemma", "Laura",
            "Jennifer", "Joanna", "Donna", "Dawn", "Angela", "Caroline", "Sharon", "Kerry",
            "Natalie", "Hayley", "Leanne", "Stacey", "Zoe", "Katherine", "Lucy", "Amy", "Kate",
            "Anna", "Sally", "Ruth", "Clare", "Jacqueline", "Lorraine", "Mandy", "Wendy", "Kim",
            "Paula", "Andrea", "Sandra", "Debbie", "Tina", "Jill", "Fiona", "Heather", "Kirsty",
            "Charlotte", "Danielle", "Jessica", "Hannah", "Katie", "Melanie", "Vicky", "Sophie",
            "Lindsey", "Nichola", "Marie", "Anne", "Diane", "Jodie", "Lynsey", "Cheryl", "Carly",
            "Kathryn", "Tanya", "Beverley", "Teresa", "Suzanne", "Sonia", "Janet", "Linda", "Carol",
            "Karen", "Philippa", "Kirsten", "Toni", "Rosie", "Jade", "Kimberley", "Margaret",
        ],
        // Girls born 1985 on.
        &[
            "Olivia", "Emily", "Jessica", "Sophie", "Chloe", "Lauren", "Hannah", "Amelia", "Lucy",
            "Charlotte", "Ellie", "Megan", "Grace", "Isla", "Ava", "Mia", "Isabella", "Lily", "Poppy",
            "Evie", "Ella", "Holly", "Rebecca", "Katie", "Amy", "Bethany", "Emma", "Georgia",
            "Abigail", "Freya", "Daisy", "Ruby", "Sophia", "Isabelle", "Millie", "Scarlett", "Phoebe",
            "Erin", "Jasmine", "Molly", "Eleanor", "Matilda", "Rosie", "Summer", "Layla",
            "Elizabeth", "Samantha", "Victoria", "Laura", "Rachel", "Jade", "Danielle", "Natalie",
            "Shannon", "Courtney", "Paige", "Leah", "Caitlin", "Jodie", "Alice", "Harriet", "Imogen",
            "Maisie", "Florence", "Evelyn", "Willow", "Ivy", "Esme", "Sienna", "Lola", "Lexi",
            "Harper", "Elsie", "Zara", "Eva", "Niamh", "Kayleigh", "Alicia", "Anna", "Heather",
            "Gemma", "Sarah", "Zoe", "Amber", "Keira", "Aimee", "Abbie", "Lacey", "Mollie", "Tilly",
            "Rose", "Violet", "Emilia", "Aria", "Bella", "Darcy",
        ],
    ],
];

/// Rarer English forenames of every period (by sex), after the cohorts'
/// own and each other's lists: the tail.
#[rustfmt::skip]
pub static ENGLISH_FORENAME_TAIL: [&[&str]; 2] = [
    &[
        "Abel", "Ace", "Adrian", "Aidan", "Alistair", "Alvin", "Ambrose", "Angus", "Archibald",
        "Arlo", "Arran", "Ashton", "Austin", "Barnaby", "Barney", "Bartholomew", "Basil", "Bertie",
        "Blake", "Brett", "Brody", "Bruce", "Caleb", "Calvin", "Casey", "Cecil", "Cedric", "Clarence",
        "Clayton", "Clement", "Cody", "Cole", "Conrad", "Corey", "Cory", "Dale", "Damien", "Dan",
        "Dante", "Darcy", "Darius", "Dexter", "Donovan", "Dorian", "Drew", "Duane", "Earl", "Eden",
        "Edgar", "Edmund", "Eli", "Elijah", "Elliott", "Emmett", "Ewan", "Ezra", "Fabian", "Felix",
        "Fergus", "Finn", "Fletcher", "Floyd", "Forrest", "Fraser", "Gabriel", "Geoff", "Gideon",
        "Glenn", "Grant", "Guy", "Hamish", "Hayden", "Hector", "Horace", "Hunter", "Jared",
        "Jasper", "Jed", "Jesse", "Jonah", "Josiah", "Kane", "Keegan", "Kian", "Kristian", "Lance",
        "Laurence", "Lenny", "Lennon", "Levi", "Lincoln", "Lloyd", "Lorcan", "Luca", "Lyle",
        "Marshall", "Miles", "Milo", "Monty", "Murray", "Myles", "Nathaniel", "Ned", "Nelson", "Noel",
        "Norris", "Oakley", "Ollie", "Otis", "Otto", "Phoenix", "Preston", "Quentin", "Raphael",
        "Rex", "Robbie", "Roland", "Ronan", "Rowan", "Rufus", "Rupert", "Sonny", "Spencer", "Sydney",
        "Ted", "Theodore", "Tobias", "Tristan", "Troy", "Ty", "Vernon", "Vince", "Wade", "Wallace",
        "Wesley", "Wilf", "Will", "Xavier", "Zac", "Zach", "Zack", "Zak", "Albert", "Alfred", "Archer",
        "Beau", "Bailey", "Billy", "Bryn", "Carter", "Charley", "Chester", "Colby", "Dalton", "Denis",
        "Derrick", "Desmond", "Edwin", "Ellis", "Ernie", "Evan", "Finlay", "Gerard", "Gordon",
        "Grayson", "Herbie", "Ibrahim", "Jackson", "Jimmy", "Johnny", "Kenny", "Lenny", "Lukas",
        "Mateo", "Mathias", "Maximilian", "Nico", "Oakley", "Ralph", "Reggie", "Roman", "Ross",
        "Ruben", "Sidney", "Silas", "Stefan", "Taylor", "Tobi", "Vinnie", "Warwick", "Zane", "Abdul",
        "Adrian", "Ashley", "Benedict", "Brendan", "Bryan", "Carlos", "Christian", "Craig", "Damon",
        "Daryl", "Dennis", "Ernest", "Eugene", "Fred", "Gerry", "Harold", "Howard", "Jake",
        "Jeremiah", "Jerome", "Jim", "Julius", "Kurt", "Lawrie", "Len", "Leroy", "Mick", "Mike",
        "Neville", "Oswald", "Pete", "Randolph", "Rhys", "Rick", "Rob", "Rod", "Ron", "Russ", "Sid",
        "Stan", "Steve", "Stewart", "Terrence", "Tim", "Vic", "Wilfred", "Wilson",
    ],
    &[
        "Abbie", "Ada", "Addison", "Adele", "Agnes", "Alana", "Alexa", "Alexandra", "Alexis",
        "Alisha", "Amelie", "Andrea", "Annabel", "Annabelle", "Anya", "April", "Arabella", "Ariana",
        "Ashleigh", "Astrid", "Aurora", "Autumn", "Beatrice", "Belinda", "Beth", "Bianca", "Bonnie",
        "Brooke", "Bryony", "Caitlyn", "Cara", "Carla", "Carmen", "Carolyn", "Cassandra", "Cassie",
        "Celia", "Chantelle", "Charlie", "Chelsea", "Clara", "Clarissa", "Connie", "Cora", "Cordelia",
        "Daphne", "Darcey", "Delilah", "Denise", "Dolly", "Edie", "Eden", "Elise", "Eliza", "Ellen",
        "Eloise", "Elsa", "Ember", "Esther", "Eve", "Faith", "Fay", "Felicity", "Fern", "Fleur",
        "Frankie", "Gabriella", "Gabrielle", "Georgina", "Gina", "Gracie", "Hattie", "Hollie", "Honor",
        "Hope", "India", "Isobel", "Jasmin", "Jemima", "Jenna", "Jessie", "Joy", "Juliet", "Kayla",
        "Kiera", "Lana", "Leila", "Lena", "Lilly", "Lillian", "Lois", "Lottie", "Louisa", "Lydia",
        "Mabel", "Macie", "Madeleine", "Madison", "Maddison", "Marnie", "Martha", "Maya", "Melissa",
        "Morgan", "Nancy", "Naomi", "Nell", "Nina", "Orla", "Penelope", "Pippa", "Polly", "Rosa",
        "Rosalind", "Roxanne", "Sadie", "Savannah", "Selina", "Serena", "Skye", "Stella", "Tallulah",
        "Tamara", "Tegan", "Tia", "Valentina", "Vanessa", "Virginia", "Wren", "Zoey", "Lily-Mae",
        "Ella-Rose", "Lacey-Mae", "Amelia-Rose", "Ruby-Mae", "Aisha", "Amira", "Bethan", "Billie",
        "Bridget", "Candice", "Cerys", "Claudia", "Colette", "Dana", "Demi", "Dionne", "Elena",
        "Ellie-Mae", "Emilie", "Evie-Rose", "Francesca", "Georgie", "Harmony", "Hazel", "Iona",
        "Isla-Rose", "Jenny", "Joanna", "Josie", "Kara", "Kelsey", "Leona", "Lilah", "Liberty",
        "Luna", "Mae", "Margot", "Miriam", "Nadia", "Nicole", "Olive", "Pearl", "Peggy", "Rhiannon",
        "Robyn", "Sasha", "Sofia", "Tara", "Thea", "Trinity", "Verity", "Zainab", "Abby", "Adrienne",
        "Alison", "Antonia", "Bernadette", "Caroline", "Charlene", "Debra", "Dianne", "Dora",
        "Eleanor", "Esme", "Gail", "Gloria", "Hilary", "Ingrid", "Jackie", "Jan", "Jo", "Justine",
        "Kay", "Lara", "Lauren", "Lyn", "Marcia", "Marian", "Maxine", "Meg", "Moira", "Nora", "Patsy",
        "Penny", "Rachael", "Rosalie", "Sue", "Sylvie", "Tammy", "Theresa", "Trudy", "Una", "Vivien",
    ],
];

#[rustfmt::skip]
pub static WELSH_FORENAMES: [&[&str]; 2] = [
    &[
        "Dafydd", "Rhys", "Gareth", "Huw", "Owain", "Gethin", "Emyr", "Ieuan", "Iwan", "Aled",
        "Rhodri", "Gwilym", "Dylan", "Elis", "Osian", "Cai", "Tomos", "Steffan", "Geraint", "Hywel",
        "Llyr", "Morgan", "Evan", "Ifan", "Siôn", "Tudur", "Bryn", "Carwyn", "Dewi", "Eifion", "Glyn",
        "Meurig", "Tegid", "Wyn", "John", "David", "William", "Thomas", "Richard", "Robert", "Alun",
        "Arwel", "Berwyn", "Bleddyn", "Cledwyn", "Dyfan", "Dyfrig", "Eurig", "Elfed", "Emlyn",
        "Emrys", "Endaf", "Euros", "Goronwy", "Gruffudd", "Guto", "Gwion", "Gwynfor", "Hefin",
        "Idris", "Ifor", "Ioan", "Iolo", "Islwyn", "Llywelyn", "Math", "Meilir", "Meirion",
    ],
    &[
        "Siân", "Catrin", "Ffion", "Cerys", "Megan", "Elin", "Nia", "Rhian", "Angharad", "Gwen",
        "Gwenllian", "Eleri", "Mared", "Lowri", "Manon", "Nerys", "Bethan", "Carys", "Heledd", "Mali",
        "Seren", "Efa", "Alaw", "Non", "Haf", "Meinir", "Glenys", "Eirlys", "Olwen", "Myfanwy",
        "Delyth", "Menna", "Sioned", "Llinos", "Margaret", "Mary", "Elizabeth", "Sarah", "Susan",
        "Helen", "Alys", "Anwen", "Awen", "Beca", "Betsan", "Bronwen", "Buddug", "Ceinwen", "Ceri",
        "Dilys", "Eirian", "Elen", "Eluned", "Enfys", "Esyllt", "Glesni", "Gwawr", "Gwenan",
        "Gwenda", "Gwyneth", "Heulwen", "Iola", "Lleucu", "Llio", "Luned", "Mabli", "Mair",
    ],
];

#[rustfmt::skip]
pub static WELSH_FORENAME_TAIL: [&[&str]; 2] = [
    &[
        "Nedw", "Penri", "Peredur", "Rhydian", "Rhun", "Sion", "Tegwyn", "Trefor", "Twm", "Urien",
        "Aneurin", "Caradog", "Deiniol", "Elwyn", "Gerallt", "Gwydion", "Hedd", "Heddwyn", "Iorwerth",
        "Llion", "Macsen", "Madog", "Maldwyn", "Meical", "Mostyn", "Myrddin", "Nye", "Owen", "Prys",
        "Rhisiart", "Taliesin", "Tecwyn", "Teifi", "Tudor", "Wil", "Aeron", "Afan",
        "Alwyn", "Arthur", "Brychan", "Cadfan", "Cynan", "Dilwyn", "Dorian", "Einion", "Eirwyn",
        "Elgan", "Gwyn", "Harri", "Iago", "Ianto", "Ithel", "Kyffin", "Lewys", "Medwyn", "Morys",
        "Seiriol", "Sulien", "Trystan", "Tomi", "Gwynant", "Deio", "Ynyr", "Rhidian",
    ],
    &[
        "Mererid", "Morfudd", "Nest", "Rhiannon", "Swyn", "Tegan", "Tesni", "Tirion", "Undeg", "Ela",
        "Erin", "Gwenno", "Hedydd", "Lisa", "Mari", "Nanw", "Siwan", "Teleri", "Annest", "Arianwen",
        "Branwen", "Caryl", "Cari", "Ceridwen", "Dwynwen", "Eira", "Elan", "Elliw",
        "Ffraid", "Gwenith", "Hafwen", "Ifanwy", "Lois", "Lona", "Meleri", "Morwenna",
        "Nesta", "Nona", "Rhonwen", "Sara", "Tanwen", "Tegwen", "Wenna",
        "Glain", "Gwennan", "Ina", "Leusa", "Magi", "Martha",
        "Owena", "Sian", "Sulwen",
    ],
];

#[rustfmt::skip]
pub static IRISH_FORENAMES: [&[&str]; 2] = [
    &[
        "Sean", "Patrick", "Liam", "Conor", "Ciarán", "Declan", "Eoin", "Niall", "Pádraig", "Cormac",
        "Kieran", "Brendan", "Darragh", "Oisín", "Fergal", "Colm", "Éamon", "Donal", "Michael",
        "John", "Kevin", "Brian", "Martin", "Thomas", "James", "Dermot", "Ronan", "Aidan", "Cathal",
        "Shane", "Gerard", "Francis", "Joseph", "Desmond", "Tadhg", "Killian", "Finbar", "Rory",
        "Cian", "Peter",
    ],
    &[
        "Siobhán", "Aoife", "Niamh", "Ciara", "Sinéad", "Róisín", "Orla", "Gráinne", "Maeve",
        "Aisling", "Caoimhe", "Clodagh", "Deirdre", "Eimear", "Mairead", "Nuala", "Saoirse", "Una",
        "Mary", "Bridget", "Kathleen", "Margaret", "Anne", "Eileen", "Maureen", "Sheila", "Theresa",
        "Catherine", "Patricia", "Fionnuala", "Áine", "Sorcha", "Emer", "Bernadette", "Colette",
        "Geraldine", "Noreen", "Philomena", "Rose", "Teresa",
    ],
];

#[rustfmt::skip]
pub static IRISH_FORENAME_TAIL: [&[&str]; 2] = [
    &[
        "Aodhán", "Barry", "Cillian", "Colin", "Daithí", "Dara", "Diarmuid", "Donncha", "Eoghan",
        "Fiachra", "Finn", "Garret", "Hugh", "Jarlath", "Lorcan", "Malachy", "Muiris", "Odhrán",
        "Peadar", "Proinsias", "Ruairí", "Séamus", "Senan", "Tiernan", "Ultan", "Eamonn", "Seamus",
        "Paddy", "Seán", "Conall", "Fintan", "Manus", "Owen", "Rónán", "Turlough", "Padraic",
        "Micheál", "Colum", "Enda", "Feargal",
    ],
    &[
        "Ailbhe", "Aoibheann", "Bláthnaid", "Caitríona", "Dearbhla", "Éabha", "Eilís", "Fiadh",
        "Laoise", "Máire", "Méabh", "Muireann", "Nóra", "Ríona", "Sadhbh", "Síle", "Treasa",
        "Shauna", "Kate", "Ann", "Attracta", "Brid", "Carmel", "Dympna", "Eithne", "Fidelma",
        "Grainne", "Imelda", "Josephine", "Majella", "Nora", "Orlaith", "Rosaleen", "Sinead",
        "Sorcha", "Tríona", "Nollaig", "Mairéad", "Siobhan", "Roisin",
    ],
];

#[rustfmt::skip]
pub static CARIBBEAN_FORENAMES: [&[&str]; 2] = [
    &[
        "Leon", "Tyrone", "Jermaine", "Marcus", "Curtis", "Dwayne", "Delroy", "Winston", "Errol",
        "Clive", "Lloyd", "Desmond", "Neville", "Leroy", "Junior", "Carlton", "Everton", "Devon",
        "Andre", "Omari", "Jamal", "Kemar", "Tremaine", "Denzel", "Ezekiel", "Linton", "Glenroy",
        "Dalton", "Fitzroy", "Trevor", "Wesley", "Courtney", "Rohan", "Shaquille", "Kareem",
        "Jerome", "Dexter", "Lennox", "Ainsley", "Calvin",
    ],
    &[
        "Shanice", "Keisha", "Marcia", "Beverley", "Sonia", "Paulette", "Yvonne", "Hyacinth",
        "Claudette", "Jacqueline", "Monique", "Tanisha", "Shantelle", "Chantelle", "Latoya",
        "Nadine", "Simone", "Janelle", "Aaliyah", "Imani", "Precious", "Jada", "Tiana", "Kezia",
        "Nia", "Cherelle", "Marlene", "Pearl", "Gloria", "Icilda", "Merline", "Velma", "Lorna",
        "Sharmaine", "Tamika", "Shereen", "Andrea", "Donna", "Carmen", "Sasha",
    ],
];

#[rustfmt::skip]
pub static AFRICAN_FORENAMES: [&[&str]; 2] = [
    &[
        "Emmanuel", "Samuel", "Daniel", "David", "Joseph", "Michael", "John", "Kwame", "Kofi",
        "Kwabena", "Yaw", "Chinedu", "Chukwuemeka", "Oluwaseun", "Olumide", "Tunde", "Babatunde",
        "Ayodele", "Femi", "Segun", "Obinna", "Ikenna", "Abdi", "Mohamed", "Ahmed", "Hassan",
        "Tendai", "Tafadzwa", "Blessing", "Godfrey", "Isaac", "Moses", "Solomon", "Ebenezer",
        "Felix", "Prince", "Precious", "Tobi", "Kelechi", "Nnamdi",
    ],
    &[
        "Grace", "Blessing", "Mercy", "Faith", "Joy", "Patience", "Comfort", "Esther", "Ruth",
        "Deborah", "Abena", "Akosua", "Ama", "Efua", "Adwoa", "Chioma", "Ngozi", "Adaeze", "Amaka",
        "Funmilayo", "Folake", "Yetunde", "Bukola", "Temitope", "Oluwakemi", "Fadumo", "Hodan",
        "Amina", "Fatuma", "Sahra", "Nyasha", "Rutendo", "Tsitsi", "Chipo", "Precious", "Gift",
        "Favour", "Peace", "Eunice", "Gloria",
    ],
];

#[rustfmt::skip]
pub static AFRICAN_FORENAME_TAIL: [&[&str]; 2] = [
    &[
        "Abdullahi", "Adebayo", "Adewale", "Akin", "Amadou", "Chidi", "Chinonso", "Chukwudi",
        "Dayo", "Desmond", "Ebuka", "Efe", "Emeka", "Fiifi", "Gbenga", "Godwin", "Ifeanyi", "Jide",
        "Kayode", "Kelvin", "Kojo", "Kunle", "Kwaku", "Kwesi", "Lamin", "Lanre", "Mustapha", "Nana",
        "Olamide", "Olusegun", "Osagie", "Rotimi", "Seyi", "Tinashe", "Uchenna", "Victor", "Wale",
        "Yemi", "Yusuf", "Farai", "Tatenda", "Simba", "Tapiwa", "Abdirahman", "Abdikadir", "Liban",
        "Omar", "Ade", "Chima", "Daniel", "Ekow", "Fola", "Ike", "Jomo", "Kehinde", "Taiwo", "Kobina",
        "Musa", "Nuru", "Obi", "Sipho", "Thabo", "Themba", "Uche",
    ],
    &[
        "Abimbola", "Adanna", "Adeola", "Amara", "Ayomide", "Chiamaka", "Chidinma", "Chinwe",
        "Damilola", "Ebere", "Ese", "Ifeoma", "Ijeoma", "Kemi", "Lola", "Modupe", "Nkechi", "Nneka",
        "Omolara", "Ronke", "Sade", "Titilayo", "Tolu", "Uchechi", "Yewande", "Zainab", "Ayan",
        "Ifrah", "Hibo", "Nimco", "Sagal", "Ubah", "Farai", "Tariro", "Rumbidzai", "Vimbai", "Akua",
        "Afua", "Esi", "Yaa", "Adjoa", "Ada", "Busola", "Dupe", "Ebony", "Fiona", "Hawa", "Isatu",
        "Kadiatu", "Mariama", "Nomvula", "Thandiwe", "Zodwa",
    ],
];

#[rustfmt::skip]
pub static EAST_EUROPEAN_FORENAMES: [&[&str]; 2] = [
    &[
        "Piotr", "Tomasz", "Krzysztof", "Pawel", "Marcin", "Michal", "Jakub", "Lukasz", "Andrzej",
        "Grzegorz", "Mateusz", "Kamil", "Adrian", "Dawid", "Bartosz", "Wojciech", "Marek", "Jan",
        "Stanislaw", "Rafal", "Ion", "Andrei", "Alexandru", "Mihai", "Florin", "Gheorghe", "Vasile",
        "Cristian", "Bogdan", "Nicolae", "Darius", "Mindaugas", "Tomas", "Jonas", "Valentin",
        "Dmitri", "Sergei", "Oleksandr", "Viktor", "Ivan",
    ],
    &[
        "Anna", "Katarzyna", "Agnieszka", "Malgorzata", "Joanna", "Magdalena", "Monika", "Ewa",
        "Barbara", "Aleksandra", "Natalia", "Karolina", "Paulina", "Justyna", "Marta", "Dorota",
        "Iwona", "Beata", "Zofia", "Julia", "Maria", "Elena", "Ioana", "Andreea", "Mihaela",
        "Gabriela", "Alina", "Roxana", "Daniela", "Cristina", "Ruta", "Egle", "Ieva", "Laura",
        "Oksana", "Olena", "Tetiana", "Svetlana", "Irina", "Natalja",
    ],
];

#[rustfmt::skip]
pub static EAST_EUROPEAN_FORENAME_TAIL: [&[&str]; 2] = [
    &[
        "Adam", "Aleksander", "Arkadiusz", "Artur", "Bartlomiej", "Czeslaw", "Damian", "Dariusz",
        "Dominik", "Filip", "Hubert", "Igor", "Jacek", "Janusz", "Jaroslaw", "Jerzy", "Kacper",
        "Karol", "Konrad", "Leszek", "Maciej", "Maksymilian", "Mariusz", "Miroslaw", "Norbert",
        "Oskar", "Patryk", "Przemyslaw", "Radoslaw", "Robert", "Roman", "Ryszard", "Sebastian",
        "Slawomir", "Szymon", "Tadeusz", "Waldemar", "Wiktor", "Zbigniew", "Antoni", "Franciszek",
        "Aurel", "Catalin", "Costel", "Dorin", "Emil", "Gabriel", "Ionut", "Lucian", "Marian",
        "Marius", "Ovidiu", "Razvan", "Sorin", "Stefan", "Vlad", "Aurimas", "Gediminas", "Justas",
        "Linas", "Lukas", "Mantas", "Paulius", "Rokas", "Tadas", "Vytautas", "Andriy", "Bohdan",
        "Dmytro", "Mykola", "Petro", "Taras", "Vasyl", "Yuriy", "Aleksandr", "Alexei", "Maxim",
        "Nikolai", "Pavel", "Georgi", "Dimitar", "Ivo", "Zoltan", "Laszlo", "Attila", "Gabor",
    ],
    &[
        "Agata", "Alicja", "Anita", "Bozena", "Danuta", "Dominika", "Edyta", "Elzbieta", "Emilia",
        "Ewelina", "Grazyna", "Halina", "Hanna", "Irena", "Izabela", "Jadwiga", "Jolanta", "Kamila",
        "Klaudia", "Krystyna", "Lena", "Lucyna", "Marzena", "Milena", "Nikola", "Oliwia", "Renata",
        "Sylwia", "Teresa", "Urszula", "Weronika", "Wiktoria", "Zuzanna", "Adriana", "Bianca",
        "Camelia", "Corina", "Denisa", "Diana", "Florentina", "Georgiana", "Iulia", "Larisa",
        "Loredana", "Madalina", "Nicoleta", "Oana", "Raluca", "Simona", "Valentina", "Agne", "Asta",
        "Greta", "Jurgita", "Kristina", "Lina", "Rasa", "Vaida", "Inga", "Halyna", "Kateryna",
        "Lyudmyla", "Nadiya", "Yulia", "Olga", "Anastasia", "Ekaterina", "Tatiana", "Kinga", "Ilona",
        "Eszter", "Reka",
    ],
];

#[rustfmt::skip]
pub static CHINESE_FORENAMES: [&[&str]; 2] = [
    &[
        "Wei", "Jun", "Hao", "Jie", "Ming", "Lei", "Tao", "Yong", "Chen", "Bo", "Kai", "Jian", "Peng",
        "Feng", "Qiang", "Gang", "Long", "Bin", "Cheng", "Hui", "Kevin", "Daniel", "Michael",
        "David", "Jason", "Eric", "Andy", "Tony", "Ka Wai", "Chi Ming", "Wing", "Kwok", "Man", "Sing",
        "Yiu", "Chun", "Siu", "Ho", "Tak", "Kin",
    ],
    &[
        "Li", "Fang", "Ying", "Jing", "Xin", "Yan", "Hong", "Mei", "Lan", "Hui", "Xiao", "Yu", "Ling",
        "Na", "Qian", "Jia", "Min", "Ping", "Yun", "Rui", "Grace", "Amy", "Jenny", "Vivian", "Helen",
        "Wendy", "Karen", "Annie", "Mandy", "Winnie", "Ka Yan", "Wai Man", "Siu Ling", "Mei Ling",
        "Suk Yee", "Yuk", "Lai", "Fong", "Oi", "Kit",
    ],
];

#[rustfmt::skip]
pub static CHINESE_FORENAME_TAIL: [&[&str]; 2] = [
    &[
        "An", "Bao", "Chao", "Dong", "Fei", "Guang", "Hai", "Hua", "Jin", "Kang", "Liang", "Lin",
        "Ning", "Qi", "Rong", "Shan", "Sheng", "Tian", "Xiang", "Yi", "Yuan", "Zhen", "Zhi", "Zhong",
        "Hoi", "Kam", "Kwan", "Lok", "Wah", "Wai", "Ka Ho", "Ka Lok", "Chun Wai", "Wing Kit",
        "Tsz Hin", "Hin", "Chi Keung", "Kwok Wai", "Wai Kit", "Yat",
    ],
    &[
        "Ai", "Bei", "Chun", "Dan", "Fen", "Juan", "Lei", "Lu", "Ning", "Qing", "Shu", "Ting", "Wen",
        "Xia", "Xue", "Yi", "Yue", "Zhen", "Zhi", "Ka Man", "Wing Yan", "Hoi Yan", "Siu Wai",
        "Mei Yee", "Pui Yee", "Wai Ling", "Yuen Ting", "Sze Wing", "Man Yee", "Lok Yee",
    ],
];

#[rustfmt::skip]
pub static ARAB_FORENAMES: [&[&str]; 2] = [
    &[
        "Mohammed", "Ahmed", "Omar", "Ali", "Khalid", "Youssef", "Ibrahim", "Mustafa", "Hamza",
        "Tariq", "Karim", "Samir", "Nabil", "Walid", "Faris", "Hassan", "Hussein", "Bilal", "Rami",
        "Ziad", "Adel", "Majid", "Fadi", "Jamal", "Salim", "Anas", "Amjad", "Haider", "Kareem",
        "Mahmoud", "Nasser", "Osama", "Qasim", "Rashid", "Saeed", "Sami", "Yasser", "Zaid",
        "Abdullah", "Imad",
    ],
    &[
        "Fatima", "Mariam", "Aisha", "Noor", "Layla", "Sara", "Huda", "Rania", "Dina", "Hana", "Amal",
        "Salma", "Yasmin", "Lina", "Rana", "Reem", "Samira", "Nadia", "Zainab", "Asma", "Hiba",
        "Iman", "Jana", "Leila", "Maha", "Nour", "Rasha", "Rima", "Suha", "Wafa", "Ghada", "Heba",
        "Khadija", "Lamia", "Mona", "Nada", "Ola", "Safa", "Tala", "Zahra",
    ],
];

#[rustfmt::skip]
pub static ARAB_FORENAME_TAIL: [&[&str]; 2] = [
    &[
        "Muhammad", "Mohamed", "Abdelrahman", "Abdulaziz", "Abdulrahman", "Adham", "Ahmad", "Akram",
        "Alaa", "Ammar", "Ashraf", "Ayman", "Bashar", "Basim", "Emad", "Fahad", "Faisal", "Ghassan",
        "Hadi", "Hamad", "Hani", "Hisham", "Husam", "Ismail", "Jaber", "Jamil", "Kamal", "Khaled",
        "Louay", "Maher", "Marwan", "Mazen", "Moataz", "Munir", "Murad", "Nabeel", "Nizar", "Raed",
        "Rakan", "Sabri", "Salah", "Sameh", "Tamer", "Tarek", "Waleed", "Wael", "Yahya", "Younis",
        "Zakaria", "Ziyad", "Yusuf", "Idris", "Hamid", "Mansour", "Saif", "Talal", "Yazan", "Laith",
    ],
    &[
        "Abeer", "Afaf", "Alia", "Amani", "Amira", "Arwa", "Asmaa", "Aya", "Bushra", "Dalia", "Dana",
        "Doaa", "Eman", "Fadia", "Farah", "Ghadeer", "Hala", "Hanan", "Haya", "Inas", "Israa",
        "Jamila", "Jumana", "Lama", "Lubna", "Majida", "Malak", "Manal", "Marwa", "Maysa", "Nahla",
        "Najwa", "Nawal", "Rahaf", "Randa", "Rawan", "Ruba", "Sahar", "Samar", "Sawsan", "Shatha",
        "Sherin", "Widad", "Yara", "Zeina", "Sumaya", "Lujain", "Maryam",
    ],
];

/// Spellings of English surnames that registers show side by side: a
/// final e (Browne, Greene, Wilde), one consonant for two (Philips,
/// Mathews, Bennet), the patronymic without its s (Edward, Robert, Jenkin),
/// Mac for Mc and the other way (Macdonald, McKenzie), -leigh for -ley
/// (Ashleigh, Oakleigh), -ie for -ey (Harvie, Bailie).
pub fn english_surname_spellings() -> &'static [String] {
    static NAMES: OnceLock<Vec<String>> = OnceLock::new();
    NAMES.get_or_init(|| {
        let listed: HashSet<&str> = ENGLISH_SURNAMES.iter().copied().collect();
        let fathers: HashSet<&str> = ENGLISH_FORENAMES[0]
            .iter()
            .flat_map(|l| l.iter().copied())
            .collect();
        let strict_vowel = |c: char| matches!(c, 'a' | 'e' | 'i' | 'o' | 'u');
        let mut v = Vec::new();
        for n in ENGLISH_SURNAMES {
            if !n.chars().all(|c| c.is_ascii_alphabetic()) {
                continue;
            }
            // Browne, Greene, Wilde, Clarke, Cooke.
            if ["own", "een", "ild", "ark", "ook", "orn"]
                .iter()
                .any(|e| n.ends_with(e))
            {
                v.push(format!("{n}e"));
            }
            for double in ["ll", "tt", "pp"] {
                if let Some(i) = n.find(double) {
                    let rest = &n[i + 2..];
                    let at_end = rest.is_empty();
                    // Philips, Mathews; Mitchel, Bennet, Elliot; not Hal,
                    // Poter or Miler.
                    let inside = rest.starts_with("ip") || rest.starts_with('h');
                    let end = at_end && n.len() >= 6 && n[..i].ends_with(['e', 'o']);
                    if inside || end {
                        v.push(format!("{}{}", &n[..i + 1], &n[i + 2..]));
                    }
                }
            }
            // Edward for Edwards, Jenkin for Jenkins: the patronymic's own name.
            if let Some(stem) = n.strip_suffix('s') {
                if fathers.contains(stem) || n.ends_with("kins") {
                    v.push(stem.to_string());
                }
            }
            if let Some(rest) = n.strip_prefix("Mc") {
                v.push(format!("Mac{rest}"));
            } else if let Some(rest) = n.strip_prefix("Mac") {
                if rest.len() > 4 {
                    let mut c = rest.chars();
                    let first = c.next().map(|x| x.to_ascii_uppercase()).unwrap_or('K');
                    v.push(format!("Mc{first}{}", c.as_str()));
                }
            }
            // Bradleigh, Hartleigh; not Baileigh.
            if let Some(stem) = n.strip_suffix("ley") {
                if stem.ends_with(|c: char| !strict_vowel(c) && c != 'y') {
                    v.push(format!("{stem}leigh"));
                }
            } else if let Some(stem) = n.strip_suffix("ey") {
                v.push(format!("{stem}ie"));
            }
        }
        let mut seen = HashSet::new();
        v.retain(|s| !listed.contains(s.as_str()) && seen.insert(s.clone()));
        v
    })
}

/// Names made since the 1990s from the sounds of popular ones (Brayden,
/// Kaylee, Jaxon), and compound names (Lily-Mae, Alfie-James): ONS's lists
/// of babies' names from the late 1990s on have thousands of them, each
/// given to a few children a year. Built from onsets and endings found in
/// those lists, for the youngest cohort only.
#[rustfmt::skip]
static MODERN_ONSETS: [&[&str]; 2] = [
    &["Bray", "Jay", "Kay", "Ray", "Zay", "Ty", "Ky", "Ry", "Bry", "Cay", "Gray", "Tay", "Ja", "Ka",
      "Bra", "Tre"],
    &["Kay", "Jay", "May", "Ray", "Bay", "Lay", "Kai", "Ma", "Ka", "La", "Ja", "Sha", "Ky", "Ry",
      "Ty", "Ny", "Ta", "Bri", "Bre", "Ari", "Ava", "Eva", "Mi"],
];

#[rustfmt::skip]
static MODERN_ENDINGS: [&[&str]; 2] = [
    &["den", "don", "dyn", "son", "ton", "lan", "len", "lon", "dan", "lin", "ce"],
    &["lee", "leigh", "lie", "lyn", "lynn", "la", "lah", "na", "nah", "ra", "rah", "sha", "nia",
      "cie", "sie", "ley", "ya", "lia", "nna"],
];

#[rustfmt::skip]
static COMPOUND_SECONDS: [&[&str]; 2] = [
    &["James", "Lee", "Jay", "John", "Ray"],
    &["Mae", "May", "Rose", "Grace", "Lou", "Leigh", "Jane", "Marie"],
];

fn modern_forenames(female: bool) -> &'static [String] {
    static NAMES: [OnceLock<Vec<String>>; 2] = [OnceLock::new(), OnceLock::new()];
    NAMES[female as usize].get_or_init(|| {
        let f = female as usize;
        let listed: HashSet<&str> = ENGLISH_FORENAMES
            .iter()
            .flatten()
            .flat_map(|l| l.iter().copied())
            .chain(ENGLISH_FORENAME_TAIL.iter().flat_map(|l| l.iter().copied()))
            .collect();
        let mut made = Vec::new();
        for a in MODERN_ONSETS[f] {
            for b in MODERN_ENDINGS[f] {
                let n = format!("{a}{b}");
                // Not Brirah or Rysie: one r, and -cie and -sie after a vowel.
                let soft_after_y = a.ends_with('y') && (b.ends_with("cie") || b.ends_with("sie"));
                if plausible_forename(&n)
                    && !n.contains("yy")
                    && !n.contains("aa")
                    && n.matches(['r', 'R']).count() < 2
                    && !soft_after_y
                {
                    made.push(n);
                }
            }
        }
        let mut v = in_scrambled_order(made);
        let firsts = &ENGLISH_FORENAMES[f][2][..if female { 40 } else { 30 }];
        let mut compounds = Vec::new();
        for a in firsts {
            for b in COMPOUND_SECONDS[f] {
                if a != b {
                    compounds.push(format!("{a}-{b}"));
                }
            }
        }
        v.extend(in_scrambled_order(compounds));
        let mut seen = HashSet::new();
        v.retain(|s| !listed.contains(s.as_str()) && seen.insert(s.clone()));
        v
    })
}

// ---------------------------------------------------------------------------
// Spellings. ONS counts every spelling as its own name (Jayden, Jaiden,
// Jaydon; Sophia, Sofia; Mohammed, Muhammad, Mohamed), and the long tail
// of its lists is full of them; so is any council's register. These rules
// make the common ones from the listed names. A variant is a different
// person's name, not a mistake: the noise that mistypes a name is elsewhere
// (`noise.rs`).

fn english_spellings(n: &str, female: bool) -> Vec<String> {
    let mut v = Vec::new();
    if !n.chars().all(|c| c.is_ascii_alphabetic()) || n.len() < 3 {
        return v;
    }
    let ends_consonant = |s: &str| s.chars().last().is_some_and(|c| !is_vowel(c));
    if let Some(stem) = n.strip_suffix("ie") {
        // Charlie, Charley, Charli; Katie, Katy, Kati.
        v.extend([format!("{stem}y"), format!("{stem}i")]);
        if female || stem.ends_with("rl") {
            v.push(format!("{stem}ey"));
        }
    } else if let Some(stem) = n.strip_suffix("ey") {
        v.extend([format!("{stem}y"), format!("{stem}ie")]);
        if female && stem.ends_with('l') {
            v.push(format!("{stem}eigh"));
        }
    } else if let Some(stem) = n.strip_suffix('y') {
        if ends_consonant(stem) {
            v.extend([format!("{stem}ie"), format!("{stem}i")]);
        }
    }
    if female {
        if let Some(stem) = n.strip_suffix("ah") {
            v.push(format!("{stem}a"));
        } else if n.len() <= 4 && n.ends_with('a') && n[..n.len() - 1].ends_with(['i', 'y']) {
            // Mia and Miah, Maya and Mayah.
            v.push(format!("{n}h"));
        }
        if n.ends_with("bel") || n.ends_with("chel") {
            // Isabel and Isabelle, Rachel and Rachelle.
            v.push(format!("{n}le"));
        }
        if let Some(stem) = n.strip_suffix("lin") {
            v.push(format!("{stem}lyn"));
        } else if let Some(stem) = n.strip_suffix("lyn") {
            v.extend([format!("{stem}lynn"), format!("{stem}lin")]);
        }
    }
    if let Some(i) = n[1..].find("ph").map(|i| i + 1) {
        v.push(format!("{}f{}", &n[..i], &n[i + 2..]));
    }
    if let Some(rest) = n.strip_prefix("Chr") {
        v.push(format!("Kr{rest}"));
    } else if n.starts_with('C') && n[1..].starts_with(|c: char| "aou".contains(c)) {
        v.push(format!("K{}", &n[1..]));
    } else if n.starts_with('K') && n[1..].starts_with(|c: char| "aou".contains(c)) {
        v.push(format!("C{}", &n[1..]));
    }
    if let Some(i) = n.find("ay") {
        // Jayden and Jaiden, Kayla and Kaila; not Raymond or Wayne.
        let s = format!("{}ai{}", &n[..i], &n[i + 2..]);
        if !s.contains("aim") && !s.ends_with("aine") {
            v.push(s);
        }
    }
    for (from, to) in [
        ("den", ["don", "dan"]),
        ("don", ["den", "dyn"]),
        ("dan", ["den", "dyn"]),
    ] {
        if let Some(stem) = n.strip_suffix(from) {
            v.extend(to.iter().map(|t| format!("{stem}{t}")));
        }
    }
    for double in ["nn", "tt", "ll"] {
        if let Some(i) = n.find(double) {
            // Connor and Conor, Matthew and Mathew, Allan and Alan; not
            // Anne as Ane, Sally as Saly or Millie as Milie.
            let rest = &n[i + 2..];
            let keeps =
                rest.starts_with(['a', 'o', 'h']) || (rest.starts_with('i') && rest.len() >= 3);
            if keeps {
                v.push(format!("{}{}", &n[..i + 1], &n[i + 2..]));
            }
        }
    }
    if let Some(rest) = n.strip_prefix("Is") {
        v.push(format!("Iz{rest}"));
    }
    // Julie spelt July is a month, not a name.
    v.retain(|s| s != n && s.len() >= 3 && plausible_forename(s) && s != "July");
    v
}

fn plausible_forename(s: &str) -> bool {
    let c: Vec<char> = s.chars().collect();
    !c.windows(3).any(|w| w[0] == w[1] && w[1] == w[2])
}

/// Spellings of South Asian and Arabic names in English letters: Sameer and
/// Samir, Raheem and Rahim, Aminah and Amina, Kasim and Qasim, Hasan and
/// Hassan, Yasmine and Yasmeen.
fn transliterated_spellings(n: &str, female: bool) -> Vec<String> {
    let mut v = Vec::new();
    if !n.chars().all(|c| c.is_ascii_alphabetic()) || n.len() < 3 {
        return v;
    }
    if let Some(i) = n.find("ee") {
        v.push(format!("{}i{}", &n[..i], &n[i + 2..]));
    }
    // A last syllable -im, -ir, -id, -il, -in, -ib written with ee.
    let b = n.as_bytes();
    let l = b.len();
    if l >= 4
        && b[l - 2] == b'i'
        && !is_vowel(b[l - 1] as char)
        && !is_vowel(b[l - 3] as char)
        && !n.ends_with("ish")
    {
        v.push(format!("{}ee{}", &n[..l - 2], &n[l - 1..]));
    }
    if let Some(i) = n.find("oo") {
        v.push(format!("{}u{}", &n[..i], &n[i + 2..]));
    }
    if let Some(stem) = n.strip_suffix("ah") {
        v.push(format!("{stem}a"));
    } else if n.ends_with('a') {
        v.push(format!("{n}h"));
    }
    if let Some(rest) = n.strip_prefix('Q') {
        v.push(format!("K{rest}"));
    }
    if let Some(i) = n.find("ss") {
        v.push(format!("{}s{}", &n[..i], &n[i + 2..]));
    }
    if female {
        if let Some(stem) = n.strip_suffix("in") {
            v.extend([format!("{stem}ine"), format!("{stem}een")]);
        }
    }
    v.retain(|s| s != n && s.len() >= 3 && plausible_forename(s));
    v
}

/// Every name of a sex across a set of lists, in list order.
fn all_listed(lists: &[&'static [&'static str]]) -> Vec<&'static str> {
    lists.iter().flat_map(|l| l.iter().copied()).collect()
}

/// Variants of English forenames of one sex that are not themselves listed
/// names (of either sex), commonest bases first.
fn english_forename_variants(female: bool) -> &'static [String] {
    static NAMES: [OnceLock<Vec<String>>; 2] = [OnceLock::new(), OnceLock::new()];
    NAMES[female as usize].get_or_init(|| {
        let f = female as usize;
        let mut bases = all_listed(&ENGLISH_FORENAMES[f]);
        bases.extend(ENGLISH_FORENAME_TAIL[f]);
        let listed: HashSet<&str> = ENGLISH_FORENAMES
            .iter()
            .flatten()
            .flat_map(|l| l.iter().copied())
            .chain(ENGLISH_FORENAME_TAIL.iter().flat_map(|l| l.iter().copied()))
            .collect();
        let mut seen = HashSet::new();
        let mut v = Vec::new();
        for b in bases {
            for s in english_spellings(b, female) {
                if !listed.contains(s.as_str()) && seen.insert(s.clone()) {
                    v.push(s);
                }
            }
        }
        v
    })
}

/// Transliteration variants for Arab forenames (community 0) or a South
/// Asian community's (Deepak and Dipak, Manjit and Manjeet too), of one sex.
fn transliterations(origin: Origin, community: usize, female: bool) -> &'static [String] {
    static NAMES: [[OnceLock<Vec<String>>; 2]; 4] = [
        [OnceLock::new(), OnceLock::new()],
        [OnceLock::new(), OnceLock::new()],
        [OnceLock::new(), OnceLock::new()],
        [OnceLock::new(), OnceLock::new()],
    ];
    let arab = origin == Origin::Arab;
    let slot = if arab { 3 } else { community.min(2) };
    NAMES[slot][female as usize].get_or_init(|| {
        let f = female as usize;
        let (head, tail) = if arab {
            (ARAB_FORENAMES[f], ARAB_FORENAME_TAIL[f])
        } else {
            (
                SOUTH_ASIAN_FORENAMES[slot][f],
                SOUTH_ASIAN_FORENAME_TAIL[slot][f],
            )
        };
        let mut listed: HashSet<&str> = ARAB_FORENAMES
            .iter()
            .chain(ARAB_FORENAME_TAIL.iter())
            .flat_map(|l| l.iter().copied())
            .collect();
        for k in 0..3 {
            for l in SOUTH_ASIAN_FORENAMES[k]
                .iter()
                .chain(SOUTH_ASIAN_FORENAME_TAIL[k].iter())
            {
                listed.extend(l.iter().copied());
            }
        }
        let mut seen = HashSet::new();
        let mut v = Vec::new();
        for b in head.iter().chain(tail) {
            for s in transliterated_spellings(b, female) {
                if !listed.contains(s.as_str()) && seen.insert(s.clone()) {
                    v.push(s);
                }
            }
        }
        v
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use rand_pcg::Pcg64Mcg;
    use std::collections::HashMap;

    fn top(pool: &Pool, n: usize) -> f64 {
        pool.shares().iter().take(n).sum()
    }

    fn draws(
        n: usize,
        mut f: impl FnMut(&mut Pcg64Mcg) -> &'static str,
    ) -> HashMap<&'static str, usize> {
        let mut rng = Pcg64Mcg::seed_from_u64(7);
        let mut out = HashMap::new();
        for _ in 0..n {
            *out.entry(f(&mut rng)).or_default() += 1;
        }
        out
    }

    #[test]
    fn the_curve_interpolates_and_extends() {
        let c = Curve(&[(1.0, 0.1), (10.0, 0.01)]);
        assert!((c.at(1.0) - 0.1).abs() < 1e-12);
        assert!((c.at(10.0) - 0.01).abs() < 1e-12);
        assert!((c.at(100.0) - 0.001).abs() < 1e-9, "{}", c.at(100.0));
        assert!(c.at(0.5) == 0.1);
        assert!(c.at(3.0) < c.at(2.0));
    }

    #[test]
    fn english_surnames_follow_the_great_britain_curve() {
        let p = surname_pool(Origin::English);
        let shares = p.shares();
        // Smith 1.20% on the 1996 register.
        assert!((shares[0] - 0.012).abs() < 1e-9, "{}", shares[0]);
        assert_eq!(p.names()[0], "Smith");
        // Derived from the curve: about 24% in the 100 commonest, 45% in
        // the 500 commonest; more than half of people outside them.
        let (t100, t500) = (top(p, 100), top(p, 500));
        assert!((0.20..0.28).contains(&t100), "{t100}");
        assert!((0.40..0.50).contains(&t500), "{t500}");
        assert!(p.names().len() > 5_000, "{}", p.names().len());
        // Drawn: the same shape, and thousands of names in a county's worth.
        let d = draws(40_000, |r| surname(Origin::English, false, r));
        let smith = d["Smith"] as f64 / 40_000.0;
        assert!((0.009..0.015).contains(&smith), "{smith}");
        assert!(d.len() > 6_000, "{} distinct", d.len());
    }

    #[test]
    fn welsh_speakers_surnames_are_concentrated_but_not_only_jones() {
        let p = surname_pool(Origin::Welsh);
        let s = p.shares();
        assert_eq!(
            &p.head()[..5],
            ["Jones", "Williams", "Davies", "Evans", "Thomas"]
        );
        assert!((s[0] - 0.148).abs() < 1e-9);
        let t10 = top(p, 10);
        assert!((0.60..0.70).contains(&t10), "{t10}");
        assert!((p.borrowed_share() - 0.12).abs() < 1e-12);
        let d = draws(20_000, |r| surname(Origin::Welsh, false, r));
        let jones = d["Jones"] as f64 / 20_000.0;
        // 14.8% of the 88% drawn from Welsh names, plus English Joneses.
        assert!((0.11..0.15).contains(&jones), "{jones}");
        assert!(d.len() > 500, "{} distinct", d.len());
    }

    #[test]
    fn young_english_forenames_follow_ons_shares_and_older_are_more_concentrated() {
        for (female, t10, t100) in [(false, 0.164, 0.577), (true, 0.128, 0.474)] {
            let young = forename_pool(Origin::English, female, 2);
            let (a, b) = (top(young, 10), top(young, 100));
            assert!((a - t10).abs() < 0.01, "female {female}: top ten {a}");
            // The lists hold just under a hundred names each; the rest of
            // the top hundred's share sits in the tail.
            assert!((b - t100).abs() < 0.03, "female {female}: top hundred {b}");
            let old = forename_pool(Origin::English, female, 0);
            assert!(top(old, 10) > a + 0.08, "female {female}");
        }
        assert_eq!(forename_pool(Origin::English, false, 0).names()[0], "John");
        assert_eq!(forename_pool(Origin::English, false, 2).names()[0], "Jack");
        assert_eq!(forename_pool(Origin::English, true, 1).names()[0], "Sarah");
        assert_eq!(cohort(1950), 0);
        assert_eq!(cohort(1970), 1);
        assert_eq!(cohort(2020), 2);
    }

    #[test]
    fn muhammad_and_its_spellings_lead_muslim_boys_names() {
        let d = draws(20_000, |r| {
            forename(Origin::SouthAsian, false, 1990, "Khan", r)
        });
        let spellings: usize = ["Mohammed", "Muhammad", "Mohammad", "Mohamed", "Muhammed"]
            .iter()
            .map(|n| d.get(n).copied().unwrap_or(0))
            .sum();
        let share = spellings as f64 / 20_000.0;
        // About a fifth of Muslim boys (ONS 2023, derived).
        assert!((0.17..0.30).contains(&share), "{share}");
        let d = draws(20_000, |r| forename(Origin::Arab, false, 1990, "Hassan", r));
        let spellings: usize = ["Mohammed", "Muhammad", "Mohamed"]
            .iter()
            .map(|n| d.get(n).copied().unwrap_or(0))
            .sum();
        let share = spellings as f64 / 20_000.0;
        assert!((0.10..0.30).contains(&share), "{share}");
    }

    #[test]
    fn every_pool_is_deep_and_every_name_is_clean() {
        for pool in all_pools() {
            // A pool that mostly borrows English names needs fewer of its own.
            let min = if pool.borrowed_share() >= 0.5 { 40 } else { 60 };
            assert!(pool.names().len() >= min, "{:?}", &pool.names()[..3]);
            let unique: HashSet<&str> = pool.names().iter().copied().collect();
            assert_eq!(unique.len(), pool.names().len());
            for n in pool.names() {
                assert!(
                    !n.is_empty() && n.trim() == *n && !n.contains("  "),
                    "{n:?}"
                );
                let first = n.chars().next().unwrap_or(' ');
                assert!(
                    first.is_uppercase() || n.starts_with("ap ") || n.starts_with("ab "),
                    "{n:?}"
                );
                // Emails are made from names: every name has letters to use.
                assert!(!crate::town::ascii_lower(n).is_empty(), "{n:?}");
            }
        }
        for o in ORIGINS {
            assert!(surname_pool(o).names().len() >= 100, "{o:?}");
        }
    }

    #[test]
    fn south_asian_names_keep_to_their_community_and_sex() {
        let mut rng = Pcg64Mcg::seed_from_u64(3);
        for _ in 0..2_000 {
            let f = forename(Origin::SouthAsian, false, 1980, "Singh", &mut rng);
            let muslim = [
                "Mohammed", "Muhammad", "Mohammad", "Mohamed", "Ahmed", "Ali", "Imran",
            ];
            assert!(!muslim.contains(&f), "{f} Singh");
            let f = forename(Origin::SouthAsian, true, 1980, "Patel", &mut rng);
            assert!(!["Fatima", "Ayesha", "Harpreet"].contains(&f), "{f} Patel");
            let s = surname(Origin::SouthAsian, false, &mut rng);
            assert!(fits_sex(s, false), "a man called {s}");
            let s = surname(Origin::SouthAsian, true, &mut rng);
            assert!(fits_sex(s, true), "a woman called {s}");
            let s = family_name(Origin::SouthAsian, false, "Begum", &mut rng);
            assert!(
                fits_sex(s, false) && community_of(Origin::SouthAsian, s) == 0,
                "{s}"
            );
        }
        assert_eq!(
            family_name(Origin::SouthAsian, true, "Singh", &mut rng),
            "Kaur"
        );
        assert_eq!(
            family_name(Origin::SouthAsian, false, "Kaur", &mut rng),
            "Singh"
        );
        assert_eq!(
            family_name(Origin::SouthAsian, true, "Khan", &mut rng),
            "Khan"
        );
        assert_eq!(
            family_name(Origin::English, false, "Smith", &mut rng),
            "Smith"
        );
        // Communities in their shares: Patel and Singh as well as Khan.
        let d = draws(20_000, |r| surname(Origin::SouthAsian, false, r));
        let share = |n: &str| d.get(n).copied().unwrap_or(0) as f64 / 20_000.0;
        assert!((0.035..0.07).contains(&share("Khan")), "{}", share("Khan"));
        assert!((0.03..0.06).contains(&share("Patel")), "{}", share("Patel"));
        assert!((0.03..0.06).contains(&share("Singh")), "{}", share("Singh"));
    }

    #[test]
    fn made_names_read_like_names() {
        let en = english_constructed();
        assert!(en.len() > 5_000, "{}", en.len());
        for n in en.iter().take(2_000) {
            assert!(plausible(n), "{n}");
        }
        for real in [
            "Ashby", "Bradford", "Thornton", "Hobson", "Dawkins", "Wilcox", "Hodges", "Hobbs",
        ] {
            assert!(en.iter().any(|n| n == real), "{real} is not made");
        }
        assert!(yoruba_constructed().iter().any(|n| n == "Akinwale"));
        assert!(east_european_constructed().iter().any(|n| n == "Petrescu"));
        assert!(welsh_patronymics().iter().any(|n| n == "ap Dafydd"));
        assert!(welsh_patronymics().iter().any(|n| n == "ab Owain"));
    }

    #[test]
    fn spelling_variants_are_the_ones_registers_show() {
        let v = english_spellings("Charlie", false);
        assert!(v.contains(&"Charley".to_string()) && v.contains(&"Charli".to_string()));
        assert!(english_spellings("Jayden", false).contains(&"Jaiden".to_string()));
        assert!(english_spellings("Jayden", false).contains(&"Jaydon".to_string()));
        assert!(english_spellings("Callum", false).contains(&"Kallum".to_string()));
        assert!(english_spellings("Connor", false).contains(&"Conor".to_string()));
        assert!(english_spellings("Sophia", true).contains(&"Sofia".to_string()));
        assert!(english_spellings("Hannah", true).contains(&"Hanna".to_string()));
        assert!(english_spellings("Isabel", true).contains(&"Isabelle".to_string()));
        assert!(transliterated_spellings("Sameer", false).contains(&"Samir".to_string()));
        assert!(transliterated_spellings("Rahim", false).contains(&"Raheem".to_string()));
        assert!(transliterated_spellings("Amina", true).contains(&"Aminah".to_string()));
        assert!(english_spellings("Siân", true).is_empty());
    }

    #[test]
    fn respellings_are_the_same_name() {
        assert!(same_name("Ruksana", "Rukhsana"));
        assert!(same_name("Mohammed", "Muhammad"));
        assert!(same_name("Jayden", "Jaiden"));
        assert!(same_name("Siân", "Sian"));
        assert!(!same_name("Mohammed", "Mohsin"));
        assert!(!same_name("Mark", "Marc"));
    }

    #[test]
    fn the_same_seed_draws_the_same_names() {
        let run = || {
            let mut rng = Pcg64Mcg::seed_from_u64(42);
            (0..500)
                .map(|i| {
                    let o = ORIGINS[i % ORIGINS.len()];
                    let s = surname(o, i % 2 == 0, &mut rng);
                    (
                        s,
                        forename(o, i % 2 == 0, 1940 + (i as i32 % 80), s, &mut rng),
                    )
                })
                .collect::<Vec<_>>()
        };
        assert_eq!(run(), run());
    }

    #[test]
    fn common_forenames_still_have_nicknames() {
        // Noise turns William into Bill on records (`noise::nickname`): the
        // names drawn most often must still be ones with nicknames.
        for cohort in 0..3 {
            let head = forename_pool(Origin::English, false, cohort).head();
            let with = head[..10]
                .iter()
                .filter(|n| !crate::names::nicknames(n).is_empty())
                .count();
            assert!(
                with >= 6,
                "cohort {cohort}: {with} of the ten commonest boys' names"
            );
        }
        let d = draws(5_000, |r| forename(Origin::English, true, 1950, "Smith", r));
        let with: usize = d
            .iter()
            .filter(|(n, _)| !crate::names::nicknames(n).is_empty())
            .map(|(_, c)| c)
            .sum();
        assert!(
            with > 1_000,
            "{with} of 5,000 older women's names have nicknames"
        );
    }

    #[test]
    #[ignore]
    fn print_pool_summary() {
        for o in ORIGINS {
            let s = surname_pool(o);
            eprintln!(
                "{o:?}: surnames {} (head {}), top10 {:.3}, borrow {:.2}",
                s.names().len(),
                s.head().len(),
                top(s, 10),
                s.borrowed_share()
            );
            for female in [false, true] {
                for c in 0..3 {
                    let f = forename_pool(o, female, c);
                    eprintln!(
                        "   forenames f={female} c={c}: {} (head {}), top10 {:.3} top100 {:.3}",
                        f.names().len(),
                        f.head().len(),
                        top(f, 10),
                        top(f, 100)
                    );
                }
            }
        }
    }
}
