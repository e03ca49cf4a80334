//! How well one gazetteer LPI fits one reading of a query.
//!
//! Numbers are identity, so they are gates, not scores: a house number, a
//! range, a suffix letter or a flat that differs makes the LPI a different
//! property, however alike the rest. Everything else is evidence that the
//! LPI is on the street and in the place the text says, and is scored:
//!
//! score = prior x unit x building name x street x postcode x place x leftovers
//!
//! - street: 0.3 + 0.7 x how much of the street's name the text holds (its
//!   type counts half; a type that is missing rather than different counts
//!   most of that half). A text with no street at all (a named house and a
//!   village, or a number and a postcode) scores 0.8, or 0.9 with the
//!   LPI's locality or town.
//! - postcode: 1 when equal; 0.92 for the same sector, 0.88 district, 0.84
//!   area, 0.8 otherwise (mistyped and recoded postcodes are common, a
//!   postcode never outweighs the street); 0.9 when either side has none.
//! - place: a locality or town of the LPI the text leaves out costs 1%;
//!   a place name in the text that is another of the gazetteer's
//!   localities, where the LPI has a locality (or another town, where it
//!   has a town), costs 12%; any other word nothing explains costs 3% (a
//!   locality the LLPG leaves blank, a house name it lacks, a business
//!   name), at most 15% in all. Counties and countries cost nothing.

use std::collections::HashMap;

use crate::gazetteer::{Entry, Field, Gazetteer, LOCALITY, TOWN};
use crate::parse::{Hypothesis, PaoNum, Parsed, Unit};
use crate::text::{is_stop, is_street_type, is_welsh_street_type, tok_sim, MAX_TOKENS};

/// A field counts as present in the text when this share of its weight is.
const FOUND: f64 = 0.75;
/// The text names a flat or unit the gazetteer does not have at a property
/// with no flats: leaves it below `ACCEPT`, since it may be a flat the
/// gazetteer does not know yet, or another building.
const UNIT_NOT_IN_GAZETTEER: f64 = 0.7;
/// An LPI with a building name and a number, the text giving the number only.
const NAME_MISSING: f64 = 0.97;
/// An LPI with a building name and a number, the text giving the name only.
const NUMBER_LEFT_OFF: f64 = 0.95;
const PLACE_MISSING: f64 = 0.99;
const LEFTOVER: f64 = 0.97;
const LEFTOVER_FLOOR: f64 = 0.85;
const CONFLICT: f64 = 0.88;
/// A field's word found away from its neighbours counts half.
const APART: f64 = 0.5;

/// An LPI's fit to a query.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Scored {
    pub score: f64,
    /// Every part the LPI has was given and agrees exactly, the postcode
    /// too, and nothing in the text is left unexplained.
    pub exact: bool,
    /// The LPI is a flat and the text names no flat: a fit for its
    /// building, not for it.
    pub unit_missing: bool,
}

#[derive(Debug, Clone, Copy)]
struct Align {
    got: f64,
    mask: u64,
    exact: bool,
    type_unmatched: bool,
}

fn bit(i: usize) -> u64 {
    1u64 << i
}

