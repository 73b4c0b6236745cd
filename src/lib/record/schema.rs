//! Schema text forms shared by every tool: type strings (`int64`, `list<utf8>`,
//! `struct<a:int64,b:utf8>`, `timestamp[ns, UTC]`), the inline `--schema name:type,...`
//! form, and the JSON document that `etl schema` prints and `--schema FILE` reads back.

use std::sync::Arc;

use arrow::datatypes::{DataType, Field, Fields, Schema, SchemaRef, TimeUnit};
use serde_json::{json, Value};

use crate::error::Error;

/// The canonical type of `ts` columns: nanoseconds since the epoch, UTC.
pub fn timestamp_type() -> DataType {
    DataType::Timestamp(TimeUnit::Nanosecond, Some("UTC".into()))
}

/// Renders a type in the text form that [`parse_type`] reads.
pub fn type_to_string(dt: &DataType) -> String {
    match dt {
        DataType::Null => "null".into(),
        DataType::Boolean => "bool".into(),
        DataType::Int8 => "int8".into(),
        DataType::Int16 => "int16".into(),
        DataType::Int32 => "int32".into(),
        DataType::Int64 => "int64".into(),
        DataType::UInt8 => "uint8".into(),
        DataType::UInt16 => "uint16".into(),
        DataType::UInt32 => "uint32".into(),
        DataType::UInt64 => "uint64".into(),
        DataType::Float16 => "float16".into(),
        DataType::Float32 => "float32".into(),
        DataType::Float64 => "float64".into(),
        DataType::Utf8 => "utf8".into(),
        DataType::LargeUtf8 => "large_utf8".into(),
        DataType::Binary => "binary".into(),
        DataType::LargeBinary => "large_binary".into(),
        DataType::Date32 => "date32".into(),
        DataType::Timestamp(unit, tz) => {
            let unit = match unit {
                TimeUnit::Second => "s",
                TimeUnit::Millisecond => "ms",
                TimeUnit::Microsecond => "us",
                TimeUnit::Nanosecond => "ns",
            };
            match tz {
                Some(tz) => format!("timestamp[{unit}, {tz}]"),
                None => format!("timestamp[{unit}]"),
            }
        }
        DataType::List(item) | DataType::LargeList(item) => {
            format!("list<{}>", type_to_string(item.data_type()))
        }
        DataType::Struct(fields) => {
            let inner: Vec<String> = fields
                .iter()
                .map(|f| format!("{}:{}", f.name(), type_to_string(f.data_type())))
                .collect();
            format!("struct<{}>", inner.join(","))
        }
        other => other.to_string(),
    }
}

/// Parses a type string such as `int64`, `list<float64>` or `struct<a:int64,b:utf8>`.
pub fn parse_type(text: &str) -> Result<DataType, String> {
    let t = text.trim();
    let lower = t.to_ascii_lowercase();
    if let Some(inner) = strip_wrapped(t, "list<", '>') {
        let item = parse_type(inner)?;
        return Ok(DataType::List(Arc::new(Field::new("item", item, true))));
    }
    if let Some(inner) = strip_wrapped(t, "struct<", '>') {
        return Ok(DataType::Struct(parse_fields(inner)?.into()));
    }
    if let Some(inner) = strip_wrapped(&lower, "timestamp[", ']') {
        let mut parts = inner.splitn(2, ',');
        let unit = match parts.next().unwrap_or("").trim() {
            "s" => TimeUnit::Second,
            "ms" => TimeUnit::Millisecond,
            "us" => TimeUnit::Microsecond,
            "ns" => TimeUnit::Nanosecond,
            u => {
                return Err(format!(
                    "unknown time unit '{u}' in '{t}' (s, ms, us or ns)"
                ))
            }
        };
        // Keep the time zone's original spelling.
        let tz = t[t.find(',').map_or(t.len() - 1, |i| i + 1)..t.len() - 1].trim();
        let tz = (!tz.is_empty()).then(|| Arc::from(tz));
        return Ok(DataType::Timestamp(unit, tz));
    }
    Ok(match lower.as_str() {
        "null" => DataType::Null,
        "bool" | "boolean" => DataType::Boolean,
        "int8" => DataType::Int8,
        "int16" => DataType::Int16,
        "int32" => DataType::Int32,
        "int" | "int64" | "integer" => DataType::Int64,
        "uint8" => DataType::UInt8,
        "uint16" => DataType::UInt16,
        "uint32" => DataType::UInt32,
        "uint64" => DataType::UInt64,
        "float16" => DataType::Float16,
        "float32" => DataType::Float32,
        "float" | "float64" | "double" => DataType::Float64,
        "utf8" | "string" | "str" => DataType::Utf8,
        "large_utf8" => DataType::LargeUtf8,
        "binary" | "bytes" => DataType::Binary,
        "large_binary" => DataType::LargeBinary,
        "date32" | "date" => DataType::Date32,
        "timestamp" | "ts" => timestamp_type(),
        _ => {
            return Err(format!(
                "unknown type '{t}' (try int64, float64, utf8, bool, binary, timestamp, list<T>, struct<a:T,...>)"
            ))
        }
    })
}

