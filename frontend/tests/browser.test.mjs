// Journeys of the web page: raise, answer, climb, conflict, sign-in (see harness.mjs).

import { test } from "node:test";
import assert from "node:assert/strict";
import {
  ADDRESS, CHILD, CONCERN, agencyName, api, artefacts, base, browser, check, checked, climb, consoleErrors, fillMeetingIfAsked, firstDue, openCase, people, person, raise, raised, recordForm, root, signIn, stack, success, ukHoursAgo, ukNow, useStack,
} from "./harness.mjs";

useStack();

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
  // Two clicks: All cases, then the overdue count.
  const counts = chair.getByRole("list", { name: "Counts" });
  await counts.getByText(/resolved since 1 (January|April|July|October) \d{4}/).waitFor();
  await counts.getByRole("link", { name: /^\d+ overdue$/ }).click();
  await chair.waitForURL(/overdue=true/);
  await chair.getByRole("table", { name: "Cases" }).getByRole("link", { name: `Case ${id}` }).waitFor();
  await check(chair, "all-cases-counts");
  // Narrowed to the agency asked, oldest first, raised from today: the same case.
  await chair.getByLabel("Agency raising or asked").selectOption({ label: "Moray Children and Families Social Work" });
  await chair.getByLabel("Sort by").selectOption({ label: "Oldest raised first" });
  await chair.getByRole("button", { name: "Show cases" }).click();
  await chair.waitForURL(/order=oldest/);
  assert.match(chair.url(), /agency=/);
  await chair.getByRole("table", { name: "Cases" }).getByRole("link", { name: `Case ${id}` }).waitFor();
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
