//! `upstream bench letters`: a campaign's letters to print at a city's
//! scale. Made-up households (names, UK addresses and postcodes drawn from
//! short lists by a seeded generator; one in five bilingual, as a Welsh
//! council's would be) are filled in from a letter template by the
//! outreach crate, exactly as a campaign's day fills them, and written as
//! one PDF by the letters crate, a letter at a time, as a batch is printed.
//! No database: this times the filling in and the PDF, which is what grows
//! with the batch.

use anyhow::{Context, Result};
use chrono::NaiveDate;
use rand::{Rng, SeedableRng};
use std::collections::BTreeMap;
use std::io::BufWriter;
use std::path::PathBuf;
use std::time::Instant;
use upstream_core::Nation;
use upstream_letters::batch::{BatchWriter, OutreachLetter, Sender};
use upstream_outreach::{self as outreach, Channel, Language, Template};
use upstream_pipeline::campaigns::TEMPLATE_FIELDS;
use upstream_pipeline::letter_batch::{address_lines, letter_parts};

/// The target from the outreach issue: 50,000 letters in under 2 minutes.
const TARGET_SECONDS: f64 = 120.0;

const SUBJECT: &str = "Help with money this winter";
const BODY: &str = "Dear ((full_name)),

We are writing to everyone on ((address)) and nearby streets because this winter is likely to be hard for many households in the area. Prices are still rising, and many people who have never needed help before are finding it difficult to keep up with rent, council tax and energy bills.

You may be able to get help that you are not getting now. Last year one in three households we spoke to were missing out on money they were entitled to, such as Council Tax Reduction, Pension Credit or help with the cost of heating their home.

# What we can do

* check which benefits and discounts you could get, and help you apply
* talk to your landlord or energy supplier with you if you are behind
* put you in touch with local groups who can help straight away

# What to do next

Call the ((team)) on 0121 496 0000, Monday to Friday, 9am to 5pm, or come to any library and ask for us. It is free, and it does not matter whether you rent or own your home. If you would rather we called you, reply to this letter with a good time to ring.

Yours sincerely,
The ((team))
((council_name))";

const SUBJECT_CY: &str = "Help gydag arian y gaeaf hwn";
const BODY_CY: &str = "Annwyl ((full_name)),

Rydym yn ysgrifennu at bawb ar ((address)) a'r strydoedd cyfagos oherwydd bod y gaeaf hwn yn debygol o fod yn anodd i lawer o aelwydydd yn yr ardal. Mae prisiau'n dal i godi, ac mae llawer o bobl nad ydynt erioed wedi gofyn am help o'r blaen yn ei chael hi'n anodd talu rhent, treth gyngor a biliau ynni.

Efallai y gallwch gael help nad ydych yn ei gael nawr. Y llynedd, roedd un o bob tair aelwyd y buom yn siarad â hwy yn colli arian yr oedd ganddynt hawl iddo.

# Beth allwn ni ei wneud

* gwirio pa fudd-daliadau a gostyngiadau y gallech eu cael, a'ch helpu i wneud cais
* siarad â'ch landlord neu'ch cyflenwr ynni gyda chi os ydych ar ei hôl hi
* eich rhoi mewn cysylltiad â grwpiau lleol a all helpu ar unwaith

# Beth i'w wneud nesaf

Ffoniwch ((team)) ar 0121 496 0000, dydd Llun i ddydd Gwener, 9am tan 5pm, neu dewch i unrhyw lyfrgell a gofyn amdanom. Mae am ddim.

Yn gywir,
((team))
((council_name))";

