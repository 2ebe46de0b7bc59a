//! ss's table (docs/ss-behaviour.md §3): rows of ten fields, buffered, then printed with column
//! widths measured over everything buffered so far. ss keeps its buffer in 1 MiB chunks of
//! length-prefixed, even-aligned tokens and prints what it holds whenever a row ends with five
//! chunks in use, so on large outputs the widths change from part to part; [`Table`] counts the
//! chunks as ss does, so that those parts (and their widths) are ss's.
//!
//! Also the small text formats of ss's fields: `%-6d` queues, timers, `%g`.

/// Columns, in ss's order.
pub const NETID: usize = 0;
/// The State column.
pub const STATE: usize = 1;
/// Recv-Q.
pub const RECVQ: usize = 2;
/// Send-Q.
pub const SENDQ: usize = 3;
/// Local address (with its trailing delimiter, `:` or a space).
pub const ADDR: usize = 4;
/// Local port.
pub const SERV: usize = 5;
/// Peer address.
pub const RADDR: usize = 6;
/// Peer port.
pub const RSERV: usize = 7;
/// Everything after the peer port (` users:(…)`, ` timer:(…)`, …).
pub const EXT: usize = 8;
/// Number of columns (the last one, after EXT, is always empty).
pub const COLUMNS: usize = 10;

const HEADERS: [&[u8]; COLUMNS] = [
    b"Netid",
    b"State",
    b"Recv-Q",
    b"Send-Q",
    b"Local Address:",
    b"Port",
    b"Peer Address:",
    b"Port",
    b"Process",
    b"",
];
/// Each column's left delimiter.
const DELIMS: [usize; COLUMNS] = [0, 1, 1, 1, 1, 0, 1, 0, 0, 0];
/// Right-aligned columns.
const RIGHT: [bool; COLUMNS] = [
    false, false, false, false, true, false, true, false, false, false,
];

/// Bytes of one chunk that hold tokens (1 MiB less the chunk's two pointers).
const CHUNK_DATA: usize = (1 << 20) - 16;
/// ss prints what it holds when a row ends with this many chunks in use.
const CHUNKS_MAX: usize = 5;
/// A token's length is a 16-bit number.
const TOKEN_MAX: usize = u16::MAX as usize;

/// One buffered field.
#[derive(Clone, Copy)]
struct Token {
    col: u8,
    start: u32,
    len: u32,
}

/// ss's output table.
pub struct Table {
    enabled: [bool; COLUMNS],
    /// Widest field seen per column (never reset, as in ss).
    max_len: [usize; COLUMNS],
    /// Field bytes of the buffered rows.
    text: Vec<u8>,
    tokens: Vec<Token>,
    /// Where the next token's length descriptor goes in the current chunk.
    pos: usize,
    /// Chunks in use (0 before the first token).
    chunks: usize,
    /// Whether a row (or the header) is buffered and its last field not yet closed.
    open: bool,
}

impl Table {
    /// A table with the Netid and State columns shown or not.
    pub fn new(netid: bool, state: bool) -> Table {
        let mut enabled = [true; COLUMNS];
        enabled[NETID] = netid;
        enabled[STATE] = state;
        Table {
            enabled,
            max_len: [0; COLUMNS],
            text: Vec::new(),
            tokens: Vec::new(),
            pos: 0,
            chunks: 0,
            open: false,
        }
    }

    /// Whether a column is shown.
    pub fn enabled(&self, col: usize) -> bool {
        self.enabled.get(col).copied().unwrap_or(false)
    }

    /// Buffers one field of `len` bytes from `self.text[start..]`, placing its token as ss does.
    fn token(&mut self, col: usize, start: usize) {
        let mut len = self.text.len() - start;
        if self.chunks == 0 {
            self.chunks = 1;
            self.pos = 0;
        }
        // The token's data starts after its 2-byte length; content must fit with room to spare
        // (vsnprintf's NUL), unless the token is the first of its chunk (then it is cut).
        let avail = CHUNK_DATA - (self.pos + 2);
        if len > 0 && len >= avail && self.pos != 0 {
            self.chunks += 1;
            self.pos = 0;
        }
        if self.pos == 0 {
            len = len.min(CHUNK_DATA - 2);
        }
        len = len.min(TOKEN_MAX);
        self.text.truncate(start + len);
        self.tokens.push(Token {
            col: col as u8,
            start: start as u32,
            len: len as u32,
        });
    }

