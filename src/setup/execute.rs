//! Carrying out a plan: permission first, then each field created (or, when it exists but is
//! hidden, only granted), the permission set, the grants, the assignment, and the wait until
//! describe shows every field. Each step is reported as it is done.

use std::fmt;
use std::time::{Duration, Instant};

use super::plan::{
    FieldAction, PERMISSION_SET, PERMISSION_SET_DESCRIPTION, PERMISSION_SET_LABEL, SetupPlan,
};
use super::spec::SpecError;
use crate::salesforce::{Client, SalesforceError};

/// How long describe is given to show the new fields: a real org's metadata cache can take
/// several seconds after a create.
pub const WAIT_LIMIT: Duration = Duration::from_secs(60);
const FIRST_PAUSE: Duration = Duration::from_millis(200);
const LONGEST_PAUSE: Duration = Duration::from_secs(5);

/// One thing done, in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    /// The user may customise the application.
    Permitted,
    Created {
        field: String,
    },
    /// The field was there already (made in between, or hidden from the user): granted only.
    Existed {
        field: String,
    },
    PermissionSet {
        created: bool,
    },
    Granted {
        fields: Vec<String>,
        already: Vec<String>,
    },
    Assigned {
        already: bool,
    },
    /// Describe showed every field after this long.
    Visible {
        waited: Duration,
    },
}

impl fmt::Display for Step {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Step::Permitted => f.write_str("checked: you may customise the application"),
            Step::Created { field } => write!(f, "created {field}"),
            Step::Existed { field } => write!(f, "found {field} already in the org"),
            Step::PermissionSet { created: true } => {
                write!(f, "created the permission set {PERMISSION_SET}")
            }
            Step::PermissionSet { created: false } => {
                write!(f, "reused the permission set {PERMISSION_SET}")
            }
            Step::Granted { fields, already } => {
                write!(f, "granted read and edit on {}", count(fields.len()))?;
                if !already.is_empty() {
                    write!(f, " ({} granted already)", already.len())?;
                }
                Ok(())
            }
            Step::Assigned { already: false } => write!(f, "assigned {PERMISSION_SET} to you"),
            Step::Assigned { already: true } => {
                write!(f, "{PERMISSION_SET} was assigned to you already")
            }
            Step::Visible { waited } => write!(
                f,
                "waited {:.1} s until describe showed every field",
                waited.as_secs_f64()
            ),
        }
    }
}

fn count(n: usize) -> String {
    if n == 1 {
        "1 field".into()
    } else {
        format!("{n} fields")
    }
}

#[derive(Debug, thiserror::Error)]
pub enum SetupError {
    #[error(
        "you may not customise this org (your profile and permission sets grant neither Customize Application nor Modify All Data), so nothing was created: hand the package of the fields to an admin who has it, or ask for the permission"
    )]
    NotPermitted,
    #[error("{0}; nothing was created")]
    Invalid(#[from] SpecError),
    #[error("{what} failed: {source}")]
    Salesforce {
        what: String,
        #[source]
        source: SalesforceError,
    },
    #[error(
        "the fields were created and granted, but describe did not show {} within {} s: verify again in a minute",
        .fields.join(", "),
        .waited.as_secs()
    )]
    NotVisible {
        fields: Vec<String>,
        waited: Duration,
    },
}

fn failed(what: impl Into<String>) -> impl FnOnce(SalesforceError) -> SetupError {
    let what = what.into();
    move |source| SetupError::Salesforce { what, source }
}

/// True when the signed-in user may create fields and permission sets.
pub async fn may_customize(client: &Client) -> Result<bool, SetupError> {
    let permissions = client
        .user_permissions()
        .await
        .map_err(failed("reading your permissions"))?;
    Ok(permissions.may_customize())
}

/// Carries out `plan`, calling `report` after each step; the steps done.
pub async fn execute(
    client: &Client,
    plan: &SetupPlan,
    mut report: impl FnMut(&Step),
) -> Result<Vec<Step>, SetupError> {
    plan.check()?;
    let mut steps = Vec::new();
    let mut done = |step: Step, steps: &mut Vec<Step>| {
        report(&step);
        steps.push(step);
    };
    if !may_customize(client).await? {
        return Err(SetupError::NotPermitted);
    }
    done(Step::Permitted, &mut steps);
    for field in &plan.fields {
        let full_name = field.full_name();
        if field.action == FieldAction::Grant {
            done(Step::Existed { field: full_name }, &mut steps);
            continue;
        }
        match client
            .create_custom_field(&full_name, &field.spec.metadata())
            .await
        {
            Ok(_) => done(Step::Created { field: full_name }, &mut steps),
            Err(e) if e.code() == Some("DUPLICATE_DEVELOPER_NAME") => {
                done(Step::Existed { field: full_name }, &mut steps)
            }
            Err(e) => return Err(failed(format!("creating {full_name}"))(e)),
        }
    }
    let (set, created) = client
        .ensure_permission_set(
            PERMISSION_SET,
            PERMISSION_SET_LABEL,
            PERMISSION_SET_DESCRIPTION,
        )
        .await
        .map_err(failed(format!(
            "finding or creating the permission set {PERMISSION_SET}"
        )))?;
    done(Step::PermissionSet { created }, &mut steps);
    let mut granted = Vec::new();
    let mut already = Vec::new();
    for object in plan.objects() {
        let names: Vec<String> = plan
            .fields
            .iter()
            .filter(|f| f.object == object)
            .map(|f| f.spec.api_name.clone())
            .collect();
        let outcome = client
            .grant_field_edit(&set, &object, &names)
            .await
            .map_err(failed(format!("granting edit on the fields of {object}")))?;
        granted.extend(outcome.granted);
        already.extend(outcome.already);
    }
    done(
        Step::Granted {
            fields: granted,
            already,
        },
        &mut steps,
    );
    let user = client
        .user_id()
        .await
        .map_err(failed("reading who you are signed in as"))?;
    let assigned = client
        .assign_permission_set(&set, &user)
        .await
        .map_err(failed(format!("assigning {PERMISSION_SET} to you")))?;
    done(Step::Assigned { already: !assigned }, &mut steps);
    let waited = wait_until_visible(client, plan, WAIT_LIMIT).await?;
    done(Step::Visible { waited }, &mut steps);
    Ok(steps)
}

/// Reads each object's describe afresh, pausing longer each time, until every planned field
/// is in it or `limit` has passed.
pub async fn wait_until_visible(
    client: &Client,
    plan: &SetupPlan,
    limit: Duration,
) -> Result<Duration, SetupError> {
    let started = Instant::now();
    let mut pause = FIRST_PAUSE;
    loop {
        let mut unseen = Vec::new();
        for object in plan.objects() {
            client.forget_describe(&object);
            let describe = client
                .describe(&object)
                .await
                .map_err(failed(format!("reading the describe of {object}")))?;
            unseen.extend(
                plan.fields
                    .iter()
                    .filter(|f| f.object == object)
                    .filter(|f| {
                        !describe
                            .fields
                            .iter()
                            .any(|d| d.name.eq_ignore_ascii_case(&f.spec.api_name))
                    })
                    .map(|f| f.full_name()),
            );
        }
        let waited = started.elapsed();
        if unseen.is_empty() {
            return Ok(waited);
        }
        if waited + pause > limit {
            return Err(SetupError::NotVisible {
                fields: unseen,
                waited,
            });
        }
        tokio::time::sleep(pause).await;
        pause = (pause * 2).min(LONGEST_PAUSE);
    }
}
