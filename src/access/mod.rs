//! Roles from Salesforce, not a second user store: what the signed-in user of a connection
//! may do in Tether follows from the user's permissions in the org.
//!
//! - **admin** (Customize Application or Modify All Data) edits links, templates and
//!   schedules and creates fields;
//! - **operator** (API Enabled and Edit on the link's object) runs syncs and imports, resolves
//!   conflicts and writes records;
//! - **viewer** (anyone else) browses history, errors and records.
//!
//! Plain data and rules: the desktop service and the CLI read the permissions, the window
//! shows what they decide.

use std::collections::BTreeMap;
use std::fmt;

use crate::salesforce::UserPermissions;

/// What the signed-in user of a connection may do, weakest first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Role {
    Viewer,
    Operator,
    Admin,
}

impl Role {
    /// The role of a user with `permissions` on an object the user may (or may not) edit.
    pub fn derive(permissions: &UserPermissions, edits_object: bool) -> Role {
        if permissions.may_customize() {
            Role::Admin
        } else if permissions.api_enabled && edits_object {
            Role::Operator
        } else {
            Role::Viewer
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Operator => "operator",
            Role::Viewer => "viewer",
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Something Tether does that a role may or may not allow.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Action {
    EditLinks,
    EditTemplates,
    EditSchedules,
    CreateFields,
    RunSyncs,
    Import,
    ResolveConflicts,
    WriteRecords,
}

impl Action {
    /// The weakest role that may do it.
    pub fn needs(self) -> Role {
        match self {
            Action::EditLinks | Action::EditTemplates | Action::EditSchedules => Role::Admin,
            Action::CreateFields => Role::Admin,
            Action::RunSyncs | Action::Import | Action::ResolveConflicts | Action::WriteRecords => {
                Role::Operator
            }
        }
    }

    /// As a sentence's subject: "editing links needs …".
    pub fn doing(self) -> &'static str {
        match self {
            Action::EditLinks => "editing links",
            Action::EditTemplates => "installing templates",
            Action::EditSchedules => "changing schedules",
            Action::CreateFields => "creating fields",
            Action::RunSyncs => "running syncs",
            Action::Import => "importing records",
            Action::ResolveConflicts => "resolving conflicts",
            Action::WriteRecords => "editing records",
        }
    }
}

/// The signed-in user's access on one connection, as read from its org once per session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Access {
    pub connection: String,
    pub permissions: UserPermissions,
    /// Whether the user may edit each object read so far (describe's `updateable`).
    pub editable: BTreeMap<String, bool>,
}

/// Why an action is refused: the role, the connection and what would allow it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{role} on “{connection}”: {}", self.reason())]
pub struct Refusal {
    pub role: Role,
    pub connection: String,
    pub action: Action,
    pub object: Option<String>,
    pub api_enabled: bool,
    /// The user's permission sets, so the admin asked knows where to add the permission.
    pub permission_sets: Vec<String>,
}

impl Refusal {
    fn reason(&self) -> String {
        let doing = self.action.doing();
        let needed = match (self.action.needs(), &self.object) {
            (Role::Admin, _) => "Customize Application or Modify All Data".to_string(),
            (_, Some(object)) if self.api_enabled => format!("Edit on {object}"),
            (_, Some(object)) => format!("API Enabled and Edit on {object}"),
            (_, None) => "API Enabled and Edit on the object".to_string(),
        };
        let of = match (&self.object, self.action.needs()) {
            (Some(object), Role::Operator) => format!(" of {object}"),
            _ => String::new(),
        };
        let yours = if self.permission_sets.is_empty() {
            String::new()
        } else {
            format!(" (yours: {})", self.permission_sets.join(", "))
        };
        format!(
            "{doing}{of} needs {needed} in Salesforce; ask your Salesforce admin for a \
             permission set that grants it{yours}"
        )
    }
}

/// Whether an action is allowed, as far as what was read so far tells.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    Allowed,
    Refused(Refusal),
    /// The object's access is not read yet: the service decides when asked.
    Unknown,
}

impl Access {
    pub fn new(connection: impl Into<String>, permissions: UserPermissions) -> Access {
        Access {
            connection: connection.into(),
            permissions,
            editable: BTreeMap::new(),
        }
    }

    /// The role on `object`, once its access is read (an admin's role needs none).
    pub fn role_on(&self, object: &str) -> Option<Role> {
        if self.permissions.may_customize() {
            return Some(Role::Admin);
        }
        self.editable
            .get(object)
            .map(|edits| Role::derive(&self.permissions, *edits))
    }

    /// The role on the connection as a whole: operator when the user may edit any object read
    /// so far.
    pub fn role(&self) -> Role {
        let edits_any = self.editable.values().any(|edits| *edits);
        Role::derive(&self.permissions, edits_any)
    }

    /// Whether `action` is allowed, on `object` for the actions that act on one.
    pub fn verdict(&self, action: Action, object: Option<&str>) -> Verdict {
        let role = match (action.needs(), object) {
            (Role::Operator, Some(object)) => match self.role_on(object) {
                Some(role) => role,
                None => return Verdict::Unknown,
            },
            (_, Some(object)) => self.role_on(object).unwrap_or_else(|| self.role()),
            (_, None) => self.role(),
        };
        if role >= action.needs() {
            return Verdict::Allowed;
        }
        Verdict::Refused(Refusal {
            role,
            connection: self.connection.clone(),
            action,
            object: object.map(str::to_string),
            api_enabled: self.permissions.api_enabled,
            permission_sets: self
                .permissions
                .permission_sets
                .iter()
                .map(|(_, name)| name.clone())
                .filter(|name| !owned_by_a_profile(name))
                .collect(),
        })
    }

    /// `Ok` when allowed or not yet known, else the refusal.
    pub fn check(&self, action: Action, object: Option<&str>) -> Result<(), Refusal> {
        match self.verdict(action, object) {
            Verdict::Refused(refusal) => Err(refusal),
            Verdict::Allowed | Verdict::Unknown => Ok(()),
        }
    }
}

/// A profile's own permission set, named by Salesforce after the profile's Id
/// (`X00e…`): a name that would tell the admin asked nothing.
fn owned_by_a_profile(name: &str) -> bool {
    name.len() >= 15 && name.starts_with("X00e") && name.chars().all(|c| c.is_ascii_alphanumeric())
}

/// Whether an object describe says the user may edit its records (`updateable`).
pub fn describe_says_editable(describe: &crate::salesforce::ObjectDescribe) -> bool {
    describe
        .other
        .get("updateable")
        .and_then(serde_json::Value::as_bool)
        .unwrap_or(false)
}

#[cfg(test)]
mod tests;
