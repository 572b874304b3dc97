//! Values a real org derives on the activity and product objects: a task's closed and
//! high-priority flags, and a line item's total price.

use serde_json::{Value, json};

use super::Record;

pub(super) fn derive(object: &str, record: &mut Record) {
    match object {
        "Task" => {
            let status = record.get("Status").and_then(Value::as_str);
            let closed = status == Some("Completed") || status == Some("Deferred");
            let high = record.get("Priority").and_then(Value::as_str) == Some("High");
            record.insert("IsClosed".into(), Value::Bool(closed));
            record.insert("IsHighPriority".into(), Value::Bool(high));
        }
        "OpportunityLineItem" => {
            let quantity = record.get("Quantity").and_then(Value::as_f64);
            let unit = record.get("UnitPrice").and_then(Value::as_f64);
            let total = record.get("TotalPrice").and_then(Value::as_f64);
            match (quantity, unit, total) {
                (Some(q), Some(u), _) => {
                    record.insert("TotalPrice".into(), json!((q * u * 100.0).round() / 100.0));
                }
                (Some(q), None, Some(t)) if q != 0.0 => {
                    record.insert("UnitPrice".into(), json!((t / q * 100.0).round() / 100.0));
                }
                _ => {}
            }
        }
        _ => {}
    }
}
