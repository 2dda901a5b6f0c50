//! Sweep files for `batch`: a base scenario, a grid of parameters and the seeds; expanded
//! into a fixed, documented order of runs so any thread count or sharding gives the same
//! output.
//!
//! Run `r` is grid point `r / seeds` with seed number `r % seeds`. Grid points are the
//! cartesian product of the grid's lists in this field order, the last varying fastest:
//! `machines`, `rates`, `event_mix`, `send_all_targets`, `network_delay`, `tick_jitter`,
//! `semantics`. Every grid point uses the same seeds (common random numbers, so points
//! differ by their parameters, not by luck).

use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::base::SimDuration;
use crate::scenario::read::{ron_options, syntax_error, to_pretty_ron};
use crate::scenario::{
    EventMix, Fresh, MachineCount, NetworkDelay, Rates, Resolved, Scenario, ScenarioError, Semantics, SendAllTargets,
    StartTime, TickJitter, MAX_SCENARIO_BYTES,
};

/// Which seeds every grid point runs with.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Seeds {
    /// Seeds `0..n`.
    Count(u64),
    /// Seeds `start..end`.
    Range {
        /// First seed.
        start: u64,
        /// One past the last seed.
        end: u64,
    },
    /// These seeds.
    List(Vec<u64>),
}

impl Seeds {
    /// How many seeds, without listing them.
    pub fn len(&self) -> u64 {
        match self {
            Seeds::Count(n) => *n,
            Seeds::Range { start, end } => end.saturating_sub(*start),
            Seeds::List(list) => list.len() as u64,
        }
    }

    /// Whether there is no seed at all.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Seed number `i` (below [`Seeds::len`]), computed, not looked up in a list.
    pub fn get(&self, i: u64) -> u64 {
        match self {
            Seeds::Count(_) => i,
            Seeds::Range { start, .. } => start + i,
            Seeds::List(list) => list[i as usize],
        }
    }

    /// The seeds in order, one at a time: a `Count` of a billion takes no memory.
    pub fn iter(&self) -> impl Iterator<Item = u64> + '_ {
        (0..self.len()).map(|i| self.get(i))
    }
}

/// Parameters to vary; a field left out keeps the base scenario's value.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct Grid {
    /// Machine counts.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub machines: Option<Vec<MachineCount>>,
    /// Rate settings.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rates: Option<Vec<Rates>>,
    /// Event mixes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub event_mix: Option<Vec<EventMix>>,
    /// Broadcast targets.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub send_all_targets: Option<Vec<SendAllTargets>>,
    /// Network delays.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub network_delay: Option<Vec<NetworkDelay>>,
    /// Tick jitters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tick_jitter: Option<Vec<TickJitter>>,
    /// Clock semantics.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub semantics: Option<Vec<Semantics>>,
}

impl Grid {
    /// The first parameter given as an empty list (it would leave no grid point).
    fn empty_list(&self) -> Option<&'static str> {
        let lengths = [
            ("machines", self.machines.as_ref().map(Vec::len)),
            ("rates", self.rates.as_ref().map(Vec::len)),
            ("event_mix", self.event_mix.as_ref().map(Vec::len)),
            ("send_all_targets", self.send_all_targets.as_ref().map(Vec::len)),
            ("network_delay", self.network_delay.as_ref().map(Vec::len)),
            ("tick_jitter", self.tick_jitter.as_ref().map(Vec::len)),
            ("semantics", self.semantics.as_ref().map(Vec::len)),
        ];
        lengths.into_iter().find(|(_, len)| *len == Some(0)).map(|(field, _)| field)
    }
}

/// What a sweep file says.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename = "Sweep")]
struct SweepFile {
    /// The scenario every run starts from (its seed is ignored: `seeds` gives them).
    #[serde(default)]
    base: Scenario,
    /// Parameters to vary.
    #[serde(default)]
    grid: Grid,
    /// Seeds of each grid point.
    seeds: Seeds,
    /// Simulated length of every run (default: the base scenario's).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    duration: Option<SimDuration>,
}

/// A sweep: a validated sweep file, its grid expanded once into the grid points every
/// batch, merge and table works from; the seeds stay a rule, iterated as needed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sweep {
    file: SweepFile,
    points: Vec<GridPoint>,
}

/// One grid point: its scenario (without a seed) and the values that name it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct GridPoint {
    /// Index in grid order.
    pub index: usize,
    /// The base scenario with this point's values.
    pub scenario: Scenario,
    /// `(parameter, value as RON)` for each varied parameter, in grid field order.
    pub labels: Vec<(&'static str, String)>,
}

