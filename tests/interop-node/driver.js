// The one driver of the official sentc client (sentc_wasm 0.15.0) for all of Coffer's tests: Coffer.Interop.Tests,
// Coffer.Client.Tests and Coffer.Cli.Tests all talk to it through OfficialClient.cs next to this file (linked into
// each project). One JSON object per line in, one per line out, in order. The C# side gives every call a timeout
// and kills this process when a call overruns it (a hung wasm call cannot be interrupted from inside Node).
//
// Request:   {"id": 7, "fn": "<export name or driver command>", "args": [...]}
//   argument encodings: {"b64": "..."} -> Uint8Array, {"bigint": "123"} -> BigInt, null -> undefined (an absent
//   optional argument), anything else is passed as it is.
// Response:  {"id": 7, "ok": true, "result": ...}   or   {"id": 7, "ok": false, "error": "<the wasm's error string>"}
//   result encodings: Uint8Array -> base64 string, BigInt -> decimal string, a wasm result class -> an object of its
//   getters (get_head -> "head", get_user_keys -> "user_keys"; the object is freed), Map -> object; arrays and plain
//   objects recursively. The wasm's errors are its JSON strings ({"status":"server_101",...} for a server error).
//   A wasm panic ("RuntimeError: unreachable") leaves the instance unusable: the response carries "fatal": true and
//   the driver exits, so the caller starts a fresh one.
//
// Every wasm export is a command by its own name, with its own arguments: register, login, mfa_login,
// refresh_jwt, init_user, register_device_start, register_device, delete_user, encrypt_symmetric, and the group
// exports (group_create_group, group_invite_user, ...) alike. The exports that talk to a server take its base URL
// as first argument; pass a loopback address (Coffer's test server, or the capture server below).
//
// Driver commands (not wasm exports), the table `commands` below:
//   driver.info                           -> {"version": "<sentc_wasm version>", "node": "<node version>"}
//   driver.capture_start                  -> {"base_url": "http://127.0.0.1:<port>"}: a capture server on loopback
//                                            only, on a random port, for the exports that talk to a server
//   driver.capture_respond [method, path, body]
//                                         -> answer <method> <path> with the JSON text <body> from now on
//                                            (default for every request: {"status":true,"result":"Success"})
//   driver.captured                       -> the requests received since the last call, oldest first:
//                                            [{"method","path","headers":{...},"body":"<text>"}]
//   driver.sleep [ms]                     -> answers after ms milliseconds (the harness's own timeout test)
//   Groups, the parts the JS SDK 0.15 does in plain JavaScript around the wasm (fetch with the user's JWT; a server
//   error is thrown as the wasm's own error string {"status":"server_N","error_message":...}):
//   driver.group_open [base_url, token, jwt, group_id, user_keys, verify_keys?]
//                                         -> GET /group/{id}, every key decrypted with the key it names among
//                                            user_keys ([{group_key_id, private_key}]: the user's keys, or a parent
//                                            group's keys for a child); verify_keys {sign key id: UserVerifyKeyData}
//                                            checks signed keys (client_31 if one fails): {"rank", "keys": [{"id", "key", "private_key",
//                                            "public_key"}] (newest first), "key_string": "[key,…]"}
//   driver.group_accept_invite [base_url, token, jwt, group_id]          -> PATCH /group/{id}/invite
//   driver.group_join_request [base_url, token, jwt, group_id]           -> PATCH /group/{id}/join_req
//   driver.group_kick [base_url, token, jwt, group_id, user_id]          -> DELETE /group/{id}/kick/{user_id}
//   driver.group_key_rotation [base_url, token, jwt, group_id, user_keys, sign_key?, user_id]
//                                         -> group_prepare_key_rotation with the group's newest key (driver.group_open)
//                                            and the newest user public key (user_keys[0]), signed with sign_key when
//                                            given, POST /group/{id}/key_rotation: the new key id
//   driver.group_finish_key_rotation [base_url, token, jwt, group_id, user_keys]
//                                         -> group_pre_done_key_rotation, then group_finish_key_rotation for each
//                                            pending rotation whose previous key the user has (up to 10 rounds, as the
//                                            JS SDK), with the user key the rotation names and user_keys[0] as the
//                                            member's public key: the finished new key ids, oldest first
//
// Adding a command: a wasm export needs nothing here. A helper that is not an export (several steps in one call,
// something the JS SDK does in plain JavaScript) is one entry in `commands`: its name is "driver.<verb>", its
// arguments are the request's args (already JSON values: decode b64 yourself with decodeArgument), it returns (or
// resolves to) anything encodeResult can encode, and it throws to answer {"ok": false}. Document it in the list above.
"use strict";

