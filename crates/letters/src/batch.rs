//! Letters to print: one PDF holding a batch of outreach letters, one
//! letter per household, each starting on a new page with its own "Page i
//! of n", the recipient's name and address where a window envelope shows
//! it, the council's name at the top right.
//!
//! Written as it goes: each letter is laid out and its pages written before
//! the next is read, and the font is embedded once, at the end, cut down to
//! the glyphs the whole batch used (PDF objects may come in any order; the
//! pages name the font by a reference fixed at the start). So memory holds
//! one letter, the glyphs used and eight bytes per PDF object, whatever the
//! size of the batch, and the file holds one copy of the font.

use crate::pdf::{deflate, font_objects, wrap, Block, FontRefs, Placed, Typeface, PAGE_H, PAGE_W};
use crate::{english_date, welsh_date, Error};
use chrono::NaiveDate;
use pdf_writer::writers::{Catalog, DocumentInfo};
use pdf_writer::{Chunk, Content, Filter, Finish, Name, Rect, Ref, Str, TextStr};
use std::collections::BTreeMap;
use std::io::Write;

/// Points in a millimetre.
pub const MM: f32 = 72.0 / 25.4;

// Where GOV.UK Notify (and the window envelopes its printer and Royal Mail
// use) expect things on the first page, in millimetres from the page's top
// left corner. From Notify's own letter checks, `app/precompiled.py` in
// alphagov/notifications-template-preview: the address area is 24.6 mm to
// 120.0 mm from the left and 39.5 mm to 66.3 mm from the top (a later
// version reads 40.0 mm to 66.2 mm; we keep inside both); the body starts
// 95 mm from the top; the service's own address may go from 125 mm across,
// above the body; nothing is printed within 15 mm of either side or 5 mm of
// the top and bottom. That is the window of a C5/DL envelope with the
// letter folded in three.

/// The envelope window's address area, in mm from the top left.
pub const WINDOW_LEFT_MM: f32 = 24.6;
pub const WINDOW_RIGHT_MM: f32 = 120.0;
pub const WINDOW_TOP_MM: f32 = 40.0;
pub const WINDOW_BOTTOM_MM: f32 = 66.2;
/// The body of the first page starts this far down.
pub const BODY_TOP_MM: f32 = 95.0;
/// The sender's block (the council's name, the date, the reference) starts
/// this far across, as Notify's "service address" area does.
pub const SENDER_LEFT_MM: f32 = 125.0;
/// Notify's printable area: 15 mm from each side, 5 mm from top and bottom.
pub const PRINTABLE_SIDE_MM: f32 = 15.0;
pub const PRINTABLE_END_MM: f32 = 5.0;

/// Notify takes 3 to 7 address lines, the postcode last
/// (`PostalAddress.MIN_LINES`/`MAX_LINES` in alphagov/notifications-utils).
pub const MIN_ADDRESS_LINES: usize = 3;
pub const MAX_ADDRESS_LINES: usize = 7;

/// The address's type size and line spacing: seven lines of 9 pt on 10.4 pt
/// fit the window's 26.2 mm (74.3 pt) with room to spare.
pub const ADDRESS_SIZE: f32 = 9.0;
pub const ADDRESS_LEADING: f32 = 10.4;

const LEFT: f32 = WINDOW_LEFT_MM * MM;
const RIGHT_MARGIN: f32 = 20.0 * MM;
const MEASURE: f32 = PAGE_W - LEFT - RIGHT_MARGIN;
const FIRST_TOP: f32 = PAGE_H - BODY_TOP_MM * MM;
const LATER_TOP: f32 = PAGE_H - 20.0 * MM;
/// Body text stops here; the page footer sits below it.
const BOTTOM: f32 = 25.0 * MM;
const FOOTER_Y: f32 = 12.0 * MM;
const BODY: f32 = 11.0;
const HEADING: f32 = 14.0;
const SMALL: f32 = 9.0;

/// Who the letters are from, at the top right of each first page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sender {
    /// The council's name.
    pub name: String,
    /// More lines under it: the team, a return address.
    pub lines: Vec<String>,
}

