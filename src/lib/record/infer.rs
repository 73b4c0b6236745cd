//! Schema inference for NDJSON: the type of each field is learnt from the first records
//! and widened only where that loses nothing (int → float, null → anything, a new
//! field). Anything else is a conflict that names the field.

use std::sync::Arc;

use arrow::datatypes::{DataType, Field, Fields, Schema, SchemaRef};
use serde_json::{Map, Value};

use super::schema::{timestamp_type, type_to_string};

/// What inference has learnt about one value position.
#[derive(Debug, Clone, PartialEq)]
pub enum Inferred {
    Null,
    Bool,
    /// An integer in i64's range; `negative` if any value seen was below zero.
    Int {
        negative: bool,
    },
    /// An integer above `i64::MAX`: kept exactly as uint64.
    UInt,
    Float,
    /// A string; `ts` when every value seen parses as an RFC 3339 timestamp and the
    /// field is the contract's top-level `ts`.
    Str {
        ts: bool,
    },
    List(Box<Inferred>),
    Struct(Vec<(String, Inferred)>),
}

/// Two types that cannot be merged without loss.
#[derive(Debug, Clone, PartialEq)]
pub struct Conflict {
    pub field: String,
    pub was: String,
    pub now: String,
}

impl Inferred {
    fn of(value: &Value, is_ts_field: bool) -> Inferred {
        match value {
            Value::Null => Inferred::Null,
            Value::Bool(_) => Inferred::Bool,
            Value::Number(n) if n.is_i64() => Inferred::Int {
                negative: n.as_i64().is_some_and(|i| i < 0),
            },
            Value::Number(n) if n.is_u64() => Inferred::UInt,
            Value::Number(_) => Inferred::Float,
            Value::String(s) => Inferred::Str {
                ts: is_ts_field && chrono::DateTime::parse_from_rfc3339(s).is_ok(),
            },
            Value::Array(items) => {
                let mut item = Inferred::Null;
                for v in items {
                    // A conflict inside a list becomes visible at the list's field.
                    item = match item.merge(Inferred::of(v, false), "") {
                        Ok(t) => t,
                        Err(_) => Inferred::Str { ts: false },
                    };
                }
                Inferred::List(Box::new(item))
            }
            Value::Object(map) => Inferred::Struct(
                map.iter()
                    .map(|(k, v)| (k.clone(), Inferred::of(v, false)))
                    .collect(),
            ),
        }
    }

    fn name(&self) -> String {
        type_to_string(&self.to_arrow())
    }

    /// Merges `other` into `self`, widening losslessly or reporting a conflict at `path`.
    pub fn merge(self, other: Inferred, path: &str) -> Result<Inferred, Conflict> {
        use Inferred::*;
        Ok(match (self, other) {
            (Null, t) | (t, Null) => t,
            (Int { negative: a }, Int { negative: b }) => Int { negative: a || b },
            (Int { negative: false }, UInt) | (UInt, Int { negative: false }) => UInt,
            (Int { .. }, Float) | (Float, Int { .. }) | (UInt, Float) | (Float, UInt) => Float,
            (Str { ts: a }, Str { ts: b }) => Str { ts: a && b },
            (List(a), List(b)) => List(Box::new(a.merge(*b, &format!("{path}[]"))?)),
            (Struct(mut a), Struct(b)) => {
                for (name, t) in b {
                    let child = join(path, &name);
                    match a.iter_mut().find(|(n, _)| *n == name) {
                        Some((_, slot)) => {
                            let old = std::mem::replace(slot, Null);
                            *slot = old.merge(t, &child)?;
                        }
                        None => a.push((name, t)),
                    }
                }
                Struct(a)
            }
            (a, b) if a == b => a,
            (a, b) => {
                return Err(Conflict {
                    field: path.to_string(),
                    was: a.name(),
                    now: b.name(),
                })
            }
        })
    }

