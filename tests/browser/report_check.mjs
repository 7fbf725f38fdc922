// Opens a generated HTML report in headless Chromium (the system's, never a downloaded one) and
// prints what a reader sees: the tree, a scenario page, its requirement ID and its ladder diagram.
// Usage: node report_check.mjs URL CHROMIUM_PATH SCENARIO_NAME
import { chromium } from "playwright-core";

const [url, executablePath, scenario] = process.argv.slice(2);
const out = { tree: [], scenarioOpened: false, pageText: "", ladderSvg: false, errors: [] };
const browser = await chromium.launch({
  executablePath,
  args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"],
});
try {
  const page = await browser.newPage();
  page.on("pageerror", (e) => out.errors.push(String(e)));
  await page.goto(url, { waitUntil: "networkidle", timeout: 30000 });
  for (const label of ["T-Server private services", "Hot Desking", "Service 1: Initiate hot-desking"]) {
    await page.getByText(label, { exact: true }).first().click({ timeout: 10000 });
    out.tree.push(label);
  }
  await page.getByText(scenario, { exact: true }).first().click({ timeout: 10000 });
  out.scenarioOpened = true;
  await page.waitForTimeout(500);
  out.pageText = await page.locator("body").innerText();
  const ladder = page.getByText("message ladder", { exact: true }).first();
  await ladder.click({ timeout: 10000 });
  await page.waitForTimeout(1000);
  // the attachment is shown as an image of the SVG: it must have loaded and have a size
  const img = page.locator("img[alt$='.svg']").first();
  await img.waitFor({ timeout: 10000 });
  out.ladderWidth = await img.evaluate((el) => el.complete ? el.naturalWidth : 0);
  out.ladderSvg = out.ladderWidth > 0;
} catch (e) {
  out.errors.push(String(e));
} finally {
  await browser.close();
}
console.log(JSON.stringify(out));
