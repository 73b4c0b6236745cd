// A small WASI preview 1 for the browser, written for pipekit's `wasm-build web`.
//
// It provides exactly the imports the module declares (the audit list in the page's
// config). What it can grant: stdio (stdin from a string, stdout/stderr to callbacks),
// args, env, clock and random. The page decides which of those it grants; everything else
// (files, sockets, polling, unknown calls) answers ENOTCAPABLE or EBADF, and each denied
// call is reported once through onDenied.

const ESUCCESS = 0;
const EBADF = 8;
const EINVAL = 28;
const ESPIPE = 70;
const ENOTCAPABLE = 76;

/** Thrown by proc_exit to unwind out of the module with its status. */
export class Exit {
  constructor(code) {
    this.code = code;
  }
}

/**
 * Builds the import object for one run.
 * opts: { imports: [{module, name, capability}], grants: Set of capability names,
 *         args: [string] (argv, argv[0] included), env: [[name, value]],
 *         stdin: Uint8Array, onStdout(text), onStderr(text), onDenied(import, capability) }
 * Returns { imports, setMemory(memory) }.
 */
export function makeWasi(opts) {
  let memory = null;
  const enc = new TextEncoder();
  const dec = { 1: new TextDecoder(), 2: new TextDecoder() };
  const granted = (cap) => opts.grants.has(cap);
  const args = granted("args") ? opts.args : opts.args.slice(0, 1);
  const env = granted("env") ? opts.env.map(([k, v]) => `${k}=${v}`) : [];
  let stdinAt = 0;

  const view = () => new DataView(memory.buffer);
  const bytes = () => new Uint8Array(memory.buffer);

  // argv/environ layout: an array of pointers, then the NUL-terminated strings.
  const sizes = (list) => (countPtr, bufSizePtr) => {
    const v = view();
    v.setUint32(countPtr, list.length, true);
    v.setUint32(bufSizePtr, list.reduce((n, s) => n + enc.encode(s).length + 1, 0), true);
    return ESUCCESS;
  };
  const fill = (list) => (ptrs, buf) => {
    const v = view();
    const b = bytes();
    list.forEach((s, i) => {
      v.setUint32(ptrs + 4 * i, buf, true);
      const e = enc.encode(s);
      b.set(e, buf);
      b[buf + e.length] = 0;
      buf += e.length + 1;
    });
    return ESUCCESS;
  };

  const iovecs = (iovs, len) => {
    const v = view();
    const out = [];
    for (let i = 0; i < len; i++) {
      out.push([v.getUint32(iovs + 8 * i, true), v.getUint32(iovs + 8 * i + 4, true)]);
    }
    return out;
  };

  const impl = {
    args_sizes_get: sizes(args),
    args_get: fill(args),
    environ_sizes_get: sizes(env),
    environ_get: fill(env),
    clock_res_get(id, resPtr) {
      if (id > 1) return EINVAL;
      view().setBigUint64(resPtr, 1000n, true);
      return ESUCCESS;
    },
    clock_time_get(id, _precision, timePtr) {
      let ns;
      if (id === 0) ns = BigInt(Math.round((performance.timeOrigin + performance.now()) * 1e6));
      else if (id === 1) ns = BigInt(Math.round(performance.now() * 1e6));
      else return EINVAL;
      view().setBigUint64(timePtr, ns, true);
      return ESUCCESS;
    },
    random_get(buf, len) {
      const b = bytes();
      for (let at = 0; at < len; at += 65536) {
        crypto.getRandomValues(b.subarray(buf + at, buf + Math.min(len, at + 65536)));
      }
      return ESUCCESS;
    },
    fd_write(fd, iovs, iovsLen, nwrittenPtr) {
      if (fd !== 1 && fd !== 2) return EBADF;
      let n = 0;
      let text = "";
      for (const [ptr, len] of iovecs(iovs, iovsLen)) {
        text += dec[fd].decode(bytes().slice(ptr, ptr + len), { stream: true });
        n += len;
      }
      (fd === 1 ? opts.onStdout : opts.onStderr)(text);
      view().setUint32(nwrittenPtr, n, true);
      return ESUCCESS;
    },
    fd_read(fd, iovs, iovsLen, nreadPtr) {
      if (fd !== 0) return EBADF;
      let n = 0;
      for (const [ptr, len] of iovecs(iovs, iovsLen)) {
        const chunk = opts.stdin.subarray(stdinAt, stdinAt + len);
        bytes().set(chunk, ptr);
        stdinAt += chunk.length;
        n += chunk.length;
        if (chunk.length < len) break;
      }
      view().setUint32(nreadPtr, n, true);
      return ESUCCESS;
    },
    fd_fdstat_get(fd, ptr) {
      if (fd > 2) return EBADF;
      const v = view();
      v.setUint8(ptr, 2); // character device
      v.setUint16(ptr + 2, 0, true);
      v.setBigUint64(ptr + 8, 0xffffffffn, true);
      v.setBigUint64(ptr + 16, 0n, true);
      return ESUCCESS;
    },
    fd_fdstat_set_flags: (fd) => (fd > 2 ? EBADF : ESUCCESS),
    fd_close: (fd) => (fd > 2 ? EBADF : ESUCCESS),
    fd_sync: (fd) => (fd > 2 ? EBADF : ESUCCESS),
    fd_datasync: (fd) => (fd > 2 ? EBADF : ESUCCESS),
    fd_seek: (fd) => (fd > 2 ? EBADF : ESPIPE),
    fd_tell: (fd) => (fd > 2 ? EBADF : ESPIPE),
    // No preopened directories: the first probe ends the module's search for them.
    fd_prestat_get: () => EBADF,
    fd_prestat_dir_name: () => EBADF,
    proc_exit(code) {
      throw new Exit(code);
    },
    sched_yield: () => ESUCCESS,
  };

  // Calls that need a capability: only when the page grants it.
  const needs = {
    args_sizes_get: "args", args_get: "args",
    environ_sizes_get: "env", environ_get: "env",
    clock_res_get: "clock", clock_time_get: "clock",
    random_get: "random",
  };
  // Reported as denied, with the value the shim answers.
  const denials = { args: null, env: null, clock: ENOTCAPABLE, random: ENOTCAPABLE };

  const reported = new Set();
  const deny = (imp, errno) => (...a) => {
    if (!reported.has(imp.name)) {
      reported.add(imp.name);
      opts.onDenied(imp);
    }
    return errno;
  };

  const wasi = {};
  for (const imp of opts.imports) {
    if (imp.module !== "wasi_snapshot_preview1" && imp.module !== "wasi_unstable") continue;
    const cap = needs[imp.name];
    let f = impl[imp.name];
    // args and env are always answered (argv[0] only / empty) so the module still runs.
    if (cap && !granted(cap) && denials[cap] !== null) f = deny(imp, denials[cap]);
    if (cap && !granted(cap) && denials[cap] === null) opts.onDenied(imp);
    if (!f) f = deny(imp, imp.capability === "fs-read" || imp.capability === "fs-write" ? EBADF : ENOTCAPABLE);
    (wasi[imp.module] ??= {})[imp.name] = f;
  }
  return {
    imports: wasi,
    setMemory(m) {
      memory = m;
    },
  };
}
