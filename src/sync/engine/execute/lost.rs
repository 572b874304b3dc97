//! Creates an earlier run sent without hearing back (it was killed, or the connection dropped
//! after Salesforce committed). Before a row is created again, what that create made is
//! looked for, so that no record is created twice.

use std::collections::{BTreeMap, HashMap, HashSet};

use chrono::Duration;

use super::Run;
use crate::run::unheard::{self, Unheard};
use crate::sync::engine::SyncError;
use crate::sync::engine::local::{self, LocalRead, LocalRow, Locator};
use crate::sync::engine::units::id15;
use crate::sync::link::{Link, MatchKey};
use crate::sync::plan::Values;
use crate::workspace::base::BaseRecord;
use crate::workspace::images::{self, UnheardCreate};
use crate::workspace::journal::{self, RecordFailure};
use crate::workspace::{Workspace, capture};

/// A row of the read: keyed, or without a key.
#[derive(Debug, Clone, Copy)]
enum At {
    Keyed(usize),
    Keyless(usize),
}

fn row_at(read: &mut LocalRead, at: At) -> &mut LocalRow {
    match at {
        At::Keyed(i) => &mut read.rows[i],
        At::Keyless(i) => &mut read.keyless[i],
    }
}

fn is_for(create: &UnheardCreate, row: &LocalRow) -> bool {
    match row.locator {
        Locator::Key => create.row_key.as_deref() == Some(row.key.as_str()),
        Locator::Rowid(rowid) => create.row_key.is_none() && create.row_id == Some(rowid),
        Locator::Nowhere => false,
    }
}

/// The external-id field among the values a create sent, and the value it sent there.
fn sent_key(
    describe: &crate::salesforce::ObjectDescribe,
    sent: &Values,
) -> Option<(String, String)> {
    sent.iter().find_map(|(name, value)| {
        let field = describe
            .fields
            .iter()
            .find(|f| f.external_id && f.name.eq_ignore_ascii_case(name))?;
        let key = match value {
            serde_json::Value::String(s) if !s.is_empty() => s.clone(),
            serde_json::Value::Number(n) => n.to_string(),
            _ => return None,
        };
        Some((field.name.clone(), key))
    })
}

