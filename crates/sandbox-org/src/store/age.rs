//! Moving an object's records into the past, as an org's existing data: what a test or the
//! benchmark uses to stand for records created and last changed long ago, rather than by the
//! writes that just loaded them.

use rusqlite::params;
use serde_json::Value;

use super::cache::{Change, Stored};
use super::{Record, Store, stamp, write::sql_error};
use crate::error::SfError;
use crate::values::parse_datetime;

/// The audit stamps a record carries, each moved by the same amount.
const STAMPS: [&str; 3] = ["CreatedDate", "LastModifiedDate", "SystemModstamp"];

impl Store {
    /// Moves the CreatedDate, LastModifiedDate and SystemModstamp of every record of
    /// `object` (deleted ones included, with their deletion time) `by_ms` milliseconds into
    /// the past, with the SystemModstamp index they are read by. Returns how many records
    /// moved. Time only goes back: a record is never stamped later than it was written.
    pub fn age_records(&self, object: &str, by_ms: i64) -> Result<usize, SfError> {
        let schema = self.schema();
        let Some(object) = schema.object(object) else {
            return Err(SfError::new(
                "INVALID_TYPE",
                format!("sObject type '{object}' is not supported."),
            ));
        };
        if by_ms <= 0 {
            return Err(SfError::new(
                "FIELD_INTEGRITY_EXCEPTION",
                "records can only be moved into the past: give a positive number of seconds",
            ));
        }
        // The kept indexes follow the moved records as they follow any write, rather than
        // being dropped and built again by the next request.
        let follows = self.reads.follows(&object.name);
        let mut changes = Vec::new();
        let mut conn = self.lock();
        let tx = conn.transaction().map_err(sql_error)?;
        let mut moved = 0;
        {
            let mut read = tx
                .prepare("SELECT id, data, is_deleted FROM records WHERE object = ?1")
                .map_err(sql_error)?;
            let mut write = tx
                .prepare(
                    "UPDATE records SET data = ?2, modstamp = modstamp - ?3,
                     deleted_at = deleted_at - ?3 WHERE id = ?1",
                )
                .map_err(sql_error)?;
            let rows = read
                .query_map(params![object.name], |r| {
                    Ok((
                        r.get::<_, String>(0)?,
                        r.get::<_, String>(1)?,
                        r.get::<_, bool>(2)?,
                    ))
                })
                .map_err(sql_error)?;
            for row in rows {
                let (id, text, deleted) = row.map_err(sql_error)?;
                let Ok(mut record) = serde_json::from_str::<Record>(&text) else {
                    tracing::error!("sandbox org record {id} is unreadable: left where it was");
                    continue;
                };
                for name in STAMPS {
                    let at = record
                        .get(name)
                        .and_then(Value::as_str)
                        .and_then(parse_datetime);
                    if let Some(at) = at {
                        record.insert(name.into(), stamp(at.timestamp_millis() - by_ms));
                    }
                }
                let text =
                    serde_json::to_string(&record).map_err(|_| SfError::unknown_exception())?;
                write.execute(params![id, text, by_ms]).map_err(sql_error)?;
                moved += 1;
                if follows {
                    changes.push(Change {
                        object: object.name.clone(),
                        id,
                        stored: Some(Stored { record, deleted }),
                    });
                }
            }
        }
        tx.commit().map_err(sql_error)?;
        drop(conn);
        self.reads.apply(&changes);
        Ok(moved)
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use serde_json::json;

    use super::*;
    use crate::schema::Schema;

    const USER: &str = "005000000000001";

    fn stamp_ms(record: &Record, name: &str) -> i64 {
        parse_datetime(record[name].as_str().unwrap())
            .unwrap()
            .timestamp_millis()
    }

    #[test]
    fn aged_records_keep_their_order_and_are_found_in_the_past_by_the_modstamp_index() {
        let store = Store::open(None, Arc::new(Schema::standard().unwrap())).unwrap();
        let (first, second, contact) = store
            .write(|w| {
                let first = w.create("Account", json!({"Name": "A"}).as_object().unwrap(), USER)?;
                let second =
                    w.create("Account", json!({"Name": "B"}).as_object().unwrap(), USER)?;
                let contact = w.create(
                    "Contact",
                    json!({"LastName": "C"}).as_object().unwrap(),
                    USER,
                )?;
                Ok::<_, Vec<SfError>>((first, second, contact))
            })
            .unwrap();
        store.write(|w| w.delete(&second, USER)).unwrap();
        let before: Vec<Record> = [&first, &second, &contact]
            .iter()
            .map(|id| store.get(id).unwrap())
            .collect();
        let deleted_before = store.deleted("Account", 0, i64::MAX);
        let day = 86_400_000;

        assert_eq!(store.age_records("Account", day).unwrap(), 2);

        for (id, old) in [&first, &second].into_iter().zip(&before) {
            let new = store.get(id).unwrap();
            for name in STAMPS {
                assert_eq!(
                    stamp_ms(&new, name),
                    stamp_ms(old, name) - day,
                    "{id} {name}"
                );
            }
            assert_eq!(new["Name"], old["Name"]);
        }
        assert_eq!(
            store.get(&contact).unwrap(),
            before[2],
            "other objects stay"
        );
        let modstamp = stamp_ms(&store.get(&first).unwrap(), "SystemModstamp");
        assert_eq!(
            store.ids_in_modstamp_window("Account", true, modstamp, modstamp + 1),
            vec![first.clone()]
        );
        let now = crate::store::now_ms();
        assert!(
            store
                .ids_in_modstamp_window("Account", true, now - day / 2, i64::MAX)
                .is_empty()
        );
        let deleted_after = store.deleted("Account", 0, i64::MAX);
        assert_eq!(deleted_after.len(), 1);
        assert_eq!(deleted_after[0].1, deleted_before[0].1 - day);
    }

    #[test]
    fn only_the_past_and_known_objects_are_accepted() {
        let store = Store::open(None, Arc::new(Schema::standard().unwrap())).unwrap();
        assert_eq!(
            store.age_records("Account", 0).unwrap_err().code,
            "FIELD_INTEGRITY_EXCEPTION"
        );
        assert_eq!(
            store.age_records("Acount", 1000).unwrap_err().code,
            "INVALID_TYPE"
        );
    }
}
