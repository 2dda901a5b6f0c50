//! Golden tests: the exact bytes of small runs are pinned in tests/golden/. A difference is
//! a reproducibility-breaking change: review the diff, list it in CHANGELOG.md, and
//! regenerate with `UPDATE_GOLDEN=1 cargo test --test integration golden`.
//!
//! The one thing compared loosely is the lamport-sim version the files name (in
//! `scenario.ron`'s comment and `summary.json`'s `lamport_sim_version`): a new version with
//! the same output is not a reproducibility break, so both sides read `<version>` there.

use std::path::Path;

use crate::util::{dir_bytes, lamport_sim, repo, TestResult};

fn check_golden(name: &str, args: &[&str]) -> TestResult {
    let tmp = tempfile::tempdir()?;
    let out = tmp.path().join("run");
    lamport_sim(&repo()).args(args).arg("--out").arg(&out).assert().success();
    let expected_dir = repo().join("tests/golden").join(name);
    let got = dir_bytes(&out);
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        let _ = std::fs::remove_dir_all(&expected_dir);
        std::fs::create_dir_all(&expected_dir)?;
        for (file, bytes) in &got {
            std::fs::write(expected_dir.join(file), bytes)?;
        }
        return Ok(());
    }
    let expected = dir_bytes(&expected_dir);
    assert_eq!(got.keys().collect::<Vec<_>>(), expected.keys().collect::<Vec<_>>(), "golden {name}: file names");
    for (file, bytes) in &expected {
        let (want, have) =
            (without_version(&String::from_utf8_lossy(bytes)), without_version(&String::from_utf8_lossy(&got[file])));
        if want != have {
            let line = want
                .lines()
                .zip(have.lines())
                .position(|(a, b)| a != b)
                .unwrap_or(want.lines().count().min(have.lines().count()));
            panic!(
                "golden {name}/{file} differs first at line {}:\n expected: {}\n      got: {}\n(if intended: UPDATE_GOLDEN=1, and note it in CHANGELOG.md)",
                line + 1,
                want.lines().nth(line).unwrap_or("<end of file>"),
                have.lines().nth(line).unwrap_or("<end of file>")
            );
        }
    }
    Ok(())
}

/// `text` with the version after `lamport-sim ` and in `"lamport_sim_version": "..."`
/// replaced by `<version>`.
fn without_version(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = ["lamport-sim ", "\"lamport_sim_version\": \""]
        .iter()
        .filter_map(|marker| rest.find(marker).map(|i| i + marker.len()))
        .min()
    {
        out.push_str(&rest[..at]);
        rest = &rest[at..];
        let version_len = rest.find(|c: char| !(c.is_ascii_digit() || c == '.')).unwrap_or(rest.len());
        if version_len > 0 {
            out.push_str("<version>");
        }
        rest = &rest[version_len..];
    }
    out.push_str(rest);
    out
}

#[test]
fn the_version_is_the_only_thing_redacted() {
    assert_eq!(
        without_version(
            "// written by lamport-sim 0.2.0: x\n  \"lamport_sim_version\": \"10.1.0\",\nlamport-sim replay"
        ),
        "// written by lamport-sim <version>: x\n  \"lamport_sim_version\": \"<version>\",\nlamport-sim replay"
    );
}

#[test]
fn golden_classic_seed_42() -> TestResult {
    check_golden("classic-seed42", &["run", "scenarios/classic.ron", "--seed", "42"])
}

#[test]
fn golden_small_all_features() -> TestResult {
    check_golden("small", &["run", "tests/golden/small.ron"])
}

/// An exponential network delay and every non-default semantics (see the scenario's
/// comment): the bytes the other two golden runs leave unpinned.
#[test]
fn golden_delay_semantics() -> TestResult {
    check_golden("delay-semantics", &["run", "tests/golden/delay-semantics.ron"])
}

#[test]
fn golden_files_exist() {
    for name in ["classic-seed42", "small", "delay-semantics"] {
        assert!(Path::new(&repo().join("tests/golden").join(name).join("summary.json")).exists(), "{name}");
    }
}
