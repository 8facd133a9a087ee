/// The spectator page the gateway serves at `/`: plain HTML and JavaScript, no build step, no dependency.
///
/// It lists the live rooms from `/v1/rooms`, watches one over the JSON subprotocol as a spectator (`?room=` picks one,
/// `?token=` is passed on to `/v1/ws`), applies keyframes and deltas, acknowledges each tick and draws the arena.
/// What it shows is also in `window.tickstream` (and, as JSON, in `#state`), which `tools/browser-test` reads.
/// Kept in the binary rather than as a bundle resource, so that a gateway is one file to deploy.
enum SpectatorPage {
    static let html = #"""
<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Tickstream spectator</title>
<style>
  :root { color-scheme: dark; font: 14px/1.4 system-ui, sans-serif; }
  body { margin: 0; background: #0d1017; color: #d8dee9; display: flex; min-height: 100vh; }
  aside { width: 260px; padding: 16px; border-right: 1px solid #232a36; box-sizing: border-box; }
  main { flex: 1; padding: 16px; display: flex; gap: 16px; flex-wrap: wrap; align-items: flex-start; }
  h1 { font-size: 16px; margin: 0 0 12px; }
  h2 { font-size: 13px; text-transform: uppercase; letter-spacing: .05em; color: #8a93a6; margin: 16px 0 6px; }
  table { border-collapse: collapse; width: 100%; }
  td, th { padding: 3px 4px; text-align: left; }
  th { color: #8a93a6; font-weight: normal; }
  #rooms tr[data-room] { cursor: pointer; }
  #rooms tr[data-room]:hover, #rooms tr.watching { background: #1c2330; }
  form { display: flex; gap: 6px; margin-top: 8px; }
  input { flex: 1; min-width: 0; background: #161b24; color: inherit; border: 1px solid #2c3545; padding: 4px; }
  button { background: #2b6cb0; color: white; border: 0; padding: 4px 10px; cursor: pointer; }
  canvas { background: #10141c; border: 1px solid #232a36; width: min(80vh, 640px); height: min(80vh, 640px); }
  .stats { min-width: 220px; }
  .stats td:last-child { text-align: right; font-variant-numeric: tabular-nums; }
  .muted { color: #8a93a6; }
  .error { color: #f08080; }
</style>
</head>
<body>
<aside>
  <h1>Tickstream</h1>
  <h2>Live rooms</h2>
  <table id="rooms"><thead><tr><th>room</th><th>players</th><th>tick</th></tr></thead><tbody></tbody></table>
  <p id="rooms-status" class="muted">loading…</p>
  <form id="watch-form"><input id="room-name" placeholder="room name" autocomplete="off"><button>Watch</button></form>
</aside>
<main>
  <canvas id="arena" width="640" height="640"></canvas>
  <div class="stats">
    <table>
      <tr><td>room</td><td id="stat-room">–</td></tr>
      <tr><td>status</td><td id="stat-status">idle</td></tr>
      <tr><td>tick</td><td id="stat-tick">–</td></tr>
      <tr><td>snapshots/s</td><td id="stat-rate">–</td></tr>
      <tr><td>bytes/s</td><td id="stat-bytes">–</td></tr>
      <tr><td>latency</td><td id="stat-latency">–</td></tr>
    </table>
    <h2>Scores</h2>
    <table id="scores"><tbody></tbody></table>
    <p id="errors" class="error"></p>
  </div>
  <pre id="state" hidden></pre>
</main>
<script>
"use strict";
const ARENA = 100000;                 // the arena is 1000 units, positions are in 1/100 units
const HISTORY = 64;                   // ticks kept as delta baselines (the gateway keeps 32)
const WINDOW_MS = 1000;               // rates are over the last second
const params = new URLSearchParams(location.search);
const token = params.get("token");
const canvas = document.getElementById("arena");
const ctx = canvas.getContext("2d");
const $ = (id) => document.getElementById(id);

const view = {
  room: null, socket: null, status: "idle", retry: null,
  kinds: new Map(), ownEntity: 0,
  history: new Map(), entities: new Map(), tick: 0, keyframes: 0, deltas: 0, missedBaselines: 0,
  snapshotTimes: [], frames: [],
  nonce: 0, pings: new Map(), latencyMs: null,
  drawn: { players: 0, pickups: 0 }, errors: [],
};

function withToken(path) {
  return token ? path + (path.includes("?") ? "&" : "?") + "token=" + encodeURIComponent(token) : path;
}

// Rooms

async function refreshRooms() {
  try {
    const response = await fetch(withToken("/v1/rooms"), { cache: "no-store" });
    if (!response.ok) throw new Error(response.status + " " + (await response.text()).trim());
    const listing = await response.json();
    const body = $("rooms").tBodies[0];
    body.replaceChildren(...listing.rooms.map((room) => {
      const row = document.createElement("tr");
      row.dataset.room = room.room;
      row.className = room.room === view.room ? "watching" : "";
      for (const text of [room.room, room.players, room.tick]) {
        const cell = document.createElement("td");
        cell.textContent = String(text);
        row.append(cell);
      }
      row.addEventListener("click", () => watch(room.room));
      return row;
    }));
    $("rooms-status").textContent = listing.rooms.length === 0
      ? "no live room yet (a room is listed from its first checkpoint)"
      : listing.truncated ? "more rooms than listed" : "";
  } catch (error) {
    $("rooms-status").textContent = "room list unavailable: " + error.message;
  }
}

// The session

function watch(room) {
  if (view.socket) { view.socket.onclose = null; view.socket.close(1000); }
  clearTimeout(view.retry);
  Object.assign(view, {
    room, socket: null, status: "connecting", kinds: new Map(), ownEntity: 0,
    history: new Map(), entities: new Map(), tick: 0, keyframes: 0, deltas: 0, missedBaselines: 0,
    snapshotTimes: [], frames: [], pings: new Map(), latencyMs: null, errors: [],
  });
  history.replaceState(null, "", "?" + new URLSearchParams({ ...(token ? { token } : {}), room }));
  for (const row of $("rooms").tBodies[0].rows) row.className = row.dataset.room === room ? "watching" : "";
  const scheme = location.protocol === "https:" ? "wss:" : "ws:";
  const socket = new WebSocket(withToken(scheme + "//" + location.host + "/v1/ws"), "tickstream.v1.json");
  view.socket = socket;
  socket.onopen = () => {
    view.status = "joining";
    send({ join: { room, spectate: true } });
  };
  socket.onmessage = (event) => {
    if (typeof event.data !== "string") return;
    view.frames.push([performance.now(), event.data.length]);
    for (const message of JSON.parse(event.data).messages || []) receive(message);
  };
  socket.onclose = (event) => {
    view.status = "closed (" + event.code + (event.reason ? ": " + event.reason : "") + "), retrying";
    view.socket = null;
    view.retry = setTimeout(() => { if (view.room === room) watch(room); }, 2000);
  };
}

function send(message) {
  if (view.socket && view.socket.readyState === WebSocket.OPEN) view.socket.send(JSON.stringify(message));
}

function receive(message) {
  if (message.welcome) {
    const welcome = message.welcome;
    view.kinds = new Map((welcome.kinds || []).map((kind) => [kind.name, kind.fields || []]));
    view.ownEntity = welcome.entityId || 0;
    view.status = "watching";
  } else if (message.snapshot) {
    applySnapshot(message.snapshot);
  } else if (message.pong) {
    const sent = view.pings.get(message.pong.nonce);
    view.pings.delete(message.pong.nonce);
    if (sent !== undefined) view.latencyMs = performance.now() - sent;
  } else if (message.error) {
    view.errors = [...view.errors.slice(-4), (message.error.code || "ERROR") + ": " + (message.error.message || "")];
  }
}

// A keyframe replaces the table; a delta applies to the acknowledged tick it names: added entities whole, changed
// entities with their changed fields, removed ids gone.
function applySnapshot(snapshot) {
  const tick = Number(snapshot.tick || 0);
  const baselineTick = Number(snapshot.baselineTick || 0);
  if (tick <= view.tick) return;
  let table;
  if (baselineTick === 0) {
    table = new Map();
    view.keyframes += 1;
  } else {
    const baseline = view.history.get(baselineTick);
    if (!baseline) { view.missedBaselines += 1; return; }
    table = new Map(baseline);
    view.deltas += 1;
  }
  for (const entity of snapshot.entities || []) {
    const previous = table.get(entity.id);
    const fields = { ...(previous ? previous.fields : {}) };
    for (const [name, value] of Object.entries(entity.fields || {})) fields[name] = Number(value);
    table.set(entity.id, { id: entity.id, kind: entity.kind || (previous && previous.kind), fields });
  }
  for (const id of snapshot.removed || []) table.delete(id);
  view.history.set(tick, table);
  for (const old of view.history.keys()) {
    if (view.history.size <= HISTORY) break;
    view.history.delete(old);
  }
  view.entities = table;
  view.tick = tick;
  view.snapshotTimes.push(performance.now());
  send({ ack: { tick: String(tick) } });
  draw();
}

// Drawing

function color(id) {
  return "hsl(" + ((id * 137) % 360) + " 70% 60%)";
}

function draw() {
  const scale = canvas.width / ARENA;
  ctx.clearRect(0, 0, canvas.width, canvas.height);
  ctx.strokeStyle = "#1b2230";
  ctx.lineWidth = 1;
  for (let line = 0; line <= 10; line++) {
    const at = Math.round(line * canvas.width / 10) + 0.5;
    ctx.beginPath(); ctx.moveTo(at, 0); ctx.lineTo(at, canvas.height); ctx.stroke();
    ctx.beginPath(); ctx.moveTo(0, at); ctx.lineTo(canvas.width, at); ctx.stroke();
  }
  const drawn = { players: 0, pickups: 0 };
  for (const entity of view.entities.values()) {
    const { x, y } = entity.fields;
    if (x === undefined || y === undefined) continue;
    const px = x * scale, py = y * scale;
    if (entity.kind === "pickup") {
      const size = 3 + 2 * (entity.fields.value || 1);
      ctx.fillStyle = "#e5c07b";
      ctx.beginPath(); ctx.moveTo(px, py - size); ctx.lineTo(px + size, py); ctx.lineTo(px, py + size); ctx.lineTo(px - size, py);
      ctx.closePath(); ctx.fill();
      drawn.pickups += 1;
    } else {
      ctx.fillStyle = color(entity.id);
      ctx.beginPath(); ctx.arc(px, py, 9, 0, 2 * Math.PI); ctx.fill();
      const { vx = 0, vy = 0 } = entity.fields;
      if (vx !== 0 || vy !== 0) {
        const length = Math.hypot(vx, vy);
        ctx.strokeStyle = "#d8dee9";
        ctx.lineWidth = 2;
        ctx.beginPath(); ctx.moveTo(px, py); ctx.lineTo(px + 16 * vx / length, py + 16 * vy / length); ctx.stroke();
      }
      if (entity.id === view.ownEntity) {
        ctx.strokeStyle = "#ffffff";
        ctx.lineWidth = 2;
        ctx.beginPath(); ctx.arc(px, py, 13, 0, 2 * Math.PI); ctx.stroke();
      }
      ctx.fillStyle = "#d8dee9";
      ctx.font = "11px system-ui, sans-serif";
      ctx.fillText(String(entity.fields.score || 0), px + 12, py - 10);
      drawn.players += 1;
    }
  }
  view.drawn = drawn;
}

// What the page shows, for people and for tools/browser-test.

function publish() {
  const now = performance.now();
  view.snapshotTimes = view.snapshotTimes.filter((time) => now - time <= WINDOW_MS);
  view.frames = view.frames.filter(([time]) => now - time <= WINDOW_MS);
  const players = [...view.entities.values()]
    .filter((entity) => entity.kind === "player")
    .map((entity) => ({ id: entity.id, x: entity.fields.x, y: entity.fields.y, score: entity.fields.score || 0 }));
  window.tickstream = {
    room: view.room,
    status: view.status,
    tick: view.tick,
    snapshotsPerSecond: view.snapshotTimes.length,
    bytesPerSecond: view.frames.reduce((sum, [, bytes]) => sum + bytes, 0),
    latencyMs: view.latencyMs === null ? null : Math.round(view.latencyMs * 10) / 10,
    keyframes: view.keyframes,
    deltas: view.deltas,
    missedBaselines: view.missedBaselines,
    players,
    pickups: [...view.entities.values()].filter((entity) => entity.kind === "pickup").length,
    drawn: view.drawn,
    errors: view.errors,
  };
  const state = window.tickstream;
  $("stat-room").textContent = state.room || "–";
  $("stat-status").textContent = state.status;
  $("stat-tick").textContent = state.tick || "–";
  $("stat-rate").textContent = state.snapshotsPerSecond;
  $("stat-bytes").textContent = state.bytesPerSecond.toLocaleString();
  $("stat-latency").textContent = state.latencyMs === null ? "–" : state.latencyMs + " ms";
  $("scores").tBodies[0].replaceChildren(...[...players].sort((a, b) => b.score - a.score).map((player) => {
    const row = document.createElement("tr");
    row.innerHTML = "<td></td><td></td>";
    row.cells[0].textContent = "● " + player.id;
    row.cells[0].style.color = color(player.id);
    row.cells[1].textContent = String(player.score);
    return row;
  }));
  $("errors").textContent = state.errors.join("\n");
  $("state").textContent = JSON.stringify(state);
}

$("watch-form").addEventListener("submit", (event) => {
  event.preventDefault();
  const room = $("room-name").value.trim();
  if (room) watch(room);
});
setInterval(() => {
  view.nonce += 1;
  view.pings.set(String(view.nonce), performance.now());
  send({ ping: { nonce: String(view.nonce) } });
  for (const nonce of view.pings.keys()) if (Number(nonce) < view.nonce - 10) view.pings.delete(nonce);
}, 1000);
setInterval(publish, 250);
setInterval(refreshRooms, 2000);
refreshRooms();
publish();
draw();
if (params.get("room")) watch(params.get("room"));
</script>
</body>
</html>
"""#
}
