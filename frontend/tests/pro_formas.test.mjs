// Printable pro-formas (issue 12, item 3): every form of every shipped procedure, blank and
// filled from a case, printed to PDF by headless Chromium (page.pdf, the print stylesheet) and
// read back with pdf.js: the document's title, every field's label, the values a case records
// with its reference, and MSET's RESTRICTED on every page. The PDFs and a print-media
// screenshot are kept in frontend/test-results/.

import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { getDocument } from "pdfjs-dist/legacy/build/pdf.mjs";
import {
  CHILD, api, artefacts, base, browser, check, climb, raise, root, signIn, success, useStack,
} from "./harness.mjs";

useStack();

/** Text compared without whitespace: a PDF breaks long labels over lines as it likes. */
const squash = (s) => s.replace(/\s+/g, "");

/** Prints the page to an A4 PDF as a person's "Save as PDF" would, keeps it, and returns the
 * text of each of its pages. */
async function printed(page, name) {
  const bytes = await page.pdf({ path: `${artefacts}/${name}.pdf`, printBackground: true, preferCSSPageSize: true });
  const pdf = await getDocument({ data: new Uint8Array(bytes), verbosity: 0 }).promise;
  const pages = [];
  for (let n = 1; n <= pdf.numPages; n++) {
    const content = await (await pdf.getPage(n)).getTextContent();
    pages.push(content.items.map((item) => item.str).join(" "));
  }
  await pdf.destroy();
  return pages;
}

/** A picture of a kept PDF's pages, drawn by pdf.js in Chromium (served from a made-up origin
 * the test answers itself), to look at the paper as printed. */
async function pictureOf(name) {
  const build = `${root}frontend/node_modules/pdfjs-dist/legacy/build`;
  const files = {
    "/": ["text/html", `<!doctype html><html lang="en"><title>${name}</title><body style="margin:0;background:#777">
      <script type="module">
        import * as pdfjs from "/pdf.mjs";
        pdfjs.GlobalWorkerOptions.workerSrc = "/pdf.worker.mjs";
        const pdf = await pdfjs.getDocument("/paper.pdf").promise;
        for (let n = 1; n <= pdf.numPages; n++) {
          const page = await pdf.getPage(n);
          const viewport = page.getViewport({ scale: 1.25 });
          const canvas = document.createElement("canvas");
          canvas.width = viewport.width;
          canvas.height = viewport.height;
          canvas.style = "display:block;margin:0 0 12px";
          document.body.append(canvas);
          await page.render({ canvasContext: canvas.getContext("2d"), viewport, canvas }).promise;
        }
        window.drawn = pdf.numPages;
      </script>`],
    "/pdf.mjs": ["text/javascript", readFileSync(`${build}/pdf.mjs`)],
    "/pdf.worker.mjs": ["text/javascript", readFileSync(`${build}/pdf.worker.mjs`)],
    "/paper.pdf": ["application/pdf", readFileSync(`${artefacts}/${name}.pdf`)],
  };
  const context = await browser.newContext({ viewport: { width: 760, height: 1000 } });
  const page = await context.newPage();
  await page.route("http://paper.test/**", (route) => {
    const file = files[new URL(route.request().url()).pathname];
    return file ? route.fulfill({ contentType: file[0], body: file[1] }) : route.fulfill({ status: 404 });
  });
  await page.goto("http://paper.test/");
  await page.waitForFunction(() => window.drawn > 0);
  await page.screenshot({ path: `${artefacts}/${name}-paper.png`, fullPage: true });
  await context.close();
}

function assertHas(pages, text, what) {
  assert.ok(squash(pages.join(" ")).includes(squash(text)), `${what}: "${text}" not in the PDF:\n${pages.join("\n---\n")}`);
}

/** Every label a printed form must carry: each field's, each table column's. */
function labels(form) {
  return form.fields.flatMap((f) => [f.label, ...(f.columns ?? []).map((c) => c.label)]);
}

/** The marking at the top and bottom of every printed page where the document marks one, and
 * nowhere else. */
function assertMarking(pages, form, name) {
  const count = (text) => (squash(text).match(/RESTRICTED/g) ?? []).length;
  if (form.marking) {
    pages.forEach((text, i) => assert.equal(count(text), 2, `${name}: page ${i + 1} marked ${form.marking} at its top and bottom`));
  } else {
    assert.equal(pages.reduce((n, t) => n + count(t), 0), 0, `${name}: no marking`);
  }
}

/** The print button calls the browser's print (the one click to print or save as PDF). */
async function printButtonPrints(page) {
  await page.evaluate(() => { window.print = () => { window.__printed = true; }; });
  await page.getByRole("button", { name: "Print or save as PDF" }).click();
  assert.equal(await page.evaluate(() => window.__printed), true);
}

