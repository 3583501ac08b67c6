// Kubernetes' own name rules, checked when a resource is defined so that a typo fails in the
// provider's editor rather than when kcp rejects the generated YAML.

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const KIND = /^[A-Z][A-Za-z0-9]*$/;
const VERSION = /^v[0-9]+((alpha|beta)[0-9]+)?$/;

/** Throws unless `value` is a DNS subdomain of at most 253 characters (API groups, export names). */
export function checkDnsSubdomain(what: string, value: string): void {
  if (value.length > 253 || !DNS_SUBDOMAIN.test(value)) {
    throw new Error(`${what} "${value}" must be a lowercase DNS subdomain such as "widgets.example.io"`);
  }
}

/** Throws unless `value` is a DNS label of at most 63 characters (plural and singular names). */
export function checkDnsLabel(what: string, value: string): void {
  if (value.length > 63 || !DNS_LABEL.test(value)) {
    throw new Error(`${what} "${value}" must be a lowercase DNS label such as "widgets"`);
  }
}

/** Throws unless `value` is a kind in UpperCamelCase. */
export function checkKind(value: string): void {
  if (!KIND.test(value)) throw new Error(`kind "${value}" must be UpperCamelCase such as "Widget"`);
}

/** Throws unless `value` is a Kubernetes version name (`v1`, `v1beta2`, `v1alpha1`). */
export function checkVersionName(kind: string, value: string): void {
  if (!VERSION.test(value)) {
    throw new Error(`${kind}: version "${value}" must look like v1, v1beta1 or v1alpha1`);
  }
}

// kcp's APIResourceSchema admission (pkg/admission/apiresourceschema/validation.go) takes these
// single-word groups; any other group needs a dot. Kubernetes' apihelpers.IsProtectedCommunityGroup
// reserves k8s.io and kubernetes.io (an api-approved.kubernetes.io annotation is required there).
const SINGLE_SEGMENT_GROUPS = new Set(["apps", "batch", "extensions", "policy", "autoscaling"]);

/** Why kcp would refuse `group` as an API group, or undefined when it takes it. */
export function apiGroupProblem(group: string): string | undefined {
  if (group.length > 253 || !DNS_SUBDOMAIN.test(group)) {
    return `group "${group}" must be a lowercase DNS subdomain such as "widgets.example.io"`;
  }
  if (!group.includes(".") && !SINGLE_SEGMENT_GROUPS.has(group)) {
    return `group "${group}" must be a domain with at least one dot (kcp refuses single-word groups); write a domain you own, such as "${group}.example.io"`;
  }
  if (/(^|\.)(k8s\.io|kubernetes\.io)$/.test(group)) {
    return `group "${group}" is reserved for Kubernetes' own APIs (kcp asks for an api-approved.kubernetes.io annotation); write a domain you own, such as "${group.split(".")[0]}.example.io"`;
  }
  return undefined;
}

/** Throws unless kcp accepts `group` as an API group (a DNS subdomain with a dot, not k8s.io). */
export function checkApiGroup(kind: string, group: string): void {
  const problem = apiGroupProblem(group);
  if (problem) throw new Error(`${kind}: ${problem}`);
}
