//! Query errors worded as a real org: the offending row of the statement, a caret under the
//! column, `ERROR at Row:r:Column:c` and the reason.

use super::lexer::Pos;
use crate::error::SfError;

/// The org's positioned message: `"\n<row text>\n<caret>\nERROR at Row:1:Column:8\n<detail>"`.
pub fn positioned(source: &str, pos: Pos, detail: &str) -> String {
    let row_text = source
        .split('\n')
        .nth(pos.row.saturating_sub(1) as usize)
        .unwrap_or("");
    let row_text = row_text.strip_suffix('\r').unwrap_or(row_text);
    let caret = format!("{}^", " ".repeat(pos.col.saturating_sub(1) as usize));
    format!(
        "\n{row_text}\n{caret}\nERROR at Row:{}:Column:{}\n{detail}",
        pos.row, pos.col
    )
}

pub fn malformed(source: &str, pos: Pos, detail: String) -> SfError {
    SfError::new("MALFORMED_QUERY", positioned(source, pos, &detail))
}

pub fn unexpected(source: &str, pos: Pos, token_text: &str) -> SfError {
    malformed(source, pos, format!("unexpected token: {token_text}"))
}

pub fn invalid_field(source: &str, pos: Pos, detail: String) -> SfError {
    SfError::new("INVALID_FIELD", positioned(source, pos, &detail))
}

pub fn no_such_column(source: &str, pos: Pos, field: &str, object: &str) -> SfError {
    invalid_field(
        source,
        pos,
        format!(
            "No such column '{field}' on entity '{object}'. If you are attempting to use a custom field, be sure to append the '__c' after the custom field name. Please reference your WSDL or the describe call for the appropriate names."
        ),
    )
}

pub fn unknown_relationship(source: &str, pos: Pos, relationship: &str) -> SfError {
    invalid_field(
        source,
        pos,
        format!(
            "Didn't understand relationship '{relationship}' in field path. If you are attempting to use a custom relationship, be sure to append the '__r' after the custom relationship name. Please reference your WSDL or the describe call for the appropriate names."
        ),
    )
}

pub fn unknown_object(source: &str, pos: Pos, object: &str) -> SfError {
    SfError::new(
        "INVALID_TYPE",
        positioned(
            source,
            pos,
            &format!(
                "sObject type '{object}' is not supported. If you are attempting to use a custom object, be sure to append the '__c' after the entity name. Please reference your WSDL or the describe call for the appropriate names."
            ),
        ),
    )
}

/// A literal of the wrong type for its field, e.g. a quoted number.
pub fn wrong_literal(
    source: &str,
    pos: Pos,
    field: &str,
    type_name: &str,
    quoted: bool,
) -> SfError {
    let quotes = if quoted {
        "should be enclosed in quotes"
    } else {
        "should not be enclosed in quotes"
    };
    invalid_field(
        source,
        pos,
        format!(
            "value of filter criterion for field '{field}' must be of type {type_name} and {quotes}"
        ),
    )
}

pub fn invalid_id(source: &str, pos: Pos, value: &str) -> SfError {
    SfError::new(
        "INVALID_QUERY_FILTER_OPERATOR",
        positioned(source, pos, &format!("invalid ID field: {value}")),
    )
}

pub fn invalid_operator(source: &str, pos: Pos, field: &str) -> SfError {
    SfError::new(
        "INVALID_QUERY_FILTER_OPERATOR",
        positioned(source, pos, &format!("invalid operator on field '{field}'")),
    )
}

pub fn not_filterable(source: &str, pos: Pos, field: &str) -> SfError {
    invalid_field(
        source,
        pos,
        format!("field '{field}' can not be filtered in a query call"),
    )
}

pub fn not_sortable(source: &str, pos: Pos, field: &str) -> SfError {
    invalid_field(
        source,
        pos,
        format!("field '{field}' can not be sorted in a query call"),
    )
}

pub fn offset_too_large(source: &str, pos: Pos) -> SfError {
    SfError::new(
        "NUMBER_OUTSIDE_VALID_RANGE",
        positioned(
            source,
            pos,
            &format!("Maximum SOQL offset allowed is {}", super::MAX_OFFSET),
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn caret_sits_under_the_column_of_the_row() {
        let text = positioned("SELECT Id\nFROM Acount", Pos { row: 2, col: 6 }, "oops");
        assert_eq!(text, "\nFROM Acount\n     ^\nERROR at Row:2:Column:6\noops");
    }
}
