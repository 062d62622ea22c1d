//! How busy this process and the machine were, and this process's peak memory, from /proc (Linux only; elsewhere
//! the figures are zero or missing).

use std::time::Instant;

/// The kernel's clock tick for /proc's CPU times: 100 Hz on every common Linux build.
const TICKS_PER_SECOND: f64 = 100.0;

/// CPU counters at one moment.
pub struct Usage {
    at: Instant,
    process_ticks: u64,
    machine_busy: u64,
    machine_total: u64,
}

/// Shares of the time since a [`Usage`]: this process on a CPU (100 % is one CPU), and the machine's CPUs busy
/// (100 % is every CPU, so PostgreSQL's share shows in it).
pub struct Used {
    pub process_percent: f64,
    pub machine_percent: f64,
}

impl Usage {
    pub fn now() -> Self {
        let (machine_busy, machine_total) = machine_ticks();
        Self { at: Instant::now(), process_ticks: process_ticks(), machine_busy, machine_total }
    }

    pub fn since(&self) -> Used {
        let seconds = self.at.elapsed().as_secs_f64().max(1e-9);
        let process = process_ticks().saturating_sub(self.process_ticks) as f64 / TICKS_PER_SECOND;
        let (busy, total) = machine_ticks();
        let total = total.saturating_sub(self.machine_total).max(1) as f64;
        Used {
            process_percent: 100.0 * process / seconds,
            machine_percent: 100.0 * busy.saturating_sub(self.machine_busy) as f64 / total,
        }
    }
}

/// User and system time of this process so far, in ticks.
fn process_ticks() -> u64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    // The command name may hold spaces; the fields after it are fixed: utime and stime are the 12th and 13th.
    let after_name = stat.rsplit_once(')').map_or("", |(_, rest)| rest);
    let fields: Vec<&str> = after_name.split_whitespace().collect();
    let field = |i: usize| fields.get(i).and_then(|f| f.parse::<u64>().ok()).unwrap_or(0);
    field(11) + field(12)
}

/// The machine's busy and total CPU ticks so far (idle and I/O wait count as not busy).
fn machine_ticks() -> (u64, u64) {
    let stat = std::fs::read_to_string("/proc/stat").unwrap_or_default();
    let Some(line) = stat.lines().find(|l| l.starts_with("cpu ")) else { return (0, 0) };
    let ticks: Vec<u64> = line.split_whitespace().skip(1).filter_map(|t| t.parse().ok()).collect();
    let total: u64 = ticks.iter().take(8).sum();
    let idle = ticks.get(3).copied().unwrap_or(0) + ticks.get(4).copied().unwrap_or(0);
    (total.saturating_sub(idle), total)
}

/// Starts counting peak memory from now, so the generator's buffers do not count as the import's.
pub fn reset_peak_rss() {
    // "5" resets the peak resident set size (Linux 4.0 and later); without it the peak includes generation.
    if std::fs::write("/proc/self/clear_refs", "5").is_err() {
        eprintln!("could not reset the peak memory counter; the peak includes generating the files");
    }
}

/// Peak resident memory of this process (`VmHWM`), in MiB.
pub fn peak_rss_mib() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kib: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib / 1024.0)
}
