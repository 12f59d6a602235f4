// The web page's size and paint benchmark (BENCHMARKS.md): what a first visit downloads
// (raw, gzip, brotli), and over repeated cold loads in headless Chromium against a local
// stack, first contentful paint and the time until My work shows what the person must act on.
//
//   node frontend/bench/paint.mjs [--loads 20] [--stack PATH-TO-escalations-local]

import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { gzipSync, brotliCompressSync, constants } from "node:zlib";
import { chromium } from "playwright-core";

const root = new URL("../../", import.meta.url).pathname;
const arg = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : fallback;
};
const loads = Number(arg("loads", "20"));
const binary = arg("stack", `${root}target/debug/escalations-local`);
const dist = `${root}frontend/dist`;

// What a first visit downloads, before any API call.
const initial = ["index.html", "boot.js", "escalations-web.js", "escalations-web_bg.wasm", "main.css"];
let totals = { raw: 0, gzip: 0, brotli: 0 };
console.log("file                       raw      gzip    brotli");
for (const name of initial) {
  const bytes = readFileSync(`${dist}/${name}`);
  const gzip = gzipSync(bytes, { level: 9 }).length;
  const brotli = brotliCompressSync(bytes, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).length;
  totals = { raw: totals.raw + bytes.length, gzip: totals.gzip + gzip, brotli: totals.brotli + brotli };
  console.log(`${name.padEnd(24)} ${String(bytes.length).padStart(8)} ${String(gzip).padStart(8)} ${String(brotli).padStart(8)}`);
}
const kb = (n) => (n / 1024).toFixed(1);
console.log(`${"total".padEnd(24)} ${kb(totals.raw).padStart(7)}K ${kb(totals.gzip).padStart(7)}K ${kb(totals.brotli).padStart(7)}K (budget: 200 KB brotli)`);

const dir = mkdtempSync(`${tmpdir()}/escalations-paint-`);
const stack = spawn(binary, ["--port", "0", "--data", `${dir}/db`, "--sweep-every", "0", "--site", dist], {
  stdio: ["ignore", "pipe", "inherit"],
});
const base = await new Promise((resolve, reject) => {
  let out = "";
  stack.stdout.on("data", (c) => {
    out += c;
    const m = out.match(/local stack: (http:\/\/127\.0\.0\.1:\d+)/);
    if (m) resolve(m[1]);
  });
  stack.on("exit", (code) => reject(new Error(`stack exited ${code}`)));
});
try {
  // A practitioner with work waiting: three open cases.
  const token = (await (await fetch(`${base}/dev/token?partnership=sefton&person=school-practitioner`)).json()).token;
  const manager = (await (await fetch(`${base}/dev/token?partnership=sefton&person=social-care-manager`)).json()).token;
  for (let i = 0; i < 3; i++) {
    const raised = await fetch(`${base}/api/cases`, {
      method: "POST",
      headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/json" },
      body: JSON.stringify({
        procedure: "sefton", receiving_agency: "social-care", immediate_risk: false,
        child: { name: `Bench Child ${i}` }, concern: { summary: "Benchmark case", other_reason: "bench" },
      }),
    });
    if (raised.status !== 201) throw new Error(`raise: ${raised.status} ${await raised.text()}`);
  }
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
    args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
  const fcp = [];
  const myWork = [];
  for (let i = 0; i < loads; i++) {
    // A cold visit each time: a new context has an empty cache.
    const context = await browser.newContext();
    await context.addInitScript((t) => sessionStorage.setItem("escalations.token", JSON.stringify(t)), manager);
    const page = await context.newPage();
    await page.goto(`${base}/`);
    await page.getByRole("heading", { name: /^Due (today|this week)|^Later|^Overdue/ }).first().waitFor();
    const shown = await page.evaluate(() => performance.now());
    const paint = await page.evaluate(
      () => performance.getEntriesByName("first-contentful-paint")[0]?.startTime ?? NaN,
    );
    fcp.push(paint);
    myWork.push(shown);
    await context.close();
  }
  await browser.close();
  const pct = (xs, p) => {
    const s = [...xs].sort((a, b) => a - b);
    return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
  };
  console.log(`\n${loads} cold loads of My work (Sefton, social care manager, 3 cases waiting), ms:`);
  console.log(`first contentful paint   p50 ${pct(fcp, 50).toFixed(0)}  p90 ${pct(fcp, 90).toFixed(0)}  max ${Math.max(...fcp).toFixed(0)}`);
  console.log(`My work rendered         p50 ${pct(myWork, 50).toFixed(0)}  p90 ${pct(myWork, 90).toFixed(0)}  max ${Math.max(...myWork).toFixed(0)}`);
} finally {
  stack.kill();
}
