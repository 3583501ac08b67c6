/** A metav1.Time as the API server writes it: RFC 3339 in whole seconds (default: now). */
export function kubeTime(d: Date = new Date()): string {
  return d.toISOString().replace(/\.\d+Z$/, "Z");
}

/** A metav1.MicroTime, as Leases carry in `acquireTime`/`renewTime`: RFC 3339 with microseconds. */
export function microTime(d: Date = new Date()): string {
  return d.toISOString().replace("Z", "000Z");
}