/// Aligns a field's words with the query's words, in order, each word used
/// once. `block` holds words another field already explains.
fn align(field: &Field, words: &[String], block: u64) -> Align {
    let n = words.len();
    let mut used = block;
    let mut pos = 0usize;
    let mut got = 0.0;
    let mut exact = true;
    let mut type_unmatched = false;
    let mut last: Option<usize> = None;
    let mut j = 0;
    while j < field.toks.len() {
        let t = &field.toks[j];
        let w = field.weights[j];
        // The best word, looking first after the last one matched: "OAK
        // COURT, OAK ROAD" has two OAKs and the street's is the second.
        let mut best = (0.0, 0usize);
        for k in (pos..n).chain(0..pos.min(n)) {
            if used & bit(k) != 0 {
                continue;
            }
            let s = tok_sim(t, &words[k]);
            if s > best.0 {
                best = (s, k);
                if s >= 1.0 {
                    break;
                }
            }
        }
        if best.0 >= 0.8 {
            let k = best.1;
            // A field's words stand together: "OAK ... ROAD" with other
            // words between ("OAK COURT, MOSELEY ROAD") is not OAK ROAD.
            let apart = last.is_some_and(|p| k <= p || (p + 1..k).any(|x| used & bit(x) == 0));
            let sim = if apart { best.0 * APART } else { best.0 };
            got += w * sim;
            used |= bit(k);
            pos = k + 1;
            last = Some(k);
            exact &= sim >= 1.0;
            j += 1;
            continue;
        }
        exact = false;
        // A word split in the text ("BLACK BERRY LANE" for BLACKBERRY).
        let split = (0..n.saturating_sub(1)).find(|&k| {
            used & (bit(k) | bit(k + 1)) == 0
                && words[k].len() + words[k + 1].len() == t.len()
                && t.starts_with(words[k].as_str())
                && t.ends_with(words[k + 1].as_str())
        });
        if let Some(k) = split {
            got += w * 0.95;
            used |= bit(k) | bit(k + 1);
            pos = k + 2;
            last = Some(k + 1);
            j += 1;
            continue;
        }
        // Two words run together in the text ("BLACKBERRY" for BLACK BERRY).
        if let Some(next) = field.toks.get(j + 1) {
            let joined = (0..n).find(|&k| {
                let wk = &words[k];
                used & bit(k) == 0
                    && wk.len() == t.len() + next.len()
                    && wk.starts_with(t.as_str())
                    && wk.ends_with(next.as_str())
            });
            if let Some(k) = joined {
                got += (w + field.weights[j + 1]) * 0.95;
                used |= bit(k);
                pos = k + 1;
                last = Some(k);
                j += 2;
                continue;
            }
        }
        if field.type_at == Some(j) {
            type_unmatched = true;
        }
        j += 1;
    }
    Align {
        got,
        mask: used & !block,
        exact,
        type_unmatched,
    }
}

/// Whether two secondary objects are the same flat, and how surely.
fn unit_match(given: &Unit, gaz: &Unit) -> Option<f64> {
    let floors_agree = match (given.floor, gaz.floor) {
        (Some(a), Some(b)) => a == b,
        _ => true,
    };
    match (&given.id, &gaz.id) {
        // Flat 3 is flat 3 whether the council calls it a flat, an
        // apartment or a unit; flat 3 is never flat 4 or flat A.
        (Some(a), Some(b)) => {
            (a == b && floors_agree && (given.end.is_none() || given.end == gaz.end)).then_some(1.0)
        }
        // "FLAT 3" against a gazetteer's "GROUND FLOOR FLAT": perhaps the
        // same, but nothing says so.
        (Some(_), None) => None,
        // "GROUND FLOOR FLAT" against "FLAT 1, GROUND FLOOR": the floor
        // agrees, the number is not given.
        (None, Some(_)) => match (given.floor, gaz.floor) {
            (Some(a), Some(b)) if a == b => Some(0.95),
            _ => None,
        },
        (None, None) => match (given.floor, gaz.floor) {
            (Some(a), Some(b)) => (a == b).then_some(1.0),
            (None, None) => (given.kind == gaz.kind).then_some(1.0),
            _ => None,
        },
    }
}

/// Whether the given number is the LPI's. A range's start alone ("12 OAK
/// ROAD" for "12-14 OAK ROAD") is a slight doubt; nothing else is allowed.
fn pao_match(given: PaoNum, gaz: PaoNum) -> Option<f64> {
    if given == gaz {
        return Some(1.0);
    }
    (given.end.is_none()
        && gaz.end.is_some()
        && given.start == gaz.start
        && given.suffix == gaz.suffix)
        .then_some(0.9)
}

/// A postcode's outward code ("B27").
fn outward(pc: &str) -> &str {
    pc.split(' ').next().unwrap_or(pc)
}

/// The postcode's area: the outward code's leading letters ("B", "SY").
fn area(pc: &str) -> &str {
    let o = outward(pc);
    let end = o.find(|c: char| c.is_ascii_digit()).unwrap_or(o.len());
    o.get(..end).unwrap_or(o)
}

/// Postcode sector: outward code and the inward code's digit ("B27 6").
fn sector(pc: &str) -> &str {
    pc.get(..pc.len().saturating_sub(2)).unwrap_or(pc)
}

fn postcode_factor(given: &str, gaz: &str) -> f64 {
    if given == gaz {
        1.0
    } else if sector(given) == sector(gaz) {
        0.92
    } else if outward(given) == outward(gaz) {
        0.88
    } else if area(given) == area(gaz) {
        0.84
    } else {
        0.8
    }
}

