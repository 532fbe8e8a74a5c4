//! Key paths into a scenario (`imports[RUSSIA-NORTH].links[L1].cap_mw`): the keys and
//! named elements a sweep axis or an uncertain parameter sets.

/// One segment of a key path: a key, optionally selecting the element of an array of
/// tables by `name` (`units[U400]`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Segment {
    /// The key.
    pub key: String,
    /// The element's `name`, for arrays of named tables.
    pub element: Option<String>,
}

/// A key path into a scenario, such as `imports[RUSSIA-NORTH].links[L1].cap_mw`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KeyPath {
    /// As written.
    pub text: String,
    /// The segments; the last has no element.
    pub segments: Vec<Segment>,
}

impl KeyPath {
    /// Parse `text`.
    pub fn parse(text: &str) -> Result<KeyPath, String> {
        let bad = |why: &str| Err(format!("bad key path `{text}`: {why}"));
        let mut segments = Vec::new();
        let mut rest = text;
        loop {
            let end = rest.find(['.', '[']).unwrap_or(rest.len());
            let key = &rest[..end];
            if key.is_empty()
                || !key
                    .bytes()
                    .all(|c| c.is_ascii_alphanumeric() || c == b'_' || c == b'-')
            {
                return bad("expected a key (letters, digits, `_`, `-`)");
            }
            rest = &rest[end..];
            let mut element = None;
            if let Some(r) = rest.strip_prefix('[') {
                let Some(close) = r.find(']') else {
                    return bad("`[` without `]`");
                };
                if close == 0 {
                    return bad("empty element name in `[]`");
                }
                element = Some(r[..close].to_string());
                rest = &r[close + 1..];
            }
            segments.push(Segment {
                key: key.to_string(),
                element,
            });
            if rest.is_empty() {
                break;
            }
            match rest.strip_prefix('.') {
                Some(r) => rest = r,
                None => return bad("expected `.` after `]`"),
            }
        }
        let last = segments.last().expect("at least one segment");
        if last.element.is_some() {
            return bad(
                "must end with a key, not an element (`units[U400].mttr_h`, not `units[U400]`)",
            );
        }
        if last.key == "name"
            && segments.len() > 1
            && segments[segments.len() - 2].element.is_some()
        {
            return bad("an element's `name` cannot be set");
        }
        if segments.len() == 1 && matches!(last.key.as_str(), "name" | "extends") {
            return bad("`name` and `extends` cannot be set");
        }
        Ok(KeyPath {
            text: text.to_string(),
            segments,
        })
    }
}
