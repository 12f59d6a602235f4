// The browser tests' harness: the web page in real headless Chromium (Debian's), driven by playwright-core, against a
// fresh local stack serving the built page with the production security headers. Elements
// are found by role and accessible name, as a person finds them. Every page is checked with
// axe-core (WCAG 2.2 AA) and photographed into frontend/test-results/.
//
//   node --test frontend/tests/        (after ./scripts/build-web.sh and a debug build of
//                                       escalations-local; ./scripts/test.sh does both)

import { before, after } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, mkdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { chromium } from "playwright-core";

export const root = new URL("../../", import.meta.url).pathname;
const binary = process.env.ESCALATIONS_LOCAL ?? `${root}target/debug/escalations-local`;
export const artefacts = process.env.ARTEFACTS ?? `${root}frontend/test-results`;
const chromiumPath = process.env.CHROMIUM ?? "/usr/bin/chromium";
const axeSource = readFileSync(`${root}frontend/node_modules/axe-core/axe.min.js`, "utf8");
mkdirSync(artefacts, { recursive: true });

// Distinctive values: none may appear in any notice the stack sends.
export const CHILD = "Zebedee Quillfeather-Ostrowski";
export const ADDRESS = "17 Marrowbone Lane, Lower Wibbling";
export const CONCERN = "The strategy discussion was closed without hearing the school (Yarrowfield note)";

export let stack;
export let base;
export let browser;
export let people;
export const consoleErrors = [];

export function useStack() {
before(async () => {
  const dir = mkdtempSync(`${tmpdir()}/escalations-web-`);
  stack = spawn(
    binary,
    ["--port", "0", "--data", `${dir}/escalations.db`, "--sweep-every", "0", "--site", process.env.SITE ?? `${root}frontend/dist`],
    { stdio: ["ignore", "pipe", "inherit"] },
  );
  base = await new Promise((resolve, reject) => {
    let out = "";
    stack.stdout.on("data", (chunk) => {
      out += chunk;
      const found = out.match(/local stack: (http:\/\/127\.0\.0\.1:\d+)/);
      if (found) resolve(found[1]);
    });
    stack.on("exit", (code) => reject(new Error(`the local stack exited (${code})`)));
    // Unreferenced: once the stack is up, this timer must not hold each test file's process
    // open for its full minute.
    setTimeout(() => reject(new Error("the local stack did not start in 60 s")), 60_000).unref();
  });
  people = await (await fetch(`${base}/dev/people`)).json();
  browser = await chromium.launch({
    executablePath: chromiumPath,
    args: [
      "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
      "--disable-background-networking", "--disable-component-update", "--disable-sync",
    ],
  });
});

after(async () => {
  await browser?.close();
  stack?.kill();
  assert.deepEqual(consoleErrors, [], `the page logged errors:\n${consoleErrors.join("\n")}`);
});
}

export function person(partnership, id) {
  const p = people.partnerships.find((x) => x.id === partnership);
  const found = p?.people.find((x) => x.id === id);
  assert.ok(found, `no demo person ${partnership}/${id}`);
  return { partnershipName: p.name, name: found.name };
}

/** The API as a demo person sees it: for reading what to check, never for acting. */
export async function api(partnership, id, path) {
  const token = await (await fetch(`${base}/dev/token?partnership=${partnership}&person=${id}`)).json();
  const answer = await fetch(`${base}${path}`, { headers: { Authorization: `Bearer ${token.token}` } });
  assert.equal(answer.status, 200, `${path}: ${await answer.clone().text()}`);
  return answer.json();
}

/** A new browser (its own session) signed in as a demo person, on My work. */
export async function signIn(partnership, id) {
  const { partnershipName, name } = person(partnership, id);
  const context = await browser.newContext();
  const page = await context.newPage();
  page.on("pageerror", (e) => consoleErrors.push(`${id}: ${e.message}`));
  page.on("console", (m) => {
    // A refused request is logged by the browser itself; the page shows the refusal.
    if (m.type() === "error" && !/status of 4\d\d/.test(m.text())) consoleErrors.push(`${id}: ${m.text()}`);
  });
  await page.goto(`${base}/`);
  await page.getByRole("heading", { level: 1, name: "Sign in" }).waitFor();
  if (!checked.has("signin")) await check(page, "signin");
  const section = page.getByRole("region", { name: partnershipName });
  await section.getByRole("button", { name: `Sign in as ${name}`, exact: true }).click();
  await page.getByRole("heading", { level: 1, name: "My work" }).waitFor();
  // Who is signed in is always on screen.
  await page.getByText(`Signed in as ${name}`).waitFor();
  return page;
}

export const checked = new Set();
/** axe-core at WCAG 2.2 AA, 0 violations, and a screenshot. */
export async function check(page, name) {
  await page.evaluate(axeSource);
  const result = await page.evaluate(() =>
    window.axe.run(document, {
      runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"] },
    }),
  );
  await page.screenshot({ path: `${artefacts}/${name}.png`, fullPage: true });
  checked.add(name);
  const violations = result.violations.map(
    (v) => `${v.id}: ${v.help} at ${v.nodes.map((n) => n.target.join(" ")).join("; ")}`,
  );
  assert.deepEqual(violations, [], `accessibility of ${name}`);
}

