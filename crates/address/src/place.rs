//! Placing a query: candidates, scores by property, and the decision.

use std::collections::HashMap;

use rayon::prelude::*;
use serde::Serialize;
use upstream_ingest::standardise;

use crate::gazetteer::{deletable, distinctive, Field, Gazetteer};
use crate::parse::parse;
use crate::score::Ctx;
use crate::text::{is_stop, number, tok_sim};

/// The lowest score placed. Below it the text disagrees with the best
/// property on more than a slip: the street is different, or the text
/// names a flat the gazetteer does not have.
pub const ACCEPT: f64 = 0.75;
/// Two properties whose scores are this close are not told apart.
pub const MARGIN: f64 = 0.05;
/// Below this the best candidate agrees on numbers and little else (a
/// street with only its type in common): there is no candidate worth
/// naming.
const NOTHING_BELOW: f64 = 0.5;
/// The most candidate LPIs one query scores: a bound on the work any text
/// can cause, far above what a real address finds.
const MAX_POOL: usize = 5000;
/// The most named LPIs taken from one street when the text has no number.
const MAX_NAMED_PER_STREET: usize = 500;
/// A building-name word shared by more LPIs than this finds nothing useful.
const MAX_NAME_LIST: usize = 2000;

/// An address to place: free text as any record holds it, raw or as
/// ingest standardised it, with the record's postcode and UPRN if it has
/// them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Query<'a> {
    pub address: &'a str,
    pub postcode: Option<&'a str>,
    pub uprn: Option<&'a str>,
}

impl<'a> Query<'a> {
    pub fn new(address: &'a str) -> Query<'a> {
        Query {
            address,
            postcode: None,
            uprn: None,
        }
    }

    pub fn with_postcode(mut self, postcode: &'a str) -> Query<'a> {
        self.postcode = Some(postcode);
        self
    }

    pub fn with_uprn(mut self, uprn: &'a str) -> Query<'a> {
        self.uprn = Some(uprn);
        self
    }
}

/// Where a query was placed, and how.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Placement {
    /// The property, or `None` when unplaced.
    pub uprn: Option<u64>,
    pub how: How,
    /// The query gave a UPRN the gazetteer does not hold; the text was
    /// used instead.
    pub given_uprn_ignored: bool,
}

/// How a placement was made.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub enum How {
    /// The query's own UPRN is in the gazetteer.
    GivenUprn,
    /// Every part the property's LPI has was given and agrees, and nothing
    /// in the text is unexplained (a missing locality or town is allowed).
    Exact,
    /// The best property by a clear margin, with its score (0.75 to 1).
    Fuzzy {
        score: f64,
    },
    Unplaced(Unplaced),
}

/// Why a query was not placed.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub enum Unplaced {
    /// No address text, or nothing in it that could be an address.
    Empty,
    /// No property has the numbers and flat the text gives, on a street or
    /// building the text names.
    NoCandidate,
    /// Two or more properties fit almost equally well (best first).
    Ambiguous { uprns: Vec<u64> },
    /// The best property fits too poorly to be trusted.
    TooWeak { best: u64, score: f64 },
    /// The text names a building of several flats or units but not which
    /// one. `building` is its parent shell when known.
    BuildingOnly { building: Option<u64>, units: u32 },
    /// The query's UPRN is not in the gazetteer and its text placed nothing.
    GivenUprnUnknown { given: String },
}

impl Placement {
    fn unplaced(u: Unplaced) -> Placement {
        Placement {
            uprn: None,
            how: How::Unplaced(u),
            given_uprn_ignored: false,
        }
    }

    pub fn is_placed(&self) -> bool {
        self.uprn.is_some()
    }
}

/// Scores gathered for one query.
#[derive(Default)]
struct Tally {
    /// (uprn, score, exact) for properties the text can be placed on.
    placeable: Vec<(u64, f64, bool)>,
    /// (building, score) for buildings of flats the text names without a flat.
    buildings: Vec<(u32, f64)>,
}

impl Tally {
    fn best_placeable(&self) -> f64 {
        self.placeable.iter().map(|p| p.1).fold(0.0, f64::max)
    }

    fn best_building(&self) -> Option<(u32, f64)> {
        self.buildings
            .iter()
            .copied()
            .max_by(|a, b| a.1.total_cmp(&b.1).then(b.0.cmp(&a.0)))
    }

    fn decisive(&self) -> bool {
        self.best_placeable() >= ACCEPT || self.best_building().is_some_and(|b| b.1 >= ACCEPT)
    }
}

/// Whether every distinctive word of a street is in the text: within a
/// slip, split in two ("BLACK BERRY" for BLACKBERRY) or run together with
/// the next ("BLACKBERRY" for BLACK BERRY). Streets found by one word or by
/// a slip are only worth scoring if so.
fn street_named(f: &Field, words: &[String]) -> bool {
    distinctive(f).all(|t| {
        words.iter().any(|w| {
            tok_sim(t, w) >= 0.8 || (w.len() >= t.len() + 2 && (w.starts_with(t) || w.ends_with(t)))
        }) || words.windows(2).any(|p| {
            p[0].len() + p[1].len() == t.len()
                && t.starts_with(p[0].as_str())
                && t.ends_with(p[1].as_str())
        })
    })
}

