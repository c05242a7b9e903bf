// Starts GOV.UK Frontend's and the Ministry of Justice's components. The pages work without
// it: every filter, form and link is plain HTML first.
import { initAll } from "/assets/govuk-frontend.min.js";

initAll();
