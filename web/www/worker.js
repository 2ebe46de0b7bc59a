// The netsnap analysis worker.
//
// scripts/package-web.py appends this file to the wasm-bindgen glue, made a
// classic script, and the page starts the result as a classic Worker from a
// blob: URL, so `initSync`, `Snapshot` and `wasm` below are the glue's own
// top-level bindings. The
// page posts {op: "init", module} with the compiled WebAssembly.Module, then
// requests {id, op, ...}; every request gets one answer
// {id, ok: true, result} or {id, ok: false, error, lost}, and "open" also
// sends {id, op: "progress", read, total} while it parses. `lost` means the
// module trapped: the page ends this worker and starts a fresh one.
//
// Requests:
//   open   {bytes: ArrayBuffer (transferred), cmdline}
//          -> {overview: JSON text, run?: {stdout, stderr, status}, runError?}
//   run    {cmdline} -> {stdout: Uint8Array, stderr: Uint8Array, status}
//          (netstat or ss; the Snapshot keeps `bytes` by reference: the
//          first ss command reads them again, so they are never transferred on)
//   query  {query: JSON text} -> JSON text (Snapshot.query)
//   overview {} -> JSON text

let snapshot = null;

function message(err) {
  if (err instanceof Error) return err.message || String(err);
  if (typeof err === "string") return err;
  try {
    return JSON.stringify(err);
  } catch (_) {
    return String(err);
  }
}

function trapped(err) {
  return err instanceof WebAssembly.RuntimeError;
}

function need() {
  if (!snapshot) throw new Error("no snapshot is open");
  return snapshot;
}

// Only what the page uses; `text` would copy stdout a second time.
function runResult(out) {
  return { stdout: out.stdout, stderr: out.stderr, status: out.status };
}

const ops = {
  open(m) {
    if (snapshot) {
      snapshot.free();
      snapshot = null;
    }
    const bytes = new Uint8Array(m.bytes);
    const total = bytes.length;
    let last = -Infinity;
    self.postMessage({ id: m.id, op: "progress", read: 0, total });
    snapshot = Snapshot.open(bytes, (read) => {
      const now = performance.now();
      if (now - last >= 40 || read >= total) {
        last = now;
        self.postMessage({ id: m.id, op: "progress", read: Number(read), total });
      }
    });
    const result = { overview: snapshot.overviewJson() };
    if (m.cmdline) {
      try {
        result.run = runResult(snapshot.run(m.cmdline));
      } catch (err) {
        if (trapped(err)) throw err;
        result.runError = message(err);
      }
    }
    return result;
  },
  run(m) {
    return runResult(need().run(m.cmdline));
  },
  query(m) {
    return need().query(m.query);
  },
  overview() {
    return need().overviewJson();
  },
};

// Buffers that can move to the page instead of being copied: whole
// buffers of their own, never the module's memory.
function transferable(result) {
  const out = [];
  for (const r of [result, result && result.run]) {
    if (!r || typeof r !== "object") continue;
    for (const a of [r.stdout, r.stderr]) {
      if (
        a instanceof Uint8Array &&
        a.byteOffset === 0 &&
        a.byteLength === a.buffer.byteLength &&
        !(typeof SharedArrayBuffer !== "undefined" && a.buffer instanceof SharedArrayBuffer) &&
        !(typeof wasm !== "undefined" && wasm && wasm.memory && a.buffer === wasm.memory.buffer)
      ) {
        out.push(a.buffer);
      }
    }
  }
  return out;
}

self.onmessage = (e) => {
  const m = e.data;
  if (m && m.op === "init") {
    try {
      initSync({ module: m.module });
      self.postMessage({ op: "ready" });
    } catch (err) {
      self.postMessage({ op: "fatal", error: message(err) });
    }
    return;
  }
  try {
    const op = ops[m.op];
    if (!op) throw new Error(`unknown request: ${m.op}`);
    const result = op(m);
    self.postMessage({ id: m.id, ok: true, result }, transferable(result));
  } catch (err) {
    if (trapped(err)) snapshot = null;
    self.postMessage({ id: m.id, ok: false, error: message(err), lost: trapped(err) });
  }
};
