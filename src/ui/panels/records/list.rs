//! The list of an object's records: columns from describe, sort, filters, search, paging.
//! Its state and intents; [`list_view`](super::list_view) draws it. Every page is asked of the
//! service and arrives as an event, so the window never waits on the org.

use egui::Ui;

use crate::browse::{Catalog, Filter, ListPlan, ListSpec, Page, Pager, Sort};
use crate::desktop::{
    Event, ObjectChoice, PageRequest, RecordsEvent, RecordsRequest, Request, Topic,
};
use crate::ui::command::Commands;
use crate::ui::model::Model;

/// Intents of the record list.
#[derive(Debug, Clone, PartialEq)]
pub enum ListCommand {
    /// Lists another connection's objects.
    ChooseConnection(String),
    /// Asks for the chosen connection's objects (the page asks once per connection).
    LoadObjects,
    ChooseObject(String),
    /// Sorts by a column; again on the same column turns the direction around.
    SortBy(String),
    /// Searches (SOSL) for the text; blank lists every record again.
    Search(String),
    AddFilter(Filter),
    RemoveFilter(usize),
    AddColumn(String),
    RemoveColumn(String),
    Next,
    Previous,
    /// Asks for the page shown again.
    Refresh,
}

#[derive(Default)]
pub struct ListState {
    pub connection: Option<String>,
    pub(super) objects: Vec<ObjectChoice>,
    /// The connection whose objects were asked for.
    pub(super) objects_for: Option<String>,
    pub object: String,
    /// What the object picker holds and its search box.
    pub(super) picked: String,
    pub(super) object_search: String,
    pub(super) catalog: Option<Box<Catalog>>,
    pub(super) columns: Vec<String>,
    pub(super) sort: Option<Sort>,
    pub(super) filters: Vec<Filter>,
    pub(super) search: String,
    pub(super) pager: Pager,
    pub(super) page: Option<Page>,
    /// The columns of the page shown, and of the page asked for.
    pub(super) page_columns: Vec<String>,
    pending_columns: Vec<String>,
    /// What the last change or answer got wrong, said for the person.
    pub(super) error: Option<String>,
    pub(super) loading: bool,
    /// The page request whose answer is awaited; older answers are dropped.
    ticket: u64,
    /// Set by an event that needs a page, asked on the next frame (events have no outbox).
    pub(super) want_page: bool,
    // What is being typed.
    pub(super) search_input: String,
    pub(super) filter_field: String,
    pub(super) filter_operator: String,
    pub(super) filter_value: String,
    pub(super) column_search: String,
    /// The object last listed on each connection, shown again when the page opens there.
    pub remembered: std::collections::BTreeMap<String, String>,
    /// Whether the page has chosen its object for this connection by itself once.
    pub(super) opened_by_itself: bool,
}

impl ListState {
    /// The page shown, if any.
    pub fn page(&self) -> Option<&Page> {
        self.page.as_ref()
    }

    pub fn on_event(&mut self, event: &Event) {
        match event {
            Event::Records(RecordsEvent::Objects {
                connection,
                objects,
            }) if Some(connection) == self.connection.as_ref() => {
                self.objects = objects.clone();
            }
            Event::Records(RecordsEvent::Columns {
                connection,
                object,
                catalog,
            }) if Some(connection) == self.connection.as_ref() && *object == self.object => {
                match catalog {
                    Ok(catalog) => {
                        self.columns = catalog.default_columns();
                        self.catalog = Some(catalog.clone());
                        self.want_page = true;
                    }
                    Err(message) => {
                        self.error = Some(message.clone());
                        self.loading = false;
                    }
                }
            }
            Event::Records(RecordsEvent::Page { ticket, page }) if *ticket == self.ticket => {
                self.loading = false;
                match page {
                    Ok(page) => {
                        self.page = Some((**page).clone());
                        self.page_columns = self.pending_columns.clone();
                        self.error = None;
                    }
                    Err(message) => self.error = Some(message.clone()),
                }
            }
            Event::Failed {
                topic: Topic::Records,
                ..
            } => self.loading = false,
            _ => {}
        }
    }

