//! The metadata fields' declared types: how the inputs that gave a field typed it (a
//! Parquet `int32`, a `timestamp[ms, UTC]`, a text that happens to look like a date),
//! kept in the manifest so that segment columns, scans, hits and `get` type the field
//! the same way. Each record's metadata is stored as a JSON object; inferring types
//! from that JSON alone would give every integer as int64, every timestamp but `ts`'s
//! as text, binary as its hex text.
//!
//! A declaration reaches the manifest before the records that carry it reach the log,
//! so no logged record has a type its index does not know. A later input that types
//! the field otherwise keeps the declared type if that type holds each of its values
//! exactly (NDJSON integers in an int32 field, RFC 3339 text with whole milliseconds in
//! a `timestamp[ms]` one); otherwise the field is widened to a type that holds both
//! (int32 and int64: int64; see `record::union::widen`) or, where none does (a number
//! and a text), is [`MIXED`] from then on and typed by inference, as before. Lists and
//! structs are typed by inference (NDJSON widens them batch by batch as fields appear,
//! which is no conflict), and so is a type the manifest cannot spell back exactly (a
//! decimal, say).
//!
//! A declared type is used only where the stored JSON of the rows is what a value of
//! that type is written as (an int32 field whose rows all hold JSON integers), so a
//! declaration never turns other values (records added before it, by an older vidx)
//! into something they were not: those rows keep their inferred types.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use arrow::array::{ArrayRef, AsArray};
use arrow::compute::cast;
use arrow::datatypes::{DataType, Field, Schema, SchemaRef, TimeUnit};
use arrow::record_batch::RecordBatch;

use crate::record::schema::{parse_type, type_to_string};
use crate::record::union::widen;

/// The manifest's entry for a field that inputs gave types no one type holds.
pub const MIXED: &str = "mixed";

/// Field name to its declared type, as `record::schema::type_to_string` spells it.
pub type Declared = BTreeMap<String, String>;

/// Declared types, parsed (mixed fields left out).
pub type Resolved = HashMap<String, DataType>;

/// A field that became [`MIXED`]: its name, the type it had, the type it met.
#[derive(Debug, PartialEq)]
pub struct Mixed {
    pub field: String,
    pub was: String,
    pub now: String,
}

/// The columns of an input batch other than `skip` (id, vector) whose type the
/// manifest holds: not null, not nested, and spelled back to the same type.
pub fn of_batch(batch: &RecordBatch, skip: &[&str]) -> Vec<(String, ArrayRef)> {
    let schema = batch.schema();
    schema
        .fields()
        .iter()
        .zip(batch.columns())
        .filter(|(f, _)| !skip.contains(&f.name().as_str()))
        .filter(|(f, _)| *f.data_type() != DataType::Null && !f.data_type().is_nested())
        .filter(|(f, _)| parse_type(&type_to_string(f.data_type())).as_ref() == Ok(f.data_type()))
        .map(|(f, c)| (f.name().clone(), c.clone()))
        .collect()
}

/// Merges an input's columns into `declared`; returns the fields that became
/// [`MIXED`] by it.
pub fn merge(declared: &mut Declared, columns: &[(String, ArrayRef)]) -> Vec<Mixed> {
    let mut mixed = Vec::new();
    for (name, column) in columns {
        let dt = column.data_type();
        let now = type_to_string(dt);
        let Some(was) = declared.get(name) else {
            declared.insert(name.clone(), now);
            continue;
        };
        if *was == now || was == MIXED {
            continue;
        }
        let was_type = parse_type(was).ok();
        if was_type.as_ref().is_some_and(|w| holds(w, column)) {
            continue;
        }
        let wider = was_type.and_then(|w| widen(&w, dt));
        let next = match wider {
            Some(w) if parse_type(&type_to_string(&w)).as_ref() == Ok(&w) => type_to_string(&w),
            _ => {
                mixed.push(Mixed {
                    field: name.clone(),
                    was: was.clone(),
                    now,
                });
                MIXED.to_string()
            }
        };
        declared.insert(name.clone(), next);
    }
    mixed
}