/// One language's part of a letter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Part {
    pub welsh: bool,
    pub heading: String,
    /// Paragraphs separated by a blank line; `# ` starts a heading, `* ` or
    /// `- ` a list item, as in Notify's letter templates.
    pub body: String,
}

/// One household's letter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutreachLetter {
    /// The outbox message's reference, printed so a returned letter can be traced.
    pub reference: String,
    pub household_id: i64,
    /// Name, address lines, postcode last.
    pub address: Vec<String>,
    /// In order: Welsh first for a bilingual letter.
    pub parts: Vec<Part>,
}

/// Why an address cannot go in the window.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum AddressProblem {
    #[error("the address has {0} lines; an envelope window takes {MIN_ADDRESS_LINES} to {MAX_ADDRESS_LINES}, with the name first and the postcode last")]
    Lines(usize),
    #[error("the last line, '{0}', is not a UK postcode (Royal Mail sorts by it)")]
    Postcode(String),
    #[error("the line '{line}' is {width:.0} mm wide at {ADDRESS_SIZE} pt; the window is {:.0} mm", WINDOW_RIGHT_MM - WINDOW_LEFT_MM)]
    TooWide { line: String, width: f32 },
    #[error(
        "the line '{0}' starts with a character Notify refuses at the start of an address line"
    )]
    BadStart(String),
}

/// A refused letter: whose, and why.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("household {household_id} (reference {reference}): {problem}")]
pub struct Refused {
    pub household_id: i64,
    pub reference: String,
    pub problem: AddressProblem,
}

/// `B11AA`, `b1 1aa` → `B1 1AA`, if it is shaped like a UK postcode: one or
/// two letters, a digit, maybe a digit or letter, then a digit and two
/// letters that are never C, I, K, M, O or V (Royal Mail's rules, as
/// notifications-utils checks them).
pub fn uk_postcode(s: &str) -> Option<String> {
    let compact: String = s
        .chars()
        .filter(|c| !c.is_whitespace())
        .flat_map(char::to_uppercase)
        .collect();
    let b = compact.as_bytes();
    if !(5..=7).contains(&b.len()) || !b.iter().all(u8::is_ascii_alphanumeric) {
        return None;
    }
    let (outward, inward) = b.split_at(b.len() - 3);
    let inward_ok = inward[0].is_ascii_digit()
        && inward[1..]
            .iter()
            .all(|c| c.is_ascii_uppercase() && !b"CIKMOV".contains(c));
    let letters = outward
        .iter()
        .take_while(|c| c.is_ascii_uppercase())
        .count();
    let rest = &outward[letters..];
    let outward_ok = (1..=2).contains(&letters)
        && !rest.is_empty()
        && rest.len() <= 2
        && rest[0].is_ascii_digit();
    (inward_ok && outward_ok).then(|| {
        let (o, i) = compact.split_at(compact.len() - 3);
        format!("{o} {i}")
    })
}

