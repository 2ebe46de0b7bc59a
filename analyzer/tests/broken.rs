//! fixtures/broken/: damaged snapshots (made by scripts/make-broken.py), each
//! with what the CLI must print, through `netsnap netstat` and `netsnap ss`:
//! the tool's output for the data that can be read (recorded with the real
//! netstat and the real ss), netsnap's diagnostics (written by hand in the
//! script), and the exit status. No input may panic or hang.

use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

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

fn cases() -> Vec<serde_json::Value> {
    let cases: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir().join("cases.json")).unwrap()).unwrap();
    let cases = cases.as_array().unwrap().clone();
    assert!(cases.len() >= 30, "{} cases", cases.len());
    cases
}

/// Runs the CLI: `before`, the tool, the file, `flags`; gives up (a hang)
/// after a minute. Returns (status, stdout, stderr).
fn run(
    before: &[String],
    tool: &str,
    file: &str,
    flags: &[String],
) -> (Option<i32>, Vec<u8>, Vec<u8>) {
    let dir = std::env::temp_dir();
    let tag = format!("netsnap-broken-{}-{tool}", std::process::id());
    let (out_path, err_path) = (
        dir.join(format!("{tag}.out")),
        dir.join(format!("{tag}.err")),
    );
    let mut child = Command::new(env!("CARGO_BIN_EXE_netsnap"))
        .args(before)
        .arg(tool)
        .arg(file)
        .args(flags)
        .stdin(Stdio::null())
        .stdout(std::fs::File::create(&out_path).unwrap())
        .stderr(std::fs::File::create(&err_path).unwrap())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(60);
    let status = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("netsnap {tool} {file} {flags:?}: no answer after 60 s");
        }
        std::thread::sleep(Duration::from_millis(10));
    };
    let out = std::fs::read(&out_path).unwrap();
    let err = std::fs::read(&err_path).unwrap();
    let _ = std::fs::remove_file(out_path);
    let _ = std::fs::remove_file(err_path);
    (status.code(), out, err)
}

/// One run checked against its expectation (`c` the case, `e` the entry
/// with `args`, `status`, `diagnostics`, and `expected` or the case's
/// `error`); `Some(why)` when it differs.
fn check(tool: &str, c: &serde_json::Value, e: &serde_json::Value) -> Option<String> {
    let name = c["name"].as_str().unwrap();
    let file = dir().join(c["file"].as_str().unwrap());
    let file_arg = file.to_string_lossy().into_owned();
    let args = strs(&e["args"]);
    let (before, flags) = match args.iter().position(|a| a == tool) {
        Some(i) => (args[..i].to_vec(), args[i + 1..].to_vec()),
        None => (Vec::new(), args.clone()),
    };
    let (status, stdout, stderr) = run(&before, tool, &file_arg, &flags);
    let want_status = e["status"].as_i64().unwrap() as i32;
    let (want_out, want_err) = match c["error"].as_str() {
        Some(err) => (
            Vec::new(),
            format!("netsnap: {file_arg}: {err}\n").into_bytes(),
        ),
        None => {
            let base = dir().join(e["expected"].as_str().unwrap());
            let read = |ext: &str| {
                let mut p = base.clone().into_os_string();
                p.push(format!(".{ext}"));
                std::fs::read(PathBuf::from(p)).unwrap()
            };
            let mut err = read("stderr");
            for d in strs(&e["diagnostics"]) {
                err.extend_from_slice(format!("netsnap: {d}\n").as_bytes());
            }
            (read("stdout"), err)
        }
    };
    let mut why = Vec::new();
    if status != Some(want_status) {
        why.push(format!("status {status:?}, expected {want_status}"));
    }
    if stdout != want_out {
        why.push(format!(
            "stdout differs ({} bytes, expected {})",
            stdout.len(),
            want_out.len()
        ));
    }
    if stderr != want_err {
        why.push(format!(
            "stderr:\n{}expected:\n{}",
            String::from_utf8_lossy(&stderr),
            String::from_utf8_lossy(&want_err)
        ));
    }
    (!why.is_empty()).then(|| format!("{name} ({tool} {flags:?}): {}", why.join("; ")))
}

#[test]
fn broken_snapshots_on_the_cli() {
    let cases = cases();
    let failures: Vec<String> = cases
        .iter()
        .filter_map(|c| check("netstat", c, c))
        .collect();
    assert!(
        failures.is_empty(),
        "{} of {} broken snapshots answered wrongly:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
}

#[test]
fn broken_snapshots_through_ss() {
    let cases = cases();
    let mut runs = 0;
    let mut failures = Vec::new();
    for c in &cases {
        let lines = c["ss"].as_array().map(Vec::as_slice).unwrap_or_default();
        assert!(!lines.is_empty(), "{}: no ss command lines", c["name"]);
        for e in lines {
            runs += 1;
            failures.extend(check("ss", c, e));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {runs} ss runs on broken snapshots answered wrongly:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