test("every blank form of every shipped procedure prints with its document's title and every label, MSET's marked RESTRICTED", async () => {
  const seen = [];
  for (const partnership of ["medway", "sefton", "moray", "sscp"]) {
    const page = await signIn(partnership, "chair");
    await page.getByRole("link", { name: "Blank forms" }).click();
    await page.getByRole("heading", { level: 1, name: "Blank pro-formas" }).waitFor();
    if (partnership === "sscp") await check(page, "blank-forms");
    const list = await api(partnership, "chair", "/api/procedures");
    for (const { id } of list.items) {
      const procedure = await api(partnership, "chair", `/api/procedures/${id}`);
      for (const form of procedure.forms) {
        const name = `pro-forma-blank-${id}-${form.id}`;
        await page.getByRole("link", { name: form.title, exact: true }).first().waitFor();
        await page.goto(`${base}/procedures/${id}/forms/${form.id}`);
        await page.getByRole("heading", { level: 1, name: form.title, exact: true }).waitFor();
        await page.getByText("Blank pro-forma", { exact: true }).waitFor();
        await check(page, name);
        const pages = await printed(page, name);
        assertHas(pages, form.title, name);
        assertHas(pages, procedure.partnership, name);
        for (const label of labels(form)) assertHas(pages, label, name);
        // Nothing of the site on paper.
        assert.ok(!squash(pages.join(" ")).includes(squash("Print or save as PDF")), `${name}: no button on paper`);
        assert.ok(!squash(pages.join(" ")).includes("Signedinas"), `${name}: no header on paper`);
        assertMarking(pages, form, name);
        if (seen.length === 0) await printButtonPrints(page);
        if (form.marking && !seen.some((s) => s.endsWith(`(${form.marking})`))) await pictureOf(name);
        seen.push(`${id}/${form.id}${form.marking ? ` (${form.marking})` : ""}`);
        await page.goto(`${base}/forms`);
      }
    }
    await page.context().close();
  }
  // Medway's appendix one and Practice Alert template, Sefton's two appendices, Moray's
  // appendix 2, and MSET's appendices 1–4 on both routes.
  assert.equal(seen.length, 13, seen.join("\n"));
  assert.equal(seen.filter((s) => s.endsWith("(RESTRICTED)")).length, 8, seen.join("\n"));
});

test("Moray's Appendix 2 record prints filled from the case: the child, the recorded values, the case reference", async () => {
  const procedure = await api("moray", "education-manager", "/api/procedures/moray");
  const page = await signIn("moray", "education-manager");
  const { id } = await raise(page, { procedureName: procedure.name, agencyName: "Moray Children and Families Social Work" });
  const summary = "Home visits stopped in October (Quimby ledger) and no plan was shared";
  const section = page.getByRole("region", { name: /^Record the / });
  await section.getByLabel(/^Summary of issue\/concern/).fill(summary);
  await section.getByLabel(/^Previous attempts at resolution/).fill("Two calls with the allocated worker");
  await section.getByLabel(/^Practitioners involved in the case cannot reach consensus/).check();
  await section.getByRole("button", { name: "Record the form" }).click();
  await success(page, "Form recorded");

  // From the case page's list of its pro-formas.
  const form = procedure.forms.find((f) => f.id === "escalation-record");
  await page.getByRole("list").filter({ has: page.getByRole("link", { name: form.title }) }).getByText("recorded").first().waitFor();
  await page.getByRole("link", { name: form.title }).click();
  await page.getByRole("heading", { level: 1, name: form.title }).waitFor();
  await page.getByText(summary).waitFor();
  await check(page, "pro-forma-moray-filled");
  const pages = await printed(page, "pro-forma-moray-filled");
  for (const text of [form.title, id, CHILD, summary, "Two calls with the allocated worker", "Moray Education (demo)", ...labels(form)]) {
    assertHas(pages, text, "Moray's record");
  }
  assertMarking(pages, form, "Moray's record");
  assert.ok(pages.length > 1, "Moray's record runs over pages");
  pages.forEach((text, i) => assert.ok(squash(text).includes(squash(`Case ${id}`)), `page ${i + 1} names the case`));
  await pictureOf("pro-forma-moray-filled");
  // A look at the paper: the print stylesheet at A4's width.
  await page.setViewportSize({ width: 794, height: 1123 });
  await page.emulateMedia({ media: "print" });
  await page.screenshot({ path: `${artefacts}/pro-forma-moray-filled-print.png`, fullPage: true });
  await page.emulateMedia({ media: "screen" });
  await page.context().close();
});

test("Sefton: after a climb to step 4, the Report to SSCP prints as recorded and the step 2 log, never recorded, prints pre-filled", async () => {
  const procedure = await api("sefton", "school-practitioner", "/api/procedures/sefton");
  const raiser = await signIn("sefton", "school-practitioner");
  const { id } = await raise(raiser, { procedureName: procedure.name, agencyName: "Sefton Children's Social Care" });
  await raiser.context().close();
  const { view } = await climb({ partnership: "sefton", raiser: "school-practitioner", receiving: "social-care", id, procedure });
  assert.equal(view.case.status.status, "resolved");

  const chair = await signIn("sefton", "chair");
  const report = procedure.forms.find((f) => f.id === "report-to-sscp");
  await chair.goto(`${base}/cases/${id}/forms/report-to-sscp`);
  await chair.getByRole("heading", { level: 1, name: report.title }).waitFor();
  await chair.locator("#case-reference").getByText(id).waitFor();
  await check(chair, "pro-forma-sefton-report-filled");
  let pages = await printed(chair, "pro-forma-sefton-report-filled");
  for (const text of [report.title, id, CHILD, "Recorded for the journey", "For completion by the partnership", ...labels(report)]) {
    assertHas(pages, text, "Sefton's report");
  }

  // The case has moved on from step 2: its log still prints, with what the case knows.
  const log = procedure.forms.find((f) => f.id === "agency-escalation-summary-log");
  await chair.goto(`${base}/cases/${id}/forms/${log.id}`);
  await chair.getByRole("heading", { level: 1, name: log.title }).waitFor();
  await chair.getByText("Not yet: filled from what the case records").waitFor();
  pages = await printed(chair, "pro-forma-sefton-log-prefilled");
  for (const text of [log.title, id, ...labels(log)]) assertHas(pages, text, "Sefton's log");
  await chair.context().close();
});
