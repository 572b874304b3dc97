//! What a write may do for the user it is made for: see [`crate::access`].

use serde_json::{Map, Value};

use super::{Record, SCAN_CHUNK, Writer, read_chunk};
use crate::access::{Grants, WriteOp, check_write};
use crate::error::SfError;
use crate::schema::ObjectSchema;

impl Writer<'_> {
    /// Every live record of `object` as this transaction sees it.
    fn live_records(&self, object: &str) -> Vec<Record> {
        let mut out = Vec::new();
        let mut after = String::new();
        loop {
            let chunk = match read_chunk(self.tx, object, false, &after) {
                Ok(chunk) => chunk,
                Err(e) => {
                    tracing::error!("sandbox org could not read its {object} records: {e}");
                    return out;
                }
            };
            let Some((last, _)) = chunk.last() else {
                return out;
            };
            after = last.clone();
            let full = chunk.len() == SCAN_CHUNK;
            out.extend(chunk.into_iter().map(|(_, r)| r));
            if !full {
                return out;
            }
        }
    }

    /// Refuses a write the acting user's grants do not allow.
    pub(super) fn check_access(
        &self,
        user_id: &str,
        object: &ObjectSchema,
        input: Option<&Map<String, Value>>,
        op: WriteOp,
    ) -> Result<(), Vec<SfError>> {
        let records = |object: &str| self.live_records(object);
        // Grants this transaction changed are not the org's until it commits.
        let grants = if self.wrote_grants.get() && !user_id.is_empty() {
            std::sync::Arc::new(Grants::load(user_id, &records))
        } else {
            self.store.access.grants(user_id, &records)
        };
        check_write(&grants, object, input, op, &records)
    }

    /// Whether the user may read `field` of `object` (custom fields follow its grants).
    pub(super) fn may_read(&self, user_id: &str, object: &ObjectSchema, field: &str) -> bool {
        if !crate::schema::is_secured_field(field) {
            return true;
        }
        let records = |object: &str| self.live_records(object);
        self.store
            .access
            .grants(user_id, &records)
            .field(&object.name, field)
            .0
    }
}