fn round3(x: f64) -> f64 {
    (x * 1000.0).round() / 1000.0
}

impl Gazetteer {
    /// Places one address on a UPRN, or says why not.
    pub fn place(&self, q: &Query) -> Placement {
        let given = q.uprn.map(str::trim).filter(|u| !u.is_empty());
        if let Some(u) = given {
            let known = standardise::uprn(u)
                .ok()
                .flatten()
                .and_then(|d| d.parse::<u64>().ok())
                .filter(|n| self.contains(*n));
            if let Some(n) = known {
                return Placement {
                    uprn: Some(n),
                    how: How::GivenUprn,
                    given_uprn_ignored: false,
                };
            }
        }
        let parsed = parse(q.address, q.postcode);
        let mut p = if parsed.is_empty() {
            Placement::unplaced(Unplaced::Empty)
        } else {
            self.place_parsed(Ctx::new(self, parsed))
        };
        if let Some(u) = given {
            p.given_uprn_ignored = true;
            if !p.is_placed() {
                p.how = How::Unplaced(Unplaced::GivenUprnUnknown {
                    given: u.chars().take(40).collect(),
                });
            }
        }
        p
    }

    /// Places many addresses in parallel; identical queries are placed once.
    /// The result is in the order of `queries`.
    pub fn place_all(&self, queries: &[Query]) -> Vec<Placement> {
        let mut index: HashMap<&Query, usize> = HashMap::with_capacity(queries.len());
        let mut unique: Vec<&Query> = Vec::new();
        let slots: Vec<usize> = queries
            .iter()
            .map(|q| {
                *index.entry(q).or_insert_with(|| {
                    unique.push(q);
                    unique.len() - 1
                })
            })
            .collect();
        let placed: Vec<Placement> = unique.par_iter().map(|q| self.place(q)).collect();
        slots.into_iter().map(|i| placed[i].clone()).collect()
    }

    fn place_parsed(&self, mut ctx: Ctx) -> Placement {
        let mut tally = Tally::default();
        // The postcode's LPIs first: a postcode holds about fifteen
        // properties, and a right one settles most addresses.
        let mut pool: Vec<u32> = ctx
            .parsed
            .postcodes
            .iter()
            .filter_map(|pc| self.by_postcode.get(pc))
            .flatten()
            .copied()
            .collect();
        pool.sort_unstable();
        pool.dedup();
        self.score_pool(&mut ctx, &pool, &mut tally);
        // The postcode may be missing, mistyped or recoded: look for the
        // street and number wherever they are, and let the postcode's
        // distance count in the score.
        if !tally.decisive() {
            let mut more = self.wider(&ctx);
            more.retain(|i| pool.binary_search(i).is_err());
            self.score_pool(&mut ctx, &more, &mut tally);
        }
        self.decide(tally)
    }

    fn score_pool(&self, ctx: &mut Ctx, pool: &[u32], tally: &mut Tally) {
        let hyps = std::mem::take(&mut ctx.parsed.hyps);
        for &i in pool.iter().take(MAX_POOL) {
            let Some(e) = self.entries.get(i as usize) else {
                continue;
            };
            for h in &hyps {
                let Some(s) = ctx.score(e, h) else { continue };
                let building = e
                    .building
                    .and_then(|b| self.buildings.get(b as usize).map(|x| (b, x)));
                let shell_of_units = e.shell && building.is_some_and(|(_, b)| b.units > 0);
                match building {
                    Some((b, _)) if s.unit_missing || shell_of_units => {
                        tally.buildings.push((b, s.score));
                    }
                    _ if s.unit_missing => {}
                    _ => tally.placeable.push((e.uprn, s.score, s.exact)),
                }
            }
        }
        ctx.parsed.hyps = hyps;
    }

