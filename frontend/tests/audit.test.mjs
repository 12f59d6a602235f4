// Who has read a case: a practitioner raises and reads a case; the chair sees that read on the
// case page, downloads the case's full record for a subject access request and then sees the
// download itself in the history. Nobody but the chair sees either, and their page never asks
// for the history (see harness.mjs for the stack and helpers).

import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { api, base, check, person, raise, signIn, useStack } from "./harness.mjs";

useStack();

// Distinctive: in the record the chair downloads, never in who has read the case.
const CHILD_NAME = "Perpetua Wimbleworth-Anstruther";
const HEADING = "Who has read this case";
const DOWNLOAD = "Download the full record (subject access request)";

test("the chair sees who has read a case, downloads its full record and sees that download kept too", async () => {
  const procedure = await api("sefton", "school-practitioner", "/api/procedures/sefton");
  const practitioner = await signIn("sefton", "school-practitioner");
  const historyAsked = [];
  practitioner.on("request", (r) => {
    if (new URL(r.url()).pathname.endsWith("/access")) historyAsked.push(r.url());
  });
  // Raising lands on the case page, which reads the case.
  const { id } = await raise(practitioner, {
    procedureName: procedure.name,
    agencyName: "Sefton Children's Social Care",
    childName: CHILD_NAME,
  });
  await practitioner.getByRole("heading", { level: 2, name: "Chronology" }).waitFor();
  const practitionerName = person("sefton", "school-practitioner").name;

  const chair = await signIn("sefton", "chair");
  const chairName = person("sefton", "chair").name;
  await chair.goto(`${base}/cases/${id}`);
  await chair.getByRole("heading", { level: 1, name: `Case ${id}` }).waitFor();
  await chair.getByRole("heading", { level: 2, name: HEADING }).waitFor();
  const table = chair.getByRole("table", { name: "Every read of this case, newest first" });
  const rows = table.getByRole("row");
  await rows.filter({ hasText: practitionerName }).filter({ hasText: "The case" }).first().waitFor();
  assert.ok(!(await table.textContent()).includes(CHILD_NAME), "the access history names the child");
  await check(chair, "case-who-has-read");

  const [download] = await Promise.all([
    chair.waitForEvent("download"),
    chair.getByRole("button", { name: DOWNLOAD }).click(),
  ]);
  assert.equal(download.suggestedFilename(), `case-${id}-record.json`);
  const record = JSON.parse(readFileSync(await download.path(), "utf8"));
  assert.equal(record.record.case.id, id);
  assert.equal(record.record.case.child.name, CHILD_NAME);
  assert.equal(record.access.at(-1).part, "export");

  // The history is read again: the download is its newest row.
  await rows.filter({ hasText: chairName }).filter({ hasText: "The full record (export)" }).waitFor();
  assert.match(await rows.nth(1).textContent(), /The full record \(export\)/);
  assert.ok(!(await table.textContent()).includes(CHILD_NAME), "the access history names the child");
  await check(chair, "case-who-has-read-exported");

  // A history that cannot be read says why, rather than leaving the section blank.
  const refusal = "The access history could not be read (a test's refusal).";
  await chair.route("**/access", (route) => route.fulfill({
    status: 403,
    contentType: "application/problem+json",
    body: JSON.stringify({ type: "about:blank", title: "Forbidden", status: 403, detail: refusal }),
  }));
  await chair.reload();
  await chair.getByRole("heading", { level: 2, name: HEADING }).waitFor();
  await chair.getByText(refusal).waitFor();
  await chair.context().close();

  // Anyone else sees the case page without either, and their page never asks for the history.
  await practitioner.reload();
  await practitioner.getByRole("heading", { level: 1, name: `Case ${id}` }).waitFor();
  await practitioner.getByRole("heading", { level: 2, name: "Chronology" }).waitFor();
  assert.equal(await practitioner.getByRole("heading", { name: HEADING }).count(), 0);
  assert.equal(await practitioner.getByRole("button", { name: DOWNLOAD }).count(), 0);
  assert.deepEqual(historyAsked, []);
  await practitioner.context().close();
});
