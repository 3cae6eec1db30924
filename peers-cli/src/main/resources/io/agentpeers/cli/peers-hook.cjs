// peers hook for Claude Code, written by `peers install claude-code` (edits are replaced on the next install).
//
//   node peers-hook.cjs SOCKET [--block-claimed]
//       (Claude Code runs it for UserPromptSubmit, Stop, SessionStart, and PreToolUse on file edits)
//
// Reads the hook's input (JSON) on stdin, asks the peers broker at the Unix socket SOCKET which peer this
// session is (method agent_unread: the broker finds the peer whose agent, Claude Code, is an ancestor of
// this process) and how many messages wait unread from whom, and prints Claude Code's hook output. Counts
// and sender names only, never a message body. It fails open: a broker that is down or slow, no peer,
// bad input or any error means exit 0 with no output, within HARD_LIMIT_MS. At a fresh start the MCP server
// has usually not registered yet when SessionStart runs: then it says nothing (on resume, clear and compact
// it names the peer). Stop blocks only when the broker says so (once per newer unread message), and never
// while stop_hook_active is true.
// PreToolUse (Edit, Write, MultiEdit, NotebookEdit) asks agent_claims whether another live peer claims the
// file about to be edited, and tells the agent who, until when and their note (additionalContext); with
// --block-claimed it denies the edit instead, the reason saying the same. A file nobody else claims: silence.
// No dependencies: Node's own modules only. CommonJS, not an ES module: an ES module costs Node its ESM
// loader at every start (a few ms of every prompt and every stop here).

"use strict";

const fs = require("node:fs");
const net = require("node:net");
const nodePath = require("node:path");

const HARD_LIMIT_MS = 900;
const PROTOCOL = 1;
const MAX_NAMES = 5;
const MAX_NAME_CHARS = 32;
const MAX_NOTE_CHARS = 120;
const MAX_CLAIMS_SHOWN = 3;
const EDIT_TOOLS = ["Edit", "Write", "MultiEdit", "NotebookEdit"];

const quit = () => process.exit(0);
setTimeout(quit, HARD_LIMIT_MS);
process.on("uncaughtException", quit);
process.on("unhandledRejection", quit);
process.stdout.on("error", quit);

/** Text another peer chose, made safe for a model and a terminal: letters, digits, '.', '_', '-' only, capped. */
function clean(text) {
  const kept = String(text ?? "").replace(/[^\p{L}\p{N}._-]/gu, "").slice(0, MAX_NAME_CHARS);
  return kept.length > 0 ? kept : "?";
}

