/**
 * The request context's condition keys, names lower-cased (AWS: "Context key names are not
 * case-sensitive"); a string is a single-valued key, an array a multivalued one (`aws:TagKeys`).
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition.html
 */
export type ContextValues = ReadonlyMap<string, string | readonly string[]>;

/** Builds context values from a plain record (key names are lower-cased; undefined values dropped). */
export function contextValues(
  keys: Record<string, string | readonly string[] | undefined>,
): Map<string, string | readonly string[]> {
  const out = new Map<string, string | readonly string[]>();
  for (const [k, v] of Object.entries(keys)) if (v !== undefined) out.set(k.toLowerCase(), v);
  return out;
}

/** Who makes a request, as a resource-based (trust) policy's `Principal` sees it. */
export interface RequestPrincipal {
  /** `AWS` for IAM identities, `Service` for a service principal such as `profile.amazonaws.com`. */
  type: "AWS" | "Service";
  /**
   * Everything the principal may be named by: for an IAM user its ARN; for an assumed-role session its
   * session ARN and its role's ARN; for a service its name.
   */
  ids: readonly string[];
  /** The principal's account (absent for a service). */
  account?: string;
}

/** One authorization question: may this principal perform this action on this resource, in this context? */
export interface AuthorizationRequest {
  /** `service:Action`, e.g. `profile:GetDomain`. */
  action: string;
  /** The resource's ARN, or `*` for actions that name no resource. */
  resource: string;
  context: ContextValues;
  /** Needed only for resource-based (trust) policies. */
  principal?: RequestPrincipal;
}
