//! Create missing fields: the plan for a link (from Verify's missing fields) or a template,
//! and its execution with each step reported, then the link verified again. A user who may
//! not customise the org gets a package for an admin instead.

use std::sync::Arc;

use anyhow::Context;

use super::service::Service;
use super::*;
use crate::setup::{self, SetupError, SetupPlan};
use crate::sync::link::Link;
use crate::sync::verify;

/// What a setup is for: one link being edited, or every link of a template.
#[derive(Debug, Clone, PartialEq)]
pub enum SetupTarget {
    Link(Box<Link>),
    Template { name: String, connection: String },
}

impl SetupTarget {
    pub fn connection(&self) -> &str {
        match self {
            SetupTarget::Link(link) => &link.connection,
            SetupTarget::Template { connection, .. } => connection,
        }
    }

    /// The link's or the template's name, as the window shows it.
    pub fn name(&self) -> &str {
        match self {
            SetupTarget::Link(link) => &link.name,
            SetupTarget::Template { name, .. } => name,
        }
    }
}

/// What the window asks of Create missing fields.
#[derive(Debug, Clone, PartialEq)]
pub enum SetupRequest {
    /// The fields to create; answered by [`SetupEvent::Planned`].
    Plan(SetupTarget),
    /// Carries out the plan the person edited; answered by [`SetupEvent::Step`]s, then
    /// [`SetupEvent::Done`], or [`SetupEvent::NeedsAdmin`] without the permission.
    Run {
        target: SetupTarget,
        plan: SetupPlan,
    },
    /// Writes the plan as a package for an admin; answered by [`SetupEvent::NeedsAdmin`].
    Package {
        target: SetupTarget,
        plan: SetupPlan,
    },
}

/// What the service tells the window about a setup.
#[derive(Debug, Clone, PartialEq)]
pub enum SetupEvent {
    Planned {
        target: SetupTarget,
        plan: SetupPlan,
        /// False when the user may not customise the org: the dialog says so before anything
        /// is tried, and offers the package.
        may_customize: bool,
    },
    /// One step done, as a line ("created Account.Health_Score__c").
    Step(String),
    /// Everything done; the problems of the link (or the template's links) verified again.
    Done {
        target: SetupTarget,
        problems: Vec<verify::Problem>,
    },
    /// The user may not customise the org: the package and the Setup steps for an admin.
    NeedsAdmin { package: PathBuf, steps: String },
}

impl Service {
    pub(super) async fn setup(self: &Arc<Self>, request: SetupRequest) -> anyhow::Result<()> {
        match request {
            SetupRequest::Plan(target) => self.plan_setup(target).await,
            SetupRequest::Run { target, plan } => self.run_setup(target, plan).await,
            SetupRequest::Package { target, plan } => self.hand_to_admin(&target, &plan),
        }
    }

    async fn plan_setup(self: &Arc<Self>, target: SetupTarget) -> anyhow::Result<()> {
        let client = self.client(target.connection()).await?;
        let plan = match &target {
            SetupTarget::Link(link) => {
                let (describe, parents) = verify::describes_for(&client, link)
                    .await
                    .with_context(|| format!("Salesforce did not describe `{}`", link.object))?;
                let link = (**link).clone();
                let fields = self
                    .workspace(move |ws| {
                        Ok(setup::missing_fields(&link, &describe, &parents, ws.conn()))
                    })
                    .await?;
                SetupPlan { fields }
            }
            SetupTarget::Template { name, .. } => setup::template_plan(name),
        };
        let plan = plan
            .settle(&client)
            .await
            .context("Tether could not read which fields the org has")?;
        let may_customize = setup::may_customize(&client).await?;
        self.outbox.send(Event::Setup(SetupEvent::Planned {
            target,
            plan,
            may_customize,
        }));
        Ok(())
    }

    async fn run_setup(
        self: &Arc<Self>,
        target: SetupTarget,
        plan: SetupPlan,
    ) -> anyhow::Result<()> {
        let client = self.client(target.connection()).await?;
        let outbox = self.outbox.clone();
        let done = setup::execute(&client, &plan, |step| {
            outbox.send(Event::Setup(SetupEvent::Step(step.to_string())));
        })
        .await;
        match done {
            Ok(_) => {}
            Err(SetupError::NotPermitted) => return self.hand_to_admin(&target, &plan),
            Err(e) => return Err(e.into()),
        }
        let links = match &target {
            SetupTarget::Link(link) => vec![(**link).clone()],
            SetupTarget::Template { name, connection } => {
                let names: Vec<String> = crate::sync::templates::find(name)
                    .map(|t| (t.links)(connection).into_iter().map(|l| l.name).collect())
                    .unwrap_or_default();
                self.workspace(move |ws| {
                    Ok(ws
                        .links()?
                        .into_iter()
                        .map(|stored| stored.link)
                        .filter(|l| names.contains(&l.name))
                        .collect())
                })
                .await?
            }
        };
        let mut problems = Vec::new();
        for link in links {
            problems.extend(self.problems(&link).await?);
        }
        self.outbox
            .send(Event::Setup(SetupEvent::Done { target, problems }));
        Ok(())
    }

    /// Writes the package into the data folder and tells the window where it is.
    fn hand_to_admin(&self, target: &SetupTarget, plan: &SetupPlan) -> anyhow::Result<()> {
        let folder = self.config.data_dir.join("setup");
        std::fs::create_dir_all(&folder)
            .with_context(|| format!("Tether could not create {}", folder.display()))?;
        let package = folder.join(format!("tether-setup-{}.zip", file_safe(target.name())));
        let bytes = setup::package_zip(plan).context("Tether could not build the package")?;
        std::fs::write(&package, bytes)
            .with_context(|| format!("Tether could not write {}", package.display()))?;
        self.outbox.send(Event::Setup(SetupEvent::NeedsAdmin {
            package,
            steps: setup::setup_steps(plan),
        }));
        Ok(())
    }
}

fn file_safe(name: &str) -> String {
    name.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' {
                c
            } else {
                '_'
            }
        })
        .collect()
}
