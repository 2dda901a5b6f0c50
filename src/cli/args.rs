//! The arguments of every command (clap derive types) and the parsers of their values.

use std::path::PathBuf;

use clap::Args;
use lamport_sim::{MachineCount, Rate, Rates, SimDuration, StartTime};

/// Arguments of `batch`.
#[derive(Debug, Args)]
pub(crate) struct BatchArgs {
    /// Sweep file (RON), `-` for standard input: base scenario, grid, seeds, duration.
    #[arg(value_name = "SWEEP.ron")]
    pub(crate) sweep: PathBuf,
    /// Output folder.
    #[arg(long, value_name = "DIR")]
    pub(crate) out: PathBuf,
    /// Replace the batch in an existing, non-empty --out folder.
    #[arg(long)]
    pub(crate) force: bool,
    /// Worker threads (default: all cores). The output is the same for any number.
    #[arg(long, default_value_t = 0, value_name = "N")]
    pub(crate) threads: usize,
    /// Run only shard K of N (1-based), for spreading a sweep over machines; combine the
    /// shard folders with `merge`.
    #[arg(long, value_parser = parse_shard, value_name = "K/N")]
    pub(crate) shard: Option<(usize, usize)>,
    /// Also write every run's per-event logs, as run folders under DIR/runs/.
    #[arg(long)]
    pub(crate) logs: bool,
}

/// Arguments of `completions`.
#[derive(Debug, Args)]
pub(crate) struct CompletionsArgs {
    /// The shell to complete for.
    #[arg(value_enum)]
    pub(crate) shell: clap_complete::Shell,
}

/// Arguments of `merge`.
#[derive(Debug, Args)]
pub(crate) struct MergeArgs {
    /// Shard folders written by `batch --shard K/N` (all N of them).
    #[arg(value_name = "DIR", required = true)]
    pub(crate) shards: Vec<PathBuf>,
    /// Output folder.
    #[arg(long, value_name = "DIR")]
    pub(crate) out: PathBuf,
    /// Replace the batch in an existing, non-empty --out folder.
    #[arg(long)]
    pub(crate) force: bool,
}

fn parse_shard(text: &str) -> Result<(usize, usize), String> {
    let bad = || format!("expected K/N with 1 <= K <= N, like 2/8, got {text:?}");
    let (k, n) = text.split_once('/').ok_or_else(bad)?;
    let (k, n): (usize, usize) = (k.trim().parse().map_err(|_| bad())?, n.trim().parse().map_err(|_| bad())?);
    if k == 0 || k > n {
        return Err(bad());
    }
    Ok((k, n))
}

/// Arguments of `diff`.
#[derive(Debug, Args)]
pub(crate) struct DiffArgs {
    /// The first run folder.
    #[arg(value_name = "RUN_A")]
    pub(crate) a: PathBuf,
    /// The second run folder.
    #[arg(value_name = "RUN_B")]
    pub(crate) b: PathBuf,
    /// Print the verdict as one JSON document on stdout (schema in docs/json.md).
    #[arg(long, conflicts_with = "quiet")]
    pub(crate) json: bool,
}

/// Arguments of `check`.
#[derive(Debug, Args)]
pub(crate) struct CheckArgs {
    /// A run folder: `machine-<id>.csv` logs, with scenario.ron and summary.json if present.
    #[arg(value_name = "RUN_DIR")]
    pub(crate) run_dir: PathBuf,
    /// Show at most this many violations (all are counted).
    #[arg(long, default_value_t = 20, value_name = "N")]
    pub(crate) max_violations: usize,
    /// Print the verdict and every violation shown as one JSON document on stdout (schema
    /// in docs/json.md).
    #[arg(long, conflicts_with = "quiet")]
    pub(crate) json: bool,
}

