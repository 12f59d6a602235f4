// Administration: an administrator adds a closure day — seeing first which open deadline it
// moves, then saving it and the case's deadline moving — and adds a person, who can then sign
// in; a change made meanwhile by another administrator is reported and reloaded, not
// overwritten; axe-core finds nothing on any state of the page; nobody else sees it (see
// harness.mjs for the stack and helpers).

import { test } from "node:test";
import assert from "node:assert/strict";
import { api, base, browser, check, signIn, useStack } from "./harness.mjs";

useStack();

async function token(partnership, person) {
  const answer = await (await fetch(`${base}/dev/token?partnership=${partnership}&person=${person}`)).json();
  return answer.token;
}

/** A request as a demo person, answering its status and JSON. */
async function send(partnership, person, method, path, body) {
  const answer = await fetch(`${base}${path}`, {
    method,
    headers: { Authorization: `Bearer ${await token(partnership, person)}`, "Content-Type": "application/json" },
    body: body && JSON.stringify(body),
  });
  return { status: answer.status, body: await answer.json() };
}

/** The running clock's due instant of a case, as its raiser reads it. */
async function due(id) {
  const view = await api("sefton", "school-practitioner", `/api/cases/${id}`);
  return view.clocks.findLast((c) => c.run.ended === null || c.run.ended === undefined).run.due;
}

/** YYYY-MM-DD, `days` after the stack's clock, in the UK. */
async function ukDate(days) {
  const clock = await (await fetch(`${base}/dev/clock`)).json();
  return new Date(Date.parse(clock.now) + days * 86_400_000).toLocaleDateString("sv-SE", { timeZone: "Europe/London" });
}

