// peers hook for Claude Code, written by `peers install claude-code` (edits are replaced on the next install).
//
//   node peers-hook.mjs SOCKET     (Claude Code runs it for UserPromptSubmit, Stop and SessionStart)
//
// Reads the hook's input (JSON) on stdin, asks the peers broker at the Unix socket SOCKET which peer this
// session is (method agent_unread: the broker finds the peer whose agent, Claude Code, is an ancestor of
// this process) and how many messages wait unread from whom, and prints Claude Code's hook output. Counts
// and sender names only, never a message body. It fails open: a broker that is down or slow, no peer,
// bad input or any error means exit 0 with no output, within HARD_LIMIT_MS. At a fresh start the MCP server
// has usually not registered yet when SessionStart runs: then it says nothing (on resume, clear and compact
// it names the peer). Stop blocks only when the broker says so (once per newer unread message), and never
// while stop_hook_active is true.
// No dependencies: Node's own modules only.

import fs from "node:fs";
import net from "node:net";

const HARD_LIMIT_MS = 900;
const PROTOCOL = 1;
const MAX_NAMES = 5;
const MAX_NAME_CHARS = 32;

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
  return new Promise((resolve) => {
    const socket = net.createConnection({ path });
    let buffered = "";
    socket.on("error", () => resolve(null));
    socket.on("close", () => resolve(null));
    socket.on("connect", () => {
      // Both at once: the broker handles a connection's lines in order, so hello is done before agent_unread.
      socket.write(
        JSON.stringify({ jsonrpc: "2.0", id: 1, method: "hello", params: { protocol: PROTOCOL, client: "peers-hook/1" } }) +
          "\n" +
          JSON.stringify({ jsonrpc: "2.0", id: 2, method: "agent_unread", params: { stop } }) +
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
  if (!path || !["UserPromptSubmit", "Stop", "SessionStart"].includes(event)) {
    return finish(null);
  }
  if (event === "Stop" && input.stop_hook_active === true) {
    return finish(null); // Claude Code is already continuing because of a Stop hook
  }
  const answer = await ask(path, event === "Stop");
  finish(output(event, answer));
}

main().catch(quit);