/// Whether every value of `column` converts to `declared` and back unchanged (null
/// stays null; a timestamp keeps its nanoseconds; binary comes as hex text in NDJSON).
fn holds(declared: &DataType, column: &ArrayRef) -> bool {
    use DataType::*;
    if matches!(declared, Binary | LargeBinary) {
        // Text is binary only as hex (the stored JSON's binary); raw text casts to its
        // bytes instead.
        return match column.as_string_opt::<i32>() {
            Some(text) => text
                .iter()
                .flatten()
                .all(|s| s.len() % 2 == 0 && s.bytes().all(|b| b.is_ascii_hexdigit())),
            None => matches!(column.data_type(), Binary | LargeBinary | BinaryView),
        };
    }
    // What the values are compared as: a timestamp at full precision, else as given.
    let exact = match declared {
        Timestamp(_, tz) => Timestamp(TimeUnit::Nanosecond, tz.clone()),
        _ => column.data_type().clone(),
    };
    let (Ok(narrow), Ok(wide)) = (cast(column, declared), cast(column, &exact)) else {
        return false;
    };
    cast(&narrow, &exact).is_ok_and(|back| back.to_data() == wide.to_data())
}

/// The declared types that parse (a mixed field, or one a later vidx spelled in a way
/// this one cannot read, is inferred).
pub fn resolve(declared: &Declared) -> Resolved {
    declared
        .iter()
        .filter_map(|(name, t)| Some((name.clone(), parse_type(t).ok()?)))
        .collect()
}

/// `inferred` (the types of some stored rows' JSON) with each field's declared type
/// where that JSON is how a value of the declared type is stored; `None` when nothing
/// changes.
pub fn apply(inferred: &Schema, declared: &Resolved) -> Option<SchemaRef> {
    if declared.is_empty() {
        return None;
    }
    let mut changed = false;
    let fields: Vec<Field> = inferred
        .fields()
        .iter()
        .map(|f| match declared.get(f.name()) {
            Some(d) if d != f.data_type() && stored_as(d, f.data_type(), f.name()) => {
                changed = true;
                f.as_ref().clone().with_data_type(d.clone())
            }
            _ => f.as_ref().clone(),
        })
        .collect();
    changed.then(|| Arc::new(Schema::new(fields)))
}