    /// Candidates beyond the postcode: the LPIs with the text's numbers (or
    /// named ones) on streets whose distinctive words the text has, exactly
    /// or within a slip; when none is found that way, streets of the postcode's
    /// district within a slip; and buildings by name.
    fn wider(&self, ctx: &Ctx) -> Vec<u32> {
        let parsed = &ctx.parsed;
        let mut numbers: Vec<u16> = parsed
            .hyps
            .iter()
            .filter_map(|h| h.pao.map(|p| p.start))
            .collect();
        numbers.sort_unstable();
        numbers.dedup();
        // A reading with no number: a building by name. Named LPIs of the
        // street are taken only when nothing else identifies it either
        // (not for "3 OAK COURT" read as flat 3, which the name finds).
        let named = parsed.hyps.iter().any(|h| h.pao.is_none());
        let house_by_name = parsed
            .hyps
            .iter()
            .any(|h| h.pao.is_none() && h.unit.is_none());
        // Street types are looked up too: PARK, GREEN and HILL begin as
        // many street names as they end ("PARK ROAD", "GREEN LANE").
        let useful = |w: &&String| w.len() >= 2 && !is_stop(w) && number(w).is_none();
        let mut streets: Vec<u32> = Vec::new();
        let mut buf = String::new();
        for pair in parsed.words.windows(2) {
            streets.extend(
                self.street_by_token
                    .get(&pair.concat())
                    .into_iter()
                    .flatten(),
            );
        }
        for w in parsed.words.iter().filter(useful) {
            streets.extend(self.street_by_token.get(w.as_str()).into_iter().flatten());
            // A slip: the word is a street word less a letter, a street
            // word less a letter is the word, or both lost one.
            streets.extend(
                self.street_by_deletion
                    .get(w.as_str())
                    .into_iter()
                    .flatten(),
            );
            for i in 0..deletable(w) {
                buf.clear();
                buf.push_str(w.get(..i).unwrap_or(""));
                buf.push_str(w.get(i + 1..).unwrap_or(""));
                streets.extend(self.street_by_token.get(&buf).into_iter().flatten());
                streets.extend(self.street_by_deletion.get(&buf).into_iter().flatten());
            }
        }
        if streets.is_empty() {
            let districts = parsed
                .postcodes
                .iter()
                .filter_map(|p| p.split(' ').next())
                .chain(parsed.district.as_deref());
            for d in districts {
                for &s in self.district_streets.get(d).into_iter().flatten() {
                    let f = self.field(s);
                    let close = f.toks.iter().zip(&f.weights).any(|(t, w)| {
                        *w >= 1.0 && parsed.words.iter().any(|x| tok_sim(t, x) >= 0.8)
                    });
                    if close {
                        streets.push(s);
                    }
                }
            }
        }
        streets.sort_unstable();
        streets.dedup();
        let words = &parsed.words;
        streets.retain(|&s| street_named(self.field(s), words));
        let mut out: Vec<u32> = Vec::new();
        for s in streets {
            let Some(sl) = self.streets.get(&s) else {
                continue;
            };
            for n in &numbers {
                out.extend(sl.by_number.get(n).into_iter().flatten());
            }
            if house_by_name {
                out.extend(sl.named.iter().take(MAX_NAMED_PER_STREET));
            }
            if out.len() > MAX_POOL {
                break;
            }
        }
        if named {
            // Each word, and each two run together ("TY GWYN" for a name
            // the gazetteer holds as TYGWYN).
            let pairs = parsed.words.windows(2).map(|p| p.concat());
            let keys = parsed.words.iter().filter(useful).cloned().chain(pairs);
            for k in keys {
                if let Some(list) = self.name_by_token.get(&k) {
                    if list.len() <= MAX_NAME_LIST {
                        out.extend(list);
                    }
                }
            }
        }
        out.sort_unstable();
        out.dedup();
        out.truncate(MAX_POOL);
        out
    }

    fn decide(&self, mut tally: Tally) -> Placement {
        // Best score per property: its LPIs (alternative, Welsh,
        // historical) are one property, never rivals.
        tally
            .placeable
            .sort_by(|a, b| a.0.cmp(&b.0).then(b.1.total_cmp(&a.1)).then(b.2.cmp(&a.2)));
        tally.placeable.dedup_by_key(|p| p.0);
        let building_hit = tally.best_building();
        let mut best: Vec<(u64, f64, bool)> = tally.placeable;

        if let Some((b, score)) = building_hit {
            let top = best.iter().map(|p| p.1).fold(0.0, f64::max);
            if score >= ACCEPT && top < score {
                if let Some(building) = self.buildings.get(b as usize) {
                    if building.units >= 2 {
                        return Placement::unplaced(Unplaced::BuildingOnly {
                            building: building.shell,
                            units: building.units,
                        });
                    }
                    // A building with one flat: the text can mean only it.
                    if let Some(u) = building.only_unit {
                        best.retain(|p| p.0 != u);
                        best.push((u, score * 0.95, false));
                    }
                }
            }
        }

        best.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        let Some(&(uprn, score, exact)) = best.first().filter(|b| b.1 >= NOTHING_BELOW) else {
            return Placement::unplaced(Unplaced::NoCandidate);
        };
        let close: Vec<u64> = best
            .iter()
            .take_while(|p| p.1 >= score - MARGIN)
            .map(|p| p.0)
            .collect();
        if close.len() > 1 {
            return Placement::unplaced(Unplaced::Ambiguous { uprns: close });
        }
        if score < ACCEPT {
            return Placement::unplaced(Unplaced::TooWeak {
                best: uprn,
                score: round3(score),
            });
        }
        Placement {
            uprn: Some(uprn),
            how: if exact {
                How::Exact
            } else {
                How::Fuzzy {
                    score: round3(score),
                }
            },
            given_uprn_ignored: false,
        }
    }
}
