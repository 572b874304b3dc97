//! Plain phrases typed into the palette, understood as actions: "sync salesforce data",
//! "what's the salesforce sync status?", "show salesforce sync errors", "update ACME health
//! score in salesforce". Pure: the model in, a suggestion out.

use chrono::Utc;

use crate::desktop::Request;
use crate::sync::link::{Direction, LocalSource};
use crate::ui::Page;
use crate::ui::command::Command;
use crate::ui::format::{group_thousands, relative_time};
use crate::ui::model::Model;

use super::super::dashboard::health::{self, Light};

/// What a phrase means: a title for the action, an answer when it is a question, and what
/// to do when it is chosen.
#[derive(Debug, Clone, PartialEq)]
pub struct Intent {
    pub title: String,
    pub answer: Option<String>,
    pub commands: Vec<Command>,
}

/// Words that carry no meaning for matching.
const FILLER: [&str; 22] = [
    "the",
    "a",
    "an",
    "in",
    "to",
    "of",
    "for",
    "on",
    "my",
    "our",
    "salesforce",
    "sf",
    "data",
    "please",
    "now",
    "with",
    "from",
    "into",
    "and",
    "is",
    "what",
    "whats",
];

fn words(text: &str) -> Vec<String> {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(|w| w.to_lowercase())
        .collect()
}

/// "Health_Score__c" → ["health", "score"]; "healthScore" stays one word.
fn name_words(name: &str) -> Vec<String> {
    words(&name.trim_end_matches("__c").replace('_', " "))
}

pub fn interpret(query: &str, model: &Model) -> Option<Intent> {
    let all = words(&query.replace('\'', ""));
    if all.is_empty() {
        return None;
    }
    let has = |options: &[&str]| all.iter().any(|w| options.contains(&w.as_str()));
    if has(&["update", "push", "send", "upload", "set"])
        && let Some(intent) = push_record(query, &all, model)
    {
        return Some(intent);
    }
    if has(&[
        "error", "errors", "failed", "failure", "failures", "rejected",
    ]) {
        return Some(Intent {
            title: "Show sync errors".to_string(),
            answer: Some(error_answer(model)),
            commands: vec![Command::Navigate(Page::Errors)],
        });
    }
    if has(&["status", "state", "healthy", "working", "going"])
        || (has(&["when", "last"]) && has(&["sync", "synced", "run"]))
    {
        return Some(Intent {
            title: "Show the sync status".to_string(),
            answer: Some(status_answer(model)),
            commands: vec![Command::Navigate(Page::Dashboard)],
        });
    }
    if has(&["conflict", "conflicts"]) {
        return Some(navigate("Review conflicts", Page::Conflicts));
    }
    if has(&["history", "runs"]) {
        return Some(navigate("Show the history of runs", Page::History));
    }
    if has(&[
        "sync",
        "synchronize",
        "synchronise",
        "refresh",
        "pull",
        "run",
    ]) {
        if let Some(link) = named_link(&all, model) {
            return Some(Intent {
                title: format!("Sync {link} now"),
                answer: None,
                commands: vec![Command::Send(Request::SyncNow { link })],
            });
        }
        if model.links.is_empty() {
            return Some(Intent {
                title: "Map a link first".to_string(),
                answer: Some("There is nothing to sync yet: map a Salesforce object to a local table in the mapping studio.".to_string()),
                commands: vec![Command::Navigate(Page::Mappings)],
            });
        }
        return Some(Intent {
            title: "Sync all links now".to_string(),
            answer: None,
            commands: vec![Command::Send(Request::SyncAll)],
        });
    }
    if has(&["connect", "login", "sign"]) {
        return Some(Intent {
            title: "Connect org…".to_string(),
            answer: None,
            commands: vec![Command::OpenConnectWizard],
        });
    }
    if has(&["map", "mapping", "mappings", "field", "fields"]) {
        return Some(navigate("Open the mapping studio", Page::Mappings));
    }
    if has(&["import", "csv", "spreadsheet", "xlsx"]) {
        return Some(navigate("Import a spreadsheet", Page::Import));
    }
    if has(&["settings", "schedule", "theme", "preferences"]) {
        return Some(navigate("Open settings", Page::Settings));
    }
    None
}