/// One query, prepared for scoring against many LPIs.
pub(crate) struct Ctx<'g> {
    g: &'g Gazetteer,
    pub parsed: Parsed,
    /// Words that cost something when nothing explains them (not THE, not
    /// a county).
    counted: u64,
    /// Street-type words in the text.
    types: u64,
    /// Where the text names a locality or town of the gazetteer.
    places: Vec<(u64, u32)>,
    memo: HashMap<(u32, u64), Align>,
}

impl<'g> Ctx<'g> {
    pub fn new(g: &'g Gazetteer, mut parsed: Parsed) -> Ctx<'g> {
        parsed.words.truncate(MAX_TOKENS);
        let words = &parsed.words;
        let n = words.len();
        let starts_with = |i: usize, p: &[String]| words.get(i..i + p.len()) == Some(p);
        let mut noise = 0u64;
        let mut places = Vec::new();
        let mut types = 0u64;
        for (i, w) in words.iter().enumerate() {
            for p in g.noise_by_first.get(w).into_iter().flatten() {
                if starts_with(i, p) {
                    noise |= (i..i + p.len()).fold(0, |m, k| m | bit(k));
                }
            }
            for &f in g.place_by_first.get(w).into_iter().flatten() {
                let toks = &g.field(f).toks;
                if starts_with(i, toks) {
                    places.push(((i..i + toks.len()).fold(0, |m, k| m | bit(k)), f));
                }
            }
            if is_street_type(w) || is_welsh_street_type(w) {
                types |= bit(i);
            }
            if is_stop(w) {
                noise |= bit(i);
            }
        }
        let all = if n >= 64 { u64::MAX } else { bit(n) - 1 };
        Ctx {
            g,
            counted: all & !noise,
            types,
            places: places
                .into_iter()
                .filter(|(m, _)| m & noise != *m)
                .collect(),
            memo: HashMap::new(),
            parsed,
        }
    }

    fn align(&mut self, field: u32, block: u64) -> Align {
        let (g, words) = (self.g, &self.parsed.words);
        *self
            .memo
            .entry((field, block))
            .or_insert_with(|| align(g.field(field), words, block))
    }

    fn share(&self, field: u32, a: &Align) -> f64 {
        let total = self.g.field(field).total;
        if total > 0.0 {
            a.got / total
        } else {
            0.0
        }
    }

    /// The fit of LPI `e` to reading `h`, or `None` when a number or flat
    /// disagrees (a different property).
    pub fn score(&mut self, e: &Entry, h: &Hypothesis) -> Option<Scored> {
        let mut mask = 0u64;
        let mut exact = h.prior >= 1.0;
        let mut factor = h.prior;
        let mut unit_missing = false;

        match (&h.unit, &e.unit) {
            (None, None) => {}
            (Some(_), None) => {
                // A flat is never placed on the shell of its building.
                if e.shell {
                    return None;
                }
                factor *= UNIT_NOT_IN_GAZETTEER;
                exact = false;
            }
            (None, Some(u)) => {
                // A unit known only by words ("THE ANNEXE", "STABLE
                // BLOCK") is given when the words are.
                let found = match (u.descriptor, &u.id, u.floor) {
                    (Some(d), None, None) => {
                        let a = self.align(d, 0);
                        (self.share(d, &a) >= FOUND).then_some(a)
                    }
                    _ => None,
                };
                match found {
                    Some(a) => {
                        mask |= a.mask;
                        exact &= a.exact;
                    }
                    None => {
                        unit_missing = true;
                        exact = false;
                    }
                }
            }
            (Some(given), Some(gaz)) => {
                let f = unit_match(given, gaz)?;
                exact &= f >= 1.0;
                factor *= f;
                if let (Some(d), None, None) = (gaz.descriptor, &given.id, given.floor) {
                    let a = self.align(d, 0);
                    if self.share(d, &a) < FOUND {
                        return None;
                    }
                    mask |= a.mask;
                    exact &= a.exact;
                }
            }
        }

        let named = match (h.pao, e.pao) {
            (Some(given), Some(gaz)) => {
                let f = pao_match(given, gaz)?;
                exact &= f >= 1.0;
                factor *= f;
                false
            }
            (None, None) => true,
            // "OAK COURT, MOSELEY ROAD" for OAK COURT, 5 MOSELEY ROAD: a
            // building with a name is known by it alone.
            (None, Some(_)) if e.pao_name.is_some() => {
                factor *= NUMBER_LEFT_OFF;
                exact = false;
                true
            }
            // A number the LPI does not have, or an LPI number the text
            // does not give: not this property.
            _ => return None,
        };
        match e.pao_name {
            Some(n) => {
                let a = self.align(n, mask);
                let sim = self.share(n, &a);
                if sim >= FOUND {
                    mask |= a.mask;
                    exact &= a.exact;
                    if named {
                        factor *= sim;
                    }
                } else if named {
                    return None;
                } else {
                    factor *= NAME_MISSING;
                    exact = false;
                }
            }
            None if named => return None,
            None => {}
        }

        let mut street: Option<(Align, f64)> = None;
        if let Some(s) = e.street {
            let a = self.align(s, mask);
            exact &= a.exact;
            mask |= a.mask;
            street = Some((a, self.g.field(s).total));
        }

        let mut place_found = false;
        for f in [e.locality, e.town].into_iter().flatten() {
            let a = self.align(f, mask);
            if self.share(f, &a) >= FOUND {
                mask |= a.mask;
                place_found = true;
                exact &= a.exact;
            } else {
                factor *= PLACE_MISSING;
            }
        }

        let mut leftover = self.counted & !mask;
        let mut conflicts = 0;
        // A place name of several words is one word left over.
        let mut extra_places = 0;
        for &(m, f) in &self.places {
            if m & leftover != m || Some(f) == e.locality || Some(f) == e.town {
                continue;
            }
            // Another place than the LPI's own: a contradiction when the
            // LPI has a place of that kind ("12 HIGH STREET, ASTON" for
            // Harborne's High Street); otherwise a word the gazetteer just
            // does not hold (a locality on a street the LLPG gives none).
            let roles = self.g.place_roles.get(&f).copied().unwrap_or(0);
            let differs = (roles & LOCALITY != 0 && e.locality.is_some())
                || (roles & TOWN != 0 && e.town.is_some());
            if differs {
                conflicts += 1;
            } else {
                extra_places += 1;
            }
            leftover &= !m;
        }
        let mut street_sim = 0.0;
        if let Some((a, mut total)) = street {
            let mut got = a.got;
            // A word the text runs straight into the street with is part
            // of its street name: "EAT GROVE" is not GROVE CLOSE, though
            // "ROSE COTTAGE, 3 MILL LANE" is MILL LANE.
            let first = a.mask.trailing_zeros() as usize;
            if a.mask != 0 && first > 0 && self.parsed.glued & bit(first) != 0 {
                let before = bit(first - 1);
                if leftover & before != 0 {
                    total += 1.0;
                    leftover &= !before;
                    exact = false;
                }
            }
            // A street type left off ("13 LOZELLS, B16") costs less than
            // one that differs ("13 LOZELLS ROAD" for LOZELLS CLOSE).
            if a.type_unmatched && leftover & self.types == 0 {
                got += 0.7 * crate::gazetteer::TYPE_WEIGHT;
            }
            if total > 0.0 {
                street_sim = got / total;
            }
        }
        let leftover_words = leftover.count_ones() as i32 + extra_places;
        // No street in the text at all (nothing of the LPI's street, and
        // no word left that could be another street): a named house in a
        // village, or a number and a postcode. Not a street that differs.
        let street_absent = street.is_none_or(|(a, _)| a.mask == 0) && leftover_words == 0;
        let street_term = if !street_absent {
            0.3 + 0.7 * street_sim.min(1.0)
        } else if place_found {
            0.9
        } else {
            0.8
        };

        let gaz_pc = e
            .postcode
            .map(|p| self.g.postcodes[p as usize].code.as_str());
        let pcf = match (
            gaz_pc,
            self.parsed.postcodes.as_slice(),
            &self.parsed.district,
        ) {
            (Some(gaz), [], Some(d)) if outward(gaz) == d => 0.92,
            (Some(_), [], Some(_)) => 0.85,
            (Some(gaz), given, _) if !given.is_empty() => given
                .iter()
                .map(|p| postcode_factor(p, gaz))
                .fold(0.0, f64::max),
            _ => 0.9,
        };
        exact &= pcf >= 1.0 && leftover_words == 0 && conflicts == 0;

        let score = factor
            * street_term
            * pcf
            * LEFTOVER.powi(leftover_words).max(LEFTOVER_FLOOR)
            * CONFLICT.powi(conflicts);
        Some(Scored {
            score,
            exact,
            unit_missing,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn field(toks: &[&str], type_at: Option<usize>) -> Field {
        let weights: Vec<f64> = (0..toks.len())
            .map(|i| if Some(i) == type_at { 0.5 } else { 1.0 })
            .collect();
        Field {
            toks: toks.iter().map(|t| t.to_string()).collect(),
            total: weights.iter().sum(),
            weights,
            type_at,
        }
    }

    fn words(s: &str) -> Vec<String> {
        s.split(' ').map(str::to_string).collect()
    }

    #[test]
    fn alignment_prefers_words_in_order() {
        let w = words("OAK COURT OAK ROAD");
        let building = align(&field(&["OAK", "COURT"], None), &w, 0);
        assert_eq!(building.mask, 0b0011);
        let street = align(&field(&["OAK", "ROAD"], Some(1)), &w, building.mask);
        assert_eq!(street.mask, 0b1100);
        assert!(street.exact);
    }

    #[test]
    fn words_apart_count_half() {
        let w = words("OAK COURT MOSELEY ROAD");
        let a = align(&field(&["OAK", "ROAD"], Some(1)), &w, 0);
        assert!((a.got - 1.25).abs() < 1e-9 && !a.exact);
        // Words another field explains do not part them.
        let a = align(&field(&["OAK", "ROAD"], Some(1)), &w, 0b0110);
        assert!((a.got - 1.5).abs() < 1e-9 && a.exact);
    }

    #[test]
    fn alignment_takes_slips_splits_and_joins() {
        let a = align(
            &field(&["LOZELLS", "CLOSE"], Some(1)),
            &words("LOZELS CLOSE"),
            0,
        );
        assert!((a.got - 1.4).abs() < 1e-9 && !a.exact);
        let a = align(
            &field(&["BLACKBERRY", "LANE"], Some(1)),
            &words("BLACK BERRY LANE"),
            0,
        );
        assert_eq!(a.mask, 0b111);
        let a = align(
            &field(&["BLACK", "BERRY", "LANE"], Some(2)),
            &words("BLACKBERRY LANE"),
            0,
        );
        assert_eq!(a.mask, 0b11);
        let a = align(&field(&["LOZELLS", "CLOSE"], Some(1)), &words("LOZELLS"), 0);
        assert!(a.type_unmatched);
    }

    #[test]
    fn flats_agree_only_on_the_same_number_or_floor() {
        use crate::text::{Floor, UnitKind};
        let id = |s: &str| Unit {
            id: Some(s.into()),
            ..Unit::default()
        };
        let floor = |f| Unit {
            floor: Some(f),
            kind: Some(UnitKind::Flat),
            ..Unit::default()
        };
        assert_eq!(unit_match(&id("3"), &id("3")), Some(1.0));
        assert_eq!(unit_match(&id("3"), &id("4")), None);
        assert_eq!(unit_match(&id("A"), &id("1")), None);
        assert_eq!(unit_match(&id("3"), &floor(Floor::Ground)), None);
        assert_eq!(
            unit_match(&floor(Floor::Ground), &floor(Floor::Ground)),
            Some(1.0)
        );
        assert_eq!(
            unit_match(&floor(Floor::Ground), &floor(Floor::Level(1))),
            None
        );
    }

    #[test]
    fn house_numbers_agree_exactly_or_not_at_all() {
        let n = |s, x| PaoNum::single(s, x);
        assert_eq!(pao_match(n(12, None), n(12, None)), Some(1.0));
        assert_eq!(pao_match(n(12, None), n(13, None)), None);
        assert_eq!(pao_match(n(12, Some('A')), n(12, None)), None);
        assert_eq!(pao_match(n(12, None), n(12, Some('A'))), None);
        let range = PaoNum {
            end: Some(14),
            ..n(12, None)
        };
        assert_eq!(pao_match(n(12, None), range), Some(0.9));
        assert_eq!(pao_match(range, n(12, None)), None);
    }

    #[test]
    fn postcodes_near_each_other_cost_less() {
        assert_eq!(postcode_factor("B27 6AA", "B27 6AA"), 1.0);
        assert_eq!(postcode_factor("B27 6AA", "B27 6AB"), 0.92);
        assert_eq!(postcode_factor("B27 6AA", "B27 7AA"), 0.88);
        assert_eq!(postcode_factor("B27 6AA", "B16 6AA"), 0.84);
        assert_eq!(postcode_factor("B27 6AA", "SY23 1AA"), 0.8);
        assert_eq!(sector("SY23 1DZ"), "SY23 1");
        assert_eq!(area("SY23 1DZ"), "SY");
    }
}