/** The stack's clock (which the tests move forward) in UK time, as a datetime-local input
 * takes it: 2026-11-26T10:00:45. */
export async function ukNow() {
  const clock = await (await fetch(`${base}/dev/clock`)).json();
  return new Date(clock.now).toLocaleString("sv-SE", { timeZone: "Europe/London" }).replace(" ", "T");
}

/** Raises a case through the form, answering what the procedure asks; returns the case id
 * and the due time the page showed before submitting. */
export async function raise(page, { procedureName, agencyName, meetingAt, submit = true, childName = CHILD, shorterHours }) {
  await page.getByRole("link", { name: "Raise an escalation" }).first().click();
  await page.getByRole("heading", { level: 1, name: "Raise an escalation" }).waitFor();
  await page.getByLabel(procedureName).check();
  await page.getByRole("button", { name: "Continue" }).click();
  await page.getByRole("button", { name: "Raise the escalation" }).waitFor();
  const risk = page.getByRole("group", { name: "Is the child at immediate risk of significant harm?" });
  if (await risk.count()) await risk.getByLabel("No").check();
  await page.getByLabel("Which agency is the escalation about?").selectOption({ label: agencyName });
  const child = page.getByLabel("Child's full name");
  if (await child.count()) {
    await child.fill(childName);
    await page.getByLabel("Date of birth (if known)").fill("2015-03-04");
    await page.getByLabel("Address (if known)").fill(ADDRESS);
    await page.getByLabel("Child protection plan", { exact: true }).check();
  }
  const level = page.getByRole("group", { name: "Level of need" });
  if (await level.count()) await level.getByRole("radio").first().check();
  const reasons = page.getByRole("group", { name: "Reason for the escalation" }).getByRole("checkbox");
  if (await reasons.count()) {
    await reasons.first().check();
  } else {
    // An open list of reasons: the reason in words.
    await page.getByLabel("Reason for the escalation (optional)").fill("Threshold for assessment not agreed");
  }
  await page.getByLabel("What is the concern?").fill(CONCERN);
  await page.getByLabel("What has been tried to resolve it?").fill("Discussed with the allocated social worker on the phone");
  await page.getByLabel("What outcome do you want?").fill("A child and family assessment");
  const meeting = page.getByLabel(/^When did .* take place\?/);
  if (await meeting.count()) await meeting.fill(meetingAt ?? (await ukNow()));
  if (shorterHours) {
    const shorter = page.getByRole("group", { name: "A shorter timescale for this case (optional)" });
    await shorter.getByLabel("How many").fill(String(shorterHours));
    await shorter.getByLabel("Of what").selectOption({ label: "Hours" });
  }
  const preview = await page.locator("#due-preview-text").textContent();
  if (!submit) return { preview };
  await page.getByRole("button", { name: "Raise the escalation" }).click();
  await raised(page);
  const heading = await page.getByRole("heading", { level: 1 }).textContent();
  const id = heading.replace("Case ", "").trim();
  return { id, preview };
}

export async function raised(page) {
  try {
    await page.getByText(/^Escalation raised: case /).waitFor({ timeout: 10_000 });
  } catch (e) {
    await page.screenshot({ path: `${artefacts}/failed-raise.png`, fullPage: true });
    throw e;
  }
}

export async function agencyName(partnership, person, agency) {
  const me = await api(partnership, person, "/api/me");
  return me.partnership.agencies.find((a) => a.id === agency).name;
}

/** An instant `hours` before the stack's clock, in UK time for a datetime-local input. */
export async function ukHoursAgo(hours) {
  const clock = await (await fetch(`${base}/dev/clock`)).json();
  const then = new Date(Date.parse(clock.now) - hours * 3_600_000);
  return then.toLocaleString("sv-SE", { timeZone: "Europe/London" }).replace(" ", "T");
}

/** The due time of the first timescale, as the case page shows the server's. */
export async function firstDue(page) {
  const table = page.getByRole("table", { name: "Timescales" });
  return (await table.getByRole("row").nth(1).getByRole("cell").nth(2).textContent()).trim();
}

export async function openCase(page, id) {
  await page.getByRole("link", { name: `Case ${id}` }).first().click();
  await page.getByRole("heading", { level: 1, name: `Case ${id}` }).waitFor();
}

export async function success(page, text) {
  try {
    await page.getByRole("region", { name: "Success" }).getByText(text).waitFor({ timeout: 10_000 });
  } catch (e) {
    await page.screenshot({ path: `${artefacts}/failed-${text}.png`, fullPage: true });
    throw e;
  }
}

export async function fillMeetingIfAsked(page, section) {
  const meeting = section.getByLabel(/^When did .* take place\?/);
  if (await meeting.count()) {
    await page.waitForTimeout(1100); // a stated time after the last change, to the second
    await meeting.fill(await ukNow());
  }
}

