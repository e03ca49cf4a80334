//! Placing every address the records hold on the council's gazetteer:
//! linkage does it before building households.

use crate::{Error, Result};
use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;
use upstream_link::households::Place;
use upstream_store::{Observation, PlacementCount, SavedPlacement, Store};

/// An address as the records hold it: standardised text, postcode, and any
/// UPRN given with it.
type AddressKey = (String, String, String);

fn key_of(o: &Observation) -> Option<AddressKey> {
    let address = o.address.clone().unwrap_or_default();
    let postcode = o.postcode.clone().unwrap_or_default();
    let uprn = o.uprn.clone().unwrap_or_default();
    if address.is_empty() && uprn.is_empty() {
        return None;
    }
    Some((address, postcode, uprn))
}

/// How many record versions were placed each way.
#[derive(Debug, Clone, Default)]
pub struct Summary {
    /// Distinct addresses and LPIs in the gazetteer (0 when none is loaded).
    pub gazetteer_lpis: i64,
    /// source -> method -> record versions.
    pub by_source: BTreeMap<String, BTreeMap<String, i64>>,
}

impl Summary {
    pub fn total(&self, method: &str) -> i64 {
        self.by_source.values().filter_map(|m| m.get(method)).sum()
    }

    pub fn all(&self) -> i64 {
        self.by_source.values().flat_map(|m| m.values()).sum()
    }
}

pub struct Placed {
    by_key: HashMap<AddressKey, Arc<Place>>,
    pub saved: Vec<SavedPlacement>,
    pub counts: Vec<PlacementCount>,
    pub summary: Summary,
}

impl Placed {
    /// Where an observation's address is, if it gives one.
    pub fn place_of(&self, o: &Observation) -> Option<Arc<Place>> {
        self.by_key.get(&key_of(o)?).cloned()
    }

    /// The UPRN an address (as a record holds it) was placed on.
    pub fn uprn_of(
        &self,
        address: &Option<String>,
        postcode: &Option<String>,
        uprn: &Option<String>,
    ) -> Option<String> {
        let key = (
            address.clone().unwrap_or_default(),
            postcode.clone().unwrap_or_default(),
            uprn.clone().unwrap_or_default(),
        );
        self.by_key.get(&key)?.uprn.clone()
    }
}

/// Place every distinct address the stored records hold on the gazetteer.
pub async fn place(store: &Store) -> Result<Placed> {
    let mut distinct: BTreeMap<AddressKey, (BTreeMap<String, i64>, i64)> = BTreeMap::new();
    for (a, p, u, source, n) in store.distinct_addresses().await? {
        let e = distinct.entry((a, p, u)).or_default();
        *e.0.entry(source).or_default() += n;
        e.1 += n;
    }
    let lpis = store.gazetteer_lpis().await?;
    let gazetteer_lpis = lpis.len() as i64;
    let results = if lpis.is_empty() {
        place_without_gazetteer(&distinct)
    } else {
        place_on_gazetteer(lpis, &distinct)?
    };
    let mut by_key = HashMap::with_capacity(distinct.len());
    let mut saved = Vec::with_capacity(distinct.len());
    let mut counts: BTreeMap<String, BTreeMap<String, i64>> = BTreeMap::new();
    for ((key, (sources, records)), result) in distinct.into_iter().zip(results) {
        for (source, n) in &sources {
            *counts
                .entry(source.clone())
                .or_default()
                .entry(result.method.to_string())
                .or_default() += n;
        }
        // A placed address reads as the gazetteer writes it, whichever way
        // the record wrote it.
        let place = match (&result.uprn, &result.canonical) {
            (Some(u), Some((line, postcode))) => {
                Place::placed(u, Some(line.clone()), postcode.clone())
            }
            (Some(u), None) => Place::placed(u, Some(key.0.clone()), Some(key.1.clone())),
            (None, _) => Place::unplaced(&key.0, &key.1),
        };
        saved.push(SavedPlacement {
            address: key.0.clone(),
            postcode: key.1.clone(),
            given_uprn: key.2.clone(),
            uprn: result.uprn.clone(),
            method: result.method.to_string(),
            score: result.score,
            reason: result.reason.clone(),
            candidates: result.candidates.clone(),
            sources: sources.keys().cloned().collect::<Vec<_>>().join(","),
            records,
        });
        by_key.insert(key, Arc::new(place));
    }
    let counts_rows = counts
        .iter()
        .flat_map(|(source, m)| {
            m.iter().map(move |(method, n)| PlacementCount {
                source: source.clone(),
                method: method.clone(),
                records: *n,
            })
        })
        .collect();
    Ok(Placed {
        by_key,
        saved,
        counts: counts_rows,
        summary: Summary {
            gazetteer_lpis,
            by_source: counts,
        },
    })
}