    /// Closes the current token (ss's `field_flush`): its length counts for its column's width
    /// (a token still open when the table is printed does not), and the next one starts after it,
    /// even-aligned, or in a new chunk when its length descriptor would not fit.
    fn flush(&mut self) {
        let Some(t) = self.tokens.last() else {
            return;
        };
        let len = t.len as usize;
        let col = t.col as usize;
        self.max_len[col] = self.max_len[col].max(len);
        let end = self.pos + 2 + len;
        let pad = len % 2;
        let avail = CHUNK_DATA.saturating_sub(end);
        if avail.wrapping_sub(pad) < 2 {
            self.chunks += 1;
            self.pos = 0;
        } else {
            self.pos = end + pad;
        }
    }

    /// Starts a row (or the header), as ss moves on from the previous one: the previous row's
    /// EXT field is closed, its (empty) last field opened, and then either closed or, when five
    /// chunks are in use, everything buffered is printed.
    fn start_row(&mut self, out: &mut Vec<u8>) {
        if !self.open {
            self.open = true;
            return;
        }
        if self.tokens.last().map(|t| t.col as usize) == Some(EXT) {
            self.flush();
            let start = self.text.len();
            self.token(COLUMNS - 1, start);
        }
        if self.chunks >= CHUNKS_MAX {
            self.render(out);
        } else {
            self.flush();
        }
        self.open = true;
    }

    /// Buffers the header row (its last, empty field stays open).
    pub fn header(&mut self, out: &mut Vec<u8>) {
        self.start_row(out);
        for (col, h) in HEADERS.iter().enumerate() {
            if !self.enabled[col] {
                continue;
            }
            let start = self.text.len();
            self.text.extend_from_slice(h);
            self.token(col, start);
            if col + 1 < COLUMNS {
                self.flush();
            }
        }
    }

    /// Buffers one row: the fields of columns 0 to 8 (those of disabled columns are ignored);
    /// `fields(col, buf)` appends column `col`'s text to `buf`. The EXT field stays open until
    /// the next row starts, as in ss (so the last row's does not count for the width).
    pub fn row(&mut self, out: &mut Vec<u8>, mut fields: impl FnMut(usize, &mut Vec<u8>)) {
        self.start_row(out);
        for col in 0..=EXT {
            if !self.enabled[col] {
                continue;
            }
            let start = self.text.len();
            fields(col, &mut self.text);
            self.token(col, start);
            if col < EXT {
                self.flush();
            }
        }
    }

    /// Prints everything buffered with the widths measured so far and empties the buffer
    /// (ss's `render`).
    pub fn render(&mut self, out: &mut Vec<u8>) {
        if self.tokens.is_empty() {
            self.open = false;
            self.chunks = 0;
            return;
        }
        let mut width = [0usize; COLUMNS];
        let mut first = true;
        for col in 0..COLUMNS {
            if !self.enabled[col] {
                continue;
            }
            width[col] = if !first && self.max_len[col] > 0 {
                self.max_len[col] + DELIMS[col]
            } else {
                self.max_len[col]
            };
            if width[col] > 0 {
                first = false;
            }
        }
        // The first column printed on a line is the first with a width; later columns are
        // taken in order whatever their width, skipping only disabled ones.
        let mut line_started = false;
        for t in &self.tokens {
            let col = t.col as usize;
            let data = self
                .text
                .get(t.start as usize..(t.start + t.len) as usize)
                .unwrap_or(&[]);
            let mut printed = 0;
            if line_started {
                printed = DELIMS[col];
                out.extend(std::iter::repeat_n(b' ', DELIMS[col]));
            }
            if width[col] > 0 && RIGHT[col] {
                let s = width[col] as isize - data.len() as isize - printed as isize;
                if s > 0 {
                    out.extend(std::iter::repeat_n(b' ', s as usize));
                    printed += s as usize;
                }
            }
            out.extend_from_slice(data);
            printed += data.len();
            if width[col] > 0 && !RIGHT[col] && width[col] > printed {
                out.extend(std::iter::repeat_n(b' ', width[col] - printed));
            }
            line_started = true;
            if col == COLUMNS - 1 {
                out.push(b'\n');
                line_started = false;
            }
        }
        if line_started {
            out.push(b'\n');
        }
        self.text.clear();
        self.tokens.clear();
        self.chunks = 0;
        self.pos = 0;
        self.open = false;
    }
}

/// `%-6d`.
pub fn queue(out: &mut Vec<u8>, n: i64) {
    let start = out.len();
    super::write_i64(out, n);
    while out.len() - start < 6 {
        out.push(b' ');
    }
}