/** A peer's note, as data on one line: control, format and bidi characters become spaces; quotes are escaped. */
function cleanNote(text) {
  const line = String(text ?? "").replace(/[\p{C}\u2028\u2029]/gu, " ").replace(/\s+/g, " ").trim();
  const cut = line.length > MAX_NOTE_CHARS ? line.slice(0, MAX_NOTE_CHARS) + "..." : line;
  return cut.replace(/\\/g, "\\\\").replace(/"/g, '\\"');
}

/** A claimed path as the broker normalised it: printable, capped. */
function cleanPath(text) {
  return String(text ?? "").replace(/[\p{C}]/gu, "?").slice(0, 200);
}

/** The file as the broker knows the repository root: symbolic links resolved (a new file: its folder's). */
function realFile(file) {
  try {
    return fs.realpathSync(file);
  } catch {
    try {
      return nodePath.join(fs.realpathSync(nodePath.dirname(file)), nodePath.basename(file));
    } catch {
      return file;
    }
  }
}

function claimPhrase(claim) {
  const holder = claim && typeof claim.holder === "object" && claim.holder ? claim.holder : {};
  const who = holder.name ? clean(holder.name) : clean(holder.id);
  const left = Math.max(1, Math.ceil((Date.parse(claim.expires_at) - Date.now()) / 60000));
  const minutes = Number.isFinite(left) ? ` for ${left} more minute${left === 1 ? "" : "s"}` : "";
  const unverified = claim.verified === false ? " (unverified peer)" : "";
  const note = cleanNote(claim.note);
  return `${who}${unverified} claims ${cleanPath(claim.path)}${minutes}` + (note ? `, their note: "${note}"` : "");
}

function claimsOutput(answer, block) {
  if (!answer || typeof answer !== "object" || !Array.isArray(answer.claims) || answer.claims.length === 0) {
    return null;
  }
  const shown = answer.claims.slice(0, MAX_CLAIMS_SHOWN).map(claimPhrase).join("; ");
  const more = answer.claims.length > MAX_CLAIMS_SHOWN ? `; and ${answer.claims.length - MAX_CLAIMS_SHOWN} more` : "";
  const text = `peers: ${cleanPath(answer.path)} is claimed by another agent: ${shown}${more}.`;
  if (block) {
    return {
      hookSpecificOutput: {
        hookEventName: "PreToolUse",
        permissionDecision: "deny",
        permissionDecisionReason: `${text} Edits of claimed files are blocked here: ask them (send_message) to release it.`,
      },
    };
  }
  return {
    hookSpecificOutput: {
      hookEventName: "PreToolUse",
      additionalContext: `${text} Coordinate with them (send_message) before you edit it.`,
    },
  };
}

function unreadPhrase(answer) {
  const n = answer.unread;
  const names = (Array.isArray(answer.senders) ? answer.senders : []).map(clean);
  const shown = names.slice(0, MAX_NAMES).join(", ") + (names.length > MAX_NAMES ? " and others" : "");
  return `${n} unread message${n === 1 ? "" : "s"}` + (shown ? ` from ${shown}` : "");
}

function output(event, answer) {
  if (!answer || typeof answer !== "object" || !answer.peer || typeof answer.peer !== "object") {
    return null;
  }
  const unread = Number.isInteger(answer.unread) && answer.unread > 0 ? answer.unread : 0;
  const safe = { ...answer, unread };
  if (event === "UserPromptSubmit") {
    return unread > 0
      ? { hookSpecificOutput: { hookEventName: event, additionalContext: `peers: ${unreadPhrase(safe)}: call check_messages` } }
      : null;
  }
  if (event === "Stop") {
    return unread > 0 && answer.block_stop === true
      ? { decision: "block", reason: `peers: ${unreadPhrase(safe)}: call check_messages before you stop` }
      : null;
  }
  if (event === "SessionStart") {
    const id = clean(answer.peer.id);
    const who = answer.peer.name ? `${clean(answer.peer.name)} (${id})` : id;
    const tail = unread > 0 ? `; ${unreadPhrase(safe)}: call check_messages` : "; 0 unread";
    return { hookSpecificOutput: { hookEventName: event, additionalContext: `You are reachable on peers as ${who}${tail}` } };
  }
  return null;
}

function finish(result) {
  if (result) {
    process.stdout.write(JSON.stringify(result) + "\n", quit);
  } else {
    quit();
  }
}

function readStdin() {
  return new Promise((resolve) => {
    const chunks = [];
    let size = 0;
    process.stdin.on("data", (chunk) => {
      size += chunk.length;
      if (size > 1 << 20) {
        quit();
      }
      chunks.push(chunk);
    });
    process.stdin.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    process.stdin.on("error", quit);
  });
}

/** The broker's socket, if it is a socket of this user (a client talks only to a broker of its own uid). */
function ownSocket(path) {
  try {
    const stat = fs.lstatSync(path);
    return stat.isSocket() && stat.uid === process.getuid() ? path : null;
  } catch {
    return null;
  }
}

function ask(path, stop) {
  return request(path, "agent_unread", { stop });
}

function request(path, method, params) {
  return new Promise((resolve) => {
    const socket = net.createConnection({ path });
    let buffered = "";
    socket.on("error", () => resolve(null));
    socket.on("close", () => resolve(null));
    socket.on("connect", () => {
      // Both at once: the broker handles a connection's lines in order, so hello is done before the question.
      socket.write(
        JSON.stringify({ jsonrpc: "2.0", id: 1, method: "hello", params: { protocol: PROTOCOL, client: "peers-hook/1" } }) +
          "\n" +
          JSON.stringify({ jsonrpc: "2.0", id: 2, method, params }) +
          "\n",
      );
    });
    socket.on("data", (data) => {
      buffered += data.toString("utf8");
      if (buffered.length > 1 << 16) {
        socket.destroy();
        return;
      }
      let newline;
      while ((newline = buffered.indexOf("\n")) >= 0) {
        const line = buffered.slice(0, newline);
        buffered = buffered.slice(newline + 1);
        let reply;
        try {
          reply = JSON.parse(line);
        } catch {
          socket.destroy();
          return;
        }
        if (!reply || reply.id === undefined || reply.id === null) {
          continue; // a notification
        }
        if (reply.error || reply.id === 1) {
          if (reply.error) {
            socket.destroy();
          }
          continue;
        }
        socket.end();
        resolve(reply.result);
      }
    });
  });
}

async function main() {
  const path = ownSocket(process.argv[2] ?? "");
  const input = JSON.parse(await readStdin());
  const event = input && typeof input === "object" ? input.hook_event_name : null;
  if (!path || !["UserPromptSubmit", "Stop", "SessionStart", "PreToolUse"].includes(event)) {
    return finish(null);
  }
  if (event === "PreToolUse") {
    const toolInput = input.tool_input && typeof input.tool_input === "object" ? input.tool_input : {};
    const file = toolInput.file_path ?? toolInput.notebook_path;
    if (!EDIT_TOOLS.includes(input.tool_name) || typeof file !== "string" || file.length === 0) {
      return finish(null);
    }
    const answer = await request(path, "agent_claims", { path: nodePath.isAbsolute(file) ? realFile(file) : file });
    return finish(claimsOutput(answer, process.argv.includes("--block-claimed")));
  }
  if (event === "Stop" && input.stop_hook_active === true) {
    return finish(null); // Claude Code is already continuing because of a Stop hook
  }
  const answer = await ask(path, event === "Stop");
  finish(output(event, answer));
}

main().catch(quit);