const http = require("node:http");
const readline = require("node:readline");
const { loadOfficialClient } = require("./official-client");

const { client, version } = loadOfficialClient();

const DEFAULT_ANSWER = JSON.stringify({ status: true, result: "Success" });

const capture = {
  server: null,
  baseUrl: null,
  requests: [],
  answers: new Map(), // "METHOD path" -> JSON text
};

function startCaptureServer() {
  if (capture.server !== null) {
    return Promise.resolve(capture.baseUrl);
  }
  const server = http.createServer((request, response) => {
    const chunks = [];
    request.on("data", (chunk) => chunks.push(chunk));
    request.on("end", () => {
      const path = request.url;
      capture.requests.push({
        method: request.method,
        path,
        headers: request.headers,
        body: Buffer.concat(chunks).toString("utf8"),
      });
      const answer = capture.answers.get(`${request.method} ${path}`) ?? DEFAULT_ANSWER;
      response.writeHead(200, { "content-type": "application/json" });
      response.end(answer);
    });
  });
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    // Loopback only, port chosen by the OS: nothing outside this machine can reach it.
    server.listen(0, "127.0.0.1", () => {
      capture.server = server;
      capture.baseUrl = `http://127.0.0.1:${server.address().port}`;
      resolve(capture.baseUrl);
    });
  });
}

async function api(baseUrl, token, jwt, method, path, body) {
  const response = await fetch(`${baseUrl}/api/v1${path}`, {
    method,
    headers: { "x-sentc-app-token": token, "Content-Type": "application/json", Authorization: `Bearer ${jwt}` },
    body,
  });
  const text = await response.text();
  const answer = JSON.parse(text);
  if (!answer.status) {
    throw JSON.stringify({ status: `server_${answer.err_code}`, error_message: answer.err_msg });
  }
  return text;
}

async function openGroup(baseUrl, token, jwt, groupId, userKeys, verifyKeys) {
  const data = client.group_extract_group_data(await api(baseUrl, token, jwt, "GET", `/group/${groupId}`));
  try {
    const keys = data.get_keys().map((k) => {
      const userKey = userKeys.find((u) => u.group_key_id === k.private_key_id);
      if (userKey === undefined) {
        throw new Error(`driver: no user key ${k.private_key_id}`);
      }
      // With verify keys (sign key id -> UserVerifyKeyData), a signed key is verified as the JS SDK does with verify > 0.
      const verifyKey = verifyKeys && k.signed_by_user_sign_key_id ? verifyKeys[k.signed_by_user_sign_key_id] : undefined;
      const key = client.group_decrypt_key(userKey.private_key, k.key_data, verifyKey);
      try {
        return {
          id: key.get_group_key_id(),
          key: key.get_group_key(),
          private_key: key.get_private_group_key(),
          public_key: key.get_public_group_key(),
        };
      } finally {
        key.free();
      }
    });
    return { rank: data.get_rank(), keys, key_string: `[${keys.map((k) => k.key).join(",")}]` };
  } finally {
    data.free();
  }
}

async function startKeyRotation(baseUrl, token, jwt, groupId, userKeys, signKey, starter) {
  const opened = await openGroup(baseUrl, token, jwt, groupId, userKeys);
  const body = client.group_prepare_key_rotation(opened.keys[0].key, userKeys[0].public_key, signKey ?? undefined, starter);
  return JSON.parse(await api(baseUrl, token, jwt, "POST", `/group/${groupId}/key_rotation`, body)).result.key_id;
}

async function finishKeyRotations(baseUrl, token, jwt, groupId, userKeys) {
  let open = await client.group_pre_done_key_rotation(baseUrl, token, jwt, groupId);
  const finished = [];
  for (let round = 0; round < 10 && open.length > 0; round++) {
    const waiting = [];
    for (const rotation of open) {
      // Re-opened for each rotation: the previous key may be the one the rotation before it brought.
      const previous = (await openGroup(baseUrl, token, jwt, groupId, userKeys)).keys.find((k) => k.id === rotation.pre_group_key_id);
      if (previous === undefined) {
        waiting.push(rotation);
        continue;
      }
      const userKey = userKeys.find((u) => u.group_key_id === rotation.encrypted_eph_key_key_id);
      if (userKey === undefined) {
        throw new Error(`driver: no user key ${rotation.encrypted_eph_key_key_id}`);
      }
      await client.group_finish_key_rotation(
        baseUrl, token, jwt, groupId, rotation.server_output, previous.key, userKeys[0].public_key, userKey.private_key);
      finished.push(rotation.new_group_key_id);
    }
    if (waiting.length === open.length) {
      break;
    }
    open = waiting;
  }
  return finished;
}

