import type { ApiFlags } from "./api-clients.ts";

/** The four sources as the seed lists them. */
export const SOURCES = {
  salesforce: {
    type: "Salesforce",
    key: "Salesforce",
    cursor: "SystemModstamp",
    bulk: true,
    secrets: ["accessToken", "refreshToken"],
  },
  servicenow: {
    type: "Servicenow",
    key: "ServiceNow",
    cursor: "sys_updated_on",
    bulk: true,
    secrets: ["username", "password"],
  },
  marketo: {
    type: "Marketo",
    key: "Marketo",
    cursor: "updatedAt",
    bulk: true,
    secrets: ["clientId", "clientSecret"],
  },
  zendesk: {
    type: "Zendesk",
    key: "Zendesk",
    cursor: "updated_at",
    bulk: false,
    secrets: ["clientId", "clientSecret", "accessToken"],
  },
} as const;
export type SourceName = keyof typeof SOURCES;

/** One day in ms. */
export const DAY = 86_400_000;

/** `2024-01-31`, an ISO time, or `180d` (days back) → epoch ms. */
export function parseStart(raw: string, now: number): number {
  const days = /^(\d+)d$/.exec(raw.trim());
  if (days) return now - Number(days[1]) * DAY;
  const t = Date.parse(raw.trim());
  if (Number.isNaN(t))
    throw new Error(`--start ${raw} is neither a date (2024-01-31) nor a number of days back (180d).`);
  return t;
}

/** Everything `integrate` needs, from flags or prompts. */
export interface IntegrateFlags extends ApiFlags {
  domain?: string;
  source?: string;
  connection?: string;
  newConnection?: string;
  instanceUrl?: string;
  credential?: string[];
  objects?: string;
  objectType?: string[];
  start?: string;
  roleArn?: string;
  /** Create the bulk workflow's role under this name (trust + the seed's least-privilege policy). */
  createRole?: string;
  kmsArn?: string;
  schedule?: string;
  yes?: boolean;
}

/** What `integrate` created. */
export interface IntegrateResult {
  integrations: string[];
  workflows: string[];
}

/** A value from its flag, else the terminal's answer, else the default; throws when none can be had. */
export type Need = (value: string | undefined, question: string, def?: string) => Promise<string>;
