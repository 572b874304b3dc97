//! Finding parent records (an Account by name or external id, an Owner by name or email) for
//! the lookup columns of a sheet. Names are compared the way people write them: `ACME corp.`,
//! `Acme Corporation` and `acme corporation` are one company.

use std::collections::{BTreeMap, HashMap};

use futures_util::TryStreamExt;
use serde_json::{Map, Value};

use super::fields::FieldSpec;
use super::mapping::LookupMapping;
use crate::salesforce::soql_text::{self, IN_LIST_BYTES};
use crate::salesforce::{BatchSize, Client, SalesforceError as ApiError};
use crate::sync::verify::edit_distance;

/// A lookup column bound to its reference field.
#[derive(Debug, Clone)]
pub struct LookupRule {
    pub column: String,
    pub field: FieldSpec,
    pub object: String,
    pub match_on: Vec<String>,
    pub create_missing: bool,
    pub required: bool,
    values: HashMap<String, String>,
}

impl LookupRule {
    pub fn new(mapping: &LookupMapping, field: FieldSpec) -> LookupRule {
        LookupRule {
            column: mapping.column.clone(),
            field,
            object: mapping.object.clone(),
            match_on: mapping.match_on.clone(),
            create_missing: mapping.create_missing,
            required: mapping.required,
            values: mapping
                .values
                .iter()
                .map(|(from, to)| (from.trim().to_lowercase(), to.clone()))
                .collect(),
        }
    }

    /// The text to look up: the value map applied, spaces trimmed.
    pub fn effective(&self, cell: &str) -> String {
        let trimmed = cell.trim();
        self.values
            .get(&trimmed.to_lowercase())
            .map_or(trimmed, String::as_str)
            .trim()
            .to_string()
    }

    /// Why no parent matched `written`, the records named like it, and what to do.
    pub fn missing(&self, written: &str, near: &[String]) -> String {
        let fields = self.fields_for(written);
        let by_name = fields.iter().any(|f| f.eq_ignore_ascii_case("Name"));
        let found = if by_name {
            format!("no {} is named `{written}`", self.object)
        } else {
            format!(
                "no {} has `{written}` as its {}",
                self.object,
                fields.join(" or ")
            )
        };
        let active = if self.object.eq_ignore_ascii_case("User") {
            " (active users only)"
        } else {
            ""
        };
        let create = if self.create_missing || !by_name || self.names_people() {
            String::new()
        } else {
            format!(", or allow creating missing {} records", self.object)
        };
        let similar = if near.is_empty() {
            String::new()
        } else {
            format!(" (similar: {})", near.join(", "))
        };
        format!(
            "{found}{active}{similar}; check the spelling, or map it to an existing one in the lookup's value map{create}"
        )
    }

    fn is_email_field(name: &str) -> bool {
        name.to_lowercase().contains("email")
    }

    fn names_people(&self) -> bool {
        ["User", "Contact", "Lead"]
            .iter()
            .any(|o| o.eq_ignore_ascii_case(&self.object))
    }

    /// Match fields a text is compared with: email fields for a text with `@`, the others else.
    fn fields_for(&self, text: &str) -> Vec<&str> {
        let email = text.contains('@');
        let wanted: Vec<&str> = self
            .match_on
            .iter()
            .filter(|f| Self::is_email_field(f) == email)
            .map(String::as_str)
            .collect();
        if wanted.is_empty() {
            self.match_on.iter().map(String::as_str).collect()
        } else {
            wanted
        }
    }
}

/// Legal-form words that do not tell two companies apart.
const COMPANY_SUFFIXES: [&str; 12] = [
    "inc",
    "incorporated",
    "corp",
    "corporation",
    "co",
    "company",
    "ltd",
    "limited",
    "llc",
    "gmbh",
    "ag",
    "plc",
];

