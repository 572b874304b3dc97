//! The org's users: who can log in, and their `User` records in the store.

use serde_json::{Map, Value, json};

use crate::config::SandboxUser;
use crate::ids;
use crate::store::Store;

/// A user of the org, with the id of its `User` record.
#[derive(Debug, Clone)]
pub struct OrgUser {
    pub id: String,
    pub username: String,
    password: String,
    security_token: String,
    pub first_name: String,
    pub last_name: String,
    pub email: String,
    active: bool,
}

impl OrgUser {
    pub fn display_name(&self) -> String {
        format!("{} {}", self.first_name, self.last_name)
            .trim()
            .to_string()
    }

    /// The password, or the password followed by the user's security token. Loopback is
    /// the org's trusted IP range, so the password alone is enough, as from a trusted
    /// network; a wrong token is refused.
    pub fn password_matches(&self, given: &str) -> bool {
        if super::tokens::same_secret(&self.password, given) {
            return true;
        }
        given
            .strip_prefix(self.password.as_str())
            .is_some_and(|suffix| super::tokens::same_secret(&self.security_token, suffix))
    }

    pub fn security_token(&self) -> &str {
        &self.security_token
    }
}

/// Why a login was refused, worded as a real org's token endpoint words it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LoginRefusal {
    AuthenticationFailure,
    InactiveUser,
}

impl LoginRefusal {
    pub fn description(self) -> &'static str {
        match self {
            LoginRefusal::AuthenticationFailure => "authentication failure",
            LoginRefusal::InactiveUser => "inactive user",
        }
    }
}

pub struct Directory {
    users: Vec<OrgUser>,
}

impl Directory {
    /// Makes every configured user exist as a `User` record (found again by username in a
    /// persisted org), so that SOQL on `User` sees them. The first user is the admin.
    pub fn load(configured: &[SandboxUser], store: &Store, org_id: &str) -> Directory {
        let mut users = Vec::with_capacity(configured.len());
        for (index, user) in configured.iter().enumerate() {
            let id =
                user_record_id(store, user).unwrap_or_else(|| ids::mint("005", index as u64 + 1));
            users.push(OrgUser {
                id,
                username: user.username.clone(),
                password: user.password.clone(),
                security_token: user
                    .security_token
                    .clone()
                    .unwrap_or_else(|| derived_security_token(org_id, &user.username)),
                first_name: user.first_name.clone(),
                last_name: user.last_name.clone(),
                email: user.email.clone(),
                active: user.active,
            });
        }
        if let Some(admin) = users.first() {
            let admin_id = admin.id.clone();
            stamp_creator(store, &users, &admin_id);
        }
        Directory { users }
    }

    pub fn admin_id(&self) -> String {
        self.users
            .first()
            .map_or_else(|| ids::mint("005", 1), |u| u.id.clone())
    }

    /// Usernames are case-insensitive, as in a real org.
    pub fn by_username(&self, username: &str) -> Option<&OrgUser> {
        self.users
            .iter()
            .find(|u| u.username.eq_ignore_ascii_case(username.trim()))
    }

    pub fn by_id(&self, id: &str) -> Option<&OrgUser> {
        let id = ids::to_18(id)?;
        self.users.iter().find(|u| u.id == id)
    }

    /// Active unless configured inactive or deactivated through the API since.
    pub fn is_active(&self, user: &OrgUser, store: &Store) -> bool {
        user.active
            && store
                .get(&user.id)
                .is_none_or(|r| r.get("IsActive") != Some(&Value::Bool(false)))
    }

    pub fn first_active(&self, store: &Store) -> Option<&OrgUser> {
        self.users.iter().find(|u| self.is_active(u, store))
    }

    pub fn login(
        &self,
        username: &str,
        password: &str,
        store: &Store,
    ) -> Result<&OrgUser, LoginRefusal> {
        let user = self
            .by_username(username)
            .filter(|u| u.password_matches(password))
            .ok_or(LoginRefusal::AuthenticationFailure)?;
        if !self.is_active(user, store) {
            return Err(LoginRefusal::InactiveUser);
        }
        Ok(user)
    }
}

/// A user's security token when none is configured: 24 letters and digits, the same for
/// the same org and username on every start, so a script's saved token keeps working.
pub fn derived_security_token(org_id: &str, username: &str) -> String {
    use sha2::{Digest, Sha256};
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    let digest = Sha256::digest(format!(
        "security-token:{org_id}:{}",
        username.to_lowercase()
    ));
    digest
        .iter()
        .take(24)
        .map(|b| char::from(ALPHABET[usize::from(*b) % ALPHABET.len()]))
        .collect()
}

/// The id of the user's record, created when missing. `None` when the schema has no `User`
/// object or the record cannot be written; the user can still log in then.
fn user_record_id(store: &Store, user: &SandboxUser) -> Option<String> {
    if let Some(id) = store
        .find_by_key("User", "Username", &user.username)
        .into_iter()
        .next()
    {
        return Some(id);
    }
    store.schema().object("User")?;
    let alias: String = user
        .first_name
        .chars()
        .take(1)
        .chain(user.last_name.chars().take(4))
        .collect();
    let mut record = Map::new();
    for (field, value) in [
        ("Username", json!(user.username)),
        ("Email", json!(user.email)),
        ("FirstName", json!(user.first_name)),
        ("LastName", json!(user.last_name)),
        ("Alias", json!(alias.to_lowercase())),
        ("IsActive", json!(user.active)),
    ] {
        if store
            .schema()
            .object("User")
            .is_some_and(|o| o.field(field).is_some())
        {
            record.insert(field.to_string(), value);
        }
    }
    // The creator is fixed up by `stamp_creator` once the admin's id is known.
    match store.write(|w| w.create("User", &record, "")) {
        Ok(id) => Some(id),
        Err(errors) => {
            let reasons: Vec<String> = errors
                .iter()
                .map(|e| format!("{}: {}", e.code, e.message))
                .collect();
            tracing::warn!(
                "sandbox org user {} has no User record ({}); fix the user in the org configuration",
                user.username,
                reasons.join("; ")
            );
            None
        }
    }
}

/// Users made before the admin existed name the admin as creator and last modifier.
fn stamp_creator(store: &Store, users: &[OrgUser], admin_id: &str) {
    let outcome = store.write(|w| {
        for user in users {
            let Some(mut record) = w.get(&user.id) else {
                continue;
            };
            if record.get("CreatedById").and_then(Value::as_str) != Some("") {
                continue;
            }
            for field in ["CreatedById", "LastModifiedById"] {
                record.insert(field.to_string(), Value::String(admin_id.to_string()));
            }
            if record.contains_key("OwnerId") {
                record.insert("OwnerId".to_string(), Value::String(admin_id.to_string()));
            }
            w.restore(&record)?;
        }
        Ok::<(), crate::error::SfError>(())
    });
    if let Err(e) = outcome {
        tracing::warn!(
            "sandbox org could not name the admin as creator of its users: {}",
            e.message
        );
    }
}
