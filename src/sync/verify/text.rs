//! Words about names and conditions: spelling suggestions and SOQL balance.

use crate::salesforce::ObjectDescribe;

/// `Did you mean …?` for a misspelt field: the closest name within a few edits.
pub(super) fn suggestion(describe: &ObjectDescribe, name: &str) -> String {
    let lower = name.to_ascii_lowercase();
    let allowed = (name.len() / 4).max(2);
    describe
        .fields
        .iter()
        .map(|f| (edit_distance(&f.name.to_ascii_lowercase(), &lower), f))
        .filter(|(d, _)| *d <= allowed)
        .min_by_key(|(d, _)| *d)
        .map(|(_, f)| format!(" (did you mean `{}`?)", f.name))
        .unwrap_or_default()
}

/// The names closest to `written` (case aside), nearest first: at most three, each within a
/// few edits, so that a typo finds its word and nonsense finds nothing.
pub fn closest_names<'a>(written: &str, names: impl IntoIterator<Item = &'a str>) -> Vec<&'a str> {
    let lower = written.to_ascii_lowercase();
    let allowed = (written.chars().count() / 3).max(2);
    let mut near: Vec<(usize, &str)> = names
        .into_iter()
        .map(|name| (edit_distance(&name.to_ascii_lowercase(), &lower), name))
        .filter(|(d, _)| *d <= allowed)
        .collect();
    near.sort();
    near.into_iter().take(3).map(|(_, name)| name).collect()
}

/// Levenshtein distance over characters.
pub(crate) fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut diagonal = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let substitution = diagonal + usize::from(ca != *cb);
            diagonal = row[j + 1];
            row[j + 1] = substitution.min(row[j] + 1).min(diagonal + 1);
        }
    }
    row[b.len()]
}

#[cfg(test)]
mod tests {
    use super::{closest_names, edit_distance};
    use crate::sync::verify::describe::Affinity;

    #[test]
    fn closest_names_find_a_typo_and_not_nonsense() {
        let names = ["Account", "AccountContactRelation", "Contact", "Asset"];
        assert_eq!(closest_names("acount", names), ["Account"]);
        assert_eq!(closest_names("Contacts", names), ["Contact"]);
        assert!(closest_names("Zebra_Farm__c", names).is_empty());
    }

    #[test]
    fn edit_distance_counts_single_character_edits() {
        let cases = [
            ("health_score__c", "helth_score__c", 1),
            ("email", "emial", 2),
            ("name", "name", 0),
            ("", "abc", 3),
            ("abc", "", 3),
        ];
        for (a, b, expected) in cases {
            assert_eq!(edit_distance(a, b), expected, "{a} / {b}");
        }
    }

    #[test]
    fn declared_types_map_to_sqlites_affinities() {
        let cases = [
            ("INTEGER", Affinity::Integer),
            ("BIGINT", Affinity::Integer),
            ("VARCHAR(40)", Affinity::Text),
            ("text", Affinity::Text),
            ("", Affinity::Blob),
            ("REAL", Affinity::Real),
            ("DOUBLE PRECISION", Affinity::Real),
            ("BOOLEAN", Affinity::Numeric),
            ("DATE", Affinity::Numeric),
        ];
        for (declared, expected) in cases {
            assert_eq!(Affinity::of_declared(declared), expected, "{declared}");
        }
    }
}