    pub fn to_arrow(&self) -> DataType {
        match self {
            Inferred::Null => DataType::Null,
            Inferred::Bool => DataType::Boolean,
            Inferred::Int { .. } => DataType::Int64,
            Inferred::UInt => DataType::UInt64,
            Inferred::Float => DataType::Float64,
            Inferred::Str { ts: true } => timestamp_type(),
            Inferred::Str { ts: false } => DataType::Utf8,
            Inferred::List(item) => {
                DataType::List(Arc::new(Field::new("item", item.to_arrow(), true)))
            }
            Inferred::Struct(fields) => DataType::Struct(struct_fields(fields)),
        }
    }
}

fn join(path: &str, name: &str) -> String {
    if path.is_empty() {
        name.to_string()
    } else {
        format!("{path}.{name}")
    }
}

fn struct_fields(fields: &[(String, Inferred)]) -> Fields {
    fields
        .iter()
        .map(|(n, t)| Field::new(n, t.to_arrow(), true))
        .collect()
}

/// The running inference over the top-level records of a stream.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Inference {
    fields: Vec<(String, Inferred)>,
}

impl Inference {
    /// Adds one record. Top-level `ts` strings in RFC 3339 become Timestamp(ns, UTC).
    pub fn add(&mut self, record: &Map<String, Value>) -> Result<(), Conflict> {
        let seen = Inferred::Struct(
            record
                .iter()
                .map(|(k, v)| (k.clone(), Inferred::of(v, k == "ts")))
                .collect(),
        );
        let current = Inferred::Struct(std::mem::take(&mut self.fields));
        match current.clone().merge(seen, "") {
            Ok(Inferred::Struct(fields)) => {
                self.fields = fields;
                Ok(())
            }
            Ok(_) => unreachable!("struct merge yields a struct"),
            Err(c) => {
                if let Inferred::Struct(fields) = current {
                    self.fields = fields;
                }
                Err(c)
            }
        }
    }

    /// Merges another inference (e.g. of a later batch) into this one.
    pub fn absorb(&mut self, other: &Inference) -> Result<(), Conflict> {
        let merged = Inferred::Struct(std::mem::take(&mut self.fields))
            .merge(Inferred::Struct(other.fields.clone()), "");
        match merged {
            Ok(Inferred::Struct(f)) => {
                self.fields = f;
                Ok(())
            }
            Ok(_) => unreachable!("struct merge yields a struct"),
            Err(c) => Err(c),
        }
    }

    pub fn schema(&self) -> SchemaRef {
        Arc::new(Schema::new(struct_fields(&self.fields)))
    }
}