fn navigate(title: &str, page: Page) -> Intent {
    Intent {
        title: title.to_string(),
        answer: None,
        commands: vec![Command::Navigate(page)],
    }
}

fn named_link(all: &[String], model: &Model) -> Option<String> {
    model
        .links
        .iter()
        .find(|card| {
            let name = name_words(&card.link.name);
            !name.is_empty() && name.iter().all(|w| all.contains(w))
        })
        .map(|card| card.link.name.clone())
}

/// "update ACME health score in salesforce": the link that pushes a field named like the
/// words, and the record the other words name.
fn push_record(query: &str, all: &[String], model: &Model) -> Option<Intent> {
    const VERBS: [&str; 5] = ["update", "push", "send", "upload", "set"];
    let meaningful: Vec<&String> = all
        .iter()
        .filter(|w| !VERBS.contains(&w.as_str()) && !FILLER.contains(&w.as_str()))
        .collect();
    let mut best: Option<(usize, &crate::desktop::LinkCard, Vec<String>)> = None;
    for card in &model.links {
        for field in card
            .link
            .fields
            .iter()
            .filter(|f| f.direction != Direction::Pull)
        {
            let mut names = name_words(&field.remote);
            if let LocalSource::Column(column) = &field.local {
                names.extend(name_words(column));
            }
            let matched = meaningful.iter().filter(|w| names.contains(w)).count();
            if matched > 0 && best.as_ref().is_none_or(|(score, _, _)| matched > *score) {
                best = Some((matched, card, name_words(&field.remote)));
            }
        }
    }
    let (_, card, field_words) = best?;
    let record: Vec<&str> = query
        .split(|c: char| !c.is_alphanumeric() && c != '\'' && c != '-' && c != '.')
        .filter(|w| {
            let lower = w.to_lowercase().replace('\'', "");
            !w.is_empty()
                && !VERBS.contains(&lower.as_str())
                && !FILLER.contains(&lower.as_str())
                && !field_words.contains(&lower)
                && !name_words(&card.link.name).contains(&lower)
        })
        .collect();
    let field = field_words.join(" ");
    let title = match record.is_empty() {
        true => format!("Sync {} now: sends {field} to Salesforce", card.link.name),
        false => format!(
            "Sync {} now: sends {}'s {field} to Salesforce",
            card.link.name,
            record.join(" ")
        ),
    };
    let link = card.link.name.clone();
    // A named record is read and sent alone; without one, the whole link runs.
    let (answer, request) = match record.is_empty() {
        true => (
            "Tether sends every changed row of the link.",
            Request::SyncNow { link },
        ),
        false => (
            "Only this record is read and sent; the rest of the link waits for its next run.",
            Request::SyncNamedRecord {
                link,
                name: record.join(" "),
            },
        ),
    };
    Some(Intent {
        title,
        answer: Some(answer.to_string()),
        commands: vec![Command::Send(request)],
    })
}

fn status_answer(model: &Model) -> String {
    if model.links.is_empty() {
        return "No links yet: map one in the mapping studio.".to_string();
    }
    let now = Utc::now();
    let mut healthy = 0;
    let mut attention = Vec::new();
    for card in &model.links {
        let (light, reason) = health::light(card, model.connection(&card.link.connection), now);
        match light {
            Light::Green => healthy += 1,
            _ => attention.push(format!("{}: {}", card.link.name, lower_first(&reason))),
        }
    }
    let running = model.syncs.len();
    let last = model
        .links
        .iter()
        .filter_map(|c| c.last_run.as_ref())
        .map(|r| r.started_at)
        .max();
    let mut parts = vec![format!(
        "{} of {} links healthy",
        healthy,
        model.links.len()
    )];
    if running > 0 {
        parts.push(format!("{running} syncing now"));
    }
    if let Some(last) = last {
        parts.push(format!(
            "last sync {}",
            relative_time((now - last).to_std().unwrap_or_default())
        ));
    }
    let mut answer = parts.join(", ");
    if !attention.is_empty() {
        answer.push_str(". Needs attention: ");
        answer.push_str(&attention.join("; "));
    }
    answer.push('.');
    answer
}

