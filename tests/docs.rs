//! The docs run as shown (in the manner of trycmd): every `lamport-sim ...` example in
//! README.md and docs/*.md is run, and where the docs show its output, the output must
//! match.
//!
//! The format, so a writer knows what is checked:
//! - A ` ```console ` block is a shell session: each `$ ` line is a command (run with
//!   `sh -c`, a trailing `\` continuing it), and the lines after it, up to the next `$ `
//!   line, are its stdout (for a command that fails with nothing on stdout, its stderr:
//!   the error message). In the expected output, a line `...` stands for any number of
//!   lines, and `[..]` for any text within a line (a date, a timing).
//! - A ` ```sh ` block that uses `lamport-sim` (or `cargo run --release --`) is run line by
//!   line, but for comments and other `cargo` commands (set-up such as `cargo install`);
//!   output is not compared.
//! - A command must exit 0, unless it ends with a comment `# exit N`.
//! - `cargo run --release -- ARGS` runs as `target/release/lamport-sim ARGS` (a link to the
//!   binary under test), so its printed replay command reads as the README shows it.
//! - Each file runs in a fresh folder holding a copy of `scenarios/` (also `HOME`), in
//!   order, so later examples can use the folders earlier ones wrote.
//! - An example that cannot run here (it needs a cluster, nightly Rust or minutes of time)
//!   is preceded by a line `<!-- not run: why -->`; [`NOT_RUN`] lists every one, so none is
//!   skipped silently.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::util::repo;

/// The examples not run, as `file: the first command`, with why. The test fails when a
/// marked example is missing here or a listed one is no longer marked.
const NOT_RUN: &[(&str, &str)] = &[
    (
        "README.md: jid=$(sbatch --parsable --array=1-16 --wrap 'lamport-sim batch sweep.ron --shard ${SLURM_ARRAY_TASK_ID}/16 --quiet --out shards/${SLURM_ARRAY_TASK_ID}')",
        "needs a Slurm cluster",
    ),
    (
        "README.md: parallel -S host1,host2 --wd . lamport-sim batch sweep.ron --shard {}/12 --quiet --out shards/{} ::: $(seq 12)",
        "needs hosts sharing the folder",
    ),
    (
        "docs/batch.md: lamport-sim batch sweep.ron --shard ${SLURM_ARRAY_TASK_ID}/16 --threads ${SLURM_CPUS_PER_TASK} --quiet --out shards/${SLURM_ARRAY_TASK_ID}",
        "needs a Slurm cluster",
    ),
    ("docs/batch.md: jid=$(sbatch --parsable shards.sh)", "needs a Slurm cluster"),
    (
        "docs/batch.md: parallel -S host1,host2,host3 --wd . lamport-sim batch sweep.ron --shard {}/12 --quiet --out shards/{} ::: $(seq 12)",
        "needs hosts sharing the folder",
    ),
    (
        "docs/benchmarks.md: printf '(rates: Each([1, 3, 6]), seed: 1)\\n' > /tmp/classic3.ron",
        "takes minutes in a debug build, and measures the release binary",
    ),
];

/// One example: where it is, its commands and (for a console block) their shown output.
#[derive(Debug)]
struct Example {
    file: String,
    commands: Vec<Step>,
    not_run: Option<String>,
}

/// One command of an example, the line it is on, the exit code it must give, and (in a
/// console block) the output shown under it.
#[derive(Debug)]
struct Step {
    line: usize,
    text: String,
    expected: Option<Vec<String>>,
    exit: i32,
}

/// The markdown files with examples: README.md and docs/*.md, sorted.
fn doc_files() -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(repo().join("docs"))
        .expect("docs/ exists")
        .map(|e| e.expect("readable").path())
        .filter(|p| p.extension().is_some_and(|e| e == "md"))
        .collect();
    files.sort();
    files.insert(0, repo().join("README.md"));
    files
}

