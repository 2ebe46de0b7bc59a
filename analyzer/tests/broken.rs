//! fixtures/broken/: damaged snapshots (made by scripts/make-broken.py), each
//! with what the CLI must print: netstat's output for the data that can be
//! read (recorded with the real netstat), netsnap's diagnostics (written by
//! hand in the script), and the exit status.

use std::path::PathBuf;
use std::process::Command;

fn dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../fixtures/broken")
}

fn strs(v: &serde_json::Value) -> Vec<String> {
    v.as_array()
        .map(|a| {
            a.iter()
                .filter_map(|s| s.as_str().map(String::from))
                .collect()
        })
        .unwrap_or_default()
}

#[test]
fn broken_snapshots_on_the_cli() {
    let cases: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir().join("cases.json")).unwrap()).unwrap();
    let cases = cases.as_array().unwrap();
    assert!(cases.len() >= 30, "{} cases", cases.len());
    let mut failures = Vec::new();
    for c in cases {
        let name = c["name"].as_str().unwrap();
        let file = dir().join(c["file"].as_str().unwrap());
        let file_arg = file.to_string_lossy().into_owned();
        let args = strs(&c["args"]);
        let (before, flags) = match args.iter().position(|a| a == "netstat") {
            Some(i) => (args[..i].to_vec(), args[i + 1..].to_vec()),
            None => (Vec::new(), args.clone()),
        };
        let got = Command::new(env!("CARGO_BIN_EXE_netsnap"))
            .args(&before)
            .arg("netstat")
            .arg(&file_arg)
            .args(&flags)
            .output()
            .unwrap();
        let want_status = c["status"].as_i64().unwrap() as i32;
        let (want_out, want_err) = match c["error"].as_str() {
            Some(e) => (
                Vec::new(),
                format!("netsnap: {file_arg}: {e}\n").into_bytes(),
            ),
            None => {
                let base = dir().join(c["expected"].as_str().unwrap());
                let read = |ext: &str| std::fs::read(base.with_extension(ext)).unwrap();
                let mut err = read("stderr");
                for d in strs(&c["diagnostics"]) {
                    err.extend_from_slice(format!("netsnap: {d}\n").as_bytes());
                }
                (read("stdout"), err)
            }
        };
        let mut why = Vec::new();
        if got.status.code() != Some(want_status) {
            why.push(format!(
                "status {:?}, expected {want_status}",
                got.status.code()
            ));
        }
        if got.stdout != want_out {
            why.push(format!(
                "stdout differs ({} bytes, expected {})",
                got.stdout.len(),
                want_out.len()
            ));
        }
        if got.stderr != want_err {
            why.push(format!(
                "stderr:\n{}expected:\n{}",
                String::from_utf8_lossy(&got.stderr),
                String::from_utf8_lossy(&want_err)
            ));
        }
        if !why.is_empty() {
            failures.push(format!("{name}: {}", why.join("; ")));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} broken snapshots answered wrongly:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
}
