//! Addresses, residence periods and households from linked records.
//! An address is its UPRN when any record of it gives one, otherwise its
//! standardised line and postcode. A residence is the span of dates on which
//! a person's records place them at an address. A household is the people
//! whose residences at one address overlap in time.

use chrono::NaiveDate;
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// One observation: a person placed at an address on a date.
#[derive(Debug, Clone)]
pub struct Sighting {
    pub person: i64,
    pub source: String,
    pub date: NaiveDate,
    pub uprn: Option<String>,
    pub address: Option<String>,
    pub postcode: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Address {
    pub id: i64,
    pub key: String,
    pub uprn: Option<String>,
    pub address: Option<String>,
    pub postcode: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Residence {
    pub person: i64,
    pub address: i64,
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub sources: BTreeSet<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Household {
    pub id: i64,
    pub address: i64,
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub current: bool,
    pub members: Vec<i64>,
}

pub struct SingleView {
    pub addresses: Vec<Address>,
    pub residences: Vec<Residence>,
    pub households: Vec<Household>,
}

fn line_key(address: &str, postcode: &str) -> String {
    format!("{address}|{postcode}")
}

pub fn build(sightings: &[Sighting]) -> SingleView {
    // Which UPRN a line+postcode is known by, from any record that gives both.
    let mut uprn_of_line: HashMap<String, String> = HashMap::new();
    for s in sightings {
        if let (Some(u), Some(a), Some(p)) = (&s.uprn, &s.address, &s.postcode) {
            uprn_of_line
                .entry(line_key(a, p))
                .or_insert_with(|| u.clone());
        }
    }
    let mut addresses: BTreeMap<String, Address> = BTreeMap::new();
    let mut spans: BTreeMap<(i64, String), Residence> = BTreeMap::new();
    let mut latest = NaiveDate::MIN;
    for s in sightings {
        let line = match (&s.address, &s.postcode) {
            (Some(a), Some(p)) => Some(line_key(a, p)),
            _ => None,
        };
        let key = match (&s.uprn, &line) {
            (Some(u), _) => format!("uprn:{u}"),
            (None, Some(l)) => match uprn_of_line.get(l) {
                Some(u) => format!("uprn:{u}"),
                None => format!("line:{l}"),
            },
            (None, None) => continue,
        };
        latest = latest.max(s.date);
        let next_id = addresses.len() as i64 + 1;
        let a = addresses.entry(key.clone()).or_insert_with(|| Address {
            id: next_id,
            key: key.clone(),
            uprn: key.strip_prefix("uprn:").map(String::from),
            address: s.address.clone(),
            postcode: s.postcode.clone(),
        });
        let address = a.id;
        let r = spans.entry((s.person, key)).or_insert_with(|| Residence {
            person: s.person,
            address,
            from: s.date,
            to: s.date,
            sources: BTreeSet::new(),
        });
        r.from = r.from.min(s.date);
        r.to = r.to.max(s.date);
        r.sources.insert(s.source.clone());
    }
    let residences: Vec<Residence> = spans.into_values().collect();
    // Households: at each address, sweep residences by start date, joining
    // those that overlap the household's span so far.
    let mut by_address: BTreeMap<i64, Vec<&Residence>> = BTreeMap::new();
    for r in &residences {
        by_address.entry(r.address).or_default().push(r);
    }
    let mut households = Vec::new();
    for (address, mut rs) in by_address {
        rs.sort_by_key(|r| (r.from, r.to, r.person));
        let mut current: Option<Household> = None;
        for r in rs {
            match &mut current {
                Some(h) if r.from <= h.to => {
                    h.to = h.to.max(r.to);
                    if !h.members.contains(&r.person) {
                        h.members.push(r.person);
                    }
                }
                _ => {
                    if let Some(h) = current.take() {
                        households.push(h);
                    }
                    current = Some(Household {
                        id: 0,
                        address,
                        from: r.from,
                        to: r.to,
                        current: false,
                        members: vec![r.person],
                    });
                }
            }
        }
        households.extend(current);
    }
    for (i, h) in households.iter_mut().enumerate() {
        h.id = i as i64 + 1;
        h.current = h.to == latest;
        h.members.sort_unstable();
    }
    SingleView {
        addresses: addresses.into_values().collect(),
        residences,
        households,
    }
}

/// A household as an earlier run saved it.
#[derive(Debug, Clone)]
pub struct PreviousHousehold {
    pub id: i64,
    pub address_key: String,
    pub members: Vec<i64>,
}

/// Give each household the id it had in the previous run, so a worklist
/// entry or a case keeps pointing at the same household: the previous
/// household at the same address sharing most members (each id used once).
/// Others get new ids from `first_free` up (the caller knows every id ever
/// given, including those of households that have since gone).
pub fn inherit_household_ids(
    view: &mut SingleView,
    previous: &[PreviousHousehold],
    first_free: i64,
) {
    let key_of: HashMap<i64, &str> = view
        .addresses
        .iter()
        .map(|a| (a.id, a.key.as_str()))
        .collect();
    let mut at: HashMap<&str, Vec<&PreviousHousehold>> = HashMap::new();
    for p in previous {
        at.entry(p.address_key.as_str()).or_default().push(p);
    }
    let mut next = first_free.max(previous.iter().map(|p| p.id).max().unwrap_or(0) + 1);
    let mut used: BTreeSet<i64> = BTreeSet::new();
    for h in &mut view.households {
        let candidates = key_of.get(&h.address).and_then(|k| at.get(k));
        let best = candidates.and_then(|cs| {
            cs.iter()
                .filter(|p| !used.contains(&p.id))
                .map(|p| {
                    let shared = p.members.iter().filter(|m| h.members.contains(m)).count();
                    (shared, std::cmp::Reverse(p.id))
                })
                .filter(|(shared, _)| *shared > 0)
                .max()
                .map(|(_, std::cmp::Reverse(id))| id)
        });
        h.id = match best {
            Some(id) => id,
            None => {
                next += 1;
                next - 1
            }
        };
        used.insert(h.id);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn households_keep_their_ids_across_runs() {
        let first = build(&[
            seen(1, 1, Some("10"), "1 OAK ROAD"),
            seen(2, 1, Some("10"), "1 OAK ROAD"),
            seen(3, 1, Some("20"), "2 OAK ROAD"),
        ]);
        let previous: Vec<PreviousHousehold> = first
            .households
            .iter()
            .map(|h| PreviousHousehold {
                id: h.id + 100,
                address_key: first
                    .addresses
                    .iter()
                    .find(|a| a.id == h.address)
                    .unwrap()
                    .key
                    .clone(),
                members: h.members.clone(),
            })
            .collect();
        // Next month someone new appears at a third address first in order,
        // which shifts every freshly numbered id.
        let mut second = build(&[
            seen(9, 2, Some("05"), "0 ASH ROAD"),
            seen(1, 2, Some("10"), "1 OAK ROAD"),
            seen(3, 2, Some("20"), "2 OAK ROAD"),
        ]);
        inherit_household_ids(&mut second, &previous, 1);
        let id_of = |v: &SingleView, person: i64| {
            v.households
                .iter()
                .find(|h| h.members.contains(&person))
                .unwrap()
                .id
        };
        let was = |person: i64| {
            previous
                .iter()
                .find(|p| p.members.contains(&person))
                .unwrap()
                .id
        };
        assert_eq!(id_of(&second, 1), was(1));
        assert_eq!(id_of(&second, 3), was(3));
        assert!(id_of(&second, 9) > previous.iter().map(|p| p.id).max().unwrap());
    }

    fn seen(person: i64, month: u32, uprn: Option<&str>, line: &str) -> Sighting {
        Sighting {
            person,
            source: "council_tax".into(),
            date: NaiveDate::from_ymd_opt(2024, month, 1).unwrap(),
            uprn: uprn.map(String::from),
            address: Some(line.into()),
            postcode: Some("B1 1AA".into()),
        }
    }

    #[test]
    fn people_at_one_address_at_one_time_are_a_household() {
        let s = vec![
            seen(1, 1, Some("10"), "1 OAK ROAD"),
            seen(1, 6, None, "1 OAK ROAD"),
            seen(2, 3, None, "1 OAK ROAD"),
            // Person 1 moves to 2 Oak Road in July.
            seen(1, 7, Some("20"), "2 OAK ROAD"),
            seen(1, 12, Some("20"), "2 OAK ROAD"),
            // Later, someone else at 1 Oak Road, after person 2 left.
            seen(3, 12, Some("10"), "1 OAK ROAD"),
        ];
        let v = build(&s);
        assert_eq!(
            v.addresses.len(),
            2,
            "the line without a UPRN resolves to it"
        );
        let r1: Vec<_> = v.residences.iter().filter(|r| r.person == 1).collect();
        assert_eq!(r1.len(), 2);
        let oak1 = v.addresses.iter().find(|a| a.key == "uprn:10").unwrap().id;
        let hs: Vec<_> = v.households.iter().filter(|h| h.address == oak1).collect();
        assert_eq!(hs.len(), 2);
        assert_eq!(hs[0].members, vec![1, 2]);
        assert!(!hs[0].current);
        assert_eq!(hs[1].members, vec![3]);
        assert!(hs[1].current);
    }
}