    pub fn apply(&mut self, command: ListCommand, out: &mut Vec<Request>) {
        match command {
            ListCommand::ChooseConnection(connection) => {
                if self.connection.as_ref() != Some(&connection) {
                    *self = ListState {
                        connection: Some(connection),
                        remembered: std::mem::take(&mut self.remembered),
                        ..ListState::default()
                    };
                    self.load_objects(out);
                }
            }
            ListCommand::LoadObjects => self.load_objects(out),
            ListCommand::ChooseObject(object) => self.choose_object(object, out),
            ListCommand::SortBy(path) => {
                let descending = matches!(&self.sort, Some(s) if s.path == path && !s.descending);
                self.sort = Some(Sort { path, descending });
                self.first_page(out);
            }
            ListCommand::Search(text) => {
                self.search = text.trim().to_string();
                self.search_input = self.search.clone();
                self.first_page(out);
            }
            ListCommand::AddFilter(filter) => {
                // Checked here, before anything is sent: the message names the field.
                if let Some(catalog) = &self.catalog
                    && let Err(e) = filter.condition(catalog)
                {
                    self.error = Some(e.to_string());
                    return;
                }
                self.filters.push(filter);
                self.filter_value.clear();
                self.first_page(out);
            }
            ListCommand::RemoveFilter(index) => {
                if index < self.filters.len() {
                    self.filters.remove(index);
                    self.first_page(out);
                }
            }
            ListCommand::AddColumn(path) => {
                if !self.columns.contains(&path) {
                    self.columns.push(path);
                    self.ask_page(out);
                }
            }
            ListCommand::RemoveColumn(path) => {
                if self.columns.len() > 1 {
                    self.columns.retain(|c| *c != path);
                    if self.sort.as_ref().is_some_and(|s| s.path == path) {
                        self.sort = None;
                        self.first_page(out);
                    } else {
                        self.ask_page(out);
                    }
                }
            }
            ListCommand::Next => {
                if let Some(key) = self.page.as_ref().and_then(|p| p.next.clone()) {
                    self.pager.next(key);
                    self.ask_page(out);
                }
            }
            ListCommand::Previous => {
                if self.pager.previous() {
                    self.ask_page(out);
                }
            }
            ListCommand::Refresh => self.ask_page(out),
        }
    }

    fn load_objects(&mut self, out: &mut Vec<Request>) {
        if let Some(connection) = &self.connection {
            self.objects_for = Some(connection.clone());
            out.push(Request::Records(RecordsRequest::ListObjects {
                connection: connection.clone(),
            }));
        }
    }

    fn choose_object(&mut self, object: String, out: &mut Vec<Request>) {
        let Some(connection) = self.connection.clone() else {
            return;
        };
        self.picked = object.clone();
        self.object = object.clone();
        self.remembered.insert(connection.clone(), object.clone());
        self.catalog = None;
        self.columns.clear();
        self.sort = None;
        self.filters.clear();
        self.search.clear();
        self.search_input.clear();
        self.filter_field.clear();
        self.pager.reset();
        self.page = None;
        self.error = None;
        self.loading = true;
        out.push(Request::Records(RecordsRequest::Columns {
            connection,
            object,
        }));
    }

    /// The object the page opens on by itself: the one last listed on this connection, else
    /// Account, when the org has it. Once a connection, and never over a choice made.
    pub(super) fn object_to_open(&mut self) -> Option<String> {
        if self.opened_by_itself || !self.object.is_empty() || self.objects.is_empty() {
            return None;
        }
        self.opened_by_itself = true;
        let has = |name: &str| self.objects.iter().any(|o| o.name == name);
        self.connection
            .as_ref()
            .and_then(|c| self.remembered.get(c))
            .filter(|o| has(o))
            .cloned()
            .or_else(|| has("Account").then(|| "Account".to_string()))
    }

