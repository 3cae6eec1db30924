// The peers dashboard. Every text a peer chose (name, summary, folder, message) goes in by textContent:
// nothing from the broker is ever parsed as HTML.
"use strict";

const state = {
  actingAs: null,
  peers: new Map(),     // id -> peer (live)
  known: new Map(),     // id -> last peer seen with that id (gone ones too), for names
  messages: new Map(),  // id -> message
  broker: null,
  throughput: [],
  bucketSeconds: 10,
};
const MAX_MESSAGES = 2000;

const $ = (id) => document.getElementById(id);

function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (key === "class") node.className = value;
    else node.setAttribute(key, value);
  }
  for (const child of children) {
    if (child === null || child === undefined) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

function nameOf(id) {
  if (id === "broker") return "broker";
  const peer = state.peers.get(id) || state.known.get(id);
  return peer && peer.name ? peer.name : id;
}

function ago(iso) {
  if (!iso) return "";
  const seconds = Math.max(0, Math.round((Date.now() - Date.parse(iso)) / 1000));
  if (seconds < 60) return seconds + " s ago";
  if (seconds < 3600) return Math.round(seconds / 60) + " min ago";
  return Math.round(seconds / 3600) + " h ago";
}

function duration(ms) {
  const s = Math.floor(ms / 1000);
  const h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60);
  return h > 0 ? h + " h " + m + " min" : m > 0 ? m + " min " + (s % 60) + " s" : s + " s";
}

// ------------------------------------------------------------------ model

function rememberPeer(peer) {
  state.known.set(peer.id, peer);
  if (peer.state === "live") state.peers.set(peer.id, peer);
  else state.peers.delete(peer.id);
}

function addMessage(message) {
  const known = state.messages.get(message.id);
  // A state already further along (read) is never taken back by an older copy.
  if (known && rank(known.state) > rank(message.state)) message.state = known.state;
  state.messages.set(message.id, message);
  if (state.messages.size > MAX_MESSAGES) {
    const oldest = Math.min(...state.messages.keys());
    state.messages.delete(oldest);
  }
}

function rank(s) {
  return { pending: 0, delivered: 1, read: 2, undeliverable: 2 }[s] ?? 0;
}

function applySnapshot(snapshot) {
  state.actingAs = snapshot.acting_as;
  state.peers.clear();
  for (const peer of snapshot.peers) rememberPeer(peer);
  for (const message of snapshot.messages) addMessage(message);
  applyMetrics(snapshot);
}

function applyMetrics(metrics) {
  state.broker = metrics.broker;
  state.throughput = metrics.throughput || [];
  state.bucketSeconds = metrics.bucket_seconds || 10;
}

function applyEvent(event) {
  switch (event.type) {
    case "peer_joined":
    case "peer_updated":
    case "peer_left":
    case "peer_killed":
      if (event.peer) rememberPeer(event.peer);
      break;
    case "message_sent":
      addMessage(event.message);
      break;
    case "messages_state":
      for (const id of event.ids) {
        const message = state.messages.get(id);
        if (message && rank(event.state) >= rank(message.state)) message.state = event.state;
      }
      break;
  }
}

// ------------------------------------------------------------------ rendering

let renderQueued = false;
function render() {
  if (renderQueued) return;
  renderQueued = true;
  requestAnimationFrame(() => {
    renderQueued = false;
    renderBroker();
    renderPeers();
    renderFilters();
    renderRecipients();
    renderMessages();
    renderChart();
  });
}

function renderBroker() {
  const b = state.broker;
  if (!b) return;
  const facts = [
    ["Version", b.broker_version],
    ["Uptime", duration(b.uptime_ms || 0)],
    ["Store", b.database],
    ["Listeners", (b.listeners || []).join(", ")],
    ["Connections", b.connections],
    ["Messages", b.messages ? `${b.messages.pending} pending, ${b.messages.delivered} delivered, ${b.messages.read} read, ${b.messages.undeliverable} undeliverable` : ""],
  ];
  $("broker-facts").replaceChildren(...facts.flatMap(([k, v]) => [el("dt", {}, k), el("dd", {}, v)]));
  $("acting-as").textContent = state.actingAs || "you";
}

function unreadFor(id) {
  let n = 0;
  for (const m of state.messages.values()) if (m.to === id && (m.state === "pending" || m.state === "delivered")) n++;
  return n;
}

function deliveryText(peer) {
  const d = peer.delivery;
  if (!d) return "—";
  const names = { channel: "push", inbox_wake: "wake", hooks: "hooks", subscribed: "push (program)", poll: "poll" };
  return (names[d.path] || d.path) + (d.confirmed ? "" : " (unconfirmed)");
}

