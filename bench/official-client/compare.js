// Prints the comparison table for bench/run-comparison (Markdown), from
//   - the BenchmarkDotNet JSON reports of bench/Coffer.Crypto.Benchmarks (times in ns),
//   - the JSON summary of bench/official-client/bench.js (times in µs),
//   - the machine-readable output of `openssl speed -evp aes-256-gcm -bytes 16384 -mr`.
// Medians on both sides: BenchmarkDotNet's median iteration, and bench.js's median of ~100 ms batch means (the
// machine is shared; means are pulled up by other people's builds).
//
//   node compare.js <bdn-results-dir> <wasm.json> <openssl.txt>
"use strict";

const fs = require("node:fs");
const path = require("node:path");

const [bdnDir, wasmFile, opensslFile] = process.argv.slice(2);

// ---- C# (BenchmarkDotNet) ------------------------------------------------------------------------------------
const csharp = new Map(); // "Class.Method[Size=n]" -> median µs
for (const file of fs.readdirSync(bdnDir).filter((f) => f.endsWith("-report-full-compressed.json"))) {
  const report = JSON.parse(fs.readFileSync(path.join(bdnDir, file), "utf8"));
  for (const b of report.Benchmarks) {
    if (!b.Statistics) continue;
    const cls = b.Type.split(".").pop();
    const key = `${cls}.${b.Method}${b.Parameters ? `[${b.Parameters}]` : ""}`;
    csharp.set(key, b.Statistics.Median / 1000);
  }
}

// ---- official client -----------------------------------------------------------------------------------------
const wasmReport = JSON.parse(fs.readFileSync(wasmFile, "utf8"));
const wasm = new Map(wasmReport.results.map((r) => [r.name, r.batch_median_us]));
const W = (name) => wasm.get(name);
const C = (name) => csharp.get(name);
const minus = (...xs) => (xs.some((x) => x === undefined) ? undefined : xs.reduce((a, b) => a - b));

// ---- openssl -------------------------------------------------------------------------------------------------
const opensslLine = fs.readFileSync(opensslFile, "utf8").split("\n").find((l) => l.startsWith("+F:"));
const opensslBytesPerSecond = opensslLine ? Number(opensslLine.split(":").pop()) : undefined;

const rows = [
  // label, C# benchmark, official client value, hybrid?, note
  ["AES-256-GCM encrypt 32 B", C("AesGcmBenchmarks.Encrypt[Size=32]"), W("aes_encrypt_32"), false],
  ["AES-256-GCM decrypt 32 B", C("AesGcmBenchmarks.Decrypt[Size=32]"), W("aes_decrypt_32"), false],
  ["AES-256-GCM encrypt 1 KiB", C("AesGcmBenchmarks.Encrypt[Size=1024]"), W("aes_encrypt_1024"), false],
  ["AES-256-GCM decrypt 1 KiB", C("AesGcmBenchmarks.Decrypt[Size=1024]"), W("aes_decrypt_1024"), false],
  ["AES-256-GCM encrypt 1 MiB", C("AesGcmBenchmarks.Encrypt[Size=1048576]"), W("aes_encrypt_1048576"), false],
  ["AES-256-GCM decrypt 1 MiB", C("AesGcmBenchmarks.Decrypt[Size=1048576]"), W("aes_decrypt_1048576"), false],
  ["Hybrid encrypt 32-byte key", C("HybridBenchmarks.EncryptKey32"), W("hybrid_encrypt_key32"), true],
  ["Hybrid decrypt 32-byte key", C("HybridBenchmarks.DecryptKey32"), W("hybrid_decrypt_key32"), true],
  ["Encrypt + hybrid sign 1 KiB", C("HybridBenchmarks.EncryptAndSign1KiB"), W("encrypt_and_sign_1024"), true],
  ["Verify + decrypt 1 KiB", C("HybridBenchmarks.VerifyAndDecrypt1KiB"), W("verify_and_decrypt_1024"), true],
  ["Group create (enc. keygen + hybrid wrap + 3 AES)", C("HybridBenchmarks.GroupCreate"), W("group_create"), true],
  ["User key rotation start (enc. + sign keygen, sign, wraps) ¹", C("HybridBenchmarks.UserKeyRotationStart"),
    minus(W("user_key_rotation_start_http"), W("http_round_trip")), true],
  ["Hybrid encryption key generation ²", C("HybridBenchmarks.GenerateEncryptionKeyPair"),
    minus(W("group_create"), W("hybrid_encrypt_key32")), true],
  ["Hybrid signature key generation ³", C("HybridBenchmarks.GenerateSignatureKeyPair"),
    minus(W("user_key_rotation_start_http"), W("http_round_trip"), W("group_create"), W("encrypt_and_sign_1024"), -W("aes_encrypt_1024")), true],
  ["Argon2id (PasswordKeys.Derive) ⁴", C("Argon2Benchmarks.PasswordKeysDerive"),
    minus(W("argon2_login_http2"), W("http_round_trip"), W("http_round_trip")), false],
  ["Argon2id, libargon2 called directly", C("Argon2Benchmarks.LibArgon2Direct"), undefined, false],
];