/// The address as it will be printed in the window, or why it cannot be:
/// lines trimmed (trailing commas too) and blank ones dropped, 3 to 7 of
/// them, none starting with a character Notify refuses, each narrow enough
/// for the window, the last a UK postcode (written as Royal Mail writes it).
pub fn window_address<S: AsRef<str>>(lines: &[S]) -> Result<Vec<String>, AddressProblem> {
    let mut out: Vec<String> = lines
        .iter()
        .map(|l| {
            l.as_ref()
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" ")
                .trim_end_matches([',', ' '])
                .to_string()
        })
        .filter(|l| !l.is_empty())
        .collect();
    if !(MIN_ADDRESS_LINES..=MAX_ADDRESS_LINES).contains(&out.len()) {
        return Err(AddressProblem::Lines(out.len()));
    }
    if let Some(last) = out.last_mut() {
        *last = uk_postcode(last).ok_or_else(|| AddressProblem::Postcode(last.clone()))?;
    }
    // notifications-utils' `INVALID_CHARACTERS_AT_START_OF_ADDRESS_LINE`.
    if let Some(bad) = out
        .iter()
        .find(|l| l.starts_with(|c| r#"@()=[]"\/,<>~"#.contains(c)))
    {
        return Err(AddressProblem::BadStart(bad.clone()));
    }
    let face = Typeface::get().map_err(|_| AddressProblem::Lines(0))?;
    let window = (WINDOW_RIGHT_MM - WINDOW_LEFT_MM) * MM;
    for l in &out {
        let w = face.width(l, ADDRESS_SIZE);
        if w > window {
            return Err(AddressProblem::TooWide {
                line: l.clone(),
                width: w / MM,
            });
        }
    }
    Ok(out)
}

/// A body's paragraphs as blocks: a blank line ends a paragraph; `# ` is a
/// heading; a paragraph of `* ` or `- ` lines is a list; other line breaks
/// inside a paragraph are kept (a signature). Notify's `---` rule is a
/// paragraph break here.
fn body_blocks(body: &str) -> Vec<Block> {
    let body = body.replace("\r\n", "\n");
    let mut out = Vec::new();
    for para in body.split("\n\n").map(str::trim) {
        if para.is_empty() || para == "---" || para == "***" {
            continue;
        }
        let lines: Vec<&str> = para
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .collect();
        let item = |l: &str| {
            l.strip_prefix("* ")
                .or_else(|| l.strip_prefix("- "))
                .or_else(|| l.strip_prefix("• "))
                .map(str::to_string)
        };
        if lines.iter().all(|l| item(l).is_some()) {
            out.extend(lines.iter().filter_map(|l| item(l)).map(Block::Item));
            continue;
        }
        let mut run = Vec::new();
        for l in lines {
            if let Some(h) = l.strip_prefix("# ") {
                if !run.is_empty() {
                    out.push(Block::Lines(std::mem::take(&mut run)));
                }
                out.push(Block::Heading(h.trim().to_string()));
            } else {
                run.push(l.to_string());
            }
        }
        match run.len() {
            0 => {}
            1 => out.push(Block::Paragraph(run.remove(0))),
            _ => out.push(Block::Lines(run)),
        }
    }
    out
}

/// Lays out one letter's lines, page by page.
struct Pen<'a> {
    face: &'a Typeface,
    page: usize,
    y: f32,
    out: Vec<Placed>,
}

impl Pen<'_> {
    fn new_page(&mut self) {
        self.page += 1;
        self.y = LATER_TOP;
    }

    /// A line at `x`; a new page first when it would go below the body.
    fn line(&mut self, x: f32, size: f32, text: String, gap_after: f32) {
        let leading = size * 1.35;
        if self.y - leading < BOTTOM {
            self.new_page();
        }
        self.y -= leading;
        self.out.push(Placed {
            page: self.page,
            x,
            y: self.y,
            size,
            text,
        });
        self.y -= gap_after;
    }

    fn wrapped(&mut self, text: &str, size: f32, gap_after: f32) {
        let lines = wrap(self.face, text, size, MEASURE);
        let n = lines.len();
        for (i, l) in lines.into_iter().enumerate() {
            self.line(LEFT, size, l, if i + 1 == n { gap_after } else { 0.0 });
        }
    }

    fn block(&mut self, b: &Block) {
        match b {
            Block::Heading(t) => {
                // A heading is not left alone at the foot of a page.
                if self.y - HEADING * 1.35 - BODY * 1.35 * 2.0 < BOTTOM {
                    self.new_page();
                }
                self.wrapped(t, HEADING, 6.0);
            }
            Block::Paragraph(t) => self.wrapped(t, BODY, 8.0),
            Block::Lines(lines) => {
                let n = lines.len();
                for (i, l) in lines.iter().enumerate() {
                    self.wrapped(l, BODY, if i + 1 == n { 8.0 } else { 0.0 });
                }
            }
            Block::Item(t) => {
                let indent = 14.0;
                let lines = wrap(self.face, t, BODY, MEASURE - indent);
                let n = lines.len();
                for (i, l) in lines.into_iter().enumerate() {
                    let (x, text) = if i == 0 {
                        (LEFT, format!("•\u{a0}{l}"))
                    } else {
                        (LEFT + indent, l)
                    };
                    self.line(x, BODY, text, if i + 1 == n { 4.0 } else { 0.0 });
                }
            }
        }
    }
}

/// The first baseline of the address: the top of the window plus the
/// font's ascent, so the tallest letter touches the window's top edge at
/// most.
fn address_first_baseline(face: &Typeface) -> f32 {
    let ascent = f32::from(face.face.ascender()) / face.units * ADDRESS_SIZE;
    PAGE_H - WINDOW_TOP_MM * MM - ascent
}

