//! The role checks of the command line: the same as the window's, read from the org of the
//! command's connection (see [`crate::access`]).

use crate::access::{Access, Action, describe_says_editable};
use crate::cli::CliError;
use crate::cli::connect::{DataDirArg, runtime};
use crate::cli::query::client_for;
use crate::salesforce::{Client, SalesforceError};

/// Refuses `action` (on `object`) when the signed-in user's role on `connection` does not
/// allow it. An org that keeps no permission objects leaves the decision to its own answers.
pub(super) async fn authorize(
    client: &Client,
    connection: &str,
    action: Action,
    object: Option<&str>,
) -> Result<(), CliError> {
    let permissions = match client.user_permissions().await {
        Ok(permissions) => permissions,
        Err(SalesforceError::Api { code, .. }) if code == "INVALID_TYPE" => return Ok(()),
        Err(e) => {
            return Err(CliError::Salesforce(format!(
                "cannot read your permissions in the org of `{connection}`: {e}"
            )));
        }
    };
    let mut access = Access::new(connection, permissions);
    let object = object.filter(|_| !access.permissions.may_customize());
    if let Some(object) = object {
        let edits = client
            .describe(object)
            .await
            .is_ok_and(|describe| describe_says_editable(&describe));
        access.editable.insert(object.to_string(), edits);
    }
    access
        .check(action, object)
        .map_err(|refusal| CliError::Refused(refusal.to_string()))
}

/// [`authorize`] for a command that otherwise works without the org (a link deleted from the
/// workspace): a connection that cannot be reached leaves the command to go on, since only a
/// role read from the org refuses.
pub(super) fn authorize_offline(
    data: &DataDirArg,
    connection: &str,
    action: Action,
    object: Option<&str>,
) -> Result<(), CliError> {
    runtime()?.block_on(async {
        match client_for(connection, data).await {
            Ok(client) => authorize(&client, connection, action, object).await,
            Err(e) => {
                tracing::debug!("cannot check the role on {connection}: {e}");
                Ok(())
            }
        }
    })
}
