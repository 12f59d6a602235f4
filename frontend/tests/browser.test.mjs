// The web page in real headless Chromium (Debian's), driven by playwright-core, against a
// fresh local stack serving the built page with the production security headers. Elements
// are found by role and accessible name, as a person finds them. Every page is checked with
// axe-core (WCAG 2.2 AA) and photographed into frontend/test-results/.
//
//   node --test frontend/tests/        (after ./scripts/build-web.sh and a debug build of
//                                       escalations-local; ./scripts/test.sh does both)

import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, mkdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { chromium } from "playwright-core";

const root = new URL("../../", import.meta.url).pathname;
const binary = process.env.ESCALATIONS_LOCAL ?? `${root}target/debug/escalations-local`;
const artefacts = process.env.ARTEFACTS ?? `${root}frontend/test-results`;
const chromiumPath = process.env.CHROMIUM ?? "/usr/bin/chromium";
const axeSource = readFileSync(`${root}frontend/node_modules/axe-core/axe.min.js`, "utf8");
mkdirSync(artefacts, { recursive: true });

// Distinctive values: none may appear in any notice the stack sends.
const CHILD = "Zebedee Quillfeather-Ostrowski";
const ADDRESS = "17 Marrowbone Lane, Lower Wibbling";
const CONCERN = "The strategy discussion was closed without hearing the school (Yarrowfield note)";

let stack;
let base;
let browser;
let people;
const consoleErrors = [];

