//! SQL over record streams, planned and run by Apache DataFusion: one session setup
//! for every tool, SQL expressions evaluated batch by batch (`etl filter`, `etl select`,
//! `vidx search --filter`), and record readers exposed to DataFusion as tables.
//!
//! Expressions are evaluated here, one batch at a time, rather than by a DataFusion
//! query plan: a plan coalesces small batches into large ones, which would hold back
//! the records of a live pipe until thousands have arrived.

pub mod table;

use std::sync::Arc;

use arrow::array::{Array, ArrayRef, BooleanArray};
use arrow::compute::prep_null_mask_filter;
use arrow::datatypes::{DataType, Field, Schema, SchemaRef};
use arrow::record_batch::RecordBatch;
use arrow::record_batch::RecordBatchOptions;
use datafusion::common::DFSchema;
use datafusion::execution::runtime_env::RuntimeEnvBuilder;
use datafusion::physical_expr::PhysicalExpr;
use datafusion::prelude::{SessionConfig, SessionContext};
use datafusion::sql::sqlparser::ast::SelectItem;
use datafusion::sql::sqlparser::dialect::GenericDialect;
use datafusion::sql::sqlparser::parser::Parser;

use crate::error::{Error, Result};

/// How a query may use the machine.
#[derive(Debug, Clone, Default)]
pub struct SessionOptions {
    /// Partitions (and worker threads) per query; default one per core.
    pub threads: Option<usize>,
    /// Memory for sorts, joins and aggregations; beyond it they spill to disk.
    pub memory_limit: Option<usize>,
    /// Where spill files go (default: the system's temporary directory).
    pub temp_dir: Option<std::path::PathBuf>,
}

impl SessionOptions {
    pub fn threads(&self) -> usize {
        self.threads
            .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()))
            .max(1)
    }
}

/// A DataFusion session as every pipekit tool uses it. Identifiers keep their case
/// (JSON field names are case sensitive: `latencyMs` must not become `latencyms`).
pub fn session(opts: &SessionOptions) -> Result<SessionContext> {
    let mut config = base_config(opts.threads());
    let mut runtime = RuntimeEnvBuilder::new();
    if let Some(bytes) = opts.memory_limit {
        runtime = runtime.with_memory_limit(bytes, 1.0);
        // A sort reserves memory for its merge phase up front (DataFusion's default is
        // 10 MiB); under a smaller limit it would fail instead of spilling.
        let execution = &mut config.options_mut().execution;
        execution.sort_spill_reservation_bytes =
            execution.sort_spill_reservation_bytes.min(bytes / 4);
    }
    if let Some(dir) = &opts.temp_dir {
        runtime = runtime.with_temp_file_path(dir);
    }
    let runtime = runtime
        .build_arc()
        .map_err(|e| Error::sql("setting up the query engine", e))?;
    Ok(SessionContext::new_with_config_rt(config, runtime))
}

fn base_config(partitions: usize) -> SessionConfig {
    SessionConfig::new()
        .set_bool("datafusion.sql_parser.enable_ident_normalization", false)
        .with_target_partitions(partitions)
}

/// The session expressions are planned in: one thread, no spilling.
fn expression_session() -> SessionContext {
    SessionContext::new_with_config(base_config(1))
}

fn plan(ctx: &SessionContext, sql: &str, schema: &SchemaRef) -> Result<Arc<dyn PhysicalExpr>> {
    let dfs = DFSchema::try_from(schema.as_ref().clone())
        .map_err(|e| Error::sql("reading the input schema", e))?;
    let what = || format!("in expression '{sql}'");
    let expr = ctx
        .parse_sql_expr(sql, &dfs)
        .map_err(|e| usage(what(), e))?;
    ctx.create_physical_expr(expr, &dfs)
        .map_err(|e| usage(what(), e))
}

/// Planning errors are the user's expression, not the data: exit status 2, with the
/// input's columns named so a typo is easy to spot.
fn usage(what: String, e: datafusion::error::DataFusionError) -> Error {
    Error::Usage(format!("{what}: {}", e.strip_backtrace()))
}