/// One letter, laid out: every line with its page (0-based), and how many pages.
fn lay_out_letter(
    face: &Typeface,
    sender: &Sender,
    date: NaiveDate,
    letter: &OutreachLetter,
    address: &[String],
) -> Result<(Vec<Placed>, usize), Error> {
    let welsh = letter.parts.iter().any(|p| p.welsh);
    let english = letter.parts.iter().any(|p| !p.welsh);
    let mut pen = Pen {
        face,
        page: 0,
        y: FIRST_TOP,
        out: Vec::new(),
    };
    // The sender's block, top right, above where the body starts.
    let sender_x = SENDER_LEFT_MM * MM;
    let sender_w = PAGE_W - PRINTABLE_SIDE_MM * MM - sender_x;
    let mut y = PAGE_H - 15.0 * MM;
    let dated = match (welsh, english) {
        (true, true) => format!("{} / {}", welsh_date(date), english_date(date)),
        (true, false) => welsh_date(date),
        _ => english_date(date),
    };
    let reference = match (welsh, english) {
        (true, true) => format!("Ein cyfeirnod / Our reference: {}", letter.reference),
        (true, false) => format!("Ein cyfeirnod: {}", letter.reference),
        _ => format!("Our reference: {}", letter.reference),
    };
    let mut block: Vec<(f32, String, f32)> = wrap(face, &sender.name, 11.0, sender_w)
        .into_iter()
        .map(|l| (11.0, l, 0.0))
        .collect();
    for l in &sender.lines {
        block.extend(
            wrap(face, l, SMALL, sender_w)
                .into_iter()
                .map(|l| (SMALL, l, 0.0)),
        );
    }
    if let Some(last) = block.last_mut() {
        last.2 = 6.0;
    }
    for t in [dated, reference] {
        block.extend(
            wrap(face, &t, SMALL, sender_w)
                .into_iter()
                .map(|l| (SMALL, l, 0.0)),
        );
    }
    for (size, text, gap) in block {
        y -= size * 1.3;
        pen.out.push(Placed {
            page: 0,
            x: sender_x,
            y,
            size,
            text,
        });
        y -= gap;
    }
    if y < FIRST_TOP {
        return Err(Error::Pdf(format!(
            "the council's name and return address take {} lines: too many to fit above the letter (keep it to about 8)",
            2 + sender.lines.len()
        )));
    }
    // The address, in the window.
    let mut y = address_first_baseline(face);
    for l in address {
        pen.out.push(Placed {
            page: 0,
            x: LEFT,
            y,
            size: ADDRESS_SIZE,
            text: l.clone(),
        });
        y -= ADDRESS_LEADING;
    }
    // Each language's part; a second part (the English after the Welsh)
    // starts on a page of its own, so each reads whole.
    for (i, part) in letter.parts.iter().enumerate() {
        if i > 0 {
            pen.new_page();
        }
        if !part.heading.trim().is_empty() {
            pen.block(&Block::Heading(part.heading.trim().to_string()));
        }
        for b in body_blocks(&part.body) {
            pen.block(&b);
        }
    }
    let pages = pen.page + 1;
    for n in 0..pages {
        let text = match (welsh, english) {
            (true, true) => format!("Tudalen {} o {pages} / Page {} of {pages}", n + 1, n + 1),
            (true, false) => format!("Tudalen {} o {pages}", n + 1),
            _ => format!("Page {} of {pages}", n + 1),
        };
        let x = PAGE_W - RIGHT_MARGIN - face.width(&text, SMALL);
        pen.out.push(Placed {
            page: n,
            x,
            y: FOOTER_Y,
            size: SMALL,
            text,
        });
    }
    Ok((pen.out, pages))
}

/// What a finished batch holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Summary {
    pub letters: usize,
    pub pages: usize,
    pub bytes: u64,
}

