//! The embeddable JavaScript API (wasm-bindgen exports).
//!
//! ```js
//! import init, { Snapshot, version } from "./pkg/netsnap_web.js";
//! await init();
//! const snap = Snapshot.open(bytes, (n) => console.log(n, "bytes read"));
//! const { text, status } = snap.run("netstat -tanp");
//! const ss = snap.run("ss -tanp"); // what iproute2 ss 6.1 printed
//! ```
//!
//! - [`Snapshot::open`] reads a snapshot (gzip or plain tar) from a
//!   `Uint8Array`, with an optional progress callback; bad input throws an
//!   `Error` whose message says why (`not a snapshot: …`, `damaged archive:
//!   …`, `snapshot too large: …`).
//! - [`Snapshot::run`] runs a `netstat` or `ss` command line and returns
//!   `{stdout, stderr, status, text, diagnostics}`, byte for byte what
//!   netstat 2.10 or ss 6.1 printed.
//! - [`run_once`] (`runOnce`): one command on snapshot bytes, reading only
//!   what the view needs.
//!
//! Memory: `Snapshot.open` keeps the parsed model (about 100 MB for a
//! million sockets), which every netstat view reads. ss views read the
//! socket files raw instead (about 160 MB more for a million sockets), so
//! the `Snapshot` keeps a reference to the caller's bytes (the same
//! `ArrayBuffer`, not a copy) and the first `ss` command reads them again
//! into a second, raw snapshot, kept for later `ss` commands (loaded
//! without processes while no `ss` command needs them, e.g. `ss -tan`,
//! and once more with them when one does, e.g. `ss -tanp` or `ss -ta`).
//! A snapshot that only ever runs netstat never pays for it. The bytes
//! must therefore stay as they were: a buffer transferred away (detached)
//! since makes `ss` commands throw; one modified in place is misread.
//! - [`Snapshot::model_json`], [`Snapshot::overview_json`] and
//!   [`Snapshot::query`] give the model, a summary and the connections
//!   table as JSON text.
//!
//! The same functions in plain Rust are in [`session::Session`]; nothing in
//! this module panics on any input.

pub mod cmdline;
pub mod query;
pub mod session;

use js_sys::{ArrayBuffer, Function, Object, Reflect, Uint8Array};
use wasm_bindgen::prelude::*;

use session::Session;

#[wasm_bindgen(typescript_custom_section)]
const TS_TYPES: &'static str = r#"
/** What `Snapshot.run` and `runOnce` return: what netstat or ss printed, and its exit status. */
export interface RunResult {
  /** Standard output, byte for byte. */
  stdout: Uint8Array;
  /** Standard error, byte for byte. */
  stderr: Uint8Array;
  /** Exit status. */
  status: number;
  /** Standard output decoded as UTF-8 (invalid bytes become U+FFFD); made when first read
   * (a getter), since decoding tens of megabytes costs as much as a third of the run. */
  readonly text: string;
  /** What netsnap found damaged in the snapshot (`file:line: message`);
   * empty for a sound one. The CLI prints each as `netsnap: …` on stderr. */
  diagnostics: string[];
}
"#;

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_namespace = console, js_name = error)]
    fn console_error(message: &str);

    /// The platform's UTF-8 decoder (browsers, workers, Node): its strings stay on the JS side.
    type TextDecoder;
    #[wasm_bindgen(constructor, catch)]
    fn new() -> Result<TextDecoder, JsValue>;
    #[wasm_bindgen(method, catch)]
    fn decode(this: &TextDecoder, bytes: &Uint8Array) -> Result<JsValue, JsValue>;
}

/// Sends a panic's message to `console.error` before the module traps
/// (none is expected: the API reports every problem as an `Error`).
fn install_panic_hook() {
    #[cfg(target_arch = "wasm32")]
    {
        static ONCE: std::sync::Once = std::sync::Once::new();
        ONCE.call_once(|| {
            std::panic::set_hook(Box::new(|info| {
                console_error(&format!("netsnap: internal error: {info}"));
            }));
        });
    }
}

/// netsnap's version (the workspace version, e.g. `0.1.0`).
#[wasm_bindgen]
pub fn version() -> String {
    env!("CARGO_PKG_VERSION").to_string()
}

/// Reads a JavaScript `Uint8Array` in pieces, without copying it whole
/// into the module's memory.
struct JsBytes {
    array: Uint8Array,
    pos: u32,
    len: u32,
}

impl std::io::Read for JsBytes {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let want = buf.len().min(1 << 20) as u32;
        let n = want.min(self.len - self.pos);
        if n == 0 {
            return Ok(0);
        }
        let Some(dst) = buf.get_mut(..n as usize) else {
            return Ok(0);
        };
        self.array.subarray(self.pos, self.pos + n).copy_to(dst);
        self.pos += n;
        Ok(n as usize)
    }
}

