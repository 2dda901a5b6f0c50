//! Golden tests: the exact bytes of small runs are pinned in tests/golden/. A difference is
//! a reproducibility-breaking change: review the diff, list it in CHANGELOG.md, and
//! regenerate with `UPDATE_GOLDEN=1 cargo test --test integration golden`.

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
        let (want, have) = (String::from_utf8_lossy(bytes), String::from_utf8_lossy(&got[file]));
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

#[test]
fn golden_classic_seed_42() -> TestResult {
    check_golden("classic-seed42", &["run", "scenarios/classic.ron", "--seed", "42"])
}

#[test]
fn golden_small_all_features() -> TestResult {
    check_golden("small", &["run", "tests/golden/small.ron"])
}

#[test]
fn golden_files_exist() {
    for name in ["classic-seed42", "small"] {
        assert!(Path::new(&repo().join("tests/golden").join(name).join("summary.json")).exists(), "{name}");
    }
}