    fn first_page(&mut self, out: &mut Vec<Request>) {
        self.pager.reset();
        self.ask_page(out);
    }

    pub(super) fn spec(&self) -> ListSpec {
        ListSpec {
            columns: self.columns.clone(),
            sort: self.sort.clone(),
            filters: self.filters.clone(),
            search: self.search.clone(),
            ..ListSpec::new(&self.object)
        }
    }

    /// The sort the list is in: the chosen one, or the name going up.
    pub(super) fn shown_sort(&self) -> Option<Sort> {
        let catalog = self.catalog.as_ref()?;
        ListPlan::new(&self.spec(), catalog)
            .ok()
            .map(|plan| plan.sort)
    }

    /// Asks for the page the pager is on.
    fn ask_page(&mut self, out: &mut Vec<Request>) {
        let (Some(connection), Some(catalog)) = (&self.connection, &self.catalog) else {
            return;
        };
        self.ticket += 1;
        self.loading = true;
        self.pending_columns = self.columns.clone();
        self.want_page = false;
        out.push(Request::Records(RecordsRequest::Page(Box::new(
            PageRequest {
                ticket: self.ticket,
                connection: connection.clone(),
                catalog: (**catalog).clone(),
                spec: self.spec(),
                after: self.pager.start().cloned(),
            },
        ))));
    }
}

pub fn show(ui: &mut Ui, state: &mut ListState, model: &Model, commands: &mut Commands) {
    super::list_view::show(ui, state, model, commands);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn objects(connection: &str, state: &mut ListState, names: &[&str]) {
        state.on_event(&Event::Records(RecordsEvent::Objects {
            connection: connection.into(),
            objects: names
                .iter()
                .map(|n| ObjectChoice {
                    name: n.to_string(),
                    label: n.to_string(),
                })
                .collect(),
        }));
    }

    fn opened(remembered: &[(&str, &str)], names: &[&str]) -> Option<String> {
        let mut state = ListState {
            remembered: remembered
                .iter()
                .map(|(c, o)| (c.to_string(), o.to_string()))
                .collect(),
            ..ListState::default()
        };
        state.apply(ListCommand::ChooseConnection("Org".into()), &mut Vec::new());
        objects("Org", &mut state, names);
        state.object_to_open()
    }

    #[test]
    fn the_page_opens_on_the_object_last_listed_else_account() {
        for (remembered, names, expected) in [
            (vec![], vec!["Account", "Contact"], Some("Account")),
            (
                vec![("Org", "Contact")],
                vec!["Account", "Contact"],
                Some("Contact"),
            ),
            (
                vec![("Other", "Lead")],
                vec!["Account", "Lead"],
                Some("Account"),
            ),
            (vec![("Org", "Gone__c")], vec!["Account"], Some("Account")),
            (vec![], vec!["Contact"], None),
            (vec![], vec![], None),
        ] {
            assert_eq!(
                opened(&remembered, &names).as_deref(),
                expected,
                "{remembered:?} {names:?}"
            );
        }
    }

    #[test]
    fn a_choice_is_remembered_and_never_overridden_by_the_default() {
        let mut state = ListState::default();
        let mut out = Vec::new();
        state.apply(ListCommand::ChooseConnection("Org".into()), &mut out);
        state.apply(ListCommand::ChooseObject("Lead".into()), &mut out);
        objects("Org", &mut state, &["Account", "Lead"]);
        assert_eq!(state.object_to_open(), None);
        assert_eq!(
            state.remembered.get("Org").map(String::as_str),
            Some("Lead")
        );

        state.apply(ListCommand::ChooseConnection("Second".into()), &mut out);
        assert_eq!(
            state.remembered.get("Org").map(String::as_str),
            Some("Lead"),
            "another connection keeps what was remembered"
        );
        objects("Second", &mut state, &["Account"]);
        assert_eq!(state.object_to_open().as_deref(), Some("Account"));
        assert_eq!(state.object_to_open(), None, "once a connection");
    }
}
