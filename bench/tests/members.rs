//! The collector's gzip members (`netsnap_collector::members`), inflated on several threads by
//! the analyzer, give exactly what the ordinary single-threaded decoder gives: for sound archives
//! and for every kind of damage the fast path must hand over to the ordinary decoder (cut, corrupt,
//! lying headers, foreign members, trailing bytes).

use std::io::Write;

use netsnap::{Limits, netstat_from_reader, netstat_from_reader_par};
use netsnap_bench::{Spec, generate};
use netsnap_collector::members::{HEADER, MEMBER};

const VIEWS: &[&str] = &["-tan", "-tanp", "-xa", "-s"];

/// A snapshot of several members (about 6 MiB of tar).
fn snapshot() -> Vec<u8> {
    generated(&Spec {
        tcp: 30_000,
        unix: 3000,
        procs: 600,
        seed: 11,
    })
}

fn generated(spec: &Spec) -> Vec<u8> {
    let mut buf = Vec::new();
    generate(spec, &mut buf).unwrap_or_else(|e| panic!("generate: {e}"));
    buf
}

/// Where each member starts, and its compressed length.
fn members(gz: &[u8]) -> Vec<(usize, usize)> {
    let mut at = 0;
    let mut out = Vec::new();
    while at + HEADER <= gz.len() {
        let total = u32::from_le_bytes([gz[at + 16], gz[at + 17], gz[at + 18], gz[at + 19]]);
        out.push((at, total as usize));
        at += total as usize;
    }
    out
}

/// Both ways of reading agree on every view (output, status, diagnostics, or the same error).
fn same(input: &[u8], what: &str) {
    netsnap::par::set_threads(2);
    for view in VIEWS {
        let limits = Limits::default();
        let one = netstat_from_reader(input, &[view], &limits);
        let par = netstat_from_reader_par(input, &[view], &limits);
        assert!(
            one == par,
            "{what}, {view}: single-threaded {:?} vs members {:?}",
            one.as_ref()
                .map(|o| (o.stdout.len(), o.status, &o.diagnostics)),
            par.as_ref()
                .map(|o| (o.stdout.len(), o.status, &o.diagnostics))
        );
    }
}

#[test]
fn sound_archive_reads_the_same() {
    let gz = snapshot();
    let m = members(&gz);
    assert!(m.len() >= 6, "{} members", m.len());
    assert_eq!(m.iter().map(|&(_, t)| t).sum::<usize>(), gz.len());
    same(&gz, "sound");
    // And -tan really reads it: the listing has every row.
    let out = netstat_from_reader_par(&gz[..], &["-tan"], &Limits::default())
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(out.stdout.iter().filter(|&&b| b == b'\n').count(), 30_002);
}

#[test]
fn damaged_archives_read_the_same() {
    let gz = snapshot();
    let m = members(&gz);
    let (second, second_len) = m[1];
    let (third, _) = m[2];
    let mut cases: Vec<(String, Vec<u8>)> = Vec::new();
    // Cut: inside the first header, inside the second header, inside its body, at a member
    // boundary, just before the end.
    for cut in [10, second + 5, second + 300, third, gz.len() - 3] {
        cases.push((format!("cut at {cut}"), gz[..cut].to_vec()));
    }
    // A flipped byte in a body (inflate error or CRC mismatch), in a trailer's CRC and length.
    for at in [
        second + 1000,
        second + second_len - 6,
        second + second_len - 2,
    ] {
        let mut g = gz.clone();
        g[at] ^= 0x5a;
        cases.push((format!("flip at {at}"), g));
    }
    // The second header's lengths: compressed length too small, too big, beyond the limit; the
    // inflated length wrong.
    for (field, value) in [
        (16, second_len as u32 - 100),
        (16, second_len as u32 + 100),
        (16, u32::MAX),
        (20, MEMBER as u32 - 1),
        (20, MEMBER as u32 + 1),
    ] {
        let mut g = gz.clone();
        g[second + field..second + field + 4].copy_from_slice(&value.to_le_bytes());
        cases.push((format!("header field {field} = {value}"), g));
    }
    // The second member recompressed as an ordinary gzip member (no length field): the same tar.
    {
        let mut body = Vec::new();
        let raw = &gz[second..second + second_len];
        std::io::Read::read_to_end(&mut flate2::read::GzDecoder::new(raw), &mut body)
            .unwrap_or_else(|e| panic!("{e}"));
        let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::new(6));
        e.write_all(&body).unwrap_or_else(|e| panic!("{e}"));
        let foreign = e.finish().unwrap_or_else(|e| panic!("{e}"));
        let mut g = gz[..second].to_vec();
        g.extend_from_slice(&foreign);
        g.extend_from_slice(&gz[second + second_len..]);
        cases.push(("foreign second member".into(), g));
    }
    // Garbage after the last member, and an empty member in the middle.
    {
        let mut g = gz.clone();
        g.extend_from_slice(b"trailing garbage, not gzip");
        cases.push(("trailing garbage".into(), g));
        let mut w = netsnap_collector::members::Writer::new(Vec::new(), 6);
        w.flush().unwrap_or_else(|e| panic!("{e}"));
        let empty = w.finish().unwrap_or_else(|e| panic!("{e}"));
        let mut g = gz[..third].to_vec();
        g.extend_from_slice(&empty);
        g.extend_from_slice(&gz[third..]);
        cases.push(("empty member".into(), g));
    }
    for (what, input) in &cases {
        same(input, what);
    }
}