/// The examples of one markdown file.
fn examples(path: &Path) -> Vec<Example> {
    let file = path.strip_prefix(repo()).unwrap_or(path).display().to_string();
    let text = std::fs::read_to_string(path).expect("readable doc");
    let lines: Vec<&str> = text.lines().collect();
    let mut examples = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        let fence = lines[i].trim_start();
        let kind = fence.strip_prefix("```").map(str::trim);
        let Some(kind @ ("console" | "sh")) = kind else {
            if fence.starts_with("```") {
                // Skip a block of another kind whole, so its lines are not read as fences.
                i += 1;
                while i < lines.len() && !lines[i].trim_start().starts_with("```") {
                    i += 1;
                }
            }
            i += 1;
            continue;
        };
        let not_run = (i > 0)
            .then(|| lines[i - 1].trim())
            .and_then(|l| l.strip_prefix("<!-- not run:"))
            .and_then(|l| l.strip_suffix("-->"))
            .map(|why| why.trim().to_string());
        let start = i + 1;
        let mut end = start;
        while end < lines.len() && !lines[end].trim_start().starts_with("```") {
            end += 1;
        }
        let block = &lines[start..end];
        let commands = if kind == "console" { session(block, start) } else { script(block, start) };
        if !commands.is_empty() {
            examples.push(Example { file: file.clone(), commands, not_run });
        }
        i = end + 1;
    }
    examples
}

/// The lines of a block (with their line numbers in the file), a line ending in `\\` joined
/// with the next, as the shell reads them.
fn joined(block: &[&str], first_line: usize) -> Vec<(usize, String)> {
    let mut lines: Vec<(usize, String)> = Vec::new();
    let mut continued = false;
    for (j, line) in block.iter().enumerate() {
        match lines.last_mut() {
            Some((_, text)) if continued => *text = format!("{} {}", text.trim_end(), line.trim_start()),
            _ => lines.push((first_line + j + 1, line.to_string())),
        }
        let text = &mut lines.last_mut().expect("a line was pushed").1;
        continued = text.ends_with('\\');
        if continued {
            text.pop();
        }
    }
    lines
}

/// The commands of a console block, each with the output shown under it.
fn session(block: &[&str], first_line: usize) -> Vec<Step> {
    let mut commands: Vec<Step> = Vec::new();
    for (line, text) in joined(block, first_line) {
        if let Some(command_text) = text.strip_prefix("$ ") {
            commands.push(command(line, command_text, Some(Vec::new())));
        } else if let Some(last) = commands.last_mut() {
            last.expected.as_mut().expect("console commands show output").push(text);
        }
    }
    commands
}

/// The commands of a sh block that uses the program: every line but comments and `cargo`
/// commands (`cargo install`, `cargo test`: the README's set-up, not examples) other than
/// `cargo run --release --`. A block that does not use it is not an example.
fn script(block: &[&str], first_line: usize) -> Vec<Step> {
    let runs_it = |l: &str| l.starts_with("cargo run --release --") || l.contains("lamport-sim ");
    let lines = joined(block, first_line);
    if !lines.iter().any(|(_, l)| runs_it(l)) {
        return Vec::new();
    }
    lines
        .iter()
        .filter(|(_, l)| !l.trim().is_empty() && !l.starts_with('#'))
        .filter(|(_, l)| !l.starts_with("cargo ") || l.starts_with("cargo run --release --"))
        .map(|(line, l)| command(*line, l, None))
        .collect()
}

/// A command as written: the exit code its comment names (`# exit 1`, or a comment ending
/// `(exit 1)`), `cargo run --release --` made the binary.
fn command(line: usize, written: &str, expected: Option<Vec<String>>) -> Step {
    let exit = written
        .rsplit_once('#')
        .and_then(|(_, comment)| {
            let comment = comment.trim();
            let code = comment.strip_prefix("exit ");
            let code = code.or_else(|| comment.strip_suffix(')')?.rsplit_once("(exit ").map(|(_, n)| n));
            code?.trim().parse().ok()
        })
        .unwrap_or(0);
    let text = written.replace("cargo run --release --", "target/release/lamport-sim");
    Step { line, text, expected, exit }
}

/// Whether `actual` matches the `shown` lines, with `...` lines and `[..]` wildcards.
fn matches(shown: &[String], actual: &[&str]) -> bool {
    match shown.split_first() {
        None => actual.is_empty(),
        Some((first, rest)) if first == "..." => (0..=actual.len()).any(|skip| matches(rest, &actual[skip..])),
        Some((first, rest)) => {
            actual.split_first().is_some_and(|(a, more)| line_matches(first, a) && matches(rest, more))
        }
    }
}

