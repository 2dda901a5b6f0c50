//! `merge`: shard folders back into one batch folder, byte for byte what an unsharded batch
//! writes, every shard's files checked against its `batch.json` first.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::batch::aggregate::write_aggregates;
use crate::batch::files::{prepare_out, write_done, FileRecord, Manifest, DONE_FILE, RUNS_FILE, SWEEP_FILE};
use crate::batch::tables::{column, csv_bytes, header, RUN_COLUMNS};
use crate::batch::{file_error, BatchError};
use crate::scenario::Sweep;

/// A shard folder read back by `merge`, every file checked against its `batch.json`.
struct Shard {
    dir: PathBuf,
    /// `k` of `k/n` (an unsharded batch folder counts as shard 1/1).
    k: usize,
    n: usize,
    sweep_text: String,
    header: Vec<String>,
    records: Vec<csv::StringRecord>,
}

impl Shard {
    fn name(&self) -> String {
        format!("{} (shard {}/{})", self.dir.display(), self.k, self.n)
    }

    fn read(dir: &Path) -> Result<Shard, BatchError> {
        let done = dir.join(DONE_FILE);
        if !done.exists() {
            return Err(file_error(dir, "no batch.json: this shard did not complete"));
        }
        let text = fs::read_to_string(&done).map_err(|e| file_error(&done, e))?;
        let doc: Value = serde_json::from_str(&text).map_err(|e| file_error(&done, format!("not valid JSON: {e}")))?;
        let (k, n) = match &doc["shard"] {
            Value::Null => (1, 1),
            Value::String(s) => s
                .split_once('/')
                .and_then(|(k, n)| Some((k.parse().ok()?, n.parse().ok()?)))
                .filter(|&(k, n)| 1 <= k && k <= n)
                .ok_or_else(|| file_error(&done, format!("\"shard\" is {s:?}, not k/n")))?,
            other => return Err(file_error(&done, format!("\"shard\" is {other}, not \"k/n\""))),
        };
        let label = format!("shard {k}/{n}");
        let sweep_bytes = read_verified(dir, &doc, SWEEP_FILE, &label, None)?;
        let sweep_text = String::from_utf8(sweep_bytes)
            .map_err(|_| file_error(&dir.join(SWEEP_FILE), format!("{label}: not UTF-8 text")))?;
        let path = dir.join(RUNS_FILE);
        let runs_bytes = fs::read(&path).map_err(|e| file_error(&path, e))?;
        let mut reader = csv::Reader::from_reader(runs_bytes.as_slice());
        let header: Vec<String> =
            reader.headers().map_err(|e| file_error(&path, e))?.iter().map(String::from).collect();
        // A file cut short mid-row fails here with the row it broke at; the checksum below
        // catches everything else.
        let records: Vec<csv::StringRecord> =
            reader.records().collect::<Result<_, _>>().map_err(|e| file_error(&path, format!("{label}: {e}")))?;
        verify(dir, &doc, RUNS_FILE, &label, &runs_bytes, Some(records.len()))?;
        Ok(Shard { dir: dir.to_path_buf(), k, n, sweep_text, header, records })
    }
}

/// Reads `dir/name` and checks it against the record of it in the folder's `batch.json`.
fn read_verified(dir: &Path, doc: &Value, name: &str, label: &str, rows: Option<usize>) -> Result<Vec<u8>, BatchError> {
    let path = dir.join(name);
    let bytes = fs::read(&path).map_err(|e| file_error(&path, e))?;
    verify(dir, doc, name, label, &bytes, rows)?;
    Ok(bytes)
}

/// Checks `bytes` (and `rows`) of `dir/name` against the folder's `batch.json` record.
fn verify(
    dir: &Path,
    doc: &Value,
    name: &str,
    label: &str,
    bytes: &[u8],
    rows: Option<usize>,
) -> Result<(), BatchError> {
    let path = dir.join(name);
    let recorded = &doc["files"][name];
    if recorded.is_null() {
        return Err(file_error(
            &dir.join(DONE_FILE),
            format!("{label}: records no checksum of {name} (written by an older lamport-sim?); rerun this shard"),
        ));
    }
    let found = FileRecord::of(bytes, rows);
    if *recorded != found.to_json() {
        let what = match (recorded["rows"].as_u64(), rows) {
            (Some(expected), Some(got)) if expected != got as u64 => {
                format!("has {got} data rows but batch.json records {expected}")
            }
            _ => format!(
                "does not match batch.json ({} bytes, fnv1a64 {}; batch.json records {} bytes, fnv1a64 {})",
                found.bytes, found.fnv1a64, recorded["bytes"], recorded["fnv1a64"]
            ),
        };
        return Err(file_error(
            &path,
            format!("{label}: {what}: it was cut short or changed after the shard ran; rerun this shard"),
        ));
    }
    Ok(())
}

