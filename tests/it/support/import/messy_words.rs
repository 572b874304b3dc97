//! The words the messy sheets are made of, and the lists of misspellings a lookup must not know.

use std::collections::HashSet;

use super::product_value_map;

/// Legal-form words an account lookup ignores at the end of a name.
pub const SUFFIX_WORDS: [&str; 12] = [
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

/// The manager's stage names and the Salesforce stages they stand for.
pub const HIS_STAGES: [(&str, &str); 7] = [
    ("Cold", "Prospecting"),
    ("Qualified", "Qualification"),
    ("Demo Done", "Needs Analysis"),
    ("Proposal Sent", "Proposal/Price Quote"),
    ("Negotiating", "Negotiation/Review"),
    ("Won", "Closed Won"),
    ("Lost", "Closed Lost"),
];

pub const SALESFORCE_STAGES: [&str; 10] = [
    "Prospecting",
    "Qualification",
    "Needs Analysis",
    "Value Proposition",
    "Id. Decision Makers",
    "Perception Analysis",
    "Proposal/Price Quote",
    "Negotiation/Review",
    "Closed Won",
    "Closed Lost",
];

/// How often each Salesforce stage is the truth, in the older sheet and in the export: old
/// deals are mostly closed.
pub const STAGE_WEIGHTS: [[u32; 10]; 2] = [
    [3, 3, 2, 2, 1, 1, 3, 3, 45, 37],
    [10, 10, 8, 6, 4, 4, 10, 8, 22, 18],
];

pub const STAGE_TYPOS: [&str; 8] = [
    "Wonn",
    "Proposal Snet",
    "Negociating",
    "Qualifed",
    "Demo Dnoe",
    "Lsot",
    "Clsoed Won",
    "Prospectng",
];

pub const PRODUCTS: [(&str, u32); 8] = [
    ("Widget Pro", 30),
    ("Widget Mini", 12),
    ("Gadget Max", 18),
    ("Gadget Plus", 10),
    ("Gizmo Lite", 12),
    ("Gizmo Enterprise", 6),
    ("Sprocket Suite", 7),
    ("Support Plan", 5),
];

/// Misspelt products no value map knows: they pass through as written.
pub const PRODUCT_TYPOS: [&str; 4] = ["Widgt Pro", "Gadget Mx", "Gizmo Lte", "Sprocket Suiet"];

pub const DEAL_KINDS: [&str; 8] = [
    "renewal",
    "new business",
    "expansion",
    "pilot",
    "upgrade",
    "add-on",
    "phase 2",
    "multi-year",
];

#[rustfmt::skip]
pub const STEMS: [&str; 88] = [
    "Alder", "Amberly", "Arcturus", "Ashford", "Aurora", "Avalon", "Bayside", "Birchwood",
    "Blackburn", "Bramble", "Brookfield", "Calloway", "Camden", "Carrow", "Castleton", "Chesterly",
    "Cobalt", "Crestline", "Dalton", "Danforth", "Delmar", "Dunmore", "Eastgate", "Elmhurst",
    "Emberly", "Fairhaven", "Fenwick", "Foxhall", "Galloway", "Garnet", "Glenrock", "Greyhawk",
    "Halcyon", "Hartwell", "Hawthorne", "Helix", "Holloway", "Ingram", "Ivory", "Jasper",
    "Kessler", "Kinross", "Lanford", "Larkspur", "Linden", "Lockwood", "Lyndon", "Marlowe",
    "Mayfield", "Midvale", "Millbrook", "Northgate", "Norwood", "Oberon", "Onyx", "Paxton",
    "Pembrook", "Quincy", "Radford", "Ravenwood", "Redfern", "Rockport", "Rutherford", "Saltmarsh",
    "Sherwood", "Solano", "Stratford", "Sunbury", "Talbot", "Thistle", "Torrance", "Truro",
    "Tyndall", "Ulster", "Vesper", "Walden", "Waverly", "Wexford", "Whitcombe", "Winslow", "Wren",
    "Yardley", "Zenith", "Ashgrove", "Belmont", "Carlisle", "Dorset", "Everly",
];

pub const SECTORS: [&str; 17] = [
    "Software",
    "Freight",
    "Industries",
    "Medical",
    "Robotics",
    "Textiles",
    "Instruments",
    "Holdings",
    "Outdoor",
    "Printing",
    "Bakery",
    "Pharma",
    "Marine",
    "Aerospace",
    "Ceramics",
    "Capital",
    "Packaging",
];

pub const LEGAL_FORMS: [&str; 7] = ["Inc.", "LLC", "Ltd", "Corporation", "", "Company", "Inc"];

/// Accounts whose names carry punctuation or letters beyond ASCII, as real ones do.
pub const NAMED_ACCOUNTS: [&str; 12] = [
    "Acme Corporation",
    "O'Malley Printing Inc.",
    "Hadley & Sons Ltd",
    "Pemberton (UK) Limited",
    "Müller Maschinenbau GmbH",
    "Café Olé Ltd",
    "Société Générale Logistique",
    "Björk Design AB",
    "Nuñez Importaciones SA",
    "Øresund Shipping ApS",
    "Zürich Präzision AG",
    "Ångström Optik GmbH",
];

/// The typo lists must really be unknown, or a "wrong" row would be right.
pub fn check_word_lists(known: &HashSet<String>) {
    for typo in STAGE_TYPOS {
        let t = typo.to_lowercase();
        assert!(
            !HIS_STAGES.iter().any(|(his, _)| his.to_lowercase() == t)
                && !SALESFORCE_STAGES.contains(&typo),
            "stage typo {typo} is a real stage"
        );
    }
    let map = product_value_map();
    for typo in PRODUCT_TYPOS {
        assert!(
            !map.iter().any(|(s, _)| s.eq_ignore_ascii_case(typo)),
            "product typo {typo} is mapped"
        );
    }
    assert!(known.iter().all(|n| !n.is_empty()));
}