// Objects whose numbers are fixed before the first page is written.
const CATALOG: Ref = Ref::new(1);
const TREE: Ref = Ref::new(2);
const INFO: Ref = Ref::new(3);
const FONT_REFS: FontRefs = FontRefs {
    font: Ref::new(4),
    cid: Ref::new(5),
    descriptor: Ref::new(6),
    file: Ref::new(7),
    cmap: Ref::new(8),
};
const FIRST_FREE: i32 = 9;
const FONT_NAME: Name<'static> = Name(b"F1");

/// Writes a batch's PDF to `out` a letter at a time. Deterministic: the
/// same letters, sender and date make the same bytes (no time stamps, no
/// random file id), so a batch printed again can be checked against the
/// first print by its SHA-256.
pub struct BatchWriter<W: Write> {
    out: W,
    written: u64,
    /// Where each object starts; index = object number - 1.
    offsets: Vec<u64>,
    next: i32,
    pages: Vec<Ref>,
    /// glyph → a character it shows, for the font subset and ToUnicode.
    used: BTreeMap<u16, char>,
    seen: Vec<bool>,
    face: &'static Typeface,
    sender: Sender,
    date: NaiveDate,
    title: String,
    language: String,
    letters: usize,
}

impl<W: Write> BatchWriter<W> {
    /// Start a batch: `title` for the file's properties, `language` its BCP 47
    /// tag (`cy-GB` for a Welsh council's bilingual batch), `date` the date
    /// every letter carries.
    pub fn new(
        mut out: W,
        sender: Sender,
        date: NaiveDate,
        title: &str,
        language: &str,
    ) -> Result<BatchWriter<W>, Error> {
        let face = Typeface::get()?;
        let header = b"%PDF-1.7\n%\x80\x80\x80\x80\n\n";
        out.write_all(header).map_err(io)?;
        Ok(BatchWriter {
            out,
            written: header.len() as u64,
            offsets: vec![0; (FIRST_FREE - 1) as usize],
            next: FIRST_FREE,
            pages: Vec::new(),
            used: BTreeMap::new(),
            seen: vec![false; usize::from(face.face.number_of_glyphs())],
            face,
            sender,
            date,
            title: title.to_string(),
            language: language.to_string(),
            letters: 0,
        })
    }

    fn alloc(&mut self) -> Ref {
        let r = Ref::new(self.next);
        self.next += 1;
        self.offsets.push(0);
        r
    }

    /// Write one chunk holding exactly one object, noting where it starts.
    fn put(&mut self, chunk: &Chunk) -> Result<(), Error> {
        for r in chunk.refs() {
            if let Some(slot) = usize::try_from(r.get() - 1)
                .ok()
                .and_then(|i| self.offsets.get_mut(i))
            {
                *slot = self.written;
            }
        }
        self.out.write_all(chunk.as_bytes()).map_err(io)?;
        self.written += chunk.len() as u64;
        Ok(())
    }

    fn encode(&mut self, text: &str) -> Vec<u8> {
        let mut bytes = Vec::with_capacity(text.len() * 2);
        for c in text.chars() {
            let g = self.face.glyph(c);
            if let Some(seen) = self.seen.get_mut(usize::from(g)) {
                if !*seen {
                    *seen = true;
                    self.used.insert(g, c);
                }
            }
            bytes.extend_from_slice(&g.to_be_bytes());
        }
        bytes
    }

    /// Add one household's letter (refused, and nothing written, when its
    /// address would not fit the window). Its number of pages.
    pub fn add(&mut self, letter: &OutreachLetter) -> Result<usize, Error> {
        let address = window_address(&letter.address).map_err(|problem| {
            Error::Refused(Refused {
                household_id: letter.household_id,
                reference: letter.reference.clone(),
                problem,
            })
        })?;
        let (placed, pages) = lay_out_letter(self.face, &self.sender, self.date, letter, &address)?;
        let mut by_page: Vec<Content> = (0..pages).map(|_| Content::new()).collect();
        for p in &placed {
            let encoded = self.encode(&p.text);
            if let Some(content) = by_page.get_mut(p.page) {
                content
                    .begin_text()
                    .set_font(FONT_NAME, p.size)
                    .next_line(p.x, p.y)
                    .show(Str(&encoded))
                    .end_text();
            }
        }
        for content in by_page {
            let (page_id, content_id) = (self.alloc(), self.alloc());
            let packed = deflate(&content.finish())?;
            let mut c = Chunk::with_capacity(packed.len() + 64);
            c.stream(content_id, &packed).filter(Filter::FlateDecode);
            self.put(&c)?;
            let mut c = Chunk::new();
            let mut page = c.page(page_id);
            page.media_box(Rect::new(0.0, 0.0, PAGE_W, PAGE_H))
                .parent(TREE)
                .contents(content_id);
            page.resources().fonts().pair(FONT_NAME, FONT_REFS.font);
            page.finish();
            self.put(&c)?;
            self.pages.push(page_id);
        }
        self.letters += 1;
        Ok(pages)
    }

