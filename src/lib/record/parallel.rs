//! Parallel NDJSON decoding for bulk inputs (regular files): the reading thread cuts the
//! input into chunks of whole lines, worker threads decode them into record batches, and
//! batches are handed on in input order. Live inputs never come here: they are decoded
//! as they arrive.
//!
//! Workers decode with the same batch decoder as the reading thread (`decode.rs`). A
//! chunk that fails, or that was decoded with a schema the reader has since widened, is
//! handed back with its bytes, and the reading thread decodes it itself, with the
//! widening and line-exact error reporting of `ndjson.rs`.

use std::collections::BTreeMap;
use std::sync::mpsc::{channel, Receiver, Sender};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;

use arrow::error::ArrowError;
use arrow::record_batch::RecordBatch;

use super::decode::Decoder;
use super::ndjson::{build_decoder, SchemaState};

/// A chunk of whole lines to decode.
pub struct Job {
    pub seq: u64,
    pub bytes: Vec<u8>,
    /// Lines before this chunk and its byte offset in the source, for error messages.
    pub line: u64,
    pub offset: u64,
    pub version: u64,
    pub state: Arc<SchemaState>,
}

/// A decoded chunk, still carrying its bytes in case it must be decoded again.
pub struct Done {
    pub job: Job,
    pub result: Result<Option<RecordBatch>, ArrowError>,
}

pub struct Pool {
    jobs: Option<Sender<Job>>,
    done: Receiver<Done>,
    workers: Vec<JoinHandle<()>>,
    ready: BTreeMap<u64, Done>,
    next_seq: u64,
    next_out: u64,
}

impl Pool {
    pub fn new(threads: usize, batch_size: usize) -> Pool {
        let (job_tx, job_rx) = channel::<Job>();
        let (done_tx, done_rx) = channel::<Done>();
        let job_rx = Arc::new(Mutex::new(job_rx));
        let workers = (0..threads)
            .map(|_| {
                let jobs = job_rx.clone();
                let done = done_tx.clone();
                std::thread::spawn(move || worker(jobs, done, batch_size))
            })
            .collect();
        Pool {
            jobs: Some(job_tx),
            done: done_rx,
            workers,
            ready: BTreeMap::new(),
            next_seq: 0,
            next_out: 0,
        }
    }

    /// Chunks submitted and not yet taken back.
    pub fn in_flight(&self) -> u64 {
        self.next_seq - self.next_out
    }

    pub fn submit(
        &mut self,
        bytes: Vec<u8>,
        line: u64,
        offset: u64,
        version: u64,
        state: Arc<SchemaState>,
    ) {
        let job = Job {
            seq: self.next_seq,
            bytes,
            line,
            offset,
            version,
            state,
        };
        self.next_seq += 1;
        if let Some(tx) = &self.jobs {
            // Workers only stop when the pool is dropped, so the send cannot fail here.
            let _ = tx.send(job);
        }
    }

    /// The next chunk in input order; blocks until it is decoded.
    pub fn take(&mut self) -> Option<Done> {
        if self.in_flight() == 0 {
            return None;
        }
        while !self.ready.contains_key(&self.next_out) {
            let done = self.done.recv().ok()?;
            self.ready.insert(done.job.seq, done);
        }
        let done = self.ready.remove(&self.next_out);
        self.next_out += 1;
        done
    }
}

impl Drop for Pool {
    fn drop(&mut self) {
        self.jobs.take();
        for w in self.workers.drain(..) {
            let _ = w.join();
        }
    }
}

fn worker(jobs: Arc<Mutex<Receiver<Job>>>, done: Sender<Done>, batch_size: usize) {
    let mut decoder = None;
    let mut decoder_version = u64::MAX;
    loop {
        let job = match jobs.lock() {
            Ok(rx) => match rx.recv() {
                Ok(job) => job,
                Err(_) => return,
            },
            Err(_) => return,
        };
        if decoder_version != job.version {
            decoder = build_decoder(&job.state, batch_size).ok();
            decoder_version = job.version;
        }
        let result = match decoder.as_mut() {
            Some(d) => decode_all(d, &job.bytes),
            None => Err(ArrowError::JsonError("no decoder for this schema".into())),
        };
        if result.is_err() {
            // A failed decoder may hold half a record: start the next chunk afresh.
            decoder_version = u64::MAX;
        }
        if done.send(Done { job, result }).is_err() {
            return;
        }
    }
}

fn decode_all(decoder: &mut Decoder, bytes: &[u8]) -> Result<Option<RecordBatch>, ArrowError> {
    let n = decoder.decode(bytes)?;
    if n != bytes.len() || decoder.has_partial_record() {
        return Err(ArrowError::JsonError(
            "chunk did not decode as whole records".into(),
        ));
    }
    decoder.flush()
}
