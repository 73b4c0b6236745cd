//! Copies of an index: `vidx snapshot` copies a live index without stopping its writer;
//! `vidx restore` puts a copy back in place of an index.
//!
//! Why a snapshot is consistent: a segment is written under a temporary name, renamed
//! into place, named by a manifest and never changed again; it is removed only after a
//! newer manifest stops naming it. The manifest is replaced atomically, and the log is
//! append-only with a self-delimiting committed prefix (a checksum per frame, a commit
//! marker per group). So one manifest, the segments it names (hard links: no bytes
//! copied) and the committed prefix of the log it names are a state the index was in:
//! every commit up to some point, nothing after it. A file removed between reading the
//! manifest and linking or reading it means the writer moved the manifest on: start
//! again from the new one.
//!
//! What a plain `cp -r` of a live index gives, by contrast: cp lists the directory once
//! and copies file by file while flushes and compactions add and remove files, so the
//! copy can lack a segment or the log its manifest names. vidx refuses to open such a
//! copy and names the missing file (it never opens it with records silently missing).
//! A copy of an index no writer is using is complete.

use std::fs::{self, File};
use std::io::Write;
use std::path::{Path, PathBuf};

use super::manifest::{sync_dir, Manifest, FILE};
use super::store::{self, Index};
use super::wal;
use crate::error::{Error, Result};

/// What a snapshot copied.
#[derive(Debug, Default)]
pub struct Snapshot {
    /// The manifest generation the copy holds.
    pub generation: u64,
    pub segments: usize,
    /// Segments hard-linked (the rest were copied: another file system).
    pub linked: usize,
    pub copied_bytes: u64,
    /// The committed part of the log, copied.
    pub wal_bytes: u64,
    /// How many manifests it took (a writer that flushes meanwhile makes it start again).
    pub attempts: u32,
}

/// Copies the index at `src` into the new directory `dest` (absent or empty).
pub fn take(src: &Path, dest: &Path) -> Result<Snapshot> {
    let created = prepare_dest(dest)?;
    let result = take_into(src, dest);
    if result.is_err() {
        clear(dest);
        if created {
            let _ = fs::remove_dir(dest);
        }
    }
    result
}