    /// Write the font (once), the page tree, the catalogue and the cross
    /// references; give back the writer and what the batch holds.
    pub fn finish(mut self) -> Result<(W, Summary), Error> {
        for chunk in font_objects(FONT_REFS, self.face, &self.used)? {
            self.put(&chunk)?;
        }
        let mut c = Chunk::with_capacity(self.pages.len() * 8 + 64);
        c.pages(TREE)
            .kids(self.pages.iter().copied())
            .count(i32::try_from(self.pages.len()).unwrap_or(i32::MAX));
        self.put(&c)?;
        let mut c = Chunk::new();
        c.indirect(CATALOG)
            .start::<Catalog>()
            .pages(TREE)
            .lang(TextStr(&self.language));
        self.put(&c)?;
        let mut c = Chunk::new();
        c.indirect(INFO)
            .start::<DocumentInfo>()
            .title(TextStr(&self.title))
            .creator(TextStr("Upstream"));
        self.put(&c)?;
        // The cross-reference table: 20 bytes an entry, as PDF requires.
        let xref_at = self.written;
        let mut tail = format!("xref\n0 {}\n0000000000 65535 f\r\n", self.offsets.len() + 1);
        for o in &self.offsets {
            tail.push_str(&format!("{o:010} 00000 n\r\n"));
        }
        tail.push_str(&format!(
            "trailer\n<< /Size {} /Root {} 0 R /Info {} 0 R >>\nstartxref\n{xref_at}\n%%EOF",
            self.offsets.len() + 1,
            CATALOG.get(),
            INFO.get()
        ));
        self.out.write_all(tail.as_bytes()).map_err(io)?;
        self.written += tail.len() as u64;
        self.out.flush().map_err(io)?;
        let summary = Summary {
            letters: self.letters,
            pages: self.pages.len(),
            bytes: self.written,
        };
        Ok((self.out, summary))
    }
}

fn io(e: std::io::Error) -> Error {
    Error::Pdf(format!("writing the PDF: {e}"))
}

