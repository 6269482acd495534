//! What a command prints: the response as JSON with the vendor's field names, or the same
//! response as a readable table.
//!
//! [`Json`] keeps fields in the order the vendor (or the vendor crate's type) gives them, so the
//! JSON reads like the API reference and the table's columns come in the same order.

use std::fmt::{self, Write as _};
use std::io::Write as _;

use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde::ser::{Serialize, SerializeMap, SerializeSeq, Serializer};

use crate::error::Failure;

/// How to print a response.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// Pretty-printed JSON with the vendor's field names.
    Json,
    /// The scalar fields as `name  value` lines, the listed items as a table.
    Table,
}

/// A JSON value whose objects keep their fields in order.
#[derive(Debug, Clone, PartialEq)]
pub enum Json {
    /// `null`.
    Null,
    /// `true` or `false`.
    Bool(bool),
    /// A number.
    Number(serde_json::Number),
    /// A string.
    String(String),
    /// An array.
    Array(Vec<Json>),
    /// An object, fields in order.
    Object(Vec<(String, Json)>),
}

impl Json {
    /// Any serializable value (a vendor crate's response type), fields in its order.
    pub fn of<T: Serialize>(value: &T) -> Result<Json, Failure> {
        serde_json::to_string(value)
            .and_then(|text| serde_json::from_str(&text))
            .map_err(|e| Failure::service(format!("cannot render the response: {e}")))
    }
}

/// Builds a [`Json::Object`], leaving out fields whose value is `null` (absent in the response).
#[derive(Debug, Default)]
pub struct Object(Vec<(String, Json)>);

impl Object {
    /// An empty object.
    pub fn new() -> Self {
        Object::default()
    }

    /// Adds `name` unless `value` is null.
    pub fn field(mut self, name: &str, value: impl Into<Json>) -> Self {
        let value = value.into();
        if value != Json::Null {
            self.0.push((name.to_owned(), value));
        }
        self
    }

    /// The object.
    pub fn build(self) -> Json {
        Json::Object(self.0)
    }
}

impl From<Object> for Json {
    fn from(o: Object) -> Self {
        o.build()
    }
}

impl From<bool> for Json {
    fn from(v: bool) -> Self {
        Json::Bool(v)
    }
}

impl From<u64> for Json {
    fn from(v: u64) -> Self {
        Json::Number(v.into())
    }
}

impl From<i64> for Json {
    fn from(v: i64) -> Self {
        Json::Number(v.into())
    }
}

impl From<String> for Json {
    fn from(v: String) -> Self {
        Json::String(v)
    }
}

impl From<&str> for Json {
    fn from(v: &str) -> Self {
        Json::String(v.to_owned())
    }
}

impl From<&String> for Json {
    fn from(v: &String) -> Self {
        Json::String(v.clone())
    }
}

impl From<Vec<Json>> for Json {
    fn from(v: Vec<Json>) -> Self {
        Json::Array(v)
    }
}

impl<T: Into<Json>> From<Option<T>> for Json {
    fn from(v: Option<T>) -> Self {
        v.map_or(Json::Null, Into::into)
    }
}

impl Serialize for Json {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Json::Null => s.serialize_unit(),
            Json::Bool(b) => s.serialize_bool(*b),
            Json::Number(n) => n.serialize(s),
            Json::String(t) => s.serialize_str(t),
            Json::Array(items) => {
                let mut seq = s.serialize_seq(Some(items.len()))?;
                for item in items {
                    seq.serialize_element(item)?;
                }
                seq.end()
            }
            Json::Object(fields) => {
                let mut map = s.serialize_map(Some(fields.len()))?;
                for (name, value) in fields {
                    map.serialize_entry(name, value)?;
                }
                map.end()
            }
        }
    }
}

impl<'de> Deserialize<'de> for Json {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(JsonVisitor)
    }
}

struct JsonVisitor;