fn take_into(src: &Path, dest: &Path) -> Result<Snapshot> {
    let mut last = None;
    for attempt in 1..=100 {
        let mut manifest = Manifest::read(src)?;
        match copy_state(src, dest, &manifest) {
            Ok(mut s) => {
                // The metadata types as declared now, after the log was copied: a
                // declaration reaches the manifest before its records reach the log, so
                // these cover every copied record (`types`; they only ever grow).
                manifest.meta_types = Manifest::read(src)?.meta_types;
                // Last: until the manifest is in place the copy is not an index.
                manifest.write(dest)?;
                s.attempts = attempt;
                return Ok(s);
            }
            Err(e) if is_not_found(&e) => {
                if Manifest::read(src)?.generation == manifest.generation {
                    return Err(e);
                }
                clear(dest);
                last = Some(e);
            }
            Err(e) => return Err(e),
        }
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    Err(last.unwrap_or_else(|| Error::Internal("snapshot gave up without an error".into())))
}

/// The segments `manifest` names and the committed prefix of its log, into `dest`.
fn copy_state(src: &Path, dest: &Path, manifest: &Manifest) -> Result<Snapshot> {
    let mut s = Snapshot {
        generation: manifest.generation,
        segments: manifest.segments.len(),
        ..Default::default()
    };
    for seg in &manifest.segments {
        let (from, to) = (src.join(&seg.file), dest.join(&seg.file));
        match fs::hard_link(&from, &to) {
            Ok(()) => s.linked += 1,
            // Another file system, or one without hard links: copy the bytes.
            Err(e)
                if matches!(
                    e.raw_os_error(),
                    Some(libc::EXDEV | libc::EPERM | libc::EMLINK)
                ) =>
            {
                s.copied_bytes += copy_synced(&from, &to)?;
            }
            Err(e) => {
                return Err(Error::io(
                    format!("linking {} to {}", from.display(), to.display()),
                    e,
                ))
            }
        }
    }
    // Only the log the manifest names: a newer one is written to only after a newer
    // manifest names it, and then this one's segments or log are gone (start again).
    let path = src.join(wal::file_name(manifest.wal));
    let (replay, bytes) = wal::read_with_bytes(&path)?;
    let committed = &bytes[..replay.good_len as usize];
    write_synced(&dest.join(wal::file_name(manifest.wal)), committed)?;
    s.wal_bytes = committed.len() as u64;
    sync_dir(dest)?;
    Ok(s)
}

fn is_not_found(e: &Error) -> bool {
    matches!(e, Error::Io { cause, .. } if cause.kind() == std::io::ErrorKind::NotFound)
}

/// Creates `dest` or checks that it is empty; true if it was created.
fn prepare_dest(dest: &Path) -> Result<bool> {
    match fs::read_dir(dest) {
        Ok(mut entries) => {
            if entries.next().is_some() {
                return Err(Error::Usage(format!(
                    "{} is not empty; a snapshot goes into a new or empty directory",
                    dest.display()
                )));
            }
            Ok(false)
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            fs::create_dir_all(dest)
                .map_err(|e| Error::io(format!("creating {}", dest.display()), e))?;
            Ok(true)
        }
        Err(e) => Err(Error::io(format!("opening {}", dest.display()), e)),
    }
}

/// Removes what a failed attempt left in `dest` (only files: `dest` was empty).
fn clear(dest: &Path) {
    if let Ok(entries) = fs::read_dir(dest) {
        for e in entries.flatten() {
            let _ = fs::remove_file(e.path());
        }
    }
}

fn write_synced(path: &Path, bytes: &[u8]) -> Result<()> {
    let what = |e| Error::io(format!("writing {}", path.display()), e);
    let mut f = File::create(path).map_err(what)?;
    f.write_all(bytes).map_err(what)?;
    f.sync_all().map_err(what)
}

fn copy_synced(from: &Path, to: &Path) -> Result<u64> {
    let what = |e| Error::io(format!("copying {} to {}", from.display(), to.display()), e);
    let n = fs::copy(from, to).map_err(what)?;
    File::open(to).and_then(|f| f.sync_all()).map_err(what)?;
    Ok(n)
}

/// What a restore did.
pub struct Restored {
    /// An index was in `dest` and was replaced.
    pub replaced: bool,
}

/// Puts the index copy at `from` (a snapshot) in place at `dest`. An index already at
/// `dest` is replaced only with `force`, and only while no writer holds it; searches
/// running on it finish on the old files. The copy is checked first (it opens, every
/// segment's checksums match), so a damaged snapshot never replaces a working index.
pub fn restore(from: &Path, dest: &Path, force: bool) -> Result<Restored> {
    let copy = Index::open_read(from)?;
    for seg in &copy.segments {
        seg.verify()?;
    }
    drop(copy);
    if !dest.join(FILE).exists() {
        take(from, dest)?;
        return Ok(Restored { replaced: false });
    }
    if !force {
        return Err(Error::Usage(format!(
            "{} already holds an index; give --force to replace it",
            dest.display()
        )));
    }
    // Held until the old index is gone: no writer can start on it meanwhile.
    let _lock = store::lock(dest)?;
    let staged = sibling(dest, "restore")?;
    take(from, &staged)?;
    if let Err(e) = exchange(&staged, dest) {
        let _ = fs::remove_dir_all(&staged);
        return Err(e);
    }
    // `staged` now holds the old index.
    fs::remove_dir_all(&staged).map_err(|e| {
        Error::io(
            format!("removing the replaced index at {}", staged.display()),
            e,
        )
    })?;
    Ok(Restored { replaced: true })
}

/// A new name beside `dest` (same file system, so renames work).
fn sibling(dest: &Path, what: &str) -> Result<PathBuf> {
    let name = dest
        .file_name()
        .ok_or_else(|| Error::Usage(format!("{}: name an index directory", dest.display())))?;
    Ok(dest.with_file_name(format!(
        ".{}.{what}-{}",
        name.to_string_lossy(),
        std::process::id()
    )))
}

/// Swaps two directories in one step (renameat2 RENAME_EXCHANGE), so a reader opening
/// `b` finds the old index or the new one, never nothing. File systems without the
/// exchange get two renames.
fn exchange(a: &Path, b: &Path) -> Result<()> {
    use std::ffi::CString;
    use std::os::unix::ffi::OsStrExt;
    let c = |p: &Path| {
        CString::new(p.as_os_str().as_bytes())
            .map_err(|_| Error::Usage(format!("{}: a path with a NUL byte", p.display())))
    };
    let (ca, cb) = (c(a)?, c(b)?);
    // SAFETY: two NUL-terminated paths that outlive the call; renameat2 takes no other
    // pointers.
    let r = unsafe {
        libc::syscall(
            libc::SYS_renameat2,
            libc::AT_FDCWD,
            ca.as_ptr(),
            libc::AT_FDCWD,
            cb.as_ptr(),
            libc::RENAME_EXCHANGE,
        )
    };
    if r == 0 {
        return Ok(());
    }
    let err = std::io::Error::last_os_error();
    if !matches!(err.raw_os_error(), Some(libc::EINVAL | libc::ENOSYS)) {
        return Err(Error::io(
            format!("swapping {} and {}", a.display(), b.display()),
            err,
        ));
    }
    let old = sibling(b, "old")?;
    let rename = |x: &Path, y: &Path| {
        fs::rename(x, y)
            .map_err(|e| Error::io(format!("renaming {} to {}", x.display(), y.display()), e))
    };
    rename(b, &old)?;
    rename(a, b)?;
    rename(&old, a)
}
