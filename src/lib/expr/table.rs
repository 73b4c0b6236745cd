//! Record readers as DataFusion tables. A table is read while the query runs, batch
//! by batch on a thread of its own, never loaded whole; files can be scanned again
//! (a self-join), stdin only once.

use std::fmt;
use std::sync::{Arc, Mutex};

use arrow::datatypes::SchemaRef;
use arrow::record_batch::RecordBatch;
use datafusion::catalog::streaming::StreamingTable;
use datafusion::error::DataFusionError;
use datafusion::execution::{SendableRecordBatchStream, TaskContext};
use datafusion::physical_plan::stream::RecordBatchStreamAdapter;
use datafusion::physical_plan::streaming::PartitionStream;
use datafusion::prelude::SessionContext;

use super::with_schema;
use crate::error::{Error, Location, Result};
use crate::record::{ReadOptions, RecordReader, Source};

/// The first error a table's reader hit, kept in our own type so the command reports
/// `file:line: what` rather than DataFusion's wrapping of it.
pub type Failure = Arc<Mutex<Option<Error>>>;

/// Registers `sources` as table `name` in `ctx`. The reader is opened now (to learn the
/// schema); reading happens when a query scans the table.
pub fn register(
    ctx: &SessionContext,
    name: &str,
    sources: Vec<Source>,
    opts: ReadOptions,
    failure: &Failure,
) -> Result<SchemaRef> {
    let reader = RecordReader::open(sources.clone(), opts.clone())?;
    let schema = reader.schema();
    let rescannable = !sources.iter().any(|s| matches!(s, Source::Stdin));
    let partition = ReaderPartition {
        name: name.to_string(),
        schema: schema.clone(),
        first: Mutex::new(Some(reader)),
        reopen: rescannable.then_some((sources, opts)),
        failure: failure.clone(),
    };
    let table = StreamingTable::try_new(schema.clone(), vec![Arc::new(partition)])
        .map_err(|e| Error::sql(format!("table '{name}'"), e))?;
    ctx.register_table(name, Arc::new(table))
        .map_err(|e| Error::sql(format!("registering table '{name}'"), e))?;
    Ok(schema)
}

struct ReaderPartition {
    name: String,
    /// The records' schema.
    schema: SchemaRef,
    first: Mutex<Option<RecordReader>>,
    reopen: Option<(Vec<Source>, ReadOptions)>,
    failure: Failure,
}

impl fmt::Debug for ReaderPartition {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ReaderPartition")
            .field("name", &self.name)
            .finish()
    }
}

impl ReaderPartition {
    fn reader(&self) -> Result<RecordReader> {
        if let Some(r) = self.first.lock().expect("not poisoned").take() {
            return Ok(r);
        }
        match &self.reopen {
            Some((sources, opts)) => RecordReader::open(sources.clone(), opts.clone()),
            None => Err(Error::Usage(format!(
                "table '{}' is stdin, which can be read only once; save it to a file to use it twice in a query",
                self.name
            ))),
        }
    }
}

/// Keeps the first error for the command to report and hands DataFusion a stand-in.
fn fail(failure: &Failure, table: &str, e: Error) -> DataFusionError {
    let msg = e.to_string();
    failure.lock().expect("not poisoned").get_or_insert(e);
    DataFusionError::Execution(format!("table '{table}': {msg}"))
}

impl PartitionStream for ReaderPartition {
    fn schema(&self) -> &SchemaRef {
        &self.schema
    }

    fn execute(&self, _ctx: Arc<TaskContext>) -> SendableRecordBatchStream {
        // Two batches in flight: decoding overlaps the query, memory stays bounded.
        let (tx, rx) = tokio::sync::mpsc::channel::<Result<RecordBatch, DataFusionError>>(2);
        match self.reader() {
            Ok(mut reader) => {
                let schema = self.schema.clone();
                let name = self.name.clone();
                let failure = self.failure.clone();
                std::thread::spawn(move || loop {
                    let item = match reader.next_batch() {
                        Ok(None) => break,
                        Ok(Some(b)) if b.schema().fields() == schema.fields() => {
                            with_schema(b, &schema)
                        }
                        Ok(Some(b)) => Err(Error::data(
                            Location::of(format!("table '{name}'")),
                            format!(
                                "the input's schema changed while it was read ({})",
                                describe_change(&schema, &b.schema())
                            ),
                        )
                        .with_hint("give --schema or a larger --infer-rows")),
                        Err(e) => Err(e),
                    };
                    let item = item.map_err(|e| fail(&failure, &name, e));
                    let stop = item.is_err();
                    // The query may have stopped early (LIMIT): a closed channel ends us.
                    if tx.blocking_send(item).is_err() || stop {
                        break;
                    }
                });
            }
            Err(e) => {
                let _ = tx.try_send(Err(fail(&self.failure, &self.name, e)));
            }
        }
        let stream = futures::stream::unfold(rx, |mut rx| async move {
            rx.recv().await.map(|item| (item, rx))
        });
        Box::pin(RecordBatchStreamAdapter::new(self.schema.clone(), stream))
    }
}

fn describe_change(before: &SchemaRef, after: &SchemaRef) -> String {
    for f in after.fields() {
        match before.field_with_name(f.name()) {
            Err(_) => return format!("new field '{}'", f.name()),
            Ok(old) if old.data_type() != f.data_type() => {
                return format!(
                    "field '{}' went from {} to {}",
                    f.name(),
                    old.data_type(),
                    f.data_type()
                )
            }
            Ok(_) => {}
        }
    }
    "the fields changed".to_string()
}