/// `ACME Corp.` → `acme`: lower case, punctuation and legal-form suffixes dropped.
pub fn company_key(text: &str) -> String {
    let cleaned: String = text
        .to_lowercase()
        .chars()
        .filter(|c| !matches!(c, '.' | ',' | '\'' | '"' | '&' | '(' | ')'))
        .collect();
    let mut words: Vec<&str> = cleaned.split_whitespace().collect();
    while words.len() > 1 && words.last().is_some_and(|w| COMPANY_SUFFIXES.contains(w)) {
        words.pop();
    }
    words.join(" ")
}

/// ` Jane   DOE ` → `jane doe`.
pub fn person_key(text: &str) -> String {
    text.to_lowercase()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// The form a lookup text is compared in.
pub fn normalise_for(rule: &LookupRule, text: &str) -> String {
    let fields = rule.fields_for(text);
    if fields.iter().any(|f| LookupRule::is_email_field(f)) {
        text.trim().to_lowercase()
    } else if fields.iter().any(|f| f.eq_ignore_ascii_case("Name")) {
        if rule.names_people() {
            person_key(text)
        } else {
            company_key(text)
        }
    } else {
        // External ids compare without case, as Salesforce compares them.
        text.trim().to_lowercase()
    }
}

/// A parent record that matched.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Parent {
    pub id: String,
    pub name: String,
}