function renderPeers() {
  const peers = [...state.peers.values()].sort((a, b) => (a.name || a.id).localeCompare(b.name || b.id));
  $("peer-count").textContent = `(${peers.length})`;
  const rows = peers.map((peer) => {
    const where = el("td", { class: "where" },
      peer.repo_key ? el("div", {}, peer.repo_key) : null,
      el("div", { class: "id" }, peer.cwd || ""),
      el("div", { class: "id" }, peer.verified ? "this machine" + (peer.agent_pid ? ", pid " + peer.agent_pid : "") : "remote (TCP)"));
    const claims = Array.isArray(peer.claims) && peer.claims.length
      ? peer.claims.map((c) => (typeof c === "string" ? c : c.path || c.what || JSON.stringify(c))).join(", ")
      : "—";
    const killButton = peer.name === state.actingAs && peer.client_type === "cli"
      ? null
      : el("button", { type: "button", class: "danger", "data-kill": peer.id, "aria-label": "End " + (peer.name || peer.id) }, "End…");
    return el("tr", { "data-peer": peer.id },
      el("td", {}, el("div", { class: "peer-name" }, peer.name || "(unnamed)"), el("div", { class: "id" }, peer.id)),
      el("td", {}, peer.client_type),
      where,
      el("td", { class: "summary" }, peer.summary || ""),
      el("td", {}, deliveryText(peer)),
      el("td", {}, ago(peer.last_seen)),
      el("td", { class: "unread" }, unreadFor(peer.id)),
      el("td", {}, claims),
      el("td", {}, killButton));
  });
  $("peers").tBodies[0].replaceChildren(...rows);
}

function setOptions(select, options, keep) {
  const current = select.value;
  select.replaceChildren(...options.map(([value, label]) => el("option", { value }, label)));
  if (keep && options.some(([value]) => value === current)) select.value = current;
}

function renderFilters() {
  const peers = [...state.known.values()];
  setOptions($("filter-peer"), [["", "everyone"], ...peers.map((p) => [p.id, (p.name || p.id) + (p.state === "live" ? "" : " (gone)")])], true);
  const repos = [...new Set(peers.map((p) => p.repo_key).filter(Boolean))].sort();
  setOptions($("filter-repo"), [["", "all"], ...repos.map((r) => [r, r])], true);
}

function renderRecipients() {
  const select = $("send-to");
  if (document.activeElement === select) return; // never change a list under the person's keys
  const peers = [...state.peers.values()].filter((p) => !(p.name === state.actingAs && p.client_type === "cli"));
  setOptions(select, [
    ...peers.map((p) => ["peer:" + p.id, (p.name || p.id) + " (" + p.client_type + ")"]),
    ["scope:machine", "everyone on this machine"],
    ["scope:repo", "everyone in my repository"],
    ["scope:directory", "everyone in my folder"],
  ], true);
}

function visible(message) {
  const peer = $("filter-peer").value;
  if (peer && message.from !== peer && message.to !== peer) return false;
  const repo = $("filter-repo").value;
  if (repo) {
    const from = state.known.get(message.from), to = state.known.get(message.to);
    if (!(from && from.repo_key === repo) && !(to && to.repo_key === repo)) return false;
  }
  return true;
}

function threadRoot(message) {
  let current = message;
  for (let hops = 0; hops < 50 && current.reply_to != null; hops++) {
    const parent = state.messages.get(current.reply_to);
    if (!parent) return current.reply_to; // the start of the thread is not in view: group by what it answers
    current = parent;
  }
  return current.id;
}

function renderMessages() {
  const threads = new Map();
  for (const message of state.messages.values()) {
    if (!visible(message)) continue;
    const root = threadRoot(message);
    if (!threads.has(root)) threads.set(root, []);
    threads.get(root).push(message);
  }
  // Newest activity first; within a thread, in the order they were written.
  const ordered = [...threads.values()]
    .map((list) => list.sort((a, b) => a.id - b.id))
    .sort((a, b) => b[b.length - 1].id - a[a.length - 1].id);
  const items = ordered.slice(0, 300).map((list) =>
    el("li", { class: "thread" }, el("ol", {}, ...list.map(renderMessage))));
  $("messages").replaceChildren(...items);
}

function renderMessage(message) {
  return el("li", { class: "message" + (message.reply_to != null ? " reply" : ""), "data-message": message.id },
    el("div", { class: "head" },
      el("span", {}, "#" + message.id),
      el("span", { class: "from" }, nameOf(message.from)),
      el("span", { "aria-hidden": "true" }, "→"),
      el("span", { class: "sr" }, "to"),
      el("span", { class: "to" }, nameOf(message.to)),
      message.reply_to != null ? el("span", {}, "re #" + message.reply_to) : null,
      el("span", { class: "state state-" + message.state }, message.state),
      el("time", { datetime: message.sent_at }, new Date(message.sent_at).toLocaleTimeString())),
    el("p", { class: "text" }, message.text));
}

const SVG = "http://www.w3.org/2000/svg";
function svg(tag, attrs, text) {
  const node = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
  if (text !== undefined) node.textContent = text;
  return node;
}

