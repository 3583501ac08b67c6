/** One reason an object does not fit its resource's schema. */
export interface ValidationIssue {
  /** Where, as a JSON path without the leading dot: `spec.replicas`, `spec.items[2].name`. */
  path: string;
  message: string;
}