impl Run<'_> {
    /// For each row about to be created that an earlier run already sent a create for without
    /// hearing back, looks for the record that create made. Found, its Id is written back to
    /// the row and the earlier run's intent confirmed with it (in one transaction), so the row
    /// joins its record like any other row. Found to have made nothing, the intent is settled
    /// and the row created again. When it cannot be told, the row is that row's error and
    /// nothing is sent for it.
    ///
    /// With an external id among the values sent, the record is the one holding it: exact.
    /// Without, it is a record this user created since the earlier run started (less the
    /// link's overlap window, for clock skew) that holds every value sent and that no row
    /// is linked to yet; rows that sent the same values take such records oldest first, and
    /// more such records than rows is a doubt, never a guess.
    pub(super) async fn find_lost_creates(
        &mut self,
        ws: &mut Workspace,
        link: &Link,
        bases: &HashMap<String, BaseRecord>,
        read: &mut LocalRead,
    ) -> Result<(), SyncError> {
        if link.match_on != MatchKey::SalesforceId || !link.create_unmatched {
            return Ok(());
        }
        let unheard =
            images::unheard_creates(ws.conn(), self.stored.id, &link.object, self.run_id)?;
        if unheard.is_empty() {
            return Ok(());
        }
        let waiting = (0..read.rows.len())
            .map(At::Keyed)
            .chain((0..read.keyless.len()).map(At::Keyless));
        let mut pending: Vec<(At, UnheardCreate)> = Vec::new();
        for at in waiting {
            let row = row_at(read, at);
            if row.sf_id.is_some() || !row.readable || !row.pushable {
                continue;
            }
            if let Some(create) = unheard.iter().rev().find(|c| is_for(c, row)) {
                pending.push((at, create.clone()));
            }
        }
        if pending.is_empty() {
            return Ok(());
        }
        let describe = self.client.describe(&link.object).await?;
        let mut known: HashSet<String> = bases.values().map(|b| id15(&b.sf_id)).collect();
        known.extend(
            read.rows
                .iter()
                .chain(&read.keyless)
                .filter_map(|r| r.sf_id.as_deref().map(id15)),
        );
        if self.options.scope.records().is_some() || self.partial_read {
            // A run of some records, or of what changed, read only some rows and bases: a
            // record any other row holds is no lost create either.
            known.extend(linked_ids(ws.conn(), link, self.stored.id)?);
        }
        let mut found: Vec<(At, i64, String)> = Vec::new();
        let mut not_written: Vec<i64> = Vec::new();
        let mut doubts: Vec<(At, String)> = Vec::new();

        let mut by_key: BTreeMap<String, Vec<(At, Unheard)>> = BTreeMap::new();
        let mut by_values: BTreeMap<String, Vec<(At, UnheardCreate)>> = BTreeMap::new();
        for (at, create) in pending {
            match sent_key(&describe, &create.sent) {
                Some((field, key)) => by_key.entry(field).or_default().push((
                    at,
                    Unheard {
                        image: create.image,
                        key,
                        update: None,
                    },
                )),
                None => {
                    let sent = serde_json::to_string(&create.sent).unwrap_or_default();
                    by_values.entry(sent).or_default().push((at, create));
                }
            }
        }
        for (field, creates) in &by_key {
            let asked: Vec<Unheard> = creates.iter().map(|(_, u)| u.clone()).collect();
            let made = unheard::find_by_key(self.client, &link.object, field, &asked).await?;
            for (at, create) in creates {
                match made.get(&create.image) {
                    None => not_written.push(create.image),
                    Some(id) if known.insert(id15(id)) => {
                        found.push((*at, create.image, id.clone()))
                    }
                    Some(id) => doubts.push((
                        *at,
                        format!(
                            "the record holding {field} = {} ({id}) is already another row's",
                            create.key
                        ),
                    )),
                }
            }
        }
        if !by_values.is_empty() {
            let user = self.client.user_id().await?;
            let skew = Duration::seconds(i64::from(link.strategy.overlap_seconds));
            for creates in by_values.values() {
                let since = creates
                    .iter()
                    .map(|(_, c)| c.run_started)
                    .min()
                    .unwrap_or_default()
                    - skew;
                let sent = &creates[0].1.sent;
                let Some(ids) =
                    unheard::find_by_values(self.client, &describe, sent, &user, since).await?
                else {
                    for (at, _) in creates {
                        doubts.push((
                            *at,
                            "none of the values it sent can be looked for in Salesforce".into(),
                        ));
                    }
                    continue;
                };
                let candidates: Vec<String> = ids
                    .into_iter()
                    .filter(|id| !known.contains(&id15(id)))
                    .collect();
                if candidates.len() > creates.len() {
                    let shown: Vec<&str> = candidates.iter().take(5).map(String::as_str).collect();
                    for (at, _) in creates {
                        doubts.push((
                            *at,
                            format!(
                                "{} records created since hold the same values ({}), more than the rows that sent them",
                                candidates.len(),
                                shown.join(", ")
                            ),
                        ));
                    }
                    continue;
                }
                let mut candidates = candidates.into_iter();
                for (at, create) in creates {
                    match candidates.next() {
                        Some(id) => {
                            known.insert(id15(&id));
                            found.push((*at, create.image, id));
                        }
                        None => not_written.push(create.image),
                    }
                }
            }
        }

        let tx = ws.conn_mut().transaction()?;
        capture::set_writer(&tx, Some(self.run_id))?;
        for (at, image, id) in &found {
            local::write_id(&tx, link, row_at(read, *at), id)?;
            images::confirm(&tx, *image, Some(id))?;
        }
        for image in &not_written {
            images::mark_not_written(&tx, *image)?;
        }
        for (at, why) in &doubts {
            let row = row_at(read, *at);
            row.pushable = false;
            let failure = RecordFailure {
                side: journal::Side::Salesforce,
                sf_id: None,
                row_key: row.row_key().map(str::to_string),
                code: "UNHEARD_CREATE".into(),
                message: format!(
                    "an earlier run sent a create for {} of `{}` and its answer was lost; Tether cannot tell which record it made: {why}",
                    row.named(),
                    link.table
                ),
                fields: Vec::new(),
                payload: None,
                hint: format!(
                    "Find the record in Salesforce and write its Id into `{}` of that row (or delete the record if it is not wanted), then sync again. Nothing is sent for this row until then.",
                    link.id_column
                ),
            };
            self.failure(&tx, failure)?;
        }
        capture::set_writer(&tx, None)?;
        tx.commit()?;
        for (at, _, id) in found {
            row_at(read, at).sf_id = Some(id);
            self.counts.processed += 1;
            self.counts.created += 1;
        }
        if !not_written.is_empty() {
            tracing::info!(
                "{}: {} create(s) sent without an answer made nothing; they are sent again",
                link.name,
                not_written.len()
            );
        }
        Ok(())
    }
}

/// Every Id the link's bases and rows hold (15 characters).
fn linked_ids(
    conn: &rusqlite::Connection,
    link: &Link,
    link_id: i64,
) -> Result<HashSet<String>, SyncError> {
    let sql = format!(
        "SELECT sf_id FROM tether_base WHERE link_id = ?1
         UNION SELECT CAST({id} AS TEXT) FROM {table} WHERE {id} IS NOT NULL",
        id = crate::workspace::capture::quote_ident(&link.id_column),
        table = crate::workspace::capture::quote_ident(&link.table),
    );
    let mut stmt = conn.prepare(&sql)?;
    let ids = stmt
        .query_map([link_id], |r| r.get::<_, Option<String>>(0))?
        .filter_map(|id| id.transpose())
        .map(|id| id.map(|id| id15(id.trim())))
        .collect::<rusqlite::Result<HashSet<String>>>()?;
    Ok(ids)
}