function renderChart() {
  const series = state.throughput;
  const chart = $("chart");
  if (!series.length) { chart.replaceChildren(); return; }
  const w = 600, h = 120, top = 14, slot = w / series.length;
  const maxCount = Math.max(1, ...series.map((s) => s.messages));
  const maxLatency = Math.max(1, ...series.map((s) => s.avg_latency_ms));
  const nodes = [];
  series.forEach((s, i) => {
    const bh = (s.messages / maxCount) * (h - top);
    if (bh > 0) nodes.push(svg("rect", { class: "bar", x: i * slot + 1, y: h - bh, width: Math.max(1, slot - 2), height: bh }));
  });
  const points = series.map((s, i) => `${(i + 0.5) * slot},${h - (s.avg_latency_ms / maxLatency) * (h - top)}`).join(" ");
  nodes.push(svg("polyline", { class: "latency", points }));
  const last = series[series.length - 1];
  const perSecond = (series.slice(-6).reduce((n, s) => n + s.messages, 0) / (6 * state.bucketSeconds)).toFixed(2);
  nodes.push(svg("text", { x: 4, y: 11 }, `max ${maxCount}/${state.bucketSeconds} s · ${perSecond}/s last minute · latency now ${last.avg_latency_ms.toFixed(2)} ms (max line ${maxLatency.toFixed(2)} ms)`));
  chart.replaceChildren(...nodes);
  $("chart-caption").textContent = `Messages per ${state.bucketSeconds} s (bars) and average push latency (line), last ${Math.round(series.length * state.bucketSeconds / 60)} minutes; ${perSecond} messages/s over the last minute`;
}

// ------------------------------------------------------------------ actions

async function post(path, body) {
  const response = await fetch(path, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify(body || {}),
    credentials: "same-origin",
  });
  const data = await response.json().catch(() => ({}));
  if (!response.ok) throw new Error((data.error && data.error.message) || response.status + " " + response.statusText);
  return data;
}

function say(text, failed) {
  const out = $("action-result");
  out.textContent = text;
  out.className = failed ? "error" : "";
}

async function send(event) {
  event.preventDefault();
  const target = $("send-to").value;
  const text = $("send-text").value;
  if (!target || !text.trim()) { say("Choose a recipient and write a message.", true); return; }
  const body = target.startsWith("scope:") ? { scope: target.slice(6), text } : { to: target.slice(5), text };
  try {
    const result = await post("/api/send", body);
    const count = result.messages ? result.messages.length : 1;
    say(result.messages ? `Sent to ${count} peer${count === 1 ? "" : "s"}.` : `Sent #${result.message.id} to ${nameOf(result.message.to)}.`);
    $("send-text").value = "";
  } catch (e) {
    say("Not sent: " + e.message, true);
  }
}

async function readInbox() {
  try {
    const result = await post("/api/read");
    say(result.read === 0 ? "Your inbox had nothing unread." : `Marked ${result.read} message${result.read === 1 ? "" : "s"} read.`);
  } catch (e) {
    say("Could not mark your inbox read: " + e.message, true);
  }
}

function askKill(id) {
  const peer = state.peers.get(id);
  if (!peer) return;
  const dialog = $("kill-dialog");
  $("kill-what").textContent =
    `This ends ${peer.name || "(unnamed)"} (${peer.id}), a ${peer.client_type} session in ${peer.cwd}: ` +
    `the broker sends SIGTERM to its agent process` + (peer.agent_pid ? ` (pid ${peer.agent_pid})` : "") +
    `. Work it has not saved may be lost.`;
  dialog.returnValue = "";
  dialog.onclose = async () => {
    if (dialog.returnValue !== "kill") return;
    try {
      const result = await post("/api/kill", { peer: peer.id });
      say(result.signalled ? `Ended ${result.peer.name || result.peer.id}.` : `${result.peer.name || result.peer.id} was already ending.`);
    } catch (e) {
      say("Not ended: " + e.message, true);
    }
  };
  dialog.showModal();
}

// ------------------------------------------------------------------ live stream

function connect() {
  const events = new EventSource("/api/events");
  events.addEventListener("state", (e) => {
    applySnapshot(JSON.parse(e.data));
    $("connection").textContent = "live";
    document.body.dataset.live = "true";
    render();
  });
  events.addEventListener("event", (e) => { applyEvent(JSON.parse(e.data)); render(); });
  events.addEventListener("metrics", (e) => { applyMetrics(JSON.parse(e.data)); render(); });
  events.onerror = () => {
    document.body.dataset.live = "false";
    $("connection").textContent = events.readyState === EventSource.CLOSED
      ? "disconnected: run `peers dashboard` for a new link"
      : "reconnecting…";
  };
}

document.addEventListener("DOMContentLoaded", () => {
  $("send-form").addEventListener("submit", send);
  $("read-inbox").addEventListener("click", readInbox);
  $("filter-peer").addEventListener("change", render);
  $("filter-repo").addEventListener("change", render);
  $("peers").addEventListener("click", (e) => {
    const button = e.target.closest("button[data-kill]");
    if (button) askKill(button.dataset.kill);
  });
  setInterval(render, 10000); // "seen … ago" ages on the page's own clock; nothing is fetched
  connect();
});
