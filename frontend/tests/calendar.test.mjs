// Calendar feeds: the manager asked to respond makes their calendar link on the page, a
// calendar app (here node's fetch, without any sign-in) finds the case's deadline in it and
// nothing about the child; stopped, the link answers 404. The raiser adds the one deadline to
// their calendar from the case page as a .ics file (see harness.mjs for the stack and helpers).

import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { ADDRESS, CHILD, CONCERN, api, check, raise, signIn, success, useStack } from "./harness.mjs";

useStack();

/** The content lines of an iCalendar text, unfolded (RFC 5545 §3.1). */
function unfolded(ics) {
  return ics.replaceAll("\r\n ", "").split("\r\n");
}

function assertNoChild(text, what) {
  for (const secret of [CHILD, ADDRESS, CONCERN, "Quillfeather", "Marrowbone", "Yarrowfield"]) {
    assert.ok(!text.includes(secret), `${what} holds ${secret}`);
  }
}

test("a manager subscribes to their deadlines, finds the case in the feed, and stops the link", async () => {
  const procedure = await api("sefton", "school-practitioner", "/api/procedures/sefton");
  const raiser = await signIn("sefton", "school-practitioner");
  const { id } = await raise(raiser, { procedureName: procedure.name, agencyName: "Sefton Children's Social Care" });

  // The raiser adds the one deadline to their calendar from the case page.
  const [download] = await Promise.all([
    raiser.waitForEvent("download"),
    raiser.getByRole("link", { name: "Add to calendar (.ics)" }).click(),
  ]);
  assert.equal(download.suggestedFilename(), `case-${id}-deadline.ics`);
  const single = readFileSync(await download.path(), "utf8");
  const singleLines = unfolded(single);
  assert.ok(singleLines.some((l) => l.startsWith(`SUMMARY:Case ${id}: response due`)), single);
  assert.equal(singleLines.filter((l) => l === "BEGIN:VEVENT").length, 1, single);
  assertNoChild(single, "the .ics");
  await raiser.context().close();

  const manager = await signIn("sefton", "social-care-manager");
  await manager.getByRole("link", { name: "Subscribe to your deadlines in Outlook or Google Calendar" }).click();
  await manager.getByRole("heading", { level: 1, name: "Your deadlines in your calendar" }).waitFor();
  await check(manager, "calendar");
  await manager.getByRole("button", { name: "Create a calendar link" }).click();
  const input = manager.getByLabel("Calendar link", { exact: true });
  await input.waitFor();
  const url = await input.inputValue();
  assert.match(url, /^http:\/\/127\.0\.0\.1:\d+\/api\/calendar\/sefton\.social-care-manager\.[A-Za-z0-9_-]{43}\.ics$/);
  await manager.getByRole("button", { name: "Stop the link" }).waitFor();
  await check(manager, "calendar-link");

  // A calendar app reads it with no sign-in.
  const feed = await fetch(url);
  assert.equal(feed.status, 200);
  assert.equal(feed.headers.get("content-type"), "text/calendar; charset=utf-8");
  const ics = await feed.text();
  const lines = unfolded(ics);
  const summary = lines.find((l) => l.startsWith(`SUMMARY:Case ${id}:`));
  assert.ok(summary, ics);
  assert.match(summary, /response due \(Step 1/);
  assert.ok(lines.some((l) => l.startsWith("DTSTART")), ics);
  assert.ok(lines.includes(`URL:${new URL(url).origin}/cases/${id}`), ics);
  assertNoChild(ics, "the feed");

  // Once the page is left, the link is not shown again: only that there is one.
  await manager.reload();
  await manager.getByRole("heading", { level: 1, name: "Your deadlines in your calendar" }).waitFor();
  await manager.getByText(/^You have a calendar link, made /).waitFor();
  assert.equal(await manager.getByLabel("Calendar link", { exact: true }).count(), 0);

  await manager.getByRole("button", { name: "Stop the link" }).click();
  await success(manager, "Your calendar link is stopped");
  await manager.getByRole("button", { name: "Create a calendar link" }).waitFor();
  await check(manager, "calendar-stopped");
  assert.equal((await fetch(url)).status, 404);
  await manager.context().close();
});
