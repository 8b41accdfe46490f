/** Customer Profiles ARNs are built and parsed in one place, src/core/arns.ts (services use them too). */
export { ProfileArns } from "../../core/arns.ts";
