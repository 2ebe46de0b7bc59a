//! The CLI writes big tables as it renders them (render::set_spill), on one
//! thread or several: its output must be the library's, byte for byte.

use std::io::Write;
use std::process::Command;

const ROWS: usize = 120_000;

/// A snapshot with ROWS tcp rows (every fifth listening), a few tcp6 rows,
/// and processes holding most sockets.
fn snapshot() -> Vec<u8> {
    let mut tcp = String::from(
        "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n",
    );
    for i in 0..ROWS {
        let state = if i % 5 == 0 { 0x0A } else { 0x01 };
        let rport = if state == 0x0A { 0 } else { 40000 + i % 20000 };
        tcp.push_str(&format!(
            "{i:4}: {:08X}:{:04X} 0100007F:{rport:04X} {state:02X} {:08X}:{:08X} 00:00000000 00000000  1000        0 {} 1 0000000000000000 20 4 30 10 -1\n",
            0x0100_007F_u32 + ((i as u32 % 200) << 16),
            1024 + i % 50000,
            i % 7,
            i % 3,
            100_000 + i,
        ));
    }
    let tcp6 = "  sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n   0: 00000000000000000000000001000000:0016 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 99 1 0000000000000000 100 0 0 10 0\n";
    let mut b = tar::Builder::new(Vec::new());
    let file = |b: &mut tar::Builder<Vec<u8>>, path: &str, data: &[u8]| {
        let mut h = tar::Header::new_gnu();
        h.set_size(data.len() as u64);
        h.set_mode(0o644);
        h.set_cksum();
        b.append_data(&mut h, path, data).unwrap();
    };
    file(&mut b, "proc/net/tcp", tcp.as_bytes());
    file(&mut b, "proc/net/tcp6", tcp6.as_bytes());
    for pid in 1..=40u32 {
        file(
            &mut b,
            &format!("proc/{pid}/cmdline"),
            format!("/usr/bin/app{pid}\0-x\0").as_bytes(),
        );
        for fd in 0..2_500u32 {
            let inode = 100_000 + (pid - 1) * 2_500 + fd;
            let mut h = tar::Header::new_gnu();
            h.set_entry_type(tar::EntryType::Symlink);
            h.set_size(0);
            h.set_mode(0o777);
            b.append_link(
                &mut h,
                format!("proc/{pid}/fd/{fd}"),
                format!("socket:[{inode}]"),
            )
            .unwrap();
        }
    }
    let tar = b.into_inner().unwrap();
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    gz.write_all(&tar).unwrap();
    gz.finish().unwrap()
}

#[test]
fn cli_output_is_the_librarys_on_big_tables() {
    let bytes = snapshot();
    let dir = std::env::temp_dir().join(format!("netsnap-cli-big-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("snap.tar.gz");
    std::fs::write(&file, &bytes).unwrap();
    for flags in [&["-tan"][..], &["-tanp"], &["-tanpeo"], &["-tl"], &["-tn"]] {
        let want =
            netsnap::netstat_from_reader(&bytes[..], flags, &netsnap::Limits::default()).unwrap();
        assert!(want.stdout.len() > 1_000_000);
        for threads in ["1", "2", "3"] {
            let got = Command::new(env!("CARGO_BIN_EXE_netsnap"))
                .arg("netstat")
                .arg(&file)
                .args(flags)
                .env("NETSNAP_THREADS", threads)
                .output()
                .unwrap();
            assert!(
                got.stdout == want.stdout,
                "netstat {flags:?} on {threads} threads: stdout differs"
            );
            assert_eq!(got.stderr, want.stderr, "netstat {flags:?}");
            assert_eq!(got.status.code(), Some(want.status));
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
}
