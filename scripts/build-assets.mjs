// Copies the front-end packages installed from npm into Django's static files.
// GOV.UK Frontend's precompiled CSS points its fonts and images at /assets/; we serve
// them under /static/vendor/govuk/assets/ so the URLs are rewritten while copying.
import { cpSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const modules = join(root, "node_modules");
const out = join(root, "placebase", "web", "static", "vendor");

rmSync(out, { recursive: true, force: true });
mkdirSync(join(out, "govuk"), { recursive: true });

const govuk = join(modules, "govuk-frontend", "dist", "govuk");
const css = readFileSync(join(govuk, "govuk-frontend.min.css"), "utf8")
  .replaceAll("url(/assets/", "url(/static/vendor/govuk/assets/")
  .replace(/\/\*# sourceMappingURL=.*\*\//, "");
writeFileSync(join(out, "govuk", "govuk-frontend.min.css"), css);
const js = readFileSync(join(govuk, "govuk-frontend.min.js"), "utf8").replace(
  /\/\/# sourceMappingURL=.*$/m,
  "",
);
writeFileSync(join(out, "govuk", "govuk-frontend.min.js"), js);
cpSync(join(govuk, "assets"), join(out, "govuk", "assets"), { recursive: true });

const leaflet = join(modules, "leaflet", "dist");
mkdirSync(join(out, "leaflet"), { recursive: true });
for (const name of ["leaflet.js", "leaflet.css"]) {
  cpSync(join(leaflet, name), join(out, "leaflet", name));
}
cpSync(join(leaflet, "images"), join(out, "leaflet", "images"), { recursive: true });

console.log(`front-end assets copied to ${out.replace(root + "/", "")}`);
