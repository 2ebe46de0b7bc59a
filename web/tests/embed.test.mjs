// The embeddable API under Node, against the package scripts/build-web.sh
// writes to target/web/pkg/ (web/tests/run.sh builds it, then runs this).
//
// 1. The README's "Embedding netsnap in a web page" example, taken from
//    README.md as written (only its import path is pointed at the package,
//    and fetch serves the two files it asks for from disk), must print
//    exactly fixtures/server/expected/-tanp.stdout.
// 2. The API itself: golden outputs byte for byte, errors, JSON, queries.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp, readFile, readdir, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const pkg = path.join(root, "target/web/pkg");
const moduleUrl = pathToFileURL(path.join(pkg, "netsnap_web.js")).href;
const fixture = (rel) => readFile(path.join(root, "fixtures", rel));

/** The first js code block of the README's embedding section. */
async function readmeExample() {
  const readme = await readFile(path.join(root, "README.md"), "utf8");
  const section = readme.split("\n## Embedding netsnap in a web page\n")[1];
  assert.ok(section, "README.md has a section 'Embedding netsnap in a web page'");
  const block = section.split("\n## ")[0].match(/```js\n([\s\S]*?)```/);
  assert.ok(block, "the section has a js code block");
  return block[1];
}

test("the README example prints netstat -tanp byte for byte", async () => {
  const code = await readmeExample();
  const specifier = '"./pkg/netsnap_web.js"';
  assert.ok(code.includes(specifier), `the example imports ${specifier}`);
  // A module instance of its own (the query string), so that its init()
  // really fetches the wasm even though the tests below initialise theirs.
  const runnable = code.replace(specifier, JSON.stringify(`${moduleUrl}?readme`));

  const served = { "snapshot.tar.gz": path.join(root, "fixtures/server/snapshot.tar.gz") };
  const fetched = [];
  const logs = [];
  const realFetch = globalThis.fetch;
  const realLog = console.log;
  globalThis.fetch = async (input) => {
    const url = String(input instanceof Request ? input.url : input);
    fetched.push(url);
    const file = served[url] ?? (url.startsWith("file:") ? fileURLToPath(url) : null);
    if (!file) throw new Error(`the example fetched ${url}`);
    const type = file.endsWith(".wasm") ? "application/wasm" : "application/gzip";
    return new Response(await readFile(file), { headers: { "Content-Type": type } });
  };
  console.log = (...args) => logs.push(args.join(" "));
  const dir = await mkdtemp(path.join(os.tmpdir(), "netsnap-readme-"));
  try {
    const file = path.join(dir, "example.mjs");
    await writeFile(file, runnable);
    await import(pathToFileURL(file).href);
  } finally {
    globalThis.fetch = realFetch;
    console.log = realLog;
    await rm(dir, { recursive: true, force: true });
  }

  const expected = await fixture("server/expected/-tanp.stdout");
  const printed = logs.filter((l) => l.startsWith("Active Internet connections"));
  assert.equal(printed.length, 1, `one netstat output among the logs:\n${logs.join("\n")}`);
  assert.ok(Buffer.from(printed[0], "utf8").equals(expected), "text is -tanp.stdout byte for byte");
  assert.ok(fetched.some((u) => u.endsWith("/netsnap_web_bg.wasm")), "init() fetched the wasm");
  assert.ok(logs.some((l) => /^read \d+ of \d+ bytes$/.test(l)), "progress was reported");
  assert.ok(logs.some((l) => /^netsnap \d+\.\d+\.\d+: \d+ sockets, status 0$/.test(l)), logs.join("\n"));
});

const api = await import(moduleUrl);
await api.default({ module_or_path: await readFile(path.join(pkg, "netsnap_web_bg.wasm")) });
const { Snapshot, version } = api;

const server = Snapshot.open(new Uint8Array(await fixture("server/snapshot.tar.gz")));

test("run: -tanp byte for byte, stdout, stderr and status", async () => {
  const out = server.run("netstat -tanp");
  assert.ok(out.stdout instanceof Uint8Array && out.stderr instanceof Uint8Array);
  assert.deepEqual(Buffer.from(out.stdout), await fixture("server/expected/-tanp.stdout"));
  assert.deepEqual(Buffer.from(out.stderr), await fixture("server/expected/-tanp.stderr"));
  assert.equal(out.status, Number((await fixture("server/expected/-tanp.status")).toString()));
  assert.equal(out.text, new TextDecoder().decode(out.stdout));
  // Words are split as a shell splits them.
  assert.equal(server.run(`netstat '-t' "-a"n  -p`).text, out.text);
  // netstat's own usage errors are output, not exceptions.
  const bad = server.run("netstat -T");
  assert.notEqual(bad.status, 0);
  assert.ok(bad.stderr.length > 0);
});