impl<'de> Visitor<'de> for JsonVisitor {
    type Value = Json;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }
    fn visit_unit<E: de::Error>(self) -> Result<Json, E> {
        Ok(Json::Null)
    }
    fn visit_none<E: de::Error>(self) -> Result<Json, E> {
        Ok(Json::Null)
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Json, D::Error> {
        Json::deserialize(d)
    }
    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Json, E> {
        Ok(Json::Bool(v))
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Json, E> {
        Ok(v.into())
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Json, E> {
        Ok(v.into())
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Json, E> {
        Ok(serde_json::Number::from_f64(v).map_or(Json::Null, Json::Number))
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Json, E> {
        Ok(v.into())
    }
    fn visit_string<E: de::Error>(self, v: String) -> Result<Json, E> {
        Ok(v.into())
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Json, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element()? {
            items.push(item);
        }
        Ok(Json::Array(items))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Json, A::Error> {
        let mut fields = Vec::new();
        while let Some((name, value)) = map.next_entry::<String, Json>()? {
            fields.push((name, value));
        }
        Ok(Json::Object(fields))
    }
}

/// `--query`'s expression, compiled; a usage error naming the flag when it does not parse.
pub fn compile_query(expression: &str) -> Result<jmespath::Expression<'static>, Failure> {
    jmespath::compile(expression).map_err(|e| {
        Failure::usage(format!(
            "--query is not a JMESPath expression: {}",
            e.to_string().lines().next().unwrap_or_default()
        ))
    })
}

/// `value` searched with `--query`'s `expression` (objects in the result have their fields in
/// name order).
pub fn query(value: &Json, expression: &str) -> Result<Json, Failure> {
    let expr = compile_query(expression)?;
    let text = serde_json::to_string(value)
        .map_err(|e| Failure::service(format!("cannot render the response: {e}")))?;
    let data = jmespath::Variable::from_json(&text)
        .map_err(|e| Failure::service(format!("cannot render the response: {e}")))?;
    let found = expr.search(data).map_err(|e| {
        Failure::usage(format!(
            "--query failed on this answer: {}",
            e.to_string().lines().next().unwrap_or_default()
        ))
    })?;
    Json::of(&*found)
}

/// Prints `value` on stdout in `format` (a table `humanize`d for reading). A closed pipe (`| head`) is not an error.
pub fn print(
    value: &Json,
    format: Format,
    humanize: &crate::human::Humanize,
) -> Result<(), Failure> {
    let text = match format {
        Format::Json => {
            let mut text = serde_json::to_string_pretty(value)
                .map_err(|e| Failure::service(format!("cannot render the response: {e}")))?;
            text.push('\n');
            text
        }
        Format::Table => table(&humanize.apply(value)),
    };
    write_stdout(text.as_bytes())
}

/// Writes `bytes` on stdout. A closed pipe (`| head`) is not an error.
pub fn write_stdout(bytes: &[u8]) -> Result<(), Failure> {
    match std::io::stdout().lock().write_all(bytes) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => {
            Err(Failure::service(format!("cannot write to stdout: {e}")))
        }
        _ => Ok(()),
    }
}

/// The response as text: every scalar field as an aligned `name  value` line (nested fields as
/// `Outer.Inner`), then the first list of objects as a table whose columns are the items' fields.
pub fn table(value: &Json) -> String {
    let mut fields = Vec::new();
    let mut rows = None;
    collect(value, "", &mut fields, &mut rows);
    let mut out = String::new();
    let width = fields.iter().map(|(n, _)| n.len()).max().unwrap_or(0);
    for (name, text) in &fields {
        let _ = writeln!(out, "{name:width$}  {text}");
    }
    if let Some((name, items)) = rows {
        if !fields.is_empty() {
            out.push('\n');
        }
        if items.is_empty() {
            let _ = writeln!(out, "{name}: none");
        } else {
            grid(items, &mut out);
        }
    }
    out
}

fn join(prefix: &str, name: &str) -> String {
    let name = backup_core::terminal::escape(name);
    if prefix.is_empty() {
        name
    } else {
        format!("{prefix}.{name}")
    }
}

fn collect<'a>(
    value: &'a Json,
    path: &str,
    fields: &mut Vec<(String, String)>,
    rows: &mut Option<(String, &'a [Json])>,
) {
    match value {
        Json::Object(members) => {
            for (name, v) in members {
                collect(v, &join(path, name), fields, rows);
            }
        }
        Json::Array(items)
            if rows.is_none() && items.iter().all(|i| matches!(i, Json::Object(_))) =>
        {
            *rows = Some((path.to_owned(), items));
        }
        other => fields.push((path.to_owned(), cell(other))),
    }
}

/// A value as one table cell: strings bare, anything else as compact JSON.
fn cell(value: &Json) -> String {
    match value {
        // API-provided text: control characters escaped (no terminal escape injection).
        Json::String(s) => backup_core::terminal::escape(s),
        Json::Null => String::new(),
        other => serde_json::to_string(other).unwrap_or_default(),
    }
}

/// A row's cells by column, nested objects flattened to `Outer.Inner`.
fn flatten(value: &Json, path: &str, out: &mut Vec<(String, String)>) {
    match value {
        Json::Object(members) => {
            for (name, v) in members {
                flatten(v, &join(path, name), out);
            }
        }
        other => out.push((path.to_owned(), cell(other))),
    }
}

fn grid(items: &[Json], out: &mut String) {
    let rows: Vec<Vec<(String, String)>> = items
        .iter()
        .map(|item| {
            let mut cells = Vec::new();
            flatten(item, "", &mut cells);
            cells
        })
        .collect();
    let mut columns: Vec<String> = Vec::new();
    for (name, _) in rows.iter().flatten() {
        if !columns.contains(name) {
            columns.push(name.clone());
        }
    }
    let lookup = |row: &[(String, String)], column: &str| {
        row.iter()
            .find(|(n, _)| n == column)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    let widths: Vec<usize> = columns
        .iter()
        .map(|c| {
            rows.iter()
                .map(|r| lookup(r, c).chars().count())
                .chain([c.chars().count()])
                .max()
                .unwrap_or(0)
        })
        .collect();
    let mut line = |cells: Vec<String>| {
        let text: Vec<String> = cells
            .iter()
            .zip(&widths)
            .map(|(c, w)| format!("{c:w$}"))
            .collect();
        let _ = writeln!(out, "{}", text.join("  ").trim_end());
    };
    line(columns.clone());
    for row in &rows {
        line(columns.iter().map(|c| lookup(row, c)).collect());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_keep_their_order_through_a_round_trip() {
        let parsed: Json = serde_json::from_str(r#"{"b":1,"a":[{"z":true,"y":null}],"c":"x"}"#)
            .expect("valid JSON");
        assert_eq!(
            serde_json::to_string(&parsed).expect("serializes"),
            r#"{"b":1,"a":[{"z":true,"y":null}],"c":"x"}"#
        );
    }

    #[test]
    fn builder_leaves_out_absent_fields() {
        let v = Object::new()
            .field("A", Some("x"))
            .field("B", None::<u64>)
            .field("C", 3u64)
            .build();
        assert_eq!(
            serde_json::to_string(&v).expect("serializes"),
            r#"{"A":"x","C":3}"#
        );
    }

    #[test]
    fn table_lists_scalars_then_the_items() {
        let v: Json = serde_json::from_str(
            r#"{"RequestId":"r-1","Data":{"Content":{"List":[{"TaskId":"dt-1","Size":{"KB":2}},{"TaskId":"dt-22","Extra":"e"}]},"TotalPages":"1"}}"#,
        )
        .expect("valid JSON");
        assert_eq!(
            table(&v),
            "RequestId        r-1\nData.TotalPages  1\n\nTaskId  Size.KB  Extra\ndt-1    2\ndt-22            e\n"
        );
    }

    #[test]
    fn api_text_cannot_drive_the_terminal() {
        let v: Json = serde_json::from_str(
            r#"{"Name\u001b[2J":"a\u001b]0;pwned\u0007","List":[{"K":"\u009b31m"}]}"#,
        )
        .expect("valid JSON");
        let t = table(&v);
        assert!(!t.chars().any(|c| c.is_control() && c != '\n'), "{t:?}");
        assert!(t.contains("a\\u{1b}]0;pwned\\u{7}"), "{t}");
    }

    #[test]
    fn an_empty_list_says_so() {
        let v: Json =
            serde_json::from_str(r#"{"backups":[],"total_count":0}"#).expect("valid JSON");
        assert_eq!(table(&v), "total_count  0\n\nbackups: none\n");
    }
}
