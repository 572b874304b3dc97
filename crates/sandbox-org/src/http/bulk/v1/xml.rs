//! Just enough XML for Bulk API 1.0 bodies: a job info (`<jobInfo><operation>insert</operation>…`)
//! and an XML batch (`<sObjects><sObject><Name>Acme</Name>…`). Namespaces are dropped from
//! names, `xsi:nil="true"` is kept as an attribute, and the five predefined entities plus
//! numeric character references are decoded.

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Element {
    /// The local name, without any namespace prefix.
    pub name: String,
    pub attributes: Vec<(String, String)>,
    pub children: Vec<Element>,
    pub text: String,
}

impl Element {
    pub fn child(&self, name: &str) -> Option<&Element> {
        self.children.iter().find(|c| c.name == name)
    }

    /// The text of a direct child element, trimmed.
    pub fn child_text(&self, name: &str) -> Option<&str> {
        self.child(name).map(|c| c.text.trim())
    }

    /// `xsi:nil="true"`: the element stands for null.
    pub fn is_nil(&self) -> bool {
        self.attributes
            .iter()
            .any(|(k, v)| k == "nil" && v.trim() == "true")
    }
}

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{0}")]
pub struct XmlError(pub String);

fn local(name: &str) -> String {
    name.rsplit(':').next().unwrap_or(name).to_string()
}

/// Escapes text for an element body or an attribute value.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c => out.push(c),
        }
    }
    out
}

fn unescape(text: &str) -> Result<String, XmlError> {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find('&') {
        out.push_str(&rest[..at]);
        let after = &rest[at + 1..];
        let end = after
            .find(';')
            .ok_or_else(|| XmlError(format!("unterminated entity near '{}'", &rest[at..])))?;
        let entity = &after[..end];
        let decoded = match entity {
            "amp" => Some('&'),
            "lt" => Some('<'),
            "gt" => Some('>'),
            "quot" => Some('"'),
            "apos" => Some('\''),
            _ => entity
                .strip_prefix("#x")
                .and_then(|hex| u32::from_str_radix(hex, 16).ok())
                .or_else(|| entity.strip_prefix('#').and_then(|d| d.parse().ok()))
                .and_then(char::from_u32),
        };
        out.push(decoded.ok_or_else(|| XmlError(format!("unknown entity &{entity};")))?);
        rest = &after[end + 1..];
    }
    out.push_str(rest);
    Ok(out)
}

/// Parses a document into its root element.
pub fn parse(text: &str) -> Result<Element, XmlError> {
    let mut stack: Vec<Element> = Vec::new();
    let mut root: Option<Element> = None;
    let mut rest = text.trim_start_matches('\u{feff}');
    while !rest.is_empty() {
        let Some(open) = rest.find('<') else {
            if !rest.trim().is_empty() {
                let top = stack
                    .last_mut()
                    .ok_or_else(|| XmlError("text outside the root element".into()))?;
                top.text.push_str(&unescape(rest)?);
            }
            break;
        };
        if open > 0 {
            let text = &rest[..open];
            match stack.last_mut() {
                Some(top) => top.text.push_str(&unescape(text)?),
                None if text.trim().is_empty() => {}
                None => return Err(XmlError("text outside the root element".into())),
            }
        }
        rest = &rest[open..];
        if let Some(after) = rest.strip_prefix("<?") {
            let end = after
                .find("?>")
                .ok_or_else(|| XmlError("unterminated <? ?>".into()))?;
            rest = &after[end + 2..];
        } else if let Some(after) = rest.strip_prefix("<!--") {
            let end = after
                .find("-->")
                .ok_or_else(|| XmlError("unterminated comment".into()))?;
            rest = &after[end + 3..];
        } else if let Some(after) = rest.strip_prefix("<![CDATA[") {
            let end = after
                .find("]]>")
                .ok_or_else(|| XmlError("unterminated CDATA section".into()))?;
            if let Some(top) = stack.last_mut() {
                top.text.push_str(&after[..end]);
            }
            rest = &after[end + 3..];
        } else if let Some(after) = rest.strip_prefix("</") {
            let end = after
                .find('>')
                .ok_or_else(|| XmlError("unterminated closing tag".into()))?;
            let name = local(after[..end].trim());
            let element = stack
                .pop()
                .ok_or_else(|| XmlError(format!("closing tag </{name}> without an opening tag")))?;
            if element.name != name {
                return Err(XmlError(format!(
                    "closing tag </{name}> does not match <{}>",
                    element.name
                )));
            }
            attach(&mut stack, &mut root, element)?;
            rest = &after[end + 1..];
        } else {
            let end = rest[1..]
                .find('>')
                .map(|e| e + 1)
                .ok_or_else(|| XmlError("unterminated tag".into()))?;
            let inner = &rest[1..end];
            let (inner, self_closing) = match inner.strip_suffix('/') {
                Some(i) => (i, true),
                None => (inner, false),
            };
            let element = open_tag(inner)?;
            if self_closing {
                attach(&mut stack, &mut root, element)?;
            } else {
                stack.push(element);
            }
            rest = &rest[end + 1..];
        }
    }
    if let Some(open) = stack.last() {
        return Err(XmlError(format!("element <{}> is never closed", open.name)));
    }
    root.ok_or_else(|| XmlError("the document has no root element".into()))
}