/** A command line for recorded arguments, each word single-quoted. */
const quote = (arg) => `'${arg.replaceAll("'", `'\\''`)}'`;

test("run: every recorded netstat output of every fixture", async () => {
  let cases = 0;
  const failures = [];
  const fixtures = (await readdir(path.join(root, "fixtures"), { withFileTypes: true }))
    .filter((d) => d.isDirectory())
    .map((d) => d.name)
    .sort();
  for (const name of fixtures) {
    let bytes;
    try {
      bytes = await fixture(`${name}/snapshot.tar.gz`);
    } catch {
      continue;
    }
    const snap = Snapshot.open(new Uint8Array(bytes));
    for (const dir of ["expected", "expected-views"]) {
      let files;
      try {
        files = (await readdir(path.join(root, "fixtures", name, dir))).filter((f) => f.endsWith(".args"));
      } catch {
        continue;
      }
      for (const f of files.sort()) {
        const base = path.join(root, "fixtures", name, dir, f.slice(0, -".args".length));
        const argsText = await readFile(`${base}.args`);
        const text = argsText.toString("utf8");
        if (!Buffer.from(text, "utf8").equals(argsText)) continue; // not UTF-8: not typable
        const args = text === "" ? [] : text.replace(/\n$/, "").split("\n");
        const want = {
          stdout: await readFile(`${base}.stdout`),
          stderr: await readFile(`${base}.stderr`),
          status: Number((await readFile(`${base}.status`)).toString().trim()),
        };
        const got = snap.run(["netstat", ...args.map(quote)].join(" "));
        cases++;
        if (
          !Buffer.from(got.stdout).equals(want.stdout) ||
          !Buffer.from(got.stderr).equals(want.stderr) ||
          got.status !== want.status
        ) {
          failures.push(`${name}/${dir}/${f}`);
        }
      }
    }
    snap.free();
  }
  assert.ok(cases > 1000, `${cases} cases`);
  assert.deepEqual(failures, [], `${failures.length} of ${cases} outputs differ`);
});

/** Every recorded ss case: [{name, base, args}] per fixture with a snapshot and expected-ss/. */
async function ssCases() {
  const out = [];
  const fixtures = (await readdir(path.join(root, "fixtures"), { withFileTypes: true }))
    .filter((d) => d.isDirectory())
    .map((d) => d.name)
    .sort();
  for (const name of fixtures) {
    let files;
    try {
      await readFile(path.join(root, "fixtures", name, "snapshot.tar.gz"));
      files = (await readdir(path.join(root, "fixtures", name, "expected-ss"))).filter((f) => f.endsWith(".args"));
    } catch {
      continue;
    }
    const cases = [];
    for (const f of files.sort()) {
      const base = path.join(root, "fixtures", name, "expected-ss", f.slice(0, -".args".length));
      const argsText = await readFile(`${base}.args`);
      const text = argsText.toString("utf8");
      if (!Buffer.from(text, "utf8").equals(argsText)) continue; // not UTF-8: not typable
      const args = text === "" ? [] : text.replace(/\n$/, "").split("\n");
      cases.push({
        slug: f.slice(0, -".args".length),
        cmdline: ["ss", ...args.map(quote)].join(" "),
        stdout: await readFile(`${base}.stdout`),
        stderr: await readFile(`${base}.stderr`),
        status: Number((await readFile(`${base}.status`)).toString().trim()),
      });
    }
    out.push({ name, cases });
  }
  return out;
}

const same = (got, want) =>
  Buffer.from(got.stdout).equals(want.stdout) && Buffer.from(got.stderr).equals(want.stderr) && got.status === want.status;

test("run and runOnce: every recorded ss output of every fixture", async () => {
  const fixtures = await ssCases();
  let viaRun = 0;
  let viaOnce = 0;
  const failures = [];
  const per = [];
  for (const { name, cases } of fixtures) {
    const bytes = new Uint8Array(await fixture(`${name}/snapshot.tar.gz`));
    const snap = Snapshot.open(bytes);
    let ok = 0;
    for (const c of cases) {
      const got = snap.run(c.cmdline);
      viaRun++;
      if (!same(got, c)) failures.push(`run ${name}/expected-ss/${c.slug}`);
      else ok++;
      const once = api.runOnce(bytes, c.cmdline);
      viaOnce++;
      if (!same(once, c)) failures.push(`runOnce ${name}/expected-ss/${c.slug}`);
      // The same diagnostics either way: the CLI's.
      assert.deepEqual(got.diagnostics, once.diagnostics, `${name} ${c.cmdline}: diagnostics`);
    }
    per.push(`${name}: ${ok}/${cases.length}`);
    snap.free();
  }
  console.log(`ss cases: ${viaRun} through run, ${viaOnce} through runOnce (${per.join(", ")})`);
  assert.ok(fixtures.length >= 10 && viaRun > 1500, `${fixtures.length} fixtures, ${viaRun} cases`);
  assert.deepEqual(failures, [], `${failures.length} of ${viaRun + viaOnce} outputs differ`);
});

test("run: ss reads the bytes again once, kept by reference; netstat never does", async () => {
  const gz = await fixture("server/snapshot.tar.gz");
  const want = async (slug) => fixture(`server/expected-ss/${slug}.stdout`);
  const fresh = () => {
    const buf = new ArrayBuffer(gz.length);
    new Uint8Array(buf).set(gz);
    return buf;
  };
  // Open from an ArrayBuffer, then take the buffer away (as postMessage
  // with a transfer list would): netstat still answers; ss, which would
  // read the bytes again, throws a clear Error.
  let buf = fresh();
  let snap = Snapshot.open(buf);
  structuredClone(buf, { transfer: [buf] });
  assert.equal(buf.byteLength, 0, "the buffer is detached");
  assert.equal(snap.run("netstat -tan").status, 0);
  assert.throws(() => snap.run("ss -tan"), (e) => e instanceof Error && /bytes changed since Snapshot.open/.test(e.message));
  // ss's own usage answers need no snapshot.
  assert.equal(snap.run("ss --bogus").status, 255);
  snap.free();

  // The first ss command loads the raw snapshot and keeps it: later ones
  // that need no more (no processes) answer from it even with the bytes gone.
  buf = fresh();
  snap = Snapshot.open(new Uint8Array(buf));
  assert.deepEqual(Buffer.from(snap.run("ss -tan").stdout), await want("-tan"));
  structuredClone(buf, { transfer: [buf] });
  assert.deepEqual(Buffer.from(snap.run("ss -tan state established").stdout), await want("-tan_state_established"));
  assert.deepEqual(Buffer.from(snap.run("ss -ns").stdout), await want("-s")); // -s alone names netlink processes: plan with them
  // One that needs processes must read them again.
  assert.throws(() => snap.run("ss -tanp"), /bytes changed since Snapshot.open/);
  snap.free();

  // Loaded with processes, it serves every ss command.
  buf = fresh();
  snap = Snapshot.open(buf);
  assert.deepEqual(Buffer.from(snap.run("ss -tanp").stdout), await want("-tanp"));
  structuredClone(buf, { transfer: [buf] });
  for (const slug of ["-tan", "-xa", "-tlnp"]) {
    assert.deepEqual(Buffer.from(snap.run(`ss ${slug}`).stdout), await want(slug), slug);
  }
  assert.equal(snap.run("netstat -tanp").text, server.run("netstat -tanp").text);
  snap.free();
});

test("runOnce: ss, and the same answers as run", async () => {
  const gz = new Uint8Array(await fixture("procs/snapshot.tar.gz"));
  const snap = Snapshot.open(gz);
  for (const flags of ["-tan", "-tanp", "-s", "-xa", "-tan state established", "-h", "-V", "--bogus"]) {
    const once = api.runOnce(gz, `ss ${flags}`);
    const run = snap.run(`ss ${flags}`);
    assert.ok(same(once, { stdout: Buffer.from(run.stdout), stderr: Buffer.from(run.stderr), status: run.status }), flags);
    assert.equal(once.text, new TextDecoder().decode(once.stdout));
  }
  snap.free();
  assert.throws(() => api.runOnce(new Uint8Array(0), "ss -tan"), /not a snapshot/);
  assert.throws(() => api.runOnce(gz, "ss -tan | head"), /pipes/);
});

test("run: other commands and shell syntax throw an Error", () => {
  assert.throws(() => server.run("ip -s link"), (e) => e instanceof Error && /^unsupported command: ip; try netstat or ss/.test(e.message));
  assert.throws(() => server.run("sss -tan"), /^Error: unsupported command: sss/);
  assert.throws(() => server.run(""), (e) => e instanceof Error && /^unsupported command/.test(e.message));
  assert.throws(() => server.run("netstat 'oops"), /unterminated single quote/);
  assert.throws(() => server.run("netstat -tan | grep 22"), /pipes/);
});

test("open: broken input throws an Error with a clear message", async () => {
  const gz = new Uint8Array(await fixture("server/snapshot.tar.gz"));
  const cases = [
    [new Uint8Array(0), /^not a snapshot: /],
    [new TextEncoder().encode("this is not a snapshot\n"), /^not a snapshot: /],
    [gz.subarray(0, 100), /^damaged archive: /],
  ];
  for (const [bytes, message] of cases) {
    assert.throws(() => Snapshot.open(bytes), (e) => e instanceof Error && message.test(e.message), String(message));
  }
  // A truncated archive that still holds something opens, with diagnostics.
  const half = Snapshot.open(gz.subarray(0, gz.length >> 1));
  assert.ok(JSON.parse(half.modelJson()).diagnostics.length > 0);
  half.free();
});

test("open: a Buffer, an ArrayBuffer, a view at an offset; not a string", async () => {
  const gz = await fixture("server/snapshot.tar.gz");
  const want = server.run("netstat -tanp").text;
  const padded = new Uint8Array(gz.length + 7);
  padded.set(gz, 3);
  const inputs = [
    gz,
    new Uint8Array(gz).buffer,
    padded.subarray(3, 3 + gz.length),
    new DataView(padded.buffer, 3, gz.length),
  ];
  for (const bytes of inputs) {
    const snap = Snapshot.open(bytes);
    assert.equal(snap.run("netstat -tanp").text, want, bytes.constructor.name);
    snap.free();
  }
  for (const bad of ["snapshot.tar.gz", 42, null, {}]) {
    assert.throws(() => Snapshot.open(bad), (e) => e instanceof Error && /^Snapshot.open: expected/.test(e.message), String(bad));
  }
});

test("open: progress, and a throwing callback cancels", async () => {
  const gz = new Uint8Array(await fixture("server/snapshot.tar.gz"));
  const seen = [];
  Snapshot.open(gz, (n) => seen.push(n)).free();
  assert.ok(seen.length >= 1 && seen.every((n) => Number.isInteger(n) && n > 0 && n <= gz.length), String(seen));
  const stop = new Error("stop");
  assert.throws(() => Snapshot.open(gz, () => { throw stop; }), (e) => e === stop);
  Snapshot.open(gz, undefined).free();
  Snapshot.open(gz, null).free();
});

test("modelJson and overviewJson parse", () => {
  const model = JSON.parse(server.modelJson());
  assert.ok(model.sockets.length > 0);
  assert.ok(model.sockets.some((s) => s.proto === "tcp" && s.local === "0.0.0.0:22" && s.state === "LISTEN"));
  assert.ok(model.processes.some((p) => p.pid === 4926 && p.program === "python3"));
  const o = JSON.parse(server.overviewJson());
  assert.equal(o.capture_end, "2026-11-28T03:57:15.405Z");
  assert.ok(o.sockets.tcp_states.LISTEN > 0);
  assert.ok(o.listening.some((l) => l.port === 22 && l.program === "python3"));
});

test("query: filter, sort, page", () => {
  const all = JSON.parse(server.query("{}"));
  assert.equal(all.matched, all.total);
  assert.equal(all.rows.length, Math.min(100, all.total));
  const q = { sort: { key: "local", desc: false }, filter: { proto: "tcp", state: "LISTEN" }, offset: 0, limit: 5 };
  const a = JSON.parse(server.query(JSON.stringify(q)));
  assert.ok(a.matched > 5 && a.rows.length === 5);
  assert.deepEqual(Object.keys(a.rows[0]).sort(), ["inode", "local", "pid", "program", "proto", "recvq", "remote", "sendq", "state", "user"]);
  assert.ok(a.rows.every((r) => r.proto === "tcp" && r.state === "LISTEN"));
  assert.equal(a.rows[0].local, "0.0.0.0:22");
  const next = JSON.parse(server.query(JSON.stringify({ ...q, offset: 5 })));
  assert.notDeepEqual(next.rows[0], a.rows[0]);
  assert.throws(() => server.query("{"), (e) => e instanceof Error && /^bad query/.test(e.message));
  assert.throws(() => server.query('{"sort":{"key":"color"}}'), /unknown sort key/);
});

test("version", async () => {
  const manifest = JSON.parse(await readFile(path.join(pkg, "package.json"), "utf8"));
  assert.equal(version(), manifest.version);
  assert.equal(manifest.name, "netsnap");
});

test("runOnce: one command on snapshot bytes, as the CLI prints it", async () => {
  const gz = new Uint8Array(await fixture("server/snapshot.tar.gz"));
  for (const flags of ["-tan", "-tanp", "-xa", "-s", "-rn"]) {
    const want = await fixture(`server/expected/${flags}.stdout`).catch(() => null)
      ?? await fixture(`server/expected-views/${flags}.stdout`).catch(() => null);
    const got = api.runOnce(gz, `netstat ${flags}`);
    assert.deepEqual(Buffer.from(got.stdout), Buffer.from(server.run(`netstat ${flags}`).stdout), flags);
    if (want) assert.deepEqual(Buffer.from(got.stdout), want, `${flags}: the recorded netstat output`);
  }
  assert.throws(() => api.runOnce(gz, "ip -s link"), /^Error: unsupported command/);
  assert.throws(() => api.runOnce(new Uint8Array(0), "netstat -tan"), /not a snapshot/);
});

test("runOnce: fixtures/broken answer as the CLI does (messages, outputs, diagnostics)", async () => {
  const dir = path.join(root, "fixtures/broken");
  const cases = JSON.parse(await readFile(path.join(dir, "cases.json"), "utf8"));
  let checked = 0;
  for (const c of cases) {
    if (c.args.includes("netstat")) continue; // CLI limit flags: the API has none
    const bytes = new Uint8Array(await readFile(path.join(dir, c.file)));
    const cmd = `netstat ${c.args.join(" ")}`;
    if (c.error) {
      const want = c.wasm_error ?? c.error;
      assert.throws(() => api.runOnce(bytes, cmd), (e) => e instanceof Error && e.message === want, `${c.name}: ${want}`);
    } else {
      const got = api.runOnce(bytes, cmd);
      const base = path.join(dir, c.expected);
      assert.deepEqual(Buffer.from(got.stdout), await readFile(`${base}.stdout`), `${c.name}: stdout`);
      assert.deepEqual(Buffer.from(got.stderr), await readFile(`${base}.stderr`), `${c.name}: stderr`);
      assert.equal(got.status, Number((await readFile(`${base}.status`, "utf8")).trim()), `${c.name}: status`);
      assert.deepEqual(got.diagnostics, c.diagnostics, `${c.name}: diagnostics`);
    }
    checked++;
  }
  assert.ok(checked >= 25, `${checked} cases checked`);
});

test("runOnce and run: ss on fixtures/broken answers as the CLI does", async () => {
  const dir = path.join(root, "fixtures/broken");
  const cases = JSON.parse(await readFile(path.join(dir, "cases.json"), "utf8"));
  let checked = 0;
  for (const c of cases) {
    const bytes = new Uint8Array(await readFile(path.join(dir, c.file)));
    let snap = null;
    if (!c.error) snap = Snapshot.open(bytes);
    for (const s of c.ss ?? []) {
      if (s.args[0] !== "ss") continue; // CLI limit flags: the API has none
      const cmd = s.args.join(" ");
      if (c.error) {
        const want = c.wasm_error ?? c.error;
        assert.throws(() => api.runOnce(bytes, cmd), (e) => e instanceof Error && e.message === want, `${c.name}: ${cmd}: ${want}`);
        checked++;
        continue;
      }
      const base = path.join(dir, s.expected);
      const want = {
        stdout: await readFile(`${base}.stdout`),
        stderr: await readFile(`${base}.stderr`),
        status: Number((await readFile(`${base}.status`, "utf8")).trim()),
      };
      for (const [how, got] of [["runOnce", api.runOnce(bytes, cmd)], ["run", snap.run(cmd)]]) {
        assert.ok(same(got, want), `${c.name}: ${how} ${cmd}: stdout, stderr or status differ`);
        assert.deepEqual(got.diagnostics, s.diagnostics, `${c.name}: ${how} ${cmd}: diagnostics`);
      }
      checked++;
    }
    snap?.free();
  }
  console.log(`broken ss cases: ${checked} (errors through runOnce; outputs through runOnce and run)`);
  assert.ok(checked >= 40, `${checked} ss cases checked`);
});