/// What a lookup text resolves to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Resolved<'a> {
    Found(&'a Parent),
    /// Created before the rows are loaded (only in a dry run: it does not exist yet).
    WillCreate(&'a str),
    Ambiguous(&'a [Parent]),
    /// A parent to create that cannot be: why, and what to do.
    CannotCreate(&'a str),
    /// A row of the sheet being imported makes this parent, in an earlier pass: its Id once
    /// loaded (`None` in a dry run).
    FromRow {
        row: u64,
        id: Option<&'a str>,
    },
    /// The row of the sheet that would make this parent was not imported.
    RowNotImported(u64),
    /// Several rows of the sheet bear this name.
    RowsAmbiguous(&'a [u64]),
    Missing,
}

/// Parent records found for one lookup, by normalised text.
#[derive(Debug, Clone, Default)]
pub struct LookupTable {
    pub found: HashMap<String, Vec<Parent>>,
    /// Normalised text → the name the record will be created with.
    pub to_create: HashMap<String, String>,
    /// Normalised text that matched nothing → records whose name starts with its first word.
    pub near: HashMap<String, Vec<Parent>>,
    /// Normalised text → why its parent cannot be created (a name longer than the field
    /// holds, or Salesforce's refusal), said as it is.
    pub cannot_create: HashMap<String, String>,
    /// When the sheet's own object is the parent: normalised text no record has → the rows
    /// of the sheet that bear it, which make the parent rather than the lookup.
    pub sheet: HashMap<String, Vec<u64>>,
    /// Rows of `sheet` decided in an earlier pass: their Id once loaded, `None` in a dry run.
    pub sheet_done: HashMap<u64, Option<String>>,
}

impl LookupTable {
    pub fn resolve(&self, key: &str) -> Resolved<'_> {
        match self.found.get(key).map(Vec::as_slice) {
            Some([one]) => Resolved::Found(one),
            Some(many) if many.len() > 1 => Resolved::Ambiguous(many),
            _ if self.sheet.contains_key(key) => match self.sheet[key].as_slice() {
                [row] => match self.sheet_done.get(row) {
                    Some(id) => Resolved::FromRow {
                        row: *row,
                        id: id.as_deref(),
                    },
                    None => Resolved::RowNotImported(*row),
                },
                rows => Resolved::RowsAmbiguous(rows),
            },
            _ => match (self.cannot_create.get(key), self.to_create.get(key)) {
                (Some(reason), _) => Resolved::CannotCreate(reason),
                (None, Some(name)) => Resolved::WillCreate(name),
                (None, None) => Resolved::Missing,
            },
        }
    }

    /// Records a text that matched nothing may have meant.
    pub fn near(&self, key: &str) -> &[Parent] {
        self.near.get(key).map_or(&[], Vec::as_slice)
    }

    fn add(&mut self, key: String, parent: Parent) {
        let list = self.found.entry(key).or_default();
        if !list.iter().any(|p| p.id == parent.id) {
            list.push(parent);
        }
    }
}

/// Finds the parents of every distinct text of one lookup: `texts` maps each normalised text
/// to the text first written for it. Costs one query per match field and list of texts that
/// fits in a query URL, plus one per 50 names that matched nothing exactly (compared by their
/// first word). A text that is not an Id is not asked about by `Id`: it names no record, and
/// sent it would fail the query of every other text.
pub async fn find_parents(
    client: &Client,
    rule: &LookupRule,
    texts: &HashMap<String, String>,
) -> Result<LookupTable, ApiError> {
    let mut table = LookupTable::default();
    let mut select = vec!["Id".to_string(), "Name".to_string()];
    for f in &rule.match_on {
        if !select.iter().any(|s| s.eq_ignore_ascii_case(f)) {
            select.push(f.clone());
        }
    }
    let active = if rule.object.eq_ignore_ascii_case("User") {
        " AND IsActive = true"
    } else {
        ""
    };
    let base = format!("SELECT {} FROM {} WHERE ", select.join(", "), rule.object);
    for field in &rule.match_on {
        let by_id = field.eq_ignore_ascii_case("Id");
        let raws: Vec<&String> = texts
            .values()
            .filter(|raw| rule.fields_for(raw).contains(&field.as_str()))
            .filter(|raw| !by_id || soql_text::check_id(raw).is_ok())
            .collect();
        for list in soql_text::in_lists(field, &raws, IN_LIST_BYTES) {
            let soql = format!("{base}{list}{active}");
            add_records(client, rule, &soql, &select, &mut table).await?;
        }
    }
    if rule.match_on.iter().any(|f| f.eq_ignore_ascii_case("Name")) {
        let mut prefixes: Vec<String> = texts
            .iter()
            .filter(|(key, raw)| !table.found.contains_key(*key) && !raw.contains('@'))
            .filter_map(|(_, raw)| first_word(raw))
            .collect();
        prefixes.sort();
        prefixes.dedup();
        for chunk in prefixes.chunks(50) {
            let clauses: Vec<String> = chunk
                .iter()
                .map(|p| format!("Name LIKE {}", like_any_accent(p)))
                .collect();
            let soql = format!("{base}({}){active}", clauses.join(" OR "));
            add_records(client, rule, &soql, &select, &mut table).await?;
        }
    }
    // Sorted once, so that each text finds the names sharing its first word by range, not by
    // a scan of every record found.
    let sorted = by_folded_key(&table.found);
    let near: HashMap<String, Vec<Parent>> = texts
        .iter()
        .filter(|(key, _)| !table.found.contains_key(*key))
        .filter_map(|(key, raw)| {
            let near = near_matches(&sorted, key, raw);
            (!near.is_empty()).then(|| (key.clone(), near))
        })
        .collect();
    table.near = near;
    table.found.retain(|key, _| texts.contains_key(key));
    Ok(table)
}

/// How many near matches are kept for one text.
const NEAR_KEPT: usize = 5;

/// `Sönron` → `sonron`: lower case, and Latin letters without their accents, so that a name
/// written without them (or with others) is still near the record's.
pub fn fold_accents(text: &str) -> String {
    let mut folded = String::with_capacity(text.len());
    for c in text.chars().flat_map(char::to_lowercase) {
        let plain = match c {
            'à'..='å' | 'ā' | 'ă' | 'ą' => "a",
            'ç' | 'ć' | 'č' => "c",
            'è'..='ë' | 'ē' | 'ė' | 'ę' | 'ě' => "e",
            'ì'..='ï' | 'ī' | 'į' | 'ı' => "i",
            'ñ' | 'ń' | 'ň' => "n",
            'ò'..='ö' | 'ø' | 'ō' | 'ő' => "o",
            'ù'..='ü' | 'ū' | 'ů' | 'ű' => "u",
            'ý' | 'ÿ' => "y",
            'ś' | 'š' | 'ş' => "s",
            'ź' | 'ż' | 'ž' => "z",
            'ď' | 'đ' => "d",
            'ğ' => "g",
            'ł' => "l",
            'ř' => "r",
            'ť' => "t",
            'ß' => "ss",
            'æ' => "ae",
            'œ' => "oe",
            other => {
                folded.push(other);
                continue;
            }
        };
        folded.push_str(plain);
    }
    folded
}

/// Records found by their compared text with accents folded, parents of texts that fold
/// alike together.
fn by_folded_key(found: &HashMap<String, Vec<Parent>>) -> BTreeMap<String, Vec<&Parent>> {
    let mut sorted: BTreeMap<String, Vec<&Parent>> = BTreeMap::new();
    for (key, parents) in found {
        sorted
            .entry(fold_accents(key))
            .or_default()
            .extend(parents.iter());
    }
    sorted
}

/// A `LIKE` pattern for names starting like `word` whatever accents its vowels carry, on
/// either side: `Sonron` → `'S_nr_n%'`. The first letter stays, so the search stays narrow.
fn like_any_accent(word: &str) -> String {
    let mut pattern = String::new();
    let mut literal = String::new();
    let flush = |literal: &mut String, pattern: &mut String| {
        if !literal.is_empty() {
            let quoted = soql_text::quote(literal);
            let inner = &quoted[1..quoted.len() - 1];
            pattern.push_str(&inner.replace('%', "\\%").replace('_', "\\_"));
            literal.clear();
        }
    };
    for (i, c) in word.chars().enumerate() {
        let vowel = matches!(
            fold_accents(&c.to_string()).as_str(),
            "a" | "e" | "i" | "o" | "u" | "y"
        );
        if i > 0 && (vowel || !c.is_ascii()) {
            flush(&mut literal, &mut pattern);
            pattern.push('_');
        } else {
            literal.push(c);
        }
    }
    flush(&mut literal, &mut pattern);
    format!("'{pattern}%'")
}

/// Records found whose compared text starts with the first word of `raw`, closest to `key`
/// (`raw` as compared) first, accents and case aside: what a person who wrote `raw` probably
/// meant.
fn near_matches(found: &BTreeMap<String, Vec<&Parent>>, key: &str, raw: &str) -> Vec<Parent> {
    let Some(word) = first_word(raw).map(|w| fold_accents(&w)) else {
        return Vec::new();
    };
    let key = fold_accents(key);
    let mut near: Vec<(usize, &Parent)> = found
        .range(word.clone()..)
        .take_while(|(other, _)| other.starts_with(&word))
        .flat_map(|(other, parents)| {
            let distance = edit_distance(&key, other);
            parents.iter().map(move |p| (distance, *p))
        })
        .collect();
    near.sort_by(|(d1, a), (d2, b)| {
        d1.cmp(d2)
            .then_with(|| a.name.cmp(&b.name))
            .then_with(|| a.id.cmp(&b.id))
    });
    let mut kept: Vec<Parent> = Vec::new();
    for (_, parent) in near {
        if kept.len() == NEAR_KEPT {
            break;
        }
        if !kept.iter().any(|p| p.id == parent.id) {
            kept.push(parent.clone());
        }
    }
    kept
}

/// The first word of a name without trailing punctuation, when it says enough to search by.
fn first_word(text: &str) -> Option<String> {
    let word = text
        .split_whitespace()
        .next()?
        .trim_end_matches(|c: char| !c.is_alphanumeric());
    (word.chars().count() >= 3).then(|| word.to_string())
}

async fn add_records(
    client: &Client,
    rule: &LookupRule,
    soql: &str,
    select: &[String],
    table: &mut LookupTable,
) -> Result<(), ApiError> {
    let pages: Vec<_> = client
        .query::<Map<String, Value>>(soql, Some(BatchSize(2000)))
        .try_collect()
        .await?;
    for record in pages.into_iter().flat_map(|p| p.records) {
        let text = |name: &str| record.get(name).and_then(Value::as_str).map(str::to_string);
        let Some(id) = text("Id") else { continue };
        let name = text("Name").unwrap_or_else(|| id.clone());
        for field in select.iter().skip(1) {
            if !rule.match_on.iter().any(|m| m.eq_ignore_ascii_case(field)) {
                continue;
            }
            if let Some(value) = text(field) {
                let key = normalise_for(rule, &value);
                table.add(
                    key,
                    Parent {
                        id: id.clone(),
                        name: name.clone(),
                    },
                );
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn company_names_written_three_ways_are_one_company() {
        for text in [
            "Acme Corporation",
            "ACME CORP.",
            " acme  corporation ",
            "Acme, Inc.",
            "Acme",
        ] {
            assert_eq!(company_key(text), "acme", "{text}");
        }
        assert_eq!(company_key("Acne Corporation"), "acne");
        assert_eq!(
            company_key("Müller Maschinenbau GmbH"),
            "müller maschinenbau"
        );
        // A name that is only a suffix word keeps it.
        assert_eq!(company_key("Company"), "company");
    }

    #[test]
    fn one_match_is_found_two_are_ambiguous() {
        let mut table = LookupTable::default();
        let parent = |id: &str| Parent {
            id: id.into(),
            name: "Acme".into(),
        };
        table.add("acme".into(), parent("001A"));
        table.add("acme".into(), parent("001A"));
        assert_eq!(table.resolve("acme"), Resolved::Found(&parent("001A")));
        table.add("acme".into(), parent("001B"));
        assert!(matches!(table.resolve("acme"), Resolved::Ambiguous(list) if list.len() == 2));
        table.to_create.insert("zeta".into(), "Zeta Ltd".into());
        assert_eq!(table.resolve("zeta"), Resolved::WillCreate("Zeta Ltd"));
        assert_eq!(table.resolve("nope"), Resolved::Missing);
    }

    #[test]
    fn names_fold_accents_and_search_any_accent_on_vowels() {
        assert_eq!(fold_accents("Sönron ÆSIR Straße"), "sonron aesir strasse");
        assert_eq!(like_any_accent("Sonron"), "'S_nr_n%'");
        assert_eq!(like_any_accent("Sönr_n"), "'S_nr\\_n%'");
    }

    #[test]
    fn near_matches_share_the_first_word_and_come_closest_first() {
        let parent = |id: &str, name: &str| Parent {
            id: id.into(),
            name: name.into(),
        };
        let mut found: HashMap<String, Vec<Parent>> = HashMap::new();
        for p in [
            parent("001C", "Acme Rockets"),
            parent("001A", "Acme Corporation"),
            parent("001B", "Globex Inc"),
            parent("001D", "Acmeco"),
            parent("001E", "Ace Hardware"),
        ] {
            found.entry(company_key(&p.name)).or_default().push(p);
        }
        let near = |found: &HashMap<String, Vec<Parent>>, raw: &str| -> Vec<String> {
            let by_key = by_folded_key(found);
            near_matches(&by_key, &company_key(raw), raw)
                .into_iter()
                .map(|p| p.name)
                .collect()
        };
        assert_eq!(
            near(&found, "ACME Crop"),
            ["Acmeco", "Acme Corporation", "Acme Rockets"],
            "every name starting with the first word, as `LIKE` finds them, the closest first"
        );
        assert_eq!(
            near(&found, "Acme Rockts"),
            ["Acme Rockets", "Acmeco", "Acme Corporation"],
            "the closest first"
        );
        assert!(near(&found, "Globx").is_empty(), "another first word");
        assert!(near(&found, "Ac").is_empty(), "too short to search by");
        for n in 0..8 {
            found
                .entry(format!("acme {n}"))
                .or_default()
                .push(parent(&format!("002{n}"), &format!("Acme {n}")));
        }
        assert_eq!(near(&found, "Acme").len(), NEAR_KEPT);
    }
}