/// ss's `print_ms_timer`: `1min23sec`, `59sec`, `1.990ms`, `580ms`, `10min`, or nothing for 0.
pub fn ms_timer(out: &mut Vec<u8>, timeout: u32) {
    let mut secs = timeout / 1000;
    let minutes = secs / 60;
    secs %= 60;
    let mut msecs = timeout % 1000;
    if minutes > 0 {
        msecs = 0;
        super::write_u64(out, u64::from(minutes));
        out.extend_from_slice(b"min");
        if minutes > 9 {
            secs = 0;
        }
    }
    if secs > 0 {
        if secs > 9 {
            msecs = 0;
        }
        super::write_u64(out, u64::from(secs));
        out.extend_from_slice(if msecs > 0 { b"." } else { b"sec" });
    }
    if msecs > 0 {
        out.extend_from_slice(format!("{msecs:03}ms").as_bytes());
    }
}

/// C's `%g` for a finite double: six significant digits, trailing zeros dropped, exponent form
/// below 1e-4 and from 1e6 on.
pub fn g(out: &mut Vec<u8>, v: f64) {
    if v == 0.0 {
        out.push(b'0');
        return;
    }
    if !v.is_finite() {
        out.extend_from_slice(if v.is_nan() {
            b"nan".as_slice()
        } else if v > 0.0 {
            b"inf"
        } else {
            b"-inf"
        });
        return;
    }
    // The exponent as %e with 5 decimals would print it (rounding may carry into it).
    let e_form = format!("{:.5e}", v);
    let (mantissa, exp) = e_form.split_once('e').unwrap_or((&e_form, "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    if (-4..6).contains(&exp) {
        let decimals = (5 - exp).max(0) as usize;
        let text = format!("{:.*}", decimals, v);
        out.extend_from_slice(trim_zeros(&text).as_bytes());
    } else {
        out.extend_from_slice(trim_zeros(mantissa).as_bytes());
        out.push(b'e');
        out.push(if exp < 0 { b'-' } else { b'+' });
        out.extend_from_slice(format!("{:02}", exp.unsigned_abs()).as_bytes());
    }
}

fn trim_zeros(s: &str) -> &str {
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.')
    } else {
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(f: impl Fn(&mut Vec<u8>)) -> String {
        let mut v = Vec::new();
        f(&mut v);
        String::from_utf8_lossy(&v).into_owned()
    }

    #[test]
    fn timers_as_ss_prints_them() {
        for (ms, want) in [
            (0, ""),
            (580, "580ms"),
            (1990, "1.990ms"),
            (28_000, "28sec"),
            (59_000, "59sec"),
            (598_000, "9min58sec"),
            (600_000, "10min"),
            (61_001, "1min1sec"),
            (12_345, "12sec"),
            (5_005, "5.005ms"),
        ] {
            assert_eq!(text(|o| ms_timer(o, ms)), want, "{ms}");
        }
    }

    #[test]
    fn g_as_printf() {
        for (v, want) in [
            (0.2, "0.2"),
            (0.04, "0.04"),
            (0.21, "0.21"),
            (1.0, "1"),
            (3.0, "3"),
            (120.0, "120"),
            (1234567.0, "1.23457e+06"),
            (0.00001, "1e-05"),
            (0.0001, "0.0001"),
            (999999.5, "1e+06"),
            (100000.0, "100000"),
            (-2.5, "-2.5"),
            (1.0 / 3.0, "0.333333"),
        ] {
            assert_eq!(text(|o| g(o, v)), want, "{v}");
        }
    }

    #[test]
    fn queues_are_left_justified_in_six() {
        assert_eq!(text(|o| queue(o, 0)), "0     ");
        assert_eq!(text(|o| queue(o, 713_864)), "713864");
        assert_eq!(text(|o| queue(o, -1)), "-1    ");
    }

    /// The header and two rows: widths from the widest field, right-aligned addresses, the
    /// last row's EXT column padded, no delimiter before Port and Process.
    #[test]
    fn small_table() {
        let mut out = Vec::new();
        let mut t = Table::new(false, true);
        t.header(&mut out);
        let rows: [[&[u8]; 9]; 2] = [
            [
                b"",
                b"LISTEN",
                b"0     ",
                b"0     ",
                b"0.0.0.0:",
                b"22",
                b"0.0.0.0:",
                b"*",
                b"",
            ],
            [
                b"",
                b"ESTAB",
                b"0     ",
                b"0     ",
                b"10.0.0.1:",
                b"22",
                b"10.0.0.2:",
                b"40002",
                b"",
            ],
        ];
        for r in rows {
            t.row(&mut out, |c, b| b.extend_from_slice(r[c]));
        }
        t.render(&mut out);
        // As the recorded server `-tan` (`10.77.0.2:40002` then 7 spaces under `Process`).
        let want = "State  Recv-Q Send-Q Local Address:Port Peer Address:Port Process\n\
                    LISTEN 0      0            0.0.0.0:22        0.0.0.0:*           \n\
                    ESTAB  0      0           10.0.0.1:22       10.0.0.2:40002       \n";
        assert_eq!(String::from_utf8_lossy(&out), want);
    }
}