/// Write one PDF holding every letter, in the order given. Stops at the
/// first letter refused (its household and reference named); check the
/// addresses first with [`window_address`] to leave such letters out.
pub fn write_batch<'a, W: Write>(
    out: W,
    sender: Sender,
    date: NaiveDate,
    title: &str,
    language: &str,
    letters: impl IntoIterator<Item = &'a OutreachLetter>,
) -> Result<(W, Summary), Error> {
    let mut w = BatchWriter::new(out, sender, date, title, language)?;
    for l in letters {
        w.add(l)?;
    }
    w.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sender() -> Sender {
        Sender {
            name: "Brumford City Council".into(),
            lines: vec!["Prevention team".into()],
        }
    }

    fn letter(n: i64, paragraphs: usize, welsh: bool) -> OutreachLetter {
        let para = "We are writing because you may be able to get help with your rent and council tax this winter. ".repeat(4);
        let body = |hello: &str| {
            std::iter::once(format!("{hello} Jo Bloggs,"))
                .chain((0..paragraphs).map(|_| para.clone()))
                .chain(["* Call us on 0121 000 0000\n* Or reply to this letter".to_string()])
                .collect::<Vec<_>>()
                .join("\n\n")
        };
        let mut parts = vec![Part {
            welsh: false,
            heading: "Help with money this winter".into(),
            body: body("Dear"),
        }];
        if welsh {
            parts.insert(
                0,
                Part {
                    welsh: true,
                    heading: "Help gydag arian y gaeaf hwn".into(),
                    body: body("Annwyl"),
                },
            );
        }
        OutreachLetter {
            reference: format!("c1-0000abcd-s1-h{n}"),
            household_id: n,
            address: vec![
                "Jo Bloggs".into(),
                format!("{n} Acacia Avenue"),
                "Brumford".into(),
                "b1 1aa".into(),
            ],
            parts,
        }
    }

    fn day() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 3, 4).expect("date")
    }

    #[test]
    fn the_address_block_sits_inside_notifys_window_with_seven_lines_at_its_widest() {
        let face = Typeface::get().expect("font");
        let units = face.units;
        let ascent = f32::from(face.face.ascender()) / units * ADDRESS_SIZE;
        let descent = -f32::from(face.face.descender()) / units * ADDRESS_SIZE;
        let first = address_first_baseline(face);
        let last = first - ADDRESS_LEADING * (MAX_ADDRESS_LINES - 1) as f32;
        // In mm from the top of the page, as Notify measures.
        let top = (PAGE_H - (first + ascent)) / MM;
        let bottom = (PAGE_H - (last - descent)) / MM;
        assert!(top >= WINDOW_TOP_MM - 0.01, "top {top} mm");
        assert!(bottom <= WINDOW_BOTTOM_MM, "bottom {bottom} mm");
        // Inside both of Notify's versions of the window: 39.5-66.3 and 40.0-66.2 mm.
        assert!(top >= 40.0 - 0.01 && bottom <= 66.2);
        assert!((LEFT / MM - WINDOW_LEFT_MM).abs() < 1e-3);
        const { assert!(LEFT / MM >= PRINTABLE_SIDE_MM && SENDER_LEFT_MM > WINDOW_RIGHT_MM) };
        // The widest line allowed ends inside the window.
        let widest = "Flat 12, Marlborough Court, 104 Broad Street";
        assert!(face.width(widest, ADDRESS_SIZE) / MM < WINDOW_RIGHT_MM - WINDOW_LEFT_MM);
        // The body starts below the window, inside the printable area.
        const { assert!((PAGE_H - FIRST_TOP) / MM >= WINDOW_BOTTOM_MM) };
        const { assert!(FOOTER_Y / MM >= PRINTABLE_END_MM && BOTTOM > FOOTER_Y + SMALL) };
        const { assert!((PAGE_W - RIGHT_MARGIN) / MM <= 210.0 - PRINTABLE_SIDE_MM) };
    }

    #[test]
    fn an_address_that_would_not_fit_the_window_is_refused_with_why() {
        let ok = window_address(&["Jo Bloggs", " 12 Acacia Avenue, ", "", "b11aa"]).expect("ok");
        assert_eq!(ok, ["Jo Bloggs", "12 Acacia Avenue", "B1 1AA"]);
        assert_eq!(
            window_address(&["Jo Bloggs", "B1 1AA"]),
            Err(AddressProblem::Lines(2))
        );
        let eight = ["a", "b", "c", "d", "e", "f", "g", "B1 1AA"];
        assert_eq!(window_address(&eight), Err(AddressProblem::Lines(8)));
        assert!(matches!(
            window_address(&["Jo Bloggs", "12 Acacia Avenue", "Brumford"]),
            Err(AddressProblem::Postcode(p)) if p == "Brumford"
        ));
        let long = "The Old Vicarage Cottage at the Bottom of the Very Long Lane by the Mill";
        let e = window_address(&["Jo Bloggs", long, "B1 1AA"]).expect_err("too wide");
        assert!(e.to_string().contains("mm wide"), "{e}");
        assert!(matches!(
            window_address(&["Jo Bloggs", "(12) Acacia Avenue", "B1 1AA"]),
            Err(AddressProblem::BadStart(_))
        ));
        for good in ["SW1A 1AA", "M1 1AE", "CF10 1EP", "b33 8th", "LL57 2DG"] {
            assert!(uk_postcode(good).is_some(), "{good}");
        }
        for bad in ["SW1A 1CA", "12345", "B1", "ABC 1AA", "B1 1A"] {
            assert!(uk_postcode(bad).is_none(), "{bad}");
        }
        let mut w = BatchWriter::new(Vec::new(), sender(), day(), "t", "en-GB").expect("writer");
        let mut bad = letter(7, 1, false);
        bad.address.pop();
        let e = w.add(&bad).expect_err("refused").to_string();
        assert!(
            e.contains("household 7") && e.contains("c1-0000abcd-s1-h7"),
            "{e}"
        );
    }

    #[test]
    fn a_batch_embeds_its_font_once_and_each_letter_has_its_own_page_count() {
        let letters: Vec<OutreachLetter> = (1..=3)
            .map(|n| letter(n, 2 + 6 * n as usize, false))
            .collect();
        let (bytes, summary) =
            write_batch(Vec::new(), sender(), day(), "Batch 1", "en-GB", &letters).expect("pdf");
        assert!(bytes.starts_with(b"%PDF-1.7") && bytes.ends_with(b"%%EOF"));
        assert_eq!(summary.letters, 3);
        assert_eq!(summary.bytes, bytes.len() as u64);
        let text = String::from_utf8_lossy(&bytes);
        assert_eq!(
            text.matches("/FontFile2").count(),
            1,
            "one font for the batch"
        );
        assert_eq!(
            text.matches("/Type /Page\n").count() + text.matches("/Type /Page ").count(),
            summary.pages
        );
        assert!(
            summary.pages > 3,
            "longer letters run to more pages: {summary:?}"
        );
        // The cross-reference table points at each object (in bytes: the
        // streams are binary).
        let tail = &bytes[bytes.len() - 40..];
        let tail = String::from_utf8_lossy(tail);
        let xref_at: usize = tail
            .rsplit("startxref\n")
            .next()
            .and_then(|t| t.trim_end_matches("%%EOF").trim().parse().ok())
            .expect("startxref");
        assert!(bytes[xref_at..].starts_with(b"xref\n0 "));
        let table = String::from_utf8_lossy(&bytes[xref_at..]);
        let entries: Vec<&str> = table
            .lines()
            .skip(3)
            .take_while(|l| l.ends_with(" n"))
            .collect();
        assert!(entries.len() > summary.pages * 2);
        for (i, line) in entries.iter().enumerate() {
            let at: usize = line[..10].parse().expect("offset");
            let head = format!("{} 0 obj", i + 1);
            assert!(bytes[at..].starts_with(head.as_bytes()), "{line}");
        }
        // Deterministic: the same letters make the same bytes.
        let (again, _) =
            write_batch(Vec::new(), sender(), day(), "Batch 1", "en-GB", &letters).expect("pdf");
        assert_eq!(bytes, again);
    }

    #[test]
    fn a_bilingual_letter_has_the_welsh_first_and_the_english_on_a_page_of_its_own() {
        let face = Typeface::get().expect("font");
        let l = letter(5, 1, true);
        let address = window_address(&l.address).expect("address");
        let (placed, pages) =
            lay_out_letter(face, &sender(), day(), &l, &address).expect("laid out");
        assert_eq!(pages, 2);
        let at = |s: &str| placed.iter().find(|p| p.text.contains(s)).map(|p| p.page);
        assert_eq!(at("Help gydag arian"), Some(0));
        assert_eq!(at("Help with money"), Some(1));
        assert_eq!(at("4 Mawrth 2026 / 4 March 2026"), Some(0));
        assert_eq!(at("Tudalen 2 o 2 / Page 2 of 2"), Some(1));
        assert!(placed
            .iter()
            .all(|p| p.y >= FOOTER_Y && p.x >= PRINTABLE_SIDE_MM * MM));
        assert!(placed
            .iter()
            .filter(|p| p.size != ADDRESS_SIZE || p.page > 0)
            .all(|p| p.y < PAGE_H - PRINTABLE_END_MM * MM));
    }

    #[test]
    fn a_bodys_headings_lists_and_signatures_are_kept() {
        let b = body_blocks(
            "# Help\n\nDear Jo,\n\n* one\n- two\n\n---\n\nYours,\nSam\nPrevention team",
        );
        assert_eq!(
            b,
            vec![
                Block::Heading("Help".into()),
                Block::Paragraph("Dear Jo,".into()),
                Block::Item("one".into()),
                Block::Item("two".into()),
                Block::Lines(vec![
                    "Yours,".into(),
                    "Sam".into(),
                    "Prevention team".into()
                ]),
            ]
        );
    }
}