/// `batch` under `schema`: the schema a plan was made for, or the one a plan returns.
/// The columns are checked against it (type and nullability); a batch that already has
/// it is passed as it is.
pub fn with_schema(batch: RecordBatch, schema: &SchemaRef) -> Result<RecordBatch> {
    if batch.schema_ref() == schema {
        return Ok(batch);
    }
    let opts = RecordBatchOptions::new().with_row_count(Some(batch.num_rows()));
    RecordBatch::try_new_with_options(schema.clone(), batch.columns().to_vec(), &opts).map_err(
        |e| {
            Error::arrow(
                "the records do not have the schema the query was planned for",
                e,
            )
        },
    )
}

/// One expression's value for every row of `batch`.
fn evaluate(batch: &RecordBatch, expr: &Arc<dyn PhysicalExpr>, sql: &str) -> Result<ArrayRef> {
    expr.evaluate(batch)
        .and_then(|v| v.into_array(batch.num_rows()))
        .map_err(|e| Error::sql(format!("evaluating '{sql}'"), e))
}

/// A SQL boolean expression (`status >= 500 AND path LIKE '/api/%'`).
#[derive(Debug, Clone)]
pub struct Predicate {
    sql: String,
    expr: Arc<dyn PhysicalExpr>,
    /// The input schema the expression was planned for.
    input: SchemaRef,
}

impl Predicate {
    /// Parses `sql` against `schema`; unknown columns and non-boolean expressions are
    /// usage errors.
    pub fn parse(sql: &str, schema: SchemaRef) -> Result<Predicate> {
        let expr = plan(&expression_session(), sql, &schema)?;
        let kind = expr
            .data_type(&schema)
            .map_err(|e| usage(format!("in expression '{sql}'"), e))?;
        if kind != DataType::Boolean {
            return Err(Error::Usage(format!(
                "'{sql}' is a {kind} expression, not a condition; compare it with something (e.g. {sql} > 0)"
            )));
        }
        Ok(Predicate {
            sql: sql.to_string(),
            expr,
            input: schema,
        })
    }

    /// Which rows match. A NULL result (a comparison with a missing value) does not.
    pub fn evaluate(&self, batch: &RecordBatch) -> Result<BooleanArray> {
        let batch = with_schema(batch.clone(), &self.input)?;
        let array = evaluate(&batch, &self.expr, &self.sql)?;
        let mask = array
            .as_any()
            .downcast_ref::<BooleanArray>()
            .ok_or_else(|| Error::Internal(format!("'{}' did not give true/false", self.sql)))?;
        Ok(if mask.null_count() > 0 {
            prep_null_mask_filter(mask)
        } else {
            mask.clone()
        })
    }

    /// The rows of `batch` that match.
    pub fn filter(&self, batch: &RecordBatch) -> Result<RecordBatch> {
        let mask = self.evaluate(batch)?;
        arrow::compute::filter_record_batch(batch, &mask)
            .map_err(|e| Error::arrow(format!("filtering by '{}'", self.sql), e))
    }

    pub fn sql(&self) -> &str {
        &self.sql
    }

    /// The planned expression (types coerced, constants folded), for callers that can
    /// answer parts of it from an index instead of evaluating it on every row.
    pub fn physical(&self) -> &Arc<dyn PhysicalExpr> {
        &self.expr
    }
}

/// A list of SQL expressions with optional names: `a, b * 2 AS double_b, upper(c)`.
/// `*` stands for every input column.
#[derive(Debug, Clone)]
pub struct Projection {
    columns: Vec<(String, Arc<dyn PhysicalExpr>)>,
    schema: SchemaRef,
    /// The input schema the expression was planned for.
    input: SchemaRef,
}

