#!/usr/bin/env python3
"""Checks the spectator page open in a headless chromium, over the DevTools protocol (for tools/browser-test).

Reads the page's own state (window.tickstream) and its canvas: the room is listed by /v1/rooms, snapshots arrive
and are acknowledged (deltas apply), latency is measured, and the players are drawn and move between two samples.
Uses the asyncio API of `websockets` (Debian's python3-websockets 10.4 and later). Exits 1 with the reason on failure.
"""

import argparse
import asyncio
import base64
import json
import sys
import time
import urllib.request

import websockets

# Pixels of the canvas that differ from its background and grid: what the players and pickups drew.
CANVAS_INK = """(() => {
  const canvas = document.getElementById("arena");
  const data = canvas.getContext("2d").getImageData(0, 0, canvas.width, canvas.height).data;
  let ink = 0;
  for (let i = 0; i < data.length; i += 4) {
    const [r, g, b, a] = [data[i], data[i + 1], data[i + 2], data[i + 3]];
    if (a > 0 && (r > 60 || g > 60 || b > 80)) ink += 1;
  }
  return ink;
})()"""


class Page:
    """One page target of the browser, driven by Runtime.evaluate."""

    def __init__(self, socket):
        self.socket = socket
        self.next_id = 0

    async def call(self, method, **params):
        self.next_id += 1
        request_id = self.next_id
        await self.socket.send(json.dumps({"id": request_id, "method": method, "params": params}))
        while True:
            reply = json.loads(await asyncio.wait_for(self.socket.recv(), 10))
            if reply.get("id") == request_id:
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error']}")
                return reply["result"]

    async def evaluate(self, expression):
        result = await self.call("Runtime.evaluate", expression=expression, returnByValue=True)
        if "exceptionDetails" in result:
            raise RuntimeError(f"{expression}: {result['exceptionDetails']}")
        return result["result"].get("value")

    async def state(self):
        text = await self.evaluate("JSON.stringify(window.tickstream || null)")
        return json.loads(text) if text else None


def fail(message, state=None):
    print(f"tools/browser-test: FAIL: {message}", file=sys.stderr)
    if state is not None:
        print(f"page state: {json.dumps(state)}", file=sys.stderr)
    sys.exit(1)


async def wait_for(page, description, predicate, seconds):
    """Polls the page state until predicate(state) holds; fails after `seconds`."""
    deadline = time.monotonic() + seconds
    state = None
    while time.monotonic() < deadline:
        state = await page.state()
        if state and predicate(state):
            return state
        await asyncio.sleep(0.25)
    fail(f"{description} within {seconds} s", state)


async def check(devtools_port, room, screenshot):
    with urllib.request.urlopen(f"http://127.0.0.1:{devtools_port}/json/list", timeout=10) as response:
        targets = [target for target in json.load(response) if target.get("type") == "page"]
    if not targets:
        fail("chromium has no page open")
    async with websockets.connect(targets[0]["webSocketDebuggerUrl"], max_size=None) as socket:
        page = Page(socket)
        await wait_for(page, "the page watches the room", lambda s: s["room"] == room and s["status"] == "watching", 30)
        first = await wait_for(
            page, "players in the snapshots", lambda s: s["tick"] > 0 and len(s["players"]) >= 2 and s["deltas"] > 0, 30
        )
        await asyncio.sleep(3)
        second = await page.state()
        if second["tick"] <= first["tick"]:
            fail("the tick did not advance", second)
        before = {player["id"]: (player["x"], player["y"]) for player in first["players"]}
        moved = [p["id"] for p in second["players"] if p["id"] in before and before[p["id"]] != (p["x"], p["y"])]
        if not moved:
            fail("no player moved in 3 s", {"first": first, "second": second})
        if second["drawn"]["players"] != len(second["players"]) or second["drawn"]["players"] < 2:
            fail("the players are not all drawn", second)
        if second["snapshotsPerSecond"] < 10 or second["bytesPerSecond"] <= 0:
            fail("snapshots do not arrive at the tick rate", second)
        if second["latencyMs"] is None:
            fail("no pong measured the latency", second)
        if second["missedBaselines"] > 0:
            fail("deltas arrived against ticks the page does not have", second)
        ink = await page.evaluate(CANVAS_INK)
        if ink < 100:
            fail(f"the canvas shows almost nothing ({ink} pixels drawn)", second)
        listed = await wait_for_listed(page, room)
        if screenshot:
            shot = await page.call("Page.captureScreenshot", format="png")
            with open(screenshot, "wb") as file:
                file.write(base64.b64decode(shot["data"]))
        print(
            f"tools/browser-test: ok: room {room} listed ({listed} rooms); tick {first['tick']} → {second['tick']}; "
            f"{len(moved)}/{len(second['players'])} players moved; {second['drawn']['players']} players and "
            f"{second['drawn']['pickups']} pickups drawn ({ink} pixels); {second['snapshotsPerSecond']} snapshots/s, "
            f"{second['bytesPerSecond']} B/s, latency {second['latencyMs']} ms; "
            f"{second['keyframes']} keyframes, {second['deltas']} deltas applied"
        )


async def wait_for_listed(page, room):
    """The room appears in the page's list of live rooms (from its first checkpoint, 5 s after it opened)."""
    expression = "[...document.querySelectorAll('#rooms tr[data-room]')].map((row) => row.dataset.room)"
    deadline = time.monotonic() + 20
    rooms = []
    while time.monotonic() < deadline:
        rooms = await page.evaluate(expression)
        if room in rooms:
            return len(rooms)
        await asyncio.sleep(0.5)
    fail(f"room {room} not listed by /v1/rooms within 20 s (listed: {rooms})")


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--devtools-port", type=int, required=True)
    parser.add_argument("--room", required=True)
    parser.add_argument("--screenshot")
    arguments = parser.parse_args()
    asyncio.run(check(arguments.devtools_port, arguments.room, arguments.screenshot))


if __name__ == "__main__":
    main()
