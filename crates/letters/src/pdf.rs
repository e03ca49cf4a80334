//! A letter as a PDF: A4, one typeface, paragraphs wrapped to the measure,
//! as many pages as it needs.
//!
//! Written on `pdf-writer` by hand because no crate lays out plain letters
//! without a heavy typesetting engine. The typeface (DejaVu Sans, vendored
//! with its licence) is embedded, cut down to the glyphs the letter uses,
//! because Welsh needs ŵ and ŷ, which the fourteen fonts every PDF reader
//! carries do not have. Text is addressed by glyph id (Identity-H) with a
//! ToUnicode map, so it can be searched, copied and read aloud.

use crate::Error;
use pdf_writer::types::{CidFontType, FontFlags, SystemInfo, UnicodeCmap};
use pdf_writer::{Chunk, Content, Filter, Finish, Name, Pdf, Rect, Ref, Str, TextStr};
use std::collections::BTreeMap;
use std::io::Write;

pub(crate) static FONT: &[u8] = include_bytes!("../fonts/DejaVuSans.ttf");

/// A4 in points, with 25 mm margins.
pub(crate) const PAGE_W: f32 = 595.28;
pub(crate) const PAGE_H: f32 = 841.89;
const MARGIN: f32 = 70.87;

/// One block of a letter, in reading order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Block {
    /// Larger text, with space after.
    Heading(String),
    /// Lines kept as they are (an address), each on its own line.
    Lines(Vec<String>),
    /// Wrapped to the measure.
    Paragraph(String),
    /// A list item, wrapped with a hanging indent.
    Item(String),
}

/// A document: its title (for the PDF's properties), its language, its blocks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Document {
    pub title: String,
    /// BCP 47: `en-GB`, or `cy-GB` for a Welsh-first bilingual letter.
    pub language: String,
    pub blocks: Vec<Block>,
}

/// The typeface, parsed once per process, with each common character's
/// glyph and advance looked up once: a batch of 50,000 letters measures
/// millions of words, and the font's cmap is slow to ask one at a time.
pub(crate) struct Typeface {
    pub(crate) face: ttf_parser::Face<'static>,
    pub(crate) units: f32,
    /// (glyph, advance in font units) for characters below `TABLED`.
    table: Vec<(u16, u16)>,
}

/// Characters looked up in advance: Latin, Latin Extended A and B (Welsh's
/// ŵ and ŷ), general punctuation (’ “ ” – •) and the euro sign.
const TABLED: u32 = 0x2100;

impl Typeface {
    /// The one typeface, or why it cannot be read.
    pub(crate) fn get() -> Result<&'static Typeface, Error> {
        static ONCE: std::sync::OnceLock<Result<Typeface, String>> = std::sync::OnceLock::new();
        ONCE.get_or_init(|| {
            let face = ttf_parser::Face::parse(FONT, 0).map_err(|e| e.to_string())?;
            let mut table = Vec::with_capacity(TABLED as usize);
            for u in 0..TABLED {
                let g = char::from_u32(u)
                    .and_then(|c| face.glyph_index(c))
                    .map_or(0, |g| g.0);
                let adv = face.glyph_hor_advance(ttf_parser::GlyphId(g)).unwrap_or(0);
                table.push((g, adv));
            }
            Ok(Typeface {
                units: f32::from(face.units_per_em()),
                face,
                table,
            })
        })
        .as_ref()
        .map_err(|e| Error::Pdf(format!("the typeface: {e}")))
    }

    /// The glyph and its advance (font units) for `c`.
    pub(crate) fn glyph_advance(&self, c: char) -> (u16, u16) {
        match self.table.get(c as usize) {
            Some(&hit) => hit,
            None => {
                let g = self.face.glyph_index(c).map_or(0, |g| g.0);
                let adv = self
                    .face
                    .glyph_hor_advance(ttf_parser::GlyphId(g))
                    .unwrap_or(0);
                (g, adv)
            }
        }
    }

    pub(crate) fn glyph(&self, c: char) -> u16 {
        self.glyph_advance(c).0
    }

    /// Width of `text` at `size` points.
    pub(crate) fn width(&self, text: &str, size: f32) -> f32 {
        text.chars()
            .map(|c| f32::from(self.glyph_advance(c).1))
            .sum::<f32>()
            * size
            / self.units
    }
}

