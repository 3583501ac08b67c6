// Data paths as users read them in errors: `spec.ports[*].name`, `spec.labels.*`.

/** The path of property `key` below `path`. */
export function propertyPath(path: string, key: string): string {
  const k = /^[A-Za-z_$][\w$-]*$/.test(key) ? key : `[${JSON.stringify(key)}]`;
  if (!path) return k;
  return k.startsWith("[") ? `${path}${k}` : `${path}.${k}`;
}

/** The path of any item of the list at `path`. */
export function itemPath(path: string): string {
  return `${path}[*]`;
}

/** The path of any value of the map at `path`. */
export function mapValuePath(path: string): string {
  return path ? `${path}.*` : "*";
}
