import { basename } from "node:path";

/** What the provider's handler does out of the box. */
export type Flavour = "httpbin" | "minimal";
/** Every {@link Flavour}, in the order the question offers them. */
export const FLAVOURS: readonly Flavour[] = ["httpbin", "minimal"];

/** Whether objects of the resource live in a namespace or in the workspace itself. */
export type Scope = "Namespaced" | "Cluster";
/** Every {@link Scope}. */
export const SCOPES: readonly Scope[] = ["Namespaced", "Cluster"];

/** Everything a project is rendered from. */
export interface ProjectOptions {
  /** npm package name of the new project. */
  name: string;
  /** API group, also the APIExport name (`widgets.example.com`). */
  group: string;
  /** Kind, PascalCase (`Widget`). */
  kind: string;
  /** Plural resource name, lowercase (`widgets`). Also names the provider workspace and identity. */
  plural: string;
  scope: Scope;
  /**
   * `httpbin`: an HTTP endpoint per object (a real effect, URL in status, cleanup with a finalizer);
   * `minimal`: a handler that reports the spec back in status, for your own effect.
   */
  flavour: Flavour;
  /** Version specs of the kcp-mesh packages (a registry version, or `file:` tarballs). */
  versions: { sdk: string; codegen: string; dev: string };
}

/** `my-widgets-provider` -> `MyWidget`: a kind guessed from a folder name. */
export function kindFromDir(dir: string): string {
  const words = basename(dir)
    .replace(/[-_.]provider$/i, "")
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean);
  let kind = words.map((w) => w[0]!.toUpperCase() + w.slice(1)).join("");
  if (!/^[A-Z]/.test(kind)) kind = `Widget${kind}`;
  // A plural folder name gives a singular kind.
  if (/[^s]s$/.test(kind) && kind.length > 3) kind = kind.slice(0, -1);
  return kind.replace(/[^A-Za-z0-9]/g, "").slice(0, 63);
}

/** English plural of a kind, lowercased, as Kubernetes resources are named (`Policy` -> `policies`). */
export function pluralOf(kind: string): string {
  const k = kind.toLowerCase();
  if (/[^aeiou]y$/.test(k)) return `${k.slice(0, -1)}ies`;
  if (/(s|x|z|ch|sh)$/.test(k)) return `${k}es`;
  return `${k}s`;
}

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/** Problems with the options, each a sentence saying what to write instead; empty when valid. */
export function validate(o: Omit<ProjectOptions, "versions">): string[] {
  const problems: string[] = [];
  if (!/^[A-Z][A-Za-z0-9]{0,62}$/.test(o.kind)) {
    problems.push(`kind "${o.kind}": use PascalCase letters and digits, starting with a capital (Widget)`);
  }
  if (!/^[a-z]([-a-z0-9]{0,61}[a-z0-9])?$/.test(o.plural)) {
    problems.push(`plural "${o.plural}": use a lowercase DNS label starting with a letter (widgets)`);
  }
  const labels = o.group.split(".");
  if (
    o.group.length > 253 ||
    labels.length < 2 ||
    !labels.every((l) => l.length <= 63 && DNS_LABEL.test(l))
  ) {
    problems.push(`group "${o.group}": use a lowercase DNS name with at least one dot (widgets.example.com)`);
  } else if (/(^|\.)(k8s\.io|kubernetes\.io|kcp\.io)$/.test(o.group)) {
    problems.push(`group "${o.group}": k8s.io, kubernetes.io and kcp.io are reserved; use a domain of yours`);
  }
  if (!SCOPES.includes(o.scope)) problems.push(`scope "${o.scope}": use Namespaced or Cluster`);
  if (!FLAVOURS.includes(o.flavour)) problems.push(`flavour "${o.flavour}": use ${FLAVOURS.join(" or ")}`);
  if (!/^(@[a-z0-9][-a-z0-9._~]*\/)?[a-z0-9][-a-z0-9._~]*$/.test(o.name) || o.name.length > 214) {
    problems.push(
      `name "${o.name}": an npm package name is lowercase, without spaces (my-provider or @acme/my-provider)`,
    );
  }
  return problems;
}