/// Words of `text` broken into lines no wider than `measure` points; a word
/// wider than the measure stands alone on its line. Widths are added up a
/// word at a time, not measured again for each candidate line.
pub(crate) fn wrap(face: &Typeface, text: &str, size: f32, measure: f32) -> Vec<String> {
    let mut lines = Vec::new();
    let mut line = String::new();
    let mut line_w = 0.0;
    let space = face.width(" ", size);
    for word in text.split_whitespace() {
        let word_w = face.width(word, size);
        if line.is_empty() {
            line.push_str(word);
            line_w = word_w;
        } else if line_w + space + word_w > measure {
            lines.push(std::mem::replace(&mut line, word.to_string()));
            line_w = word_w;
        } else {
            line.push(' ');
            line.push_str(word);
            line_w += space + word_w;
        }
    }
    if !line.is_empty() {
        lines.push(line);
    }
    lines
}

/// One line placed on a page: where, at what size, what.
pub(crate) struct Placed {
    pub(crate) page: usize,
    pub(crate) x: f32,
    pub(crate) y: f32,
    pub(crate) size: f32,
    pub(crate) text: String,
}

fn lay_out(face: &Typeface, blocks: &[Block]) -> Vec<Placed> {
    let measure = PAGE_W - 2.0 * MARGIN;
    let mut out = Vec::new();
    let (mut page, mut y) = (0, PAGE_H - MARGIN);
    let mut put = |x: f32, size: f32, text: String, gap_after: f32, out: &mut Vec<Placed>| {
        let leading = size * 1.35;
        if y - leading < MARGIN {
            page += 1;
            y = PAGE_H - MARGIN;
        }
        y -= leading;
        out.push(Placed {
            page,
            x,
            y,
            size,
            text,
        });
        y -= gap_after;
    };
    for block in blocks {
        match block {
            Block::Heading(text) => {
                let lines = wrap(face, text, 15.0, measure);
                let n = lines.len();
                for (i, l) in lines.into_iter().enumerate() {
                    put(
                        MARGIN,
                        15.0,
                        l,
                        if i + 1 == n { 8.0 } else { 0.0 },
                        &mut out,
                    );
                }
            }
            Block::Lines(lines) => {
                let n = lines.len();
                for (i, l) in lines.iter().enumerate() {
                    put(
                        MARGIN,
                        11.0,
                        l.clone(),
                        if i + 1 == n { 11.0 } else { 0.0 },
                        &mut out,
                    );
                }
            }
            Block::Paragraph(text) => {
                let lines = wrap(face, text, 11.0, measure);
                let n = lines.len();
                for (i, l) in lines.into_iter().enumerate() {
                    put(
                        MARGIN,
                        11.0,
                        l,
                        if i + 1 == n { 8.0 } else { 0.0 },
                        &mut out,
                    );
                }
            }
            Block::Item(text) => {
                let indent = 14.0;
                let lines = wrap(face, text, 11.0, measure - indent);
                let n = lines.len();
                for (i, l) in lines.into_iter().enumerate() {
                    let text = if i == 0 { format!("•\u{a0}{l}") } else { l };
                    let x = if i == 0 { MARGIN } else { MARGIN + indent };
                    put(x, 11.0, text, if i + 1 == n { 4.0 } else { 0.0 }, &mut out);
                }
            }
        }
    }
    out
}

pub(crate) fn deflate(data: &[u8]) -> Result<Vec<u8>, Error> {
    let mut e = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
    e.write_all(data).map_err(|e| Error::Pdf(e.to_string()))?;
    e.finish().map_err(|e| Error::Pdf(e.to_string()))
}

