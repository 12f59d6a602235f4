// The quality-assurance report page: a chair opens last quarter's report, reads the charts
// and their tables, chooses a procedure, downloads the CSV and prints it as a board paper —
// and no child's details appear anywhere in it (see harness.mjs for the stack and helpers).

import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import {
  ADDRESS, CHILD, CONCERN, api, artefacts, base, check, climb, raise, signIn, useStack,
} from "./harness.mjs";

useStack();

const LESSON = "Escalate sooner; share chronologies early"; // what climb() resolves with

/** The UK date `days` days after the stack's clock, as YYYY-MM-DD. */
async function ukDate(days = 0) {
  const clock = await (await fetch(`${base}/dev/clock`)).json();
  return new Date(Date.parse(clock.now) + days * 86_400_000).toLocaleDateString("sv-SE", { timeZone: "Europe/London" });
}

/** The calendar quarter before the one holding `day` (YYYY-MM-DD): [first, last] as dates. */
function quarterBefore(day) {
  const [y, m] = day.split("-").map(Number);
  const start = new Date(Date.UTC(y, Math.floor((m - 1) / 3) * 3 - 3, 1));
  const end = new Date(Date.UTC(start.getUTCFullYear(), start.getUTCMonth() + 3, 0));
  return [start.toISOString().slice(0, 10), end.toISOString().slice(0, 10)];
}