const FIRST: &[&str] = &[
    "Olivia",
    "Amelia",
    "Isla",
    "Ava",
    "Muhammad",
    "Noah",
    "Oliver",
    "George",
    "Leo",
    "Freya",
    "Aisha",
    "Priya",
    "Siân",
    "Dafydd",
    "Gwenllian",
    "Rhys",
    "Chloe",
    "Jack",
    "Zofia",
    "Kwame",
];
const LAST: &[&str] = &[
    "Smith",
    "Jones",
    "Williams",
    "Taylor",
    "Brown",
    "Davies",
    "Evans",
    "Khan",
    "Patel",
    "Ali",
    "Thomas",
    "Roberts",
    "Wilson",
    "O'Neill",
    "Hughes",
    "Nowak",
    "Okafor",
    "Ap Gruffydd",
    "Begum",
    "Clarke",
];
const STREETS: &[&str] = &[
    "High Street",
    "Station Road",
    "Church Lane",
    "Victoria Road",
    "Green Lane",
    "Manor Road",
    "Park Avenue",
    "Heol y Bont",
    "Stratford Road",
    "Coventry Road",
    "Alum Rock Road",
    "Ffordd yr Eglwys",
    "Queen's Drive",
    "Mill Lane",
    "Sandwell Rise",
    "Kings Heath Road",
];
const BUILDINGS: &[&str] = &[
    "Marlborough Court",
    "Jubilee House",
    "Tŷ Gwyn",
    "Elm Tree Mansions",
];
const LOCALITIES: &[&str] = &[
    "Sparkhill",
    "Northfield",
    "Erdington",
    "Small Heath",
    "Kings Heath",
    "Acocks Green",
    "Treforest",
];
const TOWNS: &[&str] = &["Birmingham", "Pontypridd", "Solihull"];
const AREAS: &[&str] = &["B", "CF", "B", "SA", "B", "LL", "B"];
const INWARD_LETTERS: &[u8] = b"ABDEFGHJLNPQRSTUWXYZ";

/// One made-up household's values for the template's fields.
fn household(rng: &mut rand::rngs::StdRng) -> BTreeMap<String, String> {
    let pick =
        |rng: &mut rand::rngs::StdRng, xs: &[&str]| xs[rng.random_range(0..xs.len())].to_string();
    let first = pick(rng, FIRST);
    let last = pick(rng, LAST);
    let street = format!("{} {}", rng.random_range(1..240), pick(rng, STREETS));
    let mut parts = Vec::new();
    if rng.random_bool(0.25) {
        parts.push(format!("Flat {}", rng.random_range(1..40)));
        if rng.random_bool(0.5) {
            parts.push(pick(rng, BUILDINGS));
        }
    }
    parts.push(street);
    if rng.random_bool(0.6) {
        parts.push(pick(rng, LOCALITIES));
    }
    parts.push(pick(rng, TOWNS));
    let inward = |rng: &mut rand::rngs::StdRng| {
        INWARD_LETTERS[rng.random_range(0..INWARD_LETTERS.len())] as char
    };
    let postcode = format!(
        "{}{} {}{}{}",
        pick(rng, AREAS),
        rng.random_range(1..40),
        rng.random_range(0..10),
        inward(rng),
        inward(rng)
    );
    let mut v = BTreeMap::new();
    v.insert("first_name".into(), first.clone());
    v.insert("last_name".into(), last.clone());
    v.insert("full_name".into(), format!("{first} {last}"));
    v.insert("address".into(), parts.join(", "));
    v.insert("postcode".into(), postcode);
    v.insert("council_name".into(), "Brumford City Council".into());
    v.insert("team".into(), "Prevention team".into());
    v
}

