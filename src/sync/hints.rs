//! Plain-language "what to do next" for the errors Salesforce returns for a record, kept with
//! every failed record of a run.

/// What was being done to the record when Salesforce refused it, so that a hint speaks to it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Operation {
    Create,
    Update,
}

/// [`hint`], worded for the operation that failed: a required field missing on an update
/// means the update would empty it, not that a create lacks it.
pub fn hint_on(operation: Operation, code: &str, fields: &[String], message: &str) -> String {
    match (operation, code) {
        (Operation::Update, "REQUIRED_FIELD_MISSING") => capitalized(format!(
            "Salesforce requires {} on every record, and this update would leave it empty. Fill it in the local row (or stop pushing an empty value to it), then sync again.",
            named(fields)
        )),
        (Operation::Update, "DUPLICATE_VALUE" | "DUPLICATE_EXTERNAL_ID") => capitalized(format!(
            "This update would give {} a value another record already has, and it must be unique. Change the local value, or merge the two records in Salesforce.",
            named(fields)
        )),
        _ => hint(code, fields, message),
    }
}

fn named(fields: &[String]) -> String {
    if fields.is_empty() {
        "the field".to_string()
    } else {
        fields
            .iter()
            .map(|f| format!("`{f}`"))
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// A hint for the Salesforce error `code` on `fields`, with Salesforce's own `message` to fall
/// back on when the code is not one a sync usually meets.
pub fn hint(code: &str, fields: &[String], message: &str) -> String {
    let named = named(fields);
    let text = match code {
        "REQUIRED_FIELD_MISSING" => format!(
            "Salesforce needs {named} to create this record. Fill it in the local row, or map a column or expression to it with direction push, then sync again."
        ),
        "STRING_TOO_LONG" => format!(
            "The value for {named} is longer than the field allows. Shorten it in the local row (or in the expression that computes it), or widen the field in Salesforce Setup."
        ),
        "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST" => format!(
            "The value for {named} is not one of the picklist's values. Use an allowed value (spelling and case must match), or add it to the picklist in Salesforce Setup."
        ),
        "DUPLICATE_VALUE" | "DUPLICATE_EXTERNAL_ID" => format!(
            "Another record already has this value in {named}, which must be unique. Find the other record, then merge the two or change one value."
        ),
        "DUPLICATES_DETECTED" => "A Salesforce duplicate rule blocked this record as a likely duplicate. Merge it with the existing record, or ask your admin to allow the save in the duplicate rule.".to_string(),
        "FIELD_CUSTOM_VALIDATION_EXCEPTION" => format!(
            "A validation rule in Salesforce refused the record: \"{message}\". Change the local values so they meet the rule, or ask your admin about the rule."
        ),
        "FIELD_INTEGRITY_EXCEPTION" => format!(
            "Salesforce refused the value of {named}: \"{message}\". Correct the value in the local row."
        ),
        "UNABLE_TO_LOCK_ROW" => "Someone else was saving the same record at that moment. Nothing is lost: sync again and the record is retried.".to_string(),
        "INVALID_FIELD" => format!(
            "Salesforce does not know {named}. Check the spelling in the link (`tether link verify`), that the field exists, and that the integration user can see it."
        ),
        "INVALID_FIELD_FOR_INSERT_UPDATE" => format!(
            "{named} cannot be written (read-only, formula or system field). Change the mapping's direction to pull, or remove it from the link."
        ),
        "ENTITY_IS_DELETED" => "The Salesforce record was deleted. Restore it from the Recycle Bin, or clear the Salesforce Id in the local row so the next sync creates or matches a new record.".to_string(),
        "INVALID_CROSS_REFERENCE_KEY" => format!(
            "{named} points to a record that does not exist or that you cannot see. Check the referenced Id or external id, and sync the parent record first."
        ),
        "MALFORMED_ID" => format!(
            "{named} does not hold a valid Salesforce Id (15 or 18 characters). Correct or clear the Id in the local row."
        ),
        "NOT_FOUND" => "The Salesforce record was not found: it may have been deleted and emptied from the Recycle Bin. Clear the Salesforce Id in the local row to create or match it again.".to_string(),
        "INVALID_TYPE_ON_FIELD_IN_RECORD" | "INVALID_TYPE" | "JSON_PARSER_ERROR" => format!(
            "The value for {named} has the wrong type (for example text where a number, date or checkbox is expected). Correct the local value, or convert it with an expression."
        ),
        "NUMBER_OUTSIDE_VALID_RANGE" => format!(
            "The number for {named} has more digits than the field allows. Round or shorten it locally, or widen the field in Salesforce Setup."
        ),
        "INVALID_EMAIL_ADDRESS" => format!(
            "{named} is not a valid email address. Correct it in the local row."
        ),
        "REQUEST_LIMIT_EXCEEDED" | "LIMIT_EXCEEDED" => "The org has used up its API requests for now. Wait for the 24-hour limit to recover (see `tether limits`), or sync less often; nothing is lost.".to_string(),
        "INSUFFICIENT_ACCESS_OR_READONLY" | "INSUFFICIENT_ACCESS" => "The connected user may not edit this record. Ask your admin for edit access to the record (sharing) and the object, or connect with another user.".to_string(),
        "CANNOT_INSERT_UPDATE_ACTIVATE_ENTITY" => format!(
            "A trigger, flow or process in Salesforce failed while saving the record: \"{message}\". Ask your admin to look at the automation named in the message."
        ),
        "STORAGE_LIMIT_EXCEEDED" => "The org's data storage is full. Delete or archive records in Salesforce, or ask your admin for more storage, then sync again.".to_string(),
        "ALL_OR_NONE_OPERATION_ROLLED_BACK" | "PROCESSING_HALTED" => "This record was not saved because another record in the same request failed. Fix the other record's error; this one is retried with it.".to_string(),
        "INVALID_SESSION_ID" => "The session expired or was revoked. Sign in again with `tether connect`, then sync again.".to_string(),
        "SERVER_UNAVAILABLE" | "UNKNOWN_EXCEPTION" => "Salesforce had a temporary problem. Sync again later; if it keeps happening, contact Salesforce support with the message.".to_string(),
        _ => format!(
            "Salesforce refused the record ({code}): \"{message}\". Correct the values it names, then sync again."
        ),
    };
    capitalized(text)
}

fn capitalized(text: String) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => text,
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_required_field_missing_on_an_update_speaks_of_the_update() {
        let fields = ["LastName".to_string()];
        let update = hint_on(Operation::Update, "REQUIRED_FIELD_MISSING", &fields, "");
        assert!(
            update.contains("this update would leave it empty"),
            "{update}"
        );
        assert!(!update.contains("to create"), "{update}");
        let create = hint_on(Operation::Create, "REQUIRED_FIELD_MISSING", &fields, "");
        assert!(create.contains("to create this record"), "{create}");
    }

    use super::*;

    fn fields(names: &[&str]) -> Vec<String> {
        names.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn each_code_a_sync_meets_gets_its_own_advice() {
        // (code, a phrase only that code's hint has)
        let cases = [
            ("REQUIRED_FIELD_MISSING", "needs `LastName`"),
            ("STRING_TOO_LONG", "longer than the field allows"),
            (
                "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST",
                "picklist's values",
            ),
            ("DUPLICATE_VALUE", "must be unique"),
            ("DUPLICATE_EXTERNAL_ID", "must be unique"),
            ("DUPLICATES_DETECTED", "duplicate rule"),
            ("FIELD_CUSTOM_VALIDATION_EXCEPTION", "validation rule"),
            ("UNABLE_TO_LOCK_ROW", "sync again"),
            ("INVALID_FIELD", "tether link verify"),
            ("INVALID_FIELD_FOR_INSERT_UPDATE", "cannot be written"),
            ("ENTITY_IS_DELETED", "Recycle Bin"),
            (
                "INVALID_CROSS_REFERENCE_KEY",
                "sync the parent record first",
            ),
            ("MALFORMED_ID", "15 or 18 characters"),
            ("NOT_FOUND", "was not found"),
            ("INVALID_TYPE_ON_FIELD_IN_RECORD", "wrong type"),
            ("NUMBER_OUTSIDE_VALID_RANGE", "more digits"),
            ("REQUEST_LIMIT_EXCEEDED", "tether limits"),
            ("INSUFFICIENT_ACCESS_OR_READONLY", "edit access"),
            ("CANNOT_INSERT_UPDATE_ACTIVATE_ENTITY", "automation"),
            ("STORAGE_LIMIT_EXCEEDED", "storage is full"),
            ("ALL_OR_NONE_OPERATION_ROLLED_BACK", "same request failed"),
            ("INVALID_EMAIL_ADDRESS", "valid email"),
        ];
        for (code, phrase) in cases {
            let text = hint(code, &fields(&["LastName"]), "msg");
            assert!(text.contains(phrase), "{code}: {text}");
            assert!(
                !text.contains("refused the record ("),
                "{code} fell back: {text}"
            );
        }
    }

    #[test]
    fn hints_name_every_field_and_quote_messages_where_the_message_is_the_news() {
        let text = hint("STRING_TOO_LONG", &fields(&["Name", "Title"]), "");
        assert!(text.contains("`Name`, `Title`"), "{text}");
        let text = hint(
            "FIELD_CUSTOM_VALIDATION_EXCEPTION",
            &[],
            "Close date in the past",
        );
        assert!(text.contains("\"Close date in the past\""), "{text}");
        assert!(hint("MALFORMED_ID", &[], "").starts_with("The field"));
    }

    #[test]
    fn an_unknown_code_falls_back_to_salesforces_message() {
        let text = hint("SOMETHING_NEW", &[], "Odd thing happened");
        assert!(text.contains("SOMETHING_NEW"), "{text}");
        assert!(text.contains("Odd thing happened"), "{text}");
    }
}
