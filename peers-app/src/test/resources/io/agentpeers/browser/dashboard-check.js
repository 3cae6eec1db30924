// Drives the dashboard in headless Chromium for DashboardBrowserTest. Talks to the test over stdio:
// it prints "step NAME [DETAIL]" lines and waits for the test's answer lines on stdin where a step
// needs the test to act (a peer sends, a peer reads). Any failure prints "fail ..." and exits 1.
"use strict";
const { chromium } = require("playwright-core");
const readline = require("readline");

const [url, screenshot] = process.argv.slice(2);
const origin = new URL(url).origin;
const lines = readline.createInterface({ input: process.stdin });
const waiting = [];
lines.on("line", (line) => { const next = waiting.shift(); if (next) next(line); });
const answer = () => new Promise((resolve) => waiting.push(resolve));
const step = (name, detail) => console.log("step " + name + (detail === undefined ? "" : " " + detail));
const check = (ok, what) => { if (!ok) throw new Error(what); };

(async () => {
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
  });
  try {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    const errors = [];
    page.on("pageerror", (e) => errors.push(e.message));

    // The one-time link: a cookie, then the bare page.
    await page.goto(url);
    check(new URL(page.url()).search === "", "the token left the address bar: " + page.url());
    await page.waitForSelector("body[data-live=true]", { timeout: 15000 });
    await page.waitForSelector('tr[data-peer] .peer-name >> text="alice"', { timeout: 10000 });
    await page.waitForSelector('tr[data-peer] .peer-name >> text="bob"', { timeout: 10000 });
    step("peers-shown", await page.locator("tr[data-peer]").count());

    // A message sent by one peer appears, live, as text.
    step("want-send");
    const id = (await answer()).trim();
    const sentAt = Date.now();
    const row = page.locator(`[data-message="${id}"]`);
    await row.waitFor({ timeout: 10000 });
    step("seen", Date.now() - sentAt);
    const text = await row.locator(".text").textContent();
    check(text.includes("<script>"), "the message shows its markup as text: " + text);
    check(await page.locator("#messages script").count() === 0, "no script element came from the message");
    check(await page.evaluate(() => window.__pwned === undefined), "the message's script never ran");

    // ... and turns read when the other reads it.
    step("want-read", id);
    await answer();
    await page.waitForSelector(`[data-message="${id}"] .state >> text="read"`, { timeout: 10000 });
    step("read-shown");

    // A reply is grouped with what it answers.
    step("want-reply", id);
    const replyId = (await answer()).trim();
    await page.locator(`[data-message="${replyId}"]`).waitFor({ timeout: 10000 });
    const sameThread = await page.evaluate(([a, b]) =>
      document.querySelector(`[data-message="${a}"]`).closest(".thread") ===
      document.querySelector(`[data-message="${b}"]`).closest(".thread"), [id, replyId]);
    check(sameThread, "the reply sits in its message's thread");
    step("thread-grouped");

    // Sending from the page reaches a peer.
    const bobOption = await page.locator("#send-to option", { hasText: "bob" }).getAttribute("value");
    await page.selectOption("#send-to", bobOption);
    await page.fill("#send-text", "from the page");
    await page.press("#send-text", "Tab");
    await page.keyboard.press("Enter"); // the Send button, by keyboard
    await page.waitForSelector('#action-result >> text=/^Sent #/', { timeout: 10000 });
    step("page-sent");
    await answer();

    // Ending a peer asks first, naming what ends; Cancel ends nothing.
    await page.locator('tr[data-peer]:has(.peer-name:text-is("alice")) button[data-kill]').click();
    const what = await page.locator("#kill-what").textContent();
    step("kill-asked", JSON.stringify(what));
    await page.keyboard.press("Escape");
    check(!(await page.locator("#kill-dialog").evaluate((d) => d.open)), "the dialog closed");

    // The filter by peer: only what alice sent or received.
    const aliceId = await page.locator('tr[data-peer]:has(.peer-name:text-is("alice"))').getAttribute("data-peer");
    await page.selectOption("#filter-peer", aliceId);
    await page.locator('[data-message] .text >> text="from the page"').waitFor({ state: "detached", timeout: 10000 });
    check(await page.locator(`[data-message="${id}"]`).count() === 1, "alice's message stays under her filter");
    step("filtered");
    await page.selectOption("#filter-peer", "");

    if (screenshot) {
      await page.screenshot({ path: screenshot, fullPage: true });
    }

    // Light and dark follow the system; a narrow window scrolls nothing sideways but the peers table.
    const light = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
    await page.emulateMedia({ colorScheme: "dark" });
    const dark = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
    check(light !== dark, "dark mode changes the colours: " + light);
    await page.setViewportSize({ width: 360, height: 800 });
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    check(overflow <= 1, "a narrow window does not scroll sideways: " + overflow + " px too wide");
    step("themes-and-narrow");

    // Without the cookie, or from another origin, nothing is served.
    const stranger = await browser.newContext();
    const bare = await stranger.request.get(origin + "/api/state");
    step("no-cookie", bare.status());
    const foreign = await context.request.post(origin + "/api/send", {
      headers: { Origin: "http://evil.example", "Content-Type": "application/json" },
      data: JSON.stringify({ to: "bob", text: "from another origin" }),
    });
    step("foreign-origin", foreign.status());
    const same = await context.request.get(origin + "/api/state");
    step("same-origin", same.status());
    check(errors.length === 0, "the page threw: " + errors.join("; "));
    step("done");
  } finally {
    await browser.close();
  }
  process.exit(0);
})().catch((e) => {
  console.log("fail " + String(e && e.stack || e).replace(/\n/g, " | "));
  process.exit(1);
});