test("an administrator adds a closure day that moves an open deadline, and adds a person", async () => {
  // An open Sefton case, so that there is a deadline to move.
  const raisedCase = await send("sefton", "school-practitioner", "POST", "/api/cases", {
    procedure: "sefton",
    receiving_agency: "social-care",
    child: { name: "Admin Test Child", date_of_birth: "2014-03-02" },
    concern: { summary: "The referral was closed without an assessment", level_of_need: "s17" },
    immediate_risk: false,
  });
  assert.equal(raisedCase.status, 201, JSON.stringify(raisedCase.body));
  const id = raisedCase.body.case.id;
  const was = await due(id);
  // The first day from today whose closure moves it (today may be a weekend).
  let day;
  for (let ahead = 0; ahead < 20 && !day; ahead++) {
    const candidate = await ukDate(ahead);
    const preview = await api("sefton", "admin", `/api/admin/closure-days/preview?date=${candidate}`);
    if (preview.moves.length > 0) day = candidate;
  }
  assert.ok(day, "a closure day before the deadline moves it");

  const admin = await signIn("sefton", "admin");
  await admin.getByRole("link", { name: "Administration" }).click();
  await admin.getByRole("heading", { level: 1, name: "Administration" }).waitFor();
  await admin.getByRole("table", { name: "People" }).getByRole("rowheader", { name: /Demo chair/ }).first().waitFor();
  await check(admin, "admin");

  // A date left blank is named.
  await admin.getByRole("button", { name: "Check which deadlines it moves" }).click();
  await admin.getByRole("link", { name: "Enter the date of the closure day" }).waitFor();
  await check(admin, "admin-closure-day-missing");

  await admin.getByLabel("Date", { exact: true }).fill(day);
  await admin.getByRole("button", { name: "Check which deadlines it moves" }).click();
  const preview = admin.locator("#closure-day-preview");
  await preview.getByRole("heading", { name: /^Adding \w+day \d+ \w+ \d{4} moves 1 open deadline$/ }).waitFor();
  await preview.getByRole("rowheader", { name: id }).waitFor();
  await check(admin, "admin-closure-day-preview");
  // Nothing is saved by looking.
  assert.equal(await due(id), was);

  await admin.getByRole("button", { name: "Save closure day" }).click();
  await admin.getByRole("region", { name: "Success" }).getByText(/added closure day .*: 1 open deadline moved/).waitFor();
  await admin.locator("#closure-days-list").getByText(/\d{4}/).waitFor();
  await admin.getByRole("table", { name: "Changes" }).getByText(/^added closure day /).waitFor();
  await check(admin, "admin-closure-day-saved");
  const moved = await due(id);
  assert.ok(Date.parse(moved) > Date.parse(was), `the deadline moved later: ${was} -> ${moved}`);
  const view = await api("sefton", "school-practitioner", `/api/cases/${id}`);
  assert.equal(view.chronology.at(-1).kind.type, "clock-rescheduled");

  // A person, every missing field named at once.
  await admin.getByRole("button", { name: "Add person" }).click();
  for (const message of ["person.name", "person.email", "person.agency", "person.role"]) {
    await admin.locator(`.govuk-error-summary a[href="#${message}"]`).waitFor();
  }
  await check(admin, "admin-person-errors");
  await admin.getByLabel("Full name").fill("Sam Newcomer");
  await admin.getByLabel("Person id").fill("sam-newcomer");
  await admin.getByLabel("Email address").fill("sam.newcomer@sefton.example.org");
  await admin.getByLabel("Agency", { exact: true }).selectOption({ label: "Merseyside Police" });
  await admin.getByLabel("Role", { exact: true }).selectOption({ label: "Manager" });
  await admin.getByLabel("Level of management").selectOption("second-line");
  await admin.getByRole("button", { name: "Add person" }).click();
  await admin.getByRole("region", { name: "Success" }).getByText(/added person Sam Newcomer \(sam-newcomer\)/).waitFor();
  const people = admin.getByRole("table", { name: "People" });
  await people.getByRole("rowheader", { name: "Sam Newcomer" }).waitFor();
  await check(admin, "admin-person-added");
  // Their email changed: the form is filled from the set-up.
  await admin.getByLabel("Person", { exact: true }).selectOption({ label: "Sam Newcomer" });
  const changedEmail = admin.locator("#change-person\\.email");
  assert.equal(await changedEmail.inputValue(), "sam.newcomer@sefton.example.org");
  await check(admin, "admin-person-change");
  await changedEmail.fill("sam.n@sefton.example.org");
  await admin.getByRole("button", { name: "Save changes" }).click();
  await admin.getByRole("region", { name: "Success" }).getByText(/changed person Sam Newcomer \(sam-newcomer\).*sam\.n@sefton\.example\.org/).waitFor();
  await people.getByRole("cell", { name: "sam.n@sefton.example.org" }).waitFor();

  // Another administrator changes the set-up meanwhile: this one is told, and sees it.
  const before = await api("sefton", "admin", "/api/admin");
  const elsewhere = await ukDate(60);
  const other = await send("sefton", "admin", "POST", "/api/admin/changes", {
    version: before.version,
    change: "add-closure-day",
    date: elsewhere,
  });
  assert.equal(other.status, 200, JSON.stringify(other.body));
  await admin.getByLabel("Date", { exact: true }).fill(await ukDate(61));
  await admin.getByRole("button", { name: "Check which deadlines it moves" }).click();
  await preview.getByRole("heading", { name: /moves no open deadlines$/ }).waitFor();
  await admin.getByRole("button", { name: "Save closure day" }).click();
  await admin.getByText(/another administrator changed the partnership's set-up/).waitFor();
  await admin.getByRole("table", { name: "Changes" }).getByRole("cell", { name: /^added closure day / }).nth(1).waitFor();
  await check(admin, "admin-conflict");
  // Saved again on the version now read, it goes through.
  await admin.getByRole("button", { name: "Save closure day" }).click();
  await admin.getByRole("region", { name: "Success" }).getByText(/added closure day /).waitFor();
  const after = await api("sefton", "admin", "/api/admin");
  assert.equal(after.version, before.version + 2);
  assert.equal(after.partnership.closure_days.length, 3);

  // Removing the first closure day moves the deadline back, once confirmed.
  await admin.getByRole("button", { name: /^Remove \w+day / }).first().click();
  await preview.getByRole("heading", { name: /^Removing \w+day \d+ \w+ \d{4} moves 1 open deadline$/ }).waitFor();
  await check(admin, "admin-closure-day-removal");
  await admin.getByRole("button", { name: "Remove closure day" }).click();
  await admin.getByRole("region", { name: "Success" }).getByText(/removed closure day .*: 1 open deadline moved/).waitFor();
  assert.equal(await due(id), was);

  // Working hours, and an agency.
  await admin.getByLabel("Working hours").fill("09:00-17:00");
  await admin.getByRole("button", { name: "Save working hours" }).click();
  await admin.getByRole("region", { name: "Success" }).getByText(/set working hours to 09:00-17:00/).waitFor();
  await admin.getByLabel("Agency name").fill("Sefton Youth Justice Service");
  await admin.getByLabel("Agency id").fill("youth-justice");
  await admin.getByLabel("Kind of agency").selectOption({ label: "Youth justice" });
  await admin.getByRole("button", { name: "Add agency" }).click();
  await admin.getByRole("region", { name: "Success" }).getByText(/added agency Sefton Youth Justice Service/).waitFor();
  await admin.getByRole("table", { name: "Agencies" }).getByRole("rowheader", { name: "Sefton Youth Justice Service" }).waitFor();
  await check(admin, "admin-agency-added");
  const last = await api("sefton", "admin", "/api/admin");
  assert.equal(last.partnership.notices.working_hours, "09:00-17:00");
  await admin.context().close();

  // The new person signs in at once: the sign-in page lists them.
  const context = await browser.newContext();
  const sam = await context.newPage();
  await sam.goto(`${base}/`);
  await sam.getByRole("button", { name: "Sign in as Sam Newcomer", exact: true }).click();
  await sam.getByRole("heading", { level: 1, name: "My work" }).waitFor();
  await sam.getByText("Signed in as Sam Newcomer").waitFor();
  await context.close();
});

test("nobody but an administrator sees Administration", async () => {
  for (const person of ["chair", "school-practitioner"]) {
    const page = await signIn("sefton", person);
    assert.equal(await page.getByRole("link", { name: "Administration" }).count(), 0, person);
    await page.goto(`${base}/admin`);
    await page.getByRole("heading", { level: 1, name: "Administration" }).waitFor();
    await page.getByText("only the partnership's administrators can change the partnership's set-up").first().waitFor();
    assert.equal(await page.getByRole("heading", { name: "Add a person" }).count(), 0, `${person} sees no forms`);
    if (person === "chair") await check(page, "admin-refused");
    await page.context().close();
  }
});