/// A `Uint8Array` over the bytes of a typed array, a `DataView` or an
/// `ArrayBuffer` (no copy).
fn byte_view(bytes: &JsValue) -> Result<Uint8Array, JsValue> {
    if let Some(a) = bytes.dyn_ref::<Uint8Array>() {
        return Ok(a.clone());
    }
    if ArrayBuffer::is_view(bytes) {
        let get = |k: &str| Reflect::get(bytes, &JsValue::from_str(k)).unwrap_or_default();
        let offset = get("byteOffset").as_f64().unwrap_or(0.0) as u32;
        let length = get("byteLength").as_f64().unwrap_or(0.0) as u32;
        return Ok(Uint8Array::new_with_byte_offset_and_length(
            &get("buffer"),
            offset,
            length,
        ));
    }
    if bytes.is_instance_of::<ArrayBuffer>() {
        return Ok(Uint8Array::new(bytes));
    }
    Err(JsError::new(&format!(
        "Snapshot.open: expected the snapshot's bytes as a Uint8Array or an ArrayBuffer, got {}",
        bytes.js_typeof().as_string().unwrap_or_default()
    ))
    .into())
}

/// A reader over the bytes of a `Uint8Array`, read in pieces (not copied
/// whole).
fn array_input(array: Uint8Array) -> std::io::BufReader<JsBytes> {
    std::io::BufReader::with_capacity(
        64 << 10,
        JsBytes {
            len: array.length(),
            array,
            pos: 0,
        },
    )
}

/// Where `ss` commands read a snapshot's bytes again: the caller's array,
/// kept by reference (not copied). A buffer detached or resized since
/// (transferred to another worker, say) is refused rather than misread.
fn array_source(array: Uint8Array) -> session::Source {
    let len = array.length();
    Box::new(move || {
        if array.length() != len {
            return Err(format!(
                "the snapshot's bytes changed since Snapshot.open ({len} bytes then, {} now: \
                 was the buffer transferred?); ss commands read them again, so open it again",
                array.length()
            ));
        }
        Ok(Box::new(array_input(array.clone())) as Box<dyn std::io::Read>)
    })
}

/// A JS copy of `bytes`, made by `TypedArray.prototype.set` into a new array: `Uint8Array::from`
/// (the typed-array constructor over a view of the wasm memory) took 220 ms for 80 MB in V8,
/// `set` copies at memory speed.
fn js_bytes(bytes: &[u8]) -> Uint8Array {
    let len = u32::try_from(bytes.len()).unwrap_or(u32::MAX);
    let arr = Uint8Array::new_with_length(len);
    arr.copy_from(bytes.get(..len as usize).unwrap_or(bytes));
    arr
}

/// Defines `text` on `obj`: `stdout` decoded as UTF-8 when first read, then kept.
fn lazy_text(obj: &Object, stdout: Uint8Array) -> Result<bool, JsValue> {
    let made = std::cell::RefCell::new(None::<JsValue>);
    let get = Closure::<dyn Fn() -> Result<JsValue, JsValue>>::new(move || {
        if let Some(text) = made.borrow().as_ref() {
            return Ok(text.clone());
        }
        let text = TextDecoder::new()?.decode(&stdout)?;
        *made.borrow_mut() = Some(text.clone());
        Ok(text)
    });
    let desc = Object::new();
    Reflect::set(&desc, &JsValue::from_str("get"), &get.into_js_value())?;
    Reflect::set(&desc, &JsValue::from_str("enumerable"), &JsValue::TRUE)?;
    Reflect::set(&desc, &JsValue::from_str("configurable"), &JsValue::TRUE)?;
    Object::define_property(obj, &JsValue::from_str("text"), &desc);
    Ok(true)
}

/// The `RunResult` object of an output.
fn run_result(out: &netsnap::Output) -> Result<JsValue, JsError> {
    let obj = Object::new();
    let set = |k: &str, v: &JsValue| Reflect::set(&obj, &JsValue::from_str(k), v);
    let stdout = js_bytes(&out.stdout);
    set("stdout", &stdout.clone().into())
        .and_then(|_| set("stderr", &js_bytes(&out.stderr).into()))
        .and_then(|_| set("status", &JsValue::from_f64(f64::from(out.status))))
        .and_then(|_| lazy_text(&obj, stdout))
        .and_then(|_| {
            let diags = js_sys::Array::new();
            for d in &out.diagnostics {
                diags.push(&JsValue::from_str(&d.to_string()));
            }
            set("diagnostics", &diags.into())
        })
        .map_err(|_| JsError::new("cannot build the result object"))?;
    Ok(obj.into())
}

