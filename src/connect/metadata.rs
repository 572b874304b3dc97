//! Non-secret facts about each connection, in SQLite. Tokens never come here: they live in
//! the keychain (see [`super::secrets`]).

use std::path::Path;

use chrono::{DateTime, Utc};
use rusqlite::{Connection as Db, OptionalExtension, params};

/// One connected org as the user knows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Connection {
    /// The user's name for the connection, unique.
    pub name: String,
    /// Where the user signs in: `https://login.salesforce.com`, a My Domain, or any host.
    pub login_url: String,
    pub instance_url: String,
    pub org_id: String,
    pub user_id: String,
    pub username: String,
    pub client_id: String,
    pub connected_at: DateTime<Utc>,
}

#[derive(Debug, thiserror::Error)]
pub enum MetadataError {
    #[error(
        "cannot use the connections database: {0}. Check that the data directory is writable and not full"
    )]
    Sqlite(#[from] rusqlite::Error),
    #[error("the connections database was written by a newer Tether (schema {0}). Update Tether")]
    TooNew(i64),
}

/// Numbered migrations; `PRAGMA user_version` records how many have run.
const MIGRATIONS: &[&str] = &["CREATE TABLE connection (
        name          TEXT PRIMARY KEY NOT NULL,
        login_url     TEXT NOT NULL,
        instance_url  TEXT NOT NULL,
        org_id        TEXT NOT NULL,
        user_id       TEXT NOT NULL,
        username      TEXT NOT NULL,
        client_id     TEXT NOT NULL,
        connected_at  TEXT NOT NULL
    )"];

/// The connections table of Tether's local database.
#[derive(Debug)]
pub struct ConnectionDb {
    db: Db,
}

impl ConnectionDb {
    pub fn open(path: &Path) -> Result<ConnectionDb, MetadataError> {
        let mut db = Db::open(path)?;
        migrate(&mut db)?;
        Ok(ConnectionDb { db })
    }

    /// Adds the connection, or replaces the one with the same name (a reconnect).
    pub fn save(&self, c: &Connection) -> Result<(), MetadataError> {
        self.db.execute(
            "INSERT OR REPLACE INTO connection (name, login_url, instance_url, org_id, user_id,
                username, client_id, connected_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            params![
                c.name,
                c.login_url,
                c.instance_url,
                c.org_id,
                c.user_id,
                c.username,
                c.client_id,
                c.connected_at.to_rfc3339()
            ],
        )?;
        Ok(())
    }

    pub fn get(&self, name: &str) -> Result<Option<Connection>, MetadataError> {
        Ok(self
            .db
            .query_row(
                &format!("{SELECT} WHERE name = ?1"),
                [name],
                row_to_connection,
            )
            .optional()?)
    }

    /// Every connection, by name.
    pub fn list(&self) -> Result<Vec<Connection>, MetadataError> {
        let mut statement = self.db.prepare(&format!("{SELECT} ORDER BY name"))?;
        let rows = statement.query_map([], row_to_connection)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Returns whether there was such a connection.
    pub fn remove(&self, name: &str) -> Result<bool, MetadataError> {
        Ok(self
            .db
            .execute("DELETE FROM connection WHERE name = ?1", [name])?
            > 0)
    }
}

const SELECT: &str = "SELECT name, login_url, instance_url, org_id, user_id, username, client_id,
    connected_at FROM connection";

fn row_to_connection(row: &rusqlite::Row<'_>) -> rusqlite::Result<Connection> {
    let connected_at: String = row.get(7)?;
    let connected_at = DateTime::parse_from_rfc3339(&connected_at)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|e| {
            rusqlite::Error::FromSqlConversionFailure(7, rusqlite::types::Type::Text, Box::new(e))
        })?;
    Ok(Connection {
        name: row.get(0)?,
        login_url: row.get(1)?,
        instance_url: row.get(2)?,
        org_id: row.get(3)?,
        user_id: row.get(4)?,
        username: row.get(5)?,
        client_id: row.get(6)?,
        connected_at,
    })
}

fn migrate(db: &mut Db) -> Result<(), MetadataError> {
    let done: i64 = db.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    let known = MIGRATIONS.len() as i64;
    if done > known {
        return Err(MetadataError::TooNew(done));
    }
    let tx = db.transaction()?;
    for (number, sql) in MIGRATIONS.iter().enumerate().skip(done as usize) {
        tx.execute_batch(sql)?;
        tx.pragma_update(None, "user_version", number as i64 + 1)?;
    }
    tx.commit()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample(name: &str) -> Connection {
        Connection {
            name: name.into(),
            login_url: "https://login.salesforce.com".into(),
            instance_url: "https://acme.my.salesforce.com".into(),
            org_id: "00D000000000001AAA".into(),
            user_id: "005000000000001AAA".into(),
            username: "a@acme.example".into(),
            client_id: "TetherDesktop".into(),
            connected_at: DateTime::parse_from_rfc3339("2026-01-02T03:04:05Z")
                .map(|t| t.with_timezone(&Utc))
                .unwrap(),
        }
    }

    #[test]
    fn save_list_replace_remove_and_reopen() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("tether.db");
        let db = ConnectionDb::open(&path).unwrap();
        db.save(&sample("prod")).unwrap();
        db.save(&sample("dev")).unwrap();
        let mut newer = sample("prod");
        newer.username = "b@acme.example".into();
        db.save(&newer).unwrap();
        drop(db);

        let db = ConnectionDb::open(&path).unwrap();
        let names: Vec<_> = db.list().unwrap().into_iter().map(|c| c.name).collect();
        assert_eq!(names, ["dev", "prod"]);
        assert_eq!(db.get("prod").unwrap(), Some(newer));
        assert!(db.remove("dev").unwrap());
        assert!(!db.remove("dev").unwrap());
        assert_eq!(db.get("dev").unwrap(), None);
    }

    #[test]
    fn refuses_a_newer_schema() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("tether.db");
        Db::open(&path)
            .unwrap()
            .pragma_update(None, "user_version", 99)
            .unwrap();
        assert!(matches!(
            ConnectionDb::open(&path),
            Err(MetadataError::TooNew(99))
        ));
    }
}