/// Whether values of `declared` type, written into the stored JSON the way `vidx add`
/// writes metadata (numbers, RFC 3339 text, hex text), are inferred back as `inferred`
/// (or all null). Top-level `ts` text is inferred as a timestamp.
fn stored_as(declared: &DataType, inferred: &DataType, name: &str) -> bool {
    use DataType::*;
    let text = |t: &DataType| {
        *t == Utf8 || (name == "ts" && *t == Timestamp(TimeUnit::Nanosecond, Some("UTC".into())))
    };
    match declared {
        _ if *inferred == Null => true,
        Int8 | Int16 | Int32 | Int64 | UInt8 | UInt16 | UInt32 => *inferred == Int64,
        UInt64 => matches!(inferred, Int64 | UInt64),
        Float16 | Float32 | Float64 => matches!(inferred, Float64 | Int64),
        Utf8 | LargeUtf8 | Binary | LargeBinary | Date32 | Timestamp(..) => text(inferred),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use arrow::array::{
        Array, Decimal128Array, Float64Array, Int32Array, Int64Array, ListArray, NullArray,
        StringArray, TimestampMillisecondArray,
    };
    use arrow::datatypes::Int32Type;

    fn schema(fields: &[(&str, DataType)]) -> Schema {
        Schema::new(
            fields
                .iter()
                .map(|(n, t)| Field::new(*n, t.clone(), true))
                .collect::<Vec<_>>(),
        )
    }

    fn col(a: impl Array + 'static) -> (String, ArrayRef) {
        ("n".to_string(), Arc::new(a) as ArrayRef)
    }

    #[test]
    fn inputs_declare_what_the_manifest_can_spell() {
        let ms = DataType::Timestamp(TimeUnit::Millisecond, Some("UTC".into()));
        let batch = RecordBatch::try_new(
            Arc::new(schema(&[
                ("id", DataType::Utf8),
                ("year", DataType::Int32),
                ("at", ms.clone()),
                ("gone", DataType::Null),
                ("tags", DataType::new_list(DataType::Int32, true)),
                ("price", DataType::Decimal128(10, 2)),
            ])),
            vec![
                Arc::new(StringArray::from(vec!["a"])),
                Arc::new(Int32Array::from(vec![2024])),
                Arc::new(TimestampMillisecondArray::from(vec![7]).with_timezone("UTC")),
                Arc::new(NullArray::new(1)),
                Arc::new(ListArray::from_iter_primitive::<Int32Type, _, _>(vec![
                    Some(vec![Some(1)]),
                ])),
                Arc::new(
                    Decimal128Array::from(vec![1234])
                        .with_precision_and_scale(10, 2)
                        .unwrap(),
                ),
            ],
        )
        .unwrap();
        let names: Vec<_> = of_batch(&batch, &["id"])
            .into_iter()
            .map(|(n, c)| (n, c.data_type().clone()))
            .collect();
        assert_eq!(
            names,
            vec![
                ("year".to_string(), DataType::Int32),
                ("at".to_string(), ms)
            ]
        );
    }

    #[test]
    fn declarations_hold_values_widen_or_become_mixed_for_good() {
        let mut d = Declared::new();
        assert!(merge(&mut d, &[col(Int32Array::from(vec![1]))]).is_empty());
        assert_eq!(d["n"], "int32");
        // NDJSON integers an int32 holds keep it; one it does not widens it.
        merge(
            &mut d,
            &[col(Int64Array::from(vec![Some(5), None, Some(-7)]))],
        );
        assert_eq!(d["n"], "int32");
        merge(&mut d, &[col(Int64Array::from(vec![5, 1 << 40]))]);
        assert_eq!(d["n"], "int64");
        merge(&mut d, &[col(Float64Array::from(vec![0.5]))]);
        assert_eq!(d["n"], "float64");
        let mixed = merge(&mut d, &[col(StringArray::from(vec!["x"]))]);
        assert_eq!(
            mixed,
            vec![Mixed {
                field: "n".into(),
                was: "float64".into(),
                now: "utf8".into()
            }]
        );
        assert_eq!(d["n"], MIXED);
        assert!(merge(&mut d, &[col(Int64Array::from(vec![1]))]).is_empty());
        assert_eq!(d["n"], MIXED);
        assert!(resolve(&d).is_empty());
    }

    #[test]
    fn text_keeps_a_declared_timestamp_only_at_its_precision() {
        let ms = || {
            let mut d = Declared::new();
            d.insert("n".into(), "timestamp[ms, UTC]".into());
            d
        };
        let mut d = ms();
        merge(
            &mut d,
            &[col(StringArray::from(vec![
                Some("2026-12-01T10:00:00.123Z"),
                None,
            ]))],
        );
        assert_eq!(d["n"], "timestamp[ms, UTC]");
        let mut d = ms();
        merge(
            &mut d,
            &[col(StringArray::from(vec!["2026-12-01T10:00:00.123456Z"]))],
        );
        assert_eq!(d["n"], MIXED, "sub-millisecond text");
        // A float32 keeps only values it holds exactly; hex text stays binary.
        let mut d = Declared::new();
        d.insert("n".into(), "float32".into());
        merge(&mut d, &[col(Float64Array::from(vec![0.5, 2.25]))]);
        assert_eq!(d["n"], "float32");
        merge(&mut d, &[col(Float64Array::from(vec![0.1]))]);
        assert_eq!(d["n"], "float64");
        let mut d = Declared::new();
        d.insert("n".into(), "binary".into());
        merge(&mut d, &[col(StringArray::from(vec!["00ff"]))]);
        assert_eq!(d["n"], "binary");
        merge(&mut d, &[col(StringArray::from(vec!["hello"]))]);
        assert_eq!(d["n"], MIXED);
    }

    #[test]
    fn a_declared_type_applies_only_to_json_it_could_have_written() {
        let declared: Resolved = [
            ("year".to_string(), DataType::Int32),
            ("day".to_string(), DataType::Date32),
            ("label".to_string(), DataType::Int32),
        ]
        .into_iter()
        .collect();
        let inferred = schema(&[
            ("year", DataType::Int64),
            ("day", DataType::Utf8),
            // Text where an int32 was declared later (an older record): kept as text.
            ("label", DataType::Utf8),
            ("other", DataType::Float64),
        ]);
        let applied = apply(&inferred, &declared).unwrap();
        let types: Vec<_> = applied.fields().iter().map(|f| f.data_type()).collect();
        assert_eq!(
            types,
            [
                &DataType::Int32,
                &DataType::Date32,
                &DataType::Utf8,
                &DataType::Float64
            ]
        );
        let same = schema(&[("label", DataType::Utf8)]);
        assert!(apply(&same, &declared).is_none());
    }
}
