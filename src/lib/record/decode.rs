//! A decoder hook for arrow-json that keeps integer columns exact.
//!
//! arrow-json's own integer decoder accepts `1.5` for an int64 column (it goes through
//! f64 and truncates) and `"12"` (a string). For an inferred schema that would lose data
//! silently, so integer columns use this decoder: JSON integers only. A non-integer makes
//! the batch fail, and the reader then widens the column or names the line and field.

use std::sync::Arc;

use arrow::array::{ArrayRef, PrimitiveBuilder};
use arrow::datatypes::{ArrowPrimitiveType, DataType, FieldRef, Int64Type, UInt64Type};
use arrow::error::ArrowError;
use arrow::json::reader::{ArrayDecoder, DecoderContext, DecoderFactory, Tape, TapeElement};

#[derive(Debug, Default)]
pub struct ExactIntegers;

impl DecoderFactory for ExactIntegers {
    fn make_default_decoder(
        &self,
        _ctx: &DecoderContext,
        field: &FieldRef,
        _is_nullable: bool,
    ) -> Result<Option<Box<dyn ArrayDecoder>>, ArrowError> {
        Ok(match field.data_type() {
            DataType::Int64 => Some(Box::new(ExactInt::<Int64Type>::default())),
            DataType::UInt64 => Some(Box::new(ExactInt::<UInt64Type>::default())),
            _ => None,
        })
    }
}

pub fn exact_integers() -> Arc<dyn DecoderFactory> {
    Arc::new(ExactIntegers)
}

struct ExactInt<P>(std::marker::PhantomData<fn(P) -> P>);

impl<P> Default for ExactInt<P> {
    fn default() -> Self {
        ExactInt(std::marker::PhantomData)
    }
}

impl<P> ArrayDecoder for ExactInt<P>
where
    P: ArrowPrimitiveType,
    P::Native: std::str::FromStr + TryFrom<i64>,
{
    fn decode(&mut self, tape: &Tape<'_>, pos: &[u32]) -> Result<ArrayRef, ArrowError> {
        let mut builder = PrimitiveBuilder::<P>::with_capacity(pos.len());
        let not_int = |what: &str| {
            ArrowError::JsonError(format!("expected {} integer, found {what}", P::DATA_TYPE))
        };
        for &p in pos {
            match tape.get(p) {
                TapeElement::Null => builder.append_null(),
                TapeElement::Number(idx) => {
                    let s = tape.get_string(idx);
                    builder.append_value(s.parse().map_err(|_| not_int(s))?);
                }
                TapeElement::I32(v) => builder.append_value(
                    P::Native::try_from(v as i64).map_err(|_| not_int(&v.to_string()))?,
                ),
                TapeElement::I64(high) => match tape.get(p + 1) {
                    TapeElement::I32(low) => {
                        let v = ((high as i64) << 32) | (low as u32) as i64;
                        builder.append_value(
                            P::Native::try_from(v).map_err(|_| not_int(&v.to_string()))?,
                        )
                    }
                    _ => return Err(not_int("a malformed integer")),
                },
                TapeElement::String(idx) => {
                    return Err(not_int(&format!("the string {:?}", tape.get_string(idx))))
                }
                TapeElement::True | TapeElement::False => return Err(not_int("a boolean")),
                TapeElement::StartObject(_) => return Err(not_int("an object")),
                TapeElement::StartList(_) => return Err(not_int("a list")),
                _ => return Err(not_int("a float")),
            }
        }
        Ok(Arc::new(builder.finish()))
    }
}
