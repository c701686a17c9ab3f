//! Room on the disks a data dir writes to. An import or a mining run that fills its disk fails
//! part-way, after minutes or hours of work: a first load of 5M enterprises filled the 50 GB
//! the disk had free, and a third day's mining run at 5M stopped on a full disk after 330 s
//! (2026-12-05). So each, and each batch of crawled pages, is refused before it writes anything
//! when a disk it writes to has less free than a low estimate of what it writes there, plus
//! `[disk] keep_free_mib`. A crawl run refused so ends failed with the reason, its pages
//! unrecorded, to be fetched again.
//!
//! The estimates are the measured growth of a data dir, taken low: a refusal must mean the
//! work would not have fitted, not that it might not have.

use super::{Workspace, WorkspaceError};
use crate::store::db::WAL_BOUND;
use crate::store::Location;
use std::os::unix::fs::MetadataExt as _;
use std::path::{Path, PathBuf};

/// What the store grows by per byte of CSV or JSON Lines imported: 3.6 for the generated
/// 100k set (107 MB of files, a 391 MB store), 4.0 for the 5M set (5.2 GB, 20.6 GB).
const STORE_PER_INPUT_BYTE: f64 = 3.5;
/// What the search index grows by per byte imported: 0.60 at 100k (64 MB), 0.63 at 5M (3.3 GB).
const INDEX_PER_INPUT_BYTE: f64 = 0.5;
/// What a first mining run adds to the store per enterprise: 4.3 KB at 100k (166,214 leads,
/// the store from 391 MB to 819 MB).
const FIRST_MINE_PER_ENTERPRISE: u64 = 4_000;

/// What an import of `input` bytes writes in the store's directory: what the store grows by,
/// and its WAL, which holds what is written up to its bound (a small import needs little).
fn import_store_need(input: u64) -> u64 {
    let grows = (input as f64 * STORE_PER_INPUT_BYTE) as u64;
    grows + grows.min(WAL_BOUND)
}

/// What a mining run over `enterprises` writes in the store's directory: on a first run, their
/// leads; and its WAL, which holds what is written up to its bound (a run rewrites at most
/// every lead).
fn mining_store_need(enterprises: u64, first: bool) -> u64 {
    let leads = enterprises.saturating_mul(FIRST_MINE_PER_ENTERPRISE);
    let added = if first { leads } else { 0 };
    added + leads.min(WAL_BOUND)
}

/// A disk's free and total bytes (what an unprivileged writer may use).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct Room {
    pub free: u64,
    pub total: u64,
}

impl Room {
    pub fn of(path: &Path) -> std::io::Result<Room> {
        let stat = rustix::fs::statvfs(path)?;
        Ok(Room {
            free: stat.f_bavail.saturating_mul(stat.f_frsize),
            total: stat.f_blocks.saturating_mul(stat.f_frsize),
        })
    }
}

/// Work refused for want of room: what it is, where, and the bytes needed and free.
#[derive(Debug, thiserror::Error)]
#[error(
    "磁盘空间不足 (not enough disk space): {what} needs about {} on the disk of {dir} \
     ({} estimated plus [disk] keep_free_mib {}), and {} is free; nothing was written",
    gib(*need + *keep), gib(*need), keep / (1 << 20), gib(*free)
)]
pub struct NoRoom {
    pub what: &'static str,
    pub dir: String,
    pub need: u64,
    pub keep: u64,
    pub free: u64,
}

impl NoRoom {
    /// The message without the server's path, for API clients.
    pub fn brief(&self) -> String {
        format!(
            "磁盘空间不足 (not enough disk space): {} needs about {} on the server's disk, and {} is free; nothing was written",
            self.what,
            gib(self.need + self.keep),
            gib(self.free)
        )
    }
}

fn gib(bytes: u64) -> String {
    format!("{:.1} GiB", bytes as f64 / (1u64 << 30) as f64)
}

/// Checks `needs` (a directory and the bytes to be written under it), adding up those on one
/// disk.
fn check(what: &'static str, needs: &[(PathBuf, u64)], keep: u64) -> Result<(), NoRoom> {
    check_with(what, needs, keep, Room::of)
}

fn check_with(
    what: &'static str,
    needs: &[(PathBuf, u64)],
    keep: u64,
    room_of: impl Fn(&Path) -> std::io::Result<Room>,
) -> Result<(), NoRoom> {
    let mut disks: Vec<(u64, &Path, u64)> = Vec::new();
    for (dir, need) in needs {
        // A disk that cannot be asked about is not guessed at: the work goes ahead.
        let Ok(device) = std::fs::metadata(dir).map(|m| m.dev()) else { continue };
        match disks.iter_mut().find(|(d, _, _)| *d == device) {
            Some((_, _, total)) => *total += need,
            None => disks.push((device, dir, *need)),
        }
    }
    for (_, dir, need) in disks {
        let Ok(room) = room_of(dir) else { continue };
        if room.free < need.saturating_add(keep) {
            return Err(NoRoom { what, dir: dir.display().to_string(), need, keep, free: room.free });
        }
    }
    Ok(())
}