pub fn letters(count: usize, seed: u64, out: Option<PathBuf>) -> Result<()> {
    let keep = out.is_some();
    let dir = std::env::temp_dir().join(format!("upstream-bench-letters-{}", std::process::id()));
    let path = match out {
        Some(p) => p,
        None => {
            std::fs::create_dir_all(&dir)
                .with_context(|| format!("could not make {}", dir.display()))?;
            dir.join("letters.pdf")
        }
    };
    let template = outreach::check(
        &Template {
            channel: Channel::Letter,
            subject: Some(SUBJECT.into()),
            body: BODY.into(),
            welsh_subject: Some(SUBJECT_CY.into()),
            welsh_body: Some(BODY_CY.into()),
        },
        TEMPLATE_FIELDS,
        Nation::Wales,
    )
    .map_err(|p| anyhow::anyhow!("the bench's template: {p:?}"))?;
    let file = std::fs::File::create(&path)
        .with_context(|| format!("could not write {}", path.display()))?;
    let date = NaiveDate::from_ymd_opt(2026, 3, 4).context("a date")?;
    let sender = Sender {
        name: "Brumford City Council".into(),
        lines: vec![
            "Prevention team".into(),
            "Council House, Victoria Square".into(),
            "Brumford B1 1BB".into(),
        ],
    };
    let mut rng = rand::rngs::StdRng::seed_from_u64(seed);
    let bar = crate::progress::count_bar("Writing letters", count as u64);
    let started = Instant::now();
    let mut writer = BatchWriter::new(
        BufWriter::with_capacity(1 << 20, file),
        sender,
        date,
        "Bench: letters to print",
        "en-GB",
    )?;
    let (mut bilingual, mut refused) = (0, 0);
    for i in 0..count {
        let values = household(&mut rng);
        // One in five bilingual, Welsh first, as a Welsh council's are.
        let welsh = i % 5 == 0;
        let rendered = if welsh {
            outreach::render_bilingual(&template, &values)
        } else {
            outreach::render(&template, Language::English, &values)
        }
        .map_err(|e| anyhow::anyhow!("filling in letter {i}: {e}"))?;
        let recipient = [
            &values["full_name"],
            &values["address"],
            &values["postcode"],
        ]
        .map(String::as_str)
        .join("\n");
        let letter = OutreachLetter {
            reference: format!("c1-0000beef-s1-h{}", 100_000 + i),
            household_id: 100_000 + i as i64,
            address: address_lines(&recipient),
            parts: letter_parts(
                if welsh { "cy+en" } else { "en" },
                rendered.subject.as_deref().unwrap_or(""),
                &rendered.body,
            ),
        };
        match writer.add(&letter) {
            Ok(_) => {}
            Err(upstream_letters::Error::Refused(_)) => refused += 1,
            Err(e) => return Err(e.into()),
        }
        bilingual += usize::from(welsh);
        if i % 256 == 0 {
            bar.set_position(i as u64);
        }
    }
    let (w, summary) = writer.finish()?;
    w.into_inner()
        .map_err(|e| anyhow::anyhow!("could not write {}: {}", path.display(), e.error()))?
        .sync_all()
        .with_context(|| format!("could not write {}", path.display()))?;
    let seconds = started.elapsed().as_secs_f64();
    bar.finish_and_clear();
    let peak = crate::bench::peak_memory_mib();
    println!("bench letters: {count} letters ({bilingual} bilingual, Welsh first), seed {seed}");
    println!("  wall time      {seconds:>10.1} s   (target under {TARGET_SECONDS:.0} s)");
    println!(
        "  letters/s      {:>10.0}",
        summary.letters as f64 / seconds.max(1e-9)
    );
    println!("  pages          {:>10}", summary.pages);
    println!(
        "  file size      {:>10.1} MB ({:.1} KB a letter)",
        summary.bytes as f64 / 1e6,
        summary.bytes as f64 / 1e3 / summary.letters.max(1) as f64
    );
    match peak {
        Some(m) => println!("  peak memory    {m:>10.0} MiB"),
        None => println!("  peak memory    not available on this platform"),
    }
    if refused > 0 {
        println!("  refused        {refused:>10} (address would not fit the window)");
    }
    println!(
        "  cores          {:>10}",
        std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(1)
    );
    println!(
        "  result         {}",
        if seconds < TARGET_SECONDS {
            "target met"
        } else {
            "TARGET MISSED"
        }
    );
    if keep {
        println!("  written to     {}", path.display());
    } else {
        let _ = std::fs::remove_dir_all(&dir);
    }
    Ok(())
}
