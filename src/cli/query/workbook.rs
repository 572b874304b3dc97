//! `tether query --format xlsx --output FILE`: the answer as a workbook with typed cells,
//! written page by page.

use std::path::Path;

use futures_util::{Stream, StreamExt};
use serde_json::{Map, Value};

use super::super::CliError;
use crate::explore::export::XlsxSheet;
use crate::explore::table::Table;
use crate::salesforce::QueryPage;

pub(super) async fn write<S>(soql: &str, mut pages: S, path: &Path) -> Result<u64, CliError>
where
    S: Stream<Item = crate::salesforce::Result<QueryPage<Map<String, Value>>>> + Unpin,
{
    let export = |e: crate::explore::export::ExportError| CliError::Usage(e.to_string());
    let mut table = Table::new(soql);
    // The header is known from the SELECT list, or else from the first record.
    let mut sheet: Option<XlsxSheet> = None;
    while let Some(page) = pages.next().await {
        let page = page.map_err(|e| CliError::Salesforce(e.to_string()))?;
        table.set_total(page.total_size);
        for record in &page.records {
            table.push(record);
            if sheet.is_none() {
                sheet = Some(XlsxSheet::create(path, &table.headers).map_err(export)?);
            }
            if let Some(sheet) = sheet.as_mut() {
                for row in table.rows.drain(..) {
                    sheet.row(&row).map_err(export)?;
                }
            }
        }
    }
    let mut sheet = match sheet {
        Some(sheet) => sheet,
        None => XlsxSheet::create(path, &table.headers).map_err(export)?,
    };
    // `SELECT COUNT()` has no records, only its count.
    for row in table.rows.drain(..) {
        sheet.row(&row).map_err(export)?;
    }
    sheet.finish().map_err(export)?;
    Ok(table.total)
}
