//! A batch body as a header and rows of text, whatever its content type, so that JSON and
//! XML batches are written by the same column plan as CSV ones.
//!
//! A JSON or XML record becomes one row: `null` (or `xsi:nil`) becomes `#N/A`, which sets the
//! field to null; a field the record leaves out is an empty cell, which leaves it unchanged;
//! a nested parent reference (`"Account": {"External_Id__c": "X"}`) becomes the column
//! `Account.External_Id__c`, as in a CSV header.

use serde_json::Value;

use super::super::columns::NULL_MARKER;
use super::super::dialect::{self, Dialect, LineEnding, Row};
use super::job::ContentType;
use super::xml;

pub struct Table {
    pub header: Vec<String>,
    pub rows: Vec<Row>,
}

/// Builds rows from records given as `(column, text)` pairs.
#[derive(Default)]
struct Builder {
    header: Vec<String>,
    rows: Vec<Row>,
}

impl Builder {
    fn push(&mut self, cells: Vec<(String, String)>) {
        let mut row = vec![String::new(); self.header.len()];
        for (column, text) in cells {
            let at = match self
                .header
                .iter()
                .position(|h| h.eq_ignore_ascii_case(&column))
            {
                Some(at) => at,
                None => {
                    self.header.push(column);
                    row.push(String::new());
                    self.header.len() - 1
                }
            };
            row[at] = text;
        }
        let line = self.rows.len() + 2;
        self.rows.push(Row {
            line,
            cells: row,
            error: None,
        });
    }

    fn finish(mut self) -> Table {
        let width = self.header.len();
        for row in &mut self.rows {
            row.cells.resize(width, String::new());
        }
        Table {
            header: self.header,
            rows: self.rows,
        }
    }
}

fn json_cells(record: &serde_json::Map<String, Value>) -> Result<Vec<(String, String)>, String> {
    let mut cells = Vec::with_capacity(record.len());
    for (key, value) in record {
        if key == "attributes" {
            continue;
        }
        match value {
            Value::Object(parent) => {
                for (field, v) in parent.iter().filter(|(k, _)| *k != "attributes") {
                    cells.push((format!("{key}.{field}"), json_text(v)?));
                }
            }
            v => cells.push((key.clone(), json_text(v)?)),
        }
    }
    Ok(cells)
}

fn json_text(value: &Value) -> Result<String, String> {
    Ok(match value {
        Value::Null => NULL_MARKER.to_string(),
        Value::String(s) => s.clone(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => n.to_string(),
        other => {
            return Err(format!(
                "InvalidBatch : a field value must be text, a number, true, false or null, not {other}"
            ));
        }
    })
}

fn xml_cells(record: &xml::Element) -> Vec<(String, String)> {
    let mut cells = Vec::with_capacity(record.children.len());
    for field in &record.children {
        if field.is_nil() {
            cells.push((field.name.clone(), NULL_MARKER.to_string()));
        } else if field.children.is_empty() {
            cells.push((field.name.clone(), field.text.clone()));
        } else {
            for inner in field.children.iter().filter(|c| c.name != "type") {
                cells.push((format!("{}.{}", field.name, inner.name), inner.text.clone()));
            }
        }
    }
    cells
}

/// Reads a batch body; the error is the batch's `stateMessage`.
pub fn read(body: &[u8], content: ContentType) -> Result<Table, String> {
    match content {
        ContentType::Csv => {
            // Bulk API 1.0 takes either line ending in the same job.
            let line_ending = if body.windows(2).any(|w| w == b"\r\n") {
                LineEnding::Crlf
            } else {
                LineEnding::Lf
            };
            let dialect = Dialect {
                line_ending,
                ..Dialect::default()
            };
            let table = dialect::parse(body, dialect).map_err(|e| e.to_string())?;
            Ok(Table {
                header: table.header,
                rows: table.rows,
            })
        }
        ContentType::Json => {
            let records: Value = serde_json::from_slice(body).map_err(|e| {
                format!("InvalidBatch : the batch is not valid JSON: {e}. Send an array of records")
            })?;
            let Value::Array(records) = records else {
                return Err(
                    "InvalidBatch : a JSON batch is an array of records: wrap the records in [ ]"
                        .into(),
                );
            };
            let mut builder = Builder::default();
            for record in &records {
                let Value::Object(record) = record else {
                    return Err(format!(
                        "InvalidBatch : every element of a JSON batch is a record object, not {record}"
                    ));
                };
                builder.push(json_cells(record)?);
            }
            Ok(builder.finish())
        }
        ContentType::Xml => {
            let text = std::str::from_utf8(body)
                .map_err(|_| "InvalidBatch : the batch is not UTF-8 text".to_string())?;
            let doc = xml::parse(text).map_err(|e| format!("InvalidBatch : {e}"))?;
            if doc.name != "sObjects" {
                return Err(format!(
                    "InvalidBatch : an XML batch has the root element sObjects, not {}",
                    doc.name
                ));
            }
            let mut builder = Builder::default();
            for record in doc.children.iter().filter(|c| c.name == "sObject") {
                builder.push(xml_cells(record));
            }
            Ok(builder.finish())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_records_become_rows_with_one_header() {
        let t = read(
            br#"[{"Name":"A","NumberOfEmployees":5,"Phone":null},{"Name":"B","Parent":{"External_Id__c":"X"},"IsDeleted":false}]"#,
            ContentType::Json,
        )
        .unwrap();
        assert_eq!(
            t.header,
            [
                "Name",
                "NumberOfEmployees",
                "Phone",
                "Parent.External_Id__c",
                "IsDeleted"
            ]
        );
        assert_eq!(t.rows[0].cells, ["A", "5", "#N/A", "", ""]);
        assert_eq!(t.rows[1].cells, ["B", "", "", "X", "false"]);
    }

    #[test]
    fn xml_records_become_rows() {
        let t = read(
            br#"<?xml version="1.0"?><sObjects xmlns="http://www.force.com/2009/06/asyncapi/dataload" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><sObject><Name>A</Name><Phone xsi:nil="true"/></sObject><sObject><Name>B</Name></sObject></sObjects>"#,
            ContentType::Xml,
        )
        .unwrap();
        assert_eq!(t.header, ["Name", "Phone"]);
        assert_eq!(t.rows[0].cells, ["A", "#N/A"]);
        assert_eq!(t.rows[1].cells, ["B", ""]);
    }

    #[test]
    fn a_json_batch_that_is_not_an_array_is_refused() {
        let err = read(br#"{"Name":"A"}"#, ContentType::Json).err().unwrap();
        assert!(err.starts_with("InvalidBatch : "), "{err}");
    }
}
