// hurwicz rounds in the browser: participate (key, rules, commit, reveal, receipts) and observe
// (verify the transcript). Plain JavaScript, no build step, no code from elsewhere; hashes and
// signatures with WebCrypto (crypto.subtle: SHA-256 and Ed25519).
//
// The bytes are exactly those of hurwicz.credible (Python):
//   canonical JSON   RFC 8785 (JCS): keys sorted by UTF-16 code units, minimal string escapes,
//                    numbers as ECMAScript writes them; NaN, infinities, lone surrogates and
//                    nesting deeper than 64 are refused
//   signed bytes     "hurwicz/1 <kind>\n" + canonical JSON   (kind: commit, reveal, tree_head,
//                    receipt, cosignature: {round, size, root, time} signed by a witness)
//   round id         "r" + hex SHA-256(canonical rules)
//   commitment       hex SHA-256(len8(round) ‖ round ‖ len8(report) ‖ canonical report ‖
//                    len8(salt) ‖ salt), len8 = 8-byte big-endian byte length
//   Merkle tree      RFC 6962: leaf SHA-256(0x00 ‖ canonical entry), node SHA-256(0x01 ‖ l ‖ r)
"use strict";

(() => {
  const PROTOCOL = "hurwicz/1";
  const TRANSCRIPT_FORMAT = "hurwicz-transcript/1";
  const MAX_DEPTH = 64;
  const HEX64 = /^[0-9a-f]{64}$/;
  const HEX128 = /^[0-9a-f]{128}$/;
  const NAME = /^[A-Za-z0-9_.\-]{1,64}$/;
  const TIME = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d{1,6}))?Z$/;
  const PKCS8_ED25519 = "302e020100300506032b657004220420";
  const COMMIT_FIELDS = ["commitment", "kind", "name", "participant", "round", "signature"];
  const REVEAL_FIELDS = ["kind", "participant", "report", "round", "salt", "signature"];
  const PHASE_FIELDS = ["cosignatures", "kind", "phase", "root", "round", "size"];
  const COSIGNATURE_FIELDS = ["root", "round", "signature", "size", "time", "witness"];
  const encoder = new TextEncoder();

  // --- bytes and hex -------------------------------------------------------------------------
  function hex(bytes) {
    return Array.from(new Uint8Array(bytes), (b) => b.toString(16).padStart(2, "0")).join("");
  }
  function unhex(text) {
    if (typeof text !== "string" || text.length % 2 || !/^[0-9a-fA-F]*$/.test(text)) {
      throw new Error("not hex");
    }
    const out = new Uint8Array(text.length / 2);
    for (let i = 0; i < out.length; i++) out[i] = parseInt(text.substr(2 * i, 2), 16);
    return out;
  }
  function concat(...parts) {
    const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
    let at = 0;
    for (const p of parts) { out.set(p, at); at += p.length; }
    return out;
  }
  function utf8(text) { return encoder.encode(text); }
  function randomHex(n) { return hex(crypto.getRandomValues(new Uint8Array(n))); }

  // --- canonical JSON (RFC 8785) ---------------------------------------------------------------
  class CanonicalError extends Error {
    constructor(path, message) { super(`${path}: ${message}`); this.path = path; }
  }
  function wellFormed(text) {
    if (typeof text.isWellFormed === "function") return text.isWellFormed();
    return !/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?:^|[^\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(text);
  }
  const ESCAPES = { 0x22: "\\\"", 0x5c: "\\\\", 0x08: "\\b", 0x0c: "\\f", 0x0a: "\\n",
                    0x0d: "\\r", 0x09: "\\t" };
  function quote(text, path) {
    if (!wellFormed(text)) {
      throw new CanonicalError(path, "contains a lone UTF-16 surrogate (not Unicode text)");
    }
    // RFC 8785 §3.2.2.2: \" \\ \b \f \n \r \t, other controls as \u00xx, all else as
    // itself. (Written out: the signed bytes must not depend on an engine's JSON.stringify.)
    let out = "\"";
    let start = 0;
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c < 0x20 || c === 0x22 || c === 0x5c) {
        out += text.slice(start, i) + (ESCAPES[c] || "\\u" + c.toString(16).padStart(4, "0"));
        start = i + 1;
      }
    }
    return out + text.slice(start) + "\"";
  }
  function encode(value, depth, path) {
    if (value === null) return "null";
    if (value === true) return "true";
    if (value === false) return "false";
    if (typeof value === "string") return quote(value, path);
    if (typeof value === "number") {
      if (!Number.isFinite(value)) {
        throw new CanonicalError(path, `${value} is not a JSON number (canonical JSON refuses ` +
                                 "NaN and infinities)");
      }
      return String(value);  // Number::toString (RFC 8785 §3.2.2.3); -0 is written 0
    }
    if (typeof value === "object") {
      if (depth >= MAX_DEPTH) {
        throw new CanonicalError(path, `is nested deeper than ${MAX_DEPTH} arrays and objects`);
      }
      if (Array.isArray(value)) {
        return "[" + value.map((v, i) => encode(v, depth + 1, `${path}[${i}]`)).join(",") + "]";
      }
      const keys = Object.keys(value).sort();  // UTF-16 code unit order, as RFC 8785 says
      return "{" + keys.map((k) => quote(k, path) + ":" +
                              encode(value[k], depth + 1, `${path}.${k}`)).join(",") + "}";
    }
    throw new CanonicalError(path, `a ${typeof value} is not JSON data`);
  }
  function canonicalText(value) { return encode(value, 0, "document"); }
  function canonicalBytes(value) { return utf8(canonicalText(value)); }

  // --- strict JSON parsing --------------------------------------------------------------------
  // Every JSON text from the server or a file is read here, not by JSON.parse: in Chromium
  // 150.0.7871.100, after JSON.parse('{"\\\\": 1}') the text {"\"": 2} parses with the key "\\"
  // instead of '"' (an escaped one-character key read as an earlier one; found by
  // tests/credible/test_browser.py, not seen in Node 20). Like hurwicz.credible.canonical.loads,
  // numbers are doubles (Number() of the literal), NaN/Infinity and numbers too large for a
  // double are refused, and so are duplicate object keys.
  const SIMPLE_ESCAPES = { '"': '"', "\\": "\\", "/": "/", b: "\b", f: "\f", n: "\n", r: "\r",
                           t: "\t" };
  const NUMBER_LITERAL = /-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?/y;
  const HEX4 = /^[0-9a-fA-F]{4}$/;
  function parseJSON(text, maxDepth = 512) {
    if (typeof text !== "string") throw new SyntaxError("not JSON: not text");
    const n = text.length;
    let i = 0;
    const fail = (what) => { throw new SyntaxError(`not JSON: ${what} at character ${i}`); };
    const space = () => {
      while (i < n) {
        const c = text.charCodeAt(i);
        if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) i++;
        else break;
      }
    };
    const string = () => {  // at the opening quote
      i++;
      let out = "";
      let start = i;
      for (;;) {
        if (i >= n) fail("an unterminated string");
        const c = text.charCodeAt(i);
        if (c === 0x22) { out += text.slice(start, i); i++; return out; }
        if (c < 0x20) fail("a control character in a string");
        if (c === 0x5c) {
          out += text.slice(start, i);
          const e = text[i + 1];
          if (e === "u") {
            const digits = text.slice(i + 2, i + 6);
            if (!HEX4.test(digits)) fail("a bad \\u escape");
            out += String.fromCharCode(parseInt(digits, 16));
            i += 6;
          } else {
            if (!Object.prototype.hasOwnProperty.call(SIMPLE_ESCAPES, e)) fail("a bad escape");
            out += SIMPLE_ESCAPES[e];
            i += 2;
          }
          start = i;
        } else {
          i++;
        }
      }
    };
    const value = (depth) => {
      space();
      const c = text[i];
      if (c === "{" || c === "[") {
        if (depth >= maxDepth) fail("nesting too deep");
        i++;
        space();
        if (c === "[") {
          const list = [];
          if (text[i] === "]") { i++; return list; }
          for (;;) {
            list.push(value(depth + 1));
            space();
            if (text[i] === ",") { i++; continue; }
            if (text[i] === "]") { i++; return list; }
            fail("a missing ',' or ']'");
          }
        }
        const object = {};
        if (text[i] === "}") { i++; return object; }
        for (;;) {
          space();
          if (text[i] !== '"') fail("an object key that is not a string");
          const key = string();
          if (Object.prototype.hasOwnProperty.call(object, key)) fail(`a key twice (${key.slice(0, 40)})`);
          space();
          if (text[i] !== ":") fail("a missing ':'");
          i++;
          Object.defineProperty(object, key, { value: value(depth + 1), enumerable: true,
                                               writable: true, configurable: true });
          space();
          if (text[i] === ",") { i++; continue; }
          if (text[i] === "}") { i++; return object; }
          fail("a missing ',' or '}'");
        }
      }
      if (c === '"') return string();
      for (const [word, literal] of [["true", true], ["false", false], ["null", null]]) {
        if (text.startsWith(word, i)) { i += word.length; return literal; }
      }
      NUMBER_LITERAL.lastIndex = i;
      const match = NUMBER_LITERAL.exec(text);
      if (!match) fail("an unexpected character");
      i = NUMBER_LITERAL.lastIndex;
      const x = Number(match[0]);
      if (!Number.isFinite(x)) fail(`the number ${match[0].slice(0, 40)} is too large for a double`);
      return x;
    };
    const result = value(0);
    space();
    if (i !== n) fail("more after the JSON value");
    return result;
  }

  // --- hashes ----------------------------------------------------------------------------------
  async function sha256(bytes) { return new Uint8Array(await crypto.subtle.digest("SHA-256", bytes)); }
  async function sha256Hex(bytes) { return hex(await sha256(bytes)); }
  async function documentHash(value) { return sha256Hex(canonicalBytes(value)); }
  async function roundId(rules) { return "r" + await documentHash(rules); }
  function frame(bytes) {
    const length = new Uint8Array(8);
    new DataView(length.buffer).setBigUint64(0, BigInt(bytes.length));
    return concat(length, bytes);
  }
  async function commitment(round, report, salt) {
    return sha256Hex(concat(frame(utf8(round)), frame(canonicalBytes(report)), frame(utf8(salt))));
  }
  async function leafHash(bytes) { return sha256(concat(new Uint8Array([0]), bytes)); }
  async function nodeHash(left, right) { return sha256(concat(new Uint8Array([1]), left, right)); }
  async function entryLeaf(entry) { return leafHash(canonicalBytes(entry)); }

  // An RFC 6962 tree over leaf hashes, level by level; the root of any prefix in O(log n).
  class HashedTree {
    static async build(leaves) {
      const tree = new HashedTree();
      tree.leaves = leaves;
      tree.levels = [leaves];
      let level = leaves;
      while (level.length > 1) {
        const pairs = [];
        for (let i = 0; i + 1 < level.length; i += 2) pairs.push(nodeHash(level[i], level[i + 1]));
        level = await Promise.all(pairs);
        tree.levels.push(level);
      }
      return tree;
    }
    get size() { return this.leaves.length; }
    async root(size = this.size) {
      if (size === 0) return sha256(new Uint8Array(0));
      const nodes = [];
      let start = 0;
      for (let h = Math.floor(Math.log2(size)); h >= 0; h--) {
        if (Math.floor(size / 2 ** h) % 2 === 1) {
          nodes.push(this.levels[h][start / 2 ** h]);
          start += 2 ** h;
        }
      }
      let root = nodes[nodes.length - 1];
      for (let i = nodes.length - 2; i >= 0; i--) root = await nodeHash(nodes[i], root);
      return root;
    }
  }
  async function merkleRoot(leafBytes) {  // MTH of raw leaves (for test vectors)
    const tree = await HashedTree.build(await Promise.all(leafBytes.map(leafHash)));
    return tree.root();
  }

  // --- Ed25519 ---------------------------------------------------------------------------------
  const ED25519 = { name: "Ed25519" };
  function signingBytes(kind, document) {
    return concat(utf8(`${PROTOCOL} ${kind}\n`), canonicalBytes(document));
  }
  async function importSeed(seedHex) {
    const seed = unhex(seedHex.trim());
    if (seed.length !== 32) throw new Error("not a 32-byte hex Ed25519 private key");
    const key = await crypto.subtle.importKey("pkcs8", concat(unhex(PKCS8_ED25519), seed),
                                              ED25519, true, ["sign"]);
    const jwk = await crypto.subtle.exportKey("jwk", key);
    const pub = Uint8Array.from(atob(jwk.x.replace(/-/g, "+").replace(/_/g, "/")),
                                (c) => c.charCodeAt(0));
    return { privateKey: key, seed: hex(seed), public: hex(pub) };
  }
  async function generateKey() {
    const pair = await crypto.subtle.generateKey(ED25519, true, ["sign", "verify"]);
    const pkcs8 = new Uint8Array(await crypto.subtle.exportKey("pkcs8", pair.privateKey));
    const pub = new Uint8Array(await crypto.subtle.exportKey("raw", pair.publicKey));
    return { privateKey: pair.privateKey, seed: hex(pkcs8.slice(-32)), public: hex(pub) };
  }
  async function sign(key, kind, document) {
    return hex(await crypto.subtle.sign(ED25519, key.privateKey, signingBytes(kind, document)));
  }
  const publicKeys = new Map();
  async function verifyBytes(publicHex, message, signatureHex) {
    if (typeof publicHex !== "string" || !HEX64.test(publicHex) ||
        typeof signatureHex !== "string" || !HEX128.test(signatureHex)) return false;
    try {
      let key = publicKeys.get(publicHex);
      if (!key) {
        key = await crypto.subtle.importKey("raw", unhex(publicHex), ED25519, false, ["verify"]);
        publicKeys.set(publicHex, key);
      }
      return await crypto.subtle.verify(ED25519, key, unhex(signatureHex), message);
    } catch (err) {
      return false;  // not a point on the curve, or the like
    }
  }
  async function verify(publicHex, kind, document, signatureHex) {
    let message;
    try { message = signingBytes(kind, document); } catch (err) { return false; }
    return verifyBytes(publicHex, message, signatureHex);
  }

  // --- receipts --------------------------------------------------------------------------------
  const isObject = (v) => v !== null && typeof v === "object" && !Array.isArray(v);
  const isCount = (v) => Number.isInteger(v) && v >= 0;
  function pick(doc, fields) { return Object.fromEntries(fields.map((f) => [f, doc[f]])); }
  async function headProblems(head, operator) {
    if (!isObject(head)) return ["tree head is not an object"];
    for (const f of ["round", "size", "root", "time", "signature"]) {
      if (!(f in head)) return [`tree head lacks ${f}`];
    }
    if (typeof head.round !== "string" || !isCount(head.size) || typeof head.time !== "string" ||
        typeof head.root !== "string" || !HEX64.test(head.root)) return ["tree head is malformed"];
    if (!await verify(operator, "tree_head", pick(head, ["round", "size", "root", "time"]),
                      head.signature)) return ["tree head is not signed by the operator"];
    return [];
  }
  async function receiptProblems(receipt, operator) {
    if (!isObject(receipt)) return ["receipt is not an object"];
    for (const f of ["round", "index", "entry_hash", "tree_head", "signature"]) {
      if (!(f in receipt)) return [`receipt lacks ${f}`];
    }
    if (typeof receipt.round !== "string" || !isCount(receipt.index) ||
        typeof receipt.entry_hash !== "string" || !HEX64.test(receipt.entry_hash) ||
        !isObject(receipt.tree_head)) return ["receipt is malformed"];
    if (!await verify(operator, "receipt",
                      pick(receipt, ["round", "index", "entry_hash", "tree_head"]),
                      receipt.signature)) return ["receipt is not signed by the operator"];
    const problems = await headProblems(receipt.tree_head, operator);
    if (problems.length) return problems;
    if (receipt.tree_head.round !== receipt.round) {
      return ["receipt and its tree head are for different rounds"];
    }
    if (!(receipt.index < receipt.tree_head.size)) return ["receipt index is not inside its tree head"];
    return [];
  }
  function signedPayload(entry) {
    const out = {};
    for (const [k, v] of Object.entries(entry)) if (k !== "signature" && k !== "received") out[k] = v;
    return out;
  }

  // --- times -----------------------------------------------------------------------------------
  function timeKey(text) {  // comparable text of a UTC time as hurwicz writes it, else null
    const m = typeof text === "string" ? TIME.exec(text) : null;
    return m ? `${m[1]}.${(m[2] || "").padEnd(6, "0")}` : null;
  }
  function timeMs(text) {
    const key = timeKey(text);
    return key === null ? NaN : Date.parse(key.slice(0, 23) + "Z");
  }

  // --- witnesses -------------------------------------------------------------------------------
  // As hurwicz.credible.witness.cosignature_problems: what is wrong with one witness's
  // cosignature of the operator's head (rid, size, root).
  async function cosignatureProblems(cos, rid, size, root) {
    if (!isObject(cos) || Object.keys(cos).sort().join() !== COSIGNATURE_FIELDS.join() ||
        !["round", "root", "time", "witness", "signature"].every((f) => typeof cos[f] === "string")) {
      return ["a cosignature must be an object with round, size, root, time, witness, signature"];
    }
    const by = `the cosignature by ${cos.witness.slice(0, 16)}…`;
    if (cos.round !== rid || cos.size !== size || cos.root !== root) return [`${by} is for another tree head`];
    if (!await verify(cos.witness, "cosignature", pick(cos, ["round", "size", "root", "time"]),
                      cos.signature)) return [`${by} does not verify`];
    if (timeKey(cos.time) === null) return [`cosignature.time: ${JSON.stringify(cos.time).slice(0, 80)} is not a UTC time`];
    return [];
  }
  // As hurwicz.credible.witness.check_cosignatures: at least quorum valid cosignatures of the
  // head by distinct witnesses named in the rules, each made (witness clock) no earlier than the
  // commit deadline. Empty if they are enough.
  async function cosignaturesProblems(witnesses, rid, size, root, cosignatures, deadline) {
    if (!Array.isArray(cosignatures)) return ["cosignatures must be a list"];
    const named = new Set(isObject(witnesses) && Array.isArray(witnesses.keys) ? witnesses.keys : []);
    const quorum = isObject(witnesses) && Number.isInteger(witnesses.quorum) ? witnesses.quorum : Infinity;
    const good = new Set();
    const problems = [];
    for (const cos of cosignatures) {
      let found = await cosignatureProblems(cos, rid, size, root);
      if (!found.length && !named.has(cos.witness)) {
        found = [`the cosignature by ${cos.witness.slice(0, 16)}… is not by a named witness`];
      }
      if (!found.length && timeKey(cos.time) < timeKey(deadline)) {
        found = [`the cosignature by ${cos.witness.slice(0, 16)}… was made at ${cos.time}, ` +
                 "before the commit deadline"];
      }
      if (found.length) problems.push(...found);
      else good.add(cos.witness);
    }
    if (good.size < quorum) {
      return [`${isObject(witnesses) ? witnesses.quorum : "?"} of the named witnesses must cosign, ` +
              `but ${good.size} valid cosignatures are given`, ...problems];
    }
    return [];
  }
  // Before a reveal in a witnessed round (as hurwicz.credible.client.check_phase_closed): the
  // entry at `index` of the transcript must close the commit phase at a head cosigned by a
  // quorum of the named witnesses, and that head must hold our commit (its Merkle root is
  // recomputed here from the transcript's first entries, and our receipted leaf is among them).
  async function phaseProblems(rules, rid, entries, index, commitReceipt) {
    const entry = Array.isArray(entries) && Number.isInteger(index) ? entries[index] : undefined;
    if (!isObject(entry) || entry.kind !== "phase") return [`entry #${index} does not close the commit phase`];
    const problems = await cosignaturesProblems(rules.witnesses, rid, entry.size, entry.root,
                                                entry.cosignatures, rules.schedule.commit_deadline);
    if (problems.length) return [`the commit phase's close is not witnessed: ${problems[0]}`];
    const size = entry.size;
    const at = isObject(commitReceipt) ? commitReceipt.index : undefined;
    let inside = false;
    if (Number.isInteger(size) && size <= entries.length && isCount(at) && at < size) {
      try {
        const tree = await HashedTree.build(await Promise.all(entries.slice(0, size).map(entryLeaf)));
        inside = hex(await tree.root()) === entry.root && hex(tree.leaves[at]) === commitReceipt.entry_hash;
      } catch (err) { inside = false; }  // an entry with no canonical form
    }
    if (!inside) return ["our commit is not in the witnessed head that closed the commit phase"];
    return [];
  }

  const signatureCache = new Map();  // leaf hash hex -> whether the entry's signature is valid

  // --- verifying a transcript ------------------------------------------------------------------
  // Returns {ok, violations: [{kind, where, message}], root, size, closed, outcome, signatures}.
  async function verifyTranscript(transcript, receipts = []) {
    const violations = [];
    const report = { ok: false, violations, root: null, size: 0, closed: false, outcome: null,
                     signatures: [], phase: null, phaseIndex: null };
    const add = (kind, where, message) => violations.push({ kind, where, message });
    if (!isObject(transcript) || transcript.format !== TRANSCRIPT_FORMAT) {
      add("format", "transcript", `not a ${TRANSCRIPT_FORMAT} document`);
      return report;
    }
    const { entries, operator, tree_head: head } = transcript;
    if (!Array.isArray(entries) || entries.length === 0 || typeof operator !== "string" ||
        !HEX64.test(operator) || !isObject(head)) {
      add("format", "transcript", "a transcript needs entries, the operator key and a signed " +
          "tree head");
      return report;
    }
    report.size = entries.length;
    // leaves: every entry must have a canonical form
    const leaves = [];
    const broken = new Set();
    for (let i = 0; i < entries.length; i++) {
      try {
        leaves.push(await entryLeaf(entries[i]));
      } catch (err) {
        broken.add(i);
        leaves.push(await sha256(utf8("\u0002not canonical JSON")));
        add("entry", `entry #${i}`, `has no canonical JSON form: ${err.message}`);
      }
    }
    const tree = await HashedTree.build(leaves);
    report.root = hex(await tree.root());

    // the rules
    const first = entries[0];
    let rules = null;
    let rid = null;
    if (broken.has(0)) {
      // reported above
    } else if (!isObject(first) || first.kind !== "rules" || !isObject(first.rules)) {
      add("rules", "entry #0", "the first entry must publish the rules");
    } else {
      rules = first.rules;
      rid = await roundId(rules);
      if (transcript.round !== rid || first.round !== rid) {
        add("tampering", "entry #0 (rules)", `the rules hash to round ${rid} but the log is ` +
            `for round ${String(transcript.round).slice(0, 80)}: the published rules were altered`);
      }
      if (first.rules_hash !== rid.slice(1)) add("rules", "entry #0", "rules_hash is not the hash of the rules");
      if (rules.operator !== operator) {
        add("rules", "entry #0", "the rules name another operator key than the transcript");
      }
      if (!isObject(rules.schedule) || timeKey(rules.schedule.commit_deadline) === null ||
          timeKey(rules.schedule.reveal_deadline) === null) {
        add("rules", "entry #0", "the rules have no schedule of UTC times");
        rules = null;
      }
    }

    // replay the entries under the rules
    if (rules) {
      const commitDeadline = timeKey(rules.schedule.commit_deadline);
      const revealDeadline = timeKey(rules.schedule.reveal_deadline);
      const eligible = rules.eligibility === "open" ? null
        : new Set(isObject(rules.eligibility) && Array.isArray(rules.eligibility.keys)
          ? rules.eligibility.keys : []);
      const commits = new Map();  // participant -> entry
      const names = new Map();  // name -> participant
      const reveals = new Map();
      const witnesses = rules.witnesses;  // witnessed round: the commit phase closes at a cosigned head
      const witnessed = witnesses !== undefined && witnesses !== null;  // as RoundState
      let last = timeKey(first.received);
      for (let i = 1; i < entries.length; i++) {
        if (broken.has(i)) continue;
        const entry = entries[i];
        const where = `entry #${i}` + (isObject(entry) && typeof entry.kind === "string"
          ? ` (${entry.kind.slice(0, 20)})` : "");
        const refuse = (kind, message) => add(kind, where, message);
        if (!isObject(entry)) { refuse("entry", "is not a JSON object"); continue; }
        if (report.closed) { refuse("entry", "comes after the close entry"); continue; }
        const when = timeKey(entry.received);
        if (when === null) { refuse("entry", "received is not a UTC time"); continue; }
        if (last !== null && when < last) { refuse("clock", "time goes backwards in the log"); continue; }
        last = when;
        if (entry.kind === "commit" || entry.kind === "reveal") {
          const fields = entry.kind === "commit" ? COMMIT_FIELDS : REVEAL_FIELDS;
          const keys = Object.keys(entry).filter((k) => k !== "received").sort();
          if (keys.join() !== fields.join()) {
            refuse("entry", `has the fields ${keys.join(", ")}, not ${fields.join(", ")}`);
            continue;
          }
          if (entry.round !== rid) { refuse("replay", `signed for another round`); continue; }
          const p = entry.participant;
          if (typeof p !== "string" || !HEX64.test(p)) {
            refuse("entry", "participant is not a 64-hex public key"); continue;
          }
          // a signature's validity depends on the entry alone: remember it by the leaf hash,
          // so that watching a growing log checks each signature once
          const leafKey = hex(leaves[i]);
          let good = signatureCache.get(leafKey);
          if (good === undefined) {
            good = await verify(p, entry.kind, signedPayload(entry), entry.signature);
            signatureCache.set(leafKey, good);
          }
          report.signatures[i] = good;
          if (!good) { refuse("signature", "not a valid signature by the participant's key"); continue; }
          if (eligible && !eligible.has(p)) { refuse("eligibility", "the participant is not eligible"); continue; }
          if (entry.kind === "commit") {
            if (report.phase) {
              refuse("last_look", "a commit logged after the commit phase closed at the witnessed " +
                     `head of size ${report.phase.size} (entry #${report.phaseIndex}): a late or shill commit`);
              continue;
            }
            if (when > commitDeadline) { refuse("deadline", "late commit: after the commit deadline"); continue; }
            if (commits.has(p)) { refuse("duplicate", "the participant has already committed"); continue; }
            if (typeof entry.name !== "string" || !NAME.test(entry.name)) { refuse("entry", "bad name"); continue; }
            if (names.has(entry.name)) { refuse("duplicate", `the name ${entry.name} is taken`); continue; }
            if (typeof entry.commitment !== "string" || !HEX64.test(entry.commitment)) {
              refuse("entry", "the commitment is not 64 hex digits"); continue;
            }
            commits.set(p, entry);
            names.set(entry.name, p);
          } else {
            if (when <= commitDeadline) { refuse("deadline", "early reveal: before the commit deadline"); continue; }
            if (when > revealDeadline) { refuse("deadline", "late reveal: after the reveal deadline"); continue; }
            if (witnessed && !report.phase) {
              refuse("phase", "early reveal: the commit phase has not closed at a witnessed tree head yet");
              continue;
            }
            if (!commits.has(p)) { refuse("entry", "the participant has no commitment"); continue; }
            if (reveals.has(p)) { refuse("duplicate", "the participant has already revealed"); continue; }
            let expected = null;
            try {
              if (typeof entry.salt === "string") expected = await commitment(rid, entry.report, entry.salt);
            } catch (err) { /* no canonical form: cannot match */ }
            if (expected !== commits.get(p).commitment) {
              refuse("commitment", "report and salt do not match the commitment"); continue;
            }
            reveals.set(p, entry);
          }
        } else if (entry.kind === "phase") {
          // as RoundState.check_phase; the root is checked against the log below
          if (!witnessed) { refuse("entry", "a phase entry in a round whose rules name no witnesses"); continue; }
          const keys = Object.keys(entry).filter((k) => k !== "received").sort();
          if (keys.join() !== PHASE_FIELDS.join()) {
            refuse("phase", `must have exactly the fields ${PHASE_FIELDS.join(", ")} and received`); continue;
          }
          if (report.phase) { refuse("phase", "the commit phase is already closed"); continue; }
          if (entry.round !== rid || entry.phase !== "reveal") {
            refuse("phase", "must open the reveal phase of this round"); continue;
          }
          if (!Number.isInteger(entry.size) || entry.size !== i) {
            refuse("phase", `closes the commit phase at size ${JSON.stringify(entry.size)}, but ` +
                   `stands at index ${i}`);
            continue;
          }
          if (typeof entry.root !== "string" || !HEX64.test(entry.root)) {
            refuse("phase", "root must be 64 hex digits"); continue;
          }
          const problems = await cosignaturesProblems(witnesses, rid, entry.size, entry.root,
                                                      entry.cosignatures, rules.schedule.commit_deadline);
          report.signatures[i] = problems.length === 0;
          if (problems.length) { refuse("phase", problems.join("; ")); continue; }
          report.phase = entry;
          report.phaseIndex = i;
        } else if (entry.kind === "close") {
          if (entry.round !== rid) { refuse("entry", "the close entry is for another round"); continue; }
          if (witnessed && !report.phase) {
            refuse("phase", "too early to close: the commit phase has not closed at a witnessed tree head");
            continue;
          }
          const early = when < revealDeadline &&
            !(when > commitDeadline && reveals.size === commits.size);
          if (early) { refuse("deadline", "closed too early"); continue; }
          const revealed = [...commits].filter(([p]) => reveals.has(p)).map(([, c]) => c.name).sort();
          const unrevealed = [...commits].filter(([p]) => !reveals.has(p)).map(([, c]) => c.name).sort();
          const same = (a, b) => Array.isArray(a) && a.length === b.length && a.every((x, k) => x === b[k]);
          if (!same(entry.revealed, revealed) || !same(entry.unrevealed, unrevealed)) {
            refuse("outcome", `the close entry lists revealed ${JSON.stringify(entry.revealed)} ` +
                   `but the log shows ${JSON.stringify(revealed)}`);
            continue;
          }
          if (canonicalText(entry.unrevealed_rule ?? null) !== canonicalText(rules.unrevealed ?? null)) {
            refuse("outcome", "the close entry applies another rule for unrevealed commitments");
            continue;
          }
          report.closed = true;
          report.outcome = entry.outcome ?? null;
        } else {
          refuse("entry", `unknown entry kind ${JSON.stringify(entry.kind)}`);
        }
      }
    }

    // the head the witnesses cosigned when the commit phase closed must be this log's prefix
    if (report.phase && hex(await tree.root(report.phase.size)) !== report.phase.root) {
      add("last_look", `entry #${report.phaseIndex} (phase)`, `the witnesses cosigned a head of ` +
          `size ${report.phase.size} whose root is not the root of this log's first entries: ` +
          "entries before the close of the commit phase were inserted, altered or removed after it");
    }

    // the signed tree head
    const headIssues = await headProblems(head, operator);
    if (headIssues.length) {
      add("tree_head", "transcript", headIssues[0]);
    } else {
      if (rid !== null && head.round !== rid) add("tree_head", "transcript", "the signed tree head is for another round");
      if (head.size > entries.length) {
        add("tree_head", "transcript", `the signed tree head covers ${head.size} entries but the ` +
            `transcript has ${entries.length}: entries were removed`);
      } else {
        if (head.size < entries.length) {
          add("tree_head", "transcript", `the signed tree head covers ${head.size} entries but ` +
              `the transcript has ${entries.length}: entries #${head.size} on are not signed`);
        }
        if (hex(await tree.root(head.size)) !== head.root) {
          add("merkle", "transcript", "the entries do not hash to the signed root: an entry was " +
              "altered, removed, reordered or inserted");
        }
      }
    }

    // the receipts this participant holds
    for (let j = 0; j < receipts.length; j++) {
      const r = receipts[j];
      const where = `receipt ${j}`;
      const problems = await receiptProblems(r, operator);
      if (problems.length) { add("receipt", where, problems[0]); continue; }
      if (rid !== null && r.round !== rid) { add("receipt", where, "is for another round"); continue; }
      const { index } = r;
      const size = r.tree_head.size;
      if (!(index < tree.size && hex(tree.leaves[index]) === r.entry_hash)) {
        const moved = tree.leaves.findIndex((leaf) => hex(leaf) === r.entry_hash);
        if (moved >= 0) add("reordered", where, `receipted entry #${index} is at #${moved} instead`);
        else {
          add("censorship", where, `entry #${index} receipted at ${r.tree_head.time} (leaf ` +
              `${r.entry_hash.slice(0, 16)}…) is missing from the transcript`);
        }
      }
      if (size > tree.size) {
        add("censorship", where, `its signed tree head (size ${size}, ${r.tree_head.time}) is ` +
            `longer than the transcript (${tree.size} entries): entries were removed`);
      } else if (hex(await tree.root(size)) !== r.tree_head.root) {
        add("fork", where, `the tree head of size ${size} signed at ${r.tree_head.time} is not ` +
            "a prefix of this transcript: the operator rewrote history");
      }
    }
    report.ok = violations.length === 0;
    return report;
  }

  // Exposed for the console and for tests that cross-check the bytes with Python.
  const api = {
    parseJSON, canonicalText, canonicalBytes, sha256Hex, documentHash, roundId, commitment, signingBytes,
    merkleRoot, entryLeaf, importSeed, generateKey, sign, verify, verifyBytes, receiptProblems,
    cosignatureProblems, cosignaturesProblems, phaseProblems, verifyTranscript, hex, unhex, timeMs,
  };
  window.hurwicz = api;

  // ===========================================================================================
  // The page
  // ===========================================================================================
  if (typeof document === "undefined" || !document.getElementById("participant")) return;
  const $ = (id) => document.getElementById(id);
  const page = { key: null, round: null, rules: null, rulesOk: false, status: null,
                 operator: null, state: null, transcript: null, watching: null };

  function log(message, bad = false) {
    const line = document.createElement("div");
    line.textContent = `${new Date().toISOString().slice(11, 19)} ${message}`;
    if (bad) line.className = "bad";
    $("log").prepend(line);
  }
  function setState(el, state, text) { el.dataset.state = state; el.textContent = text; }
  function download(filename, text) {
    const url = URL.createObjectURL(new Blob([text], { type: "application/json" }));
    const a = document.createElement("a");
    a.href = url;
    a.download = filename;
    document.body.appendChild(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 60000);
  }
  async function call(method, path, body) {
    const init = { method, headers: { accept: "application/json" }, cache: "no-store" };
    if (body !== undefined) {
      init.headers["content-type"] = "application/json";
      init.body = canonicalText(body);
    }
    const answer = await fetch(path, init);
    let data = null;
    try { data = parseJSON(await answer.text()); } catch (err) { /* not JSON */ }
    if (!answer.ok) {
      const e = data && data.error;
      const text = e ? `${e.field ? e.field + ": " : ""}${e.message}` : `HTTP ${answer.status}`;
      const err = new Error(text);
      err.status = answer.status;
      throw err;
    }
    return data;
  }
  const short = (text) => (typeof text === "string" ? text.slice(0, 12) + "…" : String(text));

  // --- key -------------------------------------------------------------------------------------
  const KEY_STORE = "hurwicz.key";
  async function useKey(key, how) {
    page.key = key;
    localStorage.setItem(KEY_STORE, key.seed);
    $("public-key").textContent = key.public;
    $("key-download").disabled = false;
    log(`${how} key ${short(key.public)}`);
    await loadState();
  }
  $("keygen").addEventListener("click", async () => {
    try { await useKey(await generateKey(), "generated"); } catch (err) { log(`cannot make a key: ${err.message}`, true); }
  });
  $("key-download").addEventListener("click", () => {
    if (page.key) download(`hurwicz-${page.key.public.slice(0, 8)}.key`, page.key.seed + "\n");
  });
  $("key-file").addEventListener("change", async (event) => {
    const file = event.target.files[0];
    if (!file) return;
    try { await useKey(await importSeed(await file.text()), "loaded"); } catch (err) { log(`not a key file: ${err.message}`, true); }
  });

  // --- rules -----------------------------------------------------------------------------------
  async function loadRound(rid) {
    rid = rid.trim();
    page.round = rid;
    page.rules = null;
    page.rulesOk = false;
    $("round-id").value = rid;
    history.replaceState(null, "", `#round=${encodeURIComponent(rid)}`);
    setState($("rules-check"), "busy", "Loading the rules…");
    try {
      const status = await call("GET", `/v1/rounds/${encodeURIComponent(rid)}`);
      const hash = await roundId(status.rules);
      page.status = status;
      page.rules = status.rules;
      $("rules").textContent = JSON.stringify(status.rules, null, 2);
      $("rules-hash").textContent = hash.slice(1);
      $("phase").textContent = status.phase;
      $("commit-deadline").textContent = status.rules.schedule.commit_deadline;
      $("reveal-deadline").textContent = status.rules.schedule.reveal_deadline;
      page.rulesOk = hash === rid && status.round === rid;
      if (page.rulesOk) {
        setState($("rules-check"), "ok", `OK: the rules hash to the round id (${rid.slice(0, 17)}…)`);
      } else {
        setState($("rules-check"), "bad", `WARNING: these rules hash to ${hash}, not to the round ` +
                 `id ${rid}. The server or a proxy rewrote them: do not commit.`);
      }
      $("outcome").textContent = status.outcome ? JSON.stringify(status.outcome, null, 2) : "–";
    } catch (err) {
      setState($("rules-check"), "bad", `Cannot load round ${rid}: ${err.message}`);
    }
    await loadState();
  }
  $("load-round").addEventListener("click", () => loadRound($("round-id").value));
  $("round-list").addEventListener("change", (event) => { if (event.target.value) loadRound(event.target.value); });

  // --- participant state (the salt!) -----------------------------------------------------------
  const stateKey = () => `hurwicz.state.${page.round}.${page.key.public}`;
  function saveState() {
    localStorage.setItem(stateKey(), canonicalText(page.state));
    $("state-download").disabled = false;
    $("receipts-download").disabled = !page.state.receipts.length;
  }
  function storedReceipts(rid) {  // every receipt this browser holds for round rid
    const out = [];
    for (let i = 0; i < localStorage.length; i++) {
      const name = localStorage.key(i);
      if (name.startsWith(`hurwicz.state.${rid}.`)) {
        try { out.push(...parseJSON(localStorage.getItem(name)).receipts); } catch (err) { /* skip */ }
      }
    }
    return out;
  }
  async function loadState() {
    page.state = null;
    if (page.key && page.round) {
      const text = localStorage.getItem(stateKey());
      if (text) page.state = parseJSON(text);
    }
    $("state-download").disabled = !page.state;
    $("receipts-download").disabled = !(page.state && page.state.receipts.length);
    if (page.state) {
      $("name").value = page.state.name;
      $("report").value = canonicalText(page.state.report);
    }
    await showReceipts();
    updateButtons();
  }
  function updateButtons() {
    const s = page.state;
    $("commit").disabled = !(page.key && page.rulesOk) || Boolean(s && s.receipts.length);
    $("reveal").disabled = !(page.key && page.rulesOk && s && s.receipts.length === 1);
  }
  async function showReceipts() {
    const body = $("receipts").tBodies[0];
    body.replaceChildren();
    if (!page.state) return;
    for (const r of page.state.receipts) {
      const problems = await receiptProblems(r, page.state.operator);
      const row = body.insertRow();
      row.insertCell().textContent = r.index;
      row.insertCell().textContent = short(r.entry_hash);
      row.insertCell().textContent = `size ${r.tree_head && r.tree_head.size}, ${r.tree_head && r.tree_head.time}`;
      const cell = row.insertCell();
      cell.className = problems.length ? "bad" : "ok";
      cell.textContent = problems.length ? problems[0] : "signed by the operator";
    }
  }
  function participantStatus(state, text) { setState($("participant-status"), state, text); }
  $("state-download").addEventListener("click", () => {
    if (page.state) download(`hurwicz-state-${page.state.name}.json`, canonicalText(page.state) + "\n");
  });
  $("receipts-download").addEventListener("click", () => {
    if (page.state) {
      download(`hurwicz-receipts-${page.state.name}.json`,
               canonicalText({ receipts: page.state.receipts }) + "\n");
    }
  });
  $("state-file").addEventListener("change", async (event) => {
    const file = event.target.files[0];
    if (!file) return;
    try {
      const saved = parseJSON(await file.text());
      for (const f of ["round", "name", "participant", "operator", "report", "salt", "receipts"]) {
        if (!(f in saved)) throw new Error(`lacks ${f}`);
      }
      if (!page.key || saved.participant !== page.key.public) throw new Error("load the key that committed first");
      if (saved.round !== page.round) await loadRound(saved.round);
      page.state = saved;
      saveState();
      await loadState();
      log(`loaded the state of ${saved.name}`);
    } catch (err) { log(`not a state file: ${err.message}`, true); }
  });

  // Check an answer to a submission: the entry is the one sent, the receipt is signed by the
  // operator the rules name and is for exactly that entry.
  async function checkAnswer(answer, sent) {
    if (!isObject(answer) || !isObject(answer.entry)) throw new Error("the server's answer holds no entry");
    if (canonicalText(signedPayload(answer.entry)) !== canonicalText(signedPayload(sent))) {
      throw new Error("the server logged a different entry than the one sent");
    }
    const problems = await receiptProblems(answer.receipt, page.state.operator);
    if (problems.length) throw new Error(problems[0]);
    if (answer.receipt.entry_hash !== hex(await entryLeaf(answer.entry))) {
      throw new Error("the receipt is for another entry");
    }
    return answer.receipt;
  }
  async function submit(kind, body) {
    const answer = await call("POST", `/v1/rounds/${encodeURIComponent(page.round)}/${kind}s`, body);
    return checkAnswer(answer, body);
  }

  $("commit").addEventListener("click", async () => {
    try {
      if (!page.key) throw new Error("make or load a key first");
      if (!page.rulesOk) throw new Error("the rules do not hash to the round id: not committing");
      const name = $("name").value.trim() || page.key.public.slice(0, 12);
      if (!NAME.test(name)) throw new Error("the name must be 1-64 characters from A-Z a-z 0-9 _ . -");
      let report;
      try { report = parseJSON($("report").value); } catch (err) { throw new Error(`the report is not JSON: ${err.message}`); }
      canonicalText(report);
      const rules = page.rules;
      if (rules.eligibility !== "open" && !rules.eligibility.keys.includes(page.key.public)) {
        throw new Error("this key is not eligible in this round");
      }
      if (Date.now() > timeMs(rules.schedule.commit_deadline)) throw new Error("the commit deadline has passed");
      let s = page.state;
      if (!s) {
        const salt = randomHex(32);
        const body = { kind: "commit", round: page.round, participant: page.key.public, name,
                       commitment: await commitment(page.round, report, salt) };
        body.signature = await sign(page.key, "commit", body);
        s = page.state = { server: location.origin, round: page.round, name,
                           participant: page.key.public, operator: rules.operator, report, salt,
                           commit: body, receipts: [] };
        saveState();  // before sending: the salt is never lost
      } else if (canonicalText(s.report) !== canonicalText(report)) {
        throw new Error("this browser already holds a commitment to another report in this round");
      }
      participantStatus("busy", "Committing…");
      s.receipts = [await submit("commit", s.commit)];
      saveState();
      await showReceipts();
      participantStatus("ok", `Committed as ${s.name}: receipt for entry #${s.receipts[0].index}. ` +
                        "Keep the salt (download it) until you reveal.");
      log(`commit receipted at #${s.receipts[0].index}`);
    } catch (err) {
      participantStatus("bad", `Commit failed: ${err.message}`);
      log(`commit failed: ${err.message}`, true);
    }
    updateButtons();
  });

  $("reveal").addEventListener("click", async () => {
    try {
      const s = page.state;
      if (!s || !s.receipts.length) throw new Error("commit first");
      const rules = page.rules;
      if (Date.now() <= timeMs(rules.schedule.commit_deadline)) {
        throw new Error(`reveals open after the commit deadline ${rules.schedule.commit_deadline}; nothing was sent`);
      }
      const status = await call("GET", `/v1/rounds/${encodeURIComponent(page.round)}`);
      $("phase").textContent = status.phase;
      if (status.rules.operator !== s.operator) throw new Error("the rules now name another operator");
      if (status.phase !== "reveal") throw new Error(`the round is in phase ${status.phase}, not reveal; nothing was sent`);
      if (rules.witnesses !== undefined) {
        // a witnessed round: reveal only once a quorum of witnesses has cosigned a head, after
        // the deadline, that holds our commit (else the operator could read the reveal and
        // still slip in a shill commit)
        const index = status.commit_phase_closed_at;
        if (!Number.isInteger(index)) {
          throw new Error("the commit phase has not closed at a witnessed tree head yet; nothing was sent");
        }
        const t = await call("GET", `/v1/rounds/${encodeURIComponent(page.round)}/transcript`);
        const problems = await phaseProblems(rules, page.round, isObject(t) ? t.entries : null,
                                             index, s.receipts[0]);
        if (problems.length) throw new Error(`${problems[0]}; nothing was sent`);
      }
      const body = { kind: "reveal", round: s.round, participant: s.participant, report: s.report,
                     salt: s.salt };
      body.signature = await sign(page.key, "reveal", body);
      participantStatus("busy", "Revealing…");
      s.receipts.push(await submit("reveal", body));
      saveState();
      await showReceipts();
      participantStatus("ok", `Revealed: receipt for entry #${s.receipts[1].index}.`);
      log(`reveal receipted at #${s.receipts[1].index}`);
    } catch (err) {
      participantStatus("bad", `Reveal failed: ${err.message}`);
      log(`reveal failed: ${err.message}`, true);
    }
    updateButtons();
  });

  // --- observer --------------------------------------------------------------------------------
  async function showVerification(transcript, source) {
    const rid = typeof transcript.round === "string" ? transcript.round : page.round;
    const receipts = rid ? storedReceipts(rid) : [];
    const report = await verifyTranscript(transcript, receipts);
    page.transcript = transcript;
    page.lastReport = report;
    $("transcript-download").disabled = false;
    $("size").textContent = report.size;
    $("root").textContent = report.root || "–";
    $("checked-at").textContent = `${new Date().toISOString()} (${source})`;
    const held = receipts.length ? `, ${receipts.length} receipt(s) of this browser checked` : "";
    if (report.ok) {
      setState($("verdict"), "ok", `OK: ${report.size} entries, Merkle root and every signature ` +
               `recomputed here${held}${report.closed ? ", round closed" : ""}`);
    } else {
      const v = report.violations[0];
      setState($("verdict"), "bad", `VIOLATION ${v.kind}: ${v.where}: ${v.message}` +
               (report.violations.length > 1 ? ` (and ${report.violations.length - 1} more)` : ""));
    }
    const list = $("violations");
    list.replaceChildren(...report.violations.map((v) => {
      const li = document.createElement("li");
      li.textContent = `${v.kind}: ${v.where}: ${v.message}`;
      return li;
    }));
    const body = $("entries").tBodies[0];
    body.replaceChildren();
    const names = new Map();  // participant -> the name it committed under
    (Array.isArray(transcript.entries) ? transcript.entries : []).forEach((e, i) => {
      if (isObject(e) && e.kind === "commit" && !names.has(e.participant)) names.set(e.participant, e.name);
      const row = body.insertRow();
      row.insertCell().textContent = i;
      row.insertCell().textContent = isObject(e) ? String(e.kind) : "?";
      row.insertCell().textContent = !isObject(e) ? "" : String(e.name || names.get(e.participant) ||
                                                               (e.participant ? short(e.participant) : ""));
      row.insertCell().textContent = isObject(e) ? String(e.received) : "";
      const sig = row.insertCell();
      const good = report.signatures[i];
      sig.textContent = good === undefined ? "" : good ? "valid" : "INVALID";
      sig.className = good === false ? "bad" : good ? "ok" : "";
    });
    $("outcome").textContent = report.outcome ? JSON.stringify(report.outcome, null, 2) : "–";
    if (report.closed) $("outcome").parentElement.open = true;
    return report;
  }
  async function poll() {
    if (!page.watching) return;
    try {
      const t = await call("GET", `/v1/rounds/${encodeURIComponent(page.round)}/transcript`);
      await showVerification(t, "live");
    } catch (err) {
      log(`cannot fetch the transcript: ${err.message}`, true);
    }
    if (page.watching) page.watching = setTimeout(poll, 2000);
  }
  $("watch").addEventListener("click", () => {
    if (page.watching) {
      clearTimeout(page.watching);
      page.watching = null;
      $("watch").textContent = "Watch the transcript";
      return;
    }
    if (!page.round) { log("load a round first", true); return; }
    page.watching = true;
    $("watch").textContent = "Stop watching";
    poll();
  });
  $("transcript-download").addEventListener("click", () => {
    if (page.transcript) download(`transcript-${String(page.transcript.round).slice(0, 13)}.json`, canonicalText(page.transcript) + "\n");
  });
  $("transcript-file").addEventListener("change", async (event) => {
    const file = event.target.files[0];
    if (!file) return;
    if (page.watching) $("watch").click();
    try {
      await showVerification(parseJSON(await file.text()), file.name);
    } catch (err) {
      setState($("verdict"), "bad", `VIOLATION format: ${file.name}: not JSON: ${err.message}`);
    }
  });

  // --- start -----------------------------------------------------------------------------------
  async function start() {
    const warn = (text) => { const w = $("env-warning"); w.hidden = false; w.textContent = text; };
    if (!window.isSecureContext || !crypto.subtle) {
      warn("This page needs a secure context for WebCrypto: open it over HTTPS, or over plain " +
           "HTTP only at 127.0.0.1 or localhost.");
    } else {
      try {
        await crypto.subtle.generateKey(ED25519, false, ["sign", "verify"]);
      } catch (err) {
        warn("This browser has no Ed25519 in WebCrypto (it has: Chrome/Chromium 137, Firefox " +
             "129, Safari 17 and later): it can neither sign nor check signatures.");
      }
    }
    try {
      const info = await call("GET", "/v1/info");
      page.operator = info.operator;
      $("operator").textContent = info.operator;
      $("version").textContent = info.version;
      const list = await call("GET", "/v1/rounds");
      for (const rid of list.rounds) {
        const option = document.createElement("option");
        option.value = option.textContent = rid;
        $("round-list").appendChild(option);
      }
    } catch (err) {
      log(`cannot reach the server: ${err.message}`, true);
    }
    const seed = localStorage.getItem(KEY_STORE);
    if (seed) {
      try { await useKey(await importSeed(seed), "restored"); } catch (err) { log(`stored key unusable: ${err.message}`, true); }
    }
    const wanted = new URLSearchParams(location.hash.slice(1)).get("round");
    if (wanted) await loadRound(wanted);
    updateButtons();
    document.body.dataset.ready = "1";
  }
  start();
})();