before(async () => {
  const dir = mkdtempSync(`${tmpdir()}/escalations-web-`);
  stack = spawn(
    binary,
    ["--port", "0", "--data", `${dir}/escalations.db`, "--sweep-every", "0", "--site", `${root}frontend/dist`],
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
    setTimeout(() => reject(new Error("the local stack did not start in 60 s")), 60_000);
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

function person(partnership, id) {
  const p = people.partnerships.find((x) => x.id === partnership);
  const found = p?.people.find((x) => x.id === id);
  assert.ok(found, `no demo person ${partnership}/${id}`);
  return { partnershipName: p.name, name: found.name };
}

/** The API as a demo person sees it: for reading what to check, never for acting. */
async function api(partnership, id, path) {
  const token = await (await fetch(`${base}/dev/token?partnership=${partnership}&person=${id}`)).json();
  const answer = await fetch(`${base}${path}`, { headers: { Authorization: `Bearer ${token.token}` } });
  assert.equal(answer.status, 200, `${path}: ${await answer.clone().text()}`);
  return answer.json();
}

/** A new browser (its own session) signed in as a demo person, on My work. */
async function signIn(partnership, id) {
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

const checked = new Set();
/** axe-core at WCAG 2.2 AA, 0 violations, and a screenshot. */
async function check(page, name) {
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
async function ukNow() {
  const clock = await (await fetch(`${base}/dev/clock`)).json();
  return new Date(clock.now).toLocaleString("sv-SE", { timeZone: "Europe/London" }).replace(" ", "T");
}

/** Raises a case through the form, answering what the procedure asks; returns the case id
 * and the due time the page showed before submitting. */
async function raise(page, { procedureName, agencyName, meetingAt, submit = true, childName = CHILD, shorterHours }) {
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

async function raised(page) {
  try {
    await page.getByText(/^Escalation raised: case /).waitFor({ timeout: 10_000 });
  } catch (e) {
    await page.screenshot({ path: `${artefacts}/failed-raise.png`, fullPage: true });
    throw e;
  }
}

async function agencyName(partnership, person, agency) {
  const me = await api(partnership, person, "/api/me");
  return me.partnership.agencies.find((a) => a.id === agency).name;
}

/** An instant `hours` before the stack's clock, in UK time for a datetime-local input. */
async function ukHoursAgo(hours) {
  const clock = await (await fetch(`${base}/dev/clock`)).json();
  const then = new Date(Date.parse(clock.now) - hours * 3_600_000);
  return then.toLocaleString("sv-SE", { timeZone: "Europe/London" }).replace(" ", "T");
}

/** The due time of the first timescale, as the case page shows the server's. */
async function firstDue(page) {
  const table = page.getByRole("table", { name: "Timescales" });
  return (await table.getByRole("row").nth(1).getByRole("cell").nth(2).textContent()).trim();
}

async function openCase(page, id) {
  await page.getByRole("link", { name: `Case ${id}` }).first().click();
  await page.getByRole("heading", { level: 1, name: `Case ${id}` }).waitFor();
}

async function success(page, text) {
  try {
    await page.getByRole("region", { name: "Success" }).getByText(text).waitFor({ timeout: 10_000 });
  } catch (e) {
    await page.screenshot({ path: `${artefacts}/failed-${text}.png`, fullPage: true });
    throw e;
  }
}

async function fillMeetingIfAsked(page, section) {
  const meeting = section.getByLabel(/^When did .* take place\?/);
  if (await meeting.count()) {
    await page.waitForTimeout(1100); // a stated time after the last change, to the second
    await meeting.fill(await ukNow());
  }
}

/** Records the stage's form in the browser: every required field still blank gets a value. */
async function recordForm(page) {
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
async function climb({ partnership, raiser, receiving, id, procedure, onEscalated }) {
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

test("an empty raise form names every field it needs, and focus moves to the summary", async () => {
  const page = await signIn("sefton", "school-practitioner");
  await check(page, "my-work-empty");
  await page.getByRole("link", { name: "Raise an escalation" }).first().click();
  await page.getByRole("button", { name: "Continue" }).click();
  await page.getByRole("alert").getByText("Choose the procedure to follow").waitFor();
  await check(page, "choose-procedure-error");
  await page.getByLabel("Sefton SCP escalation and resolution procedure").check();
  await page.getByRole("button", { name: "Continue" }).click();
  await page.getByRole("button", { name: "Raise the escalation" }).click();
  const summary = page.getByRole("alert");
  await summary.getByText("There is a problem").waitFor();
  for (const message of [
    "Choose the agency the escalation is about",
    "Enter the child's name",
    "Say whether the child is at immediate risk of significant harm",
    "Enter what the concern is",
  ]) {
    await summary.getByRole("link", { name: message }).waitFor();
  }
  assert.ok(await page.evaluate(() => document.activeElement.closest(".govuk-error-summary") !== null), "focus on the error summary");
  // Each link takes the person to its field.
  await summary.getByRole("link", { name: "Enter the child's name" }).click();
  assert.equal(await page.evaluate(() => document.activeElement.id), "child.name");
  await check(page, "raise-form-errors");
  await page.context().close();
});

test("Sefton: a school raises, social care answers, it climbs to step 4, goes overdue on the way, and the chair resolves it", async () => {
  const procedure = await api("sefton", "school-practitioner", "/api/procedures/sefton");
  const page = await signIn("sefton", "school-practitioner");
  const { id, preview } = await raise(page, {
    procedureName: procedure.name,
    agencyName: "Sefton Children's Social Care",
  });
  await check(page, "case-raised");
  // The page worked out the due date before submitting with the server's own code.
  const due = await firstDue(page);
  assert.ok(preview.includes(due), `preview "${preview}" vs server "${due}"`);
  await page.context().close();

  let overdueSeen = false;
  const { visited, view } = await climb({
    partnership: "sefton",
    raiser: "school-practitioner",
    receiving: "social-care",
    id,
    procedure,
    onEscalated: async (stage) => {
      if (stage !== 1 || overdueSeen) return;
      // Move the clock past step 2's two working days: the case shows overdue in My work.
      const moved = await fetch(`${base}/dev/clock?days=7`, { method: "POST" });
      assert.equal(moved.status, 200);
      const manager = await signIn("sefton", "social-care-manager");
      const overdue = manager.getByRole("region", { name: /^Overdue/ });
      await overdue.getByRole("link", { name: `Case ${id}` }).waitFor();
      await overdue.getByText(/overdue by \d+ working days?: was due end of /).first().waitFor();
      await check(manager, "my-work-overdue");
      await openCase(manager, id);
      await manager.getByText("Overdue", { exact: true }).first().waitFor();
      await check(manager, "case-overdue");
      await manager.context().close();
      overdueSeen = true;
    },
  });
  assert.ok(overdueSeen);
  assert.deepEqual(visited, procedure.stages.map((s) => s.id));
  assert.equal(view.case.status.status, "resolved");
  assert.equal(view.case.status.lessons_learned, "Escalate sooner; share chronologies early");
});

test("Moray: a case climbs all six stages in the browser to the Chief Social Work Officer's decision", async () => {
  const procedure = await api("moray", "education-manager", "/api/procedures/moray");
  const page = await signIn("moray", "education-manager");
  const { id, preview } = await raise(page, {
    procedureName: procedure.name,
    agencyName: "Moray Children and Families Social Work",
  });
  const due = await firstDue(page);
  assert.ok(preview.includes(due), `preview "${preview}" vs server "${due}"`);
  await page.context().close();
  const { visited, view } = await climb({
    partnership: "moray",
    raiser: "education-manager",
    receiving: "social-work",
    id,
    procedure,
  });
  assert.deepEqual(visited, procedure.stages.map((s) => s.id));
  assert.equal(view.case.status.status, "resolved");
});

test("the due time the page shows before submitting is the server's, for several procedures and start times", async () => {
  const runs = [
    // procedure, partnership, who raises, agency asked, when the stated meeting was (hours ago)
    ["medway", "medway", "school-practitioner", "social-care", null],
    ["sscp-mset", "sscp", "chair", "childrens-services", 30],
    ["sscp-mset", "sscp", "chair", "childrens-services", 1],
    // MSET's Chair sets a shorter timescale: 24 hours instead of 72 (the page offers it only
    // where the procedure lets the person's role set one).
    ["sscp-mset", "sscp", "chair", "childrens-services", 3, 24],
    ["moray", "moray", "education-manager", "social-work", 24 * 6],
    ["moray", "moray", "education-manager", "social-work", 2],
  ];
  for (const run of runs) {
    const [id, partnership, raiser, agency, hoursAgo, shorterHours] = run;
    const procedure = await api(partnership, raiser, `/api/procedures/${id}`);
    const page = await signIn(partnership, raiser);
    const meetingAt = hoursAgo === null ? undefined : await ukHoursAgo(hoursAgo);
    const raised = await raise(page, {
      procedureName: procedure.name,
      agencyName: await agencyName(partnership, raiser, agency),
      meetingAt,
      childName: `${CHILD} ${runs.indexOf(run)}`,
      shorterHours,
    });
    const due = await firstDue(page);
    assert.ok(raised.preview.includes(due), `${id}, ${hoursAgo} h: page "${raised.preview}", server "${due}"`);
    if (shorterHours) await page.getByText(/a shorter timescale of .* was set/).waitFor();
    await page.context().close();
  }
});

test("a retried raise after a lost answer creates one case, not two (Idempotency-Key)", async () => {
  const before = (await api("medway", "school-manager", "/api/cases")).items.length;
  const procedure = await api("medway", "school-manager", "/api/procedures/medway");
  const page = await signIn("medway", "school-manager");
  // The first attempt reaches the server, which raises the case; its answer is lost.
  let lost = false;
  await page.route("**/api/cases", async (route) => {
    if (route.request().method() === "POST" && !lost) {
      lost = true;
      await route.fetch();
      return route.abort("failed");
    }
    return route.continue();
  });
  await raise(page, {
    procedureName: procedure.name,
    agencyName: await agencyName("medway", "school-manager", "social-care"),
    submit: false,
    childName: `${CHILD} Junior`,
  });
  await page.getByRole("button", { name: "Raise the escalation" }).click();
  await page.getByRole("alert").getByText(/could not be reached/).waitFor();
  assert.ok(lost);
  // The person tries again (twice, impatiently): the server answers the first attempt's case.
  await page.getByRole("button", { name: "Raise the escalation" }).dblclick();
  await page.getByText(/^Escalation raised: case /).waitFor();
  // The browser logs the aborted request; nothing else may be logged.
  const aborted = consoleErrors.findIndex((e) => e === "school-manager: Failed to load resource: net::ERR_FAILED");
  if (aborted >= 0) consoleErrors.splice(aborted, 1);
  const after = (await api("medway", "school-manager", "/api/cases")).items.length;
  assert.equal(after, before + 1);
  await page.context().close();
});

test("an expired sign-in returns to sign-in and keeps what the person typed", async () => {
  const procedure = await api("sefton", "health-practitioner", "/api/procedures/sefton");
  const page = await signIn("sefton", "health-practitioner");
  await raise(page, {
    procedureName: procedure.name,
    agencyName: await agencyName("sefton", "health-practitioner", "police"),
    submit: false,
  });
  // The token expires while the person types.
  await page.evaluate(() => sessionStorage.setItem("escalations.token", JSON.stringify("expired.token.value")));
  await page.getByRole("button", { name: "Raise the escalation" }).click();
  await page.getByRole("heading", { level: 1, name: "Sign in" }).waitFor();
  await page.getByText("Your sign-in has ended").waitFor();
  const { partnershipName, name } = person("sefton", "health-practitioner");
  await page.getByRole("region", { name: partnershipName }).getByRole("button", { name: `Sign in as ${name}`, exact: true }).click();
  await page.getByRole("button", { name: "Raise the escalation" }).waitFor();
  assert.equal(await page.getByLabel("What is the concern?").inputValue(), CONCERN);
  assert.equal(await page.getByLabel("Child's full name").inputValue(), CHILD);
  await page.getByRole("button", { name: "Raise the escalation" }).click();
  await page.getByText(/^Escalation raised: case /).waitFor();
  await page.context().close();
});

test("someone else acting first: the case reloads, says what changed, and keeps what was typed", async () => {
  const procedure = await api("sefton", "school-practitioner", "/api/procedures/sefton");
  const raiser = await signIn("sefton", "school-practitioner");
  const { id } = await raise(raiser, { procedureName: procedure.name, agencyName: "Sefton Children's Social Care" });
  await raiser.context().close();
  // Social care answers "not resolved", agreeing an action of its own.
  const social = await signIn("sefton", "social-care-manager");
  await openCase(social, id);
  const respond = social.getByRole("region", { name: "Respond" });
  await respond.getByLabel("Not resolved").check();
  await respond.getByLabel("Why it is not resolved").fill("Threshold not met");
  await respond.getByLabel("What will be done").fill("Share the referral history");
  await respond.getByLabel("Which agency will do it").selectOption({ label: "Sefton Children's Social Care" });
  await respond.getByLabel("By when").fill("2027-01-15");
  await respond.getByRole("button", { name: "Send the response" }).click();
  await success(social, "Response recorded");
  // The school's manager starts writing the escalation...
  const school = await signIn("sefton", "school-manager");
  await openCase(school, id);
  const escalate = school.getByRole("region", { name: /^Escalate to / });
  await escalate.getByLabel("Why you are escalating").fill("The referral history shows three earlier contacts");
  // ...while social care marks its action done.
  await social.getByRole("button", { name: "Mark a1 done" }).click();
  await success(social, "Agreed action marked done");
  await escalate.getByRole("button", { name: "Escalate" }).click();
  const changed = school.getByRole("alert").filter({ hasText: "Someone else acted on this case" });
  await changed.getByText(/Agreed action a1 done/).waitFor();
  await check(school, "case-conflict");
  const again = school.getByRole("region", { name: /^Escalate to / });
  assert.equal(await again.getByLabel("Why you are escalating").inputValue(), "The referral history shows three earlier contacts");
  // The discussion behind it is recorded with it.
  await again.getByText("Record the discussion (how, when, with whom)").click();
  await again.getByRole("group", { name: "How did the discussion take place?" }).getByLabel("Telephone").check();
  await again.getByLabel("When", { exact: true }).fill(await ukNow());
  await again.getByLabel("With whom (their role)").fill("Team manager");
  await again.getByLabel("Their agency").selectOption({ label: "Sefton Children's Social Care" });
  await again.getByRole("button", { name: "Escalate" }).click();
  await success(school, "Escalated to the next stage");
  await school.getByText(/Discussed by telephone on .* with Team manager \(Sefton Children's Social Care\)/).waitFor();
  await school.context().close();
  await social.context().close();
});

test("signing out ends the session: the sign-in page, and My work asks to sign in again", async () => {
  const page = await signIn("moray", "police-practitioner");
  await page.getByRole("button", { name: "Sign out" }).click();
  await page.getByRole("heading", { level: 1, name: "Sign in" }).waitFor();
  assert.equal(await page.evaluate(() => sessionStorage.length), 0);
  await page.goto(`${base}/`);
  await page.getByRole("heading", { level: 1, name: "Sign in" }).waitFor();
  // Signing out is not an expiry: nothing was lost, and the page does not say so.
  assert.equal(await page.getByText("Your sign-in has ended").count(), 0);
  await page.context().close();
});

test("keyboard alone: from My work to the raise form and its error summary", async () => {
  const page = await signIn("medway", "health-practitioner");
  /** Presses Tab until the focused element's text (or label) matches, as a keyboard user would. */
  async function tabTo(pattern) {
    for (let i = 0; i < 60; i++) {
      await page.keyboard.press("Tab");
      const focused = await page.evaluate(() => {
        const e = document.activeElement;
        const label = e.id ? document.querySelector(`label[for="${CSS.escape(e.id)}"]`)?.textContent : "";
        return `${e.textContent ?? ""} ${label ?? ""}`.trim();
      });
      if (pattern.test(focused)) return;
    }
    throw new Error(`Tab never reached ${pattern}`);
  }
  await tabTo(/^Raise an escalation$/);
  await page.keyboard.press("Enter");
  await page.getByRole("heading", { level: 1, name: "Raise an escalation" }).waitFor();
  await tabTo(/Medway escalation policy/);
  await page.keyboard.press("Space");
  await tabTo(/^Continue$/);
  await page.keyboard.press("Enter");
  await tabTo(/^Raise the escalation$/);
  await page.keyboard.press("Enter");
  await page.getByRole("alert").getByText("There is a problem").waitFor();
  assert.ok(await page.evaluate(() => document.activeElement.closest(".govuk-error-summary") !== null));
  await page.context().close();
});

test("the chair finds the overdue Moray cases from All cases, and the filtered view can be bookmarked", async () => {
  const procedure = await api("moray", "education-manager", "/api/procedures/moray");
  const raiser = await signIn("moray", "education-manager");
  const { id } = await raise(raiser, {
    procedureName: procedure.name,
    agencyName: "Moray Children and Families Social Work",
    childName: `${CHILD} the Third`,
  });
  await raiser.context().close();
  // Five working days pass unanswered.
  assert.equal((await fetch(`${base}/dev/clock?days=10`, { method: "POST" })).status, 200);
  const chair = await signIn("moray", "chair");
  await chair.getByRole("link", { name: "All cases" }).click();
  await chair.getByRole("heading", { level: 1, name: "All cases" }).waitFor();
  await chair.getByLabel("Procedure").selectOption({ label: procedure.name });
  await chair.getByLabel("Overdue only").check();
  await chair.getByRole("button", { name: "Show cases" }).click();
  const table = chair.getByRole("table", { name: "Cases" });
  const row = table.getByRole("row").filter({ has: chair.getByRole("link", { name: `Case ${id}` }) });
  await row.getByText("Overdue").waitFor();
  assert.match(chair.url(), /procedure=moray/);
  assert.match(chair.url(), /overdue=true/);
  await check(chair, "all-cases-overdue");
  // The address is the view: opened afresh, it shows the same cases, filters set.
  await chair.goto(chair.url());
  await chair.getByRole("table", { name: "Cases" }).getByRole("link", { name: `Case ${id}` }).waitFor();
  assert.equal(await chair.getByLabel("Overdue only").isChecked(), true);
  await chair.context().close();
});

test("no notice carries the child's details or the concern's words", async () => {
  const outbox = await (await fetch(`${base}/dev/outbox`, { headers: { Accept: "application/json" } })).json();
  assert.ok(outbox.messages.length > 0, "notices were sent");
  for (const m of outbox.messages) {
    for (const secret of [CHILD, ADDRESS, CONCERN, "2015-03-04", "Yarrowfield"]) {
      assert.ok(!`${m.subject}\n${m.text}\n${m.html}`.includes(secret), `${m.file} holds ${secret}`);
    }
  }
});