fn strip_wrapped<'a>(text: &'a str, open: &str, close: char) -> Option<&'a str> {
    let head = text.get(..open.len())?;
    if head.eq_ignore_ascii_case(open) && text.ends_with(close) {
        Some(&text[open.len()..text.len() - 1])
    } else {
        None
    }
}

/// Splits on commas that are not nested inside `<>` or `[]`.
fn split_top_level(text: &str) -> Vec<&str> {
    let mut parts = Vec::new();
    let (mut depth, mut start) = (0i32, 0);
    for (i, c) in text.char_indices() {
        match c {
            '<' | '[' => depth += 1,
            '>' | ']' => depth -= 1,
            ',' if depth == 0 => {
                parts.push(&text[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    parts.push(&text[start..]);
    parts.into_iter().filter(|p| !p.trim().is_empty()).collect()
}

/// Parses `name:type,name:type`. A name may carry a trailing `!` meaning not nullable.
pub fn parse_fields(text: &str) -> Result<Vec<Field>, String> {
    split_top_level(text)
        .into_iter()
        .map(|part| {
            let (name, ty) = part
                .split_once(':')
                .ok_or_else(|| format!("'{}' is not name:type", part.trim()))?;
            let name = name.trim();
            let (name, nullable) = match name.strip_suffix('!') {
                Some(n) => (n, false),
                None => (name, true),
            };
            Ok(Field::new(name, parse_type(ty)?, nullable))
        })
        .collect()
}

/// The JSON document form of a schema: `{"fields":[{"name":..,"type":..,"nullable":..}]}`.
pub fn schema_to_json(schema: &Schema) -> Value {
    let fields: Vec<Value> = schema
        .fields()
        .iter()
        .map(|f| json!({"name": f.name(), "type": type_to_string(f.data_type()), "nullable": f.is_nullable()}))
        .collect();
    json!({ "fields": fields })
}

/// Reads the JSON document form back.
pub fn schema_from_json(doc: &Value) -> Result<Schema, String> {
    let fields = doc
        .get("fields")
        .and_then(Value::as_array)
        .ok_or("schema JSON needs a \"fields\" array")?;
    let fields = fields
        .iter()
        .map(|f| {
            let name = f
                .get("name")
                .and_then(Value::as_str)
                .ok_or("field without \"name\"")?;
            let ty = f
                .get("type")
                .and_then(Value::as_str)
                .ok_or("field without \"type\"")?;
            let nullable = f.get("nullable").and_then(Value::as_bool).unwrap_or(true);
            Ok(Field::new(name, parse_type(ty)?, nullable))
        })
        .collect::<Result<Vec<_>, String>>()?;
    Ok(Schema::new(Fields::from(fields)))
}

/// Interprets a `--schema` argument: a JSON file (as printed by `etl schema`), inline
/// JSON, or the inline `name:type,...` form.
pub fn parse_schema_arg(arg: &str) -> Result<SchemaRef, Error> {
    let usage = |msg: String| Error::Usage(format!("--schema {arg}: {msg}"));
    let text = if std::path::Path::new(arg).is_file() {
        std::fs::read_to_string(arg)
            .map_err(|e| Error::io(format!("reading schema file {arg}"), e))?
    } else {
        arg.to_string()
    };
    let schema = if text.trim_start().starts_with('{') {
        let doc: Value = serde_json::from_str(&text).map_err(|e| usage(e.to_string()))?;
        schema_from_json(&doc).map_err(usage)?
    } else {
        Schema::new(parse_fields(&text).map_err(usage)?)
    };
    Ok(Arc::new(schema))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn type_strings_round_trip() {
        for t in [
            "int64",
            "uint64",
            "float64",
            "utf8",
            "bool",
            "binary",
            "null",
            "timestamp[ns, UTC]",
            "timestamp[ms]",
            "list<int64>",
            "struct<a:int64,b:list<utf8>,c:struct<d:bool>>",
        ] {
            let dt = parse_type(t).unwrap();
            assert_eq!(type_to_string(&dt), t);
        }
        assert_eq!(parse_type("timestamp").unwrap(), timestamp_type());
        assert!(parse_type("int65").is_err());
    }

    #[test]
    fn inline_and_json_schema() {
        let s = parse_schema_arg("a:int, b!:string, c:list<float>").unwrap();
        assert_eq!(s.field(0).data_type(), &DataType::Int64);
        assert!(!s.field(1).is_nullable());
        let back = parse_schema_arg(&schema_to_json(&s).to_string()).unwrap();
        assert_eq!(back, s);
        assert!(parse_schema_arg("a").is_err());
    }
}
