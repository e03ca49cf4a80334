//! Writes one built-in letter, filled in with made-up details, to a file:
//! `cargo run -p upstream-letters --example letter -- s66_prevention_duty out.pdf`.

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let code = args.next().unwrap_or_else(|| "s195_prevention_duty".into());
    let out = args.next().unwrap_or_else(|| "letter.pdf".into());
    let lib = upstream_letters::Library::built_in()?;
    let t = lib.get(&code).ok_or(format!("no letter called {code}"))?;
    let today = chrono::Local::now().date_naive();
    let fields = upstream_letters::Fields {
        name: "Jo Bloggs".into(),
        address: vec![
            "12 Acacia Avenue".into(),
            "Brumford".into(),
            "B1 1AA".into(),
        ],
        date: today,
        council: "Brumford City Council".into(),
        case: "Case 17".into(),
        duty_start: Some(today),
        duty_end: None,
        connector: "Casey Morgan".into(),
        details:
            "You told us your landlord has given you notice to leave by the end of next month."
                .into(),
        details_cy: String::new(),
        plan: vec!["Apply for a discretionary housing payment (Jo, by the end of the week)".into()],
    };
    std::fs::write(
        &out,
        upstream_letters::pdf::write(&upstream_letters::render(t, &fields))?,
    )?;
    println!("wrote {out}");
    Ok(())
}