/// Runs one command line that starts with `netstat` or `ss` on a snapshot
/// given as bytes, as the CLI does: reads only what the view needs (a
/// netstat socket view without `-p` stops after the socket tables; ss
/// reads processes only when `ss::plan` says so: `-p`, or names of netlink
/// sockets without `-n`) and keeps nothing. For one answer from a big
/// snapshot; `Snapshot.open` then `run` for many.
/// Bad input or another command throws an `Error`.
#[wasm_bindgen(js_name = runOnce, unchecked_return_type = "RunResult")]
pub fn run_once(
    #[wasm_bindgen(unchecked_param_type = "Uint8Array | ArrayBuffer")] bytes: &JsValue,
    cmdline: &str,
) -> Result<JsValue, JsValue> {
    install_panic_hook();
    let array = byte_view(bytes)?;
    let open = || Ok(array_input(array.clone()));
    let out = Session::run_once(open, cmdline).map_err(|m| JsValue::from(JsError::new(&m)))?;
    run_result(&out).map_err(JsValue::from)
}

/// A snapshot loaded in memory. Free it with `free()` when done (or let
/// the garbage collector do it).
#[wasm_bindgen]
pub struct Snapshot {
    session: Session,
}

#[wasm_bindgen]
impl Snapshot {
    /// Reads a snapshot (gzip-compressed or plain tar) with everything it
    /// holds, from a `Uint8Array` (or an `ArrayBuffer` or any typed array;
    /// read in pieces, not copied whole). `progress`, if given, is called with the number of input
    /// bytes read so far (compare with `bytes.length`), at most once per
    /// MiB and once at the end; if it throws, loading stops and `open`
    /// throws what it threw. Bad input throws an `Error`.
    ///
    /// The `Snapshot` keeps a reference to `bytes` (not a copy): the first
    /// `ss` command reads them again (see the module's notes on memory), so
    /// leave them as they are while the snapshot is in use.
    pub fn open(
        #[wasm_bindgen(unchecked_param_type = "Uint8Array | ArrayBuffer")] bytes: &JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "(bytesRead: number) => void")]
        progress: Option<Function>,
    ) -> Result<Snapshot, JsValue> {
        install_panic_hook();
        let array = byte_view(bytes)?;
        let input = array_input(array.clone());
        let mut thrown: Option<JsValue> = None;
        let opened = Session::open_with_progress(input, |n| match &progress {
            None => true,
            Some(f) => match f.call1(&JsValue::NULL, &JsValue::from_f64(n as f64)) {
                Ok(_) => true,
                Err(e) => {
                    thrown = Some(e);
                    false
                }
            },
        });
        match (opened, thrown) {
            (_, Some(e)) => Err(e),
            (Ok(session), None) => Ok(Snapshot {
                session: session.with_source(array_source(array)),
            }),
            (Err(msg), None) => Err(JsError::new(&msg).into()),
        }
    }

    /// Runs a command line that starts with `netstat` or `ss` (words split
    /// as a shell splits them: quotes and backslashes, no expansion) and
    /// returns what netstat or ss printed; `diagnostics` as the CLI reports
    /// them (for ss: what reading the raw snapshot found, then the view's).
    /// The first `ss` command reads the snapshot's bytes again (kept by
    /// reference since `open`) and keeps that raw snapshot for the next
    /// ones. Another command, an unterminated quote, a pipe or a
    /// redirection throws an `Error`, as do a limit exceeded or bytes
    /// detached since `open` when an `ss` command reads them again.
    #[wasm_bindgen(unchecked_return_type = "RunResult")]
    pub fn run(&self, cmdline: &str) -> Result<JsValue, JsError> {
        let out = self.session.run(cmdline).map_err(|m| JsError::new(&m))?;
        run_result(&out)
    }

    /// The structured model as JSON text: `manifest`, `closing`, `frames`,
    /// `sockets` (every Internet and UNIX row), `sctp`, `processes`,
    /// `interfaces`, `routes`, `counters`, `missing`, `diagnostics`.
    #[wasm_bindgen(js_name = modelJson)]
    pub fn model_json(&self) -> String {
        self.session.model_json()
    }

    /// A summary as JSON text: `host`, `kernel`, `capture_start`,
    /// `capture_end`, collector `warnings`, socket counts `by_protocol` and
    /// `tcp_states`, `listening` services with pid and program, and
    /// `interfaces` with addresses and counters.
    #[wasm_bindgen(js_name = overviewJson)]
    pub fn overview_json(&self) -> String {
        self.session.overview_json()
    }

    /// The connections table: a JSON query
    /// `{"sort":{"key","desc"},"filter":{"proto","state","local","remote","process","user","text"},"offset","limit"}`
    /// answered with `{"total","matched","offset","rows":[{"proto","recvq","sendq","local","remote","state","user","inode","pid","program"}]}`.
    /// A malformed query throws an `Error`.
    pub fn query(&mut self, json: &str) -> Result<String, JsError> {
        self.session.query(json).map_err(|m| JsError::new(&m))
    }
}