/// Checks one JSON value against an Arrow type the way the decoder will read it,
/// returning the dotted path and a message for the first mismatch. Used to explain a
/// decode failure with a line and a field.
pub fn check_value(value: &Value, dt: &DataType, path: &str) -> Result<(), (String, String)> {
    let bad = |what: &str| Err((path.to_string(), format!("expected {what}, found {value}")));
    match (value, dt) {
        (Value::Null, _) => Ok(()),
        (Value::Bool(_), DataType::Boolean) => Ok(()),
        (
            Value::Number(n),
            DataType::Int8 | DataType::Int16 | DataType::Int32 | DataType::Int64,
        ) => {
            if n.is_i64() {
                Ok(())
            } else {
                bad(&type_to_string(dt))
            }
        }
        (
            Value::Number(n),
            DataType::UInt8 | DataType::UInt16 | DataType::UInt32 | DataType::UInt64,
        ) => {
            if n.is_u64() {
                Ok(())
            } else {
                bad(&type_to_string(dt))
            }
        }
        (Value::Number(_), DataType::Float16 | DataType::Float32 | DataType::Float64) => Ok(()),
        (Value::String(_), DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View) => Ok(()),
        (Value::String(s), DataType::Binary | DataType::LargeBinary) => {
            if s.len() % 2 == 0 && s.bytes().all(|b| b.is_ascii_hexdigit()) {
                Ok(())
            } else {
                bad("a hex string")
            }
        }
        // What the decoder itself reads: arrow's timestamp parser (RFC 3339, and also
        // `2024-01-02 03:04:05` or a bare date), or integer nanoseconds. A float would be
        // truncated.
        (Value::String(s), DataType::Timestamp(..)) => {
            if arrow::compute::kernels::cast_utils::string_to_timestamp_nanos(s).is_ok() {
                Ok(())
            } else {
                bad("a timestamp")
            }
        }
        (Value::Number(n), DataType::Timestamp(..)) => {
            if n.is_i64() {
                Ok(())
            } else {
                bad("a timestamp (integer nanoseconds)")
            }
        }
        (Value::Array(items), DataType::List(f) | DataType::LargeList(f)) => {
            for (i, v) in items.iter().enumerate() {
                check_value(v, f.data_type(), &format!("{path}[{i}]"))?;
            }
            Ok(())
        }
        (Value::Object(map), DataType::Struct(fields)) => {
            for (k, v) in map {
                match fields.iter().find(|f| f.name() == k) {
                    Some(f) => check_value(v, f.data_type(), &join(path, k))?,
                    None => return Err((join(path, k), "field is not in the schema".to_string())),
                }
            }
            Ok(())
        }
        (_, DataType::Null) => bad("null (the field was null in every record used for inference)"),
        _ => bad(&type_to_string(dt)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn infer(records: &[Value]) -> Result<SchemaRef, Conflict> {
        let mut inf = Inference::default();
        for r in records {
            inf.add(r.as_object().unwrap())?;
        }
        Ok(inf.schema())
    }

    #[test]
    fn widens_losslessly() {
        let s = infer(&[
            json!({"a": 1, "b": null, "ts": "2024-01-01T00:00:00Z"}),
            json!({"a": 1.5, "b": "x", "c": [1, 2], "ts": "2024-01-01T00:00:01.5Z"}),
            json!({"c": [2.5], "d": {"e": 1}}),
            json!({"d": {"f": true}}),
        ])
        .unwrap();
        assert_eq!(
            s.field_with_name("a").unwrap().data_type(),
            &DataType::Float64
        );
        assert_eq!(s.field_with_name("b").unwrap().data_type(), &DataType::Utf8);
        assert_eq!(
            type_to_string(s.field_with_name("c").unwrap().data_type()),
            "list<float64>"
        );
        assert_eq!(
            type_to_string(s.field_with_name("d").unwrap().data_type()),
            "struct<e:int64,f:bool>"
        );
        assert_eq!(
            s.field_with_name("ts").unwrap().data_type(),
            &timestamp_type()
        );
    }

    #[test]
    fn reports_conflicts_with_path() {
        let c = infer(&[json!({"a": {"b": 1}}), json!({"a": {"b": "x"}})]).unwrap_err();
        assert_eq!(c.field, "a.b");
        assert_eq!((c.was.as_str(), c.now.as_str()), ("int64", "utf8"));
        assert!(
            infer(&[json!({"ts": "yesterday"})])
                .unwrap()
                .field(0)
                .data_type()
                == &DataType::Utf8
        );
    }

    #[test]
    fn big_unsigned_integers_stay_exact() {
        let s = infer(&[json!({"a": u64::MAX})]).unwrap();
        assert_eq!(s.field(0).data_type(), &DataType::UInt64);
        let s = infer(&[json!({"a": 5}), json!({"a": u64::MAX})]).unwrap();
        assert_eq!(s.field(0).data_type(), &DataType::UInt64);
        let c = infer(&[json!({"a": -5}), json!({"a": u64::MAX})]).unwrap_err();
        assert_eq!((c.was.as_str(), c.now.as_str()), ("int64", "uint64"));
    }

    #[test]
    fn check_value_names_the_field() {
        let dt = infer(&[json!({"a": {"b": 1}})]).unwrap().fields().clone();
        let err =
            check_value(&json!({"a": {"b": 1.5}}), &DataType::Struct(dt.clone()), "").unwrap_err();
        assert_eq!(err.0, "a.b");
        let err = check_value(&json!({"z": 1}), &DataType::Struct(dt), "").unwrap_err();
        assert_eq!(err.0, "z");
    }
}
