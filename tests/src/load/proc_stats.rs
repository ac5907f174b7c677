//! A server process's memory and CPU time, read from /proc.

/// Resident memory of `pid` in KiB.
pub fn rss_kib(pid: u32) -> anyhow::Result<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status"))?;
    let line = status
        .lines()
        .find(|l| l.starts_with("VmRSS:"))
        .ok_or_else(|| anyhow::anyhow!("no VmRSS for process {pid}"))?;
    Ok(line.split_whitespace().nth(1).unwrap_or("0").parse()?)
}

/// User + system CPU time of `pid` (all its threads) in microseconds.
pub fn cpu_us(pid: u32) -> anyhow::Result<u64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat"))?;
    // The command name may hold spaces: fields are counted after its closing parenthesis.
    let after_name = stat
        .rsplit_once(')')
        .map(|(_, rest)| rest)
        .ok_or_else(|| anyhow::anyhow!("unreadable /proc/{pid}/stat"))?;
    let fields: Vec<&str> = after_name.split_whitespace().collect();
    // utime and stime are fields 14 and 15 of stat(5); here 11 and 12 (from state = 0).
    let ticks: u64 = fields
        .get(11)
        .zip(fields.get(12))
        .map(|(user, system)| user.parse::<u64>().unwrap_or(0) + system.parse::<u64>().unwrap_or(0))
        .unwrap_or(0);
    Ok(ticks * 1_000_000 / clock_ticks_per_sec())
}

/// How much of one core this process (the load generator) uses from a moment on: its CPU
/// time over the wall time since. Near 1.0 it is the generator, not the server, that limits
/// a phase.
pub struct OwnCoreShare {
    started: std::time::Instant,
    cpu_us: u64,
}

impl OwnCoreShare {
    /// Starts counting now.
    pub fn start() -> anyhow::Result<OwnCoreShare> {
        Ok(OwnCoreShare {
            started: std::time::Instant::now(),
            cpu_us: cpu_us(std::process::id())?,
        })
    }

    /// The share of one core used since [`OwnCoreShare::start`].
    pub fn so_far(&self) -> anyhow::Result<f64> {
        let used = cpu_us(std::process::id())?.saturating_sub(self.cpu_us);
        Ok(used as f64 / self.started.elapsed().as_micros().max(1) as f64)
    }
}

fn clock_ticks_per_sec() -> u64 {
    std::process::Command::new("getconf")
        .arg("CLK_TCK")
        .output()
        .ok()
        .and_then(|out| String::from_utf8(out.stdout).ok())
        .and_then(|text| text.trim().parse().ok())
        .filter(|ticks| *ticks > 0)
        .unwrap_or(100)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn this_process_has_memory_and_cpu_time() -> anyhow::Result<()> {
        let pid = std::process::id();
        let spin: u64 = (0..20_000_000u64).fold(0, |a, b| a.wrapping_add(b * b));
        assert!(spin > 0);
        assert!(rss_kib(pid)? > 100);
        assert!(cpu_us(pid)? > 0);
        Ok(())
    }

    #[test]
    fn a_busy_generator_shows_a_share_of_its_core() -> anyhow::Result<()> {
        let share = OwnCoreShare::start()?;
        let spin: u64 = (0..50_000_000u64).fold(0, |a, b| a.wrapping_add(b * b));
        assert!(spin > 0);
        let used = share.so_far()?;
        assert!(used > 0.0, "spinning used no CPU time: {used}");
        Ok(())
    }
}