/// Where the embedded font's objects go.
#[derive(Debug, Clone, Copy)]
pub(crate) struct FontRefs {
    pub(crate) font: Ref,
    pub(crate) cid: Ref,
    pub(crate) descriptor: Ref,
    pub(crate) file: Ref,
    pub(crate) cmap: Ref,
}

/// The font, cut down to the glyphs in `used` (glyph → the character it
/// shows, for ToUnicode), as the five objects a Type 0 font needs, one
/// chunk each (so a streamed file knows where each starts). Glyph ids are
/// kept as they are in the full font (Identity CID-to-GID), so text
/// written before the set of glyphs was known stays right.
pub(crate) fn font_objects(
    refs: FontRefs,
    face: &Typeface,
    used: &BTreeMap<u16, char>,
) -> Result<Vec<Chunk>, Error> {
    let glyphs: Vec<u16> = std::iter::once(0).chain(used.keys().copied()).collect();
    let subset = subsetter::subset(FONT, 0, subsetter::Profile::pdf(&glyphs))
        .map_err(|e| Error::Pdf(format!("{e:?}")))?;
    let base = Name(b"AAAAAA+DejaVuSans");
    let info_identity = SystemInfo {
        registry: Str(b"Adobe"),
        ordering: Str(b"Identity"),
        supplement: 0,
    };
    let mut type0 = Chunk::new();
    type0
        .type0_font(refs.font)
        .base_font(base)
        .encoding_predefined(Name(b"Identity-H"))
        .descendant_font(refs.cid)
        .to_unicode(refs.cmap);
    let mut cid = Chunk::new();
    {
        let mut c = cid.cid_font(refs.cid);
        c.subtype(CidFontType::Type2)
            .base_font(base)
            .system_info(info_identity)
            .font_descriptor(refs.descriptor)
            .default_width(0.0)
            .cid_to_gid_map_predefined(Name(b"Identity"));
        let mut w = c.widths();
        for &g in used.keys() {
            let adv = face
                .face
                .glyph_hor_advance(ttf_parser::GlyphId(g))
                .unwrap_or(0) as f32;
            w.consecutive(g, [adv * 1000.0 / face.units]);
        }
        w.finish();
        c.finish();
    }
    let scale = |v: i16| f32::from(v) * 1000.0 / face.units;
    let bb = face.face.global_bounding_box();
    let mut descriptor = Chunk::new();
    descriptor
        .font_descriptor(refs.descriptor)
        .name(base)
        .flags(FontFlags::NON_SYMBOLIC)
        .bbox(Rect::new(
            scale(bb.x_min),
            scale(bb.y_min),
            scale(bb.x_max),
            scale(bb.y_max),
        ))
        .italic_angle(0.0)
        .ascent(scale(face.face.ascender()))
        .descent(scale(face.face.descender()))
        .cap_height(scale(face.face.capital_height().unwrap_or(700)))
        .stem_v(80.0)
        .font_file2(refs.file);
    let packed = deflate(&subset)?;
    let mut file = Chunk::with_capacity(packed.len() + 64);
    file.stream(refs.file, &packed).filter(Filter::FlateDecode);
    let mut to_unicode = UnicodeCmap::new(Name(b"Custom"), info_identity);
    for (&g, &c) in used {
        to_unicode.pair(g, c);
    }
    let mut cmap = Chunk::new();
    cmap.cmap(refs.cmap, &to_unicode.finish());
    Ok(vec![type0, cid, descriptor, file, cmap])
}