/// An archive of more members than the dispatcher first queues ahead (the window grows after 64):
/// sound, and with a member past that point damaged, which hands the rest to the ordinary decoder
/// while the dispatcher may be waiting for room.
#[test]
fn big_archive_reads_the_same() {
    let mut gz = generated(&Spec {
        tcp: 140_000,
        unix: 5000,
        procs: 1000,
        seed: 12,
    });
    let m = members(&gz);
    assert!(m.len() > 70, "{} members", m.len());
    netsnap::par::set_threads(2);
    let limits = Limits::default();
    for view in ["-tanp", "-tan"] {
        let one = netstat_from_reader(&gz[..], &[view], &limits);
        let par = netstat_from_reader_par(&gz[..], &[view], &limits);
        assert!(one == par, "sound, {view}");
    }
    let (at, len) = m[m.len() - 3];
    gz[at + len / 2] ^= 0x5a;
    let one = netstat_from_reader(&gz[..], &["-tanp"], &limits);
    let par = netstat_from_reader_par(&gz[..], &["-tanp"], &limits);
    assert!(one == par, "damaged");
}

/// The decompressed-size limit stops the member path where it stops the ordinary one.
#[test]
fn decompressed_limit_holds() {
    let gz = snapshot();
    netsnap::par::set_threads(2);
    for max in [100_000, MEMBER as u64, 3 * MEMBER as u64 + 1] {
        let limits = Limits {
            max_decompressed: max,
            ..Limits::default()
        };
        let one = netstat_from_reader(&gz[..], &["-tanp"], &limits);
        let par = netstat_from_reader_par(&gz[..], &["-tanp"], &limits);
        assert!(one == par, "limit {max}: {one:?} vs {par:?}");
        assert!(par.is_err(), "limit {max}");
    }
}

/// Members of another size than the ordinary decoder's blocks (`NS` headers all the same): the
/// fast path takes only the last of them, so that the decompressed-size limit still stops where
/// the ordinary decoder's block-by-block check stops (found by the archive fuzz target).
#[test]
fn small_members_meet_the_limit_where_blocks_do() {
    let gz = snapshot();
    let mut tar = Vec::new();
    std::io::Read::read_to_end(&mut flate2::read::MultiGzDecoder::new(&gz[..]), &mut tar)
        .unwrap_or_else(|e| panic!("{e}"));
    let mut small = Vec::new();
    for piece in tar[..200_000].chunks(16 << 10) {
        let mut e = flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::new(6));
        e.write_all(piece).unwrap_or_else(|e| panic!("{e}"));
        let body = e.finish().unwrap_or_else(|e| panic!("{e}"));
        let total = (HEADER + body.len() + 8) as u32;
        small.extend_from_slice(&netsnap_collector::members::header(
            total,
            piece.len() as u32,
        ));
        small.extend_from_slice(&body);
        let mut crc = flate2::Crc::new();
        crc.update(piece);
        small.extend_from_slice(&crc.sum().to_le_bytes());
        small.extend_from_slice(&(piece.len() as u32).to_le_bytes());
    }
    netsnap::par::set_threads(2);
    for max in [16 << 10, 100_000, MEMBER as u64, u64::MAX] {
        let limits = Limits {
            max_decompressed: max,
            max_entry_size: 2 << 10,
            ..Limits::default()
        };
        for view in ["-tanp", "-tan"] {
            let one = netstat_from_reader(&small[..], &[view], &limits);
            let par = netstat_from_reader_par(&small[..], &[view], &limits);
            assert!(one == par, "limit {max}, {view}: {one:?} vs {par:?}");
        }
    }
}
