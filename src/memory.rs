//! How the process takes memory from the kernel.

use std::sync::Mutex;

/// Guards alive now, and whether the process had huge pages turned off before the first.
static SMALL_PAGES: Mutex<(usize, bool)> = Mutex::new((0, false));

/// While a `SmallPages` lives, this process faults no new memory in as transparent huge pages
/// (Linux; elsewhere it does nothing). A file import holds one.
///
/// mimalloc marks its regions `MADV_HUGEPAGE`, so where the kernel gives huge pages on
/// request (`/sys/kernel/mm/transparent_hugepage/enabled` = `madvise`, a common default) the
/// memory an import touches comes in 2 MiB at a time. On the 100k pipeline set
/// (`oppgraph gen --enterprises 100000`, then `oppgraph import` into a new data dir, three
/// runs each way taken in turn) that was ~246 huge-page faults an import, and turning them off
/// took the system time from 3.84 to 2.47 s and the wall time from 13.98 to 12.84 s on average.
/// Queries on a graph built later keep huge pages (fewer TLB misses on their random walks), so
/// the setting is scoped rather than the process's for good. Guards nest and may overlap on
/// several threads; the last to go puts back what the process had before the first.
pub(crate) struct SmallPages(());

impl SmallPages {
    pub(crate) fn new() -> SmallPages {
        let mut held = SMALL_PAGES.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        if held.0 == 0 {
            held.1 = huge_pages_off();
            set_huge_pages_off(true);
        }
        held.0 += 1;
        SmallPages(())
    }
}

impl Drop for SmallPages {
    fn drop(&mut self) {
        let mut held = SMALL_PAGES.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        held.0 -= 1;
        if held.0 == 0 {
            set_huge_pages_off(held.1);
        }
    }
}

#[cfg(target_os = "linux")]
fn huge_pages_off() -> bool {
    // SAFETY: PR_GET_THP_DISABLE takes no pointers and changes nothing.
    unsafe { libc::prctl(libc::PR_GET_THP_DISABLE, 0, 0, 0, 0) == 1 }
}

#[cfg(target_os = "linux")]
fn set_huge_pages_off(off: bool) {
    // SAFETY: PR_SET_THP_DISABLE takes integers only and changes only which page size the
    // kernel faults this process's memory in with; a kernel without it returns -1 (EINVAL),
    // which leaves the process as it was.
    unsafe { libc::prctl(libc::PR_SET_THP_DISABLE, libc::c_ulong::from(off), 0, 0, 0) };
}

#[cfg(not(target_os = "linux"))]
fn huge_pages_off() -> bool {
    false
}

#[cfg(not(target_os = "linux"))]
fn set_huge_pages_off(_: bool) {}

#[cfg(all(test, target_os = "linux"))]
mod tests {
    use super::*;

    #[test]
    fn huge_pages_are_off_while_a_guard_lives_and_as_before_after() {
        let before = huge_pages_off();
        {
            let _outer = SmallPages::new();
            assert!(huge_pages_off());
            let inner = std::thread::spawn(|| {
                let _inner = SmallPages::new();
                huge_pages_off()
            });
            assert!(inner.join().unwrap());
            // The inner guard went; the outer one still holds.
            assert!(huge_pages_off());
        }
        assert_eq!(huge_pages_off(), before);
    }
}
