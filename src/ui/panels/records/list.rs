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