/** Records the stage's form in the browser: every required field still blank gets a value. */
export async function recordForm(page) {
  const section = page.getByRole("region", { name: /^Record the / });
  if (!(await section.count())) return;
  await section.getByRole("button", { name: "Record the form" }).waitFor();
  for (const field of await section.getByLabel(/\(required\)$/).all()) {
    const type = await field.evaluate((e) => e.type ?? e.tagName);
    if (type === "radio" || type === "checkbox") continue;
    if (await field.inputValue()) continue;
    const value = { date: "2026-01-05", email: "someone@example.org" }[type] ?? "Recorded for the journey";
    await field.fill(value);
  }
  for (const group of await section.getByRole("group", { name: /\(required\)$/ }).all()) {
    const options = group.getByRole("radio").or(group.getByRole("checkbox"));
    let any = false;
    for (const o of await options.all()) any ||= await o.isChecked();
    if (!any) await options.first().check();
  }
  await section.getByRole("button", { name: "Record the form" }).click();
  await success(page, "Form recorded");
}

/**
 * Climbs a case's ladder in the browser: at each step the person the procedure asks (the
 * level a stage asks, or must escalate at — read from the procedure, as the API tests do)
 * signs in, opens the case from My work and acts: "not resolved", sent on, escalated, and at
 * the top resolved with lessons learned. Returns the stages visited.
 */
export async function climb({ partnership, raiser, receiving, id, procedure, onEscalated }) {
  const raiserAgency = raiser.replace(/-[^-]*$/, "").replace(/-(service|head-of)$/, "");
  const visited = [];
  for (let step = 0; step < 40; step++) {
    const view = await api(partnership, "chair", `/api/cases/${id}`);
    if (!visited.includes(view.case.stage)) visited.push(view.case.stage);
    const next = view.next_move;
    if (!next) return { visited, view };
    const offered = (a) => next.actions.includes(a);
    const here = procedure.stages.findIndex((s) => s.id === view.case.stage);
    const level = offered("escalate") ? procedure.stages[here + 1].escalated_by : procedure.stages[here].asked.level;
    const agency = next.party === "raising" ? raiserAgency : next.party === "receiving" ? receiving : null;
    const role = { undefined: "manager", "first-line": "manager", "second-line": "service-manager", "head-of-service": "head-of-service", director: "director" }[level] ?? "manager";
    // Where the procedure names no level for escalating, the person who raised it escalates
    // ("If it cannot be agreed, escalate to the line manager").
    const who = agency === null ? "chair"
      : offered("escalate") && level === undefined && agency === raiserAgency ? raiser
      : `${agency}-${role}`;
    const page = await signIn(partnership, who);
    await openCase(page, id);
    const stageName = procedure.stages[here].name;
    if (offered("respond")) {
      // The person asked sees what the escalation is about before answering.
      await page.getByText(CONCERN, { exact: true }).waitFor();
      const form = page.getByRole("region", { name: "Respond" });
      await form.getByLabel("Not resolved").check();
      await form.getByLabel("Why it is not resolved").fill("Threshold still not agreed");
      await fillMeetingIfAsked(page, form);
      await form.getByRole("button", { name: "Send the response" }).click();
      await success(page, "Response recorded");
      await check(page, `${procedure.id}-${here + 1}-responded`);
    } else if (offered("escalate")) {
      const form = page.getByRole("region", { name: /^Escalate to / });
      await form.getByLabel("Why you are escalating").fill("Still not agreed after the discussion");
      await form.getByLabel("What has been tried").fill("Manager to manager discussion");
      await fillMeetingIfAsked(page, form);
      await form.getByRole("button", { name: "Escalate" }).click();
      await success(page, "Escalated to the next stage");
      await check(page, `${procedure.id}-${here + 1}-escalated`);
      if (onEscalated) await onEscalated(here + 1);
    } else if (offered("submit")) {
      const form = page.getByRole("region", { name: "Send it on" });
      await fillMeetingIfAsked(page, form);
      await form.getByRole("button", { name: "Send it on" }).click();
      await success(page, "Sent on");
    } else {
      assert.ok(offered("resolve"), `${stageName}: ${JSON.stringify(next)}`);
      await recordForm(page);
      const form = page.getByRole("region", { name: "Resolve the case" });
      await form.getByLabel("The decision").fill("Agreed at the top of the ladder: assessment to start");
      await form.getByLabel("Lessons learned").fill("Escalate sooner; share chronologies early");
      const onBehalf = form.getByLabel("Whose decision is it?");
      if (await onBehalf.count()) await onBehalf.selectOption({ index: 1 });
      await form.getByRole("button", { name: "Resolve the case" }).click();
      await success(page, "Case resolved");
      await page.getByText("Escalate sooner; share chronologies early").waitFor();
      await page.getByText("Resolved", { exact: true }).first().waitFor();
      await check(page, `${procedure.id}-resolved`);
    }
    await page.context().close();
  }
  throw new Error("the ladder did not end");
}