impl Projection {
    pub fn parse(list: &str, input: SchemaRef) -> Result<Projection> {
        let df_input = input.clone();
        let items = Parser::new(&GenericDialect {})
            .try_with_sql(list)
            .and_then(|mut p| p.parse_projection())
            .map_err(|e| Error::Usage(format!("in select list '{list}': {e}")))?;
        let ctx = expression_session();
        let mut named: Vec<(String, String)> = Vec::new();
        for item in items {
            match item {
                SelectItem::UnnamedExpr(e) => {
                    let text = e.to_string();
                    // A bare column keeps its own name, unquoted.
                    let name = match &e {
                        datafusion::sql::sqlparser::ast::Expr::Identifier(id) => id.value.clone(),
                        _ => text.clone(),
                    };
                    named.push((name, text));
                }
                SelectItem::ExprWithAlias { expr, alias } => {
                    named.push((alias.value.clone(), expr.to_string()))
                }
                SelectItem::Wildcard(_) => {
                    for f in input.fields() {
                        named.push((f.name().clone(), quote_ident(f.name())));
                    }
                }
                other => {
                    return Err(Error::Usage(format!(
                        "'{other}' is not supported in a select list; name columns or use *"
                    )))
                }
            }
        }
        let mut columns = Vec::with_capacity(named.len());
        let mut fields = Vec::with_capacity(named.len());
        for (name, sql) in named {
            let expr = plan(&ctx, &sql, &df_input)?;
            let kind = expr
                .data_type(&df_input)
                .map_err(|e| usage(format!("in expression '{sql}'"), e))?;
            let nullable = expr.nullable(&df_input).unwrap_or(true);
            fields.push(Field::new(&name, kind, nullable));
            columns.push((sql, expr));
        }
        Ok(Projection {
            columns,
            schema: Arc::new(Schema::new(fields)),
            input: df_input,
        })
    }

    pub fn schema(&self) -> SchemaRef {
        self.schema.clone()
    }

    pub fn evaluate(&self, batch: &RecordBatch) -> Result<RecordBatch> {
        let input = with_schema(batch.clone(), &self.input)?;
        let arrays = self
            .columns
            .iter()
            .map(|(sql, expr)| evaluate(&input, expr, sql))
            .collect::<Result<Vec<_>>>()?;
        RecordBatch::try_new(self.schema.clone(), arrays)
            .map_err(|e| Error::arrow("building the selected columns", e))
    }
}

/// Quotes a column name for SQL, so any field name (a keyword, `a.b`, spaces) works.
pub fn quote_ident(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

#[cfg(test)]
mod tests {
    use super::*;
    use arrow::array::{Float64Array, Int64Array, StringArray};
    use arrow::datatypes::{DataType, Field, Schema};

    fn batch() -> RecordBatch {
        let schema = Arc::new(Schema::new(vec![
            Field::new("status", DataType::Int64, true),
            Field::new("latencyMs", DataType::Float64, true),
            Field::new("path", DataType::Utf8, true),
        ]));
        RecordBatch::try_new(
            schema,
            vec![
                Arc::new(Int64Array::from(vec![Some(200), Some(503), None])),
                Arc::new(Float64Array::from(vec![1.5, 20.0, 3.0])),
                Arc::new(StringArray::from(vec!["/api/a", "/api/b", "/x"])),
            ],
        )
        .unwrap()
    }

    #[test]
    fn predicate_keeps_case_and_treats_null_as_false() {
        let b = batch();
        let p = Predicate::parse("status >= 500 OR latencyMs < 2", b.schema()).unwrap();
        let out = p.filter(&b).unwrap();
        assert_eq!(out.num_rows(), 2);
        let p = Predicate::parse("status <> 200", b.schema()).unwrap();
        assert_eq!(
            p.evaluate(&b).unwrap(),
            BooleanArray::from(vec![false, true, false])
        );
    }

    #[test]
    fn predicate_errors_are_usage_errors() {
        let s = batch().schema();
        assert!(matches!(
            Predicate::parse("nosuch > 1", s.clone()),
            Err(Error::Usage(_))
        ));
        assert!(matches!(
            Predicate::parse("status +", s.clone()),
            Err(Error::Usage(_))
        ));
        assert!(matches!(
            Predicate::parse("status + 1", s),
            Err(Error::Usage(_))
        ));
    }

    #[test]
    fn projection_names_and_types() {
        let b = batch();
        let p =
            Projection::parse("path, latencyMs * 2 AS double, upper(path)", b.schema()).unwrap();
        let out = p.evaluate(&b).unwrap();
        let names: Vec<_> = out
            .schema()
            .fields()
            .iter()
            .map(|f| f.name().clone())
            .collect();
        assert_eq!(names, ["path", "double", "upper(path)"]);
        let d = out
            .column(1)
            .as_any()
            .downcast_ref::<Float64Array>()
            .unwrap();
        assert_eq!(d.value(1), 40.0);
        let all = Projection::parse("*", b.schema()).unwrap();
        assert_eq!(all.evaluate(&b).unwrap(), b);
    }
}
