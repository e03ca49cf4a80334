// Builds dist/, the one folder the Upstream server serves at /assets:
// the stylesheet (compiled from upstream.scss), GOV.UK Frontend's script,
// and its images. Run with `npm run build`.
import * as sass from "sass";
import { cpSync, mkdirSync, rmSync, writeFileSync, copyFileSync } from "node:fs";

const govuk = "node_modules/govuk-frontend/dist/govuk";
rmSync("dist", { recursive: true, force: true });
mkdirSync("dist", { recursive: true });

const css = sass.compile("upstream.scss", { loadPaths: ["node_modules"], style: "compressed", quietDeps: true });
writeFileSync("dist/upstream.min.css", css.css);
copyFileSync(`${govuk}/govuk-frontend.min.js`, "dist/govuk-frontend.min.js");
cpSync(`${govuk}/assets/images`, "dist/images", { recursive: true });
console.log(`built dist/upstream.min.css (${css.css.length} bytes), dist/govuk-frontend.min.js, dist/images`);
