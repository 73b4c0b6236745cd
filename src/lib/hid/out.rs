//! hidctl's own record fields; the rest of its record output is the shared
//! `record::rows`.

use arrow::datatypes::{DataType, Field, Fields};

use crate::record::rows::{int, utf8};

/// `fields`: list<struct<usage: utf8, value: int64>>, the decoded report.
pub fn decoded_fields(name: &str) -> Field {
    let inner = Fields::from(vec![utf8("usage"), int("value")]);
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