/// Whether one line matches a shown line whose `[..]` stand for any text.
fn line_matches(shown: &str, actual: &str) -> bool {
    let pieces: Vec<&str> = shown.split("[..]").collect();
    if pieces.len() == 1 {
        return shown == actual;
    }
    let (first, last) = (pieces[0], pieces[pieces.len() - 1]);
    if !actual.starts_with(first) || !actual[first.len()..].ends_with(last) {
        return false;
    }
    let mut rest = &actual[first.len()..actual.len() - last.len()];
    for piece in &pieces[1..pieces.len() - 1] {
        match rest.find(piece) {
            Some(at) => rest = &rest[at + piece.len()..],
            None => return false,
        }
    }
    true
}

/// A fresh folder for one doc: `scenarios/`, and `lamport-sim` on the PATH and at
/// `target/release/lamport-sim`.
fn workspace() -> (tempfile::TempDir, String) {
    let tmp = tempfile::tempdir().expect("temp dir");
    let binary = PathBuf::from(env!("CARGO_BIN_EXE_lamport-sim"));
    let bin = tmp.path().join("target/release");
    std::fs::create_dir_all(&bin).expect("target/release");
    std::os::unix::fs::symlink(&binary, bin.join("lamport-sim")).expect("link");
    let copied = Command::new("cp").arg("-R").arg(repo().join("scenarios")).arg(tmp.path()).status();
    assert!(copied.is_ok_and(|s| s.success()), "scenarios/ copied");
    let path = format!("{}:{}", bin.display(), std::env::var("PATH").unwrap_or_default());
    (tmp, path)
}

#[test]
fn every_documented_example_runs_as_shown() {
    let mut failures = Vec::new();
    let mut not_run = Vec::new();
    let mut ran = 0;
    for path in doc_files() {
        let (tmp, search_path) = workspace();
        for example in examples(&path) {
            if let Some(why) = &example.not_run {
                not_run.push((format!("{}: {}", example.file, example.commands[0].text), why.clone()));
                continue;
            }
            for c in &example.commands {
                ran += 1;
                let out = Command::new("sh")
                    .args(["-c", &c.text])
                    .current_dir(tmp.path())
                    .env("PATH", &search_path)
                    .env("HOME", tmp.path())
                    .output()
                    .expect("sh runs");
                let stdout = String::from_utf8_lossy(&out.stdout);
                let code = out.status.code().unwrap_or(-1);
                let where_ = format!("{}:{}: {}", example.file, c.line, c.text);
                if code != c.exit {
                    failures.push(format!(
                        "{where_}\n  exit {code}, the docs say {}\n  stderr: {}",
                        c.exit,
                        String::from_utf8_lossy(&out.stderr)
                    ));
                    continue;
                }
                if let Some(shown) = &c.expected {
                    // A command that fails with nothing on stdout is shown by its error.
                    let stderr = String::from_utf8_lossy(&out.stderr);
                    let printed = if code != 0 && stdout.is_empty() { &stderr } else { &stdout };
                    let actual: Vec<&str> = printed.lines().collect();
                    if !matches(shown, &actual) {
                        failures.push(format!(
                            "{where_}\n  the docs show:\n{}\n  it printed:\n{}",
                            shown.join("\n"),
                            printed.trim_end()
                        ));
                    }
                }
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {ran} documented commands differ:\n\n{}",
        failures.len(),
        failures.join("\n\n")
    );
    let listed: Vec<(String, String)> = NOT_RUN.iter().map(|(a, b)| (a.to_string(), b.to_string())).collect();
    assert_eq!(not_run, listed, "the examples marked `<!-- not run: why -->` are the ones NOT_RUN lists");
    assert!(ran > 20, "the docs' examples were found ({ran} commands)");
}

#[test]
fn the_output_matcher_elides_lines_and_text() {
    let shown = |s: &str| s.lines().map(str::to_string).collect::<Vec<_>>();
    assert!(matches(&shown("a\n...\nd"), &["a", "b", "c", "d"]));
    assert!(matches(&shown("a\n...\nd"), &["a", "d"]));
    assert!(!matches(&shown("a\n...\nd"), &["a", "b"]));
    assert!(!matches(&shown("a\nb"), &["a", "b", "c"]));
    assert!(line_matches("run: runs/[..]-seed42 ([..])", "run: runs/20261208-101500-seed42 (logs)"));
    assert!(!line_matches("run: runs/[..]-seed42", "run: runs/20261208-seed7"));
    assert!(line_matches("[..]", ""));
    assert!(!line_matches("ab[..]ba", "aba"), "the two ends may not overlap");
}
