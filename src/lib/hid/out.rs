//! hidctl's own record fields; the rest of its record output is the shared
//! `record::rows`.

use arrow::datatypes::{DataType, Field, Fields};

use crate::record::rows::{int_opt, utf8, utf8_opt};

/// `fields`: list<struct<usage: utf8, code: int64, value: int64, value_u64: uint64,
/// physical: float64, unit: utf8>>, the decoded report (`descriptor::Value`).
pub fn decoded_fields(name: &str) -> Field {
    let inner = Fields::from(vec![
        utf8("usage"),
        int_opt("code"),
        int_opt("value"),
        Field::new("value_u64", DataType::UInt64, true),
        Field::new("physical", DataType::Float64, true),
        utf8_opt("unit"),
    ]);
    Field::new(
        name,
        DataType::List(std::sync::Arc::new(Field::new(
            "item",
            DataType::Struct(inner),
            true,
        ))),
        true,
    )
}
