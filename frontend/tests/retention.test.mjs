// How long closed cases are kept, on the Administration page: Sefton's administrator reads the
// period in a sentence (Sefton's demo keeps closed cases 6 years), is told on the page when the
// years typed are not a whole number from 1 to 100 (nothing is saved), changes the period, is
// told and reloaded when another administrator changed the set-up first, and stops erasing
// closed cases; every change is in the record of changes, and axe-core finds nothing on any
// state (see harness.mjs for the stack and helpers).

import { test } from "node:test";
import assert from "node:assert/strict";
import { api, base, check, signIn, success, useStack } from "./harness.mjs";

useStack();

const LABEL = "Years after a closed case's last change";

function kept(years) {
  return `Closed cases are kept ${years} years after their last change, then the child's details and everything written about the case are erased. The figures in reports are kept.`;
}

/** The period Sefton's set-up holds now, as the API reads it, and its version. */
async function period() {
  const view = await api("sefton", "admin", "/api/admin");
  return { years: view.partnership.retention?.closed_cases_kept_for_years ?? null, version: view.version };
}

/** What a screen reader reads after a field's label: its hint and error message. */
function description(field) {
  return field.evaluate((input) =>
    (input.getAttribute("aria-describedby") ?? "")
      .split(" ")
      .filter(Boolean)
      .map((id) => document.getElementById(id)?.textContent.trim())
      .join(" "),
  );
}

test("an administrator changes how long closed cases are kept, and stops erasing them", async () => {
  const before = await period();
  assert.equal(before.years, 6, "Sefton's demo keeps closed cases 6 years");

  const page = await signIn("sefton", "admin");
  await page.getByRole("link", { name: "Administration" }).click();
  await page.getByRole("heading", { level: 1, name: "Administration" }).waitFor();
  await page.getByRole("heading", { level: 2, name: "How long closed cases are kept" }).waitFor();
  await page.getByText(kept(6), { exact: true }).waitFor();
  const years = page.getByRole("textbox", { name: LABEL });
  assert.equal(await years.inputValue(), "6", "the field shows the period as read");
  assert.match(await description(years), /^1 to 100\. Your records of processing should say the same\.$/);
  await check(page, "retention");

  // 0 years: named on the page, focus on the summary, nothing sent.
  await years.fill("0");
  await page.getByRole("button", { name: "Save the period" }).click();
  const summary = page.getByRole("alert").filter({ hasText: "There is a problem" });
  await summary.getByRole("link", { name: "Years must be between 1 and 100" }).waitFor();
  await page.waitForFunction(() => document.activeElement?.classList.contains("govuk-error-summary"));
  assert.match(await page.evaluate(() => document.activeElement.textContent), /Years must be between 1 and 100/);
  assert.match(await description(years), /Error: Years must be between 1 and 100$/);
  await check(page, "retention-error");
  // The summary's link takes the person to the field.
  await summary.getByRole("link", { name: "Years must be between 1 and 100" }).click();
  assert.equal(await years.evaluate((e) => e === document.activeElement), true);
  assert.deepEqual(await period(), before, "nothing saved");
  await page.getByText(kept(6), { exact: true }).waitFor();

  // Neither is a part of a year.
  await years.fill("6.5");
  await page.getByRole("button", { name: "Save the period" }).click();
  await summary.getByRole("link", { name: "Years must be a whole number, like 6" }).waitFor();
  assert.deepEqual(await period(), before, "nothing saved");

  // 7 years: saved, said, and recorded.
  await years.fill("7");
  await page.getByRole("button", { name: "Save the period" }).click();
  await success(page, "set closed cases to be kept 7 years after their last change, then erased");
  await page.getByText(kept(7), { exact: true }).waitFor();
  assert.equal(await summary.count(), 0, "the error is gone");
  await page.getByRole("table", { name: "Changes" })
    .getByRole("cell", { name: "set closed cases to be kept 7 years after their last change, then erased" }).waitFor();
  const seven = await period();
  assert.deepEqual(seven, { years: 7, version: before.version + 1 });
  await check(page, "retention-saved");

  // Another administrator sets 10 meanwhile: this one is told, sees 10, and keeps what was typed.
  const token = (await (await fetch(`${base}/dev/token?partnership=sefton&person=admin`)).json()).token;
  const other = await fetch(`${base}/api/admin/changes`, {
    method: "POST",
    headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/json" },
    body: JSON.stringify({ version: seven.version, change: "set-retention", closed_cases_kept_for_years: 10 }),
  });
  assert.equal(other.status, 200, await other.text());
  await years.fill("8");
  await page.getByRole("button", { name: "Save the period" }).click();
  await page.getByRole("alert").getByText(/another administrator changed the partnership's set-up/).waitFor();
  await page.getByText(kept(10), { exact: true }).waitFor();
  assert.equal(await years.inputValue(), "8", "what was typed is kept");
  assert.equal((await period()).years, 10, "the other administrator's period stands");
  await check(page, "retention-conflict");
  // Saved again on the version now read, it goes through.
  await page.getByRole("button", { name: "Save the period" }).click();
  await success(page, "set closed cases to be kept 8 years");
  await page.getByText(kept(8), { exact: true }).waitFor();

  // Keep closed cases: no period, no erasing.
  await page.getByRole("button", { name: "Keep closed cases" }).click();
  await success(page, "stopped erasing closed cases: they are kept");
  await page.getByText("Closed cases are kept until you set a period.", { exact: true }).waitFor();
  await page.getByRole("table", { name: "Changes" })
    .getByRole("cell", { name: "stopped erasing closed cases: they are kept" }).waitFor();
  assert.equal(await page.getByRole("button", { name: "Keep closed cases" }).count(), 0, "nothing left to clear");
  assert.equal(await years.inputValue(), "");
  assert.deepEqual(await period(), { years: null, version: before.version + 4 });
  await check(page, "retention-cleared");
  await page.context().close();
});
