// Loads the API reference page in headless Chromium (the distribution's, driven by puppeteer-core), waits until the
// operations have rendered, saves a screenshot, and prints what a test needs as one JSON line: every request the page
// made that left the page's origin, the visible text, and whether the operation summaries it was given appear.
// usage: node reference-page.mjs <page url> <screenshot.png> <chromium executable> <summary>...
import puppeteer from 'puppeteer-core';

const [url, screenshot, executablePath, ...summaries] = process.argv.slice(2);
const origin = new URL(url).origin;
const local = (address) => address.startsWith(origin + '/') || address === origin || /^(data|blob|about):/.test(address);

const browser = await puppeteer.launch({
  executablePath,
  headless: true,
  // --no-sandbox: CI runs as root. The rest keeps Chromium's own background traffic off; the page's is what is checked.
  args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--no-first-run', '--no-default-browser-check',
    '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-domain-reliability'],
});
const result = { requests: 0, outside: [], failed: [], console: [], summaries: {}, text: '' };
try {
  const page = await browser.newPage();
  page.on('request', (request) => {
    result.requests++;
    if (!local(request.url())) result.outside.push(request.url());
  });
  page.on('console', (message) => result.console.push(`${message.type()}: ${message.text()}`));
  page.on('pageerror', (error) => result.console.push(`pageerror: ${error.message}`));
  page.on('requestfailed', (request) => result.failed.push(`${request.url()} ${request.failure()?.errorText ?? ''}`));
  await page.setViewport({ width: 1440, height: 1000 });
  await page.goto(url, { waitUntil: 'networkidle0', timeout: 90_000 });
  // The operations are rendered by script after the document has loaded: wait for the first summary to show.
  try {
    await page.waitForFunction((first) => document.body.innerText.includes(first), { timeout: 60_000 }, summaries[0]);
    await new Promise((resolve) => setTimeout(resolve, 1_000)); // let the layout settle before the picture
  } catch (error) {
    result.error = String(error); // reported with the picture and the text, which show what rendered instead
  }
  result.text = await page.evaluate(() => document.body.innerText);
  for (const summary of summaries) result.summaries[summary] = result.text.includes(summary);
  await page.screenshot({ path: screenshot });
} finally {
  await browser.close();
}
console.log(JSON.stringify(result));
