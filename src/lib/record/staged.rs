//! Output files that appear whole or not at all.
//!
//! `--out FILE` is written under a temporary name beside FILE (`.FILE.pipekit-PID-N`)
//! and renamed over FILE only by [`StagedFile::commit`], once everything was written.
//! A command that fails (bad input, a full disk, a closed broker) drops the file and
//! the temporary name is removed; one killed outright (SIGINT, SIGTERM, SIGKILL) leaves
//! only the hidden temporary file, which the next output to the same FILE removes once
//! its process is gone. Either way FILE is never a cut-off output that looks complete,
//! and an older FILE stays as it was. A destination that is not a regular file (a FIFO,
//! `/dev/stdout`, a character device) is written in place: it cannot be renamed over.
//!
//! The commit is a rename without fsync: it makes the output appear atomically, not
//! durably across a power cut (that is vidx's job for its own files).

use std::fs::{File, OpenOptions};
use std::io::{self, Write};
use std::os::unix::fs::{MetadataExt, OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};

/// A file being written for `dest`; see the module documentation.
#[derive(Debug)]
pub struct StagedFile {
    file: File,
    /// (temporary path, destination) while staged; None when written in place or done.
    staged: Option<(PathBuf, PathBuf)>,
}

impl StagedFile {
    /// Starts writing `dest`: beside it under a temporary name when it is (or will be) a
    /// regular file, else in place.
    pub fn create(dest: &Path) -> io::Result<StagedFile> {
        let existing = std::fs::metadata(dest).ok();
        if existing.as_ref().is_some_and(|m| !m.is_file()) {
            return Ok(StagedFile {
                file: File::create(dest)?,
                staged: None,
            });
        }
        let name = dest
            .file_name()
            .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, "not a file name"))?;
        remove_leftovers(dest, &name.to_string_lossy());
        // A name no other output of this process (or any other) holds: the clock's
        // nanoseconds, then the next number while one exists.
        let mut n = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.subsec_nanos());
        let (tmp, file) = loop {
            let tmp = dest.with_file_name(format!(
                ".{}.pipekit-{}-{n}",
                name.to_string_lossy(),
                std::process::id(),
            ));
            // A new file gets the mode File::create would give it (0666 less the
            // umask); a replaced one keeps its permissions (below).
            match OpenOptions::new()
                .write(true)
                .create_new(true)
                .mode(0o666)
                .open(&tmp)
            {
                Ok(file) => break (tmp, file),
                Err(e) if e.kind() == io::ErrorKind::AlreadyExists => n = n.wrapping_add(1),
                Err(e) => return Err(e),
            }
        };
        let staged = StagedFile {
            file,
            staged: Some((tmp, dest.to_path_buf())),
        };
        if let Some(m) = existing {
            let keep = std::fs::Permissions::from_mode(m.mode() & 0o7777);
            staged.file.set_permissions(keep)?;
        }
        Ok(staged)
    }

    /// Everything was written: the file takes its destination's name.
    pub fn commit(mut self) -> io::Result<()> {
        self.file.flush()?;
        if let Some((tmp, dest)) = self.staged.take() {
            if let Err(e) = std::fs::rename(&tmp, &dest) {
                let _ = std::fs::remove_file(&tmp);
                return Err(e);
            }
        }
        Ok(())
    }
}

/// Removes the temporary files of earlier outputs to `dest` whose process is gone (a
/// killed command cannot remove its own). Those of running processes stay: they may
/// still commit. Best effort: an output is not refused because litter could not go.
fn remove_leftovers(dest: &Path, name: &str) {
    if !Path::new("/proc/self").exists() {
        return; // no way to tell a live process from a gone one
    }
    let dir = match dest.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let prefix = format!(".{name}.pipekit-");
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let file_name = entry.file_name();
        let Some(rest) = file_name.to_str().and_then(|f| f.strip_prefix(&prefix)) else {
            continue;
        };
        let Some(pid) = rest.split('-').next().and_then(|p| p.parse::<u32>().ok()) else {
            continue;
        };
        if pid != std::process::id() && !Path::new(&format!("/proc/{pid}")).exists() {
            let _ = std::fs::remove_file(entry.path());
        }
    }
}

impl Write for StagedFile {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.file.write(buf)
    }
    fn flush(&mut self) -> io::Result<()> {
        self.file.flush()
    }
}

impl Drop for StagedFile {
    /// Not committed: the output is incomplete, and its temporary file goes.
    fn drop(&mut self) {
        if let Some((tmp, _)) = self.staged.take() {
            let _ = std::fs::remove_file(tmp);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(dir: &Path) -> Vec<String> {
        let mut v: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        v.sort();
        v
    }

    #[test]
    fn appears_only_when_committed() {
        let dir = tempfile::tempdir().unwrap();
        let dest = dir.path().join("out.ndjson");
        let mut f = StagedFile::create(&dest).unwrap();
        f.write_all(b"{}\n").unwrap();
        assert!(!dest.exists());
        assert_eq!(names(dir.path()).len(), 1, "one temporary file");
        f.commit().unwrap();
        assert_eq!(std::fs::read(&dest).unwrap(), b"{}\n");
        assert_eq!(names(dir.path()), ["out.ndjson"]);
    }

    #[test]
    fn a_dropped_output_leaves_the_old_file_and_no_trace() {
        let dir = tempfile::tempdir().unwrap();
        let dest = dir.path().join("out.ndjson");
        std::fs::write(&dest, b"old\n").unwrap();
        std::fs::set_permissions(&dest, std::fs::Permissions::from_mode(0o640)).unwrap();
        let mut f = StagedFile::create(&dest).unwrap();
        f.write_all(b"half a rec").unwrap();
        drop(f);
        assert_eq!(std::fs::read(&dest).unwrap(), b"old\n");
        assert_eq!(names(dir.path()), ["out.ndjson"]);
        // A replacement keeps the permissions of the file it replaces.
        let mut f = StagedFile::create(&dest).unwrap();
        f.write_all(b"new\n").unwrap();
        f.commit().unwrap();
        let mode = std::fs::metadata(&dest).unwrap().mode() & 0o777;
        assert_eq!(mode, 0o640);
    }

    #[test]
    fn leftovers_of_gone_processes_are_removed_by_the_next_output() {
        let dir = tempfile::tempdir().unwrap();
        let dest = dir.path().join("out.parquet");
        // A process that is gone (pid_max is at most 2^22) and this one (still writing).
        let gone = dir.path().join(".out.parquet.pipekit-4194305-17");
        let mine = dir
            .path()
            .join(format!(".out.parquet.pipekit-{}-1", std::process::id()));
        let other = dir.path().join(".other.parquet.pipekit-4194305-17");
        for f in [&gone, &mine, &other] {
            std::fs::write(f, b"cut").unwrap();
        }
        let f = StagedFile::create(&dest).unwrap();
        assert!(!gone.exists(), "a dead process's temporary file stays");
        assert!(mine.exists() && other.exists());
        f.commit().unwrap();
    }

    #[test]
    fn a_device_is_written_in_place() {
        let mut f = StagedFile::create(Path::new("/dev/null")).unwrap();
        assert!(f.staged.is_none());
        f.write_all(b"x").unwrap();
        f.commit().unwrap();
    }
}