const commands = {
  "driver.info": () => ({ version, node: process.version }),
  "driver.capture_start": async () => ({ base_url: await startCaptureServer() }),
  "driver.capture_respond": (method, path, body) => {
    JSON.parse(body); // refuse to serve something that is not JSON
    capture.answers.set(`${method} ${path}`, body);
    return null;
  },
  "driver.captured": () => capture.requests.splice(0, capture.requests.length),
  "driver.sleep": (ms) => new Promise((resolve) => setTimeout(() => resolve(null), ms)),
  "driver.group_open": openGroup,
  "driver.group_accept_invite": async (baseUrl, token, jwt, groupId) => {
    await api(baseUrl, token, jwt, "PATCH", `/group/${groupId}/invite`);
    return null;
  },
  "driver.group_join_request": async (baseUrl, token, jwt, groupId) => {
    await api(baseUrl, token, jwt, "PATCH", `/group/${groupId}/join_req`);
    return null;
  },
  "driver.group_kick": async (baseUrl, token, jwt, groupId, userId) => {
    await api(baseUrl, token, jwt, "DELETE", `/group/${groupId}/kick/${userId}`);
    return null;
  },
  "driver.group_key_rotation": startKeyRotation,
  "driver.group_finish_key_rotation": finishKeyRotations,
};

function decodeArgument(value) {
  if (value === null) {
    return undefined;
  }
  if (typeof value === "object" && !Array.isArray(value)) {
    if (typeof value.b64 === "string") {
      return new Uint8Array(Buffer.from(value.b64, "base64"));
    }
    if (typeof value.bigint === "string") {
      return BigInt(value.bigint);
    }
  }
  return value;
}

function isWasmObject(value) {
  return typeof value === "object" && value !== null && typeof value.free === "function" && "__wbg_ptr" in value;
}

function encodeResult(value) {
  if (value === undefined || value === null) {
    return null;
  }
  if (value instanceof Uint8Array) {
    return Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString("base64");
  }
  if (typeof value === "bigint") {
    return value.toString();
  }
  if (Array.isArray(value)) {
    return value.map(encodeResult);
  }
  if (value instanceof Map) {
    return Object.fromEntries([...value].map(([k, v]) => [String(k), encodeResult(v)]));
  }
  if (isWasmObject(value)) {
    const flat = {};
    for (const name of Object.getOwnPropertyNames(Object.getPrototypeOf(value))) {
      if (name.startsWith("get_") && typeof value[name] === "function") {
        flat[name.slice(4)] = encodeResult(value[name]());
      }
    }
    value.free();
    return flat;
  }
  if (typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, encodeResult(v)]));
  }
  return value;
}

function describeError(error) {
  if (typeof error === "string") {
    return error; // the wasm's errors are JSON strings: {"status": "client_N", "error_message": "..."}
  }
  if (error instanceof Error) {
    return `${error.name}: ${error.message}`;
  }
  return String(error);
}

function send(message) {
  process.stdout.write(JSON.stringify(message) + "\n");
}

async function handle(line) {
  let request;
  try {
    request = JSON.parse(line);
  } catch {
    send({ id: null, ok: false, error: "driver: the request is not JSON" });
    return;
  }
  const { id, fn } = request;
  const args = Array.isArray(request.args) ? request.args : [];
  try {
    const command = commands[fn];
    let result;
    if (command !== undefined) {
      result = await command(...args);
    } else if (typeof fn === "string" && !fn.startsWith("__") && typeof client[fn] === "function") {
      result = await client[fn](...args.map(decodeArgument));
    } else {
      throw new Error(`driver: sentc_wasm ${version} has no export ${fn}`);
    }
    send({ id, ok: true, result: encodeResult(result) });
  } catch (error) {
    if (error instanceof WebAssembly.RuntimeError) {
      send({ id, ok: false, error: describeError(error), fatal: true });
      process.exit(70);
    }
    send({ id, ok: false, error: describeError(error) });
  }
}

// Requests are handled strictly one after the other (the async ones included), so responses come in request order.
let queue = Promise.resolve();
const input = readline.createInterface({ input: process.stdin, crlfDelay: Infinity });
input.on("line", (line) => {
  if (line.trim() !== "") {
    queue = queue.then(() => handle(line));
  }
});
input.on("close", () => {
  queue.then(() => {
    if (capture.server !== null) {
      capture.server.close();
    }
    process.exit(0);
  });
});