/// The document as PDF bytes.
pub fn write(doc: &Document) -> Result<Vec<u8>, Error> {
    let face = Typeface::get()?;
    let placed = lay_out(face, &doc.blocks);
    let pages = placed.last().map_or(1, |p| p.page + 1);

    // Every glyph used, with the character it shows (for ToUnicode).
    let mut used: BTreeMap<u16, char> = BTreeMap::new();
    for p in &placed {
        for c in p.text.chars() {
            used.entry(face.glyph(c)).or_insert(c);
        }
    }

    let mut next = 1;
    let mut id = || {
        let r = Ref::new(next);
        next += 1;
        r
    };
    let (catalog, tree, info) = (id(), id(), id());
    let refs = FontRefs {
        font: id(),
        cid: id(),
        descriptor: id(),
        file: id(),
        cmap: id(),
    };
    let page_ids: Vec<(Ref, Ref)> = (0..pages).map(|_| (id(), id())).collect();

    let mut pdf = Pdf::new();
    pdf.catalog(catalog)
        .pages(tree)
        .lang(TextStr(&doc.language));
    pdf.document_info(info)
        .title(TextStr(&doc.title))
        .creator(TextStr("Upstream"));
    pdf.pages(tree)
        .kids(page_ids.iter().map(|(p, _)| *p))
        .count(pages as i32);
    for chunk in font_objects(refs, face, &used)? {
        pdf.extend(&chunk);
    }

    let font_name = Name(b"F1");
    for (n, (page_id, content_id)) in page_ids.iter().enumerate() {
        let mut content = Content::new();
        for p in placed.iter().filter(|p| p.page == n) {
            let encoded: Vec<u8> = p
                .text
                .chars()
                .flat_map(|c| face.glyph(c).to_be_bytes())
                .collect();
            content
                .begin_text()
                .set_font(font_name, p.size)
                .next_line(p.x, p.y)
                .show(Str(&encoded))
                .end_text();
        }
        let packed = deflate(&content.finish())?;
        pdf.stream(*content_id, &packed).filter(Filter::FlateDecode);
        let mut page = pdf.page(*page_id);
        page.media_box(Rect::new(0.0, 0.0, PAGE_W, PAGE_H))
            .parent(tree)
            .contents(*content_id);
        page.resources().fonts().pair(font_name, refs.font);
        page.finish();
    }
    Ok(pdf.finish())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(blocks: Vec<Block>) -> Document {
        Document {
            title: "Test".into(),
            language: "cy-GB".into(),
            blocks,
        }
    }

    #[test]
    fn a_letter_is_a_pdf_with_its_font_cut_down_and_welsh_letters_mapped() {
        let bytes = write(&doc(vec![
            Block::Heading("Hysbysiad adran 63".into()),
            Block::Paragraph("Mae’r ŵyr yn byw yn y tŷ.".into()),
        ]))
        .expect("pdf");
        assert!(bytes.starts_with(b"%PDF-"));
        assert!(
            bytes.len() < 60_000,
            "the font is cut down: {} bytes",
            bytes.len()
        );
        let text = String::from_utf8_lossy(&bytes);
        assert!(
            text.contains("/ToUnicode") && text.contains("/FontFile2"),
            "{text}"
        );
        // ŵ (U+0175) and ŷ (U+0177) have glyphs of their own, not the missing-glyph box.
        let face = ttf_parser::Face::parse(FONT, 0).expect("font");
        for c in ['ŵ', 'ŷ', '’'] {
            assert!(face.glyph_index(c).is_some(), "{c}");
        }
    }

    #[test]
    fn long_text_wraps_to_the_measure_and_runs_onto_more_pages() {
        let face = Typeface::get().expect("font");
        let word = "prevention ".repeat(40);
        let lines = wrap(face, &word, 11.0, 300.0);
        assert!(lines.len() > 3);
        assert!(lines.iter().all(|l| face.width(l, 11.0) <= 300.0));
        let blocks: Vec<Block> = (0..80).map(|_| Block::Paragraph(word.clone())).collect();
        let placed = lay_out(face, &blocks);
        assert!(placed.last().map_or(0, |p| p.page) >= 2, "several pages");
        assert!(
            placed.iter().all(|p| p.y >= MARGIN),
            "nothing below the margin"
        );
    }
}