struct Result1 {
    uprn: Option<String>,
    /// The gazetteer's own address for the UPRN, and its postcode.
    canonical: Option<(String, Option<String>)>,
    method: &'static str,
    score: Option<f64>,
    reason: Option<String>,
    candidates: Option<String>,
}

/// Place each distinct address through the gazetteer's matcher.
fn place_on_gazetteer(
    stored: Vec<String>,
    distinct: &BTreeMap<AddressKey, (BTreeMap<String, i64>, i64)>,
) -> Result<Vec<Result1>> {
    use upstream_address::{Gazetteer, How, Lpi, Query, Unplaced};
    let mut lpis = Vec::with_capacity(stored.len());
    for json in &stored {
        let row: upstream_ingest::GazetteerRow = serde_json::from_str(json)
            .map_err(|e| Error::Damaged(format!("a gazetteer LPI: {e}")))?;
        lpis.extend(Lpi::from_row(&row));
    }
    drop(stored);
    let gazetteer = Gazetteer::build(lpis);
    let queries: Vec<Query> = distinct
        .keys()
        .map(|(a, p, u)| Query {
            address: a,
            postcode: Some(p.as_str()).filter(|p| !p.is_empty()),
            uprn: Some(u.as_str()).filter(|u| !u.is_empty()),
        })
        .collect();
    let placements = gazetteer.place_all(&queries);
    Ok(placements
        .into_iter()
        .map(|p| {
            let uprn = p.uprn.map(|u| u.to_string());
            let (method, score, reason, candidates) = match p.how {
                How::GivenUprn => ("given_uprn", None, None, None),
                How::Exact => ("exact", None, None, None),
                How::Fuzzy { score } => ("fuzzy", Some(score), None, None),
                How::Unplaced(why) => {
                    let (reason, candidates) = match why {
                        Unplaced::Empty => ("no address text".to_string(), None),
                        Unplaced::NoCandidate => {
                            ("nothing in the gazetteer looks like it".to_string(), None)
                        }
                        Unplaced::Ambiguous { uprns } => (
                            "fits more than one property equally well".to_string(),
                            Some(join(&uprns)),
                        ),
                        Unplaced::TooWeak { best, score } => (
                            format!("the best candidate fits too weakly (score {score:.2})"),
                            Some(best.to_string()),
                        ),
                        Unplaced::BuildingOnly { building, units } => (
                            format!("names a building of {units} flats without the flat"),
                            building.map(|b| b.to_string()),
                        ),
                        Unplaced::GivenUprnUnknown { given } => (
                            format!("the UPRN given ({given}) is not in the gazetteer, and the text does not place it"),
                            None,
                        ),
                    };
                    ("unplaced", None, Some(reason), candidates)
                }
            };
            Result1 {
                canonical: p.uprn.and_then(|u| gazetteer.address_of(u)),
                uprn,
                method,
                score,
                reason,
                candidates,
            }
        })
        .collect())
}

fn join(uprns: &[u64]) -> String {
    uprns
        .iter()
        .map(|u| u.to_string())
        .collect::<Vec<_>>()
        .join(" ")
}

/// Without a gazetteer, an address is placed only by a UPRN given with it,
/// or given with the same text and postcode on another record.
fn place_without_gazetteer(
    distinct: &BTreeMap<AddressKey, (BTreeMap<String, i64>, i64)>,
) -> Vec<Result1> {
    let mut uprn_of_line: HashMap<(&str, &str), &str> = HashMap::new();
    for (a, p, u) in distinct.keys() {
        if !u.is_empty() && !a.is_empty() {
            uprn_of_line.entry((a, p)).or_insert(u);
        }
    }
    distinct
        .keys()
        .map(|(a, p, u)| {
            if !u.is_empty() {
                Result1 {
                    canonical: None,
                    uprn: Some(u.clone()),
                    method: "given_uprn",
                    score: None,
                    reason: None,
                    candidates: None,
                }
            } else if let Some(u) = uprn_of_line.get(&(a.as_str(), p.as_str())) {
                Result1 {
                    canonical: None,
                    uprn: Some(u.to_string()),
                    method: "exact",
                    score: None,
                    reason: None,
                    candidates: None,
                }
            } else {
                Result1 {
                    canonical: None,
                    uprn: None,
                    method: "unplaced",
                    score: None,
                    reason: Some("no gazetteer is loaded".into()),
                    candidates: None,
                }
            }
        })
        .collect()
}
