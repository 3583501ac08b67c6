import { Session } from "node:inspector";

/**
 * Whether a zod `.default(...)` was given a function rather than a value. zod 4 hides it behind a
 * getter that either calls the function or copies the value; the getter's closure still holds what
 * `.default()` was given, and the V8 inspector (in-process, synchronous) can read its type. zod 3
 * wraps a constant in its own `() => def`. Undefined when it cannot be told.
 */
export function defaultIsFunction(def: object, zod3 = false): boolean | undefined {
  if (zod3) {
    const fn = (def as { defaultValue?: unknown }).defaultValue;
    if (typeof fn !== "function") return undefined;
    const source = fn.toString().replace(/\s+/g, "");
    return !(source === "()=>def" || source === "()=>params.default");
  }
  const getter = Object.getOwnPropertyDescriptor(def, "defaultValue")?.get;
  if (!getter) return false;
  const type = closureVariableType(getter, "defaultValue");
  return type === undefined ? undefined : type === "function";
}

let session: Session | undefined;

function post<T>(method: string, params: object): T {
  if (!session) {
    session = new Session();
    session.connect();
  }
  let out: T | undefined;
  let error: Error | null = null;
  // An in-process session answers synchronously.
  session.post(method, params, (err, result) => {
    error = err;
    out = result as T;
  });
  if (error) throw error;
  if (out === undefined) throw new Error(`inspector: no synchronous answer to ${method}`);
  return out;
}

interface RemoteProps {
  result: { name: string; value?: { type: string; objectId?: string } }[];
  internalProperties?: { name: string; value?: { objectId?: string } }[];
}

function closureVariableType(fn: () => unknown, name: string): string | undefined {
  const key = "__meshCodegenInspect";
  try {
    (globalThis as Record<string, unknown>)[key] = fn;
    const { result } = post<{ result: { objectId?: string } }>("Runtime.evaluate", {
      expression: `globalThis.${key}`,
    });
    if (!result.objectId) return undefined;
    const props = post<RemoteProps>("Runtime.getProperties", {
      objectId: result.objectId,
      ownProperties: false,
    });
    const scopes = props.internalProperties?.find((p) => p.name === "[[Scopes]]")?.value?.objectId;
    if (!scopes) return undefined;
    const list = post<RemoteProps>("Runtime.getProperties", { objectId: scopes, ownProperties: true });
    for (const scope of list.result) {
      if (!scope.value?.objectId) continue;
      const vars = post<RemoteProps>("Runtime.getProperties", {
        objectId: scope.value.objectId,
        ownProperties: true,
      });
      const found = vars.result.find((v) => v.name === name);
      if (found) return found.value?.type;
    }
    return undefined;
  } catch {
    return undefined;
  } finally {
    delete (globalThis as Record<string, unknown>)[key];
  }
}