/// One run of a sweep.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct RunSpec {
    /// Run index: `point * seeds + seed number`.
    pub run: usize,
    /// Grid point index.
    pub point: usize,
    /// The seed.
    pub seed: u64,
}

fn compact<T: Serialize>(value: &T) -> String {
    ron::to_string(value).expect("grid values serialize")
}

impl Sweep {
    /// Parses sweep text (`origin` names it in errors), checking every grid point.
    pub fn from_ron_str(text: &str, origin: &str) -> Result<Sweep, ScenarioError> {
        if text.len() as u64 > MAX_SCENARIO_BYTES {
            return Err(ScenarioError::TooLarge { path: origin.to_string(), size: Some(text.len() as u64) });
        }
        let file: SweepFile = ron_options().from_str(text).map_err(|e| {
            let hint = "a sweep is `Sweep(base: Scenario(...), grid: Grid(...), seeds: Count(100), duration: \"60m\")`";
            syntax_error(e, text, origin, hint)
        })?;
        let invalid = |message: String| ScenarioError::Invalid { location: origin.to_string(), message };
        if file.seeds.is_empty() {
            return Err(invalid("seeds is empty; give at least one seed".into()));
        }
        // A repeated seed would run the same runs twice and count them as independent
        // samples, narrowing every confidence interval for nothing.
        // (Only a list can repeat one: a count or a range cannot.)
        if let Seeds::List(list) = &file.seeds {
            let mut seen = std::collections::BTreeSet::new();
            if let Some(seed) = list.iter().find(|&&s| !seen.insert(s)) {
                return Err(invalid(format!("seeds lists seed {seed} more than once; give each seed once")));
            }
        }
        if let Some(field) = file.grid.empty_list() {
            return Err(invalid(format!(
                "grid {field} is an empty list, which gives no grid point; give at least one value, or leave \
                 {field} out to keep the base scenario's value"
            )));
        }
        let points = file.expand();
        for point in &points {
            point.scenario.resolve(Fresh { seed: 0, start_time: StartTime::SEEDED_DEFAULT }, origin).map_err(|e| {
                // The scenario's own error starts with `origin` too (it cannot locate a
                // field of the sweep's text): keep only what it says is wrong.
                let cause = match e {
                    ScenarioError::Invalid { message, .. } => message,
                    other => other.to_string(),
                };
                if point.labels.is_empty() {
                    return invalid(cause);
                }
                let label = point.labels.iter().map(|(k, v)| format!("{k}: {v}")).collect::<Vec<_>>().join(", ");
                invalid(format!("grid point ({label}): {cause}"))
            })?;
        }
        Ok(Sweep { file, points })
    }

    /// Reads a sweep file.
    pub fn load(path: &Path) -> Result<Sweep, ScenarioError> {
        Sweep::from_ron_str(&crate::scenario::read_ron_file(path)?, &path.display().to_string())
    }

    /// Reads a sweep from `reader` (standard input, say), named `origin` in errors; at most
    /// 1 MiB is read.
    pub fn read_from(reader: impl std::io::Read, origin: &str) -> Result<Sweep, ScenarioError> {
        Sweep::from_ron_str(&crate::scenario::read_ron(reader, origin)?, origin)
    }

    /// The sweep as RON text: normalised (comments dropped, defaults written out).
    pub fn to_ron(&self) -> String {
        to_pretty_ron(&self.file) + "\n"
    }

    /// The seeds every grid point runs with.
    pub fn seeds(&self) -> &Seeds {
        &self.file.seeds
    }

    /// The grid points, in grid order.
    pub(crate) fn points(&self) -> &[GridPoint] {
        &self.points
    }

    /// How many runs: grid points × seeds.
    pub fn run_count(&self) -> u64 {
        (self.points.len() as u64).saturating_mul(self.file.seeds.len())
    }

    /// Run `run` (below [`Sweep::run_count`]): grid point `run / seeds`, seed number
    /// `run % seeds`.
    pub(crate) fn run(&self, run: usize) -> RunSpec {
        let seeds = self.file.seeds.len();
        let (point, i) = (run as u64 / seeds, run as u64 % seeds);
        RunSpec { run, point: point as usize, seed: self.file.seeds.get(i) }
    }

    /// The resolved scenario of one run.
    pub(crate) fn resolve_run(&self, spec: RunSpec) -> Result<Resolved, ScenarioError> {
        let mut scenario = self.points[spec.point].scenario.clone();
        scenario.seed = Some(spec.seed);
        scenario.resolve(Fresh { seed: spec.seed, start_time: StartTime::SEEDED_DEFAULT }, "sweep")
    }