impl Workspace {
    /// The disk room of the data dir.
    pub fn room(&self) -> std::io::Result<Room> {
        Room::of(&self.dir)
    }

    /// The directory the store's file is in, when the store is a file.
    fn store_dir(&self) -> Option<PathBuf> {
        match &self.location {
            Location::File(path) => {
                let parent = path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
                Some(parent.to_path_buf())
            }
            Location::Postgres(_) => None,
        }
    }

    /// Refuses an import of `files` that would not fit: the store, its WAL up to its bound,
    /// and the index. Parquet is counted byte for byte (it is compressed, so it grows more; the
    /// estimate stays low).
    pub(super) fn room_for_import(&self, files: &[PathBuf]) -> Result<(), WorkspaceError> {
        let input: u64 = files.iter().filter_map(|f| std::fs::metadata(f).ok()).map(|m| m.len()).sum();
        self.room_for_rows("this import", input, 0)
    }

    /// Refuses to store crawled pages that would not fit: `archived` bytes of pages new to the
    /// archive, and their rows (`input` bytes, counted as an import's).
    pub(super) fn room_for_pages(&self, archived: u64, input: u64) -> Result<(), WorkspaceError> {
        self.room_for_rows("storing crawled pages", input, archived)
    }

    fn room_for_rows(&self, what: &'static str, input: u64, archived: u64) -> Result<(), WorkspaceError> {
        // The store first, so that a refusal names its directory (by default the data dir).
        let mut needs = Vec::new();
        if let Some(dir) = self.store_dir() {
            needs.push((dir, import_store_need(input)));
        }
        needs.push((self.dir.join("index"), (input as f64 * INDEX_PER_INPUT_BYTE) as u64));
        if archived > 0 {
            needs.push((self.dir.clone(), archived));
        }
        check(what, &needs, self.config.disk.keep_free()).map_err(WorkspaceError::NoRoom)
    }

    /// Refuses a mining run that would not fit: in the store, its WAL up to the bound and, on
    /// a first run, the leads of every enterprise; in the data dir, the graph snapshot written
    /// anew beside the old one.
    pub(super) fn room_for_mining(&self, first: bool) -> Result<(), WorkspaceError> {
        let mut needs = Vec::new();
        if let Some(dir) = self.store_dir() {
            needs.push((dir, mining_store_need(self.store.enterprise_count()?, first)));
        }
        let snapshot = std::fs::metadata(self.graph_snapshot_path()).map_or(0, |m| m.len());
        needs.push((self.dir.clone(), snapshot));
        check("this mining run", &needs, self.config.disk.keep_free()).map_err(WorkspaceError::NoRoom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_wal_counts_up_to_what_is_written() {
        // A small import or mining run needs little; a large one its growth and the WAL's bound.
        assert_eq!(import_store_need(1_000), 7_000);
        assert_eq!(import_store_need(1 << 30), (3.5 * (1u64 << 30) as f64) as u64 + WAL_BOUND);
        assert_eq!(mining_store_need(100, false), 400_000);
        assert_eq!(mining_store_need(100, true), 800_000);
        assert_eq!(mining_store_need(5_000_000, false), WAL_BOUND);
        assert_eq!(mining_store_need(5_000_000, true), 20_000_000_000 + WAL_BOUND);
    }

    #[test]
    fn a_disk_has_room_within_its_size() {
        let dir = tempfile::tempdir().expect("temp dir");
        let room = Room::of(dir.path()).expect("statvfs");
        assert!(room.free > 0 && room.free <= room.total, "{room:?}");
        assert!(Room::of(&dir.path().join("missing")).is_err());
    }

    #[test]
    fn work_that_does_not_fit_is_refused_with_the_figures() {
        let dir = tempfile::tempdir().expect("temp dir");
        let (a, b) = (dir.path().join("a"), dir.path().join("b"));
        std::fs::create_dir_all(&a).expect("a");
        std::fs::create_dir_all(&b).expect("b");
        let room = |_: &Path| Ok(Room { free: 100, total: 1_000 });
        let check = |needs: &[(PathBuf, u64)], keep| check_with("an import", needs, keep, room);

        assert!(check(&[(a.clone(), 100)], 0).is_ok());
        // Two needs on one disk add up: each fits alone, both do not.
        let refused = check(&[(a.clone(), 60), (b.clone(), 60)], 0).expect_err("120 > 100");
        assert_eq!((refused.need, refused.keep, refused.free), (120, 0, 100));
        // What is to be kept free counts too, and the message says so.
        let refused = check(&[(a.clone(), 60)], 41).expect_err("60 + 41 > 100");
        let message = refused.to_string();
        assert!(message.starts_with("磁盘空间不足") && message.contains("keep_free_mib"), "{message}");
        assert!(message.contains("an import") && message.contains(&a.display().to_string()), "{message}");
        // A directory that does not exist, or a disk that cannot be asked, is not guessed at.
        assert!(check(&[(dir.path().join("missing"), u64::MAX)], 0).is_ok());
        let unknown = |_: &Path| Err(std::io::Error::other("no statvfs"));
        assert!(check_with("an import", &[(a, u64::MAX)], 0, unknown).is_ok());
    }
}