const fmt = (x) => (x === undefined || Number.isNaN(x) ? "–" : x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x.toFixed(2));
const lines = [];
lines.push("| Operation | C# µs | official client µs | official / C# |");
lines.push("|---|---:|---:|---:|");
const hybridMisses = [];
for (const [label, c, w, hybrid] of rows) {
  const ratio = c !== undefined && w !== undefined ? w / c : undefined;
  lines.push(`| ${label} | ${fmt(c)} | ${fmt(w)} | ${ratio === undefined ? "–" : `${ratio.toFixed(1)}×`} |`);
  if (hybrid && (ratio === undefined || ratio < 3)) hybridMisses.push(`${label}: ${ratio === undefined ? "not measured" : `${ratio.toFixed(1)}×`}`);
}
lines.push("");
lines.push("¹ official client: `user_key_rotation` minus one loopback HTTP round trip (`delete_user`, no crypto), both measured here.");
lines.push("² official client has no key-generation export: ≈ group create − hybrid encrypt of a 32-byte key (derived).");
lines.push("³ derived: ≈ user key rotation start − group create − (encrypt + sign 1 KiB − AES encrypt 1 KiB).");
lines.push("⁴ official client: `login` against a loopback server answering `Otp` (Argon2id + 2 HTTP round trips) minus 2 round trips.");
lines.push("");

// ---- targets -------------------------------------------------------------------------------------------------
const mib = 1024 * 1024;
const blob = C("AesGcmBenchmarks.EncryptBlob[Size=1048576]");
const data = C("AesGcmBenchmarks.Encrypt[Size=1048576]");
const toMBps = (us) => (us === undefined ? undefined : mib / (us / 1e6) / 1e6);
const opensslMBps = opensslBytesPerSecond === undefined ? undefined : opensslBytesPerSecond / 1e6;
lines.push(`AES-256-GCM 1 MiB throughput: C# blob (SymmetricKey.Encrypt) ${fmt(toMBps(blob))} MB/s, `
  + `C# EncryptedData.Encrypt ${fmt(toMBps(data))} MB/s; openssl speed (16384-byte blocks) ${fmt(opensslMBps)} MB/s `
  + `→ ${blob && opensslMBps ? ((toMBps(blob) / opensslMBps) * 100).toFixed(0) : "–"} % / `
  + `${data && opensslMBps ? ((toMBps(data) / opensslMBps) * 100).toFixed(0) : "–"} % of openssl.`);
const argon = C("Argon2Benchmarks.PasswordKeysDerive");
const argonBase = C("Argon2Benchmarks.LibArgon2Direct");
lines.push(`Argon2id: PasswordKeys.Derive / libargon2 direct = ${argon && argonBase ? (argon / argonBase).toFixed(3) : "–"}.`);
lines.push("");
lines.push("Targets:");
lines.push(`- every hybrid op ≥ 3× faster than the official client: ${hybridMisses.length === 0 ? "MET" : `MISSED for ${hybridMisses.join("; ")}`}`);
const aesShare = blob && opensslMBps ? toMBps(blob) / opensslMBps : undefined;
lines.push(`- AES-256-GCM 1 MiB ≥ 80 % of openssl: ${aesShare === undefined ? "not measured" : aesShare >= 0.8 ? `MET (${(aesShare * 100).toFixed(0)} %)` : `MISSED (${(aesShare * 100).toFixed(0)} %)`}`);
const argonRatio = argon && argonBase ? argon / argonBase : undefined;
lines.push(`- Argon2 no slower than libargon2 (within 3 % noise): ${argonRatio === undefined ? "not measured" : argonRatio <= 1.03 ? `MET (${argonRatio.toFixed(3)})` : `MISSED (${argonRatio.toFixed(3)})`}`);

// ---- where the C# time goes ----------------------------------------------------------------------------------
const parts = [...csharp].filter(([k]) => k.startsWith("HybridPartsBenchmarks."));
if (parts.length > 0) {
  lines.push("");
  lines.push("Where the C# time goes (the halves of the hybrids on their own, 32-byte key / 1 KiB message):");
  lines.push("");
  lines.push("| C# operation | µs |");
  lines.push("|---|---:|");
  for (const [k, v] of parts) lines.push(`| ${k.replace("HybridPartsBenchmarks.", "")} | ${fmt(v)} |`);
}
process.stdout.write(lines.join("\n") + "\n");