test("a chair opens last quarter's report, reads its charts and tables, downloads the CSV and prints it", async () => {
  const procedure = await api("sefton", "school-practitioner", "/api/procedures/sefton");
  const raisedOn = await ukDate();
  // One case climbed to the top and resolved with lessons learned; one left unanswered.
  const raiser = await signIn("sefton", "school-practitioner");
  const { id } = await raise(raiser, { procedureName: procedure.name, agencyName: "Sefton Children's Social Care" });
  const { id: unanswered } = await raise(raiser, {
    procedureName: procedure.name,
    agencyName: "Merseyside Police",
    childName: `${CHILD} Junior`,
  });
  await raiser.context().close();
  await climb({ partnership: "sefton", raiser: "school-practitioner", receiving: "social-care", id, procedure });

  // A quarter later, the cases are last quarter's.
  assert.equal((await fetch(`${base}/dev/clock?days=95`, { method: "POST" })).status, 200);
  const [from, to] = quarterBefore(await ukDate());
  assert.ok(from <= raisedOn && raisedOn <= to, `${raisedOn} in ${from}..${to}`);

  const chair = await signIn("sefton", "chair");
  await chair.getByRole("link", { name: "Report", exact: true }).click();
  await chair.getByRole("heading", { level: 1, name: "Quality-assurance report" }).waitFor();
  // It opens on last quarter.
  assert.equal(await chair.getByLabel("From", { exact: true }).inputValue(), from);
  assert.equal(await chair.getByLabel("To", { exact: true }).inputValue(), to);
  await chair.getByLabel("Procedure").selectOption({ label: procedure.name });
  await chair.getByRole("button", { name: "Show the report" }).click();
  await chair.waitForURL(/procedure=sefton/);
  assert.match(chair.url(), new RegExp(`from=${from}&to=${to}`));

  const summary = chair.locator(".govuk-summary-list");
  const figure = async (key) =>
    (await summary.locator(".govuk-summary-list__row", { hasText: key }).locator("dd").textContent()).trim();
  await summary.waitFor();
  assert.equal(await figure("Escalations about a child"), "2");
  assert.equal(await figure("Resolved"), "1");
  assert.equal(await figure("Open"), "1");

  // Each chart is an image with a name, followed by its figures as a table.
  for (const name of [
    "Cases by the furthest stage reached",
    "Timeliness by stage and timescale",
    "Reasons given for escalating",
    "Outcomes",
    "Time from raising to resolution",
  ]) {
    await chair.getByRole("img", { name: new RegExp(`^${name.replace(/[()]/g, "\\$&")}`) }).waitFor();
    await chair.getByRole("table", { name: `${name}: the figures` }).waitFor();
  }
  // No case in the period agreed an action: said in words, not drawn as an empty chart.
  await chair.getByText("Agreed actions: done on time, done late, not yet done: none in the period.").waitFor();
  const stages = chair.getByRole("table", { name: "Cases by the furthest stage reached: the figures" });
  const top = procedure.stages.at(-1).name;
  assert.equal((await stages.getByRole("row", { name: new RegExp(`^${top.replace(/[()]/g, "\\$&")}`) }).getByRole("cell").textContent()).trim(), "1");
  const first = procedure.stages[0].name;
  assert.equal((await stages.getByRole("row", { name: new RegExp(`^${first.replace(/[()]/g, "\\$&")}`) }).getByRole("cell").textContent()).trim(), "1");
  // The unanswered case's first timescale is a breach: open and overdue.
  const timeliness = chair.getByRole("table", { name: "Timeliness by stage and timescale: the figures" });
  const overdueColumn = await timeliness.getByRole("columnheader").allTextContents();
  const overdueAt = overdueColumn.indexOf("Open and overdue");
  let overdue = 0;
  for (const row of await timeliness.getByRole("row").all()) {
    const cells = await row.getByRole("cell").allTextContents();
    if (cells.length) overdue += Number(cells[overdueAt - 1]);
  }
  assert.ok(overdue >= 1, "the unanswered case is open and overdue");
  // Who escalates to whom, as a matrix.
  const matrix = chair.getByRole("table", { name: "Who escalates to whom" });
  await matrix.getByRole("columnheader", { name: "Sefton Children's Social Care" }).waitFor();
  await matrix.getByRole("rowheader", { name: "Demo High School" }).waitFor();
  await chair.getByText(LESSON).waitFor();
  await chair.getByRole("link", { name: `Case ${id}` }).first().waitFor();
  await check(chair, "report");

  // No child's details on the page.
  const text = await chair.evaluate(() => document.body.innerText);
  for (const secret of [CHILD, ADDRESS, CONCERN, "2015-03-04"]) assert.ok(!text.includes(secret), `the report shows ${secret}`);

  // The CSV: the same figures, downloaded with one click.
  const [download] = await Promise.all([
    chair.waitForEvent("download"),
    chair.getByRole("button", { name: "Download the figures (CSV)" }).click(),
  ]);
  assert.equal(download.suggestedFilename(), `escalations-report-${from}-to-${to}.csv`);
  const csv = readFileSync(await download.path(), "utf8");
  assert.ok(csv.startsWith("section,item,measure,value\r\n"), csv.slice(0, 80));
  for (const line of [`period,,from,${from}`, `period,,to,${to}`, "period,,procedure,sefton", "summary,,cases,2", "outcome,,resolved,1", "outcome,,open,1"]) {
    assert.ok(csv.includes(`${line}\r\n`), `the CSV has ${line}`);
  }
  assert.ok(csv.includes(LESSON), "the CSV lists lessons learned");
  for (const secret of [CHILD, ADDRESS, CONCERN, "2015-03-04"]) assert.ok(!csv.includes(secret), `the CSV holds ${secret}`);

  // Printed, it is a board paper: no navigation, filters or buttons; a PDF is kept.
  await chair.emulateMedia({ media: "print" });
  assert.equal(await chair.getByRole("navigation", { name: "Menu" }).isVisible(), false);
  assert.equal(await chair.getByRole("button", { name: "Show the report" }).isVisible(), false);
  assert.equal(await chair.getByRole("img", { name: /^Timeliness by stage and timescale/ }).isVisible(), true);
  await chair.screenshot({ path: `${artefacts}/report-print.png`, fullPage: true });
  await chair.pdf({ path: `${artefacts}/report.pdf`, format: "A4" });
  await chair.emulateMedia({ media: "screen" });
  assert.ok(unanswered);
  await chair.context().close();
});

test("a period whose end comes before its start is refused on the page, naming the field", async () => {
  const chair = await signIn("moray", "chair");
  await chair.getByRole("link", { name: "Report", exact: true }).click();
  await chair.getByRole("heading", { level: 1, name: "Quality-assurance report" }).waitFor();
  await chair.getByLabel("From", { exact: true }).fill("2026-06-30");
  await chair.getByLabel("To", { exact: true }).fill("2026-04-01");
  await chair.getByRole("button", { name: "Show the report" }).click();
  const summary = chair.getByRole("alert");
  await summary.getByRole("link", { name: "The last day must be the same as or after the first day" }).click();
  assert.equal(await chair.evaluate(() => document.activeElement.id), "report-to");
  await check(chair, "report-errors");
  await chair.context().close();
});

test("only the chair and business unit see the report", async () => {
  const practitioner = await signIn("moray", "education-manager");
  assert.equal(await practitioner.getByRole("link", { name: "Report", exact: true }).count(), 0);
  await practitioner.goto(`${base}/reports`);
  await practitioner.getByRole("heading", { level: 1, name: "Quality-assurance report" }).waitFor();
  await practitioner.getByRole("alert").getByText("only the partnership's chair or business unit can run the quality-assurance report").waitFor();
  await practitioner.context().close();
});