/// "Not synced yet" → "not synced yet", leaving names inside the sentence alone.
fn lower_first(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_lowercase().chain(chars).collect(),
        None => String::new(),
    }
}

fn error_answer(model: &Model) -> String {
    let failed: u64 = model
        .links
        .iter()
        .filter_map(|c| c.last_run.as_ref())
        .map(|r| r.counts.failed)
        .sum();
    match failed {
        0 => "The last runs had no failed records.".to_string(),
        1 => "1 record failed in the last runs.".to_string(),
        n => format!("{} records failed in the last runs.", group_thousands(n)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::desktop::LinkCard;
    use crate::sync::link::FieldMapping;

    fn model() -> Model {
        let mut health = crate::sync::templates::lead_scores_link("Acme", 7);
        health.name = "customer-health".into();
        health.fields = vec![
            FieldMapping::column("name", "Name", Direction::Pull),
            FieldMapping::column("health_score", "Health_Score__c", Direction::Push),
        ];
        let mut accounts = health.clone();
        accounts.name = "accounts".into();
        accounts.fields = vec![FieldMapping::column(
            "industry",
            "Industry",
            Direction::Both,
        )];
        let mut model = Model::default();
        model.connections.push(crate::desktop::ConnectionView {
            name: "Acme".into(),
            username: "admin@acme.example".into(),
            org_id: "00D".into(),
            instance_url: "http://127.0.0.1:9".into(),
            login_url: "http://127.0.0.1:9".into(),
            embedded: false,
            status: crate::desktop::ConnectionStatus::Ok,
            api_usage: None,
            connected_at: chrono::Utc::now(),
        });
        for link in [accounts, health] {
            model.links.push(LinkCard {
                link,
                last_run: None,
                last_success: None,
                next_run: None,
                open_conflicts: 0,
                open_errors: 0,
            });
        }
        model
    }

    fn sync(link: &str) -> Vec<Command> {
        vec![Command::Send(Request::SyncNow { link: link.into() })]
    }

    #[test]
    fn the_phrases_of_the_guide_are_understood() {
        let model = model();
        let cases: Vec<(&str, Vec<Command>)> = vec![
            (
                "sync salesforce data",
                vec![Command::Send(Request::SyncAll)],
            ),
            (
                "what's the salesforce sync status?",
                vec![Command::Navigate(Page::Dashboard)],
            ),
            (
                "show salesforce sync errors",
                vec![Command::Navigate(Page::Errors)],
            ),
            (
                "update ACME health score in salesforce",
                vec![Command::Send(Request::SyncNamedRecord {
                    link: "customer-health".into(),
                    name: "ACME".into(),
                })],
            ),
            ("push the health score", sync("customer-health")),
            ("sync accounts", sync("accounts")),
            ("sync customer health", sync("customer-health")),
            (
                "when did it last sync",
                vec![Command::Navigate(Page::Dashboard)],
            ),
            ("open conflicts", vec![Command::Navigate(Page::Conflicts)]),
            ("connect a new org", vec![Command::OpenConnectWizard]),
        ];
        for (phrase, expected) in cases {
            let intent =
                interpret(phrase, &model).unwrap_or_else(|| panic!("{phrase} not understood"));
            assert_eq!(intent.commands, expected, "{phrase}");
        }
        assert_eq!(interpret("xyzzy", &model), None);
    }

    #[test]
    fn updating_a_record_names_it_and_the_field() {
        let intent = interpret("update ACME health score in salesforce", &model()).unwrap();
        assert_eq!(
            intent.title,
            "Sync customer-health now: sends ACME's health score to Salesforce"
        );
    }

    #[test]
    fn a_status_question_is_answered_in_words() {
        let intent = interpret("what's the salesforce sync status?", &model()).unwrap();
        let answer = intent.answer.unwrap();
        assert!(answer.starts_with("0 of 2 links healthy"), "{answer}");
        assert!(
            answer.contains("customer-health: not synced yet"),
            "{answer}"
        );
    }

    #[test]
    fn syncing_without_links_leads_to_the_mapping_studio() {
        let intent = interpret("sync salesforce data", &Model::default()).unwrap();
        assert_eq!(intent.commands, vec![Command::Navigate(Page::Mappings)]);
    }
}
