// Times the wasm API under Node on a big snapshot (not a test; prints figures).
//
//   python3 web/tests/make-big-snapshot.py 1000000 /tmp/big1m.tar.gz
//   node web/tests/bench.mjs /tmp/big1m.tar.gz
//
// Uses target/web/pkg/ (scripts/build-web.sh). Each query is timed as the
// UI sends them: the first one builds the row index; a new sort key sorts
// once, then paging and filtering reuse the cached order.
import { readFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const pkg = path.join(root, "target/web/pkg");
const file = process.argv[2];
if (!file) {
  console.error("usage: node web/tests/bench.mjs SNAPSHOT.tar.gz");
  process.exit(2);
}

const api = await import(pathToFileURL(path.join(pkg, "netsnap_web.js")).href);
const wasm = await api.default({ module_or_path: await readFile(path.join(pkg, "netsnap_web_bg.wasm")) });
const mib = () => `${(wasm.memory.buffer.byteLength / 2 ** 20).toFixed(0)} MiB of wasm memory`;
const bytes = new Uint8Array(await readFile(file));

const ms = (t0) => (performance.now() - t0).toFixed(1).padStart(8);
let t0 = performance.now();
const snap = api.Snapshot.open(bytes);
console.log(`${ms(t0)} ms  open (${bytes.length} bytes; ${mib()})`);

const queries = [
  ["first query (builds the index)", {}],
  ["natural order, page 2", { offset: 100 }],
  ["natural order, deep page", { offset: 500000 }],
  ["sort local", { sort: { key: "local" } }],
  ["sort local, page 50", { sort: { key: "local" }, offset: 5000 }],
  ["sort local desc", { sort: { key: "local", desc: true } }],
  ["sort remote", { sort: { key: "remote" } }],
  ["sort state", { sort: { key: "state" } }],
  ["sort program", { sort: { key: "program" } }],
  ["sort pid desc", { sort: { key: "pid", desc: true } }],
  ["sort recvq desc", { sort: { key: "recvq", desc: true } }],
  ["sort user", { sort: { key: "user" } }],
  ["sort inode", { sort: { key: "inode" } }],
  ["sort proto", { sort: { key: "proto" } }],
  ["filter proto tcp", { filter: { proto: "tcp" } }],
  ["filter state LISTEN", { filter: { state: "LISTEN" } }],
  ["filter text '443'", { filter: { text: "443" } }],
  ["filter text 'nginx', sorted by remote", { sort: { key: "remote" }, filter: { text: "nginx" } }],
  ["filter local ':22', sorted by local", { sort: { key: "local" }, filter: { local: ":22" } }],
  ["filter remote '10.1', state", { filter: { remote: "10.1", state: "ESTABLISHED" } }],
  ["filter process '1042/'", { filter: { process: "1042/" } }],
  ["filter user 'alice'", { filter: { user: "alice" } }],
  ["same filter, next page", { filter: { user: "alice" }, offset: 100 }],
  ["filter text that matches nothing", { filter: { text: "no-such-thing" } }],
];
let worst = 0;
for (const [name, q] of queries) {
  t0 = performance.now();
  const a = JSON.parse(snap.query(JSON.stringify({ limit: 100, ...q })));
  const t = performance.now() - t0;
  if (name !== queries[0][0]) worst = Math.max(worst, t);
  console.log(`${ms(t0)} ms  ${name}: ${a.matched} of ${a.total}`);
}
console.log(`worst query after the first: ${worst.toFixed(1)} ms (${mib()})`);
t0 = performance.now();
const out = snap.run("netstat -tanp");
console.log(`${ms(t0)} ms  run netstat -tanp (${out.stdout.length} bytes)`);
t0 = performance.now();
const overview = snap.overviewJson();
console.log(`${ms(t0)} ms  overviewJson (${overview.length} chars)`);
t0 = performance.now();
const model = snap.modelJson();
console.log(`${ms(t0)} ms  modelJson (${model.length} chars)`);
snap.free();