/// Where a run is written.
#[derive(Debug, Args)]
pub(crate) struct OutputArgs {
    /// Run directory to write (default: a new folder under ./runs/).
    #[arg(long, value_name = "DIR")]
    pub(crate) out: Option<PathBuf>,
    /// Replace the run in an existing, non-empty --out directory.
    #[arg(long)]
    pub(crate) force: bool,
    /// Write scenario.ron and summary.json but no per-event logs.
    #[arg(long)]
    pub(crate) stats_only: bool,
    /// After the run, run the scenario.ron it wrote again and compare the two runs
    /// (exit 1 if they differ).
    #[arg(long)]
    pub(crate) check_determinism: bool,
    /// Print the run's summary as one JSON document on stdout (schema in docs/json.md).
    #[arg(long, conflicts_with = "quiet")]
    pub(crate) json: bool,
}

/// Arguments of `run`.
#[derive(Debug, Args)]
pub(crate) struct RunArgs {
    /// Scenario file (RON), `-` for standard input. Without it: the classic experiment.
    #[arg(value_name = "SCENARIO.ron")]
    pub(crate) scenario: Option<PathBuf>,
    /// Seed of every random stream (default: the scenario's, else a fresh one).
    #[arg(long)]
    pub(crate) seed: Option<u64>,
    /// Number of machines.
    #[arg(long, value_parser = parse_machines)]
    pub(crate) machines: Option<MachineCount>,
    /// Clock rates: one per machine (`1,3,6`) or a range to draw from (`4-6`).
    #[arg(long, value_parser = parse_rates, value_name = "LIST|MIN-MAX")]
    pub(crate) rates: Option<Rates>,
    /// Simulated length: seconds (`60`) or with a unit (`90s`, `10m`, `1.5h`).
    #[arg(long, value_parser = parse_duration, value_name = "SECS", allow_negative_numbers = true)]
    pub(crate) duration: Option<SimDuration>,
    /// The system_time of simulated time zero, `"YYYY-MM-DD HH:MM:SS[.ffffff]"` (or with a
    /// `T` between date and time); no time zone.
    #[arg(long, value_parser = parse_start_time, value_name = "TIME")]
    pub(crate) start_time: Option<StartTime>,
    /// Where and how to write the run.
    #[command(flatten)]
    pub(crate) output: OutputArgs,
}

/// Arguments of `replay`.
#[derive(Debug, Args)]
pub(crate) struct ReplayArgs {
    /// A resolved scenario.ron (`-` for standard input), or a run directory holding one.
    #[arg(value_name = "SCENARIO.ron|RUN_DIR")]
    pub(crate) source: PathBuf,
    /// Where and how to write the run.
    #[command(flatten)]
    pub(crate) output: OutputArgs,
}

fn parse_machines(text: &str) -> Result<MachineCount, String> {
    let n: u32 = text.trim().parse().map_err(|_| format!("expected a whole number of machines, got {text:?}"))?;
    MachineCount::try_from(n)
}

fn parse_rate(text: &str) -> Result<Rate, String> {
    let n: u32 =
        text.trim().parse().map_err(|_| format!("expected a whole number of ticks per second, got {text:?}"))?;
    Rate::try_from(n)
}

fn parse_rates(text: &str) -> Result<Rates, String> {
    if let Some((min, max)) = text.split_once('-') {
        let (min, max) = (parse_rate(min)?, parse_rate(max)?);
        if min > max {
            return Err(format!("rate range {text:?} has min above max"));
        }
        return Ok(Rates::Range { min, max });
    }
    text.split(',').map(parse_rate).collect::<Result<Vec<_>, _>>().map(Rates::Each)
}

fn parse_duration(text: &str) -> Result<SimDuration, String> {
    let with_unit = if text.trim().bytes().all(|b| b.is_ascii_digit() || b == b'.') {
        format!("{text}s")
    } else {
        text.to_string()
    };
    let d: SimDuration = with_unit.parse().map_err(|e: lamport_sim::DurationParseError| e.to_string())?;
    if d == SimDuration::ZERO {
        return Err("the duration must be longer than 0s".into());
    }
    Ok(d)
}

fn parse_start_time(text: &str) -> Result<StartTime, String> {
    StartTime::try_from(text.to_string())
}