/// Merges shard folders into `out`: the same bytes as running the sweep unsharded.
pub fn merge(inputs: &[PathBuf], out: &Path, force: bool) -> Result<usize, BatchError> {
    if inputs.is_empty() {
        return Err(BatchError::Shards("merge needs at least one shard folder".into()));
    }
    let shards: Vec<Shard> = inputs.iter().map(|dir| Shard::read(dir)).collect::<Result<_, _>>()?;
    let first = &shards[0];
    let sweep_path = first.dir.join(SWEEP_FILE);
    let sweep = Sweep::from_ron_str(&first.sweep_text, &sweep_path.display().to_string())?;
    let header = header(&sweep);
    for shard in &shards {
        if shard.sweep_text != first.sweep_text {
            return Err(file_error(
                &shard.dir.join(SWEEP_FILE),
                format!("differs from {}: shards of different sweeps", sweep_path.display()),
            ));
        }
        if shard.header != header {
            return Err(file_error(&shard.dir.join(RUNS_FILE), header_difference(&shard.header, &header)));
        }
    }
    let n = first.n;
    // A map, not a vector of n slots: n comes from a file.
    let mut by_k: BTreeMap<usize, &Shard> = BTreeMap::new();
    for shard in &shards {
        if shard.n != n {
            return Err(BatchError::Shards(format!(
                "{} and {} are shards of different splits; merge the shards of one split",
                first.name(),
                shard.name()
            )));
        }
        if let Some(other) = by_k.insert(shard.k, shard) {
            return Err(BatchError::Shards(format!(
                "{} and {} are both shard {}/{n}; merge every shard exactly once",
                other.dir.display(),
                shard.dir.display(),
                shard.k
            )));
        }
    }
    if let Some(k) = (1..=n).find(|k| !by_k.contains_key(k)) {
        let given = shards.iter().map(Shard::name).collect::<Vec<_>>().join(", ");
        return Err(BatchError::Shards(format!(
            "shard {k}/{n} is missing (given: {given}); merge every shard exactly once"
        )));
    }
    let seeds = usize::try_from(sweep.seeds().len()).unwrap_or(usize::MAX);
    let machines: Vec<usize> = sweep.points().iter().map(|p| p.scenario.machine_count() as usize).collect();
    let total = seeds * machines.len();
    // (run, row order, row): a shard's rows are in run order, so a stable sort by run
    // interleaves the shards back into the unsharded order.
    let mut records: Vec<(usize, usize, csv::StringRecord)> = Vec::new();
    for shard in &shards {
        let path = shard.dir.join(RUNS_FILE);
        for (i, record) in shard.records.iter().enumerate() {
            let run = check_row(record, seeds, &machines, shard)
                .map_err(|message| file_error(&path, format!("{}: row {}: {message}", shard.name(), i + 2)))?;
            records.push((run, records.len(), record.clone()));
        }
    }
    records.sort_by_key(|&(run, order, _)| (run, order));
    let mut rows = Vec::with_capacity(records.len());
    let mut next = 0;
    for (run, _, record) in records {
        if run > next {
            break;
        }
        next = run + 1;
        rows.push(record);
    }
    if next < total {
        let shard = by_k[&(next % n + 1)];
        return Err(file_error(
            &shard.dir.join(RUNS_FILE),
            format!("{}: run {next} is missing; rerun this shard", shard.name()),
        ));
    }
    prepare_out(out, force)?;
    let mut manifest = Manifest::default();
    manifest.write(out, SWEEP_FILE, first.sweep_text.as_bytes(), None)?;
    manifest.write(out, RUNS_FILE, &csv_bytes(&out.join(RUNS_FILE), &header, &rows)?, Some(rows.len()))?;
    let stopped = write_aggregates(out, &sweep, &header, &rows, &mut manifest)?;
    write_done(out, total, stopped, None, manifest)?;
    Ok(total)
}

/// Why a shard's `runs.csv` header is not this version's: the first column that differs
/// (a shard written by a version that named a column otherwise, such as
/// `queue_growth_per_min` before it became `queue_slope_per_min`).
fn header_difference(found: &[String], expected: &[String]) -> String {
    let first = (0..found.len().max(expected.len())).find(|&i| found.get(i) != expected.get(i)).unwrap_or(0);
    let name = |h: &[String]| h.get(first).map_or_else(|| "nothing".to_string(), |c| format!("{c:?}"));
    format!(
        "its columns differ from this version's runs.csv (column {} is {}, this version writes {}); \
         rerun this shard with this version",
        first + 1,
        name(found),
        name(expected)
    )
}

/// Checks one row of a shard's `runs.csv` (everything the aggregates rely on) and returns
/// its run index.
fn check_row(record: &csv::StringRecord, seeds: usize, machines: &[usize], shard: &Shard) -> Result<usize, String> {
    let field = |i: usize| record.get(i).unwrap_or("");
    let run: usize = field(0).parse().map_err(|_| format!("bad run index {:?}", field(0)))?;
    let point = run / seeds;
    if point >= machines.len() {
        return Err(format!("run {run} is not a run of this sweep ({} runs)", seeds * machines.len()));
    }
    if run % shard.n != shard.k - 1 {
        return Err(format!("run {run} belongs to shard {}/{}, not to this one", run % shard.n + 1, shard.n));
    }
    if field(1) != point.to_string() {
        return Err(format!("run {run} is of grid point {point}, but the row says {:?}", field(1)));
    }
    let machine_col = record.len() - RUN_COLUMNS.len();
    let machine = field(machine_col);
    if machine.parse::<usize>().map_or(true, |m| m >= machines[point]) {
        return Err(format!("machine {machine:?} is not a machine of grid point {point}"));
    }
    let completed = field(machine_col + column("completed"));
    if completed != "true" && completed != "false" {
        return Err(format!("completed is {completed:?}, not true or false"));
    }
    Ok(run)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_header_difference_names_the_first_column_that_differs() {
        let strings = |s: &[&str]| s.iter().map(|c| c.to_string()).collect::<Vec<_>>();
        let ours = strings(&["run", "queue_final", "queue_slope_per_min"]);
        assert_eq!(
            header_difference(&strings(&["run", "queue_final", "queue_growth_per_min"]), &ours),
            "its columns differ from this version's runs.csv (column 3 is \"queue_growth_per_min\", this version \
             writes \"queue_slope_per_min\"); rerun this shard with this version"
        );
        assert!(header_difference(&strings(&["run", "queue_final"]), &ours).contains("column 3 is nothing"));
    }
}