fn attach(
    stack: &mut [Element],
    root: &mut Option<Element>,
    element: Element,
) -> Result<(), XmlError> {
    match stack.last_mut() {
        Some(parent) => parent.children.push(element),
        None if root.is_none() => *root = Some(element),
        None => return Err(XmlError("more than one root element".into())),
    }
    Ok(())
}

fn open_tag(inner: &str) -> Result<Element, XmlError> {
    let inner = inner.trim();
    let name_end = inner.find(char::is_whitespace).unwrap_or(inner.len());
    let name = &inner[..name_end];
    if name.is_empty() {
        return Err(XmlError("a tag without a name".into()));
    }
    let mut attributes = Vec::new();
    let mut rest = inner[name_end..].trim_start();
    while !rest.is_empty() {
        let eq = rest
            .find('=')
            .ok_or_else(|| XmlError(format!("attribute without a value in <{name}>")))?;
        let key = local(rest[..eq].trim());
        let after = rest[eq + 1..].trim_start();
        let quote = after
            .chars()
            .next()
            .filter(|q| *q == '"' || *q == '\'')
            .ok_or_else(|| XmlError(format!("unquoted attribute {key} in <{name}>")))?;
        let close = after[1..]
            .find(quote)
            .ok_or_else(|| XmlError(format!("unterminated attribute {key} in <{name}>")))?;
        attributes.push((key, unescape(&after[1..close + 1])?));
        rest = after[close + 2..].trim_start();
    }
    Ok(Element {
        name: local(name),
        attributes,
        ..Element::default()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_a_job_info_as_jsforce_sends_it() {
        let doc = parse(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<jobInfo  xmlns=\"http://www.force.com/2009/06/asyncapi/dataload\">\n  <operation>insert</operation>\n  <object>Account</object>\n  \n  <contentType>CSV</contentType>\n</jobInfo>",
        )
        .unwrap();
        assert_eq!(doc.name, "jobInfo");
        assert_eq!(doc.child_text("operation"), Some("insert"));
        assert_eq!(doc.child_text("object"), Some("Account"));
        assert_eq!(doc.child_text("externalIdFieldName"), None);
    }

    #[test]
    fn reads_records_with_entities_nil_and_nesting() {
        let doc = parse(
            r#"<sObjects xmlns="x" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><sObject><Name>A &amp; B &#233;</Name><Phone xsi:nil="true"/><Account><External_Id__c>X-1</External_Id__c></Account></sObject></sObjects>"#,
        )
        .unwrap();
        let record = &doc.children[0];
        assert_eq!(record.child_text("Name"), Some("A & B é"));
        assert!(record.child("Phone").unwrap().is_nil());
        assert_eq!(
            record
                .child("Account")
                .unwrap()
                .child_text("External_Id__c"),
            Some("X-1")
        );
    }

    #[test]
    fn refuses_broken_documents_with_a_reason() {
        for (text, needle) in [
            ("<a><b></a>", "does not match"),
            ("<a>", "never closed"),
            ("", "no root"),
            ("<a>&nope;</a>", "unknown entity"),
            ("<a></a><b></b>", "more than one root"),
        ] {
            let err = parse(text).unwrap_err().0;
            assert!(err.contains(needle), "{text}: {err}");
        }
    }
}
