import { score } from "./rendezvous.js";

/** Lease names of a sharding group: DNS-1123 subdomains whatever the identity holds. */
export class LeaseNames {
  /** The label value naming the group (at most 63 characters). */
  readonly group: string;

  constructor(group: string) {
    const clean = dns(group);
    this.group = clean.length <= 50 ? clean : `${clean.slice(0, 40)}-${hash(group)}`;
  }

  /** The peer Lease announcing `identity`; a hash keeps two identities that clean up alike apart. */
  peer(identity: string): string {
    return `${this.group}-peer-${dns(identity).slice(0, 60)}-${hash(identity)}`;
  }

  bucket(n: number): string {
    return `${this.group}-bucket-${n}`;
  }
}

function dns(s: string): string {
  return s
    .toLowerCase()
    .replace(/[^a-z0-9.-]+/g, "-")
    .replace(/^[-.]+|[-.]+$/g, "");
}

function hash(s: string): string {
  return score(s).toString(36).slice(0, 8);
}
