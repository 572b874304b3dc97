//! The schema file's `apps` and `users` sections: connected apps with their consumer
//! secrets, and users' security tokens, so that an org's clients are set up in one file.

use serde::Deserialize;

use super::SchemaError;
use crate::config::{ConnectedApp, OrgConfig};

/// A connected app of the `apps` section. An app already registered (the built-in
/// `TetherDesktop`, or one named by `--client-id`) gets the secret and callbacks added.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct AppSpec {
    pub client_id: String,
    #[serde(default)]
    pub client_secret: Option<String>,
    #[serde(default)]
    pub callbacks: Vec<String>,
}

/// A user of the `users` section: the security token of a user the org already has.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct UserSpec {
    pub username: String,
    pub security_token: String,
}

/// Only the sections read here; the objects and fields are `declared`'s.
#[derive(Debug, Default, Deserialize)]
struct Sections {
    #[serde(default)]
    apps: Vec<AppSpec>,
    #[serde(default)]
    users: Vec<UserSpec>,
}

/// Registers the apps and sets the tokens of both schema files of `config`.
pub fn apply(config: &mut OrgConfig) -> Result<(), SchemaError> {
    let files = [config.schema_json.clone(), config.schema_extra_json.clone()];
    for text in files.iter().flatten() {
        let sections: Sections = serde_json::from_str(text)?;
        for spec in sections.apps {
            add_app(&mut config.apps, spec)?;
        }
        for spec in sections.users {
            let user = config
                .users
                .iter_mut()
                .find(|u| u.username.eq_ignore_ascii_case(spec.username.trim()))
                .ok_or_else(|| SchemaError::UnknownUser(spec.username.clone()))?;
            user.security_token = Some(valid_token(&spec.username, spec.security_token)?);
        }
    }
    Ok(())
}

fn add_app(apps: &mut Vec<ConnectedApp>, spec: AppSpec) -> Result<(), SchemaError> {
    if spec.client_id.trim().is_empty() {
        return Err(SchemaError::App(
            "an app has an empty \"clientId\": give each app its consumer key".to_string(),
        ));
    }
    if spec.client_secret.as_deref().is_some_and(str::is_empty) {
        return Err(SchemaError::App(format!(
            "app {} has an empty \"clientSecret\": leave the key out for an app without one",
            spec.client_id
        )));
    }
    match apps.iter_mut().find(|a| a.client_id == spec.client_id) {
        Some(app) => {
            if spec.client_secret.is_some() {
                app.client_secret = spec.client_secret;
            }
            app.callbacks.extend(spec.callbacks);
        }
        None => apps.push(ConnectedApp {
            client_id: spec.client_id,
            client_secret: spec.client_secret,
            callbacks: spec.callbacks,
            jwt_certificate_pem: None,
        }),
    }
    Ok(())
}

/// A security token as Salesforce issues them: letters and digits only, so that it can be
/// told apart from the password it is appended to.
pub fn valid_token(username: &str, token: String) -> Result<String, SchemaError> {
    if token.is_empty() || !token.bytes().all(|b| b.is_ascii_alphanumeric()) {
        return Err(SchemaError::App(format!(
            "the security token of {username} must be letters and digits only, e.g. 24 of them"
        )));
    }
    Ok(token)
}
