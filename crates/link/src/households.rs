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

#[cfg(test)]
mod tests {
    use super::*;

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