    /// Names of the varied parameters, in grid order.
    pub fn parameter_names(&self) -> Vec<&'static str> {
        self.points.first().map(|p| p.labels.iter().map(|(k, _)| *k).collect()).unwrap_or_default()
    }
}

impl SweepFile {
    /// The grid points, in grid order: the cartesian product of the grid's lists, the last
    /// field varying fastest. The one place a sweep is expanded.
    fn expand(&self) -> Vec<GridPoint> {
        let mut base = self.base.clone();
        base.seed = None;
        if let Some(d) = self.duration {
            base.duration = d;
        }
        let mut points = vec![(base, Vec::new())];
        macro_rules! vary {
            ($field:ident, $apply:expr) => {
                if let Some(values) = &self.grid.$field {
                    points = points
                        .into_iter()
                        .flat_map(|(scenario, labels)| {
                            values.iter().map(move |v| {
                                let mut s: Scenario = scenario.clone();
                                let apply: fn(&mut Scenario, _) = $apply;
                                apply(&mut s, v.clone());
                                let mut l: Vec<(&'static str, String)> = labels.clone();
                                l.push((stringify!($field), compact(v)));
                                (s, l)
                            })
                        })
                        .collect();
                }
            };
        }
        vary!(machines, |s, v| s.machines = Some(v));
        vary!(rates, |s, v| s.rates = v);
        vary!(event_mix, |s, v| s.event_mix = v);
        vary!(send_all_targets, |s, v| s.send_all_targets = v);
        vary!(network_delay, |s, v| s.network_delay = v);
        vary!(tick_jitter, |s, v| s.tick_jitter = v);
        vary!(semantics, |s, v| s.semantics = v);
        points
            .into_iter()
            .enumerate()
            .map(|(index, (scenario, labels))| GridPoint { index, scenario, labels })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grid_expands_in_documented_order() {
        let sweep = Sweep::from_ron_str(
            "(grid: (rates: [Range(min: 1, max: 6), Range(min: 4, max: 6)],
                     event_mix: [(send_next: 1, send_after: 1, send_all: 1, internal: 7),
                                 (send_next: 3, send_after: 3, send_all: 3, internal: 1)]),
              seeds: Count(3), duration: \"2m\")",
            "<t>",
        )
        .unwrap();
        let points = sweep.points();
        assert_eq!(points.len(), 4);
        assert_eq!(points[1].labels[0].1, "Range(min:1,max:6)");
        assert!(points[1].labels[1].1.contains("internal:1"));
        assert_eq!(points[2].labels[0].1, "Range(min:4,max:6)");
        assert_eq!(sweep.run_count(), 12);
        assert_eq!(sweep.run(7), RunSpec { run: 7, point: 2, seed: 1 });
        let r = sweep.resolve_run(RunSpec { run: 11, point: 3, seed: 2 }).unwrap();
        assert_eq!(r.duration, SimDuration::from_secs(120));
        assert!(r.machines.iter().all(|m| (4..=6).contains(&m.rate)));
        let back = Sweep::from_ron_str(&sweep.to_ron(), "<t>").unwrap();
        assert_eq!(back, sweep);
    }

    fn error(text: &str) -> String {
        Sweep::from_ron_str(text, "s.ron").unwrap_err().to_string()
    }

    #[test]
    fn an_invalid_grid_point_is_named_once_with_its_file() {
        let err = error("(grid: (machines: [3, 2], rates: [Each([1, 2, 3])]), seeds: Count(1))");
        assert_eq!(
            err,
            "s.ron: grid point (machines: 2, rates: Each([1,2,3])): rates lists 3 rates but there are 2 machines; \
             give one rate per machine"
        );
        let err = error("(seeds: Count(1), duration: \"0s\")");
        assert_eq!(err, "s.ron: duration must be longer than 0s");
    }

    #[test]
    fn an_empty_grid_list_is_refused_by_name() {
        for field in ["machines", "rates", "event_mix", "send_all_targets", "network_delay", "tick_jitter", "semantics"]
        {
            let err = error(&format!("(grid: ({field}: []), seeds: Count(2))"));
            assert!(err.starts_with(&format!("s.ron: grid {field} is an empty list")), "{err}");
        }
        assert!(error("(seeds: Count(0))").contains("seeds is empty"));
        assert!(error("(seeds: Range(start: 5, end: 5))").contains("seeds is empty"));
    }

    #[test]
    fn a_repeated_seed_is_refused_by_value() {
        let err = error("(seeds: List([4, 1, 7, 1, 4]))");
        assert_eq!(err, "s.ron: seeds lists seed 1 more than once; give each seed once");
        assert!(Sweep::from_ron_str("(seeds: List([4, 1, 7]))", "s.ron").is_ok());
    }
}
