// Copies what the pages serve from the installed front-end packages into openbook/web/assets
// (not kept in git: `npm ci` makes it, and `pip install .` packages it). Run by npm after an
// install; safe to run again.
import { cpSync, existsSync, mkdirSync, rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const modules = join(root, "node_modules");
const target = join(root, "openbook", "web", "assets");

// Served at /assets/ (openbook.web.pages.assets): the compiled styles ask for their fonts and
// images at /assets/fonts/ and /assets/images/.
const copies = [
  // GOV.UK Frontend's compiled styles and scripts, fonts, images and web manifest.
  ["govuk-frontend/dist/govuk/govuk-frontend.min.css", "govuk-frontend.min.css"],
  ["govuk-frontend/dist/govuk/govuk-frontend.min.js", "govuk-frontend.min.js"],
  ["govuk-frontend/dist/govuk/assets/fonts", "fonts"],
  ["govuk-frontend/dist/govuk/assets/images", "images"],
  ["govuk-frontend/dist/govuk/assets/manifest.json", "manifest.json"],
  // The Ministry of Justice's components (the search page's filter panel), and their images.
  ["@ministryofjustice/frontend/moj/moj-frontend.min.css", "moj-frontend.min.css"],
  ["@ministryofjustice/frontend/moj/moj-frontend.min.js", "moj-frontend.min.js"],
  ["@ministryofjustice/frontend/moj/assets/images", "images"],
];

rmSync(target, { recursive: true, force: true });
for (const [from, to] of copies) {
  const source = join(modules, from);
  if (!existsSync(source)) {
    console.error(`openbook: ${from} is missing from node_modules: run npm ci`);
    process.exit(1);
  }
  mkdirSync(dirname(join(target, to)), { recursive: true });
  cpSync(source, join(target, to), { recursive: true });
}
console.log(`openbook: front-end assets copied to ${target}`);
